"""``localise translate`` in one process against the Ray executor, same project, same model.

Setup (untimed): a project with ``--copies`` copies of the shipped articles (copy 0 as
shipped, each other copy with words varied on every line, so no copy repeats another's
sentences; ``_corpus.vary_article``), ``languages = ["ja"]``, ``[translate] packages_dir``
holding an en→ja package, then ``models install``, ``extract``, ``update``. The package is the
argos-shaped random-weight model of ``_real_model.py`` (``--model real``, the default: 6+6
layers, d_model 512, int8, its output length fixed by its input, so every contender decodes
the same tokens) or the tiny copy model of the tests (``--model tiny``: overheads only).

Contenders, each a whole process (wall clock around it; peak RSS of that process alone, by
``os.wait4``: Ray's workers are not its children and are not counted), run in alternating
rounds (each contender once per round, same order), every run on a fresh copy of the prepared
project with no ``.localise/cache``:

* ``local``: ``localise -C P translate --lang ja --engine argos --beam-size B --json``;
* ``ray (start)``: the same with ``--executor ray``: the process starts a Ray cluster on this
  machine (all its CPUs), its actors, and shuts it down, all inside the timing;
* ``ray=HEAD``: the same with ``--executor ray=127.0.0.1:PORT`` against a cluster started
  once, before the rounds, with ``ray start --head --block`` (untimed; stopped after, by its
  process group). Each run still starts its own actors (a Ray job's actors end with it).

Both Ray contenders use one actor per CPU, single-threaded; ``local`` uses one CTranslate2
worker per CPU in one process: the same cores, the same decoding work. Every run's
catalogues are compared with the first ``local`` run's, byte for byte. Everything runs in a
temporary HOME with Ray's usage reports off and the cluster's node address 127.0.0.1.

Reported: wall min and median per contender, their ratio to ``local``, batches and workers
(from ``translate --json``), peak RSS of the ``localise`` process. JSON in ``benchmarks/out``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import _corpus
import _real_model
import translate_real_bench as real

REPO = _corpus.REPO
BIN = Path(sys.executable).parent
OUT = REPO / "benchmarks" / "out"
TARGET = "ja"


def make_project(dest: Path, packages: Path, copies: int) -> int:
    """``copies`` varied copies of the shipped articles under ``source/copy-K/``; articles."""
    articles = sorted(_corpus.SHIPPED_SOURCE.rglob("*.md"))
    _corpus.varied_copies(dest / "source", copies)
    (dest / "localise.toml").write_text(
        f'languages = ["{TARGET}"]\n\n[translate]\n'
        f"packages_dir = {json.dumps(str(packages))}\n", encoding="utf-8")
    return copies * len(articles)


def package(model: str, root: Path) -> Path:
    if model == "real":
        archive, _ = _real_model.cached_package(subprocess=True)
        return archive
    sys.path.insert(0, str(REPO / "tests"))
    from support.tiny_argos import build_copy_package

    return build_copy_package(root / "tiny", from_code="en", to_code=TARGET)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_head(env: dict[str, str], cpus: int, root: Path) -> tuple[subprocess.Popen[bytes], int]:
    """``ray start --head --block`` in its own process group, with its own temporary folder
    (so the address it records is never found by another ``ray.init`` on this machine);
    wait until its port answers."""
    port = free_port()
    log = root / "head.log"
    cmd = [str(BIN / "ray"), "start", "--head", "--block", f"--port={port}",
           f"--num-cpus={cpus}", "--include-dashboard=false", "--node-ip-address=127.0.0.1",
           "--disable-usage-stats", f"--temp-dir={root / 'ray'}"]
    with log.open("wb") as out:
        head = subprocess.Popen(cmd, env=env, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if head.poll() is not None:
            sys.exit(f"ray_bench: `ray start --head` exited {head.returncode}:\n"
                     f"{log.read_text()[-3000:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                break
        except OSError:
            time.sleep(0.5)
    else:
        stop_head(head)
        sys.exit("ray_bench: the Ray head did not open its port within 120 s")
    time.sleep(2)  # the raylet registers after the GCS port opens
    return head, port


def stop_head(head: subprocess.Popen[bytes]) -> None:
    """Stop the head and everything it started: its own process group, nothing else."""
    for sig, wait in ((signal.SIGTERM, 20), (signal.SIGKILL, 10)):
        try:
            os.killpg(head.pid, sig)
        except ProcessLookupError:
            return
        try:
            head.wait(timeout=wait)
            time.sleep(1)
        except subprocess.TimeoutExpired:
            continue


def catalogues(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted((root / "locales").rglob("*.po"))}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--model", choices=["real", "tiny"], default="real")
    parser.add_argument("--copies", type=int, default=2, help="copies of the shipped articles")
    parser.add_argument("--beam", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--no-head", action="store_true",
                        help="skip the contender against a running `ray start --head` cluster")
    args = parser.parse_args()
    cpus = os.cpu_count() or 1
    root = Path(tempfile.mkdtemp(prefix="ray-bench-"))
    head = None
    try:
        archive = package(args.model, root)
        packages = root / "packages"
        env = real.bench_env(root / "sandbox", packages, RAY_USAGE_STATS_ENABLED="0")
        pristine = root / "pristine"
        articles = make_project(pristine, packages, args.copies)
        for step in (["models", "install", str(archive)], ["extract"], ["update"]):
            real.run([str(BIN / "localise"), "-C", str(pristine), *step], env=env)
        base = [str(BIN / "localise"), "-C", "{P}", "translate", "--lang", TARGET, "--engine",
                "argos", "--beam-size", str(args.beam), "--json"]
        contenders: dict[str, list[str]] = {"local": [], "ray (start)": ["--executor", "ray"]}
        if not args.no_head:
            head, port = start_head(env, cpus, root)
            contenders[f"ray=HEAD ({cpus} CPUs)"] = ["--executor", f"ray=127.0.0.1:{port}"]
        # untimed: bytecode written, page cache warm, Ray's first start paid
        for extra in contenders.values():
            real.fresh_copy(pristine, root / "work")
            real.run([a.replace("{P}", str(root / "work")) for a in base] + extra, env=env)
        runs: dict[str, list[dict[str, Any]]] = {name: [] for name in contenders}
        reference: dict[str, bytes] | None = None
        for n in range(args.rounds):
            for name, extra in contenders.items():
                work = root / "work"
                real.fresh_copy(pristine, work)
                done = real.run([a.replace("{P}", str(work)) for a in base] + extra, env=env)
                summary = json.loads(done["stdout"])["languages"][TARGET]
                found = catalogues(work)
                reference = reference or found
                if found != reference:
                    sys.exit(f"ray_bench: {name} wrote other catalogues than local")
                runs[name].append({"seconds": done["seconds"], "rss_mib": done["rss_mib"],
                                   "sent": summary["sent"], "batches": summary["batches"],
                                   "workers": len(summary["workers"])})
                print(f"  round {n + 1} {name}: {done['seconds']:.2f} s", flush=True)
    finally:
        if head is not None:
            stop_head(head)
        shutil.rmtree(root, ignore_errors=True)

    local = runs["local"]
    lo_min = min(r["seconds"] for r in local)
    lo_med = statistics.median(r["seconds"] for r in local)
    print(f"\n{articles} articles, {local[0]['sent']} sentences sent, model {args.model}, beam "
          f"{args.beam}, {args.rounds} alternating rounds, {cpus} CPUs; catalogues identical\n")
    print("| process | wall min | wall median | min ÷ local | median ÷ local | batches | "
          "workers | peak RSS |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    table = []
    for name, found in runs.items():
        seconds = [r["seconds"] for r in found]
        row = {"process": name, "min": min(seconds), "median": statistics.median(seconds),
               "batches": found[0]["batches"], "workers": found[0]["workers"],
               "rss_mib": max(r["rss_mib"] for r in found)}
        table.append(row)
        print(f"| {name} | {row['min']:.2f} s | {row['median']:.2f} s | "
              f"{row['min'] / lo_min:.2f}× | {row['median'] / lo_med:.2f}× | {row['batches']} | "
              f"{row['workers']} | {row['rss_mib']:.0f} MB |")
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "ray_bench.json").write_text(json.dumps({
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "commit": _corpus.git_describe(), "machine": platform.platform(), "cpus": cpus,
        "args": vars(args), "articles": articles, "table": table, "runs": runs,
    }, indent=2), "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
