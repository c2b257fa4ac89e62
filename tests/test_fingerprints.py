"""File digests kept beside their stat: unchanged files unread, every edit seen, racy entries
hashed again before the table is saved."""

from __future__ import annotations

import builtins
import io
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from localise import fingerprints as fp_module
from localise.fingerprints import MARGIN_NS, Fingerprints, _settled, digest


def _table(root: Path) -> Fingerprints:
    return Fingerprints(root / ".localise" / "fingerprints.sqlite", root)


def _saved(root: Path) -> dict[str, list]:
    """The table on disk: name → [size, mtime_ns, ctime_ns, inode, digest, hashed_ns]."""
    found = {}
    table = _table(root)
    try:
        for name, entry in table.items():
            size, mtime, ctime, inode, raw, hashed = fp_module._RECORD.unpack(entry)
            found[name] = [size, mtime, ctime, inode, raw.hex(), hashed]
    finally:
        table.close()  # before a test rewrites the file: SQLite must not see it change under
    return found       # an open connection (a "disk I/O error" when it was collected late)


def _legacy(root: Path, files: dict[str, list] | None = None, *, text: str | None = None) -> Path:
    """Write an earlier version's ``fingerprints.json`` (``files``, or ``text`` as given)."""
    path = root / ".localise" / "fingerprints.json"
    path.parent.mkdir(exist_ok=True)
    path.write_text(text if text is not None else json.dumps(
        {"format": fp_module.FORMAT, "files": files}))
    return path


def _line_layout(files: dict[str, list]) -> str:
    """``files`` as an earlier version laid its table out: a line per file."""
    lines = ",\n".join(f"{json.dumps(name)}:{json.dumps(entry, separators=(',', ':'))}"
                       for name, entry in sorted(files.items()))
    return f'{{"format":{fp_module.FORMAT},"files":{{\n{lines}\n}}}}\n'




def _settled_table(root: Path, *names: str) -> None:
    """Hash ``names`` once their last change is older than the margin, and save."""
    time.sleep(2 * MARGIN_NS / 1e9)
    table = _table(root)
    for name in names:
        table.of(root / name)
    table.save()


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Every file opened for reading through ``open`` (pathlib's included), by path."""
    opened: list[str] = []
    real = io.open

    def spy(file, mode="r", *args, **kwargs):
        if "r" in mode and not isinstance(file, int):
            opened.append(os.fspath(file))
        return real(file, mode, *args, **kwargs)

    monkeypatch.setattr(io, "open", spy)
    monkeypatch.setattr(builtins, "open", spy)
    yield opened


def test_the_digest_is_of_the_bytes_and_none_for_a_missing_file(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_bytes(b"hello")
    table = _table(tmp_path)
    assert table.of(tmp_path / "a.md") == digest(b"hello")
    assert table.of(Path("a.md")) == digest(b"hello")  # project-relative works too
    assert table.of(tmp_path / "missing.md") is None


def test_a_settled_unchanged_file_is_not_read_again(tmp_path: Path, reads: list[str]) -> None:
    (tmp_path / "a.md").write_bytes(b"hello")
    _settled_table(tmp_path, "a.md")
    reads.clear()
    table = _table(tmp_path)
    assert table.of(tmp_path / "a.md") == digest(b"hello")
    assert not [r for r in reads if r.endswith("a.md")]
    assert not table.dirty  # nothing to write back


def test_an_edit_that_keeps_size_and_mtime_is_still_seen(tmp_path: Path) -> None:
    path = tmp_path / "a.md"
    path.write_bytes(b"hello")
    _settled_table(tmp_path, "a.md")
    info = path.stat()
    path.write_bytes(b"jello")  # same size; the mtime put back as an archiver would
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns))
    assert path.stat().st_mtime_ns == info.st_mtime_ns
    assert _table(tmp_path).of(path) == digest(b"jello")  # the ctime moved: read again


def test_a_racy_entry_is_not_trusted(tmp_path: Path, reads: list[str]) -> None:
    """An entry hashed within the margin of the file's last change (its stat cannot tell an
    edit in the same tick) is read again, even when the stat matches."""
    path = tmp_path / "a.md"
    path.write_bytes(b"hello")
    info = path.stat()
    entry = [info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino,
             digest(b"what the table wrongly says"), info.st_ctime_ns + MARGIN_NS // 2]
    _legacy(tmp_path, {"a.md": entry})
    reads.clear()
    assert _table(tmp_path).of(path) == digest(b"hello")
    assert any(r.endswith("a.md") for r in reads)


def test_save_settles_what_was_hashed_too_soon(tmp_path: Path, reads: list[str]) -> None:
    """A file written just before it was hashed is hashed again at save (after the margin),
    so the next run trusts it: a warm run after a cold one reads nothing."""
    table = _table(tmp_path)
    (tmp_path / "out.po").write_bytes(b"msgid")
    table.of(tmp_path / "out.po")  # racy: changed a moment ago
    (tmp_path / "page.md").write_bytes(b"page")
    table.wrote(tmp_path / "page.md")  # written by this run, never hashed by it
    table.save()
    saved = _saved(tmp_path)
    assert set(saved) == {"out.po", "page.md"}
    assert saved["page.md"][4] == digest(b"page")
    assert all(_settled(entry[2], entry[5]) for entry in saved.values())
    reads.clear()
    again = _table(tmp_path)
    assert again.of(tmp_path / "out.po") == digest(b"msgid")
    assert again.of(tmp_path / "page.md") == digest(b"page")
    assert not [r for r in reads if r.endswith((".po", ".md"))]


def test_whole_second_times_need_two_seconds() -> None:
    second = 1_700_000_000 * 1_000_000_000
    assert not _settled(second, second + 1_500_000_000)
    assert _settled(second, second + 2_500_000_000)
    assert _settled(second + 1, second + 1 + 2 * MARGIN_NS)
    assert not _settled(second + 1, second + 1 + MARGIN_NS // 2)


def test_a_removed_file_leaves_the_table(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_bytes(b"x")
    _settled_table(tmp_path, "a.md")
    (tmp_path / "a.md").unlink()
    table = _table(tmp_path)
    assert table.of(tmp_path / "a.md") is None
    table.save()
    assert _saved(tmp_path) == {}


@pytest.mark.parametrize("damage", [b"{not json", b"[]", b'{"format": 99, "files": {}}',
                                    b'{"format": 1, "files": {"a.md": [1, 2, "x"]}}'])
def test_a_damaged_table_is_an_empty_one(tmp_path: Path, damage: bytes) -> None:
    (tmp_path / "a.md").write_bytes(b"hello")
    _legacy(tmp_path, text=damage.decode())  # an earlier version's table, damaged
    first = _table(tmp_path)
    assert first.of(tmp_path / "a.md") == digest(b"hello")
    first.close()
    assert _saved(tmp_path) == {}
    (tmp_path / ".localise" / "fingerprints.sqlite").write_bytes(damage)  # this one, damaged
    table = _table(tmp_path)
    assert table.of(tmp_path / "a.md") == digest(b"hello")
    table.save()  # made again
    assert set(_saved(tmp_path)) == {"a.md"}


def test_without_stat_trust_every_file_is_read(
    tmp_path: Path, reads: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "a.md").write_bytes(b"hello")
    _settled_table(tmp_path, "a.md")
    monkeypatch.setenv("LOCALISE_NO_STAT", "1")
    reads.clear()
    table_path = tmp_path / ".localise" / "fingerprints.sqlite"
    before = table_path.read_bytes()
    table = _table(tmp_path)
    assert table.of(tmp_path / "a.md") == digest(b"hello")
    assert any(r.endswith("a.md") for r in reads)
    table.wrote(tmp_path / "a.md")
    table.save()
    assert table_path.read_bytes() == before  # a run without the table writes none


def test_a_warm_pipeline_reads_no_article_catalogue_or_page(
    project: Path, cli, reads: list[str]
) -> None:
    """extract, update and build with nothing changed open no source, template, catalogue or
    built page (their stat answers), and write nothing."""
    for command in ("extract", "update", "build"):
        assert cli(project, command).code == 0
    time.sleep(2 * MARGIN_NS / 1e9)
    before = {p: p.stat().st_mtime_ns for p in project.rglob("*") if p.is_file()}
    reads.clear()
    for command in ("extract", "update", "build"):
        assert cli(project, command).code == 0
    opened = [r for r in reads if r.endswith((".md", ".pot", ".po"))]
    assert opened == []
    after = {p: p.stat().st_mtime_ns for p in project.rglob("*") if p.is_file()}
    assert {p for p in before if p.name != "lock"} == {p for p in after if p.name != "lock"}
    assert all(after[p] == before[p] for p in before if p.name != "lock")


def test_an_edit_is_seen_by_the_warm_pipeline(project: Path, cli) -> None:
    for command in ("extract", "update", "build"):
        assert cli(project, command).code == 0
    source = project / "source" / "welcome.md"
    source.write_text(source.read_text("utf-8") + "\nA brand new closing line.\n", "utf-8")
    for command in ("extract", "update", "build"):
        assert cli(project, command).code == 0
    assert "A brand new closing line." in (project / "locales" / "welcome.pot").read_text()
    assert "A brand new closing line." in (project / "build" / "ja" / "welcome.md").read_text()


def test_entries_of_files_gone_are_pruned_when_the_table_is_written(tmp_path: Path) -> None:
    for name in ("old.md", "kept.md"):
        (tmp_path / name).write_bytes(name.encode())
    _settled_table(tmp_path, "old.md", "kept.md")
    (tmp_path / "old.md").rename(tmp_path / "new.md")  # renamed: old.md is never asked again
    table = _table(tmp_path)
    table.of(tmp_path / "new.md")
    table.save()
    assert set(_saved(tmp_path)) == {"kept.md", "new.md"}


@pytest.mark.parametrize("name", ["../outside.md", "/etc/passwd", "a/../../b.md", ""])
def test_a_table_naming_files_outside_the_project_is_not_believed(
    tmp_path: Path, name: str
) -> None:
    _legacy(tmp_path, {name: [1, 2, 3, 4, digest(b"x"), 5]})
    assert _saved(tmp_path) == {}


def _entry(seed: int) -> list:
    return [seed, 1_733_000_000_000_000_000 + seed, -5 - seed, 2**63 + seed,
            digest(str(seed).encode()), 1_733_000_000_123_456_789 + seed]


def test_an_earlier_versions_table_is_imported_once(tmp_path: Path, reads: list[str]) -> None:
    """``fingerprints.json`` (either layout) becomes the SQLite table, entries exactly as they
    were (names with quotes, backslashes or accents included), and is removed."""
    files = {name: _entry(i) for i, name in enumerate(
        ["a.md", 'odd "quoted" name.md', "back\\slash.po", "çà/ü.md", "z/last.md"])}
    for text in (json.dumps({"format": fp_module.FORMAT, "files": files}), _line_layout(files)):
        shutil.rmtree(tmp_path / ".localise", ignore_errors=True)
        legacy = _legacy(tmp_path, text=text)
        assert _saved(tmp_path) == files
        assert not legacy.exists()
        assert (tmp_path / ".localise" / "fingerprints.sqlite").is_file()
        reads.clear()
        assert _saved(tmp_path) == files  # read from the table now
        assert not [r for r in reads if r.endswith(".json")]


@pytest.mark.parametrize("damage", [
    lambda text: text.replace("],\n", "]\n", 1),  # a comma lost between two lines
    lambda text: text.replace("]\n}}", "],\n}}"),  # a comma too many
    lambda text: text + "{}",  # something after the table
    lambda text: text[: text.rindex("}}")],  # cut short
])
def test_a_damaged_line_by_line_table_is_an_empty_one(tmp_path: Path, damage) -> None:
    files = {f"f{i}.md": _entry(i) for i in range(3)}
    _legacy(tmp_path, text=_line_layout(files))
    assert len(_saved(tmp_path)) == 3
    shutil.rmtree(tmp_path / ".localise")
    _legacy(tmp_path, text=damage(_line_layout(files)))
    assert _saved(tmp_path) == {}


def test_malformed_entries_are_dropped_and_their_files_read(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_bytes(b"hello")
    good, bad_digest, too_big = _entry(1), _entry(2), _entry(3)
    bad_digest[4] = "not a digest"
    too_big[0] = 2**64
    _legacy(tmp_path, {"good.md": good, "a.md": bad_digest, "big.md": too_big})
    table = _table(tmp_path)
    assert set(dict(table.items())) == {"good.md"}
    assert table.of(tmp_path / "a.md") == digest(b"hello")


def test_what_a_run_did_not_save_is_not_in_the_table(tmp_path: Path) -> None:
    """Changes are made in one transaction that save commits: a run stopped before it (an
    error, Ctrl-C, a killed process) leaves the table as it was."""
    for name in ("a.md", "b.md"):
        (tmp_path / name).write_bytes(name.encode())
    _settled_table(tmp_path, "a.md", "b.md")
    before = _saved(tmp_path)
    (tmp_path / "a.md").write_bytes(b"a changed")
    (tmp_path / "c.md").write_bytes(b"c")
    table = _table(tmp_path)
    table.of(tmp_path / "a.md")
    table.wrote(tmp_path / "c.md")
    table.forget(tmp_path / "b.md")
    table.close()  # not saved
    assert _saved(tmp_path) == before
    script = (  # the same in a process that dies without saving
        "import os, sys; from pathlib import Path; from localise.fingerprints import Fingerprints;"
        f"root = Path({str(tmp_path)!r}); t = Fingerprints(root / '.localise' / "
        "'fingerprints.sqlite', root); t.of(root / 'a.md'); t.wrote(root / 'c.md'); "
        "t.forget(root / 'b.md'); os._exit(0)")
    env = {**os.environ, "PYTHONPATH": str(Path(fp_module.__file__).parents[1])}
    subprocess.run([sys.executable, "-c", script], check=True, env=env)
    assert _saved(tmp_path) == before
    table = _table(tmp_path)
    assert table.of(tmp_path / "a.md") == digest(b"a changed")
    table.save()
    assert _saved(tmp_path)["a.md"][4] == digest(b"a changed")
