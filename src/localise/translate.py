"""Fills untranslated catalogue entries with machine drafts: batched, cached, fuzzy, attributed."""

from __future__ import annotations

import contextlib
import hashlib
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from localise import catalogue, placeholders, sentences
from localise.config import Config
from localise.errors import EngineError, LocaliseError
from localise.files import write_if_changed
from localise.glossary import Glossary

if TYPE_CHECKING:
    from localise.engines import EngineOptions


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


class Cache:
    """SQLite translation memory keyed by engine, model version, language pair and source text."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(path)
        try:
            self.db.execute("PRAGMA schema_version")
        except sqlite3.DatabaseError:
            self.db.close()
            raise LocaliseError(
                "the translation cache is damaged; delete it (it only saves time)", path=path
            ) from None
        self.db.execute(
            "CREATE TABLE IF NOT EXISTS mt (key TEXT PRIMARY KEY, target TEXT NOT NULL)"
        )

    @staticmethod
    def key(engine: str, version: str, source: str, target: str, text: str) -> str:
        h = hashlib.sha256()
        for part in (engine, version, source, target, text):
            h.update(part.encode("utf-8") + b"\0")
        return h.hexdigest()

    def get_many(self, keys: Sequence[str]) -> dict[str, str]:
        found: dict[str, str] = {}
        for i in range(0, len(keys), 500):
            chunk = list(keys[i : i + 500])
            marks = ",".join("?" * len(chunk))
            found.update(
                self.db.execute(f"SELECT key, target FROM mt WHERE key IN ({marks})", chunk)
            )
        return found

    def put_many(self, items: Sequence[tuple[str, str]]) -> None:
        with self.db:
            self.db.executemany("INSERT OR REPLACE INTO mt (key, target) VALUES (?, ?)", items)

    def close(self) -> None:
        self.db.close()


@contextlib.contextmanager
def open_cache(config: Config) -> Iterator[Cache]:
    """The project's translation cache (``.localise/cache/translations.sqlite``)."""
    cache = Cache(config.cache_dir / "cache" / "translations.sqlite")
    try:
        yield cache
    finally:
        cache.close()


def _needs_draft(entry: catalogue.POEntry, *, retranslate: bool) -> bool:
    if not entry.msgstr:
        return True
    return retranslate and catalogue.is_machine_draft(entry)


def translate(
    config: Config,
    *,
    langs: Sequence[str],
    engine_name: str | None = None,
    retranslate: bool = False,
    options: EngineOptions | None = None,
    progress: Callable[[int, int], None] | None = None,
    glossary: Glossary | None = None,
) -> dict[str, LanguageSummary]:
    """Machine-translate pending entries of ``langs``' catalogues; human work is untouched."""
    from localise import engines
    from localise.pipeline import articles

    for lang in langs:  # a wrong engine name is an error even when nothing needs a draft
        engines.check_name(engine_name or config.translate.engine_for(lang))
    all_articles = articles(config)
    result: dict[str, LanguageSummary] = {}
    with open_cache(config) as cache:
        for lang in langs:
            name = engine_name or config.translate.engine_for(lang)
            summary = LanguageSummary(engine=name)
            result[lang] = summary
            work: list[tuple[Path, catalogue.POFile, list[catalogue.POEntry], dict]] = []
            plans: dict[str, tuple[placeholders.Protected, list[str]]] = {}
            for article in all_articles:
                path = config.po_path(lang, article.slug)
                po = catalogue.read(path)
                if po is None:
                    continue
                pending = [
                    e
                    for e in catalogue.live_entries(po)
                    if _needs_draft(e, retranslate=retranslate)
                ]
                if not pending:
                    continue
                env = {"references": references_of(config, article.path)}
                work.append((path, po, pending, env["references"]))
                for entry in pending:
                    if entry.msgid not in plans:
                        protected = placeholders.protect(
                            entry.msgid,
                            braces="python-brace-format" in entry.flags,
                            terms=glossary.keep_terms() if glossary else (),
                            env=env,
                        )
                        split = sentences.split(protected.text, lang=config.source_language)
                        plans[entry.msgid] = (protected, split)
            if not work:
                continue
            engine = engines.get_engine(name, options=options or engine_options(config))
            summary.version = engine.version(source=config.source_language, target=lang)
            drafts = _draft(
                plans,
                engine=engine,
                version=summary.version,
                source=config.source_language,
                target=lang,
                cache=cache,
                summary=summary,
                progress=progress,
            )
            for path, po, pending, references in work:
                for entry in pending:
                    text, problems = drafts[entry.msgid]
                    problems = problems + _verify(
                        entry,
                        text,
                        lang=lang,
                        config=config,
                        glossary=glossary,
                        references=references,
                    )
                    _apply(entry, text, problems, attribution=summary.version)
                    summary.filled += 1
                    summary.flagged += bool(problems)
                if write_if_changed(path, catalogue.render(po)):
                    summary.files.append(path.relative_to(config.root))
    return result


def engine_options(
    config: Config,
    *,
    beam_size: int | None = None,
    device: str | None = None,
    threads: int | None = None,
) -> EngineOptions:
    """CTranslate2 settings from ``[translate]``, with command-line overrides where given."""
    from localise.engines import EngineOptions

    t = config.translate
    return EngineOptions(
        beam_size=t.beam_size if beam_size is None else beam_size,
        device=device or t.device,
        threads=t.threads if threads is None else threads,
        max_batch_size=t.max_batch_size,
        packages_dir=t.packages_dir,
    )


def references_of(config: Config, path: Path) -> dict[str, Any]:
    """Link reference definitions of a source article (relative ``path``)."""
    from localise.segment import decode, link_references

    return link_references(decode((config.root / path).read_bytes(), path=path))


def _draft(
    plans: dict[str, tuple[placeholders.Protected, list[str]]],
    *,
    engine: object,
    version: str,
    source: str,
    target: str,
    cache: Cache,
    summary: LanguageSummary,
    progress: Callable[[int, int], None] | None,
) -> dict[str, tuple[str, list[str]]]:
    """msgid → (restored draft, problems), translating each distinct sentence once."""
    summary.units = len(plans)
    distinct = sorted({s for _, parts in plans.values() for s in parts if s.strip()})
    summary.segments = len(distinct)
    name = getattr(engine, "name", "engine")
    keys = {s: Cache.key(name, version, source, target, s) for s in distinct}
    known = cache.get_many(list(keys.values()))
    done = {s: known[k] for s, k in keys.items() if k in known}
    summary.cached = len(done)
    missing = [s for s in distinct if s not in done]
    summary.sent = len(missing)
    step = 256
    for i in range(0, len(missing), step):
        batch = missing[i : i + step]
        outputs = engine.translate(batch, source=source, target=target)  # type: ignore[attr-defined]
        if len(outputs) != len(batch):
            raise EngineError(f"engine {name} returned {len(outputs)} outputs for {len(batch)}")
        done.update(zip(batch, outputs, strict=True))
        cache.put_many([(keys[s], out) for s, out in zip(batch, outputs, strict=True)])
        if progress is not None:
            progress(min(i + step, len(missing)), len(missing))
    drafts: dict[str, tuple[str, list[str]]] = {}
    for msgid, (protected, parts) in plans.items():
        joined = sentences.join([done.get(p, p) if p.strip() else p for p in parts], lang=target)
        drafts[msgid] = placeholders.restore(joined, protected)
    return drafts


VERIFIED_CHECKS = frozenset(
    {"placeholders", "markup", "link-targets", "glossary", "do-not-translate"}
)
"""QA checks run on every machine draft; their findings become ``MT-check:`` lines."""


def _verify(
    entry: catalogue.POEntry,
    text: str,
    *,
    lang: str,
    config: Config,
    glossary: Glossary | None,
    references: dict,
) -> list[str]:
    """What the reviewer must fix in a restored draft: markup, placeholders, glossary terms."""
    from localise import checks

    findings = checks.check_entry(
        entry.msgid,
        text,
        lang=lang,
        flags=entry.flags,
        glossary=glossary,
        localisable_links=config.check.localisable_links,
        references=references,
    )
    return [
        f"{check}: {message}"
        for check, severity, message in findings
        if check in VERIFIED_CHECKS and severity in ("error", "warning")
    ]


def _apply(entry: catalogue.POEntry, text: str, problems: list[str], *, attribution: str) -> None:
    """Store a machine draft: fuzzy, attributed, with what the reviewer must fix."""
    entry.msgstr = text
    if "fuzzy" not in entry.flags:
        entry.flags.insert(0, "fuzzy")
    kept = [
        line
        for line in entry.tcomment.split("\n")
        if line and not line.startswith((catalogue.MT_PREFIX, catalogue.MT_FLAG_PREFIX))
    ]
    kept.append(f"{catalogue.MT_PREFIX}{attribution} {catalogue.draft_mark(text)}")
    kept.extend(catalogue.MT_FLAG_PREFIX + problem for problem in problems)
    entry.tcomment = "\n".join(kept)
    entry.previous_msgid = None
