"""Shared fixtures: a small copied project, a fixed clock, and an in-process CLI runner."""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import settings

# CI explores the same examples on every run (so a green main stays green); locally hypothesis
# keeps exploring new ones, which is how the numbers and layout bugs were found.
settings.register_profile("ci", derandomize=True, database=None)
if os.environ.get("CI"):
    settings.load_profile("ci")

FIXTURES = Path(__file__).resolve().parent / "fixtures"
PROJECT_FIXTURE = FIXTURES / "project"
SOURCE_DATE_EPOCH = "1767225600"  # 2026-01-01 00:00 UTC
"""Fixed clock for every test (and every subprocess a test starts): dates in headers are stable."""

os.environ["SOURCE_DATE_EPOCH"] = SOURCE_DATE_EPOCH


@pytest.fixture(autouse=True)
def _source_date_epoch(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pin ``SOURCE_DATE_EPOCH`` even if a test elsewhere changed it."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", SOURCE_DATE_EPOCH)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A fresh copy of ``tests/fixtures/project`` (localise.toml + 2 articles, one in a subfolder).

    ``source/welcome.md`` and ``source/guides/travel.md``; no catalogues or builds yet.
    """
    root = tmp_path / "project"
    shutil.copytree(PROJECT_FIXTURE, root)
    return root


@dataclass(frozen=True, slots=True)
class Result:
    """What one in-process CLI run did."""

    code: int
    out: str
    err: str


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Callable[..., Result]:
    """Run ``localise`` in process: ``cli(project, "update", "--lang", "ja")`` → Result.

    The first argument is the project folder (passed as ``-C``), or None to run without ``-C``
    in the current folder. Usage errors (argparse's SystemExit) become a Result too.
    """
    from localise.cli import main

    def run(root: Path | None, *args: str) -> Result:
        capsys.readouterr()
        argv: Sequence[str] = (["-C", str(root)] if root is not None else []) + list(args)
        try:
            code = main(argv)
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return run


def output_files(root: Path) -> dict[str, bytes]:
    """Every file under ``root`` except the ``.localise`` state folder: relative path → bytes."""
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".localise" not in p.relative_to(root).parts
    }


@pytest.fixture
def snapshot() -> Callable[[Path], dict[str, bytes]]:
    """``snapshot(root)``: every project file (``.localise/`` excluded) as path → bytes."""
    return output_files


@pytest.fixture
def python() -> str:
    """The interpreter running the tests (the project venv), for ``python -m localise``."""
    return sys.executable


@pytest.fixture(scope="session")
def tiny_models(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Real en→ja and en→es ``.argosmodel`` files whose tiny model copies its input, built once."""
    from support.tiny_argos import build_copy_package

    folder = tmp_path_factory.mktemp("tiny-argos")
    return {lang: build_copy_package(folder, from_code="en", to_code=lang) for lang in ("ja", "es")}
