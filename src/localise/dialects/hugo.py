"""Hugo (Goldmark): shortcodes, definition lists, footnotes, alerts, passthrough math.

From mdit-py-plugins: tables, strikethrough, autolink literals, task lists and alerts
(``gfm_plugin``; Hugo renders ``> [!NOTE]`` through its blockquote render hook), definition
lists (``deflist_plugin``, which also reads Hugo's one-space ``: definition`` form), footnotes,
and passthrough math: ``texmath_plugin`` brackets for ``\\[…\\]``/``\\(…\\)`` and
``dollarmath_plugin`` for ``$$…$$`` blocks (its inline ``$…$`` rule is switched off: Hugo's
passthrough leaves single dollars alone unless a site configures them).

Heading attributes (``## Title {#id}``) are attribute lists (:mod:`.attributes`). By hand,
because Hugo expands them before Markdown is parsed and no plugin knows them:
shortcodes ``{{< name … >}}``, ``{{% name … %}}``, their closing forms, self-closing
``{{< name />}}`` and the escaped ``{{</* … */>}}`` / ``{{%/* … */%}}`` forms. A shortcode alone
on its line is a block of its own (markdown-it would glue it to the paragraph next to it). The
body of ``{{% %}}`` shortcodes is Markdown, and so is the body of ``{{< >}}`` ones (``note``,
``tab``, ``warning`` render it with ``markdownify``), except for shortcodes whose body is code:
``code``, ``code-toggle``, ``codenew``, ``highlight``, ``output``, ``datatable`` and any with a
``codelang`` parameter, whose body is kept verbatim.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator, Sequence

from markdown_it import MarkdownIt
from mdit_py_plugins.deflist import deflist_plugin
from mdit_py_plugins.dollarmath import dollarmath_plugin
from mdit_py_plugins.gfm import gfm_plugin
from mdit_py_plugins.texmath import texmath_plugin

from localise.dialects.attributes import attribute_lists
from localise.dialects.base import (
    Dialect,
    Piece,
    in_ranges,
    line_starts,
    own_line_ranges,
    paired_regions,
)
from localise.dialects.gfm import emoji

_SHORTCODE_RE = re.compile(
    r"\{\{<\s*/\*.*?\*/\s*>\}\}"
    r"|\{\{%\s*/\*.*?\*/\s*%\}\}"
    r"|\{\{(?P<delim>[<%])\s*(?P<close>/)?\s*(?P<name>[\w./-]+)(?P<args>.*?)(?P<self>/)?\s*[>%]\}\}",
    re.DOTALL,
)
CODE_BODIES = frozenset({"code", "code-toggle", "codenew", "highlight", "output", "datatable"})
"""Shortcodes whose body is code, kept verbatim."""


def shortcodes(text: str) -> Iterator[Piece]:
    """Every shortcode call, paired by name (``{{< note >}}`` … ``{{< /note >}}``)."""
    for match in _SHORTCODE_RE.finditer(text):
        name = match.group("name")
        if not name:
            yield Piece(match.start(), match.end(), "shortcode")  # an escaped, literal call
        elif match.group("close"):
            yield Piece(match.start(), match.end(), "shortcode", "close", name)
        elif match.group("self"):
            yield Piece(match.start(), match.end(), "shortcode")
        else:
            yield Piece(match.start(), match.end(), "shortcode", "open", name)


def _code_body(piece: Piece, text: str) -> bool:
    source = text[piece.start : piece.end]
    return piece.key in CODE_BODIES or "codelang=" in source


def line_shortcodes(text: str, code: Sequence[tuple[int, int]]) -> Iterator[tuple[int, int]]:
    """Shortcodes alone on their lines, and the lines of code bodies, outside fenced code."""
    found = list(shortcodes(text))
    yield from own_line_ranges(text, found, code)
    starts = line_starts(text)
    open_at: dict[str, list[Piece]] = {}
    for piece in found:
        if piece.role == "open":
            open_at.setdefault(piece.key, []).append(piece)
        elif piece.role == "close" and open_at.get(piece.key):
            opener = open_at[piece.key].pop()
            if not _code_body(opener, text):
                continue
            first = _line_of(starts, opener.end) + 1
            last = _line_of(starts, piece.start)
            if in_ranges(first - 1, code):
                continue
            for line in range(first, last):
                begin = starts[line]
                end = starts[line + 1] if line + 1 < len(starts) else len(text)
                body = text[begin:end].rstrip("\r\n")
                if body.strip():
                    lead = len(body) - len(body.lstrip())
                    yield begin + lead, begin + len(body)


def _line_of(starts: list[int], offset: int) -> int:
    return bisect.bisect_right(starts, offset) - 1


def shortcode_regions(
    text: str, code: Sequence[tuple[int, int]]
) -> Iterator[tuple[int, int, str]]:
    """The bodies of paired shortcodes, named for the comments (``shortcode "note"``)."""
    yield from paired_regions(
        text, shortcodes(text), code,
        lambda p: None if _code_body(p, text) else f'shortcode "{p.key}"',
    )


def configure(md: MarkdownIt) -> None:
    """Goldmark as Hugo configures it, with passthrough math."""
    md.use(gfm_plugin).use(deflist_plugin)
    md.use(dollarmath_plugin, allow_blank_lines=False)
    md.inline.ruler.disable("math_inline")  # dollarmath's: no $…$ inline math in Hugo
    md.use(texmath_plugin, delimiters="brackets")


HUGO = Dialect(
    name="hugo",
    summary="Hugo: shortcodes {{< >}} and {{% %}}, definition lists, footnotes, alerts, math",
    configure=configure,
    front_matter_keys=("linkTitle", "linktitle", "summary", "subtitle"),
    scanners=(shortcodes, attribute_lists, emoji),
    masks=(line_shortcodes,),
    regions=shortcode_regions,
    html=True,
    alerts=True,
)
