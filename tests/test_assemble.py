"""Assembly fixtures: ``tests/fixtures/assemble/<case>.md`` + ``<case>.json`` → expected output.

``<case>.json`` maps each language to a small translation table (msgid → msgstr).  The expected
outputs are ``<case>.es.md`` and ``<case>.ja.md``; when some units fall back to the source,
``<case>.fallbacks.json`` lists, per language, each fallback's msgid and reason.  Files are read
and written as bytes (CRLF cases).  Regenerate after an intended change with

    LOCALISE_REGEN=1 .venv/bin/pytest tests/test_assemble.py

and review the diff.  Placeholders are filled by :func:`fake_format`, which shows the language,
the placeholder name and the source value, so the expected files show that every value landed
in the right place.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from localise import inline
from localise.assemble import assemble, layout, yaml_scalar
from localise.files import decode_utf8 as decode
from localise.model import Document, Unit
from localise.placeholders import Formatter
from localise.segment import SegmentOptions, segment

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "assemble"
CASES = sorted(p.stem for p in FIXTURES.glob("*.md") if "." not in p.stem)
LANGS = ("es", "ja")
REGEN = os.environ.get("LOCALISE_REGEN") == "1"


def fake_format(lang: str) -> Formatter:
    def format_value(unit: Unit, name: str) -> str:
        source = next(p.source for p in unit.placeholders if p.name == name)
        return f"⟦{lang}:{name}={source}⟧"

    return format_value


def load(case: str) -> tuple[Document, dict[str, dict[str, str]]]:
    path = FIXTURES / f"{case}.md"
    text = decode(path.read_bytes(), path=path)
    document = segment(
        text,
        path=Path(f"source/{case}.md"),
        slug=case,
        options=SegmentOptions(currency=True, dates=True),
    )
    tables = json.loads((FIXTURES / f"{case}.json").read_text(encoding="utf-8"))
    return document, tables


def build(case: str, lang: str) -> tuple[str, list[Any]]:
    document, tables = load(case)
    return assemble(document, tables[lang], lang=lang, format_value=fake_format(lang))


def test_cases_exist() -> None:
    assert set(CASES) >= {"nested", "table", "headings", "front-matter", "placeholders", "crlf"}


@pytest.mark.parametrize("case", CASES)
def test_translation_tables_match_the_msgids(case: str) -> None:
    """Every msgid of the source is translated, and the table has no stale msgids."""
    document, tables = load(case)
    msgids = {unit.msgid for unit in document.units}
    for lang in LANGS:
        assert set(tables[lang]) == msgids, lang


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("case", CASES)
def test_fixture(case: str, lang: str) -> None:
    out, fallbacks = build(case, lang)
    expected_path = FIXTURES / f"{case}.{lang}.md"
    fallback_path = FIXTURES / f"{case}.fallbacks.json"
    if REGEN:
        expected_path.write_bytes(out.encode("utf-8"))
        if fallbacks or fallback_path.exists():
            recorded = {}
            if fallback_path.exists():
                recorded = json.loads(fallback_path.read_text("utf-8"))
            recorded[lang] = [[f.unit.msgid, f.reason] for f in fallbacks]
            fallback_path.write_text(
                json.dumps(recorded, indent=2, ensure_ascii=False, sort_keys=True) + "\n", "utf-8"
            )
    assert out == expected_path.read_bytes().decode("utf-8")
    expected_fallbacks = []
    if fallback_path.exists():
        expected_fallbacks = json.loads(fallback_path.read_text("utf-8")).get(lang, [])
    assert [[f.unit.msgid, f.reason] for f in fallbacks] == expected_fallbacks


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("case", CASES)
def test_fixture_renders_like_the_source(case: str, lang: str) -> None:
    """Independent of the expected files: same block structure; Japanese has no soft breaks."""
    document, _ = load(case)
    out, _ = build(case, lang)
    assert _block_types(out) == _block_types(document.text)
    if lang == "ja":
        for token in inline.parser().parse(out):
            if token.type == "inline":
                assert "softbreak" not in [c.type for c in token.children or []], token.content


def _block_types(text: str) -> list[tuple[str, str, int]]:
    tokens = inline.parser().parse(text)
    return [(t.type, t.tag, t.level) for t in tokens if t.type != "inline"]


# -- the expectations, spelled out ------------------------------------------------------------


def test_nested_prefixes() -> None:
    out, _ = build("nested", "es")
    assert "> - Traiga sus\n>   resonancias.\n" in out
    assert ">   1. Paso anidado\n>      en una lista citada.\n" in out
    assert "  > Cita en un\n  > elemento.\n" in out
    assert "123. Elemento de marcador ancho\n     con continuación.\n" in out
    # the source's lazy line was unprefixed; added lines get the first line's prefix
    assert "> Párrafo citado perezoso\n> continúa aquí.\n" in out


def test_japanese_paragraphs_on_one_line() -> None:
    out, _ = build("nested", "ja")
    assert "患者は培養幹細胞を求めて日本へ渡航します。\n" in out
    assert "> - MRIスキャンを持参してください。\n" in out
    assert "  > リスト項目内の引用。\n" in out


def test_table_pipes_escaped() -> None:
    es, _ = build("table", "es")
    assert "| Vuelo \\| ida y vuelta |" in es
    assert "O bien A \\| B" in es and "\\\\|" not in es  # already escaped: not escaped twice
    assert "| Hotel `a \\| b` o posada |" in es  # single line
    assert "Por noche\\|por persona" in es
    ja, _ = build("table", "ja")
    assert "| 航空券\\|往復 |" in ja and "| 一泊あたり |" in ja
    rows = [line for line in es.splitlines() if line.startswith("|")]
    assert len({line.count("|") - line.count("\\|") for line in rows}) == 1


def test_atx_closing_sequence_kept() -> None:
    es, _ = build("headings", "es")
    assert "# Terapia con células madre #\n" in es
    assert "## Costes y *opciones* ##\n" in es
    assert "> Encabezado setext\n> citado\n> -------\n" in es
    ja, _ = build("headings", "ja")
    assert "## 費用と*選択肢* ##\n" in ja
    assert "二行にわたるセテキスト見出し\n===============\n" in ja


@pytest.mark.parametrize("lang", LANGS)
def test_front_matter_is_valid_yaml(lang: str) -> None:
    _, tables = load("front-matter")
    out, fallbacks = build("front-matter", lang)
    assert fallbacks == []
    block = re.match(r"---\n(.*?\n)---\n", out, re.S)
    assert block is not None
    data = yaml.safe_load(block.group(1))
    table = tables[lang]
    assert data["title"] == table["Stem Cell Therapy in Japan"]
    assert data["description"] == table["A patient's guide to costs"]
    assert data["summary"] == "Not translated"
    assert data["author"] == "Placidway Medical Tourism"


@pytest.mark.parametrize(
    "text",
    [
        "Guía: costes", "Precio #1", "a #b", "- lista", "'comillas'", '"dobles"', "yes", "null",
        "1.5", "@arroba", "`code`", "x: y: z", "tab\there", "}{", "[a, b]", "%pct", "! bang",
        "? pregunta", "| pipe", "> gt", "* star", "&ancla", "ja: 日本語: テスト",
    ],
)
@pytest.mark.parametrize("style", ["plain", "'", '"', "block"])
def test_yaml_scalar_round_trips(text: str, style: str) -> None:
    scalar = yaml_scalar(text, style=style)
    assert yaml.safe_load(f"key: {scalar}\nnext: 1\n") == {"key": text, "next": 1}


def test_placeholders_filled_and_fallbacks() -> None:
    es, fallbacks = build("placeholders", "es")
    assert "de ⟦es:amount_1=$6,500⟧ a ⟦es:amount_2=$13,000⟧ por rodilla" in es
    assert "el ⟦es:date_1=January 20, 2026⟧." in es
    reasons = {f.unit.msgid: f.reason for f in fallbacks}
    assert reasons == {
        "The deposit is {amount_1}.": "placeholders differ from the source: missing {amount_1}",
        "A flight costs {amount_1}.": "placeholders differ from the source: unknown {amount_2}",
        "Hotels cost {amount_1} a night.":
            "placeholders differ from the source: repeated {amount_1}",
    }
    # each fallback keeps the source bytes
    for line in ("The deposit is $500.", "A flight costs $1,200.", "Hotels cost ¥15,000 a night."):
        assert f"\n{line}\n" in es
    ja, fallbacks = build("placeholders", "ja")
    assert [f.unit.msgid for f in fallbacks] == ["A flight costs {amount_1}."]
    assert "{{" not in ja and "航空券" not in ja


def test_crlf_output_keeps_crlf() -> None:
    for lang in LANGS:
        out, _ = build("crlf", lang)
        assert "\n" not in out.replace("\r\n", "")
    es, _ = build("crlf", "es")
    assert es == "Un párrafo CRLF que\r\nocupa dos líneas.\r\n\r\n> Párrafo CRLF\r\n> citado.\r\n"


def test_fixture_bytes() -> None:
    assert b"\r\n" in (FIXTURES / "crlf.md").read_bytes()
    assert b"\r\n" in (FIXTURES / "crlf.es.md").read_bytes()


def test_layout_of_a_single_line_unit_in_japanese_keeps_words_apart() -> None:
    """Latin words on either side of a joined break stay separated by one space."""
    unit = Unit("x", "heading", "", 1, 1, 0, 1, single_line=True)
    assert layout(unit, "MRI\nscan の結果", lang="ja") == "MRI scan の結果"
    assert layout(unit, "結果\nMRI", lang="ja") == "結果MRI"
    assert layout(unit, "one\ntwo", lang="es") == "one two"


# -- a dialect's own blocks: a translation cannot open one ------------------------------------

DIALECT_SOURCE = "First paragraph.\n\nSecond paragraph.\n\n- a list item\n"


@pytest.mark.parametrize(
    ("dialect", "translation", "expected"),
    [
        ("docusaurus", ":::note\nescondido", "\\:::note\nescondido"),
        ("mkdocs", "!!! note\nescondido", "\\!!! note\nescondido"),
        ("mkdocs", "??? tip", "\\??? tip"),
        ("mkdocs", '=== "Pestaña"', '\\=== "Pestaña"'),
        ("gfm", "[^1]: nota", "\\[^1]: nota"),
        ("commonmark", ":::note", ":::note"),  # plain text there: left as written
        ("commonmark", "!!! note", "!!! note"),
    ],
)
def test_a_dialect_block_start_is_escaped(dialect: str, translation: str, expected: str) -> None:
    document = segment(
        DIALECT_SOURCE, path=Path("a.md"), slug="a", options=SegmentOptions(dialect=dialect)
    )
    out, fallbacks = assemble(
        document, {"First paragraph.": translation}, lang="es", dialect=dialect
    )
    assert fallbacks == []
    assert out == expected + "\n\nSecond paragraph.\n\n- a list item\n"
    parse = inline.parser(dialect).parse
    assert [t.type for t in parse(out)] == [t.type for t in parse(DIALECT_SOURCE)]
