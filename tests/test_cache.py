"""The translation cache: whatever is in its place, it never ends a run with a traceback."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from localise.cache import Cache, open_cache
from localise.errors import LocaliseError


def _path(tmp_path: Path) -> Path:
    return tmp_path / ".localise" / "cache" / "translations.sqlite"


def test_stores_and_finds_sentences(tmp_path: Path) -> None:
    with open_cache(tmp_path / ".localise") as cache:
        key = Cache.key("argos", "en", "ja", "Hello.")
        cache.put_many([(key, "こんにちは。")])
        assert cache.get_many([key, Cache.key("x")]) == {key: "こんにちは。"}
    with open_cache(tmp_path / ".localise") as cache:  # kept across runs
        assert cache.get_many([key]) == {key: "こんにちは。"}


def test_a_folder_in_its_place(tmp_path: Path) -> None:
    _path(tmp_path).mkdir(parents=True)
    with pytest.raises(LocaliseError, match="not a file"):
        Cache(_path(tmp_path))


def test_a_damaged_file(tmp_path: Path) -> None:
    path = _path(tmp_path)
    path.parent.mkdir(parents=True)
    path.write_bytes(b"SQLite format 3\x00" + b"\xff" * 200)
    with pytest.raises(LocaliseError, match="damaged"):
        Cache(path)


def test_a_cache_of_another_layout(tmp_path: Path) -> None:
    path = _path(tmp_path)
    path.parent.mkdir(parents=True)
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE mt (id INTEGER, sentence TEXT, translation TEXT)")
    with pytest.raises(LocaliseError, match="another layout") as caught:
        Cache(path)
    assert caught.value.path == path


def test_a_full_disk_while_writing(tmp_path: Path) -> None:
    """SQLITE_FULL, as a full disk under .localise/ gives it (a page limit makes it happen)."""
    cache = Cache(_path(tmp_path))
    cache.db.execute("PRAGMA max_page_count = 8")
    with pytest.raises(LocaliseError, match="cannot write the translation cache") as caught:
        for n in range(200):
            cache.put_many([(Cache.key(str(n)), "x" * 4000)])
    assert "full" in str(caught.value)
    cache.close()
