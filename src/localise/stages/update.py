"""The update stage: ``locales/<slug>.pot`` → ``locales/<lang>/LC_MESSAGES/<slug>.po``.

msgmerge semantics (see :func:`localise.catalogue.merge`); a catalogue is rewritten only when
its bytes change, and skipped unread when its template has not changed since it was made.
"""

from __future__ import annotations

from collections.abc import Sequence

from localise.parallel import map_jobs
from localise.project import Project, read_optional
from localise.stages import Progress, Report, Ticker, UpdateJob

UPDATE_JOB = "localise.stages.jobs:update_one"
"""The work on one article (loaded only when some catalogue is stale)."""


def run(
    project: Project,
    *,
    langs: Sequence[str] | None = None,
    keep_obsolete: bool = True,
    progress: Progress | None = None,
) -> Report:
    """Refresh every stale catalogue of ``langs`` (all languages when None) from its template."""
    config, state = project.config, project.state
    report = Report()
    flag = b"obsolete" if keep_obsolete else b"no-obsolete"
    chosen = project.languages(langs)
    jobs: list[UpdateJob] = []
    for article in project.articles:
        pot_path = config.pot_path(article.slug)
        pot = read_optional(pot_path)
        stale = []
        for lang in chosen:
            po_path = config.po_path(lang, article.slug)
            data = read_optional(po_path)
            if data is not None and state.fresh(po_path, pot or b"", flag, current=data):
                report.unchanged.append(project.relative(po_path))
            else:
                path = project.inside(po_path, config.locales_root)
                # the catalogue's Language: header and plural rule use the gettext form (pt_BR)
                stale.append((config.tag(lang).gettext, path, project.relative(po_path), data))
        if stale:
            jobs.append(UpdateJob(project.relative(pot_path), pot, tuple(stale)))
    tick = Ticker(progress, len(jobs), name=lambda job: job.pot_name)
    results = map_jobs(UPDATE_JOB, jobs, keep_obsolete, done=tick)
    for job, written in zip(jobs, results, strict=True):
        for (_, path, name, _), changed in zip(job.catalogues, written, strict=True):
            (report.written if changed else report.unchanged).append(name)
            state.record(path, job.pot or b"", flag)
    state.save()
    return report
