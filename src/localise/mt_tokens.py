"""Machine-translation protection: markup and placeholders ↔ ``⟦n⟧`` tokens, and back.

``⟦`` and ``⟧`` (U+27E6/U+27E7) survive NFKC, argostranslate's ``_``→space decoding,
whitespace normalisation and apertium's HTML mode; digits inside them survive too.

Only delimiter runs that markdown-it pairs into emphasis or strikethrough become tokens: a
literal ``_`` or ``*`` inside a word (``snake_case``, ``2*3``) is text and reaches the engine as
written. Glossary terms with a required translation can be protected too: their token is
restored as the required translation (see :func:`protect`'s ``required``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from localise import inline, placeholders
from localise.dialects import is_syntax_name
from localise.glossary import Haystack, term_pattern

_TOKEN_RE = re.compile(r"⟦\s*(/?)\s*(\d+)\s*⟧")
OPEN, CLOSE = "⟦", "⟧"
SCHEME = "2"
"""Version of the protection scheme (what becomes a token, how tokens are restored): part of
every machine-translation cache key, bumped whenever a change could alter a draft."""
_EMPHASIS_TOKENS = frozenset(
    {"em_open", "em_close", "strong_open", "strong_close", "s_open", "s_close"}
)
_SENTENCE_END = re.compile(r"(?:^|[.!?。！？]\s*)$")


@dataclass(frozen=True, slots=True)
class Protected:
    """A msgid with its markup replaced by numbered tokens."""

    text: str
    """The text sent to the engine, e.g. ``⟦1⟧Cost:⟦2⟧ see ⟦3⟧PlacidWay⟦/3⟧ for ⟦4⟧``."""
    originals: Mapping[str, str]
    """Token label (``"1"``, or ``"/3"`` for the end of link 3) → the markup it stands for
    (for a glossary term with a required translation: that translation)."""
    glossary: Mapping[str, tuple[str, str]] = field(default_factory=dict)
    """Token label → (the term as written in the msgid, its required translation)."""


def _token(label: str) -> str:
    return f"{OPEN}{label}{CLOSE}"


def protect(
    msgid: str,
    *,
    braces: bool = False,
    terms: Sequence[str] = (),
    required: Mapping[str, str] | None = None,
    env: dict[str, Any] | None = None,
) -> Protected:
    """Replace markup (emphasis runs, links' targets, code, HTML, autolinks, entities, escapes,
    hard breaks), ``{placeholders}`` (when ``braces``), do-not-translate ``terms`` and the
    ``required`` glossary terms (term → its translation) by tokens.

    A link or image becomes a pair, ``⟦n⟧text⟦/n⟧``, so that its text is translated in place
    and the sentence splitter keeps it in one piece; so do the two ends of a syntax placeholder
    pair (``{html_1}`` … ``{html_1_end}``, a dialect's HTML or Liquid block around text). A
    required term's token is restored as its translation (capitalised when the term was and
    the token starts a sentence)."""
    cuts: list[tuple[int, int]] = []
    pairs: dict[tuple[int, int], tuple[int, int]] = {}  # opening cut → closing cut
    spans = inline.scan(msgid, env=env)
    literal = _literal_delimiters(msgid, spans, env)
    for span in spans:
        if span.kind == "softbreak" or (span.start, span.end) in literal:
            continue
        if span.is_container:
            opening, closing = (span.start, span.label_start), (span.label_end, span.end)
            cuts += [opening, closing]
            pairs[opening] = closing
        else:
            cuts.append((span.start, span.end))
    if braces:
        found = list(placeholders.PATTERN.finditer(msgid))
        cuts.extend((m.start(), m.end()) for m in found)
        named = {m.group(1): (m.start(), m.end()) for m in found if m.group(1)}
        for name, cut in named.items():  # {html_1} … {html_1_end}: a pair, like a link
            if is_syntax_name(name) and f"{name}_end" in named:
                pairs[cut] = named[f"{name}_end"]
    covered = _merge(cuts)
    free = _gaps(covered, len(msgid))
    wanted = dict(required or {})
    translated_at: dict[tuple[int, int], str] = {}
    haystack = Haystack(msgid)
    # longest first, equal lengths in a fixed order (a set's order changes from run to run)
    for term in sorted(set(terms) | set(wanted), key=lambda t: (-len(t), t)):
        if not haystack.may_hold(term):
            continue  # nothing to cover: the spans stay as they are
        pattern = term_pattern(term)
        for start, end in free:
            for match in pattern.finditer(msgid, start, end):
                covered.append((match.start(), match.end()))
                if term in wanted and term not in terms:
                    translated_at[(match.start(), match.end())] = wanted[term]
        covered = _merge(covered)
        free = _gaps(covered, len(msgid))
    out: list[str] = []
    originals: dict[str, str] = {}
    glossary: dict[str, tuple[str, str]] = {}
    closing_label: dict[tuple[int, int], str] = {}
    number = 0
    pos = 0
    kept = set(covered)  # membership in O(1): linear in the msgid's length
    for cut in covered:
        start, end = cut
        out.append(msgid[pos:start])
        if cut in closing_label:
            label = closing_label[cut]
        else:
            number += 1
            label = str(number)
            if cut in pairs and pairs[cut] in kept:
                closing_label[pairs[cut]] = f"/{number}"
        originals[label] = msgid[start:end]
        if cut in translated_at:
            originals[label] = translated_at[cut]
            glossary[label] = (msgid[start:end], translated_at[cut])
        out.append(_token(label))
        pos = end
    out.append(msgid[pos:])
    return Protected("".join(out), originals, glossary)


def _emphasis_chars(text: str, env: dict[str, Any] | None) -> int:
    """Delimiter characters markdown-it turns into emphasis or strikethrough in ``text``."""
    references = (env or {}).get("references", {})
    tokens = inline.plain_parser().parseInline(text, {"references": references})
    return sum(
        len(child.markup)
        for token in tokens
        for child in token.children or ()
        if child.type in _EMPHASIS_TOKENS
    )


def _literal_delimiters(
    msgid: str, spans: Sequence[inline.Span], env: dict[str, Any] | None
) -> set[tuple[int, int]]:
    """The delimiter runs of ``msgid`` that stay literal text (``snake_case``, ``2*3``).

    A run is literal when escaping it leaves the emphasis markdown-it finds unchanged; when
    every run, or none, forms emphasis, one parse tells."""
    runs = [(s.start, s.end) for s in spans if s.kind == "delimiter"]
    if not runs:
        return set()
    used = _emphasis_chars(msgid, env)
    if used == 0:
        return set(runs)
    if used == sum(end - start for start, end in runs):
        return set()
    literal = set()
    for start, end in runs:
        escaped = msgid[:start] + "".join("\\" + c for c in msgid[start:end]) + msgid[end:]
        if _emphasis_chars(escaped, env) == used:
            literal.add((start, end))
    return literal


def _merge(cuts: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sorted, non-overlapping ranges (nested or overlapping cuts are merged)."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted(c for c in cuts if c[1] > c[0]):
        if merged and start < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _gaps(covered: list[tuple[int, int]], length: int) -> list[tuple[int, int]]:
    gaps, pos = [], 0
    for start, end in covered:
        if start > pos:
            gaps.append((pos, start))
        pos = end
    if pos < length:
        gaps.append((pos, length))
    return gaps


def restore(translated: str, protected: Protected) -> tuple[str, list[str]]:
    """Put the original markup back; list what could not be restored exactly."""
    seen: dict[str, int] = {}
    problems: list[str] = []

    def replace(match: re.Match[str]) -> str:
        label = match.group(1) + match.group(2)
        if label not in protected.originals:
            problems.append(f"the engine invented token {label}")
            return ""
        seen[label] = seen.get(label, 0) + 1
        if seen[label] > 1:
            return ""
        original = protected.originals[label]
        if label in protected.glossary:
            written = protected.glossary[label][0]
            before = _TOKEN_RE.sub("", translated[: match.start()])
            if written[:1].isupper() and _SENTENCE_END.search(before):
                original = original[:1].upper() + original[1:]
        return original

    text = _TOKEN_RE.sub(replace, translated)
    for label, original in protected.originals.items():
        if label not in seen:
            problems.append(f"missing {original!r}")
        elif seen[label] > 1:
            problems.append(f"{original!r} appeared {seen[label]} times; kept once")
    if OPEN in text or CLOSE in text:
        problems.append("damaged protection tokens left in the text")
        text = text.replace(OPEN, "").replace(CLOSE, "")
    return text, problems
