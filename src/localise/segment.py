"""Markdown source → :class:`Document`: translatable units with exact source spans.

The block structure comes from markdown-it-py (``Token.map`` gives 0-based line ranges); the
exact character span of each unit is found on those lines, so that :mod:`localise.assemble`
can replace it and keep every other byte.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.front_matter import front_matter_plugin

from localise import inline, placeholders
from localise.errors import SourceError
from localise.model import Document, SegmentOptions, Unit

_NEWLINE_RE = re.compile(r"\r\n?|\n")
_MARKER_RE = re.compile(r"[-+*]|\d{1,9}[.)]")
_YAML_KEY_RE = re.compile(r"(?m)^[\w-]+[ \t]*:(?:[ \t]|$)")
_SOFT_BREAK_RE = re.compile(r"[ \t]*\n[ \t]*")
_INLINE_BREAK_SENSITIVE_RE = re.compile(r"[`<]|\\\n| {2,}\n")


@functools.cache
def _block_parser() -> MarkdownIt:
    """Block-level parser: same syntax as :func:`inline.parser`, without inline parsing."""
    md = MarkdownIt("commonmark").enable(["table", "strikethrough"]).use(front_matter_plugin)
    md.disable("inline")
    return md


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


def link_definitions(text: str) -> dict[str, Any]:
    """The article's link reference definitions (markdown-it ``env["references"]``)."""
    env: dict[str, Any] = {}
    _block_parser().parse(text, env)
    return dict(env.get("references", {}))


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
class _Context:
    """Where the walker is: enclosing sections and containers, for the translator comment."""

    sections: list[tuple[int, str]] = field(default_factory=list)
    containers: list[str] = field(default_factory=list)
    list_counters: list[int] = field(default_factory=list)
    list_kinds: list[str] = field(default_factory=list)

    def section(self) -> str | None:
        return self.sections[-1][1] if self.sections else None


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
        self.lines = _Lines(text)
        self.env: dict[str, Any] = {}
        self.units: list[Unit] = []
        self.ctx = _Context()

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
    ) -> None:
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

    def block(
        self, first: int, last: int, content: str, *, kind: Any, describe: Callable[[], str]
    ) -> None:
        """A paragraph-like block on lines ``first..last`` (0-based, inclusive)."""
        parts = content.split("\n")
        if len(parts) != last - first + 1:
            return  # markdown-it saw the lines differently; keep the bytes verbatim
        spans: list[tuple[int, int]] = []
        for offset, part in enumerate(parts):
            index = first + offset
            line = self.lines[index]
            piece = part.strip(" \t")
            visible = line.rstrip(" \t")
            if not piece or not visible.endswith(piece):
                return  # markdown-it saw the lines differently; keep the bytes verbatim
            base = self.lines.starts[index]
            spans.append((base + len(visible) - len(piece), base + len(visible)))
        first_prefix = self.text[self.lines.starts[first] : spans[0][0]]
        self.add(
            content,
            kind=kind,
            describe=describe,
            start=spans[0][0],
            end=spans[-1][1],
            line=first,
            end_line=last,
            continuation=continuation_prefix(first_prefix),
        )

    # -- walking ---------------------------------------------------------------------
    def run(self) -> list[Unit]:
        tokens = _block_parser().parse(self.text, self.env)
        i = 0
        while i < len(tokens):
            token = tokens[i]
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
        for key in self.options.front_matter_keys:
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
        self.ctx.sections.append((level, title.replace("\n", " ")))
        return i + 2

    def _inside(self) -> str:
        """`` in a blockquote, in bulleted list item 2`` — innermost container first."""
        return "".join(f", in {c}" for c in reversed(self.ctx.containers))

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
        if first_in_item:
            head, rest = containers[0][0].upper() + containers[0][1:], containers[1:]
        else:
            head, rest = "Paragraph", containers
        text = head + "".join(f", in {c}" for c in rest)
        if section:
            text += f' (section "{section}")'
        self.block(
            token.map[0],
            token.map[1] - 1,
            content.content,
            kind="paragraph",
            describe=lambda: text,
        )
        return i + 2

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

    def on_list_item_close(self, tokens: list[Token], i: int) -> None:
        self.ctx.containers.pop()

    def on_blockquote_open(self, tokens: list[Token], i: int) -> None:
        self.ctx.containers.append("a blockquote")

    def on_blockquote_close(self, tokens: list[Token], i: int) -> None:
        self.ctx.containers.pop()

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
                    header = [c.strip() for c in cells]
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
        first_cell = line[cells[0][0] : cells[0][1]].strip() if cells else ""
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
