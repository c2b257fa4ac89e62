"""The extract stage: ``source/*.md`` → ``locales/<slug>.pot``, written only when changed."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from localise import catalogue
from localise.config import Config
from localise.files import write_atomic
from localise.glossary import Glossary
from localise.parallel import map_jobs
from localise.project import Project, Source, read_optional, segment_source
from localise.stages import Report


@dataclass(frozen=True, slots=True)
class _Job:
    """One article to extract, with its template as the parent read it (None: none yet)."""

    source: Source
    pot_path: Path
    pot_name: Path
    pot: bytes | None


def _extract_one(job: _Job, config: Config, glossary: Glossary) -> bool:
    """Write one article's template; True when its bytes changed."""
    previous = catalogue.parse(job.pot, path=job.pot_name) if job.pot is not None else None
    data = catalogue.template(
        segment_source(config, job.source),
        reference_comments=config.reference_comments,
        previous=previous,
        glossary=glossary,
    ).render()
    if data == job.pot:
        return False
    write_atomic(job.pot_path, data)
    return True


def run(project: Project) -> Report:
    """Write the template of every article whose source or glossary changed since last time."""
    config, state = project.config, project.state
    report = Report()
    glossary_bytes = project.glossary_bytes
    todo: list[_Job] = []
    for article in project.articles:
        pot_path = config.pot_path(article.slug)
        source = project.source(article)
        pot = read_optional(pot_path)
        if pot is not None and state.fresh(pot_path, source.data, glossary_bytes, current=pot):
            report.unchanged.append(project.relative(pot_path))
        else:  # decoding errors stop the run before any template is written
            path = project.inside(pot_path, config.locales_root)
            todo.append(_Job(source.decoded(), path, project.relative(pot_path), pot))
    results = map_jobs(_extract_one, todo, config, project.glossary)
    for job, written in zip(todo, results, strict=True):
        (report.written if written else report.unchanged).append(job.pot_name)
        state.record(job.pot_path, job.source.data, glossary_bytes)
    state.save()
    return report
