"""Fixtures for engine tests: a session-built tiny argos package and a sandboxed argos home."""

from __future__ import annotations

from pathlib import Path

import pytest

from support import isolate_argos


@pytest.fixture(scope="session")
def tiny_argosmodel(tiny_models: dict[str, Path]) -> Path:
    """A real en→ja ``.argosmodel`` whose model copies its input (see tests/conftest.py)."""
    return tiny_models["ja"]


@pytest.fixture(autouse=True)
def argos_packages(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """Per-test argos package dir; argostranslate never sees the real home directory."""
    return isolate_argos(monkeypatch, tmp_path / "argos")
