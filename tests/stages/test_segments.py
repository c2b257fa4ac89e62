"""A kept segmentation (:mod:`localise.stages._segments`) loads back as what segment() makes.

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

from localise.model import Document, SegmentOptions
from localise.project import Article, Project, Source
from localise.segment import segment
from localise.stages import _segments
from strategies import documents

ROOT = Path(__file__).resolve().parents[2]
SPEC = json.loads((ROOT / "tests/fixtures/commonmark/spec-0.31.2.json").read_text("utf-8"))
FIXTURES = sorted(
    p for folder in ("dialects", "dialect-cases") for p in (ROOT / "tests/fixtures" / folder)
    .rglob("*.md") if p.name != "SOURCES.md"
)
ARTICLES = sorted((ROOT / "source").rglob("*.md"))
ON = SegmentOptions(currency=True, dates=True)
ARTICLE = Article(Path("source/a.md"), "a")
TEXT = "# Title\n\nCosts $6,500 on Jan 12, 2026.\n"


def dialect_of(path: Path) -> str:
    parts = path.relative_to(ROOT / "tests/fixtures").parts
    return parts[1]


def round_trip(tmp_path: Path, text: str, options: SegmentOptions) -> tuple[Document, Document]:
    source = Source(ARTICLE, text.encode("utf-8"))
    made = segment(source.text, path=ARTICLE.path, slug=ARTICLE.slug, options=options)
    _segments.save(tmp_path, made, key="k")
    loaded = _segments.load(tmp_path, source, key="k")
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


def kept(tmp_path: Path, text: str = TEXT) -> Source:
    source = Source(ARTICLE, text.encode("utf-8"))
    made = segment(source.text, path=ARTICLE.path, slug=ARTICLE.slug, options=ON)
    _segments.save(tmp_path, made, key="k")
    return source


def test_a_record_of_other_bytes_options_or_code_is_not_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "source").mkdir()
    (tmp_path / "localise.toml").write_text('languages = ["ja"]\n', "utf-8")
    config = Project.open(tmp_path).config
    source = Source(ARTICLE, TEXT.encode("utf-8"))
    key = _segments.key(config, source)
    assert key == _segments.key(config, Source(ARTICLE, TEXT.encode("utf-8")))
    other_bytes = _segments.key(config, Source(ARTICLE, (TEXT + "More.\n").encode("utf-8")))
    other_slug = _segments.key(config, Source(Article(ARTICLE.path, "b"), source.data))
    (tmp_path / "localise.toml").write_text(
        'languages = ["ja"]\n[formatting]\ndates = false\n', "utf-8")
    other_options = _segments.key(Project.open(tmp_path).config, source)
    monkeypatch.setattr(_segments, "code_digest", lambda: b"edited code")
    other_code = _segments.key(config, source)
    assert len({key, other_bytes, other_slug, other_options, other_code}) == 5
    _segments.save(tmp_path, segment(TEXT, path=ARTICLE.path, slug="a", options=ON), key=key)
    assert _segments.load(tmp_path, source, key=key) is not None
    for stale in (other_bytes, other_slug, other_options, other_code):
        assert _segments.load(tmp_path, source, key=stale) is None


@pytest.mark.parametrize("damage", [
    lambda r: b"{not json",
    lambda r: r[: len(r) // 2],
    lambda r: r.replace(b'"format":1', b'"format":2'),
    lambda r: json.dumps({**json.loads(r), "units": [["x"]]}).encode(),
    lambda r: json.dumps({**json.loads(r), "units": [
        [*u[:5], 10**6, 10**6 + 1, *u[7:]] for u in json.loads(r)["units"]]}).encode(),
    lambda r: json.dumps({**json.loads(r), "units": [
        [*u[:5], "0", *u[6:]] for u in json.loads(r)["units"]]}).encode(),
    lambda r: json.dumps({**json.loads(r), "units": [
        [u[0], "chapter", *u[2:]] for u in json.loads(r)["units"]]}).encode(),
    lambda r: json.dumps({**json.loads(r), "units": [
        [7, *u[1:]] for u in json.loads(r)["units"]]}).encode(),
    lambda r: json.dumps({**json.loads(r), "links": []}).encode(),
], ids=["not-json", "cut-short", "other-format", "short-unit", "span-past-end",
        "offset-not-int", "unknown-kind", "msgid-not-text", "links-not-a-map"])
def test_a_damaged_record_is_not_used(tmp_path: Path, damage: object) -> None:
    source = kept(tmp_path)
    path = _segments.record_path(tmp_path, ARTICLE.path)
    assert _segments.load(tmp_path, source, key="k") is not None
    path.write_bytes(damage(path.read_bytes()))  # type: ignore[operator]
    assert _segments.load(tmp_path, source, key="k") is None


def test_saving_the_same_record_again_leaves_the_file_alone(tmp_path: Path) -> None:
    kept(tmp_path)
    path = _segments.record_path(tmp_path, ARTICLE.path)
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


def test_extract_removes_the_records_of_renamed_and_deleted_articles(project: Path, cli) -> None:
    """A renamed or deleted article's record goes at the next extract; the others stay, and
    a file in the folder that is not a record is left alone."""
    assert cli(project, "extract").code == 0
    folder = project / ".localise"
    welcome = _segments.record_path(folder, Path("source/welcome.md"))
    travel = _segments.record_path(folder, Path("source/guides/travel.md"))
    assert welcome.exists() and travel.exists()
    (folder / "segments" / "notes.txt").write_text("mine", "utf-8")
    (project / "source" / "welcome.md").rename(project / "source" / "hello.md")
    assert cli(project, "extract").code == 0
    hello = _segments.record_path(folder, Path("source/hello.md"))
    assert not welcome.exists() and hello.exists() and travel.exists()
    (project / "source" / "guides" / "travel.md").unlink()
    assert cli(project, "extract").code == 0
    assert sorted(p.name for p in (folder / "segments").iterdir()) == sorted(
        [hello.name, "notes.txt"])
