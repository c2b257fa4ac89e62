"""`localise translate` end to end: real argos package (tiny copy model), apertium, the cache,
fuzzy/attribution rules, protection of markup and placeholders, and zero network."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

from localise import mt_tokens, placeholders, sentences
from localise.cli import main
from support import block_network, isolate_argos

ROOT = Path(__file__).resolve().parents[2]
ARTICLES = ("stem-cell-therapy-japan", "guides/japan-treatment-checklist")


@pytest.fixture(scope="module")
def packages(tiny_models: dict[str, Path]) -> dict[str, Path]:
    """Real en→ja and en→es ``.argosmodel`` files whose model copies its input."""
    return tiny_models


@pytest.fixture
def shipped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The shipped articles in a fresh project with a project-local argos package folder."""
    isolate_argos(monkeypatch, tmp_path / "argos-home")
    project = tmp_path / "project"
    project.mkdir()
    shutil.copytree(ROOT / "source", project / "source")
    shutil.copy(ROOT / "locales" / "glossary.csv", tmp_path / "glossary.csv")
    (project / "locales").mkdir()
    shutil.copy(tmp_path / "glossary.csv", project / "locales" / "glossary.csv")
    (project / "localise.toml").write_text(
        'languages = ["ja", "es"]\n\n[translate]\npackages_dir = "models"\nbeam_size = 1\n')
    return project


def run(project: Path, *args: str) -> int:
    return main(["-C", str(project), *args])


def catalogue(project: Path, lang: str, slug: str) -> polib.POFile:
    return polib.pofile(str(project / "locales" / lang / "LC_MESSAGES" / f"{slug}.po"))


def expected_copy(msgid: str, lang: str, required: dict[str, str] | None = None) -> str:
    """What a copy model yields: the msgid with the glossary's ``required`` translations put
    in, re-joined with the target's sentence spacing."""
    protected = mt_tokens.protect(msgid, braces=True, required=required)
    joined = sentences.join(sentences.split(protected.text, lang="en"), lang=lang)
    text, problems = mt_tokens.restore(joined, protected)
    assert not problems
    return text


def required_terms(project: Path, lang: str) -> dict[str, str]:
    """The glossary's required translations for ``lang`` (first alternative of each)."""
    from localise.project import Project

    terms = Project.open(project).glossary.required(lang)
    return {t.term: t.alternatives[0] for t in terms}


def test_argos_drafts_for_the_shipped_article_offline(
    shipped: Path, packages: dict[str, Path], monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    for package in packages.values():
        assert run(shipped, "models", "install", str(package)) == 0
    assert run(shipped, "extract") == 0
    assert run(shipped, "update") == 0
    attempts = block_network(monkeypatch)
    capsys.readouterr()
    assert run(shipped, "translate", "--engine", "argos", "--json") == 0
    summary = json.loads(capsys.readouterr().out)["languages"]
    assert attempts == []
    for lang in ("ja", "es"):
        assert summary[lang]["model"] == f"argos translate-en_{lang} 1.0"
        # the copy model leaves English, but the glossary's required terms are put in
        assert summary[lang]["flagged"] == 0 and summary[lang]["glossary_applied"] > 0
        assert summary[lang]["sent"] == summary[lang]["segments"] > 0
        assert summary[lang]["machine"] + summary[lang]["copied"] == summary[lang]["units"]
        assert summary[lang]["model_calls_per_unit"] == round(
            summary[lang]["sent"] / summary[lang]["units"], 4)
        required = required_terms(shipped, lang)
        for slug in ARTICLES:
            po = catalogue(shipped, lang, slug)
            live = [e for e in po if not e.obsolete and e.msgid]
            assert live
            for entry in live:
                assert entry.msgstr == expected_copy(entry.msgid, lang, required), entry.msgid
                assert "fuzzy" in entry.flags
                assert (f"MT: argos translate-en_{lang} 1.0" in entry.tcomment
                        or ("MT: copy" in entry.tcomment and entry.msgstr == entry.msgid))
                for line in entry.tcomment.splitlines():
                    if line.startswith("MT-check: "):
                        assert line.startswith("MT-check: glossary-applied: "), line
                assert placeholders.names(entry.msgstr) == placeholders.names(entry.msgid)
    # Spanish joins sentences with a space, so without glossary terms the copy model gives
    # back the msgid exactly
    es = catalogue(shipped, "es", ARTICLES[0])
    plain = [e for e in es if e.msgid and not e.obsolete and "glossary-applied" not in e.tcomment]
    assert plain and all(e.msgstr == e.msgid for e in plain)
    # Japanese joins Japanese sentences without a space, Latin-script ones with one
    ja = catalogue(shipped, "ja", ARTICLES[0])
    two = next(e for e in ja if e.msgid.startswith("For millions of Americans"))
    assert "surgery. However," in two.msgstr


def test_rerun_sends_nothing_and_an_edit_retranslates_only_that_unit(
    shipped: Path, packages: dict[str, Path], capsys
) -> None:
    run(shipped, "models", "install", str(packages["ja"]))
    run(shipped, "extract")
    run(shipped, "update", "--lang", "ja")
    capsys.readouterr()
    assert run(shipped, "translate", "--lang", "ja", "--json") == 0
    capsys.readouterr()
    before = {p: p.stat().st_mtime_ns for p in (shipped / "locales" / "ja").rglob("*.po")}
    assert run(shipped, "translate", "--lang", "ja", "--json") == 0
    assert json.loads(capsys.readouterr().out)["languages"]["ja"]["units"] == 0
    assert before == {p: p.stat().st_mtime_ns for p in (shipped / "locales" / "ja").rglob("*.po")}

    # --retranslate refreshes machine drafts from the cache: nothing is sent to the model
    assert run(shipped, "translate", "--lang", "ja", "--retranslate", "--json") == 0
    again = json.loads(capsys.readouterr().out)["languages"]["ja"]
    assert again["sent"] == 0 and again["cached"] == again["segments"] > 0

    article = shipped / "source" / "stem-cell-therapy-japan.md"
    text = article.read_text()
    article.write_text(
        text.replace("Osaka offers competitive pricing", "Osaka offers fair pricing")
    )
    run(shipped, "extract")
    run(shipped, "update", "--lang", "ja")
    capsys.readouterr()
    assert run(shipped, "translate", "--lang", "ja", "--retranslate", "--json") == 0
    edited = json.loads(capsys.readouterr().out)["languages"]["ja"]
    assert edited["sent"] == 1  # only the edited sentence reaches the model


def test_human_translations_are_never_overwritten(
    shipped: Path, packages: dict[str, Path], capsys
) -> None:
    run(shipped, "models", "install", str(packages["ja"]))
    run(shipped, "extract")
    run(shipped, "update", "--lang", "ja")
    path = shipped / "locales" / "ja" / "LC_MESSAGES" / "stem-cell-therapy-japan.po"
    po = polib.pofile(str(path))
    reviewed = next(e for e in po if e.msgid == "Frequently Asked Questions")
    reviewed.msgstr = "よくある質問"
    human_fuzzy = next(e for e in po if e.msgid == "Top Destinations: Tokyo and Osaka")
    human_fuzzy.msgstr = "人気の渡航先：東京と大阪"
    human_fuzzy.flags.append("fuzzy")
    po.save(str(path))
    for extra in ([], ["--retranslate"]):
        assert run(shipped, "translate", "--lang", "ja", *extra) == 0
        po = polib.pofile(str(path))
        entry = po.find("Frequently Asked Questions")
        assert entry.msgstr == "よくある質問" and "fuzzy" not in entry.flags
        entry = po.find("Top Destinations: Tokyo and Osaka")
        assert entry.msgstr == "人気の渡航先：東京と大阪"
        assert not any(line.startswith("MT:") for line in entry.tcomment.splitlines())


def test_missing_package_is_a_clear_usage_error(shipped: Path, capsys) -> None:
    run(shipped, "extract")
    run(shipped, "update", "--lang", "ja")
    path = shipped / "locales" / "ja" / "LC_MESSAGES" / "stem-cell-therapy-japan.po"
    before = path.read_bytes()
    assert run(shipped, "translate", "--lang", "ja") == 2
    err = capsys.readouterr().err
    assert "en→ja" in err and "models install" in err
    assert "Traceback" not in err
    assert path.read_bytes() == before


class DroppingEngine:
    """Loses the first protection token and the placeholders of every segment."""

    name = "dropping"

    def __init__(self, *, options: object) -> None:
        self.options = options

    def version(self, *, source: str, target: str) -> str:
        return "dropping 1"

    def translate(self, segments, *, source: str, target: str) -> list[str]:
        return [s.replace("⟦1⟧", "", 1) for s in segments]


def test_damaged_markup_is_stored_but_flagged(
    shipped: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    from localise import engines

    monkeypatch.setitem(engines._REGISTRY, "dropping", f"{__name__}:DroppingEngine")
    run(shipped, "extract")
    run(shipped, "update", "--lang", "es")
    capsys.readouterr()
    assert run(shipped, "translate", "--lang", "es", "--engine", "dropping", "--json") == 0
    summary = json.loads(capsys.readouterr().out)["languages"]["es"]
    assert summary["flagged"] > 0
    po = catalogue(shipped, "es", ARTICLES[0])
    entry = next(e for e in po if e.msgid.startswith("**Cost Efficiency:**"))
    assert "fuzzy" in entry.flags
    assert "MT-check: missing '**'" in entry.tcomment
    clean = po.find("Why Choose Japan for Knee Regeneration?")
    assert "MT-check" not in clean.tcomment


def test_pseudo_engine_keeps_placeholders_and_builds(shipped: Path, capsys) -> None:
    run(shipped, "extract")
    run(shipped, "update", "--lang", "es")
    assert run(shipped, "translate", "--lang", "es", "--engine", "pseudo") == 0
    po = catalogue(shipped, "es", ARTICLES[0])
    for entry in po:
        if entry.msgid and not entry.obsolete:
            if re.search(r"[^\W\d_]", re.sub(r"\{\w+\}", "", entry.msgid)):
                assert entry.msgstr != entry.msgid
            else:  # nothing but placeholders, digits and punctuation: never sent
                assert entry.msgstr == entry.msgid and "MT: copy" in entry.tcomment
            assert placeholders.names(entry.msgstr) == placeholders.names(entry.msgid)
    assert run(shipped, "build", "--lang", "es", "--draft") == 0
    built = (shipped / "build" / "drafts" / "es" / "stem-cell-therapy-japan.md").read_text()
    assert built.startswith("---\n") and "draft: true" in built.split("---")[1]
    assert "6500\u00a0US$" in built


@pytest.mark.skipif(shutil.which("apertium") is None, reason="Debian apertium not installed")
def test_apertium_drafts_real_spanish(shipped: Path, capsys) -> None:
    run(shipped, "extract")
    run(shipped, "update", "--lang", "es")
    capsys.readouterr()
    assert run(shipped, "translate", "--lang", "es", "--engine", "apertium", "--json") == 0
    summary = json.loads(capsys.readouterr().out)["languages"]["es"]
    assert summary["model"].startswith("apertium-eng-spa")
    po = catalogue(shipped, "es", ARTICLES[0])
    heading = po.find("Frequently Asked Questions")
    assert heading.msgstr and heading.msgstr != heading.msgid and "fuzzy" in heading.flags
    cost = next(e for e in po if e.msgid.startswith("**Cost Efficiency:**"))
    assert placeholders.names(cost.msgstr) == ["amount_1", "amount_2"]
    assert cost.msgstr.startswith("**") and "MT: apertium-eng-spa" in cost.tcomment


@pytest.mark.skipif(shutil.which("unshare") is None, reason="util-linux unshare not available")
def test_translate_in_a_network_namespace(
    shipped: Path, packages: dict[str, Path], tmp_path: Path
) -> None:
    """A whole `localise translate` process with no network at all (its own namespace)."""
    if subprocess.run(["unshare", "-n", "true"], capture_output=True).returncode != 0:
        pytest.skip("cannot create a network namespace here")
    env = dict(os.environ)
    env.update(
        HOME=str(tmp_path / "home"),
        XDG_DATA_HOME=str(tmp_path / "share"),
        XDG_CACHE_HOME=str(tmp_path / "cache"),
        XDG_CONFIG_HOME=str(tmp_path / "cfg"),
    )
    cli = [sys.executable, "-m", "localise", "-C", str(shipped)]
    for step in (["models", "install", str(packages["ja"])], ["extract"], ["update"]):
        subprocess.run([*cli, *step], check=True, env=env, capture_output=True)
    done = subprocess.run(
        ["unshare", "-n", *cli, "translate", "--lang", "ja", "--json"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["languages"]["ja"]["filled"] > 0


def test_retranslate_keeps_edited_drafts_and_reviewed_work_after_a_source_change(
    shipped: Path, packages: dict[str, Path]
) -> None:
    run(shipped, "models", "install", str(packages["ja"]))
    run(shipped, "extract")
    run(shipped, "update", "--lang", "ja")
    assert run(shipped, "translate", "--lang", "ja") == 0
    path = shipped / "locales" / "ja" / "LC_MESSAGES" / "stem-cell-therapy-japan.po"
    po = polib.pofile(str(path))
    edited = po.find("Frequently Asked Questions")
    edited.msgstr = "よくある質問"  # a translator edits the draft but leaves it fuzzy
    reviewed = po.find("Top Destinations: Tokyo and Osaka")
    reviewed.msgstr = "人気の渡航先：東京と大阪"
    reviewed.flags.remove("fuzzy")  # … and reviews another one
    po.save(str(path))
    article = shipped / "source" / "stem-cell-therapy-japan.md"
    article.write_text(article.read_text().replace("Top Destinations:", "Top destinations:"))
    run(shipped, "extract")
    run(shipped, "update", "--lang", "ja")
    assert run(shipped, "translate", "--lang", "ja", "--retranslate") == 0
    po = polib.pofile(str(path))
    assert po.find("Frequently Asked Questions").msgstr == "よくある質問"
    moved = po.find("Top destinations: Tokyo and Osaka")
    assert moved.msgstr == "人気の渡航先：東京と大阪"
    assert "fuzzy" in moved.flags and moved.previous_msgid == "Top Destinations: Tokyo and Osaka"
    assert "MT:" not in moved.tcomment
    untouched = po.find("Frequently Asked Questions")
    assert "fuzzy" in untouched.flags
