"""Rules on the syntax a translation must carry over unchanged: template tags, shortcodes,
macros, HTML and JSX tags, MDX expressions, shown to translators as ``{kind_N}`` placeholders
(``{html_2}`` … ``{html_2_end}`` for the two ends of a pair); and emphasis as the dialect's own
renderer reads it."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

from localise import dialects, placeholders
from localise.checks.base import CheckContext, Pair, Rule, name_changes


def _names(text: str) -> list[str]:
    return [n for n in placeholders.names(text) if dialects.is_syntax_name(n)]


def check_syntax(pair: Pair, ctx: CheckContext) -> Iterator[str]:
    """Every syntax placeholder of the msgid exactly once in the translation, each pair's two
    ends in order and properly nested."""
    if not ctx.brace_format:
        return
    wanted = _names(pair.msgid)
    if not wanted:
        return
    found = _names(pair.msgstr)
    source, target = Counter(wanted), Counter(found)
    yield from name_changes(source, target, what="syntax placeholder", lost="dropped from",
                            changed="altered")
    for name, count in target.items():
        if name in source and count > source[name]:
            yield f"syntax placeholder {{{name}}} duplicated ({count} times, source once)"
    pairs = {n[: -len("_end")] for n in wanted if n.endswith("_end")} & set(wanted)
    stack: list[str] = []
    for name in found:
        if name in pairs:
            stack.append(name)
            continue
        base = name[: -len("_end")] if name.endswith("_end") else ""
        if base not in pairs:
            continue
        if stack and stack[-1] == base:
            stack.pop()
        elif base in stack:
            yield (
                f"syntax placeholder {{{name}}} moved out of its pairing: it closes "
                f"{{{base}}} inside {{{stack[-1]}}}"
            )
            stack.remove(base)
        else:
            yield f"syntax placeholder {{{name}}} moved before its opening {{{base}}}"


def rendered_emphasis(pair: Pair, ctx: CheckContext) -> tuple[tuple[int, int], tuple[int, int]]:
    """(strong, emphasis) of the msgid and of the translation as the article's renderer shows
    them: Python-Markdown for ``mkdocs`` (which has no CommonMark flanking rules, so
    ``**優れた細胞数：**日本`` is bold), markdown-it-py for every other dialect."""
    emphasis = dialects.get(ctx.dialect).emphasis
    if emphasis is not None:
        return emphasis(pair.msgid), emphasis(pair.msgstr)
    src, tgt = pair.source, pair.target
    return (src.strong, src.em), (tgt.strong, tgt.em)


RULES = (
    Rule(
        name="syntax",
        severity="error",
        summary="a syntax placeholder (template tag, shortcode, macro, HTML/JSX tag) dropped, "
        "altered, duplicated or moved out of its pairing",
        check=check_syntax,
        verifies_drafts=True,
    ),
)
"""The syntax rules."""
