"""Reads are confined like writes: a symbolic link pointing outside the project (a source, a
catalogue, the glossary, the cache) is refused with exit 2 naming the link, unless
``follow_symlinks = true``; ``translate`` refuses a symlinked catalogue folder as ``update``
does. Real links, real CLI processes (tests/support/lifecycle.py)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from localise.errors import UsageError
from localise.project import Project
from support.lifecycle import copy_fixture, files, localise, ok

OUTSIDE = (
    "points outside the project (set follow_symlinks = true in localise.toml to read through it)"
)


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return copy_fixture(tmp_path)


@pytest.fixture
def secret(tmp_path: Path) -> Path:
    path = tmp_path / "outside" / "secret.md"
    path.parent.mkdir()
    path.write_text("# The secret is SWORDFISH\n", encoding="utf-8")
    return path


def _refused(root: Path, link: str, target: str, *commands: str) -> None:
    for command in commands:
        ran = localise(root, command)
        assert ran.code == 2, (command, ran)
        assert f"{link}: symbolic link to {target} {OUTSIDE}" in ran.err, ran.err
        assert "SWORDFISH" not in ran.out + ran.err


def test_a_source_linked_to_the_environment_is_refused(root: Path) -> None:
    (root / "source" / "env.md").symlink_to("/proc/self/environ")
    before = files(root, skip=(".localise", "source"))
    _refused(root, "source/env.md", "/proc/self/environ", "extract", "update", "build", "check")
    assert files(root, skip=(".localise", "source")) == before  # no template, no page written


def test_a_source_linked_outside_is_refused_then_followed_when_allowed(
    root: Path, secret: Path
) -> None:
    (root / "source" / "leak.md").symlink_to(secret)
    _refused(root, "source/leak.md", str(secret), "extract")
    assert not (root / "locales" / "leak.pot").exists()
    config = root / "localise.toml"
    config.write_text("follow_symlinks = true\n" + config.read_text("utf-8"), encoding="utf-8")
    ok(root, "extract")
    assert "SWORDFISH" in (root / "locales" / "leak.pot").read_text("utf-8")


def test_links_inside_the_project_are_read(root: Path) -> None:
    notes = root / "notes"
    notes.mkdir()
    (notes / "shared.md").write_text("# Shared page\n", encoding="utf-8")
    (root / "source" / "shared.md").symlink_to(Path("../notes/shared.md"))
    ok(root, "extract")
    assert 'msgid "Shared page"' in (root / "locales" / "shared.pot").read_text("utf-8")


def test_a_linked_source_folder_is_refused(tmp_path: Path, root: Path, secret: Path) -> None:
    (root / "source" / "guides" / "extra").symlink_to(secret.parent, target_is_directory=True)
    ok(root, "extract")  # a linked folder is not walked into
    assert not (root / "locales" / "guides" / "extra").exists()
    moved = tmp_path / "elsewhere"
    (root / "source").rename(moved)
    (root / "source").symlink_to(moved, target_is_directory=True)
    _refused(root, "source", str(moved), "extract")


def test_a_catalogue_linked_outside_is_refused(root: Path, tmp_path: Path) -> None:
    ok(root, "extract")
    ok(root, "update")
    po = root / "locales" / "es" / "LC_MESSAGES" / "checklist.po"
    stolen = tmp_path / "outside.po"
    stolen.write_bytes(po.read_bytes())
    po.unlink()
    po.symlink_to(stolen)
    link = "locales/es/LC_MESSAGES/checklist.po"
    _refused(root, link, str(stolen), "update", "build", "check", "status", "translate")


def test_the_glossary_and_the_cache_linked_outside_are_refused(
    root: Path, tmp_path: Path
) -> None:
    ok(root, "extract")
    outside = tmp_path / "glossary.csv"
    outside.write_text("term,language,translation\nSWORDFISH,*,\n", encoding="utf-8")
    config = root / "localise.toml"
    config.write_text(config.read_text("utf-8").replace(
        "[translate]", '[check]\nglossary = "terms.csv"\n\n[translate]'), encoding="utf-8")
    (root / "terms.csv").symlink_to(outside)
    _refused(root, "terms.csv", str(outside), "extract")
    (root / "terms.csv").unlink()
    ok(root, "update")
    state = root / ".localise" / "state.sqlite"
    elsewhere = tmp_path / "state.sqlite"
    elsewhere.write_bytes(state.read_bytes())
    state.unlink()
    state.symlink_to(elsewhere)
    _refused(root, ".localise/state.sqlite", str(elsewhere), "update")


def test_translate_refuses_a_linked_catalogue_folder_as_update_does(root: Path) -> None:
    ok(root, "extract")
    ok(root, "update")
    folder = root / "locales" / "es" / "LC_MESSAGES"
    inside = root / "elsewhere"  # inside the project: readable, but not the locales folder
    folder.rename(inside)
    folder.symlink_to(Path("../../elsewhere"), target_is_directory=True)
    before = files(inside)
    source = root / "source" / "checklist.md"
    source.write_text(source.read_text("utf-8") + "\nOne more line.\n", encoding="utf-8")
    ok(root, "extract")  # so that update has something to write
    for command in ("update", "translate"):
        ran = localise(root, command)
        assert ran.code == 2, (command, ran)
        assert "refusing to write outside" in ran.err and "LC_MESSAGES/" in ran.err, ran.err
    assert files(inside) == before


def test_project_confined_names_the_first_link(root: Path, secret: Path) -> None:
    (root / "linked").symlink_to(secret.parent, target_is_directory=True)
    project = Project.open(root)
    with pytest.raises(UsageError) as info:
        project.confined(root / "linked" / "secret.md")
    assert info.value.path == Path("linked")
    assert project.confined(root / "source" / "checklist.md") == root / "source" / "checklist.md"
    os.unlink(root / "linked")
    (root / "loop").symlink_to(root / "loop")
    with pytest.raises(UsageError, match="cannot be resolved"):
        project.confined(root / "loop")
