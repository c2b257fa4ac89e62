"""Translation memory: similarity per language, best match first, placeholders and markup
mapped, .po and TMX compendia (a TMX that declares entities is refused)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from localise import catalogue, tm
from localise.errors import CatalogueError

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "tm"


def memory(*records: tuple[str, str, str], lang: str = "en", threshold: int = 75) -> tm.Memory:
    return tm.Memory(
        [tm.Record(*r) for r in records], source_language=lang, min_similarity=threshold
    )


def test_exact_then_best_near_match_first() -> None:
    mem = memory(
        ("The clinic is in Tokyo.", "クリニックは東京にあります。", "a.po"),
        ("The clinic is in Osaka today.", "本日クリニックは大阪にあります。", "b.po"),
        ("The clinic is in Osaka.", "クリニックは大阪にあります。", "c.po"),
        ("The clinic is in Osaka.", "別訳", "d.po"),
    )
    exact = mem.lookup("The clinic is in Osaka.")
    assert exact is not None and exact.exact and exact.record.origin == "c.po"  # first wins
    near = mem.lookup("The clinic is in Kyoto.")
    assert near is not None and not near.exact and near.score == 83  # 5 of 6 tokens
    assert near.record.origin == "a.po"  # equal scores: earliest in priority order
    assert mem.lookup("Something else entirely, about travel insurance.") is None


def test_similarity_measures_words_or_characters_by_language() -> None:
    # English: one word of five changed
    assert tm.similarity("Ask the clinic for quotes", "Ask the doctor for quotes", lang="en") == 80
    # Japanese has no spaces: characters are compared
    assert tm.similarity("東京のクリニック", "大阪のクリニック", lang="ja") == 75
    assert tm.similarity("東京のクリニック", "東京のクリニック", lang="ja") == 100
    # markup and placeholders are set aside; only the same msgid scores 100
    assert tm.similarity("Pay {amount_1} now.", "Pay {amount_2} now.", lang="en") == 99
    assert tm.similarity("See **Tokyo** now.", "See *Tokyo* now.", lang="en") == 99


def test_threshold_is_respected() -> None:
    mem = memory(("Ask the clinic for quotes", "x", "a.po"), threshold=81)
    assert mem.lookup("Ask the doctor for quotes") is None
    assert memory(("Ask the clinic for quotes", "x", "a.po"), threshold=80).lookup(
        "Ask the doctor for quotes"
    ) is not None


@given(st.text(alphabet="abc def.", min_size=1, max_size=30),
       st.text(alphabet="abc def.", min_size=1, max_size=30))
def test_law_similarity_is_symmetric_and_100_only_for_identity(a: str, b: str) -> None:
    assert tm.similarity(a, b, lang="en") == tm.similarity(b, a, lang="en")
    assert (tm.similarity(a, b, lang="en") == 100) == (a == b)


def test_adapt_maps_placeholders_links_and_emphasis() -> None:
    adapted = tm.adapt(
        "Pay {amount_1} at the **clinic** ([site](https://a.example/)).",
        "**クリニック**で{amount_1}をお支払いください（[サイト](https://a.example/)）。",
        "Pay {amount_2} at the *clinic* ([site](https://b.example/)).",
        braces=True,
    )
    assert adapted == "*クリニック*で{amount_2}をお支払いください（[サイト](https://b.example/)）。"
    # markup that does not line up one to one is left for the verifier to flag
    assert tm.adapt("A **b** c", "A **b** c", "A b c", braces=False) == "A **b** c"


def test_po_records_are_reviewed_entries_live_first(tmp_path: Path) -> None:
    po = catalogue.parse((FIXTURES / "compendium-ja.po").read_bytes(), path=Path("c.po"))
    records = list(tm.po_records(po, origin="c.po"))
    assert [r.source for r in records] == ["Bring your passport and your medical records."]


def test_tmx_compendium_by_language_with_inline_codes() -> None:
    data = (FIXTURES / "compendium.tmx").read_bytes()
    ja = tm.tmx_records(data, source="en", target="ja", origin="t.tmx", path=Path("t.tmx"))
    assert [(r.source, r.target) for r in ja] == [
        ("Recovery usually takes **four weeks**.", "回復には通常**4週間**かかります。"),
        ("Ask the clinic for a written quote.", "クリニックに書面の見積もりを依頼してください。"),
    ]
    es = tm.tmx_records(data, source="en", target="es", origin="t.tmx", path=Path("t.tmx"))
    assert [r.target for r in es] == ["La recuperación suele llevar **cuatro semanas**."]


def test_tmx_with_entity_declarations_is_refused() -> None:
    data = (FIXTURES / "entities.tmx").read_bytes()
    with pytest.raises(CatalogueError, match="TMX refused") as info:
        tm.tmx_records(data, source="en", target="ja", origin="e.tmx", path=Path("e.tmx"))
    assert str(info.value).startswith("e.tmx: ")
    with pytest.raises(CatalogueError, match="not a TMX file") as bad:
        tm.tmx_records(b"<tmx><body>", source="en", target="ja", origin="b", path=Path("b.tmx"))
    assert bad.value.line == 1


def test_po_compendium_serves_its_language_only(tmp_path: Path) -> None:
    path = FIXTURES / "compendium-ja.po"
    ja = tm.compendium_records(path, name=Path("c.po"), source="en", target="ja",
                               templated=False)
    assert len(ja) == 1
    assert tm.compendium_records(path, name=Path("c.po"), source="en", target="es",
                                 templated=False) == []
    bare = tmp_path / "bare.po"
    bare.write_text('msgid ""\nmsgstr ""\n\nmsgid "a"\nmsgstr "b"\n')
    with pytest.raises(CatalogueError, match="no Language header"):
        tm.compendium_records(bare, name=Path("bare.po"), source="en", target="ja",
                              templated=False)
    assert len(tm.compendium_records(bare, name=Path("bare.po"), source="en", target="ja",
                                     templated=True)) == 1
