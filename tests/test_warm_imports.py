"""A warm run (nothing changed) imports only what reading the project and comparing fingerprints
needs: no Markdown, YAML, catalogue or CLDR library, no worker pool, no network, no engine."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

import localise
from localise import cli

WARM_FREE = (
    "markdown_it", "mdit_py_plugins", "yaml", "polib", "babel", "socket", "concurrent",
    "sqlite3", "shutil", "tempfile", "decimal", "html", "ssl",
    "localise.segment", "localise.dialects", "localise.inline", "localise.formatting",
    "localise.placeholders", "localise.catalogue", "localise.model", "localise.engines",
    "localise.executors", "localise.cache", "localise.publish", "localise.checks",
    "localise.stages.jobs", "localise.stages._segments",
)
"""Modules (and packages, with everything under them) a warm extract, update or build must
not import."""
WARM_NEEDS = {"extract": {"sqlite3"}, "update": {"sqlite3"}, "build": {"sqlite3"}}
"""What a warm command needs of those: the file digests and the state are SQLite tables
(``.localise/fingerprints.sqlite``, ``state.sqlite``), and a build looks its pages up in the
SQLite index."""

COLD = {
    "extract": {"markdown_it", "yaml", "polib", "localise.segment"},
    "update": {"polib", "localise.catalogue"},
    "build": {"markdown_it", "polib", "babel", "localise.publish"},
}
"""What the same commands do import when there is work (so the warm check can fail)."""

REPORT = "import sys, localise.cli as c; code = c.main(['-q', {command!r}]); print(code); " \
         "print(' '.join(sorted(sys.modules)))"


def _imported(python: str, root: Path, command: str) -> set[str]:
    """The modules a fresh process has imported once ``localise -q COMMAND`` has run in
    ``root`` (the exit status must be 0)."""
    here = str(Path(localise.__file__).parents[1])  # this localise, whatever the cwd
    path = [here, *filter(None, os.environ.get("PYTHONPATH", "").split(os.pathsep))]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(path)}
    done = subprocess.run([python, "-c", REPORT.format(command=command)], cwd=root, env=env,
                          capture_output=True, text=True, timeout=120)
    code, modules = done.stdout.splitlines()
    assert code == "0", done.stderr
    return set(modules.split())


def _under(modules: set[str], names: tuple[str, ...] | set[str]) -> set[str]:
    """The names of ``names`` that ``modules`` holds, or holds a module under."""
    return {name for name in names
            if any(m == name or m.startswith(name + ".") for m in modules)}


def test_a_warm_run_imports_no_parser_engine_or_worker_pool(project: Path, python: str) -> None:
    for command in ("extract", "update", "build"):  # cold: each has work to do
        cold = _imported(python, project, command)
        assert _under(cold, COLD[command]) == COLD[command], command
    for command in ("extract", "update", "build"):  # warm: nothing changed since
        needs = WARM_NEEDS.get(command, set())
        free = tuple(name for name in WARM_FREE if name not in needs)
        assert _under(_imported(python, project, command), free) == set(), command


def test_an_edited_article_is_segmented_again(project: Path, python: str) -> None:
    for command in ("extract", "update", "build"):
        _imported(python, project, command)
    article = project / "source" / "welcome.md"
    article.write_text(article.read_text("utf-8") + "\nOne more paragraph.\n", "utf-8")
    assert "localise.segment" in _imported(python, project, "extract")


@pytest.mark.parametrize("columns", [None, "0", "-3", "wide", "57", "200"])
def test_help_is_as_wide_as_argparse_would_make_it(
    monkeypatch: pytest.MonkeyPatch, columns: str | None
) -> None:
    if columns is None:
        monkeypatch.delenv("COLUMNS", raising=False)
    else:
        monkeypatch.setenv("COLUMNS", columns)
    assert cli._columns() == shutil.get_terminal_size().columns


@pytest.mark.parametrize("args", [["--version"], ["--help"], ["build", "--help"], ["bogus"]])
def test_version_help_and_usage_errors_read_no_project(
    python: str, tmp_path: Path, args: list[str]
) -> None:
    code = ("import sys, localise.cli as c\ntry:\n    c.main({args!r})\nexcept SystemExit:\n"
            "    pass\nprint(' '.join(sorted(sys.modules)), file=sys.stderr)")
    here = str(Path(localise.__file__).parents[1])
    done = subprocess.run([python, "-c", code.format(args=args)], cwd=tmp_path,
                          env={**os.environ, "PYTHONPATH": here}, capture_output=True,
                          text=True, timeout=60)
    modules = set(done.stderr.splitlines()[-1].split())
    assert "localise.cli" in modules
    assert _under(modules, ("localise.project", "localise.config", "localise.files",
                            "tomllib", "hashlib", *WARM_FREE)) == set()
