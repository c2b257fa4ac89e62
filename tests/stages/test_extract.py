"""Articles are renamed and removed without losing work: extract carries catalogues along or
moves them aside (never deletes them), build removes exactly the stale pages it wrote, and
status counts only articles that exist."""

from __future__ import annotations

import json
from pathlib import Path

import polib
import pytest

from localise.stages.extract import _free, _original_slug
from support.lifecycle import files, localise, ok, reviewed_project

LANGS = ("ja", "es")


def catalogue(root: Path, lang: str, slug: str) -> Path:
    return root / "locales" / lang / "LC_MESSAGES" / f"{slug}.po"


def reviewed_entries(path: Path) -> dict[str, str]:
    po = polib.pofile(str(path))
    return {e.msgid: e.msgstr for e in po if e.msgstr and not e.obsolete and not e.fuzzy}


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return reviewed_project(tmp_path)


def test_a_rename_keeps_every_reviewed_entry(project: Path) -> None:
    before = {lang: reviewed_entries(catalogue(project, lang, "guides/knee")) for lang in LANGS}
    assert all(len(entries) == 6 for entries in before.values())
    old_pages = {lang: project / "build" / lang / "guides" / "knee.md" for lang in LANGS}
    (project / "source" / "guides" / "knee.md").rename(project / "source" / "guides" / "knees.md")

    ran = ok(project, "extract")
    assert (
        "source/guides/knees.md: renamed from source/guides/knee.md (6 of 6 units found); "
        "its catalogues follow it" in ran.err
    )
    for lang in LANGS:
        assert f"locales/{lang}/LC_MESSAGES/guides/knee.po → " \
               f"locales/{lang}/LC_MESSAGES/guides/knees.po" in ran.err
        assert not catalogue(project, lang, "guides/knee").exists()
    assert not (project / "locales" / "guides" / "knee.pot").exists()
    ok(project, "update")
    for lang in LANGS:
        moved = catalogue(project, lang, "guides/knees")
        assert reviewed_entries(moved) == before[lang]  # 100 % of the reviewed entries
        po = polib.pofile(str(moved))
        assert po.header.startswith("Translations of source/guides/knees.md.")
        assert po.metadata["Project-Id-Version"] == "guides/knees"
        assert all(occ[0] == "source/guides/knees.md" for e in po for occ in e.occurrences)
        done = localise(project, "check", "--lang", lang)
        assert done.code == 0, done.out

    status = json.loads(ok(project, "status", "--json").out)["languages"]
    assert set(status["ja"]["articles"]) == {"checklist", "guides/knees"}
    assert status["ja"]["articles"]["guides/knees"]["percent"] == 100.0

    built = ok(project, "build", "--strict")
    for lang, page in old_pages.items():
        assert not page.exists()
        assert f"removed build/{lang}/guides/knee.md" in built.out
        assert (project / "build" / lang / "guides" / "knees.md").is_file()
    # the image copy beside the old page is still linked from the new one, so it stays
    assert (project / "build" / "ja" / "guides" / "images" / "knee.png").is_file()


def test_an_edited_rename_follows_above_the_threshold_only(project: Path) -> None:
    knee = project / "source" / "guides" / "knee.md"
    text = knee.read_text()
    # 4 of 6 distinct msgids survive (67 %): the catalogues follow
    edited = text.replace("Walk a little", "Walk slowly").replace("Read [the", "See [the")
    (project / "source" / "guides" / "recovery.md").write_text(edited, encoding="utf-8")
    knee.unlink()
    ran = ok(project, "extract")
    assert "renamed from source/guides/knee.md (4 of 6 units found)" in ran.err
    ok(project, "update")
    po = polib.pofile(str(catalogue(project, "ja", "guides/recovery")))
    fuzzy = {e.msgid for e in po.fuzzy_entries()}
    assert fuzzy == {"Walk slowly every day, and keep the knee warm.",
                     "See [the checklist](../checklist.md) before you travel."}

    # 3 of 6 (50 %): not the same article; the old catalogues go aside, nothing is lost
    recovery = project / "source" / "guides" / "recovery.md"
    other = recovery.read_text().replace("Rest the knee", "Ice the knee")
    other = other.replace("## After treatment", "## Later").replace("A knee after", "A knee in")
    (project / "source" / "other.md").write_text(other, encoding="utf-8")
    recovery.unlink()
    ran = ok(project, "extract")
    assert "source/guides/recovery.md: removed; its catalogues are moved aside" in ran.err
    aside = project / "locales" / "ja" / "LC_MESSAGES" / ".obsolete" / "guides" / "recovery.po"
    assert aside.is_file()
    assert not catalogue(project, "ja", "other").exists()


def test_a_removed_article_moves_aside_and_only_its_pages_go(project: Path) -> None:
    build = project / "build"
    keep = build / "ja" / "notes.txt"  # a file localise did not write
    keep.write_text("mine\n", encoding="utf-8")
    hand = build / "es" / "guides" / "knee.md"  # a built page someone edited by hand
    hand.write_text(hand.read_text() + "\nEdited by hand.\n", encoding="utf-8")
    catalogues = {lang: catalogue(project, lang, "guides/knee").read_bytes() for lang in LANGS}
    before = files(build)

    (project / "source" / "guides" / "knee.md").unlink()
    ran = ok(project, "extract")
    assert "source/guides/knee.md: removed; its catalogues are moved aside" in ran.err
    assert "removed locales/guides/knee.pot (its article is gone)" in ran.out
    for lang in LANGS:
        aside = project / "locales" / lang / "LC_MESSAGES" / ".obsolete" / "guides" / "knee.po"
        assert aside.read_bytes() == catalogues[lang]  # moved, byte for byte
        assert not catalogue(project, lang, "guides/knee").exists()
    ok(project, "update")
    status = json.loads(ok(project, "status", "--json").out)["languages"]
    assert set(status["ja"]["articles"]) == {"checklist"}  # the removed one is not counted
    assert status["ja"]["total"] == 4

    built = ok(project, "build")
    after = files(build)
    gone = set(before) - set(after)
    assert gone == {"ja/guides/knee.md", "ja/guides/images/knee.png"}
    assert after["es/guides/knee.md"] == before["es/guides/knee.md"]  # edited: left in place,
    assert "es/guides/images/knee.png" in after  # with the image it links to
    assert "build/es/guides/knee.md: changed since localise wrote it; left in place" in built.err
    assert keep.read_text() == "mine\n"
    assert not (build / "ja" / "guides").exists()  # the folder it emptied
    assert {k: v for k, v in after.items() if k in before} == {
        k: v for k, v in before.items() if k in after
    }  # nothing else changed
    assert ok(project, "build").out.startswith("nothing changed")

    # the article comes back: so do its catalogues, reviewed as they were
    (project / "source" / "guides" / "knee.md").write_bytes(
        (Path(__file__).parents[1] / "fixtures" / "lifecycle" / "source" / "guides" /
         "knee.md").read_bytes()
    )
    ran = ok(project, "extract")
    assert "source/guides/knee.md: came back (6 of 6 units found)" in ran.err
    for lang in LANGS:
        assert reviewed_entries(catalogue(project, lang, "guides/knee"))
        assert not (project / "locales" / lang / "LC_MESSAGES" / ".obsolete" / "guides" /
                    "knee.po").exists()
    ok(project, "update")
    assert "kept the source text" not in ok(project, "build", "--strict", "--lang", "ja").err


def test_a_second_removal_never_overwrites_the_first(tmp_path: Path) -> None:
    target = tmp_path / "a.po"
    assert _free(target) == target
    target.write_text("first")
    assert _free(target) == tmp_path / "a~2.po"
    (tmp_path / "a~2.po").write_text("second")
    assert _free(target) == tmp_path / "a~3.po"
    assert _original_slug("guides/a~3") == "guides/a"
    assert _original_slug("guides/a~b") == "guides/a~b"
