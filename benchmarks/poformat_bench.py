"""Time ``poformat.dumps`` old (commit 5e2dfd0) against new, per catalogue, side by side.

Not a test: prints a table of best-of-N wall times and ratios, checks that both versions
write the same bytes, and writes ``benchmarks/out/poformat_bench.json``.

* Old: ``src/localise/poformat.py`` as of ``OLD_COMMIT``, read with ``git show`` (read-only)
  and imported as a separate module (it uses the same ``localise._linebreak_data``).
* New: the working tree's ``localise.poformat``. "new cold" clears its per-string cache
  before every run (each string formatted from scratch, as when a catalogue is written
  once); "new warm" does not (the same strings written again, as ``update`` does when it
  writes the POT's msgids into each language's PO in one process).
* Catalogues: each shipped ``locales/**/*.po*`` with its entries replicated ``--copies``
  times (each copy's strings get a distinct suffix, so copies share no string), and a
  synthetic catalogue of ``--entries`` long English paragraphs translated into long
  Japanese paragraphs (sentences recombined from the shipped catalogues, seed 2026).

    .venv/bin/python benchmarks/poformat_bench.py [--copies 5] [--entries 100] [--repeat 5]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import random
import re
import subprocess
import sys
import time
from pathlib import Path
from types import ModuleType
from typing import Any

import polib

REPO = Path(__file__).resolve().parent.parent
OLD_COMMIT = "5e2dfd0"
OLD_PATH = "src/localise/poformat.py"
sys.path.insert(0, str(REPO / "src"))

from localise import poformat as new  # noqa: E402


def old_module() -> ModuleType:
    """Import poformat.py as it was at OLD_COMMIT (git show only reads the object store)."""
    source = subprocess.run(
        ["git", "-C", str(REPO), "show", f"{OLD_COMMIT}:{OLD_PATH}"],
        capture_output=True,
        check=True,
        text=True,
    ).stdout
    spec = importlib.util.spec_from_loader("_poformat_old", loader=None)
    assert spec is not None
    module = importlib.util.module_from_spec(spec)
    exec(compile(source, f"{OLD_COMMIT}:{OLD_PATH}", "exec"), module.__dict__)
    return module


def replicated(path: Path, copies: int) -> polib.POFile:
    """Return the catalogue at `path` with its entries repeated, each copy's strings distinct."""
    source = polib.pofile(str(path))
    po = polib.POFile()
    po.header, po.metadata = source.header, dict(source.metadata)
    for copy in range(copies):
        for entry in source:
            clone = polib.POEntry(
                msgid=f"{entry.msgid} [{copy}]",
                msgstr=f"{entry.msgstr} [{copy}]" if entry.msgstr else "",
                msgctxt=entry.msgctxt,
                comment=entry.comment,
                tcomment=entry.tcomment,
                occurrences=list(entry.occurrences),
                flags=list(entry.flags),
                obsolete=entry.obsolete,
            )
            po.append(clone)
    return po


def _sentences(texts: list[str], pattern: str) -> list[str]:
    """Split `texts` into sentences ending with `pattern`'s terminator."""
    found = [s for text in texts for s in re.findall(pattern, text.replace("\n", " "))]
    return [s.strip() for s in found if len(s.strip()) > 20]


def synthetic(entries: int, seed: int = 2026) -> polib.POFile:
    """Long English paragraphs translated into long Japanese ones (~300-700 columns each)."""
    ja = polib.pofile(str(REPO / "locales/ja/LC_MESSAGES/stem-cell-therapy-japan.po"))
    english = _sentences([e.msgid for e in ja], r"[^.!?]+[.!?]")
    japanese = _sentences([e.msgstr for e in ja], r"[^。！？]+[。！？]")
    rng = random.Random(seed)
    po = polib.POFile()
    po.header = "Synthetic Japanese-heavy catalogue."
    po.metadata = {"Content-Type": "text/plain; charset=UTF-8", "Language": "ja"}
    for n in range(entries):
        msgid = " ".join(rng.sample(english, rng.randint(3, 6)))
        msgstr = "".join(rng.sample(japanese, rng.randint(4, 9)))
        po.append(
            polib.POEntry(
                msgid=f"{msgid} ({n})",
                msgstr=f"{msgstr}（{n}）",
                comment=f"Paragraph {n}",
                occurrences=[("source/synthetic.md", str(n + 1))],
            )
        )
    return po


def best(func: Any, repeat: int, before: Any = None) -> float:
    """Best wall time of `repeat` calls of `func` (calling `before` untimed before each)."""
    times = []
    for _ in range(repeat):
        if before is not None:
            before()
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=5, help="shipped entries replicated")
    parser.add_argument("--entries", type=int, default=100, help="synthetic catalogue size")
    parser.add_argument("--repeat", type=int, default=5, help="runs per timing (best kept)")
    args = parser.parse_args()

    old = old_module()
    cache = getattr(new, "_string_lines", None)
    clear = getattr(cache, "cache_clear", lambda: None)
    catalogues = {
        str(path.relative_to(REPO)): replicated(path, args.copies)
        for path in sorted((REPO / "locales").glob("**/*.po*"))
    }
    catalogues[f"synthetic en→ja ×{args.entries}"] = synthetic(args.entries)

    rows = []
    header = f"{'catalogue':<58} {'entries':>7} {'kB':>6} {'old ms':>8} {'new ms':>8} {'×':>6}"
    print(header + f" {'warm ms':>8} {'×':>6}")
    for name, po in catalogues.items():
        clear()
        expected = old.dumps(po)
        assert new.dumps(po) == expected, f"{name}: output differs"
        clear()
        assert new.dumps(po) == expected, f"{name}: output differs (cold)"
        t_old = best(lambda po=po: old.dumps(po), args.repeat)
        t_cold = best(lambda po=po: new.dumps(po), args.repeat, before=clear)
        new.dumps(po)
        t_warm = best(lambda po=po: new.dumps(po), args.repeat)
        size = len(expected.encode("utf-8")) / 1000
        rows.append(
            {
                "catalogue": name,
                "entries": len(po),
                "kB": size,
                "old_s": t_old,
                "new_cold_s": t_cold,
                "new_warm_s": t_warm,
            }
        )
        print(
            f"{name:<58} {len(po):>7} {size:>6.0f} {t_old * 1e3:>8.1f} {t_cold * 1e3:>8.1f}"
            f" {t_old / t_cold:>5.1f}× {t_warm * 1e3:>8.2f} {t_old / t_warm:>5.0f}×"
        )
    total_old = sum(r["old_s"] for r in rows)
    total_cold = sum(r["new_cold_s"] for r in rows)
    total_warm = sum(r["new_warm_s"] for r in rows)
    print(
        f"{'total':<58} {'':>7} {'':>6} {total_old * 1e3:>8.1f} {total_cold * 1e3:>8.1f}"
        f" {total_old / total_cold:>5.1f}× {total_warm * 1e3:>8.2f} {total_old / total_warm:>5.0f}×"
    )
    print("outputs: byte-identical (old == new, cold and warm) for every catalogue")
    out = REPO / "benchmarks" / "out"
    out.mkdir(parents=True, exist_ok=True)
    (out / "poformat_bench.json").write_text(json.dumps(rows, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
