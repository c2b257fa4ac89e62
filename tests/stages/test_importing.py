"""`localise import SOURCE.md TRANSLATED.md --lang L`: an existing translation, aligned unit by
unit into its catalogue as fuzzy entries (placeholders found again, human work kept)."""

from __future__ import annotations

import json
from pathlib import Path

import polib
import pytest

SOURCE = """---
title: Costs in Japan
---

# Costs in Japan

A first consultation costs $150 and takes about an hour.

- Check the opening hours
- Book an interpreter

| Item | Price |
|---|---|
| Scan | $90 |
"""
JA = """---
title: 日本の費用
---

# 日本の費用

初回の診察は$150で、
約1時間かかります。

- 診療時間を確認する
- 通訳を予約する

| 項目 | 価格 |
|---|---|
| 検査 | $90 |
"""
ES = SOURCE.replace("Costs in Japan", "Costes en Japón").replace(
    "A first consultation costs $150 and takes about an hour.",
    "Una primera consulta cuesta 150\u00a0US$ y dura alrededor de una hora.",
).replace("Check the opening hours", "Consulte el horario").replace(
    "Book an interpreter", "Reserve un intérprete"
).replace("| Item | Price |", "| Concepto | Precio |").replace(
    "| Scan | $90 |", "| Escáner | 90 US$ |")


@pytest.fixture
def site(tmp_path: Path, cli, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project with one article and its old translations in old/ (the current folder)."""
    root = tmp_path / "site"
    (root / "source").mkdir(parents=True)
    (root / "source" / "costs.md").write_text(SOURCE)
    (root / "old").mkdir()
    (root / "old" / "costs.ja.md").write_text(JA)
    (root / "old" / "costs.es.md").write_text(ES)
    (root / "localise.toml").write_text('languages = ["ja", "es"]\n')
    assert cli(root, "extract").code == 0
    monkeypatch.chdir(root)  # file arguments are relative to the current folder
    return root


def entries(root: Path, lang: str) -> dict[str, polib.POEntry]:
    po = polib.pofile(str(root / "locales" / lang / "LC_MESSAGES" / "costs.po"))
    return {e.msgid: e for e in po if e.msgid}


def ja_cell(root: Path) -> str:
    return entries(root, "ja")["{amount_1}"].msgstr


def test_import_aligns_units_into_fuzzy_entries(site: Path, cli) -> None:
    done = cli(site, "import", str(site / "source" / "costs.md"), str(site / "old" / "costs.ja.md"),
               "--lang", "ja", "--json")
    assert done.code == 0, done.err
    report = json.loads(done.out)
    assert report["units"] == 9 and report["imported"] == 8 and report["flagged"] == 0  # title = h1
    assert ja_cell(site) == "{amount_1}"
    ja = entries(site, "ja")
    cost = ja["A first consultation costs {amount_1} and takes about an hour."]
    assert cost.msgstr == "初回の診察は{amount_1}で、約1時間かかります。"  # soft break dropped
    assert "fuzzy" in cost.flags and cost.tcomment.startswith("TM: aligned from old/costs.ja.md #")
    assert ja["Costs in Japan"].msgstr == "日本の費用"
    assert ja["Check the opening hours"].msgstr == "診療時間を確認する"
    # Spanish: the amount written as localise formats it for es becomes the placeholder again
    done = cli(site, "import", "source/costs.md", "old/costs.es.md", "--lang", "es")
    assert done.code == 0, done.err
    es = entries(site, "es")
    assert es["A first consultation costs {amount_1} and takes about an hour."].msgstr == (
        "Una primera consulta cuesta {amount_1} y dura alrededor de una hora.")
    assert cli(site, "build", "--lang", "es", "--draft").code == 0
    built = (site / "build" / "drafts" / "es" / "costs.md").read_text()
    assert "cuesta 150\u00a0US$ y dura" in built


def test_import_keeps_human_work_and_is_rerunnable(site: Path, cli) -> None:
    assert cli(site, "update", "--lang", "ja").code == 0
    path = site / "locales" / "ja" / "LC_MESSAGES" / "costs.po"
    po = polib.pofile(str(path), wrapwidth=0)
    po.find("Costs in Japan").msgstr = "日本での費用"  # reviewed by a translator
    po.save(str(path))
    args = ("import", "source/costs.md", "old/costs.ja.md", "--lang", "ja", "--json")
    first = json.loads(cli(site, *args).out)
    assert first["kept"] == 1 and first["imported"] == 7
    assert entries(site, "ja")["Costs in Japan"].msgstr == "日本での費用"
    again = json.loads(cli(site, *args).out)  # untouched imported drafts are refreshed, same bytes
    assert again["imported"] == 7 and again["written"] is False


def test_a_missing_value_is_flagged(site: Path, cli) -> None:
    (site / "old" / "costs.ja.md").write_text(JA.replace("$150", "150ドル"))
    report = json.loads(cli(site, "import", "source/costs.md", "old/costs.ja.md", "--lang", "ja",
                            "--json").out)
    assert report["flagged"] == 1
    entry = entries(site, "ja")["A first consultation costs {amount_1} and takes about an hour."]
    assert "MT-check: placeholders: {amount_1} (150 USD) was not found" in entry.tcomment


def test_structure_mismatch_names_both_lines(site: Path, cli) -> None:
    (site / "old" / "costs.ja.md").write_text(JA.replace("# 日本の費用\n", "日本の費用\n"))
    done = cli(site, "import", "source/costs.md", "old/costs.ja.md", "--lang", "ja")
    assert done.code == 2 and "Traceback" not in done.err
    assert "old/costs.ja.md:5: unit 2 is a paragraph here but a heading at source/costs.md:5" in (
        done.err)
    other = cli(site, "import", "old/costs.es.md", "old/costs.ja.md", "--lang", "ja")
    assert other.code == 2 and "not a source article of this project" in other.err
