"""CJK typography rules: emphasis CommonMark will not render next to CJK punctuation, and
half-width punctuation in Japanese text."""

from __future__ import annotations

import re

from localise.checks.base import CheckContext, Pair, Rule
from localise.checks.markup import literal_runs
from localise.checks.syntax import rendered_emphasis
from localise.langs import base, is_cjk

_JA_CHAR = r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f々〆]"
_HALF_WIDTH_RE = re.compile(rf"(?<={_JA_CHAR})[.,?!()]|[.,?!()](?={_JA_CHAR})")
_FULL_WIDTH = {".": "。", ",": "、", "?": "？", "!": "！", "(": "（", ")": "）"}
_BRACKETED_RE = re.compile(
    r"(\*\*|__|\*|_)([「『（【〈《“‘(\[])([^*_\n]+?)([」』）】〉》”’)\]])\1"
)


def check_cjk_punctuation(pair: Pair, ctx: CheckContext) -> list[str]:
    """Half-width ``.,?!()`` next to Japanese characters."""
    tgt = pair.target
    hits = []
    for match in _HALF_WIDTH_RE.finditer(tgt.text):
        mark, at = match.group(0), match.start()
        before = tgt.text[at - 1] if at else ""
        where = f"after {before!r}" if re.fullmatch(_JA_CHAR, before or " ") else \
            f"before {tgt.text[at + 1]!r}"
        hits.append(f"{mark!r} {where} (use {_FULL_WIDTH[mark]!r})")
    if not hits:
        return []
    more = f" and {len(hits) - 3} more" if len(hits) > 3 else ""
    return ["half-width punctuation in Japanese text: " + ", ".join(hits[:3]) + more]


def check_cjk_emphasis(pair: Pair, ctx: CheckContext) -> list[str]:
    """``**`` or ``*`` the translation lost because CJK punctuation breaks the flanking rules."""
    src, tgt, msgstr = pair.source, pair.target, pair.msgstr
    problems = []
    for label, attr, strong, delimiter in (
        ("strong emphasis", "strong", True, "**"), ("emphasis", "em", False, "*"),
    ):
        if getattr(src, attr) == 0 or getattr(tgt, attr) >= getattr(src, attr):
            continue
        if ctx.dialect != "commonmark":  # the dialect's renderer may read it as emphasis
            index = 0 if attr == "strong" else 1
            rendered = rendered_emphasis(pair, ctx)
            if rendered[1][index] >= rendered[0][index]:
                continue
        if literal_runs(tgt.text, strong=strong) <= literal_runs(src.text, strong=strong):
            continue
        fix = next(
            (m for m in _BRACKETED_RE.finditer(msgstr) if (len(m.group(1)) >= 2) == strong), None
        )
        if fix:
            rewrite = f"{fix.group(2)}{fix.group(1)}{fix.group(3)}{fix.group(1)}{fix.group(4)}"
            suggestion = f"write {rewrite} instead of {fix.group(0)}"
        else:
            suggestion = (
                f"move the {delimiter} inside the brackets or punctuation, e.g. 「**重要**」です"
            )
        problems.append(
            f"{label} is not rendered: literal {delimiter!r} next to CJK punctuation fails "
            f"CommonMark's flanking rules; {suggestion}"
        )
    return problems


RULES = (
    Rule(
        name="cjk-emphasis",
        severity="warning",
        summary="emphasis not rendered: its delimiters sit next to CJK punctuation",
        check=check_cjk_emphasis,
        languages=is_cjk,
    ),
    Rule(
        name="cjk-punctuation",
        severity="warning",
        summary="half-width punctuation inside Japanese text",
        check=check_cjk_punctuation,
        languages=lambda lang: base(lang) == "ja",
    ),
)
"""The CJK typography rules."""
