"""The build stage: catalogues + sources → ``build/<lang>/<slug>.md``, reviewed work only.

Each unit's reviewed translation (with ``--draft``, its fuzzy draft too) replaces the unit's
source span; placeholders are formatted for the reader's locale; a translation with an error
finding (the publishing gate, :data:`localise.checks.GATE_RULES`) is withheld and the unit keeps
its source text, reported as a fallback.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from localise import catalogue, checks, formatting
from localise.assemble import Fallback, assemble
from localise.catalogue import Catalogue
from localise.config import Config
from localise.files import write_atomic
from localise.glossary import Glossary
from localise.model import Document, Unit
from localise.parallel import map_jobs
from localise.placeholders import Formatter
from localise.project import Project, Source, read_optional, segment_source
from localise.stages import Report


def value_formatter(config: Config, lang: str) -> Formatter:
    """Formats a unit's placeholder for ``lang`` with Babel and the language's policy."""
    policy = config.formatting.policy(lang)

    def format_value(unit: Unit, name: str) -> str:
        for placeholder in unit.placeholders:
            if placeholder.name == name:
                return formatting.format_value(placeholder.value, locale=lang, policy=policy)
        raise KeyError(name)

    return format_value


def mark_draft(text: str) -> str:
    """Set ``draft: true`` in the front matter (replacing a ``draft:`` key, or adding one)."""
    newline = "\r\n" if "\r\n" in text else "\n"
    if text.startswith("---" + newline):
        end = text.find(newline + "---", 3)
        if end >= 0:
            head = text[: end + len(newline)]
            existing = re.search(r"(?m)^draft[ \t]*:.*$", head)
            if existing:
                return head[: existing.start()] + "draft: true" + head[existing.end() :] + text[
                    end + len(newline) :
                ]
            return head + "draft: true" + text[end:]
    return f"---{newline}draft: true{newline}---{newline}{newline}{text}"


@dataclass(frozen=True, slots=True)
class Page:
    """One article assembled in one language."""

    text: str
    fallbacks: tuple[Fallback, ...]
    """Units shown in the source language although a translation exists, and why."""
    fuzzy_used: int
    """Units whose unreviewed (fuzzy) draft was used (``--draft`` only)."""


def assemble_page(
    config: Config,
    document: Document,
    po: Catalogue | None,
    ctx: checks.CheckContext,
    *,
    draft: bool = False,
) -> Page:
    """Target Markdown for one article: reviewed translations (and fuzzy ones in drafts) that
    pass the publishing gate, with placeholders formatted for ``ctx.lang``."""
    lang = ctx.lang
    usable = po.translations(include_fuzzy=draft) if po is not None else {}
    withheld: list[Fallback] = []
    for unit in document.units:
        text = usable.get(unit.msgid)
        if text:
            unit_ctx = dataclasses.replace(ctx, brace_format=unit.brace_format)
            reason = checks.gate_reason(unit.msgid, text, unit_ctx)
            if reason:
                withheld.append(Fallback(unit, reason))
    for fallback in withheld:
        usable.pop(fallback.unit.msgid, None)
    reviewed = po.translations() if po is not None else {}
    fuzzy_used = sum(1 for u in document.units if u.msgid in usable and u.msgid not in reviewed)
    text, fallbacks = assemble(
        document,
        usable,
        lang=lang,
        format_value=value_formatter(config, lang),
        localise_identical=lang != config.source_language,
    )
    if draft and fuzzy_used:
        text = mark_draft(text)
    return Page(text, tuple(withheld + fallbacks), fuzzy_used)


@dataclass(frozen=True, slots=True)
class _Job:
    """One article and the languages to build it in, with each catalogue as read."""

    source: Source
    outputs: tuple[tuple[str, Path, bytes | None, Path, bytes | None], ...]
    """(language, output path, its bytes or None, catalogue name, catalogue bytes or None)
    per stale page."""


@dataclass(frozen=True, slots=True)
class _Built:
    path: Path
    written: bool
    page: Page


def _build_one(job: _Job, config: Config, draft: bool, glossary: Glossary) -> list[_Built]:
    """Build one article in each of the job's languages, segmenting it once."""
    document = segment_source(config, job.source)
    results = []
    for lang, out, current, po_name, data in job.outputs:
        po = catalogue.parse(data, path=po_name) if data is not None else None
        ctx = checks.CheckContext(
            lang=lang,
            glossary=glossary,
            link_definitions=document.link_definitions,
            localisable_links=config.check.localisable_links,
        )
        page = assemble_page(config, document, po, ctx, draft=draft)
        text = page.text.encode("utf-8")
        if text != current:
            write_atomic(out, text)
        results.append(_Built(out, text != current, page))
    return results


def run(project: Project, *, langs: Sequence[str] | None = None, draft: bool = False) -> Report:
    """Build every stale page of ``langs`` (all languages when None)."""
    config, state = project.config, project.state
    report = Report()
    extra = (b"draft" if draft else b"reviewed", project.glossary_bytes)
    chosen = project.languages(langs)
    jobs: list[_Job] = []
    # inputs read once: an edit made while the build runs must not be recorded as built
    inputs: dict[tuple[str, str], tuple[bytes, ...]] = {}
    for article in project.articles:
        source = project.source(article)
        stale = []
        for lang in chosen:
            out = config.output_path(lang, article.slug)
            po_path = config.po_path(lang, article.slug)
            po = read_optional(po_path)
            inputs[article.slug, lang] = (source.data, po or b"", *extra)
            current = read_optional(out)
            if current is not None and state.fresh(out, *inputs[article.slug, lang],
                                                   current=current):
                report.unchanged.append(project.relative(out))
            else:
                target = project.inside(out, config.output_root)
                stale.append((lang, target, current, project.relative(po_path), po))
        if stale:
            jobs.append(_Job(source, tuple(stale)))
    results = map_jobs(_build_one, jobs, config, draft, project.glossary)
    for job, built in zip(jobs, results, strict=True):
        article = job.source.article
        for (lang, *_), result in zip(job.outputs, built, strict=True):
            done = report.written if result.written else report.unchanged
            done.append(project.relative(result.path))
            for fallback in result.page.fallbacks:
                report.fallbacks.append((lang, article.path, fallback))
            if result.page.fuzzy_used:
                report.drafts[project.relative(result.path)] = result.page.fuzzy_used
            if not result.page.fallbacks:
                state.record(result.path, *inputs[article.slug, lang])
    state.save()
    return report
