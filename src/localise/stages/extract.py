"""The extract stage: ``source/*.md`` → ``locales/<slug>.pot``, written only when changed."""

from __future__ import annotations

from pathlib import Path

from localise import catalogue
from localise.config import Config
from localise.files import write_if_changed
from localise.glossary import Glossary
from localise.parallel import map_jobs
from localise.project import Project, Source, segment_source
from localise.stages import Report


def _extract_one(job: tuple[Source, Path], config: Config, glossary: Glossary) -> bool:
    """Write one article's template; True when its bytes changed."""
    source, pot_path = job
    previous = catalogue.read(pot_path)
    pot = catalogue.template(
        segment_source(config, source),
        reference_comments=config.reference_comments,
        previous=previous,
        glossary=glossary,
    )
    return write_if_changed(pot_path, pot.render())


def run(project: Project) -> Report:
    """Write the template of every article whose source or glossary changed since last time."""
    config, state = project.config, project.state
    report = Report()
    glossary_bytes = project.glossary_bytes
    todo: list[tuple[Source, Path]] = []
    for article in project.articles:
        pot_path = config.pot_path(article.slug)
        source = project.source(article)
        if state.fresh(pot_path, source.data, glossary_bytes):
            report.unchanged.append(project.relative(pot_path))
        else:  # decoding errors stop the run before any template is written
            todo.append((source.decoded(), project.inside(pot_path, config.locales_root)))
    results = map_jobs(_extract_one, todo, config, project.glossary)
    for (source, pot_path), written in zip(todo, results, strict=True):
        (report.written if written else report.unchanged).append(project.relative(pot_path))
        state.record(pot_path, source.data, glossary_bytes)
    state.save()
    return report
