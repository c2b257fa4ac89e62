"""Runs one job function over many jobs, on every core when there are enough to pay for it.

Job functions are named ``"module:function"`` and loaded when there is work, so that a stage
with nothing to do never imports what its jobs need.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable, Sequence
from typing import Any

MIN_JOBS = 24
"""Below this many jobs the work runs in this process (starting workers costs more)."""


def job_function(name: str) -> Callable[..., Any]:
    """The function named ``"module:function"``."""
    module, _, function = name.partition(":")
    return getattr(importlib.import_module(module), function)  # type: ignore[no-any-return]


def map_jobs(job: str, items: Sequence[Any], *args: Any) -> list[Any]:
    """``[job(item, *args) for item in items]``, in worker processes when worth it."""
    if not items:
        return []
    func = job_function(job)
    workers = min(os.cpu_count() or 1, 8)
    if len(items) < MIN_JOBS or workers < 2:
        return [func(item, *args) for item in items]
    from concurrent.futures import ProcessPoolExecutor  # 20 ms of imports: only when used

    chunk = max(1, len(items) // (workers * 4))
    with ProcessPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(func, items, *[[a] * len(items) for a in args], chunksize=chunk))
