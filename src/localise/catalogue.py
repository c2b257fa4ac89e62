"""Units ↔ gettext catalogues: the entry model, template, merge, canonical writing, stats.

The only module that imports polib: polib reads ``.po``/``.pot`` files and holds their entries;
everything else sees :class:`Catalogue` and :class:`Entry`, which expose what localise relies
on (fuzzy, python-brace-format, the msgid's line, translator comments). Writing goes through
:mod:`localise.poformat`, which reproduces GNU msgcat byte for byte.
"""

from __future__ import annotations

import datetime as dt
import difflib
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import polib

from localise import __version__, drafts, poformat
from localise.errors import CatalogueError
from localise.files import decode_utf8
from localise.glossary import Glossary
from localise.model import Counts, Document

FUZZY_THRESHOLD = 0.6
_DATE_FORMAT = "%Y-%m-%d %H:%M%z"
_HEADER_ORDER = (
    "Project-Id-Version",
    "Report-Msgid-Bugs-To",
    "POT-Creation-Date",
    "PO-Revision-Date",
    "Last-Translator",
    "Language-Team",
    "Language",
    "MIME-Version",
    "Content-Type",
    "Content-Transfer-Encoding",
    "Plural-Forms",
    "X-Generator",
)


# -- the entry model -------------------------------------------------------------------


class Entry:
    """One catalogue message as localise sees it (a view of polib's entry; edits go through)."""

    __slots__ = ("_entry", "line")

    def __init__(self, entry: polib.POEntry, *, line: int | None = None) -> None:
        self._entry = entry
        self.line = line
        """1-based line of the ``msgid`` keyword in the file read (None: not read from a file)."""

    @property
    def msgid(self) -> str:
        """The source text (a unit's msgid)."""
        return self._entry.msgid

    @property
    def msgctxt(self) -> str | None:
        """The message context, if any (localise writes none; other tools may)."""
        return self._entry.msgctxt

    @property
    def msgstr(self) -> str:
        """The translation ("" when untranslated, and for plural entries: see :attr:`forms`)."""
        return self._entry.msgstr

    @msgstr.setter
    def msgstr(self, text: str) -> None:
        self._entry.msgstr = text

    @property
    def forms(self) -> list[tuple[str, str]]:
        """(source, translation) per form: one pair, or one per ``msgstr[n]`` of a plural."""
        entry = self._entry
        if not entry.msgid_plural:
            return [(entry.msgid, entry.msgstr)]
        return [
            (entry.msgid if n == 0 else entry.msgid_plural, text)
            for n, text in sorted(entry.msgstr_plural.items())
        ]

    @property
    def translated(self) -> bool:
        """True when some translation text exists (reviewed or not)."""
        return any(text for _, text in self.forms)

    @property
    def obsolete(self) -> bool:
        """True for a ``#~`` entry whose msgid left the template."""
        return bool(self._entry.obsolete)

    @property
    def fuzzy(self) -> bool:
        """True while the translation is a draft nobody has reviewed (``#, fuzzy``)."""
        return "fuzzy" in self._entry.flags

    @fuzzy.setter
    def fuzzy(self, value: bool) -> None:
        flags = self._entry.flags
        if value and "fuzzy" not in flags:
            flags.insert(0, "fuzzy")
        elif not value:
            flags[:] = [f for f in flags if f != "fuzzy"]

    @property
    def reviewed(self) -> bool:
        """True for a translation a person has approved: translated and not fuzzy."""
        return self.translated and not self.fuzzy

    @property
    def flags(self) -> tuple[str, ...]:
        """The ``#,`` flags, e.g. ``("fuzzy", "python-brace-format")``."""
        return tuple(self._entry.flags)

    @property
    def brace_format(self) -> bool:
        """True when the msgid uses ``{name}`` placeholders (``python-brace-format``)."""
        return "python-brace-format" in self._entry.flags

    @property
    def comment(self) -> str:
        """Extracted comment (``#.``): what the unit is and where it sits."""
        return self._entry.comment

    @property
    def translator_comments(self) -> list[str]:
        """Translator comment lines (``#``), draft records included; assign a list to change."""
        text = self._entry.tcomment
        return text.split("\n") if text else []

    @translator_comments.setter
    def translator_comments(self, lines: list[str]) -> None:
        self._entry.tcomment = "\n".join(lines)

    @property
    def previous_msgid(self) -> str | None:
        """The msgid the translation was made for, when the source changed since (``#|``)."""
        return self._entry.previous_msgid

    @previous_msgid.setter
    def previous_msgid(self, text: str | None) -> None:
        self._entry.previous_msgid = text

    @property
    def draft(self) -> drafts.DraftRecord | None:
        """The machine-draft record on this entry, if an engine drafted it."""
        return drafts.read(self)


class Catalogue:
    """A ``.po`` or ``.pot`` file's messages in file order, with the questions stages ask."""

    __slots__ = ("_lines", "_po", "path")

    def __init__(
        self,
        po: polib.POFile,
        *,
        path: Path | None = None,
        lines: dict[tuple[str | None, str], int] | None = None,
    ) -> None:
        self._po = po
        self.path = path
        """Where it was read from (as given to :func:`parse`), or None for a new catalogue."""
        self._lines = lines or {}

    def __iter__(self) -> Iterator[Entry]:
        """Every message (obsolete ones too), the header excluded."""
        for entry in self._po:
            if entry.msgid != "":
                yield Entry(entry, line=self._lines.get((entry.msgctxt, entry.msgid)))

    def find(self, msgid: str) -> Entry | None:
        """The live entry for ``msgid`` (no context), if any."""
        return next((e for e in self.live() if e.msgid == msgid and e.msgctxt is None), None)

    @property
    def header(self) -> str:
        """The header comment (the lines before the header entry, without ``# ``)."""
        return str(self._po.header)

    @property
    def metadata(self) -> dict[str, str]:
        """The header entry's fields (``Language``, ``Plural-Forms``, …), as a copy."""
        return dict(self._po.metadata)

    def live(self) -> Iterator[Entry]:
        """Messages still in the template: not obsolete, not the header."""
        return (entry for entry in self if not entry.obsolete)

    def translations(self, *, include_fuzzy: bool = False) -> dict[str, str]:
        """msgid → usable msgstr (reviewed only, or also fuzzy drafts)."""
        return {
            e.msgid: e.msgstr
            for e in self.live()
            if e.msgstr and (include_fuzzy or not e.fuzzy)
        }

    @property
    def language(self) -> str:
        """The ``Language`` header ("" in a template)."""
        return str(self._po.metadata.get("Language", ""))

    @property
    def header_fuzzy(self) -> bool:
        """True when the header entry is marked fuzzy (as in a template)."""
        return bool(self._po.metadata_is_fuzzy)

    def render(self) -> bytes:
        """Canonical bytes: exactly what GNU msgcat writes for the same catalogue."""
        return poformat.dumps(self._po).encode("utf-8")

    def stats(self) -> Counts:
        """Counts over the live entries."""
        t = f = u = wt = wf = wu = 0
        for entry in self.live():
            words = count_words(entry.msgid)
            if entry.fuzzy and entry.msgstr:
                f, wf = f + 1, wf + words
            elif entry.msgstr:
                t, wt = t + 1, wt + words
            else:
                u, wu = u + 1, wu + words
        return Counts(t + f + u, t, f, u, wt + wf + wu, wt, wf, wu)


# -- reading ---------------------------------------------------------------------------

_STRING = r'"(?:[^"\\]|\\.)*"'
_PREFIX_RE = re.compile(r"^(?:#~\s*(?:#?\|)?|#\|)?\s*")
_KEYWORD_RE = re.compile(rf"^(msgctxt|msgid|msgid_plural|msgstr(?:\[\d+\])?)\s+({_STRING})\s*$")
_CONTINUATION_RE = re.compile(rf"^({_STRING})\s*$")
_ESCAPE_RE = re.compile(r"\\(x[0-9A-Fa-f]+|[0-7]{1,3}|.?)")
_SIMPLE_ESCAPES = {"n": "\n", "t": "\t", "b": "\b", "r": "\r", "f": "\f", "v": "\v",
                   "a": "\a", "\\": "\\", '"': '"'}
"""msgfmt's one-letter escapes (its po-lex accepts no others: ``\\?`` and ``\\'`` are errors)."""
_POLIB_ESCAPES = frozenset("ntbrfv\\\"")
"""The escapes polib decodes itself; strings with any other are rewritten before polib."""
_LINE_BREAKERS = "\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
"""Characters ``str.splitlines`` breaks at besides CR and LF: polib would split a string there."""
_STAND_INS = "".join(chr(0xFDD0 + i) for i in range(len(_LINE_BREAKERS)))
"""Unicode noncharacters that stand in for :data:`_LINE_BREAKERS` while polib parses."""
_TO_STAND_INS = str.maketrans(_LINE_BREAKERS, _STAND_INS)
_FOLD = "\ufdd8"
"""A noncharacter that joins a long run of comment lines into one line while polib parses
(polib appends comment lines one by one: quadratic in their number)."""
_FOLD_AT = 32
"""Comment runs longer than this are folded."""
_FROM_STAND_INS = str.maketrans(_STAND_INS, _LINE_BREAKERS)


def _decode_c_string(body: str) -> str | None:
    """The text msgfmt reads from a quoted string's ``body`` (None when an escape is invalid).

    Escapes make bytes, as in C: ``\\x`` takes every hex digit that follows and ``\\ooo`` up
    to three octal digits (both modulo 256), and the bytes are read as UTF-8 with the rest.
    """
    out = bytearray()
    pos = 0
    for match in _ESCAPE_RE.finditer(body):
        out += body[pos : match.start()].encode("utf-8")
        code = match.group(1)
        if code in _SIMPLE_ESCAPES:
            out += _SIMPLE_ESCAPES[code].encode("ascii")
        elif code[:1] == "x" and len(code) > 1:
            out.append(int(code[1:], 16) % 256)
        elif code[:1].isdigit() and code[:1] in "01234567":
            out.append(int(code, 8) % 256)
        else:
            return None
        pos = match.end()
    out += body[pos:].encode("utf-8")
    try:
        return out.decode("utf-8")
    except UnicodeDecodeError:
        return None


@dataclass(slots=True)
class _Run:
    """One keyword's string as it is spread over a keyword line and its continuation lines."""

    line: int
    """1-based line of the keyword."""
    head: str
    """What polib must see before the string, e.g. ``#~ msgstr `` or ``#| msgid ``."""
    bodies: list[str]
    """The quoted bodies in the escapes polib reads, one per line."""
    more: list[int]
    """Lines of the continuation strings."""
    rewrite: bool
    """The keyword line must be rewritten even without continuations."""


class _Linter:
    """Finds PO syntax errors polib would accept or misreport, naming the 1-based line.

    Checks what ``msgfmt`` checks at the syntax level: every line is a comment, a keyword with
    a terminated string, or a string continuation; escapes are valid; every msgid has a
    msgstr; no msgid is defined twice. On the way it notes what polib does not report: the
    previous msgids (``#~|``) of obsolete entries and the line of each live entry's ``msgid``;
    and it prepares the text polib parses (:meth:`polib_text`): each string on its keyword's
    line (polib appends continuation lines one by one, quadratic in a long string's length),
    C escapes polib does not know decoded, ``#~ #|`` spelled ``#~|``.
    """

    def __init__(self, text: str, *, path: Path) -> None:
        self.path = path
        self.lines = text.split("\n")
        self.can_fold = _FOLD not in text
        self.has_nul = "\x00" in text
        self.rewritten: dict[int, str] = {}
        """1-based line → the line as polib must see it."""
        self.obsolete_previous: dict[str, str] = {}
        self.msgid_lines: dict[tuple[str | None, str], int] = {}
        self.pending_previous: list[str] = []
        self.previous_field: str | None = None
        self.entry: dict[str, object] = {}
        self.current: str | None = None
        self.run_: _Run | None = None
        self.comments: tuple[str, list[int]] = ("", [])
        """The run of extracted (``#.``) or translator (``#``) comment lines being read."""
        self.folded = False
        """Some comment run was folded into one line (see :data:`_FOLD`)."""

    def fail(self, message: str, number: int) -> CatalogueError:
        return CatalogueError(message, path=self.path, line=number, excerpt=self.lines[number - 1])

    def run(self) -> _Linter:
        fold, nul = self.can_fold, self.has_nul
        for number, line in enumerate(self.lines, 1):
            if nul and "\x00" in line:
                raise self.fail("NUL character (not allowed in a catalogue)", number)
            if line[:1] == "#" and line[1:2] not in ("~", "|"):
                if fold:  # a comment: translator, extracted, reference, flags (the common case)
                    self.comment(number, line)
                continue
            if fold and self.comments[1]:
                self.end_comments()
            stripped = line.strip()
            if not stripped:
                continue
            if not self.plain(number, stripped):
                self.line(number, stripped)
        self.end_comments()
        self.flush()
        self.close()
        return self

    def plain(self, number: int, stripped: str) -> bool:
        """:meth:`line` for the common lines, done quickly: ``msgid``, ``msgstr`` or
        ``msgctxt`` and one space before a string, or a continuation string, with no
        backslash; False (nothing done) for any other line."""
        if stripped[-1] != '"' or "\\" in stripped:
            return False
        if stripped[0] == '"':
            current = self.current
            if (len(stripped) < 2 or stripped.count('"') != 2 or self.run_ is None
                    or current is None):
                return False
            body = stripped[1:-1]
            self.run_.bodies.append(body)
            self.run_.more.append(number)
            if current in ("msgid", "msgctxt") and current in self.entry:
                pieces = self.entry[current]
                assert isinstance(pieces, list)
                pieces.append(body)
            return True
        name, _, quoted = stripped.partition(" ")
        if (name not in ("msgid", "msgstr", "msgctxt") or quoted[:1] != '"'
                or quoted.count('"') != 2):
            return False
        self.flush()
        self.run_ = _Run(number, f"{name} ", [quoted[1:-1]], [], False)
        self.keyword(number, name, quoted[1:-1], obsolete=False)
        return True

    def comment(self, number: int, line: str) -> None:
        """Note a comment line, to fold a long run of extracted or translator comments."""
        second = line[1:2]
        kind = "." if second == "." else "#" if second in ("", " ", "#") else ""
        if kind != self.comments[0]:
            self.end_comments()
            self.comments = (kind, [])
        if kind:
            self.comments[1].append(number)

    def end_comments(self) -> None:
        """Fold the finished comment run into its first line if it is long."""
        kind, numbers = self.comments
        self.comments = ("", [])
        if len(numbers) <= _FOLD_AT:
            return
        texts = []
        for number in numbers:
            stripped = self.lines[number - 1].strip()
            if kind == ".":  # polib skips a bare "#." and takes what follows "#. "
                if len(stripped.split(None, 1)) > 1:
                    texts.append(stripped[3:])
            else:  # polib: the text after the hashes and one space
                text = (stripped if stripped != "#" else "# ").lstrip("#")
                texts.append(text[1:] if text.startswith(" ") else text)
        if not texts:
            return
        self.rewritten[numbers[0]] = ("#. " if kind == "." else "# ") + _FOLD.join(texts)
        for number in numbers[1:]:
            self.rewritten[number] = ""
        self.folded = True

    def polib_text(self) -> str:
        """The text to hand polib (line numbers unchanged: joined lines become blank)."""
        if not self.rewritten:
            return "\n".join(self.lines)
        return "\n".join(self.rewritten.get(n, line) for n, line in enumerate(self.lines, 1))

    def flush(self) -> None:
        """Write the finished string run as one line for polib, if it needs it."""
        run, self.run_ = self.run_, None
        if run is None or not (run.more or run.rewrite):
            return
        self.rewritten[run.line] = f'{run.head}"{"".join(run.bodies)}"'
        for number in run.more:
            self.rewritten[number] = ""

    def line(self, number: int, stripped: str) -> None:
        """One non-blank line that is not a plain comment."""
        prefix = _PREFIX_RE.match(stripped)
        assert prefix is not None
        rest = stripped[prefix.end() :]
        marker = stripped[: prefix.end()].replace(" ", "")
        obsolete = marker.startswith("#~")
        if (stripped.startswith("#") and not marker) or (marker == "#~" and not rest):
            return  # a comment, or an empty obsolete line
        keyword = _KEYWORD_RE.match(rest)
        continuation = _CONTINUATION_RE.match(rest)
        if not keyword and not continuation:
            if stripped.startswith("#") and not rest.startswith(("msg", '"')):
                if obsolete and rest:
                    raise self.fail("malformed obsolete entry line", number)
                return
            if '"' in rest:
                raise self.fail("unterminated or malformed string", number)
            raise self.fail("not PO syntax", number)
        quoted = (keyword or continuation).group(2 if keyword else 1)  # type: ignore[union-attr]
        body, text, foreign = self.string(number, quoted)
        previous = "|" in marker
        if keyword:
            self.flush()
            head = ("#~| " if obsolete else "#| ") if previous else ("#~ " if obsolete else "")
            self.run_ = _Run(number, f"{head}{keyword.group(1)} ", [body], [],
                             foreign or marker.startswith("#~#|"))
        elif self.run_ is not None:
            self.run_.bodies.append(body)
            self.run_.more.append(number)
            self.run_.rewrite = self.run_.rewrite or foreign
        if previous:
            self.previous(keyword, text, obsolete=obsolete)
        elif keyword:
            self.keyword(number, keyword.group(1), text, obsolete=obsolete)
        elif self.current is None:
            raise self.fail("string outside an entry", number)
        elif self.current in ("msgid", "msgctxt") and self.current in self.entry:
            pieces = self.entry[self.current]
            assert isinstance(pieces, list)
            pieces.append(text)

    def string(self, number: int, quoted: str) -> tuple[str, str, bool]:
        """(body in polib's escapes, the text it means, whether its escapes were rewritten);
        escapes are checked as msgfmt checks them."""
        body = quoted[1:-1]
        if "\\" not in body:
            return body, body, False
        foreign = False
        for escape in _ESCAPE_RE.finditer(body):
            code = escape.group(1)
            if code in _SIMPLE_ESCAPES:
                foreign = foreign or code not in _POLIB_ESCAPES
            elif (code[:1] == "x" and len(code) > 1) or code[:1] in tuple("01234567"):
                foreign = True
            else:
                shown = f"'\\{code}'" if code else "at the end of the string"
                raise self.fail(f"invalid escape sequence {shown}", number)
        if not foreign:
            return body, polib.unescape(body), False
        decoded = _decode_c_string(body)
        if decoded is None:
            raise self.fail("escape sequences that do not make UTF-8 text", number)
        if "\x00" in decoded:
            raise self.fail("NUL character (not allowed in a catalogue)", number)
        return polib.escape(decoded), decoded, True

    def previous(self, keyword: re.Match[str] | None, text: str, *, obsolete: bool) -> None:
        """A ``#|`` line: only obsolete entries' previous msgids are kept (polib drops them)."""
        if obsolete and keyword:
            self.previous_field = keyword.group(1)
            if self.previous_field == "msgid":
                self.pending_previous[:] = [text]
        elif obsolete and not keyword and self.previous_field == "msgid" and self.pending_previous:
            self.pending_previous[0] += text

    def keyword(self, number: int, name: str, value: str, *, obsolete: bool) -> None:
        entry = self.entry
        if name in ("msgctxt", "msgid") and (self.current or "").startswith("msgstr"):
            self.close()
        if name == "msgctxt":
            if "msgid" in entry:
                raise self.fail("msgctxt after msgid", number)
            entry["msgctxt"] = [value]
        elif name == "msgid":
            if "msgid" in entry:
                raise self.fail("msgid without msgstr", int(entry["line"]))  # type: ignore[call-overload]
            entry.update(msgid=[value], line=number, obsolete=obsolete)
            if obsolete and self.pending_previous:
                entry["previous"] = self.pending_previous.pop()
        elif name.startswith("msgstr"):
            if "msgid" not in entry:
                raise self.fail("msgstr without msgid", number)
            entry["msgstr"] = True
        self.current = name

    def close(self) -> None:
        """End of an entry: it must have a msgstr and, if live, a msgid defined only once."""
        entry = self.entry
        if "msgid" in entry:
            line = int(entry["line"])  # type: ignore[call-overload]
            msgid = "".join(entry["msgid"])  # type: ignore[arg-type]
            if not entry.get("msgstr"):
                raise self.fail("msgid without msgstr", line)
            if entry.get("obsolete") and "previous" in entry:
                self.obsolete_previous[msgid] = str(entry["previous"])
            if not entry.get("obsolete"):
                context = "".join(entry["msgctxt"]) if "msgctxt" in entry else None  # type: ignore[arg-type]
                key = (context, msgid)
                if key in self.msgid_lines:
                    what = "header entry" if key[1] == "" else "message definition"
                    first = self.msgid_lines[key]
                    raise self.fail(f"duplicate {what} (first defined on line {first})", line)
                self.msgid_lines[key] = line
        entry.clear()


def parse(data: bytes, *, path: Path) -> Catalogue:
    """Catalogue bytes → Catalogue; malformed input raises CatalogueError with the line."""
    text = decode_utf8(data, path=path, error=CatalogueError)
    lint = _Linter(text, path=path).run()
    source = lint.polib_text()
    stand_ins = any(ch in source for ch in _LINE_BREAKERS)
    if stand_ins:
        if any(ch in source for ch in _STAND_INS):
            raise CatalogueError("unsupported mix of line separators and noncharacters", path=path)
        source = source.translate(_TO_STAND_INS)
    try:
        po = polib.pofile(source if "\n" in source else source + "\n", wrapwidth=79)
    except (OSError, ValueError) as exc:
        match = re.search(r"\(line (\d+)\)", str(exc))
        line = int(match.group(1)) if match else None
        message = re.sub(r"\s*\(line \d+\)", "", str(exc))
        raise CatalogueError(f"PO syntax error: {message}", path=path, line=line) from None
    if stand_ins:
        _restore_line_breakers(po)
    if lint.folded:
        for entry in po:
            entry.comment = entry.comment.replace(_FOLD, "\n")
            entry.tcomment = entry.tcomment.replace(_FOLD, "\n")
    for entry in po:
        if entry.obsolete and entry.msgid in lint.obsolete_previous and not entry.previous_msgid:
            entry.previous_msgid = lint.obsolete_previous[entry.msgid]
    return Catalogue(po, path=path, lines=lint.msgid_lines)


def _restore_line_breakers(po: polib.POFile) -> None:
    """Put back the line separators that stood in as noncharacters while polib parsed."""
    def back(value: str | None) -> str | None:
        return value.translate(_FROM_STAND_INS) if value else value

    po.header = back(po.header) or ""
    po.metadata = {k: back(v) or "" for k, v in po.metadata.items()}
    for entry in po:
        for name in ("msgid", "msgstr", "msgctxt", "msgid_plural", "comment", "tcomment",
                     "previous_msgid", "previous_msgctxt", "previous_msgid_plural"):
            setattr(entry, name, back(getattr(entry, name, None)))
        entry.msgstr_plural = {k: back(v) or "" for k, v in entry.msgstr_plural.items()}


def read(path: Path, *, name: Path | None = None) -> Catalogue | None:
    """The catalogue at ``path`` (errors name ``name``, default ``path``), None if missing."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    return parse(data, path=name or path)


# -- writing ---------------------------------------------------------------------------


def _now() -> str:
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    moment = dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC) if epoch else dt.datetime.now(dt.UTC)
    return moment.strftime(_DATE_FORMAT)


def _ordered(metadata: dict[str, str]) -> dict[str, str]:
    known = {key: metadata[key] for key in _HEADER_ORDER if key in metadata}
    return known | {key: value for key, value in metadata.items() if key not in known}


# -- template --------------------------------------------------------------------------

_TEMPLATE_NOTE = "This file is generated by localise from the source article; edit the .po files."
_CATALOGUE_NOTE = (
    "Translators: edit this file (Poedit, Lokalize, Weblate); localise keeps your work."
)


def glossary_note(msgid: str, glossary: Glossary | None) -> str | None:
    """Extracted-comment line naming the glossary terms a unit contains, if any."""
    if glossary is None:
        return None
    by_term: dict[str, list[str]] = {}
    for term in glossary.found_in(msgid):
        notes = by_term.setdefault(term.term, [])
        if term.keep:
            notes.append("do not translate")
        else:
            notes.append(f"{term.language} {' / '.join(term.alternatives)}")
    if not by_term:
        return None
    return "Glossary: " + "; ".join(f"{t} → {', '.join(n)}" for t, n in by_term.items())


def _template_header(document: Document) -> polib.POFile:
    pot = polib.POFile(wrapwidth=79, check_for_duplicates=False)
    pot.header = f"Translations of {document.path.as_posix()}.\n{_TEMPLATE_NOTE}"
    pot.metadata = {
        "Project-Id-Version": document.slug,
        "Report-Msgid-Bugs-To": "",
        "POT-Creation-Date": "",
        "PO-Revision-Date": "YEAR-MO-DA HO:MI+ZONE",
        "Last-Translator": "FULL NAME <EMAIL@ADDRESS>",
        "Language-Team": "LANGUAGE <LL@li.org>",
        "Language": "",
        "MIME-Version": "1.0",
        "Content-Type": "text/plain; charset=UTF-8",
        "Content-Transfer-Encoding": "8bit",
        "X-Generator": f"localise {__version__}",
    }
    pot.metadata_is_fuzzy = ["fuzzy"]
    return pot


def template(
    document: Document,
    *,
    reference_comments: str = "file",
    previous: Catalogue | None = None,
    glossary: Glossary | None = None,
) -> Catalogue:
    """The POT for one article: one entry per distinct msgid, in source order.

    ``previous`` (the POT on disk) lends its creation date when nothing else changed.
    """
    pot = _template_header(document)
    by_msgid: dict[str, polib.POEntry] = {}
    for unit in document.units:
        entry = by_msgid.get(unit.msgid)
        where = str(unit.line) if reference_comments == "line" else ""
        occurrence = (document.path.as_posix(), where)
        if entry is None:
            note = glossary_note(unit.msgid, glossary)
            comment = unit.comment + (f"\n{note}" if note else "")
            entry = polib.POEntry(msgid=unit.msgid, msgstr="", comment=comment)
            if unit.brace_format:
                entry.flags.append("python-brace-format")
            by_msgid[unit.msgid] = entry
            pot.append(entry)
        elif unit.comment not in entry.comment.split("\n"):
            entry.comment = _add_comment(entry.comment, unit.comment)
        if reference_comments != "none" and occurrence not in entry.occurrences:
            entry.occurrences.append(occurrence)
    stamp = _now()
    if previous is not None:
        old = previous._po.metadata.get("POT-Creation-Date", "")
        pot.metadata["POT-Creation-Date"] = old
        if old and poformat.dumps(pot) == poformat.dumps(previous._po):
            return Catalogue(pot)
    pot.metadata["POT-Creation-Date"] = stamp
    return Catalogue(pot)


def _add_comment(comment: str, line: str) -> str:
    """Another occurrence's description, kept before the glossary note."""
    lines = comment.split("\n")
    at = next((i for i, text in enumerate(lines) if text.startswith("Glossary: ")), None)
    if at is None:
        lines.append(line)
    else:
        lines.insert(at, line)
    return "\n".join(lines)


def retitled(catalogue: Catalogue, *, source: str, slug: str, old_slug: str) -> Catalogue:
    """The catalogue of an article that moved to ``source`` (slug ``slug``): the header comment
    and a ``Project-Id-Version`` that named ``old_slug`` follow; every entry stays as it was."""
    po = catalogue._po
    po.header = re.sub(
        r"(?m)^Translations of .*?\.$", lambda _: f"Translations of {source}.", po.header, count=1
    )
    if po.metadata.get("Project-Id-Version") == old_slug:
        po.metadata["Project-Id-Version"] = slug
    return catalogue


# -- merge (msgmerge --previous semantics) ---------------------------------------------


def plural_forms(lang: str) -> str:
    """CLDR plural rule for ``lang`` in gettext's Plural-Forms syntax (via Babel)."""
    from babel.messages.plurals import get_plural

    return get_plural(lang).plural_forms


def _words(text: str) -> list[str]:
    return re.findall(r"\w+|[^\w\s]", text)


SHORT_TEXT = 80
"""Up to this length texts are compared by characters (a heading gaining one letter still
matches); longer ones by words, so that unrelated paragraphs sharing letters do not."""


def similarity(a: str, b: str) -> float:
    """Similarity in [0, 1] used to find the previous version of an edited unit."""
    if max(len(a), len(b)) <= SHORT_TEXT:
        matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    else:
        matcher = difflib.SequenceMatcher(None, _words(a), _words(b), autojunk=False)
    if matcher.real_quick_ratio() < FUZZY_THRESHOLD or matcher.quick_ratio() < FUZZY_THRESHOLD:
        return 0.0
    return matcher.ratio()


def merge(
    old: Catalogue | None, pot: Catalogue, *, lang: str, keep_obsolete: bool = True
) -> Catalogue:
    """Refresh a language catalogue from the template, as ``msgmerge --previous`` would.

    Unchanged msgids keep their translation; changed ones take the closest old translation,
    marked fuzzy with the previous msgid; vanished translated entries become obsolete.
    """
    po = _merged_header(old._po if old else None, pot._po, lang=lang)
    old_entries = [e for e in (old._po if old else []) if e.msgid != ""]
    used: set[int] = set()
    pending = _carry_exact(po, pot._po, old_entries, used)
    _carry_similar(pending, old_entries, used)
    if keep_obsolete:
        po.extend(_obsolete(e) for e in old_entries if id(e) not in used and _translated(e))
    return Catalogue(po)


def _translated(entry: polib.POEntry) -> bool:
    return bool(entry.msgstr) or any(entry.msgstr_plural.values())


def _obsolete(entry: polib.POEntry) -> polib.POEntry:
    """A translated message that left the template, kept as ``#~`` the way msgmerge keeps it:
    translator comments, flags, plural forms and the previous msgid (``#~|``) included."""
    return polib.POEntry(
        msgid=entry.msgid,
        msgctxt=entry.msgctxt,
        msgid_plural=entry.msgid_plural,
        msgstr=entry.msgstr,
        msgstr_plural=dict(entry.msgstr_plural),
        tcomment=entry.tcomment,
        flags=list(entry.flags),
        previous_msgid=entry.previous_msgid,
        previous_msgctxt=entry.previous_msgctxt,
        obsolete=True,
    )


def _merged_header(old: polib.POFile | None, pot: polib.POFile, *, lang: str) -> polib.POFile:
    """The new catalogue's header: the old one's (or the template's, first time), for ``lang``."""
    po = polib.POFile(wrapwidth=79, check_for_duplicates=False)
    if old is None:
        po.header = pot.header.replace(_TEMPLATE_NOTE, _CATALOGUE_NOTE)
        metadata = dict(pot.metadata)
        po.metadata_is_fuzzy = []
    else:
        po.header = old.header
        metadata = dict(old.metadata)
        metadata["POT-Creation-Date"] = pot.metadata.get("POT-Creation-Date", "")
        metadata.setdefault("Project-Id-Version", pot.metadata.get("Project-Id-Version", ""))
        po.metadata_is_fuzzy = old.metadata_is_fuzzy
    metadata["Language"] = lang
    metadata.setdefault("Plural-Forms", plural_forms(lang))
    metadata["Content-Type"] = "text/plain; charset=UTF-8"
    metadata.setdefault("MIME-Version", "1.0")
    metadata.setdefault("Content-Transfer-Encoding", "8bit")
    po.metadata = _ordered(metadata)
    return po


def _carry_exact(
    po: polib.POFile, pot: polib.POFile, old_entries: list[polib.POEntry], used: set[int]
) -> list[polib.POEntry]:
    """Append one entry per template message, with the old translation of the same msgid
    (live first, else obsolete); return the entries that found none."""
    exact = {(e.msgctxt, e.msgid): e for e in old_entries if not e.obsolete}
    for e in old_entries:
        if e.obsolete:
            exact.setdefault((e.msgctxt, e.msgid), e)
    pending: list[polib.POEntry] = []
    for source in pot:
        entry = polib.POEntry(
            msgid=source.msgid,
            msgctxt=source.msgctxt,
            msgstr="",
            comment=source.comment,
            occurrences=list(source.occurrences),
            flags=[f for f in source.flags if f != "fuzzy"],
        )
        match = exact.get((source.msgctxt, source.msgid))
        if match is not None:
            used.add(id(match))
            entry.msgstr = match.msgstr
            entry.tcomment = match.tcomment
            if "fuzzy" in match.flags:
                entry.flags.insert(0, "fuzzy")
                entry.previous_msgid = match.previous_msgid
                entry.previous_msgctxt = match.previous_msgctxt
            drafts.settle(Entry(entry))  # a reviewed entry keeps no draft marks
        else:
            pending.append(entry)
        po.append(entry)
    return pending


def _carry_similar(
    pending: list[polib.POEntry], old_entries: list[polib.POEntry], used: set[int]
) -> None:
    """Give each new msgid the closest unused old translation, fuzzy with the previous msgid."""
    candidates = [e for e in old_entries if id(e) not in used and e.msgstr and not e.msgid_plural]
    for entry in pending:
        best, best_score = None, FUZZY_THRESHOLD
        for candidate in candidates:
            if id(candidate) in used:
                continue
            score = similarity(candidate.msgid, entry.msgid)
            if score >= best_score:
                best, best_score = candidate, score
        if best is None:
            continue
        used.add(id(best))
        entry.msgstr = best.msgstr
        entry.tcomment = best.tcomment
        carried = Entry(entry)
        if "fuzzy" not in best.flags:
            drafts.clear(carried)  # a reviewed translation carried on is human work, not a draft
        carried.fuzzy = True
        # like msgmerge: a fuzzy entry keeps the msgid its translation was made for
        earlier = best.previous_msgid if "fuzzy" in best.flags else None
        entry.previous_msgid = earlier or best.msgid
        if best.msgctxt is not None:
            entry.previous_msgctxt = best.msgctxt


# -- counting --------------------------------------------------------------------------


def count_words(text: str) -> int:
    """Source words as a translator counts them (markup punctuation excluded)."""
    return len(re.findall(r"[^\W_]+(?:['’.-][^\W_]+)*", text))
