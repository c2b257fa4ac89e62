"""Files an article links to by relative path (images, PDFs), so built pages can reach them.

:func:`referenced` finds, in a source article, the relative link and image destinations that
name an existing non-Markdown file of the project (markdown-it-py's ``image``/``link`` tokens,
link reference definitions and ``src``/``href`` attributes of raw HTML). The build then copies
each file to the same relative place beside the built page, or rewrites the page's links to
point at the source file (:func:`rewrite`).
"""

from __future__ import annotations

import functools
import os
import posixpath
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.front_matter import front_matter_plugin

_CANDIDATE_RES = (
    re.compile(r"\]\(\s*<?([^)\s>]+)"),  # [text](dest …) and ![alt](dest …)
    re.compile(r"^[ \t]{0,3}\[[^\]\n]+\]:[ \t]*<?([^\s>]+)", re.MULTILINE),  # [label]: dest
    re.compile(  # <img src="dest">, <a href="dest">: each match starts at a "<"
        r"<[A-Za-z][^<>]*?\b(?i:src|href)[ \t]*=[ \t]*[\"']?([^\"'\s>]+)"
    ),
)
"""Where a destination may be written; a cheap first pass, confirmed by markdown-it-py."""
_SCHEME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_HTML_ATTR_RE = re.compile(r"\b(?:src|href)[ \t]*=[ \t]*[\"']?([^\"'\s>]+)", re.IGNORECASE)
_NOT_ASSETS = (".md", ".markdown", ".mdx")


@dataclass(frozen=True, slots=True)
class Asset:
    """A file a source article links to by a relative path."""

    link: str
    """The destination as written in the source, e.g. ``images/knee.jpg``."""
    relative: str
    """That destination decoded and normalised (no query or fragment), POSIX."""
    source: Path
    """The project-relative path of the file, e.g. ``source/guides/images/knee.jpg``."""


@functools.cache
def _parser() -> MarkdownIt:
    return MarkdownIt("commonmark").enable(["table", "strikethrough"]).use(front_matter_plugin)


def _relative(link: str) -> str | None:
    """The file path a destination names, if it is a relative path to a non-Markdown file."""
    if not link or link.startswith(("/", "#", "\\")) or _SCHEME_RE.match(link):
        return None
    path = unquote(link.split("#", 1)[0].split("?", 1)[0])
    if not path or path.endswith("/") or path.lower().endswith(_NOT_ASSETS):
        return None
    return posixpath.normpath(path)


def _destinations(text: str) -> set[str]:
    """Link and image destinations as markdown-it-py reads them (decoded), HTML included."""
    env: dict[str, object] = {}
    found: set[str] = set()

    def visit(tokens: list[Token]) -> None:
        for token in tokens:
            for name in ("src", "href"):
                value = token.attrGet(name)
                if isinstance(value, str):
                    found.add(unquote(value))
            if token.type in ("html_block", "html_inline"):
                found.update(unquote(v) for v in _HTML_ATTR_RE.findall(token.content))
            if token.children:
                visit(token.children)

    visit(_parser().parse(text, env))
    references = env.get("references", {})
    if isinstance(references, dict):
        found.update(unquote(str(ref.get("href", ""))) for ref in references.values())
    return found


def referenced(text: str, *, article: Path, root: Path) -> list[Asset]:
    """Existing project files the article at ``article`` (project-relative) links to by a
    relative path, in order of first mention; links leaving the project are ignored."""
    folder = posixpath.dirname(article.as_posix())
    candidates: dict[str, Asset] = {}
    found = sorted(
        (match.start(), match.group(1))
        for regex in _CANDIDATE_RES
        for match in regex.finditer(text)
    )
    for _, link in found:
        relative = _relative(link)
        if relative is None or link in candidates:
            continue
        joined = posixpath.normpath(posixpath.join(folder, relative))
        if joined.startswith("../") or joined == "..":
            continue
        if (root / joined).is_file():
            candidates[link] = Asset(link, relative, Path(joined))
    if not candidates:
        return []
    real = _destinations(text)  # only links markdown-it sees (not code spans or blocks)
    return [asset for link, asset in candidates.items() if unquote(link) in real or link in real]


def rewrite(text: str, links: dict[str, str]) -> list[tuple[int, int, str]]:
    """Edits (start, end, new link) that replace each destination ``link`` → ``links[link]``
    where the page uses it as a link, image or HTML ``src``/``href``, in text order."""
    if not links:
        return []
    alternatives = "|".join(re.escape(link) for link in sorted(links, key=len, reverse=True))
    pattern = re.compile(
        rf"(?:\]\(\s*<?|^[ \t]{{0,3}}\[[^\]\n]+\]:[ \t]*<?|\b(?i:src|href)[ \t]*=[ \t]*[\"']?)"
        rf"(?P<link>{alternatives})(?=[\s>)\"'#?]|$)",
        re.MULTILINE,
    )
    return [
        (m.start("link"), m.end("link"), links[m.group("link")]) for m in pattern.finditer(text)
    ]


def relative_link(target: Path, *, start: Path) -> str:
    """A relative URL path from folder ``start`` to file ``target`` (both absolute)."""
    return Path(os.path.relpath(target, start)).as_posix()
