"""Segmentation fixtures: ``tests/fixtures/segment/<case>.md`` → ``<case>.units.json``.

Each expected file lists, per unit, the msgid, kind, 1-based first/last line, the translator
comment, and (when set) the continuation prefix, the YAML style and the placeholders.  They are
reviewed by hand; after an intended change, regenerate them with

    LOCALISE_REGEN=1 .venv/bin/pytest tests/test_segment.py

and review the diff before committing.  Fixture sources are read as bytes, so CRLF line endings,
a missing final newline, tabs and trailing spaces reach :func:`segment` untouched (the guards in
:func:`test_fixture_bytes` fail loudly if a checkout or an editor normalised them).
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import pytest

from localise.assemble import assemble
from localise.errors import SourceError
from localise.files import decode_utf8 as decode
from localise.model import Document
from localise.segment import SegmentOptions, segment

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "segment"
CASES = sorted(p.stem for p in FIXTURES.glob("*.md"))
REGEN = os.environ.get("LOCALISE_REGEN") == "1"
PLACEHOLDERS_OFF = SegmentOptions()
FORMATTING = {"placeholders": SegmentOptions(currency=True, dates=True)}
"""Cases segmented with placeholders on; every other case has them off."""


def load(case: str) -> Document:
    path = FIXTURES / f"{case}.md"
    text = decode(path.read_bytes(), path=path)
    return segment(
        text,
        path=Path(f"source/{case}.md"),
        slug=case,
        options=FORMATTING.get(case, PLACEHOLDERS_OFF),
    )


def record(document: Document) -> list[dict[str, Any]]:
    out = []
    for unit in document.units:
        item: dict[str, Any] = {
            "msgid": unit.msgid,
            "kind": unit.kind,
            "line": unit.line,
            "end_line": unit.end_line,
            "comment": unit.comment,
        }
        if unit.continuation:
            item["continuation"] = unit.continuation
        if unit.yaml_style:
            item["yaml_style"] = unit.yaml_style
        if unit.placeholders:
            item["placeholders"] = {p.name: p.source for p in unit.placeholders}
        out.append(item)
    return out


def test_cases_exist() -> None:
    assert set(CASES) >= {
        "headings", "containers", "lazy", "tables", "front-matter", "front-matter-double",
        "not-extracted", "shared", "references", "crlf", "no-final-newline", "tabs",
        "trailing-spaces", "placeholders",
    }


@pytest.mark.parametrize("case", CASES)
def test_fixture(case: str) -> None:
    expected_path = FIXTURES / f"{case}.units.json"
    actual = record(load(case))
    if REGEN:
        expected_path.write_text(
            json.dumps(actual, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )
    expected = json.loads(expected_path.read_text(encoding="utf-8"))
    assert actual == expected


@pytest.mark.parametrize("case", CASES)
def test_fixture_spans(case: str) -> None:
    """Spans are ordered, disjoint, on the lines they claim, and identity assembly is exact."""
    document = load(case)
    text = document.text
    previous_end = 0
    for unit in document.units:
        assert previous_end <= unit.start < unit.end <= len(text)
        previous_end = unit.end
        assert text.count("\n", 0, unit.start) + 1 == unit.line
        assert text.count("\n", 0, unit.end) + 1 == unit.end_line
        piece = text[unit.start : unit.end]
        assert piece == piece.strip(" \t\r\n")
        if unit.single_line:
            assert "\n" not in piece
    out, fallbacks = assemble(document, {u.msgid: u.msgid for u in document.units}, lang="es")
    assert out == text
    assert fallbacks == []


def test_fixture_bytes() -> None:
    """The byte-level properties some cases exist for are really in the files."""
    raw = {case: (FIXTURES / f"{case}.md").read_bytes() for case in CASES}
    assert b"\r\n" in raw["crlf"] and b"\n" not in raw["crlf"].replace(b"\r\n", b"")
    assert not raw["no-final-newline"].endswith(b"\n")
    assert b"\t" in raw["tabs"]
    assert b"   \n" in raw["trailing-spaces"] and b"space \n" in raw["trailing-spaces"]
    assert b"###   \n" in raw["headings"]


def msgids(case: str) -> list[str]:
    return [unit.msgid for unit in load(case).units]


# -- the same expectations, spelled out ------------------------------------------------------


def test_headings() -> None:
    assert msgids("headings") == [
        "Stem Cell Therapy in Japan",
        "Costs and *Options*",
        "Closing hashes with extra spaces",
        "Hash inside #5 text",
        "Setext Level One",
        "Setext heading that spans two lines",
        "Indented three spaces",
    ]


def test_containers_strip_prefixes_and_soft_breaks() -> None:
    units = load("containers").units
    assert units[0].msgid == (
        "Intro paragraph with a soft line break and a hard  \nbreak and a backslash\\\nbreak."
    )
    for unit in units:
        assert not re.search(r"(^|\n)[ \t]*>", unit.msgid)  # no quote markers
        assert not re.search(r"\n[ \t]", unit.msgid)  # no indentation
    by_msgid = {u.msgid: u for u in units}
    assert by_msgid["Doubly quoted *text* here."].continuation == "> > "
    assert by_msgid["Item with a wide marker and its continuation."].continuation == "    "
    assert by_msgid["Quote inside a list item continues."].continuation == "  > "


def test_lazy_continuation_is_one_unit() -> None:
    assert msgids("lazy") == [
        "A quoted paragraph with lazy continuation lines that have no prefix.",
        "A list item with lazy continuation.",
        "Quote then list and a lazy line.",
    ]


def test_tables() -> None:
    units = load("tables").units
    cells = [u.msgid for u in units if u.kind == "table-cell"]
    assert "Flights `a \\| b`" in cells and "Either A \\| B" in cells
    assert "—" not in cells and "5–7" not in cells and "$6,500 – $13,000" not in cells
    assert "5–7 days" in cells
    comments = {u.msgid: u.comment for u in units}
    assert comments["Per knee"] == (
        'Table "Typical Costs", row 1 "Stem cell treatment", column "Notes"'
    )
    assert all(u.single_line for u in units if u.kind == "table-cell")


def test_front_matter_keys_and_styles() -> None:
    units = load("front-matter").units
    assert [(u.kind, u.msgid, u.yaml_style) for u in units] == [
        ("front-matter", "Stem Cell Therapy in Japan", "plain"),
        ("front-matter", "A patient's guide: costs # and more", "'"),
        ("heading", "Heading after front matter", None),
    ]
    double = load("front-matter-double").units
    assert [(u.msgid, u.yaml_style) for u in double[:2]] == [
        ('Costs: "Japan" vs USA', '"'),
        ("Plain text value", "plain"),
    ]


def test_not_extracted() -> None:
    assert msgids("not-extracted") == ["Text before the blocks.", "Text after the blocks."]


def test_identical_texts_are_separate_units_with_one_msgid() -> None:
    units = load("shared").units
    assert [u.msgid for u in units].count("Ask the clinic.") == 4
    assert len({u.comment for u in units if u.msgid == "Ask the clinic."}) == 4


def test_references_in_full_form_with_labels_in_the_msgid() -> None:
    assert msgids("references") == [
        "See the [guide][guide] and the [Clinic List][Clinic List] before you book.",
        'Read [the full guide][guide] or the [inline link](https://example.com/x "Title").',
        "![Stem cells in a dish](images/cells.jpg) shows the *culture* step.",
        "A [link with ![an image](i.png) inside](https://example.com/) and `[code]`.",
        "An <https://example.com/auto> autolink and <span>inline html</span> here.",
    ]


def test_crlf() -> None:
    units = load("crlf").units
    assert [u.msgid for u in units] == [
        "First line of a CRLF paragraph continues here.", "A heading", "Item one and more",
    ]
    assert all("\r" not in u.msgid for u in units)


def test_no_final_newline() -> None:
    document = load("no-final-newline")
    assert document.units[-1].msgid == "The last paragraph has no final newline."
    assert document.units[-1].end == len(document.text)


def test_placeholders() -> None:
    units = load("placeholders").units
    assert units[0].msgid == "Treatment costs {amount_1} to {amount_2} ({{approx.}})."
    assert [p.source for p in units[0].placeholders] == ["$6,500", "$13,000"]
    assert "{amount_1} = " in units[0].comment


def test_rules_that_look_like_front_matter_are_kept_verbatim() -> None:
    """A document opening with a thematic break and closing another later is claimed as front
    matter by the plugin; when it is not YAML and has no ``key:`` line, it is not metadata."""
    source = "---\n\n| the |\n| --- |\n\n---\n"
    document = segment(source, path=Path("a.md"), slug="a")
    assert document.units == ()
    with pytest.raises(SourceError, match=r"a\.md:3: invalid YAML front matter"):
        segment("---\ntitle: a\n  bad: [\n---\n", path=Path("a.md"), slug="a")
