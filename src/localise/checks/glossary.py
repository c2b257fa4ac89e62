"""Glossary rules: required term translations, and names that must stay as written."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator

from localise.checks.base import CheckContext, Message, Pair, Rule
from localise.glossary import Haystack, occurs


def _variant(term: str, text: str) -> str | None:
    """Something in ``text`` that looks like ``term`` respaced or recased."""
    letters = [re.escape(c) for c in term if not c.isspace()]
    match = re.search(r"[\s\-_·・]*".join(letters), text, re.IGNORECASE)
    return match.group(0) if match else None



def check_glossary(pair: Pair, ctx: CheckContext) -> Iterator[Message]:
    """A glossary term of the source without one of its required translations."""
    if ctx.glossary is None:
        return
    lang, tgt = ctx.lang, pair.target
    for term in ctx.glossary.found_in(pair.source.text, lang=lang):
        if term.keep or term.language != lang:
            continue
        # only Latin letters and digits bound a word: PlacidWayは is found in Japanese
        if not any(occurs(alt, tgt.text) for alt in term.alternatives):
            note = f" — {term.note}" if term.note else ""
            wanted = " or ".join(repr(alt) for alt in term.alternatives)
            yield ("error" if term.strict else "warning",
                   f"{term.term!r} must be translated as {wanted} "
                   f"(glossary line {term.line}){note}")


@functools.lru_cache(maxsize=4096)  # every draft is searched for every name
def name_pattern(term: str) -> re.Pattern[str]:
    """A do-not-translate name in the source, not inside a longer word (case-insensitive when
    written in lower case, as :func:`~localise.glossary.term_pattern`)."""
    flags = re.IGNORECASE if term.islower() else 0
    return re.compile(rf"(?<!\w){re.escape(term)}(?!\w)", flags)


def check_do_not_translate(pair: Pair, ctx: CheckContext) -> Iterator[Message]:
    """A do-not-translate name of the source that is not in the translation as written."""
    if ctx.glossary is None:
        return
    src, tgt = pair.source, pair.target
    haystack = Haystack(src.text)
    for term in ctx.glossary.terms:
        if not term.keep or not haystack.may_hold(term.term):
            continue
        found = name_pattern(term.term).finditer(src.text)
        for written in dict.fromkeys(m.group(0) for m in found):
            if _contains_verbatim(written, tgt.text):
                continue
            seen = _variant(written, tgt.text)
            found = f"; the translation has {seen!r}" if seen else ""
            yield ("error" if term.strict else "warning",
                   f"{written!r} must appear unchanged (glossary line {term.line}){found}")


def _contains_verbatim(term: str, text: str) -> bool:
    return bool(re.search(rf"(?<![A-Za-z0-9]){re.escape(term)}(?![A-Za-z0-9])", text))


RULES = (
    Rule(
        name="glossary",
        severity="error",
        summary="a glossary term without its required translation (error when strict)",
        check=check_glossary,
        verifies_drafts=True,
    ),
    Rule(
        name="do-not-translate",
        severity="error",
        summary="a do-not-translate name changed (error when strict)",
        check=check_do_not_translate,
        verifies_drafts=True,
    ),
)
"""The glossary rules."""
