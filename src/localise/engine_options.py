"""The engine settings ``[translate]`` holds, validated: apart from :mod:`localise.engines`, so
that reading the configuration loads no engine machinery (re-exported there)."""

from __future__ import annotations

import math
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


_LEAST = {"beam_size": 1, "threads": 0, "max_batch_size": 0, "length_penalty": 0.0,
          "max_length_ratio": 1.0}
"""Smallest accepted value of each numeric option (threads 0: one worker per core;
max_batch_size 0: chosen per run, see :meth:`EngineOptions.batch_size`)."""

AUTO_BATCH = 32
"""Sentences per batch when ``max_batch_size`` is 0, at every beam size and on small jobs."""
AUTO_BATCH_GREEDY_MAX = 64
"""At beam 1 an automatic batch grows up to this many sentences on a large job."""
BATCHES_PER_WORKER = 3
"""… but only while each of the translator's workers still gets this many batches."""


@dataclass(frozen=True, slots=True, kw_only=True)
class EngineOptions:
    """Engine tuning knobs, validated here and only here (raises :class:`OptionError`)."""

    beam_size: int = 4
    device: str = "cpu"
    threads: int = 0
    max_batch_size: int = 0
    """Sentences per CTranslate2 batch; 0 chooses it per run (:meth:`batch_size`)."""
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

    def batch_size(self, *, sentences: int, workers: int) -> int:
        """Sentences per batch for a run of ``sentences`` on ``workers`` parallel workers: the
        setting, or when it is 0, 32 (grown at beam 1 toward 64 while every worker still gets
        three batches: larger greedy batches cost less per sentence, but a run cut into too
        few leaves a worker idle at its end; measured in ``benchmarks/README.md``)."""
        if self.max_batch_size:
            return self.max_batch_size
        if self.beam_size > 1:
            return AUTO_BATCH
        balanced = math.ceil(sentences / (BATCHES_PER_WORKER * max(1, workers)))
        return max(AUTO_BATCH, min(AUTO_BATCH_GREEDY_MAX, balanced))

    @property
    def decoding(self) -> tuple[str, ...]:
        """The options that change what a model writes (the rest only change speed)."""
        return (
            f"beam={self.beam_size}",
            f"length_penalty={self.length_penalty!r}",
            f"max_length_ratio={self.max_length_ratio!r}",
        )
