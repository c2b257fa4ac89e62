"""Progress on the terminal: one bar per step of every long stage, with a rate measured from the
step's start; nothing on a non-terminal or under -q; colour only on a terminal, never with
NO_COLOR. The stage runs in a real process whose stderr is a pseudo-terminal."""

from __future__ import annotations

import fcntl
import io
import os
import pty
import re
import struct
import subprocess
import sys
import termios
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from localise.progress import Bars, colour_enabled

ARTICLES = 60
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
FRAME = re.compile(
    r"(?P<desc>[\w ]+):\s+\d+%\|[^|]*\|\s*(?P<n>\d+)/(?P<total>\d+) "
    r"\[[\d:]+<[\d:?]+,\s*(?:(?P<unknown>\?)(?P<unit0>\w+)/s|(?P<rate>[\d.]+)(?P<unit>\w+)/s|"
    r"(?P<inverse>[\d.]+)s/(?P<unit2>\w+))\]"
)


@dataclass(frozen=True)
class Frame:
    """One drawing of a tqdm bar: which step, how far, and the rate it showed (None: ``?``)."""

    desc: str
    n: int
    total: int
    unit: str
    rate: float | None


def frames(screen: str) -> list[Frame]:
    found = []
    for part in re.split(r"[\r\n]", ANSI.sub("", screen)):
        m = FRAME.search(part)
        if not m:
            continue
        if m["unknown"]:
            rate, unit = None, m["unit0"]
        elif m["rate"]:
            rate, unit = float(m["rate"]), m["unit"]
        else:
            rate, unit = 1 / float(m["inverse"]), m["unit2"]
        found.append(Frame(m["desc"].strip(), int(m["n"]), int(m["total"]), unit, rate))
    return found


def on_terminal(cwd: Path, *args: str, env: dict[str, str] | None = None
                ) -> tuple[int, str, str]:
    """Run ``localise ARGS`` with stderr on a pseudo-terminal: (exit code, stdout, screen)."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 120, 0, 0))
    environment = {**os.environ, "TERM": "xterm"}
    environment.pop("NO_COLOR", None)
    environment.update(env or {})
    proc = subprocess.Popen([sys.executable, "-m", "localise", *args], cwd=cwd,
                            stdout=subprocess.PIPE, stderr=slave, env=environment)
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    os.close(master)
    out = proc.stdout.read().decode() if proc.stdout else ""
    code = proc.wait(timeout=300)
    return code, out, b"".join(chunks).decode("utf-8", "replace")


@pytest.fixture(scope="module")
def large(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project of ARTICLES articles of eight paragraphs, in ja and es."""
    root = tmp_path_factory.mktemp("large")
    (root / "localise.toml").write_text('languages = ["ja", "es"]\n', encoding="utf-8")
    for i in range(ARTICLES):
        folder = root / "source" / f"part{i % 4}"
        folder.mkdir(parents=True, exist_ok=True)
        paragraphs = "\n\n".join(
            f"Paragraph {j} of article {i} explains one step of the plan in some detail. "
            f"It costs ${i + 1},{j}00 and was updated on Jan 12, 2026." for j in range(8))
        (folder / f"article-{i:03d}.md").write_text(
            f"---\ntitle: Article {i}\n---\n\n# Article {i}\n\n{paragraphs}\n", encoding="utf-8")
    return root


def assert_plausible(bars: list[Frame], unit: str) -> None:
    """The step's bar started at 0 with no rate, and its first rate is items done since the
    step started over at least tqdm's 0.1 s between frames (never the first frame's burst)."""
    assert bars, "no bar"
    assert bars[0].n == 0 and bars[0].rate is None and bars[0].unit == unit, bars[0]
    rated = [f for f in bars if f.rate is not None]
    assert rated, f"the bar never showed a rate: {bars}"
    first = rated[0]
    assert first.n > 0
    if first.n != first.total:  # the closing frame is drawn at once, whatever the interval
        assert first.rate <= first.n / 0.09, f"{first}: faster than possible since the start"
    assert first.rate <= 20 * rated[-1].rate, f"{first}: far above the step's final rate"
    assert all(f.total == bars[0].total for f in bars)


# (command, [(bar, unit)] every long step must show)
STAGES = [
    (["extract"], [("extract", "article")]),
    (["update"], [("update", "article")]),
    (["translate", "--lang", "es", "--engine", "apertium"], [("reading es", "catalogue"),
                                                            ("translating es", "sentence"),
                                                            ("writing es", "catalogue")]),
    (["translate", "--lang", "ja", "--engine", "pseudo"], [("reading ja", "catalogue"),
                                                          ("writing ja", "catalogue")]),
    (["build", "--draft"], [("build", "article")]),
    (["check"], [("check", "article")]),
    (["status"], [("status", "catalogue")]),
    (["review"], [("review", "page"), ("rendering", "page")]),
]


@pytest.mark.slow
def test_each_long_stage_shows_a_bar_with_a_plausible_first_rate(large: Path) -> None:
    for command, steps in STAGES:
        code, out, screen = on_terminal(large, *command)
        assert code in (0, 1), (command, screen)
        shown = frames(screen)
        for desc, unit in steps:
            assert_plausible([f for f in shown if f.desc == desc], unit)
        order = list(dict.fromkeys(f.desc for f in shown))
        assert [d for d in order if d in {s for s, _ in steps}] == [s for s, _ in steps]
        assert "Traceback" not in screen
        if command[0] == "translate":  # the machine-translation step between them has its bar
            mt = [f for f in shown if f.desc.startswith("translating")]
            assert mt and mt[0].n == 0 and mt[0].unit == "sentence"
        assert re.sub(r"\s", "", ANSI.sub("", screen.rsplit("\r", 1)[-1])) == "", (
            "the bar is cleared when the stage ends")
        assert out  # the usual summary still comes on stdout


@pytest.mark.slow
def test_quiet_and_non_terminals_show_no_bar(large: Path) -> None:
    code, _, screen = on_terminal(large, "-q", "status")
    assert code == 0 and screen == ""
    run = subprocess.run([sys.executable, "-m", "localise", "status"], cwd=large,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0 and run.stderr == ""


@pytest.mark.slow
def test_colour_only_on_a_terminal_and_never_with_no_color(large: Path, tmp_path: Path) -> None:
    _, _, screen = on_terminal(large, "status")
    assert "\x1b[32m" in screen  # a green bar
    _, _, plain = on_terminal(large, "status", env={"NO_COLOR": "1"})
    assert frames(plain) and "\x1b[32m" not in plain and "\x1b[0m" not in plain
    _, _, error = on_terminal(tmp_path, "status")
    assert "localise: \x1b[31merror\x1b[0m: " in error
    _, _, error = on_terminal(tmp_path, "status", env={"NO_COLOR": "1"})
    assert "localise: error: " in error and "\x1b[" not in error
    run = subprocess.run([sys.executable, "-m", "localise", "status"], cwd=tmp_path,
                         capture_output=True, text=True, timeout=60)
    assert run.stderr.startswith("localise: error: ")


# -- the callback itself ------------------------------------------------------------------


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_step_announced_late_does_not_count_earlier_work_in_its_rate() -> None:
    screen = Terminal()
    with Bars("extract", stream=screen, show=True) as bars:
        bars(500, 1000)  # no (0, total) first: 500 done before the bar existed
        time.sleep(0.15)
        for n in range(501, 1001):
            bars(n, 1000)
    rated = [f for f in frames(screen.getvalue()) if f.rate is not None]
    assert rated and all(f.rate < 50_000 for f in rated), rated  # not 500 in no time at all


def test_a_new_step_gets_a_new_bar_and_verbose_lines_do_not_break_it() -> None:
    screen = Terminal()
    with Bars("translate", stream=screen, show=True, verbose=True) as bars:
        bars(0, 2, unit="catalogue", label="reading ja")
        bars(1, 2, unit="catalogue", label="reading ja", item="a.po", seconds=0.0123)
        bars(0, 3, unit="sentence", label="translating ja")
        bars(3, 3, unit="sentence", label="translating ja")
    text = ANSI.sub("", screen.getvalue())
    lines = re.split(r"[\r\n]", text)
    assert any(re.fullmatch(r" +12\.3 ms  reading ja: a\.po", line) for line in lines), text
    shown = frames(text)
    assert [f.desc for f in shown if f.n == 0] == ["reading ja", "translating ja"]


def test_no_bar_and_no_tqdm_when_not_shown() -> None:
    screen = Terminal()
    bars = Bars("status", stream=screen, show=False)
    bars(0, 10)
    bars(10, 10, item="x.po", seconds=0.1)
    assert screen.getvalue() == "" and bars._bar is None


def test_colour_rules(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm")
    assert colour_enabled(Terminal()) and not colour_enabled(io.StringIO())
    monkeypatch.setenv("NO_COLOR", "1")
    assert not colour_enabled(Terminal())
    monkeypatch.setenv("NO_COLOR", "")  # no-color.org: set *and not empty*
    assert colour_enabled(Terminal())
    monkeypatch.setenv("TERM", "dumb")
    assert not colour_enabled(Terminal())
