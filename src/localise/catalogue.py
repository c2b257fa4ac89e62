"""Units ↔ gettext catalogues: template, merge, canonical writing, stats (only polib user)."""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import polib

from localise import __version__
from localise.errors import CatalogueError
from localise.glossary import Glossary
from localise.model import Document

POFile = polib.POFile
POEntry = polib.POEntry

MT_PREFIX = "MT: "
"""Translator-comment prefix marking a machine draft (engine, model, version)."""
MT_FLAG_PREFIX = "MT-check: "
"""Translator-comment prefix for what the reviewer must fix in a machine draft."""
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


# -- reading ---------------------------------------------------------------------------

_STRING = r'"(?:[^"\\]|\\.)*"'
_PREFIX_RE = re.compile(r"^(?:#~\s*(?:#?\|)?|#\|)?\s*")
_KEYWORD_RE = re.compile(rf"^(msgctxt|msgid|msgid_plural|msgstr(?:\[\d+\])?)\s+({_STRING})\s*$")
_CONTINUATION_RE = re.compile(rf"^({_STRING})\s*$")
_ESCAPE_RE = re.compile(r"\\(.)")
_VALID_ESCAPES = frozenset("ntbrfva\\\"?'x01234567")


def _unescape(quoted: str) -> str:
    return polib.unescape(quoted[1:-1])


def _lint(text: str, *, path: Path) -> dict[str, str]:
    """Find PO syntax errors polib would accept or misreport; raise naming the 1-based line.

    Checks what ``msgfmt`` checks at the syntax level: every line is a comment, a keyword with
    a terminated string, or a string continuation; escapes are valid; every msgid has a
    msgstr; no msgid is defined twice. Returns the previous msgids (``#~|``) of obsolete
    entries, which polib does not read.
    """
    obsolete_previous: dict[str, str] = {}
    pending_previous: list[str] = []
    previous_field: str | None = None
    lines = text.split("\n")
    seen: dict[tuple[str | None, str], int] = {}
    entry: dict[str, object] = {}

    def fail(message: str, number: int) -> CatalogueError:
        return CatalogueError(message, path=path, line=number, excerpt=lines[number - 1])

    def close() -> None:
        if "msgid" not in entry:
            entry.clear()
            return
        line = int(entry["line"])  # type: ignore[call-overload]
        if not entry.get("msgstr"):
            raise fail("msgid without msgstr", line)
        if entry.get("obsolete") and "previous" in entry:
            obsolete_previous[str(entry["msgid"])] = str(entry["previous"])
        if not entry.get("obsolete"):
            key = (entry.get("msgctxt"), str(entry["msgid"]))  # type: ignore[arg-type]
            if key in seen:
                what = "header entry" if key[1] == "" else "message definition"
                raise fail(f"duplicate {what} (first defined on line {seen[key]})", line)
            seen[key] = line
        entry.clear()

    current: str | None = None
    for number, line in enumerate(lines, 1):
        if line[:1] == "#" and line[1:2] not in ("~", "|"):
            continue  # a comment: translator, extracted, reference, flags (the common case)
        stripped = line.strip()
        if not stripped:
            continue
        prefix = _PREFIX_RE.match(stripped)
        assert prefix is not None
        rest = stripped[prefix.end() :]
        marker = stripped[: prefix.end()].replace(" ", "")
        previous = "|" in marker
        obsolete = marker.startswith("#~")
        if stripped.startswith("#") and not marker:
            continue  # a comment: translator, extracted, reference, flags
        if marker == "#~" and not rest:
            continue
        keyword = _KEYWORD_RE.match(rest)
        continuation = _CONTINUATION_RE.match(rest)
        if not keyword and not continuation:
            if stripped.startswith("#") and not rest.startswith(("msg", '"')):
                if obsolete and rest:
                    raise fail("malformed obsolete entry line", number)
                continue
            if '"' in rest:
                raise fail("unterminated or malformed string", number)
            raise fail("not PO syntax", number)
        quoted = (keyword or continuation).group(2 if keyword else 1)  # type: ignore[union-attr]
        if "\\" in quoted:
            for escape in _ESCAPE_RE.finditer(quoted[1:-1]):
                if escape.group(1) not in _VALID_ESCAPES:
                    raise fail(f"invalid escape sequence '\\{escape.group(1)}'", number)
        if previous:
            if obsolete and keyword:
                previous_field = keyword.group(1)
                if previous_field == "msgid":
                    pending_previous[:] = [_unescape(keyword.group(2))]
            elif obsolete and continuation and previous_field == "msgid" and pending_previous:
                pending_previous[0] += _unescape(continuation.group(1))
            continue
        if keyword:
            name = keyword.group(1)
            if name in ("msgctxt", "msgid") and (current or "").startswith("msgstr"):
                close()
            if name == "msgctxt":
                if "msgid" in entry:
                    raise fail("msgctxt after msgid", number)
                entry["msgctxt"] = _unescape(keyword.group(2))
            elif name == "msgid":
                if "msgid" in entry:
                    raise fail("msgid without msgstr", int(entry["line"]))  # type: ignore[call-overload]
                entry.update(msgid=_unescape(keyword.group(2)), line=number, obsolete=obsolete)
                if obsolete and pending_previous:
                    entry["previous"] = pending_previous.pop()
            elif name.startswith("msgstr"):
                if "msgid" not in entry:
                    raise fail("msgstr without msgid", number)
                entry["msgstr"] = True
            current = name
        elif current is None:
            raise fail("string outside an entry", number)
        elif current == "msgid" and "msgid" in entry:
            entry["msgid"] = str(entry["msgid"]) + _unescape(continuation.group(1))  # type: ignore[union-attr]
        elif current == "msgctxt" and "msgctxt" in entry:
            entry["msgctxt"] = str(entry["msgctxt"]) + _unescape(continuation.group(1))  # type: ignore[union-attr]
    close()
    return obsolete_previous


def parse(data: bytes, *, path: Path) -> POFile:
    """Catalogue bytes → polib.POFile; malformed input raises CatalogueError with the line."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise CatalogueError(
            f"not valid UTF-8 (byte 0x{data[exc.start]:02x})", path=path, line=line
        ) from None
    text = text.removeprefix("\ufeff")
    obsolete_previous = _lint(text, path=path)
    try:
        catalogue = polib.pofile(text if "\n" in text else text + "\n", wrapwidth=79)
    except (OSError, ValueError) as exc:
        match = re.search(r"\(line (\d+)\)", str(exc))
        line = int(match.group(1)) if match else None
        message = re.sub(r"\s*\(line \d+\)", "", str(exc))
        raise CatalogueError(f"PO syntax error: {message}", path=path, line=line) from None
    for entry in catalogue:
        if entry.obsolete and entry.msgid in obsolete_previous and not entry.previous_msgid:
            entry.previous_msgid = obsolete_previous[entry.msgid]
    return catalogue


def read(path: Path) -> POFile | None:
    """The catalogue at ``path``, or None when it does not exist."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    return parse(data, path=path)


# -- writing ---------------------------------------------------------------------------


def render(catalogue: POFile) -> bytes:
    """Canonical bytes: exactly what GNU msgcat writes for the same catalogue."""
    from localise import poformat

    return poformat.dumps(catalogue).encode("utf-8")


def _now() -> str:
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    moment = dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC) if epoch else dt.datetime.now(dt.UTC)
    return moment.strftime(_DATE_FORMAT)


def _ordered(metadata: dict[str, str]) -> dict[str, str]:
    known = {key: metadata[key] for key in _HEADER_ORDER if key in metadata}
    return known | {key: value for key, value in metadata.items() if key not in known}


# -- template --------------------------------------------------------------------------


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


def template(
    document: Document,
    *,
    references: str = "file",
    previous: POFile | None = None,
    glossary: Glossary | None = None,
) -> POFile:
    """The POT for one article: one entry per distinct msgid, in source order.

    ``previous`` (the POT on disk) lends its creation date when nothing else changed.
    """
    pot = polib.POFile(wrapwidth=79, check_for_duplicates=False)
    pot.header = (
        f"Translations of {document.path.as_posix()}.\n"
        "This file is generated by localise from the source article; edit the .po files."
    )
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
    by_msgid: dict[str, POEntry] = {}
    for unit in document.units:
        entry = by_msgid.get(unit.msgid)
        occurrence = (document.path.as_posix(), str(unit.line) if references == "line" else "")
        if entry is None:
            note = glossary_note(unit.msgid, glossary)
            comment = unit.comment + (f"\n{note}" if note else "")
            entry = polib.POEntry(msgid=unit.msgid, msgstr="", comment=comment)
            if unit.placeholders:
                entry.flags.append("python-brace-format")
            by_msgid[unit.msgid] = entry
            pot.append(entry)
        elif unit.comment not in entry.comment.split("\n"):
            lines = entry.comment.split("\n")
            at = next((i for i, line in enumerate(lines) if line.startswith("Glossary: ")), None)
            if at is None:
                lines.append(unit.comment)
            else:
                lines.insert(at, unit.comment)
            entry.comment = "\n".join(lines)
        if references != "none" and occurrence not in entry.occurrences:
            entry.occurrences.append(occurrence)
    stamp = _now()
    if previous is not None:
        old = previous.metadata.get("POT-Creation-Date", "")
        pot.metadata["POT-Creation-Date"] = old
        if old and render(pot) == render(previous):
            return pot
    pot.metadata["POT-Creation-Date"] = stamp
    return pot


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


def draft_mark(text: str) -> str:
    """Short fingerprint of a machine draft, written after its ``MT:`` attribution."""
    return "#" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:8]


def is_machine_draft(entry: POEntry) -> bool:
    """True for an unreviewed machine translation: fuzzy, attributed to an engine, and still
    exactly the text the engine wrote (a translator's edit, even left fuzzy, is human work)."""
    if "fuzzy" not in entry.flags:
        return False
    mark = draft_mark(entry.msgstr)
    return any(
        line.startswith(MT_PREFIX) and line.endswith(mark) for line in entry.tcomment.split("\n")
    )


def _reviewed_comment(tcomment: str) -> str:
    """Translator comment of a reviewed entry: machine-draft notes no longer apply."""
    return "\n".join(
        line for line in tcomment.split("\n") if not line.startswith((MT_PREFIX, MT_FLAG_PREFIX))
    )


def merge(old: POFile | None, pot: POFile, *, lang: str, keep_obsolete: bool = True) -> POFile:
    """Refresh a language catalogue from the template, as ``msgmerge --previous`` would.

    Unchanged msgids keep their translation; changed ones take the closest old translation,
    marked fuzzy with the previous msgid; vanished translated entries become obsolete.
    """
    po = polib.POFile(wrapwidth=79, check_for_duplicates=False)
    if old is None:
        po.header = pot.header.replace(
            "This file is generated by localise from the source article; edit the .po files.",
            "Translators: edit this file (Poedit, Lokalize, Weblate); localise keeps your work.",
        )
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

    old_entries = [e for e in (old or []) if e.msgid != ""]
    exact = {(e.msgctxt, e.msgid): e for e in old_entries if not e.obsolete}
    for e in old_entries:
        if e.obsolete:
            exact.setdefault((e.msgctxt, e.msgid), e)
    used: set[int] = set()
    pending: list[tuple[int, POEntry]] = []
    for position, source in enumerate(pot):
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
        else:
            pending.append((position, entry))
        po.append(entry)

    candidates = [e for e in old_entries if id(e) not in used and e.msgstr]
    for _, entry in pending:
        best, best_score = None, FUZZY_THRESHOLD
        for candidate in candidates:
            if id(candidate) in used:
                continue
            score = similarity(candidate.msgid, entry.msgid)
            if score >= best_score:
                best, best_score = candidate, score
        if best is not None:
            used.add(id(best))
            entry.msgstr = best.msgstr
            # a reviewed translation carried to a changed msgid is human work, not a draft
            reviewed = "fuzzy" not in best.flags
            entry.tcomment = _reviewed_comment(best.tcomment) if reviewed else best.tcomment
            entry.flags.insert(0, "fuzzy")
            # like msgmerge: a fuzzy entry keeps the msgid its translation was made for
            earlier = best.previous_msgid if "fuzzy" in best.flags else None
            entry.previous_msgid = earlier or best.msgid
            if best.msgctxt is not None:
                entry.previous_msgctxt = best.msgctxt

    if keep_obsolete:
        for e in old_entries:
            if id(e) not in used and e.msgstr:
                gone = polib.POEntry(
                    msgid=e.msgid,
                    msgctxt=e.msgctxt,
                    msgstr=e.msgstr,
                    tcomment=e.tcomment,
                    flags=list(e.flags),
                    obsolete=True,
                )
                po.append(gone)
    return po


# -- questions about catalogues -------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Counts:
    """Units and source words by state; fuzzy never counts as translated."""

    total: int = 0
    translated: int = 0
    fuzzy: int = 0
    untranslated: int = 0
    words_total: int = 0
    words_translated: int = 0
    words_fuzzy: int = 0
    words_untranslated: int = 0

    def __add__(self, other: Counts) -> Counts:
        return Counts(*(a + b for a, b in zip(_astuple(self), _astuple(other), strict=True)))

    @property
    def percent(self) -> float:
        """Reviewed share of units, 0–100 (100 for an empty catalogue)."""
        return 100.0 * self.translated / self.total if self.total else 100.0


def _astuple(counts: Counts) -> tuple[int, ...]:
    return tuple(getattr(counts, name) for name in Counts.__slots__)


def count_words(text: str) -> int:
    """Source words as a translator counts them (markup punctuation excluded)."""
    return len(re.findall(r"[^\W_]+(?:['’.-][^\W_]+)*", text))


def stats(catalogue: POFile) -> Counts:
    """Counts over the live (non-obsolete, non-header) entries."""
    t = f = u = wt = wf = wu = 0
    for entry in catalogue:
        if entry.obsolete or entry.msgid == "":
            continue
        words = count_words(entry.msgid)
        if "fuzzy" in entry.flags and entry.msgstr:
            f, wf = f + 1, wf + words
        elif entry.msgstr:
            t, wt = t + 1, wt + words
        else:
            u, wu = u + 1, wu + words
    return Counts(t + f + u, t, f, u, wt + wf + wu, wt, wf, wu)


def translations(catalogue: POFile | None, *, include_fuzzy: bool = False) -> dict[str, str]:
    """msgid → usable msgstr (reviewed only, or also fuzzy drafts)."""
    if catalogue is None:
        return {}
    return {
        e.msgid: e.msgstr
        for e in catalogue
        if not e.obsolete and e.msgid and e.msgstr and (include_fuzzy or "fuzzy" not in e.flags)
    }


def live_entries(catalogue: POFile) -> Iterable[POEntry]:
    """Non-obsolete entries other than the header."""
    return (e for e in catalogue if not e.obsolete and e.msgid != "")
