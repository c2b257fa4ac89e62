"""The status stage: reviewed / fuzzy / untranslated units and words per language and article."""

from __future__ import annotations

from collections.abc import Sequence

from localise import catalogue
from localise.model import Counts
from localise.project import Project
from localise.stages import Progress, Ticker


def run(
    project: Project, *, langs: Sequence[str] | None = None, progress: Progress | None = None
) -> dict[str, dict[str, Counts]]:
    """Per language, per article slug: counts of the catalogue on disk (or of the template,
    or of the source itself, for an article that has none yet: all untranslated)."""
    config = project.config
    result: dict[str, dict[str, Counts]] = {}
    chosen = project.languages(langs)
    tick = Ticker(progress, len(chosen) * len(project.articles), unit="catalogue",
                  name=lambda article: project.relative(config.po_path(lang, article.slug)))
    for lang in chosen:
        per: dict[str, Counts] = {}
        for article in tick.each(project.articles):
            po_path = config.po_path(lang, article.slug)
            po = catalogue.read(po_path, name=project.relative(po_path))
            if po is None:
                pot_path = config.pot_path(article.slug)
                po = catalogue.read(pot_path, name=project.relative(pot_path))
            if po is None:  # never extracted: every unit of the source is untranslated
                po = catalogue.template(project.document(article), reference_comments="none")
            per[article.slug] = po.stats()
        result[lang] = per
    return result
