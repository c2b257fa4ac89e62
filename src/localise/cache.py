"""The machine-translation cache: SQLite, keyed by engine, model version, pair and text."""

from __future__ import annotations

import contextlib
import hashlib
import sqlite3
from collections.abc import Iterator, Sequence
from pathlib import Path

from localise.errors import LocaliseError


class Cache:
    """Sentences the engines already translated (``.localise/cache/translations.sqlite``)."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(path)
        try:
            self.db.execute("PRAGMA schema_version")
        except sqlite3.DatabaseError:
            self.db.close()
            raise LocaliseError(
                "the translation cache is damaged; delete it (it only saves time)", path=path
            ) from None
        self.db.execute(
            "CREATE TABLE IF NOT EXISTS mt (key TEXT PRIMARY KEY, target TEXT NOT NULL)"
        )

    @staticmethod
    def key(engine: str, version: str, source: str, target: str, text: str) -> str:
        """The cache key of one sentence for one engine, model version and language pair."""
        h = hashlib.sha256()
        for part in (engine, version, source, target, text):
            h.update(part.encode("utf-8") + b"\0")
        return h.hexdigest()

    def get_many(self, keys: Sequence[str]) -> dict[str, str]:
        """The cached translations among ``keys``."""
        found: dict[str, str] = {}
        for i in range(0, len(keys), 500):
            chunk = list(keys[i : i + 500])
            marks = ",".join("?" * len(chunk))
            found.update(
                self.db.execute(f"SELECT key, target FROM mt WHERE key IN ({marks})", chunk)
            )
        return found

    def put_many(self, items: Sequence[tuple[str, str]]) -> None:
        """Store (key, translation) pairs in one transaction."""
        with self.db:
            self.db.executemany("INSERT OR REPLACE INTO mt (key, target) VALUES (?, ?)", items)

    def close(self) -> None:
        """Close the database."""
        self.db.close()


@contextlib.contextmanager
def open_cache(folder: Path) -> Iterator[Cache]:
    """The translation cache kept in ``folder`` (a project's ``.localise``)."""
    cache = Cache(folder / "cache" / "translations.sqlite")
    try:
        yield cache
    finally:
        cache.close()
