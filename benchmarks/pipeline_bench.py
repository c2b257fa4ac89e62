"""Whole-process timings of ``localise extract/update/build`` against translate-toolkit.

Generates N synthetic articles (default 500 × ~2,300 words, deterministic from ``--seed``)
by recombining and lightly varying the paragraphs, headings, lists, tables and blockquotes of
the shipped ``source/**/*.md`` articles (front matter, H1–H3, a table, blockquotes, prices
such as ``$6,500`` and dates such as ``Jan 12, 2026``), in a temporary project whose
``localise.toml`` sets ``languages = ["ja", "es"]``. Then, each step as its own process
(``subprocess.run``, wall clock with ``time.perf_counter``, best of ``--repeat``):

* ours cold: ``localise -C P extract``, ``update``, ``build`` on a fresh copy of the project
  (no ``.localise/`` state, no locales, no build);
* ours warm: the same three again with nothing changed; every file's mtime and size is
  compared before and after, and anything written is reported;
* ours after editing one article: the three again;
* translate-toolkit: ``md2po --pot -i source -o pot`` (one process over the folder),
  ``pot2po -i pot -o po-LANG`` and ``po2md -t source -i po-LANG -o out-LANG`` for each
  language (empty msgstr: po2md writes the source text, which is the same work).

Targets (from the issue): cold extract+update+build at most half of translate-toolkit's
md2po+po2md, and warm under a tenth of our own cold time.

``--profile`` instead runs our cold extract (or ``--profile-step update|build``) in this
process under cProfile (serially: the process pool is switched off so the work is visible)
and prints the top ``--top`` functions by cumulative and by own time.

translate-toolkit's Markdown support needs ``mistletoe`` (the ``translate-toolkit[markdown]``
extra), which the dev extra does not pull in. If it is missing from the venv, install it
beside the benchmark, without touching the venv::

    .venv/bin/pip install --target benchmarks/out/tt-deps 'mistletoe>=1.4,<1.7'

and the benchmark puts ``benchmarks/out/tt-deps`` on translate-toolkit's PYTHONPATH.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import io
import json
import os
import platform
import pstats
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import _corpus

REPO = _corpus.REPO
BIN = Path(sys.executable).parent
OUT = REPO / "benchmarks" / "out"
TT_DEPS = OUT / "tt-deps"
LANGS = ("ja", "es")
COLD_TARGET = 0.4
"""Cold extract + update + build at most this share of translate-toolkit's md2po + po2md."""
WARM_TARGET = 0.05
"""A warm run (nothing changed) at most this share of our cold run."""
CONFIG = 'languages = ["ja", "es"]\n'


def _tool(name: str) -> str:
    path = BIN / name
    if path.exists():
        return str(path)
    found = shutil.which(name)
    if found is None:
        sys.exit(f"pipeline_bench: {name} not found next to {sys.executable} or on PATH")
    return found


def _tt_env() -> dict[str, str] | None:
    """Environment for translate-toolkit, or None when its Markdown support is missing."""
    env = dict(os.environ)
    probe = [sys.executable, "-c", "import mistletoe"]
    if subprocess.run(probe, capture_output=True, env=env).returncode == 0:
        return env
    if TT_DEPS.is_dir():
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(TT_DEPS), env.get("PYTHONPATH")]))
        if subprocess.run(probe, capture_output=True, env=env).returncode == 0:
            return env
    return None


def run(cmd: list[str], *, env: dict[str, str] | None = None, cwd: Path | None = None) -> float:
    """Run one process to completion; return its wall time in seconds (fail loudly)."""
    return _corpus.timed(cmd, env=env, cwd=cwd, who="pipeline_bench")[0]


def snapshot(root: Path) -> dict[str, tuple[int, int]]:
    """Relative path → (mtime_ns, size) of every file under ``root``."""
    found = {}
    for folder, _, files in os.walk(root):
        for name in files:
            path = Path(folder, name)
            st = path.stat()
            found[path.relative_to(root).as_posix()] = (st.st_mtime_ns, st.st_size)
    return found


def changes(before: dict[str, tuple[int, int]], after: dict[str, tuple[int, int]]) -> list[str]:
    """Files created, deleted or rewritten between two snapshots (sorted, prefixed + - ~)."""
    out = [f"+{p}" for p in after if p not in before]
    out += [f"-{p}" for p in before if p not in after]
    out += [f"~{p}" for p in after if p in before and after[p] != before[p]]
    return sorted(out, key=lambda s: s[1:])


def make_project(dest: Path, *, count: int, words: int, seed: int) -> dict[str, float]:
    """Write the synthetic project; return corpus statistics."""
    (dest / "source").mkdir(parents=True)
    (dest / "localise.toml").write_text(CONFIG, encoding="utf-8")
    paths = _corpus.make_corpus(dest / "source", count=count, words=words, seed=seed)
    counts = [len(p.read_text("utf-8").split()) for p in paths]
    size = sum(p.stat().st_size for p in paths)
    return {"articles": len(paths), "words_total": sum(counts),
            "words_mean": sum(counts) / len(counts), "words_min": min(counts),
            "words_max": max(counts), "bytes": size}


def fresh_copy(pristine: Path, dest: Path) -> Path:
    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(pristine, dest)
    return dest


def ours(project: Path) -> dict[str, float]:
    """extract, update, build as three processes; seconds per step."""
    cli = _tool("localise")
    return {step: run([cli, "-C", str(project), step]) for step in ("extract", "update", "build")}


def edit_one(project: Path, number: int) -> Path:
    """Append a sentence to the first paragraph of one article; return the article."""
    sources = sorted((project / "source").rglob("*.md"))
    path = sources[len(sources) // 2]
    blocks = path.read_text("utf-8").split("\n\n")
    for i, block in enumerate(blocks):
        if i and block[:1].isalpha():
            blocks[i] = block + (f" Edit {number}: prices were checked again on "
                                 f"Feb {number + 1}, 2026.")
            break
    path.write_text("\n\n".join(blocks), encoding="utf-8")
    return path


def translate_toolkit(
    project: Path, env: dict[str, str], langs: tuple[str, ...]
) -> dict[str, float]:
    """md2po over the folder, then pot2po and po2md per language; seconds per step."""
    for lang in langs:
        shutil.rmtree(project / f"tt-po-{lang}", ignore_errors=True)
        shutil.rmtree(project / f"tt-out-{lang}", ignore_errors=True)
    shutil.rmtree(project / "tt-pot", ignore_errors=True)
    md2po = [_tool("md2po"), "--progress=none", "--pot", "-i", "source", "-o", "tt-pot"]
    times = {"md2po": run(md2po, env=env, cwd=project)}
    for lang in langs:
        times[f"pot2po {lang}"] = run(
            [_tool("pot2po"), "--progress=none", "-i", "tt-pot", "-o", f"tt-po-{lang}"],
            env=env, cwd=project)
        times[f"po2md {lang}"] = run(
            [_tool("po2md"), "--progress=none", "-t", "source", "-i", f"tt-po-{lang}",
             "-o", f"tt-out-{lang}"], env=env, cwd=project)
    return times


def best(runs: list[dict[str, float]]) -> dict[str, float]:
    """Per step, the fastest of several runs (and 'total' as the best whole sequence)."""
    result = {key: min(r[key] for r in runs) for key in runs[0]}
    result["total"] = min(sum(r.values()) for r in runs)
    return result


def profile_step(project: Path, step: str, top: int) -> str:
    """One of our cold steps in this process under cProfile, serially; the report as text.

    The steps before ``step`` run first, unprofiled, so that it has its inputs.
    """
    from localise import parallel
    from localise.project import Project
    from localise.stages import build, extract, update

    parallel.MIN_JOBS = 1 << 30  # run in-process so the profile sees the work
    steps = {"extract": extract.run, "update": update.run, "build": build.run}
    for name, func in steps.items():
        if name == step:
            break
        func(Project.open(project))
    profiler = cProfile.Profile()
    start = time.perf_counter()
    profiler.enable()
    report = steps[step](Project.open(project))
    profiler.disable()
    elapsed = time.perf_counter() - start
    buffer = io.StringIO()
    stats = pstats.Stats(profiler, stream=buffer)
    buffer.write(f"serial in-process {step}: {len(report.written)} files written "
                 f"in {elapsed:.2f} s (cProfile on)\n")
    stats.sort_stats("cumulative").print_stats(top)
    stats.sort_stats("tottime").print_stats(top)
    return buffer.getvalue()


def steps(times: dict[str, float]) -> str:
    return ", ".join(f"{k} {v:.2f} s" for k, v in times.items())


def fmt(seconds: float | None) -> str:
    return "—" if seconds is None else f"{seconds:8.2f} s"


def ratio(a: float | None, b: float | None) -> str:
    return "—" if a is None or b is None or b == 0 else f"{a / b:6.1f}×"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--articles", type=int, default=500, help="number of articles (500)")
    parser.add_argument("--words", type=int, default=2300, help="words per article (~2300)")
    parser.add_argument("--seed", type=int, default=2026, help="corpus seed")
    parser.add_argument("--repeat", type=int, default=1,
                        help="runs of the cold sequence and of translate-toolkit, best kept (1)")
    parser.add_argument("--warm-repeat", type=int, default=3,
                        help="runs of the warm sequence, best kept (3)")
    parser.add_argument("--quick", action="store_true", help="40 articles: under a minute")
    parser.add_argument("--no-tt", action="store_true", help="skip translate-toolkit")
    parser.add_argument("--profile", action="store_true",
                        help="profile our cold extract in-process instead of timing processes")
    parser.add_argument("--profile-step", choices=["extract", "update", "build"],
                        default="extract", help="step to profile with --profile (extract)")
    parser.add_argument("--top", type=int, default=25, help="rows of the profile (25)")
    parser.add_argument("--keep", type=Path, help="also copy the generated project here")
    parser.add_argument("--out", type=Path, help="JSON result file (default: benchmarks/"
                        "out/pipeline_bench.json; pipeline_bench-quick.json with --quick)")
    args = parser.parse_args()
    if args.out is None:
        args.out = OUT / ("pipeline_bench-quick.json" if args.quick else "pipeline_bench.json")
    if args.quick:
        args.articles = min(args.articles, 40)

    machine = {"nproc": os.cpu_count(), "python": platform.python_version(),
               "platform": platform.platform(), "loadavg_at_start": os.getloadavg(),
               "code": _corpus.git_describe()}
    print(f"machine: {machine['nproc']} cores, Python {machine['python']}, {machine['platform']}, "
          f"load average {machine['loadavg_at_start'][0]:.2f} at start")
    print(f"localise: {machine['code']}")
    with tempfile.TemporaryDirectory(prefix="localise-pipeline-bench-") as tmp:
        root = Path(tmp)
        pristine = root / "pristine"
        corpus = make_project(pristine, count=args.articles, words=args.words, seed=args.seed)
        print(f"corpus: {corpus['articles']} articles, {corpus['words_total']:,} words "
              f"(mean {corpus['words_mean']:.0f}, {corpus['words_min']}–{corpus['words_max']}), "
              f"{corpus['bytes'] / 1e6:.1f} MB, seed {args.seed}")
        if args.keep:
            shutil.rmtree(args.keep, ignore_errors=True)
            shutil.copytree(pristine, args.keep)
        if args.profile:
            print(profile_step(fresh_copy(pristine, root / "profile"), args.profile_step,
                               args.top))
            return 0

        cold_runs = []
        for i in range(args.repeat):
            project = fresh_copy(pristine, root / "ours")
            cold_runs.append(ours(project))
            print(f"  cold run {i + 1}: {steps(cold_runs[-1])}")
        cold = best(cold_runs)
        # The last cold project stays: warm runs continue from its state.
        counts = {kind: len(list((project / kind).rglob(pattern))) for kind, pattern in
                  (("locales", "*.po*"), ("build", "*.md"))}
        warm_runs, written_warm = [], []
        for i in range(args.warm_repeat):
            before = snapshot(project)
            warm_runs.append(ours(project))
            written_warm.append(changes(before, snapshot(project)))
            print(f"  warm run {i + 1}: {steps(warm_runs[-1])}; "
                  f"files changed: {len(written_warm[-1])}")
        warm = best(warm_runs)
        edit_runs, written_edit = [], []
        for i in range(args.warm_repeat):
            edited = edit_one(project, i)
            before = snapshot(project)
            edit_runs.append(ours(project))
            written_edit.append(changes(before, snapshot(project)))
            print(f"  edit run {i + 1} ({edited.relative_to(project)}): "
                  + steps(edit_runs[-1])
                  + f"; files changed: {len(written_edit[-1])}")
        edit = best(edit_runs)

        tt = None
        tt_env = None if args.no_tt else _tt_env()
        if not args.no_tt and tt_env is None:
            print("translate-toolkit skipped: its Markdown support needs mistletoe; run\n"
                  f"  {BIN / 'pip'} install --target {TT_DEPS} 'mistletoe>=1.4,<1.7'")
        elif tt_env is not None:
            tt_runs = []
            for i in range(args.repeat):
                tt_project = fresh_copy(pristine, root / "tt")
                tt_runs.append(translate_toolkit(tt_project, tt_env, LANGS))
                print(f"  translate-toolkit run {i + 1}: "
                      + steps(tt_runs[-1]))
            tt = best(tt_runs)

    # -- report ----------------------------------------------------------------------------
    first = LANGS[0]
    tt_update = sum(tt[f"pot2po {lang}"] for lang in LANGS) if tt else None
    tt_build = sum(tt[f"po2md {lang}"] for lang in LANGS) if tt else None
    tt_issue = tt["md2po"] + tt[f"po2md {first}"] if tt else None  # the issue's md2po + po2md
    tt_all = tt["md2po"] + tt_update + tt_build if tt else None
    rows = [
        ("extract  (ours) | md2po --pot", cold["extract"], tt and tt["md2po"]),
        (f"update {len(LANGS)} langs | pot2po ×{len(LANGS)}", cold["update"], tt_update),
        (f"build {len(LANGS)} langs | po2md ×{len(LANGS)}", cold["build"], tt_build),
        (f"build 1 lang (est. ½) | po2md {first}", cold["build"] / len(LANGS),
         tt and tt[f"po2md {first}"]),
        ("cold total | md2po + po2md (issue)", cold["total"], tt_issue),
        ("cold total | md2po + pot2po + po2md, 2 langs", cold["total"], tt_all),
    ]
    width = 46
    print()
    print(f"{'step (ours | translate-toolkit)':<{width}} {'ours':>10} {'tt':>10} {'tt/ours':>8}")
    print("-" * (width + 31))
    for label, mine, theirs in rows:
        print(f"{label:<{width}} {fmt(mine):>10} {fmt(theirs):>10} {ratio(theirs, mine):>8}")
    print("-" * (width + 31))
    for name, result in (("warm (nothing changed)", warm), ("after editing 1 article", edit)):
        for step in ("extract", "update", "build"):
            print(f"{name + ': ' + step:<{width}} {fmt(result[step]):>10}")
        print(f"{name + ': total':<{width}} {fmt(result['total']):>10} "
              f"{'':>10} {ratio(cold['total'], result['total']):>8} (cold/this)")
    print()
    goal_cold = tt_issue is not None and cold["total"] <= COLD_TARGET * tt_issue
    goal_warm = warm["total"] <= WARM_TARGET * cold["total"]
    if tt_issue is not None:
        print(f"target cold ≤ {COLD_TARGET}× translate-toolkit (md2po + po2md): "
              f"{cold['total']:.2f} s vs {COLD_TARGET * tt_issue:.2f} s "
              f"({cold['total'] / tt_issue:.3f}×) → {'MET' if goal_cold else 'NOT MET'}")
    print(f"target warm ≤ {WARM_TARGET}× our cold: {warm['total']:.2f} s vs "
          f"{WARM_TARGET * cold['total']:.2f} s ({warm['total'] / cold['total']:.3f}×) "
          f"→ {'MET' if goal_warm else 'NOT MET'}")
    quiet = all(not c for c in written_warm)
    only_lock = all(all(p == "~.localise/lock" for p in c) for c in written_warm)
    print("warm runs wrote: " + ("nothing" if quiet else
          "only .localise/lock (the project lock records the pid on every run)" if only_lock else
          ", ".join(sorted({p for c in written_warm for p in c}))[:2000]))
    edit_written = sorted({p for c in written_edit for p in c if p != "~.localise/lock"})
    print(f"edit runs wrote: {', '.join(edit_written) or 'nothing'}")
    print("for the record, the issue measured translate-toolkit at 7.7 s extract + 8.0 s "
          f"rebuild on such a corpus; outputs: {counts['locales']} catalogues, "
          f"{counts['build']} built files")

    result = {
        "benchmark": "pipeline_bench", "date": dt.datetime.now().isoformat(timespec="seconds"),
        "machine": machine, "argv": sys.argv[1:], "corpus": corpus,
        "seed": args.seed, "repeat": args.repeat, "warm_repeat": args.warm_repeat,
        "ours": {"cold": cold, "warm": warm, "edit_one": edit,
                 "cold_runs": cold_runs, "warm_runs": warm_runs, "edit_runs": edit_runs},
        "warm_files_changed": written_warm, "edit_files_changed": written_edit,
        "translate_toolkit": tt,
        "targets": {"cold_ratio_max": COLD_TARGET, "warm_ratio_max": WARM_TARGET,
                    "cold_met": goal_cold if tt_issue is not None else None,
                    "warm_met": goal_warm,
                    "tt_md2po_plus_po2md_s": tt_issue, "tt_all_s": tt_all},
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
