"""Source document + translations → target Markdown, keeping every byte it does not translate."""

from __future__ import annotations

import html.entities
import json
import re
from collections.abc import Callable, Mapping

import yaml
from markdown_it.rules_block.html_block import HTML_SEQUENCES

from localise import inline, placeholders
from localise.dialects import pieces as syntax
from localise.langs import is_unspaced
from localise.model import Document, Fallback, Unit

# A continuation line that would open a new block: escaped, or (HTML) joined to the line before.
_ESCAPABLE_START_RE = re.compile(
    r"^[ \t]*(?:(?P<marker>[-+*])(?:[ \t]|$)|\d{1,9}(?P<marker2>[.)])(?:[ \t]|$)"
    r"|(?P<marker3>#){1,6}(?:[ \t]|$)|(?P<marker4>[>=|:])|(?P<marker5>`)`{2,}[^`]*$"
    r"|(?P<marker10>~)~~"
    r"|(?P<marker6>[-*_])[ \t]*(?:[-*_][ \t]*){2,}$|(?P<marker7>-)[-: \t]*\|[-:| \t]*$"
    r"|(?P<marker8>-)-+[ \t]*$)"
)
# The first line of a paragraph-like unit sits where any block may start: the same markers
# (``=``, ``|`` and ``:`` lines only matter below a first line) and ``+++`` front matter.
_FIRST_LINE_START_RE = re.compile(
    r"^(?:(?P<marker>[-+*])(?:[ \t]|$)|\d{1,9}(?P<marker2>[.)])(?:[ \t]|$)"
    r"|(?P<marker3>#){1,6}(?:[ \t]|$)|(?P<marker4>>)|(?P<marker5>`)`{2,}[^`]*$|(?P<marker9>~)~~"
    r"|(?P<marker6>[-*_])[ \t]*(?:[-*_][ \t]*)*$|(?P<marker7>\+)\+\+[ \t]*$)"
)  # a ``--`` or ``**`` line too: after a list marker (``- --``) it is a thematic break
_HTML_START_RE = re.compile(r"^[ \t]*<")
_LINK_DEFINITION_RE = re.compile(r"^\[(?:[^\]\\]|\\.)+\]:")
_FOOTNOTE_DEFINITION_RE = re.compile(r"^\[\^[^\]\s]+\]:")
_ASCII_WORD = re.compile(r"[A-Za-z0-9]")


def _join_unspaced(lines: list[str]) -> str:
    """Join lines without spaces, except between two Latin words and next to ``_`` delimiters
    (intraword ``_`` never opens or closes emphasis in CommonMark)."""
    out = lines[0]
    for line in lines[1:]:
        if (
            out
            and line
            and (
                (_ASCII_WORD.match(out[-1]) and _ASCII_WORD.match(line[0]))
                or out[-1] == "_"
                or line[0] == "_"
            )
        ):
            out += " "
        out += line
    return out


def _join_soft_breaks(lines: list[str]) -> list[str]:
    """Join lines at soft breaks (CommonMark renders them as spaces); keep breaks inside HTML."""
    text = "\n".join(lines)
    soft = {s.end - 1 for s in inline.scan(text) if s.kind == "softbreak"}
    out = [lines[0]]
    pos = len(lines[0])
    for line in lines[1:]:
        if pos in soft:
            out[-1] = _join_unspaced([out[-1], line])
        else:
            out.append(line)
        pos += 1 + len(line)
    return out


def _is_hard_break(line: str) -> bool:
    return line.endswith("  ") or (len(line) - len(line.rstrip("\\"))) % 2 == 1


def _escape_block_start(line: str, pattern: re.Pattern[str] = _ESCAPABLE_START_RE) -> str:
    """Backslash-escape a marker that would make a continuation line start a new block."""
    at = _marker_at(line, pattern)
    return line if at is None else line[:at] + "\\" + line[at:]


def _marker_at(line: str, pattern: re.Pattern[str] = _ESCAPABLE_START_RE) -> int | None:
    """Where the block marker ``pattern`` finds at the start of ``line`` is, if it finds one."""
    match = pattern.match(line)
    if not match:
        return None
    return next(match.start(g) for g in pattern.groupindex if match.start(g) >= 0)


def html_block_start(line: str, *, interrupting: bool) -> bool:
    """True when ``line`` starts an HTML block as markdown-it-py reads one (its own start
    conditions); ``interrupting``: only the kinds that may interrupt a paragraph (not 7)."""
    text = line.lstrip(" \t")
    return any(
        start.search(text) and (can_interrupt or not interrupting)
        for start, _, can_interrupt in HTML_SEQUENCES
    )


def _defines_reference(line: str) -> bool:
    """True when ``line``, alone at a block start, is a link reference definition."""
    env: dict[str, object] = {}
    inline.parser().parse(line, env)
    return bool(env.get("references"))


def _safe_first_line(lines: list[str], resolve: Callable[[str], str]) -> list[str]:
    """The lines with the first one unable to open a block of its own: a block marker, a
    fence, front matter, a link or footnote definition is backslash-escaped, and so is an
    HTML block start (``\\<``); a syntax placeholder that would start one (an HTML
    tag alone on the line) is joined to the next line, else ValueError (withheld)."""
    first = lines[0]
    label = _LINK_DEFINITION_RE.match(first)
    if label and (  # nothing after the colon: the next line (an underline) would be the URL
        _FOOTNOTE_DEFINITION_RE.match(first)
        or not first[label.end() :].strip()
        or _defines_reference(first)
    ):
        return ["\\" + first, *lines[1:]]
    if html_block_start(resolve(first), interrupting=False):
        if first[:1] == "<":
            return ["\\" + first, *lines[1:]]
        if len(lines) > 1 and not _is_hard_break(first):
            joined = f"{first} {lines[1]}"
            if not html_block_start(resolve(joined), interrupting=False):
                return [joined, *lines[2:]]
        raise ValueError("the translation would start an HTML block: start it with text")
    return [_escape_block_start(first, _FIRST_LINE_START_RE), *lines[1:]]


def layout(
    unit: Unit,
    text: str,
    *,
    lang: str,
    newline: str = "\n",
    syntax: Mapping[str, str] | None = None,
    dialect: str = "commonmark",
) -> str:
    """The replacement for ``unit``'s span: container prefixes, breaks per language rules,
    every line unable to open a block of its own (ValueError where it cannot be made so); in
    another ``dialect`` a paragraph is also parsed by that dialect's parser, and its first
    marker escaped if it would open one of the dialect's blocks (``:::``, ``!!!``).

    ``syntax`` maps the stand-in characters of syntax placeholders to the source they stand
    for, so that a line starting with an HTML tag is still joined to the line before it."""
    unspaced = is_unspaced(lang)
    text = text.strip()
    if not text:  # an empty paragraph would join the blocks around it (two lists into one)
        raise ValueError("the translation is blank")
    if unit.kind == "front-matter":
        return yaml_scalar(text, style=unit.yaml_style or "plain", unspaced=unspaced)
    text = text.replace("\r\n", "\n").replace("\r", "\n")  # a lone CR ends a line too
    lines = [line.lstrip(" \t") for line in text.split("\n")]
    lines = [line if _is_hard_break(line) else line.rstrip(" \t") for line in lines]
    lines = [line for line in lines if line] or [""]  # a blank line would end the block
    if unit.escape != "markdown":
        return _layout_text(unit, lines, unspaced=unspaced, newline=newline)
    if _LINK_DEFINITION_RE.match(lines[0]):
        lines = [" ".join(lines)]  # a first line alone would become a link reference definition
    resolve = _resolver(syntax)
    if unit.single_line:
        joined = _join_unspaced(lines) if unspaced else " ".join(lines)
        if unit.kind == "table-cell":
            joined = re.sub(r"(?<!\\)((?:\\\\)*)\|", r"\1\\|", joined)
        return joined
    # Unspaced languages: soft breaks would render as spaces, so join them; hard breaks stay.
    # Spaced languages keep the translator's breaks as soft breaks with the container prefix.
    candidates = _safe_first_line(_join_soft_breaks(lines) if unspaced else lines, resolve)
    out = [candidates[0]]
    for line in candidates[1:]:
        resolved = resolve(line)
        if not _HTML_START_RE.match(resolved):
            out.append(_escape_block_start(line))
        elif not _is_hard_break(out[-1]):
            out[-1] = _join_unspaced([out[-1], line]) if unspaced else f"{out[-1]} {line}"
        elif not html_block_start(resolved, interrupting=True):
            out.append(line)
        elif line[:1] == "<":
            out.append("\\" + line)
        else:
            raise ValueError("the translation would start an HTML block after a line break")
    if dialect != "commonmark" and unit.kind == "paragraph" and not out[0][:1].isalnum():
        out = _one_paragraph(out, dialect)
    return (newline + unit.continuation).join(out)


def _one_paragraph(lines: list[str], dialect: str) -> list[str]:
    """``lines`` as one paragraph of ``dialect`` (its parser decides): as they are, or with
    the first character backslash-escaped; ValueError if neither."""
    for candidate in (lines, ["\\" + lines[0], *lines[1:]]):
        tokens = inline.parser(dialect).parse("\n".join(candidate) + "\n")
        if [t.type for t in tokens] == ["paragraph_open", "inline", "paragraph_close"]:
            return candidate
        if not lines[0][:1].isascii() or lines[0][:1].isspace():
            break
    raise ValueError(f"the translation would start a {dialect} block: start it with text")


def _layout_text(unit: Unit, lines: list[str], *, unspaced: bool, newline: str) -> str:
    """HTML text, attribute values and plain labels: no Markdown escaping; one line where the
    unit must stay on one, and never a blank line (it would end an HTML block)."""
    if unit.single_line or unspaced:
        return _join_unspaced(lines) if unspaced else " ".join(lines)
    return (newline + unit.continuation).join(lines)


def _resolver(syntax: Mapping[str, str] | None) -> Callable[[str], str]:
    if not syntax:
        return lambda line: line
    return lambda line: syntax.get(line[:1], line[:1]) + line[1:] if line else line


_HTML_ESCAPES = {
    "html": {"&": "&amp;", "<": "&lt;"},
    "attribute": {"&": "&amp;", '"': "&quot;", "'": "&#39;"},
}
_REFERENCE_NAMES: dict[str, tuple[str, ...]] = {}
for _name in sorted(html.entities.html5, key=len, reverse=True):
    _REFERENCE_NAMES.setdefault(_name[0], ())
    _REFERENCE_NAMES[_name[0]] += (_name,)
_TAG_START = re.compile(r"[A-Za-z/!?]")


def _needs_escape(text: str, at: int) -> bool:
    """True when the ``&`` or ``<`` at ``at`` would not be read as itself by an HTML parser
    (a character reference, a tag): only those are escaped, so text written as the source
    wrote it (``Q&A``, ``a < b``) is written back unchanged."""
    following = text[at + 1 : at + 40]
    if text[at] == "<":
        return bool(_TAG_START.match(following))
    if following[:1] == "#":
        return True
    return any(following.startswith(name) for name in _REFERENCE_NAMES.get(following[:1], ()))


def fill_syntax(
    unit: Unit, text: str, *, format_value: placeholders.Formatter
) -> tuple[str, dict[str, str]]:
    """Fill the unit's value placeholders and stand one private-use character in for each
    syntax placeholder: (text, stand-in → source). ValueError as :func:`placeholders.fill`."""
    stand: dict[str, str] = {}
    sources: dict[str, str] = {}
    for number, placeholder in enumerate(p for p in unit.placeholders if p.syntax):
        char = chr(syntax.SENTINEL_BASE + number)
        stand[placeholder.name] = char
        sources[char] = placeholder.source

    def value(target: Unit, name: str) -> str:
        return stand[name] if name in stand else format_value(target, name)

    return placeholders.fill(unit, text, format_value=value), sources


def own_lines(unit: Unit, text: str, *, newline: str = "\n") -> str:
    """Line breaks (with the unit's continuation prefix) before syntax that started a line of
    the source and after syntax that ended one: a line-level construct keeps its own line."""
    marks = [p for p in unit.placeholders if p.syntax]
    breaks = {chr(syntax.SENTINEL_BASE + n): (p.starts_line, p.ends_line)
              for n, p in enumerate(marks) if p.starts_line or p.ends_line}
    if not breaks:
        return text
    separator = newline + unit.continuation
    out = ""
    index, size = 0, len(text)
    while index < size:
        ch = text[index]
        before, after = breaks.get(ch, (False, False))
        if before and out.strip():
            out = out.rstrip(" \t")
            if out[out.rfind("\n") + 1 :].strip(" \t>"):  # not already at a line start
                out += separator
        out += ch
        index += 1
        if after and index < size:
            end = index
            while end < size and text[end] in " \t":
                end += 1
            if end < size and text[end] not in "\r\n":
                out += separator
                index = end
                stop = text.find("\n", end)
                rest = text[end : stop if stop >= 0 else size]
                at = _marker_at(rest)  # the new line must not open a block
                if at is not None:
                    out += rest[:at] + "\\"
                    index = end + at
    return out


def restore_syntax(unit: Unit, text: str, sources: Mapping[str, str], *, quote: str) -> str:
    """Put each syntax placeholder's source back; text between the two ends of an ``alt`` or
    ``title`` pair, and the whole of an ``html``/``attribute`` unit, is escaped for HTML."""
    names = {chr(syntax.SENTINEL_BASE + n): p.name for n, p in
             enumerate(p for p in unit.placeholders if p.syntax)}
    base = _HTML_ESCAPES.get(unit.escape)
    if unit.escape == "attribute":
        closing = quote if quote and quote in "'\"" else ""
        base = {"&": "&amp;", closing: _HTML_ESCAPES["attribute"][closing]} if closing else {}
    out: list[str] = []
    inside: str | None = None
    for at, ch in enumerate(text):
        if ch in sources:
            name = names[ch]
            source = sources[ch]
            if name.startswith(("alt_", "title_")):
                inside = None if name.endswith("_end") else source[-1:]
            out.append(source)
        elif inside and ch == inside:
            out.append(_HTML_ESCAPES["attribute"][ch])
        elif base and ch in base and (ch not in "&<" or _needs_escape(text, at)):
            out.append(base[ch])
        else:
            out.append(ch)
    return "".join(out)


def yaml_scalar(text: str, *, style: str, unspaced: bool = False) -> str:
    """A YAML scalar for ``text``, in the source's quoting style when that style can hold it."""
    lines = [line.strip() for line in text.split("\n")]
    text = _join_unspaced(lines) if unspaced else " ".join(lines)
    if style == "plain":
        try:
            if yaml.safe_load(f"k: {text}") == {"k": text} and "#" not in text:
                return text
        except yaml.YAMLError:
            pass
    if style == "'":
        return "'" + text.replace("'", "''") + "'"
    return json.dumps(text, ensure_ascii=False)


def assemble(
    document: Document,
    translations: Mapping[str, str],
    *,
    lang: str,
    format_value: placeholders.Formatter = placeholders.source_value,
    keep_identical: bool = True,
    localise_identical: bool = False,
    dialect: str = "commonmark",
) -> tuple[str, list[Fallback]]:
    """Replace each translated unit's span; return the new text and the units that fell back.

    A unit without a translation, or whose translation equals its msgid (``keep_identical``),
    keeps its source bytes — unless it holds placeholders and ``localise_identical`` asks for
    its values in the target locale's format.
    """
    text, fallbacks, _ = assemble_spans(
        document,
        translations,
        lang=lang,
        format_value=format_value,
        keep_identical=keep_identical,
        localise_identical=localise_identical,
        dialect=dialect,
    )
    return text, fallbacks


def assemble_spans(
    document: Document,
    translations: Mapping[str, str],
    *,
    lang: str,
    format_value: placeholders.Formatter = placeholders.source_value,
    keep_identical: bool = True,
    localise_identical: bool = False,
    dialect: str = "commonmark",
) -> tuple[str, list[Fallback], list[tuple[int, int, bool]]]:
    """:func:`assemble`, also returning where each unit's text sits in the new text:
    ``(start, end, replaced)`` per unit of ``document.units`` (``replaced`` False: its source
    bytes were kept)."""
    newline = "\r\n" if "\r\n" in document.text else "\n"
    pieces: list[str] = []
    fallbacks: list[Fallback] = []
    spans: list[tuple[int, int, bool]] = []
    pos = 0
    size = 0  # length of "".join(pieces)
    for unit in document.units:
        translation = translations.get(unit.msgid)
        identical = bool(translation) and keep_identical and translation == unit.msgid
        if not translation or (identical and not (localise_identical and unit.placeholders)):
            start = size + unit.start - pos
            spans.append((start, start + unit.end - unit.start, False))
            continue
        sources: dict[str, str] = {}
        if unit.placeholders:
            try:
                translation, sources = fill_syntax(unit, translation, format_value=format_value)
            except ValueError as exc:
                fallbacks.append(Fallback(unit, str(exc)))
                start = size + unit.start - pos
                spans.append((start, start + unit.end - unit.start, False))
                continue
        if unit.kind == "front-matter" and sources:  # quoting is chosen for the real text
            translation, sources = restore_syntax(unit, translation, sources, quote=""), {}
        try:
            text = layout(unit, translation, lang=lang, newline=newline, syntax=sources,
                          dialect=dialect)
        except ValueError as exc:  # it would reach outside its unit: the source stays
            fallbacks.append(Fallback(unit, str(exc)))
            start = size + unit.start - pos
            spans.append((start, start + unit.end - unit.start, False))
            continue
        if sources:
            text = own_lines(unit, text, newline=newline)
        if sources or unit.escape in ("html", "attribute"):
            quote = document.text[unit.end : unit.end + 1]
            text = restore_syntax(unit, text, sources, quote=quote)
        gap = document.text[pos : unit.start]
        pieces += (gap, text)
        size += len(gap)
        spans.append((size, size + len(text), True))
        size += len(text)
        pos = unit.end
    pieces.append(document.text[pos:])
    return "".join(pieces), fallbacks, spans
