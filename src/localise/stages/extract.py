"""The extract stage: ``source/*.md`` → ``locales/<slug>.pot``, written only when changed."""

from __future__ import annotations

from localise.parallel import map_jobs
from localise.project import Project, read_optional
from localise.stages import ExtractJob, Progress, Report, Ticker

EXTRACT_JOB = "localise.stages.jobs:extract_one"
"""The work on one article (loaded only when some template is stale)."""


def run(project: Project, *, progress: Progress | None = None) -> Report:
    """Write the template of every article whose source or glossary changed since last time."""
    config, state = project.config, project.state
    report = Report()
    glossary_bytes = project.glossary_bytes
    todo: list[ExtractJob] = []
    for article in project.articles:
        pot_path = config.pot_path(article.slug)
        source = project.source(article)
        pot = read_optional(pot_path)
        if pot is not None and state.fresh(pot_path, source.data, glossary_bytes, current=pot):
            report.unchanged.append(project.relative(pot_path))
        else:  # decoding errors stop the run before any template is written
            path = project.inside(pot_path, config.locales_root)
            todo.append(ExtractJob(source.decoded(), path, project.relative(pot_path), pot))
    tick = Ticker(progress, len(todo), name=lambda job: job.source.article.path)
    results = map_jobs(EXTRACT_JOB, todo, config, project.glossary, done=tick)
    for job, written in zip(todo, results, strict=True):
        (report.written if written else report.unchanged).append(job.pot_name)
        state.record(job.pot_path, job.source.data, glossary_bytes)
    state.save()
    return report
