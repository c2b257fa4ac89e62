"""The pipeline's stages, one module each: every entry point is ``run(project, *, ...)``.

``extract`` (sources → templates), ``update`` (templates → language catalogues), ``translate``
(machine drafts), ``build`` (catalogues + sources → published pages), ``check`` (QA findings),
``status`` (counts); ``init`` makes a new project's files. A stage reads what it needs through
:class:`localise.project.Project`, returns a report and prints nothing: the CLI does the
talking, and shows how far a long stage is from what the stage tells its ``progress``
callback (:class:`Progress`, usually through a :class:`Ticker`).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from localise.model import Fallback
from localise.project import Source

if TYPE_CHECKING:
    from localise.publish import Page


@dataclass(slots=True)
class Report:
    """What a stage did: files written, files left alone, units that fell back."""

    written: list[Path] = field(default_factory=list)
    unchanged: list[Path] = field(default_factory=list)
    fallbacks: list[tuple[str, Path, Fallback]] = field(default_factory=list)
    """(language, source path, fallback) for each unit a page shows in the source language."""
    drafts: dict[Path, int] = field(default_factory=dict)
    """Built files that include fuzzy (unreviewed) units, with how many."""


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


@dataclass(frozen=True, slots=True)
class Built:
    """One page a build job assembled, and whether its file changed."""

    path: Path
    written: bool
    page: Page


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
