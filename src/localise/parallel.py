"""Runs one job function over many jobs, on every core when there are enough to pay for it.

Job functions are named ``"module:function"`` and loaded when there is work, so that a stage
with nothing to do never imports what its jobs need.
"""

from __future__ import annotations

import collections
import importlib
import itertools
import os
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

from localise import files

MIN_JOBS = 24
"""Below this many jobs the work runs in this process (starting workers costs more)."""
MAX_CHUNK = 16
"""Most jobs sent to a worker at once (more saves little and holds more in memory)."""
AHEAD = 2
"""Chunks per worker submitted ahead of the one whose results are awaited."""
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
    return [result for _, result in stream_jobs(job, items, *args, count=len(items), done=done)]


def stream_jobs(
    job: str,
    items: Iterable[Any],
    *args: Any,
    count: int,
    done: Callable[[Any, float], None] | None = None,
) -> Iterator[tuple[Any, Any]]:
    """``(item, job(item, *args))`` for each of the ``count`` items, in order, in worker
    processes when worth it. Items are drawn from ``items`` only as workers need them (a few
    chunks ahead), so a stage that makes them lazily never holds them, or their results, all
    at once. ``done`` is told of each item and its job's seconds as its result is yielded."""
    if count <= 0:
        return
    workers = min(os.cpu_count() or 1, 8)
    if count < MIN_JOBS or workers < 2:
        for item in items:
            result, seconds = timed(job, item, *args)
            if done is not None:
                done(item, seconds)
            yield item, result
        return
    from concurrent.futures import Future, ProcessPoolExecutor  # 20 ms: only when used

    chunk = max(1, min(count // (workers * 4), MAX_CHUNK))
    source = iter(items)
    pending: collections.deque[tuple[list[Any], Future[list[tuple[Any, float]]]]] = (
        collections.deque())
    with ProcessPoolExecutor(max_workers=workers, initializer=_worker_start) as pool:
        try:
            while True:
                while len(pending) < workers * AHEAD:
                    batch = list(itertools.islice(source, chunk))
                    if not batch:
                        break
                    pending.append((batch, pool.submit(_run_chunk, job, batch, args)))
                if not pending:
                    return
                batch, future = pending.popleft()
                for item, (result, seconds) in zip(batch, future.result(), strict=True):
                    if done is not None:
                        done(item, seconds)
                    yield item, result
        finally:  # a failed job (or a caller that stopped early): start nothing more
            for _, future in pending:
                future.cancel()


def _run_chunk(job: str, batch: list[Any], args: tuple[Any, ...]) -> list[tuple[Any, float]]:
    """In a worker: :func:`timed` over one chunk of items."""
    return [timed(job, item, *args) for item in batch]


def _worker_start() -> None:
    """In each worker: die with the parent (a killed run leaves no worker writing files), let
    go of the project lock inherited from it, and end quietly on Ctrl-C (the parent reports)."""
    import signal  # only in worker processes

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
