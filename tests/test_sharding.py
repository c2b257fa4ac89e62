"""``--shard K/N``: every article in exactly one shard, the same split in every process, clear
usage errors, and shards whose translate/build/check outputs never overlap and together
equal an unsharded run's."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from hypothesis import given
from hypothesis import strategies as st

from localise import sharding

SLUGS = [f"guides/article-{i}" for i in range(40)] + ["welcome", "日本/治療", "a b/c"]

slugs = st.lists(
    st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=30),
    min_size=1, max_size=50, unique=True,
)


@given(slugs, st.integers(min_value=1, max_value=12))
def test_every_article_is_in_exactly_one_shard(names: list[str], count: int) -> None:
    shards = [sharding.Shard(k, count) for k in range(1, count + 1)]
    for name in names:
        assert sum(shard.holds(name) for shard in shards) == 1, name
    parts = [sharding.select(shard, names, str) for shard in shards]
    assert sorted(x for part in parts for x in part) == sorted(names)
    assert sharding.select(None, names, str) == names


def test_split_is_the_same_in_every_process() -> None:
    """Python's ``hash()`` of a str differs between processes (PYTHONHASHSEED); ours must not."""
    here = {n: [sharding.shard_of(s, n) for s in SLUGS] for n in (2, 3, 7)}
    code = ("import json, sys\nfrom localise import sharding\n"
            "slugs = json.loads(sys.argv[1])\n"
            "print(json.dumps({n: [sharding.shard_of(s, n) for s in slugs] for n in (2, 3, 7)}))")
    for seed in ("1", "2", "random"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        out = subprocess.run([sys.executable, "-c", code, json.dumps(SLUGS)], env=env,
                             capture_output=True, text=True, check=True).stdout
        assert {int(k): v for k, v in json.loads(out).items()} == here


def test_split_is_spread_evenly() -> None:
    names = [f"costs/2026/page-{i}" for i in range(2000)]
    sizes = [len(sharding.select(sharding.Shard(k, 4), names, str)) for k in range(1, 5)]
    assert sum(sizes) == 2000 and all(400 < size < 600 for size in sizes), sizes


def test_split_is_the_same_in_every_version() -> None:
    """The documented split (SHA-256 of the UTF-8 path, first 8 bytes big-endian, mod N, + 1),
    pinned: changing it would move articles between the machines of an existing CI matrix."""
    pinned = {"guides/knee": [1, 3, 1, 7], "welcome": [2, 1, 2, 5],
              "stem-cell-therapy-japan": [2, 2, 2, 3],
              "guides/japan-treatment-checklist": [2, 2, 4, 3]}
    for slug, shards in pinned.items():
        assert [sharding.shard_of(slug, n) for n in (2, 3, 4, 7)] == shards, slug


@pytest.mark.parametrize(("text", "index", "count"), [("1/1", 1, 1), ("2/3", 2, 3),
                                                       (" 4 / 4 ", 4, 4)])
def test_parse(text: str, index: int, count: int) -> None:
    assert sharding.parse(text) == sharding.Shard(index, count)
    assert str(sharding.parse(text)) == f"{index}/{count}"


@pytest.mark.parametrize(("command", "spec", "message"), [
    ("translate", "0/2", "K must be from 1 to N (2), not 0"),
    ("build", "3/2", "K must be from 1 to N (2), not 3"),
    ("check", "x", "expected K/N, e.g. 1/4 (shard K of N), not 'x'"),
    ("translate", "1/0", "N must be from 1 to 10,000, not 0"),
    ("build", "-1/2", "expected K/N"),
])
def test_bad_shard_is_a_usage_error(cli, project: Path, command: str, spec: str,
                                    message: str) -> None:
    result = cli(project, command, f"--shard={spec}")
    assert result.code == 2
    assert "argument --shard:" in result.err and message in result.err, result.err
    assert "Traceback" not in result.err


def _articles(project: Path, count: int) -> None:
    """``count`` more articles in ``project``, in a few folders, each with its own text."""
    for i in range(count):
        folder = ("", "guides/", "costs/2026/")[i % 3]
        path = project / "source" / f"{folder}page-{i}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(
            f"# Page {i}\n\nThis page number {i} describes treatment {i} in Osaka.\n\n"
            "Bring your passport to the first visit.\n\n"
            f"- A visit costs ${100 + i} and takes about an hour.\n", encoding="utf-8")


def _outputs(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*"))
            if p.is_file() and p.relative_to(root).parts[0] in ("locales", "build")}


def test_shards_never_overlap_and_together_equal_an_unsharded_run(
    cli, project: Path, tmp_path: Path
) -> None:
    _articles(project, 10)
    for command in ("extract", "update"):
        assert cli(project, command).code == 0
    # a reviewed translation in one shard's catalogue is memory for every shard
    po_path = project / "locales" / "ja" / "LC_MESSAGES" / "page-0.po"
    po = polib.pofile(str(po_path))
    po.find("Bring your passport to the first visit.").msgstr = "初診にはパスポートを。"
    po.save()
    prepared = _outputs(project)
    whole = tmp_path / "whole"
    shutil.copytree(project, whole)
    steps = [("translate", "--engine", "pseudo"), ("build", "--draft")]
    for step in steps:
        assert cli(whole, *step).code == 0
    expected = _outputs(whole)
    count = 3
    union: dict[str, bytes] = {}
    slugs_seen: list[str] = []
    for k in range(1, count + 1):
        part = tmp_path / f"shard-{k}"
        shutil.copytree(project, part)
        for step in steps:
            result = cli(part, *step, "--shard", f"{k}/{count}")
            assert result.code == 0, result.err
        checked = cli(part, "check", "--shard", f"{k}/{count}", "--json")
        assert checked.code in (0, 1), checked.err
        mine = {name: data for name, data in _outputs(part).items()
                if prepared.get(name) != data}  # what this shard wrote or changed
        assert mine, f"shard {k} wrote nothing"
        assert not mine.keys() & union.keys(), f"shard {k} overlaps: {mine.keys() & union}"
        union |= mine
        slugs = {p.removeprefix("build/drafts/ja/").removesuffix(".md")
                 for p in mine if p.startswith("build/drafts/ja/")}
        assert all(sharding.shard_of(slug, count) == k for slug in slugs), slugs
        slugs_seen += slugs
        files = {f["file"] for f in json.loads(checked.out)["findings"]}
        assert all(sharding.shard_of(f.split("/LC_MESSAGES/")[1].removesuffix(".po"), count)
                   == k for f in files), files
    assert sorted(slugs_seen) == sorted(
        p.relative_to(project / "source").with_suffix("").as_posix()
        for p in (project / "source").rglob("*.md"))
    changed_whole = {n: d for n, d in expected.items() if prepared.get(n) != d}
    assert union == changed_whole
    memory = polib.pofile(str(whole / "locales" / "ja" / "LC_MESSAGES" / "guides" / "page-1.po"))
    assert memory.find("Bring your passport to the first visit.").msgstr == "初診にはパスポートを。"
