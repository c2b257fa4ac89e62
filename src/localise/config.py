"""``localise.toml`` → a frozen :class:`Config`; every error names the file, line and key."""

from __future__ import annotations

import dataclasses
import datetime as dt
import fnmatch
import re
import string
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from localise import choices, langtags
from localise.currency import DEFAULT_POLICY, CurrencyPolicy
from localise.engine_options import EngineOptions, OptionError
from localise.errors import ConfigError, EngineError
from localise.files import decode_utf8

if TYPE_CHECKING:
    from localise.langtags import LanguageTag
    from localise.model import SegmentOptions

CONFIG_NAME = "localise.toml"
_POLICY_KEYS = {
    "display_currency": str,
    "rate": (str, int, float),
    "rate_currency": str,
    "rate_date": dt.date,
    "show_original": bool,
    "large_units": bool,
}


@dataclass(frozen=True, slots=True, kw_only=True)
class FormattingOptions:
    """The ``[formatting]`` table: which values become placeholders, and per-language policy."""

    currency: bool = True
    """Currency amounts become ``{amount_N}`` placeholders."""
    dates: bool = True
    """English dates in running text become ``{date_N}`` placeholders."""
    policies: Mapping[str, CurrencyPolicy] = field(default_factory=dict)
    """Per-language currency policy (``[formatting.ja]``), built and validated at load."""

    def policy(self, lang: str) -> CurrencyPolicy:
        """How amounts are shown in ``lang`` (the default policy when none is configured)."""
        return self.policies.get(lang, DEFAULT_POLICY)


@dataclass(frozen=True, slots=True, kw_only=True)
class MemoryOptions:
    """The ``[translate.memory]`` table: where translation memory comes from, how near is near."""

    enabled: bool = True
    """Fill untranslated entries from translation memory before machine translation."""
    compendia: tuple[Path, ...] = ()
    """Absolute paths of ``.po`` and ``.tmx`` compendia; ``{lang}`` in a path is replaced by
    the language (a ``.po`` without it serves the language of its ``Language`` header)."""
    min_similarity: int = 75
    """Near matches must be at least this similar (percent, 1–100)."""
    exact_reviewed: bool = False
    """Store a match of the same msgid as a reviewed translation, not as a fuzzy draft."""


@dataclass(frozen=True, slots=True, kw_only=True)
class TranslateOptions:
    """The ``[translate]`` table: machine-translation engine choice and CTranslate2 settings."""

    engine: str = "argos"
    """Default engine name for every language."""
    engines: Mapping[str, str] = field(default_factory=dict)
    """Per-language default engine (``[translate.engines]``), e.g. ``es = "apertium"``."""
    options: EngineOptions = field(default_factory=EngineOptions)
    """Engine settings (beam size, device, threads, batch size, argos package folder)."""
    codes: Mapping[str, str] = field(default_factory=dict)
    """Per-language machine-translation code (``[translate.codes]``), e.g. ``pt-BR = "pb"``
    for an argos package named ``translate-en_pb``; by default :attr:`LanguageTag.mt`."""
    apply_glossary: bool = True
    """Put required glossary translations into machine drafts (not only check for them)."""
    memory: MemoryOptions = field(default_factory=MemoryOptions)
    """Translation memory (``[translate.memory]``)."""
    executor: str = "local"
    """Where engines run: ``local`` (this process), ``ray`` (a Ray cluster started on this
    machine) or ``ray=HOST:PORT`` (the Ray cluster whose head is there)."""

    def engine_for(self, lang: str) -> str:
        """The engine configured for ``lang``."""
        return self.engines.get(lang, self.engine)

    def executor_spec(self) -> choices.Spec:
        """:attr:`executor` parsed (checked when the file was read; a bad value given in code
        raises ConfigError)."""
        try:
            return choices.parse_executor(self.executor)
        except ValueError as exc:
            raise ConfigError(f"[translate] executor: {exc}") from None


@dataclass(frozen=True, slots=True, kw_only=True)
class CheckOptions:
    """The ``[check]`` table: which link targets a translation may change, per language."""

    localisable_links: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    """Source URL → {language: translated URL}; other targets must stay unchanged."""
    glossary: str = "locales/glossary.csv"
    """Glossary CSV, relative to the project root."""


LAYOUTS: Mapping[str, str] = {
    "folders": "{lang}/{path}.md",
    "hugo": "{path}.{lang_lower}.md",
    "mkdocs": "{path}.{lang}.md",
    "docusaurus": "i18n/{lang}/docusaurus-plugin-content-docs/current/{path}.md",
}
"""Output path patterns (under ``output_dir``) by ``[build] layout`` name: plain folders
(``build/pt-BR/guides/knee.md``), Hugo's and MkDocs static-i18n's file suffixes
(``guides/knee.pt-br.md``, ``guides/knee.pt-BR.md``), Docusaurus's i18n docs folder."""
PATH_FIELDS = ("path", "lang", "lang_lower", "lang_gettext")
"""What an output path pattern may contain: ``{path}`` (the slug, ``guides/knee``) and the
language as a BCP 47 tag (``pt-BR``), in lower case (``pt-br``) or in gettext form
(``pt_BR``)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class BuildOptions:
    """The ``[build]`` table: where pages go, drafts, what is published, assets."""

    layout: str = "folders"
    """The preset the path pattern comes from (a key of :data:`LAYOUTS`, or ``custom``)."""
    path: str = LAYOUTS["folders"]
    """Output path pattern under ``output_dir`` (and under ``drafts_dir`` for drafts)."""
    drafts_dir: Path | None = None
    """Where ``build --draft`` writes (project-relative); None: ``<output_dir>/drafts``."""
    draft_notice: bool = True
    """Draft pages open with a visible notice in their language (some generators ignore
    ``draft: true``)."""
    draft_notices: Mapping[str, str] = field(default_factory=dict)
    """Per-language notice text (Markdown), replacing the built-in one."""
    publish: str = "all"
    """``all``: every page, untranslated units in the source language (reported); ``reviewed``:
    only pages whose every unit is a reviewed translation (others are not written)."""
    assets: str = "copy"
    """Relative links to non-Markdown files (images): ``copy`` the files next to the built
    page, ``rewrite`` the link to point at the source file, or ``none``."""

    def page(self, tag: LanguageTag, slug: str) -> str:
        """The page's path under its tree, e.g. ``pt-BR/guides/knee.md``."""
        return self.path.format(
            path=slug, lang=tag.tag, lang_lower=tag.spelled("lower"),
            lang_gettext=tag.gettext,
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class Config:
    """Project options, with paths resolved against the project root."""

    root: Path
    dialect: str = "commonmark"
    """The Markdown dialect of the sources (a preset of :data:`localise.dialects.NAMES`)."""
    dialect_overrides: tuple[tuple[str, str], ...] = ()
    """``[dialects]``: (pattern, dialect) pairs, in the order written; the first pattern that
    matches an article's path under the source folder chooses its dialect."""
    source_language: str = "en"
    languages: tuple[str, ...] = ()
    """Target languages. No default: a project without the ``languages`` key has none, and the
    commands that need one say so (see :meth:`localise.project.Project.languages`)."""
    languages_line: int | None = field(default=None, compare=False, repr=False)
    """1-based line of ``localise.toml`` where ``languages`` is set (None: not set)."""
    source_dir: Path = Path("source")
    locales_dir: Path = Path("locales")
    output_dir: Path = Path("build")
    front_matter_keys: tuple[str, ...] = ("title", "description")
    reference_comments: str = "file"
    """How ``#:`` reference comments name a unit's source: ``file``, ``line`` or ``none``
    (the TOML key ``references``)."""
    follow_symlinks: bool = False
    """Read sources, catalogues, the glossary and the cache through symbolic links that point
    outside the project (off: such a link is refused, naming it). Writes stay inside anyway."""
    formatting: FormattingOptions = field(default_factory=FormattingOptions)
    translate: TranslateOptions = field(default_factory=TranslateOptions)
    check: CheckOptions = field(default_factory=CheckOptions)
    build: BuildOptions = field(default_factory=BuildOptions)

    def tag(self, lang: str) -> LanguageTag:
        """Every spelling of ``lang`` (a configured tag, in any case, ``-`` or ``_``)."""
        return langtags.parse(lang)

    def mt_code(self, lang: str) -> str:
        """The code machine translation uses for ``lang`` (``[translate.codes]`` first)."""
        tag = self.tag(lang)
        return self.translate.codes.get(tag.tag) or tag.mt

    @property
    def segment_options(self) -> SegmentOptions:
        """What segmentation extracts, as the ``[formatting]`` and front-matter keys say (in
        the project's default dialect; see :meth:`segment_options_for`)."""
        from localise.model import SegmentOptions

        return SegmentOptions(
            front_matter_keys=self.front_matter_keys,
            currency=self.formatting.currency,
            dates=self.formatting.dates,
            dialect=self.dialect,
        )

    def dialect_for(self, path: Path) -> str:
        """The dialect of the article at ``path`` (relative to the project root)."""
        if not self.dialect_overrides:
            return self.dialect
        try:
            rel = path.relative_to(self.source_dir).as_posix()
        except ValueError:
            rel = path.as_posix()
        for pattern, dialect in self.dialect_overrides:
            folder = pattern.rstrip("/")
            if fnmatch.fnmatchcase(rel, pattern) or rel.startswith(folder + "/"):
                return dialect
        return self.dialect

    def segment_options_for(self, path: Path) -> SegmentOptions:
        """:attr:`segment_options` in the dialect of the article at ``path``."""
        dialect = self.dialect_for(path)
        options = self.segment_options
        return options if dialect == options.dialect else dataclasses.replace(
            options, dialect=dialect
        )

    @property
    def source_root(self) -> Path:
        """Absolute source folder."""
        return self.root / self.source_dir

    @property
    def locales_root(self) -> Path:
        """Absolute locales folder."""
        return self.root / self.locales_dir

    @property
    def output_root(self) -> Path:
        """Absolute output folder."""
        return self.root / self.output_dir

    @property
    def drafts_root(self) -> Path:
        """Absolute folder of draft pages (``<output_dir>/drafts`` unless configured)."""
        drafts = self.build.drafts_dir
        return self.root / drafts if drafts is not None else self.output_root / "drafts"

    def tree_root(self, *, draft: bool = False) -> Path:
        """The folder reviewed pages (or, with ``draft``, draft pages) are written under."""
        return self.drafts_root if draft else self.output_root

    @property
    def cache_dir(self) -> Path:
        """Folder for the translation cache, build state and lock."""
        return self.root / ".localise"

    @property
    def glossary_path(self) -> Path:
        """Absolute path of the glossary CSV (it need not exist)."""
        return self.root / self.check.glossary

    def pot_path(self, slug: str) -> Path:
        """``locales/<slug>.pot``."""
        return self.locales_root / f"{slug}.pot"

    def po_path(self, lang: str, slug: str) -> Path:
        """``locales/<lang>/LC_MESSAGES/<slug>.po``, the folder in gettext form (``pt_BR``)."""
        return self.locales_root / self.tag(lang).gettext / "LC_MESSAGES" / f"{slug}.po"

    def output_path(self, lang: str, slug: str, *, draft: bool = False) -> Path:
        """Where the page goes: ``build/<lang>/<slug>.md`` by default (see ``[build]``)."""
        return self.tree_root(draft=draft) / self.build.page(self.tag(lang), slug)


def _line_of(text: str, key: str, *, table: str | None = None) -> int | None:
    """1-based line where ``key`` is assigned (inside ``[table]`` when given), if found."""
    in_table = table is None
    pattern = re.compile(rf'^\s*"?{re.escape(key)}"?\s*=')
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if stripped.startswith("["):
            name = stripped.strip("[] ")
            if table is not None:
                in_table = name == table
            if name == (f"{table}.{key}" if table else key):
                return number  # a whole table: its header line
            continue
        if in_table and pattern.match(line):
            return number
    loose = re.compile(rf'(?:^|[{{,.\s]){re.escape(key)}"?\s*=')
    for number, line in enumerate(text.splitlines(), 1):
        if loose.search(line.split("#", 1)[0]):
            return number
    return None


class _Reader:
    """Pops typed values out of a TOML table, raising ConfigError with the key's line."""

    def __init__(self, path: Path, text: str, data: dict[str, Any], table: str | None) -> None:
        self.path, self.text, self.data, self.table = path, text, dict(data), table

    def error(self, key: str, message: str) -> ConfigError:
        name = f"{self.table}.{key}" if self.table else key
        line = _line_of(self.text, key, table=self.table)
        return ConfigError(f"{message} (key '{name}')", path=self.path, line=line)

    def take(self, key: str, kind: type | tuple[type, ...], default: Any) -> Any:
        if key not in self.data:
            return default
        value = self.data.pop(key)
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            names = (
                kind.__name__ if isinstance(kind, type) else " or ".join(k.__name__ for k in kind)
            )
            raise self.error(key, f"expected {names}, got {type(value).__name__}")
        return value

    def strings(self, key: str, default: tuple[str, ...]) -> tuple[str, ...]:
        value = self.take(key, list, None)
        if value is None:
            return default
        if not all(isinstance(item, str) and item for item in value):
            raise self.error(key, "expected a list of non-empty strings")
        return tuple(value)

    def finish(self) -> None:
        for key in self.data:
            raise self.error(key, "unknown key")


def _language(reader: _Reader, key: str, value: str) -> str:
    """``value`` as its canonical BCP 47 tag, after checking it against CLDR."""
    try:
        return langtags.parse(value).tag
    except ValueError as exc:
        raise reader.error(key, str(exc)) from None


def load(root: Path) -> Config:
    """Read ``root/localise.toml`` (all keys optional) into a validated Config."""
    root = root.resolve()
    path = root / CONFIG_NAME
    if not root.is_dir():
        raise ConfigError("project folder does not exist", path=root)
    if not path.exists():
        return Config(root=root)
    return loads(decode_utf8(path.read_bytes(), path=path, error=ConfigError), path=path)


def loads(text: str, *, path: Path) -> Config:
    """The text of a ``localise.toml`` at ``path`` (absolute) into a validated Config."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"\(at line (\d+), column \d+\)", str(exc))
        message = re.sub(r"\s*\(at (line \d+, column \d+|end of document)\)", "", str(exc))
        line = int(match.group(1)) if match else max(1, len(text.splitlines()))
        excerpt = text.splitlines()[line - 1] if line and line <= len(text.splitlines()) else None
        raise ConfigError(
            f"invalid TOML: {message}", path=path, line=line, excerpt=excerpt
        ) from None
    return _parse(path, text, data)


def _parse(path: Path, text: str, data: dict[str, Any]) -> Config:
    """The whole file: top-level keys, then each table, then nothing may be left over."""
    top = _Reader(path, text, data, None)
    dialect = _dialect(top, "dialect", top.take("dialect", str, "commonmark"))
    overrides = _Reader(path, text, top.take("dialects", dict, {}), "dialects")
    dialect_overrides = tuple(
        (pattern, _dialect(overrides, pattern, overrides.take(pattern, str, "")))
        for pattern in list(overrides.data)
    )
    languages_line = _line_of(text, "languages") if "languages" in data else None
    source_language, languages = _languages(top)
    dirs = _folders(top)
    front_matter_keys = top.strings("front_matter_keys", ("title", "description"))
    references = top.take("references", str, "file")
    if references not in ("file", "line", "none"):
        raise top.error("references", "must be 'file', 'line' or 'none'")
    follow_symlinks = top.take("follow_symlinks", bool, False)
    formatting = _formatting(_Reader(path, text, top.take("formatting", dict, {}), "formatting"))
    translate = _translate(_Reader(path, text, top.take("translate", dict, {}), "translate"))
    check = _check(_Reader(path, text, top.take("check", dict, {}), "check"))
    build = _build(_Reader(path, text, top.take("build", dict, {}), "build"), languages, dirs)
    top.finish()
    return Config(
        root=path.parent,
        dialect=dialect,
        dialect_overrides=dialect_overrides,
        source_language=source_language,
        languages=languages,
        languages_line=languages_line,
        front_matter_keys=front_matter_keys,
        reference_comments=references,
        follow_symlinks=follow_symlinks,
        formatting=formatting,
        translate=translate,
        check=check,
        build=build,
        **dirs,
    )


def _dialect(reader: _Reader, key: str, name: str) -> str:
    if name not in choices.DIALECTS:
        raise reader.error(
            key, f"unknown dialect {name!r} (one of {', '.join(choices.DIALECTS)})"
        )
    return name


def _languages(top: _Reader) -> tuple[str, tuple[str, ...]]:
    source_language = _language(top, "source_language", top.take("source_language", str, "en"))
    languages = tuple(
        _language(top, "languages", lang) for lang in top.strings("languages", ())
    )
    if source_language in languages:
        raise top.error("languages", f"the source language {source_language!r} is a target")
    twice = sorted({lang for lang in languages if languages.count(lang) > 1})
    if twice:
        raise top.error("languages", f"{twice[0]!r} is listed twice")
    folders = [langtags.parse(lang).gettext.lower() for lang in languages]
    if len(set(folders)) != len(folders):
        raise top.error("languages", "two languages would share one catalogue folder")
    return source_language, languages


def _folders(top: _Reader) -> dict[str, Path]:
    dirs = {}
    for key, default in (
        ("source_dir", "source"),
        ("locales_dir", "locales"),
        ("output_dir", "build"),
    ):
        raw = top.take(key, str, default)
        value = Path(raw)
        if not raw.strip() or value == Path("."):
            raise top.error(key, "must name a folder, not the project folder itself")
        if value.is_absolute() or ".." in value.parts:
            raise top.error(key, "must be a folder inside the project")
        dirs[key] = value
    return dirs


def _formatting(fmt: _Reader) -> FormattingOptions:
    currency = fmt.take("currency", bool, True)
    dates = fmt.take("dates", bool, True)
    policies: dict[str, CurrencyPolicy] = {}
    for lang in [key for key, value in fmt.data.items() if isinstance(value, dict)]:
        table = _Reader(fmt.path, fmt.text, fmt.data.pop(lang), f"formatting.{lang}")
        tag = _language(fmt, lang, lang)
        raw = {key: table.take(key, kind, None) for key, kind in _POLICY_KEYS.items()}
        table.finish()
        try:
            policies[tag] = currency_policy({k: v for k, v in raw.items() if v is not None})
        except ValueError as exc:
            raise fmt.error(lang, str(exc)) from None
    fmt.finish()
    return FormattingOptions(currency=currency, dates=dates, policies=policies)


def _engine_name(reader: _Reader, key: str, name: str) -> str:
    try:
        choices.check_engine(name)
    except EngineError as exc:
        raise reader.error(key, exc.message) from None
    return name


def _translate(tr: _Reader) -> TranslateOptions:
    per_lang = _Reader(tr.path, tr.text, tr.take("engines", dict, {}), "translate.engines")
    chosen = {
        _language(per_lang, lang, lang): _engine_name(per_lang, lang, per_lang.take(lang, str, ""))
        for lang in list(per_lang.data)
    }
    code_table = _Reader(tr.path, tr.text, tr.take("codes", dict, {}), "translate.codes")
    codes = {}
    for lang in list(code_table.data):
        code = code_table.take(lang, str, "")
        if not re.fullmatch(r"[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})*", code):
            raise code_table.error(lang, f"not a language code: {code!r}")
        codes[_language(code_table, lang, lang)] = code
    engine = _engine_name(tr, "engine", tr.take("engine", str, "argos"))
    packages_dir = tr.take("packages_dir", str, None)
    values = {
        "device": tr.take("device", str, "cpu"),
        "beam_size": tr.take("beam_size", int, 4),
        "threads": tr.take("threads", int, 0),
        "max_batch_size": tr.take("max_batch_size", int, 0),
        "length_penalty": float(tr.take("length_penalty", (int, float), 0.2)),
        "max_length_ratio": float(tr.take("max_length_ratio", (int, float), 3.0)),
    }
    apply_glossary = tr.take("apply_glossary", bool, True)
    executor = tr.take("executor", str, "local")
    try:
        choices.parse_executor(executor)
    except ValueError as exc:
        raise tr.error("executor", str(exc)) from None
    memory = _memory(_Reader(tr.path, tr.text, tr.take("memory", dict, {}), "translate.memory"))
    tr.finish()
    try:
        options = EngineOptions(
            packages_dir=(tr.path.parent / packages_dir) if packages_dir else None, **values
        )
    except OptionError as exc:
        raise tr.error(exc.option, exc.problem) from None
    return TranslateOptions(
        engine=engine, engines=chosen, options=options, apply_glossary=apply_glossary,
        memory=memory, codes=codes, executor=executor,
    )


def _memory(mem: _Reader) -> MemoryOptions:
    enabled = mem.take("enabled", bool, True)
    compendia = mem.strings("compendia", ())
    for name in compendia:
        rel = Path(name)
        if rel.is_absolute() or ".." in rel.parts:
            raise mem.error("compendia", f"{name!r} must be a file inside the project")
    similarity = mem.take("min_similarity", (int, float), 75)
    if not 1 <= similarity <= 100:
        raise mem.error("min_similarity", f"must be a percentage from 1 to 100, not {similarity}")
    exact_reviewed = mem.take("exact_reviewed", bool, False)
    mem.finish()
    return MemoryOptions(
        enabled=enabled,
        compendia=tuple(mem.path.parent / name for name in compendia),
        min_similarity=int(similarity),
        exact_reviewed=exact_reviewed,
    )


def _check(ck: _Reader) -> CheckOptions:
    links = ck.take("localisable_links", dict, {})
    for url, per_lang in links.items():
        if not isinstance(per_lang, dict) or not all(isinstance(v, str) for v in per_lang.values()):
            raise ck.error("localisable_links", f"{url!r} must map languages to URLs")
    glossary = ck.take("glossary", str, "locales/glossary.csv")
    if not glossary or Path(glossary).is_absolute() or ".." in Path(glossary).parts:
        raise ck.error("glossary", "must be a file inside the project")
    check = CheckOptions(localisable_links={k: dict(v) for k, v in links.items()},
                         glossary=glossary)
    ck.finish()
    return check


def _build(
    b: _Reader, languages: tuple[str, ...], dirs: Mapping[str, Path]
) -> BuildOptions:
    """The ``[build]`` table: layout or path pattern, drafts, publishing, assets."""
    layout = b.take("layout", str, None)
    pattern = b.take("path", str, None)  # a pattern of one's own overrides the layout's
    if layout is not None and layout not in LAYOUTS:
        raise b.error("layout", f"must be one of {', '.join(map(repr, LAYOUTS))}, not {layout!r}")
    if pattern is not None:
        _check_pattern(b, pattern)
    chosen = layout or ("custom" if pattern is not None else "folders")
    if chosen == "mkdocs" and pattern is None:
        for lang in languages:
            if not langtags.MKDOCS_LOCALE.match(lang):
                raise b.error(
                    "layout",
                    f"MkDocs' i18n plugin does not accept the locale {lang!r} (it takes 'pt-BR', "
                    "'zh-Hant-TW'); write a 'path' pattern instead",
                )
    drafts = b.take("drafts_dir", str, None)
    drafts_dir = None
    if drafts is not None:
        drafts_dir = Path(drafts)
        if not drafts.strip() or drafts_dir == Path("."):
            raise b.error("drafts_dir", "must name a folder, not the project folder itself")
        if drafts_dir.is_absolute() or ".." in drafts_dir.parts:
            raise b.error("drafts_dir", "must be a folder inside the project")
        if drafts_dir == dirs["output_dir"]:
            raise b.error("drafts_dir", "must not be the output folder itself")
    notice = b.take("draft_notice", bool, True)
    notices_table = _Reader(
        b.path, b.text, b.take("draft_notices", dict, {}), "build.draft_notices"
    )
    notices = {}
    for lang in list(notices_table.data):
        text = notices_table.take(lang, str, "")
        notices[_language(notices_table, lang, lang)] = text
    publish = b.take("publish", str, "all")
    if publish not in ("all", "reviewed"):
        raise b.error("publish", f"must be 'all' or 'reviewed', not {publish!r}")
    assets = b.take("assets", str, "copy")
    if assets not in ("copy", "rewrite", "none"):
        raise b.error("assets", f"must be 'copy', 'rewrite' or 'none', not {assets!r}")
    b.finish()
    return BuildOptions(
        layout=chosen,
        path=pattern if pattern is not None else LAYOUTS[chosen],
        drafts_dir=drafts_dir,
        draft_notice=notice,
        draft_notices=notices,
        publish=publish,
        assets=assets,
    )


def _check_pattern(b: _Reader, pattern: str) -> None:
    """An output path pattern names the slug and the language, and stays inside its tree."""
    try:
        fields = [name for _, name, spec, conv in string.Formatter().parse(pattern)
                  if name is not None]
    except ValueError as exc:
        raise b.error("path", f"not a path pattern: {exc}") from None
    unknown = [name for name in fields if name not in PATH_FIELDS]
    if unknown:
        known = ", ".join("{" + name + "}" for name in PATH_FIELDS)
        raise b.error("path", f"unknown field {{{unknown[0]}}} (known: {known})")
    if "path" not in fields or not any(name.startswith("lang") for name in fields):
        raise b.error("path", "the pattern must contain {path} and a language ({lang})")
    sample = Path(pattern.format(path="a", lang="x", lang_lower="x", lang_gettext="x"))
    if sample.is_absolute() or ".." in sample.parts or pattern.startswith("/"):
        raise b.error("path", "the pattern must stay inside the output folder")


def currency_policy(raw: Mapping[str, Any]) -> CurrencyPolicy:
    """A ``[formatting.<lang>]`` table as a CurrencyPolicy; ValueError says what is wrong."""
    from decimal import Decimal, InvalidOperation

    values = dict(raw)
    if "rate" in values:
        try:
            values["rate"] = Decimal(str(values["rate"]))
        except InvalidOperation:
            raise ValueError(f"rate is not a number: {values['rate']!r}") from None
    return CurrencyPolicy(**values)


def engine_options(config: Config, **overrides: Any) -> EngineOptions:
    """The configured engine options with command-line ``overrides`` (None: not given)."""
    given = {k: v for k, v in overrides.items() if v is not None}
    return dataclasses.replace(config.translate.options, **given) if given else (
        config.translate.options
    )


# -- the keys, as `localise init` writes them -------------------------------------------------


@dataclass(frozen=True, slots=True)
class Key:
    """One ``localise.toml`` key as documented in a new project's file."""

    name: str
    """Dotted name: ``"languages"``, ``"translate.beam_size"``."""
    help: str
    """One line: what the key decides."""
    attribute: str | None = None
    """Where its default lives on :class:`Config` (dotted); None when it has no default."""
    example: Any = None
    """A value to show (commented out) for a key without a default."""

    @property
    def table(self) -> str:
        """The TOML table holding the key (``""`` for the top level)."""
        return self.name.rpartition(".")[0]

    @property
    def key(self) -> str:
        """The key's name inside its table."""
        return self.name.rpartition(".")[2]

    def default(self, config: Config) -> Any:
        """The key's value in ``config`` (its default when ``config`` has no file behind it)."""
        value: Any = config
        for part in (self.attribute or "").split("."):
            value = getattr(value, part) if part else None
        return value


KEYS: tuple[Key, ...] = (
    Key("dialect", "the Markdown the sources are written in: commonmark, gfm, mkdocs, "
        "docusaurus, hugo, liquid or mdn", "dialect"),
    Key("source_language", "language the articles are written in (BCP 47 tag)",
        "source_language"),
    Key("languages", 'languages to publish, BCP 47 tags such as "ja", "pt-BR", "zh-Hans" '
        "(no default)", "languages"),
    Key("source_dir", "folder of the source articles (every *.md, subfolders included)",
        "source_dir"),
    Key("locales_dir", "folder of the templates (<slug>.pot) and catalogues "
        "(<lang>/LC_MESSAGES/<slug>.po)", "locales_dir"),
    Key("output_dir", "folder of the published pages (laid out as build.layout says)",
        "output_dir"),
    Key("front_matter_keys", "front-matter values to translate", "front_matter_keys"),
    Key("references", '"#:" reference comments in catalogues: "file", "line" or "none"',
        "reference_comments"),
    Key("follow_symlinks", "read sources, catalogues and the glossary through symbolic links "
        "that point outside the project (refused by default; writes stay inside)",
        "follow_symlinks"),
    Key("dialects.blog", "the dialect of the articles in this folder (or matching this quoted "
        "pattern, e.g. \"docs/*.mdx\") under the source folder, overriding dialect", example="gfm"),
    Key("formatting.currency", "amounts such as $6,500 become placeholders, formatted for each "
        "language at build", "formatting.currency"),
    Key("formatting.dates", "dates such as Jan 12, 2026 likewise", "formatting.dates"),
    Key("formatting.ja.display_currency", "show amounts in this currency instead (needs a rate)",
        example="JPY"),
    Key("formatting.ja.rate", "… converted at this pinned rate (a string keeps every digit)",
        example="150.5"),
    Key("formatting.ja.rate_currency", "… from this currency", example="USD"),
    Key("formatting.ja.rate_date", "when the rate was taken (for readers of this file)",
        example=dt.date(2026, 1, 12)),
    Key("formatting.ja.show_original", "also show the original amount: 約98万円（6,500米ドル）",
        example=True),
    Key("formatting.ja.large_units", "万/億 without precision loss (13,000 → 1.3万)",
        example=True),
    Key("translate.engine", "machine-translation engine: argos, apertium or pseudo",
        "translate.engine"),
    Key("translate.beam_size", "CTranslate2 beam size (1 is fastest)",
        "translate.options.beam_size"),
    Key("translate.device", "CTranslate2 device: cpu, cuda or auto", "translate.options.device"),
    Key("translate.threads", "CPU: parallel CTranslate2 workers (0: one per core); GPU: threads",
        "translate.options.threads"),
    Key("translate.max_batch_size", "sentences per CTranslate2 batch (0: chosen per run)",
        "translate.options.max_batch_size"),
    Key("translate.length_penalty", "CTranslate2 length penalty (argostranslate's is 0.2)",
        "translate.options.length_penalty"),
    Key("translate.max_length_ratio", "a draft may have up to this many pieces per source piece",
        "translate.options.max_length_ratio"),
    Key("translate.executor", 'where engines run: "local", "ray" (a Ray cluster on this '
        'machine) or "ray=HOST:6379" (a running Ray cluster; pip install \'localise[ray]\')',
        "translate.executor"),
    Key("translate.apply_glossary", "put the glossary's required translations into machine drafts",
        "translate.apply_glossary"),
    Key("translate.packages_dir", "a project-local folder of argos packages (default: argos's "
        "own folder)", example=".argos"),
    Key("translate.engines.es", "the engine of one language, overriding translate.engine",
        example="apertium"),
    Key("translate.codes.pt-BR", "the engine's code for one language when not the usual one "
        "(argos: pt-BR → pt, zh-Hans → zh, zh-Hant → zt)", example="pb"),
    Key("translate.memory.enabled", "fill untranslated entries from reviewed translations "
        "before machine translation", "translate.memory.enabled"),
    Key("translate.memory.compendia", "more translation memory: .po or .tmx files ({lang} is "
        "the language)", example=["tm/{lang}.po", "tm/company.tmx"]),
    Key("translate.memory.min_similarity", "the least similarity (percent) of a near match",
        "translate.memory.min_similarity"),
    Key("translate.memory.exact_reviewed", "an exact match counts as reviewed (not fuzzy)",
        "translate.memory.exact_reviewed"),
    Key("check.glossary", "the glossary CSV (term,language,translation,note,strict)",
        "check.glossary"),
    Key("check.localisable_links", "link targets a translation may change, per language",
        example={"https://example.com/": {"es": "https://example.com/es/"}}),
    Key("build.layout", "where pages go under output_dir: folders, hugo, mkdocs or docusaurus",
        "build.layout"),
    Key("build.path", "or a pattern of your own: {path}, {lang} (pt-BR), {lang_lower}, "
        "{lang_gettext}", example="{lang}/{path}.md"),
    Key("build.drafts_dir", "where build --draft writes (default: <output_dir>/drafts)",
        example="build/drafts"),
    Key("build.draft_notice", "draft pages open with a notice in their language (some "
        "generators ignore draft: true)", "build.draft_notice"),
    Key("build.publish", '"all" pages, or only "reviewed" ones (every unit a reviewed '
        "translation; the others are not written)", "build.publish"),
    Key("build.assets", 'files a page links to (images): "copy" them beside it, "rewrite" the '
        'links, or "none"', "build.assets"),
    Key("build.draft_notices.ja", "your own draft notice (Markdown) for one language",
        example="> **下書き**：未確認の翻訳です。"),
)
"""Every key ``localise.toml`` accepts, with its default (from :class:`Config` itself) and one
line of help; per-language tables are shown with ``ja``/``es`` as the example language."""
