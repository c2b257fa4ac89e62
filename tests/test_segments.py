"""A kept segmentation (:mod:`localise.segments`) loads back as exactly what segment() makes.

The law runs over the CommonMark spec examples, every Markdown fixture of every dialect, the
shipped articles (placeholders on) and generated articles; the other tests show that a record
made from other bytes, options or code, or a damaged one, is never used.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from localise import segments
from localise.model import Document, SegmentOptions
from localise.segment import segment
from strategies import documents

ROOT = Path(__file__).resolve().parents[1]
SPEC = json.loads((ROOT / "tests/fixtures/commonmark/spec-0.31.2.json").read_text("utf-8"))
FIXTURES = sorted(
    p for folder in ("dialects", "dialect-cases") for p in (ROOT / "tests/fixtures" / folder)
    .rglob("*.md") if p.name != "SOURCES.md"
)
ARTICLES = sorted((ROOT / "source").rglob("*.md"))
ON = SegmentOptions(currency=True, dates=True)
ARTICLE = Path("source/a.md")


def dialect_of(path: Path) -> str:
    parts = path.relative_to(ROOT / "tests/fixtures").parts
    return parts[1]


def round_trip(tmp_path: Path, text: str, options: SegmentOptions) -> tuple[Document, Document]:
    made = segment(text, path=ARTICLE, slug="a", options=options)
    key = segments.key(text, path=ARTICLE, slug="a", options=options)
    segments.save(tmp_path, made, key=key)
    loaded = segments.load(tmp_path, text, path=ARTICLE, slug="a", key=key)
    assert loaded is not None
    return made, loaded


def assert_same(made: Document, loaded: Document) -> None:
    assert loaded == made
    assert loaded.link_definitions == made.link_definitions
    for mine, theirs in zip(made.units, loaded.units, strict=True):
        assert [p.value for p in theirs.placeholders] == [p.value for p in mine.placeholders]


def test_the_spec_examples_load_back_as_segmented(tmp_path: Path) -> None:
    units = 0
    for example in SPEC:
        made, loaded = round_trip(tmp_path, example["markdown"], ON)
        assert_same(made, loaded)
        units += len(made.units)
    assert units > 500


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_every_dialect_fixture_loads_back_as_segmented(tmp_path: Path, path: Path) -> None:
    options = SegmentOptions(currency=True, dates=True, dialect=dialect_of(path))
    made, loaded = round_trip(tmp_path, path.read_text("utf-8"), options)
    assert_same(made, loaded)


def test_shipped_articles_with_amounts_and_dates_load_back(tmp_path: Path) -> None:
    values = 0
    for path in ARTICLES:
        made, loaded = round_trip(tmp_path, path.read_text("utf-8"), ON)
        assert_same(made, loaded)
        values += sum(p.value is not None for u in made.units for p in u.placeholders)
    assert values > 10  # the prices and dates really went through the record


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow,
          HealthCheck.function_scoped_fixture])
@given(documents())
def test_generated_articles_load_back_as_segmented(tmp_path: Path, text: str) -> None:
    made, loaded = round_trip(tmp_path, text, ON)
    assert_same(made, loaded)


def kept(tmp_path: Path, text: str = "# Title\n\nCosts $6,500 on Jan 12, 2026.\n") -> str:
    made = segment(text, path=ARTICLE, slug="a", options=ON)
    key = segments.key(text, path=ARTICLE, slug="a", options=ON)
    segments.save(tmp_path, made, key=key)
    return key


def test_a_record_of_other_bytes_options_or_code_is_not_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = "# Title\n\nCosts $6,500 on Jan 12, 2026.\n"
    key = kept(tmp_path, text)
    assert segments.load(tmp_path, text, path=ARTICLE, slug="a", key=key) is not None
    other_text = segments.key(text + "More.\n", path=ARTICLE, slug="a", options=ON)
    other_options = segments.key(text, path=ARTICLE, slug="a", options=SegmentOptions())
    other_slug = segments.key(text, path=ARTICLE, slug="b", options=ON)
    monkeypatch.setattr(segments, "code_digest", lambda: "edited code")
    other_code = segments.key(text, path=ARTICLE, slug="a", options=ON)
    assert len({key, other_text, other_options, other_slug, other_code}) == 5
    for stale in (other_text, other_options, other_slug, other_code):
        assert segments.load(tmp_path, text, path=ARTICLE, slug="a", key=stale) is None


def test_the_code_digest_follows_the_package_sources() -> None:
    package = Path(segments.__file__).parent
    assert len(segments.code_digest()) == 40
    assert any(package.rglob("*.py"))


@pytest.mark.parametrize("damage", [
    lambda r: b"{not json",
    lambda r: r[: len(r) // 2],
    lambda r: r.replace(b'"format":1', b'"format":2'),
    lambda r: json.dumps({**json.loads(r), "units": [["x"]]}).encode(),
    lambda r: json.dumps({**json.loads(r), "units": [
        [*u[:5], 10**6, 10**6 + 1, *u[7:]] for u in json.loads(r)["units"]]}).encode(),
    lambda r: json.dumps({**json.loads(r), "units": [
        [*u[:5], "0", *u[6:]] for u in json.loads(r)["units"]]}).encode(),
    lambda r: json.dumps({**json.loads(r), "links": []}).encode(),
], ids=["not-json", "cut-short", "other-format", "short-unit", "span-past-end",
        "offset-not-int", "links-not-a-map"])
def test_a_damaged_record_is_not_used(tmp_path: Path, damage: object) -> None:
    text = "# Title\n\nCosts $6,500 on Jan 12, 2026.\n"
    key = kept(tmp_path, text)
    path = segments.record_path(tmp_path, ARTICLE)
    path.write_bytes(damage(path.read_bytes()))  # type: ignore[operator]
    assert segments.load(tmp_path, text, path=ARTICLE, slug="a", key=key) is None


def test_saving_the_same_record_again_leaves_the_file_alone(tmp_path: Path) -> None:
    kept(tmp_path)
    path = segments.record_path(tmp_path, ARTICLE)
    os.utime(path, ns=(10**18, 10**18))
    kept(tmp_path)
    assert path.stat().st_mtime_ns == 10**18
    kept(tmp_path, "# Another title\n")
    assert path.stat().st_mtime_ns != 10**18  # a changed article replaces its record
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no temporary left


def test_an_unwritable_cache_folder_only_costs_the_record(tmp_path: Path) -> None:
    blocker = tmp_path / "segments"
    blocker.write_text("a file where the folder should be")
    kept(tmp_path)
    assert blocker.read_text() == "a file where the folder should be"
