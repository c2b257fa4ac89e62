"""The machine-draft protocol: how a draft is attributed, fingerprinted, flagged and reviewed.

A machine draft is a fuzzy entry whose translator comments hold one attribution line,
``MT: <engine and model> #<fingerprint>``, and one ``MT-check: <problem>`` line per thing the
reviewer must fix. The fingerprint is a hash of the msgstr the engine wrote: once a translator
edits the text (even leaving it fuzzy) the entry is human work, which machine translation never
replaces. This module is the only place that knows these comment formats; it works on any entry
with the :class:`Annotated` shape (the catalogue's entries have it).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

MT_PREFIX = "MT: "
"""Translator-comment prefix marking a machine draft (engine, model, version)."""
CHECK_PREFIX = "MT-check: "
"""Translator-comment prefix for what the reviewer must fix in a machine draft."""


class Annotated(Protocol):
    """What the protocol needs of a catalogue entry."""

    msgstr: str
    fuzzy: bool
    translator_comments: list[str]
    previous_msgid: str | None


@dataclass(frozen=True, slots=True)
class DraftRecord:
    """What the engine left on an entry: who drafted it, the text's fingerprint, what to fix."""

    engine: str
    """Engine and model as attributed, e.g. ``apertium-eng-spa 0.8.1-2``."""
    fingerprint: str
    """``#`` and 8 hex digits of the SHA-256 of the msgstr as drafted."""
    problems: tuple[str, ...] = ()
    """What the verifier found, one ``check: message`` per problem."""


def fingerprint(text: str) -> str:
    """Short fingerprint of a machine draft, written after its attribution."""
    return "#" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:8]


def _is_mark(line: str) -> bool:
    return line.startswith((MT_PREFIX, CHECK_PREFIX))


def read(entry: Annotated) -> DraftRecord | None:
    """The draft record on ``entry``, or None when no engine attributed it."""
    attribution = None
    problems = []
    for line in entry.translator_comments:
        if line.startswith(MT_PREFIX) and attribution is None:
            attribution = line.removeprefix(MT_PREFIX)
        elif line.startswith(CHECK_PREFIX):
            problems.append(line.removeprefix(CHECK_PREFIX))
    if attribution is None:
        return None
    engine, _, mark = attribution.rpartition(" #")
    if not engine:
        engine, mark = attribution, ""
    return DraftRecord(engine, f"#{mark}" if mark else "", tuple(problems))


def is_unreviewed(entry: Annotated) -> bool:
    """True for an untouched machine draft: fuzzy, attributed, and still exactly the text the
    engine wrote (a translator's edit, even left fuzzy, is human work)."""
    if not entry.fuzzy:
        return False
    mark = fingerprint(entry.msgstr)
    return any(
        line.startswith(MT_PREFIX) and line.endswith(mark) for line in entry.translator_comments
    )


def write(entry: Annotated, text: str, *, engine: str, problems: Sequence[str] = ()) -> None:
    """Store a machine draft: the text, fuzzy, attributed, with what the reviewer must fix."""
    entry.msgstr = text
    entry.fuzzy = True
    kept = [line for line in entry.translator_comments if line and not _is_mark(line)]
    kept.append(f"{MT_PREFIX}{engine} {fingerprint(text)}")
    kept.extend(CHECK_PREFIX + problem for problem in problems)
    entry.translator_comments = kept
    entry.previous_msgid = None


def clear(entry: Annotated) -> None:
    """Drop the draft record: the entry is a translator's work now (other comments stay)."""
    entry.translator_comments = [line for line in entry.translator_comments if not _is_mark(line)]
