"""What each build wrote, kept in ``.localise/``: the page index and one record per page.

``.localise/build.json`` lists every page a build wrote (or kept back), per tree (``reviewed``,
``draft``): the article and language it was made from, a fingerprint of its inputs (so an
unchanged page is skipped unread), the digest of the bytes localise wrote (so only files it
wrote, unchanged since, are ever removed), the units that were not reviewed translations, and
the assets copied beside it. ``.localise/pages/<digest of the page path>.json``
(:func:`detail_path`) holds, per page, what was published unit by unit (msgid, state, the
Markdown that went out and where it sits in the page, why a unit went out in English) — the
baseline a review compares the next build with; for a page ``publish = "reviewed"`` kept
back, the earlier page's record stays, with the last build's notes (and their msgids) beside
it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from localise.files import write_stream_if_changed
from localise.project import Project, digest
from localise.stages import UnitNote

if TYPE_CHECKING:
    from localise.publish import Page

FORMAT = 1
"""Version of the record layout; a record of another version is ignored (pages rebuild)."""
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


class BuildRecord:
    """The page index of ``.localise/build.json`` and the per-page records beside it."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self.folder = project.config.cache_dir
        self.path = self.folder / "build.json"
        self.config_key = project.state.config_key
        self.pages: dict[str, PageEntry] = {}
        try:
            data = json.loads(self.path.read_bytes())
        except (FileNotFoundError, ValueError):
            data = None
        if isinstance(data, dict) and data.get("format") == FORMAT:
            for name, raw in data.get("pages", {}).items():
                with contextlib.suppress(TypeError):
                    self.pages[name] = PageEntry(**raw)
        self.dirty = False
        self.orphans: dict[str, str] = {}
        """Asset copies (project-relative) no rebuilt page links to any more, with the digest
        of what was copied: removed at the end of the build unless another page links them."""

    def name(self, path: Path) -> str:
        """The index key of an absolute page path: project-relative POSIX."""
        return self.project.relative(path).as_posix()

    def key_of(self, on_disk: str | None, inputs: tuple[str, ...]) -> str:
        """Fingerprint of a page whose file's bytes have the digest ``on_disk`` (None: no
        file) made from ``inputs`` (the digests of its source and catalogue, and tags)."""
        file = b"\0absent" if on_disk is None else b"\0file" + on_disk.encode()
        return digest(self.config_key.encode(), file, *(i.encode() for i in inputs))

    def get(self, path: Path) -> PageEntry | None:
        """The index entry of the page at ``path``."""
        return self.pages.get(self.name(path))

    def put(self, path: Path, entry: PageEntry) -> None:
        """Remember ``entry`` for the page at ``path``."""
        name = self.name(path)
        if self.pages.get(name) != entry:
            self.pages[name] = entry
            self.dirty = True

    def drop(self, name: str) -> None:
        """Forget the page ``name`` and its record."""
        if self.pages.pop(name, None) is not None:
            self.dirty = True
        with contextlib.suppress(FileNotFoundError):
            self.detail_path(name).unlink()

    def detail_path(self, name: str) -> Path:
        """Where the record of page ``name`` is (see :func:`detail_path`)."""
        return detail_path(self.folder, name)

    def detail(self, name: str) -> dict[str, Any] | None:
        """The per-page record of ``name``, if there is one."""
        return read_detail(self.folder, name)

    def save(self) -> None:
        """Write the index back if it changed."""
        if not self.dirty:
            return
        write_stream_if_changed(self.path, self._pieces())
        self.dirty = False

    def _pieces(self) -> Iterator[bytes]:
        """The index as ``json.dumps(sort_keys=True)`` would write it, a page at a time."""
        yield b'{"format":%d,"pages":{' % FORMAT
        separator = b""
        for name in sorted(self.pages):
            entry = json.dumps(asdict(self.pages[name]), ensure_ascii=False,
                               separators=(",", ":"), sort_keys=True)
            yield separator + f"{json.dumps(name, ensure_ascii=False)}:{entry}".encode()
            separator = b","
        yield b"}}"
