"""The shapes every check shares: the frozen context, the pair it looks at, rules, results."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from localise.catalogue import Entry
from localise.checks.parsed import Parsed, parse_inline
from localise.glossary import Glossary

Severity = Literal["error", "warning", "info"]
_NO_LINKS: Mapping[str, Mapping[str, str]] = {}


@dataclass(frozen=True, slots=True, kw_only=True)
class CheckContext:
    """What a rule may know besides the two texts: same for every unit of an article."""

    lang: str
    """Target language of the translation."""
    brace_format: bool = False
    """The msgid uses ``{name}`` placeholders (python-brace-format)."""
    glossary: Glossary | None = None
    """The project's glossary, when it has one."""
    link_definitions: Mapping[str, Any] = field(default_factory=dict)
    """The article's link reference definitions (markdown-it ``env["references"]`` form)."""
    localisable_links: Mapping[str, Mapping[str, str]] = field(default_factory=lambda: _NO_LINKS)
    """Source URL → {language: URL} a translation may link to instead (``[check]``)."""
    dialect: str = "commonmark"
    """The article's Markdown dialect: whose renderer decides what a reader sees as emphasis."""


class Pair:
    """A msgid and its translation, each parsed by markdown-it-py at most once."""

    __slots__ = ("_source", "_target", "link_definitions", "msgid", "msgstr")

    def __init__(self, msgid: str, msgstr: str, *, link_definitions: Mapping[str, Any]) -> None:
        self.msgid = msgid
        self.msgstr = msgstr
        self.link_definitions = link_definitions
        self._source: Parsed | None = None
        self._target: Parsed | None = None

    @property
    def source(self) -> Parsed:
        """The msgid as a reader sees it."""
        if self._source is None:
            self._source = parse_inline(self.msgid, self.link_definitions)
        return self._source

    @property
    def target(self) -> Parsed:
        """The msgstr as a reader sees it."""
        if self._target is None:
            self._target = parse_inline(self.msgstr, self.link_definitions)
        return self._target


Message = str | tuple[Severity, str]
"""What a rule reports: a message at the rule's severity, or (severity, message)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Rule:
    """One named check: what it is, when it runs, and the function that finds problems."""

    name: str
    """Stable name, as reported in findings and ``check --json``."""
    severity: Severity
    """The most severe finding it makes (glossary rules make errors only for strict terms)."""
    summary: str
    """One line for the documentation: what it finds."""
    check: Callable[[Pair, CheckContext], Iterable[Message]] | None = None
    """Over a translation: runs on non-empty translations only, unless ``on_empty``."""
    check_entry: Callable[[Entry, CheckContext], Iterable[Message]] | None = None
    """Over a catalogue entry's state (fuzzy, draft record): run by ``check`` only."""
    languages: Callable[[str], bool] | None = None
    """Which target languages it applies to (None: all)."""
    verifies_drafts: bool = False
    """Its findings on a machine draft become ``MT-check:`` lines."""
    on_empty: bool = False
    """Runs on an empty translation (and then no other rule does)."""

    def applies_to(self, lang: str) -> bool:
        """True when the rule checks translations into ``lang``."""
        return self.languages is None or self.languages(lang)


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with one translation."""

    check: str
    """Name of the rule that found it."""
    severity: Severity
    message: str


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem with one translation in one catalogue."""

    lang: str
    file: str
    """Project-relative POSIX path of the .po file."""
    line: int
    """1-based line of the entry's ``msgid`` keyword in the file."""
    msgid: str
    check: str
    """Stable check name, one of :data:`localise.checks.CHECKS`."""
    severity: Severity
    message: str

    def to_json(self) -> dict[str, Any]:
        """The finding as a JSON object (keys lang, file, line, msgid, check, severity, message)."""
        return {
            "lang": self.lang, "file": self.file, "line": self.line, "msgid": self.msgid,
            "check": self.check, "severity": self.severity, "message": self.message,
        }


def name_changes(
    source: Counter[str], target: Counter[str], *, what: str, lost: str, changed: str
) -> Iterator[str]:
    """Messages for placeholder names of ``source`` missing from ``target`` and names
    ``target`` invents; one missing and one invented read as a single ``changed`` one
    (``what``: how the names are called, ``lost``/``changed``: the rule's verbs)."""
    missing = [n for n in source if n not in target]
    invented = [n for n in target if n not in source]
    if len(missing) == 1 and len(invented) == 1:
        yield f"{what} {{{missing[0]}}} {changed} to {{{invented[0]}}}"
        return
    yield from (f"{what} {{{n}}} {lost} the translation" for n in missing)
    yield from (f"{what} {{{n}}} is not in the source" for n in invented)
