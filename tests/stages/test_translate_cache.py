"""The machine-translation cache is keyed by everything that changes a draft: one test per
component shows a change forces a new draft; and a sentence's draft does not depend on what
else is in the run (a model that rambles to its length cap)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import polib
import pytest

from localise import mt_tokens
from support import isolate_argos
from support.tiny_argos import build_package

ARTICLE = "# Travel Notes\n\nBook your flight early.\n\nKeep every receipt.\n"


@pytest.fixture(scope="module")
def rambling(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An en→ja package with the copy model's name and version whose model rambles."""
    folder = tmp_path_factory.mktemp("rambling")
    return build_package(folder, from_code="en", to_code="ja", ramble=True)


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, tiny_models, cli) -> Path:
    isolate_argos(monkeypatch, tmp_path / "argos-home")
    root = tmp_path / "p"
    (root / "source").mkdir(parents=True)
    (root / "source" / "notes.md").write_text(ARTICLE)
    config(root)
    assert cli(root, "models", "install", str(tiny_models["ja"])).code == 0
    assert cli(root, "extract").code == 0
    assert cli(root, "update").code == 0
    return root


def config(root: Path, extra: str = "") -> None:
    (root / "localise.toml").write_text(
        f'languages = ["ja", "es"]\n[translate]\npackages_dir = "models"\nbeam_size = 2\n{extra}'
    )


def translate(cli, root: Path, *args: str) -> dict[str, dict[str, object]]:
    done = cli(root, "translate", "--json", *args)
    assert done.code == 0, done.err
    return json.loads(done.out)["languages"]


def drafts(root: Path, lang: str = "ja") -> list[str]:
    po = polib.pofile(str(root / "locales" / lang / "LC_MESSAGES" / "notes.po"))
    return [e.msgstr for e in po if e.msgid]


def first_run(cli, root: Path) -> None:
    summary = translate(cli, root, "--lang", "ja")["ja"]
    assert summary["sent"] == summary["segments"] == 3
    again = translate(cli, root, "--lang", "ja", "--retranslate")["ja"]
    assert again["sent"] == 0 and again["cached"] == 3  # unchanged: all from the cache


def test_engine(cli, project: Path) -> None:
    first_run(cli, project)
    summary = translate(cli, project, "--lang", "ja", "--retranslate", "--engine", "pseudo")
    assert summary["ja"]["sent"] == 3 and drafts(project)[0].startswith("[")


def test_package_content_not_just_name_and_version(cli, project: Path, rambling: Path) -> None:
    first_run(cli, project)
    before = drafts(project)
    assert cli(project, "models", "install", str(rambling)).code == 0  # same name, same version
    summary = translate(cli, project, "--lang", "ja", "--retranslate")["ja"]
    assert summary["model"] == "argos translate-en_ja 1.0" and summary["sent"] == 3
    assert drafts(project) != before


def test_beam_size(cli, project: Path) -> None:
    first_run(cli, project)
    summary = translate(cli, project, "--lang", "ja", "--retranslate", "--beam-size", "1")
    assert summary["ja"]["sent"] == 3


@pytest.mark.parametrize("option", ["length_penalty = 0.6", "max_length_ratio = 2.0"])
def test_length_penalty_and_length_cap(cli, project: Path, option: str) -> None:
    first_run(cli, project)
    config(project, option + "\n")
    assert translate(cli, project, "--lang", "ja", "--retranslate")["ja"]["sent"] == 3


def test_protection_scheme_version(cli, project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first_run(cli, project)
    monkeypatch.setattr(mt_tokens, "SCHEME", mt_tokens.SCHEME + "-next")
    assert translate(cli, project, "--lang", "ja", "--retranslate")["ja"]["sent"] == 3


def test_language_pair(cli, project: Path, tiny_models) -> None:
    first_run(cli, project)
    assert cli(project, "models", "install", str(tiny_models["es"])).code == 0
    assert translate(cli, project, "--lang", "es")["es"]["sent"] == 3  # same text, other pair


def test_source_text(cli, project: Path) -> None:
    first_run(cli, project)
    article = project / "source" / "notes.md"
    article.write_text(ARTICLE.replace("every receipt", "each receipt"))
    assert cli(project, "extract").code == 0 and cli(project, "update").code == 0
    assert translate(cli, project, "--lang", "ja", "--retranslate")["ja"]["sent"] == 1


@pytest.mark.parametrize("beam", ["1", "2"])
def test_a_draft_does_not_depend_on_its_batch(
    cli, project: Path, rambling: Path, tmp_path: Path, beam: str
) -> None:
    """The same sentence, alone in one project and among longer ones in another (greedy
    search decodes a batch to its longest cap and cuts each draft back to its own)."""
    assert cli(project, "models", "install", str(rambling)).code == 0
    translate(cli, project, "--lang", "ja", "--beam-size", beam)
    alone = dict(zip(["Travel Notes", "Book your flight early.", "Keep every receipt."],
                     drafts(project), strict=True))
    assert all(len(d) > len(s) for s, d in alone.items())  # the model rambles to its cap
    crowded = tmp_path / "crowded"
    shutil.copytree(project, crowded, ignore=shutil.ignore_patterns(".localise", "locales"))
    longer = " ".join(["Patients who travel for treatment should plan every step."] * 3)
    (crowded / "source" / "notes.md").write_text(ARTICLE + f"\n{longer}\n")
    assert cli(crowded, "extract").code == 0 and cli(crowded, "update").code == 0
    summary = translate(cli, crowded, "--lang", "ja", "--beam-size", beam)["ja"]
    assert summary["cached"] == 0  # a new project: nothing came from the first one's cache
    po = polib.pofile(str(crowded / "locales" / "ja" / "LC_MESSAGES" / "notes.po"))
    for msgid, draft in alone.items():
        assert po.find(msgid).msgstr == draft


def test_a_run_the_cache_fills_loads_no_model(
    cli, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Once the model files' digests are memoised, the cache is looked up before the model
    loads: a run whose sentences are all cached never loads it; a changed sentence does."""
    from localise.engines import argos

    first_run(cli, project)  # memoises the digests; its --retranslate rerun is all cached
    loads: list[tuple[str, str]] = []
    real = argos.ArgosEngine._load

    def counting(self: argos.ArgosEngine, source: str, target: str) -> object:
        loads.append((source, target))
        return real(self, source, target)

    monkeypatch.setattr(argos.ArgosEngine, "_load", counting)
    again = translate(cli, project, "--lang", "ja", "--retranslate")["ja"]
    assert again["sent"] == 0 and again["cached"] == 3
    assert loads == []
    (project / "source" / "notes.md").write_text(ARTICLE + "\nPack light.\n")
    assert cli(project, "extract").code == 0
    assert cli(project, "update").code == 0
    changed = translate(cli, project, "--lang", "ja")["ja"]
    assert changed["sent"] == 1 and set(loads) == {("en", "ja")}  # prepare, then translate
