"""The pipeline's stages, one module each: every entry point is ``run(project, *, ...)``.

``extract`` (sources → templates), ``update`` (templates → language catalogues), ``translate``
(machine drafts), ``build`` (catalogues + sources → published pages), ``check`` (QA findings),
``status`` (counts). A stage reads what it needs through :class:`localise.project.Project`,
returns a report and prints nothing: the CLI does the talking.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from localise.assemble import Fallback


@dataclass(slots=True)
class Report:
    """What a stage did: files written, files left alone, units that fell back."""

    written: list[Path] = field(default_factory=list)
    unchanged: list[Path] = field(default_factory=list)
    fallbacks: list[tuple[str, Path, Fallback]] = field(default_factory=list)
    """(language, source path, fallback) for each unit a page shows in the source language."""
    drafts: dict[Path, int] = field(default_factory=dict)
    """Built files that include fuzzy (unreviewed) units, with how many."""
