"""A first translate run's model, loaded and hashed while the stage itself starts up.

The translate stage needs its model only after importing its checks, reading every catalogue
and protecting and splitting the pending msgids; on a first run (the model never hashed into
the project's cache, so no sentence can be cached under it) it then loads the model and hashes
its files for the cache keys. :func:`start` begins both before the stage is even imported, in
background threads (CTranslate2 and hashlib release the GIL), so on a second core they overlap
that work. It does so only when the load is sure to be needed: the language's engine has a
model, some catalogue it drafts has an empty ``msgstr`` (or ``--retranslate`` was given), no
sentence can be in the cache (the model's files were never hashed here, or the cache is empty:
a new project, a fresh clone in CI), and the engine runs in this process. Only the first such
language is started (one model in memory ahead of its turn, never all of them). Whatever
:func:`start` could not settle is left to the stage, which reports it as it always does.
"""

from __future__ import annotations

import contextlib
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from localise import engines, sharding
from localise.cache import Cache, hashed_unchanged, open_cache
from localise.engines import Engine, EngineOptions
from localise.errors import LocaliseError
from localise.project import Project, read_optional

_EMPTY_MSGSTR = re.compile(rb'^msgstr(?:\[\d+\])? ""[ \t]*(?:\r?\n(?![ \t]*")|\Z)', re.M)
"""An entry awaiting a draft, as the catalogue's bytes show it: an empty ``msgstr`` line not
continued by a string (the header's is)."""


@dataclass(slots=True)
class Early:
    """The engine loading for ``lang`` (none started: ``engine`` is None), the model files
    being hashed, and the catalogues of the first language with an entry to draft, read to
    decide and handed to the stage so that it reads them once."""

    lang: str = ""
    name: str = ""
    engine: Engine | None = None
    catalogues: dict[Path, bytes] = field(default_factory=dict)
    _hashed: dict[Path, tuple[str, str] | None] = field(default_factory=dict)
    _threads: list[threading.Thread] = field(default_factory=list)
    _warm: engines.WarmUp | None = None

    def engine_for(self, lang: str, name: str) -> Engine | None:
        """The engine already loading for ``lang`` when it is ``name`` (handed over once: the
        stage lets go of its model after the language, so two are never held), else None."""
        if (lang, name) != (self.lang, self.name) or self.engine is None:
            return None
        engine, self.engine = self.engine, None
        return engine

    def read(self, path: Path) -> bytes | None:
        """The catalogue's bytes as read here (handed over once), else as on the disk."""
        data = self.catalogues.pop(path, None)
        return data if data is not None else read_optional(path)

    def adopt_hashes(self, cache: Cache) -> None:
        """Wait for the model files' hashes and memoise them in ``cache`` (a file changed since
        it was hashed is not: the stage hashes it again)."""
        self._join()
        for path, hashed in self._hashed.items():
            cache.adopt(path, hashed)
        self._hashed.clear()

    def close(self) -> None:
        """Wait for the background work (the stage never left a load running behind it)."""
        self._join()
        if self._warm is not None:
            self._warm.wait()

    def _join(self) -> None:
        for thread in self._threads:
            thread.join()


def start(
    project: Project,
    *,
    langs: Sequence[str] | None,
    engine: str | None,
    options: EngineOptions | None,
    retranslate: bool,
    shard: sharding.Shard | None,
    local: bool,
) -> Early:
    """Start loading (and hashing) the model of the first language sure to need it; see the
    module's docstring for when. Never raises: what fails here fails again in the stage."""
    early = Early()
    if not local or not project.articles:
        return early
    # an unknown language or engine, a bad cache: the stage says what is wrong
    with contextlib.suppress(LocaliseError, OSError, ValueError):
        _start(early, project, langs=langs, engine=engine, retranslate=retranslate,
               options=options or project.config.translate.options, shard=shard)
    return early


def _start(
    early: Early,
    project: Project,
    *,
    langs: Sequence[str] | None,
    engine: str | None,
    options: EngineOptions,
    retranslate: bool,
    shard: sharding.Shard | None,
) -> None:
    config = project.config
    for lang in project.languages(langs):
        name = engine or config.translate.engine_for(lang)
        engines.check_name(name)
        translator = engines.get_engine(name, options=options)
        if getattr(translator, "prepare", None) is None:
            continue  # no model to load: the stage's own order is as fast
        source, target = config.source_language, config.mt_code(lang)
        files = list(engines.identity(translator, source=source, target=target).files)
        with open_cache(config.cache_dir) as cache:
            unhashed = cache.unmemoised(files)
            if not files or (not unhashed and not cache.is_empty()):
                continue  # the cache may hold every sentence: the stage looks before it loads
        # Only now the catalogues (a warm run stops above, and the stage reads them once).
        read = _catalogues(project, lang, shard)
        if not retranslate and not any(_EMPTY_MSGSTR.search(data) for data in read.values()):
            continue  # nothing to draft: its catalogues are not held while others are drafted
        early.lang, early.name, early.engine, early.catalogues = lang, name, translator, read
        early._warm = engines.WarmUp(translator, source=source, target=target)
        if unhashed:
            thread = threading.Thread(target=_hash, args=(unhashed, early._hashed),
                                      name="model-hashing", daemon=True)
            thread.start()
            early._threads.append(thread)
        return


def _catalogues(project: Project, lang: str, shard: sharding.Shard | None) -> dict[Path, bytes]:
    """The bytes of ``lang``'s catalogues that exist (in ``shard``, when given)."""
    read: dict[Path, bytes] = {}
    for article in project.articles:
        if shard is None or shard.holds(article.slug):
            path = project.config.po_path(lang, article.slug)
            if (data := read_optional(path)) is not None:
                read[path] = data
    return read


def _hash(files: list[Path], into: dict[Path, tuple[str, str] | None]) -> None:
    for path in files:
        into[path] = hashed_unchanged(path)
