"""GitHub Flavored Markdown: tables, strikethrough, task lists, autolinks, footnotes, alerts.

From mdit-py-plugins: ``gfm_plugin`` (tables, strikethrough, ``www.``/``https://`` autolink
literals, task lists and ``> [!NOTE]`` alerts through markdown-it-py's built-in options, and
``footnote_plugin`` for ``[^1]`` references and definitions). By hand: emoji shortcodes
(``:sparkles:``), which no plugin parses and GitHub renders as pictures, so they are syntax;
inline HTML tags and HTML blocks are read by :mod:`localise.dialects.html`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from markdown_it import MarkdownIt
from mdit_py_plugins.gfm import gfm_plugin

from localise.dialects.base import Dialect, Piece

_EMOJI_RE = re.compile(r"(?<![\w:]):(?:[a-z0-9_+-]*[a-z][a-z0-9_+-]*|[+-]1):(?![\w:])")


def emoji(text: str) -> Iterator[Piece]:
    """Emoji shortcodes such as ``:sparkles:`` or ``:octicons-heart-fill-24:``."""
    for match in _EMOJI_RE.finditer(text):
        yield Piece(match.start(), match.end(), "emoji")


def configure(md: MarkdownIt) -> None:
    """GFM on top of CommonMark (front matter is added by the segmenter)."""
    md.use(gfm_plugin)


GFM = Dialect(
    name="gfm",
    summary="GitHub READMEs and wikis: tables, task lists, autolinks, footnotes, alerts",
    configure=configure,
    scanners=(emoji,),
    html=True,
    alerts=True,
)
