"""Direct CTranslate2 over the SentencePiece pieces ``localise translate`` sends: the limit.

Run by ``translate_real_bench.py`` as a whole process, one setting per process::

    python benchmarks/_ct2_direct.py --model DIR --input pieces.json --out result.json \
        --beam-size 4 --inter 2 --intra 1 --mode async --batch-type examples --max-batch-size 32

or, to screen many batching settings with one ``Translator`` (its threads are fixed when it is
built), ``--grid`` runs every setting of :data:`GRID` ``--repeat`` times in rotating order
inside one process and reports each one's translate time (load time reported apart). A cell
during which other processes used more than ``--noise`` cores (``/proc/stat`` busy time minus
this process's CPU time) is discarded and run again once the machine is quiet.

``pieces.json``: ``{"pieces": [[piece, ...], ...]}``, the distinct chunks ``localise`` sent,
recorded by ``_ct2_record.py``. Every setting decodes exactly as ``localise.engines.argos``
does (``num_hypotheses=1``, ``length_penalty=0.2``, ``replace_unknowns=True``,
``max_decoding_length`` = min(256, 3 × longest + 10) of the batch or call) and detokenises
every hypothesis with the package's SentencePiece model. Modes:

* ``call``: one synchronous ``translate_batch`` over all pieces; CTranslate2 sorts them by
  length and cuts them into ``max_batch_size`` examples or tokens, run by the
  ``inter_threads`` workers in parallel;
* ``async``: pieces sorted by length here and cut into batches (``examples``: at most N per
  batch; ``tokens``: at most N padded tokens, count × longest; ``localise``: both 32 examples
  and 1,024 tokens, localise's default; the other :data:`BOTH` types cap both at other
  sizes), each submitted with ``asynchronous=True``, shortest first;
* ``async-desc``: the same batches, submitted longest first (as localise does), so that the
  batches the workers finish with are short ones;
* ``iterable``: ``translate_iterable`` over the pieces in their given order (it reads ahead,
  sorts and batches, and keeps the workers busy).

The network is blocked with ``_argos_loop._block_network`` (imported, not copied).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import _argos_loop  # noqa: E402  (network blocking)

LOCALISE_EXAMPLES, LOCALISE_TOKENS = 32, 1024
BOTH: dict[str, tuple[int, int]] = {  # batch types capped by examples and padded tokens
    "localise": (LOCALISE_EXAMPLES, LOCALISE_TOKENS),
    "16+1024": (16, 1024),
    "16+512": (16, 512),
    "24+1024": (24, 1024),
}

GRID: list[tuple[str, str, int]] = [
    ("async", "localise", 0),
    ("async", "examples", 8),
    ("async", "examples", 16),
    ("async", "examples", 32),
    ("async", "examples", 64),
    ("async", "tokens", 512),
    ("async", "tokens", 1024),
    ("async", "tokens", 2048),
    ("async-desc", "localise", 0),
    ("async-desc", "examples", 8),
    ("async-desc", "examples", 16),
    ("async-desc", "16+1024", 0),
    ("async-desc", "16+512", 0),
    ("async-desc", "24+1024", 0),
    ("async-desc", "examples", 24),
    ("async-desc", "examples", 32),
    ("async-desc", "tokens", 1024),
    ("async-desc", "tokens", 2048),
    ("call", "examples", 32),
    ("call", "examples", 64),
    ("call", "examples", 128),
    ("call", "tokens", 2048),
    ("call", "tokens", 4096),
    ("iterable", "examples", 32),
    ("iterable", "examples", 64),
]


def label(mode: str, batch_type: str, size: int) -> str:
    if batch_type in BOTH:
        examples, tokens = BOTH[batch_type]
        return f"{mode} {examples} ex + {tokens} tok"
    return f"{mode} {size} {'ex' if batch_type == 'examples' else 'tok'}"


def max_decoding_length(longest: int) -> int:
    return min(256, 3 * longest + 10)


def cut(lengths: list[int], batch_type: str, size: int) -> list[range]:
    """Consecutive runs of the (ascending) ``lengths``, as ``localise.engines.argos._batches``."""
    examples, tokens = {"examples": (size, 1 << 30), "tokens": (1 << 30, size),
                        **BOTH}[batch_type]
    runs, start = [], 0
    for end, length in enumerate(lengths):
        count = end - start + 1
        if end > start and (count > examples or count * length > tokens):
            runs.append(range(start, end))
            start = end
    if lengths:
        runs.append(range(start, len(lengths)))
    return runs


def translate(translator: Any, sp: Any, pieces: list[list[str]], *, mode: str, batch_type: str,
              size: int, beam: int) -> tuple[list[str], int, int]:
    """Decode ``pieces``; return (texts in input order, generated tokens, translate_batch calls)."""
    options = {"beam_size": beam, "num_hypotheses": 1, "length_penalty": 0.2,
               "replace_unknowns": True}
    hypotheses: list[list[str]] = [[] for _ in pieces]
    calls = 0
    if mode == "call":
        results = translator.translate_batch(
            pieces, max_batch_size=size, batch_type=batch_type,
            max_decoding_length=max_decoding_length(max(map(len, pieces))), **options)
        calls = 1
        hypotheses = [r.hypotheses[0] for r in results]
    elif mode in ("async", "async-desc"):
        order = sorted(range(len(pieces)), key=lambda k: len(pieces[k]))
        lengths = [len(pieces[k]) for k in order]
        runs = cut(lengths, batch_type, size)
        if mode == "async-desc":  # longest batches first: the last ones to finish are short
            runs = runs[::-1]
        pending: list[Any] = []
        submitted: list[int] = []
        for run in runs:
            submitted += [order[j] for j in run]
            pending += translator.translate_batch(
                [pieces[order[j]] for j in run], max_batch_size=len(run), batch_type="examples",
                max_decoding_length=max_decoding_length(lengths[run[-1]]), asynchronous=True,
                **options)
            calls += 1
        for k, job in zip(submitted, pending, strict=True):
            hypotheses[k] = job.result().hypotheses[0]
    elif mode == "iterable":
        results = translator.translate_iterable(
            iter(pieces), max_batch_size=size, batch_type=batch_type,
            max_decoding_length=max_decoding_length(max(map(len, pieces))), **options)
        hypotheses = [r.hypotheses[0] for r in results]
        calls = 1
    else:
        raise ValueError(mode)
    texts = [sp.decode_pieces(h).replace("▁", " ").lstrip(" ") for h in hypotheses]
    return texts, sum(map(len, hypotheses)), calls


def _busy_cpu_seconds() -> float:
    """Busy CPU seconds of the whole machine (``/proc/stat``), to tell others' load apart."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return (sum(fields[:8]) - fields[3] - fields[4]) / os.sysconf("SC_CLK_TCK")


def _own_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _wait_quiet(max_busy: float, max_wait: float = 900) -> None:
    """Sleep until other processes use ≤ ``max_busy`` cores over 5 s (at most ``max_wait``)."""
    deadline = time.monotonic() + max_wait
    while time.monotonic() < deadline:
        before = _busy_cpu_seconds()
        time.sleep(5)
        if (_busy_cpu_seconds() - before) / 5 <= max_busy:
            return


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--model", type=Path, required=True, help="installed package folder")
    parser.add_argument("--input", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--beam-size", type=int, default=4)
    parser.add_argument("--inter", type=int, default=2)
    parser.add_argument("--intra", type=int, default=1)
    parser.add_argument("--mode", choices=["call", "async", "async-desc", "iterable"],
                        default="async")
    parser.add_argument("--batch-type", choices=["examples", "tokens", *BOTH],
                        default="localise")
    parser.add_argument("--max-batch-size", type=int, default=0)
    parser.add_argument("--grid", action="store_true", help="every setting of GRID, in-process")
    parser.add_argument("--repeat", type=int, default=3, help="with --grid: passes over GRID")
    parser.add_argument("--cells", help="with --grid: only these settings (labels, ';'-separated)")
    parser.add_argument("--noise", type=float, default=0.1, metavar="CORES",
                        help="with --grid: a cell during which other processes used more than "
                             "this many cores on average is run again after a quiet spell")
    parser.add_argument("--retries", type=int, default=3, help="with --grid: reruns per cell")
    parser.add_argument("--max-wait", type=float, default=900,
                        help="with --grid: longest wait for a quiet spell, seconds")
    args = parser.parse_args()
    _argos_loop._block_network()

    t0 = time.perf_counter()
    import ctranslate2
    import sentencepiece

    pieces: list[list[str]] = json.loads(args.input.read_text("utf-8"))["pieces"]
    t1 = time.perf_counter()
    translator = ctranslate2.Translator(str(args.model / "model"), device="cpu",
                                        compute_type="auto", inter_threads=args.inter,
                                        intra_threads=args.intra)
    sp = sentencepiece.SentencePieceProcessor(model_file=str(args.model / "sentencepiece.model"))
    t2 = time.perf_counter()
    result: dict[str, Any] = {"beam_size": args.beam_size, "inter": args.inter,
                              "intra": args.intra, "examples": len(pieces),
                              "source_pieces": sum(map(len, pieces)),
                              "import_s": t1 - t0, "load_s": t2 - t1}
    if args.grid:
        grid = GRID
        if args.cells:
            wanted = args.cells.split(";")
            grid = [g for g in GRID if label(*g) in wanted]
            if len(grid) != len(wanted):
                sys.exit(f"_ct2_direct: unknown cells in {wanted}")
        times: dict[str, list[float]] = {label(*g): [] for g in GRID}
        others: dict[str, list[float]] = {label(*g): [] for g in GRID}
        discarded: dict[str, list[dict[str, float]]] = {label(*g): [] for g in GRID}
        cpus: dict[str, list[float]] = {label(*g): [] for g in GRID}
        facts: dict[str, dict[str, int]] = {}
        for rep in range(args.repeat):
            shift = rep * 7 % len(grid)  # rotate the order between passes
            for mode, batch_type, size in grid[shift:] + grid[:shift]:
                name = label(mode, batch_type, size)
                for attempt in range(args.retries + 1):
                    busy, own = _busy_cpu_seconds(), _own_cpu_seconds()
                    start = time.perf_counter()
                    _, tokens, calls = translate(translator, sp, pieces, mode=mode,
                                                 batch_type=batch_type, size=size,
                                                 beam=args.beam_size)
                    seconds = time.perf_counter() - start
                    cpu = _own_cpu_seconds() - own
                    noise = max(0.0, _busy_cpu_seconds() - busy - cpu)
                    if noise <= args.noise * seconds or attempt == args.retries:
                        break
                    discarded[name].append({"seconds": seconds, "others_cpu_s": noise})
                    _wait_quiet(args.noise, args.max_wait)
                times[name].append(seconds)
                others[name].append(noise)
                cpus[name].append(cpu)
                facts[name] = {"generated": tokens, "calls": calls}
                print(f"  {name:<24} {seconds:6.2f} s, CPU {cpu:6.2f} s (others {noise:.1f} s)",
                      file=sys.stderr, flush=True)
        result["grid"] = [{"label": label(*g), "mode": g[0], "batch_type": g[1], "size": g[2],
                           "seconds": times[label(*g)], "others_cpu_s": others[label(*g)],
                           "discarded": discarded[label(*g)], "cpu_s": cpus[label(*g)],
                           **facts[label(*g)]} for g in grid]
    else:
        texts, tokens, calls = translate(translator, sp, pieces, mode=args.mode,
                                         batch_type=args.batch_type, size=args.max_batch_size,
                                         beam=args.beam_size)
        result.update({"mode": args.mode, "batch_type": args.batch_type,
                       "size": args.max_batch_size, "generated": tokens, "calls": calls,
                       "translate_s": time.perf_counter() - t2, "outputs": len(texts)})
    args.out.write_text(json.dumps(result), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
