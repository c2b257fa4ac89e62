"""The draft protocol on real catalogue entries: MT and TM records, fingerprints, settling."""

from __future__ import annotations

from pathlib import Path

from localise import catalogue, drafts

PO = b'''msgid ""
msgstr ""
"Language: ja\\n"

msgid "One."
msgstr ""

msgid "Two."
msgstr ""
'''


def entry(msgid: str = "One.") -> catalogue.Entry:
    po = catalogue.parse(PO, path=Path("x.po"))
    found = po.find(msgid)
    assert found is not None
    return found


def test_tm_record_round_trips_through_the_file() -> None:
    e = entry()
    drafts.write(e, "一。", memory=drafts.Memory(92, "guides/x.po"), problems=["markup: x"])
    assert e.translator_comments == [
        f"TM: 92% from guides/x.po {drafts.fingerprint('一。')}", "MT-check: markup: x"]
    record = drafts.read(e)
    assert record is not None and record.kind == "TM" and record.score == 92
    assert record.origin == "guides/x.po" and record.flagged and drafts.is_unreviewed(e)
    aligned = entry()
    drafts.write(aligned, "一。", memory=drafts.Memory(100, "old/x.md", aligned=True))
    assert aligned.translator_comments[0].startswith("TM: aligned from old/x.md #")
    assert drafts.read(aligned).origin == "old/x.md"  # type: ignore[union-attr]


def test_notes_do_not_flag_and_exact_reviewed_leaves_no_marks() -> None:
    e = entry()
    drafts.write(e, "一。", engine="argos x 1", notes=["'a' → 'b' from the glossary"])
    record = drafts.read(e)
    assert record is not None and not record.flagged and record.problems
    reviewed = entry()
    drafts.write(reviewed, "一。", memory=drafts.Memory(100, "a.po"), reviewed=True)
    assert not reviewed.fuzzy and reviewed.translator_comments == []


def test_settle_drops_marks_once_reviewed_and_fixed_problems_when_edited() -> None:
    e = entry()
    drafts.write(e, "一。", engine="argos x 1", problems=["markup: bad", "glossary: y"])
    assert not drafts.settle(e, verify=lambda text: [])  # untouched draft: as it was
    e.msgstr = "一！"  # edited, still fuzzy: only problems the verifier still finds stay
    assert drafts.settle(e, verify=lambda text: ["glossary: y"])
    assert e.translator_comments[1:] == ["MT-check: glossary: y"]
    assert not drafts.is_unreviewed(e)  # human work now
    e.fuzzy = False  # reviewed
    assert drafts.settle(e) and e.translator_comments == []
    old = entry("Two.")  # an old record without fingerprint, reviewed
    old.msgstr, old.translator_comments = "二。", ["keep me", "MT: apertium-eng-spa 0.8.1-2"]
    assert drafts.read(old).fingerprint == ""  # type: ignore[union-attr]
    assert drafts.settle(old) and old.translator_comments == ["keep me"]
