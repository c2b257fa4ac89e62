"""MT protection: literal intraword delimiters stay text; required glossary terms as tokens."""

from __future__ import annotations

import os
import subprocess
import sys

from localise import mt_tokens


def test_intraword_underscores_and_asterisks_are_text() -> None:
    for text in ["use snake_case and 2*3 here", "2 * 3 = 6", "x_y_z", "a_b *c"]:
        protected = mt_tokens.protect(text)
        assert protected.text == text and not protected.originals
    mixed = mt_tokens.protect("snake_case **bold** and 2*3")
    assert mixed.text == "snake_case ⟦1⟧bold⟦2⟧ and 2*3"
    assert mt_tokens.protect("foo*bar*baz").text == "foo⟦1⟧bar⟦2⟧baz"  # real emphasis


def test_required_terms_are_restored_as_their_translation() -> None:
    required = {"stem cells": "células madre", "mesenchymal stem cells": "células mesenquimales"}
    protected = mt_tokens.protect(
        "Stem cells heal. We use mesenchymal stem cells and PlacidWay.",
        required=required, terms=["PlacidWay"],
    )
    assert protected.text == "⟦1⟧ heal. We use ⟦2⟧ and ⟦3⟧."
    assert protected.glossary == {"1": ("Stem cells", "células madre"),
                                  "2": ("mesenchymal stem cells", "células mesenquimales")}
    text, problems = mt_tokens.restore("⟦1⟧ curan. Usamos ⟦2⟧ y ⟦3⟧.", protected)
    assert text == "Células madre curan. Usamos células mesenquimales y PlacidWay."
    assert problems == []
    _, missing = mt_tokens.restore("curan. Usamos ⟦2⟧ y ⟦3⟧.", protected)
    assert missing == ["missing 'células madre'"]


def test_overlapping_terms_of_equal_length_are_protected_alike_in_every_process() -> None:
    """Longest first, then in a fixed order: not a set's, which changes with the hash seed."""
    code = ("from localise import mt_tokens; "
            "print(mt_tokens.protect('Meet at New York Inn.', terms=['New York', 'York Inn'])"
            ".text)")
    seen = {
        subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                       env={**os.environ, "PYTHONHASHSEED": str(seed)}).stdout
        for seed in range(6)
    }
    assert seen == {"Meet at ⟦1⟧ Inn.\n"}
