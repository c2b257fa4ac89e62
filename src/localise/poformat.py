"""Write gettext catalogues byte for byte the way GNU ``msgcat`` (width 79) writes them.

Translators re-save our ``.po`` files in Poedit or Weblate, which wrap like gettext, so
any other wrapping shows up as noise in diffs. This module re-implements, from a reading
of gettext 0.21's ``write-po.c`` and libunistring 1.0's ``unilbrk``, what ``msgcat``
does when it writes a catalogue:

* Strings are escaped (``\\a \\b \\f \\n \\r \\t \\v \\\\ \\"``; every other character,
  including other control characters, is written as is) and cut after each ``\\n``.
  Each piece is then wrapped so no line is wider than 79 display columns, breaking only
  at Unicode line-break opportunities (UAX #14 as libunistring 1.0 implements it, with
  East Asian wide characters counting two columns). A string that needs more than one
  line starts with an empty ``msgid ""`` line.
* Comments come in msgcat's order: ``#`` translator, ``#.`` extracted, ``#:`` references
  (wrapped at 79 columns, leading ``./`` removed, duplicates dropped), ``#,`` flags,
  ``#|`` previous strings. Flags are normalised as msgcat does: ``fuzzy`` first (and only
  when the first msgstr is not empty), then ``*-format`` flags in gettext's language
  order, ``range:``, ``no-wrap``; flags msgcat does not know are dropped.
* Obsolete entries go after all live ones, with ``#~ `` and ``#~| `` prefixes; those with
  an empty msgstr are dropped, and their ``#,`` line has no ``range:``.

Speed: strings are wrapped by a fast path (``_string_lines``: ``str.translate`` into
class/width codes, ``bisect`` on running widths, break opportunities decided only near
where a line must end, one result per string cached). The character-by-character
transcription of gettext/libunistring is kept as ``_reference_string_lines``; the tests
check that both give the same lines (and that dumps matches real msgcat).

Known differences from msgcat (documented rather than hidden):

* Entries with a ``*-format`` flag: msgcat also forbids breaks *inside* a format
  directive, e.g. after the space in c-format ``% d`` or the hyphen in python-format
  ``%(a-b)s`` (checked: msgcat moves the whole directive to the next line, we split it).
  Format strings are not parsed here. Directives with no break opportunity inside
  (``%s``, ``%-5d``, ``%(name)s``, ``{name}``, ``{0}``; msgcat 0.21 does not protect
  ``{a.b}`` either) come out identical.
* Only UTF-8 (or any non-CJK charset) behaviour is reproduced. For legacy CJK charsets
  (EUC-JP, GB2312, BIG5, ...) msgcat treats ambiguous-width characters as wide.
* NUL and EOT (``\\x04``) cannot appear in gettext strings: ``ValueError``.
* File names containing whitespace in references cannot be represented in a ``#:`` line.
* References are de-duplicated after removing a leading ``./``; msgcat de-duplicates
  before, so for ``./a.md:1`` plus ``a.md:1`` it writes ``a.md:1`` twice (and drops one
  when it re-reads its own output). We write the stable form.
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Callable, Iterable, Mapping
from functools import lru_cache
from typing import Any

from localise import _linebreak_data as lb

__all__ = ["dumps", "format_string"]

PAGE_WIDTH = 79
_NO_WRAP_WIDTH = 2**31 - 1  # msgcat's INT_MAX "width" for no-wrap entries

# Break decisions before a character (libunistring's UC_BREAK_* values, by meaning).
_UNDECIDED, _PROHIBITED, _POSSIBLE, _MANDATORY = 0, 1, 2, 3
# Pair table entries.
_DIRECT, _INDIRECT = 1, 2

_ESCAPES = {
    "\a": "\\a",
    "\b": "\\b",
    "\f": "\\f",
    "\n": "\\n",
    "\r": "\\r",
    "\t": "\\t",
    "\v": "\\v",
    "\\": "\\\\",
    '"': '\\"',
}

# gettext 0.21's format_language[] order, which fixes the order of `*-format` flags.
_FORMAT_LANGUAGES = (
    "c", "objc", "python", "python-brace", "java", "java-printf", "csharp", "javascript",
    "scheme", "lisp", "elisp", "librep", "ruby", "sh", "awk", "lua", "object-pascal",
    "smalltalk", "qt", "qt-plural", "kde", "kde-kuit", "boost", "tcl", "perl", "perl-brace",
    "php", "gcc-internal", "gfc-internal", "ycp",
)  # fmt: skip
_FLAG_SEPARATORS = "\n \t\r\f\v,"


# ------------------------------------------------------- strings (the fast path, used)
#
# The same decisions as the reference below, computed with less work:
#
# * A string is escaped, mapped to display widths and (only when it does not fit on one
#   line) to line-break classes with ``str.translate``, all at C speed.
# * Line-break opportunities are decided one position at a time, and only where the greedy
#   algorithm needs one: going back from the last column that fits, or (when nothing fits)
#   forward from it. The state the reference carries along (the last class that is not a
#   space, whether spaces followed it, what a run of combining marks resolved to, the
#   length of a run of regional indicators) is recovered by looking back from the position.
# * Lines are found with ``bisect`` on the running width instead of character by character.
# * Each (keyword, string, prefix, width) is formatted once per process: the same msgid is
#   written into the POT and into every language's PO.


class _LazyTable(dict[int, str]):
    """A ``str.translate`` table filled on first use: code point -> one-character code."""

    def __init__(self, code: Callable[[int], str]) -> None:
        """`code(code_point)` returns the (one-character) string to store for it."""
        super().__init__()
        self._code = code

    def __missing__(self, code_point: int) -> str:
        value = self[code_point] = self._code(code_point)
        return value


# A character's line-break class as chr(class), and both at once as chr(class * 4 + width)
# (display width, negative counted as 0); bytes.translate tables take the latter apart.
_CLASS_CODES = _LazyTable(
    lambda code_point: chr(lb.LB_CLASSES[bisect.bisect_right(lb.LB_STARTS, code_point) - 1])
)
_CHAR_CODES = _LazyTable(
    lambda code_point: chr(
        ord(_CLASS_CODES[code_point]) * 4
        + max(lb.WIDTH_VALUES[bisect.bisect_right(lb.WIDTH_STARTS, code_point) - 1] - 1, 0)
    )
)
_CODE_CLASS = bytes(code >> 2 for code in range(256))
_CODE_WIDTH = bytes(code & 3 for code in range(256))
_ESCAPE_TABLE = str.maketrans(_ESCAPES)
_NEEDS_ESCAPE = re.compile("[" + re.escape("".join(_ESCAPES)) + "]")
_ESCAPE_PAIR = re.compile(r"\\.", re.DOTALL)  # in escaped text every "\" starts a pair
_UNREPRESENTABLE = re.compile("[\0\x04]")
_SPECIAL = re.compile("[\0\x04" + re.escape("".join(_ESCAPES)) + "]")
_MANDATORY_CLASSES = re.compile(f"[{chr(lb.BK)}{chr(lb.CR)}{chr(lb.LF)}]".encode("latin-1"))

_SP, _ZW, _CM, _ZWJ, _RI, _HL, _AL = lb.SP, lb.ZW, lb.CM, lb.ZWJ, lb.RI, lb.HL, lb.AL
_BREAK_CLASSES = (lb.BK, lb.CR, lb.LF)
_MARK_CLASSES = (lb.CM, lb.ZWJ)
_HYPHEN_CLASSES = (lb.HY, lb.BA)
_NO_BASE_CLASSES = (lb.BK, lb.CR, lb.LF, lb.SP, lb.ZW)  # combining marks after these are AL
_PAIR_TABLE = lb.PAIR_TABLE
_RI_BYTE = bytes([lb.RI])
_N_PAIR = lb.N_PAIR_CLASSES


def _can_break_before(cls: bytes, i: int) -> bool:
    """Return whether the reference's `_reference_possible_breaks` says _POSSIBLE at `i`.

    `cls` holds the line-break class of every character; the caller guarantees that
    character `i` is not a mandatory break (BK, CR, LF) itself.
    """
    c = cls[i]
    if c in (_SP, _ZW):
        return False
    j = i - 1
    while j >= 0 and cls[j] == _SP:
        j -= 1
    seen_space = j < i - 1
    if j < 0:
        return False  # only spaces before: still the start of the text
    last = cls[j]
    if last in _BREAK_CLASSES:
        return False  # just after a mandatory break
    if c in _MARK_CLASSES:  # a mark breaks only after spaces or a zero width space
        return seen_space or last == _ZW
    prev = cls[i - 1]
    if prev == _ZWJ or (prev in _HYPHEN_CLASSES and i >= 2 and cls[i - 2] == _HL):
        return False
    if last == _ZW:
        return True
    if last in _MARK_CLASSES:  # a run of marks takes the class of its base (or AL)
        k = j - 1
        while k >= 0 and cls[k] in _MARK_CLASSES:
            k -= 1
        last = _AL if k < 0 or cls[k] in _NO_BASE_CLASSES else cls[k]
    if last == _RI and c == _RI:
        if seen_space:
            return True
        run = i - len(cls[:i].rstrip(_RI_BYTE))  # regional indicators just before i
        return run % 2 == 0
    rule = _PAIR_TABLE[last * _N_PAIR + c]
    return rule == _DIRECT or (rule == _INDIRECT and seen_space)


class _Portion:
    """One escaped piece of a string (up to and including a "\\n"), ready to be wrapped."""

    __slots__ = ("_classes", "_columns", "_prohibited", "text")

    def __init__(self, portion: str) -> None:
        """Escape `portion` and note where gettext forbids breaks (inside escapes)."""
        prohibited: set[int] = set()
        if _NEEDS_ESCAPE.search(portion):
            text = portion.translate(_ESCAPE_TABLE)
            prohibited.update(match.end() - 1 for match in _ESCAPE_PAIR.finditer(text))
            if portion.endswith("\n"):  # nor just before the final "\n"
                prohibited.add(len(text) - 2)
        else:
            text = portion
        self.text = text
        self._prohibited = prohibited
        self._columns: Any = None  # [width of text[:i] for i in 0..len(text)]
        self._classes = b""  # line-break class of each character

    def _analyse(self) -> None:
        """Compute the running display widths and the line-break classes."""
        text = self.text
        if text.isascii() and text.isprintable():  # every character one column wide
            self._columns = range(len(text) + 1)
            self._classes = text.translate(_CLASS_CODES).encode("ascii")
        else:
            codes = text.translate(_CHAR_CODES).encode("latin-1")
            self._columns = [0, *itertools.accumulate(codes.translate(_CODE_WIDTH))]
            self._classes = codes.translate(_CODE_CLASS)

    def breaks(self, width: int, start: int, *, first_only: bool = False) -> list[int]:
        """Return the indexes before which `_reference_width_breaks` breaks the text.

        With `first_only`, stop after the first one (enough to know whether there is one).
        """
        end = len(self.text)
        if self._columns is None:
            if start + 2 * end <= width:  # fits, however wide its characters are
                return []
            self._analyse()
        columns = self._columns
        if start + columns[end] <= width:
            return []
        cls, prohibited = self._classes, self._prohibited
        # Mandatory breaks restart the count (without the breaking character's width).
        segments = [(0, start, end)]
        if _MANDATORY_CLASSES.search(cls):
            for match in _MANDATORY_CLASSES.finditer(cls):
                mandatory = match.start()
                segments[-1] = (*segments[-1][:2], mandatory)
                segments.append((mandatory + 1, 0, end))
        result: list[int] = []
        for line_start, column, stop in segments:
            while True:
                limit = width - column + columns[line_start]
                if columns[stop] <= limit:
                    break
                # Last position whose line up to it fits, then the last opportunity there.
                fits = bisect.bisect_right(columns, limit, line_start, stop) - 1
                at = fits
                while at > line_start and (at in prohibited or not _can_break_before(cls, at)):
                    at -= 1
                if at <= line_start:  # nothing fits: break at the first opportunity after
                    at = max(fits, line_start) + 1
                    while at < stop and (at in prohibited or not _can_break_before(cls, at)):
                        at += 1
                    if at >= stop:
                        break
                result.append(at)
                if first_only:
                    return result
                line_start, column = at, 0
        return result


def _split_after_newlines(value: str) -> list[str]:
    """Split `value` after each "\\n" (only that character), like msgcat; "" gives [""]."""
    portions = []
    start = 0
    while (end := value.find("\n", start)) != -1 and end + 1 < len(value):
        portions.append(value[start : end + 1])
        start = end + 1
    portions.append(value[start:])
    return portions


@lru_cache(maxsize=4096)  # within an article (template, each catalogue) msgids recur, across
# articles few do; 32,768 strings held tens of MB in every worker of a large run
def _string_lines(keyword: str, value: str, prefix: str, page_width: int) -> tuple[str, ...]:
    """Return the lines of one keyword/string field (the core of format_string)."""
    # Columns are counted from just after the opening quote of a continuation line.
    width = page_width - 1 - (len(prefix) + 1)  # -1 leaves room for the closing quote
    if not _SPECIAL.search(value):  # no newline, nothing to escape, nothing to reject
        start = len(keyword) + 1
        if start + 2 * len(value) <= width or (
            start + len(value) <= width and value.isascii() and value.isprintable()
        ):
            return (f'{prefix}{keyword} "{value}"',)  # fits on the keyword's line
    elif bad := _UNREPRESENTABLE.search(value):  # string terminator, msgctxt separator in .mo
        raise ValueError(f"gettext strings cannot contain {bad.group()!r}")
    lines: list[str] = []
    first_line = True
    portions = _split_after_newlines(value)
    for index, text in enumerate(portions):
        portion = _Portion(text)
        chars = portion.text
        if first_line and chars:
            start = len(keyword) + 1  # the `keyword ` before the quote
            if (
                index + 1 < len(portions)
                or start > width
                or portion.breaks(width, start, first_only=True)
            ):
                lines.append(f'{prefix}{keyword} ""')
                first_line = False
        if first_line:
            lines.append(f'{prefix}{keyword} "{chars}"')  # (breaks would be empty)
            first_line = False
            continue
        piece_start = 0
        for i in portion.breaks(width, 0):
            lines.append(f'{prefix}"{chars[piece_start:i]}"')
            piece_start = i
        lines.append(f'{prefix}"{chars[piece_start:]}"')
    return tuple(lines)


def format_string(
    keyword: str, value: str, *, prefix: str = "", width: int = PAGE_WIDTH
) -> list[str]:
    """Return the lines (without newlines) msgcat writes for `keyword "value"` after `prefix`."""
    return list(_string_lines(keyword, value, prefix, width))


# ---------------------------------------------------------- strings (the reference path)
#
# The straightforward transcription of gettext and libunistring, character by character.
# Not used by dumps; kept as the specification the fast path above is tested against.


@lru_cache(maxsize=4096)
def _line_break_class(char: str) -> int:
    """Return libunistring's (resolved) UAX #14 line-break class of one character."""
    return lb.LB_CLASSES[bisect.bisect_right(lb.LB_STARTS, ord(char)) - 1]


@lru_cache(maxsize=4096)
def _char_width(char: str) -> int:
    """Return the columns one character takes (2 wide, 0 combining, -1 control)."""
    return lb.WIDTH_VALUES[bisect.bisect_right(lb.WIDTH_STARTS, ord(char)) - 1] - 1


def _reference_possible_breaks(chars: list[str]) -> list[int]:
    """Return, for each character, whether a line may (or must) break just before it."""
    breaks = [_PROHIBITED] * len(chars)
    prev_cls = lb.BK  # class of the previous character
    last_cls = lb.BK  # class of the last character that is not a space
    seen_space = False  # spaces between last_cls and here?
    prev_is_hebrew_hyphen = False  # HL followed by HY/BA: no break after it (LB21a)
    ri_run = 0  # regional indicators seen in a row just before here
    for i, char in enumerate(chars):
        cls = _line_break_class(char)
        if cls in (lb.BK, lb.CR, lb.LF):
            breaks[i] = _MANDATORY
            last_cls, seen_space = lb.BK, False
        elif cls == lb.SP:
            seen_space = True
        elif cls == lb.ZW:
            last_cls, seen_space = lb.ZW, False
        elif cls in (lb.CM, lb.ZWJ):
            if last_cls == lb.BK:  # a combining mark at the start acts as a letter
                last_cls, seen_space = lb.AL, False
            elif last_cls == lb.ZW or seen_space:  # break after spaces / zero width space
                breaks[i] = _POSSIBLE
                last_cls, seen_space = lb.AL, False
            # otherwise X CM behaves like X: nothing changes
        else:
            if last_cls == lb.BK or prev_cls == lb.ZWJ or prev_is_hebrew_hyphen:
                pass  # start of text, after a zero width joiner, after Hebrew + hyphen
            elif last_cls == lb.ZW:
                breaks[i] = _POSSIBLE
            elif last_cls == lb.RI and cls == lb.RI:
                if seen_space or ri_run % 2 == 0:
                    breaks[i] = _POSSIBLE
            else:
                rule = lb.PAIR_TABLE[last_cls * lb.N_PAIR_CLASSES + cls]
                if rule == _DIRECT or (rule == _INDIRECT and seen_space):
                    breaks[i] = _POSSIBLE
            last_cls, seen_space = cls, False
        prev_is_hebrew_hyphen = prev_cls == lb.HL and cls in (lb.HY, lb.BA)
        prev_cls = cls
        ri_run = ri_run + 1 if cls == lb.RI else 0
    return breaks


def _reference_width_breaks(
    chars: list[str], overrides: list[int], width: int, start: int
) -> list[bool]:
    """Return where to break so lines fit in `width` columns, the first starting at `start`.

    Like libunistring's ``ulc_width_linebreaks``: keep each unbreakable piece whole and
    break before a piece only when it would overflow; `overrides` replaces the possible
    breaks wherever it is not _UNDECIDED.
    """
    possible = _reference_possible_breaks(chars)
    result = [False] * len(chars)
    last_break = -1  # index of the last break opportunity on the current line
    column, piece = start, 0  # column where the current piece starts, and its width
    for i, char in enumerate(chars):
        status = overrides[i] if overrides[i] != _UNDECIDED else possible[i]
        if status in (_POSSIBLE, _MANDATORY) and last_break >= 0 and column + piece > width:
            result[last_break] = True
            column = 0
        if status == _MANDATORY:
            last_break, column, piece = -1, 0, 0
            continue
        if status == _POSSIBLE:
            last_break, column, piece = i, column + piece, 0
        piece += max(_char_width(char), 0)
    if last_break >= 0 and column + piece > width:
        result[last_break] = True
    return result


def _reference_escape(portion: str) -> tuple[list[str], list[int]]:
    """Return the escaped characters of `portion` and gettext's break overrides for them."""
    chars: list[str] = []
    overrides: list[int] = []
    for char in portion:
        if char in "\0\x04":  # string terminator and msgctxt separator in .mo files
            raise ValueError(f"gettext strings cannot contain {char!r}")
        escaped = _ESCAPES.get(char)
        if escaped is None:
            chars.append(char)
            overrides.append(_UNDECIDED)
        else:  # never break inside an escape sequence
            chars.extend(escaped)
            overrides.extend((_UNDECIDED, _PROHIBITED))
    if portion.endswith("\n"):  # nor just before the final "\n"
        overrides[-2] = _PROHIBITED
    return chars, overrides


def _reference_string_lines(keyword: str, value: str, prefix: str, page_width: int) -> list[str]:
    """Return the lines of one keyword/string field, as `_string_lines` does."""
    lines: list[str] = []
    first_line = True
    portions = _split_after_newlines(value)
    # Columns are counted from just after the opening quote of a continuation line.
    width = page_width - 1 - (len(prefix) + 1)  # -1 leaves room for the closing quote
    for index, portion in enumerate(portions):
        chars, overrides = _reference_escape(portion)
        start = len(keyword) + 1 if first_line else 0  # the `keyword ` before the quote
        breaks = _reference_width_breaks(chars, overrides, width, start)
        more_follows = index + 1 < len(portions)
        if first_line and chars and (more_follows or start > width or any(breaks)):
            lines.append(f'{prefix}{keyword} ""')
            first_line = False
            breaks = _reference_width_breaks(chars, overrides, width, 0)
        head = f"{prefix}{keyword} " if first_line else prefix
        first_line = False
        piece_start = 0
        for i in [i for i, brk in enumerate(breaks) if brk] + [len(chars)]:
            lines.append(f'{head}"{"".join(chars[piece_start:i])}"')
            head, piece_start = prefix, i
    return lines


# ------------------------------------------------------------------------------ entries


class _Flags:
    """The `#,` flags of one entry, parsed and normalised the way msgcat does."""

    def __init__(self, flags: Iterable[str]) -> None:
        """Parse flag strings (e.g. ``["fuzzy", "python-format", "range: 0..9"]``)."""
        self.fuzzy = False
        self.formats: dict[str, str] = {}  # language -> written flag ("c-format", ...)
        self.range: str | None = None
        self.wrap = True
        tokens = self._tokens(", ".join(flags))
        for token in tokens:
            if token == "fuzzy":
                self.fuzzy = True
            elif token == "wrap":
                self.wrap = True
            elif token == "no-wrap":
                self.wrap = False
            elif token == "range:":
                self._parse_range(next(tokens, ""))
            elif token.endswith("-format"):
                self._parse_format(token)

    @staticmethod
    def _tokens(text: str) -> Iterable[str]:
        """Yield the words of a flags line, split at spaces and commas."""
        word = ""
        for char in text + ",":
            if char in _FLAG_SEPARATORS:
                if word:
                    yield word
                word = ""
            else:
                word += char

    def _parse_format(self, token: str) -> None:
        """Record `[no-|possible-|impossible-]LANG-format` if LANG is a gettext language."""
        name = token.removesuffix("-format")
        for state in ("no-", "possible-", "impossible-", ""):
            if name.startswith(state) and name[len(state) :] in _FORMAT_LANGUAGES:
                language = name[len(state) :]
                self.formats.pop(language, None)
                if state == "no-":
                    self.formats[language] = f"no-{language}-format"
                elif state != "impossible-":  # "possible-" is written as plain "-format"
                    self.formats[language] = f"{language}-format"
                return

    def _parse_range(self, token: str) -> None:
        """Record a ``range: MIN..MAX`` flag when it is well formed."""
        low, sep, high = token.partition("..")
        digits = high[: len(high) - len(high.lstrip("0123456789"))]
        if sep and low.isdigit() and digits and int(low) <= int(digits):
            cap = 2**31 - 1
            self.range = f"range: {min(int(low), cap)}..{min(int(digits), cap)}"

    def line(self, *, msgstr_is_empty: bool, obsolete: bool) -> str | None:
        """Return the `#,` line msgcat writes for these flags, or None for no line.

        A live entry drops ``fuzzy`` when its (first) msgstr is empty; an obsolete entry
        (only written when translated) keeps everything but the range.
        """
        words = ["fuzzy"] if self.fuzzy and not (msgstr_is_empty and not obsolete) else []
        words += [self.formats[lang] for lang in _FORMAT_LANGUAGES if lang in self.formats]
        words += [self.range] if self.range and not obsolete else []
        words += [] if self.wrap else ["no-wrap"]
        return "#, " + ", ".join(words) if words else None


def _comment_lines(marker: str, text: str | None) -> list[str]:
    """Return `#`/`#.` comment lines for multi-line `text` (empty lines get no space)."""
    if not text:
        return []
    return [f"{marker} {line}" if line else marker for line in text.split("\n")]


def _occurrence_lines(occurrences: Iterable[tuple[str, Any]]) -> list[str]:
    """Return the `#:` lines, wrapped at the page width the way msgcat wraps them."""
    references: list[str] = []
    for file_name, line_number in occurrences:
        while file_name.startswith("./"):
            file_name = file_name[2:]
        line = str(line_number).strip()
        reference = f"{file_name}:{int(line)}" if line.isdigit() else file_name
        if reference not in references:
            references.append(reference)
    if not references:
        return []
    lines, current = [], "#:"
    for reference in references:
        if len(current) > 2 and len(current) + len(reference) + 1 > PAGE_WIDTH:
            lines.append(current)
            current = "#:"
        current += " " + reference
    return [*lines, current]


def _msgstrs(entry: Any) -> list[tuple[str, str]]:
    """Return the (keyword, value) msgstr fields of an entry, renumbering plural forms."""
    plural = getattr(entry, "msgstr_plural", None) or {}
    if not (getattr(entry, "msgid_plural", "") or plural):
        return [("msgstr", entry.msgstr or "")]
    forms = [plural[key] for key in sorted(plural, key=int)] or [""]
    return [(f"msgstr[{n}]", form or "") for n, form in enumerate(forms)]


def _entry_lines(entry: Any, flags: _Flags, *, obsolete: bool) -> list[str]:
    """Return all lines of one entry (live or obsolete) in msgcat's order."""
    msgstrs = _msgstrs(entry)
    msgstr_is_empty = msgstrs[0][1] == ""
    lines = _comment_lines("#", getattr(entry, "tcomment", None))
    lines += _comment_lines("#.", getattr(entry, "comment", None))
    lines += _occurrence_lines(getattr(entry, "occurrences", None) or [])
    flag_line = flags.line(msgstr_is_empty=msgstr_is_empty, obsolete=obsolete)
    lines += [flag_line] if flag_line else []

    width = PAGE_WIDTH if flags.wrap else _NO_WRAP_WIDTH
    previous_prefix, prefix = ("#~| ", "#~ ") if obsolete else ("#| ", "")
    for keyword, attribute in (
        ("msgctxt", "previous_msgctxt"),
        ("msgid", "previous_msgid"),
        ("msgid_plural", "previous_msgid_plural"),
    ):
        if (value := getattr(entry, attribute, None)) is not None:
            lines += _string_lines(keyword, value, previous_prefix, width)
    fields = [("msgctxt", entry.msgctxt)] if getattr(entry, "msgctxt", None) is not None else []
    fields.append(("msgid", entry.msgid))
    if len(msgstrs) > 1 or msgstrs[0][0] != "msgstr":
        fields.append(("msgid_plural", getattr(entry, "msgid_plural", "") or ""))
    for keyword, value in [*fields, *msgstrs]:
        lines += _string_lines(keyword, value, prefix, width)
    return lines


class _HeaderEntry:
    """The header (msgid "") entry built from a catalogue's header comment and metadata."""

    def __init__(self, catalogue: Any) -> None:
        """Collect the header comment and `Key: value` metadata lines of `catalogue`."""
        metadata: Mapping[str, str] = getattr(catalogue, "metadata", None) or {}
        self.tcomment = getattr(catalogue, "header", "") or ""
        self.msgctxt = None
        self.msgid = ""
        self.msgstr = "".join(f"{key}: {value}\n" for key, value in metadata.items())


def _header_flags(catalogue: Any) -> _Flags:
    """Return the header's flags from polib's `metadata_is_fuzzy` (a bool or a flag list)."""
    fuzzy = getattr(catalogue, "metadata_is_fuzzy", False)
    if isinstance(fuzzy, list | tuple | set | frozenset):
        return _Flags(fuzzy)
    return _Flags(["fuzzy"] if fuzzy else [])


def dumps(catalogue: Any) -> str:
    """Serialise a polib.POFile-like object exactly as GNU msgcat (width 79) would write it."""
    blocks = [_entry_lines(_HeaderEntry(catalogue), _header_flags(catalogue), obsolete=False)]
    entries = list(catalogue)
    for entry in entries:
        if not entry.obsolete:
            blocks.append(_entry_lines(entry, _Flags(entry.flags or []), obsolete=False))
    for entry in entries:
        if entry.obsolete and _msgstrs(entry)[0][1] != "":  # msgcat drops untranslated ones
            blocks.append(_entry_lines(entry, _Flags(entry.flags or []), obsolete=True))
    return "\n".join("".join(f"{line}\n" for line in block) for block in blocks)
