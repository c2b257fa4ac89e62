"""MkDocs and Material for MkDocs: Python-Markdown with the pymdown extensions.

From mdit-py-plugins: admonitions and collapsible blocks (``admon_plugin``: ``!!! tip``,
``??? note``, ``???+ note``, the same three markers as Python-Markdown's ``admonition`` and
pymdownx ``details``), footnotes (``footnote_plugin``), definition lists (``deflist_plugin``),
math (``dollarmath_plugin`` for ``$…$``/``$$…$$`` and ``texmath_plugin`` brackets for
``\\(…\\)``/``\\[…\\]``, as ``pymdownx.arithmatex`` reads them); task lists are markdown-it-py's
built-in option. By hand, because no plugin parses them:

* content tabs (``=== "Label"`` with a body indented by four spaces, ``pymdownx.tabbed``):
  a block rule of the same shape as the admonition one;
* admonition and tab titles: admon invents a title when there is none (``Tip``) and reads
  ``!!! info inline end`` as the title ``inline end``; Python-Markdown only takes a quoted
  title, so the title unit is cut from the quotes on the marker line;
* attribute lists (``{: .class }``, ``{ #id }``, ``{ title="…" }``): ``attrs_plugin`` does not
  read the colon form or a list after plain text (:mod:`.attributes`);
* abbreviations (``*[HTML]: Hyper Text Markup Language``, the expansion is text): no plugin;
* emphasis for the checks: Python-Markdown's own renderer (``**優れた細胞数：**日本`` is bold
  there, not in CommonMark).
"""

from __future__ import annotations

import functools
import re
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock
from mdit_py_plugins.admon import admon_plugin
from mdit_py_plugins.deflist import deflist_plugin
from mdit_py_plugins.dollarmath import dollarmath_plugin
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.texmath import texmath_plugin
from mdit_py_plugins.utils import is_code_block

from localise.dialects.attributes import attribute_lists
from localise.dialects.base import Dialect
from localise.dialects.gfm import emoji
from localise.dialects.markers import TAB_RE


def content_tab(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
    """Block rule: ``=== "Label"`` and the lines indented four spaces under it."""
    if is_code_block(state, start_line):
        return False
    start = state.bMarks[start_line] + state.tShift[start_line]
    maximum = state.eMarks[start_line]
    if not state.src.startswith("===", start):
        return False
    match = TAB_RE.match(state.src, start, maximum)
    if not match:
        return False
    if silent:
        return True
    old = (state.parentType, state.lineMax, state.blkIndent)
    state.parentType = "tab"  # type: ignore[assignment]
    state.blkIndent += 4
    line = last = start_line + 1
    while line < end_line:
        blank = state.isEmpty(line)
        if not blank and state.sCount[line] < state.blkIndent:
            break
        if not blank:
            last = line + 1
        line += 1
    state.lineMax = last
    token = state.push("tab_open", "div", 1)
    token.markup, token.info, token.block = match.group(1), match.group(2), True
    token.map = [start_line, last]
    state.md.block.tokenize(state, start_line + 1, last)
    token = state.push("tab_close", "div", -1)
    token.markup, token.block = match.group(1), True
    state.parentType, state.lineMax, state.blkIndent = old
    state.line = last
    return True


def configure(md: MarkdownIt) -> None:
    """Python-Markdown + pymdown extensions, as Material for MkDocs configures them."""
    md.enable(["table", "strikethrough"])
    md.options["tasklists"] = True
    md.use(admon_plugin).use(footnote_plugin, inline=False).use(deflist_plugin)
    md.use(texmath_plugin, delimiters="brackets")
    md.use(dollarmath_plugin, allow_space=False, allow_digits=False, allow_blank_lines=False)
    md.block.ruler.before(
        "fence", "content_tab", content_tab, {"alt": ["reference", "blockquote", "list"]}
    )


@functools.cache
def _python_markdown() -> Any:
    import markdown  # Python-Markdown: only when an mkdocs article's emphasis is checked

    return markdown.Markdown()


_STRONG_RE = re.compile(r"<strong>")
_EM_RE = re.compile(r"<em>")


def emphasis(text: str) -> tuple[int, int]:
    """(strong, emphasis) counts as Python-Markdown renders ``text``."""
    md = _python_markdown()
    md.reset()
    html = md.convert(text)
    return len(_STRONG_RE.findall(html)), len(_EM_RE.findall(html))


MKDOCS = Dialect(
    name="mkdocs",
    summary="MkDocs / Material: admonitions, details, content tabs, attribute lists, "
    "abbreviations, footnotes, definition lists, math",
    configure=configure,
    front_matter_keys=("title", "description"),
    scanners=(attribute_lists, emoji),
    html=True,
    abbreviations=True,
    python_markdown=True,
    emphasis=emphasis,
)
