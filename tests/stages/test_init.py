"""The init stage: a commented localise.toml generated from the config's own keys, a glossary
with its header, .gitignore entries, and never an overwritten project."""

from __future__ import annotations

import ast
import re
import tomllib
from pathlib import Path

import pytest

from localise import config
from localise.config import KEYS, Config
from localise.errors import ConfigError, UsageError
from localise.glossary import COLUMNS
from localise.glossary import parse as parse_glossary
from localise.project import Project
from localise.stages import init

CONFIG_SOURCE = Path(config.__file__)
_COMMENTED_SETTING = re.compile(r'^# ((?:\[[\w."-]+\](?:\s+#.*)?)|(?:[\w"-]+ = .*))$')


def uncomment(text: str) -> str:
    """Every commented-out key and table header of a generated file, made active."""
    return "\n".join(
        m.group(1) if (m := _COMMENTED_SETTING.match(line)) else line
        for line in text.splitlines()
    )


def test_a_new_project_loads_to_the_defaults_with_its_languages(tmp_path: Path) -> None:
    report = init.run(tmp_path / "site", langs=["ja", "es", "ja"])
    root = (tmp_path / "site").resolve()
    assert report.root == root
    assert config.load(root) == Config(root=root, languages=("ja", "es"))
    assert report.config == config.load(root)
    assert set(report.written) == {
        Path("localise.toml"), Path("source"), Path("locales"), Path("locales/glossary.csv")}
    assert (root / "source").is_dir()
    assert Project.find(root / "source").root == root


def test_every_key_is_listed_with_its_default_and_one_line_of_help(tmp_path: Path) -> None:
    text = init.config_text({"languages": ["es"]})
    lines = text.splitlines()
    defaults = Config(root=tmp_path)
    for key in KEYS:
        value = key.default(defaults) if key.attribute else key.example
        setting = f"{init._toml_key(key.key)} = {init.toml_value(value)}"
        setting = 'languages = ["es"]' if key.name == "languages" else f"# {setting}"
        assert setting in lines, key.name
        at = lines.index(setting)
        assert lines[at - 1] == f"# {key.help}", key.name  # its explanation, on one line
        table = next((line for line in reversed(lines[:at]) if "[" in line[:3]), "")
        assert (key.table == "") == (table == ""), key.name
        if key.table:
            assert f"[{key.table}]" in table, key.name


def test_uncommenting_every_default_gives_the_same_config(tmp_path: Path) -> None:
    """The documented defaults are the parser's: the file with every key active loads to the
    defaults, and to the shown examples for the keys that have none."""
    text = uncomment(init.config_text({"languages": ["ja", "es"]}))
    active = tomllib.loads(text)
    assert active["translate"]["beam_size"] == 4 and active["formatting"]["ja"]["rate"] == "150.5"
    loaded = config.loads(text, path=tmp_path / "localise.toml")
    defaults = Config(root=tmp_path, languages=("ja", "es"))
    for key in KEYS:
        if key.attribute is not None:
            assert key.default(loaded) == key.default(defaults), key.name
    assert loaded.translate.options.packages_dir == tmp_path / ".argos"
    assert loaded.translate.engine_for("es") == "apertium"
    assert loaded.formatting.policy("ja").display_currency == "JPY"
    assert loaded.check.localisable_links == {"https://example.com/": {"es": "https://example.com/es/"}}


def _keys_the_parser_reads() -> set[str]:
    """Every key name config.py takes out of a table (``.take("x"``, ``.strings("x"``), and the
    currency-policy keys: found in the source, so a new key cannot be left undocumented."""
    tree = ast.parse(CONFIG_SOURCE.read_text("utf-8"))
    found = set()
    for node in ast.walk(tree):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr in ("take", "strings") and node.args
                and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
            found.add(node.args[0].value)
        if (isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == "_POLICY_KEYS" for t in node.targets)):
            found |= {k.value for k in node.value.keys}  # type: ignore[attr-defined]
    return found


def test_every_key_the_parser_reads_is_documented() -> None:
    read = _keys_the_parser_reads()
    assert {"languages", "beam_size", "glossary", "rate_date"} <= read  # the scan works
    tables = {"formatting", "translate", "check", "engines", "memory", "dialects", "build",
              "codes", "draft_notices"}
    documented = {key.key for key in KEYS}
    assert read - tables - documented == set(), "add a config.Key for each"


def test_the_glossary_has_its_header_an_example_row_and_no_terms(tmp_path: Path) -> None:
    init.run(tmp_path, langs=["ja"])
    text = (tmp_path / "locales" / "glossary.csv").read_text("utf-8")
    assert text.splitlines()[0] == ",".join(COLUMNS)
    example = [line for line in text.splitlines() if line.startswith("# ") and line.count(",") == 4]
    assert example, text
    assert parse_glossary(text, path=Path("g.csv")).terms == ()
    # the example row, uncommented, is a real glossary row
    row = example[0][2:]
    terms = parse_glossary(f"{text.splitlines()[0]}\n{row}\n", path=Path("g.csv")).terms
    assert len(terms) == 1 and terms[0].keep


def test_gitignore_gets_the_generated_folders_once(tmp_path: Path) -> None:
    (tmp_path / ".gitignore").write_text("*.pyc\n/build/", encoding="utf-8")  # no final newline
    report = init.run(tmp_path, langs=["ja"])
    assert report.ignored == ["/.localise/"]
    lines = (tmp_path / ".gitignore").read_text("utf-8").splitlines()
    assert lines[:2] == ["*.pyc", "/build/"] and lines[-1] == "/.localise/"
    other = tmp_path / "other"
    report = init.run(other, langs=["ja"], source_dir="articles")
    assert report.ignored == ["/.localise/", "/build/"]
    assert (other / "articles").is_dir() and not (other / "source").exists()
    assert config.load(other).source_dir == Path("articles")


def test_refuses_to_overwrite_a_project(tmp_path: Path) -> None:
    init.run(tmp_path, langs=["ja"])
    (tmp_path / "localise.toml").write_text('languages = ["es"]\n', encoding="utf-8")
    before = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    with pytest.raises(UsageError, match="already a localise project"):
        init.run(tmp_path, langs=["ja"])
    assert {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()} == before


def test_keeps_what_is_there(tmp_path: Path) -> None:
    (tmp_path / "source").mkdir()
    (tmp_path / "source" / "a.md").write_text("# A\n", encoding="utf-8")
    (tmp_path / "locales").mkdir()
    (tmp_path / "locales" / "glossary.csv").write_text("term,language,translation\n", "utf-8")
    report = init.run(tmp_path, langs=["ja"])
    assert set(report.kept) == {Path("source"), Path("locales"), Path("locales/glossary.csv")}
    assert (tmp_path / "locales" / "glossary.csv").read_text("utf-8") == (
        "term,language,translation\n")
    assert (tmp_path / "source" / "a.md").read_text("utf-8") == "# A\n"


def test_no_language_is_explicit(tmp_path: Path) -> None:
    init.run(tmp_path)
    assert "\nlanguages = []\n" in (tmp_path / "localise.toml").read_text("utf-8")
    project = Project.find(tmp_path)
    with pytest.raises(UsageError, match="no languages to publish"):
        project.languages(None)


@pytest.mark.parametrize(("langs", "what"), [
    (["Spanish"], "not a language code: 'Spanish'"),
    (["qq"], "no CLDR locale data for 'qq'"),
    (["en"], "the source language 'en' is a target"),
])
def test_a_bad_language_writes_nothing(tmp_path: Path, langs: list[str], what: str) -> None:
    with pytest.raises(ConfigError, match=re.escape(what)):
        init.run(tmp_path / "new", langs=langs)
    assert not (tmp_path / "new").exists()


@pytest.mark.parametrize("value", [
    "plain", "ünïcode", 'quote " and \\ backslash', "tab\tand\nnewline", ["a", "b"], [], True,
    False, 0, 32, {"https://x.org/": {"es": "https://x.org/es/"}}, {}, {"a b": 1},
])
def test_toml_values_round_trip(value: object) -> None:
    assert tomllib.loads(f"key = {init.toml_value(value)}")["key"] == value


@pytest.mark.skipif(not any(key.name == "dialect" for key in KEYS),
                    reason="this config has no dialect key yet")
def test_the_dialect_is_written_into_the_new_project(tmp_path: Path) -> None:
    init.run(tmp_path, langs=["ja"], dialect="gfm")
    assert '\ndialect = "gfm"\n' in (tmp_path / "localise.toml").read_text("utf-8")
    assert config.load(tmp_path).dialect == "gfm"  # type: ignore[attr-defined]


def test_a_key_this_config_does_not_know_is_left_to_the_config_to_reject(tmp_path: Path) -> None:
    text = init.config_text({"languages": ["ja"], "no_such_key": "x"})
    with pytest.raises(ConfigError, match="unknown key"):
        config.loads(text, path=tmp_path / "localise.toml")
