"""The ``syntax`` rule (placeholders that stand for template tags, shortcodes, HTML…) and
emphasis read by each dialect's renderer."""

from __future__ import annotations

import re

import pytest

from localise.checks import CheckContext, check_translation, gate_reason

MSGID = "Run {shortcode_1} then {html_1}click {html_2}here{html_2_end}{html_1_end} and {macro_1}."
CTX = CheckContext(lang="es", brace_format=True, dialect="hugo")


def problems(msgstr: str, msgid: str = MSGID, ctx: CheckContext = CTX) -> list[tuple[str, str]]:
    return [(p.check, p.message) for p in check_translation(msgid, msgstr, ctx)]


def test_a_faithful_translation_may_move_single_pieces_but_keeps_pairs() -> None:
    moved = "Y {macro_1} {html_1}pulse {html_2}aquí{html_2_end}{html_1_end} {shortcode_1}."
    assert problems(moved) == []


@pytest.mark.parametrize(
    ("msgstr", "expected"),
    [
        ("Ejecute {shortcode_1} y {html_1}pulse {html_2}aquí{html_2_end}{html_1_end}.",
         ["syntax placeholder {macro_1} dropped from the translation"]),
        ("Ejecute {shortcode_1} y {html_1}pulse {html_2}aquí{html_2_end}{html_1_end} {macro_2}.",
         ["syntax placeholder {macro_1} altered to {macro_2}"]),
        ("{shortcode_1} {shortcode_1} {html_1}pulse {html_2}aquí{html_2_end}{html_1_end} "
         "{macro_1}.",
         ["syntax placeholder {shortcode_1} duplicated (2 times, source once)"]),
        ("{shortcode_1} {html_1_end}pulse {html_2}aquí{html_2_end}{html_1} {macro_1}.",
         ["syntax placeholder {html_1_end} moved before its opening {html_1}"]),
        ("{shortcode_1} {html_1}pulse {html_2}aquí{html_1_end}{html_2_end} {macro_1}.",
         ["syntax placeholder {html_1_end} moved out of its pairing: it closes {html_1} "
          "inside {html_2}"]),
    ],
    ids=["dropped", "altered", "duplicated", "moved-before", "crossing"],
)
def test_broken_syntax_is_an_error_that_withholds_the_unit(
    msgstr: str, expected: list[str]
) -> None:
    found = problems(msgstr)
    assert [m for c, m in found if c == "syntax"] == expected
    assert [c for c, _ in found if c == "placeholders"] == []  # reported once, by this rule
    reason = gate_reason(MSGID, msgstr, CTX)
    assert reason is not None and reason.startswith("syntax: ")


def test_value_placeholders_stay_with_the_placeholders_rule() -> None:
    msgid = "Costs {amount_1} on {liquid_1}."
    found = problems("Cuesta en {liquid_1}.", msgid)
    assert found == [("placeholders", "placeholder {amount_1} missing from the translation")]


def test_without_brace_format_nothing_is_a_placeholder() -> None:
    ctx = CheckContext(lang="es", dialect="liquid")
    assert problems("Texto sin {html_1}.", "Text {html_1} here.", ctx) == []


# -- emphasis as the dialect renders it ---------------------------------------------------

CJK = [
    ("**Cost:** packages", "**優れた細胞数：**日本"),
    ("**Cost** packages", "**「重要」**です"),
    ("*Note:* see", "*注意：*参照"),
]


@pytest.mark.parametrize(("msgid", "msgstr"), CJK)
def test_python_markdown_renders_cjk_emphasis_that_commonmark_does_not(
    msgid: str, msgstr: str
) -> None:
    gfm = problems(msgstr, msgid, CheckContext(lang="ja", dialect="gfm"))
    assert {c for c, _ in gfm} == {"markup", "cjk-emphasis"}
    assert problems(msgstr, msgid, CheckContext(lang="ja", dialect="mkdocs")) == []


@pytest.mark.parametrize(("msgid", "msgstr"), CJK)
def test_the_mkdocs_reading_is_what_material_for_mkdocs_renders(msgid: str, msgstr: str) -> None:
    """The check's Python-Markdown agrees with the renderer MkDocs sites run (the laws'
    Python-Markdown + pymdown-extensions configuration)."""
    from support.dialect_laws import render

    for text in (msgid, msgstr):
        html = render(text, "mkdocs")
        strong, em = html.count("<strong>"), html.count("<em>")
        assert (strong, em) == (1, 0) or (strong, em) == (0, 1)
        assert not re.search(r"\*\*|(?<!\w)\*(?!\w)", html)


def test_mkdocs_still_reports_emphasis_python_markdown_does_not_render() -> None:
    found = problems("**Cost** は", "**Cost:** x", CheckContext(lang="ja", dialect="mkdocs"))
    assert found == []
    found = problems("** Cost** は", "**Cost:** x", CheckContext(lang="ja", dialect="mkdocs"))
    assert ("markup", "strong emphasis: source 1, translation 0 (literal '**' left in the text: "
            "the delimiters no longer pair up)") in found
