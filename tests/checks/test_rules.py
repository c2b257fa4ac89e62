"""Quality rules: one faulty and one clean fixture per rule, and the rule table's filters."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from localise import catalogue, glossary
from localise.checks import (
    CHECKS,
    DRAFT_RULES,
    GATE_RULES,
    RULES,
    CheckContext,
    Finding,
    check_catalogue,
    check_translation,
    gate_reason,
)

FIXTURES = Path(__file__).parent.parent / "fixtures" / "checks"
GLOSSARY = glossary.parse((FIXTURES / "glossary.csv").read_text("utf-8"), path=Path("glossary.csv"))
LINKS = {
    "https://www.placidway.com/": {
        "es": "https://www.placidway.com/es/", "ja": "https://www.placidway.com/ja/",
    },
}


def findings(name: str) -> list[Finding]:
    path = FIXTURES / name
    po = catalogue.read(path)
    assert po is not None
    ctx = CheckContext(lang=po.language, glossary=GLOSSARY, localisable_links=LINKS)
    return check_catalogue(po, ctx, file=f"locales/{name}")


def check_entry(
    msgid: str,
    msgstr: str,
    *,
    lang: str,
    flags: Sequence[str] = (),
    glossary: glossary.Glossary | None = None,
    references: Mapping[str, Any] | None = None,
    localisable_links: Mapping[str, Mapping[str, str]] | None = None,
) -> list[tuple[str, str, str]]:
    """(check, severity, message) per problem, in table order."""
    ctx = CheckContext(
        lang=lang,
        brace_format="python-brace-format" in flags,
        glossary=glossary,
        link_definitions=references or {},
        localisable_links=localisable_links or {},
    )
    return [(p.check, p.severity, p.message) for p in check_translation(msgid, msgstr, ctx)]


def summary(name: str, check: str | None = None) -> list[tuple[int, str, str]]:
    """(line, check, severity) of a fixture's findings, optionally of one check only."""
    return [(f.line, f.check, f.severity) for f in findings(name) if check in (None, f.check)]


def messages(name: str, line: int, check: str) -> list[str]:
    return [f.message for f in findings(name) if f.line == line and f.check == check]


@pytest.mark.parametrize(
    "name",
    ["placeholders-ok.po", "markup-ok.po", "link-targets-ok.po", "numbers-ok.po",
     "numbers-ja-ok.po", "cjk-ok.po", "glossary-ok.po"],
)
def test_clean_fixtures_have_no_findings(name: str) -> None:
    assert findings(name) == []


# -- placeholders -----------------------------------------------------------------------


def test_placeholders_dropped_renamed_duplicated_invented_malformed() -> None:
    assert summary("placeholders.po") == [
        (14, "placeholders", "error"), (22, "placeholders", "error"),
        (27, "placeholders", "error"), (32, "placeholders", "error"),
        (37, "placeholders", "error"), (37, "placeholders", "error"),
    ]
    assert messages("placeholders.po", 14, "placeholders") == [
        "placeholder {amount_1} missing from the translation"
    ]
    assert messages("placeholders.po", 22, "placeholders") == [
        "placeholder {amount_1} renamed to {monto_1}"
    ]
    assert "appears 2 times (source 1)" in messages("placeholders.po", 27, "placeholders")[0]
    assert messages("placeholders.po", 32, "placeholders") == [
        "placeholder {llaves} is not in the source"
    ]
    assert "'{ amount_1 }'" in messages("placeholders.po", 37, "placeholders")[1]


def test_placeholders_only_checked_for_brace_format_entries() -> None:
    assert check_entry("Write {name}.", "Escriba {nombre}.", lang="es") == []
    assert check_entry("Write {name}.", "Escriba {nombre}.", lang="es",
                       flags=["python-brace-format"])[0][0] == "placeholders"


# -- markup -----------------------------------------------------------------------------


def test_markup_breakages_are_errors_at_the_msgid_line() -> None:
    assert summary("markup.po") == [(line, "markup", "error") for line in (11, 18, 22, 28, 32, 36)]
    assert messages("markup.po", 11, "markup") == [
        "link lost: [PlacidWay] (https://www.placidway.com/) no longer parses as a link "
        "(write [text](url) with ASCII brackets and no space before the parenthesis)"
    ]
    assert messages("markup.po", 18, "markup") == [
        "inline code `localise check` lost its backticks"
    ]
    assert messages("markup.po", 22, "markup") == ["strong emphasis: source 1, translation 0"]
    assert messages("markup.po", 28, "markup")[0].startswith(
        "strong emphasis: source 1, translation 0 (literal '**' left in the text"
    )
    assert messages("markup.po", 32, "markup") == ["HTML tags: source <br>, translation (none)"]
    assert "`npm ci` → `npm limpio`" in messages("markup.po", 36, "markup")[0]


@pytest.mark.parametrize(
    ("msgid", "msgstr", "expected"),
    [
        ("See [the guide](https://x.org).", "Vea [la guía]（https://x.org）。", "link lost"),
        ("![Alt](a.png)", "![Texto] (a.png)", "image lost"),
        ("Go <https://x.org>.", "Vaya a https://x.org.", "autolinks: source 1, translation 0"),
        ("One\\\ntwo", "Uno dos", "hard line breaks: source 1, translation 0"),
        ("~~old~~ new", "~~ viejo~~ nuevo", "strikethrough: source 1, translation 0"),
        ("A *b* c", "A b c", "emphasis: source 1, translation 0"),
        ("A b", "A ⟦1⟧ b", "protection tokens"),
    ],
)
def test_markup_variants(msgid: str, msgstr: str, expected: str) -> None:
    found = [m for c, s, m in check_entry(msgid, msgstr, lang="es") if c == "markup"]
    assert any(expected in m for m in found), found


REFS = {"QUOTE": {"title": "", "href": "https://www.placidway.com/quote"}}


def test_reference_links_use_the_articles_definitions() -> None:
    msgid = "[Get a free quote][quote]"
    assert check_entry(msgid, "[無料見積もりを依頼する][quote]", lang="ja", references=REFS) == []
    broken = check_entry(msgid, "[無料見積もりを依頼する][見積もり]", lang="ja", references=REFS)
    assert [c for c, _, _ in broken] == ["markup"]
    # without the definitions both sides are literal text, alike: no crash, no false error
    assert check_entry(msgid, "[無料見積もりを依頼する][quote]", lang="ja") == []


# -- link targets -----------------------------------------------------------------------


def test_link_targets_changed() -> None:
    assert summary("link-targets.po") == [
        (10, "link-targets", "error"), (14, "link-targets", "error"),
        (18, "link-targets", "error"),
    ]
    assert messages("link-targets.po", 10, "link-targets") == [
        "link target changed: https://example.org/guide → https://example.org/guia"
    ]
    assert "allowed for es: https://www.placidway.com/es/" in messages(
        "link-targets.po", 18, "link-targets")[0]


def test_localisable_link_is_only_allowed_for_its_language() -> None:
    msgid = "Contact [PlacidWay](https://www.placidway.com/) today."
    msgstr = "[PlacidWay](https://www.placidway.com/es/)にご連絡ください。"
    found = check_entry(msgid, msgstr, lang="ja", localisable_links=LINKS)
    assert [(c, s) for c, s, _ in found] == [("link-targets", "error")]
    assert check_entry(msgid, msgstr.replace("/es/", "/ja/"), lang="ja",
                       localisable_links=LINKS) == []


# -- numbers ----------------------------------------------------------------------------


def test_numbers_changed_or_missing() -> None:
    assert summary("numbers.po") == [(10, "numbers", "warning"), (14, "numbers", "warning")]
    assert messages("numbers.po", 10, "numbers") == [
        "source number 20 not found in the translation (it has 200)"
    ]
    assert summary("numbers-ja.po") == [(10, "numbers", "warning")]
    assert messages("numbers-ja.po", 10, "numbers") == [
        "source numbers 100 million, 200 million not found in the translation (it has 100万, 200万)"
    ]


@pytest.mark.parametrize(
    ("msgid", "msgstr", "lang", "ok"),
    [
        ("over 100 million cells", "1億個以上の細胞", "ja", True),
        ("about 5 million cells", "約500万個の細胞", "ja", True),
        ("about 5 million cells", "約5万個の細胞", "ja", False),
        ("150 million cells", "1億5000万個の細胞", "ja", True),
        ("5 to 10 million cells", "5～10個の細胞", "ja", False),
        ("Uncultured (< 10M)", "非培養（1000万未満）", "ja", True),
        ("12 patients", "１２人の患者", "ja", True),
        ("12 patients", "１３人の患者", "ja", False),
        ("costs 6,500 dollars", "cuesta 6500 dólares", "es", True),
        ("costs 6,500 dollars", "cuesta 6,500 dólares", "es", True),
        ("costs 6,500 dollars", "cuesta 6,5 dólares", "es", False),
        ("a 1.5 ratio", "una proporción de 1,5", "es", True),
        ("two visits", "2回の通院", "ja", True),
    ],
)
def test_number_normalisation(msgid: str, msgstr: str, lang: str, ok: bool) -> None:
    found = [c for c, _, _ in check_entry(msgid, msgstr, lang=lang) if c == "numbers"]
    assert (found == []) is ok


def test_numbers_ignore_code_urls_and_placeholders() -> None:
    msgid = "Run `step 42` at https://x.org/7 or www.x9.com for {amount_1}."
    msgstr = "Ejecute `step 42` en https://x.org/7 o www.x9.com por {amount_1}."
    assert check_entry(msgid, msgstr, lang="es", flags=["python-brace-format"]) == []
    assert check_entry("Pay {amount_1}.", "Pague {amount_1} (6.500 US$).", lang="es",
                       flags=["python-brace-format"]) == []


# -- CJK --------------------------------------------------------------------------------


def test_cjk_emphasis_and_punctuation() -> None:
    assert summary("cjk.po") == [
        (10, "markup", "error"), (10, "cjk-emphasis", "warning"),
        (14, "cjk-punctuation", "warning"),
        (18, "markup", "error"), (18, "cjk-emphasis", "warning"),
        (18, "cjk-punctuation", "warning"),
    ]
    assert "write 「**重要**」 instead of **「重要」**" in messages("cjk.po", 10, "cjk-emphasis")[0]
    message = messages("cjk.po", 14, "cjk-punctuation")[0]
    assert "'(' after '律' (use '（')" in message and "and 2 more" in message
    assert messages("cjk.po", 18, "cjk-punctuation") == [
        "half-width punctuation in Japanese text: ',' after 'す' (use '、')"
    ]


def test_cjk_checks_are_language_specific() -> None:
    msgid = "This is **\"important\"** here."
    zh = [c for c, _, _ in check_entry(msgid, "这是**“重要”**的。", lang="zh")]
    assert "cjk-emphasis" in zh
    es = [c for c, _, _ in check_entry(msgid, "Esto es**«importante»**aquí.", lang="es")]
    assert "cjk-emphasis" not in es
    assert check_entry("Is it safe?", "安全ですか?", lang="zh") == []


# -- states -----------------------------------------------------------------------------


def test_untranslated_fuzzy_unchanged_and_obsolete() -> None:
    assert summary("states.po") == [
        (12, "untranslated", "info"),
        (19, "fuzzy", "info"),
        (25, "fuzzy", "info"),
        (32, "markup", "error"),
        (32, "fuzzy", "warning"),
        (36, "unchanged", "warning"),
        (45, "untranslated", "info"),
    ]
    assert "missing '**'" in messages("states.po", 32, "fuzzy")[0]
    assert "argos 1.9" in messages("states.po", 25, "fuzzy")[0]


def test_unchanged_skips_short_and_do_not_translate_sources() -> None:
    assert check_entry("Knee", "Knee", lang="es") == []
    assert check_entry("PlacidWay `run.sh` https://x.org", "PlacidWay `run.sh` https://x.org",
                       lang="es", glossary=GLOSSARY) == []
    assert check_entry("PlacidWay helps knee patients today", "PlacidWay helps knee patients today",
                       lang="es", glossary=GLOSSARY)[0][0] == "unchanged"


# -- glossary ---------------------------------------------------------------------------


def test_glossary_terms() -> None:
    assert summary("glossary.po") == [
        (10, "glossary", "warning"), (14, "do-not-translate", "warning"),
        (18, "do-not-translate", "error"),
    ]
    assert "'変形性関節症'" in messages("glossary.po", 10, "glossary")[0]
    assert "the translation has 'Placid Way'" in messages("glossary.po", 14, "do-not-translate")[0]
    assert summary("glossary-es.po") == [(10, "glossary", "error")]
    assert "'artrosis'" in messages("glossary-es.po", 10, "glossary")[0]


# -- build gate -------------------------------------------------------------------------


def test_gate_reason() -> None:
    options = {"lang": "es", "glossary": GLOSSARY, "localisable_links": LINKS}
    assert gate_reason("Take 20 ml.", "Tome 200 ml.", CheckContext(**options)) is None  # warning
    reason = gate_reason(
        "See [it](https://x.org).", "Vea [eso] (https://x.org).", CheckContext(**options)
    )
    assert reason is not None and reason.startswith("markup: link lost") and "\n" not in reason
    assert gate_reason("Hello there", "", CheckContext(**options)) is None


def test_rule_table_names_filters_and_order() -> None:
    assert len(set(CHECKS)) == len(CHECKS) == 13
    assert all(rule.summary and (rule.check or rule.check_entry) for rule in RULES)
    assert [r.name for r in GATE_RULES] == [
        "placeholders", "markup", "link-targets", "syntax", "injection", "glossary",
        "do-not-translate",
    ]
    assert [r.name for r in DRAFT_RULES] == [r.name for r in GATE_RULES]
    assert {r.name for r in RULES if r.check_entry} == {"fuzzy"}
    by_name = {r.name: r for r in RULES}
    assert by_name["cjk-punctuation"].applies_to("ja")
    assert not by_name["cjk-punctuation"].applies_to("zh")
    assert by_name["cjk-emphasis"].applies_to("zh") and not by_name["cjk-emphasis"].applies_to("es")


_MARKDOWNISH = st.text(
    alphabet="ab 19,.*_`[]()<>!{}~\\:-/%" + "xyz", min_size=0, max_size=40
)


@settings(max_examples=300, deadline=None)
@given(_MARKDOWNISH)
def test_identity_translation_never_errs(text: str) -> None:
    found = check_entry(text, text, lang="es", flags=["python-brace-format"]) if text else []
    assert [c for c, s, _ in found if s == "error" or c == "numbers"] == []
