"""Syntax pieces inside one unit: pairing, trimming the unit's edges, numbered placeholders.

No construct is parsed here: the dialect modules find the pieces, this module decides what a
unit keeps of them. A piece that starts or ends the unit (with the whitespace next to it) is
left outside the msgid, and so is a pair that encloses the whole text; every other piece is
shown as a numbered placeholder, ``{shortcode_1}``, ``{html_2}`` … ``{html_2_end}`` for the two
ends of a pair, each listed in the translator comment with the source it stands for.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from localise.dialects.base import Piece

SENTINEL_BASE = 0x100000
"""Pieces are stood in for by one supplementary private-use character each while the msgid is
normalised (U+100000 on): no Markdown rule, letter test or value scanner reacts to them."""


def non_overlapping(pieces: Sequence[Piece]) -> list[Piece]:
    """The pieces in source order, dropping any that overlaps an earlier, longer one."""
    out: list[Piece] = []
    for piece in sorted(pieces, key=lambda p: (p.start, -p.end)):
        if piece.end <= piece.start:
            continue
        if out and piece.start < out[-1].end:
            continue
        out.append(piece)
    return out


def partners(pieces: Sequence[Piece]) -> list[int | None]:
    """For each piece, the index of the piece that closes or opens it (None: it stands alone).

    Openers and closers of the same kind and key pair up innermost first; an opener left open
    or a closer without an opener in this unit stands alone."""
    out: list[int | None] = [None] * len(pieces)
    stacks: dict[tuple[str, str], list[int]] = {}
    for index, piece in enumerate(pieces):
        key = (piece.kind, piece.key)
        if piece.role == "open":
            stacks.setdefault(key, []).append(index)
        elif piece.role == "close" and stacks.get(key):
            opener = stacks[key].pop()
            out[opener], out[index] = index, opener
    return out


def trim(
    text: str,
    pieces: Sequence[Piece],
    pair: Sequence[int | None],
    lo: int,
    hi: int,
) -> tuple[int, int]:
    """Shrink ``text[lo:hi]`` past whitespace and the pieces at its edges.

    A piece at an edge goes when it stands alone (or its partner is already gone); a pair goes
    when its two ends are the two edges, or when it is at an edge and holds no letter. Anything
    else at an edge (Markdown markup, text) stops the trimming on that side.
    """
    starts = {p.start: i for i, p in enumerate(pieces)}
    ends = {p.end: i for i, p in enumerate(pieces)}
    gone: set[int] = set()

    def alone(index: int) -> bool:
        other = pair[index]
        return other is None or other in gone

    def letterless(a: int, b: int) -> bool:
        return not any(ch.isalpha() for ch in outside(text, pieces, a, b))

    while True:
        while lo < hi and text[lo].isspace():
            lo += 1
        while hi > lo and text[hi - 1].isspace():
            hi -= 1
        first, last = starts.get(lo), ends.get(hi)
        if first is not None and first in gone:
            first = None
        if last is not None and last in gone:
            last = None
        other_first = pair[first] if first is not None else None
        other_last = pair[last] if last is not None else None
        if first is not None and alone(first):
            gone.add(first)
            lo = pieces[first].end
        elif last is not None and alone(last):
            gone.add(last)
            hi = pieces[last].start
        elif first is not None and last is not None and other_first == last and first != last:
            gone.update((first, last))
            lo, hi = pieces[first].end, pieces[last].start
        elif (
            first is not None
            and other_first is not None
            and other_first > first
            and letterless(lo, pieces[other_first].end)
        ):
            gone.update(i for i, p in enumerate(pieces) if lo <= p.start < pieces[other_first].end)
            lo = pieces[other_first].end
        elif (
            last is not None
            and other_last is not None
            and other_last < last
            and letterless(pieces[other_last].start, hi)
        ):
            gone.update(i for i, p in enumerate(pieces) if pieces[other_last].start <= p.start < hi)
            hi = pieces[other_last].start
        else:
            return lo, hi


def outside(text: str, pieces: Sequence[Piece], a: int, b: int) -> str:
    """The characters of ``text[a:b]`` that belong to no piece (``pieces`` in order)."""
    out, pos = [], a
    for piece in pieces:
        if piece.end <= a or piece.start >= b:
            continue
        if piece.start > pos:
            out.append(text[pos : piece.start])
        pos = max(pos, piece.end)
    if pos < b:
        out.append(text[pos:b])
    return "".join(out)


@dataclass(frozen=True, slots=True)
class Stand:
    """The placeholder a piece gets in the msgid."""

    sentinel: str
    """The one character standing for it while the msgid is built."""
    name: str
    """Its placeholder name, e.g. ``liquid_2`` or ``html_1_end``."""
    source: str
    """The exact source text it stands for."""


def stand_ins(
    text: str, pieces: Sequence[Piece], pair: Sequence[int | None], indices: Sequence[int]
) -> list[Stand]:
    """Sentinel and placeholder name for each of ``pieces[indices]`` (source order): one
    number per kind, shared by the two ends of a pair, the closing end named ``…_end``."""
    counters: dict[str, int] = {}
    numbers: dict[int, int] = {}
    kept = set(indices)
    out: list[Stand] = []
    for serial, index in enumerate(indices):
        piece = pieces[index]
        other = pair[index]
        closing = other is not None and other in kept and other < index
        if closing:
            number = numbers[other]  # type: ignore[index]
        else:
            counters[piece.kind] = counters.get(piece.kind, 0) + 1
            number = numbers[index] = counters[piece.kind]
        name = f"{piece.kind}_{number}" + ("_end" if closing else "")
        out.append(Stand(chr(SENTINEL_BASE + serial), name, text[piece.start : piece.end]))
    return out


def with_sentinels(text: str, pieces: Sequence[Piece], stands: Sequence[Stand], lo: int) -> str:
    """``text`` (which starts at offset ``lo`` of the scanned text) with each piece replaced by
    its sentinel character."""
    out: list[str] = []
    pos = 0
    for piece, stand in zip(pieces, stands, strict=True):
        out.append(text[pos : piece.start - lo])
        out.append(stand.sentinel)
        pos = piece.end - lo
    out.append(text[pos:])
    return "".join(out)


def substitute(msgid: str, stands: Sequence[Stand], *, double_braces: bool) -> str:
    """Replace each sentinel by ``{name}``; double literal braces first when asked (a msgid
    with placeholders is python-brace-format)."""
    if double_braces:
        msgid = msgid.replace("{", "{{").replace("}", "}}")
    for stand in stands:
        msgid = msgid.replace(stand.sentinel, "{" + stand.name + "}")
    return msgid


def describe(source: str) -> str:
    """A piece's source for the translator comment: whitespace runs as one space."""
    return " ".join(source.split())


def letters_at(text: str, is_text: Callable[[int], bool]) -> tuple[int, int] | None:
    """First and last offsets of a letter in the text part of ``text`` (None: no letter)."""
    first = next((i for i, ch in enumerate(text) if ch.isalpha() and is_text(i)), None)
    if first is None:
        return None
    last = next(i for i in range(len(text) - 1, -1, -1) if text[i].isalpha() and is_text(i))
    return first, last
