"""Markdown dialects: which syntax of a documentation site's Markdown is text, which is not.

Each preset is a :class:`Dialect` in its own module: ``commonmark`` (today's segmentation,
unchanged), :mod:`~localise.dialects.gfm`, :mod:`~localise.dialects.mkdocs`,
:mod:`~localise.dialects.docusaurus`, :mod:`~localise.dialects.hugo`,
:mod:`~localise.dialects.liquid` and :mod:`~localise.dialects.mdn`; :mod:`.html` reads HTML
inside any of them and :mod:`.pieces` turns the syntax found in a unit into placeholders.
Each module's docstring says which constructs come from mdit-py-plugins and which are parsed by
hand, and why.
"""

from __future__ import annotations

from markdown_it import MarkdownIt

from localise.dialects.base import SYNTAX_KINDS, Dialect, Piece, is_syntax_name
from localise.dialects.docusaurus import DOCUSAURUS
from localise.dialects.gfm import GFM
from localise.dialects.hugo import HUGO
from localise.dialects.liquid import LIQUID
from localise.dialects.mdn import MDN
from localise.dialects.mkdocs import MKDOCS


def _commonmark(md: MarkdownIt) -> None:
    md.enable(["table", "strikethrough"])


COMMONMARK = Dialect(
    name="commonmark",
    summary="CommonMark with GFM tables and strikethrough (the default; nothing else is syntax)",
    configure=_commonmark,
)

DIALECTS: dict[str, Dialect] = {
    d.name: d for d in (COMMONMARK, GFM, MKDOCS, DOCUSAURUS, HUGO, LIQUID, MDN)
}
"""Every preset by name."""
NAMES: tuple[str, ...] = tuple(DIALECTS)
"""The preset names accepted by ``dialect = "…"``."""


def get(name: str) -> Dialect:
    """The preset called ``name`` (KeyError when there is none)."""
    return DIALECTS[name]


__all__ = ["DIALECTS", "NAMES", "SYNTAX_KINDS", "Dialect", "Piece", "get", "is_syntax_name"]
