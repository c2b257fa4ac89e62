"""Attribute lists: Python-Markdown's ``attr_list`` (``{: .class }``, ``{ #id }``,
``{ title="…" }``), kramdown's inline attribute lists (``{: .note }``, Jekyll) and Goldmark's
heading attributes (``## Title {#id}``, Hugo).

Parsed by hand: mdit-py-plugins' ``attrs_plugin`` reads neither the colon form nor a list after
plain text or an emoji, and applies lists to the element before them, which a segmenter does
not need: an attribute list is syntax wherever it stands, and never translated.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from localise.dialects.base import Piece

_VALUE = r"""(?:"[^"\n]*"|'[^'\n]*'|[^\s{}"']+)"""
_ATTR = rf"(?:[#.][\w:-]+|[\w:-]+={_VALUE})"
_ATTR_LIST_RE = re.compile(rf"\{{:?[ \t]*{_ATTR}(?:[ \t]+{_ATTR})*[ \t]*\}}|\{{:[ \t]*\}}")


def attribute_lists(text: str) -> Iterator[Piece]:
    """Attribute lists: ``{: .tx-heart }``, ``{ #custom-checkbox }``, ``{ title="…" }``."""
    for match in _ATTR_LIST_RE.finditer(text):
        yield Piece(match.start(), match.end(), "attrlist")
