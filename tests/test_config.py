"""localise.toml → Config: defaults, every table, and errors that name the file, line and key."""

from __future__ import annotations

import dataclasses
import datetime as dt
import pickle
import re
import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from localise import config
from localise.errors import ConfigError
from localise.formatting import CurrencyPolicy

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "config"


def _project_with(tmp_path: Path, fixture: str) -> Path:
    root = tmp_path / "proj"
    (root / "source").mkdir(parents=True)
    shutil.copyfile(FIXTURES / fixture, root / "localise.toml")
    return root


def test_missing_file_gives_defaults(tmp_path: Path) -> None:
    loaded = config.load(tmp_path)
    assert loaded == config.Config(root=tmp_path.resolve())
    assert loaded.languages == ()  # no silent default: the commands that need one say so
    assert loaded.source_language == "en"
    assert loaded.reference_comments == "file"
    assert loaded.formatting.currency and loaded.formatting.dates


def test_design_defaults_spelled_out_equal_builtin_defaults(tmp_path: Path) -> None:
    root = _project_with(tmp_path, "defaults.toml")  # and the languages, which have none
    assert config.load(root) == config.Config(root=root.resolve(), languages=("ja", "es"))


def test_every_table(tmp_path: Path) -> None:
    root = _project_with(tmp_path, "full.toml")
    loaded = config.load(root)
    assert loaded.languages == ("ja", "es", "pt-BR")
    assert loaded.source_dir == Path("articles")
    assert loaded.output_root == root.resolve() / "site" / "out"
    assert loaded.front_matter_keys == ("title",)
    assert loaded.reference_comments == "line"
    assert loaded.formatting.currency is False
    assert loaded.formatting.policy("ja") == CurrencyPolicy(
        display_currency="JPY", rate=Decimal("150.25"), rate_currency="USD",
        rate_date=dt.date(2026, 1, 12), show_original=True,
    )
    assert loaded.formatting.policy("es") == CurrencyPolicy()
    assert loaded.translate.engine_for("es") == "apertium"
    assert loaded.translate.engine_for("ja") == "pseudo"
    options = loaded.translate.options
    assert (options.beam_size, options.threads) == (2, 4)
    assert options.max_batch_size == 64
    assert options.packages_dir == root.resolve() / "models"
    assert loaded.check.glossary == "i18n/glossary.csv"
    assert dict(loaded.check.localisable_links["https://example.com/en/"]) == {
        "ja": "https://example.com/ja/"
    }


def test_paths_derive_from_the_project_root(tmp_path: Path) -> None:
    loaded = config.load(tmp_path)
    root = tmp_path.resolve()
    assert loaded.pot_path("guides/knee") == root / "locales" / "guides" / "knee.pot"
    assert loaded.po_path("ja", "guides/knee") == root / "locales/ja/LC_MESSAGES/guides/knee.po"
    assert loaded.output_path("es", "guides/knee") == root / "build" / "es" / "guides" / "knee.md"
    assert loaded.cache_dir == root / ".localise"


def test_config_is_frozen(tmp_path: Path) -> None:
    loaded = config.load(tmp_path)
    with pytest.raises(dataclasses.FrozenInstanceError):
        loaded.languages = ("fr",)  # type: ignore[misc]


def test_missing_project_folder_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        config.load(tmp_path / "nowhere")


@pytest.mark.parametrize("fixture", ["defaults.toml", "full.toml"])
def test_config_pickles_for_worker_processes(tmp_path: Path, fixture: str) -> None:
    loaded = config.load(_project_with(tmp_path, fixture))
    assert pickle.loads(pickle.dumps(loaded)) == loaded


# (fixture, 1-based line, text the message must contain)
BAD = [
    ("syntax_error.toml", 3, "invalid TOML"),
    ("duplicate_key.toml", 5, "invalid TOML"),
    ("not_utf8.toml", 1, "UTF-8"),
    ("unknown_key.toml", 4, "unknown key (key 'langauges')"),
    ("unknown_formatting_key.toml", 5, "unknown key (key 'formatting.curency')"),
    ("unknown_table.toml", 3, "unknown key (key 'formating')"),
    ("wrong_type.toml", 2, "expected list, got str (key 'languages')"),
    ("wrong_type_formatting.toml", 5, "expected bool, got str (key 'formatting.currency')"),
    ("wrong_type_inline.toml", 2, "expected bool, got str (key 'formatting.currency')"),
    ("bad_language_code.toml", 1, "not a language code: 'Spanish'"),
    ("source_is_target.toml", 2, "source language 'en' is a target"),
    ("outside_dir.toml", 3, "inside the project (key 'output_dir')"),
    ("bad_references.toml", 2, "key 'references'"),
]


@pytest.mark.parametrize(("fixture", "line", "what"), BAD)
def test_bad_config_names_line_and_key(tmp_path: Path, fixture: str, line: int, what: str) -> None:
    root = _project_with(tmp_path, fixture)
    with pytest.raises(ConfigError) as info:
        config.load(root)
    error = info.value
    assert error.exit_code == 2
    assert error.line == line, str(error)
    assert str(error).startswith(f"{root.resolve() / 'localise.toml'}:{line}: "), str(error)
    assert what in str(error)


@pytest.mark.parametrize(("fixture", "line", "what"), BAD)
def test_bad_config_fails_cleanly_on_the_command_line(
    tmp_path: Path, cli, fixture: str, line: int, what: str
) -> None:
    root = _project_with(tmp_path, fixture)
    (root / "source" / "a.md").write_text("# Title\n\nText.\n", encoding="utf-8")
    before = (root / "localise.toml").read_bytes()
    result = cli(root, "extract")
    assert result.code == 2
    assert f"localise.toml:{line}: " in result.err
    assert what in result.err
    assert "Traceback" not in result.err
    assert result.err.count("\n") == 1  # one line, no stack
    assert (root / "localise.toml").read_bytes() == before
    assert not (root / "locales").exists()


def test_policy_values_are_typed(tmp_path: Path) -> None:
    """[formatting.<lang>] values are built into the currency policy once, at load."""
    loaded = config.load(_project_with(tmp_path, "full.toml"))
    policy = loaded.formatting.policy("ja")
    assert policy.rate == Decimal("150.25")
    assert policy.display_currency == "JPY"


@pytest.mark.parametrize(
    ("toml", "line", "fragment"),
    [
        ('languages = ["ja", "qq"]\n', 1, "no CLDR locale data for 'qq'"),
        ("[translate]\nbeam_size = 0\n", 2, "beam_size"),
        ("[translate]\nmax_batch_size = -1\n", 2, "max_batch_size"),
        ('[translate]\nengine = "nope"\n', 2, "unknown translation engine 'nope'"),
        ('[translate.engines]\nes = "nope"\n', 2, "unknown translation engine 'nope'"),
        ('[formatting.ja]\ndisplay_currency = "JPY"\n', 1, "formatting.ja"),
        ('[formatting.ja]\ndisplay_currency = "JPY"\nrate = "abc"\n', 1, "rate is not a number"),
    ],
)
def test_bad_values_are_reported_at_load_with_their_line(
    tmp_path: Path, toml: str, line: int, fragment: str
) -> None:
    (tmp_path / "localise.toml").write_text(toml)
    with pytest.raises(ConfigError) as info:
        config.load(tmp_path)
    assert fragment in str(info.value)
    assert f"localise.toml:{line}:" in str(info.value)


@pytest.mark.parametrize(
    ("toml", "fragment"),
    [
        ('output_dir = ""\n', "not the project folder itself (key 'output_dir')"),
        ('locales_dir = "."\n', "not the project folder itself (key 'locales_dir')"),
        ('[check]\nglossary = "/etc/passwd"\n', "inside the project (key 'check.glossary')"),
        ('[check]\nglossary = "../g.csv"\n', "inside the project (key 'check.glossary')"),
    ],
)
def test_folders_and_glossary_stay_inside_the_project(
    tmp_path: Path, toml: str, fragment: str
) -> None:
    (tmp_path / "localise.toml").write_text(toml, "utf-8")
    with pytest.raises(ConfigError) as caught:
        config.load(tmp_path)
    assert fragment in str(caught.value)


@pytest.mark.parametrize("value", ["local", "ray", "ray=head.internal:6380"])
def test_translate_executor_key(tmp_path: Path, value: str) -> None:
    (tmp_path / "localise.toml").write_text(f'[translate]\nexecutor = "{value}"\n')
    loaded = config.load(tmp_path).translate
    assert loaded.executor == value
    assert str(loaded.executor_spec()) == value  # parsed once, where the key is known
    assert config.TranslateOptions().executor == "local"
    with pytest.raises(ConfigError, match=r"\[translate\] executor: unknown executor 'spark'"):
        config.TranslateOptions(executor="spark").executor_spec()  # a value given in code


@pytest.mark.parametrize(("value", "problem"), [
    ("spark", "unknown executor 'spark'"),
    ("ray=head:99999", "not a port number"),
])
def test_a_bad_executor_names_its_line(tmp_path: Path, value: str, problem: str) -> None:
    (tmp_path / "localise.toml").write_text(f'[translate]\nbeam_size = 2\nexecutor = "{value}"\n')
    with pytest.raises(ConfigError, match=re.escape(problem)) as info:
        config.load(tmp_path)
    assert info.value.line == 3 and "key 'translate.executor'" in str(info.value)


def test_translate_memory_and_decoding_keys(tmp_path: Path) -> None:
    from localise.config import load

    (tmp_path / "localise.toml").write_text(
        "[translate]\nlength_penalty = 0.5\nmax_length_ratio = 2\napply_glossary = false\n"
        "[translate.memory]\ncompendia = [\"tm/{lang}.po\", \"tm/old.tmx\"]\n"
        "min_similarity = 80\nexact_reviewed = true\n"
    )
    config = load(tmp_path)
    options = config.translate.options
    assert (options.length_penalty, options.max_length_ratio) == (0.5, 2.0)
    memory = config.translate.memory
    assert memory.compendia == (tmp_path / "tm/{lang}.po", tmp_path / "tm/old.tmx")
    assert (memory.min_similarity, memory.exact_reviewed) == (80, True)
    assert config.translate.apply_glossary is False
    for bad, message in [
        ("[translate.memory]\nmin_similarity = 120\n", "min_similarity"),
        ("[translate.memory]\ncompendia = [\"../x.po\"]\n", "inside the project"),
        ("[translate.memory]\nsimilarity = 80\n",
         "unknown key (key 'translate.memory.similarity')"),
        ("[translate]\nlength_penalty = -1\n", "length_penalty"),
    ]:
        (tmp_path / "localise.toml").write_text(bad)
        with pytest.raises(ConfigError, match=re.escape(message)) as info:
            load(tmp_path)
        assert info.value.line is not None
