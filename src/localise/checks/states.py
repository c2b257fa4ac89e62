"""Rules on a translation's state: untranslated, unchanged from the source, fuzzy."""

from __future__ import annotations

import re
from collections.abc import Iterator

from localise import drafts
from localise.catalogue import Entry
from localise.checks.base import CheckContext, Message, Pair, Rule
from localise.checks.parsed import OBJ


def check_untranslated(pair: Pair, ctx: CheckContext) -> Iterator[str]:
    """An empty translation."""
    if not pair.msgstr:
        yield "not translated yet"


def _word_count(pair: Pair, ctx: CheckContext) -> int:
    text = pair.source.text
    for term in ctx.glossary.keep_terms() if ctx.glossary else ():
        text = re.sub(rf"(?<!\w){re.escape(term)}(?!\w)", OBJ, text)
    return len(re.findall(r"[^\W\d_]+", text))


def check_unchanged(pair: Pair, ctx: CheckContext) -> Iterator[str]:
    """A translation identical to a source of four words or more (names aside)."""
    if pair.msgstr.strip() == pair.msgid.strip() and _word_count(pair, ctx) >= 4:
        yield "translation is identical to the source"


def check_fuzzy(entry: Entry, ctx: CheckContext) -> Iterator[Message]:
    """A translated entry still marked fuzzy: a machine draft, a changed source, or a draft."""
    if not entry.fuzzy or not entry.translated:
        return
    record = drafts.read(entry)
    if record is not None:
        if record.flagged:
            problems = [p for p in record.problems if not p.startswith(f"{drafts.NOTE_CHECK}:")]
            yield ("warning", f"machine draft ({record.engine}) with problems to fix: "
                   f"{'; '.join(problems)}")
        else:
            yield ("info", f"machine draft ({record.engine}) awaiting review")
    elif entry.previous_msgid:
        yield ("info", "the source changed since this was translated; review it")
    else:
        yield ("info", "marked fuzzy: awaiting review")


UNTRANSLATED = Rule(
    name="untranslated",
    severity="info",
    summary="no translation yet",
    check=check_untranslated,
    on_empty=True,
)
UNCHANGED = Rule(
    name="unchanged",
    severity="warning",
    summary="the translation is identical to a source of four words or more",
    check=check_unchanged,
)
FUZZY = Rule(
    name="fuzzy",
    severity="warning",
    summary="a draft awaiting review (a warning when its machine draft has problems)",
    check_entry=check_fuzzy,
)
