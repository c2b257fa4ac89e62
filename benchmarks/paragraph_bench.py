"""Whole-process timings of ``localise extract``, ``update`` and ``build`` on one paragraph of
1, 2, 4 and 8 MB: the work must grow linearly with the length of a paragraph.

For each size, a temporary project holds one article that is a single paragraph (sentences
recombined from the shipped ``source/**/*.md``, soft-wrapped at 79 columns, with prices such
as ``$6,500``, dates, emphasis, inline code and links, and the glossary's terms), the shipped
glossary's ``*`` rows (names never translated), ``[formatting] currency = true, dates = true``;
one language (``es``). Each step runs as its own process (``localise -C P STEP``, wall clock,
best of ``--repeat``):

* ``extract``: segmentation, placeholders, glossary notes, the template written;
* ``update``: the catalogue made from the template (msgmerge semantics);
* ``build``: after the benchmark fills the msgstr with a reviewed translation as long as the
  English (letters rotated, markup kept), the publishing gate's checks over it and the page
  laid out and written.

Then the log-log slope of time against size per step (least squares over the sizes; 1 means
linear, 2 quadratic). The start-up of a process (``localise --version``) is printed too: at
1 MB it is a visible part of the time, which flattens the slope a little.

    .venv/bin/python benchmarks/paragraph_bench.py               # 1, 2, 4, 8 MB
    .venv/bin/python benchmarks/paragraph_bench.py --sizes 1 2   # quicker
"""

from __future__ import annotations

import argparse
import codecs
import csv
import io
import json
import math
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import _corpus

REPO = _corpus.REPO
OUT = REPO / "benchmarks" / "out"
STEPS = ("extract", "update", "build")
CONFIG = 'languages = ["es"]\n\n[formatting]\ncurrency = true\ndates = true\n'
MB = 1_000_000


def _sentences() -> list[str]:
    """Plain sentences of the shipped articles (no block markup)."""
    found: list[str] = []
    for path in sorted(_corpus.SHIPPED_SOURCE.rglob("*.md")):
        text = path.read_text("utf-8")
        for block in text.split("\n\n"):
            block = " ".join(line.strip() for line in block.splitlines())
            if not block or block[0] in "#-*>|![<`0123456789" or block.startswith("---"):
                continue
            found += [s for s in re.split(r"(?<=[.!?])\s+", block) if len(s) > 20]
    return found


EXTRAS = (
    "It costs $6,500 in Tokyo.", "Book before Jan 12, 2026.", "See **the checklist** first.",
    "Run `localise check` after.", "Ask [PlacidWay](https://www.placidway.com/) for a quote.",
    "Some _clinics_ answer within a day.",
)


def paragraph(size: int, *, seed: int = 2026) -> str:
    """One paragraph of about ``size`` characters, wrapped at 79 columns, no blank line."""
    rng = random.Random(seed)
    sentences = _sentences() + list(EXTRAS)
    words: list[str] = []
    length = 0
    while length < size:
        sentence = rng.choice(sentences)
        words += sentence.split()
        length += len(sentence) + 1
    lines, line = [], ""
    for word in words:
        if line and len(line) + 1 + len(word) > 79:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    lines.append(line)
    return "\n".join(lines) + "\n"


def _glossary() -> str:
    """The shipped glossary's rows for every language (do-not-translate names)."""
    rows = list(csv.reader(io.StringIO((REPO / "locales" / "glossary.csv").read_text("utf-8"))))
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(
        [rows[0], *(row for row in rows[1:] if len(row) > 1 and row[1] == "*")]
    )
    return out.getvalue()


def _run(root: Path, *args: str) -> float:
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "localise", "-C", str(root), *args],
        capture_output=True, text=True, env=env, check=False,
    )
    seconds = time.perf_counter() - start
    if done.returncode not in (0, 1):
        raise SystemExit(f"localise {' '.join(args)} failed ({done.returncode}):\n{done.stderr}")
    return seconds


def _translate(po: Path) -> None:
    """Fill every msgstr with a reviewed "translation" that passes the publishing gate: the
    letters of lowercase words rotated, outside markup, placeholders and glossary terms."""
    sys.path.insert(0, str(REPO / "src"))
    from localise import catalogue, inline

    keep = {word.lower() for row in csv.reader(io.StringIO(_glossary())) for word in
            re.findall(r"[A-Za-z]+", row[0] if row else "")}
    parsed = catalogue.read(po)
    assert parsed is not None
    for entry in parsed.live():
        text = entry.msgid
        free = bytearray(len(text))  # 1: plain text, outside markup and placeholders
        for start, end in inline.text_ranges(text, inline.scan(text)):
            free[start:end] = b"\x01" * (end - start)
        for match in re.finditer(r"\{[A-Za-z_][A-Za-z0-9_]*\}", text):
            free[match.start() : match.end()] = bytes(match.end() - match.start())

        def rotate(match: re.Match[str], free: bytearray = free) -> str:
            word = match.group(0)
            if word in keep or 0 in free[match.start() : match.end()]:
                return word
            return codecs.encode(word, "rot13")

        entry.msgstr = re.sub(r"\b[a-z]{4,}\b", rotate, text)
        entry.fuzzy = False
    po.write_bytes(parsed.render())


def measure(size: int, *, repeat: int, work: Path) -> dict[str, float]:
    """Best-of-``repeat`` seconds of each step on a paragraph of ``size`` characters."""
    text = paragraph(size)
    best = {step: math.inf for step in STEPS}
    for _ in range(repeat):
        root = work / f"p{size}"
        shutil.rmtree(root, ignore_errors=True)
        (root / "source").mkdir(parents=True)
        (root / "locales").mkdir()
        (root / "locales" / "glossary.csv").write_text(_glossary(), encoding="utf-8")
        (root / "localise.toml").write_text(CONFIG, encoding="utf-8")
        (root / "source" / "long.md").write_text(text, encoding="utf-8")
        best["extract"] = min(best["extract"], _run(root, "extract"))
        best["update"] = min(best["update"], _run(root, "update"))
        _translate(root / "locales" / "es" / "LC_MESSAGES" / "long.po")
        best["build"] = min(best["build"], _run(root, "build"))
        page = (root / "build" / "es" / "long.md").read_text("utf-8")
        assert len(page) > size * 0.9 and page != text, "the translation was not published"
    return best


def slope(sizes: list[int], seconds: list[float]) -> float:
    """Least-squares slope of log(seconds) against log(size)."""
    xs = [math.log(s) for s in sizes]
    ys = [math.log(t) for t in seconds]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sum(
        (x - mx) ** 2 for x in xs
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=float, nargs="+", default=[1, 2, 4, 8],
                        help="paragraph sizes in MB (default 1 2 4 8)")
    parser.add_argument("--repeat", type=int, default=1, help="best of N runs per size")
    args = parser.parse_args()
    sizes = [int(mb * MB) for mb in args.sizes]
    with tempfile.TemporaryDirectory(prefix="localise-paragraph-") as tmp:
        start_up = min(_run(Path(tmp), "--version") for _ in range(3))
        results = {size: measure(size, repeat=args.repeat, work=Path(tmp)) for size in sizes}
    print(f"{'paragraph':>10}  " + "  ".join(f"{step:>9}" for step in STEPS))
    for size, best in results.items():
        print(f"{size / MB:>7.2f} MB  " + "  ".join(f"{best[s]:>7.2f} s" for s in STEPS))
    slopes = {}
    if len(sizes) > 1:
        slopes = {s: slope(sizes, [results[z][s] for z in sizes]) for s in STEPS}
        print(f"{'slope':>10}  " + "  ".join(f"{slopes[s]:>9.2f}" for s in STEPS))
    print(f"process start-up (localise --version): {start_up:.2f} s")
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "paragraph_bench.json").write_text(json.dumps({
        "sizes": sizes, "seconds": {str(z): r for z, r in results.items()},
        "slopes": slopes, "start_up": start_up,
    }, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
