"""How a cold ``localise extract/update/build`` grows with the number of articles.

For each size (default 1,000, 2,000, 5,000 and 10,000 generated articles of about ``--words``
words, from the same generator as ``pipeline_bench.py``), a fresh temporary project with
``languages = ["ja", "es"]`` is extracted, updated and built, each step as its own process
(``python -m localise`` with this checkout's ``src`` first on ``PYTHONPATH``, so it measures
the code it sits beside, whatever the venv has installed). Printed per size: wall seconds per
step, seconds per 1,000 articles, and the peak resident memory of each step's largest process
(``os.wait4`` of the step's process: its own peak or that of a worker it waited for, whichever
is larger). Then the fitted exponent of time against size (least squares on the logs: 1.0 is
linear) and, per step, the RSS ratio largest/smallest size (1.0 is flat).

    .venv/bin/python benchmarks/scaling_bench.py                  # 1k, 2k, 5k, 10k
    .venv/bin/python benchmarks/scaling_bench.py --sizes 200 400  # a quick look
"""

from __future__ import annotations

import argparse
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import _corpus

SRC = _corpus.REPO / "src"
"""This checkout's package: the steps run ``python -m localise`` with it first on the path."""
STEPS = ("extract", "update", "build")


def step(project: Path, name: str) -> tuple[float, int]:
    """One step as its own process: (wall seconds, peak RSS in KiB); exit loudly on failure."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(SRC), env.get("PYTHONPATH")]))
    start = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "localise", "-q", "-C", str(project), name],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env,
    )
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode("utf-8", "replace") if proc.stderr else ""
    if proc.returncode != 0:
        sys.exit(f"scaling_bench: {name} exited {proc.returncode}\n{err[-4000:]}")
    return elapsed, usage.ru_maxrss


def exponent(sizes: list[int], seconds: list[float]) -> float:
    """The least-squares slope of log(seconds) against log(size)."""
    xs = [math.log(n) for n in sizes]
    ys = [math.log(s) for s in seconds]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sum(
        (x - mx) ** 2 for x in xs
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 2000, 5000, 10000])
    parser.add_argument("--words", type=int, default=800, help="words per article (about)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    if len(args.sizes) < 2:
        parser.error("give two sizes or more to fit an exponent")
    print(f"code {_corpus.git_describe()}, {os.cpu_count()} CPUs, load average "
          f"{os.getloadavg()[0]:.1f}, ~{args.words} words per article")
    print(f"{'articles':>9} {'words':>10} " + " ".join(f"{s:>8}" for s in STEPS)
          + f" {'total':>8} {'s/1k art':>8}  peak RSS per step")
    totals: list[float] = []
    peaks: list[list[int]] = []  # per size, per step
    for size in args.sizes:
        with tempfile.TemporaryDirectory(prefix="localise-scaling-") as tmp:
            project = Path(tmp)
            (project / "localise.toml").write_text('languages = ["ja", "es"]\n', "utf-8")
            paths = _corpus.make_corpus(
                project / "source", count=size, words=args.words, seed=args.seed
            )
            words = sum(len(p.read_text("utf-8").split()) for p in paths)
            runs = [step(project, name) for name in STEPS]
            shutil.rmtree(project / "build", ignore_errors=True)
        total = sum(seconds for seconds, _ in runs)
        totals.append(total)
        peaks.append([rss for _, rss in runs])
        print(f"{size:>9} {words:>10} " + " ".join(f"{s:>7.1f}s" for s, _ in runs)
              + f" {total:>7.1f}s {1000 * total / size:>7.2f}s  "
              + " / ".join(f"{rss / 1024:.0f}" for _, rss in runs) + " MB",
              flush=True)
    growth = ", ".join(
        f"{name} {last / first:.2f}" for name, first, last in zip(STEPS, peaks[0], peaks[-1],
                                                                  strict=True))
    print(f"fitted exponent of time against articles: {exponent(args.sizes, totals):.2f} "
          f"(1.00 = linear); peak RSS largest/smallest size: {growth} (1.00 = flat)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
