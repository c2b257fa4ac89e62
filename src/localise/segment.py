"""Markdown source → :class:`Document`: translatable units with exact source spans.

The block structure comes from markdown-it-py (``Token.map`` gives 0-based line ranges); the
exact character span of each unit is found on those lines, so that :mod:`localise.assemble`
can replace it and keep every other byte.

The article's dialect (:mod:`localise.dialects`) adds markdown-it plugins (admonitions,
containers, footnotes, definition lists, alerts…), masks line-level template constructs so
that markdown-it sees them as blocks of their own, and names the syntax inside a unit's text
(template tags, shortcodes, macros, HTML and JSX tags…): a piece that starts or ends the unit
is left outside the msgid, any other becomes a numbered ``{kind_N}`` placeholder. The
``commonmark`` dialect does none of this: its units are exactly today's.
"""

from __future__ import annotations

import bisect
import html
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from markdown_it.token import Token

from localise import dialects, inline, placeholders
from localise.dialects import html as html_syntax
from localise.dialects import pieces as syntax
from localise.dialects.base import Dialect, Piece, code_line_ranges, mask_text
from localise.dialects.markers import ABBREVIATION_RE, ADMONITION_RE, CONTAINER_RE, TAB_RE
from localise.errors import SourceError
from localise.inline import block_parser
from localise.model import Document, Escape, Placeholder, SegmentOptions, Unit

_NEWLINE_RE = re.compile(r"\r\n?|\n")
_MARKER_RE = re.compile(r"[-+*:]|\d{1,9}[.)]")
_NOT_PREFIX_RE = re.compile(r"[^\s>]")
_INLINE_SYNTAX_RE = re.compile(r"<|\[\^|\$|\\\(|://|www\.|@|AUTOTITLE")
"""Where a dialect's inline rules could find syntax (HTML, footnotes, math, autolinks…)."""
_LIST_MARKER_RE = re.compile(r"^[ \t>]*(?:[-+*]|\d{1,9}[.)])[ \t]*")
_YAML_KEY_RE = re.compile(r"(?m)^[\w-]+[ \t]*:(?:[ \t]|$)")
_SOFT_BREAK_RE = re.compile(r"[ \t]*\n[ \t]*")
_INLINE_BREAK_SENSITIVE_RE = re.compile(r"[`<]|\\\n| {2,}\n")


def _load_yaml(text: str) -> Any:
    """Parse YAML with libyaml when available; errors come from the pure-Python parser,
    whose marks point at the line where the problem starts."""
    fast = getattr(yaml, "CSafeLoader", None)
    if fast is not None:
        try:
            return yaml.load(text, Loader=fast)  # CSafeLoader: a safe loader
        except yaml.YAMLError:
            pass
    return yaml.safe_load(text)


DEFAULT_OPTIONS = SegmentOptions()


@dataclass(slots=True)
class _Lines:
    """The source split into lines exactly as markdown-it-py counts them."""

    text: str
    starts: list[int] = field(default_factory=list)
    ends: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        pos = 0
        for match in _NEWLINE_RE.finditer(self.text):
            self.starts.append(pos)
            self.ends.append(match.start())
            pos = match.end()
        self.starts.append(pos)
        self.ends.append(len(self.text))

    def __getitem__(self, index: int) -> str:
        return self.text[self.starts[index] : self.ends[index]]


def continuation_prefix(first_prefix: str) -> str:
    """Prefix for added lines of a block: the first line's prefix with list markers blanked."""
    return _MARKER_RE.sub(lambda m: " " * len(m.group()), first_prefix)


def normalise(raw: str, *, env: dict[str, Any]) -> str:
    """Inline source → msgid text: soft line breaks become one space, hard breaks stay.

    Line breaks inside inline HTML, autolinks or link destinations are kept as they are.
    """
    if "\n" not in raw:
        return raw
    if not _INLINE_BREAK_SENSITIVE_RE.search(raw):
        # no code span, HTML, autolink or hard break: every line break is a soft one
        return _SOFT_BREAK_RE.sub(" ", raw)
    spans = inline.scan(raw, env=env)
    soft = {s.end - 1 for s in spans if s.kind == "softbreak"}
    for span in spans:
        if span.kind == "code":
            soft.update(i for i in range(span.start, span.end) if raw[i] == "\n")
    out: list[str] = []
    pos = 0
    for match in re.finditer(r"[ \t]*\n[ \t]*", raw):
        if raw.index("\n", match.start()) not in soft:
            continue
        out.append(raw[pos : match.start()])
        out.append(" ")
        pos = match.end()
    out.append(raw[pos:])
    return "".join(out)


def full_reference_form(text: str, spans: Sequence[inline.Span]) -> str:
    """Rewrite shortcut/collapsed reference links ``[x]``, ``[x][]`` as ``[x][x]``."""
    edits: list[tuple[int, int, str]] = []
    for span in spans:
        if span.is_container and span.ref in ("shortcut", "collapsed"):
            label = text[span.label_start : span.label_end]
            edits.append((span.label_end + 1, span.end, f"[{label}]"))
    for start, end, replacement in sorted(edits, reverse=True):
        text = text[:start] + replacement + text[end:]
    return text


def has_letters(text: str, ranges: Sequence[tuple[int, int]]) -> bool:
    """True when the plain-text ``ranges`` of ``text`` hold at least one letter."""
    return any(ch.isalpha() for start, end in ranges for ch in text[start:end])


@dataclass(slots=True)
class _Frame:
    """A construct whose body holds blocks: an admonition, a tab, a footnote, an alert…"""

    head: str
    """How a paragraph directly in it starts its comment, e.g. ``Admonition "tip"``."""
    depth: int
    """Length of :attr:`_Context.containers` once the construct is entered."""
    paragraphs: int = 0


@dataclass(slots=True)
class _Context:
    """Where the walker is: enclosing sections and containers, for the translator comment."""

    sections: list[tuple[int, str]] = field(default_factory=list)
    containers: list[str] = field(default_factory=list)
    list_counters: list[int] = field(default_factory=list)
    list_kinds: list[str] = field(default_factory=list)
    frames: list[_Frame] = field(default_factory=list)
    item_heads: list[str] = field(default_factory=list)
    """Source text of the first line of each open list item, its marker removed."""

    def section(self) -> str | None:
        return self.sections[-1][1] if self.sections else None


Offsets = Sequence[tuple[int, int, int]]
"""How a unit's raw text maps to the source: (raw offset, source offset, length) per line."""


def _source_offset(offsets: Offsets, at: int, *, end: bool = False) -> int:
    """The source offset of raw offset ``at`` (``end``: just past raw offset ``at - 1``)."""
    if end:
        return _source_offset(offsets, at - 1) + 1
    for raw_start, src_start, length in offsets:
        if raw_start <= at < raw_start + length:
            return src_start + at - raw_start
    raw_start, src_start, length = offsets[-1]
    return src_start + at - raw_start


class _Segmenter:
    def __init__(
        self,
        text: str,
        *,
        path: Path,
        options: SegmentOptions,
    ) -> None:
        self.text = text
        self.path = path
        self.options = options
        self.dialect: Dialect = dialects.get(options.dialect)
        self.plain = self.dialect.plain
        """CommonMark: today's segmentation, none of the dialect steps."""
        self.lines = _Lines(text)
        self.parse_text = text
        self.match_lines = self.lines
        if self.dialect.masks:
            code = code_line_ranges(text, live=self.dialect.live_fences)
            ranges = [r for mask in self.dialect.masks for r in mask(text, code)]
            if ranges:
                self.parse_text = mask_text(text, ranges)
                self.match_lines = _Lines(self.parse_text)
        self.regions: list[tuple[int, int, str]] = []
        if self.dialect.regions:
            code = code_line_ranges(text, live=self.dialect.live_fences)
            self.regions = sorted(self.dialect.regions(text, code))
        self.line = 0
        """0-based line of the token being walked (for the regions it is in)."""
        self.env: dict[str, Any] = {}
        self.units: list[Unit] = []
        self.ctx = _Context()
        self.term = ""
        """The definition-list term last read (for the comments of its definitions)."""

    # -- building units ---------------------------------------------------------------
    def add(
        self,
        raw: str,
        *,
        kind: Any,
        describe: Callable[[], str],
        start: int,
        end: int,
        line: int,
        end_line: int,
        continuation: str = "",
        single_line: bool = False,
        markdown: bool = True,
        yaml_style: str | None = None,
        offsets: Offsets | None = None,
        extra: Sequence[Piece] = (),
        escape: Escape = "markdown",
    ) -> None:
        if not self.plain:
            self.add_with_syntax(
                raw, kind=kind, describe=describe, start=start, end=end, line=line,
                end_line=end_line, continuation=continuation, single_line=single_line,
                markdown=markdown, yaml_style=yaml_style,
                offsets=offsets or [(0, start, len(raw))], extra=extra, escape=escape,
            )
            return
        if markdown:
            msgid = normalise(raw, env=self.env)
            spans = inline.scan(msgid, env=self.env)
            rewritten = full_reference_form(msgid, spans)
            if rewritten != msgid:
                msgid = rewritten
                spans = inline.scan(msgid, env=self.env)
            ranges = inline.text_ranges(msgid, spans)
        else:
            msgid, ranges = raw, [(0, len(raw))]
        letters = has_letters(msgid, ranges)
        msgid, values = placeholders.make(
            msgid, ranges, currency=self.options.currency, dates=self.options.dates
        )
        if not (letters or values) or not msgid.strip():
            return
        comment = describe()
        if values:
            comment += "".join(f"\n{{{p.name}}} = {p.description}" for p in values)
        self.units.append(
            Unit(
                msgid=msgid,
                kind=kind,
                comment=comment,
                line=line + 1,
                end_line=end_line + 1,
                start=start,
                end=end,
                continuation=continuation,
                single_line=single_line,
                yaml_style=yaml_style,
                placeholders=values,
            )
        )

    def pieces(self, raw: str, *, markdown: bool, extra: Sequence[Piece] = ()) -> list[Piece]:
        """The syntax pieces of a unit's raw text, in order, none overlapping."""
        dialect = self.dialect
        found = [piece for scan in dialect.scanners for piece in scan(raw)]
        if markdown and ((found and "`" in raw) or _INLINE_SYNTAX_RE.search(raw)):
            masked = raw
            if found:
                chars = list(raw)
                for piece in found:
                    chars[piece.start : piece.end] = "\ufffc" * (piece.end - piece.start)
                masked = "".join(chars)
            spans = inline.scan(masked, env=self.env, dialect=dialect.name)
            # template syntax runs before Markdown: only code (and a tag or autolink, which
            # are pieces themselves) keeps it literal
            guarded = [(s.start, s.end) for s in spans if s.kind in ("code", "autolink", "html")]
            found = [p for p in found if not any(a <= p.start < b for a, b in guarded)]
            for span in spans:
                if span.kind == "html" and dialect.html:
                    found.append(
                        html_syntax.tag_piece(
                            raw, span.start, span.end, jsx=dialect.name == "docusaurus"
                        )
                    )
                elif span.kind in ("footnote", "math"):
                    found.append(Piece(span.start, span.end, span.kind))
                elif span.kind == "autolink" and raw[span.start] != "<":
                    found.append(Piece(span.start, span.end, "url"))
                elif (
                    span.kind == "link"
                    and dialect.autotitle
                    and raw[span.label_start : span.label_end] == "AUTOTITLE"
                ):
                    found.append(Piece(span.start, span.end, "autotitle"))
            found = _verbatim_code(syntax.non_overlapping(found))
        found.extend(extra)
        return syntax.non_overlapping(found)

    def add_with_syntax(
        self,
        raw: str,
        *,
        kind: Any,
        describe: Callable[[], str],
        start: int,
        end: int,
        line: int,
        end_line: int,
        continuation: str,
        single_line: bool,
        markdown: bool,
        yaml_style: str | None,
        offsets: Offsets,
        extra: Sequence[Piece],
        escape: Escape,
    ) -> None:
        """A unit in a dialect: syntax pieces trimmed off its edges or made placeholders."""
        found = self.pieces(raw, markdown=markdown, extra=extra)
        if found and max(raw) >= chr(syntax.SENTINEL_BASE):
            found = []  # the source uses the stand-in characters itself: no placeholders
        pair = syntax.partners(found)
        lo, hi = 0, len(raw)
        if kind != "front-matter":
            lo, hi = syntax.trim(raw, found, pair, lo, hi)
        kept: list[Piece] = []
        for piece in found:
            outside = piece.end <= lo or piece.start >= hi
            if outside:
                for name, a, b in piece.attributes:
                    self.attribute(raw[a:b], name, piece, offsets, a, b)
            elif piece.attributes and all(raw[b : b + 1] in ("'", '"') for _, _, b in
                                          piece.attributes):
                kept.extend(_split_attributes(piece))
            else:
                kept.append(piece)
        if lo >= hi:
            return
        pair = syntax.partners(kept)
        stands = syntax.stand_ins(raw, kept, pair, range(len(kept)))
        body = syntax.with_sentinels(raw[lo:hi], kept, stands, lo)
        if markdown:
            msgid = normalise(body, env=self.env)
            spans = inline.scan(msgid, env=self.env)
            rewritten = full_reference_form(msgid, spans)
            if rewritten != msgid:
                msgid = rewritten
                spans = inline.scan(msgid, env=self.env)
            ranges = inline.text_ranges(msgid, spans)
        else:
            msgid = " ".join(body.split()) if escape == "html" else body
            if escape in ("html", "attribute"):  # the text a reader sees: entities decoded
                msgid = html.unescape(msgid)
            ranges = [(0, len(msgid))]
        letters = has_letters(msgid, ranges)
        msgid, values = placeholders.make(
            msgid, ranges, currency=self.options.currency, dates=self.options.dates
        )
        if not (letters or values) or not msgid.strip():
            return
        msgid = syntax.substitute(msgid, stands, double_braces=bool(stands) and not values)
        marks = [
            Placeholder(
                s.name, s.source, syntax.describe(s.source), None, syntax=True,
                starts_line=_line_edge(raw, p.start, -1, lo),
                ends_line=_line_edge(raw, p.end, 1, hi),
            )
            for s, p in zip(stands, kept, strict=True)
        ]
        made = sorted([*values, *marks], key=lambda p: msgid.find("{" + p.name + "}"))
        comment = describe()
        comment += "".join(f"\n{{{p.name}}} = {p.description}" for p in made)
        if kind != "front-matter":
            start = _source_offset(offsets, lo)
            end = _source_offset(offsets, hi, end=True)
            line = bisect.bisect_right(self.lines.starts, start) - 1
            end_line = bisect.bisect_right(self.lines.starts, end - 1) - 1
        self.units.append(
            Unit(
                msgid=msgid,
                kind=kind,
                comment=comment,
                line=line + 1,
                end_line=end_line + 1,
                start=start,
                end=end,
                continuation=continuation,
                single_line=single_line,
                yaml_style=yaml_style,
                placeholders=tuple(made),
                escape=escape,
            )
        )

    def attribute(
        self, value: str, name: str, tag: Piece, offsets: Offsets, a: int, b: int
    ) -> None:
        """An ``alt``/``title`` value of a tag left outside its unit: a unit of its own."""
        element = tag.key.lower() or "element"
        where = "alt text of an HTML image" if name == "alt" else f"title of an HTML <{element}>"
        text = self.describe_here(where)
        start = _source_offset(offsets, a)
        line = bisect.bisect_right(self.lines.starts, start) - 1
        self.add(
            value,
            kind="attribute",
            describe=lambda: text,
            start=start,
            end=start + len(value),
            line=line,
            end_line=line,
            single_line=True,
            markdown=False,
            escape="attribute",
        )

    def label_text(self, raw: str) -> str:
        """A cell or heading as a comment names it: its text without syntax pieces."""
        if self.plain or not raw:
            return raw
        found = self.pieces(raw, markdown=True)
        return " ".join(syntax.outside(raw, found, 0, len(raw)).split())

    def describe_here(self, what: str) -> str:
        """``what``, the enclosing containers and the section, as a translator comment."""
        text = what + self._inside()
        section = self.ctx.section()
        return text + (f' (section "{section}")' if section else "")

    def block(
        self,
        first: int,
        last: int,
        content: str,
        *,
        kind: Any,
        describe: Callable[[], str],
        extra: Callable[[str], Sequence[Piece]] | None = None,
        single_line: bool = False,
    ) -> None:
        """A paragraph-like block on lines ``first..last`` (0-based, inclusive)."""
        parts = content.split("\n")
        if len(parts) != last - first + 1:
            return  # markdown-it saw the lines differently; keep the bytes verbatim
        spans: list[tuple[int, int]] = []
        for offset, part in enumerate(parts):
            index = first + offset
            line = self.match_lines[index]
            piece = part.strip(" \t")
            visible = line.rstrip(" \t")
            if not piece or not visible.endswith(piece):
                return  # markdown-it saw the lines differently; keep the bytes verbatim
            if self.match_lines is not self.lines and len(line) != len(self.lines[index]):
                return  # a mask of another length on this line
            base = self.lines.starts[index]
            spans.append((base + len(visible) - len(piece), base + len(visible)))
        first_prefix = self.text[self.lines.starts[first] : spans[0][0]]
        raw = content
        offsets: list[tuple[int, int, int]] = []
        if not self.plain:  # the source's own text: inner lines keep trailing spaces
            ends = [self.lines.ends[first + n] for n in range(len(spans) - 1)] + [spans[-1][1]]
            texts = [self.text[a:b] for (a, _), b in zip(spans, ends, strict=True)]
            raw = "\n".join(texts)
            at = 0
            for (a, _), text in zip(spans, texts, strict=True):
                offsets.append((at, a, len(text)))
                at += len(text) + 1
        self.add(
            raw,
            kind=kind,
            describe=describe,
            start=spans[0][0],
            end=spans[-1][1],
            line=first,
            end_line=last,
            continuation=(
                continuation_prefix(first_prefix) if self.plain
                else _NOT_PREFIX_RE.sub(" ", first_prefix)  # task and footnote markers too
            ),
            offsets=offsets or None,
            extra=extra(raw) if extra else (),
            single_line=single_line,
        )

    # -- walking ---------------------------------------------------------------------
    def run(self) -> list[Unit]:
        tokens = block_parser(self.dialect.name).parse(self.parse_text, self.env)
        i = 0
        while i < len(tokens):
            token = tokens[i]
            if token.map:
                self.line = token.map[0]
            handler = getattr(self, "on_" + token.type, None)
            if handler is not None:
                i = handler(tokens, i) or i
            i += 1
        self.units.sort(key=lambda unit: unit.start)
        return self.units

    def on_front_matter(self, tokens: list[Token], i: int) -> None:
        token = tokens[i]
        assert token.map is not None
        first, last = token.map[0] + 1, token.map[1] - 2  # between the --- lines
        try:
            data = _load_yaml(token.content) if token.content.strip() else {}
        except yaml.YAMLError as exc:
            if not _YAML_KEY_RE.search(token.content):
                return  # "---" rules around Markdown, not metadata: kept verbatim
            mark = getattr(exc, "problem_mark", None)
            line = first + (mark.line if mark else 0) + 1
            problem = getattr(exc, "problem", None) or str(exc)
            raise SourceError(
                f"invalid YAML front matter: {problem}", path=self.path, line=line
            ) from None
        if not isinstance(data, dict):
            return  # valid YAML but no keys to translate: kept verbatim
        keys = self.options.front_matter_keys
        extra = [k for k in self.dialect.front_matter_keys if k not in keys]
        for key in (*keys, *extra):
            value = data.get(key)
            if isinstance(value, str):
                self.front_matter_value(key, value, first, last)

    def front_matter_value(self, key: str, value: str, first: int, last: int) -> None:
        key_re = re.compile(rf"^{re.escape(key)}[ \t]*:(?:[ \t]+|$)")
        for index in range(first, last + 1):
            line = self.lines[index]
            match = key_re.match(line)
            if not match:
                continue
            rest = line[match.end() :]
            end_index = index
            while end_index + 1 <= last and (
                self.lines[end_index + 1][:1] in (" ", "\t")
                or not self.lines[end_index + 1].strip()
            ):
                end_index += 1
            while end_index > index and not self.lines[end_index].strip():
                end_index -= 1
            if rest[:1] in ("|", ">") or end_index > index:
                style = "block"
            elif rest[:1] in ("'", '"'):
                style = rest[0]
            else:
                style = "plain"
            if style != "block":
                comment = re.search(r"[ \t]+#", rest) if style == "plain" else None
                value_end = comment.start() if comment else len(rest.rstrip(" \t"))
                end = self.lines.starts[index] + match.end() + value_end
            else:
                end = self.lines.ends[end_index]
            self.add(
                value,
                kind="front-matter",
                describe=lambda key=key: f"Front matter: {key}",
                start=self.lines.starts[index] + match.end(),
                end=end,
                line=index,
                end_line=end_index,
                single_line=True,
                markdown=False,
                yaml_style=style,
                escape="plain",
            )
            return

    def on_heading_open(self, tokens: list[Token], i: int) -> int:
        token, content = tokens[i], tokens[i + 1]
        assert token.map is not None
        level = int(token.tag[1])
        title = content.content
        while self.ctx.sections and self.ctx.sections[-1][0] >= level:
            self.ctx.sections.pop()
        parent = self.ctx.section()

        inside = self._inside()

        def describe() -> str:
            where = f' (section "{parent}")' if parent else ""
            return f"Heading, level {level}{inside}{where}"

        if token.markup.startswith("#"):
            line_no = token.map[0]
            line = self.lines[line_no]
            hashes = line.index("#")
            after = hashes + len(token.markup)
            pos = line.find(title, after) if title else -1
            if pos >= 0:
                base = self.lines.starts[line_no]
                self.add(
                    title,
                    kind="heading",
                    describe=describe,
                    start=base + pos,
                    end=base + pos + len(title),
                    line=line_no,
                    end_line=line_no,
                    single_line=True,
                )
        else:
            self.block(token.map[0], token.map[1] - 2, title, kind="heading", describe=describe)
        name = title.replace("\n", " ")
        if not self.plain:  # the heading as the translator sees it, syntax left out
            added = self.units[-1] if self.units else None
            name = added.msgid if added and added.kind == "heading" and added.line - 1 == \
                token.map[0] else name
        self.ctx.sections.append((level, name))
        return i + 2

    def _inside(self) -> str:
        """`` in a blockquote, in bulleted list item 2`` — innermost container first (then the
        dialect's regions the current line is in, such as a shortcode's body)."""
        inside = "".join(f", in {c}" for c in reversed(self.ctx.containers))
        return inside + self._regions() if self.regions else inside

    def _regions(self) -> str:
        if not self.regions:
            return ""
        line = self.line
        return "".join(
            f", in {label}" for first, last, label in reversed(self.regions)
            if first < line < last
        )

    def on_paragraph_open(self, tokens: list[Token], i: int) -> int:
        token, content = tokens[i], tokens[i + 1]
        assert token.map is not None
        section = self.ctx.section()
        containers = list(reversed(self.ctx.containers))
        first_in_item = (
            bool(containers)
            and containers[0].startswith(("bulleted", "numbered"))
            and tokens[i - 1].type == "list_item_open"
        )
        frame = self.ctx.frames[-1] if self.ctx.frames else None
        if frame is not None and frame.depth != len(self.ctx.containers):
            frame = None
        extra: Callable[[str], Sequence[Piece]] | None = None
        if (
            first_in_item
            and self.dialect.colon_definitions
            and content.content.startswith(": ")
        ):
            term = self.ctx.item_heads[-2] if len(self.ctx.item_heads) > 1 else ""
            head, rest = f'Definition of "{" ".join(term.split())}"', containers[1:]
            extra = _colon_marker
        elif first_in_item:
            head, rest = containers[0][0].upper() + containers[0][1:], containers[1:]
        elif frame is not None:
            frame.paragraphs += 1
            head, rest = f"{frame.head}, paragraph {frame.paragraphs}", containers[1:]
        else:
            head, rest = "Paragraph", containers
        text = head + "".join(f", in {c}" for c in rest)
        if self.regions:
            text += self._regions()
        if section:
            text += f' (section "{section}")'
        first, last = token.map[0], token.map[1] - 1
        if not self.plain and self._special_paragraph(first, last, content.content, text):
            return i + 2
        self.block(
            first,
            last,
            content.content,
            kind="paragraph",
            describe=lambda: text,
            extra=extra,
        )
        return i + 2

    def _special_paragraph(self, first: int, last: int, content: str, text: str) -> bool:
        """Abbreviation definitions and unrecognised alert markers; True when handled."""
        lines = content.split("\n")
        if self.dialect.abbreviations and all(ABBREVIATION_RE.match(x) for x in lines):
            if len(lines) != last - first + 1:
                return True
            for offset in range(len(lines)):
                index = first + offset
                source = self.lines[index]
                match = ABBREVIATION_RE.search(source)
                if not match or not match.group("expansion"):
                    continue
                base = self.lines.starts[index]
                term = match.group("term")
                self.add(
                    match.group("expansion"),
                    kind="label",
                    describe=lambda term=term: self.describe_here(f'Abbreviation "{term}"'),
                    start=base + match.start("expansion"),
                    end=base + match.end("expansion"),
                    line=index,
                    end_line=index,
                    single_line=True,
                    markdown=False,
                    escape="plain",
                )
            return True
        if (
            self.dialect.alerts
            and len(lines) > 1
            and "a blockquote" in self.ctx.containers[-1:]
            and re.fullmatch(r"\[![A-Za-z]+\]", lines[0].strip())
        ):
            self.block(first + 1, last, "\n".join(lines[1:]), kind="paragraph",
                       describe=lambda: text)
            return True
        return False

    def on_bullet_list_open(self, tokens: list[Token], i: int) -> None:
        self.ctx.list_kinds.append("bulleted")
        self.ctx.list_counters.append(0)

    def on_ordered_list_open(self, tokens: list[Token], i: int) -> None:
        start = int(tokens[i].attrGet("start") or 1)
        self.ctx.list_kinds.append("numbered")
        self.ctx.list_counters.append(start - 1)

    def on_bullet_list_close(self, tokens: list[Token], i: int) -> None:
        self.ctx.list_kinds.pop()
        self.ctx.list_counters.pop()

    on_ordered_list_close = on_bullet_list_close

    def on_list_item_open(self, tokens: list[Token], i: int) -> None:
        self.ctx.list_counters[-1] += 1
        kind = self.ctx.list_kinds[-1]
        self.ctx.containers.append(f"{kind} list item {self.ctx.list_counters[-1]}")
        token = tokens[i]
        head = self.lines[token.map[0]] if token.map and self.dialect.colon_definitions else ""
        self.ctx.item_heads.append(_LIST_MARKER_RE.sub("", head, count=1).strip() if head else "")

    def on_list_item_close(self, tokens: list[Token], i: int) -> None:
        self.ctx.containers.pop()
        self.ctx.item_heads.pop()

    def on_blockquote_open(self, tokens: list[Token], i: int) -> None:
        self.ctx.containers.append("a blockquote")

    def on_blockquote_close(self, tokens: list[Token], i: int) -> None:
        self.ctx.containers.pop()

    # -- dialect constructs ------------------------------------------------------------
    def enter(self, inside: str, head: str) -> None:
        """Open a construct whose body holds blocks (``inside`` names it in comments)."""
        self.ctx.containers.append(inside)
        self.ctx.frames.append(_Frame(head, len(self.ctx.containers)))

    def leave(self, tokens: list[Token], i: int) -> None:
        """Close the innermost construct."""
        self.ctx.frames.pop()
        self.ctx.containers.pop()

    def title(self, line_no: int, start: int, end: int, what: str) -> None:
        """A construct's title or label written on its marker line, ``[start, end)``."""
        base = self.lines.starts[line_no]
        text = self.describe_here(what)
        self.add(
            self.lines[line_no][start:end],
            kind="label",
            describe=lambda: text,
            start=base + start,
            end=base + end,
            line=line_no,
            end_line=line_no,
            single_line=True,
        )

    def on_admonition_open(self, tokens: list[Token], i: int) -> int:
        token = tokens[i]
        assert token.map is not None
        line_no = token.map[0]
        line = self.lines[line_no]
        at = len(line) - len(line.lstrip(" \t>"))
        match = ADMONITION_RE.match(line, at)
        kind = match.group("type").split()[0] if match else token.meta.get("tag", "")
        what = "collapsible admonition" if token.markup.startswith("?") else "admonition"
        if match and match.group("title") and match.group("title").strip():
            self.title(line_no, match.start("title"), match.end("title"),
                       f'{what.capitalize()} "{kind}" title')
        self.enter(f'{what} "{kind}"', f'{what.capitalize()} "{kind}"')
        j = i + 1
        if tokens[j].type == "admonition_title_open":  # the plugin's title: ours is above
            while tokens[j].type != "admonition_title_close":
                j += 1
            return j
        return i

    on_admonition_close = leave

    def on_tab_open(self, tokens: list[Token], i: int) -> None:
        token = tokens[i]
        assert token.map is not None
        line_no = token.map[0]
        line = self.lines[line_no]
        at = len(line) - len(line.lstrip(" \t>"))
        match = TAB_RE.match(line, at)
        label = token.info
        if match:
            self.title(line_no, match.start(2), match.end(2), "Tab label")
        self.enter(f'tab "{label}"', f'Tab "{label}"')

    on_tab_close = leave

    def on_container_admonition_open(self, tokens: list[Token], i: int) -> None:
        token = tokens[i]
        assert token.map is not None
        line_no = token.map[0]
        line = self.lines[line_no]
        colons = line.index(":")
        while colons < len(line) and line[colons] == ":":
            colons += 1
        match = CONTAINER_RE.match(line, colons)
        kind = match.group("type") if match else token.info.strip()
        if match and (match.group("label") or match.group("title")):
            group = "label" if match.group("label") else "title"
            self.title(line_no, match.start(group), match.end(group),
                       f'Admonition "{kind}" title')
        self.enter(f'admonition "{kind}"', f'Admonition "{kind}"')

    on_container_admonition_close = leave

    def on_alert_open(self, tokens: list[Token], i: int) -> int:
        kind = tokens[i].meta.get("kind", tokens[i].info)
        self.enter(f'a "{kind}" alert', f'Alert "{kind}"')
        j = i + 1
        if tokens[j].type == "alert_title_open":  # invented text: not in the source
            while tokens[j].type != "alert_title_close":
                j += 1
            return j
        return i

    on_alert_close = leave

    def on_footnote_reference_open(self, tokens: list[Token], i: int) -> None:
        label = tokens[i].meta.get("label", "")
        self.enter(f"footnote {label}", f"Footnote {label}")

    on_footnote_reference_close = leave

    def on_dt_open(self, tokens: list[Token], i: int) -> int:
        token, content = tokens[i], tokens[i + 1]
        assert token.map is not None
        line_no = token.map[0]
        self.term = self.label_text(content.content) or content.content
        text = self.describe_here("Definition-list term")
        self.block(line_no, line_no, content.content, kind="term", describe=lambda: text,
                   single_line=True)
        return i + 2

    def on_dd_open(self, tokens: list[Token], i: int) -> None:
        term = " ".join(self.term.split())
        self.enter(f'the definition of "{term}"', f'Definition of "{term}"')

    on_dd_close = leave

    def on_html_block(self, tokens: list[Token], i: int) -> None:
        token = tokens[i]
        if not self.dialect.html or token.map is None or "a blockquote" in self.ctx.containers:
            return
        first, last = token.map[0], token.map[1] - 1
        while last > first and not self.lines[last].strip():
            last -= 1
        if self.match_lines is not self.lines and all(
            self.match_lines[n] != self.lines[n] for n in range(first, last + 1)
            if self.lines[n].strip()
        ):
            return  # lines masked as blocks of their own (template lines, code bodies)
        base = self.lines.starts[first]
        source = self.text[base : self.lines.ends[last]]
        block = html_syntax.read_block(source, jsx=self.dialect.name == "docusaurus")
        for run in block.runs:
            raw = source[run.start : run.end]
            line_start = source.rfind("\n", 0, run.start) + 1
            indent = re.match(r"[ \t]*", source[line_start:])
            where = self.describe_here(run.where)
            shifted = [
                Piece(p.start - run.start, p.end - run.start, p.kind, p.role, p.key,
                      tuple((n, a - run.start, b - run.start) for n, a, b in p.attributes))
                for p in run.pieces
            ]
            self.add(
                raw,
                kind="html",
                describe=lambda where=where: where,
                start=base + run.start,
                end=base + run.end,
                line=first,
                end_line=last,
                continuation=indent.group(0) if indent else "",
                markdown=False,
                offsets=[(0, base + run.start, len(raw))],
                extra=shifted,
                escape="html",
            )
        for attribute in block.attributes:
            tag = Piece(0, 0, "html", "single", attribute.tag)
            value = source[attribute.start : attribute.end]
            self.attribute(value, attribute.name, tag, [(0, base, len(source))],
                           attribute.start, attribute.end)

    def on_table_open(self, tokens: list[Token], i: int) -> int:
        """A GFM table: one unit per header or body cell with letters (or values)."""
        table_name = self.ctx.section() or "table"
        inside = self._inside()
        header: list[str] = []
        row_number = 0
        j = i + 1
        while tokens[j].type != "table_close":
            token = tokens[j]
            if token.type == "tr_open":
                assert token.map is not None
                cells = []
                k = j + 1
                while tokens[k].type != "tr_close":
                    if tokens[k].type == "inline":
                        cells.append(tokens[k].content)
                    k += 1
                in_header = tokens[j - 1].type == "thead_open"
                if in_header:
                    header = [self.label_text(c.strip()) for c in cells]
                else:
                    row_number += 1
                self.table_row(
                    token.map[0], len(cells), in_header, row_number, header, table_name, inside
                )
                j = k
            j += 1
        return j

    def table_row(
        self,
        line_no: int,
        count: int,
        in_header: bool,
        row_number: int,
        header: list[str],
        table_name: str,
        inside: str,
    ) -> None:
        line = self.lines[line_no]
        base = self.lines.starts[line_no]
        prefix = re.match(r"[ \t>]*", line)
        assert prefix is not None
        pos = prefix.end()
        if pos < len(line) and line[pos] == "|":
            pos += 1
        cells: list[tuple[int, int]] = []
        cell_start = pos
        escaped = False
        for index in range(pos, len(line) + 1):
            ch = line[index] if index < len(line) else "|"
            if escaped:
                escaped = False
                continue
            if ch == "\\":
                escaped = True
            elif ch == "|":
                cells.append((cell_start, index))
                cell_start = index + 1
        if cells and not line[cells[-1][0] : cells[-1][1]].strip():
            cells.pop()  # trailing pipe
        first_cell = self.label_text(line[cells[0][0] : cells[0][1]].strip()) if cells else ""
        for column, (start, end) in enumerate(cells[:count]):
            raw = line[start:end]
            lead = len(raw) - len(raw.lstrip(" \t"))
            content = raw.strip(" \t")
            if not content:
                continue
            column_name = header[column] if column < len(header) and header[column] else None

            def describe(column: int = column, column_name: str | None = column_name) -> str:
                col = f'column "{column_name}"' if column_name else f"column {column + 1}"
                if in_header:
                    return f'Table "{table_name}"{inside}, header of column {column + 1}'
                row = (
                    f'row {row_number} "{first_cell}"'
                    if column and first_cell
                    else f"row {row_number}"
                )
                return f'Table "{table_name}"{inside}, {row}, {col}'

            self.add(
                content,
                kind="table-cell",
                describe=describe,
                start=base + start + lead,
                end=base + start + lead + len(content),
                line=line_no,
                end_line=line_no,
                single_line=True,
            )


def segment(
    text: str, *, path: Path, slug: str, options: SegmentOptions = DEFAULT_OPTIONS
) -> Document:
    """Split a Markdown article into translatable units carrying their source spans."""
    segmenter = _Segmenter(text, path=path, options=options)
    units = segmenter.run()
    definitions = dict(segmenter.env.get("references", {}))
    return Document(
        path=path, slug=slug, text=text, units=tuple(units), link_definitions=definitions
    )


def _line_edge(raw: str, at: int, step: int, limit: int) -> bool:
    """True when only spaces or tabs separate ``raw[at]`` from a line break (looking back with
    ``step`` -1, forward with 1), and that break lies inside the unit (before ``limit``)."""
    index = at - 1 if step < 0 else at
    while (index >= limit if step < 0 else index < limit) and raw[index] in " \t":
        index += step
    inside = index >= limit if step < 0 else index < limit
    return inside and raw[index] in "\r\n"


def _colon_marker(raw: str) -> list[Piece]:
    """MDN definition lists: the ``: `` that starts a description is syntax."""
    return [Piece(0, 2, "html")] if raw.startswith(": ") else []


def _verbatim_code(found: list[Piece]) -> list[Piece]:
    """``<code>…</code>`` (and ``<kbd>``, ``<samp>``, ``<var>``) with their content as one piece."""
    out: list[Piece] = []
    index = 0
    while index < len(found):
        piece = found[index]
        if piece.kind == "html" and piece.role == "open" and piece.key.lower() in \
                html_syntax.VERBATIM:
            close = next(
                (j for j in range(index + 1, len(found))
                 if found[j].role == "close" and found[j].key.lower() == piece.key.lower()),
                None,
            )
            if close is not None:
                out.append(Piece(piece.start, found[close].end, "html"))
                index = close + 1
                continue
        out.append(piece)
        index += 1
    return out


def _split_attributes(piece: Piece) -> list[Piece]:
    """A start tag around whose ``alt``/``title`` values the text stays: one open/close pair of
    pieces per value (``{alt_1}`` … ``{alt_1_end}``), the value between them; the rest of the
    tag (``>``) still opens its element."""
    out: list[Piece] = []
    pos = piece.start
    for number, (name, a, b) in enumerate(piece.attributes):
        key = f"{piece.start}:{number}"
        out.append(Piece(pos, a, name, "open", key))
        out.append(Piece(b, b + 1, name, "close", key))
        pos = b + 1
    if pos < piece.end:
        out.append(Piece(pos, piece.end, piece.kind, piece.role, piece.key))
    return [p for p in out if p.end > p.start]
