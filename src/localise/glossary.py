"""``locales/glossary.csv``: do-not-translate names and required term translations."""

from __future__ import annotations

import functools
import io
import re
from dataclasses import dataclass
from pathlib import Path

from localise.errors import ConfigError

COLUMNS = ("term", "language", "translation", "note", "strict")


@dataclass(frozen=True, slots=True)
class Term:
    """One glossary row: ``language`` ``*`` with no translation means do-not-translate."""

    term: str
    language: str
    translation: str
    note: str
    strict: bool
    line: int
    """1-based line in the CSV file."""

    @property
    def alternatives(self) -> tuple[str, ...]:
        """Accepted translations (the ``translation`` cell may list several, separated by ``|``)."""
        return tuple(t.strip() for t in self.translation.split("|") if t.strip())

    @property
    def keep(self) -> bool:
        """True when the term must appear unchanged in every translation."""
        return self.language == "*" and not self.translation


@dataclass(frozen=True, slots=True)
class Glossary:
    """All glossary rows, with look-ups by language and by source text."""

    terms: tuple[Term, ...] = ()
    path: Path | None = None

    def keep_terms(self) -> list[str]:
        """Terms that must pass through translation untouched."""
        return [t.term for t in self.terms if t.keep]

    def required(self, lang: str) -> list[Term]:
        """Terms with a required translation in ``lang``."""
        return [t for t in self.terms if t.language == lang and t.translation]

    def found_in(self, text: str, *, lang: str | None = None) -> list[Term]:
        """Terms (do-not-translate, or required for ``lang``; every language when None) occurring
        in ``text`` as words, longest first; a term seen only inside a longer one is left out."""
        wanted = [
            t
            for t in self.terms
            if t.keep or (t.translation and (lang is None or t.language == lang))
        ]
        taken: dict[int, int] = {}  # start of a matched term → its furthest end
        longest = 0
        out: list[Term] = []
        haystack = Haystack(text)  # most terms are absent: skipped without their pattern
        for t in sorted((t for t in wanted if haystack.may_hold(t.term)),
                        key=lambda t: -len(t.term)):
            spans = [(m.start(), m.end()) for m in term_pattern(t.term).finditer(text)]
            # inside a longer match: one started at most `longest` before (linear in the text)
            free = [
                (start, end)
                for start, end in spans
                if not any(taken.get(a, -1) >= end for a in range(end - longest, start + 1))
            ]
            if free:
                out.append(t)
                for start, end in free:
                    taken[start] = max(taken.get(start, -1), end)
                    longest = max(longest, end - start)
            elif spans and any(o.term == t.term for o in out):
                out.append(t)  # same term, another language
        return out


_FOLD = str.maketrans(
    {**{chr(c): chr(c + 32) for c in range(ord("A"), ord("Z") + 1)},
     "\u0130": "i", "\u0131": "i", "\u212a": "k", "\u017f": "s"}
)
"""Every character ``re.IGNORECASE`` matches with an ASCII letter, as that lower-case letter:
A–Z, and İ ı (i), the Kelvin sign (k) and long s (s) (``tests/test_glossary.py`` checks the
list against every code point)."""


class Haystack:
    """A text searched for many terms; :meth:`may_hold` rules a term out before its pattern runs."""

    __slots__ = ("_folded", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self._folded: str | None = None

    def may_hold(self, term: str) -> bool:
        """False only when no match of ``term`` can be in the text, for any pattern that is
        case-insensitive exactly when the term is lower case (:func:`term_pattern`, the
        do-not-translate check's): it is not a substring (case-folded as ``IGNORECASE``
        matches, for a lower-case ASCII term; a lower-case term with other letters is always
        tried)."""
        if not term.islower():
            return term in self.text
        if not term.isascii():
            return True
        if self._folded is None:
            self._folded = self.text.translate(_FOLD)
        return term in self._folded


@functools.lru_cache(maxsize=4096)  # every draft is searched for every term of the glossary
def term_pattern(term: str) -> re.Pattern[str]:
    """Whole-word match; only Latin letters and digits count as word characters, so that
    ``PlacidWay`` is found in ``PlacidWayは`` (Japanese has no spaces between words)."""
    flags = re.IGNORECASE if term.islower() else 0
    return re.compile(rf"(?<![A-Za-z0-9]){re.escape(term)}(?![A-Za-z0-9])", flags)


def occurs(term: str, text: str) -> bool:
    """True when ``term`` occurs in ``text`` as a whole word (case-insensitive if lower-case)."""
    return bool(term_pattern(term).search(text))


def _rows(data: str, *, path: Path) -> list[tuple[int, list[str]]]:
    """(1-based line where the row starts, cells) per CSV row; malformed CSV names its line."""
    import csv  # only for a project with a glossary file

    reader = csv.reader(io.StringIO(data))
    rows = []
    start = 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return rows
        except csv.Error as exc:
            limit = csv.field_size_limit() // 1024
            why = f"a cell longer than {limit} KiB" if "field larger" in str(exc) else str(exc)
            raise ConfigError(f"malformed CSV: {why}", path=path, line=start) from None
        rows.append((start, row))
        start = reader.line_num + 1


def parse(data: str, *, path: Path, languages: tuple[str, ...] | None = None) -> Glossary:
    """Glossary CSV text → Glossary; a malformed row raises ConfigError naming its line.

    With ``languages`` (the project's), a row for any other language is an error too.
    """
    rows = _rows(data, path=path)
    if not rows:
        return Glossary((), path)
    header = [cell.strip().lower() for cell in rows[0][1]]
    if header[:2] != ["term", "language"] or "translation" not in header:
        raise ConfigError(
            f"glossary header must start with {','.join(COLUMNS[:3])}",
            path=path,
            line=1,
            excerpt=",".join(rows[0][1]),
        )
    unknown = [h for h in header if h not in COLUMNS]
    if unknown:
        raise ConfigError(f"unknown glossary column {unknown[0]!r}", path=path, line=1)
    terms = []
    for number, row in rows[1:]:
        if not row or not "".join(row).strip() or row[0].startswith("#"):
            continue
        if len(row) > len(header):
            raise ConfigError("too many columns", path=path, line=number, excerpt=",".join(row))
        cells = dict(zip(header, (c.strip() for c in row), strict=False))
        if not cells.get("term") or not cells.get("language"):
            raise ConfigError(
                "term and language are required", path=path, line=number, excerpt=",".join(row)
            )
        language = cells["language"]
        if languages is not None and language != "*" and language not in languages:
            raise ConfigError(
                f"language {language!r} is not one of the project's "
                f"({', '.join(languages)}, or * for every language)",
                path=path,
                line=number,
            )
        strict = cells.get("strict", "").lower()
        if strict not in ("", "yes", "no", "true", "false"):
            raise ConfigError("strict must be yes or no", path=path, line=number)
        terms.append(
            Term(
                cells["term"],
                language,
                cells.get("translation", ""),
                cells.get("note", ""),
                strict in ("yes", "true"),
                number,
            )
        )
    return Glossary(tuple(terms), path)
