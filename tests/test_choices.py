"""The names the configuration checks without loading anything are the registries' names."""

from __future__ import annotations

import pytest

from localise import choices, dialects, engines, executors
from localise.errors import EngineError


def test_the_name_tables_are_the_registries() -> None:
    assert choices.DIALECTS == dialects.NAMES
    assert choices.ENGINES == engines.ENGINE_NAMES
    assert choices.EXECUTORS == executors.KINDS


def test_an_unknown_engine_is_named_with_the_known_ones() -> None:
    with pytest.raises(EngineError, match="unknown translation engine 'deepl'; known engines: "
                                          "argos, apertium, pseudo"):
        engines.check_name("deepl")
