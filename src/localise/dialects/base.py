"""What every dialect module shares: syntax pieces, the dialect description, line masks.

Nothing here parses a dialect's constructs; it holds the shapes the dialect modules fill and
the small line-level helpers they share (finding fenced code by hand, masking a line so that
markdown-it sees a block of its own). A *piece* is a stretch of a unit's source that is syntax,
never text: it is kept outside the msgid where it starts or ends a unit and shown as a numbered
``{kind_N}`` placeholder inside it.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from markdown_it import MarkdownIt

Role = Literal["single", "open", "close"]

SYNTAX_KINDS = frozenset(
    {
        "liquid", "shortcode", "macro", "mdx", "jsx", "html", "alt", "title", "emoji", "math",
        "footnote", "attrlist", "url", "autotitle",
    }
)
"""Placeholder kinds that stand for source syntax (``{macro_1}``, ``{html_2_end}``…)."""

_SYNTAX_NAME_RE = re.compile(r"([a-z]+)_\d+(?:_end)?")


def is_syntax_name(name: str) -> bool:
    """True for a placeholder name made for syntax (``shortcode_1``, ``html_3_end``)."""
    match = _SYNTAX_NAME_RE.fullmatch(name)
    return bool(match) and match.group(1) in SYNTAX_KINDS


@dataclass(frozen=True, slots=True)
class Piece:
    """A stretch of inline source that is syntax: a template tag, a macro, an HTML tag…"""

    start: int
    """Offset of its first character in the scanned text."""
    end: int
    """Offset just past it."""
    kind: str
    """Placeholder kind, one of :data:`SYNTAX_KINDS`."""
    role: Role = "single"
    """``open``/``close`` for the two ends of a pair (an HTML element, a Liquid block)."""
    key: str = ""
    """What pairs it: an opening and a closing piece with the same kind and key match."""
    attributes: tuple[tuple[str, int, int], ...] = ()
    """For an HTML start tag: (``alt`` or ``title``, start, end) of each translatable
    attribute value inside it, offsets in the scanned text."""


Scanner = Callable[[str], Iterable[Piece]]
"""Finds the pieces of one dialect construct family in a text."""


@dataclass(frozen=True, slots=True)
class Dialect:
    """One Markdown dialect: how it is parsed and what in it is text."""

    name: str
    """The preset name written in ``localise.toml``."""
    summary: str
    """One line for the documentation: what the preset adds to CommonMark."""
    configure: Callable[[MarkdownIt], None]
    """Adds the dialect's markdown-it rules and plugins to a CommonMark parser."""
    front_matter_keys: tuple[str, ...] = ()
    """Front-matter keys the site generator shows to readers, besides the configured ones."""
    scanners: tuple[Scanner, ...] = ()
    """Template and extension syntax found by hand in inline text (Liquid, shortcodes…)."""
    masks: tuple[Callable[[str, Sequence[tuple[int, int]]], Iterable[tuple[int, int]]], ...] = ()
    """Line-level constructs: each returns (start, end) ranges of the text, each on lines of
    its own, that markdown-it must see as a block of their own (given the fenced-code line
    ranges, 0-based and end-exclusive, so code is left alone)."""
    regions: Callable[[str, Sequence[tuple[int, int]]], Iterable[tuple[int, int, str]]] | None = (
        None
    )
    """Constructs whose two ends are syntax lines around Markdown (a ``{{% note %}}`` body):
    (first line, last line, name) — 0-based — for the comments of the units inside."""
    html: bool = False
    """Inline HTML tags are syntax (placeholders) and HTML blocks hold units."""
    alerts: bool = False
    """``> [!NOTE]`` markers stay on their own line, out of the msgid."""
    colon_definitions: bool = False
    """MDN definition lists: a list item starting ``: `` is a definition, the ``:`` syntax."""
    abbreviations: bool = False
    """``*[HTML]: Hyper Text Markup Language`` lines: the expansion is a unit."""
    autotitle: bool = False
    """GitHub Docs ``[AUTOTITLE](…)`` links are syntax (the title is filled in at build)."""
    python_markdown: bool = False
    """Links and emphasis are read by Python-Markdown, not by a CommonMark parser."""
    emphasis: Callable[[str], tuple[int, int]] | None = None
    """(strong, emphasis) as the dialect's renderer reads a text, when that is not
    markdown-it-py (Python-Markdown has no flanking rules: ``**優れた細胞数：**日本`` is bold)."""
    live_fences: tuple[str, ...] = field(default=())
    """Info strings of fenced blocks whose content is live Markdown, not code
    (Docusaurus ``mdx-code-block``)."""

    @property
    def plain(self) -> bool:
        """True for CommonMark itself: nothing beyond today's segmentation."""
        return self.name == "commonmark"


# -- lines -----------------------------------------------------------------------------------

_FENCE_RE = re.compile(r"^(?P<prefix>(?:[ \t]*>)*[ \t]*(?:(?:[-+*]|\d{1,9}[.)])[ \t]+)*)"
                       r"(?P<fence>`{3,}|~{3,})(?P<info>[^\n]*)$")
LINE_PREFIX = r"[ \t>]*(?:(?:[-+*]|\d{1,9}[.)]|:)[ \t]+)?[ \t]*"
"""What may precede a line-level construct on its line: quote markers, one list or definition
marker, indentation."""
_LINE_PREFIX_RE = re.compile(LINE_PREFIX + r"$")


def line_starts(text: str) -> list[int]:
    """Offsets where each line of ``text`` starts (``\\n``, ``\\r\\n`` and ``\\r`` end lines)."""
    starts = [0]
    for match in re.finditer(r"\r\n?|\n", text):
        starts.append(match.end())
    return starts


def fenced_lines(text: str, *, live: Sequence[str] = ()) -> list[tuple[int, int, bool]]:
    """Fenced code blocks found line by line: (first line, end line, live) — 0-based, end
    exclusive; ``live`` when the info string is one of ``live`` (its content is Markdown).

    A hand tracker, good enough to keep line masks out of code: markdown-it decides for real.
    """
    found: list[tuple[int, int, bool]] = []
    lines = text.splitlines()
    index = 0
    while index < len(lines):
        match = _FENCE_RE.match(lines[index])
        if not match or (match.group("fence")[0] == "`" and "`" in match.group("info")):
            index += 1
            continue
        fence = match.group("fence")
        indent = len(match.group("prefix"))
        info = match.group("info").strip()
        close = index + 1
        while close < len(lines):
            candidate = lines[close]
            stripped = candidate.strip(" \t>")
            if (
                stripped.startswith(fence[0] * len(fence))
                and not stripped.strip(fence[0]).strip()
                and len(candidate) - len(candidate.lstrip(" \t>")) <= indent + 3
            ):
                break
            close += 1
        first_word = info.split(maxsplit=1)[0] if info else ""
        found.append((index, min(close + 1, len(lines)), first_word in live))
        index = close + 1
    return found


def code_line_ranges(text: str, *, live: Sequence[str] = ()) -> list[tuple[int, int]]:
    """Line ranges (0-based, end exclusive) of fenced code that is really code."""
    return [(a, b) for a, b, is_live in fenced_lines(text, live=live) if not is_live]


def in_ranges(line: int, ranges: Sequence[tuple[int, int]]) -> bool:
    """True when 0-based ``line`` falls in one of the end-exclusive ``ranges``."""
    return any(a <= line < b for a, b in ranges)


def own_line_ranges(
    text: str,
    pieces: Iterable[Piece],
    code: Sequence[tuple[int, int]],
) -> Iterator[tuple[int, int]]:
    """The stretches of lines that hold nothing but ``pieces`` (line prefixes aside), outside
    fenced code: one (start, end) per run of pieces on a line (or across lines)."""
    starts = line_starts(text)
    ordered = sorted(pieces, key=lambda p: p.start)
    by_line: dict[int, list[Piece]] = {}
    for piece in ordered:
        first = bisect.bisect_right(starts, piece.start) - 1
        by_line.setdefault(first, []).append(piece)
    for first, group in sorted(by_line.items()):
        if in_ranges(first, code):
            continue
        last_end = max(p.end for p in group)
        last = bisect.bisect_right(starts, last_end - 1) - 1 if last_end > 0 else first
        line_end = _line_end(text, starts, last)
        before = text[starts[first] : group[0].start]
        if not _LINE_PREFIX_RE.match(before):
            continue
        covered = [(p.start, p.end) for p in group]
        rest = _outside(text, group[0].start, line_end, covered)
        if rest.strip():
            continue
        yield group[0].start, last_end


def paired_regions(
    text: str,
    pieces: Iterable[Piece],
    code: Sequence[tuple[int, int]],
    name: Callable[[Piece], str | None],
) -> Iterator[tuple[int, int, str]]:
    """(first line, last line, ``name(opener)``) of each opening and closing piece pair outside
    fenced code (pairs ``name`` gives None for are left out)."""
    starts = line_starts(text)
    stacks: dict[str, list[Piece]] = {}
    for piece in sorted(pieces, key=lambda p: p.start):
        if piece.role == "open":
            stacks.setdefault(piece.key, []).append(piece)
        elif piece.role == "close" and stacks.get(piece.key):
            opener = stacks[piece.key].pop()
            first = bisect.bisect_right(starts, opener.start) - 1
            last = bisect.bisect_right(starts, piece.start) - 1
            label = name(opener)
            if label and last > first and not in_ranges(first, code):
                yield first, last, label


def _line_end(text: str, starts: list[int], line: int) -> int:
    end = starts[line + 1] if line + 1 < len(starts) else len(text)
    while end > starts[line] and text[end - 1] in "\r\n":
        end -= 1
    return end


def _outside(text: str, start: int, end: int, covered: list[tuple[int, int]]) -> str:
    out, pos = [], start
    for a, b in sorted(covered):
        if a > pos:
            out.append(text[pos:a])
        pos = max(pos, b)
    if pos < end:
        out.append(text[pos:end])
    return "".join(out)


def mask_text(text: str, ranges: Iterable[tuple[int, int]]) -> str:
    """``text`` with every range replaced, line by line, by a block no paragraph can absorb:
    an HTML comment of the same length (``<!--  -->``), or ``***`` for short stretches.

    Line breaks stay where they are, so markdown-it's line numbers still count source lines.
    """
    spans = sorted(ranges)
    if not spans:
        return text
    out: list[str] = []
    pos = 0
    for start, end in spans:
        if start < pos:
            continue
        out.append(text[pos:start])
        for part in re.split(r"(\r\n?|\n)", text[start:end]):
            if not part or part[0] in "\r\n":
                out.append(part)
                continue
            lead = len(part) - len(part.lstrip(" \t"))
            body = len(part) - lead
            out.append(part[:lead] + _mask(body))
        pos = end
    out.append(text[pos:])
    return "".join(out)


def _mask(width: int) -> str:
    if width >= 7:
        return "<!--" + " " * (width - 7) + "-->"
    return "*" * max(3, width)
