"""The translate stage: untranslated entries get machine drafts (fuzzy, attributed, verified).

For each language: collect the entries that need a draft, protect their markup as ``⟦n⟧``
tokens (:mod:`localise.mt_tokens`) and split them into sentences; send each distinct sentence
the cache does not know to the engine once; restore, join and verify each draft
(:data:`localise.checks.DRAFT_RULES`) and store it through :mod:`localise.drafts`. A
translator's work is never replaced: only empty entries are drafted (and, with
``--retranslate``, drafts nobody has touched since).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from localise import catalogue, checks, drafts, engines, mt_tokens, sentences
from localise.cache import Cache, open_cache
from localise.catalogue import Catalogue, Entry
from localise.engines import Engine, EngineOptions
from localise.errors import EngineError
from localise.files import write_if_changed
from localise.project import Article, Project
from localise.stages._checking import check_context

Progress = Callable[[int, int], None]
"""Called with (sentences done, sentences to send) as engine batches complete."""
_STEP = 256
"""Sentences per engine call (progress is reported after each)."""


@dataclass(slots=True)
class LanguageSummary:
    """What ``translate`` did for one language."""

    engine: str = ""
    version: str = ""
    units: int = 0
    """Entries that needed a draft."""
    segments: int = 0
    """Distinct sentences those entries split into."""
    sent: int = 0
    """Sentences sent to the engine (not in the cache)."""
    cached: int = 0
    """Sentences answered from the cache."""
    filled: int = 0
    """Entries that received a draft."""
    flagged: int = 0
    """Drafts whose markup or placeholders could not be restored exactly."""
    files: list[Path] = field(default_factory=list)
    error: EngineError | None = None
    """Why this language could not be drafted (engine or model missing, engine failed); the
    other languages were still drafted."""


@dataclass(frozen=True, slots=True)
class _Plan:
    """How one msgid goes to the engine: protected, then split into sentences."""

    protected: mt_tokens.Protected
    sentences: list[str]


@dataclass(slots=True)
class _Work:
    """One catalogue with entries awaiting a draft."""

    article: Article
    path: Path
    po: Catalogue
    pending: list[Entry]


def engine_names(project: Project, langs: Sequence[str], engine: str | None) -> dict[str, str]:
    """The engine each language uses (``engine`` overrides the config); unknown → EngineError."""
    names = {lang: engine or project.config.translate.engine_for(lang) for lang in langs}
    for name in names.values():
        engines.check_name(name)
    return names


def run(
    project: Project,
    *,
    langs: Sequence[str] | None = None,
    engine: str | None = None,
    retranslate: bool = False,
    options: EngineOptions | None = None,
    progress: Progress | None = None,
) -> dict[str, LanguageSummary]:
    """Machine-translate pending entries of ``langs``' catalogues; human work is untouched."""
    chosen = project.languages(langs)
    names = engine_names(project, chosen, engine)  # a wrong name fails even with nothing to do
    options = options or project.config.translate.options
    result: dict[str, LanguageSummary] = {}
    if not project.articles:
        return {lang: LanguageSummary(engine=names[lang]) for lang in chosen}
    with open_cache(project.config.cache_dir) as cache:
        for lang in chosen:
            summary = result[lang] = LanguageSummary(engine=names[lang])
            work, plans = _collect(project, lang, retranslate=retranslate)
            if not work:
                continue
            try:  # one language's missing engine or model never blocks the others
                translator = engines.get_engine(names[lang], options=options)
                source, target = project.config.source_language, project.config.mt_code(lang)
                summary.version = translator.version(source=source, target=target)
                texts = _draft(plans, translator, summary, target, source, cache, progress)
            except EngineError as exc:
                summary.error = exc
                continue
            _store(project, lang, work, texts, summary)
    return result


def _collect(
    project: Project, lang: str, *, retranslate: bool
) -> tuple[list[_Work], dict[str, _Plan]]:
    """The catalogues of ``lang`` with entries to draft, and one plan per distinct msgid."""
    config = project.config
    keep = project.glossary.keep_terms()
    work: list[_Work] = []
    plans: dict[str, _Plan] = {}
    for article in project.articles:
        path = config.po_path(lang, article.slug)
        po = catalogue.read(path, name=project.relative(path))
        if po is None:
            continue
        pending = [
            e for e in po.live() if not e.msgstr or (retranslate and drafts.is_unreviewed(e))
        ]
        if not pending:
            continue
        work.append(_Work(article, path, po, pending))
        env = {"references": project.link_definitions(article)}
        for entry in pending:
            if entry.msgid not in plans:
                protected = mt_tokens.protect(
                    entry.msgid, braces=entry.brace_format, terms=keep, env=env
                )
                split = sentences.split(protected.text, lang=config.source_language)
                plans[entry.msgid] = _Plan(protected, split)
    return work, plans


def _draft(
    plans: dict[str, _Plan],
    translator: Engine,
    summary: LanguageSummary,
    target: str,
    source: str,
    cache: Cache,
    progress: Progress | None,
) -> dict[str, tuple[str, list[str]]]:
    """msgid → (restored draft, problems), translating each distinct sentence once."""
    summary.units = len(plans)
    distinct = sorted({s for plan in plans.values() for s in plan.sentences if s.strip()})
    summary.segments = len(distinct)
    keys = {s: Cache.key(translator.name, summary.version, source, target, s) for s in distinct}
    known = cache.get_many(list(keys.values()))
    done = {s: known[k] for s, k in keys.items() if k in known}
    summary.cached = len(done)
    missing = [s for s in distinct if s not in done]
    summary.sent = len(missing)
    for i in range(0, len(missing), _STEP):
        batch = missing[i : i + _STEP]
        outputs = translator.translate(batch, source=source, target=target)
        if len(outputs) != len(batch):
            raise EngineError(
                f"engine {translator.name} returned {len(outputs)} outputs for {len(batch)}"
            )
        done.update(zip(batch, outputs, strict=True))
        cache.put_many([(keys[s], out) for s, out in zip(batch, outputs, strict=True)])
        if progress is not None:
            progress(min(i + _STEP, len(missing)), len(missing))
    texts: dict[str, tuple[str, list[str]]] = {}
    for msgid, plan in plans.items():
        parts = [done.get(p, p) if p.strip() else p for p in plan.sentences]
        texts[msgid] = mt_tokens.restore(sentences.join(parts, lang=target), plan.protected)
    return texts


def _store(
    project: Project,
    lang: str,
    work: list[_Work],
    texts: dict[str, tuple[str, list[str]]],
    summary: LanguageSummary,
) -> None:
    """Verify each draft, store it in its entry, and write the catalogues that changed."""
    for item in work:
        ctx = check_context(project, lang, item.article)
        for entry in item.pending:
            text, problems = texts[entry.msgid]
            unit_ctx = dataclasses.replace(ctx, brace_format=entry.brace_format)
            problems = problems + checks.verify_draft(entry.msgid, text, unit_ctx)
            drafts.write(entry, text, engine=summary.version, problems=problems)
            summary.filled += 1
            summary.flagged += bool(problems)
        if write_if_changed(item.path, item.po.render()):
            summary.files.append(project.relative(item.path))
