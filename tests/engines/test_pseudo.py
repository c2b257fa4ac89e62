"""Pseudo-localisation: deterministic, longer, accented, protected spans untouched."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from localise.engines import EngineOptions, get_engine
from localise.engines.pseudo import pseudolocalise

ENGINE = get_engine("pseudo", options=EngineOptions())


def test_accents_letters_and_pads_with_tildes() -> None:
    [out] = ENGINE.translate(["The patient returns."], source="en", target="ja")
    assert out.startswith("[Ŧĥé ƥ") or out.startswith("[Ŧĥé ")
    assert out.endswith("~]")
    assert not re.search(r"[A-Za-z]", out)
    assert 1.3 <= len(out) / len("The patient returns.") <= 1.45


def test_protected_spans_are_untouched() -> None:
    text = (
        "Pay {amount_1} via ⟦1⟧https://example.com/pay?x=1⟦/1⟧, see www.example.org, "
        "mail help@example.com, %s and %(count)d items &amp; ⟦2⟧."
    )
    out = pseudolocalise(text)
    for kept in ("{amount_1}", "⟦1⟧", "⟦/1⟧", "https://example.com/pay?x=1", "www.example.org",
                 "help@example.com", "%s", "%(count)d", "&amp;", "⟦2⟧"):
        assert kept in out, kept
    assert "Pay" not in out and "items" not in out


def test_deterministic_whitespace_and_version() -> None:
    segments = ["", "  ", " Hi.\n", "Same.", "Same."]
    out = ENGINE.translate(segments, source="en", target="es")
    assert out[:2] == ["", "  "]
    assert out[2].startswith(" [") and out[2].endswith("]\n")
    assert out[3] == out[4] == pseudolocalise("Same.")
    assert ENGINE.version(source="en", target="es") == "pseudo 1"


@given(st.lists(st.text(), max_size=5))
def test_one_output_per_input_and_tokens_survive(segments: list[str]) -> None:
    tagged = [f"⟦{i}⟧{s}⟦/{i}⟧" for i, s in enumerate(segments)]
    out = ENGINE.translate(tagged, source="en", target="ja")
    assert len(out) == len(tagged)
    for i, text in enumerate(out):
        assert f"⟦{i}⟧" in text and f"⟦/{i}⟧" in text
