"""What every engine shares: the protocol it implements, its validated options (from
:mod:`localise.engine_options`), its identity."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, runtime_checkable

from localise.engine_options import DEVICES, EngineOptions, OptionError

__all__ = [
    "CALL_SIZE",
    "DEVICES",
    "Engine",
    "EngineOptions",
    "Identity",
    "OptionError",
    "WarmUp",
    "call_size",
    "identity",
    "split_outer_space",
]


@dataclass(frozen=True, slots=True)
class Identity:
    """Everything that decides what an engine writes for a sentence of one language pair."""

    label: str
    """How drafts are attributed (``argos translate-en_ja 1.1``), as :meth:`Engine.version`."""
    parts: tuple[str, ...]
    """Engine name, model name and version, decoding options, tokeniser: the cache key's."""
    files: tuple[Path, ...] = ()
    """Model files whose content is part of the key too (hashed by the caller, memoised)."""


@runtime_checkable
class Engine(Protocol):
    """Translates sentence segments; one output per input, same order, tokens ``⟦n⟧`` intact."""

    name: str

    def version(self, *, source: str, target: str) -> str:
        """Return a string identifying engine and model for the pair (goes into catalogues)."""
        ...

    def translate(self, segments: Sequence[str], *, source: str, target: str) -> list[str]:
        """Translate each segment; leading/trailing whitespace of a segment is kept verbatim.

        A segment's translation never depends on the other segments of the call."""
        ...


CALL_SIZE = 256
"""Sentences a caller sends per ``translate`` call unless the engine says otherwise: a call
is the step at which progress is reported and the cache is filled."""


def call_size(engine: Engine) -> int:
    """Sentences per ``translate`` call for ``engine``: its ``call_size`` attribute when it
    has one (0: every sentence of the run in one call), else :data:`CALL_SIZE`."""
    size = getattr(engine, "call_size", CALL_SIZE)
    return size if isinstance(size, int) and size >= 0 else CALL_SIZE


def identity(engine: Engine, *, source: str, target: str) -> Identity:
    """The engine's :class:`Identity` for the pair (from its ``identity`` method when it has
    one, else from its name and version alone)."""
    method = getattr(engine, "identity", None)
    if method is not None:
        found: Identity = method(source=source, target=target)
        return found
    label = engine.version(source=source, target=target)
    return Identity(label, (engine.name, label))


class WarmUp:
    """The engine's ``prepare(source=, target=)`` running in a background thread (when the
    engine has one), so loading a model overlaps the caller's own work (hashing the model for
    the cache key, looking sentences up); :meth:`wait` before leaving.

    ``translate`` never depends on it: the engine waits for a load in progress itself, and an
    error in the thread is dropped here and raised again by ``translate``'s own load."""

    def __init__(self, engine: Engine, *, source: str, target: str) -> None:
        method = getattr(engine, "prepare", None)
        self._thread: threading.Thread | None = None
        if method is not None:
            self._thread = threading.Thread(
                target=self._run, args=(method, source, target), name="engine-warm-up",
                daemon=True,
            )
            self._thread.start()

    @staticmethod
    def _run(method: object, source: str, target: str) -> None:
        with contextlib.suppress(Exception):  # translate() loads again and reports it
            method(source=source, target=target)  # type: ignore[operator]

    def wait(self) -> None:
        """Return once the background load has finished (at once when there was none)."""
        if self._thread is not None:
            self._thread.join()


def split_outer_space(text: str) -> tuple[str, str, str]:
    """Split ``text`` into (leading whitespace, core, trailing whitespace); core may be empty."""
    core = text.strip()
    if not core:
        return text, "", ""
    start = text.index(core[0])
    return text[:start], core, text[start + len(core) :]
