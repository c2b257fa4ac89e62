"""The command line for people and scripts: help that teaches, the project found from any
subfolder, -q and -v, JSON errors and versions, and shell completion."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

from localise import __version__
from localise.cli import COMMANDS, JSON_SCHEMA, _parser

PIPELINE = ["init", "extract", "update", "import", "translate", "check", "build", "status", "run",
            "models", "completion"]
NEEDS_PROJECT = ["extract", "update", "translate", "check", "build", "status", "run"]
PO = "locales/ja/LC_MESSAGES/guides/travel.po"


def localise(cwd: Path, *args: str, env: dict[str, str] | None = None,
             ) -> subprocess.CompletedProcess[str]:
    """``python -m localise ARGS`` as a real process in ``cwd``."""
    return subprocess.run(
        [sys.executable, "-m", "localise", *args], cwd=cwd, capture_output=True, text=True,
        env={**os.environ, **(env or {})}, timeout=120,
    )


def files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*")) if p.is_file()}


# -- help ---------------------------------------------------------------------------------


def test_main_help_lists_the_commands_one_line_each_in_pipeline_order(cli) -> None:
    result = cli(None, "--help")
    assert result.code == 0
    lines = result.out.splitlines()
    start = lines.index("commands (in pipeline order):")
    listed = [m.group(1) for line in lines[start:]
              if (m := re.match(r"^    (\w+)\s{2,}\S", line))]
    assert listed == PIPELINE == [c.name for c in COMMANDS]
    for name in PIPELINE:  # one line each: the next line is the next command (or the end)
        at = next(i for i, line in enumerate(lines) if line.startswith(f"    {name} "))
        assert lines[at + 1].startswith("    ") or lines[at + 1] == "", name
    assert "localise init" in result.out and "localise.toml" in result.out


SUBCOMMANDS = [[name] for name in PIPELINE] + [["models", "list"], ["models", "install"]]


@pytest.mark.parametrize("command", SUBCOMMANDS, ids=" ".join)
def test_every_subcommand_help_says_what_it_reads_and_writes_with_an_example(
    cli, command: list[str]
) -> None:
    result = cli(None, *command, "--help")
    assert result.code == 0
    text = result.out
    usage, description, *_ = text.split("\n\n")
    assert usage.startswith(f"usage: localise {' '.join(command)}")
    assert 2 <= len(description.splitlines()) <= 4, description
    assert re.search(r"\b(Reads|reads|Writes|writes|prints|Lists|Runs)\b", description)
    example = re.search(r"\nexample:\n  (localise [^\n]+)\n", text)
    assert example, text
    words = example.group(1).split(">")[0].split()
    assert words[1 : 1 + len(command)] == command
    _parser().parse_args(words[1:])  # the example is a valid command line


def test_help_and_version_import_no_stage() -> None:
    code = (
        "import sys\nfrom localise.cli import main\n"
        "for argv in (['--version'], ['--help'], ['extract', '--help']):\n"
        "    try:\n        main(argv)\n    except SystemExit:\n        pass\n"
        "print([m for m in sys.modules if m.startswith('localise.stages') or m in "
        "('tqdm', 'shtab', 'polib', 'localise.catalogue')], file=sys.stderr)\n"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=60)
    assert run.returncode == 0, run.stderr
    assert run.stderr.strip() == "[]"
    assert f"localise {__version__}" in run.stdout


# -- finding the project ------------------------------------------------------------------


def test_commands_find_the_project_from_a_nested_folder(project: Path) -> None:
    nested = project / "source" / "guides"
    before = set(files(nested))
    run = localise(nested, "extract")
    assert run.returncode == 0, run.stderr
    assert "wrote locales/welcome.pot" in run.stdout
    assert (project / "locales" / "guides" / "travel.pot").is_file()
    assert set(files(nested)) == before
    status = localise(nested, "status", "--json")
    assert json.loads(status.stdout)["languages"].keys() == {"ja", "es"}


def test_dash_c_wins_over_the_folder_found(project: Path, tmp_path: Path) -> None:
    other = tmp_path / "other"
    shutil.copytree(project, other)
    run = localise(project / "source", "-C", str(other), "extract")
    assert run.returncode == 0, run.stderr
    assert (other / "locales" / "welcome.pot").is_file()
    assert not (project / "locales").exists()
    nested = localise(tmp_path, "-C", str(other / "source" / "guides"), "status")
    assert nested.returncode == 0, nested.stderr  # -C DIR is searched upward too, like git -C


@pytest.mark.parametrize("command", NEEDS_PROJECT)
def test_outside_a_project_every_command_says_how_to_start_one(
    tmp_path: Path, command: str
) -> None:
    (tmp_path / "source").mkdir()
    (tmp_path / "source" / "a.md").write_text("# A\n", encoding="utf-8")
    run = localise(tmp_path, command)
    assert run.returncode == 2
    assert run.stderr.count("\n") == 1 and "Traceback" not in run.stderr
    assert "no localise.toml here or in any folder above" in run.stderr
    assert "localise init" in run.stderr and "-C DIR" in run.stderr
    assert set(files(tmp_path)) == {"source/a.md"}  # and no Japanese or Spanish assumed


@pytest.mark.parametrize("argv", [["models", "list"], ["completion", "bash"],
                                  ["init", "--lang", "ja"]])
def test_init_models_and_completion_need_no_project(tmp_path: Path, argv: list[str]) -> None:
    env = {"HOME": str(tmp_path / "home"), "XDG_DATA_HOME": str(tmp_path / "share"),
           "ARGOS_PACKAGES_DIR": str(tmp_path / "argos")}
    run = localise(tmp_path, *argv, env=env)
    assert run.returncode == 0, run.stderr


def test_init_from_the_command_line_prints_the_next_commands(tmp_path: Path) -> None:
    run = localise(tmp_path, "init", "site", "--lang", "es")
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    steps = lines[lines.index("next:") + 1:]
    assert steps[0] == "  cd site"
    assert [line.split()[0] for line in steps[1:]] == ["cp", "localise", "localise"]
    assert "--from-index en es" in steps[2] and "run" in steps[3]
    again = localise(tmp_path, "-C", "site", "init")
    assert again.returncode == 2
    assert "localise.toml: already a localise project; refusing to overwrite it" in again.stderr
    bad = localise(tmp_path, "init", "other", "--lang", "xx-Nowhere")
    assert bad.returncode == 2 and "localise.toml:" in bad.stderr
    assert not (tmp_path / "other").exists()


# -- quiet and verbose ----------------------------------------------------------------------


def test_quiet_prints_nothing_but_errors(project: Path, cli) -> None:
    for command in (["extract"], ["update"], ["build"], ["status"], ["models", "list"],
                    ["translate", "--engine", "pseudo"], ["run", "--engine", "pseudo"]):
        result = cli(project, "-q", *command)
        assert (result.code, result.out, result.err) == (0, "", ""), command
    assert cli(project, "status", "-q").out == ""  # after the command too
    gate = cli(project, "-q", "status", "--fail-under", "100")
    assert gate.code == 1 and gate.out == "" and gate.err.startswith("below 100% reviewed")
    failing = cli(project, "-q", "status", "--lang", "fr")
    assert failing.code == 2 and "'fr'" in failing.err
    as_json = cli(project, "-q", "status", "--json")  # asked-for output still comes
    assert json.loads(as_json.out)["languages"]


def test_quiet_check_prints_the_errors_only(project: Path, cli) -> None:
    assert cli(project, "extract").code == 0 and cli(project, "update").code == 0
    path = project / "locales/ja/LC_MESSAGES/welcome.po"
    po = polib.pofile(str(path), wrapwidth=79)
    entry = next(e for e in po if "{amount_1}" in e.msgid)
    entry.msgstr = "初診は約一時間です。"  # the amount is dropped: an error
    po.save(str(path))
    loud = cli(project, "check")
    quiet = cli(project, "-q", "check")
    assert loud.code == quiet.code == 1
    errors = [line for line in loud.out.splitlines() if ": error: " in line]
    assert errors and quiet.out.splitlines() == errors


def test_verbose_shows_each_file_and_each_stage_with_its_time(project: Path, cli) -> None:
    result = cli(project, "-v", "extract")
    assert result.code == 0
    assert "wrote locales/welcome.pot" in result.out  # the usual output is unchanged
    err = result.err.splitlines()
    assert err[0] == f"project: {project.resolve()} (localise.toml)"
    timed = [line for line in err if re.fullmatch(r"\s*\d+\.\d ms  extract: source/\S+\.md", line)]
    assert len(timed) == 2, err
    assert re.fullmatch(r"extract: \d+\.\d{3} s", err[-2]) and err[-1].startswith("total: ")
    warm = cli(project, "extract", "-v")
    assert "up to date locales/welcome.pot" in warm.err
    both = cli(project, "-v", "run", "--engine", "pseudo")
    stages = [line.split(":")[0] for line in both.err.splitlines()
              if re.fullmatch(r"\w+: \d+\.\d{3} s", line)]
    assert stages == ["extract", "update", "translate", "build", "total"]
    assert re.search(r"ms  writing ja: locales/ja/LC_MESSAGES/welcome\.po", both.err)


def test_quiet_and_verbose_cannot_be_combined(cli) -> None:
    result = cli(None, "-q", "-v", "status")
    assert result.code == 2 and "not allowed with" in result.err


# -- JSON -----------------------------------------------------------------------------------


@pytest.mark.parametrize("args", [["status", "--json"], ["check", "--json"],
                                  ["translate", "--engine", "pseudo", "--json"]])
def test_every_json_output_carries_the_versions(project: Path, cli, args: list[str]) -> None:
    result = cli(project, *args)
    data = json.loads(result.out)
    assert list(data)[:2] == ["version", "schema"]
    assert data["version"] == __version__ and data["schema"] == JSON_SCHEMA == 1


def test_under_json_errors_are_json(project: Path, cli) -> None:
    for command in ("extract", "update"):
        assert cli(project, command).code == 0
    path = project / PO
    lines = path.read_bytes().split(b"\n")
    line = lines.index(b'msgid "Travel Tips"') + 2
    lines[line - 1] = b"this is not a PO line"
    path.write_bytes(b"\n".join(lines))
    for command in ("status", "check"):
        result = cli(project, command, "--json")
        assert result.code == 2 and result.err == ""
        data = json.loads(result.out)
        assert (data["version"], data["schema"]) == (__version__, JSON_SCHEMA)
        error = data["error"]
        assert list(error) == ["path", "line", "message", "exit_code"]
        assert (error["path"], error["line"], error["exit_code"]) == (PO, line, 2)
        assert "not PO syntax" in error["message"]
    plain = cli(project, "status")
    assert plain.err.startswith(f"localise: error: {PO}:{line}: ") and plain.out == ""


@pytest.mark.parametrize("args", [["status", "--json", "--fail-under", "many"],
                                  ["check", "--json", "--lang", "fr"]])
def test_usage_errors_under_json_are_json(project: Path, cli, args: list[str]) -> None:
    result = cli(project, *args)
    assert result.code == 2
    error = json.loads(result.out)["error"]
    assert error["exit_code"] == 2 and error["message"]
    assert "Traceback" not in result.err


def test_outside_a_project_the_json_error_names_the_folder(tmp_path: Path) -> None:
    run = localise(tmp_path, "status", "--json")
    assert run.returncode == 2
    error = json.loads(run.stdout)["error"]
    assert error["path"] == tmp_path.resolve().as_posix() and error["line"] is None
    assert "localise init" in error["message"]


# -- shell completion -------------------------------------------------------------------------


def _script(shell: str, tmp_path: Path) -> Path:
    run = localise(tmp_path, "completion", shell)
    assert run.returncode == 0, run.stderr
    path = tmp_path / f"localise.{shell}"
    path.write_text(run.stdout, encoding="utf-8")
    return path


def test_bash_completion_completes_commands_and_their_options(tmp_path: Path) -> None:
    script = _script("bash", tmp_path)

    def complete(*words: str) -> list[str]:
        line = " ".join(f"'{w}'" for w in words)
        run = subprocess.run(
            ["bash", "-c", f"source {script}; COMP_WORDS=({line}); COMP_CWORD={len(words) - 1};"
             " _shtab_localise; printf '%s\\n' \"${COMPREPLY[@]}\""],
            capture_output=True, text=True, timeout=30,
        )
        assert run.returncode == 0, run.stderr
        return run.stdout.split()

    assert set(complete("localise", "")) >= set(PIPELINE)
    assert complete("localise", "tr") == ["translate"]
    assert "--fail-under" in complete("localise", "status", "--")
    assert set(complete("localise", "models", "")) == {"list", "install"}
    assert set(complete("localise", "completion", "")) == {"bash", "zsh", "fish"}


@pytest.mark.skipif(shutil.which("fish") is None, reason="fish is not installed")
def test_fish_completion_completes_commands(tmp_path: Path) -> None:
    script = _script("fish", tmp_path)
    run = subprocess.run(["fish", "-c", f"source {script}; complete -C 'localise tr'"],
                         capture_output=True, text=True, timeout=30)
    assert run.returncode == 0, run.stderr
    assert [line.split("\t")[0] for line in run.stdout.splitlines()] == ["translate"]


@pytest.mark.skipif(shutil.which("zsh") is None, reason="zsh is not installed")
def test_zsh_completion_is_valid_and_lists_every_command(tmp_path: Path) -> None:
    script = _script("zsh", tmp_path)
    run = subprocess.run(["zsh", "-n", str(script)], capture_output=True, text=True, timeout=30)
    assert run.returncode == 0, run.stderr
    text = script.read_text("utf-8")
    assert text.startswith("#compdef localise")
    for name in PIPELINE:
        summary = next(c.summary for c in COMMANDS if c.name == name)
        assert re.search(rf"^\s+{name}:'{re.escape(summary)}'$", text, re.M), name
