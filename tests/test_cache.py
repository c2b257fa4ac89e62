"""The translation cache: whatever is in its place, it never ends a run with a traceback."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from localise.cache import Cache, file_sha256, hashed_unchanged, open_cache
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


def test_a_digest_hashed_elsewhere_is_kept_only_for_the_file_it_was_hashed_from(
    tmp_path: Path,
) -> None:
    model = tmp_path / "model.bin"
    model.write_bytes(b"weights" * 1000)
    with open_cache(tmp_path) as cache:
        hashed = hashed_unchanged(model)
        assert hashed is not None and hashed[1] == file_sha256(model)
        cache.adopt(model, hashed)
        assert cache.known_files_digest([model]) == cache.files_digest([model])
        later = hashed_unchanged(model)
        model.write_bytes(b"other weights" * 1000)  # replaced after it was hashed
        cache.adopt(model, later)
        assert cache.known_files_digest([model]) is None  # hashed again when asked for
        cache.adopt(model, None)  # changed while it was read: nothing to keep
        assert cache.known_files_digest([model]) is None
    assert hashed_unchanged(tmp_path / "gone.bin") is None
