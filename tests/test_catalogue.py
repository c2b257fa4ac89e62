"""Catalogue lifecycle: parsing with line numbers, merge semantics against GNU msgmerge, headers,
canonical (msgcat-identical) writing, stats, and merge laws under random edits."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import polib
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from localise import catalogue
from localise.catalogue import Catalogue
from localise.errors import CatalogueError

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "catalogue"
MSGMERGE = shutil.which("msgmerge")
MSGCAT = shutil.which("msgcat")
MSGFMT = shutil.which("msgfmt")
needs_gettext = pytest.mark.skipif(
    not (MSGMERGE and MSGCAT and MSGFMT), reason="GNU gettext tools not installed"
)
WELCOME_JA = "locales/ja/LC_MESSAGES/welcome.po"
WELCOME_POT = "locales/welcome.pot"


# -- helpers ---------------------------------------------------------------------------


def _wrap(po: polib.POFile | Catalogue | None) -> Catalogue | None:
    """A polib catalogue (as an external tool would make it) in localise's entry model."""
    return po if po is None or isinstance(po, Catalogue) else Catalogue(po)


def render(po: polib.POFile | Catalogue) -> bytes:
    wrapped = _wrap(po)
    assert wrapped is not None
    return wrapped.render()


def stats(po: polib.POFile | Catalogue) -> catalogue.Counts:
    wrapped = _wrap(po)
    assert wrapped is not None
    return wrapped.stats()


def merge(
    old: polib.POFile | Catalogue | None, pot: polib.POFile | Catalogue, **options: Any
) -> Catalogue:
    wrapped = _wrap(pot)
    assert wrapped is not None
    return catalogue.merge(_wrap(old), wrapped, **options)


def note(entry: polib.POEntry | catalogue.Entry) -> str:
    """The translator comment of a polib entry or of one of ours."""
    if isinstance(entry, catalogue.Entry):
        return "\n".join(entry.translator_comments)
    return entry.tcomment


def entry_facts(po: polib.POFile | Catalogue) -> list[tuple[object, ...]]:
    """What a translator cares about in each entry, in file order."""
    return [
        (
            e.obsolete, e.msgctxt, e.msgid, e.msgstr, "fuzzy" in e.flags,
            e.previous_msgid, note(e),
        )
        for e in po
    ]


def load(path: Path) -> polib.POFile:
    return polib.pofile(str(path), wrapwidth=79)


def edit_po(path: Path, change: Callable[[polib.POFile], None]) -> None:
    """Edit a catalogue the way an external polib-based tool would."""
    po = load(path)
    change(po)
    po.save(str(path))


def set_source(project: Path, name: str, old: str, new: str) -> None:
    path = project / "source" / name
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new), encoding="utf-8")


def gettext(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(list(args), input=stdin, capture_output=True, check=False, timeout=30)


def assert_canonical(path: Path) -> None:
    """msgfmt --check/--check-format accept the file and msgcat rewrites it byte for byte."""
    checked = gettext(MSGFMT or "msgfmt", "--check", "--check-format", "-o", "/dev/null", str(path))
    assert checked.returncode == 0, checked.stderr.decode()
    cat = gettext(MSGCAT or "msgcat", "--force-po", str(path))
    assert cat.returncode == 0, cat.stderr.decode()
    if cat.stdout != path.read_bytes():
        import difflib

        diff = "\n".join(difflib.unified_diff(
            path.read_text("utf-8").splitlines(), cat.stdout.decode().splitlines(),
            "written", "msgcat", lineterm="", n=1,
        ))
        pytest.fail(f"{path.name} differs from msgcat's rewrite (wrapping?):\n{diff}")


def fill(po: polib.POFile, prefix: str = "訳 ") -> None:
    for e in po:
        if e.msgid and not e.obsolete:
            e.msgstr = prefix + e.msgid


@pytest.fixture
def updated(project: Path, cli) -> Path:
    """The fixture project after extract + update, all catalogues present."""
    assert cli(project, "extract").code == 0
    assert cli(project, "update").code == 0
    return project


# -- parsing: malformed input names the 1-based line -----------------------------------

MALFORMED = [
    ("unterminated.po", 7, "unterminated"),
    ("unterminated_continuation.po", 8, "unterminated"),
    ("not_po_syntax.po", 8, "not PO syntax"),
    ("duplicate_msgid.po", 9, "duplicate"),
    ("invalid_utf8.po", 10, "UTF-8"),
    # regression: '#|' lines went unchecked and polib truncated 'Travel Tip' to 'Travel Ti'
    ("unterminated_previous.po", 6, "unterminated"),
    # regression: reported by polib as 'Syntax error in po file' on the next entry's line
    ("missing_msgstr.po", 6, "msgstr"),
    # regression: '\q' was accepted and written back as '\\q', changing the translation
    ("invalid_escape.po", 7, "escape"),
]


@pytest.mark.parametrize(("name", "line", "what"), MALFORMED)
def test_malformed_catalogue_names_file_and_line(name: str, line: int, what: str) -> None:
    path = FIXTURES / name
    with pytest.raises(CatalogueError) as info:
        catalogue.parse(path.read_bytes(), path=path)
    error = info.value
    assert error.line == line, str(error)
    assert error.exit_code == 2
    assert str(error).startswith(f"{path}:{line}: ")
    assert what.lower() in error.message.lower()


def test_duplicate_message_points_at_the_first_definition() -> None:
    path = FIXTURES / "duplicate_msgid.po"
    with pytest.raises(CatalogueError, match=r"first defined on line 6"):
        catalogue.parse(path.read_bytes(), path=path)


@needs_gettext
@pytest.mark.parametrize("name", [
    "unterminated.po", "unterminated_continuation.po", "not_po_syntax.po",
    "duplicate_msgid.po", "invalid_utf8.po", "unterminated_previous.po", "missing_msgstr.po",
    "invalid_escape.po",
])
def test_malformed_fixtures_are_malformed_for_gettext_too(name: str) -> None:
    """The fixtures are really invalid: GNU msgfmt rejects every one of them."""
    result = gettext(MSGFMT or "msgfmt", "--check", "-o", "/dev/null", str(FIXTURES / name))
    assert result.returncode != 0


def test_valid_catalogue_with_every_construct_parses() -> None:
    path = FIXTURES / "valid.po"
    po = catalogue.parse(path.read_bytes(), path=path)
    live = [e for e in po if not e.obsolete]
    assert [(e.msgctxt, e.msgid) for e in live] == [
        (None, "Welcome"), (None, "Our clinic treats many patients."), ("menu", "Welcome"),
        (None, 'A first consultation costs {amount_1} and takes about an hour; bring "your" '
               "passport\nand\ttabs."),
        (None, "One day"),
    ]
    assert live[1].previous_msgid == "Our clinic treats patients." and "fuzzy" in live[1].flags
    assert note(live[0]) == "A translator note"
    obsolete = [e for e in po if e.obsolete]
    assert [e.msgid for e in obsolete] == ["Farewell", "Gone texts"]
    assert obsolete[1].msgstr == "消えたテキスト"
    assert po.metadata["Language"] == "ja"


def test_msgmerge_output_with_obsolete_previous_msgid_parses() -> None:
    """Regression: '#~| msgid', as msgmerge/msgcat write it, was 'malformed obsolete entry line'."""
    path = FIXTURES / "msgmerge_obsolete_previous.po"
    po = catalogue.parse(path.read_bytes(), path=path)
    gone = [e for e in po if e.obsolete]
    assert [(e.msgid, e.previous_msgid, "fuzzy" in e.flags) for e in gone] == [
        ("Gone texts", "Gone text", True)
    ]
    if MSGCAT:
        assert render(po) == path.read_bytes()


def test_parse_accepts_bom_and_no_final_newline() -> None:
    data = (
        b'\xef\xbb\xbfmsgid ""\nmsgstr "Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        b'msgid "a"\nmsgstr "b"'
    )
    po = catalogue.parse(data, path=Path("x.po"))
    assert [(e.msgid, e.msgstr) for e in po] == [("a", "b")]


@needs_gettext
def test_render_of_a_parsed_catalogue_is_what_msgcat_writes(tmp_path: Path) -> None:
    path = FIXTURES / "valid.po"
    rendered = render(catalogue.parse(path.read_bytes(), path=path))
    assert rendered == gettext(MSGCAT or "msgcat", "--force-po", str(path)).stdout
    out = tmp_path / "valid.po"
    out.write_bytes(rendered)
    assert_canonical(out)




def test_escaped_backslash_before_a_letter_or_mark_parses() -> None:
    data = (
        b'msgid ""\nmsgstr "Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        b'msgid "Open C:\\\\Users and 5 \\\\* 3 or A \\\\| B"\n'
        b'msgstr "C:\\\\Users"\n'
    )
    po = catalogue.parse(data, path=Path("x.po"))
    assert [e.msgid for e in po] == ["Open C:\\Users and 5 \\* 3 or A \\| B"]
    assert render(po) == data


def test_markdown_backslash_escapes_survive_a_second_run(project: Path, cli) -> None:
    (project / "source" / "escapes.md").write_text(
        "# Escapes\n\nPrices are 5 \\* 3, not \\*emphasis\\*.\n\n"
        "| Either | Or |\n| --- | --- |\n| A \\| B | C |\n",
        encoding="utf-8",
    )
    for command in ("extract", "update", "extract", "update", "build"):
        result = cli(project, command)
        assert result.code == 0, (command, result.err)


PO_TOKENS = [*'ab Z\\"\n\t{}%*|_ü東京。', "\\n", "\\*", "C:\\Users", "word "]
po_text = st.lists(st.sampled_from(PO_TOKENS), max_size=20).map("".join)


@needs_gettext
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@example(entries=[("C:\\Users", "C:\\Users")])
@given(st.lists(st.tuples(po_text, po_text), min_size=1, max_size=5,
                unique_by=lambda pair: pair[0]).filter(lambda xs: all(m for m, _ in xs)))
def test_law_whatever_msgcat_writes_parses_to_the_same_entries(
    entries: list[tuple[str, str]]
) -> None:
    po = _pot(*(msgid for msgid, _ in entries))
    po.header = "Test catalogue."
    for entry, (_, msgstr) in zip(po, entries, strict=True):
        entry.msgstr = msgstr
    cat = gettext(MSGCAT or "msgcat", "--force-po", "-", stdin=str(po).encode("utf-8"))
    assert cat.returncode == 0, cat.stderr.decode()
    ours = catalogue.parse(cat.stdout, path=Path("x.po"))
    assert entry_facts(ours) == entry_facts(polib.pofile(cat.stdout.decode("utf-8")))
    assert render(ours) == cat.stdout


# -- update: merge semantics -----------------------------------------------------------


def test_new_catalogue_header(updated: Path) -> None:
    from babel.messages.plurals import get_plural

    for lang, plural in (("ja", "nplurals=1; plural=0;"), ("es", get_plural("es").plural_forms)):
        for slug in ("welcome", "guides/travel"):
            po = load(updated / f"locales/{lang}/LC_MESSAGES/{slug}.po")
            assert po.metadata["Language"] == lang
            assert po.metadata["Plural-Forms"] == plural
            assert po.metadata["Content-Type"] == "text/plain; charset=UTF-8"
            assert po.metadata["Project-Id-Version"] == slug
            assert all(e.msgstr == "" and not e.flags.count("fuzzy") for e in po)


def test_entries_follow_source_order(updated: Path) -> None:
    expected = [
        "Welcome to the Clinic",
        "What to expect on your first visit.",
        "Our clinic in Tokyo treats patients from many countries.",
        "Bring your passport and your medical records to the first visit.",
        "Costs",
        "A first consultation costs {amount_1} and takes about an hour.",
        "Check the opening hours before you travel",
        "Book an interpreter if you need one",
    ]
    assert [e.msgid for e in load(updated / WELCOME_POT)] == expected
    for lang in ("ja", "es"):
        po = load(updated / f"locales/{lang}/LC_MESSAGES/welcome.po")
        assert [e.msgid for e in po] == expected
    travel = [e.msgid for e in load(updated / "locales/guides/travel.pot")]
    assert travel == [
        "Travel Tips",
        "Book your flight at least three weeks before the treatment starts.",
        "Keep a copy of every document in your hand luggage.",
    ]


def _translate_welcome(project: Path) -> None:
    def change(po: polib.POFile) -> None:
        fill(po)
        first = po.find("Welcome to the Clinic")
        first.tcomment = "Keep the clinic's own name.\nReviewed by Hanako"
        draft = po.find("What to expect on your first visit.")
        draft.flags.insert(0, "fuzzy")
        draft.tcomment = "MT: pseudo"
        po.find("Costs").msgstr = ""  # left untranslated by the translator

    edit_po(project / WELCOME_JA, change)


def _edit_welcome(project: Path) -> None:
    set_source(project, "welcome.md", "from many countries", "from many different countries")
    set_source(
        project, "welcome.md",
        "Bring your passport and your medical records to the first visit.\n\n", "",
    )
    set_source(
        project, "welcome.md", "- Book an interpreter if you need one\n",
        "- Book an interpreter if you need one\n\nParking is free for all visitors on weekends.\n",
    )


def test_update_keeps_fuzzies_obsoletes_and_starts_new_units_empty(updated: Path, cli) -> None:
    _translate_welcome(updated)
    before = load(updated / WELCOME_JA)
    _edit_welcome(updated)
    assert cli(updated, "extract").code == 0
    assert cli(updated, "update").code == 0
    po = load(updated / WELCOME_JA)
    by_id = {(e.msgid, e.obsolete): e for e in po}

    # unchanged msgid: translation, translator comments and fuzzy state kept as they were
    for msgid in ("Welcome to the Clinic", "What to expect on your first visit.",
                  "A first consultation costs {amount_1} and takes about an hour.",
                  "Check the opening hours before you travel"):
        new, old = by_id[(msgid, False)], before.find(msgid)
        assert (new.msgstr, new.tcomment, "fuzzy" in new.flags) == (
            old.msgstr, old.tcomment, "fuzzy" in old.flags
        ), msgid
    assert by_id[("Welcome to the Clinic", False)].tcomment == (
        "Keep the clinic's own name.\nReviewed by Hanako"
    )
    assert "fuzzy" in by_id[("What to expect on your first visit.", False)].flags
    assert "fuzzy" not in by_id[("Welcome to the Clinic", False)].flags

    # slightly changed source: old translation, fuzzy, previous msgid
    changed = by_id[("Our clinic in Tokyo treats patients from many different countries.", False)]
    assert changed.msgstr == "訳 Our clinic in Tokyo treats patients from many countries."
    assert "fuzzy" in changed.flags
    assert changed.previous_msgid == "Our clinic in Tokyo treats patients from many countries."

    # unrelated new paragraph: no fuzzy match, starts empty
    parking = by_id[("Parking is free for all visitors on weekends.", False)]
    assert parking.msgstr == "" and "fuzzy" not in parking.flags and parking.previous_msgid is None

    # removed unit: obsolete with its translation
    gone = by_id[("Bring your passport and your medical records to the first visit.", True)]
    assert gone.msgstr == "訳 Bring your passport and your medical records to the first visit."
    assert (updated / WELCOME_JA).read_text("utf-8").count("#~ msgid") == 1
    assert [e.obsolete for e in po] == sorted(e.obsolete for e in po)  # obsolete ones last
    assert_canonical(updated / WELCOME_JA)


@needs_gettext
def test_update_matches_gnu_msgmerge_previous(updated: Path, cli, tmp_path: Path) -> None:
    _translate_welcome(updated)
    old = tmp_path / "old.po"
    shutil.copyfile(updated / WELCOME_JA, old)
    _edit_welcome(updated)
    assert cli(updated, "extract").code == 0
    assert cli(updated, "update").code == 0
    reference = tmp_path / "msgmerge.po"
    result = gettext(MSGMERGE or "msgmerge", "--previous", "-q", "-o", str(reference),
                     str(old), str(updated / WELCOME_POT))
    assert result.returncode == 0, result.stderr.decode()
    ours = load(updated / WELCOME_JA)
    theirs = load(reference)
    assert entry_facts(ours) == entry_facts(theirs)
    assert ours.metadata == theirs.metadata


def test_removed_unit_comes_back_with_its_translation(updated: Path, cli) -> None:
    _translate_welcome(updated)
    original = (updated / "source/welcome.md").read_text("utf-8")
    _edit_welcome(updated)
    cli(updated, "extract")
    cli(updated, "update")
    (updated / "source/welcome.md").write_text(original, encoding="utf-8")
    cli(updated, "extract")
    cli(updated, "update")
    po = load(updated / WELCOME_JA)
    back = po.find("Bring your passport and your medical records to the first visit.")
    assert back is not None and not back.obsolete
    assert back.msgstr == "訳 Bring your passport and your medical records to the first visit."
    assert "fuzzy" not in back.flags
    assert not [e for e in po if e.obsolete and e.msgid == back.msgid]
    # the unrelated paragraph is gone again; having no translation it leaves no obsolete entry
    assert po.find("Parking is free for all visitors on weekends.") is None
    assert po.find("Parking is free for all visitors on weekends.", by="msgid",
                   include_obsolete_entries=True) is None


def test_returning_obsolete_draft_stays_fuzzy(updated: Path, cli) -> None:
    """Regression: a returning obsolete machine draft lost '#, fuzzy' and counted as reviewed."""
    def draft(po: polib.POFile) -> None:
        entry = po.find("Bring your passport and your medical records to the first visit.")
        entry.msgstr = "パスポートと医療記録を持ってきてください。"
        entry.flags.insert(0, "fuzzy")
        entry.tcomment = "MT: pseudo"

    edit_po(updated / WELCOME_JA, draft)
    original = (updated / "source/welcome.md").read_text("utf-8")
    set_source(updated, "welcome.md",
               "Bring your passport and your medical records to the first visit.\n\n", "")
    cli(updated, "extract")
    cli(updated, "update")
    gone = [e for e in load(updated / WELCOME_JA) if e.obsolete]
    assert len(gone) == 1 and "fuzzy" in gone[0].flags
    (updated / "source/welcome.md").write_text(original, encoding="utf-8")
    cli(updated, "extract")
    cli(updated, "update")
    back = load(updated / WELCOME_JA).find(
        "Bring your passport and your medical records to the first visit."
    )
    assert back.msgstr == "パスポートと医療記録を持ってきてください。"
    assert "fuzzy" in back.flags
    assert stats(load(updated / WELCOME_JA)).translated == 0


def _pot(*msgids: str) -> polib.POFile:
    pot = polib.POFile(wrapwidth=79)
    pot.metadata = {
        "Project-Id-Version": "x",
        "POT-Creation-Date": "2026-01-01 00:00+0000",
        "Content-Type": "text/plain; charset=UTF-8",
    }
    for msgid in msgids:
        pot.append(polib.POEntry(msgid=msgid, msgstr=""))
    return pot


def test_fuzzy_matched_again_keeps_original_previous_msgid() -> None:
    """Like msgmerge --previous: '#|' stays the text the translation was made for.

    Regression: merge() used to put the matched fuzzy entry's own msgid there.
    """
    old = polib.pofile(
        'msgid ""\nmsgstr "Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        "#, fuzzy\n"
        '#| msgid "Our clinic in Tokyo treats patients from many countries."\n'
        'msgid "Our clinic in Tokyo treats patients from many different countries."\n'
        'msgstr "東京のクリニックは多くの国の患者を治療します。"\n'
    )
    pot = _pot("Our clinic in Tokyo treats patients from many countries.")
    merged = merge(old, pot, lang="ja")
    entry = merged.find("Our clinic in Tokyo treats patients from many countries.")
    assert "fuzzy" in entry.flags
    assert entry.previous_msgid == "Our clinic in Tokyo treats patients from many countries."


def test_update_no_obsolete_drops_obsolete_entries(updated: Path, cli) -> None:
    _translate_welcome(updated)
    _edit_welcome(updated)
    cli(updated, "extract")
    cli(updated, "update")
    assert any(e.obsolete for e in load(updated / WELCOME_JA))
    result = cli(updated, "update", "--no-obsolete")
    assert result.code == 0
    assert WELCOME_JA in result.out
    po = load(updated / WELCOME_JA)
    assert not any(e.obsolete for e in po)
    assert "#~" not in (updated / WELCOME_JA).read_text("utf-8")
    changed = po.find("Our clinic in Tokyo treats patients from many different countries.")
    assert "fuzzy" in changed.flags  # live entries untouched


def test_translator_header_fields_survive_update(updated: Path, cli) -> None:
    fields = {
        "Last-Translator": "Hanako Yamada <hanako@example.com>",
        "PO-Revision-Date": "2026-01-15 09:30+0900",
        "Language-Team": "Japanese <ja@example.com>",
        "X-Custom": "keep me",
    }

    def translator(po: polib.POFile) -> None:
        po.metadata.update(fields)
        po.header = "Japanese translation of the welcome page.\nCopyright the translators."
        fill(po)

    edit_po(updated / WELCOME_JA, translator)
    _edit_welcome(updated)
    assert cli(updated, "extract").code == 0
    assert cli(updated, "update").code == 0
    po = load(updated / WELCOME_JA)
    for key, value in fields.items():
        assert po.metadata[key] == value, key
    assert po.header == "Japanese translation of the welcome page.\nCopyright the translators."
    assert po.metadata["Project-Id-Version"] == "welcome"
    assert po.metadata["Language"] == "ja"
    assert po.metadata["Plural-Forms"] == "nplurals=1; plural=0;"
    assert po.metadata["POT-Creation-Date"] == load(updated / WELCOME_POT).metadata[
        "POT-Creation-Date"
    ]
    assert_canonical(updated / WELCOME_JA)


@needs_gettext
def test_every_written_catalogue_is_msgcat_canonical(updated: Path, cli) -> None:
    _translate_welcome(updated)
    _edit_welcome(updated)
    edit_po(updated / "locales/es/LC_MESSAGES/guides/travel.po", lambda po: fill(po, "ES "))
    cli(updated, "extract")
    cli(updated, "update")
    cli(updated, "build")
    written = sorted((updated / "locales").rglob("*.po*"))
    assert len(written) == 6
    for path in written:
        assert_canonical(path)


def test_polib_resave_of_latin_catalogues_is_a_no_op(updated: Path, cli, tmp_path: Path) -> None:
    """Poedit-like tools built on polib (width 79) re-save our non-CJK catalogues unchanged.

    polib never wraps the header entry, so the es header (its CLDR Plural-Forms is longer
    than 79 columns) is compared apart: everything after it must be byte-identical.
    """
    edit_po(updated / "locales/es/LC_MESSAGES/welcome.po", lambda po: fill(po, "Traducción: "))
    cli(updated, "update")
    for rel in (WELCOME_POT, "locales/guides/travel.pot", "locales/es/LC_MESSAGES/welcome.po"):
        path = updated / rel
        copy = tmp_path / path.name
        load(path).save(str(copy))
        ours, theirs = path.read_bytes(), copy.read_bytes()
        if rel.endswith(".po"):
            ours, theirs = ours.split(b"\n\n", 1)[1], theirs.split(b"\n\n", 1)[1]
        assert theirs == ours, rel


@needs_gettext
def test_msgcat_resave_then_update_is_a_no_op(updated: Path, cli) -> None:
    """A translator tool that rewrites like msgcat causes no churn on the next update."""
    _translate_welcome(updated)
    cli(updated, "update")
    for path in (updated / "locales").rglob("*.po*"):
        out = gettext(MSGCAT or "msgcat", "--force-po", "-o", str(path), str(path))
        assert out.returncode == 0
    before = {p: p.read_bytes() for p in (updated / "locales").rglob("*.po*")}
    (updated / ".localise" / "state.sqlite").unlink()
    result = cli(updated, "update")
    assert "nothing changed" in result.out
    assert {p: p.read_bytes() for p in before} == before


# -- stats -----------------------------------------------------------------------------


def test_stats_never_counts_fuzzy_as_translated() -> None:
    po = _pot("One two three.", "Four five.", "Six.", "Seven eight nine ten.")
    po[0].msgstr = "一二三。"
    po[1].msgstr = "四五。"
    po[1].flags.append("fuzzy")
    po[3].flags.append("fuzzy")  # fuzzy without a translation is simply untranslated
    po.append(polib.POEntry(msgid="Gone.", msgstr="消えた。", obsolete=True))
    counts = stats(po)
    assert (counts.total, counts.translated, counts.fuzzy, counts.untranslated) == (4, 1, 1, 2)
    assert (counts.words_total, counts.words_translated, counts.words_fuzzy) == (10, 3, 2)
    assert counts.percent == 25.0
    assert catalogue.Counts().percent == 100.0


# -- laws under random edits (hypothesis) ----------------------------------------------

WORDS = ("clinic", "patient", "Tokyo", "visit", "cells", "knee", "doctor", "plan", "cost",
         "weeks", "flight", "hotel", "records", "the", "your", "a", "of", "and")
sentences = st.lists(st.sampled_from(WORDS), min_size=3, max_size=10).map(
    lambda words: " ".join(words).capitalize() + "."
)


@st.composite
def histories(draw: st.DrawFn) -> tuple[polib.POFile, polib.POFile]:
    """An old translated catalogue and a new template made by random edits of its units."""
    msgids = draw(st.lists(sentences, min_size=1, max_size=8, unique=True))
    old = _pot(*msgids)
    old.metadata["Language"] = "ja"
    for entry in old:
        state = draw(st.sampled_from(["translated", "fuzzy", "empty"]))
        if state != "empty":
            entry.msgstr = "訳" + entry.msgid
        if state == "fuzzy":
            entry.flags.append("fuzzy")
        entry.tcomment = draw(st.sampled_from(["", "note", "MT: pseudo"]))
    new_ids: list[str] = []
    for msgid in msgids:
        action = draw(st.sampled_from(["keep", "keep", "edit", "drop"]))
        if action == "keep":
            new_ids.append(msgid)
        elif action == "edit":
            new_ids.append(msgid[:-1] + " " + draw(st.sampled_from(WORDS)) + ".")
    new_ids += draw(st.lists(sentences, max_size=3))
    new_ids = list(dict.fromkeys(draw(st.permutations(new_ids))))
    return old, _pot(*new_ids)


LAW_SETTINGS = settings(max_examples=150, deadline=None,
                        suppress_health_check=[HealthCheck.too_slow])


@LAW_SETTINGS
@given(histories())
def test_law_unchanged_msgid_keeps_translation(history: tuple[polib.POFile, polib.POFile]) -> None:
    old, pot = history
    merged = merge(old, pot, lang="ja")
    live = [e for e in merged if not e.obsolete]
    assert [e.msgid for e in live] == [e.msgid for e in pot]  # template order, nothing lost
    for entry in live:
        before = old.find(entry.msgid)
        if before is not None:
            assert entry.msgstr == before.msgstr
            reviewed = before.msgstr and "fuzzy" not in before.flags
            kept = "" if reviewed and before.tcomment.startswith("MT: ") else before.tcomment
            assert note(entry) == kept  # a reviewed entry keeps no draft marks
            assert ("fuzzy" in entry.flags) == ("fuzzy" in before.flags)
        elif entry.msgstr:  # a fuzzy match: marked, attributed, and really similar
            assert "fuzzy" in entry.flags
            assert entry.previous_msgid is not None
            score = catalogue.similarity(entry.previous_msgid, entry.msgid)
            assert score >= catalogue.FUZZY_THRESHOLD
        else:
            assert "fuzzy" not in entry.flags
    # every translation that lost its unit survives: as a fuzzy suggestion or as obsolete
    reused = {e.previous_msgid for e in live if e.previous_msgid and old.find(e.msgid) is None}
    obsolete = {e.msgid for e in merged if e.obsolete}
    for entry in old:
        if entry.msgstr and pot.find(entry.msgid) is None:
            assert (entry.msgid in reused) != (entry.msgid in obsolete), entry.msgid


@LAW_SETTINGS
@given(histories(), st.booleans())
def test_law_update_is_idempotent(
    history: tuple[polib.POFile, polib.POFile], keep_obsolete: bool
) -> None:
    old, pot = history
    first = render(merge(old, pot, lang="ja", keep_obsolete=keep_obsolete))
    reparsed = catalogue.parse(first, path=Path("x.po"))
    assert render(reparsed) == first
    again = merge(reparsed, pot, lang="ja", keep_obsolete=keep_obsolete)
    second = render(again)
    assert second == first


@needs_gettext
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(histories())
def test_law_merged_catalogue_is_msgcat_canonical(
    tmp_path_factory: pytest.TempPathFactory, history: tuple[polib.POFile, polib.POFile]
) -> None:
    old, pot = history
    data = render(merge(old, pot, lang="ja"))
    cat = gettext(MSGCAT or "msgcat", "--force-po", "-", stdin=data)
    assert cat.returncode == 0, cat.stderr.decode()
    assert cat.stdout == data
    checked = gettext(MSGFMT or "msgfmt", "--check", "-o", "/dev/null", "-", stdin=data)
    assert checked.returncode == 0, checked.stderr.decode()
    assert re.search(rb'^"Language: ja\\n"$', data, re.MULTILINE)


# -- fidelity with GNU gettext: escapes, plural and obsolete entries, line separators ------

_HEADER = 'msgid ""\nmsgstr "Content-Type: text/plain; charset=UTF-8\\n"\n\n'


def _one(msgstr_source: str) -> bytes:
    return (_HEADER + f'msgid "a"\nmsgstr "{msgstr_source}"\n').encode("utf-8")


@pytest.mark.skipif(MSGCAT is None, reason="GNU gettext (msgcat) is not installed")
@pytest.mark.parametrize(
    "escaped",
    [r"\x41", r"\101", r"\x4142", r"\x41G", r"\1012", r"\7", r"\a", r"\x0a", r"\x22", r"\x5c",
     r"\xc3\xa9", r"\\x41", r"\b\f\v\t", r"caf\303\251"],
)
def test_c_escapes_decode_as_msgfmt_decodes_them(escaped: str, tmp_path: Path) -> None:
    """Each string reads as msgcat reads it, and is written back exactly as msgcat writes it."""
    source = tmp_path / "in.po"
    source.write_bytes(_one(escaped))
    expected = gettext(MSGCAT or "msgcat", str(source))
    assert expected.returncode == 0, expected.stderr
    po = catalogue.parse(source.read_bytes(), path=source)
    assert po.render() == expected.stdout
    reparsed = catalogue.parse(expected.stdout, path=source)
    assert reparsed.find("a").msgstr == po.find("a").msgstr  # type: ignore[union-attr]


@pytest.mark.skipif(MSGCAT is None, reason="GNU gettext (msgcat) is not installed")
@pytest.mark.parametrize("escaped", [r"\xZZ", r"\x", r"\8", r"\?", r"\'", r"\e", r"\u00e9"])
def test_escapes_msgfmt_rejects_are_errors_at_their_line(escaped: str, tmp_path: Path) -> None:
    source = tmp_path / "in.po"
    source.write_bytes(_one(escaped))
    assert gettext(MSGCAT or "msgcat", str(source)).returncode != 0
    with pytest.raises(CatalogueError) as caught:
        catalogue.parse(source.read_bytes(), path=source)
    assert caught.value.line == 5 and "escape" in caught.value.message


@pytest.mark.parametrize("nul", ["\x00", r"\0", r"\x00", r"\000"])
def test_a_nul_in_a_string_is_refused_at_its_line(nul: str) -> None:
    with pytest.raises(CatalogueError) as caught:
        catalogue.parse(_one(f"before{nul} after"), path=Path("x.po"))  # space: not hex
    assert caught.value.line == 5 and "NUL" in caught.value.message


@pytest.mark.skipif(MSGCAT is None, reason="GNU gettext (msgcat) is not installed")
def test_line_separators_inside_strings_survive_reading_and_writing(tmp_path: Path) -> None:
    """U+2028, U+2029, U+0085 and \\v are characters of a string, not line ends (polib alone
    would split there); the catalogue is written back as msgcat writes it."""
    source = tmp_path / "ls.po"
    source.write_bytes(
        (_HEADER + '#. note\u2028more\nmsgid "a\u2028b\x85c\x0bd"\nmsgstr "x\u2029y"\n')
        .encode("utf-8")
    )
    po = catalogue.parse(source.read_bytes(), path=source)
    entry = next(po.live())
    assert (entry.msgid, entry.msgstr, entry.comment) == (
        "a\u2028b\x85c\x0bd", "x\u2029y", "note\u2028more"
    )
    assert po.render() == gettext(MSGCAT or "msgcat", str(source)).stdout


@pytest.mark.skipif(MSGMERGE is None, reason="GNU gettext (msgmerge) is not installed")
def test_plural_and_obsolete_entries_are_kept_like_msgmerge(tmp_path: Path) -> None:
    """A translated plural entry leaving the template becomes obsolete (not dropped); ``#~ #|``
    reads as ``#~|``; an obsolete entry keeps its previous msgid; all as msgmerge writes it."""
    old_path = FIXTURES / "foreign-plural-obsolete.po"
    pot_path = tmp_path / "t.pot"
    pot_path.write_bytes((_HEADER + 'msgid "Keep"\nmsgstr ""\n').encode("utf-8"))
    reference = gettext(MSGMERGE or "msgmerge", "--previous", "-q", str(old_path), str(pot_path))
    assert reference.returncode == 0, reference.stderr
    old = catalogue.read(old_path)
    pot = catalogue.read(pot_path)
    assert old is not None and pot is not None
    ours = catalogue.merge(old, pot, lang="es")
    body = ours.render().split(b"\n\n", 1)[1]  # our header policy differs; entries must not
    assert body == reference.stdout.split(b"\n\n", 1)[1]
    again = catalogue.merge(catalogue.parse(ours.render(), path=old_path), pot, lang="es")
    assert again.render() == ours.render()


@pytest.mark.skipif(MSGCAT is None, reason="GNU gettext (msgcat) is not installed")
def test_long_comment_runs_and_long_strings_read_exactly(tmp_path: Path) -> None:
    """Hundreds of comment lines and continuation lines (which polib alone appends one by one,
    quadratic in their number) read to the same entries and write back as msgcat writes."""
    notes = "".join(f"# note {n}\n" if n % 7 else "#\n" for n in range(200))
    extracted = "".join(f"#. {{amount_{n}}} = {n},000 USD\n" for n in range(300))
    pieces = "".join(f'"piece {n} of a long paragraph, "\n' for n in range(400))
    source = tmp_path / "long.po"
    source.write_bytes(
        (_HEADER + notes + extracted + '#, fuzzy\nmsgid ""\n' + pieces + 'msgstr ""\n' + pieces)
        .encode("utf-8")
    )
    po = catalogue.parse(source.read_bytes(), path=source)
    entry = next(po.live())
    assert entry.translator_comments[:2] == ["", "note 1"] and len(entry.translator_comments) == 200
    assert entry.comment.split("\n")[-1] == "{amount_299} = 299,000 USD"
    assert entry.msgid.endswith("piece 399 of a long paragraph, ") and entry.msgid == entry.msgstr
    assert entry.line == 3 + 200 + 300 + 1 + 1  # header, notes, extracted, flags, msgid
    assert po.render() == gettext(MSGCAT or "msgcat", str(source)).stdout


# -- the linter's quick path for common lines ------------------------------------------

PO_LINES = [
    'msgid ""', 'msgstr ""', 'msgctxt "c"', 'msgid "a"', 'msgstr "b"', '"more"', '""',
    '"x\\"y"', '"a\\nb"', 'msgid  "two spaces"', 'msgid "open', '"unterminated', '"', '"a"b"',
    'msgid_plural "p"', 'msgstr[0] "z"', '#~ msgid "old"', '#~ msgstr "alt"', '#~ "cont"',
    '#| msgid "prev"', '#~| msgid "gone"', '#. note', '#: ref.md:1', '#, fuzzy', '# tc',
    "", "   ", '  "indented"  ', 'msgstr "\\q"', 'msgid "t"\t', 'garbage', '"\\x41"',
]
GOOD_STRINGS = ['""', '"a"', '"b c"', '"x\\"y"', '"a\\nb"', '"\\x41"']
BAD_STRINGS = ['"\\q"', '"open', '"a"b"']


@st.composite
def po_entries(draw: st.DrawFn) -> list[str]:
    """An entry, well formed unless bad strings are drawn: comments, then keywords each with
    continuation strings (the msgid made unique by a number)."""
    bad = draw(st.integers(0, 9)) == 0
    strings = st.sampled_from(GOOD_STRINGS + (BAD_STRINGS if bad else []))
    lines = draw(st.lists(st.sampled_from(["#. note", "#: ref.md:1", "#, fuzzy", "# tc"]),
                          max_size=3))
    prefix = draw(st.sampled_from(["", "", "", "#~ ", "#| "]))
    for keyword in draw(st.sampled_from([["msgid", "msgstr"], ["msgctxt", "msgid", "msgstr"],
                                         ["msgid", "msgid_plural", "msgstr[0]"]])):
        space = draw(st.sampled_from([" ", " ", " ", "  "]))
        first = f'"m{draw(st.integers(0, 10**6))}"' if keyword == "msgid" else draw(strings)
        lines.append(f"{prefix}{keyword}{space}{first}")
        lines += [prefix + more for more in draw(st.lists(strings, max_size=3))]
    return lines


def _lint_facts(text: str) -> object:
    try:
        lint = catalogue._Linter(text, path=Path("x.po")).run()
    except CatalogueError as exc:
        return ("error", str(exc))
    return (lint.polib_text(), lint.msgid_lines, lint.obsolete_previous, lint.folded)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(po_entries(), po_entries(), po_entries(),
                          st.lists(st.sampled_from(PO_LINES), max_size=2)), max_size=8))
def test_law_the_quick_path_reads_lines_as_the_full_one_does(blocks: list[list[str]]) -> None:
    text = "\n".join(line for block in blocks for line in [*block, ""])
    quick = _lint_facts(text)
    full = catalogue._Linter.plain
    try:
        catalogue._Linter.plain = lambda self, number, stripped: False  # type: ignore[method-assign]
        slow = _lint_facts(text)
    finally:
        catalogue._Linter.plain = full  # type: ignore[method-assign]
    assert quick == slow


def test_the_quick_path_takes_the_common_lines(monkeypatch: pytest.MonkeyPatch) -> None:
    taken: list[int] = []
    full = catalogue._Linter.plain

    def counted(self: Any, number: int, stripped: str) -> bool:
        done = full(self, number, stripped)
        if done:
            taken.append(number)
        return done

    monkeypatch.setattr(catalogue._Linter, "plain", counted)
    text = 'msgid ""\nmsgstr ""\n"Language: ja\\n"\n\n#. c\nmsgid "a"\n"b"\nmsgstr "c"\n'
    catalogue._Linter(text, path=Path("x.po")).run()
    assert taken == [1, 2, 6, 7, 8]  # line 3 has an escape: the full path reads it
