"""The build index: one row per page in .localise/build.sqlite, read as asked for, written in
one transaction; missing, damaged or older indexes mean rebuilding, never a wrong page."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import pytest

from localise.errors import LocaliseError
from localise.project import Project
from localise.stages._record import BuildRecord, PageEntry


def _entry(**changes: object) -> PageEntry:
    fields: dict[str, object] = {
        "article": "source/welcome.md", "slug": "welcome", "lang": "ja", "tree": "reviewed",
        "key": "k" * 40, "written": "w" * 40, "units": 7,
        "notes": [3, [5, "fuzzy", "unreviewed draft"], [9, "withheld", "placeholders: {x}"]],
        "kinds": {"untranslated": 1, "fuzzy": 1, "withheld": 1}, "published": True,
        "assets": [],
    }
    fields.update(changes)
    return PageEntry(**fields)  # type: ignore[arg-type]


def _record(root: Path, *, writer: bool = True) -> BuildRecord:
    return BuildRecord(Project.open(root), writer=writer)


def test_an_entry_reads_back_as_it_was_put(project: Path) -> None:
    page = project / "build" / "ja" / "welcome.md"
    kept = _entry(published=False, written=None, assets=[
        {"source": "source/img/a.png", "copy": "build/ja/img/a.png", "stamp": [3, 4],
         "digest": "d" * 40}])
    with _record(project) as record:
        record.put(page, kept)
        record.put(project / "build" / "es" / "welcome.md", _entry(lang="es", notes=[], kinds={}))
        record.put(project / "build" / "drafts" / "ja" / "welcome.md", _entry(tree="draft"))
        record.save()
    with _record(project, writer=False) as record:
        assert record.get(page) == kept
        assert record.find("build/es/welcome.md") == _entry(lang="es", notes=[], kinds={})
        assert record.find("build/ko/welcome.md") is None
        assert list(record.pages("reviewed")) == [
            ("build/es/welcome.md", "welcome", "es"), ("build/ja/welcome.md", "welcome", "ja")]
        assert record.with_assets("reviewed") == [("build/ja/welcome.md", kept)]
        assert record.with_assets("draft") == []


def test_what_is_not_saved_is_forgotten(project: Path) -> None:
    page = project / "build" / "ja" / "welcome.md"
    with _record(project) as record:
        record.put(page, _entry())
    assert not (project / ".localise" / "build.sqlite").exists()  # made by that run: gone
    with _record(project) as record:
        record.put(page, _entry())
        record.save()
    with _record(project) as record:
        record.put(page, _entry(units=8))
        record.drop("build/ja/welcome.md")
    assert _record(project).get(page) == _entry()


def test_a_reader_makes_no_file(project: Path) -> None:
    with _record(project, writer=False) as record:
        assert record.find("build/ja/welcome.md") is None
        assert list(record.pages("reviewed")) == []
    assert not (project / ".localise" / "build.sqlite").exists()


@pytest.mark.parametrize("damage", [b"not a database at all", b""])
def test_a_damaged_index_is_an_empty_one_and_made_again(project: Path, damage: bytes) -> None:
    index = project / ".localise" / "build.sqlite"
    index.parent.mkdir(exist_ok=True)
    index.write_bytes(damage * 100)
    page = project / "build" / "ja" / "welcome.md"
    with _record(project) as record:
        assert record.get(page) is None
        record.put(page, _entry())
        record.save()
    assert _record(project).get(page) == _entry()


def test_the_build_json_of_an_earlier_version_is_read_into_the_index_once(
    project: Path,
) -> None:
    old = _entry(kinds={})  # an index that predates the counts per kind
    legacy = project / ".localise" / "build.json"
    legacy.parent.mkdir(exist_ok=True)
    legacy.write_text(json.dumps({"format": 1, "pages": {
        "build/ja/welcome.md": asdict(old), "build/ja/broken.md": {"article": 3}}}))
    assert _record(project, writer=False).find("build/ja/welcome.md") is None  # readers: no
    with _record(project) as record:
        entry = record.find("build/ja/welcome.md")
        assert entry == _entry()  # its counts made from its notes
        assert record.find("build/ja/broken.md") is None
    assert not legacy.exists()


def test_an_index_that_cannot_be_written_says_so(project: Path) -> None:
    (project / ".localise").mkdir(exist_ok=True)
    (project / ".localise" / "build.sqlite").mkdir()  # a folder where the file should be
    with _record(project) as record, pytest.raises(LocaliseError, match="build index"):
        record.put(project / "build" / "ja" / "welcome.md", _entry())
