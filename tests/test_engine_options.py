"""Engine options: the batch size a run uses."""

from __future__ import annotations

import pytest

from localise.engine_options import EngineOptions


@pytest.mark.parametrize(
    ("beam", "setting", "sentences", "workers", "expected"),
    [
        (1, 0, 172, 2, 32),  # the shipped articles: 64 would leave 3 batches for 2 workers
        (1, 0, 250, 2, 42),  # grown while each worker still gets 3 batches
        (1, 0, 403, 2, 64),
        (1, 0, 968, 2, 64),  # never past 64
        (1, 0, 968, 8, 41),
        (1, 0, 5, 1, 32),
        (4, 0, 968, 2, 32),  # beam search: always 32 (its batches are cut by cap and tokens)
        (1, 48, 968, 2, 48),  # a setting is used as given
        (1, 16, 10, 2, 16),
    ],
)
def test_batch_size_is_the_setting_or_32_grown_at_beam_1_on_large_runs(
    beam: int, setting: int, sentences: int, workers: int, expected: int
) -> None:
    options = EngineOptions(beam_size=beam, max_batch_size=setting)
    assert options.batch_size(sentences=sentences, workers=workers) == expected
