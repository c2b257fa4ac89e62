"""Markdown dialects: which syntax of a documentation site's Markdown is text, which is not.

Each preset is a :class:`Dialect` in its own module: ``commonmark`` (today's segmentation,
unchanged), ``gfm``, ``mkdocs``, ``docusaurus``, ``hugo``, ``liquid`` and ``mdn``; ``html``
reads HTML inside any of them and ``pieces`` turns the syntax found in a unit into placeholders.
Each module's docstring says which constructs come from mdit-py-plugins and which are parsed by
hand, and why. Importing this package loads no parser (the configuration checks names in
:mod:`localise.choices`, without it): a dialect's module is imported when :func:`get` is first
asked for it.
"""

from __future__ import annotations

import functools
import importlib

from localise.dialects.base import SYNTAX_KINDS, Dialect, Piece, is_syntax_name

# name -> "module:attribute" of its Dialect (the same names as :data:`localise.choices.DIALECTS`,
# which the configuration checks without importing this package)
_REGISTRY: dict[str, str] = {
    "commonmark": "localise.dialects.commonmark:COMMONMARK",
    "gfm": "localise.dialects.gfm:GFM",
    "mkdocs": "localise.dialects.mkdocs:MKDOCS",
    "docusaurus": "localise.dialects.docusaurus:DOCUSAURUS",
    "hugo": "localise.dialects.hugo:HUGO",
    "liquid": "localise.dialects.liquid:LIQUID",
    "mdn": "localise.dialects.mdn:MDN",
}
NAMES: tuple[str, ...] = tuple(_REGISTRY)
"""The preset names accepted by ``dialect = "…"``."""


@functools.cache
def get(name: str) -> Dialect:
    """The preset called ``name`` (KeyError when there is none)."""
    module_name, _, attribute = _REGISTRY[name].partition(":")
    dialect: Dialect = getattr(importlib.import_module(module_name), attribute)
    return dialect


__all__ = ["NAMES", "SYNTAX_KINDS", "Dialect", "Piece", "get", "is_syntax_name"]
