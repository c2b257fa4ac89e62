"""`localise translate` through the CLI: translation memory before MT (project catalogues and
compendia), glossary terms applied in drafts, and review leaving no stale draft marks."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import polib
import pytest

from localise import engines
from support import isolate_argos

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "tm"

A = """# Visiting the Clinic

Bring your passport and your medical records.

Read the [visitor guide](https://example.com/guide) before you travel.

The clinic opens at nine.
"""
B = """# Visiting Again

Bring your passport and your medical records.

Read the [visitor guide](https://example.com/guide-2) before you fly.

Ask the clinic for a written quote.

**PlacidWay**

Parking is free for patients.
"""
REVIEWED_A = {
    "Visiting the Clinic": "クリニックの訪問",
    "Bring your passport and your medical records.": "パスポートと診療記録をお持ちください。",
    "Read the [visitor guide](https://example.com/guide) before you travel.":
        "渡航前に[来院ガイド](https://example.com/guide)をお読みください。",
}


@pytest.fixture
def tm_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    isolate_argos(monkeypatch, tmp_path / "argos-home")
    root = tmp_path / "p"
    (root / "source").mkdir(parents=True)
    (root / "source" / "a.md").write_text(A)
    (root / "source" / "b.md").write_text(B)
    (root / "locales").mkdir()
    (root / "locales" / "glossary.csv").write_text(
        "term,language,translation,note,strict\nPlacidWay,*,,brand,yes\n"
        "medical records,es,historial médico,,no\npassport,es,pasaporte,,no\n"
    )
    (root / "localise.toml").write_text(
        'languages = ["ja", "es"]\n[translate]\npackages_dir = "models"\nbeam_size = 1\n'
    )
    return root


def po_path(root: Path, lang: str, slug: str) -> Path:
    return root / "locales" / lang / "LC_MESSAGES" / f"{slug}.po"


def review(root: Path, lang: str, slug: str, translations: dict[str, str]) -> None:
    """What a translator does in Poedit: write translations, not fuzzy (comments as they are:
    gettext tools never wrap them; polib would, hence ``wrapwidth=0``)."""
    path = po_path(root, lang, slug)
    po = polib.pofile(str(path), wrapwidth=0)
    for entry in po:
        if entry.msgid in translations:
            entry.msgstr = translations[entry.msgid]
            if "fuzzy" in entry.flags:
                entry.flags.remove("fuzzy")
    po.save(str(path))


def translate(cli: Callable[..., object], root: Path, *args: str) -> dict[str, object]:
    done = cli(root, "translate", "--json", *args)
    assert done.code == 0, done.err  # type: ignore[attr-defined]
    return json.loads(done.out)["languages"]  # type: ignore[attr-defined]


def prepare(cli: Callable[..., object], root: Path, *langs: str) -> None:
    assert cli(root, "extract").code == 0  # type: ignore[attr-defined]
    for lang in langs:
        assert cli(root, "update", "--lang", lang).code == 0  # type: ignore[attr-defined]


def test_project_memory_fills_first_and_is_never_sent(
    tm_project: Path, tiny_models: dict[str, Path], cli
) -> None:
    prepare(cli, tm_project, "ja")
    review(tm_project, "ja", "a", REVIEWED_A)
    assert cli(tm_project, "models", "install", str(tiny_models["ja"])).code == 0
    summary = translate(cli, tm_project, "--lang", "ja")["ja"]
    po = polib.pofile(str(po_path(tm_project, "ja", "b")))
    exact = po.find("Bring your passport and your medical records.")
    assert exact.msgstr == REVIEWED_A[exact.msgid] and "fuzzy" in exact.flags
    assert exact.tcomment.startswith("TM: 100% from a.po #")
    near = po.find("Read the [visitor guide](https://example.com/guide-2) before you fly.")
    assert "fuzzy" in near.flags and near.tcomment.startswith("TM: 87% from a.po #")
    # the match's link target is mapped onto the new msgid's
    assert near.msgstr == "渡航前に[来院ガイド](https://example.com/guide-2)をお読みください。"
    mt = po.find("Ask the clinic for a written quote.")
    assert mt.tcomment.startswith("MT: argos translate-en_ja 1.0")
    copied = po.find("**PlacidWay**")  # a do-not-translate name in bold: nothing to send
    assert copied.msgstr == "**PlacidWay**" and "MT: copy" in copied.tcomment
    # a.po: the unreviewed entry is drafted by MT too (a near match of nothing)
    assert summary["memory"] == 2 and summary["memory_exact"] == 1
    assert summary["copied"] == 1 and summary["machine"] == summary["units"] - 3
    machine_sentences = ["Visiting Again", "Ask the clinic for a written quote.",
                         "Parking is free for patients.", "The clinic opens at nine."]
    assert summary["sent"] == summary["segments"] == len(machine_sentences)
    assert summary["model_calls_per_unit"] == round(4 / summary["units"], 4)


def test_memory_alone_needs_no_engine_and_exact_matches_can_count_as_reviewed(
    tm_project: Path, cli
) -> None:
    (tm_project / "source" / "b.md").write_text(A.replace("the Clinic", "the Clinics"))
    with (tm_project / "localise.toml").open("a") as f:
        f.write("[translate.memory]\nexact_reviewed = true\nmin_similarity = 60\n")
    prepare(cli, tm_project, "ja")
    review(tm_project, "ja", "a", REVIEWED_A | {"The clinic opens at nine.": "9時開院です。"})
    summary = translate(cli, tm_project, "--lang", "ja")["ja"]  # no argos package installed
    assert summary["model"] == "" and summary["sent"] == 0
    po = polib.pofile(str(po_path(tm_project, "ja", "b")))
    reviewed = po.find("Bring your passport and your medical records.")
    assert "fuzzy" not in reviewed.flags and reviewed.tcomment == ""
    heading = po.find("Visiting the Clinics")  # a near match is still a draft
    assert heading.msgstr == "クリニックの訪問" and "fuzzy" in heading.flags
    assert heading.tcomment.startswith("TM: ")


def test_compendia_po_and_tmx(tm_project: Path, tiny_models: dict[str, Path], cli) -> None:
    shutil.copytree(FIXTURES, tm_project / "tm")
    with (tm_project / "localise.toml").open("a") as f:
        f.write('[translate.memory]\ncompendia = ["tm/compendium.tmx", "tm/compendium-ja.po"]\n')
    prepare(cli, tm_project, "ja")
    assert cli(tm_project, "models", "install", str(tiny_models["ja"])).code == 0
    summary = translate(cli, tm_project, "--lang", "ja")["ja"]
    po = polib.pofile(str(po_path(tm_project, "ja", "b")))
    quote = po.find("Ask the clinic for a written quote.")
    assert quote.msgstr == "クリニックに書面の見積もりを依頼してください。"
    assert quote.tcomment.startswith("TM: 100% from tm/compendium.tmx #")
    passport = po.find("Bring your passport and your medical records.")
    assert passport.tcomment.startswith("TM: 100% from tm/compendium-ja.po #")
    assert summary["memory"] == 2
    # a missing compendium is an error naming it
    with (tm_project / "localise.toml").open("a") as f:
        f.write("")
    (tm_project / "tm" / "compendium.tmx").unlink()
    failed = cli(tm_project, "translate", "--lang", "ja", "--retranslate")
    assert failed.code == 2 and "tm/compendium.tmx: compendium not found" in failed.err
    # a compendium reached through a link pointing outside the project is never read
    outside = tm_project.parent / "elsewhere.tmx"
    shutil.copy(FIXTURES / "compendium.tmx", outside)
    (tm_project / "tm" / "compendium.tmx").symlink_to(outside)
    failed = cli(tm_project, "translate", "--lang", "ja", "--retranslate")
    assert failed.code == 2, failed.err
    assert "tm/compendium.tmx: symbolic link to " in failed.err
    assert "points outside the project" in failed.err


def test_glossary_terms_are_applied_in_drafts(tm_project: Path, tiny_models: dict[str, Path],
                                              cli) -> None:
    prepare(cli, tm_project, "es")
    assert cli(tm_project, "models", "install", str(tiny_models["es"])).code == 0
    (tm_project / "localise.toml").write_text(
        'languages = ["ja", "es"]\n[translate]\npackages_dir = "models"\napply_glossary = false\n'
    )
    before = translate(cli, tm_project, "--lang", "es", "--no-memory")["es"]
    (tm_project / "localise.toml").write_text(
        'languages = ["ja", "es"]\n[translate]\npackages_dir = "models"\n'
    )
    after = translate(cli, tm_project, "--lang", "es", "--no-memory", "--retranslate")["es"]
    assert before["flagged"] == 2 and after["flagged"] == 0  # the passport sentence, in a and b
    assert after["glossary_applied"] == 2
    po = polib.pofile(str(po_path(tm_project, "es", "a")))
    entry = po.find("Bring your passport and your medical records.")
    assert entry.msgstr == "Bring your pasaporte and your historial médico."
    assert "MT-check: glossary-applied: 'passport' → 'pasaporte' from the glossary" in (
        entry.tcomment)
    assert "MT-check: glossary:" not in entry.tcomment
    check = cli(tm_project, "check", "--lang", "es", "--json")
    findings = json.loads(check.out)["findings"]
    assert not [f for f in findings if f["check"] == "glossary"]


class DroppingEngine:
    """Loses the first protection token of every segment (so bold breaks)."""

    name = "dropping"

    def __init__(self, *, options: object) -> None:
        self.options = options

    def version(self, *, source: str, target: str) -> str:
        return "dropping 1"

    def translate(self, segments, *, source: str, target: str) -> list[str]:
        return [s.replace("⟦1⟧", "", 1) for s in segments]


def test_review_leaves_no_stale_marks(tm_project: Path, cli, monkeypatch) -> None:
    monkeypatch.setitem(engines._REGISTRY, "dropping", f"{__name__}:DroppingEngine")
    (tm_project / "source" / "c.md").write_text(
        "**Bring** your passport.\n\n**Keep** your receipts.\n\nThe clinic opens at nine.\n"
    )
    prepare(cli, tm_project, "es")
    translate(cli, tm_project, "--lang", "es", "--engine", "dropping", "--no-memory")
    path = po_path(tm_project, "es", "c")
    po = polib.pofile(str(path), wrapwidth=0)
    fixed, reviewed = po.find("**Bring** your passport."), po.find("**Keep** your receipts.")
    assert "MT-check: missing '**'" in fixed.tcomment and "MT-check:" in reviewed.tcomment
    fixed.msgstr = "**Traiga** su pasaporte."  # the problem fixed, still fuzzy (not reviewed)
    reviewed.msgstr = "**Guarde** sus recibos."
    reviewed.flags.remove("fuzzy")  # reviewed
    po.save(str(path))
    done = translate(cli, tm_project, "--lang", "es", "--engine", "dropping", "--no-memory")
    assert done["es"]["settled"] == 2 and done["es"]["units"] == 0
    po = polib.pofile(str(path), wrapwidth=0)
    fixed, reviewed = po.find("**Bring** your passport."), po.find("**Keep** your receipts.")
    assert reviewed.tcomment == "" and "fuzzy" not in reviewed.flags
    # the fixed problem's MT-check lines are gone; the glossary note stays until review
    assert fixed.tcomment.splitlines() == [
        fixed.tcomment.splitlines()[0],
        "MT-check: glossary-applied: 'passport' → 'pasaporte' from the glossary; "
        "check agreement and word order",
    ]
    assert fixed.tcomment.startswith("MT: dropping 1 #")
    # `update` alone drops the marks of an entry reviewed since
    po = polib.pofile(str(path), wrapwidth=0)
    opens = po.find("The clinic opens at nine.")
    assert opens.tcomment.startswith("MT: dropping 1")
    opens.flags.remove("fuzzy")
    po.save(str(path))
    assert cli(tm_project, "update", "--lang", "es").code == 0
    assert polib.pofile(str(path), wrapwidth=0).find("The clinic opens at nine.").tcomment == ""
