"""The argos engine on a real (tiny, copying) argos package, offline."""

from __future__ import annotations

import dataclasses
import functools
import subprocess
import sys
import threading
import time
from pathlib import Path
from types import SimpleNamespace

import pytest

from localise.argos_packages import install_file
from localise.engines import EngineOptions, get_engine
from localise.engines.argos import ArgosEngine
from localise.errors import EngineError
from support import block_network

PROSE = [
    "The patient returns after five weeks.",
    "Click ⟦1⟧here⟦/1⟧ to pay ⟦2⟧ before ⟦3⟧Friday⟦/3⟧.",
    "You owe {amount_1} — or {amount_2} – by 3.5 p.m. on 2024-01-31.",
    "Café, naïve résumé in São Paulo and Zürich: déjà vu!",
    "He said “stop” and ‘go’ and \"wait\" and 'fine'.",
    "See https://example.com/a_b?x=1&y=2#frag for snake_case names.",
    "Ünïcödé ŝtrèss — テキスト、日本語。 emoji 🎉 and ½ ﬁ ligature.",
    "x",
]


@pytest.fixture
def engine(tiny_argosmodel: Path, tmp_path: Path) -> ArgosEngine:
    """An argos engine reading a project-local package dir holding the tiny en→ja model."""
    packages = tmp_path / "project-packages"
    install_file(tiny_argosmodel, packages_dir=packages)
    built = get_engine("argos", options=EngineOptions(packages_dir=packages))
    assert isinstance(built, ArgosEngine)
    return built


def test_copy_model_round_trips_prose_tokens_and_placeholders(engine: ArgosEngine) -> None:
    assert engine.translate(PROSE, source="en", target="ja") == PROSE


def test_order_whitespace_and_empty_segments_are_preserved(engine: ArgosEngine) -> None:
    segments = ["A much longer sentence comes first here, with many words.", "", "  ", "Hi.",
                "Line one.\n", "  lead and trail  ", "Mid."]
    assert engine.translate(segments, source="en", target="ja") == segments


def test_many_segments_small_batches_and_greedy(tiny_argosmodel: Path, tmp_path: Path) -> None:
    install_file(tiny_argosmodel, packages_dir=tmp_path / "p")
    options = EngineOptions(packages_dir=tmp_path / "p", beam_size=1, max_batch_size=3, threads=1)
    segments = [f"Item {i} of the list is {'very ' * (i % 7)}long." for i in range(50)]
    assert get_engine("argos", options=options).translate(segments, source="en", target="ja") == (
        segments
    )


def test_empty_call_loads_nothing(tmp_path: Path) -> None:
    engine = get_engine("argos", options=EngineOptions(packages_dir=tmp_path / "none"))
    assert engine.translate([], source="en", target="ja") == []


def test_version_names_the_package(engine: ArgosEngine) -> None:
    assert engine.version(source="en", target="ja") == "argos translate-en_ja 1.0"


def test_missing_pair_says_how_to_install(engine: ArgosEngine) -> None:
    with pytest.raises(EngineError) as info:
        engine.translate(["Hello."], source="en", target="es")
    message = str(info.value)
    assert "no argos package for en→es is installed" in message
    assert "localise models install FILE.argosmodel" in message
    assert "--from-index en es" in message
    with pytest.raises(EngineError, match="en→es"):
        engine.version(source="en", target="es")


def test_default_packages_dir_is_argos_own(tiny_argosmodel: Path, argos_packages: Path) -> None:
    info = install_file(tiny_argosmodel, packages_dir=None)
    assert info.path.parent == argos_packages
    engine = get_engine("argos", options=EngineOptions())
    assert engine.translate(["Default dir."], source="en", target="ja") == ["Default dir."]


def test_never_touches_the_network(
    tiny_argosmodel: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    install_file(tiny_argosmodel, packages_dir=tmp_path / "p")
    attempts = block_network(monkeypatch)
    with pytest.raises(OSError, match="blocked"):  # the block itself works
        __import__("socket").create_connection(("example.com", 80))
    attempts.clear()
    engine = get_engine("argos", options=EngineOptions(packages_dir=tmp_path / "p"))
    assert engine.version(source="en", target="ja").startswith("argos ")
    assert engine.translate(PROSE, source="en", target="ja") == PROSE
    assert attempts == []


def test_corrupt_model_is_an_engine_error(tiny_argosmodel: Path, tmp_path: Path) -> None:
    info = install_file(tiny_argosmodel, packages_dir=tmp_path / "p")
    (info.path / "model" / "model.bin").write_bytes(b"not a model")
    engine = get_engine("argos", options=EngineOptions(packages_dir=tmp_path / "p"))
    with pytest.raises(EngineError, match="cannot load the CTranslate2 model"):
        engine.translate(["Hello."], source="en", target="ja")


def test_argostranslate_own_pipeline_offline(tiny_argosmodel: Path, argos_packages: Path) -> None:
    """argostranslate's installer, package reader and translation core run offline too.

    Only its sentencizer (MiniSBD/Stanza, which download models) is swapped for a
    one-sentence-per-call splitter; this is how the benchmark compares the two paths.
    """
    import ctranslate2
    from argostranslate import package
    from argostranslate.translate import apply_packaged_translation

    package.install_from_path(tiny_argosmodel)
    [pkg] = package.get_installed_packages()
    assert (pkg.from_code, pkg.to_code, pkg.package_version) == ("en", "ja", "1.0")
    translator = ctranslate2.Translator(str(pkg.package_path / "model"), device="cpu")
    one = SimpleNamespace(split_sentences=lambda text: [text])
    for text in PROSE:
        [hyp] = apply_packaged_translation(pkg, text, translator, one, num_hypotheses=1)
        # argostranslate maps "_" to " " when decoding ({amount_1}, snake_case); we do not.
        assert hyp.value == text.replace("_", " ")


def test_importing_engines_stays_cheap() -> None:
    code = (
        "import sys, localise.engines, localise.engines.argos, localise.engines.apertium, "
        "localise.engines.pseudo, localise.argos_packages, localise.sentences\n"
        "heavy = {'ctranslate2', 'sentencepiece', 'argostranslate', 'stanza', 'torch', 'spacy'}\n"
        "print(sorted(heavy & set(sys.modules)))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_batches_cap_sentences_and_padded_tokens() -> None:
    from localise.engines.argos import _batches

    assert _batches([], [], 32, 1024) == []
    assert _batches([5] * 10, [1] * 10, 4, 1024) == [range(0, 4), range(4, 8), range(8, 10)]
    # 200-piece inputs: 5 per batch under 1024 padded tokens, not 32
    lengths = [10] * 40 + [200] * 12
    runs = _batches(lengths, [1] * 52, 32, 1024)
    assert [len(r) for r in runs] == [32, 8, 5, 5, 2]
    assert all(len(r) * lengths[r[-1]] <= 1024 for r in runs)
    assert _batches([2000], [1], 32, 1024) == [range(0, 1)]  # one over-long input goes alone
    # a batch never mixes decoding caps
    assert _batches([3, 4, 9, 10], [34, 34, 46, 46], 32, 1024) == [range(0, 2), range(2, 4)]


def test_max_decoding_length_is_a_function_of_the_sentence_alone() -> None:
    from localise.engines.argos import max_decoding_length

    cap = functools.partial(max_decoding_length, ratio=3.0, limit=256)
    assert cap(5, prefix=False) == cap(1, prefix=False) == cap(8, prefix=False) == 34
    assert cap(9, prefix=False) == cap(12, prefix=False) == 46 and cap(5, prefix=True) == 35
    assert cap(13, prefix=False) == 64 and cap(200, prefix=True) == 256
    assert max_decoding_length(5, prefix=False, ratio=1.5, limit=256) == 22


def test_copy_model_beams_all_stop_at_the_source_end(
    tiny_argosmodel: Path, tmp_path: Path
) -> None:
    """Like a real model, every beam ends at about the input length (no run to 256 steps)."""
    import ctranslate2

    info = install_file(tiny_argosmodel, packages_dir=tmp_path / "p")
    translator = ctranslate2.Translator(str(info.path / "model"), intra_threads=1)
    source = [["▁the"] * n for n in (1, 30, 200)]
    results = translator.translate_batch(source, beam_size=4, num_hypotheses=4, return_scores=True)
    for tokens, result in zip(source, results, strict=True):
        assert result.hypotheses[0] == tokens and result.scores[0] > -0.01
        assert all(len(h) <= len(tokens) + 1 for h in result.hypotheses)
        assert all(s < result.scores[0] for s in result.scores[1:])


class _Recording:
    """Wraps a real CTranslate2 translator: records each ``translate_batch`` call's inputs."""

    def __init__(self, translator: object) -> None:
        self.translator = translator
        self.num_translators = translator.num_translators  # type: ignore[attr-defined]
        self.calls: list[list[list[str]]] = []
        self.options: list[dict[str, object]] = []

    def translate_batch(self, source: list[list[str]], **options: object) -> object:
        self.calls.append(source)
        self.options.append(options)
        return self.translator.translate_batch(source, **options)  # type: ignore[attr-defined]


def test_batches_go_longest_first_and_outputs_keep_their_order(engine: ArgosEngine) -> None:
    segments = [f"Item {i} is {'very ' * (i % 9)}long." for i in range(40)] + PROSE
    loaded = engine._load("en", "ja")
    recording = _Recording(loaded.translator)
    engine._loaded["en", "ja"] = dataclasses.replace(loaded, translator=recording)
    assert engine.translate(segments, source="en", target="ja") == segments
    longest = [max(map(len, call)) for call in recording.calls]
    assert len(longest) > 1 and longest == sorted(longest, reverse=True)


def test_greedy_search_is_one_call_that_ctranslate2_cuts_into_batches(
    tiny_argosmodel: Path, tmp_path: Path
) -> None:
    """At beam 1 every sentence goes in one call of max_batch_size batches (CTranslate2 sorts
    and cuts it, as translate_iterable does), decoded to the longest cap and cut back."""
    install_file(tiny_argosmodel, packages_dir=tmp_path / "p")
    options = EngineOptions(packages_dir=tmp_path / "p", beam_size=1, max_batch_size=4)
    greedy = get_engine("argos", options=options)
    assert isinstance(greedy, ArgosEngine)
    segments = [f"Item {i} is {'very ' * (i % 9)}long." for i in range(40)] + PROSE
    loaded = greedy._load("en", "ja")
    recording = _Recording(loaded.translator)
    greedy._loaded["en", "ja"] = dataclasses.replace(loaded, translator=recording)
    assert greedy.translate(segments, source="en", target="ja") == segments
    assert len(recording.calls) == 1 and len(recording.calls[0]) == len(segments)
    assert recording.options[0]["max_batch_size"] == 4


def test_greedy_batches_grow_with_the_run_on_the_translators_workers(
    tiny_argosmodel: Path, tmp_path: Path
) -> None:
    """The automatic size reaches CTranslate2, computed from the translator's own workers."""
    install_file(tiny_argosmodel, packages_dir=tmp_path / "p")
    options = EngineOptions(packages_dir=tmp_path / "p", beam_size=1, threads=2)
    greedy = get_engine("argos", options=options)
    assert isinstance(greedy, ArgosEngine)
    segments = [f"Item {i} is long." for i in range(250)]
    loaded = greedy._load("en", "ja")
    assert loaded.translator.num_translators == 2
    recording = _Recording(loaded.translator)
    greedy._loaded["en", "ja"] = dataclasses.replace(loaded, translator=recording)
    assert greedy.translate(segments, source="en", target="ja") == segments
    assert recording.options[0]["max_batch_size"] == 42


def test_warm_up_loads_once_beside_translate(engine: ArgosEngine, monkeypatch) -> None:
    from localise.engines import WarmUp

    built: list[object] = []
    real = ArgosEngine._translator

    started = threading.Event()

    def slow(self: ArgosEngine, package: object) -> object:
        built.append(package)
        started.set()
        time.sleep(0.3)  # translate() below starts while this load is still in progress
        return real(self, package)

    monkeypatch.setattr(ArgosEngine, "_translator", slow)
    warm = WarmUp(engine, source="en", target="ja")
    assert started.wait(10)
    assert engine.translate(PROSE, source="en", target="ja") == PROSE
    warm.wait()
    assert len(built) == 1


def test_warm_up_errors_are_raised_by_translate(engine: ArgosEngine) -> None:
    from localise.engines import WarmUp

    warm = WarmUp(engine, source="en", target="xx")  # no such pair: the thread's error is dropped
    warm.wait()
    with pytest.raises(EngineError, match="xx"):
        engine.translate(["Hello."], source="en", target="xx")


def test_warm_up_of_an_engine_without_prepare_starts_no_thread() -> None:
    from localise.engines import WarmUp

    before = threading.active_count()
    warm = WarmUp(get_engine("pseudo", options=EngineOptions()), source="en", target="ja")
    assert threading.active_count() == before
    warm.wait()
