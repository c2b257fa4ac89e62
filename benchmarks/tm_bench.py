"""Translation memory + machine drafts over the pipeline corpus: who fills what, what is flagged.

The project: the shipped articles with their reviewed ja and es catalogues (the team's past
work), plus ``--articles`` generated articles (``_corpus.make_corpus``, the pipeline benchmark's
corpus: sentences, headings and list items of the shipped articles recombined, words varied),
the shipped glossary, and a real en→ja and en→es ``.argosmodel`` built offline by
``tests/support/tiny_argos.py`` (a copy model: it leaves the English as it is, so every
glossary term with a required translation is missing from its drafts unless localise puts it
in). After ``extract`` + ``update`` (untimed), four runs of ``localise translate --engine argos
--json`` on fresh copies of the project (translation cache removed):

* ``MT, glossary checked``: ``--no-memory``, ``[translate] apply_glossary = false`` (before),
* ``MT, glossary applied``: ``--no-memory``,
* ``TM + MT, glossary checked``: ``apply_glossary = false``,
* ``TM + MT, glossary applied``: the defaults (after).

Reported per run and language: units needing a draft, the share filled by translation memory
(exact and near matches), by the engine, kept as written (nothing to translate), the share of
drafts flagged for the reviewer, glossary terms applied, sentences sent, and wall time.

    .venv/bin/python benchmarks/tm_bench.py               # 20 generated articles
    .venv/bin/python benchmarks/tm_bench.py --articles 200 --words 800
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import sys
import tempfile
from pathlib import Path

import _corpus

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
OUT = REPO / "benchmarks" / "out"
LANGS = ("ja", "es")
RUNS = {
    "MT, glossary checked": (["--no-memory"], False),
    "MT, glossary applied": (["--no-memory"], True),
    "TM + MT, glossary checked": ([], False),
    "TM + MT, glossary applied": ([], True),
}


def sandbox_env(root: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("SNAP", None)
    for name, sub in (("HOME", "home"), ("XDG_DATA_HOME", "share"), ("XDG_CACHE_HOME", "cache"),
                      ("XDG_CONFIG_HOME", "config"), ("STANZA_RESOURCES_DIR", "stanza"),
                      ("ARGOS_PACKAGES_DIR", "argos")):
        (root / sub).mkdir(parents=True, exist_ok=True)
        env[name] = str(root / sub)
    return env


def config(packages: Path, *, glossary: bool) -> str:
    return (
        'languages = ["ja", "es"]\n\n[translate]\n'
        f"packages_dir = {json.dumps(str(packages))}\nbeam_size = 1\n"
        f"apply_glossary = {'true' if glossary else 'false'}\n"
    )


def make_project(root: Path, *, articles: int, words: int, seed: int, packages: Path) -> None:
    shutil.copytree(REPO / "source", root / "source")
    shutil.copytree(REPO / "locales", root / "locales")  # reviewed catalogues and glossary
    _corpus.make_corpus(root / "source" / "corpus", count=articles, words=words, seed=seed)
    (root / "localise.toml").write_text(config(packages, glossary=True), encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--articles", type=int, default=20, help="generated articles (20)")
    parser.add_argument("--words", type=int, default=1200, help="words per article (1200)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--out", type=Path, default=OUT / "tm_bench.json")
    args = parser.parse_args()
    sys.path.insert(0, str(REPO / "tests"))
    from support.tiny_argos import build_copy_package

    machine = {"nproc": os.cpu_count(), "python": platform.python_version(),
               "loadavg_at_start": os.getloadavg(), "code": _corpus.git_describe()}
    print(f"machine: {machine['nproc']} cores, load {machine['loadavg_at_start'][0]:.2f}; "
          f"localise {machine['code']}")
    results: dict[str, dict[str, object]] = {}
    with tempfile.TemporaryDirectory(prefix="localise-tm-bench-") as tmp:
        root = Path(tmp)
        env = sandbox_env(root / "sandbox")
        packages = root / "packages"
        pristine = root / "pristine"
        make_project(pristine, articles=args.articles, words=args.words, seed=args.seed,
                     packages=packages)
        cli = [str(BIN / "localise"), "-C", str(pristine)]
        for lang in LANGS:
            package = build_copy_package(root / "build", from_code="en", to_code=lang)
            _corpus.timed([*cli, "models", "install", str(package)], env=env, cwd=None,
                          who="install")
        _corpus.timed([*cli, "extract"], env=env, cwd=None, who="extract")
        _corpus.timed([*cli, "update"], env=env, cwd=None, who="update")
        for name, (flags, glossary) in RUNS.items():
            work = root / "run"
            if work.exists():
                shutil.rmtree(work)
            shutil.copytree(pristine, work, ignore=shutil.ignore_patterns(".localise"))
            (work / "localise.toml").write_text(config(packages, glossary=glossary))
            seconds, out = _corpus.timed(
                [str(BIN / "localise"), "-C", str(work), "translate", "--engine", "argos",
                 "--json", *flags], env=env, cwd=None, who=name)
            results[name] = {"seconds": seconds, "languages": json.loads(out)["languages"]}
            print(f"  {name}: {seconds:.2f} s", flush=True)

    print()
    header = (f"{'run':<28} {'lang':<4} {'units':>6} {'TM':>7} {'(exact)':>8} {'MT':>7} "
              f"{'kept':>6} {'flagged':>8} {'glossary':>9} {'sent':>6} {'wall':>7}")
    print(header)
    print("-" * len(header))
    for name, result in results.items():
        for lang in LANGS:
            s = result["languages"][lang]  # type: ignore[index]
            units = s["units"] or 1
            filled = s["filled"] or 1
            print(f"{name:<28} {lang:<4} {s['units']:>6} {100 * s['memory'] / units:>6.1f}% "
                  f"{100 * s['memory_exact'] / units:>7.1f}% {100 * s['machine'] / units:>6.1f}% "
                  f"{100 * s['copied'] / units:>5.1f}% {100 * s['flagged'] / filled:>7.1f}% "
                  f"{s['glossary_applied']:>9} {s['sent']:>6} "
                  f"{float(result['seconds']):>6.2f}s")  # type: ignore[arg-type]
    print("TM, MT, kept: shares of the units that needed a draft; flagged: share of the drafts "
          "stored (entries) with a problem for the reviewer")
    payload = {"benchmark": "tm_bench", "date": dt.datetime.now().isoformat(timespec="seconds"),
               "machine": machine, "argv": sys.argv[1:], "results": results}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
