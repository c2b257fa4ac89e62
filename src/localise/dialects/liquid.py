"""Liquid (Jekyll, GitHub Docs): ``{% tag %}`` and ``{{ output }}`` around GFM.

From mdit-py-plugins: GFM (``gfm_plugin``: tables, strikethrough, autolinks, task lists,
``> [!NOTE]`` alerts, footnotes), as GitHub Docs and Jekyll (kramdown with GFM input) read them.

By hand, because Liquid runs before Markdown and no plugin knows it: tags ``{% … %}`` (with the
``{%-``/``-%}`` whitespace-control forms) and outputs ``{{ … }}``; block tags pair with their
``end…`` tag (``ifversion``/``elsif``/``else`` close with ``endif``). A tag alone on its line is
a block of its own: GitHub Docs' ``{% data reusables… %}`` lines expand to numbered steps, and
markdown-it would otherwise glue them to the step after them. The bodies of ``{% raw %}``,
``{% comment %}`` and ``{% highlight %}`` are kept verbatim. GitHub Docs' ``[AUTOTITLE](…)``
links are syntax (the build writes the page title in), and kramdown attribute lists
(``{: .note }``) are syntax too.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from markdown_it import MarkdownIt
from mdit_py_plugins.gfm import gfm_plugin

from localise.dialects.attributes import attribute_lists
from localise.dialects.base import Dialect, Piece, line_starts, own_line_ranges, paired_regions
from localise.dialects.gfm import emoji

_TAG_RE = re.compile(r"\{%-?\s*(?P<name>\w+)?.*?-?%\}|\{\{-?.*?-?\}\}", re.DOTALL)
_CLOSES = {"endif": "if", "endunless": "unless"}
_OPENS = {"ifversion": "if", "if": "if", "unless": "unless"}
MIDDLE = frozenset({"else", "elsif", "when"})
"""Tags inside a block (they neither open nor close it)."""
VERBATIM_BODIES = frozenset({"raw", "comment", "highlight"})
"""Block tags whose body is not Markdown."""


def tags(text: str) -> Iterator[Piece]:
    """Every Liquid tag and output, block tags paired with their ``end…`` tags."""
    for match in _TAG_RE.finditer(text):
        name = match.group("name") or ""
        if match.group(0).startswith("{{") or not name or name in MIDDLE:
            yield Piece(match.start(), match.end(), "liquid")
        elif name.startswith("end"):
            yield Piece(match.start(), match.end(), "liquid", "close", _CLOSES.get(name, name[3:]))
        else:
            yield Piece(match.start(), match.end(), "liquid", "open", _OPENS.get(name, name))


def line_tags(text: str, code: Sequence[tuple[int, int]]) -> Iterator[tuple[int, int]]:
    """Tags alone on their lines, and the lines of raw/comment/highlight bodies."""
    found = list(tags(text))
    yield from own_line_ranges(text, found, code)
    starts = line_starts(text)
    stack: list[Piece] = []
    for piece in found:
        if piece.role == "open" and piece.key in VERBATIM_BODIES:
            stack.append(piece)
        elif piece.role == "close" and stack and stack[-1].key == piece.key:
            opener = stack.pop()
            for begin in starts:
                if opener.end < begin < piece.start:
                    end = text.find("\n", begin)
                    end = len(text) if end < 0 else end
                    body = text[begin:end].rstrip("\r")
                    if body.strip():
                        lead = len(body) - len(body.lstrip())
                        yield begin + lead, begin + len(body)


def tag_regions(text: str, code: Sequence[tuple[int, int]]) -> Iterator[tuple[int, int, str]]:
    """The bodies of block tags such as ``{% warning %}`` (conditions and loops aside)."""
    skipped = {"if", "unless", "for", "case", "capture", *VERBATIM_BODIES}
    yield from paired_regions(
        text, tags(text), code, lambda p: None if p.key in skipped else f'Liquid "{p.key}" block'
    )


def configure(md: MarkdownIt) -> None:
    """GFM, as GitHub Docs and Jekyll read it."""
    md.use(gfm_plugin)


LIQUID = Dialect(
    name="liquid",
    summary="Jekyll and GitHub Docs: Liquid {% tags %} and {{ outputs }}, reusables, alerts",
    configure=configure,
    front_matter_keys=("intro", "shortTitle", "excerpt", "permissions"),
    scanners=(tags, attribute_lists, emoji),
    masks=(line_tags,),
    regions=tag_regions,
    html=True,
    alerts=True,
    autotitle=True,
)
