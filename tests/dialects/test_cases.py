"""Dialect cases: ``tests/fixtures/dialect-cases/<dialect>/<case>.md`` (small, written to show one
family of constructs each) → ``<case>.units.json`` and, with the letter-changing translation of
the laws, ``<case>.es.md`` and ``<case>.ja.md``.

The expected files are reviewed by hand; after an intended change regenerate them with

    LOCALISE_REGEN=1 .venv/bin/pytest tests/dialects/test_cases.py

and review the diff. Each case also obeys the identity law, and its translations keep the tag
skeleton of the source in the dialect's renderer.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from localise.assemble import assemble
from localise.model import Document, SegmentOptions
from localise.segment import segment
from support.dialect_laws import skeleton, translations

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "dialect-cases"
CASES = sorted(
    (p.parent.name, p.name) for p in FIXTURES.glob("*/*") if p.suffix in (".md", ".mdx")
    and p.suffixes[0] in (".md", ".mdx")
)
REGEN = os.environ.get("LOCALISE_REGEN") == "1"


def _id(case: tuple[str, str]) -> str:
    return f"{case[0]}/{case[1]}"


def load(case: tuple[str, str]) -> Document:
    dialect, name = case
    text = (FIXTURES / dialect / name).read_bytes().decode("utf-8")
    return segment(
        text, path=Path("source") / name, slug=Path(name).stem,
        options=SegmentOptions(dialect=dialect),
    )


def record(document: Document) -> list[dict[str, Any]]:
    out = []
    for unit in document.units:
        item: dict[str, Any] = {
            "msgid": unit.msgid, "kind": unit.kind, "line": unit.line, "end_line": unit.end_line,
            "comment": unit.comment,
        }
        if unit.continuation:
            item["continuation"] = unit.continuation
        if unit.escape != "markdown":
            item["escape"] = unit.escape
        if unit.placeholders:
            item["placeholders"] = {
                p.name: p.source + (" ⏎before" if p.starts_line else "")
                + (" ⏎after" if p.ends_line else "")
                for p in unit.placeholders
            }
        out.append(item)
    return out


def _expect(path: Path, actual: str) -> None:
    if REGEN:
        path.write_bytes(actual.encode("utf-8"))
    assert actual == path.read_bytes().decode("utf-8")


def test_every_dialect_has_cases() -> None:
    assert {d for d, _ in CASES} == {
        "commonmark", "gfm", "mkdocs", "docusaurus", "hugo", "liquid", "mdn"
    }


@pytest.mark.parametrize("case", CASES, ids=_id)
def test_units(case: tuple[str, str]) -> None:
    source = FIXTURES / case[0] / case[1]
    actual = json.dumps(record(load(case)), indent=2, ensure_ascii=False) + "\n"
    _expect(source.with_suffix(".units.json"), actual)


@pytest.mark.parametrize("case", CASES, ids=_id)
def test_identity(case: tuple[str, str]) -> None:
    document = load(case)
    out, fallbacks = assemble(document, {u.msgid: u.msgid for u in document.units}, lang="en")
    assert (out, fallbacks) == (document.text, [])


@pytest.mark.parametrize("lang", ["es", "ja"])
@pytest.mark.parametrize("case", CASES, ids=_id)
def test_translated(case: tuple[str, str], lang: str) -> None:
    document = load(case)
    out, fallbacks = assemble(document, translations(document, lang), lang=lang)
    assert fallbacks == []
    source = FIXTURES / case[0] / case[1]
    _expect(source.with_suffix(f".{lang}{source.suffix}"), out)
    assert skeleton(out, case[0]) == skeleton(document.text, case[0])
