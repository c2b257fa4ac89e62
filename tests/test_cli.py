"""The command line: -C, --version, exit codes, zero churn, status, and failing cleanly."""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import polib
import pytest

from localise import __version__
from localise.stages._record import detail_path
from localise.stages._segments import record_path

WELCOME_FILES = {
    "locales/welcome.pot",
    "locales/ja/LC_MESSAGES/welcome.po",
    "locales/es/LC_MESSAGES/welcome.po",
    "build/ja/welcome.md",
    "build/es/welcome.md",
}
ALL_OUTPUTS = WELCOME_FILES | {
    "locales/guides/travel.pot",
    "locales/ja/LC_MESSAGES/guides/travel.po",
    "locales/es/LC_MESSAGES/guides/travel.po",
    "build/ja/guides/travel.md",
    "build/es/guides/travel.md",
}


def stats(root: Path) -> dict[str, tuple[int, int]]:
    """(inode, mtime_ns) of every file but the lock: a replaced or touched file shows up."""
    return {
        p.relative_to(root).as_posix(): (p.stat().st_ino, p.stat().st_mtime_ns)
        for p in root.rglob("*")
        if p.is_file() and p.name != "lock"
    }


def changed(before: dict[str, tuple[int, int]], after: dict[str, tuple[int, int]]) -> set[str]:
    return {k for k in before.keys() | after.keys() if before.get(k) != after.get(k)}


def _page_record(root: Path, page: str) -> str:
    """The project-relative path of the build's record of ``page``."""
    return detail_path(root / ".localise", page).relative_to(root).as_posix()


@pytest.fixture
def built(project: Path, cli) -> Path:
    """The fixture project after extract, update and build."""
    for command in ("extract", "update", "build"):
        result = cli(project, command)
        assert result.code == 0, result.err
    assert {k for k in stats(project) if k.startswith(("locales/", "build/"))} == ALL_OUTPUTS
    return project


# -- running at all --------------------------------------------------------------------


def test_python_m_version(python: str) -> None:
    run = subprocess.run([python, "-m", "localise", "--version"], capture_output=True, text=True)
    assert run.returncode == 0
    assert run.stdout.strip() == f"localise {__version__}"


def test_dash_c_from_another_folder(project: Path, cli, tmp_path: Path, monkeypatch) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    result = cli(project, "extract")
    assert result.code == 0
    assert "wrote locales/welcome.pot" in result.out
    assert (project / "locales" / "welcome.pot").is_file()
    assert list(elsewhere.iterdir()) == []


def test_dash_c_relative_path_in_a_subprocess(project: Path, python: str, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    relative = os.path.relpath(project, elsewhere)
    run = subprocess.run(
        [python, "-m", "localise", "-C", relative, "extract"],
        cwd=elsewhere, capture_output=True, text=True, timeout=60,
    )
    assert run.returncode == 0, run.stderr
    assert (project / "locales" / "guides" / "travel.pot").is_file()
    assert list(elsewhere.iterdir()) == []


def test_without_dash_c_uses_the_current_folder(project: Path, cli, monkeypatch) -> None:
    monkeypatch.chdir(project)
    assert cli(None, "extract").code == 0
    assert (project / "locales" / "welcome.pot").is_file()


@pytest.mark.parametrize("argv", [
    ["bogus"], [], ["update", "--bogus"], ["status", "--fail-under", "many"],
    ["build", "--lang"], ["models"],
])
def test_usage_errors_exit_2(project: Path, cli, argv: list[str]) -> None:
    result = cli(project, *argv)
    assert result.code == 2
    assert "usage:" in result.err and "error:" in result.err
    assert "Traceback" not in result.err


@pytest.mark.parametrize("command", ["update", "build", "status", "translate", "review"])
def test_unknown_language_exits_2(built: Path, cli, command: str) -> None:
    before = stats(built)
    result = cli(built, command, "--lang", "fr")
    assert result.code == 2
    assert "'fr'" in result.err and "not configured" in result.err
    assert "Traceback" not in result.err
    assert changed(before, stats(built)) == set()


def test_missing_project_folder_exits_2(cli, tmp_path: Path) -> None:
    result = cli(tmp_path / "nowhere", "status")
    assert result.code == 2
    assert "nowhere" in result.err


@pytest.mark.parametrize(
    ("args", "codes"),
    [
        (["extract"], {0}),
        (["update"], {0}),
        (["translate", "--engine", "pseudo", "--json"], {0}),
        (["build", "--draft"], {0}),
        (["status", "--json"], {0}),
        (["status", "--fail-under", "100"], {1}),
        (["review", "--json"], {0}),
        (["review", "--since-publish"], {0}),
        (["check", "--json"], {0, 1}),
        (["models", "list"], {0}),
        (["run", "--engine", "pseudo"], {0}),
        (["models", "install"], {2}),
        (["bogus"], {2}),
    ],
    ids=lambda v: " ".join(v) if isinstance(v, list) else None,
)
def test_every_advertised_subcommand_runs_as_a_process(
    built: Path, python: str, tmp_path: Path, args: list[str], codes: set[int]
) -> None:
    """Each subcommand in a real process: its exit code, and never a traceback."""
    env = {**os.environ, "HOME": str(tmp_path / "home"), "XDG_DATA_HOME": str(tmp_path / "d")}
    done = subprocess.run(
        [python, "-m", "localise", "-C", str(built), *args],
        capture_output=True, text=True, env=env, timeout=120,
    )
    assert done.returncode in codes, done.stderr
    assert "Traceback" not in done.stderr


def test_many_articles_on_many_cores(project: Path, cli, monkeypatch) -> None:
    monkeypatch.setattr(os, "cpu_count", lambda: 4)
    for i in range(30):
        (project / "source" / f"extra-{i:02d}.md").write_text(
            f"# Extra {i}\n\nParagraph number {i}.\n", encoding="utf-8"
        )
    for command in ("extract", "update", "build"):
        result = cli(project, command)
        assert result.code == 0, result.err
    assert (project / "build" / "ja" / "extra-29.md").is_file()


# -- zero churn ------------------------------------------------------------------------


@pytest.mark.parametrize("command", ["extract", "update", "build"])
def test_rerun_writes_nothing(built: Path, cli, command: str) -> None:
    before = stats(built)
    result = cli(built, command)
    assert result.code == 0
    assert re.fullmatch(r"nothing changed \(\d+ up to date\)\n", result.out), result.out
    assert changed(before, stats(built)) == set()


def test_rerun_without_state_file_writes_no_output(built: Path, cli, monkeypatch) -> None:
    """The compare-before-write path: no state, later clock, still no write, same dates."""
    pot_dates = {
        p: polib.pofile(str(p)).metadata["POT-Creation-Date"]
        for p in (built / "locales").rglob("*.po*")
    }
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1798761600")  # a year later
    for command in ("extract", "update", "build"):
        (built / ".localise" / "state.sqlite").unlink()
        before = stats(built)
        result = cli(built, command)
        assert result.code == 0
        assert result.out.startswith("nothing changed"), (command, result.out)
        assert changed(before, stats(built)) <= {".localise/state.sqlite"}, command
    assert {
        p: polib.pofile(str(p)).metadata["POT-Creation-Date"] for p in pot_dates
    } == pot_dates


def test_editing_one_article_rewrites_only_its_files(built: Path, cli, monkeypatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1798761600")
    before = stats(built)
    source = built / "source" / "welcome.md"
    source.write_text(source.read_text("utf-8") + "\nA closing paragraph.\n", encoding="utf-8")
    outputs = []
    for command in ("extract", "update", "build"):
        result = cli(built, command)
        assert result.code == 0
        outputs += [line.split(" ", 1)[1] for line in result.out.splitlines()]
    assert set(outputs) == WELCOME_FILES
    assert changed(before, stats(built)) == WELCOME_FILES | {
        "source/welcome.md", ".localise/state.sqlite", ".localise/build.sqlite",
        ".localise/fingerprints.sqlite",
        *(_page_record(built, f"build/{lang}/welcome.md") for lang in ("ja", "es")),
        record_path(Path(".localise"), Path("source/welcome.md")).as_posix(),
    }
    pot = polib.pofile(str(built / "locales" / "welcome.pot"))
    assert pot.metadata["POT-Creation-Date"] == "2027-01-01 00:00+0000"
    travel = polib.pofile(str(built / "locales" / "guides" / "travel.pot"))
    assert travel.metadata["POT-Creation-Date"] == "2026-01-01 00:00+0000"


# -- status ----------------------------------------------------------------------------


def _review(po_path: Path, *, fuzzy_every: int = 0) -> None:
    po = polib.pofile(str(po_path), wrapwidth=79)
    for n, entry in enumerate(e for e in po if e.msgid):
        entry.msgstr = "訳 " + entry.msgid
        if fuzzy_every and n % fuzzy_every == 0:
            entry.flags.append("fuzzy")
    po.save(str(po_path))


def test_status_text_shows_each_language_with_percentage(built: Path, cli) -> None:
    result = cli(built, "status")
    assert result.code == 0
    lines = result.out.splitlines()
    for lang in ("ja", "es"):
        assert any(re.match(rf"{lang}\s.*\b0\.0% ", line) for line in lines), result.out
    assert "guides/travel" in result.out and "welcome" in result.out


def test_status_json_shape_and_fuzzy_is_not_translated(built: Path, cli) -> None:
    _review(built / "locales/ja/LC_MESSAGES/welcome.po", fuzzy_every=2)  # 8 entries: 4 fuzzy
    result = cli(built, "status", "--json")
    assert result.code == 0
    data = json.loads(result.out)
    assert set(data) >= {"languages"}
    assert set(data["languages"]) == {"ja", "es"}
    for lang, counts in data["languages"].items():
        assert {"total", "translated", "fuzzy", "untranslated", "words"} <= set(counts), lang
        assert isinstance(counts["words"], dict)
        assert counts["total"] == counts["translated"] + counts["fuzzy"] + counts["untranslated"]
    ja = data["languages"]["ja"]
    assert (ja["total"], ja["translated"], ja["fuzzy"], ja["untranslated"]) == (11, 4, 4, 3)
    es = data["languages"]["es"]
    assert (es["total"], es["translated"], es["fuzzy"], es["untranslated"]) == (11, 0, 0, 11)


def test_fail_under_gate(built: Path, cli) -> None:
    assert cli(built, "status", "--fail-under", "100").code == 1
    for slug in ("welcome", "guides/travel"):
        _review(built / f"locales/ja/LC_MESSAGES/{slug}.po")
    passed = cli(built, "status", "--lang", "ja", "--fail-under", "100")
    assert passed.code == 0, passed.err
    failed = cli(built, "status", "--fail-under", "100")  # es is still untranslated
    assert failed.code == 1
    assert failed.err.strip().endswith("reviewed: es"), failed.err
    _review(built / "locales/ja/LC_MESSAGES/welcome.po", fuzzy_every=8)  # one fuzzy entry
    assert cli(built, "status", "--lang", "ja", "--fail-under", "100").code == 1
    assert cli(built, "status", "--lang", "ja", "--fail-under", "90").code == 0
    assert cli(built, "status", "--lang", "es", "--fail-under", "0").code == 0


# -- failing cleanly on malformed input ------------------------------------------------

PO = "locales/ja/LC_MESSAGES/guides/travel.po"


def _break_line(root: Path, rel: str, line: int, replacement: bytes) -> bytes:
    path = root / rel
    lines = path.read_bytes().split(b"\n")
    lines[line - 1] = replacement
    path.write_bytes(b"\n".join(lines))
    return path.read_bytes()


def _line_of(root: Path, rel: str, text: bytes) -> int:
    return (root / rel).read_bytes().split(b"\n").index(text) + 1


def _assert_clean_failure(result, rel: str, line: int, what: str) -> None:
    assert result.code == 2, result
    assert re.search(rf"(^|/| ){re.escape(rel)}:{line}: ", result.err), result.err
    assert what in result.err
    assert "Traceback" not in result.err
    assert result.err.count("\n") == 1


@pytest.mark.parametrize("command", ["update", "build", "status"])
@pytest.mark.parametrize(("breakage", "what"), [
    (b'msgstr "Travel', "unterminated"),
    (b"this is not a PO line", "not PO syntax"),
    (b'msgstr "\xe6\x97\x85\xff"', "UTF-8"),
])
def test_malformed_po_fails_cleanly(
    built: Path, cli, command: str, breakage: bytes, what: str
) -> None:
    line = _line_of(built, PO, b'msgid "Travel Tips"') + 1
    broken = _break_line(built, PO, line, breakage)
    result = cli(built, command)
    _assert_clean_failure(result, PO, line, what)
    assert (built / PO).read_bytes() == broken


@pytest.mark.parametrize("command", ["update", "build", "status"])
def test_duplicate_msgid_fails_cleanly(built: Path, cli, command: str) -> None:
    path = built / PO
    path.write_bytes(path.read_bytes() + b'\nmsgid "Travel Tips"\nmsgstr "again"\n')
    broken = path.read_bytes()
    first = broken.split(b"\n").index(b'msgid "Travel Tips"')
    line = broken.split(b"\n").index(b'msgid "Travel Tips"', first + 1) + 1
    result = cli(built, command)
    _assert_clean_failure(result, PO, line, "duplicate")
    assert path.read_bytes() == broken


@pytest.mark.parametrize("command", ["extract", "build"])
def test_non_utf8_source_names_the_line_of_the_bad_byte(project: Path, cli, command: str) -> None:
    if command == "build":
        assert cli(project, "extract").code == 0 and cli(project, "update").code == 0
    source = project / "source" / "guides" / "travel.md"
    data = source.read_bytes().replace(b"hand luggage", b"hand lugg\xe4ge")
    source.write_bytes(data)
    line = data[: data.index(b"\xe4")].count(b"\n") + 1
    result = cli(project, command)
    _assert_clean_failure(result, "source/guides/travel.md", line, "UTF-8")
    assert source.read_bytes() == data


@pytest.mark.parametrize(("front_matter", "line"), [
    (b"---\ntitle: Travel Tips\ndescription: [unclosed\n---\n", 3),
    (b"---\ntitle: Travel Tips\n  indented: wrongly\n---\n", 3),
    (b"---\ntitle: Travel Tips\nauthor: Hanako\nsummary: a: b: c\n---\n", 4),
])
def test_invalid_yaml_front_matter_names_its_line(
    project: Path, cli, front_matter: bytes, line: int
) -> None:
    source = project / "source" / "guides" / "travel.md"
    data = front_matter + b"\n# Travel Tips\n\nBook early.\n"
    source.write_bytes(data)
    result = cli(project, "extract")
    _assert_clean_failure(result, "source/guides/travel.md", line, "front matter")
    assert source.read_bytes() == data


def test_status_counts_an_article_never_extracted_as_untranslated(project: Path, cli) -> None:
    result = cli(project, "status", "--json")
    assert result.code == 0
    ja = json.loads(result.out)["languages"]["ja"]
    assert ja["total"] > 0 and ja["untranslated"] == ja["total"] and ja["translated"] == 0
    assert cli(project, "status", "--fail-under", "1").code == 1


def test_unknown_engine_is_a_usage_error_even_with_nothing_to_do(project: Path, cli) -> None:
    result = cli(project, "translate", "--engine", "nope")
    assert result.code == 2 and "unknown translation engine 'nope'" in result.err
    result = cli(project, "run", "--engine", "nope")
    assert result.code == 2 and not (project / "locales").exists()


def test_hostile_inputs_give_exit_2_with_path_and_line(project: Path, cli) -> None:
    """Inputs that used to end in a traceback: each names its file and line, exit 2."""
    glossary = project / "locales" / "glossary.csv"
    glossary.parent.mkdir(exist_ok=True)
    glossary.write_text("term,language,translation\nknee,fr,genou\n", "utf-8")
    result = cli(project, "extract")
    assert result.code == 2 and "locales/glossary.csv:2: language 'fr'" in result.err
    glossary.write_text('term,language,translation\n"x' + "y" * 140_000 + '",ja,z\n', "utf-8")
    result = cli(project, "extract")
    assert result.code == 2 and "locales/glossary.csv:2: malformed CSV: a cell longer" in result.err
    glossary.unlink()
    (project / "source" / "nul.md").write_bytes(b"# Title\n\nText\x00more\n")
    result = cli(project, "extract")
    assert result.code == 2 and "source/nul.md:3: NUL character" in result.err
    (project / "source" / "nul.md").unlink()
    (project / "source" / "bad\nname.md").write_text("# Injected\n", "utf-8")
    result = cli(project, "extract")
    assert result.code == 2 and "control character" in result.err and "Traceback" not in result.err
    (project / "source" / "bad\nname.md").unlink()
    (project / ".localise").mkdir(exist_ok=True)
    (project / ".localise" / "state.sqlite").write_text("[1, 2, 3]", "utf-8")
    assert cli(project, "extract").code == 0  # a damaged state only means redoing the work


def test_streams_that_cannot_take_utf8_or_stop_reading_are_not_errors(
    tmp_path: Path, python: str
) -> None:
    """LANG=C terminals get escapes instead of a traceback; `| head` is exit 0, silently."""
    root = Path(__file__).resolve().parents[1]
    env = dict(os.environ, PYTHONIOENCODING="ascii")
    done = subprocess.run([python, "-m", "localise", "-C", str(root), "status", "--lang", "ja"],
                          capture_output=True, env=env)
    assert done.returncode == 0, done.stderr.decode()
    assert b"\\u2588" in done.stdout and b"Traceback" not in done.stderr
    pipe = subprocess.Popen([python, "-m", "localise", "-C", str(root), "status", "--json"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert pipe.stdout is not None and pipe.stdout.read(5)
    pipe.stdout.close()  # the reader went away, like `| head -c 5`
    assert pipe.wait(60) == 0
    assert pipe.stderr is not None and pipe.stderr.read() == b""


@pytest.mark.parametrize("value", ["nan", "150", "-1", "lots"])
def test_fail_under_takes_only_a_percentage(project: Path, cli, value: str) -> None:
    result = cli(project, "status", "--fail-under", value)
    assert result.code == 2 and "--fail-under" in result.err
