"""The machine-translation cache: SQLite, keyed by everything that changes a draft.

A sentence's key (:meth:`Cache.key`) hashes the protection scheme's version, the engine's
:class:`~localise.engines.Identity` (engine, model name and version, tokeniser, decoding
options such as beam size, length penalty and length cap, and the *content* of the model's
files), the language pair and the protected sentence. Hashing a model's files (hundreds of MB
for a real argos package) is memoised per file by its size, modification and change times and
inode, so a warm run hashes nothing and a replaced package is always hashed again.
"""

from __future__ import annotations

import contextlib
import hashlib
import sqlite3
from collections.abc import Iterator, Sequence
from pathlib import Path

from localise.errors import LocaliseError

_CHUNK = 1 << 20


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
        with self.db:
            self.db.execute(
                "CREATE TABLE IF NOT EXISTS mt (key TEXT PRIMARY KEY, target TEXT NOT NULL)"
            )
            self.db.execute(
                "CREATE TABLE IF NOT EXISTS files (path TEXT PRIMARY KEY, stat TEXT NOT NULL,"
                " digest TEXT NOT NULL)"
            )

    @staticmethod
    def key(*parts: str) -> str:
        """The cache key of one sentence: a hash of ``parts`` (scheme, engine identity and
        model digest, source and target language, protected text), each delimited."""
        h = hashlib.sha256()
        for part in parts:
            data = part.encode("utf-8")
            h.update(len(data).to_bytes(8, "little"))
            h.update(data)
        return h.hexdigest()

    def file_digest(self, path: Path) -> str:
        """SHA-256 of the file's content, memoised by its size, times and inode."""
        st = path.stat()
        stat = f"{st.st_size}:{st.st_mtime_ns}:{st.st_ctime_ns}:{st.st_ino}:{st.st_dev}"
        row = self.db.execute(
            "SELECT stat, digest FROM files WHERE path = ?", (str(path),)
        ).fetchone()
        if row is not None and row[0] == stat:
            return str(row[1])
        h = hashlib.sha256()
        with path.open("rb") as f:
            while chunk := f.read(_CHUNK):
                h.update(chunk)
        digest = h.hexdigest()
        with self.db:
            self.db.execute(
                "INSERT OR REPLACE INTO files (path, stat, digest) VALUES (?, ?, ?)",
                (str(path), stat, digest),
            )
        return digest

    def files_digest(self, paths: Sequence[Path]) -> str:
        """One digest of several files' names (as given) and contents."""
        return self.key(*(f"{p.name}={self.file_digest(p)}" for p in paths))

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
