"""Finding the project: the nearest localise.toml at or above a folder, and no default languages."""

from __future__ import annotations

import json
import pickle
from pathlib import Path

import pytest

from localise.errors import ConfigError, UsageError
from localise.project import Article, Project, find_root
from support.lifecycle import localise


def test_found_from_a_nested_folder(project: Path) -> None:
    deep = project / "source" / "guides" / "more"
    deep.mkdir()
    assert find_root(deep) == project.resolve()
    assert Project.find(deep).root == project.resolve()
    assert Project.find(project).root == project.resolve()


def test_the_nearest_project_wins(project: Path) -> None:
    inner = project / "source" / "inner"
    inner.mkdir()
    (inner / "localise.toml").write_text('languages = ["es"]\n', encoding="utf-8")
    assert Project.find(inner / ".").config.languages == ("es",)
    assert Project.find(project / "source").config.languages == ("ja", "es")


def test_outside_any_project_says_how_to_start_one(tmp_path: Path) -> None:
    assert find_root(tmp_path) is None
    with pytest.raises(UsageError) as info:
        Project.find(tmp_path)
    assert info.value.exit_code == 2
    assert info.value.path == tmp_path.resolve()
    assert "no localise.toml" in str(info.value) and "localise init" in str(info.value)


def test_a_folder_that_does_not_exist(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        Project.find(tmp_path / "nowhere")
    (tmp_path / "file.md").write_text("# A\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="not a folder"):
        Project.find(tmp_path / "file.md")


def test_a_folder_named_like_the_config_is_not_a_project(tmp_path: Path) -> None:
    (tmp_path / "localise.toml").mkdir()
    assert find_root(tmp_path) is None


@pytest.mark.parametrize(
    ("toml", "where"),
    [("", "localise.toml: "), ("languages = []\n", "localise.toml:1: "),
     ('# my site\nsource_dir = "source"\nlanguages = [\n]\n', "localise.toml:3: ")],
)
def test_no_languages_is_a_usage_error_naming_the_line(
    tmp_path: Path, toml: str, where: str
) -> None:
    (tmp_path / "localise.toml").write_text(toml, encoding="utf-8")
    project = Project.find(tmp_path)
    for langs in (None, ["ja"]):
        with pytest.raises(UsageError) as info:
            project.languages(langs)
        assert str(info.value).startswith(where + "no languages to publish")


def test_empty_languages_stops_every_command_naming_the_line(tmp_path: Path) -> None:
    """``languages = []`` (as ``init`` without ``--lang`` writes it): exit 2 at that line."""
    (tmp_path / "source").mkdir()
    (tmp_path / "source" / "a.md").write_text("# A\n", encoding="utf-8")
    (tmp_path / "localise.toml").write_text('dialect = "gfm"\n\nlanguages = []\n', "utf-8")
    for command in ("update", "translate", "build", "check", "status"):
        ran = localise(tmp_path, command)
        assert ran.code == 2, (command, ran)
        assert "localise.toml:3: no languages to publish" in ran.err, (command, ran.err)
    ran = localise(tmp_path, "build", "--lang", "ja")
    assert ran.code == 2 and "localise.toml:3: " in ran.err, ran.err


def test_state_reads_back_exactly_what_it_saved(project: Path, tmp_path: Path) -> None:
    """The state holds each output relative to the project (outside it: absolute) with its
    fingerprint's bytes, and reads back the same."""
    opened = Project.open(project)
    state = opened.state
    outputs = [project / "locales" / "welcome.pot", project / "locales" / "ünï \"q\".pot",
               tmp_path / "elsewhere.po"]
    outputs[0].parent.mkdir()
    for i, output in enumerate(outputs):
        output.write_text(f"output {i}", "utf-8")
        state.record(output, f"input {i}")
    state.save()
    assert not state.dirty
    again = Project.open(project).state
    saved = dict(again.items())
    assert saved == dict(state.items())
    assert set(saved) == {"locales/welcome.pot", 'locales/ünï "q".pot', str(outputs[2])}
    assert all(again.fresh(output, f"input {i}") for i, output in enumerate(outputs))
    assert not again.fresh(outputs[0], "another input")
    again.forget(outputs[1])
    again.close()  # not saved: forgotten
    assert dict(Project.open(project).state.items()) == saved


def _legacy_state(project: Path, outputs: dict[Path, str]) -> str:
    """``state.json`` as an earlier version wrote it: absolute paths, sorted, a line each."""
    lines = ",\n".join(f'{json.dumps(str(p))}: "{key}"' for p, key in sorted(
        outputs.items(), key=lambda item: str(item[0])))
    return "{\n" + lines + "\n}"


def test_an_earlier_versions_state_is_imported_once(project: Path, tmp_path: Path) -> None:
    state = Project.open(project).state
    outputs = [project / "a.pot", project / "b \"q\".pot", tmp_path / "elsewhere.po"]
    for i, output in enumerate(outputs):
        output.write_text(f"output {i}", "utf-8")
        state.record(output, f"input {i}")
    state.save()
    keys = {output: state.get(output).hex() for output in outputs}
    for text in (_legacy_state(project, keys), json.dumps({str(p): k for p, k in keys.items()})):
        state.path.unlink()
        legacy = state.path.with_name("state.json")
        legacy.write_text(text, "utf-8")
        again = Project.open(project).state
        assert all(again.fresh(output, f"input {i}") for i, output in enumerate(outputs))
        assert "a.pot" in dict(again.items())
        assert not legacy.exists()


@pytest.mark.parametrize("damage", [
    lambda text: text.replace('",\n', '"\n', 1),  # a comma lost
    lambda text: text + "{}",  # something after
    lambda text: text[:-1],  # cut short
])
def test_a_damaged_state_is_an_empty_one(project: Path, damage) -> None:
    state = Project.open(project).state
    keys = {}
    for name in ("a.pot", "b.pot"):
        (project / name).write_text(name, "utf-8")
        keys[project / name] = "0" * 40
    legacy = state.path.with_name("state.json")
    legacy.parent.mkdir(exist_ok=True)
    legacy.write_text(damage(_legacy_state(project, keys)), "utf-8")
    assert dict(Project.open(project).state.items()) == {}
    state.path.write_text(damage(_legacy_state(project, keys)), "utf-8")  # not SQLite
    again = Project.open(project).state
    assert dict(again.items()) == {}
    again.record(project / "a.pot", "x")  # made again
    again.save()
    assert set(dict(Project.open(project).state.items())) == {"a.pot"}


def test_an_article_is_a_value_that_survives_pickling() -> None:
    article = Article(Path("source/guides/knee.md"), "guides/knee")
    assert article.path == Path("source/guides/knee.md")
    assert article == Article("source/guides/knee.md", "guides/knee")
    assert hash(article) == hash(Article("source/guides/knee.md", "guides/knee"))
    assert article != Article("source/guides/knee.md", "knee")
    assert pickle.loads(pickle.dumps(article)) == article
    with pytest.raises(AttributeError):
        article.slug = "other"  # type: ignore[misc]


def test_link_definitions_are_parsed_only_where_a_definition_can_be(project: Path) -> None:
    (project / "source" / "welcome.md").write_text(
        "# Hi\n\nSee [the docs][d].\n\n[d]: https://example.org/docs\n", encoding="utf-8")
    (project / "source" / "guides" / "travel.md").write_text(
        "# Travel\n\nNo [reference] here, only [a link](https://example.org).\n", encoding="utf-8")
    opened = Project.open(project)
    by_path = {a.path.name: a for a in opened.articles}
    assert opened.link_definitions(by_path["welcome.md"])["D"]["href"] == "https://example.org/docs"
    assert opened.link_definitions(by_path["travel.md"]) == {}
    assert opened.link_definitions(by_path["travel.md"]) == opened.document(
        by_path["travel.md"]).link_definitions
