"""The translate stage: translation memory first, then machine drafts (fuzzy, attributed, verified).

For each language: read every catalogue, settle stale draft marks (a reviewed entry loses its
``MT:``/``TM:`` attribution and ``MT-check`` lines; an edited draft keeps only the problems the
verifier still finds), and collect the entries that need a draft. Each distinct pending msgid
is first looked up in the translation memory (:mod:`localise.tm`: the language's reviewed
entries, then the configured compendia); a match becomes a ``TM:`` draft with its placeholders
and markup mapped onto the msgid, and is never sent to an engine. The rest are protected
(markup, placeholders, do-not-translate names and, with ``apply_glossary``, required glossary
terms as ``⟦n⟧`` tokens: :mod:`localise.mt_tokens`) and split into sentences; a sentence with
no letter outside its tokens is kept as it is, and each distinct other sentence the cache does
not know goes to the engine once, where the executor runs it (:mod:`localise.executors`:
this process, or a Ray cluster's workers, sent each article's sentences together; the
catalogues and the cache are written here either way). Drafts are restored, joined, verified
(:data:`localise.checks.DRAFT_RULES`) and stored through :mod:`localise.drafts`. A
translator's work is never replaced: only empty entries are drafted (and, with
``--retranslate``, drafts nobody has touched since).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from localise import (
    catalogue,
    drafts,
    engines,
    executors,
    mt_tokens,
    sentences,
    sharding,
    tm,
)
from localise.cache import Cache, open_cache
from localise.catalogue import Catalogue, Entry
from localise.engines import EngineOptions
from localise.errors import EngineError
from localise.files import ConcurrentEdit, replace_if_unchanged
from localise.project import Article, Project, read_optional
from localise.stages import Progress, Ticker
from localise.stages.early import Early

if TYPE_CHECKING:
    from localise.checks import CheckContext

MERGE_ATTEMPTS = 5
"""How often a catalogue saved by someone else while translate ran is re-read and merged."""
COPY = "copy (nothing to translate: names, numbers or markup only)"
"""Attribution of a draft no engine was asked for: every sentence was tokens, digits or
punctuation, so the draft is the msgid itself."""
_LETTER = re.compile(r"[^\W\d_]")
_TOKEN = re.compile(r"⟦/?\d+⟧")


@dataclass(slots=True)
class LanguageSummary:
    """What ``translate`` did for one language."""

    engine: str = ""
    version: str = ""
    """The engine and model that drafted (empty when no engine was needed)."""
    units: int = 0
    """Distinct msgids that needed a draft."""
    memory: int = 0
    """Of those, filled from translation memory (never sent to an engine)."""
    memory_exact: int = 0
    """Of the memory drafts, matches of the same msgid."""
    machine: int = 0
    """Of those, drafted by the engine (sentences sent or from the cache)."""
    copied: int = 0
    """Of those, kept as written: nothing but names, numbers or markup to translate."""
    segments: int = 0
    """Distinct sentences the machine-drafted msgids split into."""
    sent: int = 0
    """Sentences sent to the engine (not in the cache)."""
    cached: int = 0
    """Sentences answered from the cache."""
    filled: int = 0
    """Entries that received a draft (a msgid in several catalogues counts in each)."""
    flagged: int = 0
    """Drafts with a problem for the reviewer (``MT-check`` lines other than glossary notes)."""
    glossary_applied: int = 0
    """Machine drafts given a required glossary translation (noted for the reviewer)."""
    settled: int = 0
    """Entries whose stale draft marks were dropped (reviewed, or a problem fixed)."""
    files: list[Path] = field(default_factory=list)
    executor: str = "local"
    """Where the engine ran: ``local``, ``ray`` or ``ray=HOST:PORT``."""
    batches: int = 0
    """Batches of sentences the executor translated."""
    workers: list[str] = field(default_factory=list)
    """``host:pid`` of the processes that translated them."""
    error: EngineError | None = None
    """Why this language could not be drafted (engine or model missing, engine failed); the
    other languages were still drafted."""

    @property
    def model_calls_per_unit(self) -> float:
        """Sentences sent to the model per unit that needed a draft."""
        return self.sent / self.units if self.units else 0.0


@dataclass(frozen=True, slots=True)
class _Plan:
    """How one msgid goes to the engine: protected, then split into sentences."""

    protected: mt_tokens.Protected
    sentences: list[str]


@dataclass(slots=True)
class _Work:
    """One catalogue of the language, with the entries awaiting a draft."""

    article: Article
    path: Path
    po: Catalogue
    data: bytes
    """The catalogue's bytes as read: a save made since is merged, never overwritten."""
    project: Project
    lang: str
    pending: list[Entry] = field(default_factory=list)
    changed: bool = False
    owned: bool = True
    """In the run's shard: drafted and written (the others are read for the memory only)."""
    _ctx: CheckContext | None = None

    @property
    def ctx(self) -> CheckContext:
        """The checks' context for this article (built on first use: it reads the source)."""
        if self._ctx is None:
            # the checks load with the first draft verified: on a first run that is after the
            # engine was sent its sentences (its model is waiting for them)
            from localise.stages._checking import check_context

            self._ctx = check_context(self.project, self.lang, self.article)
        return self._ctx

    def verifier(self, entry: Entry) -> Callable[[str], list[str]]:
        """msgstr → what the draft verifier finds in it as a translation of ``entry``."""
        def verify(text: str) -> list[str]:
            from localise.checks import verify_draft  # with the first draft (see ctx)

            unit_ctx = dataclasses.replace(self.ctx, brace_format=entry.brace_format)
            return verify_draft(entry.msgid, text, unit_ctx)

        return verify


@dataclass(frozen=True, slots=True)
class _Draft:
    """A draft for one msgid, before it is verified and stored."""

    text: str
    problems: list[str]
    engine: str = ""
    memory: drafts.Memory | None = None
    notes: tuple[str, ...] = ()
    reviewed: bool = False


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
    memory: bool = True,
    shard: sharding.Shard | None = None,
    executor: executors.Spec | None = None,
    early: Early | None = None,
) -> dict[str, LanguageSummary]:
    """Draft pending entries of ``langs``' catalogues (memory, then engine); human work stays.

    With ``shard``, only that shard's catalogues are drafted and written; every catalogue is
    still read into the translation memory, so a shard's drafts equal an unsharded run's.
    ``executor`` (default: the config's) says where the engine runs; catalogues and the cache
    are written here whatever it is. ``early`` is what :func:`localise.stages.early.start`
    began for this run (a model loading, catalogues read); the caller closes it."""
    chosen = project.languages(langs)
    names = engine_names(project, chosen, engine)  # a wrong name fails even with nothing to do
    options = options or project.config.translate.options
    spec = executor or project.config.translate.executor_spec()
    result: dict[str, LanguageSummary] = {}
    if not project.articles:
        return {lang: LanguageSummary(engine=names[lang], executor=str(spec)) for lang in chosen}
    runner = executors.open_executor(spec)  # Ray missing or its head unreachable: fails now
    try:
        with open_cache(project.config.cache_dir) as cache:
            _run(project, chosen, names, options, cache, runner, result, retranslate=retranslate,
                 progress=progress, memory=memory, shard=shard, early=early or Early())
    finally:
        runner.close()
    return result


def _run(
    project: Project,
    chosen: Sequence[str],
    names: dict[str, str],
    options: EngineOptions,
    cache: Cache,
    runner: executors.Executor,
    result: dict[str, LanguageSummary],
    *,
    retranslate: bool,
    progress: Progress | None,
    memory: bool,
    shard: sharding.Shard | None,
    early: Early,
) -> None:
    """Draft each language in turn into ``result`` (see :func:`run`)."""
    for lang in chosen:
        summary = result[lang] = LanguageSummary(engine=names[lang],
                                                 executor=str(runner.spec))
        work = _collect(project, lang, retranslate=retranslate, summary=summary,
                        progress=progress, shard=shard, early=early)
        pending = list(dict.fromkeys(e.msgid for item in work for e in item.pending))
        summary.units = len(pending)
        found: dict[str, _Draft] = {}
        if pending and memory and project.config.translate.memory.enabled:
            found = _from_memory(project, lang, work, pending, summary)
        rest = {m: e for item in work for e in item.pending if (m := e.msgid) not in found}
        if rest:
            start = len(runner.log)
            try:  # one language's missing engine or model never blocks the others
                found |= _from_engine(
                    project, lang, work, list(rest), names[lang], options, cache, summary,
                    progress, runner, early,
                )
            except EngineError as exc:  # reported; the memory's drafts are still stored
                summary.error = exc
            summary.batches = len(runner.log) - start
            summary.workers = sorted(set(runner.log[start:]))
        _store(project, work, found, summary, progress)


def _collect(
    project: Project,
    lang: str,
    *,
    retranslate: bool,
    summary: LanguageSummary,
    progress: Progress | None = None,
    shard: sharding.Shard | None = None,
    early: Early | None = None,
) -> list[_Work]:
    """Every catalogue of ``lang`` (stale marks settled), with its entries to draft (none
    outside ``shard``: those are read for the translation memory only)."""
    config = project.config
    work: list[_Work] = []
    tick = Ticker(progress, len(project.articles), unit="catalogue", label=f"reading {lang}",
                  name=lambda article: project.relative(config.po_path(lang, article.slug)))
    for article in tick.each(project.articles):
        path = config.po_path(lang, article.slug)
        data = early.read(path) if early is not None else read_optional(path)
        if data is None:
            continue
        project.inside(path, config.locales_root)  # written back: refused as update does
        po = catalogue.parse(data, path=project.relative(path))
        item = _Work(article, path, po, data, project, lang,
                     owned=shard is None or shard.holds(article.slug))
        work.append(item)
        if not item.owned:  # settling changes comments only: the memory reads the same
            continue
        for entry in po.live():
            if drafts.settle(entry, verify=item.verifier(entry)):
                item.changed = True
                summary.settled += 1
            if not entry.msgstr or (retranslate and drafts.is_unreviewed(entry)):
                item.pending.append(entry)
        for entry in po:
            if entry.obsolete and drafts.settle(entry):
                item.changed = True
    return work


def _memory(project: Project, lang: str, work: list[_Work]) -> tm.Memory:
    """The language's reviewed translations, then the configured compendia's."""
    records: list[tm.Record] = []
    for item in work:
        records += tm.po_records(item.po, origin=f"{item.article.slug}.po")
    options = project.config.translate.memory
    source = project.config.source_language
    for path, templated in tm.expand(options.compendia, lang):
        records += tm.compendium_records(
            project.confined(path), name=project.relative(path), source=source, target=lang,
            templated=templated,
        )
    return tm.Memory(records, source_language=source, min_similarity=options.min_similarity)


def _from_memory(
    project: Project, lang: str, work: list[_Work], pending: list[str], summary: LanguageSummary
) -> dict[str, _Draft]:
    """Drafts for the msgids the translation memory can fill (placeholders and markup mapped)."""
    memory = _memory(project, lang, work)
    if not len(memory):
        return {}
    braces = {e.msgid: e.brace_format for item in work for e in item.pending}
    exact_reviewed = project.config.translate.memory.exact_reviewed
    found: dict[str, _Draft] = {}
    for msgid in pending:
        match = memory.lookup(msgid)
        if match is None:
            continue
        record = match.record
        text = tm.adapt(record.source, record.target, msgid, braces=braces[msgid])
        found[msgid] = _Draft(
            text,
            [],
            memory=drafts.Memory(match.score, record.origin),
            reviewed=match.exact and exact_reviewed,
        )
        summary.memory += 1
        summary.memory_exact += match.exact
    return found


def _plans(
    project: Project, lang: str, work: list[_Work], msgids: set[str]
) -> dict[str, _Plan]:
    """One protection and sentence split per distinct msgid going to the engine."""
    glossary = project.glossary
    keep = glossary.keep_terms()
    required = (
        {t.term: t.alternatives[0] for t in glossary.required(lang) if t.alternatives}
        if project.config.translate.apply_glossary
        else {}
    )
    plans: dict[str, _Plan] = {}
    for item in work:
        env = {"references": project.link_definitions(item.article)}
        for entry in item.pending:
            if entry.msgid in msgids and entry.msgid not in plans:
                protected = mt_tokens.protect(
                    entry.msgid, braces=entry.brace_format, terms=keep, required=required, env=env
                )
                split = sentences.split(protected.text, lang=project.config.source_language)
                plans[entry.msgid] = _Plan(protected, split)
    return plans


def needs_engine(sentence: str) -> bool:
    """True when a protected sentence has a letter outside its tokens (something to translate);
    tokens, digits, punctuation and spaces alone are kept as they are, never sent."""
    return bool(_LETTER.search(_TOKEN.sub("", sentence)))


def _from_engine(
    project: Project,
    lang: str,
    work: list[_Work],
    msgids: list[str],
    name: str,
    options: EngineOptions,
    cache: Cache,
    summary: LanguageSummary,
    progress: Progress | None,
    runner: executors.Executor,
    early: Early,
) -> dict[str, _Draft]:
    """Machine drafts for ``msgids``: each distinct sentence the cache lacks is sent once."""
    plans = _plans(project, lang, work, set(msgids))
    source = project.config.source_language
    distinct = sorted({s for p in plans.values() for s in p.sentences if needs_engine(s)})
    summary.segments = len(distinct)
    done: dict[str, str] = {}
    label = COPY
    if distinct:
        translator = early.engine_for(lang, name) or engines.get_engine(name, options=options)
        early.adopt_hashes(cache)  # a first run's model: hashed while the stage started
        target = project.config.mt_code(lang)  # the engine's code: pt-BR → pt, zh-Hant → zt
        identity = engines.identity(translator, source=source, target=target)
        label = summary.version = identity.label
        lookup = _Lookup(identity, distinct, source, target, cache, summary)
        # A model hashed before is looked up first: a run the cache fills loads no model.
        # Otherwise the model loads (locally) while its files are hashed and looked up.
        model = cache.known_files_digest(identity.files) if identity.files else ""
        done = lookup(model) if model is not None else {}
        if model is None or len(done) < len(distinct):
            with runner.pair(translator, name=name, options=options, identity=identity,
                             source=source, target=target) as pair:
                if model is None:
                    done = lookup(cache.files_digest(identity.files))
                done = _translate(pair, lookup, done, _articles(work, plans), progress)
    drafted: dict[str, _Draft] = {}
    for msgid, plan in plans.items():
        sent = any(needs_engine(p) for p in plan.sentences)
        parts = [done.get(p, p) for p in plan.sentences]
        text, problems = mt_tokens.restore(sentences.join(parts, lang=lang), plan.protected)
        notes = [
            f"{written!r} → {wanted!r} from the glossary; check agreement and word order"
            for written, wanted in plan.protected.glossary.values()
            if not any(repr(wanted) in p for p in problems)  # not when the engine dropped it
        ]
        drafted[msgid] = _Draft(text, problems, engine=label if sent else COPY,
                                notes=tuple(dict.fromkeys(notes)))
        summary.machine += sent
        summary.copied += not sent
    return drafted


def _articles(work: list[_Work], plans: dict[str, _Plan]) -> dict[str, int]:
    """sentence → index of the first catalogue it is pending in (batches keep an article's
    sentences together)."""
    first: dict[str, int] = {}
    for index, item in enumerate(work):
        for entry in item.pending:
            plan = plans.get(entry.msgid)
            for sentence in plan.sentences if plan is not None else ():
                first.setdefault(sentence, index)
    return first


@dataclass(slots=True)
class _Lookup:
    """The cache keys of one language's distinct sentences, and what the cache holds."""

    identity: engines.Identity
    distinct: list[str]
    source: str
    target: str
    cache: Cache
    summary: LanguageSummary
    keys: dict[str, str] = field(default_factory=dict)
    model: str = ""

    def __call__(self, model: str) -> dict[str, str]:
        """sentence → cached translation, keyed with ``model`` (the model files' digest)."""
        self.model = model
        base = (mt_tokens.SCHEME, *self.identity.parts, model, self.source, self.target)
        self.keys = {s: Cache.key(*base, s) for s in self.distinct}
        known = self.cache.get_many(list(self.keys.values()))
        done = {s: known[k] for s, k in self.keys.items() if k in known}
        self.summary.cached = len(done)
        self.summary.sent = len(self.distinct) - len(done)
        return done


def _translate(
    pair: executors.Pair,
    lookup: _Lookup,
    done: dict[str, str],
    article: dict[str, int],
    progress: Progress | None,
) -> dict[str, str]:
    """sentence → translation: ``done`` (the cache's) and the engine's for the rest, which
    then fill the cache; the executor is sent each article's missing sentences, in the order
    of ``work``."""
    keys, target = lookup.keys, lookup.target
    missing = [s for s in lookup.distinct if s not in done]
    if not missing:
        return done
    if progress is not None:
        progress(0, len(missing), unit="sentence", label=f"translating {target}")
    groups: dict[int, list[str]] = {}
    for sentence in missing:
        groups.setdefault(article.get(sentence, -1), []).append(sentence)
    sent = 0
    for batch, outputs in pair.run([groups[k] for k in sorted(groups)], model=lookup.model):
        if len(outputs) != len(batch):
            raise EngineError(f"the {target} batch came back with {len(outputs)} outputs for "
                              f"{len(batch)} sentences")
        done.update(zip(batch, outputs, strict=True))
        lookup.cache.put_many([(keys[s], out) for s, out in zip(batch, outputs, strict=True)])
        sent += len(batch)
        if progress is not None:
            progress(sent, len(missing), unit="sentence", label=f"translating {target}")
    return done


def _store(
    project: Project,
    work: list[_Work],
    found: dict[str, _Draft],
    summary: LanguageSummary,
    progress: Progress | None = None,
) -> None:
    """Verify each draft, store it in its entry, and write the catalogues that changed."""
    lang = work[0].lang if work else ""
    tick = Ticker(progress, len(work), unit="catalogue", label=f"writing {lang}",
                  name=lambda item: project.relative(item.path))
    for item in work:
        if not item.owned:  # another shard's catalogue: read for the memory, never written
            tick(item)
            continue
        stored: dict[str, dict[str, Any]] = {}
        for entry in item.pending:
            draft = found.get(entry.msgid)
            if draft is None:  # its language's engine failed: the entry stays as it was
                continue
            problems = draft.problems + item.verifier(entry)(draft.text)
            stored[entry.msgid] = {
                "engine": draft.engine,
                "memory": draft.memory,
                "problems": problems,
                "notes": draft.notes,
                "reviewed": draft.reviewed and not problems,  # a match with problems: a draft
                "text": draft.text,
            }
            _write_draft(entry, stored[entry.msgid])
            item.changed = True
            summary.filled += 1
            summary.flagged += bool(problems)
            summary.glossary_applied += bool(draft.notes)
        if item.changed and _save(project, item, stored):
            summary.files.append(project.relative(item.path))
        tick(item)


def _write_draft(entry: Entry, stored: dict[str, Any]) -> None:
    options = dict(stored)
    text = options.pop("text")
    drafts.write(entry, text, **options)


def _save(project: Project, item: _Work, stored: dict[str, dict[str, Any]]) -> bool:
    """Write the catalogue; if someone saved it meanwhile, put the drafts into their version
    (only where an entry is still empty, or still the untouched draft being replaced)."""
    name = project.relative(item.path)
    for _ in range(MERGE_ATTEMPTS):
        try:
            return replace_if_unchanged(item.path, item.po.render(), read=item.data)
        except ConcurrentEdit:
            data = read_optional(item.path)
            if data is None:  # deleted meanwhile: that was someone's decision
                return False
            item.po, item.data = catalogue.parse(data, path=name), data
            for entry in item.po.live():
                if entry.msgid in stored and (not entry.msgstr or drafts.is_unreviewed(entry)):
                    _write_draft(entry, stored[entry.msgid])
    raise ConcurrentEdit(
        f"changed on disk {MERGE_ATTEMPTS} times while drafts were stored; run translate again",
        path=name,
    )
