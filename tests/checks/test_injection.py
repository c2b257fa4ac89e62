"""The injection rule: a translation that would reach outside its unit is an error finding,
``check`` names it, the build publishes the English in its place and ``--strict`` fails.

Rule calls, then real CLI processes on the lifecycle fixture (tests/support/lifecycle.py).
"""

from __future__ import annotations

from pathlib import Path

import polib
import pytest

from localise.checks import GATE_RULES, CheckContext, check_translation
from support.lifecycle import copy_fixture, line_of, localise, ok


def problems(msgid: str, msgstr: str) -> list[tuple[str, str]]:
    found = check_translation(msgid, msgstr, CheckContext(lang="es"))
    return [(p.check, p.message) for p in found if p.check == "injection"]


@pytest.mark.parametrize(
    ("msgstr", "message"),
    [
        ("[quote]: https://evil.example/", "defines the link reference [quote]"),
        ("Texto.\n\n[Quote]:\n  /evil 'x'", "defines the link reference [Quote]"),
        ("   [a]: /x", "defines the link reference [a]"),
        ("Texto <!-- oculto", "an HTML comment <!-- is opened and never closed"),
        ("<!-- a --> y <!-- b", "an HTML comment <!-- is opened and never closed"),
        ("<script>alert(1)", "<script>, <pre>, <style> or <textarea> is opened"),
        ("<PRE class=x>código", "<script>, <pre>, <style> or <textarea> is opened"),
        ("<?php echo 1;", "a processing instruction <? is opened"),
        ("<![CDATA[ x", "a CDATA section <![CDATA[ is opened"),
        ("<!DOCTYPE html", "a declaration <! is opened"),
    ],
)
def test_reaching_outside_is_an_error(msgstr: str, message: str) -> None:
    found = problems("Some text.", msgstr)
    assert len(found) == 1 and message in found[0][1], found


@pytest.mark.parametrize(
    "msgstr",
    [
        "Vea [quote]: la cita.",  # a reference link followed by a colon, mid-line
        "Texto\n[a]: /x",  # a continuation line cannot start a definition
        "Un comentario <!-- cerrado --> aquí",
        "<pre>bloque</pre>",
        "# Título\n- lista\n```\n~~~\n> cita\n---",  # escaped by the build: not findings
        "a < b y <!X>",
    ],
)
def test_contained_text_is_not_a_finding(msgstr: str) -> None:
    assert problems("Some text.", msgstr) == []


def test_the_sources_own_constructs_are_not_reported() -> None:
    assert problems("[a]: /x", "[a]: /x") == []
    assert problems("Note <!-- open", "Nota <!-- abierto") == []
    assert problems("Note <!-- open", "Nota <!-- uno <!-- dos") != []


def test_rule_is_in_the_publishing_gate() -> None:
    assert "injection" in [rule.name for rule in GATE_RULES]


def _translate(po_path: Path, table: dict[str, str]) -> None:
    po = polib.pofile(str(po_path), wrapwidth=79)
    for entry in po:
        if entry.msgid in table:
            entry.msgstr = table[entry.msgid]
        elif entry.msgid and not entry.obsolete:
            entry.msgstr = entry.msgid.upper()
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
    po.save(str(po_path))


def test_check_reports_and_build_withholds_and_strict_fails(tmp_path: Path) -> None:
    root = copy_fixture(tmp_path)
    ok(root, "extract")
    ok(root, "update")
    po_path = root / "locales/es/LC_MESSAGES/checklist.po"
    hostile = "[quote]: https://evil.example/"
    _translate(po_path, {"Pack light: the clinic lends you crutches.": hostile,
                         "Travel checklist": "# Lista\n```"})
    for other in (root / "locales").rglob("*.po"):
        if other != po_path:
            _translate(other, {})
    line = line_of(po_path, 'msgid "Pack light: the clinic lends you crutches."')

    checked = localise(root, "check")
    assert checked.code == 1, checked
    where = f"locales/es/LC_MESSAGES/checklist.po:{line}"
    assert where in checked.out + checked.err
    assert "injection" in checked.out + checked.err

    built = localise(root, "build")
    assert built.code == 0, built.err
    page = (root / "build/es/checklist.md").read_text("utf-8")
    assert "Pack light: the clinic lends you crutches." in page  # the English, not the link
    assert "evil.example" not in page
    assert page.startswith("# # Lista ```\n")  # inside a heading, the markers are its text
    source_line = line_of(root / "source/checklist.md", "Pack light")
    assert (f"source/checklist.md:{source_line}: [es] kept the source text (withheld): "
            "injection: the translation defines the link reference [quote]") in built.err

    strict = localise(root, "build", "--strict")
    assert strict.code == 1
    assert "injection" in strict.err
