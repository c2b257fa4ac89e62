"""The pipeline's stages, one module each: every entry point is ``run(project, *, ...)``.

``extract`` (sources → templates), ``update`` (templates → language catalogues), ``translate``
(machine drafts), ``build`` (catalogues + sources → published pages), ``check`` (QA findings),
``status`` (counts), ``review`` (the static review site); ``init`` makes a new project's
files. A stage reads what it needs through
:class:`localise.project.Project`, returns a report and prints nothing: the CLI does the
talking, and shows how far a long stage is from what the stage tells its ``progress``
callback (:class:`Progress`, usually through a :class:`Ticker`).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple, Protocol, TypeVar, overload

from localise.files import TEMP_PREFIX, TEMP_SUFFIX
from localise.project import Source, digest


class UnitNote(NamedTuple):
    """One unit of a built page that is not a reviewed translation (a tuple: a warm build of
    an untranslated project reads tens of thousands back from its record)."""

    line: int
    """1-based line of the unit in the source article."""
    kind: str
    """``untranslated``, ``fuzzy``, ``machine-draft``, ``withheld`` (published in the source
    language), or ``unreviewed`` (an unreviewed draft published by ``build --draft``)."""
    reason: str
    """What the editor is told, e.g. ``placeholders: {amount_1} is missing``."""
    msgid: str | None = None
    """The unit's msgid (known when the page was assembled in this run, or read back from the
    page record)."""


class PageReport:
    """One page of the tree a build looked at (built in this run or up to date). Its paths
    are held as strings and its notes read back only when asked for: a build reports every
    page of the project."""

    __slots__ = ("_article", "_notes", "_path", "kinds", "lang", "published", "units",
                 "written")

    def __init__(
        self,
        *,
        article: str | os.PathLike[str],
        lang: str,
        path: str | os.PathLike[str],
        units: int,
        kinds: dict[str, int] | None = None,
        written: bool = False,
        published: bool = True,
        read_notes: Callable[[str], list[UnitNote]] | None = None,
    ) -> None:
        self._article = os.fspath(article)
        self.lang = lang
        self._path = os.fspath(path)
        self.units = units
        """Units the article has."""
        self.kinds = kinds if kinds is not None else {}
        """How many units are not reviewed translations, per :attr:`UnitNote.kind` (shared
        with other pages: never changed in place)."""
        self.written = written
        """The file was (re)written in this run."""
        self.published = published
        """False when ``publish = "reviewed"`` kept the page back (the file, if any, is
        older)."""
        self._notes = read_notes

    @property
    def article(self) -> Path:
        """The source article, project-relative."""
        return Path(self._article)

    @property
    def path(self) -> Path:
        """The page, project-relative."""
        return Path(self._path)

    @property
    def name(self) -> str:
        """:attr:`path` as the string it is held as."""
        return self._path

    @property
    def notes(self) -> list[UnitNote]:
        """Units that are not reviewed translations, in source order (read when asked for,
        by the page's name, from what the build recorded)."""
        return self._notes(self._path) if self._notes is not None else []

    @property
    def english(self) -> int:
        """Units that went out in the source language."""
        return sum(n for kind, n in self.kinds.items() if kind != "unreviewed")

    @property
    def fallbacks(self) -> list[UnitNote]:
        """Units that went out in the source language."""
        return [note for note in self.notes if note.kind != "unreviewed"] if self.english else []

    @property
    def complete(self) -> bool:
        """Every unit went out as a reviewed translation."""
        return not self.kinds

    def __repr__(self) -> str:
        return (f"PageReport(article={self._article!r}, lang={self.lang!r}, "
                f"path={self._path!r}, units={self.units}, kinds={self.kinds!r}, "
                f"written={self.written}, published={self.published})")


class Paths(Sequence[Path]):
    """Project-relative paths, held as strings (a stage may list every file of a large
    project) and read back as :class:`Path`."""

    __slots__ = ("_names",)

    def __init__(self, paths: Iterable[str | os.PathLike[str]] = ()) -> None:
        self._names: list[str] = []
        for path in paths:
            self.append(path)

    def append(self, path: str | os.PathLike[str]) -> None:
        """Add ``path``."""
        self._names.append(os.fspath(path))

    def __len__(self) -> int:
        return len(self._names)

    def __iter__(self) -> Iterator[Path]:
        return map(Path, self._names)

    @overload
    def __getitem__(self, index: int) -> Path: ...

    @overload
    def __getitem__(self, index: slice) -> list[Path]: ...

    def __getitem__(self, index: int | slice) -> Path | list[Path]:
        if isinstance(index, slice):
            return [Path(name) for name in self._names[index]]
        return Path(self._names[index])

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Paths):
            return self._names == other._names
        if isinstance(other, list):
            return list(self) == other
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]  # changes as paths are added

    def __repr__(self) -> str:
        return f"Paths({self._names!r})"


@dataclass(frozen=True, slots=True)
class Moved:
    """A catalogue extract carried along with its article, or moved aside for a removed one."""

    article: Path
    """The source that disappeared, project-relative."""
    to_article: Path | None
    """Where it reappeared (a rename), or None (removed)."""
    files: tuple[tuple[Path, Path], ...]
    """(from, to) per catalogue moved, project-relative."""
    matched: int = 0
    """Units of the old article found in the new one (a rename)."""
    units: int = 0
    """Units the old article had."""
    restored: bool = False
    """The catalogues came back from ``.obsolete/`` (moved aside when the article was removed)."""


@dataclass(slots=True)
class Report:
    """What a stage did: files written, files left alone, pages built and their fallbacks."""

    written: Paths = field(default_factory=Paths)
    unchanged: Paths = field(default_factory=Paths)
    drafts: dict[Path, int] = field(default_factory=dict)
    """Built files that include fuzzy (unreviewed) units, with how many."""
    pages: list[PageReport] = field(default_factory=list)
    """build: every page of the languages built, in article and language order."""
    removed: list[Path] = field(default_factory=list)
    """Files removed: pages (and asset copies) an earlier build wrote for articles that no
    longer exist; POT templates of removed articles."""
    kept: list[tuple[Path, str]] = field(default_factory=list)
    """Stale files left in place, and why (e.g. edited since localise wrote them)."""
    warnings: list[tuple[Path, int | None, str]] = field(default_factory=list)
    """(file, line, message) worth an editor's look that did not stop the stage."""
    moved: list[Moved] = field(default_factory=list)
    """extract: catalogues carried along with renamed articles or moved aside."""


# -- the jobs stages hand to worker processes (see localise.stages.jobs) -----------------


@dataclass(frozen=True, slots=True)
class ExtractJob:
    """One article to extract, with its template as the parent read it (None: none yet)."""

    source: Source
    pot_path: Path
    pot_name: Path
    pot: bytes | None


@dataclass(frozen=True, slots=True)
class UpdateJob:
    """One article's template and the catalogues to refresh from it, as read by the parent."""

    pot_name: Path
    pot: bytes | None
    catalogues: tuple[tuple[str, Path, Path, bytes | None], ...]
    """(language, absolute path, project-relative name, bytes or None) per stale catalogue."""


@dataclass(frozen=True, slots=True)
class BuildJob:
    """One article and the languages to build it in, with each catalogue as read."""

    source: Source
    outputs: tuple[tuple[str, Path, bytes | None, Path, bytes | None], ...]
    """(language, output path, its bytes or None, catalogue name, catalogue bytes or None)
    per stale page."""
    staging: Path
    """Where the job writes the pages that change (see :func:`localise.files.staging`)."""


def staged_name(page: str) -> str:
    """The name, in a build's staging folder, of the file that holds the page ``page``
    (project-relative POSIX) until it is renamed into place (made from the page's name, so
    the stage need not keep it), hidden and ending ``.tmp`` like every other temporary file
    (what a killed run leaves is recognised, and cleared, as one)."""
    return f"{TEMP_PREFIX}{digest(page.encode('utf-8', 'surrogateescape'))}{TEMP_SUFFIX}"


@dataclass(frozen=True, slots=True)
class Built:
    """One page a build job assembled (and staged, when its file changes): what the stage
    needs to account for it, without the page itself."""

    path: Path
    written: bool
    units: int
    """Units the article has."""
    digest: str
    """Digest of the page's bytes."""
    staged: str | None = None
    """Name, in the staging folder, of the file holding the page when ``written``."""
    published: bool = True
    """False when ``publish = "reviewed"`` kept an incomplete page back (not written)."""
    fuzzy_used: int = 0
    """Fuzzy (unreviewed) units the page includes."""
    copies: tuple[tuple[Path, Path], ...] = ()
    """(asset, copy) absolute paths: files the page links to, to copy beside it."""
    refused: tuple[tuple[str, str], ...] = ()
    """(link, why) for linked files that are not copied."""
    notes: list[Any] = field(default_factory=list)
    """The page's units that are not reviewed translations, by line, as the build index
    stores them (:meth:`localise.stages._record.PageEntry.compact`: no msgids, which the
    page record holds)."""
    kinds: dict[str, int] = field(default_factory=dict)
    """How many of them of each kind."""


# -- progress: how far a stage is, for whoever shows it (the CLI) -------------------------


class Progress(Protocol):
    """Told ``done`` of ``total`` items of one step are finished: first ``(0, total)`` when the
    step starts, then once per item, with the item's name and the seconds it took."""

    def __call__(
        self,
        done: int,
        total: int,
        /,
        *,
        unit: str = "article",
        label: str = "",
        item: str = "",
        seconds: float | None = None,
    ) -> None: ...


T = TypeVar("T")


class Ticker:
    """Counts the finished items of one step for a :class:`Progress` (which may be None)."""

    def __init__(
        self,
        progress: Progress | None,
        total: int,
        *,
        unit: str = "article",
        label: str = "",
        name: Callable[[Any], object] = str,
    ) -> None:
        self.progress, self.total, self.unit, self.label, self.name = (
            progress, total, unit, label, name)
        self.done = 0
        self.last = time.perf_counter()
        if progress is not None and total:
            progress(0, total, unit=unit, label=label)

    def __call__(self, item: object, seconds: float | None = None) -> None:
        """One more item is finished (its time: ``seconds``, or since the previous item)."""
        now = time.perf_counter()
        self.done += 1
        if self.progress is not None:
            self.progress(self.done, self.total, unit=self.unit, label=self.label,
                          item=str(self.name(item)),
                          seconds=now - self.last if seconds is None else seconds)
        self.last = now

    def each(self, items: Iterable[T]) -> Iterator[T]:
        """``items``, ticking each once the loop body that took it is done with it."""
        for item in items:
            yield item
            self(item)
