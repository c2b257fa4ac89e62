"""What markdown-it-py makes of one inline text: the summary every rule compares.

msgid and msgstr are both parsed inline with the same link reference definitions, so a rule
reports what a reader of the built page would actually see.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from localise import placeholders
from localise.inline import MARKUP_CHARACTERS, plain_parser

OBJ = "\ufffc"
"""Stands for an opaque inline object (code, HTML, autolink, placeholder, URL) in visible text."""


@dataclass(slots=True)
class Parsed:
    """What markdown-it-py made of one inline text."""

    em: int = 0
    strong: int = 0
    strike: int = 0
    code: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    autolinks: list[str] = field(default_factory=list)
    images: list[str] = field(default_factory=list)
    html: list[str] = field(default_factory=list)
    hardbreaks: int = 0
    text: str = ""
    """Visible text: markup transparent, opaque objects as U+FFFC, URLs/placeholders removed."""


_OPAQUE_RE = re.compile(placeholders.NAMED + r"|⟦\s*\d+\s*⟧")
_URL_RE = re.compile(r"(?:https?://|www\.)[^\s<>()\[\]（）「」、。]+", re.IGNORECASE)
_TAG_RE = re.compile(r"<\s*(/?)\s*([A-Za-z][A-Za-z0-9-]*)")
_MARKUP_RE = re.compile(f"[{re.escape(MARKUP_CHARACTERS)}\r\0]")
"""A character some CommonMark inline rule starts on, or one markdown-it normalises: a text
without any is one plain text token, so :func:`parse_inline` need not run the parser on it
(most sentences of prose)."""


def _tag(html: str) -> str:
    match = _TAG_RE.match(html)
    if match:
        return f"<{match.group(1)}{match.group(2).lower()}>"
    return "<!-- -->" if html.startswith("<!--") else html




def parse_inline(text: str, link_definitions: Mapping[str, Any] | None) -> Parsed:
    """Parse ``text`` inline (with the article's link reference definitions) and summarise it."""
    if _MARKUP_RE.search(text) is None:  # plain prose: what the parser would make of it
        return Parsed(text=_URL_RE.sub(OBJ, _OPAQUE_RE.sub(OBJ, text)))
    return parse_with_markdown_it(text, link_definitions)


def parse_with_markdown_it(text: str, link_definitions: Mapping[str, Any] | None) -> Parsed:
    """:func:`parse_inline` without its shortcut for plain prose: markdown-it parses ``text``."""
    env: dict[str, Any] = {"references": dict(link_definitions)} if link_definitions else {}
    blocks = plain_parser().parseInline(text, env)
    out = Parsed()
    visible: list[str] = []
    in_autolink = False

    def walk(tokens: Iterable[Any]) -> None:
        nonlocal in_autolink
        for token in tokens:
            kind = token.type
            if kind in ("text", "text_special"):
                visible.append(OBJ if in_autolink else token.content)
            elif kind == "em_open":
                out.em += 1
            elif kind == "strong_open":
                out.strong += 1
            elif kind == "s_open":
                out.strike += 1
            elif kind == "code_inline":
                out.code.append(token.content)
                visible.append(OBJ)
            elif kind == "link_open":
                href = str(token.attrGet("href") or "")
                if token.markup == "autolink":
                    out.autolinks.append(href)
                    in_autolink = True
                else:
                    out.links.append(href)
            elif kind == "link_close":
                in_autolink = False
            elif kind == "image":
                out.images.append(str(token.attrGet("src") or ""))
                walk(token.children or ())
            elif kind == "html_inline":
                out.html.append(_tag(token.content))
                visible.append(OBJ)
            elif kind == "hardbreak":
                out.hardbreaks += 1
                visible.append("\n")
            elif kind == "softbreak":
                visible.append(" ")

    for block in blocks:
        walk(block.children or ())
    joined = _OPAQUE_RE.sub(OBJ, "".join(visible))
    out.text = _URL_RE.sub(OBJ, joined)
    return out
