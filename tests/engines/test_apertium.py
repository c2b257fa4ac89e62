"""The apertium engine against the real Debian apertium-eng-spa pair."""

from __future__ import annotations

import shutil
import time

import pytest

from localise.engines import EngineOptions, get_engine
from localise.engines import apertium as apertium_module
from localise.errors import EngineError

pytestmark = pytest.mark.skipif(
    shutil.which("apertium") is None,
    reason="apertium is not installed (apt-get install apertium apertium-eng-spa)",
)


@pytest.fixture
def engine() -> apertium_module.ApertiumEngine:
    built = get_engine("apertium", options=EngineOptions())
    assert isinstance(built, apertium_module.ApertiumEngine)
    return built


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


def test_two_hundred_segments_in_one_process(
    engine: apertium_module.ApertiumEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[list[str]] = []
    real_run = apertium_module._run

    def counting_run(args: list[str], **kwargs: object) -> str:
        calls.append(args)
        return real_run(args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(apertium_module, "_run", counting_run)
    segments = [f"The house number {i} has {i % 5 + 1} red doors." for i in range(200)]
    started = time.perf_counter()
    out = engine.translate(segments, source="en", target="es")
    elapsed = time.perf_counter() - started
    assert len(out) == 200
    assert sum(1 for args in calls if "-f" in args) == 1
    assert all(f"{i}" in text for i, text in enumerate(out))
    assert all("casa" in text for text in out)
    assert elapsed < 5, f"200 segments took {elapsed:.1f}s"


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
    monkeypatch.setattr(apertium_module, "_run", lambda args, **kw: '<p data-l10n="0">x</p>')
    with pytest.raises(EngineError, match="returned 1 segments for 2"):
        engine.translate(["One.", "Two."], source="en", target="es")
