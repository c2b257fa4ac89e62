"""The apertium engine against the real Debian apertium-eng-spa pair."""

from __future__ import annotations

import gc
import html
import os
import re
import shutil
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import polib
import pytest

from localise import mt_tokens, sentences
from localise.engines import EngineOptions, get_engine
from localise.engines import apertium as apertium_module
from localise.errors import EngineError
from localise.stages.translate import needs_engine

pytestmark = pytest.mark.skipif(
    shutil.which("apertium") is None,
    reason="apertium is not installed (apt-get install apertium apertium-eng-spa)",
)

REPO = Path(__file__).resolve().parents[2]
_BLOCK = re.compile(r'<p data-l10n="(\d+)">(.*?)</p>', re.DOTALL)


@pytest.fixture
def engine() -> Iterator[apertium_module.ApertiumEngine]:
    built = get_engine("apertium", options=EngineOptions())
    assert isinstance(built, apertium_module.ApertiumEngine)
    yield built
    built.close()


@pytest.fixture(scope="module")
def shipped_sentences() -> list[str]:
    """The distinct protected sentences of the shipped catalogues, as translate sends them."""
    found: set[str] = set()
    for pot in sorted((REPO / "locales").rglob("*.pot")):
        for entry in polib.pofile(str(pot), wrapwidth=0):
            if entry.msgid and not entry.obsolete:
                protected = mt_tokens.protect(entry.msgid, terms=("PlacidWay",))
                found.update(s for s in sentences.split(protected.text, lang="en")
                             if needs_engine(s))
    assert len(found) > 100
    return sorted(found)


def one_process_per_call(segments: list[str]) -> list[str]:
    """What the engine wrote before it started processes ahead: a fresh ``apertium`` for the
    call's document, run to completion (single-line segments only)."""
    document = "".join(f'<p data-l10n="{k}">{html.escape(s.strip(), quote=False)}</p>\n'
                       for k, s in enumerate(segments))
    raw = subprocess.run(["apertium", "-u", "-f", "html", "eng-spa"], input=document,
                         capture_output=True, text=True, encoding="utf-8", check=True).stdout
    bodies = [re.sub(r"[ \t]{2,}", " ", html.unescape(b)).strip() for _, b in _BLOCK.findall(raw)]
    assert len(bodies) == len(segments)
    return bodies


def recording_start(monkeypatch: pytest.MonkeyPatch) -> list[apertium_module._Process]:
    """Make the engine's ``_start`` record every process it starts."""
    started: list[apertium_module._Process] = []
    real = apertium_module._start

    def start(mode: str) -> apertium_module._Process:
        proc = real(mode)
        started.append(proc)
        return proc

    monkeypatch.setattr(apertium_module, "_start", start)
    return started


def test_translates_into_spanish(engine: apertium_module.ApertiumEngine) -> None:
    source = "The patient returns after five weeks."
    [out] = engine.translate([source], source="en", target="es")
    assert out != source
    assert "paciente" in out.lower()
    assert "semanas" in out.lower()


def test_tokens_markup_characters_and_whitespace_survive(
    engine: apertium_module.ApertiumEngine,
) -> None:
    segments = [
        "Click ⟦1⟧here⟦/1⟧ to pay ⟦2⟧ now.",
        "Use a < b & c > d in Xyzzyq code.",
        "",
        "  Good morning.\n",
        "First line.\nSecond line.",
    ]
    out = engine.translate(segments, source="en", target="es")
    assert len(out) == len(segments)
    assert "⟦1⟧" in out[0] and "⟦/1⟧" in out[0] and "⟦2⟧" in out[0]
    assert out[0].index("⟦1⟧") < out[0].index("⟦/1⟧")
    assert "< b & c > d" in out[1] and "Xyzzyq" in out[1]  # -u: no "*" unknown-word marks
    assert "*" not in out[1]
    assert out[2] == ""
    assert out[3].startswith("  ") and out[3].endswith("\n") and "Buenos" in out[3]
    assert out[4].count("\n") == 1


def test_calls_write_what_one_fresh_process_per_call_writes(
    engine: apertium_module.ApertiumEngine, shipped_sentences: list[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Every call writes exactly what a fresh process for that call writes (apertium's tagger
    carries state within a process), the first one through the process ``prepare`` started."""
    started = recording_start(monkeypatch)
    many = [f"{s} Number {i} is ready." for i, s in enumerate(shipped_sentences * 4)][:600]
    calls = [many[:300], many[300:], shipped_sentences[:40], shipped_sentences[:200]]
    engine.prepare(source="en", target="es")
    for call in calls:
        assert engine.translate(call, source="en", target="es") == one_process_per_call(call)
    # prepare's process served the first call; each later call started its own
    assert len(started) == 4
    assert engine._spares == {}  # nothing is started ahead after a call: nothing left waiting
    assert all(proc.popen.returncode == 0 for proc in started)
    assert not any(Path(proc.scratch).exists() for proc in started)


def test_shipped_sentences_with_protected_tokens(
    engine: apertium_module.ApertiumEngine, shipped_sentences: list[str]
) -> None:
    with_tokens = [s for s in shipped_sentences if "⟦" in s]
    assert len(with_tokens) > 20
    out = engine.translate(with_tokens, source="en", target="es")
    assert out == one_process_per_call(with_tokens)
    for source, text in zip(with_tokens, out, strict=True):
        assert sorted(re.findall(r"⟦/?\d+⟧", text)) == sorted(re.findall(r"⟦/?\d+⟧", source))


def test_thousands_of_sentences_in_one_call_without_deadlock(
    engine: apertium_module.ApertiumEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    started = recording_start(monkeypatch)
    segments = [f"The house number {i} has {i % 5 + 1} red doors and a garden."
                for i in range(3000)]
    assert sum(map(len, segments)) > 2 * 65536  # more than a pipe buffer holds
    begun = time.perf_counter()
    out = engine.translate(segments, source="en", target="es")
    elapsed = time.perf_counter() - begun
    assert len(out) == 3000
    assert all(f"{i}" in text and "casa" in text for i, text in enumerate(out))
    assert started[0].popen.returncode == 0  # the call's own; nothing started ahead after it
    assert len(started) == 1 and engine._spares == {}
    assert elapsed < 60, f"3000 segments took {elapsed:.1f}s"
    engine.prepare(source="en", target="es")  # prepare after a call starts nothing
    assert len(started) == 1
    fresh = apertium_module.ApertiumEngine(options=engine._options)
    fresh.prepare(source="en", target="es")
    assert len(started) == 2 and started[1].waiting()
    fresh.close()  # kills the process started ahead and not used
    assert not started[1].waiting() and not Path(started[1].scratch).exists()
    assert fresh.translate(segments[:300], source="en", target="es") == out[:300]
    assert len(started) == 3 and started[2].popen.returncode == 0  # still usable after close


def test_a_process_killed_mid_call_is_an_engine_error(
    engine: apertium_module.ApertiumEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    started = recording_start(monkeypatch)
    segments = [f"The clinic {i} opens its doors early on Monday mornings." for i in range(4000)]

    def kill_soon() -> None:
        while not started:
            time.sleep(0.01)
        time.sleep(0.5)
        os.killpg(started[0].popen.pid, signal.SIGKILL)

    killer = threading.Thread(target=kill_soon)
    killer.start()
    begun = time.perf_counter()
    with pytest.raises(EngineError, match=r"apertium -u -f html eng-spa` was killed by SIGKILL"
                                          r" before it had translated its 4000 segments"):
        engine.translate(segments, source="en", target="es")
    killer.join()
    assert time.perf_counter() - begun < 30  # reported, not waited on
    assert not started[0].waiting() and not Path(started[0].scratch).exists()


def test_a_process_that_fails_is_an_engine_error_with_its_message(
    engine: apertium_module.ApertiumEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(apertium_module, "command",
                        lambda mode: ["bash", "-c", "echo 'Error: Mode x not found' >&2; exit 3"])
    with pytest.raises(EngineError, match=r"failed: Error: Mode x not found"):
        engine.translate(["Hello."], source="en", target="es")


def test_a_process_too_slow_is_killed_with_an_engine_error(
    engine: apertium_module.ApertiumEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    started = recording_start(monkeypatch)
    monkeypatch.setattr(apertium_module, "MIN_TIMEOUT_S", 0.2)
    monkeypatch.setattr(apertium_module, "SECONDS_PER_SEGMENT", 0.0)
    segments = [f"The doctor {i} sees patients every day of the week." for i in range(3000)]
    with pytest.raises(EngineError, match=r"eng-spa` timed out after \d+ s"):
        engine.translate(segments, source="en", target="es")
    assert not started[0].waiting()  # the whole pipeline was killed
    assert not Path(started[0].scratch).exists()


def test_a_started_process_that_died_idle_is_replaced(
    engine: apertium_module.ApertiumEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    started = recording_start(monkeypatch)
    engine.prepare(source="en", target="es")
    os.killpg(started[0].popen.pid, signal.SIGKILL)
    started[0].popen.wait(timeout=10)
    assert engine.translate(["Good morning."], source="en", target="es") == ["Buenos días."]
    assert len(started) == 2
    assert not any(Path(proc.scratch).exists() for proc in started)
    engine.prepare(source="en", target="es")  # after a call: starts nothing
    assert len(started) == 2


def test_unused_processes_end_with_the_engine(monkeypatch: pytest.MonkeyPatch) -> None:
    started = recording_start(monkeypatch)
    closed = apertium_module.ApertiumEngine(options=EngineOptions())
    closed.prepare(source="en", target="es")
    closed.close()
    closed.close()  # twice is harmless
    dropped = apertium_module.ApertiumEngine(options=EngineOptions())
    dropped.prepare(source="en", target="es")
    del dropped
    gc.collect()
    assert len(started) == 2 and not any(proc.waiting() for proc in started)
    assert not any(Path(proc.scratch).exists() for proc in started)  # transfuse's state too


def test_version_comes_from_dpkg_or_mode(engine: apertium_module.ApertiumEngine) -> None:
    version = engine.version(source="en", target="es")
    assert version.startswith("apertium-eng-spa")
    if shutil.which("dpkg-query"):
        assert version.split(" ")[1][0].isdigit()


def test_missing_mode_names_the_debian_package(engine: apertium_module.ApertiumEngine) -> None:
    with pytest.raises(EngineError, match=r"apt-get install apertium-eng-jpn"):
        engine.translate(["Hello."], source="en", target="ja")


def test_lost_segment_markers_are_detected(
    engine: apertium_module.ApertiumEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    def lose_one(self: apertium_module._Process, document: str, **kw: object) -> str:
        self.kill()
        return '<p data-l10n="0">x</p>'

    monkeypatch.setattr(apertium_module._Process, "finish", lose_one)
    with pytest.raises(EngineError, match="returned 1 segments for 2"):
        engine.translate(["One.", "Two."], source="en", target="es")
