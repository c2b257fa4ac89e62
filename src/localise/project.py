"""One localise project: config, glossary, articles, languages and sources, each read once.

Every stage takes a :class:`Project`. Within a run, a source article is read from disk once
(:meth:`Project.source` keeps its bytes, which fingerprint the outputs made from it, and the
text decoded from them), segmented once (:meth:`Project.document`), and the glossary is read
once; the stages that stream through every article (extract, update, build) keep nothing
(``keep=False``) and fingerprint each output with the digests of the bytes its job was given.
:class:`State` remembers what each output was made from, and :attr:`Project.fingerprints` the
digest of each file beside its stat, so a rerun skips unchanged work without reading it.
"""

from __future__ import annotations

import functools
import json
import os
import re
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from localise import __version__, langtags
from localise import config as config_module
from localise import glossary as glossary_module
from localise.config import CONFIG_NAME, PATH_FIELDS, Config
from localise.errors import ConfigError, UsageError
from localise.files import decode_utf8
from localise.fingerprints import Fingerprints, digest
from localise.glossary import Glossary
from localise.tables import Table

if TYPE_CHECKING:
    from localise.model import Document


class Article:
    """A source file and the names derived from it (immutable; its path is held as a string,
    a third of a :class:`Path`'s size: a project lists every article)."""

    __slots__ = ("_path", "slug")
    _path: str
    slug: str
    """Path under the source folder without ``.md``, e.g. ``guides/knee``."""

    def __init__(self, path: str | os.PathLike[str], slug: str) -> None:
        object.__setattr__(self, "_path", os.fspath(path))
        object.__setattr__(self, "slug", slug)

    @property
    def path(self) -> Path:
        """Path relative to the project root, e.g. ``source/guides/knee.md``."""
        return Path(self._path)

    @property
    def posix(self) -> str:
        """:attr:`path` as a POSIX string (the one held, where the separator is ``/``)."""
        return self._path if os.sep == "/" else self._path.replace(os.sep, "/")

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"Article is immutable: cannot set {name}")

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Article):
            return NotImplemented
        return self._path == other._path and self.slug == other.slug

    def __hash__(self) -> int:
        return hash((self._path, self.slug))

    def __repr__(self) -> str:
        return f"Article(path={self.path!r}, slug={self.slug!r})"

    def __reduce__(self) -> tuple[type[Article], tuple[str, str]]:
        return Article, (self._path, self.slug)


class Source:
    """A source article as read in this run: the bytes on disk and the text decoded from them."""

    __slots__ = ("_digest", "_text", "article", "data")

    def __init__(self, article: Article, data: bytes) -> None:
        self.article = article
        self.data = data
        """Exactly what was read; outputs made from this source are fingerprinted with it."""
        self._text: str | None = None
        self._digest: str | None = None

    @property
    def digest(self) -> str:
        """:func:`digest` of ``data``: what the outputs made from this source record."""
        if self._digest is None:
            self._digest = digest(self.data)
        return self._digest

    @property
    def text(self) -> str:
        """``data`` decoded as UTF-8 (a leading BOM dropped); SourceError names the line."""
        if self._text is None:
            self._text = decode_utf8(self.data, path=self.article.path)
        return self._text

    def decoded(self) -> Source:
        """This source, after checking that it decodes (SourceError names the line); the text
        itself is not kept, so a job handed to a worker carries the bytes only."""
        if self._text is None:
            decode_utf8(self.data, path=self.article.path)
        return self

    def __getstate__(self) -> tuple[Article, bytes, str | None]:
        return self.article, self.data, self._text

    def __setstate__(self, state: tuple[Article, bytes, str | None]) -> None:
        self.article, self.data, self._text = state
        self._digest = None


def read_bytes(path: Path) -> bytes:
    """The file's bytes, or ``b""`` when it does not exist (an input not made yet)."""
    return read_optional(path) or b""


def read_optional(path: Path) -> bytes | None:
    """The file's bytes, or None when it does not exist."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None


@functools.cache
def code_digest() -> bytes:
    """Fingerprint of localise's own code: an upgrade rebuilds what it would write differently."""
    package = Path(__file__).parent
    return digest(*(p.read_bytes() for p in sorted(package.rglob("*.py")))).encode()


class State:
    """What each output was last made from (``.localise/state.sqlite``, a row per output, read
    a row at a time; an earlier version's ``state.json`` is imported once): per output, a
    fingerprint of its bytes and of its inputs' digests, all taken from ``fingerprints``
    (so an unchanged file is not read to know it)."""

    def __init__(self, config: Config, fingerprints: Fingerprints) -> None:
        self.path = config.cache_dir / "state.sqlite"
        self.config_key = digest(__version__.encode(), repr(config).encode(), code_digest())
        self.fingerprints = fingerprints
        self._prefix = os.path.join(os.fspath(config.root), "")
        self._table = Table(self.path, schema=_STATE_SCHEMA, version=STATE_FORMAT,
                            what="the state", table="outputs",
                            legacy=(config.cache_dir / "state.json",
                                    functools.partial(_import_state, self._prefix)))

    def _name(self, output: str) -> str:
        """How the state names an output (given absolute): relative to the project inside it."""
        return output[len(self._prefix):] if output.startswith(self._prefix) else output

    def _key(self, current: str, inputs: tuple[str, ...]) -> bytes:
        return bytes.fromhex(
            digest(self.config_key.encode(), current.encode(), *(i.encode() for i in inputs)))

    def get(self, output: Path) -> bytes | None:
        """The 20 bytes of the fingerprint recorded for ``output`` (absolute), if any."""
        row = self._table.one("SELECT key FROM outputs WHERE name = ?",
                              (self._name(os.fspath(output)),))
        return row[0] if row is not None else None

    def items(self) -> Iterator[tuple[str, bytes]]:
        """``(output, fingerprint)`` of every output recorded, by name (inside the project:
        project-relative), a few at a time."""
        yield from self._table.scan("key")

    @property
    def dirty(self) -> bool:
        """True when this run changed the state."""
        return self._table.dirty

    def fresh(self, output: Path, *inputs: str) -> bool:
        """True when ``output`` (absolute) exists unchanged and was made from exactly
        ``inputs`` (the inputs' digests, or short tags of how it was made)."""
        key = self.get(output)
        if key is None:
            return False
        current = self.fingerprints.of(output)
        return current is not None and key == self._key(current, inputs)

    def record(self, output: Path, *inputs: str) -> None:
        """Remember that ``output`` (absolute), as it is on disk now, was made from ``inputs``."""
        current = self.fingerprints.of(output)
        if current is None:
            return
        key = self._key(current, inputs)
        if self.get(output) != key:
            self._table.execute(_STATE_PUT, (self._name(os.fspath(output)), key))

    def forget(self, output: Path) -> None:
        """Drop what is known about ``output`` (a file moved or removed)."""
        self.fingerprints.forget(output)
        if self.get(output) is not None:
            self._table.execute("DELETE FROM outputs WHERE name = ?",
                                (self._name(os.fspath(output)),))

    def save(self) -> None:
        """Commit what changed (the file digests' table too)."""
        self.fingerprints.save()
        self._table.commit()

    def close(self) -> None:
        """Let go of the state (and the file digests); what was not saved is forgotten."""
        self._table.close()
        self.fingerprints.close()


STATE_FORMAT = 1
"""Version of ``state.sqlite`` (its ``user_version``): another is ignored (all redone)."""
_STATE_SCHEMA = """
CREATE TABLE outputs (
    name TEXT PRIMARY KEY,  -- project-relative inside the project, else absolute
    key BLOB NOT NULL  -- the 20 bytes of State._key
) WITHOUT ROWID
"""
_STATE_PUT = "INSERT OR REPLACE INTO outputs (name, key) VALUES (?, ?)"


def _import_state(prefix: str, table: Table, data: bytes) -> None:
    """Rows for the entries of ``state.json`` (an earlier version's), if any; damaged: none.
    An output inside the project (``prefix``) is named relative to it."""
    try:
        loaded = json.loads(data)
    except ValueError:
        return
    if not isinstance(loaded, dict):
        return
    for name, key in loaded.items():
        if isinstance(name, str) and isinstance(key, str) and _DIGEST.fullmatch(key):
            name = name[len(prefix):] if name.startswith(prefix) else name
            table.execute(_STATE_PUT, (name, bytes.fromhex(key)))


_DIGEST = re.compile("[0-9a-f]{40}")
NO_DEFINITION = "]:"
"""A link reference definition is ``[label]: destination``: a text without ``]:`` has none,
and :meth:`Project.link_definitions` does not parse it to find out."""


class Project:
    """A project folder with its ``localise.toml``, and what the run has read of it so far."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self.root = config.root
        self._prefix = os.path.join(os.fspath(config.root), "")
        self._sources: dict[Article, Source] = {}
        self._documents: dict[Article, Document] = {}
        self._definitions: dict[Article, dict[str, Any]] = {}
        self._reads_checked = False

    @classmethod
    def open(cls, root: Path) -> Project:
        """The project whose ``localise.toml`` is in ``root`` (all keys optional)."""
        return cls(config_module.load(root))

    @classmethod
    def find(cls, start: Path) -> Project:
        """The project whose ``localise.toml`` is in ``start`` or the nearest folder above it
        (as git, ruff and pytest find theirs); UsageError, saying how to start one, if none."""
        root = find_root(start)
        if root is None:
            raise UsageError(
                f"not inside a localise project (no {CONFIG_NAME} here or in any folder above); "
                "start one with `localise init --lang LANG`, or name one with -C DIR",
                path=start.resolve(),
            )
        return cls.open(root)

    def close(self) -> None:
        """Let go of the state and the file digests (what was not saved is forgotten: a
        command that only reads leaves them as they were)."""
        if "state" in self.__dict__:
            self.state.close()
        elif "fingerprints" in self.__dict__:
            self.fingerprints.close()

    # -- what the project holds ----------------------------------------------------------

    @functools.cached_property
    def glossary_bytes(self) -> bytes:
        """The glossary file as read (``b""`` when there is none)."""
        return read_bytes(self.confined(self.config.glossary_path))

    @functools.cached_property
    def glossary_digest(self) -> str:
        """:func:`digest` of :attr:`glossary_bytes`: an input of every template and page."""
        return digest(self.glossary_bytes)

    @functools.cached_property
    def glossary(self) -> Glossary:
        """The project's glossary (empty when the file does not exist)."""
        if not self.glossary_bytes:
            return Glossary()
        name = self.relative(self.config.glossary_path)
        text = decode_utf8(self.glossary_bytes, path=name, error=ConfigError)
        return glossary_module.parse(text, path=name, languages=self.config.languages)

    @functools.cached_property
    def articles(self) -> list[Article]:
        """Every ``*.md`` under the source folder, sorted (hidden files and folders skipped)."""
        self.check_reads()
        root = self.config.source_root
        if not root.is_dir():
            raise UsageError("source folder not found", path=self.config.source_dir)
        built = built_page_matcher(self.config)
        found = []
        for rel, entry in sorted(_markdown_files(os.fspath(root))):
            path = Path(entry.path)
            if entry.is_symlink():
                self._check_link(path)
                if not path.is_file():
                    continue
            elif not entry.is_file(follow_symlinks=False):
                continue
            name = "/".join(rel)
            if any(ch.isprintable() is False and ch != " " for ch in name):
                raise UsageError(
                    f"file name with a control character: {name!r}; rename it",
                    path=self.config.source_dir,
                )
            if built is not None and built(path):
                continue  # a page localise builds beside its sources (Hugo, MkDocs suffixes)
            found.append(Article(path=self.config.source_dir.joinpath(*rel), slug=name[:-3]))
        return found

    @functools.cached_property
    def state(self) -> State:
        """The fingerprints of what earlier runs made (read once per run)."""
        self.check_reads()
        return State(self.config, self.fingerprints)

    @functools.cached_property
    def fingerprints(self) -> Fingerprints:
        """The digests of the project's files, read only when their stat changed (see
        :mod:`localise.fingerprints`); saved by :meth:`State.save`."""
        self.check_reads()
        return Fingerprints(self.config.cache_dir / "fingerprints.sqlite", self.root)

    def fingerprint(self, article: Article) -> str:
        """The digest of the article's source bytes (``Source.digest``; the file unread when
        its stat is unchanged), without keeping anything of it."""
        found = self._sources.get(article)
        if found is not None:
            return found.digest
        return self.fingerprints.of(self.root / article.path) or digest(b"")

    def languages(self, langs: Sequence[str] | None) -> list[str]:
        """``langs`` checked against the configured languages (all of them when None), as the
        configured tags (``pt_br`` on the command line is ``pt-BR``); a project with none
        configured is a UsageError naming ``localise.toml``."""
        if not self.config.languages:
            raise UsageError(
                'no languages to publish: add them to the file, e.g. languages = ["ja", "es"]',
                path=Path(CONFIG_NAME), line=self.config.languages_line,
            )
        if not langs:
            return list(self.config.languages)
        chosen = []
        for lang in langs:
            try:
                tag = langtags.parse(lang).tag
            except ValueError:
                tag = lang
            if tag not in self.config.languages:
                configured = ", ".join(self.config.languages)
                raise UsageError(
                    f"language {lang!r} is not configured (languages: {configured})",
                    path=Path(CONFIG_NAME), line=self.config.languages_line,
                )
            if tag not in chosen:
                chosen.append(tag)
        return chosen

    # -- sources, read once ---------------------------------------------------------------

    def source(self, article: Article, *, keep: bool = True) -> Source:
        """The article's source as read in this run (read on first use, decoded on demand);
        with ``keep=False`` a source not read yet is read but not kept (a stage that streams
        through every article once holds no more than the one it is working on)."""
        found = self._sources.get(article)
        if found is None:
            found = Source(article, read_bytes(self.root / article.path))
            if keep:
                self._sources[article] = found
        return found

    def document(self, article: Article) -> Document:
        """The article segmented into units (once per run)."""
        found = self._documents.get(article)
        if found is None:
            found = self._documents[article] = segment_source(self.config, self.source(article))
        return found

    def link_definitions(self, article: Article) -> dict[str, Any]:
        """The article's link reference definitions (from its segmentation when made)."""
        found = self._definitions.get(article)
        if found is None:
            document = self._documents.get(article)
            if document is not None:
                found = dict(document.link_definitions)
            elif NO_DEFINITION not in (text := self.source(article).text):
                found = {}  # nothing to parse for (most articles)
            else:
                from localise.inline import link_definitions

                found = link_definitions(text, dialect=self.config.dialect_for(article.path))
            self._definitions[article] = found
        return found

    # -- paths ------------------------------------------------------------------------------

    def relative(self, path: Path) -> Path:
        """``path`` relative to the project root when it is inside it."""
        text, prefix = os.fspath(path), self._prefix
        if text.startswith(prefix) and ".." not in text:  # the usual case, without pathlib's
            return Path(text[len(prefix):])  # own relative_to (a warm run asks thousands)
        return path.relative_to(self.root) if path.is_relative_to(self.root) else path

    def written_folders(self) -> list[Path]:
        """Where localise writes: catalogues, published pages (drafts too, when they have a
        folder of their own), its own state."""
        config = self.config
        folders = [config.locales_root, config.output_root, config.cache_dir]
        if not config.drafts_root.is_relative_to(config.output_root):
            folders.append(config.drafts_root)
        return folders

    def confined(self, path: Path) -> Path:
        """``path``, after checking that no symbolic link on the way to it from the project
        root points outside the project (UsageError naming the link), unless the config's
        ``follow_symlinks`` allows it; a path outside the root (configured so) is not checked."""
        if self.config.follow_symlinks or not path.is_relative_to(self.root):
            return path
        here = self.root
        for part in path.relative_to(self.root).parts:
            here = here / part
            if here.is_symlink():
                self._check_link(here)
        return path

    def check_reads(self) -> None:
        """Refuse (UsageError naming the link) a symbolic link pointing outside the project
        in the source, locales and cache folders or on the way to them, unless
        ``follow_symlinks``: what localise reads must not come from outside the project
        (checked once per run, before the state or any article is read)."""
        if self.config.follow_symlinks or self._reads_checked:
            return
        config = self.config
        for folder in (config.source_root, config.locales_root, config.cache_dir):
            self.confined(folder)
        for folder in (config.locales_root, config.cache_dir):
            self._check_tree(folder)
        self._reads_checked = True

    def _check_tree(self, folder: Path) -> None:
        """Every symbolic link under ``folder`` (not following linked folders) checked."""
        pending = [folder]
        while pending:
            try:
                entries = os.scandir(pending.pop())
            except OSError:  # missing (not made yet) or unreadable: nothing is read from it
                continue
            with entries:
                for entry in entries:
                    if entry.is_symlink():
                        self._check_link(Path(entry.path))
                    elif entry.is_dir(follow_symlinks=False):
                        pending.append(Path(entry.path))

    def _check_link(self, link: Path) -> None:
        """UsageError, naming ``link``, when the symbolic link resolves outside the project."""
        if self.config.follow_symlinks:
            return
        try:
            target = link.resolve()
            written = os.readlink(link)
        except (OSError, RuntimeError):  # a loop, or gone meanwhile
            raise UsageError(
                "symbolic link that cannot be resolved", path=self.relative(link)
            ) from None
        if not target.is_relative_to(self.root):
            raise UsageError(
                f"symbolic link to {written} points outside the project (set follow_symlinks "
                f"= true in {CONFIG_NAME} to read through it)",
                path=self.relative(link),
            )

    def inside(self, path: Path, folder: Path) -> Path:
        """``path``, after checking that it resolves inside ``folder`` (UsageError if not)."""
        if not path.resolve().is_relative_to(folder.resolve()):
            raise UsageError(f"refusing to write outside {folder}", path=path)
        return path


def _markdown_files(root: str) -> Iterator[tuple[tuple[str, ...], os.DirEntry[str]]]:
    """``(parts under root, entry)`` of every ``*.md`` under ``root`` not hidden (nor under a
    hidden folder), not descending into linked folders, as ``Path.rglob`` would find them."""
    pending: list[tuple[str, tuple[str, ...]]] = [(root, ())]
    while pending:
        folder, parts = pending.pop()
        try:
            with os.scandir(folder) as scan:
                entries = list(scan)
        except PermissionError:
            continue
        for entry in entries:
            if entry.name.startswith("."):
                continue
            if entry.name.endswith(".md"):
                yield (*parts, entry.name), entry
            if entry.is_dir(follow_symlinks=False):
                pending.append((entry.path, (*parts, entry.name)))


def built_page_matcher(config: Config) -> Callable[[Path], bool] | None:
    """A test for "this file is a page localise builds" when a page tree overlaps the source
    folder (``output_dir = source_dir`` with Hugo's ``guides/knee.ja.md``), else None."""
    source = config.source_root
    roots = [
        root for root in (config.output_root, config.drafts_root)
        if root.is_relative_to(source) or source.is_relative_to(root)
    ]
    if not roots:
        return None
    spelled = {
        name: "|".join(re.escape(spell(langtags.parse(lang))) for lang in config.languages)
        for name, spell in _SPELLINGS.items()
    }
    pattern = re.escape(config.build.path)
    for name in PATH_FIELDS:
        value = r"(?:.+)" if name == "path" else f"(?:{spelled[name]})"
        pattern = pattern.replace(re.escape("{" + name + "}"), value)
    regex = re.compile(pattern)

    def is_built(path: Path) -> bool:
        return any(
            path.is_relative_to(root) and regex.fullmatch(path.relative_to(root).as_posix())
            for root in roots
        )

    return is_built


_SPELLINGS: dict[str, Callable[[langtags.LanguageTag], str]] = {
    "lang": lambda tag: tag.tag,
    "lang_lower": lambda tag: tag.spelled("lower"),
    "lang_gettext": lambda tag: tag.gettext,
}
def find_root(start: Path) -> Path | None:
    """The nearest folder holding a ``localise.toml``: ``start`` itself or one above it."""
    if not start.is_dir():
        problem = "not a folder" if start.exists() else "project folder does not exist"
        raise ConfigError(problem, path=start)
    here = start.resolve()
    for folder in (here, *here.parents):
        if (folder / CONFIG_NAME).is_file():
            return folder
    return None


def segment_source(config: Config, source: Source) -> Document:
    """Segment a source read earlier (also what worker processes call)."""
    from localise.segment import segment

    return segment(
        source.text,
        path=source.article.path,
        slug=source.article.slug,
        options=config.segment_options_for(source.article.path),
    )
