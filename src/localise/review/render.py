"""Render a :class:`~localise.review.view.ReviewSite` to the files of a static review site.

:func:`render_site` returns ``{relative POSIX path: bytes}``; the caller writes them. Pages link
to each other and to ``static/`` with relative URLs only, load nothing from the network (no CDN,
no web fonts, images in articles are shown as their alt text and address, not fetched), and
work without JavaScript (``static/sort.js`` only adds table sorting). The same view model gives
the same bytes: nothing here reads a clock, the environment or the project.

Markdown is rendered with markdown-it-py (``commonmark`` + tables + strikethrough), the way the
article's readers will see it, with three safety rules: raw HTML is shown as code unless it is
one of a few attribute-less formatting tags (``<br>``, ``<sup>``, …), HTML comments are dropped,
and images are not loaded. So no text in a catalogue can break out of its cell or run script.
"""

from __future__ import annotations

import difflib
import functools
import posixpath
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any
from urllib.parse import quote

from jinja2 import Environment, PackageLoader, StrictUndefined
from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.renderer import RendererHTML
from markdown_it.token import Token
from markupsafe import Markup, escape

from localise.review.view import (
    SEVERITIES,
    STATES,
    ArticleView,
    Counts,
    FallbackView,
    LanguageView,
    ReviewSite,
    State,
    UnitView,
)

__all__ = ["render_site"]

STATIC_FILES = ("review.css", "sort.js")
"""Files of ``static/`` copied into every site."""

STATE_LABELS: Mapping[State, str] = {
    "reviewed": "Reviewed",
    "machine-draft": "Machine draft",
    "fuzzy": "Fuzzy",
    "withheld": "Withheld",
    "untranslated": "Untranslated",
}
STATE_ICONS: Mapping[State, str] = {
    "reviewed": "\u2713",  # ✓ check mark
    "machine-draft": "\u2699",  # ⚙ gear
    "fuzzy": "\u270e",  # ✎ pencil
    "withheld": "\u2298",  # ⊘ circled slash
    "untranslated": "\u25cb",  # ○ white circle
}
STATE_HELP: Mapping[State, str] = {
    "reviewed": "a translator cleared it; it is published",
    "machine-draft": "not reviewed yet; readers get the English until it is",
    "fuzzy": "the English changed since it was translated; check the translation",
    "withheld": "a check failed; readers get the English",
    "untranslated": "no translation; readers get the English",
}
REASON_LABELS: Mapping[str, str] = {
    "untranslated": "untranslated",
    "fuzzy": "fuzzy: English changed, not re-checked",
    "machine-draft": "machine draft, not reviewed",
    "withheld": "withheld by a check",
}
SHORT_REASONS: Mapping[str, str] = {
    "untranslated": "untranslated",
    "fuzzy": "fuzzy",
    "machine-draft": "machine draft",
    "withheld": "withheld",
}


# --- paths -----------------------------------------------------------------------------------


def article_page(lang: str, slug: str) -> str:
    """Site path of an article's review page."""
    return f"{lang}/{slug}.html"


def changes_page(lang: str, slug: str) -> str:
    """Site path of an article's "what changed" page."""
    return f"{lang}/{slug}.changes.html"


def published_page(lang: str, slug: str) -> str:
    """Site path of an article's published-page view."""
    return f"{lang}/{slug}.published.html"


def relative(page: str, target: str, fragment: str = "") -> str:
    """URL of site path ``target`` (and ``#fragment``) from the page at site path ``page``,
    percent-encoded, so a slug with spaces, ``#`` or non-ASCII letters still links."""
    if target == page:
        url = "" if fragment else posixpath.basename(page)
    else:
        url = posixpath.relpath(target, posixpath.dirname(page) or ".")
    return quote(url) + (f"#{quote(fragment)}" if fragment else "")


# --- Markdown ----------------------------------------------------------------------------------

_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
_PH_TOKEN = re.compile("\ue000([\ue100-\uefff])\ue001")
"""A placeholder while Markdown is parsed: private-use characters mean nothing to CommonMark."""
_SAFE_TAG = re.compile(
    r"</?(?:br|wbr|sup|sub|kbd|abbr|b|i|em|strong|u|s|small|mark|code|span)\s*/?>\Z", re.I
)
_COMMENT = re.compile(r"\s*<!--.*?-->\s*\Z", re.S)
# Fallback marks in the published page: an opening mark is a private-use character that numbers
# the fallback followed by U+2E20; a closing mark is U+2E21. Both quill brackets are Unicode
# punctuation, like the Markdown delimiters next to them, so emphasis parses as without them.
_MARK_BASE = 0xF0000
_MARK_OPEN = "\u2e20"
_MARK_CLOSE = "\u2e21"
_MARK = re.compile(f"([\U000f0000-\U000ffffd]){_MARK_OPEN}|{_MARK_CLOSE}")
_MARK_CHARS = re.compile(f"[\U000f0000-\U000ffffd{_MARK_OPEN}{_MARK_CLOSE}]")


class _Renderer(RendererHTML):
    """CommonMark HTML with placeholders shown as their values and nothing that runs or loads."""

    def text(self, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
        return _placeholders_html(escapeHtml(tokens[idx].content), env)

    def code_inline(self, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
        token = tokens[idx]
        code = _placeholders_html(escapeHtml(token.content), env)
        return f"<code{self.renderAttrs(token)}>{code}</code>"

    def th_open(self, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
        tokens[idx].attrSet("scope", "col")
        return self.renderToken(tokens, idx, options, env)

    def html_inline(self, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
        content = tokens[idx].content
        if env.get("raw_tags", True) and _SAFE_TAG.match(content):
            return content.lower().replace(" ", "")
        if _COMMENT.match(content):
            return ""
        return f'<code class="raw-html">{escapeHtml(content)}</code>'

    def html_block(self, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
        content = tokens[idx].content
        if _COMMENT.match(content):
            return ""
        return f'<pre class="raw-html"><code>{escapeHtml(content)}</code></pre>\n'

    def image(self, tokens: Sequence[Token], idx: int, options: Any, env: Any) -> str:
        token = tokens[idx]
        alt = _placeholders_text(self.renderInlineAsText(token.children, options, env), env)
        src = str(token.attrGet("src") or "")
        label = escapeHtml(_MARK_CHARS.sub("", alt))
        return (
            f'<span class="md-image" role="img" aria-label="Image: {label}">'
            f'<span aria-hidden="true">\U0001f5bc\ufe0e</span> {escapeHtml(alt) or "(no alt text)"}'
            f' <code class="md-image-src">{escapeHtml(src)}</code></span>'
        )


def _placeholders_html(html: str, env: Any) -> str:
    values: Sequence[tuple[str, str]] = env.get("values", ())

    def value(match: re.Match[str]) -> str:
        name, formatted = values[ord(match[1]) - 0xE100]
        return f'<span class="ph" title="{{{escapeHtml(name)}}}">{escapeHtml(formatted)}</span>'

    return _PH_TOKEN.sub(value, html)


def _placeholders_text(text: str, env: Any) -> str:
    values: Sequence[tuple[str, str]] = env.get("values", ())
    return _PH_TOKEN.sub(lambda m: values[ord(m[1]) - 0xE100][1], text)


def _markdown() -> MarkdownIt:
    return MarkdownIt("commonmark", renderer_cls=_Renderer).enable(["table", "strikethrough"])


_MD = _markdown()


def _protect(text: str, values: Mapping[str, str]) -> tuple[str, list[tuple[str, str]]]:
    """Replace each known ``{name}`` by a private-use token; return the text and the values."""
    table: list[tuple[str, str]] = []
    slots: dict[str, int] = {}

    def token(match: re.Match[str]) -> str:
        name = match[1]
        if name not in values:
            return match[0]
        if name not in slots:
            slots[name] = len(table)
            table.append((name, values[name]))
        return f"\ue000{chr(0xE100 + slots[name])}\ue001"

    return _PLACEHOLDER.sub(token, text.replace("\ue000", "").replace("\ue001", "")), table


@functools.lru_cache(maxsize=64)
def _references(definitions: str) -> Mapping[str, Any]:
    env: dict[str, Any] = {}
    _MD.parse(definitions, env)
    return env.get("references", {})


def render_unit_text(
    text: str, values: Mapping[str, str], markup: str, definitions: str = ""
) -> Markup:
    """HTML of a unit's text as readers see it, ``{name}`` placeholders shown as ``values``,
    reference links resolved with the Markdown link reference ``definitions``."""
    protected, table = _protect(text, values)
    if markup == "plain":
        return Markup(_placeholders_html(escapeHtml(protected), {"values": table}))
    render = _MD.render if markup == "block" else _MD.renderInline
    for raw_tags in (True, False):
        env = {"values": table, "references": dict(_references(definitions)), "raw_tags": raw_tags}
        html = render(protected, env)
        if _balanced(html):
            break  # else a raw <b> without its </b>, or tags crossing Markdown emphasis
    return Markup(html)


def _render_document(markdown: str, *, top_level: int) -> str:
    """HTML of a whole Markdown page, headings moved so that its highest one is ``top_level``."""
    for raw_tags in (True, False):
        env: dict[str, Any] = {"values": (), "raw_tags": raw_tags}
        tokens = _MD.parse(markdown, env)
        levels = [int(t.tag[1]) for t in tokens if t.type == "heading_open"]
        shift = top_level - min(levels, default=top_level)
        for token in tokens:
            if token.type in ("heading_open", "heading_close"):
                token.tag = f"h{min(6, int(token.tag[1]) + shift)}"
        html = _MD.renderer.render(tokens, _MD.options, env)
        if _balanced(html):
            break
    return html


_FRONT_MATTER = re.compile(r"(---[ \t]*\n.*?\n(?:---|\.\.\.)[ \t]*(?:\n|\Z))", re.S)


@dataclass(frozen=True, slots=True)
class PublishedHtml:
    """The published page as HTML, and which fallbacks could be marked in it."""

    front_matter: Markup | None
    """The front matter as an escaped ``<pre>`` body (with marks), or ``None``."""
    body: Markup
    """The Markdown body as HTML, fallbacks wrapped in ``<mark>``."""
    located: frozenset[int]
    """Positions (in :attr:`PublishedView.fallbacks`) of the fallbacks marked in the page."""


def render_published(
    markdown: str, fallbacks: Sequence[FallbackView], mark: Callable[[int], str]
) -> PublishedHtml:
    """Render a built page, wrapping the text of each fallback in ``mark(position)`` … ``</mark>``.

    The spans are bracketed with marker characters before parsing and the markers replaced in
    the HTML. A span whose markers do not come back around text of one element (it crossed a
    block, or sat in a link target) is not marked; the page still lists it, as not located.
    """
    text = _MARK_CHARS.sub("", markdown)
    if len(text) != len(markdown):
        text = markdown  # cannot happen in real text; keep offsets right and mark nothing
        fallbacks = ()
    pieces: list[str] = []
    cursor = 0
    for position, fallback in enumerate(fallbacks):
        pieces += [
            text[cursor : fallback.start],
            chr(_MARK_BASE + position) + _MARK_OPEN,
            text[fallback.start : fallback.end],
            _MARK_CLOSE,
        ]
        cursor = fallback.end
    pieces.append(text[cursor:])
    marked = "".join(pieces)

    front: str | None = None
    body = marked
    match = _FRONT_MATTER.match(marked)
    if match:
        front = escapeHtml(match[1])
        body = marked[match.end() :]
    html_body = _render_document(body, top_level=3)
    located: set[int] = set()
    if front is not None:
        front = _place_marks(front, mark, located)
    html_body = _place_marks(html_body, mark, located)
    return PublishedHtml(
        Markup(front) if front is not None else None, Markup(html_body), frozenset(located)
    )


_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9]*)\b[^>]*?(/?)>")
_VOID = frozenset({"br", "hr", "img", "wbr", "input", "meta", "link", "col", "area", "source"})


def _balanced(html: str) -> bool:
    """Whether every tag opened in ``html`` is closed in it and nothing else is closed."""
    stack: list[str] = []
    for tag in _TAG.finditer(html):
        closing, name, self_closing = tag[1], tag[2].lower(), tag[3]
        if name in _VOID or self_closing:
            continue
        if not closing:
            stack.append(name)
        elif not stack or stack.pop() != name:
            return False
    return not stack


def _in_tag(html: str, position: int) -> bool:
    """Whether ``position`` is inside a tag (in an attribute value): text ``<`` is escaped."""
    return html.rfind("<", 0, position) > html.rfind(">", 0, position)


def _place_marks(html: str, mark: Callable[[int], str], located: set[int]) -> str:
    """Replace each marker pair by ``mark(position)`` … ``</mark>`` where that gives valid
    nesting (the pair brackets text inside one element); drop every other marker."""
    found = list(_MARK.finditer(html))
    out: list[str] = []
    cursor = 0
    i = 0
    while i < len(found):
        opening = found[i]
        closing = found[i + 1] if i + 1 < len(found) else None
        out.append(html[cursor : opening.start()])
        if (
            opening[1]
            and closing is not None
            and not closing[1]
            and not _in_tag(html, opening.start())
            and not _in_tag(html, closing.start())
            and _balanced(html[opening.end() : closing.start()])
        ):
            position = ord(opening[1]) - _MARK_BASE
            located.add(position)
            out += [mark(position), html[opening.end() : closing.start()], "</mark>"]
            cursor = closing.end()
            i += 2
        else:
            cursor = opening.end()
            i += 1
    out.append(html[cursor:])
    return _MARK_CHARS.sub("", "".join(out))


# --- diffs -------------------------------------------------------------------------------------

_WORD = re.compile(
    r"\s+|[^\W\u3000-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]+|.", re.S
)
"""Diff tokens: whitespace runs, words, and single characters (punctuation, each CJK character,
as Japanese and Chinese do not separate words with spaces)."""


def word_diff(old: str, new: str) -> Markup:
    """``new`` as HTML with the words removed from ``old`` in ``<del>`` and added in ``<ins>``."""
    a, b = _WORD.findall(old), _WORD.findall(new)
    segments: list[list[str]] = []  # [kind, old text, new text]
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        segments.append([tag, "".join(a[i1:i2]), "".join(b[j1:j2])])
    # A lone space kept between two changes reads better as part of both changes.
    merged: list[list[str]] = []
    for position, segment in enumerate(segments):
        between = 0 < position < len(segments) - 1 and merged and merged[-1][0] != "equal"
        if segment[0] == "equal" and segment[1].isspace() and between:
            merged[-1][1] += segment[1]
            merged[-1][2] += segment[2]
            continue
        if merged and merged[-1][0] != "equal" and segment[0] != "equal":
            merged[-1][0] = "replace"
            merged[-1][1] += segment[1]
            merged[-1][2] += segment[2]
            continue
        merged.append(list(segment))
    out: list[str] = []
    for tag, removed, added in merged:
        if tag == "equal":
            out.append(str(escape(removed)))
            continue
        if removed:
            out.append(f"<del>{escape(removed)}</del>")
        if added:
            out.append(f"<ins>{escape(added)}</ins>")
    return Markup("".join(out))


# --- numbers -----------------------------------------------------------------------------------


def percent(part: int, whole: int) -> int:
    """Whole percent, rounded down (99.6 % is not 100 %); an empty whole is 100 % done."""
    return 100 if whole == 0 else part * 100 // whole


def bar_segments(counts: Counts, measure: str) -> list[dict[str, Any]]:
    """The stacked bar of ``counts`` for ``measure`` (``units`` or ``words``), state by state."""
    total = getattr(counts.total, measure)
    segments = []
    for state in STATES:
        number = getattr(counts.of(state), measure)
        width = 0.0 if total == 0 else number * 100 / total
        segments.append(
            {
                "state": state,
                "label": STATE_LABELS[state],
                "number": number,
                "width": f"{width:.3f}".rstrip("0").rstrip(".") + "%",
            }
        )
    return segments


# --- the site ---------------------------------------------------------------------------------


@functools.cache
def _environment() -> Environment:
    """The Jinja2 environment, built once: templates compile on first use."""
    env = Environment(
        loader=PackageLoader("localise.review", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.globals.update(
        STATES=STATES,
        SEVERITIES=SEVERITIES,
        STATE_LABELS=STATE_LABELS,
        STATE_ICONS=STATE_ICONS,
        STATE_HELP=STATE_HELP,
        REASON_LABELS=REASON_LABELS,
        percent=percent,
        bar_segments=bar_segments,
        word_diff=word_diff,
        render_unit_text=render_unit_text,
        article_page=article_page,
        changes_page=changes_page,
        published_page=published_page,
        present_severities=present_severities,
        placeholders=placeholders,
    )
    env.filters["kind_label"] = kind_label
    env.filters["path_breaks"] = path_breaks
    return env


def _static(name: str) -> bytes:
    return (resources.files("localise.review") / "static" / name).read_bytes()


def render_site(site: ReviewSite) -> dict[str, bytes]:
    """Every file of the review site for ``site``: relative POSIX path → bytes, sorted by path.

    ``index.html``; per language and article ``<lang>/<slug>.html`` (units for review),
    ``<lang>/<slug>.changes.html`` (units whose published text changed) and
    ``<lang>/<slug>.published.html`` (the built page, English fallbacks marked); ``static/``.
    Raises ``ValueError`` if two articles would write the same page.
    """
    env = _environment()
    files: dict[str, str | bytes] = {}

    def emit(path: str, template: str, **context: Any) -> None:
        if path in files:
            raise ValueError(f"two pages of the review site would be written to {path}")

        def link(target: str, fragment: str = "") -> str:
            return relative(path, target, fragment)

        files[path] = env.get_template(template).render(site=site, page=path, link=link, **context)

    emit("index.html", "index.html.j2")
    for language in site.languages:
        for article in language.articles:
            context = _article_context(site, language, article)
            emit(article_page(language.lang, article.slug), "article.html.j2", **context)
            emit(changes_page(language.lang, article.slug), "changes.html.j2", **context)
            emit(published_page(language.lang, article.slug), "published.html.j2", **context)
    for name in STATIC_FILES:
        files[f"static/{name}"] = _static(name)
    return {
        path: content if isinstance(content, bytes) else content.encode("utf-8")
        for path, content in sorted(files.items())
    }


def _article_context(
    site: ReviewSite, language: LanguageView, article: ArticleView
) -> dict[str, Any]:
    fallbacks = article.published.fallbacks if article.published else ()
    fallback_of: dict[int, FallbackView] = {f.unit: f for f in fallbacks}

    def mark(position: int) -> str:
        fallback = fallbacks[position]
        reason = SHORT_REASONS[fallback.reason]
        if fallback.reason == "withheld" and fallback.check:
            reason += f": {fallback.check}"
        return (
            f'<mark class="fallback" id="fallback-{fallback.unit}" lang="{site.source_language}"'
            f' dir="ltr"><span class="fallback-tag" lang="en">'
            f"{escapeHtml(site.source_language_name)} \u00b7 {escapeHtml(reason)}</span> "
        )

    published_html = (
        render_published(article.published.markdown, fallbacks, mark) if article.published else None
    )
    attention = {
        state: [u for u in article.units if u.state == state]
        for state in STATES
        if state != "reviewed"
    }
    return {
        "language": language,
        "article": article,
        "units": article.units,
        "fallback_of": fallback_of,
        "reason_text": _reason_text,
        "published_html": published_html,
        "attention": attention,
        "changed_units": [u for u in article.units if u.changed],
        "unit_of": {u.index: u for u in article.units},
    }


def _reason_text(fallback: FallbackView) -> str:
    if fallback.reason == "withheld":
        return f"withheld by check {fallback.check}" if fallback.check else "withheld by a check"
    return REASON_LABELS[fallback.reason]


def kind_label(kind: str) -> str:
    """``table-cell`` → ``Table cell``."""
    text = kind.replace("-", " ")
    return text[:1].upper() + text[1:]


def path_breaks(path: str) -> Markup:
    """``path`` escaped, with a line-break opportunity after each ``/`` (for narrow screens)."""
    return Markup("/<wbr>").join(escape(part) for part in path.split("/"))


def present_severities(found: Mapping[str, int]) -> list[tuple[str, int]]:
    """``(severity, number)`` for each severity with findings, worst first."""
    return [(severity, found[severity]) for severity in SEVERITIES if found.get(severity)]


def placeholders(unit: UnitView) -> list[tuple[str, str | None, str | None]]:
    """``(name, English form, formatted value)`` of every placeholder of ``unit``, sorted."""
    names = sorted(set(unit.values) | set(unit.source_values))
    return [(n, unit.source_values.get(n), unit.values.get(n)) for n in names]
