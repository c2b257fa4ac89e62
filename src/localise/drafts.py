"""The draft protocol: how a machine or memory draft is attributed, fingerprinted, flagged, settled.

A draft is a fuzzy entry whose translator comments hold one attribution line and one
``MT-check: <problem>`` line per thing the reviewer must fix (or, for ``glossary-applied``
notes, check). The attribution is either

* ``MT: <engine and model> #<fingerprint>``: a machine draft, or
* ``TM: <score>% from <origin> #<fingerprint>``: a translation-memory draft, the reviewed
  translation of a similar source found in ``<origin>`` (a catalogue of the same language,
  relative to its language folder, or a compendium relative to the project), or
  ``TM: aligned from <file> #<fingerprint>``: a translation brought in by ``localise import``.

The fingerprint is a hash of the msgstr as drafted: once a translator edits the text (even
leaving it fuzzy) the entry is human work, which no draft replaces. Once a translator reviews
an entry (clears fuzzy), :func:`settle` drops its attribution and ``MT-check`` lines, and on an
edited draft it keeps only the ``MT-check`` lines that still hold: a reviewed entry carries no
draft marks at all. This module is the only place that knows these comment formats; it works
on any entry with the :class:`Annotated` shape (the catalogue's entries have it).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal, Protocol

MT_PREFIX = "MT: "
"""Translator-comment prefix marking a machine draft (engine, model, version)."""
TM_PREFIX = "TM: "
"""Translator-comment prefix marking a translation-memory (or imported) draft."""
CHECK_PREFIX = "MT-check: "
"""Translator-comment prefix for what the reviewer must fix (or check) in a draft."""
NOTE_CHECK = "glossary-applied"
"""``MT-check`` lines of this check are notes (a glossary term the draft was given), not
problems: they do not make a draft *flagged*."""
_TM_SCORE = re.compile(r"^(\d{1,3})% from (.+)$")

Kind = Literal["MT", "TM"]


class Annotated(Protocol):
    """What the protocol needs of a catalogue entry."""

    msgstr: str
    fuzzy: bool
    translator_comments: list[str]
    previous_msgid: str | None


@dataclass(frozen=True, slots=True)
class DraftRecord:
    """What a draft left on an entry: who made it, the text's fingerprint, what to fix."""

    engine: str
    """Engine and model as attributed (``apertium-eng-spa 0.8.1-2``), or for a memory draft
    ``TM`` and its details (``TM 92% from guides/x.po``)."""
    fingerprint: str
    """``#`` and 8 hex digits of the SHA-256 of the msgstr as drafted ("" on old records)."""
    problems: tuple[str, ...] = ()
    """What the verifier found (and notes), one ``check: message`` per line."""
    kind: Kind = "MT"
    """``MT`` for a machine draft, ``TM`` for a memory or imported draft."""
    score: int | None = None
    """Memory drafts: the similarity of the matched source, in percent."""
    origin: str | None = None
    """Memory drafts: where the match came from (``guides/x.po``, ``compendia/old.tmx``)."""

    @property
    def flagged(self) -> bool:
        """True when some ``MT-check`` line is a problem (not only a glossary note)."""
        return any(not p.startswith(f"{NOTE_CHECK}:") for p in self.problems)


@dataclass(frozen=True, slots=True)
class Memory:
    """How a memory draft is attributed: the match's score and where it came from."""

    score: int
    """Similarity of the matched source to the msgid, in percent (100: the same msgid)."""
    origin: str
    """Catalogue (relative to its language folder) or compendium the match came from."""
    aligned: bool = False
    """True for a translation aligned by ``localise import`` (no score is shown)."""

    def attribution(self) -> str:
        """The text after ``TM: `` (without the fingerprint)."""
        if self.aligned:
            return f"aligned from {self.origin}"
        return f"{self.score}% from {self.origin}"


def fingerprint(text: str) -> str:
    """Short fingerprint of a draft, written after its attribution."""
    return "#" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:8]


def _is_mark(line: str) -> bool:
    return line.startswith((MT_PREFIX, TM_PREFIX, CHECK_PREFIX))


def _is_attribution(line: str) -> bool:
    return line.startswith((MT_PREFIX, TM_PREFIX))


def read(entry: Annotated) -> DraftRecord | None:
    """The draft record on ``entry``, or None when no engine or memory attributed it."""
    attribution: str | None = None
    kind: Kind = "MT"
    problems = []
    for line in entry.translator_comments:
        if _is_attribution(line) and attribution is None:
            kind = "TM" if line.startswith(TM_PREFIX) else "MT"
            attribution = line[len(MT_PREFIX) :]
        elif line.startswith(CHECK_PREFIX):
            problems.append(line.removeprefix(CHECK_PREFIX))
    if attribution is None:
        return None
    details, _, mark = attribution.rpartition(" #")
    if not details or not re.fullmatch(r"[0-9a-f]{8}", mark):
        details, mark = attribution, ""
    fp = f"#{mark}" if mark else ""
    if kind == "MT":
        return DraftRecord(details, fp, tuple(problems))
    match = _TM_SCORE.match(details)
    score, origin = (int(match.group(1)), match.group(2)) if match else (None, None)
    if match is None and details.startswith("aligned from "):
        origin = details.removeprefix("aligned from ")
    return DraftRecord(f"TM {details}", fp, tuple(problems), "TM", score, origin)


def is_unreviewed(entry: Annotated) -> bool:
    """True for an untouched draft: fuzzy, attributed, and still exactly the text the engine
    or memory wrote (a translator's edit, even left fuzzy, is human work)."""
    if not entry.fuzzy:
        return False
    mark = fingerprint(entry.msgstr)
    return any(
        _is_attribution(line) and line.endswith(f" {mark}") for line in entry.translator_comments
    )


def write(
    entry: Annotated,
    text: str,
    *,
    engine: str = "",
    memory: Memory | None = None,
    problems: Sequence[str] = (),
    notes: Sequence[str] = (),
    reviewed: bool = False,
) -> None:
    """Store a draft: the text, fuzzy, attributed to ``engine`` (a machine draft) or to
    ``memory`` (a memory draft), with what the reviewer must fix and the glossary ``notes``.

    ``reviewed`` (memory drafts only: an exact match the project counts as reviewed) stores
    the text as a reviewed translation, with no draft marks at all."""
    entry.msgstr = text
    entry.previous_msgid = None
    kept = [line for line in entry.translator_comments if line and not _is_mark(line)]
    if reviewed and memory is not None:
        entry.fuzzy = False
        entry.translator_comments = kept
        return
    entry.fuzzy = True
    if memory is not None:
        kept.append(f"{TM_PREFIX}{memory.attribution()} {fingerprint(text)}")
    else:
        kept.append(f"{MT_PREFIX}{engine} {fingerprint(text)}")
    kept.extend(CHECK_PREFIX + problem for problem in problems)
    kept.extend(f"{CHECK_PREFIX}{NOTE_CHECK}: {note}" for note in notes)
    entry.translator_comments = kept


def clear(entry: Annotated) -> None:
    """Drop the draft record: the entry is a translator's work now (other comments stay)."""
    entry.translator_comments = [line for line in entry.translator_comments if not _is_mark(line)]


def settle(entry: Annotated, *, verify: Callable[[str], Sequence[str]] | None = None) -> bool:
    """Drop draft marks that no longer describe ``entry``; True when its comments changed.

    A reviewed entry (translated, not fuzzy) loses its attribution and every ``MT-check``
    line. A draft a translator edited but left fuzzy keeps its attribution (so it stays human
    work) and, when ``verify`` is given (msgstr → current problems, ``check: message`` each),
    only the ``MT-check`` problems that ``verify`` still finds; its glossary notes stay until
    review. An untouched draft is left as it is."""
    lines = entry.translator_comments
    if not any(_is_mark(line) for line in lines):
        return False
    if entry.msgstr and not entry.fuzzy:
        clear(entry)
        return True
    if verify is None or not entry.msgstr or is_unreviewed(entry):
        return False
    current = set(verify(entry.msgstr))
    kept = [
        line
        for line in lines
        if not line.startswith(CHECK_PREFIX)
        or line.startswith(f"{CHECK_PREFIX}{NOTE_CHECK}:")
        or line.removeprefix(CHECK_PREFIX) in current
    ]
    if kept == lines:
        return False
    entry.translator_comments = kept
    return True
