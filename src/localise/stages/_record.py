"""What each build wrote, kept in ``.localise/``: the page index and one record per page.

``.localise/build.sqlite`` lists every page a build wrote (or kept back), per tree
(``reviewed``, ``draft``), one row per page (an SQLite table, so a build reads and writes the
rows it needs and never holds the whole index): the article and language it was made from, a
fingerprint of its inputs (so an unchanged page is skipped unread), the digest of the bytes
localise wrote (so only files it wrote, unchanged since, are ever removed), the units that were
not reviewed translations, and the assets copied beside it. ``.localise/pages/<digest of the
page path>.json`` (:func:`detail_path`) holds, per page, what was published unit by unit
(msgid, state, the Markdown that went out and where it sits in the page, why a unit went out in
English) — the baseline a review compares the next build with; for a page ``publish =
"reviewed"`` kept back, the earlier page's record stays, with the last build's notes (and their
msgids) beside it. The index is a cache: a missing or damaged one means every page is rebuilt
(its bytes compared before writing), never a wrong page.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from localise.project import Project, digest
from localise.stages import UnitNote
from localise.tables import Table

if TYPE_CHECKING:
    from localise.publish import Page

FORMAT = 2
"""Version of the index layout (SQLite's ``user_version``); an index of another version is
ignored (pages rebuild). Version 1 was ``build.json``, read once into a new index."""
LEGACY_FORMAT = 1
"""The version of ``build.json``, the index before it was a table."""
UNTRANSLATED = "not translated yet"
"""The usual reason of an untranslated unit, stored as its line number alone."""


@dataclass(slots=True)
class PageEntry:
    """One page in the index."""

    article: str
    """Source article, project-relative POSIX path."""
    slug: str
    lang: str
    tree: str
    """``reviewed`` or ``draft``."""
    key: str
    """Fingerprint of the page's bytes on disk and every input it was made from."""
    written: str | None
    """Digest of the bytes localise last wrote at the path (None: never written)."""
    units: int
    notes: list[Any] = field(default_factory=list)
    """Compact notes: a line number (untranslated), or ``[line, kind, reason]``."""
    kinds: dict[str, int] = field(default_factory=dict)
    """How many notes of each kind (so a warm build reports a page without reading them)."""
    published: bool = True
    assets: list[dict[str, Any]] = field(default_factory=list)
    """``{"source", "copy", "stamp": [size, mtime_ns], "digest"}`` per asset copied."""

    def unit_notes(self) -> list[UnitNote]:
        """The notes as :class:`UnitNote` (without msgids)."""
        out = []
        for note in self.notes:
            if isinstance(note, int):
                out.append(UnitNote(note, "untranslated", UNTRANSLATED))
            else:
                out.append(UnitNote(int(note[0]), str(note[1]), str(note[2])))
        return out

    @staticmethod
    def count(notes: Iterable[UnitNote]) -> dict[str, int]:
        """Notes per kind, in order of first appearance."""
        kinds: dict[str, int] = {}
        for note in notes:
            kinds[note.kind] = kinds.get(note.kind, 0) + 1
        return kinds

    @staticmethod
    def compact(notes: Iterable[UnitNote]) -> list[Any]:
        """Notes as stored (see :attr:`notes`)."""
        return [
            n.line if (n.kind, n.reason) == ("untranslated", UNTRANSLATED) else
            [n.line, n.kind, n.reason]
            for n in notes
        ]


def built_at() -> str:
    """When this build ran (``SOURCE_DATE_EPOCH`` when set), ISO 8601 UTC."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    moment = dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC) if epoch else dt.datetime.now(dt.UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _write(path: Path, data: bytes) -> None:
    """Replace ``path`` atomically (a cache file: no fsync, a crash loses at most a record)."""
    import tempfile

    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def detail_path(folder: Path, name: str) -> Path:
    """``<folder>/pages/<digest of the page path>.json``: the record of the page ``name``
    (named by digest: a page path may already be as long as a file name can be; the record
    says which page it is under ``"path"``)."""
    return folder / "pages" / f"{digest(name.encode('utf-8'))}.json"


def read_detail(folder: Path, name: str) -> dict[str, Any] | None:
    """The per-page record of ``name``, if there is one."""
    try:
        data = json.loads(detail_path(folder, name).read_bytes())
    except (FileNotFoundError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def write_detail(folder: Path, name: str, data: dict[str, Any], *, compare: bool = True) -> None:
    """Replace the per-page record of ``name``; with ``compare``, not when it holds the same
    already (time aside), so that rebuilding an unchanged page changes no file."""
    if compare:
        old = read_detail(folder, name)
        if old is not None and {**old, "built": None} == {**data, "built": None}:
            return
    payload = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    _write(detail_path(folder, name), payload.encode("utf-8"))


def page_notes(page: Page) -> tuple[UnitNote, ...]:
    """The units of ``page`` that are not reviewed translations, by line."""
    notes = [UnitNote(f.unit.line, f.kind, f.reason, f.unit.msgid) for f in page.fallbacks]
    notes += [
        UnitNote(u.unit.line, "unreviewed", "unreviewed draft published", u.unit.msgid)
        for u in page.units if u.state == "unreviewed"
    ]
    notes.sort(key=lambda n: (n.line, n.kind))
    return tuple(notes)


def record_page(
    folder: Path,
    name: str,
    *,
    page: Page,
    notes: tuple[UnitNote, ...],
    article: str,
    lang: str,
    tree: str,
    published: bool,
    written: bool,
) -> None:
    """Write the record of one page a build assembled (see the module docstring)."""
    detail: dict[str, Any] = {"path": name, "article": article, "lang": lang, "tree": tree}
    if published:  # what went out, unit by unit: the baseline of the next review
        why = {id(f.unit): f for f in page.fallbacks}
        units = []
        for u in page.units:
            unit: dict[str, Any] = {
                "line": u.unit.line, "msgid": u.unit.msgid, "state": u.state,
                "start": u.start, "end": u.end, "text": page.text[u.start : u.end],
            }
            fallback = why.get(id(u.unit))
            if fallback is not None:
                unit |= {"kind": fallback.kind, "reason": fallback.reason}
            units.append(unit)
        detail |= {"built": built_at(), "published": {
            "draft": bool(page.fuzzy_used) and tree == "draft",
            "digest": digest(page.text.encode("utf-8")),
            "units": units,
        }}
    else:  # kept back: the earlier page's record stays, with this build's notes beside it
        earlier = read_detail(folder, name) or {}
        detail |= {
            "built": earlier.get("built"), "published": earlier.get("published"),
            "notes": [[n.line, n.kind, n.reason, n.msgid] for n in notes],
        }
    write_detail(folder, name, detail, compare=not written)


_SCHEMA = """
CREATE TABLE pages (
    name TEXT PRIMARY KEY,  -- the page, project-relative POSIX
    tree TEXT NOT NULL, article TEXT NOT NULL, slug TEXT NOT NULL, lang TEXT NOT NULL,
    key TEXT NOT NULL, written TEXT, units INTEGER NOT NULL,
    notes TEXT NOT NULL, kinds TEXT NOT NULL,  -- JSON: PageEntry.notes, PageEntry.kinds
    published INTEGER NOT NULL,
    assets TEXT  -- JSON list of PageEntry.assets, NULL when none
) WITHOUT ROWID;
CREATE INDEX pages_with_assets ON pages (tree) WHERE assets IS NOT NULL;
"""
_COLUMNS = "name, tree, article, slug, lang, key, written, units, notes, kinds, published, assets"
_FIND = f"SELECT {_COLUMNS.partition(', ')[2]} FROM pages WHERE name = ?"


def _json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


class BuildRecord:
    """The page index of ``.localise/build.sqlite`` and the per-page records beside it.

    Rows are read as they are asked for; what a build changes is written as it goes, in one
    transaction that :meth:`save` commits (:meth:`close` without it: nothing changes). A
    reader never makes the file; the ``writer`` (the build) reads the ``build.json`` of an
    earlier version into a new index first."""

    def __init__(self, project: Project, *, writer: bool = False) -> None:
        self.project = project
        self.folder = project.config.cache_dir
        self.path = self.folder / "build.sqlite"
        self.legacy = self.folder / "build.json"
        self.writer = writer
        self.config_key = project.state.config_key
        self.orphans: dict[str, str] = {}
        """Asset copies (project-relative) no rebuilt page links to any more, with the digest
        of what was copied: removed at the end of the build unless another page links them."""
        self._table = Table(
            self.path, schema=_SCHEMA, version=FORMAT, what="the build index", table="pages",
            legacy=(self.legacy, self._import_legacy) if writer else None,
        )
        self._kinds: dict[str, dict[str, int]] = {}
        """Each distinct ``kinds`` read, shared by the entries that have it (never changed)."""

    def __enter__(self) -> BuildRecord:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- the table ---------------------------------------------------------------------------

    def _import_legacy(self, table: Table, data: bytes) -> None:
        """Rows for the pages of ``build.json`` (the index of an earlier version), if any."""
        try:
            found = json.loads(data)
        except ValueError:
            return
        if not (isinstance(found, dict) and found.get("format") == LEGACY_FORMAT
                and isinstance(found.get("pages"), dict)):
            return
        for name, raw in found["pages"].items():
            try:
                entry = PageEntry(**raw)
                if not entry.kinds:
                    entry.kinds = PageEntry.count(entry.unit_notes())
            except (TypeError, ValueError, AttributeError, IndexError, KeyError):
                continue  # damaged: that page is simply rebuilt
            self._insert(name, entry)

    def _insert(self, name: str, entry: PageEntry) -> None:
        self._table.execute(
            f"INSERT OR REPLACE INTO pages ({_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
            (name, entry.tree, entry.article, entry.slug, entry.lang, entry.key, entry.written,
             entry.units, _json(entry.notes), _json(entry.kinds), int(entry.published),
             _json(entry.assets) if entry.assets else None),
        )

    def _entry(self, row: tuple[Any, ...]) -> PageEntry:
        """The entry of one row (``_COLUMNS`` without the name)."""
        tree, article, slug, lang, key, written, units, notes, kinds, published, assets = row
        shared = self._kinds.get(kinds)
        if shared is None:
            shared = self._kinds[kinds] = json.loads(kinds)
        return PageEntry(
            article=article, slug=slug, lang=lang, tree=tree, key=key, written=written,
            units=units, notes=json.loads(notes), kinds=shared, published=bool(published),
            assets=json.loads(assets) if assets is not None else [],
        )

    # -- entries ---------------------------------------------------------------------------

    def name(self, path: Path) -> str:
        """The index key of an absolute page path: project-relative POSIX."""
        return self.project.relative(path).as_posix()

    def key_of(self, on_disk: str | None, inputs: tuple[str, ...]) -> str:
        """Fingerprint of a page whose file's bytes have the digest ``on_disk`` (None: no
        file) made from ``inputs`` (the digests of its source and catalogue, and tags)."""
        file = b"\0absent" if on_disk is None else b"\0file" + on_disk.encode()
        return digest(self.config_key.encode(), file, *(i.encode() for i in inputs))

    def find(self, name: str) -> PageEntry | None:
        """The index entry of the page ``name`` (project-relative POSIX)."""
        row = self._table.one(_FIND, (name,))
        return self._entry(row) if row is not None else None

    def get(self, path: Path) -> PageEntry | None:
        """The index entry of the page at ``path``."""
        return self.find(self.name(path))

    def put(self, path: Path, entry: PageEntry) -> None:
        """Remember ``entry`` for the page at ``path`` (written when the build is saved)."""
        self._insert(self.name(path), entry)

    def drop(self, name: str) -> None:
        """Forget the page ``name`` and its record."""
        if self.find(name) is not None:
            self._table.execute("DELETE FROM pages WHERE name = ?", (name,))
        with contextlib.suppress(FileNotFoundError):
            self.detail_path(name).unlink()

    def pages(self, tree: str) -> Iterator[tuple[str, str, str]]:
        """``(name, slug, lang)`` of every page of ``tree`` in the index, by name (read a few
        at a time)."""
        yield from self._table.each(
            "SELECT name, slug, lang FROM pages WHERE tree = ? ORDER BY name", (tree,))

    def with_assets(self, tree: str | None = None) -> list[tuple[str, PageEntry]]:
        """``(name, entry)`` of every page (of ``tree``, when given) with assets copied."""
        where = "assets IS NOT NULL" + (" AND tree = ?" if tree is not None else "")
        rows = self._table.rows(f"SELECT {_COLUMNS} FROM pages WHERE {where} ORDER BY name",
                                (tree,) if tree is not None else ())
        return [(row[0], self._entry(row[1:])) for row in rows]

    def detail_path(self, name: str) -> Path:
        """Where the record of page ``name`` is (see :func:`detail_path`)."""
        return detail_path(self.folder, name)

    def detail(self, name: str) -> dict[str, Any] | None:
        """The per-page record of ``name``, if there is one."""
        return read_detail(self.folder, name)

    def save(self) -> None:
        """Commit what this build changed in the index (nothing changed: nothing written)."""
        self._table.commit()

    def close(self) -> None:
        """Let go of the index; what was not saved is forgotten (an index made by this run
        and never saved goes too). Reading it again opens it again."""
        self._table.close()
