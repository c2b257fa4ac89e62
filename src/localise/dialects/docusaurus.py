"""Docusaurus (MDX): ``:::note`` admonitions, ``import``/``export``, JSX, ``{/* comments */}``.

From mdit-py-plugins: ``container_plugin`` for the ``:::`` admonitions, with a validator that
takes any type name and both title forms (``:::note[Title]`` and the legacy ``:::note Title``,
which Docusaurus rewrites to the bracket form before parsing); nesting with more colons outside
and a closing ``:::`` that ends a paragraph behave as remark-directive does. Tables,
strikethrough, autolink literals, task lists and footnotes (remark-gfm) come from markdown-it-py
and ``gfm_autolink_plugin``/``footnote_plugin``.

By hand, because MDX is JavaScript inside Markdown and no plugin parses it: ESM ``import``/
``export`` statements (a line starting with either keyword, up to the next blank line, as
MDX reads them), ``{/* comments */}`` and ``{expressions}`` with balanced braces, heading ids
``{#id}``, JSX tags alone on their lines (``<Tabs>``, ``<UpgradeGuide />``) and inside text
(``<Highlight color="…">``), and ```` ```mdx-code-block ```` fences, whose content Docusaurus
unwraps into live MDX before parsing.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from markdown_it import MarkdownIt
from mdit_py_plugins.container import container_plugin
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.gfm_autolink import gfm_autolink_plugin

from localise.dialects.base import (
    Dialect,
    Piece,
    fenced_lines,
    in_ranges,
    line_starts,
    own_line_ranges,
)
from localise.dialects.markers import CONTAINER_RE

LIVE_FENCES = ("mdx-code-block",)
_ESM_RE = re.compile(r"^(?:import|export)\b")
_COMMENT_RE = re.compile(r"\{/\*.*?\*/\}", re.DOTALL)
_JSX_RE = re.compile(r"</?[A-Z][\w.]*(?:\s(?:[^<>{}]|\{[^{}]*\})*)?/?>")


def _validate(params: str, *args: object) -> bool:
    return bool(CONTAINER_RE.match(params))


def expressions(text: str) -> Iterator[Piece]:
    """MDX comments, ``{expressions}`` (braces balanced, strings skipped) and JSX tags."""
    for match in _JSX_RE.finditer(text):
        name = re.match(r"</?([\w.]+)", match.group(0))
        key = name.group(1) if name else ""
        source = match.group(0)
        role = "close" if source.startswith("</") else "single" if source.endswith("/>") else "open"
        yield Piece(match.start(), match.end(), "jsx", role, key)  # type: ignore[arg-type]
    pos = 0
    while True:
        start = text.find("{", pos)
        if start < 0:
            return
        if start and text[start - 1] == "\\":
            pos = start + 1
            continue
        comment = _COMMENT_RE.match(text, start)
        end = comment.end() if comment else _balanced(text, start)
        if end is None:
            pos = start + 1
            continue
        yield Piece(start, end, "mdx")
        pos = end


def _balanced(text: str, start: int) -> int | None:
    depth = 0
    index = start
    quote = ""
    while index < len(text):
        ch = text[index]
        if quote:
            if ch == "\\":
                index += 1
            elif ch == quote:
                quote = ""
        elif ch in "'\"`":
            quote = ch
        elif ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth == 0:
                return index + 1
        index += 1
    return None


def line_constructs(text: str, code: Sequence[tuple[int, int]]) -> Iterator[tuple[int, int]]:
    """ESM blocks, ``mdx-code-block`` fence lines, and comments or JSX tags alone on a line."""
    starts = line_starts(text)
    lines = text.splitlines()
    for first, end, live in fenced_lines(text, live=LIVE_FENCES):
        if live:
            for line in (first, end - 1):
                yield from _whole_line(text, starts, lines, line)
    index = 0
    while index < len(lines):
        if _ESM_RE.match(lines[index]) and not in_ranges(index, code):
            while index < len(lines) and lines[index].strip():
                yield from _whole_line(text, starts, lines, index)
                index += 1
        index += 1
    yield from own_line_ranges(text, expressions(text), code)


def _whole_line(
    text: str, starts: list[int], lines: list[str], line: int
) -> Iterator[tuple[int, int]]:
    if 0 <= line < len(lines) and lines[line].strip():
        body = lines[line]
        lead = len(body) - len(body.lstrip())
        yield starts[line] + lead, starts[line] + len(body.rstrip())


def configure(md: MarkdownIt) -> None:
    """CommonMark with remark-gfm's extensions and ``:::`` admonitions."""
    md.enable(["table", "strikethrough"])
    md.options["tasklists"] = True
    md.use(gfm_autolink_plugin).use(footnote_plugin, inline=False)
    md.use(container_plugin, "admonition", validate=_validate)


DOCUSAURUS = Dialect(
    name="docusaurus",
    summary="Docusaurus / MDX: :::note containers, import/export, JSX, {/* comments */}",
    configure=configure,
    front_matter_keys=("sidebar_label", "pagination_label"),
    scanners=(expressions,),
    masks=(line_constructs,),
    html=True,
    live_fences=LIVE_FENCES,
)
