"""The build stage: catalogues + sources → ``build/<lang>/<slug>.md``, reviewed work only.

Each unit's reviewed translation (with ``--draft``, its fuzzy draft too) replaces the unit's
source span; placeholders are formatted for the reader's locale; a translation with an error
finding (the publishing gate, :data:`localise.checks.GATE_RULES`) is withheld and the unit keeps
its source text, reported as a fallback (see :mod:`localise.publish`).
"""

from __future__ import annotations

from collections.abc import Sequence

from localise.parallel import map_jobs
from localise.project import Project, read_optional
from localise.stages import BuildJob, Built, Progress, Report, Ticker

BUILD_JOB = "localise.stages.jobs:build_one"
"""The work on one article (loaded only when some page is stale)."""


def run(
    project: Project,
    *,
    langs: Sequence[str] | None = None,
    draft: bool = False,
    progress: Progress | None = None,
) -> Report:
    """Build every stale page of ``langs`` (all languages when None)."""
    config, state = project.config, project.state
    report = Report()
    extra = (b"draft" if draft else b"reviewed", project.glossary_bytes)
    chosen = project.languages(langs)
    jobs: list[BuildJob] = []
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
            jobs.append(BuildJob(source, tuple(stale)))
    tick = Ticker(progress, len(jobs), name=lambda job: job.source.article.path)
    results: list[list[Built]] = map_jobs(BUILD_JOB, jobs, config, draft, project.glossary,
                                          done=tick)
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
