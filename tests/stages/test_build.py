"""The shipped editions end to end: reviewed catalogues, localised values, QA gate, policies."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import polib
import pytest

from localise import formatting
from localise.cli import main
from localise.inline import parser

ROOT = Path(__file__).resolve().parents[2]
ARTICLES = ("stem-cell-therapy-japan", "guides/japan-treatment-checklist")


@pytest.fixture
def shipped(tmp_path: Path) -> Path:
    """A copy of this repository's project: sources, reviewed catalogues, glossary, config."""
    project = tmp_path / "shipped"
    project.mkdir()
    for name in ("source", "locales"):
        shutil.copytree(ROOT / name, project / name)
    shutil.copy(ROOT / "localise.toml", project / "localise.toml")
    return project


def run(project: Path, *args: str) -> int:
    return main(["-C", str(project), *args])


def test_shipped_catalogues_are_reviewed_and_clean(shipped: Path, capsys) -> None:
    assert run(shipped, "check", "--json") == 0
    findings = json.loads(capsys.readouterr().out)["findings"]
    assert [f for f in findings if f["severity"] != "info"] == []
    assert run(shipped, "status", "--fail-under", "100") == 0
    before = {p: p.read_bytes() for p in (shipped / "locales").rglob("*.po*")}
    assert run(shipped, "extract") == 0
    assert run(shipped, "update") == 0
    after = {p: p.read_bytes() for p in (shipped / "locales").rglob("*.po*")}
    assert before == after  # the committed catalogues are exactly what the tool writes


def test_every_source_amount_appears_in_its_localised_form(shipped: Path) -> None:
    assert run(shipped, "build", "--strict") == 0
    for slug in ARTICLES:
        source = (shipped / "source" / f"{slug}.md").read_text()
        values = formatting.scan(source)
        amounts = [v for v in values if v.kind == "amount"]
        assert amounts
        for lang in ("ja", "es"):
            built = (shipped / "build" / lang / f"{slug}.md").read_text()
            for value in values:
                localised = formatting.format_value(value, locale=lang)
                assert localised in built, (lang, value.source, localised)
                if localised != value.source:
                    assert value.source not in built.replace(localised, ""), (lang, value.source)
    es = (shipped / "build" / "es" / f"{ARTICLES[0]}.md").read_text()
    assert "6500\u00a0US$" in es and "13.000\u00a0US$" in es
    ja = (shipped / "build" / "ja" / f"{ARTICLES[0]}.md").read_text()
    assert "$6,500～$13,000" in ja


def test_japanese_edition_has_no_soft_breaks_and_renders_its_markup(shipped: Path) -> None:
    assert run(shipped, "build", "--lang", "ja") == 0
    for slug in ARTICLES:
        built = (shipped / "build" / "ja" / f"{slug}.md").read_text()
        tokens = parser().parse(built)
        for token in tokens:
            if token.type == "inline" and re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", token.content):
                assert "\n" not in token.content, token.content
        html = parser().render(built)
        assert "**" not in html  # every bold pair renders
        assert "<table>" in html and "<ol" in html


def test_japanese_yen_policy_from_the_config(shipped: Path) -> None:
    config = shipped / "localise.toml"
    config.write_text(
        config.read_text()
        + '\n[formatting.ja]\ndisplay_currency = "JPY"\nrate = "150"\nrate_currency = "USD"\n'
        "rate_date = 2026-01-12\nshow_original = true\nlarge_units = true\n"
    )
    assert run(shipped, "build", "--lang", "ja") == 0
    built = (shipped / "build" / "ja" / f"{ARTICLES[0]}.md").read_text()
    assert "約97.5万円（6,500米ドル）" in built
    assert "約195万円（13,000米ドル）" in built


def test_bad_policy_is_a_config_error(shipped: Path, capsys) -> None:
    config = shipped / "localise.toml"
    config.write_text(config.read_text() + '\n[formatting.ja]\ndisplay_currency = "JPY"\n')
    assert run(shipped, "build", "--lang", "ja") == 2
    err = capsys.readouterr().err
    assert "formatting.ja" in err and "Traceback" not in err


@pytest.mark.skipif(shutil.which("apertium") is None, reason="Debian apertium not installed")
def test_faults_injected_into_real_mt_drafts_are_caught_and_withheld(
    shipped: Path, capsys
) -> None:
    shutil.rmtree(shipped / "locales" / "es")
    assert run(shipped, "update", "--lang", "es") == 0
    assert run(shipped, "translate", "--lang", "es", "--engine", "apertium") == 0
    path = shipped / "locales" / "es" / "LC_MESSAGES" / "stem-cell-therapy-japan.po"
    po = polib.pofile(str(path))
    link = next(e for e in po if "](https://www.placidway.com/)" in e.msgid)
    link.msgstr = link.msgstr.replace("](https://", "] (https://")
    price = next(e for e in po if e.msgid.startswith("While premium US treatments"))
    price.msgstr = price.msgstr.replace("{amount_1}", "30.000 $")
    code = next(e for e in po if e.msgid.startswith("**Cost Efficiency:**"))
    code.msgstr = code.msgstr.replace("**", "", 2)
    for entry in (link, price, code):
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")  # a careless reviewer approved the broken drafts
    po.save(str(path))
    capsys.readouterr()
    assert run(shipped, "check", "--lang", "es", "--json") == 1
    findings = json.loads(capsys.readouterr().out)["findings"]
    errors = {(f["check"], f["msgid"]) for f in findings if f["severity"] == "error"}
    assert ("markup", link.msgid) in errors
    assert ("placeholders", price.msgid) in errors
    assert ("markup", code.msgid) in errors
    text = path.read_text().split("\n")
    for f in findings:
        if f["severity"] == "error":
            assert text[f["line"] - 1].startswith("msgid "), f

    assert run(shipped, "build", "--lang", "es") == 0
    reported = capsys.readouterr().err
    assert reported.count("kept the source text (withheld)") == 3  # the rest: unreviewed drafts
    built = (shipped / "build" / "es" / f"{ARTICLES[0]}.md").read_text()
    assert "can exceed $30,000 for uncultured cells" in built  # the English, not a wrong price
    assert "[PlacidWay](https://www.placidway.com/)" in built
    assert run(shipped, "build", "--lang", "es", "--strict") == 1
