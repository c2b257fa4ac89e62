"""No silent English: build reports every unit it publishes in the source language, --json
lists them, --strict fails on them, and publish = "reviewed" keeps incomplete pages back.

Real CLI processes on fixture projects (see tests/support/lifecycle.py).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import polib
import pytest

from support.lifecycle import (
    copy_shipped,
    files,
    line_of,
    localise,
    ok,
    reviewed_project,
)

ARTICLE = "source/stem-cell-therapy-japan.md"
OLD = "For millions of Americans suffering from chronic knee pain and stiffness, the search for"
NEW = OLD.replace("the search", "the long search")


@pytest.fixture
def edited(tmp_path: Path) -> Path:
    """The shipped (reviewed) project, built, then one English paragraph edited by one word."""
    root = copy_shipped(tmp_path)
    for command in ("extract", "update", "build"):
        ran = ok(root, command)
        assert "kept the source text" not in ran.err  # fully reviewed: nothing in English
    source = root / ARTICLE
    source.write_text(source.read_text("utf-8").replace(OLD, NEW), encoding="utf-8")
    ok(root, "extract")
    ok(root, "update")
    return root


def test_one_edit_names_the_fuzzy_unit_with_its_line_and_strict_fails(edited: Path) -> None:
    line = line_of(edited / ARTICLE, NEW)
    ran = ok(edited, "build")
    for lang in ("ja", "es"):
        assert f"{ARTICLE}: [{lang}] 1 of 93 units went out in English (1 fuzzy)" in ran.err
        assert re.search(
            rf"^{re.escape(ARTICLE)}:{line}: \[{lang}\] kept the source text \(fuzzy\): the "
            r"English changed since it was translated — \"For millions of Americans",
            ran.err, re.MULTILINE,
        ), ran.err
    page = (edited / "build" / "ja" / "stem-cell-therapy-japan.md").read_text("utf-8")
    assert "stiffness, the long search for\n" in page  # the English paragraph, as reported

    strict = localise(edited, "build", "--strict")  # nothing to rebuild: read from the record
    assert strict.code == 1
    assert f"{ARTICLE}:{line}: [ja] kept the source text (fuzzy)" in strict.err

    report = json.loads(ok(edited, "build", "--json").out)
    fallbacks = report["fallbacks"]
    assert len(fallbacks) == 2
    pot = polib.pofile(str(edited / "locales" / "stem-cell-therapy-japan.pot"))
    msgid = next(e.msgid for e in pot if "the long search for relief" in e.msgid)
    for item, lang in zip(sorted(fallbacks, key=lambda f: f["lang"]), ("es", "ja"), strict=True):
        assert item["article"] == ARTICLE and item["lang"] == lang and item["line"] == line
        assert item["reason"] == "fuzzy"
        assert item["msgid"] == msgid
    pages = {(p["lang"], p["article"]): p for p in report["pages"]}
    assert pages["ja", ARTICLE]["complete"] is False
    assert pages["ja", "source/guides/japan-treatment-checklist.md"]["complete"] is True

    # the translator reviews the unit: the page is complete again and --strict passes
    for lang in ("ja", "es"):
        path = edited / "locales" / lang / "LC_MESSAGES" / "stem-cell-therapy-japan.po"
        po = polib.pofile(str(path), wrapwidth=79)
        for entry in po.fuzzy_entries():
            entry.flags.remove("fuzzy")
            entry.previous_msgid = None
        po.save(str(path))
    clean = ok(edited, "build", "--strict")
    assert "kept the source text" not in clean.err


def test_a_new_language_says_every_page_is_english(tmp_path: Path) -> None:
    root = reviewed_project(tmp_path)
    config = root / "localise.toml"
    config.write_text(
        config.read_text().replace('["ja", "es"]', '["ja", "es", "pt-BR"]'), encoding="utf-8"
    )
    ran = ok(root, "build")
    assert "source/guides/knee.md: [pt-BR] all 7 units went out in English (7 untranslated)" in (
        ran.err
    )
    assert "source/checklist.md: [pt-BR] all 4 units went out in English" in ran.err
    assert "[ja]" not in ran.err and "[es]" not in ran.err  # those are reviewed
    report = json.loads(ok(root, "build", "--json", "--lang", "pt-BR").out)
    assert {(f["article"], f["line"], f["reason"]) for f in report["fallbacks"]} >= {
        ("source/guides/knee.md", 9, "untranslated"),
        ("source/checklist.md", 3, "untranslated"),
    }
    assert all(f["msgid"] for f in report["fallbacks"])
    assert len(report["fallbacks"]) == 11
    assert localise(root, "build", "--strict").code == 1


def test_a_withheld_translation_reports_its_finding(tmp_path: Path) -> None:
    root = reviewed_project(tmp_path)
    path = root / "locales" / "es" / "LC_MESSAGES" / "guides" / "knee.po"
    po = polib.pofile(str(path), wrapwidth=79)
    entry = next(e for e in po if "{amount_1}" in e.msgid)
    entry.msgstr = entry.msgstr.replace("{amount_1}", "6.500 $")
    po.save(str(path))
    ran = ok(root, "build", "--lang", "es")
    assert re.search(
        r"^source/guides/knee\.md:9: \[es\] kept the source text \(withheld\): placeholders: "
        r".*\{amount_1\}", ran.err, re.MULTILINE,
    ), ran.err
    built = (root / "build" / "es" / "guides" / "knee.md").read_text("utf-8")
    assert "The treatment costs $6,500 in Tokyo." in built  # the English, as reported
    assert localise(root, "build", "--lang", "es", "--strict").code == 1


def test_publish_reviewed_keeps_incomplete_pages_back(tmp_path: Path) -> None:
    root = reviewed_project(tmp_path)
    config = root / "localise.toml"
    config.write_text(config.read_text() + '\n[build]\npublish = "reviewed"\n', encoding="utf-8")
    ok(root, "build")
    before = files(root / "build")
    knee = root / "source" / "guides" / "knee.md"
    knee.write_text(knee.read_text().replace("every day", "every single day"), encoding="utf-8")
    ok(root, "extract")
    ok(root, "update")
    ran = ok(root, "build")
    assert (
        "source/guides/knee.md: [ja] not published (publish = \"reviewed\"): 1 of 7 units are "
        "not reviewed translations; build/ja/guides/knee.md is not written" in ran.err
    )
    assert files(root / "build") == before  # the published version stays exactly as it was
    status = json.loads(ok(root, "status", "--json").out)["languages"]
    assert status["ja"]["articles"]["guides/knee"]["publishable"] is False
    assert status["ja"]["articles"]["checklist"]["publishable"] is True
    assert status["ja"]["publishable"] == 1
    text = ok(root, "status").out
    assert re.search(r"guides/knee .* not publishable: 1 fuzzy", text), text
    assert re.search(r"checklist .* publishable$", text, re.MULTILINE), text
    # a language with no translations at all: its pages are never written
    config.write_text(config.read_text().replace('["ja", "es"]', '["ja", "es", "de"]'))
    ran = ok(root, "build")
    assert not (root / "build" / "de").exists()
    assert "source/checklist.md: [de] not published" in ran.err


def test_status_reads_a_withheld_unit_as_not_publishable(tmp_path: Path) -> None:
    root = reviewed_project(tmp_path)
    path = root / "locales" / "ja" / "LC_MESSAGES" / "guides" / "knee.po"
    po = polib.pofile(str(path), wrapwidth=79)
    entry = next(e for e in po if "(../checklist.md)" in e.msgid)
    entry.msgstr = entry.msgstr.replace("(../checklist.md)", "(../elsewhere.md)")
    po.save(str(path))
    # status assembles the page (no build since the change) as build would
    status = json.loads(ok(root, "status", "--json").out)["languages"]["ja"]["articles"]
    knee = status["guides/knee"]
    assert knee["translated"] == knee["total"]  # every unit is reviewed, and yet
    assert knee["publishable"] is False
    assert "withheld" in knee["blocked_by"]
    assert status["checklist"]["publishable"] is True
    ran = ok(root, "build", "--lang", "ja")
    withheld = "source/guides/knee.md:15: [ja] kept the source text (withheld): link-targets: "
    assert withheld in ran.err
    status = json.loads(ok(root, "status", "--json").out)["languages"]["ja"]["articles"]
    assert status["guides/knee"]["publishable"] is False  # now from the build's record
