"""``localise translate`` against a loop of argostranslate ``translate()`` calls, same units.

Both sides are whole processes (``subprocess.run``, wall clock with ``time.perf_counter``)
over the same units and the same argos package:

* the package is a real en→ja ``.argosmodel`` built offline by the test helper
  ``tests/support/tiny_argos.build_copy_package``: a tiny CTranslate2 transformer that copies
  its input, so outputs are predictable. It is installed into a temporary package folder, and
  both processes run with ``ARGOS_PACKAGES_DIR``, ``HOME``, ``XDG_DATA_HOME``,
  ``XDG_CACHE_HOME``, ``XDG_CONFIG_HOME`` and ``STANZA_RESOURCES_DIR`` pointing into
  temporary folders, so argostranslate never touches the real home;
* units: the msgids of the shipped catalogues (extracted from the shipped ``source/**/*.md``
  articles, checked against ``locales/**/*.pot``), ×``--copies``: copy 0 unchanged, every
  other copy with at least one word varied per line, so no copy's sentences repeat another's;
* process A: ``localise -C P translate --lang ja --engine argos --beam-size B --json`` in a
  project whose ``localise.toml`` sets ``[translate] packages_dir``, whose ja catalogues were
  just made by ``extract`` + ``update`` (untimed; a fresh copy per run) and whose
  ``.localise/cache`` is removed before timing;
* process B: ``benchmarks/_argos_loop.py`` — loads argostranslate, takes the installed en→ja
  translation and calls ``translate(text)`` once per distinct unit (what ours calls units),
  with argostranslate's defaults (beam 4, 32-token batches). Its docstring says exactly what
  it patches (the sentencizer: argostranslate's MiniSBD downloads a model on first use).

Reported: units, sentences, wall time of each process, B/A (the issue's goal: ours at least
5× faster), ours at beam 1 as well, start-up costs on their own (``localise --version``,
``python -c 'import argostranslate.translate'``), and a comparison of the outputs.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import shutil
import sys
import tempfile
from pathlib import Path

import _corpus

REPO = _corpus.REPO
BIN = Path(sys.executable).parent
OUT = REPO / "benchmarks" / "out"
LOOP = Path(__file__).resolve().parent / "_argos_loop.py"
SOURCE, TARGET = "en", "ja"


def sandbox_env(root: Path, packages: Path) -> dict[str, str]:
    """The environment both processes run in: argos and stanza folders under ``root``."""
    env = dict(os.environ)
    env.pop("SNAP", None)
    for name, sub in (("HOME", "home"), ("XDG_DATA_HOME", "share"), ("XDG_CACHE_HOME", "cache"),
                      ("XDG_CONFIG_HOME", "config"), ("STANZA_RESOURCES_DIR", "stanza")):
        (root / sub).mkdir(parents=True, exist_ok=True)
        env[name] = str(root / sub)
    env["ARGOS_PACKAGES_DIR"] = str(packages)
    return env


def run(cmd: list[str], *, env: dict[str, str], cwd: Path | None = None) -> tuple[float, str]:
    """Run one process; return (wall seconds, stdout). Exit on failure."""
    return _corpus.timed(cmd, env=env, cwd=cwd, who="translate_bench")


def build_package(dest: Path) -> Path:
    sys.path.insert(0, str(REPO / "tests"))
    from support.tiny_argos import build_copy_package

    return build_copy_package(dest, from_code=SOURCE, to_code=TARGET)


def make_project(dest: Path, *, copies: int, only: list[str], packages: Path) -> list[Path]:
    """Copies of the shipped articles under ``source/copy-K/``; return the written files."""
    (dest / "source").mkdir(parents=True)
    (dest / "localise.toml").write_text(
        'languages = ["ja", "es"]\n\n[translate]\n'
        f"packages_dir = {json.dumps(str(packages))}\n", encoding="utf-8")
    glossary = REPO / "locales" / "glossary.csv"
    if glossary.exists():
        (dest / "locales").mkdir()
        shutil.copy(glossary, dest / "locales" / "glossary.csv")
    articles = sorted(_corpus.SHIPPED_SOURCE.rglob("*.md"))
    if only:
        articles = [a for a in articles
                    if a.relative_to(_corpus.SHIPPED_SOURCE).with_suffix("").as_posix() in only]
        if not articles:
            sys.exit(f"translate_bench: no shipped article matches {only}")
    written = []
    for copy in range(copies):
        for article in articles:
            path = dest / "source" / f"copy-{copy}" / article.relative_to(_corpus.SHIPPED_SOURCE)
            path.parent.mkdir(parents=True, exist_ok=True)
            text = _corpus.vary_article(article.read_text("utf-8"), copy)
            path.write_text(text, encoding="utf-8")
            written.append(path)
    return written


def pending_units(project: Path) -> dict[str, list[str]]:
    """Per ja catalogue (relative path), the msgids with an empty msgstr, in file order."""
    import polib

    found = {}
    for path in sorted((project / "locales" / TARGET / "LC_MESSAGES").rglob("*.po")):
        entries = polib.pofile(str(path), wrapwidth=0)
        found[path.relative_to(project).as_posix()] = [
            e.msgid for e in entries if not e.obsolete and e.msgid and not e.msgstr]
    return found


def shipped_msgids(only: list[str]) -> set[str]:
    import polib

    ids = set()
    for pot in sorted((REPO / "locales").rglob("*.pot")):
        slug = pot.relative_to(REPO / "locales").with_suffix("").as_posix()
        if only and slug not in only:
            continue
        ids.update(e.msgid for e in polib.pofile(str(pot)) if e.msgid and not e.obsolete)
    return ids


def translations(project: Path) -> dict[str, str]:
    import polib

    found = {}
    for path in (project / "locales" / TARGET / "LC_MESSAGES").rglob("*.po"):
        for e in polib.pofile(str(path), wrapwidth=0):
            if e.msgid and not e.obsolete:
                found[e.msgid] = e.msgstr
    return found


def run_ours(pristine: Path, work: Path, env: dict[str, str], beam: int) -> dict[str, object]:
    """Process A on a fresh copy of the prepared project (cache removed)."""
    if work.exists():
        shutil.rmtree(work)
    shutil.copytree(pristine, work)
    shutil.rmtree(work / ".localise" / "cache", ignore_errors=True)
    cmd = [str(BIN / "localise"), "-C", str(work), "translate", "--lang", TARGET,
           "--engine", "argos", "--beam-size", str(beam), "--json"]
    seconds, stdout = run(cmd, env=env)
    summary = json.loads(stdout)["languages"][TARGET]
    return {"seconds": seconds, "summary": summary, "outputs": translations(work)}


def run_loop(
    units_file: Path, out: Path, env: dict[str, str], beam: int | None
) -> dict[str, object]:
    """Process B: the argostranslate loop."""
    cmd = [sys.executable, str(LOOP), "--units", str(units_file), "--out", str(out),
           "--source", SOURCE, "--target", TARGET]
    if beam is not None:
        cmd += ["--beam-size", str(beam)]
    seconds, _ = run(cmd, env=env)
    result = json.loads(out.read_text("utf-8"))
    result["seconds"] = seconds
    return result


def startup(env: dict[str, str], repeat: int) -> dict[str, float]:
    """Best-of wall time of process start-ups alone."""
    cmds = {
        "localise --version": [str(BIN / "localise"), "--version"],
        "python -c 'import localise.engines.argos, ctranslate2, sentencepiece'":
            [sys.executable, "-c", "import localise.engines.argos, ctranslate2, sentencepiece"],
        "python -c 'import argostranslate.translate'":
            [sys.executable, "-c", "import argostranslate.translate"],
        "python -c 'pass'": [sys.executable, "-c", "pass"],
    }
    return {name: min(run(cmd, env=env)[0] for _ in range(repeat)) for name, cmd in cmds.items()}


def _squash(text: str) -> str:
    """Compare modulo whitespace (ja joining drops the space between sentences) and ``_``
    (argostranslate decodes every ``_`` as a space)."""
    return re.sub(r"[\s_]+", "", text)


def compare(units: list[str], ours: dict[str, str], theirs: list[str]) -> dict[str, object]:
    same = squashed = identity_ours = identity_theirs = 0
    differ = []
    for unit, other in zip(units, theirs, strict=True):
        mine = ours.get(unit, "")
        same += mine == other
        identity_ours += _squash(mine) == _squash(unit)
        identity_theirs += _squash(other) == _squash(unit)
        if _squash(mine) == _squash(other):
            squashed += 1
        elif len(differ) < 5:
            differ.append({"msgid": unit, "ours": mine, "argostranslate": other})
    return {"units": len(units), "identical": same, "same_modulo_spaces": squashed,
            "ours_copies_input": identity_ours, "argos_copies_input": identity_theirs,
            "examples_of_differences": differ}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--copies", type=int, default=3,
                        help="copies of the shipped units, each varied (3: about 1 min in all)")
    parser.add_argument("--only", action="append", default=[], metavar="SLUG",
                        help="only this shipped article, e.g. guides/japan-treatment-checklist")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each process, best kept")
    parser.add_argument("--no-beam1", action="store_true", help="skip ours at beam 1")
    parser.add_argument("--loop-beam1", action="store_true",
                        help="also run the argostranslate loop at beam 1")
    parser.add_argument("--quick", action="store_true",
                        help="one copy of the shorter shipped article: under a minute")
    parser.add_argument("--out", type=Path, help="JSON result file (default: benchmarks/"
                        "out/translate_bench.json; translate_bench-quick.json with --quick)")
    args = parser.parse_args()
    if args.out is None:
        args.out = OUT / ("translate_bench-quick.json" if args.quick else "translate_bench.json")
    if args.quick:
        args.copies = 1
        args.only = args.only or ["guides/japan-treatment-checklist"]

    machine = {"nproc": os.cpu_count(), "python": platform.python_version(),
               "platform": platform.platform(), "loadavg_at_start": os.getloadavg(),
               "code": _corpus.git_describe()}
    print(f"machine: {machine['nproc']} cores, Python {machine['python']}, "
          f"load average {machine['loadavg_at_start'][0]:.2f} at start; localise {machine['code']}")
    with tempfile.TemporaryDirectory(prefix="localise-translate-bench-") as tmp:
        root = Path(tmp)
        packages = root / "argos-packages"
        packages.mkdir()
        env = sandbox_env(root / "sandbox", packages)
        package_file = build_package(root / "package")
        pristine = root / "pristine"
        make_project(pristine, copies=args.copies, only=args.only, packages=packages)
        cli = str(BIN / "localise")
        run([cli, "-C", str(pristine), "models", "install", str(package_file)], env=env)
        run([cli, "-C", str(pristine), "extract"], env=env)
        run([cli, "-C", str(pristine), "update", "--lang", TARGET], env=env)

        per_file = pending_units(pristine)
        units = list(dict.fromkeys(u for ids in per_file.values() for u in ids))
        copy0 = {u for path, ids in per_file.items() if "/copy-0/" in path for u in ids}
        shipped = shipped_msgids(args.only)
        print(f"units: {len(units)} distinct msgids in {len(per_file)} ja catalogues "
              f"({args.copies} cop{'y' if args.copies == 1 else 'ies'}); copy 0 vs shipped "
              f"locales/**/*.pot: {len(copy0 & shipped)} shared, {len(shipped - copy0)} only "
              f"shipped, {len(copy0 - shipped)} only extracted")
        units_file = root / "units.json"
        units_file.write_text(json.dumps(units, ensure_ascii=False), encoding="utf-8")

        runs: dict[str, list[dict[str, object]]] = {"ours_b4": [], "loop_b4": [], "ours_b1": [],
                                                     "loop_b1": []}
        for i in range(args.repeat):
            runs["ours_b4"].append(run_ours(pristine, root / "a", env, 4))
            print(f"  run {i + 1}: ours beam 4 {runs['ours_b4'][-1]['seconds']:.2f} s", flush=True)
            runs["loop_b4"].append(run_loop(units_file, root / "b.json", env, None))
            print(f"  run {i + 1}: argostranslate loop beam 4 "
                  f"{runs['loop_b4'][-1]['seconds']:.2f} s", flush=True)
            if not args.no_beam1:
                runs["ours_b1"].append(run_ours(pristine, root / "a", env, 1))
                print(f"  run {i + 1}: ours beam 1 {runs['ours_b1'][-1]['seconds']:.2f} s",
                      flush=True)
            if args.loop_beam1:
                runs["loop_b1"].append(run_loop(units_file, root / "b.json", env, 1))
                print(f"  run {i + 1}: argostranslate loop beam 1 "
                      f"{runs['loop_b1'][-1]['seconds']:.2f} s", flush=True)
        starts = startup(env, 3)

    best = {k: min(v, key=lambda r: r["seconds"]) for k, v in runs.items() if v}
    a4, b4 = best["ours_b4"], best["loop_b4"]
    check = compare(units, a4["outputs"], b4["outputs"])  # type: ignore[arg-type]
    s4 = a4["summary"]

    print()
    print(f"{'process':<52} {'units':>6} {'sentences':>9} {'wall':>9} {'B/A':>7}")
    print("-" * 87)
    rows = [("A  localise translate, beam 4", best["ours_b4"], "ours"),
            ("B  argostranslate translate() loop, beam 4", b4, "loop")]
    if "ours_b1" in best:
        rows.append(("A1 localise translate, beam 1", best["ours_b1"], "ours"))
    if "loop_b1" in best:
        rows.append(("B1 argostranslate translate() loop, beam 1", best["loop_b1"], "loop"))
    for label, result, kind in rows:
        if kind == "ours":
            summary = result["summary"]
            n_units, n_sent = summary["units"], summary["sent"]  # type: ignore[index]
        else:
            n_units, n_sent = result["units"], result["sentences"]
        seconds = float(result["seconds"])  # type: ignore[arg-type]
        print(f"{label:<52} {n_units:>6} {n_sent:>9} {seconds:>7.2f} s "
              f"{float(b4['seconds']) / seconds:>6.1f}×")  # type: ignore[arg-type]
    print("-" * 87)
    print(f"B inside its process: import {float(b4['import_s']):.2f} s, load "  # type: ignore[arg-type]
          f"{float(b4['load_s']):.2f} s, translate loop {float(b4['loop_s']):.2f} s")  # type: ignore[arg-type]
    print(f"ours sentences: {s4['segments']} distinct, {s4['sent']} sent, {s4['cached']} from "  # type: ignore[index]
          f"cache; {s4['filled']} entries filled, {s4['flagged']} flagged")  # type: ignore[index]
    print("start-up alone (best of 3):")
    for name, seconds in starts.items():
        print(f"  {name:<70} {seconds:6.2f} s")
    ratio4 = float(b4["seconds"]) / float(a4["seconds"])  # type: ignore[arg-type]
    print(f"goal: ours at least 5× faster than the argostranslate loop at beam 4: {ratio4:.1f}× "
          f"→ {'MET' if ratio4 >= 5 else 'NOT MET'}")
    if "ours_b1" in best:
        ratio1 = float(b4["seconds"]) / float(best["ours_b1"]["seconds"])  # type: ignore[arg-type]
        print(f"       (ours at beam 1 vs the loop at its default beam 4: {ratio1:.1f}×)")
    print(f"outputs: {check['identical']}/{check['units']} identical, "
          f"{check['same_modulo_spaces']}/{check['units']} identical modulo whitespace and '_'; "
          f"copy model reproduced the input: ours {check['ours_copies_input']}, "
          f"argostranslate {check['argos_copies_input']}")
    for example in check["examples_of_differences"]:  # type: ignore[union-attr]
        print(f"  differs: {json.dumps(example, ensure_ascii=False)[:400]}")

    result = {
        "benchmark": "translate_bench", "date": dt.datetime.now().isoformat(timespec="seconds"),
        "machine": machine, "argv": sys.argv[1:], "copies": args.copies, "only": args.only,
        "units": len(units), "catalogues": len(per_file),
        "runs": {k: [{x: y for x, y in r.items() if x != "outputs"} for r in v]
                 for k, v in runs.items()},
        "ratio_b_over_a_beam4": ratio4, "startup_s": starts,
        "outputs_check": check,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
