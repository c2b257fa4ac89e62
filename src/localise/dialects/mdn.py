"""MDN Web Docs: GFM plus KumaScript macros and MDN's own definition lists.

From mdit-py-plugins: GFM (``gfm_plugin``: tables, strikethrough, autolinks, task lists,
``> [!NOTE]`` alerts, footnotes).

By hand, because no plugin knows them: KumaScript macro calls ``{{macro}}`` and
``{{macro("arg", …)}}`` (expanded by MDN's build before Markdown; one alone on its line, such as
``{{Compat}}``, is a block of its own), and MDN's definition lists, written as nested bullet
lists whose description starts with ``- : `` (every parser here reads the ``:`` as text; the
segmenter keeps it out of the msgid and names the term in the comment).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from markdown_it import MarkdownIt
from mdit_py_plugins.gfm import gfm_plugin

from localise.dialects.base import Dialect, Piece, own_line_ranges

_MACRO_RE = re.compile(
    r"\{\{\s*[A-Za-z][\w-]*\s*(?:\((?:[^()\"']|\"[^\"]*\"|'[^']*')*\))?\s*\}\}"
)


def macros(text: str) -> Iterator[Piece]:
    """KumaScript macro calls: ``{{JSRef}}``, ``{{domxref("Element/cut_event", "cut")}}``."""
    for match in _MACRO_RE.finditer(text):
        yield Piece(match.start(), match.end(), "macro")


def line_macros(text: str, code: Sequence[tuple[int, int]]) -> Iterator[tuple[int, int]]:
    """Macros alone on their lines (``{{Compat}}``, ``- {{jsxref("Array")}}``)."""
    yield from own_line_ranges(text, macros(text), code)


def configure(md: MarkdownIt) -> None:
    """GFM, as MDN's build reads it."""
    md.use(gfm_plugin)


MDN = Dialect(
    name="mdn",
    summary="MDN Web Docs: GFM plus {{macro(...)}} calls and '- : ' definition lists",
    configure=configure,
    front_matter_keys=("short-title",),
    scanners=(macros,),
    masks=(line_macros,),
    html=True,
    alerts=True,
    colon_definitions=True,
)
