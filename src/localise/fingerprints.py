"""Content digests of project files, kept beside their stat so an unchanged file is not read.

:func:`digest` is the one fingerprint of the project (of bytes, or of several). A
:class:`Fingerprints` table (``.localise/fingerprints.json``) remembers, per file, its size,
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

import binascii
import contextlib
import hashlib
import json
import os
import re
import struct
import sys
import time
from collections.abc import Container, Iterable, Iterator
from pathlib import Path
from typing import Any, BinaryIO

from localise.files import write_stream_if_changed

FORMAT = 1
"""Version of the table's layout; a table of another version is ignored (files are read)."""
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
_LINE = re.compile(
    rb'"([^"\\\x00-\x1f]*)":\[(\d+),(-?\d+),(-?\d+),(\d+),"([0-9a-f]{40})",(-?\d+)\](,?)\n')
"""One entry of the table as :meth:`Fingerprints._pieces` writes it (a name with no escape)."""


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
    lets it skip reading unchanged ones (see the module docstring)."""

    def __init__(self, path: Path, root: Path) -> None:
        self.path = path
        self.root = root
        self._prefix = os.path.join(os.fspath(root), "")
        self._entries: dict[str, bytes] | None = None
        self._made: dict[str, bytes] = {}
        """Entries made before the table was read (a run that hashes what it wrote but looks
        nothing up never reads it: they are merged into the file as it is written)."""
        self._racy: set[str] = set()
        self._seen: set[str] = set()
        self._dirty = False
        self._trust = not os.environ.get("LOCALISE_NO_STAT")

    @property
    def entries(self) -> dict[str, bytes]:
        """Project-relative path → the entry packed as :data:`_RECORD` (read on first use; a
        missing or damaged table is an empty one)."""
        if self._entries is None:
            try:
                with open(self.path, "rb") as handle:
                    self._entries = _read_table(handle)
            except OSError:
                self._entries = {}
            self._entries.update(self._made)
            self._made = {}
        return self._entries

    def _name(self, path: Path) -> str:
        """The table's name of ``path``: project-relative, interned (the state and the stage's
        report hold the same names: one string for all)."""
        text = os.fspath(path)
        return sys.intern(text[len(self._prefix):]) if text.startswith(self._prefix) else text

    def of(self, path: Path) -> str | None:
        """The digest of the file's bytes (:func:`digest`), or None when it does not exist;
        read only when its stat differs from the table's (or the entry is not settled)."""
        name = self._name(path)
        full = path if path.is_absolute() else self.root / path
        entries = self.entries
        self._seen.add(name)
        try:
            info = os.stat(full)
        except FileNotFoundError:
            if entries.pop(name, None) is not None:
                self._dirty = True
            return None
        entry = entries.get(name)
        if self._trust and entry is not None:
            size, mtime, ctime, inode, raw, hashed = _RECORD.unpack(entry)
            if ((size, mtime, ctime, inode) == _stamp(info) and _settled(ctime, hashed)):
                return raw.hex()
        return self._hash(name, full)

    def _hash(self, name: str, full: Path) -> str | None:
        """Read and hash the file; remember its stat as it was when read."""
        hashed = time.time_ns()
        try:
            with open(full, "rb") as handle:
                info = os.fstat(handle.fileno())
                data = handle.read()
        except FileNotFoundError:
            if self.entries.pop(name, None) is not None:
                self._dirty = True
            return None
        found = digest(data)
        if not self._trust:  # no table: nothing remembered, nothing written back
            return found
        entry = _RECORD.pack(*_stamp(info), bytes.fromhex(found), hashed)
        table = self._entries if self._entries is not None else self._made
        if table.get(name) != entry:
            table[name] = entry
            self._dirty = True
        if _settled(info.st_ctime_ns, hashed):
            self._racy.discard(name)
        else:
            self._racy.add(name)
        return found

    def wrote(self, path: Path) -> None:
        """Note that this run has just written ``path``: its entry is made before saving."""
        name = self._name(path)
        self._racy.add(name)
        self._seen.add(name)
        self._dirty = True

    def forget(self, path: Path) -> None:
        """Drop the entry of ``path`` (a file moved or removed)."""
        if self.entries.pop(self._name(path), None) is not None:
            self._dirty = True

    def save(self) -> None:
        """Hash again the files hashed or written too recently to trust (after waiting out the
        margin), then write the table back if it changed."""
        if self._racy and self._trust:
            self._settle()
        if not self._dirty or not self._trust:
            return
        if self._entries is not None:
            for name in [n for n in self._entries if n not in self._seen]:  # gone (renamed)
                if not os.path.lexists(self.root / name):
                    del self._entries[name]
        pieces = self._pieces() if self._entries is not None else self._merged()
        write_stream_if_changed(self.path, pieces, durable=False)
        self._dirty = False

    def _settle(self) -> None:
        names = sorted(self._racy)
        self._racy.clear()
        newest = 0
        for name in names:
            try:
                newest = max(newest, os.stat(self.root / name).st_ctime_ns)
            except OSError:
                continue
        margin = COARSE_MARGIN_NS if newest % 1_000_000_000 == 0 else MARGIN_NS
        wait = newest + margin - time.time_ns()
        if wait > 0:
            time.sleep(wait / 1e9 + 0.001)
        for name in names:
            self._hash(name, self.root / name)
        self._racy.clear()  # still racy: changing as we watch; the next run reads them again

    def _pieces(self) -> Iterator[bytes]:
        """The table, sorted, one file per line."""
        entries = self.entries
        return _layout((name, _line(name, entries[name])) for name in sorted(entries))

    def _merged(self) -> Iterator[bytes]:
        """:meth:`_pieces` of the table on disk with the entries this run made merged in,
        its lines read one at a time and copied (the table is never all in memory); read
        whole when laid out otherwise."""
        made = self._made
        fresh = ((name, _line(name, made[name])) for name in sorted(made))
        with contextlib.ExitStack() as stack:
            try:
                handle = stack.enter_context(open(self.path, "rb"))
            except OSError:  # no table yet (or an unreadable one: as good as none)
                yield from _layout(fresh)
                return
            try:
                for _ in _lines(handle):  # a damaged table must not be copied
                    pass
            except _OtherLayout:
                yield from self._pieces()
                return
            handle.seek(0)
            old = ((name, found.string[: found.end(7) + 1])
                   for name, found, _ in _lines(handle) if _inside(name))
            yield from _layout(_merge(old, fresh, made))


def _line(name: str, entry: bytes) -> bytes:
    """The entry of ``name`` as the table holds it on disk."""
    size, mtime, ctime, inode, raw, hashed = _RECORD.unpack(entry)
    return (json.dumps(name, ensure_ascii=False).encode() + b':[%d,%d,%d,%d,"%s",%d]'
            % (size, mtime, ctime, inode, raw.hex().encode(), hashed))


def _layout(lines: Iterable[tuple[str, bytes]]) -> Iterator[bytes]:
    """The table file made of ``(name, line)`` pairs, in the order given."""
    yield b'{"format":%d,"files":{' % FORMAT
    separator = b"\n"
    for _, line in lines:
        yield separator + line
        separator = b",\n"
    yield b"\n}}\n"


def _merge(
    old: Iterable[tuple[str, bytes]], new: Iterable[tuple[str, bytes]], replaced: Container[str]
) -> Iterator[tuple[str, bytes]]:
    """``old`` and ``new`` (both sorted by name) as one sorted sequence; an old name that is
    in ``replaced`` (the names of ``new``) is left out."""
    pending = iter(new)
    ahead = next(pending, None)
    for name, line in old:
        while ahead is not None and ahead[0] < name:
            yield ahead
            ahead = next(pending, None)
        if name not in replaced:
            yield name, line
    if ahead is not None:
        yield ahead
        yield from pending


class _OtherLayout(Exception):
    """A table file not laid out as :meth:`Fingerprints._pieces` writes it (or damaged)."""


def _lines(handle: BinaryIO) -> Iterator[tuple[str, re.Match[bytes], bytes]]:
    """``(name, line matched, packed entry)`` of each entry of a table laid out as
    :meth:`Fingerprints._pieces` writes it, checked as it is read: _OtherLayout (when it is
    found) for any other layout or a damaged file."""
    if handle.readline() != b'{"format":%d,"files":{\n' % FORMAT:
        raise _OtherLayout
    pack, unhex, match = _RECORD.pack, binascii.a2b_hex, _LINE.fullmatch
    more = None  # whether the line before ended with a comma (None: no entry yet)
    for line in handle:
        found = match(line)
        if found is None or more is False:
            if found is None and line == b"}}\n" and not more and handle.read(1) == b"":
                return
            raise _OtherLayout
        name, size, mtime, ctime, inode, hexed, hashed, comma = found.groups()
        more = comma == b","
        try:
            yield name.decode(), found, pack(int(size), int(mtime), int(ctime), int(inode),
                                             unhex(hexed), int(hashed))
        except (UnicodeDecodeError, struct.error):
            raise _OtherLayout from None
    raise _OtherLayout  # cut short


def _read_table(handle: BinaryIO) -> dict[str, bytes]:
    """The entries of a table file, read a line at a time when it is laid out as
    :meth:`Fingerprints._pieces` writes it (so the parsed JSON and the packed entries are
    never all in memory together), else parsed whole; a damaged table is an empty one."""
    entries: dict[str, bytes] = {}
    try:
        for name, _, entry in _lines(handle):
            if _inside(name):
                entries[name] = entry
        return entries
    except _OtherLayout:
        entries.clear()
    handle.seek(0)
    try:
        data = json.loads(handle.read())
    except ValueError:
        return {}
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        return {}
    files = data.get("files")
    return dict(_packed(files.items() if isinstance(files, dict) else ()))


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
