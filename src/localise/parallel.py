"""Runs one function over many jobs, on every core when there are enough jobs to pay for it."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any

MIN_JOBS = 24
"""Below this many jobs the work runs in this process (starting workers costs more)."""


def map_jobs(func: Callable[..., Any], items: Sequence[Any], *args: Any) -> list[Any]:
    """``[func(item, *args) for item in items]``, in worker processes when worth it."""
    workers = min(os.cpu_count() or 1, 8)
    if len(items) < MIN_JOBS or workers < 2:
        return [func(item, *args) for item in items]
    chunk = max(1, len(items) // (workers * 4))
    with ProcessPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(func, items, *[[a] * len(items) for a in args], chunksize=chunk))
