"""The work on one article that the stages hand to :func:`localise.parallel.map_jobs`.

Each job receives the bytes its stage read (and fingerprinted), never a path to read again.
The stages name these functions as strings (``"localise.stages.jobs:extract_one"``), so that a
run whose inputs are all unchanged never imports the parsers and writers they use.
"""

from __future__ import annotations

from localise import catalogue, checks
from localise.config import Config
from localise.errors import UsageError
from localise.files import ConcurrentEdit, replace_if_unchanged, write_atomic
from localise.glossary import Glossary
from localise.project import read_optional, segment_source
from localise.publish import assemble_page
from localise.stages import BuildJob, Built, ExtractJob, UpdateJob

MERGE_ATTEMPTS = 5
"""How often a catalogue saved by someone else during the run is re-read and merged again."""


def extract_one(job: ExtractJob, config: Config, glossary: Glossary) -> bool:
    """Write one article's template; True when its bytes changed."""
    previous = catalogue.parse(job.pot, path=job.pot_name) if job.pot is not None else None
    data = catalogue.template(
        segment_source(config, job.source),
        reference_comments=config.reference_comments,
        previous=previous,
        glossary=glossary,
    ).render()
    if data == job.pot:
        return False
    write_atomic(job.pot_path, data)
    return True


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
    """Build one article in each of the job's languages, segmenting it once."""
    document = segment_source(config, job.source)
    results = []
    for lang, out, current, po_name, data in job.outputs:
        po = catalogue.parse(data, path=po_name) if data is not None else None
        ctx = checks.CheckContext(
            lang=lang,
            glossary=glossary,
            link_definitions=document.link_definitions,
            localisable_links=config.check.localisable_links,
            dialect=config.dialect_for(job.source.article.path),
        )
        page = assemble_page(
            document,
            po,
            ctx,
            policy=config.formatting.policy(lang),
            source_language=config.source_language,
            draft=draft,
        )
        text = page.text.encode("utf-8")
        if text != current:
            write_atomic(out, text)
        results.append(Built(out, text != current, page))
    return results
