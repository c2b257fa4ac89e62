"""The review stage: catalogues, check findings, drafts and the page a build would publish →
the static review site in ``<output_dir>/review/`` (see :mod:`localise.review`).

Each unit's state is the one ``build`` gives it (the publishing gate decides what is withheld),
its findings are what ``check`` reports, and the counts are the units ``status`` counts (one per
catalogue entry: a text repeated in an article is one entry). What changed is measured against
the last published build (``since_publish``, from the build record) or against the sources and
catalogues at a git revision (``changed_since``). Files are written only when their bytes
change, and the site holds no clock but the recorded build times, so a rerun with nothing
changed writes nothing.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
import json
import shutil
import subprocess
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from babel import Locale, UnknownLocaleError

from localise import catalogue, checks
from localise.checks import Finding
from localise.errors import UsageError
from localise.files import write_if_changed
from localise.glossary import Glossary, occurs
from localise.model import Counts as StatusCounts
from localise.model import Document, Unit
from localise.project import Article, Project, Source, digest, read_optional, segment_source
from localise.publish import Page, assemble_page, value_formatter
from localise.review import (
    ArticleView,
    FallbackView,
    FindingView,
    GlossaryHit,
    LanguageView,
    PublishedView,
    ReviewSite,
    State,
    UnitView,
    render_site,
)
from localise.review.view import Counts
from localise.stages import Progress, Ticker
from localise.stages import check as check_stage
from localise.stages._checking import check_context
from localise.stages._record import BuildRecord
from localise.stages.status import article_counts

SITE_FOLDER = "review"
"""The site's folder under ``output_dir``."""
MANIFEST = "review.json"
"""In ``.localise/``: the files the last review wrote, with their digests."""


@dataclass(frozen=True, slots=True)
class Baseline:
    """What one unit's page held in the baseline of "what changed"."""

    msgid: str
    text: str
    """The Markdown that went out for the unit."""
    in_source: bool
    """It went out in the source language (a fallback)."""


@dataclass(slots=True)
class ReviewReport:
    """What the review stage made and wrote."""

    site: ReviewSite
    folder: Path
    """The site's folder, project-relative."""
    written: list[Path] = field(default_factory=list)
    """Files (re)written in this run, project-relative."""
    unchanged: list[Path] = field(default_factory=list)
    """Files that already held the same bytes."""
    removed: list[Path] = field(default_factory=list)
    """Pages an earlier review wrote that the site no longer has (an article or language
    gone), removed because they still held what it wrote."""
    warnings: list[tuple[Path, int | None, str]] = field(default_factory=list)
    """(file, line, message): where the review and ``status`` would count differently."""


def run(
    project: Project,
    *,
    langs: Sequence[str] | None = None,
    changed_since: str | None = None,
    since_publish: bool = False,
    progress: Progress | None = None,
) -> ReviewReport:
    """Write the review site of ``langs`` (all when None) to ``<output_dir>/review/``; with
    ``since_publish`` or ``changed_since`` (a git revision), units are compared with the last
    published build or with that revision. Only files whose bytes change are written."""
    if changed_since is not None and since_publish:
        raise UsageError("give either --changed-since or --since-publish, not both")
    config = project.config
    chosen = project.languages(langs)
    git = _Git(project.root, changed_since) if changed_since is not None else None
    record = BuildRecord(project)
    findings = _findings(project, chosen)
    report_warnings: list[tuple[Path, int | None, str]] = []
    tick = Ticker(progress, len(chosen) * len(project.articles), unit="page",
                  name=lambda item: item)
    languages = []
    for lang in chosen:
        articles = []
        for article in project.articles:
            baseline: list[Baseline] | None = None
            if git is not None:
                baseline = _git_baseline(project, git, lang, article)
            view = _article(
                project, record, lang, article, findings.get((lang, _po_name(project, lang,
                                                                              article)), []),
                baseline=baseline, since_publish=since_publish,
            )
            expected = article_counts(project, lang, article)
            if status_counts(view.counts) != expected:
                report_warnings.append((
                    Path(view.po_path), None,
                    f"[{lang}] the catalogue does not match the source ({expected.total} "
                    f"entries, {view.counts.total.units} distinct units): run `localise update`",
                ))
            articles.append(view)
            tick(f"{lang}/{article.slug}")
        languages.append(_language(lang, tuple(articles)))
    compared_with = None
    if git is not None:
        compared_with = f"git revision {changed_since}"
    elif since_publish:
        compared_with = "the last published build"
    site = ReviewSite(
        project_name=_project_name(project),
        source_language=config.source_language,
        languages=tuple(languages),
        generated_from=_generated_from(project),
        compared_with=compared_with,
        source_language_name=_language_name(config.source_language),
    )
    folder = config.output_root / SITE_FOLDER
    report = ReviewReport(site, project.relative(folder), warnings=report_warnings)
    pages = sum(len(language.articles) for language in site.languages)
    files = render_site(site, done=Ticker(progress, pages, unit="page", label="rendering"))
    for name, data in files.items():
        path = project.inside(folder / name, config.output_root)
        (report.written if write_if_changed(path, data) else report.unchanged).append(
            project.relative(path))
    _forget_stale(project, folder, files, report)
    return report


def _forget_stale(
    project: Project, folder: Path, files: Mapping[str, bytes], report: ReviewReport
) -> None:
    """Remove the files an earlier review wrote that this site has not (only those unchanged
    since), and record what this one wrote (``.localise/review.json``)."""
    manifest = project.config.cache_dir / MANIFEST
    try:
        earlier = json.loads(manifest.read_bytes())
    except (FileNotFoundError, ValueError):
        earlier = {}
    if not isinstance(earlier, dict) or earlier.get("folder") != report.folder.as_posix():
        earlier = {}
    for name, written in sorted((earlier.get("files") or {}).items()):
        if name in files or not isinstance(written, str):
            continue
        path = folder / name
        if not path.resolve().is_relative_to(folder.resolve()):
            continue  # not a page of the site: never touched
        data = read_optional(path)
        if data is None or digest(data) != written:
            continue  # gone already, or edited since: left alone
        path.unlink()
        report.removed.append(project.relative(path))
        parent = path.parent
        while parent != folder and parent.is_relative_to(folder):
            try:
                parent.rmdir()  # only when empty
            except OSError:
                break
            parent = parent.parent
    now = {"folder": report.folder.as_posix(),
           "files": {name: digest(data) for name, data in files.items()}}
    write_if_changed(manifest, json.dumps(now, sort_keys=True, indent=0).encode("utf-8"))


def status_counts(counts: Counts) -> StatusCounts:
    """The review's counts in ``status``'s terms: reviewed and withheld units are translated,
    machine drafts and fuzzy ones fuzzy."""
    translated = counts.reviewed + counts.withheld
    fuzzy = counts.machine_draft + counts.fuzzy
    untranslated = counts.untranslated
    total = counts.total
    return StatusCounts(
        total.units, translated.units, fuzzy.units, untranslated.units,
        total.words, translated.words, fuzzy.words, untranslated.words,
    )


# -- one article ------------------------------------------------------------------------


def _po_name(project: Project, lang: str, article: Article) -> str:
    return project.relative(project.config.po_path(lang, article.slug)).as_posix()


def _findings(project: Project, langs: list[str]) -> dict[tuple[str, str], list[Finding]]:
    """``check``'s findings, by language and catalogue, in the order it reports them."""
    grouped: dict[tuple[str, str], list[Finding]] = {}
    for finding in check_stage.run(project, langs=langs):
        grouped.setdefault((finding.lang, finding.file), []).append(finding)
    return grouped


def _article(
    project: Project,
    record: BuildRecord,
    lang: str,
    article: Article,
    findings: list[Finding],
    *,
    baseline: list[Baseline] | None,
    since_publish: bool,
) -> ArticleView:
    """One article in one language, as the review shows it."""
    config = project.config
    document = project.document(article)
    po_path = config.po_path(lang, article.slug)
    po_name = project.relative(po_path)
    po = catalogue.read(po_path, name=po_name)
    locale = config.tag(lang).babel
    policy = config.formatting.policy(lang)
    page = assemble_page(
        document, po, check_context(project, lang, article),
        policy=policy, source_language=config.source_language, locale=locale,
    )
    entries = {e.msgid: e for e in po.live() if e.msgctxt is None} if po is not None else {}
    why = {id(f.unit): f for f in page.fallbacks}
    by_msgid: dict[str, list[Finding]] = {}
    for finding in findings:
        by_msgid.setdefault(finding.msgid, []).append(finding)
    msgids = {unit.msgid for unit in document.units}
    formatter = value_formatter(locale, policy)
    page_name = project.relative(config.output_path(lang, article.slug)).as_posix()
    detail = record.detail(page_name)
    if since_publish:
        baseline = _record_baseline(detail)
    units: list[UnitView] = []
    first: dict[str, int] = {}
    fallbacks: list[FallbackView] = []
    for index, (unit, placed) in enumerate(zip(document.units, page.units, strict=True), 1):
        entry = entries.get(unit.msgid)
        fallback = why.get(id(unit))
        state: State = "reviewed" if fallback is None else fallback.kind  # type: ignore[assignment]
        repeat = first.get(unit.msgid)
        first.setdefault(unit.msgid, index)
        found = [_finding(f) for f in by_msgid.get(unit.msgid, [])]
        if state == "withheld" and not any(f.severity == "error" for f in found):
            # the page could not be written with it (a placeholder it cannot fill)
            found.append(FindingView(_check_of(fallback.reason) or "build", "error",
                                     fallback.reason, entry.line if entry else None))
        if fallback is not None:
            fallbacks.append(FallbackView(
                index, fallback.kind, placed.start, placed.end,  # type: ignore[arg-type]
                check=_check_of(fallback.reason) if fallback.kind == "withheld" else None,
            ))
        msgstr = entry.msgstr if entry is not None else ""
        record_draft = entry.draft if entry is not None else None
        units.append(UnitView(
            index=index,
            kind=unit.kind,
            source_line=unit.line,
            po_line=entry.line if entry is not None else None,
            msgid=unit.msgid,
            msgstr=msgstr,
            state=state,
            words=catalogue.count_words(unit.msgid),
            markup=_markup(unit),
            engine=record_draft.engine if state == "machine-draft" and record_draft else None,
            comment=entry.comment if entry is not None and entry.comment else unit.comment,
            previous_msgid=entry.previous_msgid if entry is not None and entry.fuzzy else None,
            findings=tuple(found),
            glossary=_glossary(project.glossary, unit.msgid, msgstr, lang),
            values=_values(unit, lambda name, unit=unit: formatter(unit, name)),
            source_values=_values(unit, lambda name, unit=unit: _source_of(unit, name)),
            published=page.text[placed.start : placed.end],
            repeat_of=repeat,
        ))
    removed: tuple[str, ...] = ()
    if baseline is not None:
        units, removed = _compare(units, baseline)
    article_findings = tuple(
        _finding(f) for f in findings if f.msgid not in msgids
    )
    built = detail.get("built") if detail else None
    return ArticleView(
        slug=article.slug,
        title=_title(document),
        source_path=article.path.as_posix(),
        po_path=po_name.as_posix(),
        units=tuple(units),
        last_built=_when(built) if isinstance(built, str) else None,
        published=PublishedView(page_name, page.text, tuple(fallbacks)),
        findings=article_findings,
        removed=removed,
        link_definitions=_definitions(document),
    )


def _finding(finding: Finding) -> FindingView:
    return FindingView(finding.check, finding.severity, finding.message, finding.line or None)


def _check_of(reason: str) -> str | None:
    """The check named at the start of a withheld unit's reason (``placeholders: …``)."""
    name = reason.partition(":")[0].strip()
    return name if name in checks.CHECKS else None


def _markup(unit: Unit) -> Any:
    if unit.kind == "front-matter" or unit.escape in ("html", "attribute", "plain"):
        return "plain"
    return "inline"


def _source_of(unit: Unit, name: str) -> str:
    return next(p.source for p in unit.placeholders if p.name == name)


def _values(unit: Unit, value: Callable[[str], str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for placeholder in unit.placeholders:
        try:
            out[placeholder.name] = value(placeholder.name)
        except (KeyError, ValueError):
            out[placeholder.name] = placeholder.source
    return out


def _glossary(glossary: Glossary, msgid: str, msgstr: str, lang: str) -> tuple[GlossaryHit, ...]:
    """The glossary terms of ``msgid`` for ``lang``, one hit per term."""
    hits: dict[str, GlossaryHit] = {}
    for term in glossary.found_in(msgid, lang=lang):
        if term.term in hits:
            continue
        wanted = () if term.keep else term.alternatives
        used = None
        if msgstr:
            used = any(occurs(t, msgstr) for t in (wanted or (term.term,)))
        hits[term.term] = GlossaryHit(term.term, wanted, term.strict, term.note, used)
    return tuple(hits.values())


def _title(document: Document) -> str:
    for kind in ("front-matter", "heading"):
        for unit in document.units:
            if unit.kind == kind and (kind == "heading" or "title" in unit.comment.lower()):
                return unit.msgid
    return document.slug


def _definitions(document: Document) -> str:
    """The article's link reference definitions as Markdown lines."""
    lines = []
    for label, ref in sorted(document.link_definitions.items()):
        href = str(ref.get("href", ""))
        if not href or any(c in href for c in " <>()"):
            href = "<" + href.replace("<", "%3C").replace(">", "%3E") + ">"
        title = str(ref.get("title") or "")
        quoted = ' "' + title.replace('"', '\\"') + '"' if title else ""
        escaped = label.replace("]", "\\]")
        lines.append(f"[{escaped}]: {href}{quoted}")
    return "\n".join(lines)


def _when(stamp: str) -> str:
    """``2026-01-12T09:30:00Z`` → ``2026-01-12 09:30 UTC``."""
    try:
        moment = dt.datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ")
    except ValueError:
        return stamp
    return moment.strftime("%Y-%m-%d %H:%M UTC")


# -- what changed -------------------------------------------------------------------------


def _record_baseline(detail: Mapping[str, Any] | None) -> list[Baseline]:
    """What the last build published for a page, unit by unit (empty: never published)."""
    published = (detail or {}).get("published") or {}
    return [
        Baseline(str(u["msgid"]), str(u["text"]), u.get("state") == "source")
        for u in published.get("units") or []
    ]


def _compare(
    units: list[UnitView], baseline: list[Baseline]
) -> tuple[list[UnitView], tuple[str, ...]]:
    """``units`` with what the baseline published for each (units matched by msgid, in order;
    a unit whose English changed is matched with the one it replaced), and the baseline's
    units that are gone."""
    matcher = difflib.SequenceMatcher(
        None, [b.msgid for b in baseline], [u.msgid for u in units], autojunk=False
    )
    before: dict[int, Baseline] = {}
    gone: list[str] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        pairs = min(i2 - i1, j2 - j1) if tag in ("equal", "replace") else 0
        for k in range(pairs):
            before[j1 + k] = baseline[i1 + k]
        gone += [b.text for b in baseline[i1 + pairs : i2]]
    out = []
    for position, unit in enumerate(units):
        old = before.get(position)
        out.append(dataclasses.replace(
            unit,
            changed=old is None or old.text != unit.published,
            published_before=old.text if old is not None else None,
            published_before_in_source=old.in_source if old is not None else False,
        ))
    return out, tuple(gone)


class _Git:
    """Files of the project at one git revision (``git show``; no network)."""

    def __init__(self, root: Path, ref: str) -> None:
        self.root, self.ref = root, ref
        git = shutil.which("git")
        if git is None:
            raise UsageError(f"--changed-since {ref}: git is not installed")
        self.git = git
        if self._run("rev-parse", "--git-dir") is None:
            raise UsageError(f"--changed-since {ref}: {root} is not in a git repository")
        found = self._run("rev-parse", "--verify", "--quiet", "--end-of-options",
                          f"{ref}^{{commit}}")
        if found is None:
            raise UsageError(f"--changed-since {ref}: no such git revision in {root}")
        self.commit = found.decode().strip()

    def _run(self, *args: str) -> bytes | None:
        try:
            done = subprocess.run(
                [self.git, "-C", str(self.root), *args], capture_output=True, check=False,
                timeout=60,
            )
        except (OSError, subprocess.TimeoutExpired):
            return None
        return done.stdout if done.returncode == 0 else None

    def show(self, path: Path) -> bytes | None:
        """The file ``path`` (project-relative) at the revision; None if it was not there."""
        return self._run("show", f"{self.commit}:./{path.as_posix()}")


def _git_baseline(project: Project, git: _Git, lang: str, article: Article) -> list[Baseline]:
    """What a build at the revision would have published for the article, unit by unit."""
    config = project.config
    data = git.show(article.path)
    if data is None:
        return []
    document = segment_source(config, Source(article, data))
    po_name = project.relative(config.po_path(lang, article.slug))
    po_bytes = git.show(po_name)
    po = catalogue.parse(po_bytes, path=po_name) if po_bytes is not None else None
    ctx = checks.CheckContext(
        lang=lang, glossary=project.glossary, link_definitions=document.link_definitions,
        localisable_links=config.check.localisable_links, dialect=config.dialect_for(article.path),
    )
    page: Page = assemble_page(
        document, po, ctx, policy=config.formatting.policy(lang),
        source_language=config.source_language, locale=config.tag(lang).babel,
    )
    return [
        Baseline(u.unit.msgid, page.text[u.start : u.end], u.state == "source")
        for u in page.units
    ]


# -- the site -----------------------------------------------------------------------------


def _language_name(tag: str) -> str:
    try:
        return Locale.parse(tag.replace("-", "_")).get_display_name("en") or tag
    except (UnknownLocaleError, ValueError):
        return tag


def _language(lang: str, articles: tuple[ArticleView, ...]) -> LanguageView:
    direction = "ltr"
    try:
        if Locale.parse(lang.replace("-", "_")).character_order == "right-to-left":
            direction = "rtl"
    except (UnknownLocaleError, ValueError):
        pass
    return LanguageView(lang, _language_name(lang), articles, direction)  # type: ignore[arg-type]


def _project_name(project: Project) -> str:
    return project.root.name


def _generated_from(project: Project) -> str:
    """``git 1a2b3c4`` (with ``(uncommitted changes)`` when sources or catalogues differ from
    it), or ``the files on disk`` outside a git repository."""
    git = shutil.which("git")
    if git is None:
        return "the files on disk"

    def run_git(*args: str) -> str | None:
        try:
            done = subprocess.run([git, "-C", str(project.root), *args], capture_output=True,
                                  check=False, timeout=60)
        except (OSError, subprocess.TimeoutExpired):
            return None
        return done.stdout.decode(errors="replace") if done.returncode == 0 else None

    head = run_git("rev-parse", "--short", "HEAD")
    if not head:
        return "the files on disk"
    config = project.config
    paths = [project.relative(p).as_posix() for p in (config.source_root, config.locales_root)]
    dirty = run_git("status", "--porcelain", "--", *paths)
    return f"git {head.strip()}" + (" (uncommitted changes)" if dirty else "")

