"""The update stage: ``locales/<slug>.pot`` → ``locales/<lang>/LC_MESSAGES/<slug>.po``.

msgmerge semantics (see :func:`localise.catalogue.merge`); a catalogue is rewritten only when
its bytes change, and skipped unread when its template has not changed since it was made.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from localise import catalogue
from localise.errors import UsageError
from localise.files import write_atomic
from localise.parallel import map_jobs
from localise.project import Article, Project, read_optional
from localise.stages import Report


@dataclass(frozen=True, slots=True)
class _Job:
    """One article's template and the catalogues to refresh from it, as read by the parent."""

    article: Article
    pot_name: Path
    pot: bytes | None
    catalogues: tuple[tuple[str, Path, Path, bytes | None], ...]
    """(language, absolute path, project-relative name, bytes or None) per stale catalogue."""


def _update_one(job: _Job, keep_obsolete: bool) -> list[bool]:
    """Merge one article's template into each of the job's catalogues; True where written."""
    if job.pot is None:
        raise UsageError("no template: run `localise extract` first", path=job.pot_name)
    pot = catalogue.parse(job.pot, path=job.pot_name)
    results = []
    for lang, path, name, data in job.catalogues:
        old = catalogue.parse(data, path=name) if data is not None else None
        merged = catalogue.merge(old, pot, lang=lang, keep_obsolete=keep_obsolete).render()
        if merged != data:
            write_atomic(path, merged)
        results.append(merged != data)
    return results


def run(
    project: Project, *, langs: Sequence[str] | None = None, keep_obsolete: bool = True
) -> Report:
    """Refresh every stale catalogue of ``langs`` (all languages when None) from its template."""
    config, state = project.config, project.state
    report = Report()
    flag = b"obsolete" if keep_obsolete else b"no-obsolete"
    chosen = project.languages(langs)
    jobs: list[_Job] = []
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
                stale.append((lang, path, project.relative(po_path), data))
        if stale:
            jobs.append(_Job(article, project.relative(pot_path), pot, tuple(stale)))
    for job, written in zip(jobs, map_jobs(_update_one, jobs, keep_obsolete), strict=True):
        for (_, path, name, _), changed in zip(job.catalogues, written, strict=True):
            (report.written if changed else report.unchanged).append(name)
            state.record(path, job.pot or b"", flag)
    state.save()
    return report
