"""Keyed tables in SQLite files under ``.localise/``, read a row at a time and changed in one
transaction that the run commits (a run killed midway leaves the table as it was).

Used where a JSON document read whole would grow with the project: the file digests
(:mod:`localise.fingerprints`), what each output was made from (:class:`localise.project.State`)
and the build's page index (:class:`localise.stages._record.BuildRecord`).
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from localise.errors import LocaliseError

CACHE_KIB = 1024
"""SQLite's page cache per table (KiB): however large the table, no more is held."""
BATCH = 512
"""Rows read at a time by :meth:`Table.scan`."""


class Table:
    """One SQLite file holding one table keyed on ``name`` (see the module docstring); opened
    on first use, made when first written, and made again when damaged or of another
    ``version`` (what it held is then simply redone)."""

    def __init__(
        self,
        path: Path,
        *,
        schema: str,
        version: int,
        what: str,
        table: str,
        legacy: tuple[Path, Callable[[Table, bytes], None]] | None = None,
    ) -> None:
        self.path = path
        self.schema = schema
        self.version = version
        self.what = what
        """What the table holds, for error messages (``the file digests``)."""
        self.table = table
        self._legacy = legacy
        """``(file, importer)``: when the table does not exist yet and the file (what an
        earlier version kept) does, the importer is given the new table, in its first
        transaction, and the file's bytes; once committed, the file is removed."""
        self._db: sqlite3.Connection | None = None
        self._opened = False
        self._created = False
        """Made by this run and not committed yet: :meth:`close` removes it."""

    def reader(self) -> sqlite3.Connection | None:
        """The table, opened on first use; None when there is none, or it is damaged or of
        another version."""
        if self._opened:
            return self._db
        self._opened = True
        if self._legacy is not None and not self.path.exists() and self._legacy[0].is_file():
            old, importer = self._legacy
            try:
                data = old.read_bytes()
            except OSError:
                data = b""
            self._db = self._create()
            importer(self, data)
            self.commit()
            with contextlib.suppress(FileNotFoundError):
                old.unlink()
            return self._db
        if self.path.is_file():
            db = sqlite3.connect(f"file:{self.path}?mode=rw", uri=True, isolation_level=None)
            try:
                if db.execute("PRAGMA user_version").fetchone()[0] == self.version:
                    db.execute(f"SELECT name FROM {self.table} LIMIT 1").fetchall()
                    db.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
                    self._db = db
            except sqlite3.DatabaseError:
                pass
            if self._db is None:
                db.close()
        return self._db

    def writer(self) -> sqlite3.Connection:
        """The table in a write transaction (made, or made again, when there is no usable one)."""
        db = self.reader()
        if db is None:
            db = self._db = self._create()
        if not db.in_transaction:
            self._run(db, "BEGIN IMMEDIATE")
        return db

    def _create(self) -> sqlite3.Connection:
        """A new empty table in a transaction, in place of whatever file was there."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            for stale in (self.path, self.path.with_name(self.path.name + "-journal")):
                with contextlib.suppress(FileNotFoundError):
                    stale.unlink()
            db = sqlite3.connect(self.path, isolation_level=None)
            self._created = True
            db.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
            db.execute("BEGIN IMMEDIATE")
            for statement in self.schema.split(";"):
                if statement.strip():
                    db.execute(statement)
            db.execute(f"PRAGMA user_version = {self.version}")
        except (sqlite3.Error, OSError) as exc:
            why = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
            raise LocaliseError(f"cannot write {self.what}: {why}", path=self.path) from None
        return db

    def execute(self, sql: str, args: tuple[Any, ...] = ()) -> None:
        """Run one statement that writes, in the run's transaction (LocaliseError naming the
        file if it fails)."""
        db = self._db if self._db is not None and self._db.in_transaction else self.writer()
        self._run(db, sql, args)

    def _run(self, db: sqlite3.Connection, sql: str, args: tuple[Any, ...] = ()) -> None:
        try:
            db.execute(sql, args)
        except sqlite3.Error as exc:
            raise LocaliseError(f"cannot write {self.what}: {exc}", path=self.path) from None

    def one(self, sql: str, args: tuple[Any, ...] = ()) -> tuple[Any, ...] | None:
        """The first row a query finds; None when none (or there is no usable table)."""
        db = self.reader()
        if db is None:
            return None
        try:
            row: tuple[Any, ...] | None = db.execute(sql, args).fetchone()
        except sqlite3.DatabaseError:
            return None
        return row

    def rows(self, sql: str, args: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        """The rows a query finds; none when there is no usable table, or when it turns out
        damaged (it is then let go of, and made again when written)."""
        return list(self.each(sql, args))

    def each(self, sql: str, args: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
        """The rows a query finds, :data:`BATCH` at a time (see :meth:`rows`)."""
        db = self.reader()
        if db is None:
            return
        try:
            cursor = db.execute(sql, args)
            while batch := cursor.fetchmany(BATCH):
                yield from batch
        except sqlite3.DatabaseError:
            db.close()
            self._db = None

    def scan(self, columns: str, where: str = "1") -> Iterator[tuple[Any, ...]]:
        """``(name, *columns)`` of every row matching ``where``, by name, :data:`BATCH` at a
        time (rows may be changed between batches)."""
        db = self.reader()
        if db is None:
            return
        after = ""
        sql = (f"SELECT name, {columns} FROM {self.table} WHERE name > ? AND ({where}) "
               f"ORDER BY name LIMIT {BATCH}")
        while True:
            rows = db.execute(sql, (after,)).fetchall()
            if not rows:
                return
            yield from rows
            after = rows[-1][0]

    @property
    def dirty(self) -> bool:
        """True when this run changed the table (its transaction is open)."""
        return self._db is not None and self._db.in_transaction

    def commit(self) -> None:
        """Commit what this run changed (nothing changed: nothing written)."""
        if self._db is not None and self._db.in_transaction:
            self._run(self._db, "COMMIT")
            self._created = False

    def close(self) -> None:
        """Let go of the table; what was not committed is forgotten (a table this run made
        and never committed goes too). Reading it again opens it again."""
        self._opened = False
        if self._db is None:
            return
        if self._db.in_transaction:
            with contextlib.suppress(sqlite3.Error):
                self._db.execute("ROLLBACK")
        self._db.close()
        self._db = None
        if self._created:
            self._created = False
            with contextlib.suppress(FileNotFoundError):
                self.path.unlink()
