"""Runs one job function over many jobs, on every core when there are enough to pay for it.

Job functions are named ``"module:function"`` and loaded when there is work, so that a stage
with nothing to do never imports what its jobs need.
"""

from __future__ import annotations

import importlib
import os
import signal
import time
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from localise import files

MIN_JOBS = 24
"""Below this many jobs the work runs in this process (starting workers costs more)."""
_PR_SET_PDEATHSIG = 1
"""prctl(2) option: the signal a process gets when its parent dies (Linux)."""


def job_function(name: str) -> Callable[..., Any]:
    """The function named ``"module:function"``."""
    module, _, function = name.partition(":")
    return getattr(importlib.import_module(module), function)  # type: ignore[no-any-return]


def timed(job: str, item: Any, *args: Any) -> tuple[Any, float]:
    """``job(item, *args)`` and the seconds it took (in whichever process runs it)."""
    start = time.perf_counter()
    result = job_function(job)(item, *args)
    return result, time.perf_counter() - start


def map_jobs(
    job: str,
    items: Sequence[Any],
    *args: Any,
    done: Callable[[Any, float], None] | None = None,
) -> list[Any]:
    """``[job(item, *args) for item in items]``, in worker processes when worth it; ``done``
    is called with each item, in order, and the seconds its job took, as results arrive."""
    if not items:
        return []
    workers = min(os.cpu_count() or 1, 8)
    if len(items) < MIN_JOBS or workers < 2:
        return _results(items, (timed(job, item, *args) for item in items), done)
    from concurrent.futures import ProcessPoolExecutor  # 20 ms of imports: only when used

    chunk = max(1, len(items) // (workers * 4))
    with ProcessPoolExecutor(max_workers=workers, initializer=_worker_start) as pool:
        runs = pool.map(timed, [job] * len(items), items, *[[a] * len(items) for a in args],
                        chunksize=chunk)
        return _results(items, runs, done)


def _results(
    items: Sequence[Any],
    runs: Iterable[tuple[Any, float]],
    done: Callable[[Any, float], None] | None,
) -> list[Any]:
    """The results of ``runs`` (one per item, in order), telling ``done`` of each."""
    results = []
    for item, (result, seconds) in zip(items, runs, strict=True):
        results.append(result)
        if done is not None:
            done(item, seconds)
    return results


def _worker_start() -> None:
    """In each worker: die with the parent (a killed run leaves no worker writing files), let
    go of the project lock inherited from it, and end quietly on Ctrl-C (the parent reports)."""
    files.forget_lock()
    signal.signal(signal.SIGINT, _quit)
    try:
        import ctypes  # prctl through libc, only in worker processes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
    except (OSError, AttributeError):  # not Linux: workers end when their queue closes
        return
    if os.getppid() == 1:  # the parent died before prctl took effect
        os._exit(1)


def _quit(signum: int, frame: object) -> None:
    """Ctrl-C in a worker: stop at once, silently; writes are atomic, leftovers are cleaned."""
    os._exit(128 + signum)
