"""The build stage: catalogues + sources → published pages, reviewed work only (drafts apart).

Each unit's reviewed translation (with ``--draft``, its fuzzy draft too) replaces the unit's
source span; placeholders are formatted for the reader's locale; a translation with an error
finding (the publishing gate, :data:`localise.checks.GATE_RULES`) is withheld. Every unit that
goes out in the source language is reported with its reason (see :mod:`localise.publish`).

Reviewed pages go under ``output_dir``, drafts under their own tree (``build/drafts/``), laid
out as ``[build]`` says. What each build wrote is recorded (:mod:`._record`), so a rerun skips
unchanged pages unread and still reports them, and a page built earlier for an article (or
language, or layout) that no longer exists is removed — only files the build wrote, unchanged
since; nothing else in the output folder is touched.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from localise.errors import UsageError
from localise.files import write_if_changed
from localise.parallel import map_jobs
from localise.project import Project, digest, read_optional
from localise.stages import BuildJob, Built, PageReport, Report, UnitNote
from localise.stages._record import BuildRecord, PageEntry, built_at

BUILD_JOB = "localise.stages.jobs:build_one"
"""The work on one article (loaded only when some page is stale)."""


def run(
    project: Project,
    *,
    langs: Sequence[str] | None = None,
    draft: bool = False,
    msgids: bool = False,
) -> Report:
    """Build every stale page of ``langs`` (all languages when None) into the reviewed tree
    (or, with ``draft``, the draft tree); report every page's units that are not reviewed
    translations (``msgids``: with their msgids, read back for pages left unchanged)."""
    config = project.config
    record = BuildRecord(project)
    tree_name = "draft" if draft else "reviewed"
    tree = config.tree_root(draft=draft)
    extra = (b"draft" if draft else b"reviewed", project.glossary_bytes)
    chosen = project.languages(langs)
    report = Report()
    jobs: list[BuildJob] = []
    # inputs read once: an edit made while the build runs must not be recorded as built
    inputs: dict[tuple[str, str], tuple[bytes, ...]] = {}
    fresh: dict[tuple[str, str], PageReport] = {}
    for article in project.articles:
        source = project.source(article)
        stale = []
        for lang in chosen:
            out = config.output_path(lang, article.slug, draft=draft)
            if not draft and out.is_relative_to(config.drafts_root):
                raise UsageError(
                    f"the page of {article.path} would land in the drafts folder "
                    f"{project.relative(config.drafts_root)}; change [build] path or drafts_dir",
                    path=project.relative(out),
                )
            po_path = config.po_path(lang, article.slug)
            po = read_optional(po_path)
            inputs[article.slug, lang] = (source.data, po or b"", *extra)
            current = read_optional(out)
            entry = record.get(out)
            if entry is not None and entry.key == record.key(current, inputs[article.slug, lang]):
                fresh[article.slug, lang] = _fresh_report(project, record, out, entry, msgids)
            else:
                target = project.inside(out, tree)
                stale.append((lang, target, current, project.relative(po_path), po))
        if stale:
            jobs.append(BuildJob(source, tuple(stale)))
    results: list[list[Built]] = map_jobs(BUILD_JOB, jobs, config, draft, project.glossary)
    built: dict[tuple[str, str], PageReport] = {}
    stamp = built_at()
    for job, done in zip(jobs, results, strict=True):
        article = job.source.article
        for (lang, _, current, _, _), result in zip(job.outputs, done, strict=True):
            built[article.slug, lang] = _record_built(
                project, record, report, result,
                article=article.path, slug=article.slug, lang=lang, tree=tree_name,
                current=current, inputs=inputs[article.slug, lang], stamp=stamp,
            )
    for article in project.articles:
        for lang in chosen:
            page = fresh.get((article.slug, lang)) or built[article.slug, lang]
            report.pages.append(page)
            if not page.written:
                report.unchanged.append(page.path)
    _refresh_assets(project, record, report, tree_name)
    _remove_stale(project, record, report, tree_name, tree)
    record.save()
    return report


def _fresh_report(
    project: Project, record: BuildRecord, out: Path, entry: PageEntry, msgids: bool
) -> PageReport:
    """The report of a page left unchanged, from its index entry (and record for msgids)."""
    notes = entry.unit_notes()
    english = sum(n.kind != "unreviewed" for n in notes)
    listed = 0 < english < entry.units or any(n.kind in ("withheld", "fuzzy") for n in notes)
    if notes and (msgids or listed):  # the CLI lists these units one by one
        detail = record.detail(record.name(out))
        stored = detail.get("notes") if detail else None
        if isinstance(stored, list) and len(stored) == len(notes):
            notes = [
                UnitNote(n.line, n.kind, n.reason, str(s[3]) if len(s) > 3 else None)
                for n, s in zip(notes, stored, strict=True)
            ]
    return PageReport(
        article=Path(entry.article), lang=entry.lang, path=project.relative(out),
        units=entry.units, notes=notes, written=False, published=entry.published,
    )


def _record_built(
    project: Project,
    record: BuildRecord,
    report: Report,
    result: Built,
    *,
    article: Path,
    slug: str,
    lang: str,
    tree: str,
    current: bytes | None,
    inputs: tuple[bytes, ...],
    stamp: str,
) -> PageReport:
    """Account for one page a job assembled: report, asset copies, index entry, page record."""
    page = result.page
    name = record.name(result.path)
    previous = record.get(result.path)
    notes = [UnitNote(f.unit.line, f.kind, f.reason, f.unit.msgid) for f in page.fallbacks]
    notes += [
        UnitNote(u.unit.line, "unreviewed", "unreviewed draft published", u.unit.msgid)
        for u in page.units if u.state == "unreviewed"
    ]
    notes.sort(key=lambda n: (n.line, n.kind))
    rel = project.relative(result.path)
    if result.written:
        report.written.append(rel)
    for fallback in page.fallbacks:
        report.fallbacks.append((lang, article, fallback))
    if page.fuzzy_used:
        report.drafts[rel] = page.fuzzy_used
    for link, why in result.refused:
        report.warnings.append((article, None, f"[{lang}] linked file {link}: {why}"))
    text = page.text.encode("utf-8")
    if result.published:
        on_disk: bytes | None = text
        written = digest(text)
        copied = [_copy(project, report, source, copy) for source, copy in result.copies]
        assets = [a for a in copied if a is not None]
        kept = {a["copy"] for a in assets}
        for asset in previous.assets if previous else []:
            if asset["copy"] not in kept:  # the page no longer links to it
                record.orphans[asset["copy"]] = asset["digest"]
    else:  # kept back: the earlier page (if any) stays, with what it was built with
        on_disk = current
        written = previous.written if previous else None
        assets = previous.assets if previous else []
    entry = PageEntry(
        article=article.as_posix(), slug=slug, lang=lang, tree=tree,
        key=record.key(on_disk, inputs), written=written, units=len(page.units),
        notes=PageEntry.compact(notes), published=result.published, assets=assets,
    )
    record.put(result.path, entry)
    detail = record.detail(name) or {}
    published = detail.get("published") if not result.published else {
        "draft": bool(page.fuzzy_used) and tree == "draft",
        "digest": written,
        "units": [
            {
                "index": i, "line": u.unit.line, "msgid": u.unit.msgid, "state": u.state,
                "start": u.start, "end": u.end, "text": page.text[u.start : u.end],
            }
            for i, u in enumerate(page.units, 1)
        ],
        "fallbacks": [
            {"line": f.unit.line, "msgid": f.unit.msgid, "kind": f.kind, "reason": f.reason}
            for f in page.fallbacks
        ],
    }
    record.write_detail(name, {
        "path": name, "article": article.as_posix(), "lang": lang, "tree": tree,
        "built": stamp if result.published else detail.get("built"),
        "published": published,
        "notes": [[n.line, n.kind, n.reason, n.msgid] for n in notes],
    })
    return PageReport(
        article=article, lang=lang, path=rel, units=len(page.units), notes=notes,
        written=result.written, published=result.published,
    )


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
    for name, entry in list(record.pages.items()):
        if entry.tree != tree or not entry.assets:
            continue
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
            record.dirty = True


def _remove_stale(
    project: Project, record: BuildRecord, report: Report, tree: str, root: Path
) -> None:
    """Remove pages this tree's earlier builds wrote that no current article and language
    makes (only files unchanged since written), then asset copies no page links to."""
    config = project.config
    current = {
        record.name(config.output_path(lang, article.slug, draft=tree == "draft"))
        for article in project.articles
        for lang in config.languages
    }
    old_copies = dict(record.orphans)
    for name, entry in list(record.pages.items()):
        if entry.tree != tree or name in current:
            continue
        if _remove_file(project, report, project.root / name, entry.written, root):
            for asset in entry.assets:  # a page left in place keeps what it links to
                old_copies[asset["copy"]] = asset["digest"]
        record.drop(name)
    linked = {a["copy"] for e in record.pages.values() for a in e.assets}
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
