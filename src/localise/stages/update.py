"""The update stage: ``locales/<slug>.pot`` → ``locales/<lang>/LC_MESSAGES/<slug>.po``.

msgmerge semantics (see :func:`localise.catalogue.merge`); a catalogue is rewritten only when
its bytes change, and skipped unread when its template has not changed since it was made.
The stale ones are read again as the jobs are handed out, so no more than a few articles'
catalogues are held at once.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from localise.parallel import stream_jobs
from localise.project import Article, Project, digest, read_optional
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
    flag = "obsolete" if keep_obsolete else "no-obsolete"
    chosen = project.languages(langs)
    stale: list[tuple[Article, tuple[str, ...]]] = []  # (no paths kept: made again below)
    fingerprints = project.fingerprints  # unchanged files are not read
    every = tuple(chosen)  # shared by the articles stale in every language
    for article in project.articles:
        pot = fingerprints.of(config.pot_path(article.slug)) or ""
        langs_stale = []
        for lang in chosen:
            po_path = config.po_path(lang, article.slug)
            if state.fresh(po_path, pot, flag):
                report.unchanged.append(project.relative(po_path))
            else:
                project.inside(po_path, config.locales_root)
                langs_stale.append(lang)
        if langs_stale:
            stale.append((article, every if len(langs_stale) == len(every)
                          else tuple(langs_stale)))

    def jobs() -> Iterator[UpdateJob]:  # read again as workers need them: none held long
        for article, languages in stale:
            pot_path = config.pot_path(article.slug)
            paths = [(lang, config.po_path(lang, article.slug)) for lang in languages]
            # the catalogue's Language: header and plural rule use the gettext form (pt_BR)
            catalogues = tuple(
                (config.tag(lang).gettext, path, project.relative(path), read_optional(path))
                for lang, path in paths
            )
            yield UpdateJob(project.relative(pot_path), read_optional(pot_path), catalogues)

    tick = Ticker(progress, len(stale), name=lambda job: job.pot_name)
    for job, written in stream_jobs(UPDATE_JOB, jobs(), keep_obsolete, count=len(stale),
                                    done=tick):
        for (_, path, name, _), changed in zip(job.catalogues, written, strict=True):
            (report.written if changed else report.unchanged).append(name)
            state.record(path, digest(job.pot) if job.pot is not None else "", flag)
    state.save()
    return report
