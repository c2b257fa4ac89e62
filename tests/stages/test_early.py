"""A first translate run's model loads and is hashed while the stage starts up: only when the
load is sure to be needed, and with drafts byte-identical to a run without it."""

from __future__ import annotations

import gc
import json
import shutil
import weakref
from pathlib import Path

import pytest

from localise import engines
from localise.cache import Cache
from localise.engines import argos
from localise.project import Project
from localise.stages import early, translate
from support import isolate_argos

ARTICLE = "# Travel Notes\n\nBook your flight early.\n\nKeep every receipt.\n"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, tiny_models, cli) -> Path:
    isolate_argos(monkeypatch, tmp_path / "argos-home")
    root = tmp_path / "p"
    (root / "source" / "guides").mkdir(parents=True)
    (root / "source" / "notes.md").write_text(ARTICLE)
    (root / "source" / "guides" / "packing.md").write_text("# Packing\n\nPack light.\n")
    (root / "localise.toml").write_text(
        'languages = ["ja", "es"]\n[translate]\npackages_dir = "models"\n')
    for lang in ("ja", "es"):
        assert cli(root, "models", "install", str(tiny_models[lang])).code == 0
    assert cli(root, "extract").code == 0
    assert cli(root, "update").code == 0
    return root


def start(root: Path, *, retranslate: bool = False, local: bool = True,
          langs: list[str] | None = None) -> early.Early:
    return early.start(Project.open(root), langs=langs, engine=None, options=None,
                       retranslate=retranslate, shard=None, local=local)


def catalogues(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted((root / "locales").rglob("*.po"))}


def memoised(root: Path) -> bool:
    cache = Cache(root / ".localise" / "cache" / "translations.sqlite")
    try:
        engine = argos.ArgosEngine(options=Project.open(root).config.translate.options)
        files = engine.identity(source="en", target="ja").files
        return cache.known_files_digest(list(files)) is not None
    finally:
        cache.close()


def test_a_first_run_loads_the_first_language_and_hashes_its_model(project: Path) -> None:
    begun = start(project)
    loading = begun.engine
    try:
        assert (begun.lang, begun.name) == ("ja", "argos")
        assert isinstance(begun.engine, argos.ArgosEngine)
        assert begun.engine_for("es", "argos") is None  # one model ahead of its turn, no more
        assert begun.engine_for("ja", "argos") is loading
        # handed over once: the stage frees the model after ja, never holding two at a time
        assert begun.engine is None and begun.engine_for("ja", "argos") is None
        assert len(begun.catalogues) == 2  # ja's two catalogues, handed to the stage
        assert not memoised(project)
        cache = Cache(project / ".localise" / "cache" / "translations.sqlite")
        try:
            begun.adopt_hashes(cache)
        finally:
            cache.close()
        assert memoised(project)  # hashed in the background, kept by the driver
    finally:
        begun.close()
    assert ("en", "ja") in loading._loaded  # loaded by the time it is closed


def test_the_first_language_model_is_let_go_of_before_the_next_loads(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    begun = start(project)
    first = weakref.ref(begun.engine)
    alive_when_es_began: list[bool] = []
    built = engines.get_engine

    def get_engine(name: str, *, options: object) -> object:
        gc.collect()
        alive_when_es_began.append(first() is not None)
        return built(name, options=options)

    monkeypatch.setattr(engines, "get_engine", get_engine)
    try:
        summaries = translate.run(Project.open(project), early=begun)
    finally:
        begun.close()
    assert summaries["ja"].sent and summaries["es"].sent
    assert alive_when_es_began == [False]  # ja came from the early load, es was built after it


def test_drafts_and_summaries_equal_a_run_without_it(cli, project: Path, tmp_path: Path) -> None:
    other = tmp_path / "other"
    shutil.copytree(project, other)
    done = cli(project, "translate", "--json")  # the CLI starts the early load
    assert done.code == 0, done.err
    begun = start(other)
    begun.close()
    assert begun.engine is not None  # so the CLI's run above did begin early
    summaries = translate.run(Project.open(other))  # no early load
    assert catalogues(project) == catalogues(other)
    for lang, summary in json.loads(done.out)["languages"].items():
        assert (summary["sent"], summary["cached"], summary["filled"], summary["error"]) == (
            summaries[lang].sent, summaries[lang].cached, summaries[lang].filled, None)
    assert summaries["ja"].sent == 5


def test_a_model_hashed_before_loads_early_into_an_empty_cache(cli, project: Path) -> None:
    assert cli(project, "translate").code == 0  # memoises the model's digest
    cache = Cache(project / ".localise" / "cache" / "translations.sqlite")
    with cache.db:
        cache.db.execute("DELETE FROM mt")  # the digests stay, the sentences go
    cache.close()
    begun = start(project, retranslate=True)
    try:
        assert begun.engine is not None and begun._threads == []  # loading; nothing to hash
    finally:
        begun.close()


@pytest.mark.parametrize("case", ["drafted", "model known", "ray", "pseudo"])
def test_nothing_starts_unless_the_load_is_sure_to_be_needed(
    cli, project: Path, case: str
) -> None:
    assert cli(project, "translate").code == 0  # drafts everything, memoises the model
    if case == "drafted":  # every entry has a draft: nothing pending, even with a new cache
        shutil.rmtree(project / ".localise" / "cache")
        begun = start(project)
    elif case == "model known":  # a draft to redo, but the cache holds sentences of the model
        begun = start(project, retranslate=True)
    elif case == "ray":
        shutil.rmtree(project / ".localise" / "cache")
        begun = start(project, retranslate=True, local=False)
    else:
        shutil.rmtree(project / ".localise" / "cache")
        (project / "localise.toml").write_text(
            'languages = ["ja", "es"]\n[translate]\nengine = "pseudo"\n')
        begun = start(project, retranslate=True)
    begun.close()
    assert begun.engine is None
    assert begun.catalogues == {}  # none held for the stage


def test_a_warm_project_reads_no_catalogue_before_the_stage(
    cli, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Model hashed, cache filled: start stops before any catalogue is read, so the stage's
    reading is the only one."""
    assert cli(project, "translate").code == 0
    opened: list[str] = []
    real = Path.read_bytes

    def spy(self: Path) -> bytes:
        opened.append(self.name)
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", spy)
    begun = start(project, retranslate=True)
    begun.close()
    assert begun.engine is None
    assert not [name for name in opened if name.endswith(".po")]


@pytest.mark.parametrize(("setting", "flag", "local"), [
    ('executor = " local "', [], True),  # read as the config reads it: spaces around are allowed
    ("", ["--executor", "local"], True),
    ('executor = "ray=127.0.0.1:1"', [], False),
])
def test_the_cli_starts_early_only_for_the_local_executor(
    cli, project: Path, monkeypatch: pytest.MonkeyPatch, setting: str, flag: list[str],
    local: bool,
) -> None:
    config = project / "localise.toml"
    config.write_text(config.read_text().replace("[translate]\n", f"[translate]\n{setting}\n"))
    seen: list[bool] = []

    def recorded(*args: object, local: bool, **kwargs: object) -> early.Early:
        seen.append(local)
        return early.Early()

    monkeypatch.setattr(early, "start", recorded)
    cli(project, "translate", *flag)  # a Ray head that is not there: the stage says so
    assert seen == [local]


def test_a_mistake_is_left_for_the_stage_to_report(project: Path) -> None:
    begun = start(project, langs=["xx-Nowhere"])
    begun.close()
    assert begun.engine is None and begun.catalogues == {}


@pytest.mark.parametrize(("text", "pending"), [
    (b'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n', False),
    (b'msgid ""\nmsgstr ""\n"X: y\\n"\n\nmsgid "Hi"\nmsgstr "Hola"\n', False),
    (b'msgid "Hi"\nmsgstr ""\n\nmsgid "Bye"\nmsgstr "Adios"\n', True),
    (b'msgid "Hi"\nmsgstr ""', True),  # at the end, no final newline
    (b'msgid "Hi"\r\nmsgstr ""\r\n\r\n', True),
    (b'msgid "one"\nmsgid_plural "many"\nmsgstr[0] ""\nmsgstr[1] ""\n', True),
    (b'msgid "Hi"\nmsgstr ""\n"Hola"\n', False),  # a msgstr written on its next line
    (b'#~ msgid "Old"\n#~ msgstr ""\n', False),  # obsolete entries are never drafted
])
def test_an_empty_msgstr_is_seen_in_the_bytes(text: bytes, pending: bool) -> None:
    assert (early._EMPTY_MSGSTR.search(text) is not None) is pending
