"""build checks every catalogue before it writes any page: one malformed ``.po`` (in any
language, any article) stops it with ``path:line`` and exit 2, and no page is written; pages
are staged and renamed into place only when every job succeeded, so a build that fails or
is interrupted midway leaves the earlier pages exactly as they were, and no temporary file.
A rerun after one article changed rewrites only that article's files, with workers too.
Build segments no article extract segmented already (unless the article changed since).

Real CLI processes (tests/support/lifecycle.py); with many articles the jobs run in workers.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import polib
import pytest

from localise.parallel import MIN_JOBS
from localise.project import Project
from localise.stages import BuildJob, Built, _segments, build, jobs
from localise.stages._record import detail_path
from support.lifecycle import copy_fixture, files, localise, ok, stamps


def _break(po: Path) -> int:
    """Damage the catalogue's last msgstr line; its 1-based line number."""
    lines = po.read_text("utf-8").split("\n")
    number = max(n for n, line in enumerate(lines) if line.startswith("msgstr"))
    lines[number] = 'msgstr "unterminated'
    po.write_text("\n".join(lines), encoding="utf-8")
    return number + 1


@pytest.mark.parametrize("articles", [0, MIN_JOBS + 4], ids=["in-process", "workers"])
def test_a_malformed_catalogue_stops_the_build_before_any_page(
    tmp_path: Path, articles: int
) -> None:
    root = copy_fixture(tmp_path)
    for number in range(articles):
        (root / "source" / f"a{number:02}.md").write_text(f"# Page {number}\n", "utf-8")
    ok(root, "extract")
    ok(root, "update")
    broken = root / "locales" / "es" / "LC_MESSAGES" / "guides" / "knee.po"  # sorted last
    line = _break(broken)
    ran = localise(root, "build")
    assert ran.code == 2, ran
    assert f"locales/es/LC_MESSAGES/guides/knee.po:{line}:" in ran.err, ran.err
    assert files(root / "build") == {}
    assert ran.out == ""

    broken.write_text(broken.read_text("utf-8").replace('msgstr "unterminated', 'msgstr ""'),
                      encoding="utf-8")
    ok(root, "build")  # mended: everything is built, nothing remembered from the failed run
    assert len([n for n in files(root / "build") if n.endswith(".md")]) == 2 * (articles + 2)


def _leftovers(root: Path) -> list[Path]:
    """Staging folders and temporary files anywhere in the project."""
    return [
        p for p in root.rglob("*")
        if p.name.startswith(".localise-staging-")
        or (p.name.startswith(".localise-") and p.name.endswith(".tmp"))
    ]


def _translate_first_entry(root: Path) -> None:
    """Give every catalogue one translation more: every page is stale and changes."""
    for po_path in sorted((root / "locales").rglob("*.po")):
        po = polib.pofile(str(po_path), wrapwidth=79)
        entry = next(e for e in po if e.msgid and not e.msgstr)
        entry.msgstr = "訳 " + entry.msgid
        po.save(str(po_path))


def _built_project(tmp_path: Path, articles: int) -> Path:
    root = copy_fixture(tmp_path)
    for number in range(articles):
        (root / "source" / f"a{number:02}.md").write_text(
            f"# Page {number}\n\nSome text.\n\nMore text.\n", "utf-8")
    for command in ("extract", "update", "build"):
        ok(root, command)
    return root


@pytest.mark.parametrize("articles", [0, MIN_JOBS + 4], ids=["in-process", "workers"])
def test_a_failed_rebuild_leaves_every_earlier_page_as_it_was(
    tmp_path: Path, articles: int
) -> None:
    root = _built_project(tmp_path, articles)
    before, stamped = files(root / "build"), stamps(root / "build")
    _translate_first_entry(root)
    line = _break(root / "locales" / "es" / "LC_MESSAGES" / "guides" / "knee.po")
    ran = localise(root, "build")
    assert ran.code == 2, ran
    assert f"locales/es/LC_MESSAGES/guides/knee.po:{line}:" in ran.err, ran.err
    assert files(root / "build") == before
    assert stamps(root / "build") == stamped  # not even rewritten with the same bytes
    assert _leftovers(root) == []  # the staged pages went with their staging folder


def test_a_failed_first_build_leaves_no_output_folder(tmp_path: Path) -> None:
    root = copy_fixture(tmp_path)
    ok(root, "extract")
    ok(root, "update")
    _break(root / "locales" / "es" / "LC_MESSAGES" / "guides" / "knee.po")
    assert localise(root, "build").code == 2
    assert not (root / "build").exists()  # made for the staging folder, removed with it


def test_an_interrupted_build_leaves_earlier_pages_and_no_temporary_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _built_project(tmp_path, 3)
    _translate_first_entry(root)
    before, stamped = files(root / "build"), stamps(root / "build")
    real = jobs.build_one
    staged_when_stopped: list[Path] = []

    def stopped_on_the_third_article(job: BuildJob, *args: Any) -> list[Built]:
        staged = sorted((root / "build").glob(".localise-staging-*/*"))
        if len(staged) == 4:  # two articles' pages in two languages: Ctrl-C now
            staged_when_stopped.extend(staged)
            raise KeyboardInterrupt
        return real(job, *args)  # type: ignore[no-any-return]

    monkeypatch.setattr(jobs, "build_one", stopped_on_the_third_article)
    with pytest.raises(KeyboardInterrupt):
        build.run(Project.open(root))
    assert len(staged_when_stopped) == 4  # pages were made, but only in the staging folder
    assert files(root / "build") == before
    assert stamps(root / "build") == stamped
    assert _leftovers(root) == []


def test_with_workers_a_rerun_after_one_article_changed_rewrites_only_its_files(
    tmp_path: Path,
) -> None:
    root = _built_project(tmp_path, MIN_JOBS + 4)
    before = stamps(root, skip=(".localise/lock",))
    source = root / "source" / "a05.md"
    source.write_text(source.read_text("utf-8") + "\nA closing paragraph.\n", "utf-8")
    for command in ("extract", "update", "build"):
        ok(root, command)
    after = stamps(root, skip=(".localise/lock",))
    pages = [f"build/{lang}/a05.md" for lang in ("ja", "es")]
    assert {k for k in before.keys() | after.keys() if before.get(k) != after.get(k)} == {
        "source/a05.md", "locales/a05.pot",
        "locales/ja/LC_MESSAGES/a05.po", "locales/es/LC_MESSAGES/a05.po", *pages,
        ".localise/state.sqlite", ".localise/build.sqlite", ".localise/fingerprints.sqlite",
        *(detail_path(root / ".localise", page).relative_to(root).as_posix() for page in pages),
        _segments.record_path(Path(".localise"), Path("source/a05.md")).as_posix(),
    }


def test_build_takes_the_segmentation_extract_kept_and_never_a_stale_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = copy_fixture(tmp_path)
    for command in ("extract", "update", "build"):
        ok(root, command)
    built = files(root / "build")
    shutil.rmtree(root / "build")
    segmented: list[str] = []
    real = jobs.segment_source

    def counted(config: Any, source: Any) -> Any:
        segmented.append(source.article.path.as_posix())
        return real(config, source)

    monkeypatch.setattr(jobs, "segment_source", counted)
    build.run(Project.open(root))
    assert segmented == []  # every article came from the records extract made
    assert files(root / "build") == built

    article = root / "source" / "checklist.md"
    article.write_text(article.read_text("utf-8") + "\nA closing paragraph.\n", "utf-8")
    build.run(Project.open(root))  # no extract: the record is of the old text
    assert segmented == ["source/checklist.md"]
    assert "A closing paragraph." in (root / "build" / "ja" / "checklist.md").read_text("utf-8")
