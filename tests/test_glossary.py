"""Glossary look-ups: a term ruled out by its substring test is one its pattern never finds."""

from __future__ import annotations

import re
import string

from hypothesis import example, given
from hypothesis import strategies as st

from localise.checks.glossary import name_pattern
from localise.glossary import _FOLD, Glossary, Haystack, Term, term_pattern

EVERY_CHARACTER = "".join(chr(c) for c in range(0x110000) if not 0xD800 <= c < 0xE000)
TRICKY = "İıKſSsIiKkAaé-_ 1.·ß"
"""Characters that case-fold unusually, next to the ASCII letters they may match."""


def test_the_fold_maps_every_character_ignorecase_matches_with_an_ascii_letter() -> None:
    for letter in string.ascii_lowercase:
        matching = set(re.findall(re.escape(letter), EVERY_CHARACTER, re.IGNORECASE))
        assert {c.translate(_FOLD) for c in matching} == {letter}, letter
    folded = {c for c in map(chr, _FOLD) if c.translate(_FOLD) != c}
    assert all(re.fullmatch(c.translate(_FOLD), c, re.IGNORECASE) for c in folded)


@example(term="kiosk", text="the \u212aIOSK")  # the Kelvin sign matches k, İ and ı match i
@example(term="is", text="\u0130S")
@example(term="is", text="\u0131\u017f")  # long s matches s
@given(term=st.text(alphabet=TRICKY + "abkis", min_size=1, max_size=4),
       text=st.text(alphabet=TRICKY + "abkis", max_size=30))
def test_a_term_ruled_out_is_never_matched(term: str, text: str) -> None:
    if term_pattern(term).search(text) or name_pattern(term).search(text):
        assert Haystack(text).may_hold(term)


def test_terms_absent_from_a_text_are_skipped_and_the_rest_found_as_before() -> None:
    terms = tuple(Term(t, "*", "", "", False, n) for n, t in enumerate(
        ["kiosk", "PlacidWay", "Tokyo Metro", "metro", "café"], start=2))
    glossary = Glossary(terms)
    text = "Ask at the KIOSK (or the \u212aiosk) by the Tokyo Metro exit; PlacidWayは便利"
    assert [t.term for t in glossary.found_in(text)] == ["Tokyo Metro", "PlacidWay", "kiosk"]
    assert not Haystack(text).may_hold("metro line") and Haystack(text).may_hold("café")
    assert [t.term for t in glossary.found_in("the \u212aiosk only")] == ["kiosk"]
