"""``localise translate --engine apertium`` against direct apertium set-ups on the same sentences.

Setup (untimed): a temporary project with ``--copies`` copies of the shipped ``source/``
(copy 0 as shipped, the others with words varied so their sentences differ, as in
``translate_bench.py``), the shipped glossary's ``*`` and ``es`` rows, ``languages = ["es"]``,
``es = "apertium"``; ``localise extract`` and ``update``. Each round runs ``localise translate
--lang es --engine apertium --json`` on a fresh copy of it (no ``.localise/cache``) through
this script's ``--wrap`` mode (localise's own ``main`` with ``ApertiumEngine.translate``
timed and its batches written down), so a round gives the whole process's wall and CPU and
the time localise waited on the engine. The first round's batches are what the direct
contenders translate, each in a process of its own that times only the apertium work:

* ``per-sentence``: one ``apertium -u -f html eng-spa`` process per sentence (the naive loop);
* ``per-batch``: one fresh process per localise batch, as the engine did before;
* ``per-batch, started ahead``: the same, each batch's process started while the batch before
  it runs (the first as the loop starts), as the engine now does;
* ``one process``: every sentence in one document through one process (one long-lived
  process with block separators);
* ``null-flush``: one long-lived pipeline, the mode's programs in null-flush mode
  (``apertium-wblank-mode -z``) started once, each batch cut by ``tf-extract -f html`` and put
  back by ``tf-inject``, batches sent one after the other with ``\\0`` separators. (Not
  ``apertium -z -f none``: that script wraps the pipeline in two ``gawk`` filters whose
  record separator ``\\0|\\n`` holds the last record until more input comes, so it never
  answers a batch before the next one is sent.)

Two more rows run localise itself: as it is (each call's process started ahead, see the
engine's docstring: ``prepare`` starts the process before the call comes) and
with starting ahead turned off (``--no-prestart``: no ``prepare``), to show what it buys.

Contenders run in alternating rounds (each once per round, same order); before each run
the benchmark waits (``--quiet``, up to ``--max-wait``) until the rest of the machine uses
few cores. Wall by ``time.perf_counter``; CPU is user + sys of the process and every child it
waited for; "others' cores" is what the rest of the machine used meanwhile (``/proc/stat``
busy time less the process's CPU, over its wall), the noise of a shared machine. "apertium
time" is, for localise, the time its ``translate`` calls took (what localise waited on the
engine) and, for the direct set-ups, the time of their translation loop.
``sentences ≠ per-batch`` counts sentences whose output is not localise's (and so not the
per-batch output): apertium carries state from block to block inside a process, so a process
fed more than one batch writes some later sentences differently. The limit is the fastest
direct set-up by median; ``localise ÷ limit`` is the limit's time over localise's (≥ 0.95 is
the target), also given against the fastest set-up that writes the same output.
"""

from __future__ import annotations

import argparse
import datetime as dt
import html
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import _corpus
from translate_real_bench import busy_cpu_seconds, wait_until_quiet

REPO = _corpus.REPO
HERE = Path(__file__).resolve().parent
OUT = REPO / "benchmarks" / "out"
MODE = "eng-spa"
_BLOCK = re.compile(r'<p data-l10n="(\d+)">(.*?)</p>', re.DOTALL)
DIRECT = ("per-sentence", "per-batch", "per-batch, started ahead", "one process", "null-flush")
LOCALISE_NO_PRESTART = "localise, no start ahead"


# -- modes run as child processes ------------------------------------------------------------


def wrap(out: Path, argv: list[str], *, prestart: bool = True) -> int:
    """Run localise's ``main`` with the apertium engine's calls timed; write them to ``out``.

    Without ``prestart`` the engine starts its process when the call comes (no
    ``prepare``), to show what starting ahead buys."""
    from localise import cli
    from localise.engines import apertium

    if not prestart:
        del apertium.ApertiumEngine.prepare

    calls: list[dict[str, Any]] = []
    real = apertium.ApertiumEngine.translate

    def timed(self: Any, segments: Any, *, source: str, target: str) -> list[str]:
        start = time.perf_counter()
        done = real(self, segments, source=source, target=target)
        calls.append({"segments": list(segments), "outputs": done,
                      "seconds": time.perf_counter() - start})
        return done

    apertium.ApertiumEngine.translate = timed  # type: ignore[method-assign]
    status = cli.main(argv)
    out.write_text(json.dumps({"calls": calls}, ensure_ascii=False), encoding="utf-8")
    return status


def _document(lines: list[str]) -> str:
    return "".join(f'<p data-l10n="{k}">{html.escape(line.strip(), quote=False)}</p>\n'
                   for k, line in enumerate(lines))


def _blocks(raw: str, count: int) -> list[str]:
    found = _BLOCK.findall(raw)
    if [int(k) for k, _ in found] != list(range(count)):
        sys.exit(f"apertium_bench: {len(found)} blocks back for {count}")
    return [re.sub(r"[ \t]{2,}", " ", html.unescape(body)).strip() for _, body in found]


def _apertium(document: str) -> str:
    return subprocess.run(["apertium", "-u", "-f", "html", MODE], input=document, text=True,
                          encoding="utf-8", capture_output=True, check=True).stdout


class NullFlush:
    """The mode's programs started once in null-flush mode; one batch at a time."""

    def __init__(self) -> None:
        datadir = os.environ.get("APERTIUM_DATADIR", "/usr/share/apertium")
        script = subprocess.run(["apertium-wblank-mode", "-z", f"{datadir}/modes/{MODE}.mode"],
                                capture_output=True, text=True, check=True).stdout
        # $1: the generator's option (-n for -u), $2: the tagger's (none), as apertium passes
        self.proc = subprocess.Popen(["bash", "-c", script, "mode", "-n", ""],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE)

    def translate(self, document: str) -> str:
        import threading

        stream = subprocess.run(["tf-extract", "-f", "html"], input=document.encode(),
                                capture_output=True, check=True).stdout
        wanted = stream.count(b"\0")
        assert self.proc.stdin is not None and self.proc.stdout is not None
        writer = threading.Thread(target=lambda: (self.proc.stdin.write(stream),  # type: ignore[union-attr]
                                                  self.proc.stdin.flush()))  # type: ignore[union-attr]
        writer.start()
        got = bytearray()
        while got.count(b"\0") < wanted:
            chunk = os.read(self.proc.stdout.fileno(), 1 << 16)
            if not chunk:
                sys.exit("apertium_bench: the null-flush pipeline ended early")
            got += chunk
        writer.join()
        return subprocess.run(["tf-inject"], input=bytes(got), capture_output=True,
                              check=True).stdout.decode("utf-8")

    def close(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        self.proc.wait()


def direct(kind: str, batches_file: Path, out: Path) -> int:
    """Translate the recorded batches the ``kind`` way; write outputs and timing to ``out``."""
    batches: list[list[str]] = json.loads(batches_file.read_text("utf-8"))
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    outputs: list[list[str]] = []
    if kind == "per-sentence":
        outputs = [[_blocks(_apertium(_document([s])), 1)[0] for s in b] for b in batches]
    elif kind == "per-batch":
        outputs = [_blocks(_apertium(_document(b)), len(b)) for b in batches]
    elif kind == "per-batch, started ahead":
        command = ["apertium", "-u", "-f", "html", MODE]
        ahead = [subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  text=True, encoding="utf-8")]
        for k, b in enumerate(batches):
            if k + 1 < len(batches):
                ahead.append(subprocess.Popen(command, stdin=subprocess.PIPE,
                                              stdout=subprocess.PIPE, text=True,
                                              encoding="utf-8"))
            outputs.append(_blocks(ahead[k].communicate(_document(b))[0], len(b)))
    elif kind == "one process":
        flat = [s for b in batches for s in b]
        done = _blocks(_apertium(_document(flat)), len(flat))
        pos = 0
        for b in batches:
            outputs.append(done[pos : pos + len(b)])
            pos += len(b)
    elif kind == "null-flush":
        pipeline = NullFlush()
        outputs = [_blocks(pipeline.translate(_document(b)), len(b)) for b in batches]
        pipeline.close()
    else:
        sys.exit(f"apertium_bench: unknown contender {kind!r}")
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    out.write_text(json.dumps({"seconds": seconds, "cpu_s": cpu, "outputs": outputs},
                              ensure_ascii=False), encoding="utf-8")
    return 0


# -- the benchmark ---------------------------------------------------------------------------


def run(cmd: list[str], *, env: dict[str, str], cwd: Path | None = None) -> dict[str, float]:
    """One whole process: wall seconds, CPU (user + sys, its waited-for children too) and the
    cores the rest of the machine used meanwhile (the noise of a shared machine)."""
    busy = busy_cpu_seconds()
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env,
                            cwd=cwd)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    others = busy_cpu_seconds() - busy - usage.ru_utime - usage.ru_stime
    err = proc.stderr.read().decode() if proc.stderr else ""
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"apertium_bench: {' '.join(cmd)} failed:\n{err[-3000:]}")
    return {"wall": wall, "cpu": usage.ru_utime + usage.ru_stime,
            "others_cores": max(0.0, others) / wall}


def make_project(dest: Path, copies: int) -> None:
    _corpus.varied_copies(dest / "source", copies)
    _corpus.shipped_glossary(dest / "locales" / "glossary.csv", "es")
    (dest / "localise.toml").write_text(
        'languages = ["es"]\n\n[translate.engines]\nes = "apertium"\n', encoding="utf-8")


def stats(values: list[float]) -> tuple[float, float]:
    return min(values), statistics.median(values)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--copies", type=int, default=1,
                        help="copies of the shipped articles (1: as shipped, one batch)")
    parser.add_argument("--skip", action="append", default=[], choices=DIRECT,
                        help="leave out a direct contender (per-sentence takes ~0.3 s a sentence)")
    parser.add_argument("--quiet", type=float, default=0.3, metavar="CORES",
                        help="before each run, wait until other processes use at most this "
                             "many cores over 5 s (default 0.3; negative: never)")
    parser.add_argument("--max-wait", type=float, default=60,
                        help="longest wait for a quiet machine, seconds (then run anyway)")
    parser.add_argument("--out", type=Path, help="JSON result (default benchmarks/out/"
                        "apertium_bench-COPIES.json)")
    parser.add_argument("--wrap", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--no-prestart", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--direct", help=argparse.SUPPRESS)
    parser.add_argument("--batches", type=Path, help=argparse.SUPPRESS)
    args, rest = parser.parse_known_args()
    if args.wrap:
        return wrap(args.wrap, rest[1:] if rest[:1] == ["--"] else rest,
                    prestart=not args.no_prestart)
    if args.direct:
        return direct(args.direct, args.batches, args.out)
    if shutil.which("apertium") is None:
        sys.exit("apertium_bench: apertium is not installed (apt-get install apertium "
                 "apertium-eng-spa)")
    out_file = args.out or OUT / f"apertium_bench-{args.copies}.json"
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPATH"] = str(REPO / "src") + (os.pathsep + env["PYTHONPATH"]
                                             if env.get("PYTHONPATH") else "")
    me = [sys.executable, str(Path(__file__).resolve())]
    print(f"machine: {os.cpu_count()} cores, load average "
          f"{'/'.join(f'{x:.2f}' for x in os.getloadavg())}; localise {_corpus.git_describe()}")
    with tempfile.TemporaryDirectory(prefix="localise-apertium-bench-") as tmp:
        root = Path(tmp)
        pristine = root / "pristine"
        make_project(pristine, args.copies)
        for command in (["extract"], ["update", "--lang", "es"]):
            run([*me, "--wrap", str(root / "setup.json"), "--", "-C", str(pristine), "-q",
                 *command], env=env)
        work = root / "work"
        rounds: dict[str, list[dict[str, float]]] = {}
        batches: list[list[str]] = []
        reference: list[list[str]] = []
        differ: dict[str, int] = {}
        contenders = ["localise", LOCALISE_NO_PRESTART,
                      *(d for d in DIRECT if d not in args.skip)]
        for number in range(args.rounds):
            for name in contenders:
                if args.quiet >= 0:
                    wait_until_quiet(args.quiet, args.max_wait)
                if name.startswith("localise"):
                    if work.exists():
                        shutil.rmtree(work)
                    shutil.copytree(pristine, work)
                    log = root / "localise.json"
                    flag = ["--no-prestart"] if name == LOCALISE_NO_PRESTART else []
                    got = run([*me, "--wrap", str(log), *flag, "--", "-C", str(work), "translate",
                               "--lang", "es", "--engine", "apertium", "--json"], env=env)
                    calls = json.loads(log.read_text("utf-8"))["calls"]
                    got["engine"] = sum(c["seconds"] for c in calls)
                    mine = [c["segments"] for c in calls]
                    outs = [c["outputs"] for c in calls]
                    if not batches:
                        batches = mine
                        (root / "batches.json").write_text(json.dumps(batches), "utf-8")
                        localise_out = outs
                    elif mine != batches or outs != localise_out:
                        sys.exit("apertium_bench: localise sent or wrote other batches")
                else:
                    if not batches:
                        sys.exit("apertium_bench: localise must run first")
                    result = root / "direct.json"
                    got = run([*me, "--direct", name, "--batches", str(root / "batches.json"),
                               "--out", str(result)], env=env)
                    data = json.loads(result.read_text("utf-8"))
                    got["engine"] = data["seconds"]
                    got["engine_cpu"] = data["cpu_s"]
                    if name == "per-batch":
                        reference = data["outputs"]
                    if number == 0:
                        differ[name] = sum(
                            a != b for x, y in zip(data["outputs"], localise_out, strict=True)
                            for a, b in zip(x, y, strict=True))
                rounds.setdefault(name, []).append(got)
                print(f"round {number + 1} {name}: wall {got['wall']:.2f} s, engine "
                      f"{got['engine']:.2f} s, CPU {got['cpu']:.2f} s, others used "
                      f"{got['others_cores']:.2f} cores", flush=True)
    sentences = sum(map(len, batches))
    if reference:
        differ["localise"] = sum(a != b for x, y in zip(localise_out, reference, strict=True)
                                 for a, b in zip(x, y, strict=True))
    rows = []
    for name in contenders:
        walls = [r["wall"] for r in rounds[name]]
        engine = [r["engine"] for r in rounds[name]]
        cpu = [r["cpu"] for r in rounds[name]]
        others = statistics.median(r["others_cores"] for r in rounds[name])
        rows.append({"name": name, "wall": stats(walls), "engine": stats(engine),
                     "cpu": statistics.median(cpu), "differ": differ.get(name, 0),
                     "others": others})
    direct_rows = [r for r in rows if not r["name"].startswith("localise")]
    limit = min(direct_rows, key=lambda r: r["engine"][1])
    same = [r for r in direct_rows if r["differ"] == 0]
    limit_same = min(same, key=lambda r: r["engine"][1]) if same else limit
    mine = rows[0]
    print(f"\n{sentences} sentences in {len(batches)} localise batch(es) "
          f"({', '.join(str(len(b)) for b in batches)}); {args.rounds} alternating rounds; "
          f"{dt.date.today()}, {_corpus.git_describe()}\n")
    print("| contender | apertium time min | median | process wall min | median | "
          "process CPU (median) | others' cores (median) | sentences ≠ per-batch |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        label = {"localise": "`localise translate` (engine calls)",
                 LOCALISE_NO_PRESTART: "`localise translate`, no start ahead"}.get(r["name"],
                                                                                 r["name"])
        print(f"| {label} | {r['engine'][0]:.2f} s | {r['engine'][1]:.2f} s | "
              f"{r['wall'][0]:.2f} s | {r['wall'][1]:.2f} s | {r['cpu']:.2f} s | "
              f"{r['others']:.2f} | {r['differ']} |")
    ratio = limit["engine"][1] / mine["engine"][1]
    ratio_min = limit["engine"][0] / mine["engine"][0]
    print(f"\nlimit: {limit['name']}; localise ÷ limit (apertium time, limit's over "
          f"localise's): {ratio:.2f} median, {ratio_min:.2f} min")
    if limit_same is not limit:
        print(f"limit among set-ups with per-batch output: {limit_same['name']}; localise ÷ "
              f"it: {limit_same['engine'][1] / mine['engine'][1]:.2f} median")
    out_file.parent.mkdir(parents=True, exist_ok=True)
    out_file.write_text(json.dumps({"rows": rows, "rounds": rounds, "sentences": sentences,
                                    "batches": [len(b) for b in batches],
                                    "limit": limit["name"], "ratio_median": ratio,
                                    "ratio_min": ratio_min, "code": _corpus.git_describe()},
                                   indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
