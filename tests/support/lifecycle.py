"""Helpers for the publishing-lifecycle tests: fixture projects, real CLI processes, review.

Every command runs as its own ``python -m localise`` process, as an editor's shell or a CI
job would run it, with a private HOME (no argos packages leak in from the machine).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import polib

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
LIFECYCLE = FIXTURES / "lifecycle"
"""``source/guides/knee.md`` (front matter, an image, a price, a link), ``source/checklist.md``."""
REPO = Path(__file__).resolve().parents[2]


@dataclass(frozen=True, slots=True)
class Ran:
    """One finished ``localise`` process."""

    code: int
    out: str
    err: str


def localise(root: Path, *args: str, home: Path | None = None) -> Ran:
    """Run ``python -m localise -C root ARGS`` in a process of its own."""
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    if home is not None:
        env |= {"HOME": str(home), "XDG_DATA_HOME": str(home / "data")}
        env.pop("ARGOS_PACKAGES_DIR", None)
    done = subprocess.run(
        [sys.executable, "-m", "localise", "-C", str(root), *args],
        capture_output=True, text=True, env=env, timeout=300,
    )
    assert "Traceback" not in done.stderr, done.stderr
    return Ran(done.returncode, done.stdout, done.stderr)


def ok(root: Path, *args: str, home: Path | None = None) -> Ran:
    """:func:`localise`, which must exit 0."""
    ran = localise(root, *args, home=home)
    assert ran.code == 0, (args, ran.out, ran.err)
    return ran


def copy_fixture(tmp_path: Path, name: str = "lifecycle") -> Path:
    """A fresh copy of ``tests/fixtures/<name>``."""
    root = tmp_path / name
    shutil.copytree(FIXTURES / name, root)
    return root


def copy_shipped(tmp_path: Path) -> Path:
    """A copy of this repository's project: reviewed catalogues for ja and es."""
    root = tmp_path / "shipped"
    root.mkdir()
    for name in ("source", "locales"):
        shutil.copytree(REPO / name, root / name)
    shutil.copy(REPO / "localise.toml", root / "localise.toml")
    return root


def review(po_path: Path) -> int:
    """Approve every drafted entry of a catalogue, as a translator clearing fuzzy would;
    returns how many entries are reviewed now."""
    po = polib.pofile(str(po_path), wrapwidth=79)
    for entry in po:
        if entry.msgstr and "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
            entry.previous_msgid = None
    po.save(str(po_path))
    return sum(1 for e in po if e.msgstr and not e.obsolete and "fuzzy" not in e.flags)


def reviewed_project(tmp_path: Path, *, languages: tuple[str, ...] = ("ja", "es")) -> Path:
    """The lifecycle fixture drafted by the pseudo engine and fully reviewed, then built."""
    root = copy_fixture(tmp_path)
    if languages != ("ja", "es"):
        config = root / "localise.toml"
        listed = ", ".join(f'"{lang}"' for lang in languages)
        text = config.read_text("utf-8")
        config.write_text(
            text.replace('languages = ["ja", "es"]', f"languages = [{listed}]"), encoding="utf-8"
        )
    ok(root, "extract")
    ok(root, "update")
    ok(root, "translate")
    for po_path in (root / "locales").rglob("*.po"):
        review(po_path)
    ok(root, "build")
    return root


def files(folder: Path, *, skip: tuple[str, ...] = ()) -> dict[str, bytes]:
    """Every file under ``folder`` (relative POSIX path → bytes), skipping subfolders ``skip``."""
    if not folder.is_dir():
        return {}
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not p.relative_to(folder).as_posix().startswith(skip)
    }


def stamps(folder: Path, *, skip: tuple[str, ...] = ()) -> dict[str, tuple[int, int]]:
    """(inode, mtime_ns) of every file under ``folder``: a rewritten file shows up."""
    return {
        p.relative_to(folder).as_posix(): (p.stat().st_ino, p.stat().st_mtime_ns)
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not p.relative_to(folder).as_posix().startswith(skip)
    }


def line_of(path: Path, text: str) -> int:
    """1-based line of the first line of ``path`` containing ``text``."""
    for number, line in enumerate(path.read_text("utf-8").splitlines(), 1):
        if text in line:
            return number
    raise AssertionError(f"{text!r} not in {path}")
