"""The extract stage: ``source/*.md`` → ``locales/<slug>.pot``, written only when changed.

It also notices articles that disappeared since the last extract (a template whose source is
gone). A source that reappears under another path with most of its units (at least
:data:`RENAME_SHARE` of the old msgids) carries its catalogues along, entries untouched; a
removed article's catalogues are moved to ``locales/<lang>/LC_MESSAGES/.obsolete/<slug>.po``
— never deleted — and can come back the same way when an article with those units returns.
The templates of articles that are gone are removed (they are generated from the source).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from localise.parallel import job_function, stream_jobs
from localise.project import Article, Project, read_optional
from localise.stages import ExtractJob, Moved, Progress, Report, Ticker

EXTRACT_JOB = "localise.stages.jobs:extract_one"
"""The work on one article (loaded only when some template is stale)."""
MSGIDS = "localise.stages.jobs:catalogue_msgids"
CARRY = "localise.stages.jobs:carry_catalogue"
PRUNE = "localise.stages._segments:prune"
"""What reads and moves catalogues, and removes the segmentation records of articles gone
(loaded only when an article disappeared or is new)."""
RENAME_SHARE = 0.6
"""Share of a vanished article's msgids that must reappear in a new article for its
catalogues to follow (a rename, perhaps with edits)."""
OBSOLETE = ".obsolete"
"""Folder (under each language's ``LC_MESSAGES``) of the catalogues of removed articles."""


def run(project: Project, *, progress: Progress | None = None) -> Report:
    """Write the template of every article whose source or glossary changed since last time;
    carry the catalogues of renamed articles along and move those of removed ones aside."""
    config, state = project.config, project.state
    report = Report()
    glossary = project.glossary_digest
    stale: list[Article] = []
    new: list[Article] = []
    for article in project.articles:  # unchanged files are not read (see Project.fingerprints)
        pot_path = config.pot_path(article.slug)
        if state.fresh(pot_path, project.fingerprint(article), glossary):
            report.unchanged.append(project.relative(pot_path))
            continue
        project.source(article, keep=False).decoded()  # a bad source stops the run here
        project.inside(pot_path, config.locales_root)
        stale.append(article)
        if not pot_path.exists():
            new.append(article)

    def jobs() -> Iterator[ExtractJob]:  # read again as workers need them: none held long
        for article in stale:
            pot_path = config.pot_path(article.slug)
            yield ExtractJob(project.source(article, keep=False), pot_path,
                             project.relative(pot_path), read_optional(pot_path))

    tick = Ticker(progress, len(stale), name=lambda job: job.source.article.path)
    for job, written in stream_jobs(EXTRACT_JOB, jobs(), config, project.glossary,
                                    count=len(stale), done=tick):
        (report.written if written else report.unchanged).append(job.pot_name)
        state.record(job.pot_path, job.source.digest, glossary)
    _follow_vanished(project, report, new)
    state.save()
    return report


@dataclass(frozen=True, slots=True)
class _Gone:
    """An article whose catalogues may follow it: vanished now, or moved aside earlier."""

    slug: str
    """The slug its catalogues are filed under (in ``.obsolete/`` when archived)."""
    msgids: frozenset[str]
    archived: bool


def _language_folders(project: Project) -> list[Path]:
    """Every ``locales/<lang>/LC_MESSAGES`` folder on disk (configured languages or not)."""
    root = project.config.locales_root
    if not root.is_dir():
        return []
    return sorted(p / "LC_MESSAGES" for p in root.iterdir() if (p / "LC_MESSAGES").is_dir())


def _templates(project: Project) -> dict[str, Path]:
    """Slug → template path of every ``.pot`` under the locales folder (hidden folders and the
    languages' ``LC_MESSAGES`` skipped: this runs on every extract, so it walks no catalogue)."""
    root = str(project.config.locales_root)
    found = {}
    for folder, subfolders, names in os.walk(root):
        language = os.path.dirname(folder) == root  # locales/<lang>/: skip its LC_MESSAGES
        subfolders[:] = [
            d for d in subfolders
            if not d.startswith(".") and not (language and d == "LC_MESSAGES")
        ]
        rel = "" if folder == root else os.path.relpath(folder, root).replace(os.sep, "/") + "/"
        for name in names:
            if name.endswith(".pot") and not name.startswith("."):
                found[rel + name[: -len(".pot")]] = Path(folder, name)
    return dict(sorted(found.items()))


def _msgids(project: Project, path: Path) -> frozenset[str]:
    """The live msgids of the catalogue or template at ``path`` (empty if unreadable)."""
    found: frozenset[str] = job_function(MSGIDS)(path, project.relative(path))
    return found


def _follow_vanished(project: Project, report: Report, new: list[Article]) -> None:
    """Carry catalogues along with renamed articles; move those of removed ones aside."""
    config = project.config
    alive = {article.slug for article in project.articles}
    templates = _templates(project)
    vanished = sorted(slug for slug in templates if slug not in alive)
    if not vanished and not new:
        return  # the usual run: every template has its source, no article is new
    job_function(PRUNE)(config.cache_dir, [article.path for article in project.articles])
    folders = _language_folders(project)
    # new articles with no catalogue in any language may be an old one under a new name
    homeless = [
        a for a in new
        if not any((folder / f"{a.slug}.po").exists() for folder in folders)
    ]
    if not vanished and not homeless:
        return
    gone = [_Gone(slug, _msgids(project, templates[slug]), False) for slug in vanished]
    if homeless:
        gone += _archived(project, folders)
    matches = _match(project, gone, homeless)
    for article, old in matches:
        moves = []
        for folder in folders:
            here = (folder / OBSOLETE if old.archived else folder) / f"{old.slug}.po"
            there = folder / f"{article.slug}.po"
            if not here.exists() or there.exists():
                continue
            old_slug = _original_slug(old.slug) if old.archived else old.slug
            job_function(CARRY)(
                here, there, project.relative(here),
                source=article.path.as_posix(), slug=article.slug, old_slug=old_slug,
            )
            project.state.forget(here)
            moves.append((project.relative(here), project.relative(there)))
        units = len(old.msgids)
        found = len(old.msgids & _msgids(project, config.pot_path(article.slug)))
        source = config.source_dir / f"{_original_slug(old.slug)}.md"
        report.moved.append(
            Moved(source, article.path, tuple(moves), found, units, restored=old.archived)
        )
    carried = {old.slug for _, old in matches if not old.archived}
    for slug in vanished:
        if slug not in carried:
            moves = []
            for folder in folders:
                here = folder / f"{slug}.po"
                if here.exists():
                    there = _free(folder / OBSOLETE / f"{slug}.po")
                    there.parent.mkdir(parents=True, exist_ok=True)
                    os.replace(here, there)
                    project.state.forget(here)
                    moves.append((project.relative(here), project.relative(there)))
            source = config.source_dir / f"{slug}.md"
            report.moved.append(Moved(source, None, tuple(moves), 0, 0))
        pot = templates[slug]
        pot.unlink()
        project.state.forget(pot)
        report.removed.append(project.relative(pot))
        _prune(pot.parent, config.locales_root)


def _archived(project: Project, folders: list[Path]) -> list[_Gone]:
    """Catalogues moved aside earlier, as candidates for an article that came back."""
    by_slug: dict[str, set[str]] = {}
    for folder in folders:
        archive = folder / OBSOLETE
        for path in sorted(archive.rglob("*.po")) if archive.is_dir() else ():
            slug = path.relative_to(archive).with_suffix("").as_posix()
            by_slug.setdefault(slug, set()).update(_msgids(project, path))
    return [_Gone(slug, frozenset(ids), True) for slug, ids in sorted(by_slug.items())]


def _match(
    project: Project, gone: list[_Gone], homeless: list[Article]
) -> list[tuple[Article, _Gone]]:
    """Pair new articles with vanished or archived ones sharing at least RENAME_SHARE of the
    old msgids, best pairs first; each side is used once."""
    if not gone or not homeless:
        return []
    new_ids = {a.slug: _msgids(project, project.config.pot_path(a.slug)) for a in homeless}
    scored = []
    for old in gone:
        if not old.msgids:
            continue
        for article in homeless:
            found = len(old.msgids & new_ids[article.slug])
            share = found / len(old.msgids)
            if share >= RENAME_SHARE:
                same = _original_slug(old.slug) == article.slug
                scored.append((-share, -found, not same, old.archived, old.slug, article.slug,
                               article, old))
    scored.sort(key=lambda s: s[:6])
    used_old: set[tuple[str, bool]] = set()
    used_new: set[str] = set()
    pairs = []
    for *_, article, old in scored:
        if (old.slug, old.archived) in used_old or article.slug in used_new:
            continue
        used_old.add((old.slug, old.archived))
        used_new.add(article.slug)
        pairs.append((article, old))
    return pairs


def _original_slug(archived: str) -> str:
    """The slug an archived catalogue was filed under (``guides/a~2`` → ``guides/a``)."""
    stem, sep, number = archived.rpartition("~")
    return stem if sep and number.isdigit() else archived


def _free(path: Path) -> Path:
    """``path``, or ``<stem>~2.po``, ``~3``… when taken: an archive never overwrites one."""
    candidate, n = path, 1
    while candidate.exists():
        n += 1
        candidate = path.with_name(f"{path.stem}~{n}{path.suffix}")
    return candidate


def _prune(folder: Path, root: Path) -> None:
    """Remove ``folder`` and its parents up to ``root`` while they are empty."""
    while folder != root and folder.is_relative_to(root):
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent
