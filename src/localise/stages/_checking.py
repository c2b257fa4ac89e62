"""What the checks know about one article's translations, as the stages that run them build it."""

from __future__ import annotations

from localise.checks import CheckContext
from localise.project import Article, Project


def check_context(project: Project, lang: str, article: Article) -> CheckContext:
    """The frozen context of the rules for ``article`` translated into ``lang``."""
    return CheckContext(
        lang=lang,
        glossary=project.glossary,
        link_definitions=project.link_definitions(article),
        localisable_links=project.config.check.localisable_links,
        dialect=project.config.dialect_for(article.path),
    )
