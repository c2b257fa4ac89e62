"""Rule-based sentence splitting and joining that round-trips: ``join(split(t)) == t``.

Segments are what MT engines translate. Boundaries are line breaks and sentence ends
(``.``/``!``/``?`` plus closing quotes, brackets and ``⟦/n⟧`` tokens, followed by whitespace
and something that is not a lowercase continuation); never after common abbreviations,
initials, ellipses, nor inside a paired ``⟦n⟧…⟦/n⟧`` span. For ja/zh, ``。！？`` end a
sentence even without following whitespace.

Whitespace between two sentences that equals the language's usual separator (one space; none
for ja/zh) is dropped and re-inserted by :func:`join`, which looks at the characters on both
sides (a Latin sentence in a Japanese text still gets its space); any other whitespace (line breaks,
double spaces) stays attached to the end of the previous segment, so line breaks survive
translation verbatim.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Sequence

from localise.langs import is_cjk, is_unspaced

__all__ = ["gap", "join", "separator", "split", "unspaced_char"]


ABBREVIATIONS = frozenset(
    [
        "e.g", "i.e", "vs", "v", "etc", "approx", "ca", "cf", "al", "dr", "mr", "mrs", "ms", "mx",
        "prof", "sr", "jr", "st", "mt", "no", "nos", "fig", "figs", "eq", "eqs", "vol", "vols",
        "ed", "eds", "p", "pp", "ch", "sec", "ref", "refs", "dept", "est", "inc", "ltd", "co",
        "corp", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov",
        "dec", "mon", "tue", "wed", "thu", "fri", "sat", "sun", "min", "max", "misc", "incl",
        "excl", "resp",
    ]
)

_TOKEN = re.compile(r"⟦(/?)(\d+)⟧")
# Sentence end: terminal punctuation, then closers (quotes, brackets, closing tokens).
_END = re.compile(r"[.!?…‼⁇⁈⁉]+(?:[\"'”’»)\]]|⟦/\d+⟧)*")
_CJK_END = re.compile(r"[。！？]+(?:[」』）】〉》\"'”’)\]]|⟦/\d+⟧)*")
_CLOSERS = re.compile(r"[\"'”’»)\]]|⟦/\d+⟧")
_WORD_BEFORE = re.compile(r"([\w.'’-]+)$")
_CONTINUATION = frozenset(",;:)]}%")
_WORD_WINDOW = 256
"""How far before a dot the abbreviation check looks (no abbreviation is longer)."""


def separator(lang: str) -> str:
    """Return the whitespace :func:`join` puts between sentences in ``lang`` (' ' or '')."""
    return "" if is_unspaced(lang) else " "


def _protected_spans(text: str) -> list[tuple[int, int]]:
    """Return (start, end) of every outermost paired ``⟦n⟧…⟦/n⟧`` span."""
    spans: list[tuple[int, int]] = []
    stack: list[tuple[str, int]] = []
    for match in _TOKEN.finditer(text):
        closing, number = match.group(1), match.group(2)
        if not closing:
            stack.append((number, match.start()))
            continue
        for depth in range(len(stack) - 1, -1, -1):
            if stack[depth][0] == number:
                start = stack[depth][1]
                del stack[depth:]
                if not stack:
                    spans.append((start, match.end()))
                break
    return spans


def _abbreviation_before(text: str, dot: int) -> bool:
    """True if the ``.`` at ``dot`` ends an abbreviation (``etc``, ``U.S``) or an initial."""
    # the word before the dot, looked for in a bounded window: linear in the text's length
    match = _WORD_BEFORE.search(text, max(0, dot - _WORD_WINDOW), dot)
    if match is None:
        return False
    word = match.group(1).lstrip("'’-")
    lower = word.lower()
    if lower in ABBREVIATIONS:
        return True
    if "." in word:  # "U.S", "e.g", "Ph.D" are abbreviations; "example.com", "3.5" are not
        return all(0 < len(chunk) <= 2 and chunk.isalpha() for chunk in word.split("."))
    return len(word) == 1 and word.isupper() and word != "I"  # initials: "J. Smith"


def _boundaries(text: str, lang: str) -> list[tuple[int, int]]:
    """Return (end of sentence, start of next) pairs within one line."""
    spans = _protected_spans(text)  # outermost spans: sorted and disjoint
    starts = [start for start, _ in spans]

    def inside(pos: int) -> bool:
        at = bisect.bisect_left(starts, pos) - 1  # the last span starting before pos
        return at >= 0 and pos < spans[at][1]

    found: list[tuple[int, int]] = []
    for match in _END.finditer(text):
        end = match.end()
        gap_end = end
        while gap_end < len(text) and text[gap_end].isspace():
            gap_end += 1
        if gap_end == end or gap_end == len(text) or inside(end):
            continue
        nxt = text[gap_end]
        if nxt.islower() or nxt in _CONTINUATION:
            continue
        bare = _CLOSERS.sub("", match.group())
        if "…" in bare or ".." in bare:
            continue  # an ellipsis trails off rather than ending the sentence
        if bare == "." and _abbreviation_before(text, match.start()):
            continue
        found.append((end, gap_end))
    if is_cjk(lang):
        for match in _CJK_END.finditer(text):
            end = match.end()
            gap_end = end
            while gap_end < len(text) and text[gap_end].isspace():
                gap_end += 1
            if gap_end < len(text) and not inside(end):
                found.append((end, gap_end))
    return sorted(set(found))


def split(text: str, *, lang: str) -> list[str]:
    """Split ``text`` (source language ``lang``) into segments; ``join`` restores it exactly."""
    if not text:
        return []
    sep = separator(lang)
    cuts: list[tuple[int, int]] = []  # (end of segment, start of next segment)
    offset = 0
    for line in text.splitlines(keepends=True):
        body = line.rstrip("\r\n")
        cuts.extend((offset + a, offset + b) for a, b in _boundaries(body, lang))
        if len(line) != len(body) and offset + len(line) < len(text):
            cuts.append((offset + len(body), offset + len(line)))
        offset += len(line)
    parts: list[str] = []
    start = 0
    for end, next_start in cuts:
        # Extend a line-break cut over following whitespace and merge overlapping cuts.
        while next_start < len(text) and text[next_start].isspace():
            next_start += 1
        if end < start or next_start >= len(text):
            continue
        gap = text[end:next_start]
        segment = text[start:end] if gap == sep else text[start:next_start]
        if not segment.strip():
            continue  # whitespace only: keep it with what follows
        parts.append(segment)
        start = next_start
    parts.append(text[start:])
    return parts


_EDGE_TOKENS_END = re.compile(r"(?:⟦/?\d+⟧)+$")
_EDGE_TOKENS_START = re.compile(r"^(?:⟦/?\d+⟧)+")
_UNSPACED_SCRIPTS = (
    (0x0E00, 0x0EFF),  # Thai, Lao
    (0x0F00, 0x0FFF),  # Tibetan
    (0x1000, 0x109F),  # Myanmar
    (0x1780, 0x17FF),  # Khmer
)


def unspaced_char(char: str) -> bool:
    """True for a character of a script written without spaces: wide and full-width forms
    (kana, kanji, hangul, ``。``, ``「``), Thai, Lao, Khmer, Myanmar, Tibetan."""
    if unicodedata.east_asian_width(char) in ("W", "F"):
        return True
    code = ord(char)
    return any(low <= code <= high for low, high in _UNSPACED_SCRIPTS)


def _sides(left: str, right: str) -> tuple[str, str] | None:
    """The visible characters either side of a sentence joint (protection tokens skipped)."""
    a = _EDGE_TOKENS_END.sub("", left)
    b = _EDGE_TOKENS_START.sub("", right)
    if not a or not b:
        return None
    return a[-1], b[0]


def gap(left: str, right: str, *, lang: str) -> str:
    """The separator between two sentences of a ``lang`` text, from the characters either side.

    In an unspaced language (ja, zh, th) sentences touch, except two spaced-script ones (a
    Latin sentence after ``safe?``); in a spaced language they take one space, except between
    two unspaced-script characters (``。`` then ``日``)."""
    sides = _sides(left, right)
    if sides is None:
        return separator(lang)
    wide = unspaced_char(sides[0]) or unspaced_char(sides[1])
    if is_unspaced(lang):
        return "" if wide else " "
    both = unspaced_char(sides[0]) and unspaced_char(sides[1])
    return "" if both else " "


def join(parts: Sequence[str], *, lang: str) -> str:
    """Join segments in target language ``lang``; a separator goes only where none is kept,
    chosen by :func:`gap` from the characters on both sides."""
    out: list[str] = []
    for i, part in enumerate(parts):
        if i and part and out[-1] and not out[-1][-1].isspace() and not part[0].isspace():
            out.append(gap(out[-1], part, lang=lang))
        out.append(part)
    return "".join(out)
