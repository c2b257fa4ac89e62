"""Sentence splitting/joining: exact round trips, abbreviations, tokens, CJK."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from localise.sentences import join, separator, split


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The patient returns. He is fine! Is he? Yes.",
         ["The patient returns.", "He is fine!", "Is he?", "Yes."]),
        ("Use e.g. Python, i.e. a language. Then stop.",
         ["Use e.g. Python, i.e. a language.", "Then stop."]),
        ("Ask Dr. Smith and Mr. Jones vs. Mrs. Lee. Done.",
         ["Ask Dr. Smith and Mr. Jones vs. Mrs. Lee.", "Done."]),
        ("The U.S. Army grew. It is No. 1 at approx. 3.5 km etc. Fine.",
         ["The U.S. Army grew.", "It is No. 1 at approx. 3.5 km etc. Fine."]),
        ("Wait... Then go. J. R. Smith agreed.", ["Wait... Then go.", "J. R. Smith agreed."]),
        ('He said "Stop." Then left.', ['He said "Stop."', "Then left."]),
        ("Read ⟦1⟧the guide. It helps.⟦/1⟧ Then ⟦2⟧ go.",
         ["Read ⟦1⟧the guide. It helps.⟦/1⟧", "Then ⟦2⟧ go."]),
        ("See ⟦3⟧docs.⟦/3⟧ Next one.", ["See ⟦3⟧docs.⟦/3⟧", "Next one."]),
        ("Visit example.com. Next.", ["Visit example.com.", "Next."]),
        ("one. two.", ["one. two."]),
        ("Line one\nLine two. Three.\n\nPara.", ["Line one\n", "Line two.", "Three.\n\n", "Para."]),
        ("", []),
    ],
)
def test_split_english(text: str, expected: list[str]) -> None:
    assert split(text, lang="en") == expected
    assert join(expected, lang="en") == text


def test_japanese_splits_on_cjk_punctuation_and_joins_without_space() -> None:
    parts = ["文です。", "次です！", "本当？", "はい"]
    assert split("".join(parts), lang="ja") == parts
    assert join(["文。", "文。"], lang="ja") == "文。文。"
    assert join(["Uno.", "Dos."], lang="es") == "Uno. Dos."
    assert split("文。文。", lang="en") == ["文。文。"]  # en never splits without a space


def test_translating_keeps_line_breaks_in_the_target_language() -> None:
    parts = split("One. Two.\nThree.", lang="en")
    assert parts == ["One.", "Two.\n", "Three."]
    assert join(["一。", "二。\n", "三。"], lang="ja") == "一。二。\n三。"
    assert separator("zh-Hant") == "" and separator("es") == " "


_PIECES = st.sampled_from(
    ["The cat sat.", "Dr. Who?", "e.g. this", "⟦1⟧Link text. More.⟦/1⟧", "⟦2⟧", "3.5 km.",
     "Wait...", "“Quoted.”", "文。", "！", "word", "U.S.", "\n", "\n\n", " ", "  ", "\t", "x!"]
)


@settings(max_examples=400, deadline=None)
@given(st.lists(_PIECES, max_size=12), st.sampled_from(["en", "es", "ja"]))
def test_round_trip_of_prose(pieces: list[str], lang: str) -> None:
    text = " ".join(pieces)
    parts = split(text, lang=lang)
    assert join(parts, lang=lang) == text
    assert all(part.strip() for part in parts) or parts == [text]


@settings(max_examples=300, deadline=None)
@given(st.text(), st.sampled_from(["en", "ja"]))
def test_round_trip_of_any_text(text: str, lang: str) -> None:
    assert join(split(text, lang=lang), lang=lang) == text


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["A b.", "C d!", "⟦1⟧E. F.⟦/1⟧", "G?"]), min_size=1, max_size=8))
def test_paired_token_spans_stay_in_one_segment(sentences: list[str]) -> None:
    for part in split(" ".join(sentences), lang="en"):
        assert part.count("⟦1⟧") == part.count("⟦/1⟧")


def test_join_looks_at_the_characters_on_both_sides() -> None:
    from localise.sentences import join

    assert join(["Is it safe?", "Most are."], lang="ja") == "Is it safe? Most are."
    assert join(["安全です。", "次に。"], lang="ja") == "安全です。次に。"
    assert join(["安全です。", "Most are."], lang="ja") == "安全です。Most are."
    assert join(["Safe?", "多くは。"], lang="ja") == "Safe?多くは。"
    assert join(["Bien.", "Sí."], lang="es") == "Bien. Sí."
    assert join(["安全。", "多く。"], lang="es") == "安全。多く。"
    assert join(["see ⟦1⟧x⟦/1⟧", "⟦2⟧Next"], lang="ja") == "see ⟦1⟧x⟦/1⟧ ⟦2⟧Next"
