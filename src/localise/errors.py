"""One exception hierarchy; every message reads ``path:line: what is wrong``."""

from __future__ import annotations

from pathlib import Path


class LocaliseError(Exception):
    """A problem the user can fix; the CLI prints it and exits with ``exit_code``."""

    exit_code = 2

    def __init__(
        self,
        message: str,
        *,
        path: Path | str | None = None,
        line: int | None = None,
        excerpt: str | None = None,
    ) -> None:
        self.message = message
        self.path = Path(path) if path is not None else None
        self.line = line
        self.excerpt = excerpt
        super().__init__(str(self))

    def __str__(self) -> str:
        where = ""
        if self.path is not None:
            where = f"{self.path}:{self.line}: " if self.line else f"{self.path}: "
        tail = f": {self.excerpt!r}" if self.excerpt is not None else ""
        return f"{where}{self.message}{tail}"


class ConfigError(LocaliseError):
    """``localise.toml`` is malformed or names an unknown key."""


class SourceError(LocaliseError):
    """A source article cannot be read or parsed (e.g. not UTF-8)."""


class CatalogueError(LocaliseError):
    """A ``.po``/``.pot`` file is malformed."""


class EngineError(LocaliseError):
    """A translation engine is missing, misconfigured or failed."""


class ClusterError(EngineError):
    """The cluster the engines run on cannot be reached, lacks what a worker needs, or runs
    another engine or model than the driver (or Ray, which it needs, is not installed)."""


class LockError(LocaliseError):
    """Another localise run holds the project lock."""


class UsageError(LocaliseError):
    """The command line asks for something impossible."""
