"""The build stage: catalogues + sources → published pages, reviewed work only (drafts apart).

Each unit's reviewed translation (with ``--draft``, its fuzzy draft too) replaces the unit's
source span; placeholders are formatted for the reader's locale; a translation with an error
finding (the publishing gate, :data:`localise.checks.GATE_RULES`) is withheld. Every unit that
goes out in the source language is reported with its reason (see :mod:`localise.publish`).

Every stale page is assembled (each catalogue parsed) before any is written: a malformed
catalogue stops the build with its ``path:line`` and no page written. Pages are streamed
through a hidden staging folder in the tree (:func:`localise.files.staging`) and renamed into
place once every job has succeeded, so a build of any size holds little per page in memory,
and one stopped midway (an error, Ctrl-C) leaves the earlier pages as they were.
Reviewed pages go under ``output_dir``, drafts under their own tree (``build/drafts/``),
laid out as ``[build]`` says. What each build wrote is recorded (:mod:`._record`), so a rerun
skips unchanged pages unread and still reports them, and a page built earlier for an article
(or language, or layout) that no longer exists is removed — only files the build wrote, unchanged
since; nothing else in the output folder is touched.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, NamedTuple

from localise import sharding
from localise.errors import UsageError
from localise.files import commit_staged, flush_staged, staging, write_if_changed
from localise.parallel import stream_jobs
from localise.project import Article, Project, digest, read_optional
from localise.stages import (
    BuildJob,
    Built,
    PageReport,
    Progress,
    Report,
    Ticker,
    UnitNote,
    staged_name,
)
from localise.stages._record import BuildRecord, PageEntry

BUILD_JOB = "localise.stages.jobs:build_one"
"""The work on one article (loaded only when some page is stale)."""


def run(
    project: Project,
    *,
    langs: Sequence[str] | None = None,
    draft: bool = False,
    progress: Progress | None = None,
    shard: sharding.Shard | None = None,
) -> Report:
    """Build every stale page of ``langs`` (all languages when None) into the reviewed tree
    (or, with ``draft``, the draft tree); report every page's units that are not reviewed
    translations (for pages left unchanged, read back from the build record). With
    ``shard``, only that shard's articles' pages (pages of other shards are never removed)."""
    with BuildRecord(project, writer=True) as record:
        return _run(project, record, langs=langs, draft=draft, progress=progress, shard=shard)


def _run(
    project: Project,
    record: BuildRecord,
    *,
    langs: Sequence[str] | None,
    draft: bool,
    progress: Progress | None,
    shard: sharding.Shard | None,
) -> Report:
    """:func:`run`, with the build index open."""
    config = project.config
    tree_name = "draft" if draft else "reviewed"
    tree = config.tree_root(draft=draft)
    extra = ("draft" if draft else "reviewed", project.glossary_digest)
    chosen = project.languages(langs)
    every = tuple(chosen)
    report = Report()
    pages: list[PageReport | None] = []  # article and language order; None: stale, built below
    stale: list[tuple[Article, tuple[str, ...]]] = []
    names = _page_names(project, draft=draft)
    notes = functools.partial(_read_notes, record)  # one for every page's report
    articles = sharding.select(shard, project.articles, lambda article: article.slug)
    fingerprints = project.fingerprints  # unchanged files are not read
    for article in articles:
        source: str | None = None
        posix = article.posix  # one string for the article's pages
        languages = []
        for lang in chosen:
            name = names(lang, article.slug)
            entry = record.find(name)
            if entry is not None:
                if source is None:
                    source = project.fingerprint(article)
                po = fingerprints.of(config.po_path(lang, article.slug)) or ""
                on_disk = fingerprints.of(project.root / name)
                if entry.key == record.key_of(on_disk, (source, po, *extra)):
                    pages.append(PageReport(
                        article=posix, lang=lang, path=name, units=entry.units,
                        kinds=entry.kinds, published=entry.published, read_notes=notes))
                    continue
            project.inside(project.root / name, tree)
            languages.append(lang)
            pages.append(None)
        if languages:
            stale.append((article, every if len(languages) == len(every) else tuple(languages)))
    if stale:
        with staging(tree) as folder:
            built = _build(project, record, report, stale, folder, names=names, draft=draft,
                           extra=extra, progress=progress, notes=notes)
        slots = iter(built)
        pages = [page if page is not None else next(slots) for page in pages]
    for page in pages:
        assert page is not None
        report.pages.append(page)
        if not page.written:
            report.unchanged.append(page.name)
    _refresh_assets(project, record, report, tree_name)
    _remove_stale(project, record, report, tree_name, tree)
    record.save()
    project.fingerprints.save()
    return report


class _Pending(NamedTuple):
    """A page built in this run with assets to copy once every job has succeeded."""

    rel: str
    """The page, project-relative POSIX."""
    entry: PageEntry
    """Its index entry, to complete with the assets copied."""
    copies: tuple[tuple[Path, Path], ...]
    previous: tuple[dict[str, Any], ...]
    """The assets the page's previous build copied."""


def _build(
    project: Project,
    record: BuildRecord,
    report: Report,
    stale: list[tuple[Article, tuple[str, ...]]],
    folder: Path,
    *,
    names: Callable[[str, str], str],
    draft: bool,
    extra: tuple[str, ...],
    progress: Progress | None,
    notes: Callable[[str], list[UnitNote]],
) -> list[PageReport]:
    """Build the ``stale`` pages, staging the changed ones in ``folder``, then (every job
    having succeeded) rename them into place and copy their assets; their reports, in order.

    Each article's inputs are read (again) only as a worker is ready for it, and each job
    returns a small record, so memory stays flat however many pages are built."""
    config = project.config
    tree_name = "draft" if draft else "reviewed"

    def jobs() -> Iterator[BuildJob]:
        for article, languages in stale:
            outputs = []
            for lang in languages:
                out = project.root / names(lang, article.slug)
                po_path = config.po_path(lang, article.slug)
                outputs.append(
                    (lang, out, read_optional(out), project.relative(po_path),
                     read_optional(po_path)))
            yield BuildJob(project.source(article, keep=False), tuple(outputs), folder)

    tick = Ticker(progress, len(stale), name=lambda job: job.source.article.path)
    built: list[PageReport] = []
    copying: dict[str, _Pending] = {}  # by page: the few pages with assets to copy
    counts: dict[tuple[tuple[str, int], ...], dict[str, int]] = {}  # one dict per distinct count
    results = stream_jobs(BUILD_JOB, jobs(), config, draft, project.glossary,
                          count=len(stale), done=tick)
    with contextlib.closing(results):
        for job, done in results:
            article = job.source.article
            name = article.posix  # one string for the article's pages
            for (lang, _, current, _, po), result in zip(job.outputs, done, strict=True):
                kinds = counts.setdefault(tuple(result.kinds.items()), result.kinds)
                inputs = (job.source.digest, digest(po) if po is not None else "", *extra)
                built.append(_account(
                    project, record, report, result, copying,
                    article=article.path, name=name, slug=article.slug, lang=lang, kinds=kinds,
                    tree=tree_name, current=current, inputs=inputs, notes=notes,
                ))
    if any(page.written for page in built):
        flush_staged(folder)
    for page in built:  # every catalogue parsed, every page staged: now put them in place
        if page.written:
            commit_staged(folder / staged_name(page.name), project.root / page.name)
            project.fingerprints.wrote(project.root / page.name)
            report.written.append(page.name)
        pending = copying.get(page.name)
        if pending is not None:
            _copy_assets(project, record, report, pending)
    return built


def _page_names(project: Project, *, draft: bool) -> Callable[[str, str], str]:
    """``(lang, slug)`` → the page's project-relative POSIX path in the tree being built
    (strings: a warm build looks up hundreds of pages); a reviewed page that would land in
    the drafts folder is a UsageError."""
    config = project.config
    tree = config.tree_root(draft=draft)
    prefix = project.relative(tree).as_posix()
    prefix = "" if prefix == "." else prefix + "/"
    drafts = config.drafts_root
    inside = (
        project.relative(drafts).as_posix() + "/"
        if not draft and drafts.is_relative_to(tree) else None
    )

    def name(lang: str, slug: str) -> str:
        page = prefix + config.build.page(config.tag(lang), slug)
        if inside is not None and page.startswith(inside):
            raise UsageError(
                f"the page of {slug} in {lang} would land in the drafts folder {inside}; "
                "change [build] path or drafts_dir",
                path=page,
            )
        return page

    return name


def _read_notes(record: BuildRecord, page: str) -> list[UnitNote]:
    """The notes of the page ``page`` (project-relative POSIX): its index entry's, with the
    msgids its page record holds (read each time they are asked for: nothing is kept per
    page)."""
    entry = record.find(page)
    if entry is None:
        return []
    notes = entry.unit_notes()
    stored = _stored_msgids(record.detail(page))
    if len(stored) != len(notes):
        return notes
    return [UnitNote(n.line, n.kind, n.reason, m) for n, m in zip(notes, stored, strict=True)]


def _stored_msgids(detail: dict[str, Any] | None) -> list[str | None]:
    """The msgids of the notes a page record holds, in the order of the index's notes."""
    if detail is None:
        return []
    if isinstance(detail.get("notes"), list):  # the page was kept back: notes of their own
        return [note[3] if len(note) > 3 else None for note in detail["notes"]]
    units = (detail.get("published") or {}).get("units") or []
    noted = [
        (u["line"], u.get("kind") or "unreviewed", u["msgid"])
        for u in units if u.get("state") != "reviewed"
    ]
    return [msgid for _, _, msgid in sorted(noted, key=lambda n: (n[0], n[1]))]


def _account(
    project: Project,
    record: BuildRecord,
    report: Report,
    result: Built,
    copying: dict[str, _Pending],
    *,
    article: Path,
    name: str,
    slug: str,
    lang: str,
    kinds: dict[str, int],
    tree: str,
    current: bytes | None,
    inputs: tuple[str, ...],
    notes: Callable[[str], list[UnitNote]],
) -> PageReport:
    """Account for one page a job assembled (and recorded): report and index entry (``kinds``,
    its notes per kind, is shared with other pages: never changed in place); the assets to
    copy once every job has succeeded go to ``copying``."""
    rel = record.name(result.path)
    previous = record.find(rel)
    if result.written and result.staged != staged_name(rel):
        raise AssertionError(f"{rel} was staged as {result.staged}")
    if result.fuzzy_used:
        report.drafts[Path(rel)] = result.fuzzy_used
    for link, why in result.refused:
        report.warnings.append((article, None, f"[{lang}] linked file {link}: {why}"))
    earlier = tuple(previous.assets) if previous else ()
    if result.published:
        on_disk: str | None = result.digest
        written: str | None = result.digest
        assets: list[dict[str, Any]] = []  # filled in once copied
    else:  # kept back: the earlier page (if any) stays, with what it was built with
        on_disk = None if current is None else digest(current)
        written = previous.written if previous else None
        assets = list(earlier)
    entry = PageEntry(
        article=name, slug=slug, lang=lang, tree=tree,
        key=record.key_of(on_disk, inputs), written=written, units=result.units,
        notes=result.notes, kinds=kinds, published=result.published, assets=assets,
    )
    if entry != previous:
        record.put(result.path, entry)
    if result.published and (result.copies or earlier):
        copying[rel] = _Pending(rel, entry, result.copies, earlier)
    return PageReport(
        article=name, lang=lang, path=rel, units=result.units, kinds=kinds,
        written=result.written, published=result.published, read_notes=notes,
    )


def _copy_assets(project: Project, record: BuildRecord, report: Report, page: _Pending) -> None:
    """Copy the files a published page links to beside it; those its previous build copied
    that it no longer links to become orphans (removed unless another page links them)."""
    copied = [_copy(project, report, source, copy) for source, copy in page.copies]
    page.entry.assets = [a for a in copied if a is not None]
    kept = {a["copy"] for a in page.entry.assets}
    for asset in page.previous:
        if asset["copy"] not in kept:  # the page no longer links to it
            record.orphans[asset["copy"]] = asset["digest"]
    record.put(project.root / page.rel, page.entry)


def _copy(project: Project, report: Report, source: Path, copy: Path) -> dict[str, Any] | None:
    """Copy one linked file beside a page (only when its bytes differ); its index entry."""
    try:
        data = source.read_bytes()
        info = source.stat()
    except OSError as exc:
        report.warnings.append((project.relative(source), None, f"not copied: {exc.strerror}"))
        return None
    if write_if_changed(copy, data):
        report.written.append(project.relative(copy))
    return {
        "source": project.relative(source).as_posix(),
        "copy": project.relative(copy).as_posix(),
        "stamp": [info.st_size, info.st_mtime_ns],
        "digest": digest(data),
    }


def _refresh_assets(project: Project, record: BuildRecord, report: Report, tree: str) -> None:
    """Copy again the linked files of unchanged pages whose source changed or copy vanished."""
    root = project.root
    for name, entry in record.with_assets(tree):
        changed = False
        for asset in entry.assets:
            source, copy = root / asset["source"], root / asset["copy"]
            try:
                info = source.stat()
            except OSError:
                continue  # reported when the page is next built
            if [info.st_size, info.st_mtime_ns] == asset["stamp"] and copy.exists():
                continue
            fresh = _copy(project, report, source, copy)
            if fresh is not None:
                asset.update(fresh)
                changed = True
        if changed:
            record.put(root / name, entry)


def _remove_stale(
    project: Project, record: BuildRecord, report: Report, tree: str, root: Path
) -> None:
    """Remove pages this tree's earlier builds wrote that no current article and language
    makes (only files unchanged since written), then asset copies no page links to."""
    names = _page_names(project, draft=tree == "draft")
    languages = project.config.languages
    slugs = {article.slug for article in project.articles}
    gone = [  # a page is current when its own article and language still make it...
        name for name, slug, lang in record.pages(tree)
        if not (slug in slugs and lang in languages and names(lang, slug) == name)
    ]
    if gone:  # ...or when some other one does (a layout that changed, a renamed article)
        current = {names(lang, slug) for slug in slugs for lang in languages}
        gone = [name for name in gone if name not in current]
    old_copies = dict(record.orphans)
    for name in gone:
        entry = record.find(name)
        if entry is None:
            continue
        if _remove_file(project, report, project.root / name, entry.written, root):
            for asset in entry.assets:  # a page left in place keeps what it links to
                old_copies[asset["copy"]] = asset["digest"]
        record.drop(name)
    if not old_copies:
        return
    linked = {a["copy"] for _, e in record.with_assets() for a in e.assets}
    for name, written in sorted(old_copies.items()):
        if name not in linked:
            _remove_file(project, report, project.root / name, written, root)


def _remove_file(
    project: Project, report: Report, path: Path, written: str | None, root: Path
) -> bool:
    """Delete ``path`` if it still holds exactly what localise wrote (empty folders it leaves
    under ``root`` go too); False when it was left in place."""
    data = read_optional(path)
    if data is None:
        return True
    rel = project.relative(path)
    if written is None or digest(data) != written:
        report.kept.append((rel, "changed since localise wrote it; left in place"))
        return False
    path.unlink()
    report.removed.append(rel)
    folder = path.parent
    while folder != root and folder.is_relative_to(root):
        try:
            folder.rmdir()  # only succeeds when empty
        except OSError:
            break
        folder = folder.parent
    return True
