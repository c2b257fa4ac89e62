"""The work on one article that the stages hand to :func:`localise.parallel.map_jobs`.

Each job receives the bytes its stage read (and fingerprinted), never a path to read again.
The stages name these functions as strings (``"localise.stages.jobs:extract_one"``), so that a
run whose inputs are all unchanged never imports the parsers and writers they use.
"""

from __future__ import annotations

import os.path
from pathlib import Path

from localise import assets, catalogue, checks
from localise.config import Config
from localise.errors import LocaliseError, UsageError
from localise.files import ConcurrentEdit, replace_if_unchanged, write_atomic, write_staged
from localise.glossary import Glossary
from localise.model import Document
from localise.project import Source, digest, read_optional, segment_source
from localise.publish import Page, assemble_page, draft_notice, edited
from localise.stages import BuildJob, Built, ExtractJob, UpdateJob, _segments, staged_name
from localise.stages._record import PageEntry, page_notes, record_page

MERGE_ATTEMPTS = 5
"""How often a catalogue saved by someone else during the run is re-read and merged again."""


def segmented(config: Config, source: Source, *, keep: bool) -> Document:
    """The article segmented: from its record in ``.localise/segments/`` when one was made
    from these very bytes, options and code; otherwise segmented now (and, with ``keep``,
    recorded for the build)."""
    key = _segments.key(config, source)
    found = _segments.load(config.cache_dir, source, key=key)
    if found is not None:
        return found
    document = segment_source(config, source)
    if keep:
        _segments.save(config.cache_dir, document, key=key)
    return document


def extract_one(job: ExtractJob, config: Config, glossary: Glossary) -> bool:
    """Write one article's template; True when its bytes changed."""
    previous = catalogue.parse(job.pot, path=job.pot_name) if job.pot is not None else None
    data = catalogue.template(
        segmented(config, job.source, keep=True),
        reference_comments=config.reference_comments,
        previous=previous,
        glossary=glossary,
    ).render()
    if data == job.pot:
        return False
    write_atomic(job.pot_path, data)
    return True


def catalogue_msgids(path: Path, name: Path) -> frozenset[str]:
    """The live msgids of the catalogue or template at ``path`` (empty when it is missing or
    cannot be read: a damaged file is never matched, and stays where it is)."""
    try:
        parsed = catalogue.read(path, name=name)
    except (LocaliseError, OSError):
        return frozenset()
    return frozenset(e.msgid for e in parsed.live()) if parsed is not None else frozenset()


def carry_catalogue(
    here: Path, there: Path, name: Path, *, source: str, slug: str, old_slug: str
) -> None:
    """Move the catalogue ``here`` of a renamed article to ``there``: its header names the new
    source and slug, every entry stays exactly as it was."""
    po = catalogue.parse(here.read_bytes(), path=name)
    moved = catalogue.retitled(po, source=source, slug=slug, old_slug=old_slug)
    write_atomic(there, moved.render())
    here.unlink()


def update_one(job: UpdateJob, keep_obsolete: bool) -> list[bool]:
    """Merge one article's template into each of the job's catalogues; True where written."""
    if job.pot is None:
        raise UsageError("no template: run `localise extract` first", path=job.pot_name)
    pot = catalogue.parse(job.pot, path=job.pot_name)
    results = []
    for lang, path, name, data in job.catalogues:
        for _ in range(MERGE_ATTEMPTS):
            old = catalogue.parse(data, path=name) if data is not None else None
            merged = catalogue.merge(old, pot, lang=lang, keep_obsolete=keep_obsolete).render()
            try:
                results.append(replace_if_unchanged(path, merged, read=data))
                break
            except ConcurrentEdit:  # saved meanwhile (Poedit, git pull): merge that version
                data = read_optional(path)
        else:
            raise ConcurrentEdit(
                f"changed on disk {MERGE_ATTEMPTS} times while being merged; run update again",
                path=name,
            )
    return results


def build_one(job: BuildJob, config: Config, draft: bool, glossary: Glossary) -> list[Built]:
    """Build one article in each of the job's languages, segmenting it once.

    No page is written in place here: a page to be written (its bytes change, and, with
    ``[build] publish = "reviewed"``, every unit is a reviewed translation) goes to the job's
    staging folder, and the stage renames the staged pages into place once every job has
    succeeded (one malformed catalogue anywhere, and no page is written). What is returned
    is small (no page text), so the stage holds little per page however many there are.
    """
    document = segmented(config, job.source, keep=False)
    options = config.build
    linked = (
        assets.referenced(job.source.text, article=job.source.article.path, root=config.root)
        if options.assets != "none"
        else []
    )
    tree = config.tree_root(draft=draft)
    results = []
    for lang, out, current, po_name, data in job.outputs:
        po = catalogue.parse(data, path=po_name) if data is not None else None
        tag = config.tag(lang)
        ctx = checks.CheckContext(
            lang=lang,
            glossary=glossary,
            link_definitions=document.link_definitions,
            localisable_links=config.check.localisable_links,
            dialect=config.dialect_for(job.source.article.path),
        )
        notice = None
        if draft and options.draft_notice:
            notice = options.draft_notices.get(lang) or draft_notice(tag)
        page = assemble_page(
            document,
            po,
            ctx,
            policy=config.formatting.policy(lang),
            source_language=config.source_language,
            draft=draft,
            locale=tag.babel,
            notice=notice,
        )
        page, copies, refused = _place_assets(page, linked, config, out=out, tree=tree)
        published = draft or options.publish == "all" or page.complete
        text = page.text.encode("utf-8")
        written = published and text != current
        notes = page_notes(page)
        name = out.relative_to(config.root).as_posix()
        record_page(
            config.cache_dir, name, page=page, notes=notes,
            article=job.source.article.path.as_posix(), lang=lang,
            tree="draft" if draft else "reviewed", published=published, written=written,
        )
        staged = write_staged(job.staging, text, name=staged_name(name)) if written else None
        results.append(Built(
            out, written, len(page.units), digest(text), staged, published, page.fuzzy_used,
            copies, refused, PageEntry.compact(notes), PageEntry.count(notes),
        ))
    return results


def _place_assets(
    page: Page, linked: list[assets.Asset], config: Config, *, out: Path, tree: Path
) -> tuple[Page, tuple[tuple[Path, Path], ...], tuple[tuple[str, str], ...]]:
    """The page (links rewritten when ``assets = "rewrite"``), the (source, copy) files to
    copy beside it (``copy``), and the links left alone with the reason (a copy outside the
    page tree, or a file reached through a link pointing outside the project)."""
    copies: list[tuple[Path, Path]] = []
    refused: list[tuple[str, str]] = []
    rewrites: dict[str, str] = {}
    folder = out.parent
    for asset in linked:
        source = config.root / asset.source
        if config.build.assets == "rewrite":
            cut = min((i for i in (asset.link.find("?"), asset.link.find("#")) if i >= 0),
                      default=len(asset.link))
            link = assets.relative_link(source, start=folder) + asset.link[cut:]
            if link != asset.link:
                rewrites[asset.link] = link
            continue
        copy = Path(os.path.normpath(folder / asset.relative))
        if not config.follow_symlinks and not source.resolve().is_relative_to(config.root):
            refused.append((asset.link, "a symbolic link pointing outside the project (set "
                            "follow_symlinks = true to copy through it); not copied"))
        elif not copy.is_relative_to(tree):
            where = tree.relative_to(config.root) if tree.is_relative_to(config.root) else tree
            refused.append((asset.link, f"a copy would land outside {where}/; not copied"))
        elif copy != source:
            copies.append((source, copy))
    if rewrites:
        page = edited(page, assets.rewrite(page.text, rewrites))
    return page, tuple(copies), tuple(refused)

