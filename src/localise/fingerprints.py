"""Content digests of project files, kept beside their stat so an unchanged file is not read.

:func:`digest` is the one fingerprint of the project (of bytes, or of several). A
:class:`Fingerprints` table (``.localise/fingerprints.sqlite``, a row per file, read a row at a
time and changed in one transaction a run commits; an earlier version's ``fingerprints.json``
is imported once) remembers, per file, its size,
mtime, ctime and inode with the digest of its bytes, as git's index does: a later run that
finds the same stat takes the digest without reading the file. ctime cannot be set by a
program, so an edit always changes it, whatever the editor does to the mtime.

The one hole in such a table is an edit within the same clock tick as the hashing (a stat
that cannot tell the two versions apart). So an entry is trusted only when the file's ctime
is older than the moment it was hashed by more than :data:`MARGIN_NS` (two seconds on a file
system with whole-second times); one hashed too soon after its last change ("racy", git's
word) is hashed again before the table is saved, after waiting out the margin, so a run
leaves no entry a later run must read again. A file system whose clock runs behind this
machine's (a network share) could defeat the margin; set ``LOCALISE_NO_STAT=1`` there and
every file is read each run.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import struct
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from localise.tables import Table

FORMAT = 1
"""Version of the table's layout (SQLite's ``user_version``; the JSON table's ``format``); a
table of another version is ignored (files are read)."""
MARGIN_NS = 20_000_000
"""How much older than its hashing a file's ctime must be for the entry to be trusted: two
ticks of the kernel's coarse clock at 100 Hz (file times come from that clock)."""
COARSE_MARGIN_NS = 2_000_000_000
"""The margin for a file whose times are whole seconds (FAT keeps two-second times)."""

Stamp = tuple[int, int, int, int]
"""``(size, mtime_ns, ctime_ns, inode)`` of a file."""
_RECORD = struct.Struct("<QqqQ20sq")
"""An entry as held in memory: size, mtime_ns, ctime_ns, inode, the digest's 20 bytes,
hashed_ns (60 bytes in one object, where a list of six values takes about 400)."""


def digest(*parts: bytes) -> str:
    """Fingerprint of a sequence of byte strings (lengths included, so parts cannot shift)."""
    h = hashlib.blake2b(digest_size=20)
    for part in parts:
        h.update(len(part).to_bytes(8, "little"))
        h.update(part)
    return h.hexdigest()


def _stamp(info: os.stat_result) -> Stamp:
    return info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino


def _inside(name: str) -> bool:
    """True for a project-relative path that stays inside the project (a table edited by
    hand cannot make a run look outside it)."""
    return bool(name) and not os.path.isabs(name) and ".." not in name.split("/")


def _settled(ctime_ns: int, hashed_ns: int) -> bool:
    """True when a file last changed at ``ctime_ns`` and hashed at ``hashed_ns`` cannot have
    changed since within the same tick."""
    margin = COARSE_MARGIN_NS if ctime_ns % 1_000_000_000 == 0 else MARGIN_NS
    return ctime_ns + margin < hashed_ns


class Fingerprints:
    """The digests of the project's files this run has asked for, with the table of stats that
    lets it skip reading unchanged ones (see the module docstring), kept in SQLite and read a
    row at a time."""

    def __init__(self, path: Path, root: Path) -> None:
        self.path = path
        self.root = root
        self._prefix = os.path.join(os.fspath(root), "")
        self._table = Table(path, schema=_SCHEMA, version=FORMAT, what="the file digests",
                            table="files", legacy=(path.with_name(LEGACY_NAME), _import))
        self._trust = not os.environ.get("LOCALISE_NO_STAT")

    def _get(self, name: str) -> bytes | None:
        row = self._table.one("SELECT entry FROM files WHERE name = ?", (name,))
        return row[0] if row is not None else None

    def _drop(self, name: str, entry: bytes | None = b"") -> None:
        """Delete the row of ``name`` if it has an entry (``entry``: the one already read)."""
        if (self._get(name) if entry == b"" else entry) is not None:
            self._table.execute("DELETE FROM files WHERE name = ?", (name,))

    def items(self) -> Iterator[tuple[str, bytes]]:
        """``(name, entry packed as _RECORD)`` of every file of the table, by name (read a few
        at a time; rows of files written but not hashed yet left out)."""
        if self._trust:
            yield from self._table.scan("entry", "entry IS NOT NULL")

    # -- digests -------------------------------------------------------------------------

    def _name(self, path: Path) -> str:
        """The table's name of ``path``: project-relative."""
        text = os.fspath(path)
        return text[len(self._prefix):] if text.startswith(self._prefix) else text

    def of(self, path: Path) -> str | None:
        """The digest of the file's bytes (:func:`digest`), or None when it does not exist;
        read only when its stat differs from the table's (or the entry is not settled)."""
        name = self._name(path)
        full = path if path.is_absolute() else self.root / path
        if not self._trust:
            return self._hash(name, full, None)
        entry = self._get(name)
        try:
            info = os.stat(full)
        except FileNotFoundError:
            self._drop(name, entry)
            return None
        if entry is not None:
            size, mtime, ctime, inode, raw, hashed = _RECORD.unpack(entry)
            if ((size, mtime, ctime, inode) == _stamp(info) and _settled(ctime, hashed)):
                return raw.hex()
        return self._hash(name, full, entry)

    def _hash(self, name: str, full: Path, old: bytes | None) -> str | None:
        """Read and hash the file; remember its stat as it was when read (``old``: the entry
        the table holds)."""
        hashed = time.time_ns()
        try:
            with open(full, "rb") as handle:
                info = os.fstat(handle.fileno())
                data = handle.read()
        except FileNotFoundError:
            if self._trust:
                self._drop(name)
            return None
        found = digest(data)
        if not self._trust:  # no table: nothing remembered, nothing written back
            return found
        entry = _RECORD.pack(*_stamp(info), bytes.fromhex(found), hashed)
        racy = not _settled(info.st_ctime_ns, hashed)
        if entry != old or racy:
            self._table.execute(_PUT, (name, entry, int(racy)))
        return found

    def wrote(self, path: Path) -> None:
        """Note that this run has just written ``path``: its entry is made before saving."""
        if self._trust:
            self._table.execute(_PUT, (self._name(path), None, 1))

    def forget(self, path: Path) -> None:
        """Drop the entry of ``path`` (a file moved or removed)."""
        if self._trust:
            self._drop(self._name(path))

    @property
    def dirty(self) -> bool:
        """True when this run changed the table."""
        return self._table.dirty

    def save(self) -> None:
        """Hash again the files hashed or written too recently to trust (after waiting out the
        margin), drop the entries of files gone, and commit, if anything changed."""
        if not self._table.dirty:
            return
        self._settle()
        self._prune()
        self._table.commit()

    def close(self) -> None:
        """Let go of the table; what was not saved is forgotten."""
        self._table.close()

    def _settle(self) -> None:
        newest = 0
        for name, _ in self._table.scan("racy", "racy"):
            try:
                newest = max(newest, os.stat(self.root / name).st_ctime_ns)
            except OSError:
                continue
        if newest:
            margin = COARSE_MARGIN_NS if newest % 1_000_000_000 == 0 else MARGIN_NS
            wait = newest + margin - time.time_ns()
            if wait > 0:
                time.sleep(wait / 1e9 + 0.001)
        for name, _ in self._table.scan("racy", "racy"):
            self._hash(name, self.root / name, None)
            # still racy: changing as we watch; the next run reads it again
            self._table.execute("UPDATE files SET racy = 0 WHERE name = ?", (name,))
        self._table.execute("DELETE FROM files WHERE entry IS NULL")

    def _prune(self) -> None:
        """Drop the entries of files that no longer exist (renamed or removed)."""
        gone = [name for name, _ in self.items() if not os.path.lexists(self.root / name)]
        for name in gone:
            self._table.execute("DELETE FROM files WHERE name = ?", (name,))


LEGACY_NAME = "fingerprints.json"
"""The table as an earlier version kept it (JSON, read whole)."""
_SCHEMA = """
CREATE TABLE files (
    name TEXT PRIMARY KEY,  -- project-relative
    entry BLOB,  -- _RECORD (NULL: written by the running command, hashed before it commits)
    racy INTEGER NOT NULL  -- 1: hashed (or written) too soon to trust, hashed again at save
) WITHOUT ROWID;
CREATE INDEX files_racy ON files (name) WHERE racy;
"""
_PUT = "INSERT OR REPLACE INTO files (name, entry, racy) VALUES (?, ?, ?)"


def _import(table: Table, data: bytes) -> None:
    """Rows for the well-formed entries of ``fingerprints.json`` (an earlier version's table),
    if any; a damaged file gives none (its files are simply read)."""
    try:
        loaded = json.loads(data)
    except ValueError:
        return
    if not isinstance(loaded, dict) or loaded.get("format") != FORMAT:
        return
    files = loaded.get("files")
    for name, entry in _packed(files.items() if isinstance(files, dict) else ()):
        table.execute(_PUT, (name, entry, 0))


def _packed(items: Iterable[tuple[str, Any]]) -> Iterator[tuple[str, bytes]]:
    """``(name, packed entry)`` for each well-formed ``(name, [size, mtime_ns, ctime_ns,
    inode, digest, hashed_ns])`` of a parsed table (others are dropped: their files are read)."""
    for name, entry in items:
        if not (_inside(name) and isinstance(entry, list) and len(entry) == 6
                and all(type(v) is int for i, v in enumerate(entry) if i != 4)
                and isinstance(entry[4], str) and re.fullmatch("[0-9a-f]{40}", entry[4])):
            continue
        try:
            yield name, _RECORD.pack(*entry[:4], bytes.fromhex(entry[4]), entry[5])
        except struct.error:  # a value out of range: not a stat this machine made
            continue
