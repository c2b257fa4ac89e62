"""Data carried between pipeline stages: units, documents, options, fallbacks, counts. Data only."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

UnitKind = Literal[
    "heading", "paragraph", "table-cell", "front-matter", "label", "term", "html", "attribute"
]
"""``label``: the title of an admonition, container or tab, or an abbreviation's expansion;
``term``: a definition-list term; ``html``: text inside an HTML block; ``attribute``: an
``alt`` or ``title`` attribute value."""
Escape = Literal["markdown", "html", "attribute", "plain"]
"""How a translation is written back: as inline Markdown, as HTML text, as an HTML attribute
value, or as plain text that only has to stay on its line."""


@dataclass(frozen=True, slots=True)
class Placeholder:
    """A value replaced by ``{name}`` in a msgid and formatted per locale at build time."""

    name: str
    """Placeholder name as written in the msgid, without braces, e.g. ``amount_1``."""
    source: str
    """The exact source text it stands for, e.g. ``$6,500``."""
    description: str
    """What the translator is told it holds, e.g. ``6,500 USD``."""
    value: object = field(compare=False, repr=False)
    """The parsed value (:class:`localise.formatting.Value`) used to format it."""
    syntax: bool = False
    """True when it stands for source syntax (a template tag, shortcode, macro, HTML or JSX tag,
    MDX expression…) rather than a value: the build writes :attr:`source` back verbatim."""
    starts_line: bool = False
    """Syntax that starts a line of the source (indentation aside): the build starts a line
    with it too, so a line-level construct keeps its own line."""
    ends_line: bool = False
    """Syntax that ends a line of the source: the build ends a line after it too."""


@dataclass(frozen=True, slots=True)
class Unit:
    """One translatable piece of an article and where its source bytes sit."""

    msgid: str
    """Inline Markdown as the translator sees it: prefixes removed, soft breaks as spaces."""
    kind: UnitKind
    """What block the text comes from."""
    comment: str
    """Extracted comment (``#.``) that tells the translator what and where the unit is."""
    line: int
    """1-based source line where the unit starts."""
    end_line: int
    """1-based source line where the unit ends (inclusive)."""
    start: int
    """Offset in the source text of the first character replaced by a translation."""
    end: int
    """Offset in the source text just past the last character replaced."""
    continuation: str = ""
    """Container prefix written before every added output line (``> ``, list indent)."""
    single_line: bool = False
    """True where the translation must stay on one line (ATX heading, table cell)."""
    yaml_style: str | None = None
    """For front-matter values: the source scalar style (``plain``, ``'``, ``"``, ``block``)."""
    placeholders: tuple[Placeholder, ...] = ()
    """Values and syntax replaced by ``{name}`` placeholders in :attr:`msgid`, in order."""
    escape: Escape = "markdown"
    """How the translation is written back (see :data:`Escape`): ``html`` escapes ``<``,
    ``attribute`` escapes quotes, and neither escapes Markdown block markers."""

    @property
    def brace_format(self) -> bool:
        """True when the msgid uses python-brace-format (placeholders, doubled literal braces)."""
        return bool(self.placeholders)


@dataclass(frozen=True, slots=True)
class Document:
    """A segmented source article: its text, where it lives, and its units in source order."""

    path: Path
    """Path of the source file relative to the project root, e.g. ``source/guides/knee.md``."""
    slug: str
    """Domain name: path under the source folder without ``.md``, e.g. ``guides/knee``."""
    text: str
    """The whole source text, exactly as read (newlines untouched)."""
    units: tuple[Unit, ...]
    """Translatable units, ordered by :attr:`Unit.start`, never overlapping."""
    link_definitions: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)
    """Link reference definitions (markdown-it ``env["references"]``) the msgids rely on."""


@dataclass(frozen=True, slots=True, kw_only=True)
class SegmentOptions:
    """What to extract from a source besides headings, paragraphs and table cells."""

    front_matter_keys: tuple[str, ...] = ("title", "description")
    """Front-matter keys whose string values are units."""
    currency: bool = False
    """Currency amounts become ``{amount_N}`` placeholders."""
    dates: bool = False
    """English dates become ``{date_N}`` placeholders."""
    dialect: str = "commonmark"
    """The Markdown dialect the source is written in (a name in :data:`localise.dialects.NAMES`):
    which syntax is text, which is kept out of the msgids, and which constructs hold units."""


@dataclass(frozen=True, slots=True)
class Fallback:
    """A unit published in the source language, and why."""

    unit: Unit
    reason: str
    """What the editor is told, e.g. ``placeholders: {amount_1} is missing``."""
    kind: str = "withheld"
    """``untranslated``, ``fuzzy`` (a human translation to re-check), ``machine-draft`` or
    ``withheld`` (a reviewed translation kept out by a check's error finding)."""


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
