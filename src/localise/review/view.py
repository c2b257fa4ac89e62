"""The review site's view model: everything the renderer shows, and nothing it has to look up.

The review stage fills these from the project (catalogues, checks, the last build, a baseline to
compare with); :func:`localise.review.render.render_site` turns them into files. The renderer
never reads the project, so this module is the whole contract between the two. Data only: small
frozen dataclasses, one docstring per field, a few derived properties (counts, the publishing
verdict) so that the numbers on the index can never disagree with the units they summarise.

Conventions, as everywhere in localise: lines are 1-based, paths are POSIX and relative to the
project root, language tags are BCP 47 (``ja``, ``es``, ``pt-BR``), timestamps are strings the
stage has already formatted (the renderer never reads a clock, so output is deterministic).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Literal

State = Literal["reviewed", "machine-draft", "fuzzy", "untranslated", "withheld"]
"""Where one unit stands for one language.

``reviewed``: a translator cleared it; it is published. ``machine-draft``: a machine or TM draft
nobody reviewed yet (fuzzy, ``# MT:`` comment). ``fuzzy``: a human translation kept after the
English changed, to be checked against the new English. ``untranslated``: empty msgstr.
``withheld``: reviewed, but a check with severity ``error`` kept it out of the build, so readers
get the English text.
"""

STATES: tuple[State, ...] = ("reviewed", "machine-draft", "fuzzy", "withheld", "untranslated")
"""Every state, in the order the site shows them (progress bars, legends, totals)."""

Severity = Literal["error", "warning", "info"]
"""How bad a check finding is; ``error`` withholds the unit from the build."""

SEVERITIES: tuple[Severity, ...] = ("error", "warning", "info")
"""Every severity, worst first."""

Markup = Literal["inline", "block", "plain"]
"""How a unit's text is rendered: inline Markdown (headings, paragraphs, cells: the usual case),
block Markdown (a unit that is a whole Markdown document fragment), or plain text (front-matter
values, shown verbatim)."""

FallbackReason = Literal["untranslated", "fuzzy", "machine-draft", "withheld"]
"""Why a unit went out in the source language in a published page."""

_BCP47 = re.compile(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*\Z")


def _check_tag(tag: str, what: str) -> None:
    if not _BCP47.match(tag):
        raise ValueError(f"{what} must be a BCP 47 tag such as 'ja' or 'pt-BR', not {tag!r}")


@dataclass(frozen=True, slots=True)
class FindingView:
    """One check finding, shown on its unit (or on the article when it belongs to no unit)."""

    check: str
    """Rule name as ``localise check`` reports it, e.g. ``placeholders``."""
    severity: Severity
    """``error``, ``warning`` or ``info``."""
    message: str
    """What is wrong, in one sentence, e.g. ``{amount_1} is missing from the translation``."""
    line: int | None = None
    """1-based line in the article's ``.po`` file the finding points at, if it has one."""

    def __post_init__(self) -> None:
        if self.severity not in SEVERITIES:
            raise ValueError(f"unknown severity {self.severity!r}; expected one of {SEVERITIES}")


@dataclass(frozen=True, slots=True)
class GlossaryHit:
    """A glossary term found in a unit's English text."""

    term: str
    """The English term as the glossary lists it, e.g. ``mesenchymal stem cells``."""
    translations: tuple[str, ...]
    """Accepted translations for this language; empty means "do not translate, keep the term"."""
    strict: bool = False
    """A strict term withholds the unit (an ``error`` finding) when the translation misses it."""
    note: str = ""
    """The glossary's note for translators, or ``""``."""
    used: bool | None = None
    """Whether the translation contains one of :attr:`translations` (or the term itself when it
    must not be translated); ``None`` when there is no translation to look at."""


@dataclass(frozen=True, slots=True)
class Tally:
    """How many units and how many source words."""

    units: int = 0
    """Number of units."""
    words: int = 0
    """Number of English words in those units, counted as ``localise status`` counts them."""

    def __add__(self, other: Tally) -> Tally:
        return Tally(self.units + other.units, self.words + other.words)


@dataclass(frozen=True, slots=True)
class Counts:
    """Units and words per :data:`State`; built from units with :meth:`of_units`."""

    reviewed: Tally = Tally()
    """Reviewed and published."""
    machine_draft: Tally = Tally()
    """Unreviewed machine or TM drafts."""
    fuzzy: Tally = Tally()
    """Translations to re-check after the English changed."""
    withheld: Tally = Tally()
    """Reviewed translations that a check withheld from the build."""
    untranslated: Tally = Tally()
    """Units with no translation."""

    @classmethod
    def of_units(cls, units: Iterable[UnitView]) -> Counts:
        """Count ``units`` by state (units and source words)."""
        totals = dict.fromkeys(STATES, Tally())
        for unit in units:
            totals[unit.state] += Tally(1, unit.words)
        return cls(**{state.replace("-", "_"): tally for state, tally in totals.items()})

    def of(self, state: State) -> Tally:
        """The tally for one state, by its :data:`State` name (``"machine-draft"`` too)."""
        return getattr(self, state.replace("-", "_"))

    @property
    def total(self) -> Tally:
        """All units and words, whatever their state."""
        total = Tally()
        for state in STATES:
            total += self.of(state)
        return total

    def __add__(self, other: Counts) -> Counts:
        return Counts(
            **{state.replace("-", "_"): self.of(state) + other.of(state) for state in STATES}
        )


@dataclass(frozen=True, slots=True)
class UnitView:
    """One translatable unit of one article for one language, in document order."""

    index: int
    """1-based position of the unit in the article; anchors (``#u-3``) and fallbacks use it."""
    kind: str
    """What block the text comes from: ``heading``, ``paragraph``, ``table-cell``,
    ``front-matter`` (shown to editors as written, hyphens as spaces)."""
    source_line: int
    """1-based line of the English source file where the unit starts."""
    po_line: int | None
    """1-based line of the entry's ``msgid`` in the ``.po`` file; ``None`` if it has no entry."""
    msgid: str
    """The English text as the translator sees it, placeholders as ``{amount_1}``."""
    msgstr: str
    """The translation as written in the catalogue (``""`` when untranslated)."""
    state: State
    """Where the unit stands; see :data:`State`."""
    words: int
    """English words in :attr:`msgid`, counted as ``localise status`` counts them."""
    markup: Markup = "inline"
    """How to render :attr:`msgid` and :attr:`msgstr`; see :data:`Markup`."""
    engine: str | None = None
    """For a machine draft: the engine and model that wrote it (the ``# MT:`` comment), e.g.
    ``argos translate-en_ja 1.1``; ``None`` otherwise or when unknown."""
    comment: str = ""
    """The extracted comment (``#.`` lines joined with newlines) telling what and where it is."""
    previous_msgid: str | None = None
    """For a fuzzy unit whose English changed: the English it was translated from (``#|``)."""
    findings: tuple[FindingView, ...] = ()
    """Check findings on this unit, in the order ``localise check`` reports them."""
    glossary: tuple[GlossaryHit, ...] = ()
    """Glossary terms found in the English text."""
    values: Mapping[str, str] = field(default_factory=dict)
    """Placeholder name (without braces) → the value formatted for this language, e.g.
    ``{"amount_1": "6500 US$"}``; the translation is shown with these substituted."""
    source_values: Mapping[str, str] = field(default_factory=dict)
    """Placeholder name → the English source text it stands for, e.g. ``{"amount_1": "$6,500"}``;
    the English is shown with these substituted."""
    published: str | None = None
    """The unit's Markdown as it went out in the current build (translated or English, values
    formatted); ``None`` when the article was not built."""
    changed: bool = False
    """Whether :attr:`published` differs from the comparison baseline
    (:attr:`ReviewSite.compared_with`); a unit new since the baseline is changed too."""
    published_before: str | None = None
    """The unit's published Markdown in the baseline; ``None`` if it did not exist there."""
    published_before_in_source: bool = False
    """Whether the baseline published this unit in the source language (it was a fallback)."""

    def __post_init__(self) -> None:
        if self.index < 1:
            raise ValueError(f"unit index must be 1-based, got {self.index}")
        if self.state not in STATES:
            raise ValueError(f"unit {self.index}: unknown state {self.state!r}")
        if self.markup not in ("inline", "block", "plain"):
            raise ValueError(f"unit {self.index}: unknown markup {self.markup!r}")
        if self.state == "withheld" and not self.withheld_by:
            raise ValueError(f"unit {self.index} is withheld but has no error finding")

    @property
    def withheld_by(self) -> tuple[str, ...]:
        """Names of the checks with an ``error`` finding on this unit, sorted, no duplicates."""
        return tuple(sorted({f.check for f in self.findings if f.severity == "error"}))


@dataclass(frozen=True, slots=True)
class FallbackView:
    """A unit that went out in English in the published page, and where its text sits there."""

    unit: int
    """:attr:`UnitView.index` of the unit."""
    reason: FallbackReason
    """Why the English was published; see :data:`FallbackReason`."""
    start: int
    """Offset (in characters) in :attr:`PublishedView.markdown` where the unit's text begins."""
    end: int
    """Offset just past the unit's text. The span covers the unit's inline text inside one block
    (not the ``#`` or ``|`` around it), as the build wrote it."""
    check: str | None = None
    """For ``withheld``: the check that withheld it, e.g. ``placeholders``."""


@dataclass(frozen=True, slots=True)
class PublishedView:
    """The article as the last build wrote it for one language."""

    path: str
    """Where the build wrote it, e.g. ``build/ja/guides/knee.md``."""
    markdown: str
    """The built Markdown, front matter included."""
    fallbacks: tuple[FallbackView, ...] = ()
    """Every unit that went out in English, in document order, spans not overlapping."""
    draft: bool = False
    """Whether it was built with ``--draft`` (unreviewed drafts published, ``draft: true``)."""

    def __post_init__(self) -> None:
        end = 0
        for fallback in self.fallbacks:
            if not end <= fallback.start <= fallback.end <= len(self.markdown):
                raise ValueError(
                    f"{self.path}: fallback of unit {fallback.unit} spans "
                    f"{fallback.start}..{fallback.end}, out of order or outside the page"
                )
            end = fallback.end


@dataclass(frozen=True, slots=True)
class ArticleView:
    """One article in one language: its units, its state and its published page."""

    slug: str
    """The article's slug, e.g. ``guides/knee``; the site's page paths are made from it."""
    title: str
    """The English title shown to editors (front-matter title or first heading)."""
    source_path: str
    """The English source, e.g. ``source/guides/knee.md``."""
    po_path: str
    """The catalogue, e.g. ``locales/ja/LC_MESSAGES/guides/knee.po``."""
    units: tuple[UnitView, ...]
    """Every unit in document order, indexes 1, 2, 3, …"""
    last_built: str | None = None
    """When the published page was last built, as the stage formats it (e.g.
    ``2026-01-12 09:30 UTC``); ``None`` if never built."""
    published: PublishedView | None = None
    """The last build's page; ``None`` if never built."""
    findings: tuple[FindingView, ...] = ()
    """Findings that belong to the article rather than to one unit (e.g. an obsolete entry)."""
    removed: tuple[str, ...] = ()
    """Published Markdown of units that were in the comparison baseline and no longer exist."""
    link_definitions: str = ""
    """The article's link reference definitions as they stand in the source (``[label]: url``
    lines), so that reference links in units (``[text][label]``) render as links."""

    def __post_init__(self) -> None:
        parts = self.slug.split("/")
        if not self.slug or any(p in ("", ".", "..") or "\\" in p for p in parts):
            raise ValueError(f"article slug must be a relative POSIX path, not {self.slug!r}")
        for position, unit in enumerate(self.units, start=1):
            if unit.index != position:
                raise ValueError(f"{self.slug}: unit {position} has index {unit.index}")
        if self.published is not None:
            for fallback in self.published.fallbacks:
                if not 1 <= fallback.unit <= len(self.units):
                    raise ValueError(f"{self.slug}: fallback names unknown unit {fallback.unit}")

    @property
    def counts(self) -> Counts:
        """Units and words per state, counted from :attr:`units`."""
        return Counts.of_units(self.units)

    @property
    def findings_by_severity(self) -> Mapping[Severity, int]:
        """Number of findings (on units and on the article) per severity, worst first."""
        found = dict.fromkeys(SEVERITIES, 0)
        for finding in self.findings:
            found[finding.severity] += 1
        for unit in self.units:
            for finding in unit.findings:
                found[finding.severity] += 1
        return found

    @property
    def publishable(self) -> bool:
        """Fully reviewed and no ``error`` finding: the article can go out as it is."""
        counts = self.counts
        return (
            counts.reviewed.units == counts.total.units and self.findings_by_severity["error"] == 0
        )


@dataclass(frozen=True, slots=True)
class LanguageView:
    """One target language and its articles."""

    lang: str
    """BCP 47 tag, e.g. ``ja`` or ``pt-BR``: the ``lang`` attribute of its text and the folder of
    its pages in the site."""
    name: str
    """English name shown to editors, e.g. ``Japanese``."""
    articles: tuple[ArticleView, ...]
    """Its articles, in the order the index lists them."""
    direction: Literal["ltr", "rtl"] = "ltr"
    """Writing direction of the language (``rtl`` for Arabic, Hebrew, …)."""

    def __post_init__(self) -> None:
        _check_tag(self.lang, "language")
        slugs = [article.slug for article in self.articles]
        if len(set(slugs)) != len(slugs):
            raise ValueError(f"{self.lang}: an article slug is listed twice")

    @property
    def counts(self) -> Counts:
        """Units and words per state over all its articles."""
        total = Counts()
        for article in self.articles:
            total += article.counts
        return total

    @property
    def findings_by_severity(self) -> Mapping[Severity, int]:
        """Findings per severity over all its articles, worst first."""
        found = dict.fromkeys(SEVERITIES, 0)
        for article in self.articles:
            for severity, number in article.findings_by_severity.items():
                found[severity] += number
        return found

    @property
    def publishable(self) -> bool:
        """Every article is publishable."""
        return all(article.publishable for article in self.articles)


@dataclass(frozen=True, slots=True)
class ReviewSite:
    """The whole review site: one project, its target languages."""

    project_name: str
    """Shown in every page title, e.g. ``Stem cell guides``."""
    source_language: str
    """BCP 47 tag of the English source (``en``): the ``lang`` attribute of source text."""
    languages: tuple[LanguageView, ...]
    """Target languages, in the order the project configures them."""
    generated_from: str
    """What the site was made from, shown in every footer, e.g. ``git 1a2b3c4 (uncommitted
    changes)``."""
    generated_at: str | None = None
    """When the stage ran, as it formats it; ``None`` leaves it out (output depends on the view
    model only, so the same inputs give the same bytes)."""
    compared_with: str | None = None
    """The baseline of :attr:`UnitView.changed`, e.g. ``the last published build
    (2026-01-10)`` or ``git revision v1.2``; ``None`` when there is none."""
    source_language_name: str = "English"
    """English name of the source language."""

    def __post_init__(self) -> None:
        _check_tag(self.source_language, "source language")
        tags = [language.lang for language in self.languages]
        if len(set(tags)) != len(tags):
            raise ValueError("a target language is listed twice")
