"""The laws' tools for dialect fixtures: each dialect's renderer, the tag skeleton, the
letter-changing translation of every kind of unit, and the text a reader sees."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache
from html.parser import HTMLParser
from typing import Any

from localise import inline
from localise.model import Document
from test_laws import fake_translate, japanese_word, spanish_word

# -- renderers ----------------------------------------------------------------------------

_FRONT_MATTER = re.compile(r"\A---\n.*?\n---\n", re.S)


@cache
def _python_markdown() -> Any:
    import markdown

    return markdown.Markdown(
        extensions=[
            "admonition", "pymdownx.details", "pymdownx.superfences", "pymdownx.tabbed",
            "attr_list", "abbr", "footnotes", "def_list", "md_in_html", "pymdownx.arithmatex",
            "pymdownx.tasklist", "tables",
        ],
        extension_configs={
            "pymdownx.tabbed": {"alternate_style": True},
            "pymdownx.arithmatex": {"generic": True},
            "pymdownx.tasklist": {"custom_checkbox": True},
        },
    )


def render(text: str, dialect: str) -> str:
    """HTML of a page as the dialect's renderer makes it (MkDocs strips front matter first)."""
    if dialect == "mkdocs":
        md = _python_markdown()
        md.reset()
        return str(md.convert(_FRONT_MATTER.sub("", text, count=1)))
    return str(inline.parser(dialect).render(text))


class Skeleton(HTMLParser):
    """Start and end tags with their attributes; translated attributes (``alt``, ``title``)
    left out, and ``<abbr>``, which Python-Markdown wraps around every occurrence of an
    abbreviation in the text (a translated text has other words)."""

    def __init__(self, translated: set[str]) -> None:
        super().__init__(convert_charrefs=True)
        self.translated = translated
        self.tags: list[tuple[Any, ...]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag != "abbr":
            kept = tuple(sorted((k, v) for k, v in attrs if k not in self.translated))
            self.tags.append(("<", tag, kept))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag != "abbr":
            self.tags.append(("/", tag))


def skeleton(text: str, dialect: str) -> list[tuple[Any, ...]]:
    parser = Skeleton({"alt"} if dialect == "commonmark" else {"alt", "title"})
    parser.feed(render(text, dialect))
    parser.close()
    return parser.tags


# -- the letter-changing translation -------------------------------------------------------

NAME = re.compile(r"\{\{|\}\}|\{[A-Za-z_][A-Za-z0-9_]*\}")


def fake_plain(msgid: str, lang: str) -> str:
    """Every letter run outside ``{placeholders}`` rewritten (front matter, HTML text…)."""
    word = japanese_word if lang == "ja" else spanish_word
    out, pos = [], 0
    for match in NAME.finditer(msgid):
        out.append(re.sub(r"[^\W\d_]+", lambda m: word(m.group()), msgid[pos : match.start()]))
        out.append(match.group())
        pos = match.end()
    out.append(re.sub(r"[^\W\d_]+", lambda m: word(m.group()), msgid[pos:]))
    return "".join(out)


def translations(document: Document, lang: str) -> dict[str, str]:
    env = {"references": dict(document.link_definitions)}
    table: dict[str, str] = {}
    for unit in document.units:
        if unit.msgid in table:
            continue
        if unit.escape in ("html", "attribute"):
            table[unit.msgid] = fake_plain(unit.msgid, lang)
        else:
            every = 10**9 if unit.single_line or unit.kind == "front-matter" else 3
            table[unit.msgid] = fake_translate(unit.msgid, env, lang, every=every).text
    return table


class Visible(HTMLParser):
    """Text a reader sees, with ``alt`` and ``title`` values; code, scripts and the titles a
    renderer makes up (``!!! example`` shows "Example") aside."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.stack: list[bool] = []
        self.code = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        hidden = tag in ("code", "pre", "script", "style", "summary") or (
            "admonition-title" in (dict(attrs).get("class") or "")
        )
        if tag not in ("br", "img", "input", "hr"):
            self.stack.append(hidden)
            self.code += hidden
        self.parts.extend(v or "" for k, v in attrs if k in ("alt", "title"))

    def handle_endtag(self, tag: str) -> None:
        if self.stack:
            self.code -= self.stack.pop()

    def handle_data(self, data: str) -> None:
        if not self.code:
            self.parts.append(data)


def visible(text: str, dialect: str, *, syntax: Iterable[str] = ()) -> str:
    """The words a reader of the rendered page sees (paths and URLs aside); ``syntax`` texts
    are removed first (unexpanded template syntax is not what readers see)."""
    for item in syntax:
        text = text.replace(item, " ")
    parser = Visible()
    parser.feed(render(text, dialect))
    parser.close()
    words = " ".join(parser.parts).split()
    return " ".join(w for w in words if "/" not in w)  # paths and URLs are not prose




__all__ = [
    "NAME", "Skeleton", "Visible", "fake_plain", "fake_translate", "japanese_word", "render",
    "skeleton", "spanish_word", "translations", "visible",
]
