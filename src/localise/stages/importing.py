"""The import stage: an existing translation of an article → fuzzy entries of its catalogue.

``localise import SOURCE.md TRANSLATED.md --lang L`` segments both files the same way and
aligns them unit by unit: the two must have the
same units in the same order (headings, paragraphs, table cells, front-matter values), or the
first difference is reported with both lines. Each source unit's placeholders are found again
in its translation, as the source wrote the value or as localise would format it for ``L``
(``$6,500``, ``6500 US$``), and become ``{amount_1}`` again. Entries that are empty or
untouched drafts receive the aligned text, fuzzy, attributed ``TM: aligned from
TRANSLATED.md``, with ``MT-check`` lines for what the verifier finds; reviewed entries and
drafts a translator edited are kept.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from localise import catalogue, checks, drafts, formatting, placeholders, sentences
from localise.errors import SourceError, UsageError
from localise.files import decode_utf8, write_if_changed
from localise.langs import is_unspaced
from localise.model import Unit
from localise.project import Article, Project, read_optional
from localise.segment import segment
from localise.stages._checking import check_context

_SPACE = r"[\s\u00a0\u202f]+"


@dataclass(slots=True)
class ImportReport:
    """What ``import`` did with one translated article."""

    lang: str
    catalogue: Path
    """The catalogue written (project-relative)."""
    units: int = 0
    """Units aligned."""
    imported: int = 0
    """Entries that received the aligned translation (fuzzy)."""
    kept: int = 0
    """Entries left alone: reviewed, or a draft a translator edited."""
    flagged: int = 0
    """Imported entries with ``MT-check`` problems (a placeholder not found, markup…)."""
    written: bool = False
    problems: list[str] = field(default_factory=list)
    """One ``msgid: problem`` line per flagged entry, for the summary."""

    def to_json(self) -> dict[str, Any]:
        """The report as ``import --json`` prints it."""
        return {
            "lang": self.lang,
            "catalogue": self.catalogue.as_posix(),
            "units": self.units,
            "imported": self.imported,
            "kept": self.kept,
            "flagged": self.flagged,
            "written": self.written,
            "problems": self.problems,
        }


def run(
    project: Project,
    *,
    langs: Sequence[str] | None = None,
    source: Path,
    translated: Path,
) -> ImportReport:
    """Align ``translated`` (in the one language of ``langs``) with the source article
    ``source`` and store its units as fuzzy drafts of the article's catalogue."""
    chosen = project.languages(langs)
    if len(chosen) != 1:
        raise UsageError("import takes exactly one language (--lang L)")
    lang = chosen[0]
    config = project.config
    article = _article(project, source)
    document = project.document(article)
    name = project.relative(translated.resolve())
    try:
        data = translated.read_bytes()
    except FileNotFoundError:
        raise UsageError("translated article not found", path=name) from None
    # the same options, so that the same blocks are units (a cell holding only $90 is one)
    other = segment(decode_utf8(data, path=name), path=name, slug=article.slug,
                    options=config.segment_options)
    pairs = _align(document.units, other.units, source=article.path, translated=name)

    po_path = config.po_path(lang, article.slug)
    po_name = project.relative(po_path)
    po = catalogue.read(po_path, name=po_name)
    if po is None:
        pot = read_optional(config.pot_path(article.slug))
        if pot is None:
            raise UsageError("no template: run `localise extract` first",
                             path=project.relative(config.pot_path(article.slug)))
        po = catalogue.merge(None, catalogue.parse(pot, path=config.pot_path(article.slug)),
                             lang=lang)
    report = ImportReport(lang, po_name, units=len(pairs))
    ctx = check_context(project, lang, article)
    policy = config.formatting.policy(lang)
    seen: set[str] = set()
    for unit, text in pairs:
        entry = po.find(unit.msgid)
        if entry is None or unit.msgid in seen:
            continue
        seen.add(unit.msgid)
        if entry.msgstr and not drafts.is_unreviewed(entry):
            report.kept += 1
            continue
        msgstr, problems = _translation(unit, text, lang=lang, policy=policy)
        unit_ctx = dataclasses.replace(ctx, brace_format=entry.brace_format)
        problems += checks.verify_draft(unit.msgid, msgstr, unit_ctx)
        drafts.write(
            entry,
            msgstr,
            memory=drafts.Memory(100, name.as_posix(), aligned=True),
            problems=problems,
        )
        report.imported += 1
        report.flagged += bool(problems)
        report.problems += [f"{unit.msgid[:60]}: {p}" for p in problems]
    project.inside(po_path, config.locales_root)
    report.written = write_if_changed(po_path, po.render())
    return report


def _article(project: Project, source: Path) -> Article:
    """The project article whose source file is ``source``."""
    wanted = source.resolve()
    for article in project.articles:
        if (project.root / article.path).resolve() == wanted:
            return article
    raise UsageError(
        f"not a source article of this project (articles are under {project.config.source_dir})",
        path=source,
    )


def _align(
    units: Sequence[Unit], others: Sequence[Unit], *, source: Path, translated: Path
) -> list[tuple[Unit, str]]:
    """Pair each source unit with the translation's unit in the same place; SourceError at
    the first place where the two articles' structures differ."""
    for index, (a, b) in enumerate(zip(units, others, strict=False), 1):
        if a.kind != b.kind:
            raise SourceError(
                f"unit {index} is a {b.kind} here but a {a.kind} at {source}:{a.line}: "
                "the translation must have the source's structure",
                path=translated,
                line=b.line,
            )
    if len(units) != len(others):
        if len(others) < len(units):
            missing = units[len(others)]
            raise SourceError(
                f"the translation has {len(others)} units, the source {len(units)}: nothing "
                f"matches {source}:{missing.line}",
                path=translated,
            )
        extra = others[len(units)]
        raise SourceError(
            f"the translation has {len(others)} units, the source {len(units)}: this one is "
            "extra",
            path=translated,
            line=extra.line,
        )
    # the translation's text as written: values it had as placeholders put back
    return [
        (a, placeholders.fill(b, b.msgid, format_value=placeholders.source_value))
        for a, b in zip(units, others, strict=True)
    ]


def _translation(
    unit: Unit, text: str, *, lang: str, policy: Any
) -> tuple[str, list[str]]:
    """The aligned text as a msgstr for ``unit``: soft breaks of an unspaced language
    dropped, literal braces doubled and the unit's values turned back into placeholders."""
    if is_unspaced(lang):
        text = re.sub(
            r"(?<=\S) (?=\S)",
            lambda m: _joint(text, m.start()),
            text,
        )
    if not unit.placeholders:
        return text, []
    text = text.replace("{", "{{").replace("}", "}}")
    problems: list[str] = []
    for placeholder in unit.placeholders:
        shown = [placeholder.source]
        value = placeholder.value
        if isinstance(value, formatting.Value):
            shown += [
                formatting.format_value(value, locale=lang, policy=policy),
                formatting.format_value(value, locale=lang),
            ]
        pattern = "|".join(
            re.sub(r"\\?\s+", lambda _: _SPACE, re.escape(s)) for s in dict.fromkeys(shown)
        )
        match = re.search(pattern, text)
        if match is None:
            problems.append(
                f"placeholders: {{{placeholder.name}}} ({placeholder.description}) was not "
                "found in the imported translation; put it where the value is"
            )
            continue
        text = text[: match.start()] + "{" + placeholder.name + "}" + text[match.end() :]
    return text, problems


def _joint(text: str, at: int) -> str:
    """A space from a soft line break between two characters of an unspaced script goes."""
    left, right = text[at - 1], text[at + 1]
    return "" if sentences.unspaced_char(left) and sentences.unspaced_char(right) else " "
