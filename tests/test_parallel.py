"""stream_jobs draws its items only as workers need them, and yields results in order."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from localise.parallel import AHEAD, MAX_CHUNK, MIN_JOBS, map_jobs, stream_jobs


@pytest.mark.parametrize("count", [MIN_JOBS - 1, 200], ids=["in-process", "workers"])
def test_items_are_drawn_a_few_chunks_ahead_of_the_results(count: int) -> None:
    drawn = 0

    def items() -> Iterator[float]:
        nonlocal drawn
        for n in range(count):
            drawn += 1
            yield float(n * n)

    workers = min(os.cpu_count() or 1, 8)
    most_ahead = 0
    results = []
    for item, result in stream_jobs("math:sqrt", items(), count=count):
        most_ahead = max(most_ahead, drawn - len(results))
        results.append((item, result))
    assert results == [(float(n * n), float(n)) for n in range(count)]
    if count < MIN_JOBS or workers < 2:
        assert most_ahead == 1  # in this process: one item at a time
    else:
        assert most_ahead <= workers * AHEAD * MAX_CHUNK < count


def test_map_jobs_tells_done_of_each_item_in_order() -> None:
    seen: list[float] = []
    assert map_jobs("math:sqrt", [4.0, 9.0], done=lambda item, seconds: seen.append(item)) == [
        2.0, 3.0]
    assert seen == [4.0, 9.0]


def test_a_failing_job_stops_the_stream() -> None:
    with pytest.raises(ValueError):
        list(stream_jobs("math:sqrt", [1.0] * 50 + [-1.0] + [1.0] * 50, count=101))
