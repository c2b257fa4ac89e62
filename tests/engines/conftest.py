"""Fixtures for engine tests: a session-built tiny argos package and a sandboxed argos home."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # make tests/support importable

from support import isolate_argos
from support.tiny_argos import build_copy_package


@pytest.fixture(scope="session")
def tiny_argosmodel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real en→ja ``.argosmodel`` whose model copies its input, built once per session."""
    return build_copy_package(tmp_path_factory.mktemp("tiny-argos"), from_code="en", to_code="ja")


@pytest.fixture(autouse=True)
def argos_packages(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """Per-test argos package dir; argostranslate never sees the real home directory."""
    return isolate_argos(monkeypatch, tmp_path / "argos")
