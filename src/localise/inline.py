"""Inline Markdown → positioned spans, using markdown-it-py's own inline rules.

markdown-it-py tokens carry block lines (``Token.map``) but no inline offsets. We wrap each
inline rule so that, when it matches, the offsets it consumed are recorded. Everything not
covered by a recorded span is plain text. This is what lets placeholders, MT protection and
reference-link rewriting work on the exact characters the parser saw.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, MutableMapping
from dataclasses import dataclass
from typing import Any, Literal

from markdown_it import MarkdownIt
from markdown_it.rules_inline import StateInline
from mdit_py_plugins.front_matter import front_matter_plugin

from localise import dialects

SpanKind = Literal[
    "code",
    "autolink",
    "html",
    "entity",
    "escape",
    "delimiter",
    "link",
    "image",
    "hardbreak",
    "softbreak",
    "footnote",
    "math",
]
RefStyle = Literal["inline", "full", "collapsed", "shortcut"]

_ENV_KEY = "localise.spans"
_ENV_SRC = "localise.src"
_ENV_NEST = "localise.nest"
_ENV_OFFSETS = "localise.offsets"
MARKUP_CHARACTERS = "\n*_[]!`<&\\~"
"""What some CommonMark inline rule starts on: a text without any parses as plain text."""
_MARKUP_RE = re.compile(f"[{re.escape(MARKUP_CHARACTERS)}]")
_DIALECT_MARKUP_RE = re.compile(r"[\n*_\[\]!`<&\\~$:@]|www\.")
"""Characters a dialect's extra inline rules start on (math, autolink literals) besides those."""


def _offset(state: StateInline) -> int:
    """Offset of ``state.src`` within the scanned source (-1 if it is not part of it), found
    once per parser state: comparing the strings on every rule call made a long paragraph
    quadratic."""
    root: str = state.env[_ENV_SRC]
    src = state.src
    if src is root:
        return 0
    known: dict[int, tuple[StateInline, int]] = state.env[_ENV_OFFSETS]
    hit = known.get(id(state))
    if hit is not None and hit[0] is state:
        return hit[1]
    offset = -1
    if src == root:
        offset = 0
    else:
        for at in reversed(state.env.get(_ENV_NEST) or []):
            if root.startswith(src, at):
                offset = at
                break
    known[id(state)] = (state, offset)
    return offset


@dataclass(frozen=True, slots=True)
class Span:
    """A stretch of inline source that a markdown-it rule consumed as markup."""

    kind: SpanKind
    """Which rule matched (``delimiter`` covers emphasis and strikethrough runs)."""
    start: int
    """Offset of the first character of the span in the inline source."""
    end: int
    """Offset just past the span."""
    label_start: int = -1
    """Links and images: offset of the first character of the visible text."""
    label_end: int = -1
    """Links and images: offset of the closing ``]`` of the visible text."""
    ref: RefStyle | None = None
    """Links and images: how the target is given."""

    @property
    def is_container(self) -> bool:
        """True for links and images, whose label holds translatable text."""
        return self.kind in ("link", "image")


def _recorder(name: str, rule: Callable[[StateInline, bool], bool]) -> Callable[..., bool]:
    autolink_literal = name.startswith("gfm_autolink")
    math = name.startswith("math_")

    def recording_rule(state: StateInline, silent: bool) -> bool:
        start = state.pos
        before = len(state.tokens)
        pending = len(state.pending) if autolink_literal else 0
        nests: list[int] | None = state.env.get(_ENV_NEST)
        if name == "image" and not silent and nests is not None:
            # markdown-it parses alt text as a separate string: note where it starts
            nests.append(_offset(state) + start + 2)
        try:
            ok = rule(state, silent)
        finally:
            if name == "image" and not silent and nests is not None:
                nests.pop()
        root = state.env.get(_ENV_SRC)
        if not ok or silent or root is None:
            return ok
        base = _offset(state)
        if base < 0:
            return ok
        start += base
        spans: list[Span] = state.env[_ENV_KEY]
        pushed = state.tokens[before:]
        last = pushed[-1].type if pushed else None
        end = state.pos + base
        src = root
        if name == "newline":
            # the line break with the spaces before it, not the indentation skipped after it
            kind: SpanKind = "hardbreak" if last == "hardbreak" else "softbreak"
            first = start
            while first > 0 and src[first - 1] == " ":
                first -= 1
            spans.append(Span(kind, first, start + 1))
        elif name == "escape":
            if last == "hardbreak":
                spans.append(Span("hardbreak", start, start + 2))
            else:
                spans.append(Span("escape", start, end))
        elif name == "backticks":
            if last == "code_inline":
                spans.append(Span("code", start, end))
        elif name in ("emphasis", "strikethrough"):
            spans.append(Span("delimiter", start, end))
        elif name in ("link", "image"):
            open_at = start + (1 if name == "image" else 0)
            label_end = (
                state.md.helpers.parseLinkLabel(state, open_at - base, name == "link") + base
            )
            tail = src[label_end + 1 : end]
            if end == label_end + 1:
                ref: RefStyle = "shortcut"
            elif tail == "[]":
                ref = "collapsed"
            elif tail.startswith("("):
                ref = "inline"
            else:
                ref = "full"
            spans.append(Span(name, start, end, open_at + 1, label_end, ref))  # type: ignore[arg-type]
        elif name in ("autolink", "linkify"):
            spans.append(Span("autolink", start, end))
        elif autolink_literal and last == "link_close":
            # the rule takes back the scheme (or an e-mail's local part) from pending text
            flushed = len(pushed[0].content) if pushed[0].type == "text" else 0
            spans.append(Span("autolink", start - (pending - flushed), end))
        elif name == "footnote_ref":
            spans.append(Span("footnote", start, end))
        elif math:
            spans.append(Span("math", start, end))
        elif name == "html_inline":
            spans.append(Span("html", start, end))
        elif name == "entity" and ((last is not None and last != "text") or src[start] == "&"):
            spans.append(Span("entity", start, end))
        return ok

    return recording_rule


def parser(dialect: str = "commonmark") -> MarkdownIt:
    """The shared parser of ``dialect`` (CommonMark + GFM tables and strikethrough + YAML front
    matter by default), its inline rules wrapped to record what they match."""
    return _parser(dialect)


def plain_parser(dialect: str = "commonmark") -> MarkdownIt:
    """The same syntax as :func:`parser`, its rules unwrapped: for readers of tokens only,
    which then skip the recording wrapper's cost on every rule call (about a third of an
    inline parse)."""
    return _plain(dialect)


@functools.cache
def block_parser(dialect: str = "commonmark") -> MarkdownIt:
    """Block-level parser: same syntax as :func:`parser`, without inline parsing (and
    footnote definitions left where they are written)."""
    md = _configured(dialect)
    md.disable("inline")
    if "footnote_tail" in md.get_all_rules()["core"]:
        md.disable("footnote_tail")
    return md


def link_definitions(text: str, *, dialect: str = "commonmark") -> dict[str, Any]:
    """The article's link reference definitions (markdown-it ``env["references"]``)."""
    env: dict[str, Any] = {}
    block_parser(dialect).parse(text, env)
    return dict(env.get("references", {}))


def _configured(dialect: str) -> MarkdownIt:
    """A new parser with ``dialect``'s syntax: what every parser of this module starts from."""
    md = MarkdownIt("commonmark")
    dialects.get(dialect).configure(md)
    md.use(front_matter_plugin)
    return md


@functools.cache
def _plain(dialect: str) -> MarkdownIt:
    return _configured(dialect)


@functools.cache
def _parser(dialect: str) -> MarkdownIt:
    md = _configured(dialect)
    for rule in md.inline.ruler.__rules__:  # by position: plugins may reuse a rule name
        rule.fn = _recorder(rule.name, rule.fn)
    md.inline.ruler.__cache__ = None
    return md


def scan(
    source: str, *, env: MutableMapping[str, Any] | None = None, dialect: str = "commonmark"
) -> list[Span]:
    """Inline markup spans of ``source`` in source order (nested link labels included), as
    ``dialect``'s parser reads them."""
    quick = _MARKUP_RE if dialect == "commonmark" else _DIALECT_MARKUP_RE
    if not quick.search(source):
        return []  # no character any inline rule could start on
    env = {} if env is None else env
    env[_ENV_KEY] = []
    env[_ENV_SRC] = source
    env[_ENV_NEST] = []
    env[_ENV_OFFSETS] = {}
    try:
        _parser(dialect).parseInline(source, env)
        spans: list[Span] = env[_ENV_KEY]
    finally:
        for key in (_ENV_KEY, _ENV_SRC, _ENV_NEST, _ENV_OFFSETS):
            env.pop(key, None)
    spans.sort(key=lambda s: (s.start, -s.end))
    return spans


def text_ranges(source: str, spans: list[Span]) -> list[tuple[int, int]]:
    """Ranges of ``source`` that are plain text: outside every span, or inside a link label."""
    covered: list[tuple[int, int]] = []
    for span in spans:
        if span.is_container:
            covered.append((span.start, span.label_start))
            covered.append((span.label_end, span.end))
        else:
            covered.append((span.start, span.end))
    ranges: list[tuple[int, int]] = []
    pos = 0
    for start, end in sorted(covered):
        if start > pos:
            ranges.append((pos, start))
        pos = max(pos, end)
    if pos < len(source):
        ranges.append((pos, len(source)))
    return ranges
