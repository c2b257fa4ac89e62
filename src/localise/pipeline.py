"""Runs the stages over a project's articles; returns reports, prints nothing."""

from __future__ import annotations

import functools
import hashlib
import json
import os
import re
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from localise import __version__, catalogue
from localise.assemble import Fallback, assemble
from localise.config import Config, currency_policy
from localise.errors import UsageError
from localise.files import write_if_changed
from localise.glossary import Glossary, load_glossary
from localise.model import Document, Unit
from localise.segment import decode, segment

_PARALLEL_MIN_ARTICLES = 24


@dataclass(frozen=True, slots=True)
class Article:
    """A source file and the names derived from it."""

    path: Path
    """Path relative to the project root, e.g. ``source/guides/knee.md``."""
    slug: str
    """Path under the source folder without ``.md``, e.g. ``guides/knee``."""


@dataclass(slots=True)
class Report:
    """What a stage did: files written, files left alone, units that fell back."""

    written: list[Path] = field(default_factory=list)
    unchanged: list[Path] = field(default_factory=list)
    fallbacks: list[tuple[str, Path, Fallback]] = field(default_factory=list)
    drafts: dict[Path, int] = field(default_factory=dict)
    """Built files that include fuzzy (unreviewed) units, with how many."""


def articles(config: Config) -> list[Article]:
    """Every ``*.md`` under the source folder, sorted, with slugs that stay inside the project."""
    root = config.source_root
    if not root.is_dir():
        raise UsageError("source folder not found", path=config.source_dir)
    found = []
    for path in sorted(root.rglob("*.md")):
        if not path.is_file() or any(part.startswith(".") for part in path.relative_to(root).parts):
            continue
        rel = path.relative_to(root)
        slug = rel.with_suffix("").as_posix()
        found.append(Article(path=config.source_dir / rel, slug=slug))
    return found


def load(config: Config, article: Article) -> Document:
    """Read and segment one article."""
    data = (config.root / article.path).read_bytes()
    text = decode(data, path=article.path)
    return segment(
        text,
        path=article.path,
        slug=article.slug,
        front_matter_keys=config.front_matter_keys,
        formatting=config.formatting,
    )


def _inside(path: Path, folder: Path) -> Path:
    resolved = path.resolve()
    if not resolved.is_relative_to(folder.resolve()):
        raise UsageError(f"refusing to write outside {folder}", path=path)
    return path


def _rel(config: Config, path: Path) -> Path:
    return path.relative_to(config.root) if path.is_relative_to(config.root) else path


# -- state: skip work whose inputs have not changed --------------------------------------


class State:
    """Fingerprints of the inputs each output was last made from (``.localise/state.json``)."""

    def __init__(self, config: Config) -> None:
        self.path = config.cache_dir / "state.json"
        self.config_key = _digest(__version__.encode(), repr(config).encode(), _code_digest())
        try:
            self.data: dict[str, str] = json.loads(self.path.read_text("utf-8"))
        except (FileNotFoundError, ValueError):
            self.data = {}
        self.dirty = False

    def fresh(self, output: Path, *inputs: bytes) -> bool:
        """True when ``output`` exists unchanged and was made from exactly ``inputs``."""
        key = self.data.get(str(output))
        if key is None:
            return False
        try:
            current = output.read_bytes()
        except FileNotFoundError:
            return False
        return key == _digest(self.config_key.encode(), current, *inputs)

    def record(self, output: Path, *inputs: bytes) -> None:
        try:
            current = output.read_bytes()
        except FileNotFoundError:
            return
        self.data[str(output)] = _digest(self.config_key.encode(), current, *inputs)
        self.dirty = True

    def save(self) -> None:
        if self.dirty:
            write_if_changed(self.path, json.dumps(self.data, sort_keys=True, indent=0).encode())
            self.dirty = False


@functools.cache
def _code_digest() -> bytes:
    """Fingerprint of localise's own code: an upgrade rebuilds what it would write differently."""
    package = Path(__file__).parent
    return _digest(*(p.read_bytes() for p in sorted(package.rglob("*.py")))).encode()


def _digest(*parts: bytes) -> str:
    h = hashlib.blake2b(digest_size=20)
    for part in parts:
        h.update(len(part).to_bytes(8, "little"))
        h.update(part)
    return h.hexdigest()


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return b""


def _map(func: Callable[..., Any], items: Sequence[Any], *args: Any) -> list[Any]:
    """Run ``func(item, *args)`` over items, on all cores when there are enough of them."""
    workers = min(os.cpu_count() or 1, 8)
    if len(items) < _PARALLEL_MIN_ARTICLES or workers < 2:
        return [func(item, *args) for item in items]
    chunk = max(1, len(items) // (workers * 4))
    with ProcessPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(func, items, *[[a] * len(items) for a in args], chunksize=chunk))


# -- extract ---------------------------------------------------------------------------


def _extract_one(article: Article, config: Config, glossary: Glossary) -> tuple[Path, bool]:
    pot_path = _inside(config.pot_path(article.slug), config.locales_root)
    previous = catalogue.read(pot_path)
    document = load(config, article)
    pot = catalogue.template(
        document, references=config.references, previous=previous, glossary=glossary
    )
    return pot_path, write_if_changed(pot_path, catalogue.render(pot))


def extract(config: Config) -> Report:
    """source/*.md → locales/<slug>.pot, writing only templates whose content changed."""
    report = Report()
    state = State(config)
    glossary = load_glossary(config)
    glossary_bytes = _read(config.root / config.check.glossary)
    todo: list[Article] = []
    sources: dict[Article, bytes] = {}  # read once: what the template is recorded as made from
    for article in articles(config):
        pot_path = config.pot_path(article.slug)
        sources[article] = _read(config.root / article.path)
        if state.fresh(pot_path, sources[article], glossary_bytes):
            report.unchanged.append(_rel(config, pot_path))
        else:
            todo.append(article)
    for article in todo:  # encoding errors stop the run before any template is written
        decode(sources[article], path=article.path)
    results = _map(_extract_one, todo, config, glossary)
    for article, (pot_path, written) in zip(todo, results, strict=True):
        (report.written if written else report.unchanged).append(_rel(config, pot_path))
        state.record(pot_path, sources[article], glossary_bytes)
    state.save()
    return report


# -- update ----------------------------------------------------------------------------


def languages(config: Config, langs: Sequence[str] | None) -> list[str]:
    if not langs:
        return list(config.languages)
    for lang in langs:
        if lang not in config.languages:
            raise UsageError(
                f"language {lang!r} is not configured (languages: {', '.join(config.languages)})",
                path=Path("localise.toml"),
            )
    return list(langs)


def _update_one(
    job: tuple[Article, list[str]], config: Config, keep_obsolete: bool
) -> list[tuple[Path, bool]]:
    """Merge one article's template into each of the job's languages (reading it once)."""
    article, langs = job
    pot_path = config.pot_path(article.slug)
    pot = catalogue.read(pot_path)
    if pot is None:
        raise UsageError("no template: run `localise extract` first", path=_rel(config, pot_path))
    results = []
    for lang in langs:
        po_path = _inside(config.po_path(lang, article.slug), config.locales_root)
        old = catalogue.read(po_path)
        merged = catalogue.merge(old, pot, lang=lang, keep_obsolete=keep_obsolete)
        results.append((po_path, write_if_changed(po_path, catalogue.render(merged))))
    return results


def update(
    config: Config, *, langs: Sequence[str] | None = None, keep_obsolete: bool = True
) -> Report:
    """POT → PO per language with msgmerge semantics; unchanged catalogues are not rewritten."""
    report = Report()
    state = State(config)
    jobs: list[tuple[Article, list[str]]] = []
    flag = b"obsolete" if keep_obsolete else b"no-obsolete"
    templates: dict[Article, bytes] = {}
    for article in articles(config):
        pot = templates[article] = _read(config.pot_path(article.slug))
        stale = []
        for lang in languages(config, langs):
            po_path = config.po_path(lang, article.slug)
            if state.fresh(po_path, pot, flag):
                report.unchanged.append(_rel(config, po_path))
            else:
                stale.append(lang)
        if stale:
            jobs.append((article, stale))
    for (article, _), per_lang in zip(
        jobs, _map(_update_one, jobs, config, keep_obsolete), strict=True
    ):
        for po_path, written in per_lang:
            (report.written if written else report.unchanged).append(_rel(config, po_path))
            state.record(po_path, templates[article], flag)
    state.save()
    return report


# -- build -----------------------------------------------------------------------------


def value_formatter(config: Config, lang: str) -> Callable[[Unit, str], str]:
    """Formats a unit's placeholder for ``lang`` with Babel and the language's policy."""
    from localise import formatting

    policy = currency_policy(config.formatting.policies.get(lang, {}))

    def format_value(unit: Unit, name: str) -> str:
        for placeholder in unit.placeholders:
            if placeholder.name == name:
                return formatting.format_value(placeholder.value, locale=lang, policy=policy)
        raise KeyError(name)

    return format_value


def mark_draft(text: str) -> str:
    """Set ``draft: true`` in the front matter (replacing a ``draft:`` key, or adding one)."""
    newline = "\r\n" if "\r\n" in text else "\n"
    if text.startswith("---" + newline):
        end = text.find(newline + "---", 3)
        if end >= 0:
            head = text[: end + len(newline)]
            existing = re.search(r"(?m)^draft[ \t]*:.*$", head)
            if existing:
                return head[: existing.start()] + "draft: true" + head[existing.end() :] + text[
                    end + len(newline) :
                ]
            return head + "draft: true" + text[end:]
    return f"---{newline}draft: true{newline}---{newline}{newline}{text}"


@dataclass(frozen=True, slots=True)
class BuildResult:
    """One built article in one language."""

    path: Path
    written: bool
    fallbacks: tuple[Fallback, ...]
    fuzzy_used: int


def build_document(
    config: Config,
    document: Document,
    lang: str,
    *,
    draft: bool = False,
    po: catalogue.POFile | None = None,
    reject: Callable[[Unit, str], str | None] | None = None,
) -> tuple[str, list[Fallback], int]:
    """Target Markdown for one article: reviewed translations (and fuzzy ones in drafts)."""
    if po is None:
        po = catalogue.read(config.po_path(lang, document.slug))
    usable = catalogue.translations(po, include_fuzzy=draft)
    rejected: list[Fallback] = []
    if reject is not None:
        for unit in document.units:
            text = usable.get(unit.msgid)
            if text:
                reason = reject(unit, text)
                if reason:
                    rejected.append(Fallback(unit, reason))
        for fallback in rejected:
            usable.pop(fallback.unit.msgid, None)
    reviewed = catalogue.translations(po)
    fuzzy_used = sum(1 for u in document.units if u.msgid in usable and u.msgid not in reviewed)
    text, fallbacks = assemble(
        document,
        usable,
        lang=lang,
        format_value=value_formatter(config, lang),
        localise_identical=lang != config.source_language,
    )
    if draft and fuzzy_used:
        text = mark_draft(text)
    return text, rejected + fallbacks, fuzzy_used


def publishing_gate(
    config: Config, document: Document, lang: str, glossary: Glossary
) -> Callable[[Unit, str], str | None]:
    """A reason to withhold a translation: any error-level QA finding (see checks)."""
    from localise import checks

    references = document.references

    def reject(unit: Unit, text: str) -> str | None:
        flags = ["python-brace-format"] if unit.has_braces else []
        return checks.errors_for_build(
            unit.msgid,
            text,
            lang=lang,
            flags=flags,
            glossary=glossary,
            localisable_links=config.check.localisable_links,
            references=references,
        )

    return reject


def _build_one(
    job: tuple[Article, list[str]], config: Config, draft: bool, glossary: Glossary
) -> list[BuildResult]:
    """Build one article in each of the job's languages, segmenting it once."""
    article, langs = job
    document = load(config, article)
    results = []
    for lang in langs:
        out = _inside(config.output_path(lang, article.slug), config.output_root)
        text, fallbacks, fuzzy_used = build_document(
            config,
            document,
            lang,
            draft=draft,
            reject=publishing_gate(config, document, lang, glossary),
        )
        written = write_if_changed(out, text.encode("utf-8"))
        results.append(BuildResult(out, written, tuple(fallbacks), fuzzy_used))
    return results


def build(config: Config, *, langs: Sequence[str] | None = None, draft: bool = False) -> Report:
    """Source + PO → build/<lang>/<slug>.md for every article and language."""
    report = Report()
    state = State(config)
    glossary = load_glossary(config)
    extra = (b"draft" if draft else b"reviewed", _read(config.root / config.check.glossary))
    jobs: list[tuple[Article, list[str]]] = []
    # inputs read once: an edit made while the build runs must not be recorded as built
    inputs: dict[tuple[Article, str], tuple[bytes, ...]] = {}

    for article in articles(config):
        source = _read(config.root / article.path)
        stale = []
        for lang in languages(config, langs):
            out = config.output_path(lang, article.slug)
            po = _read(config.po_path(lang, article.slug))
            inputs[article, lang] = (source, po, *extra)
            if state.fresh(out, *inputs[article, lang]):
                report.unchanged.append(_rel(config, out))
            else:
                stale.append(lang)
        if stale:
            jobs.append((article, stale))
    results = _map(_build_one, jobs, config, draft, glossary)
    for (article, stale), per_lang in zip(jobs, results, strict=True):
        for lang, result in zip(stale, per_lang, strict=True):
            done = report.written if result.written else report.unchanged
            done.append(_rel(config, result.path))
            for fallback in result.fallbacks:
                report.fallbacks.append((lang, article.path, fallback))
            if result.fuzzy_used:
                report.drafts[_rel(config, result.path)] = result.fuzzy_used
            if not result.fallbacks:
                state.record(result.path, *inputs[article, lang])
    state.save()
    return report


# -- status ----------------------------------------------------------------------------


def status(
    config: Config, *, langs: Sequence[str] | None = None
) -> dict[str, dict[str, catalogue.Counts]]:
    """Per language, per article slug: unit and word counts of the catalogue on disk."""
    result: dict[str, dict[str, catalogue.Counts]] = {}
    all_articles = articles(config)
    for lang in languages(config, langs):
        per: dict[str, catalogue.Counts] = {}
        for article in all_articles:
            po = catalogue.read(config.po_path(lang, article.slug))
            if po is None:
                pot = catalogue.read(config.pot_path(article.slug))
                if pot is None:  # never extracted: every unit of the source is untranslated
                    pot = catalogue.template(load(config, article), references="none")
                counts = catalogue.stats(pot)
            else:
                counts = catalogue.stats(po)
            per[article.slug] = counts
        result[lang] = per
    return result
