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
import mmap
import os
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from localise.errors import LocaliseError

_TABLES = {
    "mt": ("key TEXT PRIMARY KEY, target TEXT NOT NULL", ("key", "target")),
    "files": ("path TEXT PRIMARY KEY, stat TEXT NOT NULL, digest TEXT NOT NULL",
              ("path", "stat", "digest")),
}
"""The cache's tables: their definition, and the columns a cache must have to be used."""


class Cache:
    """Sentences the engines already translated (``.localise/cache/translations.sqlite``).

    Any SQLite failure (a damaged file, a folder or another program's database in its place,
    a full disk) is a LocaliseError naming the file, never a traceback.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise LocaliseError(f"cannot create the cache folder: {exc.strerror}",
                                path=path.parent) from None
        if path.is_symlink() or (path.exists() and not path.is_file()):
            raise LocaliseError("the translation cache is not a file; remove it (it only saves "
                                "time)", path=path)
        with self._guard("cannot open the translation cache"):
            self.db = sqlite3.connect(path)
        try:
            with self._guard("the translation cache is damaged; delete it (it only saves time)"):
                self.db.execute("PRAGMA schema_version")
            with self._guard("cannot prepare the translation cache"), self.db:
                for name, (definition, columns) in _TABLES.items():
                    self.db.execute(f"CREATE TABLE IF NOT EXISTS {name} ({definition})")
                    found = tuple(row[1] for row in self.db.execute(f"PRAGMA table_info({name})"))
                    if found != columns:
                        raise LocaliseError(
                            f"the translation cache has another layout (table {name}: "
                            f"{', '.join(found)}); delete it (it only saves time)", path=path
                        )
        except BaseException:
            self.db.close()
            raise

    @contextlib.contextmanager
    def _guard(self, what: str) -> Iterator[None]:
        """SQLite errors inside become a LocaliseError: ``what``, and SQLite's reason."""
        try:
            yield
        except sqlite3.Error as exc:
            raise LocaliseError(f"{what}: {exc}", path=self.path) from None

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

    def _memo(self, path: Path) -> tuple[str, str | None]:
        """The file's stat line, and its memoised digest if the stat still matches."""
        stat = stat_line(path)
        with self._guard("cannot read the translation cache"):
            row = self.db.execute(
                "SELECT stat, digest FROM files WHERE path = ?", (str(path),)
            ).fetchone()
        return stat, (str(row[1]) if row is not None and row[0] == stat else None)

    def file_digest(self, path: Path) -> str:
        """SHA-256 of the file's content, memoised by its size, times and inode."""
        stat, known = self._memo(path)
        if known is not None:
            return known
        digest = file_sha256(path)
        self._remember(path, stat, digest)
        return digest

    def _remember(self, path: Path, stat: str, digest: str) -> None:
        with self._guard("cannot write the translation cache"), self.db:
            self.db.execute(
                "INSERT OR REPLACE INTO files (path, stat, digest) VALUES (?, ?, ?)",
                (str(path), stat, digest),
            )

    def files_digest(self, paths: Sequence[Path]) -> str:
        """One digest of several files' names (as given) and contents (memoised)."""
        return files_digest(paths, file_digest=self.file_digest)

    def adopt(self, path: Path, hashed: tuple[str, str] | None) -> None:
        """Memoise a digest :func:`hashed_unchanged` computed elsewhere, if the file's stat is
        still the one it was hashed at (else the file is hashed again when asked for)."""
        if hashed is not None and stat_line(path) == hashed[0]:
            self._remember(path, *hashed)

    def unmemoised(self, paths: Sequence[Path]) -> list[Path]:
        """The files among ``paths`` whose digest is not memoised for their current stat."""
        return [p for p in paths if self._memo(p)[1] is None]

    def known_files_digest(self, paths: Sequence[Path]) -> str | None:
        """:meth:`files_digest` if every file's digest is memoised and current (nothing to
        hash), else None."""
        known = {p: self._memo(p)[1] for p in paths}
        if any(digest is None for digest in known.values()):
            return None
        return files_digest(paths, file_digest=lambda p: str(known[p]))

    def is_empty(self) -> bool:
        """True when no translation is cached (a new project, a fresh clone, a deleted cache)."""
        with self._guard("cannot read the translation cache"):
            return self.db.execute("SELECT 1 FROM mt LIMIT 1").fetchone() is None

    def get_many(self, keys: Sequence[str]) -> dict[str, str]:
        """The cached translations among ``keys``."""
        found: dict[str, str] = {}
        for i in range(0, len(keys), 500):
            chunk = list(keys[i : i + 500])
            marks = ",".join("?" * len(chunk))
            with self._guard("cannot read the translation cache"):
                found.update(
                    self.db.execute(f"SELECT key, target FROM mt WHERE key IN ({marks})", chunk)
                )
        return found

    def put_many(self, items: Sequence[tuple[str, str]]) -> None:
        """Store (key, translation) pairs in one transaction."""
        with self._guard("cannot write the translation cache"), self.db:
            self.db.executemany("INSERT OR REPLACE INTO mt (key, target) VALUES (?, ?)", items)

    def close(self) -> None:
        """Close the database."""
        self.db.close()


def stat_line(path: Path) -> str:
    """What the memo of a file's digest is valid for: its size, times, inode and device."""
    st = path.stat()
    return f"{st.st_size}:{st.st_mtime_ns}:{st.st_ctime_ns}:{st.st_ino}:{st.st_dev}"


def hashed_unchanged(path: Path) -> tuple[str, str] | None:
    """(stat line, SHA-256) of the file, or None when it changed while it was read: what a
    background thread may hash for :meth:`Cache.adopt` (no database is touched here)."""
    try:
        before = stat_line(path)
        digest = file_sha256(path)
        return (before, digest) if stat_line(path) == before else None
    except OSError:
        return None


def file_sha256(path: Path) -> str:
    """SHA-256 of the file's content (mapped, hashed in one call: the GIL is released once for
    the whole file, so a hashing thread does not queue for it between chunks)."""
    h = hashlib.sha256()
    with path.open("rb") as f:
        if os.fstat(f.fileno()).st_size == 0:
            return h.hexdigest()  # an empty file cannot be mapped
        with mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as mapped:
            h.update(mapped)
    return h.hexdigest()


def files_digest(
    paths: Sequence[Path], *, file_digest: Callable[[Path], str] = file_sha256
) -> str:
    """One digest of several files' names (as given) and contents: the model part of a cache
    key, and what a worker on another machine compares its model files with."""
    return Cache.key(*(f"{p.name}={file_digest(p)}" for p in paths))


@contextlib.contextmanager
def open_cache(folder: Path) -> Iterator[Cache]:
    """The translation cache kept in ``folder`` (a project's ``.localise``)."""
    cache = Cache(folder / "cache" / "translations.sqlite")
    try:
        yield cache
    finally:
        cache.close()
