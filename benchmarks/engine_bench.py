"""localise's argos engine against ``translate_iterable`` inside one process, on one loaded model.

``translate_real_bench.py`` times whole processes: localise's CLI against a script that only
decodes. This one takes the CLI away: it builds the same project (the shipped articles, or
``--articles N`` generated ones) with the argos-shaped model of ``_real_model.py``, lets the
translate stage collect, protect and split the pending msgids exactly as a run would, loads the
model once, and then alternates, ``--rounds`` times, localise's ``ArgosEngine.translate`` of the
distinct sentences with CTranslate2's ``translate_iterable`` (``--batch`` examples) of the same
sentences already tokenised, on the same ``Translator`` (every other round in the reverse
order: this machine speeds up and slows down over minutes). It prints each pass's wall and CPU
time, the ratio of medians and the median of the rounds' own ratios (iterable ÷ localise: 1.00
means the engine adds nothing).

    .venv/bin/python benchmarks/engine_bench.py --beam-size 1 --articles 12
"""

from __future__ import annotations

import argparse
import dataclasses
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "src"))

import _real_model  # noqa: E402
import translate_real_bench as real  # noqa: E402


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--beam-size", type=int, default=1)
    parser.add_argument("--articles", type=int, default=0, help="generated articles (0: shipped)")
    parser.add_argument("--words", type=int, default=800)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--batch", type=int, default=32, help="translate_iterable's batch size")
    args = parser.parse_args()

    archive, _ = _real_model.cached_package(subprocess=True)
    with tempfile.TemporaryDirectory(prefix="localise-engine-bench-") as tmp:
        root = Path(tmp)
        packages = root / "argos-packages"
        packages.mkdir()
        env = real.bench_env(root / "sandbox", packages)
        project = root / "project"
        real.make_project(project, packages, [], generated=args.articles, words=args.words)
        cli = str(real.BIN / "localise")
        for step in (["models", "install", str(archive)], ["extract"], ["update", "--lang", "ja"]):
            subprocess.run([cli, "-C", str(project), *step], env=env, check=True,
                           capture_output=True)

        from localise.engines import get_engine
        from localise.project import Project
        from localise.stages import translate

        opened = Project.open(project)
        work = translate._collect(opened, "ja", retranslate=False,
                                  summary=translate.LanguageSummary())
        msgids = {e.msgid for item in work for e in item.pending}
        plans = translate._plans(opened, "ja", work, msgids)
        sentences = sorted({s for p in plans.values() for s in p.sentences
                            if translate.needs_engine(s)})
        options = dataclasses.replace(opened.config.translate.options,
                                      beam_size=args.beam_size)
        engine = get_engine("argos", options=options)
        loaded = engine._load("en", "ja")  # type: ignore[attr-defined]
        pieces = [loaded.tokenizer.encode(s) for s in sentences]
        longest = max(map(len, pieces))
        print(f"{len(sentences)} sentences, {sum(map(len, pieces)):,} pieces, beam "
              f"{args.beam_size}; model {archive.name}")

        def ours() -> object:
            return engine.translate(sentences, source="en", target="ja")

        def iterable() -> object:
            results = loaded.translator.translate_iterable(
                iter(pieces), max_batch_size=args.batch, batch_type="examples",
                beam_size=args.beam_size, num_hypotheses=1, length_penalty=0.2,
                replace_unknowns=True, max_decoding_length=min(256, 3 * longest + 10))
            return [r.hypotheses[0] for r in results]

        times: dict[str, list[float]] = {"localise": [], "iterable": []}
        contenders = (("localise", ours), ("iterable", iterable))
        for round_ in range(args.rounds):  # every other round reversed: the machine drifts
            for name, run in contenders if round_ % 2 == 0 else contenders[::-1]:
                start, cpu = time.perf_counter(), _cpu()
                run()
                seconds = time.perf_counter() - start
                times[name].append(seconds)
                print(f"  {name:<9} {seconds:6.2f} s  CPU {_cpu() - cpu:6.2f} s", flush=True)
    ratio = statistics.median(times["iterable"]) / statistics.median(times["localise"])
    pairs = zip(times["iterable"], times["localise"], strict=True)
    paired = statistics.median(i / o for i, o in pairs)
    print(f"iterable {args.batch} ex ÷ localise's engine (medians): {ratio:.2f}×; median of the "
          f"rounds' own ratios: {paired:.2f}×")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
