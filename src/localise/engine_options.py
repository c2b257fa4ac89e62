"""The engine settings ``[translate]`` holds, validated: apart from :mod:`localise.engines`, so
that reading the configuration loads no engine machinery (re-exported there)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from localise.errors import EngineError

DEVICES = ("cpu", "cuda", "auto")
"""The devices CTranslate2 may run on."""


class OptionError(EngineError):
    """An engine option has a value no engine accepts; ``option`` names it."""

    def __init__(self, option: str, problem: str, value: object) -> None:
        super().__init__(f"{option} {problem}, not {value!r}")
        self.option = option
        self.problem = problem


_LEAST = {"beam_size": 1, "threads": 0, "max_batch_size": 1, "length_penalty": 0.0,
          "max_length_ratio": 1.0}
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
    length_penalty: float = 0.2
    """Beam-search length penalty (argostranslate's 0.2)."""
    max_length_ratio: float = 3.0
    """A sentence's draft may have at most this many times its input's tokens (+ 10)."""

    def __post_init__(self) -> None:
        for option, least in _LEAST.items():
            value = getattr(self, option)
            if value < least:
                raise OptionError(option, f"must be at least {least}", value)
        if self.device not in DEVICES:
            raise OptionError("device", "must be 'cpu', 'cuda' or 'auto'", self.device)

    @property
    def decoding(self) -> tuple[str, ...]:
        """The options that change what a model writes (the rest only change speed)."""
        return (
            f"beam={self.beam_size}",
            f"length_penalty={self.length_penalty!r}",
            f"max_length_ratio={self.max_length_ratio!r}",
        )
