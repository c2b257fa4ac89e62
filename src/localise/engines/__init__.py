"""Machine-translation engines behind one small protocol, looked up by name.

Importing this package is cheap: engine modules (and ctranslate2, sentencepiece,
argostranslate) are imported only when :func:`get_engine` builds that engine.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, runtime_checkable

from localise.errors import EngineError

__all__ = ["DEVICES", "ENGINE_NAMES", "Engine", "EngineOptions", "get_engine", "split_outer_space"]

DEVICES = ("cpu", "cuda", "auto")

# name -> "module:class"; each class is built as ``cls(options=options)``.
_REGISTRY: dict[str, str] = {
    "argos": "localise.engines.argos:ArgosEngine",
    "apertium": "localise.engines.apertium:ApertiumEngine",
    "pseudo": "localise.engines.pseudo:PseudoEngine",
}
ENGINE_NAMES: tuple[str, ...] = tuple(_REGISTRY)


@dataclass(frozen=True, slots=True, kw_only=True)
class EngineOptions:
    """Engine tuning knobs; validated on construction (raises EngineError)."""

    beam_size: int = 4
    device: str = "cpu"
    threads: int = 0
    max_batch_size: int = 32
    packages_dir: Path | None = None

    def __post_init__(self) -> None:
        if self.beam_size < 1:
            raise EngineError(f"beam_size must be at least 1, not {self.beam_size}")
        if self.device not in DEVICES:
            raise EngineError(
                f"device must be one of {', '.join(DEVICES)}, not {self.device!r}"
            )
        if self.threads < 0:
            raise EngineError(f"threads must be 0 (library default) or more, not {self.threads}")
        if self.max_batch_size < 1:
            raise EngineError(f"max_batch_size must be at least 1, not {self.max_batch_size}")


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


def check_name(name: str) -> None:
    """Raise EngineError unless ``name`` is a registered engine."""
    if name not in _REGISTRY:
        raise EngineError(
            f"unknown translation engine {name!r}; known engines: {', '.join(_REGISTRY)}"
        )


def get_engine(name: str, *, options: EngineOptions) -> Engine:
    """Build the engine registered as ``name``; unknown names raise EngineError listing them."""
    target = _REGISTRY.get(name)
    if target is None:
        raise EngineError(
            f"unknown translation engine {name!r}; known engines: {', '.join(ENGINE_NAMES)}"
        )
    module_name, _, class_name = target.partition(":")
    cls = getattr(importlib.import_module(module_name), class_name)
    engine: Engine = cls(options=options)
    return engine


def split_outer_space(text: str) -> tuple[str, str, str]:
    """Split ``text`` into (leading whitespace, core, trailing whitespace); core may be empty."""
    core = text.strip()
    if not core:
        return text, "", ""
    start = text.index(core[0])
    return text[:start], core, text[start + len(core) :]
