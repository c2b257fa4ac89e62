"""The status stage: reviewed / fuzzy / untranslated units and words per language and article,
and which pages are publishable (every unit a reviewed translation that passes the checks)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from localise import catalogue
from localise.model import Counts
from localise.project import Article, Project, read_optional
from localise.publish import assemble_page
from localise.stages import Progress, Ticker
from localise.stages._checking import check_context
from localise.stages._record import BuildRecord


@dataclass(frozen=True, slots=True)
class Verdict:
    """Whether one article can be published in one language as it stands, and if not, why."""

    publishable: bool
    reason: str = ""
    """What keeps it back, e.g. ``2 fuzzy, 1 untranslated`` or ``withheld by a check``."""


def run(
    project: Project, *, langs: Sequence[str] | None = None, progress: Progress | None = None
) -> dict[str, dict[str, Counts]]:
    """Per language, per article slug: counts of the catalogue on disk (or of the template,
    or of the source itself, for an article that has none yet: all untranslated). Only
    articles whose source exists are counted."""
    config = project.config
    result: dict[str, dict[str, Counts]] = {}
    chosen = project.languages(langs)
    tick = Ticker(progress, len(chosen) * len(project.articles), unit="catalogue",
                  name=lambda article: project.relative(config.po_path(lang, article.slug)))
    for lang in chosen:
        per: dict[str, Counts] = {}
        for article in tick.each(project.articles):
            per[article.slug] = article_counts(project, lang, article)
        result[lang] = per
    return result


def article_counts(project: Project, lang: str, article: Article) -> Counts:
    """The counts of one article in one language, as :func:`run` reports them (and the review
    site shows them): of its catalogue, else of its template, else of its source."""
    config = project.config
    po_path = config.po_path(lang, article.slug)
    po = catalogue.read(po_path, name=project.relative(po_path))
    if po is None:
        pot_path = config.pot_path(article.slug)
        po = catalogue.read(pot_path, name=project.relative(pot_path))
    if po is None:  # never extracted: every unit of the source is untranslated
        po = catalogue.template(project.document(article), reference_comments="none")
    return po.stats()


def publishable(
    project: Project,
    counts: dict[str, dict[str, Counts]],
) -> dict[str, dict[str, Verdict]]:
    """Per language and article of ``counts`` (from :func:`run`): would ``build`` publish the
    page with every unit a reviewed translation? Answered from the last build's record when
    the page's inputs have not changed since, else by assembling the page as build would."""
    config = project.config
    record = BuildRecord(project)
    extra = ("reviewed", project.glossary_digest)
    fingerprints = project.fingerprints  # read only: status saves nothing
    by_slug = {article.slug: article for article in project.articles}
    verdicts: dict[str, dict[str, Verdict]] = {}
    for lang, per in counts.items():
        out: dict[str, Verdict] = {}
        for slug, numbers in per.items():
            if numbers.translated < numbers.total:
                pending = [
                    f"{n} {what}" for n, what in (
                        (numbers.fuzzy, "fuzzy"), (numbers.untranslated, "untranslated")
                    ) if n
                ]
                out[slug] = Verdict(False, ", ".join(pending))
                continue
            article = by_slug[slug]
            page = config.output_path(lang, slug)
            po_path = config.po_path(lang, slug)
            inputs = (project.fingerprint(article), fingerprints.of(po_path) or "", *extra)
            entry = record.get(page)
            if entry is not None and entry.key == record.key_of(fingerprints.of(page), inputs):
                kinds = [note.kind for note in entry.unit_notes()]
            else:
                kinds = _assembled_notes(project, lang, article, read_optional(po_path))
            if kinds:
                named = ", ".join(sorted(set(kinds)))
                out[slug] = Verdict(False, f"{len(kinds)} units would go out in English ({named})")
            else:
                out[slug] = Verdict(True)
        verdicts[lang] = out
    return verdicts


def _assembled_notes(
    project: Project, lang: str, article: Article, po_bytes: bytes | None
) -> list[str]:
    """The kinds of the units the page ``build`` would make now that are not reviewed
    translations (one per unit)."""
    config = project.config
    po_path = config.po_path(lang, article.slug)
    po = catalogue.parse(po_bytes, path=project.relative(po_path)) if po_bytes else None
    page = assemble_page(
        project.document(article),
        po,
        check_context(project, lang, article),
        policy=config.formatting.policy(lang),
        source_language=config.source_language,
        locale=config.tag(lang).babel,
    )
    return [fallback.kind for fallback in page.fallbacks]
