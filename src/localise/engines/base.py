"""What every engine shares: the protocol it implements and its validated options."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, runtime_checkable

from localise.errors import EngineError

DEVICES = ("cpu", "cuda", "auto")

class OptionError(EngineError):
    """An engine option has a value no engine accepts; ``option`` names it."""

    def __init__(self, option: str, problem: str, value: object) -> None:
        super().__init__(f"{option} {problem}, not {value!r}")
        self.option = option
        self.problem = problem


_LEAST = {"beam_size": 1, "threads": 0, "max_batch_size": 1}
"""Smallest accepted value of each numeric option (threads 0: the library's default)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class EngineOptions:
    """Engine tuning knobs, validated here and only here (raises :class:`OptionError`)."""

    beam_size: int = 4
    device: str = "cpu"
    threads: int = 0
    max_batch_size: int = 32
    packages_dir: Path | None = None
    """Project-local argos package folder (absolute), or None for argos's own."""

    def __post_init__(self) -> None:
        for option, least in _LEAST.items():
            value = getattr(self, option)
            if value < least:
                raise OptionError(option, f"must be at least {least}", value)
        if self.device not in DEVICES:
            raise OptionError("device", "must be 'cpu', 'cuda' or 'auto'", self.device)


@runtime_checkable
class Engine(Protocol):
    """Translates sentence segments; one output per input, same order, tokens ``⟦n⟧`` intact."""

    name: str

    def version(self, *, source: str, target: str) -> str:
        """Return a string identifying engine and model for the pair (goes into catalogues)."""
        ...

    def translate(self, segments: Sequence[str], *, source: str, target: str) -> list[str]:
        """Translate each segment; leading/trailing whitespace of a segment is kept verbatim."""
        ...


def split_outer_space(text: str) -> tuple[str, str, str]:
    """Split ``text`` into (leading whitespace, core, trailing whitespace); core may be empty."""
    core = text.strip()
    if not core:
        return text, "", ""
    start = text.index(core[0])
    return text[:start], core, text[start + len(core) :]
