"""``localise translate`` on an argos-shaped model: against argostranslate per call and the limit.

The model (``_real_model.py``) has the shape of the public argos packages (6+6 layers,
d_model 512, 8 heads, FFN 2048, shared 32k vocabulary, int8, a BPE SentencePiece model
trained on the shipped articles) with random weights whose output length is fixed by the
input: ``ceil(1.25 × source pieces)`` tokens per sentence, whoever decodes it and however it
is batched. So every contender generates the same tokens, and the table compares the same
work. Everything is built offline; nothing is downloaded.

Setup (untimed): a project with a copy of the shipped ``source/`` (or ``--only`` one article),
``locales/glossary.csv``, a ``localise.toml`` with ``languages = ["ja"]`` and ``[translate]
packages_dir``; ``localise models install``, ``extract``, ``update``. Then, recorded once
with ``_ct2_record.py`` (untimed): what ``localise translate`` sends to CTranslate2 at beam 4
and 1 (the distinct sentences' SentencePiece pieces, every ``translate_batch`` call, the
tokens generated), and what argostranslate sends.

Contenders, each a whole process, run in alternating rounds (every contender once per round,
every other round in the reverse order, ``--rounds`` rounds), wall time by
``time.perf_counter`` around the process and peak RSS by ``os.wait4`` (that child's own
``ru_maxrss``):

* ``localise -C P translate --lang ja --engine argos --beam-size 4|1 --json`` on a fresh copy
  of the prepared project (no ``.localise/cache``: nothing is served from cache);
* argostranslate's per-call API: ``_argos_loop.py`` (it loads argostranslate, takes the
  installed en→ja translation and calls ``translate(text)`` once per text, its sentencizer
  replaced by localise's splitter and the network blocked; see its docstring) over exactly
  the sentences localise sends, decoded back to text (they re-encode to the same pieces,
  which the recording checks), at argostranslate's defaults (beam 4, 32-token batches,
  ``inter_threads`` 1, ``intra_threads`` 0) and with ``ARGOS_INTER_THREADS=2
  ARGOS_INTRA_THREADS=1``;
* direct CTranslate2 (``_ct2_direct.py``) over the same pieces, with localise's settings
  (``async``, 32 examples + 1,024 tokens per batch, ``inter_threads`` = cores, intra 1) and
  with the best setting of a grid ("the limit"). The grid (``_ct2_direct.py --grid``, one
  process per thread setting and beam, ``--grid-repeat`` passes, translate time only) varies
  inter/intra threads, ``max_batch_size``, ``batch_type`` examples/tokens, one synchronous
  call vs asynchronous pre-cut batches vs ``translate_iterable``.

Reported: per contender wall min and median, sentences/s at the min, generated tokens,
``translate_batch`` calls, peak RSS; the grid; ratios (argostranslate ÷ localise, localise
÷ limit at beam 1 and 4, target ≥ 0.95), each as the ratio of the medians and as the median
of the rounds' own ratios (this machine drifts by up to a third within minutes: a round's
pair ran close together); model calls per unit. JSON in ``benchmarks/out/``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import _corpus
import _ct2_direct
import _real_model
import translate_bench

REPO = _corpus.REPO
HERE = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent
OUT = REPO / "benchmarks" / "out"
TARGET = "ja"
QUICK_ARTICLE = "guides/japan-treatment-checklist"
GRID_THREADS: list[tuple[int, int, list[str] | None]] = [
    (2, 1, None),  # every setting
    # one worker, two intra-op threads: only one batch at a time, so only settings that keep
    # one call's batches large are worth timing
    (1, 2, ["async 32 ex + 1024 tok", "call 32 ex", "call 64 ex", "call 128 ex",
            "call 2048 tok", "call 4096 tok"]),
]


# -- processes -------------------------------------------------------------------------------


_TICK = os.sysconf("SC_CLK_TCK")


def busy_cpu_seconds() -> float:
    """CPU seconds the whole machine has spent busy (not idle, not iowait) since boot."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return (sum(fields[:8]) - fields[3] - fields[4]) / _TICK


def wait_until_quiet(max_busy: float, max_wait: float) -> float:
    """Wait (up to ``max_wait`` s) until other processes use ≤ ``max_busy`` cores over 5 s."""
    deadline = time.monotonic() + max_wait
    while True:
        before = busy_cpu_seconds()
        time.sleep(5)
        busy = (busy_cpu_seconds() - before) / 5
        if busy <= max_busy or time.monotonic() > deadline:
            return busy
        print(f"  machine busy ({busy:.2f} cores used by others), waiting …", flush=True)


def run(cmd: list[str], *, env: dict[str, str], cwd: Path | None = None) -> dict[str, Any]:
    """Run one whole process; return wall seconds, its own peak RSS (MiB), CPU times, stdout.

    The child is reaped with ``os.wait4``, whose rusage is that child's alone (plus any
    children it waited for), unlike ``RUSAGE_CHILDREN``, which accumulates over all of them.
    ``others_cpu_s``: CPU seconds the rest of the machine used meanwhile (``/proc/stat`` busy
    time minus the child's user + sys), the noise indicator of a shared machine.
    """
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        busy = busy_cpu_seconds()
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, env=env, cwd=cwd)
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        except BaseException:  # interrupted (SIGTERM, ^C): never leave the child running
            proc.kill()
            proc.wait()
            raise
        wall = time.perf_counter() - start
        others = busy_cpu_seconds() - busy - usage.ru_utime - usage.ru_stime
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(), err.read().decode()
    if proc.returncode != 0:
        sys.exit(f"translate_real_bench: {' '.join(cmd)} exited {proc.returncode}\n"
                 f"{stdout[-2000:]}\n{stderr[-4000:]}")
    return {"seconds": wall, "rss_mib": usage.ru_maxrss / 1024, "user_s": usage.ru_utime,
            "sys_s": usage.ru_stime, "others_cpu_s": max(0.0, others), "stdout": stdout,
            "stderr": stderr}


def bench_env(root: Path, packages: Path, **extra: str) -> dict[str, str]:
    env = translate_bench.sandbox_env(root, packages)
    for name in ("ARGOS_INTER_THREADS", "ARGOS_INTRA_THREADS", "ARGOS_BEAM_SIZE",
                 "ARGOS_BATCH_SIZE", "OMP_NUM_THREADS", "CT2_VERBOSE"):
        env.pop(name, None)
    # An installed localise has its bytecode compiled (pip does it); where the environment
    # forbids writing it, every run of an editable checkout would compile its ~90 modules
    # again, a cost the direct scripts (site-packages only) do not pay. The untimed recording
    # runs write it before the rounds.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    src = str(REPO / "src")
    env["PYTHONPATH"] = src + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    env.update(extra)
    return env


def localise_cmd(project: Path, beam: int, engine: str = "argos") -> list[str]:
    return [str(BIN / "localise"), "-C", str(project), "translate", "--lang", TARGET,
            "--engine", engine, "--beam-size", str(beam), "--json"]


def fresh_copy(pristine: Path, work: Path) -> None:
    if work.exists():
        shutil.rmtree(work)
    shutil.copytree(pristine, work)
    shutil.rmtree(work / ".localise" / "cache", ignore_errors=True)


# -- setup -----------------------------------------------------------------------------------


def make_project(dest: Path, packages: Path, only: list[str], *, generated: int = 0,
                 words: int = 800) -> None:
    """A copy of the shipped ``source/`` (or the ``only`` articles), or ``generated`` articles
    of the pipeline corpus (about ``words`` words each), and the glossary, ja only."""
    articles = [] if generated else sorted(_corpus.SHIPPED_SOURCE.rglob("*.md"))
    if only:
        articles = [a for a in articles
                    if a.relative_to(_corpus.SHIPPED_SOURCE).with_suffix("").as_posix() in only]
        if not articles:
            sys.exit(f"translate_real_bench: no shipped article matches {only}")
    for article in articles:
        path = dest / "source" / article.relative_to(_corpus.SHIPPED_SOURCE)
        path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(article, path)
    if generated:
        _corpus.make_corpus(dest / "source", count=generated, words=words, seed=2026)
    _corpus.shipped_glossary(dest / "locales" / "glossary.csv", TARGET)
    (dest / "localise.toml").write_text(
        f'languages = ["{TARGET}"]\n\n[translate]\n'
        f"packages_dir = {json.dumps(str(packages))}\n", encoding="utf-8")


def record(program_args: list[str], log: Path, env: dict[str, str]) -> dict[str, Any]:
    """Run a program under ``_ct2_record.py``; return its log (untimed)."""
    run([sys.executable, str(HERE / "_ct2_record.py"), "--log", str(log), "--", *program_args],
        env=env)
    return json.loads(log.read_text("utf-8"))


def calls_summary(log: dict[str, Any]) -> dict[str, Any]:
    calls = log["calls"]
    return {
        "translate_batch_calls": len(calls),
        "examples": sum(c["examples"] for c in calls),
        "examples_per_call": [c["examples"] for c in calls],
        "source_pieces": sum(len(p) for c in calls for p in c["pieces"]),
        "generated": sum(g for c in calls for g in c["generated"] if g is not None),
        "missing_results": sum(g is None for c in calls for g in c["generated"]),
        "options": calls[0]["options"] if calls else {},
        "translator": log["translators"][0]["kwargs"] if log["translators"] else {},
    }


def _same(same: bool | None) -> str:
    return "(not run)" if same is None else "the same" if same else "DIFFERENT"


def piece_lists(log: dict[str, Any]) -> list[list[str]]:
    return [p for c in log["calls"] for p in c["pieces"]]


# -- the grid --------------------------------------------------------------------------------


def run_grid(package_dir: Path, pieces_file: Path, env: dict[str, str], root: Path, *,
             beams: list[int], threads: list[tuple[int, int, list[str] | None]], repeat: int,
             noise: float, retries: int, max_wait: float) -> list[dict]:
    rows = []
    for beam in beams:
        for inter, intra, cells in threads:
            out = root / f"grid-b{beam}-{inter}-{intra}.json"
            print(f"grid: beam {beam}, inter {inter} intra {intra}, {repeat} pass(es) …",
                  flush=True)
            proc = run([sys.executable, str(HERE / "_ct2_direct.py"), "--model",
                        str(package_dir), "--input", str(pieces_file), "--out", str(out),
                        "--beam-size", str(beam), "--inter", str(inter), "--intra", str(intra),
                        "--grid", "--repeat", str(repeat), "--noise", str(noise),
                        "--retries", str(retries), "--max-wait", str(max_wait),
                        *(["--cells", ";".join(cells)] if cells else [])], env=env)
            result = json.loads(out.read_text("utf-8"))
            for cell in result["grid"]:
                rows.append({**cell, "beam": beam, "inter": inter, "intra": intra,
                             "median_s": statistics.median(cell["seconds"]),
                             "min_s": min(cell["seconds"]), "load_s": result["load_s"],
                             "process_rss_mib": proc["rss_mib"],
                             "process_others_cpu_s": proc["others_cpu_s"]})
            best = min((r for r in rows if r["beam"] == beam and r["inter"] == inter
                        and r["intra"] == intra), key=lambda r: r["median_s"])
            print(f"  best: {best['label']} {best['median_s']:.2f} s (process "
                  f"{proc['seconds']:.0f} s; others used {proc['others_cpu_s']:.0f} CPU s)",
                  flush=True)
    return rows


def best_of_grid(rows: list[dict], beam: int) -> dict:
    return min((r for r in rows if r["beam"] == beam), key=lambda r: r["median_s"])


# -- report ----------------------------------------------------------------------------------


def fmt_mib(value: float) -> str:
    return f"{value:,.0f} MiB"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds (≥ 3)")
    parser.add_argument("--grid-repeat", type=int, default=2,
                        help="passes over the grid in each grid process (0: skip the grid and "
                             "use localise's settings as the limit, or --grid-from)")
    parser.add_argument("--grid-cells", metavar="LABELS",
                        help="only these grid settings (';'-separated labels of _ct2_direct.GRID,"
                             " e.g. 'async 32 ex + 1024 tok;call 64 ex'), to fit a time budget")
    parser.add_argument("--grid-from", type=Path, help="reuse the grid of an earlier JSON result")
    parser.add_argument("--only", action="append", default=[], metavar="SLUG",
                        help=f"only this shipped article, e.g. {QUICK_ARTICLE}")
    parser.add_argument("--articles", type=int, default=0, metavar="N",
                        help="N generated articles (pipeline_bench's corpus) instead of the "
                             "shipped ones: a larger job, where fixed costs weigh less")
    parser.add_argument("--words", type=int, default=800,
                        help="with --articles: words per generated article (about)")
    parser.add_argument("--variant", action="append", default=[], metavar="NAME=SETTING",
                        type=lambda v: tuple(v.split("=", 1)),
                        help="also localise with one more [translate] line, e.g. "
                             "'b16=max_batch_size = 16': contenders L4-NAME and L1-NAME")
    parser.add_argument("--skip", action="append", default=[], metavar="KEY",
                        help="leave out a contender (keys: L4 L1 P A4 A4t A1t D4 D1 X4 X1)")
    parser.add_argument("--argos-beam1", action="store_true",
                        help="also argostranslate per call at beam 1 (tuned threads): A1t")
    parser.add_argument("--quiet", type=float, default=0.3, metavar="CORES",
                        help="before the grid and each round, wait until other processes use "
                             "at most this many cores over 5 s (default 0.3; negative: never)")
    parser.add_argument("--noise", type=float, default=0.1, metavar="CORES",
                        help="a run during which other processes used more than this many "
                             "cores on average is discarded and run again after a quiet spell")
    parser.add_argument("--retries", type=int, default=3, help="reruns of a noisy run")
    parser.add_argument("--max-wait", type=float, default=900,
                        help="longest wait for a quiet machine, seconds (then run anyway)")
    parser.add_argument("--model-vocab", type=int, default=_real_model.MODEL_VOCAB)
    parser.add_argument("--length-ratio", type=float, default=_real_model.LENGTH_RATIO)
    parser.add_argument("--quick", action="store_true",
                        help=f"smoke test: {QUICK_ARTICLE} only, 1 round, 1 grid pass, "
                             "grid with inter 2 intra 1 only")
    parser.add_argument("--out", type=Path, help="JSON result (default benchmarks/out/"
                        "translate_real_bench.json, -quick.json with --quick)")
    args = parser.parse_args()
    # a SIGTERM still removes the temporary folder
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    grid_threads = GRID_THREADS
    if args.quick:
        args.only = args.only or [QUICK_ARTICLE]
        args.rounds = 1
        args.grid_repeat = min(args.grid_repeat, 1)
        grid_threads = [(2, 1, None)]
    if args.grid_cells:
        wanted = [c.strip() for c in args.grid_cells.split(";") if c.strip()]
        known = {_ct2_direct.label(*g) for g in _ct2_direct.GRID}
        if unknown := [c for c in wanted if c not in known]:
            parser.error(f"--grid-cells: unknown {unknown}; known: {sorted(known)}")
        grid_threads = [(inter, intra, [c for c in (cells or wanted) if c in wanted])
                        for inter, intra, cells in grid_threads]
        grid_threads = [g for g in grid_threads if g[2]]
    if args.out is None:
        args.out = OUT / ("translate_real_bench-quick.json" if args.quick
                          else "translate_real_bench.json")
    cores = os.cpu_count() or 1

    machine = {"nproc": cores, "python": platform.python_version(),
               "platform": platform.platform(), "loadavg_at_start": os.getloadavg(),
               "code": _corpus.git_describe()}
    print(f"machine: {cores} cores, Python {machine['python']}, load average "
          f"{'/'.join(f'{x:.2f}' for x in machine['loadavg_at_start'])} at start; "
          f"localise {machine['code']}")
    archive, facts = _real_model.cached_package(model_vocab=args.model_vocab,
                                                length_ratio=args.length_ratio, subprocess=True)
    files = facts["files"]
    print(f"model: {archive.name} ({'cached' if facts['cached'] else 'built'}), "
          f"{facts['layers'][0]}+{facts['layers'][1]} layers, d_model {facts['d_model']}, "
          f"{facts['heads']} heads, FFN {facts['ffn']}, int8; SentencePiece BPE "
          f"{facts['sentencepiece']['pieces']:,} pieces, model vocabulary "
          f"{facts['model_vocabulary']:,} (shared); model.bin "
          f"{files['model/model.bin'] / 1e6:.1f} MB, archive {facts['archive_bytes'] / 1e6:.1f} MB;"
          f" length ratio {facts['length_ratio']}")

    with tempfile.TemporaryDirectory(prefix="localise-real-bench-") as tmp:
        root = Path(tmp)
        packages = root / "argos-packages"
        packages.mkdir()
        env = bench_env(root / "sandbox", packages)
        pristine = root / "pristine"
        make_project(pristine, packages, args.only, generated=args.articles, words=args.words)
        cli = str(BIN / "localise")
        run([cli, "-C", str(pristine), "models", "install", str(archive)], env=env)
        run([cli, "-C", str(pristine), "extract"], env=env)
        run([cli, "-C", str(pristine), "update", "--lang", TARGET], env=env)
        (package_dir,) = [p for p in packages.iterdir() if p.is_dir()]

        # -- what each contender sends (untimed, recorded) --
        import sentencepiece

        sp = sentencepiece.SentencePieceProcessor(
            model_file=str(package_dir / "sentencepiece.model"))
        recorded: dict[str, Any] = {}
        summaries: dict[str, dict[str, Any]] = {}
        for beam in (4, 1):
            work = root / "record"
            fresh_copy(pristine, work)
            log = record(["localise", *localise_cmd(work, beam)[1:]], root / f"rec-L{beam}.json",
                         env)
            recorded[f"L{beam}"] = log
            summaries[f"L{beam}"] = calls_summary(log)
        pieces = piece_lists(recorded["L4"])
        if sorted(map(tuple, pieces)) != sorted(map(tuple, piece_lists(recorded["L1"]))):
            sys.exit("translate_real_bench: localise sent different pieces at beam 1 and 4")
        expected = sum(_real_model.expected_tokens(len(p), facts["length_ratio"])
                       for p in pieces)
        pieces_file = root / "pieces.json"
        pieces_file.write_text(json.dumps({"pieces": pieces}, ensure_ascii=False), "utf-8")
        texts = [sp.decode_pieces(p) for p in pieces]
        texts_file = root / "texts.json"
        texts_file.write_text(json.dumps(texts, ensure_ascii=False), encoding="utf-8")
        loop = str(HERE / "_argos_loop.py")
        same_pieces: bool | None = None
        argos_skipped = set(args.skip) | (set() if args.argos_beam1 else {"A1t"})
        if {"A4", "A4t", "A1t"} - argos_skipped:  # else: no argostranslate run, untimed either
            log = record(["_argos_loop", "--units", str(texts_file), "--out",
                          str(root / "rec-A4-out.json")], root / "rec-A4.json", env)
            summaries["A4"] = calls_summary(log)
            same_pieces = sorted(map(tuple, piece_lists(log))) == sorted(map(tuple, pieces))
            # argostranslate as a user would call it: the raw msgids, one translate() per unit
            raw_units = list(dict.fromkeys(
                u for ids in translate_bench.pending_units(pristine).values() for u in ids))
            raw_file = root / "raw-units.json"
            raw_file.write_text(json.dumps(raw_units, ensure_ascii=False), encoding="utf-8")
            log = record(["_argos_loop", "--units", str(raw_file), "--out",
                          str(root / "rec-raw-out.json")], root / "rec-raw.json", env)
            summaries["A4raw"] = calls_summary(log)
            summaries["A4raw"]["translate_calls"] = len(raw_units)
        print(f"localise sends {len(pieces)} distinct sentences, {sum(map(len, pieces)):,} "
              f"pieces; expected generated tokens {expected:,}; argostranslate over the same "
              f"texts sends {_same(same_pieces)} pieces")

        # -- the grid --
        if args.quiet >= 0 and not args.grid_from and args.grid_repeat > 0:
            wait_until_quiet(args.quiet, args.max_wait)
        if args.grid_from:
            grid = json.loads(args.grid_from.read_text("utf-8"))["grid"]
        elif args.grid_repeat > 0:
            grid = run_grid(package_dir, pieces_file, env, root, beams=[4, 1],
                            threads=grid_threads, repeat=args.grid_repeat,
                            noise=args.noise, retries=args.retries if args.quiet >= 0 else 0,
                            max_wait=args.max_wait)
        else:
            grid = []
        limits = {}
        for beam in (4, 1):
            if grid:
                best = best_of_grid(grid, beam)
                limits[beam] = {k: best[k] for k in ("mode", "batch_type", "size", "inter",
                                                     "intra", "label")}
            else:
                limits[beam] = {"mode": "async", "batch_type": "localise", "size": 0,
                                "inter": cores, "intra": 1, "label": "async 32 ex + 1024 tok"}

        # -- contenders --
        tuned = {"ARGOS_INTER_THREADS": str(cores), "ARGOS_INTRA_THREADS": "1"}

        def direct(beam: int, s: dict[str, Any]) -> list[str]:
            return [sys.executable, str(HERE / "_ct2_direct.py"), "--model", str(package_dir),
                    "--input", str(pieces_file), "--out", str(root / "direct.json"),
                    "--beam-size", str(beam), "--inter", str(s["inter"]), "--intra",
                    str(s["intra"]), "--mode", s["mode"], "--batch-type", s["batch_type"],
                    "--max-batch-size", str(s["size"])]

        localise_settings = {"mode": "async-desc", "batch_type": "localise", "size": 0,
                             "inter": cores, "intra": 1}
        contenders: list[dict[str, Any]] = [
            {"key": "L4", "label": "localise translate, beam 4", "kind": "localise", "beam": 4},
            {"key": "L1", "label": "localise translate, beam 1", "kind": "localise", "beam": 1},
            {"key": "P", "label": "localise translate --engine pseudo (no model: the CLI's own "
             "cost)", "kind": "localise", "beam": 1, "engine": "pseudo"},
            {"key": "A4", "label": "argostranslate per call, beam 4, default threads "
             "(inter 1, intra 0)", "kind": "argos", "beam": 4, "env": {}},
            {"key": "A4t", "label": f"argostranslate per call, beam 4, inter {cores} intra 1",
             "kind": "argos", "beam": 4, "env": tuned},
            {"key": "A1t", "label": f"argostranslate per call, beam 1, inter {cores} intra 1",
             "kind": "argos", "beam": 1, "env": tuned},
            {"key": "D4", "label": "CT2 direct, localise's settings, beam 4", "kind": "direct",
             "beam": 4, "settings": localise_settings},
            {"key": "D1", "label": "CT2 direct, localise's settings, beam 1", "kind": "direct",
             "beam": 1, "settings": localise_settings},
            {"key": "X4", "label": f"CT2 direct, the limit, beam 4: {limits[4]['label']}, "
             f"inter {limits[4]['inter']} intra {limits[4]['intra']}", "kind": "direct",
             "beam": 4, "settings": limits[4]},
            {"key": "X1", "label": f"CT2 direct, the limit, beam 1: {limits[1]['label']}, "
             f"inter {limits[1]['inter']} intra {limits[1]['intra']}", "kind": "direct",
             "beam": 1, "settings": limits[1]},
        ]
        for name, line in args.variant:  # localise with one more [translate] setting
            for beam in (4, 1):
                contenders.insert(
                    [c["key"] for c in contenders].index(f"L{beam}") + 1,
                    {"key": f"L{beam}-{name}", "label": f"localise translate, beam {beam}, "
                     f"{line}", "kind": "localise", "beam": beam, "config": line})
        skip = set(args.skip) | (set() if args.argos_beam1 else {"A1t"})
        contenders = [c for c in contenders if c["key"] not in skip]
        for c in contenders:
            c["runs"] = []

        def run_contender(c: dict[str, Any]) -> dict[str, Any]:
            beam = c["beam"]
            if c["kind"] == "localise":
                work = root / "work"
                fresh_copy(pristine, work)
                if c.get("config"):  # [translate] is the last table of the project's config
                    with open(work / "localise.toml", "a", encoding="utf-8") as toml:
                        toml.write(c["config"] + "\n")
                engine = c.get("engine", "argos")
                r = run(localise_cmd(work, beam, engine), env=env)
                summary = json.loads(r["stdout"])["languages"][TARGET]
                if summary["cached"] or (engine == "argos" and summary["sent"] != len(pieces)):
                    sys.exit(f"translate_real_bench: unexpected localise summary {summary}")
                r["summary"] = {k: summary.get(k) for k in ("units", "segments", "sent",
                                                           "cached", "filled", "flagged")}
                r["generated"] = summaries[f"L{beam}"]["generated"] if engine == "argos" else None
            elif c["kind"] == "argos":
                cmd = [sys.executable, loop, "--units", str(texts_file), "--out",
                       str(root / "argos.json")]
                if beam != 4:
                    cmd += ["--beam-size", str(beam)]
                r = run(cmd, env={**env, **c["env"]})
                inner = json.loads((root / "argos.json").read_text("utf-8"))
                r.update({k: inner[k] for k in ("import_s", "load_s", "loop_s",
                                                "sentences")})
                r["generated"] = summaries["A4"]["generated"] if beam == 4 else None
            else:
                r = run(direct(beam, c["settings"]), env=env)
                inner = json.loads((root / "direct.json").read_text("utf-8"))
                r.update({k: inner[k] for k in ("import_s", "load_s", "translate_s",
                                                "generated", "calls")})
            del r["stdout"], r["stderr"]
            return r

        for rnd in range(args.rounds):
            others = wait_until_quiet(args.quiet, args.max_wait) if args.quiet >= 0 else None
            load = os.getloadavg()[0]
            print(f"round {rnd + 1}/{args.rounds} (load {load:.2f}"
                  + (f", others using {others:.2f} cores" if others is not None else "") + "):",
                  flush=True)
            # every other round in the reverse order (A B … B A): a machine that speeds up or
            # slows down over minutes favours no contender across a pair of rounds
            for c in contenders if rnd % 2 == 0 else contenders[::-1]:
                for attempt in range(args.retries + 1):
                    r = run_contender(c)
                    noisy = r["others_cpu_s"] > args.noise * r["seconds"]
                    if not noisy or attempt == args.retries or args.quiet < 0:
                        break
                    print(f"  {c['key']:<9} {r['seconds']:7.2f} s  discarded: others used "
                          f"{r['others_cpu_s']:.1f} CPU s", flush=True)
                    c.setdefault("discarded", []).append(
                        {k: r[k] for k in ("seconds", "others_cpu_s", "rss_mib")})
                    wait_until_quiet(args.quiet, args.max_wait)
                r["load_before"] = load
                c["runs"].append(r)
                print(f"  {c['key']:<9} {r['seconds']:7.2f} s  {r['rss_mib']:6.0f} MiB  "
                      f"user {r['user_s']:6.2f} s  sys {r['sys_s']:5.2f} s  "
                      f"others {r['others_cpu_s']:5.2f} s", flush=True)
                load = os.getloadavg()[0]
        load_end = os.getloadavg()
        own_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    # -- report --
    sentences = len(pieces)
    by_key = {c["key"]: c for c in contenders}
    for c in contenders:
        secs = [r["seconds"] for r in c["runs"]]
        c["min_s"], c["median_s"], c["max_s"] = min(secs), statistics.median(secs), max(secs)
        c["rss_mib"] = max(r["rss_mib"] for r in c["runs"])
        c["others_cpu_s"] = max(r["others_cpu_s"] for r in c["runs"])
        c["cpu_median_s"] = statistics.median(r["user_s"] + r["sys_s"] for r in c["runs"])
        c["generated"] = c["runs"][0]["generated"]
        if c["kind"] == "localise" and c.get("config"):
            c["calls"] = "?"  # a variant's calls are not recorded
        elif c["kind"] == "localise":
            c["calls"] = (summaries[f"L{c['beam']}"]["translate_batch_calls"]
                          if c.get("engine", "argos") == "argos" else 0)
        elif c["kind"] == "argos":
            c["calls"] = summaries["A4"]["translate_batch_calls"]
        else:
            c["calls"] = c["runs"][0]["calls"]
    print()
    print(f"{sentences} sentences ({sum(map(len, pieces)):,} source pieces) from "
          f"{summaries['L4']['examples']} examples localise sends; {args.rounds} alternating "
          f"round(s); load average at end {'/'.join(f'{x:.2f}' for x in load_end)}")
    print(f"peak RSS is each child's own ru_maxrss (os.wait4); it cannot be below this "
          f"script's own peak, {own_rss:.0f} MiB, which a child inherits as a floor")
    head = (f"{'':<10}{'process':<66} {'wall min':>9} {'median':>9} {'spread':>7} "
            f"{'sent/s':>7} {'tokens':>7} {'calls':>6} {'peak RSS':>10} {'CPU':>8} "
            f"{'others':>7}")
    print(head)
    print("-" * len(head))
    for c in contenders:
        spread = (c["max_s"] - c["min_s"]) / c["min_s"]
        tokens = f"{c['generated']:,}" if c["generated"] is not None else "?"
        print(f"{c['key']:<10}{c['label'][:66]:<66} {c['min_s']:7.2f} s {c['median_s']:7.2f} s "
              f"{spread:6.0%} {sentences / c['min_s']:7.1f} {tokens:>7} {c['calls']:>6} "
              f"{fmt_mib(c['rss_mib']):>10} {c['cpu_median_s']:6.2f}s {c['others_cpu_s']:6.1f}s")
    print("-" * len(head))
    print("spread: (max − min) ÷ min over the rounds; CPU: median user + sys of the process; "
          "others: most CPU seconds the rest of the machine used during one run of it")
    discarded = {c["key"]: len(c.get("discarded", [])) for c in contenders if c.get("discarded")}
    if discarded:
        print(f"discarded as noisy (others > {args.noise} cores) and run again: {discarded}")
    gens = {c["generated"] for c in contenders if c["generated"] is not None}
    print(f"generated tokens: expected {expected:,} (Σ ceil({facts['length_ratio']} × pieces)); "
          f"contenders: {', '.join(sorted(f'{g:,}' for g in gens))} → "
          f"{'EQUAL' if gens == {expected} else 'NOT EQUAL'}")

    ratios: dict[str, float] = {}

    def ratio(name: str, num: str, den: str, text: str) -> None:
        """The ratio of the two medians, and the median of the rounds' own ratios (each round's
        pair ran minutes apart at most, so the machine's drift between rounds cancels)."""
        if num in by_key and den in by_key:
            value = by_key[num]["median_s"] / by_key[den]["median_s"]
            rounds = [a["seconds"] / b["seconds"]
                      for a, b in zip(by_key[num]["runs"], by_key[den]["runs"], strict=True)]
            ratios[name] = value
            ratios[f"{name}_paired"] = statistics.median(rounds)
            print(f"  {text:<66} {value:6.2f}×  rounds: median {statistics.median(rounds):.2f}×"
                  f" ({min(rounds):.2f}–{max(rounds):.2f})")

    print("ratios (of the medians; rounds: median, min–max of each round's own ratio):")
    ratio("argos_default_over_localise_b4", "A4", "L4",
          "argostranslate per call (default threads) ÷ localise, beam 4")
    ratio("argos_tuned_over_localise_b4", "A4t", "L4",
          "argostranslate per call (tuned threads) ÷ localise, beam 4")
    ratio("argos_tuned_over_localise_b1", "A1t", "L1",
          "argostranslate per call (tuned threads) ÷ localise, beam 1")
    ratio("limit_over_localise_b4", "X4", "L4", "localise vs the limit, beam 4 (limit ÷ ours; "
          "target ≥ 0.95)")
    ratio("limit_over_localise_b1", "X1", "L1", "localise vs the limit, beam 1 (limit ÷ ours; "
          "target ≥ 0.95)")
    if "P" in by_key and "L1" in by_key and "D1" in by_key:
        gap = by_key["L1"]["median_s"] - by_key["D1"]["median_s"]
        print(f"  {'localise beam 1 − CT2 direct same settings (s); pseudo-engine run (s)':<66} "
              f"{gap:6.2f}  {by_key['P']['median_s']:5.2f}")
    ratio("direct_same_settings_over_localise_b4", "D4", "L4",
          "CT2 direct with localise's settings ÷ localise, beam 4")
    ratio("direct_same_settings_over_localise_b1", "D1", "L1",
          "CT2 direct with localise's settings ÷ localise, beam 1")
    ratio("limit_over_same_settings_b4", "X4", "D4", "limit ÷ CT2 direct with localise's "
          "settings, beam 4")
    ratio("limit_over_same_settings_b1", "X1", "D1", "limit ÷ CT2 direct with localise's "
          "settings, beam 1")
    for beam in (4, 1):
        key = f"limit_over_localise_b{beam}"
        if key in ratios:
            both = (ratios[key], ratios[f"{key}_paired"])
            print(f"target beam {beam}: {both[0]:.2f} (medians), {both[1]:.2f} (rounds) → "
                  f"{'MET' if min(both) >= 0.95 else 'NOT MET'}")

    if grid:
        print()
        print("grid (translate time inside one process per thread setting and beam; "
              "min and median of the passes):")
        print(f"  {'beam':>4} {'inter':>5} {'intra':>5}  {'setting':<26} {'min':>7} "
              f"{'median':>7} {'CPU':>7} {'calls':>5} {'tokens':>7} {'others':>7}")
        for row in sorted(grid, key=lambda r: (-r["beam"], r["median_s"])):
            mark = " ← limit" if row["label"] == limits[row["beam"]]["label"] and \
                row["inter"] == limits[row["beam"]]["inter"] and \
                row["intra"] == limits[row["beam"]]["intra"] else ""
            print(f"  {row['beam']:>4} {row['inter']:>5} {row['intra']:>5}  {row['label']:<26} "
                  f"{row['min_s']:6.2f}s {row['median_s']:6.2f}s "
                  f"{statistics.median(row.get('cpu_s') or [0]):6.2f}s {row['calls']:>5} "
                  f"{row['generated']:>7,} {max(row.get('others_cpu_s') or [0]):6.1f}s{mark}")

    print()
    units = by_key["L4"]["runs"][0]["summary"]["units"] if "L4" in by_key else None
    s4 = summaries["L4"]
    print("model calls:")
    print(f"  localise: {units} units → {sentences} distinct sentences sent once each, "
          f"{s4['translate_batch_calls']} translate_batch calls (examples per call "
          f"{s4['examples_per_call']}), asynchronous; per unit "
          f"{sentences / units:.2f} sentences, {s4['translate_batch_calls'] / units:.3f} calls"
          if units else "  localise: not run")
    if "A4" in summaries:
        a4 = summaries["A4"]
        print(f"  argostranslate per call over the same sentences: {sentences} translate() calls → "
              f"{a4['translate_batch_calls']} translate_batch calls, {a4['examples']} sentences "
              f"(max_batch_size {a4['options'].get('max_batch_size')} "
              f"{a4['options'].get('batch_type')}), {a4['generated']:,} tokens")
        raw = summaries["A4raw"]
        print(f"  argostranslate as a user would call it, raw msgids (untimed): "
              f"{raw['translate_calls']} translate() calls → {raw['translate_batch_calls']} "
              f"translate_batch calls, {raw['examples']} sentences, {raw['source_pieces']:,} "
              f"source pieces (markup and URLs not protected), {raw['generated']:,} tokens; per "
              f"unit {raw['examples'] / raw['translate_calls']:.2f} sentences, "
              f"{raw['translate_batch_calls'] / raw['translate_calls']:.2f} calls")
    for beam in (4, 1):
        key = f"X{beam}"
        if key in by_key:
            print(f"  the limit at beam {beam}: {by_key[key]['calls']} translate_batch call(s)")

    result = {
        "benchmark": "translate_real_bench",
        "date": dt.datetime.now().isoformat(timespec="seconds"),
        "machine": machine, "loadavg_at_end": load_end, "argv": sys.argv[1:],
        "bench_own_rss_mib": own_rss,
        "model": facts, "only": args.only, "articles": args.articles, "words": args.words,
        "rounds": args.rounds,
        "sentences": sentences, "source_pieces": sum(map(len, pieces)),
        "expected_generated": expected, "argos_same_pieces": same_pieces,
        "recorded": summaries, "limits": limits, "grid": grid,
        "contenders": [{k: v for k, v in c.items()} for c in contenders],
        "ratios": ratios,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
