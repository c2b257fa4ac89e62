"""HTML inside Markdown: inline tags as syntax pieces, and the text of HTML blocks as runs.

markdown-it-py returns an HTML block as one opaque ``html_block`` token and an inline tag as an
``html_inline`` token, so no plugin parses them. This module reads them with the standard
library's :class:`html.parser.HTMLParser` (never with regular expressions of its own): every
event with its exact source offset, so that the block can be rebuilt byte for byte outside the
translated stretches. Attribute values are located with the parser's own attribute scanner
(``html.parser.attrfind_tolerant``), the one it uses to read the tag.

Text between block-level elements (``<p>``, ``<td>``, ``<summary>``, ``<h5>``…) is one *run*;
inline elements inside a run (``<a>``, ``<strong>``, ``<img>``…) are pieces, and ``<code>``,
``<kbd>`` with their content one verbatim piece. ``<script>``, ``<style>``, ``<pre>``,
``<textarea>``, ``<svg>`` and ``<math>`` are skipped whole. ``alt`` and ``title`` values are
text.
"""

from __future__ import annotations

import html.parser
import re
from dataclasses import dataclass, field
from typing import Literal

from localise.dialects.base import Piece

BLOCK = frozenset({
    "address", "article", "aside", "blockquote", "body", "caption", "center", "dd", "details",
    "dialog", "dir", "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form",
    "h1", "h2", "h3", "h4", "h5", "h6", "head", "header", "hgroup", "hr", "html", "legend", "li",
    "main", "menu", "nav", "ol", "optgroup", "option", "p", "section", "summary", "table",
    "tbody", "td", "tfoot", "th", "thead", "title", "tr", "ul",
})
"""Elements whose start and end bound a run of text."""
SKIPPED = frozenset({"script", "style", "pre", "textarea", "svg", "math", "template"})
"""Block elements kept verbatim with everything inside them."""
VERBATIM = frozenset({"code", "kbd", "samp", "var"})
"""Inline elements kept verbatim with their content (one piece)."""
VOID = frozenset({
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param",
    "source", "track", "wbr",
})
"""Elements that never have an end tag."""
TEXT_ATTRIBUTES = ("alt", "title")
"""Attributes whose values are text for readers."""

_TAGFIND = getattr(html.parser, "tagfind_tolerant", re.compile(r"([a-zA-Z][^\t\n\r\f />\x00]*)"))
_ATTRFIND = getattr(
    html.parser,
    "attrfind_tolerant",
    re.compile(
        r"((?<=[\'\"\s/])[^\s/>][^\s/=>]*)(\s*=+\s*(\'[^\']*\'|\"[^\"]*\"|(?![\'\"])[^>\s]*))?"
        r"(?:\s|/(?!>))*"
    ),
)

_BROKEN_TAG_RE = re.compile(r"<[A-Za-z/!?]")
"""Where a tag starts in text the parser reported as data (an unfinished or broken tag)."""

EventKind = Literal["start", "end", "startend", "data", "comment", "other"]


@dataclass(frozen=True, slots=True)
class Event:
    """One thing :class:`html.parser.HTMLParser` reported, with its source offsets."""

    start: int
    end: int
    kind: EventKind
    tag: str = ""
    attrs: tuple[tuple[str, str | None], ...] = ()


class _Recorder(html.parser.HTMLParser):
    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=False)
        self.text = text
        self.starts = [0] + [m.end() for m in re.finditer(r"\n", text)]
        self.found: list[tuple[int, EventKind, str, tuple[tuple[str, str | None], ...]]] = []

    def _at(self) -> int:
        line, column = self.getpos()
        return self.starts[line - 1] + column

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((self._at(), "start", tag, tuple(attrs)))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((self._at(), "startend", tag, tuple(attrs)))

    def handle_endtag(self, tag: str) -> None:
        self.found.append((self._at(), "end", tag, ()))

    def handle_data(self, data: str) -> None:
        self.found.append((self._at(), "data", "", ()))

    def handle_entityref(self, name: str) -> None:
        self.handle_data(name)

    def handle_charref(self, name: str) -> None:
        self.handle_data(name)

    def handle_comment(self, data: str) -> None:
        self.found.append((self._at(), "comment", "", ()))

    def handle_decl(self, decl: str) -> None:
        self.found.append((self._at(), "other", "", ()))

    handle_pi = unknown_decl = handle_decl


def events(text: str) -> list[Event]:
    """The parser's events over ``text``, each with its exact offsets (they tile the text)."""
    recorder = _Recorder(text)
    recorder.feed(text)
    recorder.close()
    found = recorder.found
    out: list[Event] = []
    for index, (start, kind, tag, attrs) in enumerate(found):
        end = found[index + 1][0] if index + 1 < len(found) else len(text)
        if end > start:
            out.append(Event(start, end, kind, tag, attrs))
    return out


def attribute_values(tag_text: str) -> list[tuple[str, int, int]]:
    """(name, start, end) of each ``alt``/``title`` value in one start tag's source, quotes
    excluded, found with the parser's own attribute scanner."""
    match = _TAGFIND.match(tag_text, 1)
    if not match:
        return []
    out = []
    pos = match.end()
    while pos < len(tag_text):
        found = _ATTRFIND.match(tag_text, pos)
        if not found:
            break
        name = found.group(1).lower()
        if name in TEXT_ATTRIBUTES and found.group(3):
            start, end = found.start(3), found.end(3)
            if tag_text[start] in "'\"":
                start, end = start + 1, end - 1
            out.append((name, start, end))
        pos = found.end()
    return out


def tag_piece(text: str, start: int, end: int, *, jsx: bool = False) -> Piece:
    """The piece for one inline tag (or comment) at ``text[start:end]``."""
    source = text[start:end]
    parsed = events(source)
    kind = "html"
    if parsed and parsed[0].kind in ("start", "end", "startend"):
        event = parsed[0]
        name = _tag_name(source) or event.tag
        if jsx and name[:1].isupper():
            kind = "jsx"
        if event.kind == "end":
            return Piece(start, end, kind, "close", name)
        attributes = tuple(
            (attr, start + a, start + b) for attr, a, b in attribute_values(source)
        )
        role = "single" if event.kind == "startend" or event.tag in VOID else "open"
        return Piece(start, end, kind, role, name, attributes)
    return Piece(start, end, kind)


def _tag_name(source: str) -> str:
    match = re.match(r"</?\s*([A-Za-z][\w.:-]*)", source)
    return match.group(1) if match else ""


@dataclass(slots=True)
class Run:
    """Text between block boundaries of an HTML block, with its inline pieces."""

    start: int
    end: int
    pieces: list[Piece]
    where: str
    """What the text is, for the translator comment (``HTML table cell row 2, column 3``)."""


@dataclass(slots=True)
class Attribute:
    """An ``alt``/``title`` value of a tag that stands outside every run."""

    name: str
    start: int
    end: int
    tag: str


@dataclass(slots=True)
class _Table:
    row: int = 0
    column: int = 0
    in_head: bool = False
    header_row: bool = False
    columns: dict[int, str] = field(default_factory=dict)
    row_name: str = ""


@dataclass(slots=True)
class Block:
    """The translatable parts of one HTML block."""

    runs: list[Run] = field(default_factory=list)
    attributes: list[Attribute] = field(default_factory=list)


def read_block(text: str, *, jsx: bool = False) -> Block:
    """Runs of text and stand-alone text attributes of an HTML block's source."""
    found = events(text)
    block = Block()
    stack: list[str] = []
    tables: list[_Table] = []
    run: list[Event] = []
    pieces: list[Piece] = []
    cell_text: list[str] = []

    def where() -> str:
        inner = next((t for t in reversed(stack) if t in BLOCK), "")
        if inner in ("td", "th") and tables:
            table = tables[-1]
            header = table.columns.get(table.column)
            if inner == "th" and not table.header_row and table.column == 1:
                return f"HTML table row {table.row} header"
            if inner == "th" or table.header_row:
                return f"HTML table header of column {table.column}"
            row = f'row {table.row} "{table.row_name}"' if table.row_name else f"row {table.row}"
            column = f'column "{header}"' if header else f"column {table.column}"
            return f"HTML table cell {row}, {column}"
        if re.fullmatch(r"h[1-6]", inner):
            return f"HTML heading, level {inner[1]}"
        names = {
            "p": "HTML paragraph", "li": "HTML list item", "summary": "HTML details summary",
            "dt": "HTML definition term", "dd": "HTML definition", "caption": "HTML caption",
            "figcaption": "HTML figure caption", "blockquote": "HTML blockquote",
        }
        if inner in names:
            return names[inner]
        return f"Text in an HTML <{inner}>" if inner else "Text in an HTML block"

    def flush() -> None:
        nonlocal run, pieces
        if any(e.kind == "data" and _broken(text, e) for e in run):
            run, pieces = [], []  # a tag the parser could not read: the run is kept as it is
        if run:
            block.runs.append(Run(run[0].start, run[-1].end, pieces, where()))
            if tables and stack and stack[-1] in ("td", "th"):
                cell_text.extend(text[e.start : e.end] for e in run if e.kind == "data")
        run, pieces = [], []

    index = 0
    while index < len(found):
        event = found[index]
        tag = event.tag
        if event.kind in ("start", "startend") and tag in SKIPPED:
            flush()
            index = _skip(found, index) + 1
            continue
        if event.kind == "start" and tag in VERBATIM:
            close = _skip(found, index)
            run.append(Event(event.start, found[close].end, "other"))
            pieces.append(Piece(event.start, found[close].end, "html"))
            index = close + 1
            continue
        if event.kind in ("start", "end", "startend") and tag in BLOCK:
            flush()
            _block_tag(event, stack, tables, text, cell_text)
            if event.kind != "end":
                for name, a, b in attribute_values(text[event.start : event.end]):
                    block.attributes.append(Attribute(name, event.start + a, event.start + b, tag))
            index += 1
            continue
        run.append(event)
        if event.kind in ("start", "end", "startend"):
            pieces.append(tag_piece(text, event.start, event.end, jsx=jsx))
        elif event.kind in ("comment", "other"):
            pieces.append(Piece(event.start, event.end, "html"))
        index += 1
    flush()
    return block


def _broken(text: str, event: Event) -> bool:
    """True when data holds a ``<`` that starts a tag the parser could not read."""
    at = text.find("<", event.start, event.end)
    while at >= 0:
        if _BROKEN_TAG_RE.match(text, at):
            return True
        at = text.find("<", at + 1, event.end)
    return False


def _skip(found: list[Event], index: int) -> int:
    """Index of the end tag matching the start tag at ``index`` (or the last event)."""
    tag = found[index].tag
    if found[index].kind == "startend" or tag in VOID:
        return index
    depth = 0
    for j in range(index, len(found)):
        if found[j].tag == tag and found[j].kind == "start":
            depth += 1
        elif found[j].tag == tag and found[j].kind == "end":
            depth -= 1
            if depth == 0:
                return j
    return len(found) - 1


def _block_tag(
    event: Event, stack: list[str], tables: list[_Table], text: str, cell_text: list[str]
) -> None:
    tag = event.tag
    if event.kind == "end":
        if tag in ("td", "th") and tables and cell_text:
            table = tables[-1]
            value = " ".join(" ".join(cell_text).split())
            if tag == "th" and not table.header_row and table.column == 1:
                table.row_name = value
            elif tag == "th" or table.header_row:
                table.columns[table.column] = value
        if tag in ("td", "th"):
            cell_text.clear()
        if tag == "table" and tables:
            tables.pop()
        if tag == "thead" and tables:
            tables[-1].in_head = False
        while stack and stack[-1] != tag and tag in stack:
            stack.pop()
        if stack and stack[-1] == tag:
            stack.pop()
        return
    if event.kind == "startend" or tag in VOID:
        return
    if tag == "table":
        tables.append(_Table())
    elif tag == "thead" and tables:
        tables[-1].in_head = True
    elif tag == "tr" and tables:
        table = tables[-1]
        table.row += 1
        table.column = 0
        table.row_name = ""
        table.header_row = table.in_head
    elif tag in ("td", "th") and tables:
        table = tables[-1]
        table.column += 1
        cell_text.clear()
        scope = dict(event.attrs).get("scope")
        if tag == "th" and scope == "col":
            table.header_row = True
    if tag in ("p", "li", "td", "th", "dt", "dd", "option") and stack and stack[-1] == tag:
        stack.pop()  # implied end tag
    stack.append(tag)
