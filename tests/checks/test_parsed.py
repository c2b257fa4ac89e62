"""The inline summary the checks compare: its shortcut for plain prose agrees with markdown-it."""

from __future__ import annotations

from hypothesis import example, given, settings
from hypothesis import strategies as st

from localise.checks.parsed import OBJ, parse_inline, parse_with_markdown_it

DEFINITIONS = {"DOCS": {"href": "https://example.org/docs", "title": ""}}
TEXTS = st.lists(
    st.sampled_from([*"ab 日本語。\t#$%+-:=>@^{}()'\"/.,0123456789",
                     "http://", "www.", "{name}", "%(n)s", "⟦1⟧", "\n", "*", "_", "`", "[",
                     "]", "!", "<", "&", "&amp;", "&#42;", ";", "\\", "~", "\r", "\0", "DOCS"]),
    max_size=30,
).map("".join)


@settings(max_examples=400, deadline=None)
@given(TEXTS)
@example("see www.example.org/a for the {count} items")
@example("  leading and trailing spaces  ")
@example("")
@example("[DOCS]")
@example("Fish &amp; chips")
def test_the_shortcut_is_what_markdown_it_makes_of_the_text(text: str) -> None:
    assert parse_inline(text, DEFINITIONS) == parse_with_markdown_it(text, DEFINITIONS)


def test_plain_prose_keeps_its_text_and_hides_urls_and_placeholders() -> None:
    parsed = parse_inline("Read https://example.org for {count} tips", None)
    assert parsed.text == f"Read {OBJ} for {OBJ} tips"
    assert (parsed.em, parsed.links, parsed.code) == (0, [], [])
