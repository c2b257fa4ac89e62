"""The check stage: every rule of :data:`localise.checks.RULES` over every catalogue."""

from __future__ import annotations

from collections.abc import Sequence

from localise import catalogue, checks, sharding
from localise.checks import Finding
from localise.errors import SourceError
from localise.project import Project
from localise.stages import Progress, Ticker
from localise.stages._checking import check_context


def run(
    project: Project,
    *,
    langs: Sequence[str] | None = None,
    progress: Progress | None = None,
    shard: sharding.Shard | None = None,
) -> list[Finding]:
    """Every finding over every catalogue of ``langs`` (of ``shard``'s articles), sorted by
    file, line and check."""
    config = project.config
    chosen = project.languages(langs)
    findings: list[Finding] = []
    articles = sharding.select(shard, project.articles, lambda article: article.slug)
    tick = Ticker(progress, len(articles), name=lambda article: article.path)
    for article in tick.each(articles):
        for lang in chosen:
            path = config.po_path(lang, article.slug)
            name = project.relative(path)
            po = catalogue.read(path, name=name)
            if po is None:
                continue
            try:
                ctx = check_context(project, lang, article)
            except (OSError, SourceError):  # an unreadable source: links unknown, still check
                ctx = checks.CheckContext(
                    lang=lang,
                    glossary=project.glossary,
                    localisable_links=config.check.localisable_links,
                    dialect=config.dialect_for(article.path),
                )
            findings += checks.check_catalogue(po, ctx, file=name.as_posix())
    return sorted(findings, key=lambda f: (f.file, f.line, f.check))
