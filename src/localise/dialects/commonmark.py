"""CommonMark: the default dialect, today's segmentation unchanged.

markdown-it-py's CommonMark preset with its built-in GFM tables and strikethrough (and YAML
front matter, which every dialect gets from ``front_matter_plugin``). Nothing else is syntax:
inline HTML stays in the msgid, and template tags, admonitions and the rest are read as
CommonMark reads them.
"""

from __future__ import annotations

from markdown_it import MarkdownIt

from localise.dialects.base import Dialect


def configure(md: MarkdownIt) -> None:
    """CommonMark with GFM tables and strikethrough."""
    md.enable(["table", "strikethrough"])


COMMONMARK = Dialect(
    name="commonmark",
    summary="CommonMark with GFM tables and strikethrough (the default; nothing else is syntax)",
    configure=configure,
)
