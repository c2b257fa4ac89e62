"""What the terminal shows while a command works: progress bars, per-item timing, colour.

:class:`Bars` is the :class:`localise.stages.Progress` callback the CLI hands a stage: one tqdm
bar per step (``extract``, ``translating ja`` …) on stderr, only when stderr is a terminal and
the run is not quiet. A step's bar starts when the stage announces the step (``done == 0``),
so its clock, and so its rate, starts when the work does. Colour only on a terminal, never with
``NO_COLOR`` (https://no-color.org) or ``TERM=dumb``. tqdm is imported only to draw a bar.
"""

from __future__ import annotations

import os
import sys
from types import TracebackType
from typing import Any, TextIO

RED, YELLOW, GREEN, BOLD = "31", "33", "32", "1"


def colour_enabled(stream: TextIO) -> bool:
    """True when ``stream`` is a terminal that may be coloured."""
    if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # replaced or closed streams
        return False


def paint(text: str, code: str, *, enabled: bool) -> str:
    """``text`` in SGR colour ``code`` when ``enabled``."""
    return f"\x1b[{code}m{text}\x1b[0m" if enabled else text


class Bars:
    """A progress callback for one command's stage: draws bars, and in verbose mode writes one
    line per finished item with the seconds it took."""

    def __init__(
        self,
        stage: str,
        *,
        stream: TextIO | None = None,
        show: bool = False,
        verbose: bool = False,
    ) -> None:
        self.stage = stage
        self.stream = stream if stream is not None else sys.stderr
        self.show = show
        """Draw bars (the CLI: stderr is a terminal and the run is not quiet)."""
        self.colour = show and colour_enabled(self.stream)
        self.verbose = verbose
        self._bar: Any = None
        self._step: tuple[str, str, int] | None = None

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
    ) -> None:
        """See :class:`localise.stages.Progress`."""
        step = (unit, label, total)
        if self._bar is not None and (step != self._step or done < self._bar.n):
            self._close_bar()
        if self._bar is None and self.show and total and done < total:
            self._open_bar(step, initial=done)
        if self._bar is not None:
            self._bar.update(done - self._bar.n)
        if item and self.verbose:
            took = f"{seconds * 1000:9.1f} ms" if seconds is not None else " " * 12
            self.write(f"{took}  {label or self.stage}: {item}")
        if self._bar is not None and done >= total:
            self._bar.refresh()  # a step faster than tqdm's refresh interval still shows its rate
            self._close_bar()

    def write(self, line: str) -> None:
        """Print ``line`` on the stream without breaking the bar being drawn."""
        if self._bar is not None:
            self._bar.write(line, file=self.stream)
        else:
            print(line, file=self.stream, flush=True)

    def _open_bar(self, step: tuple[str, str, int], *, initial: int) -> None:
        from tqdm import tqdm

        unit, label, total = step
        self._step = step
        self._bar = tqdm(
            total=total,
            initial=initial,  # done before the bar existed: not counted in the rate
            desc=label or self.stage,
            unit=unit,
            file=self.stream,
            leave=False,
            dynamic_ncols=True,
            smoothing=0,  # the rate is items done / time since the step started
            colour="green" if self.colour else None,
        )

    def _close_bar(self) -> None:
        self._bar.close()
        self._bar = None
        self._step = None

    def __enter__(self) -> Bars:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._bar is not None:
            self._close_bar()
