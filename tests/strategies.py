"""Hypothesis strategies for English Markdown articles, shared by the law and fixture tests.

:func:`documents` draws a whole article: optional YAML front matter (title/description in plain,
single- or double-quoted style), then blocks separated by blank lines.  Blocks nest: bulleted
and ordered lists (markers ``-+*``, ``.``/``)``, start numbers 0…999999999) hold paragraphs,
sub-lists, blockquotes and code; blockquotes hold lists, headings, paragraphs (sometimes with
lazy continuation lines).  Inline text mixes words (some non-ASCII, some with apostrophes and
hyphens), emphasis/strong/strikethrough, code spans, inline links with and without titles,
full/collapsed/shortcut reference links (definitions are appended), images, autolinks, inline
HTML, entities, backslash escapes, amounts and dates (placeholders when formatting is on),
soft line breaks and both kinds of hard break.  GFM tables carry escaped pipes, code with
escaped pipes and cells without letters (``—``, ``5–7``).

Every document is valid input by construction only in the sense that all Markdown is: the laws
must hold whatever CommonMark makes of it.
"""

from __future__ import annotations

import json

from hypothesis import strategies as st

WORDS = (
    "the", "a", "of", "and", "to", "in", "patient", "patients", "clinic", "clinics", "Japan",
    "Tokyo", "knee", "cell", "cells", "stem", "therapy", "treatment", "cost", "visit", "doctor",
    "license", "culture", "safety", "plan", "weeks", "days", "research", "regulated", "offers",
    "higher", "Osaka", "count", "care", "patient's", "non-surgical", "state-of-the-art",
    "café", "naïve", "Zürich", "résumé", "U.S.", "e.g.,", "(fat)", "CPC", "MRI", "x-ray",
    "snake_case", "well-known", "it's", "don't", "Q&A", "50%",
)
VALUES = ("$6,500", "$13,000", "¥15,000", "USD 150", "Jan 12, 2026", "January 20, 2026")
URLS = (
    "https://example.com/", "https://www.placidway.com/page?a=1&b=2", "/guides/knee",
    "images/cells.jpg", "guide.md#costs", "<has space.md>", "mailto:care@example.com",
)
TITLES = ('"A title"', "'Single quoted'", "(Parenthesised title)")
LABELS = ("quote", "guide", "Clinic List", "faq")
CODE = ("x = 1", "a_b", "*not emph*", "[not](link)", "$6,500", "medical-history.pdf", "<b>")
HTML_INLINE = (
    ("<span>", "</span>"), ('<abbr title="Act on Safety">', "</abbr>"), ("<em>", "</em>"),
)

_words = st.sampled_from(WORDS)


@st.composite
def phrase(draw: st.DrawFn, min_size: int = 1, max_size: int = 4) -> str:
    """A few plain words joined by single spaces."""
    return " ".join(draw(st.lists(_words, min_size=min_size, max_size=max_size)))


@st.composite
def atom(draw: st.DrawFn, refs: list[str], *, in_table: bool = False, depth: int = 0) -> str:
    """One inline element; ``refs`` collects the reference labels that need a definition."""
    kinds = ["word"] * 8 + [
        "em", "strong", "under", "strike", "code", "link", "image", "autolink", "html",
        "entity", "escape", "value", "full", "collapsed", "shortcut",
    ]
    if in_table:
        kinds += ["pipe", "codepipe"]
    kind = draw(st.sampled_from(kinds))
    inner = draw(phrase(1, 3))
    if kind == "word":
        return draw(_words)
    if kind == "em":
        return f"*{inner}*"
    if kind == "strong":
        nested = f" *{draw(phrase(1, 2))}*" if depth == 0 and draw(st.booleans()) else ""
        return f"**{inner}{nested}**"
    if kind == "under":
        return f"_{inner}_"
    if kind == "strike":
        return f"~~{inner}~~"
    if kind == "code":
        return f"`{draw(st.sampled_from(CODE))}`"
    if kind == "link":
        title = f" {draw(st.sampled_from(TITLES))}" if draw(st.booleans()) else ""
        label = inner
        if depth == 0 and draw(st.integers(0, 4)) == 0:
            label = f"{inner} **{draw(phrase(1, 2))}**"
        return f"[{label}]({draw(st.sampled_from(URLS))}{title})"
    if kind == "image":
        return f"![{inner}]({draw(st.sampled_from(URLS[:5]))})"
    if kind == "autolink":
        return draw(st.sampled_from(("<https://example.com/a_b>", "<care@example.com>")))
    if kind == "html":
        open_tag, close_tag = draw(st.sampled_from(HTML_INLINE))
        return f"{open_tag}{inner}{close_tag}"
    if kind == "entity":
        return draw(st.sampled_from(("&amp;", "&copy;", "&#8212;", "&nbsp;")))
    if kind == "escape":
        return draw(st.sampled_from(("\\*", "\\_", "\\[", "\\#", "\\<")))
    if kind == "value":
        return draw(st.sampled_from(VALUES))
    if kind == "pipe":
        return f"{draw(_words)} \\| {draw(_words)}"
    if kind == "codepipe":
        return "`a \\| b`"
    label = draw(st.sampled_from(LABELS))
    refs.append(label)
    if kind == "full":
        return f"[{inner}][{label}]"
    if kind == "collapsed":
        return f"[{label}][]"
    return f"[{label}]"


@st.composite
def inline_text(draw: st.DrawFn, refs: list[str], *, multiline: bool = True) -> str:
    """Inline content; starts with a word so that no line opens a block by accident."""
    parts = [draw(_words)]
    for item in draw(st.lists(atom(refs), min_size=0, max_size=10)):
        sep = " "
        if multiline:
            sep = draw(st.sampled_from([" "] * 6 + ["\n", "\n", "  \n", "\\\n"]))
        if sep != " " and not item[0].isalnum():
            sep = " "  # keep every line starting with a word
        if sep == "\\\n" and parts[-1].endswith("\\"):
            sep = " "
        parts.append(sep)
        parts.append(item)
    return "".join(parts)


def _prefix(lines: list[str], first: str, rest: str) -> list[str]:
    out = []
    for index, line in enumerate(lines):
        prefix = first if index == 0 else rest
        out.append((prefix + line) if line else prefix.rstrip())
    return out


@st.composite
def paragraph(draw: st.DrawFn, refs: list[str]) -> list[str]:
    return draw(inline_text(refs)).split("\n")


@st.composite
def atx_heading(draw: st.DrawFn, refs: list[str]) -> list[str]:
    level = draw(st.integers(1, 6))
    text = draw(inline_text(refs, multiline=False))
    closing = ""
    if draw(st.booleans()):  # closing sequence, any length, maybe trailing spaces
        closing = " " + "#" * draw(st.integers(1, 8)) + draw(st.sampled_from(["", "  "]))
    return ["#" * level + " " + text + closing]


@st.composite
def setext_heading(draw: st.DrawFn, refs: list[str]) -> list[str]:
    lines = draw(inline_text(refs)).split("\n")
    lines = [line for line in lines if line.strip()]
    lines = [line.rstrip("\\").rstrip() or "word" for line in lines]  # no hard break at the end
    underline = draw(st.sampled_from(["=", "-"])) * draw(st.integers(1, 5))
    return [*lines, underline]


@st.composite
def fenced_code(draw: st.DrawFn) -> list[str]:
    fence = draw(st.sampled_from(["```", "~~~", "````"]))
    info = draw(st.sampled_from(["", "python", "md"]))
    body = draw(st.lists(st.sampled_from((*CODE, "- not a list", "# not a heading")), max_size=3))
    return [fence + info, *body, fence]


@st.composite
def indented_code(draw: st.DrawFn) -> list[str]:
    body = draw(st.lists(st.sampled_from((*CODE, "Japan offers care")), min_size=1, max_size=3))
    return ["    " + line for line in body]


@st.composite
def html_block(draw: st.DrawFn) -> list[str]:
    text = draw(phrase())
    return draw(st.sampled_from([
        ["<div class=\"note\">", text, "</div>"],
        ["<!-- " + text + " -->"],
        ["<details>", "<summary>" + text + "</summary>", "</details>"],
    ]))


@st.composite
def thematic_break(draw: st.DrawFn) -> list[str]:
    return [draw(st.sampled_from(["---", "***", "* * *", "___", "- - -"]))]


@st.composite
def table(draw: st.DrawFn, refs: list[str]) -> list[str]:
    columns = draw(st.integers(1, 4))
    rows = draw(st.integers(0, 3))
    cell = st.one_of(
        inline_text(refs, multiline=False),
        st.sampled_from(["—", "5–7", "$6,500 – $13,000", "", "`code`", "x \\| y"]),
    )
    align = st.sampled_from(["---", ":---", "---:", ":---:", "-"])
    outer = draw(st.booleans())

    def row(cells: list[str]) -> str:
        inner = " | ".join(cells)
        return f"| {inner} |" if outer or not cells[0] else inner

    header = [draw(inline_text(refs, multiline=False)) for _ in range(columns)]
    lines = [row(header), row([draw(align) for _ in range(columns)])]
    for _ in range(rows):
        lines.append(row([draw(cell) for _ in range(columns)]))
    return lines


Block = tuple[str, list[str]]
"""A block: its kind (``paragraph``, ``list`` ...) and its source lines without container prefix."""


@st.composite
def list_block(draw: st.DrawFn, refs: list[str], depth: int) -> Block:
    ordered = draw(st.booleans())
    start = draw(st.sampled_from([0, 1, 1, 2, 7, 9, 10, 99, 123456789]))
    delim = draw(st.sampled_from([".", ")"]))
    bullet = draw(st.sampled_from("-+*"))
    loose = draw(st.booleans())
    lines: list[str] = []
    for index in range(draw(st.integers(1, 3))):
        marker = f"{start + index}{delim}" if ordered else bullet
        body = _join(draw(blocks(refs, depth + 1, in_list=True)), "")
        item = _prefix(body, marker + " ", " " * (len(marker) + 1))
        if index and loose:
            lines.append("")
        lines.extend(item)
    return "list", lines


@st.composite
def blockquote(draw: st.DrawFn, refs: list[str], depth: int) -> Block:
    children = draw(blocks(refs, depth + 1))
    lines = _prefix(_join(children, ""), "> ", "> ")
    kind, last = children[-1]
    if kind == "paragraph" and len(last) > 1 and draw(st.booleans()):
        lines[-1] = last[-1]  # lazy continuation line: the paragraph's last line without "> "
    return "blockquote", lines


def _join(children: list[Block], separator: str) -> list[str]:
    lines: list[str] = []
    for number, (_, child) in enumerate(children):
        if number:
            lines.append(separator)
        lines.extend(child)
    return lines


def _tag(kind: str, strategy: st.SearchStrategy[list[str]]) -> st.SearchStrategy[Block]:
    return strategy.map(lambda lines: (kind, lines))


@st.composite
def block(draw: st.DrawFn, refs: list[str], depth: int, in_list: bool) -> Block:
    options = [
        _tag("paragraph", paragraph(refs)),
        _tag("paragraph", paragraph(refs)),
        _tag("heading", atx_heading(refs)),
        _tag("code", fenced_code()),
        _tag("table", table(refs)),
    ]
    if not in_list:
        options += [
            _tag("heading", setext_heading(refs)),
            _tag("html", html_block()),
            _tag("break", thematic_break()),
            _tag("code", indented_code()),
        ]
    if depth < 3:
        options += [list_block(refs, depth), blockquote(refs, depth)]
    return draw(st.one_of(options))


@st.composite
def blocks(
    draw: st.DrawFn, refs: list[str], depth: int = 0, in_list: bool = False
) -> list[Block]:
    """One to four blocks; a list item starts with a paragraph."""
    first: list[Block] = [("paragraph", draw(paragraph(refs)))] if in_list else []
    rest = draw(st.lists(block(refs, depth, in_list), min_size=0 if first else 1, max_size=3))
    return first + rest


def _yaml_value(draw: st.DrawFn, text: str) -> str:
    style = draw(st.sampled_from(["plain", "single", "double"]))
    if style == "plain" and ": " not in text and " #" not in text and text[:1].isalnum():
        return text
    if style == "single":
        return "'" + text.replace("'", "''") + "'"
    return json.dumps(text, ensure_ascii=False)


@st.composite
def front_matter(draw: st.DrawFn) -> list[str]:
    title = draw(phrase(2, 6))
    if draw(st.booleans()):
        title += draw(st.sampled_from([": a guide", " #1 choice", " — costs", "'s plan"]))
    lines = ["---", "title: " + _yaml_value(draw, title)]
    if draw(st.booleans()):
        lines.append("description: " + _yaml_value(draw, draw(phrase(3, 8))))
    lines += ["author: Placidway Medical Tourism", "date: 2026-01-12", "tags:", "  - stem cells",
              "---"]
    return lines


@st.composite
def documents(draw: st.DrawFn) -> str:
    """A whole Markdown article (LF line endings, final newline)."""
    refs: list[str] = []
    lines: list[str] = [*draw(front_matter()), ""] if draw(st.booleans()) else []
    lines.extend(_join(draw(blocks(refs)), ""))
    definitions = sorted(set(refs))
    if definitions:
        lines.append("")
        for label in definitions:
            url = draw(st.sampled_from(URLS[:5]))
            title = f" {draw(st.sampled_from(TITLES))}" if draw(st.booleans()) else ""
            lines.append(f"[{label}]: {url}{title}")
    return "\n".join(lines) + "\n"
