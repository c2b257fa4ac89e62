"""Deterministic benchmark corpora made from the shipped ``source/**/*.md`` articles.

Shared by ``pipeline_bench.py`` (whole synthetic articles recombined from the shipped
paragraphs, headings, lists, tables and blockquotes) and ``translate_bench.py`` (copies of the
shipped articles with light word variations, so every copy's sentences differ).
Pure standard library; nothing here imports localise.
"""

from __future__ import annotations

import csv
import json
import random
import re
import subprocess
import sys
import textwrap
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SHIPPED_SOURCE = REPO / "source"

# Word groups swapped for one another (same part of speech, so sentences stay readable).
_GROUPS = [
    ("patients", "travelers", "people"),
    ("patient", "traveler", "person"),
    ("clinic", "center", "hospital"),
    ("clinics", "centers", "hospitals"),
    ("often", "frequently", "usually"),
    ("typically", "generally", "normally"),
    ("treatment", "procedure", "therapy"),
    ("treatments", "procedures", "therapies"),
    ("doctor", "physician", "specialist"),
    ("doctors", "physicians", "specialists"),
    ("cost", "price", "fee"),
    ("costs", "prices", "fees"),
    ("advanced", "modern", "innovative"),
    ("important", "essential", "crucial"),
    ("several", "a few", "some"),
    ("offer", "provide"),
    ("offers", "provides"),
    ("require", "need"),
    ("requires", "needs"),
    ("allow", "permit"),
    ("allows", "permits"),
    ("ensure", "guarantee"),
    ("ensuring", "guaranteeing"),
    ("significantly", "considerably"),
    ("specialized", "dedicated"),
    ("international", "foreign", "overseas"),
    ("laboratory", "lab"),
    ("strict", "rigorous"),
    ("safe", "secure"),
    ("quality", "standard"),
    ("growing", "rising", "increasing"),
    ("major", "leading", "main"),
    ("several", "various"),
    ("many", "numerous"),
    ("help", "assist"),
    ("small", "modest"),
    ("large", "big"),
    ("approved", "authorized"),
    ("certain", "specific"),
    ("common", "frequent"),
    ("careful", "thorough"),
    ("carefully", "thoroughly"),
    ("plan", "schedule"),
    ("trip", "journey"),
    ("trips", "journeys"),
    ("results", "outcomes"),
    ("process", "procedure"),
    ("powerful", "potent"),
    ("minimal", "little"),
    ("comprehensive", "complete"),
]
SYNONYMS: dict[str, tuple[str, ...]] = {}
for _group in _GROUPS:
    for _word in _group:
        SYNONYMS.setdefault(_word, tuple(w for w in _group if w != _word))

# A lowercase word that is not part of a URL, path, file name, code span or hyphenated word.
_WORD = re.compile(r"(?<![\w/.:`@#\-])([a-z]{4,})(?![\w/`@\-]|[.:][\w/])")
_ANY_WORD = re.compile(r"(?<![\w/.:`@#\-])([A-Za-z][a-z]{3,})(?![\w/`@\-]|[.:][\w/])")
_MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
_DATE = re.compile(rf"\b(?:{'|'.join(_MONTHS)}) \d{{1,2}}, \d{{4}}\b")
_AMOUNT = re.compile(r"\$\d{1,3}(?:,\d{3})+")


def _case_like(word: str, model: str) -> str:
    return word[:1].upper() + word[1:] if model[:1].isupper() else word


def vary_words(text: str, rng: random.Random, *, rate: float, force: bool = False) -> str:
    """Swap about ``rate`` of the swappable words for a synonym; with ``force`` change at least
    one word (any word of 4+ letters, capitalised ones included: a synonym when one is known,
    else adding or dropping a plural ``s``)."""
    matches = list((_ANY_WORD if force else _WORD).finditer(text))
    if not matches:
        return text
    chosen = {m.start() for m in matches
              if m.group(1).lower() in SYNONYMS and rng.random() < rate}
    if force and not chosen:
        chosen.add(rng.choice(matches).start())
    out, last = [], 0
    for m in matches:
        if m.start() not in chosen:
            continue
        word = m.group(1)
        if word.lower() in SYNONYMS:
            new = rng.choice(SYNONYMS[word.lower()])
        else:
            new = word[:-1] if word.endswith("s") else word + "s"
        out.append(text[last : m.start()] + _case_like(new, word))
        last = m.end()
    out.append(text[last:])
    return "".join(out)


def random_amount(rng: random.Random) -> str:
    return f"${rng.randint(1, 60)},{rng.choice([0, 100, 250, 500, 750, 900]):03d}"


def random_date(rng: random.Random) -> str:
    return f"{rng.choice(_MONTHS)} {rng.randint(1, 28)}, {rng.choice([2025, 2026])}"


# -- translate_bench: varied copies of the shipped articles ---------------------------------


def vary_article(text: str, copy: int) -> str:
    """Copy ``copy`` of a shipped article; copy 0 is unchanged, others vary every prose line.

    Each line of prose, every heading, list item, table row and blockquote line, and the
    ``title``/``description`` front-matter values, gets at least one word changed, so the
    sentences of different copies differ (the translation cache and de-duplication cannot
    answer them). Code fences, link definitions and the rest of the front matter stay as is.
    """
    if copy == 0:
        return text
    rng = random.Random(f"translate-copy-{copy}")
    lines = text.split("\n")
    out: list[str] = []
    in_front = bool(lines) and lines[0] == "---"
    fence = False
    for number, line in enumerate(lines):
        if in_front:
            if number and line == "---":
                in_front = False
            elif line.startswith(("title: ", "description: ")):
                key, _, value = line.partition(": ")
                line = f"{key}: {vary_words(value, rng, rate=0.3, force=True)}"
            out.append(line)
            continue
        if line.lstrip().startswith(("```", "~~~")):
            fence = not fence
        elif not fence and line.lstrip().startswith("|") and "---" not in line:
            # A table row: every cell is a unit of its own.
            line = "|".join(vary_words(cell, rng, rate=0.3, force=True)
                            for cell in line.split("|"))
        elif (not fence and line.strip() and not re.match(r"^\[[^\]]+\]:\s", line)
                and not re.match(r"^\s*\|?\s*:?-{3,}", line)):
            line = vary_words(line, rng, rate=0.3, force=True)
        out.append(line)
    return "\n".join(out)


# -- pipeline_bench: synthetic articles recombined from the shipped ones ----------------------


@dataclass
class Pools:
    """Pieces cut out of the shipped articles."""

    sentences: list[str] = field(default_factory=list)
    h2: list[str] = field(default_factory=list)
    h3: list[str] = field(default_factory=list)
    questions: list[str] = field(default_factory=list)
    bullets: list[list[str]] = field(default_factory=list)
    """First-level list items, each item as its lines (nested items included)."""
    quotes: list[list[str]] = field(default_factory=list)
    """Blockquote blocks, as lines without the ``> `` prefix."""
    table_headers: list[str] = field(default_factory=list)


_SENTENCE_END = re.compile(r"(?<=[.!?])[\"”’)]?\s+(?=[A-Z\"“(])")


def _blocks(text: str) -> list[str]:
    if text.startswith("---\n"):
        end = text.find("\n---\n", 4)
        text = text[end + 5 :] if end >= 0 else text
    return [b.strip("\n") for b in re.split(r"\n\s*\n", text) if b.strip()]


def load_pools(source: Path = SHIPPED_SOURCE) -> Pools:
    """Cut the shipped articles into sentences, headings, list items, quotes and tables."""
    pools = Pools()
    for path in sorted(source.rglob("*.md")):
        for block in _blocks(path.read_text("utf-8")):
            first = block.split("\n", 1)[0]
            if first.startswith("## "):
                pools.h2.append(first[3:].strip())
            elif first.startswith("### "):
                title = re.sub(r"^\d+\.\s*", "", first[4:].strip())
                (pools.questions if title.endswith("?") else pools.h3).append(title)
            elif first.startswith("# ") or first.startswith(("![", "[")):
                continue
            elif first.startswith("|"):
                pools.table_headers.append(first)
            elif first.startswith(">"):
                lines = [re.sub(r"^>\s?", "", line) for line in block.split("\n")]
                pools.quotes.append(lines)
            elif re.match(r"^(?:[-*+]|\d+\.)\s", first):
                item: list[str] = []
                for line in block.split("\n"):
                    if re.match(r"^(?:[-*+]|\d+\.)\s", line) and item:
                        pools.bullets.append(item)
                        item = []
                    item.append(re.sub(r"^(?:[-*+]|\d+\.)\s+", "", line) if not item else line)
                if item:
                    pools.bullets.append(item)
            else:
                flat = " ".join(line.strip() for line in block.split("\n"))
                pools.sentences.extend(s for s in _SENTENCE_END.split(flat) if len(s) > 20)
    return pools


_COUNTRIES = [
    ("Japan", "Japanese", ["Tokyo", "Osaka", "Kyoto", "Fukuoka"]),
    ("Mexico", "Mexican", ["Tijuana", "Cancun", "Guadalajara", "Monterrey"]),
    ("Thailand", "Thai", ["Bangkok", "Phuket", "Chiang Mai", "Pattaya"]),
    ("South Korea", "Korean", ["Seoul", "Busan", "Incheon", "Daegu"]),
    ("Turkey", "Turkish", ["Istanbul", "Antalya", "Izmir", "Ankara"]),
    ("Spain", "Spanish", ["Madrid", "Barcelona", "Valencia", "Seville"]),
    ("Costa Rica", "Costa Rican", ["San Jose", "Escazu", "Heredia", "Liberia"]),
    ("Colombia", "Colombian", ["Bogota", "Medellin", "Cali", "Cartagena"]),
]
_TREATMENTS = [
    ("Stem Cell Therapy", "Osteoarthritis"),
    ("PRP Therapy", "Knee Pain"),
    ("Knee Replacement", "Arthritis"),
    ("Spinal Fusion", "Back Pain"),
    ("Dental Implants", "Tooth Loss"),
    ("IVF Treatment", "Infertility"),
    ("Hip Resurfacing", "Hip Dysplasia"),
    ("Cataract Surgery", "Vision Loss"),
]
_TITLE_TAILS = [
    "for US Patients Seeking Advanced Care",
    "A Complete Guide for International Patients",
    "Costs, Clinics and What to Expect",
    "What Travelers Should Know Before Booking",
    "Safety, Prices and Recovery",
]
_TAGS = ["medical tourism", "regenerative medicine", "patient guide", "costs", "recovery",
         "orthopedics", "travel planning", "clinic safety"]


def _substitute(text: str, country: tuple[str, str, list[str]], rng: random.Random) -> str:
    name, adjective, cities = country
    text = re.sub(r"\bJapanese\b", adjective, text)
    text = re.sub(r"\bJapan\b", name, text)
    text = re.sub(r"\bTokyo\b", cities[0], text)
    text = re.sub(r"\bOsaka\b", cities[1], text)
    text = _AMOUNT.sub(lambda m: random_amount(rng), text)
    return _DATE.sub(lambda m: random_date(rng), text)


def _yaml_scalar(text: str) -> str:
    """A YAML plain scalar when safe, else a double-quoted one (JSON strings are valid YAML)."""
    if ": " in text or " #" in text or text[:1] in "\"'[]{}>|*&!%@`,?:-#":
        return json.dumps(text, ensure_ascii=False)
    return text


def _wrap(text: str, *, width: int = 90, first: str = "", rest: str = "") -> str:
    return textwrap.fill(text, width=width, initial_indent=first, subsequent_indent=rest,
                         break_long_words=False, break_on_hyphens=False)


class ArticleMaker:
    """Builds one synthetic article at a time from the shipped pieces."""

    def __init__(self, pools: Pools, rng: random.Random, country: tuple[str, str, list[str]]):
        self.pools, self.rng, self.country = pools, rng, country

    def text(self, raw: str, rate: float = 0.35) -> str:
        return vary_words(_substitute(raw, self.country, self.rng), self.rng, rate=rate)

    def paragraph(self) -> str:
        rng = self.rng
        count = rng.randint(2, 5)
        chosen = [self.text(s) for s in rng.sample(self.pools.sentences, count)]
        roll = rng.random()
        if roll < 0.25:
            chosen.append(f"Packages start at {random_amount(rng)} and rarely exceed "
                          f"{random_amount(rng)} per {rng.choice(['knee', 'session', 'visit'])}.")
        elif roll < 0.35:
            chosen.append(f"Prices were last checked on {random_date(rng)}.")
        elif roll < 0.42:
            chosen.append("Ask [PlacidWay](https://www.placidway.com/) for a **free quote** "
                          "before you book.")
        return _wrap(" ".join(chosen))

    def bullet_list(self) -> str:
        rng = self.rng
        items = rng.sample(self.pools.bullets, min(len(self.pools.bullets), rng.randint(3, 6)))
        ordered = rng.random() < 0.4
        lines = []
        for n, item in enumerate(items, 1):
            marker = f"{n}. " if ordered else "- "
            head = " ".join(line.strip() for line in item if not re.match(r"^\s+[-*+]\s", line))
            nested = [line.strip()[2:] for line in item if re.match(r"^\s+[-*+]\s", line)]
            lines.append(_wrap(self.text(head), first=marker, rest=" " * len(marker)))
            lines += [_wrap(self.text(sub), first=" " * len(marker) + "- ",
                            rest=" " * (len(marker) + 2)) for sub in nested]
        return "\n".join(lines)

    def quote(self) -> str:
        lines = self.rng.choice(self.pools.quotes)
        return "\n".join((f"> {self.text(line)}" if line.strip() else ">") for line in lines)

    def table(self) -> str:
        rng = self.rng
        rows = ["| Country | Estimated Cost | Typical Stay | Regulation |",
                "| --- | --- | --- | --- |"]
        rules = ["Government regulated", "Loose regulation", "Licensed"]
        for name, _, cities in rng.sample(_COUNTRIES, rng.randint(4, 6)):
            low = rng.randint(2, 20)
            cents = rng.choice([0, 500])
            high = low + rng.randint(3, 15)
            rows.append(f"| {name} | ${low},{cents:03d} – ${high},000 "
                        f"| {rng.randint(2, 14)} days<br>{rng.choice(cities)} "
                        f"| {rng.choice(rules)} |")
        return "\n".join(rows)

    def article(self, *, slug: str, target_words: int) -> str:
        rng, pools = self.rng, self.pools
        treatment, condition = rng.choice(_TREATMENTS)
        name = self.country[0]
        title = f"{treatment} for {condition} in {name} – {rng.choice(_TITLE_TAILS)}"
        description = self.text(" ".join(rng.sample(pools.sentences, 2)))
        front = [
            "---", f"title: {title}", f"description: {_yaml_scalar(description)}",
            "author: Placidway Medical Tourism", f"date: 2026-{rng.randint(1, 12):02d}-"
            f"{rng.randint(1, 28):02d}", "tags:",
            *(f"  - {tag}" for tag in [treatment.lower(), name, *rng.sample(_TAGS, 3)]),
            f"slug: {slug.rsplit('/', 1)[-1]}", f"treatment: {treatment}", f"country: {name}",
            "---",
        ]
        blocks = [f"# {title}", f"![{treatment} in {name}](images/{slug.rsplit('/', 1)[-1]}.jpg)",
                  self.paragraph(), self.paragraph()]
        blocks += [f"## {self.text(rng.choice(pools.h2), 0.2)}", self.bullet_list()]
        words = sum(len(b.split()) for b in blocks)
        table_done = False
        while words < target_words - 450:
            section = [f"## {self.text(rng.choice(pools.h2), 0.2)}", self.paragraph()]
            roll = rng.random()
            if not table_done and words > target_words // 3:
                section += [self.paragraph(), self.table(), self.paragraph()]
                table_done = True
            elif roll < 0.3:
                for _ in range(rng.randint(2, 3)):
                    section += [f"### {self.text(rng.choice(pools.h3), 0.2)}", self.paragraph()]
            elif roll < 0.55:
                section += [self.quote(), self.paragraph()]
            elif roll < 0.8:
                section += [self.bullet_list(), self.paragraph()]
            else:
                section += [self.paragraph(), self.paragraph()]
            blocks += section
            words += sum(len(b.split()) for b in section)
        blocks.append("## Frequently Asked Questions")
        for question in rng.sample(pools.questions, min(len(pools.questions), 4)):
            blocks += [f"### {self.text(question, 0.2)}", self.paragraph()]
            words += len(blocks[-1].split()) + len(question.split())
            if words >= target_words - 60:
                break
        blocks += ["## About this article", "\n".join([
            "- Medically reviewed by: Dr. Hector Mendoza",
            "- Author: Placidway Medical Tourism",
            f"- Last updated: {random_date(rng)}",
            f"- Treatment: {treatment}",
            f"- Country: {name}",
        ])]
        return "\n".join(front) + "\n\n" + "\n\n".join(blocks) + "\n"


_SECTIONS = ["", "guides", "clinics", "costs/2026"]


def article_slugs(count: int) -> list[str]:
    """Slugs spread over a few folders, e.g. ``guides/article-0007``."""
    return [f"{_SECTIONS[i % len(_SECTIONS)]}/article-{i:04d}".lstrip("/") for i in range(count)]


def make_corpus(dest: Path, *, count: int, words: int, seed: int) -> list[Path]:
    """Write ``count`` articles of about ``words`` words under ``dest``; return their paths."""
    pools = load_pools()
    paths = []
    for i, slug in enumerate(article_slugs(count)):
        rng = random.Random(f"{seed}-{i}")
        maker = ArticleMaker(pools, rng, _COUNTRIES[rng.randrange(len(_COUNTRIES))])
        path = dest / f"{slug}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(maker.article(slug=slug, target_words=words), encoding="utf-8")
        paths.append(path)
    return paths


def varied_copies(dest: Path, copies: int) -> None:
    """``copies`` copies of the shipped articles under ``dest/copy-K/``, words varied per copy
    (copy 0 as shipped)."""
    for copy in range(copies):
        for article in sorted(SHIPPED_SOURCE.rglob("*.md")):
            path = dest / f"copy-{copy}" / article.relative_to(SHIPPED_SOURCE)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(vary_article(article.read_text("utf-8"), copy), "utf-8")


def shipped_glossary(dest: Path, lang: str) -> None:
    """The shipped glossary's rows for every language (``*``) and for ``lang`` at ``dest`` (a
    row for a language the project does not have is an error)."""
    with open(REPO / "locales" / "glossary.csv", encoding="utf-8", newline="") as src:
        rows = list(csv.DictReader(src))
    dest.parent.mkdir(parents=True, exist_ok=True)
    with open(dest, "w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(r for r in rows if r["language"] in ("*", lang))


def git_describe() -> str:
    """The commit the benchmark measured, noting uncommitted changes under src/."""
    try:
        head = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"],
                              capture_output=True, text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(REPO), "status", "--porcelain", "--", "src"],
                               capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return head + (" + uncommitted src changes" if dirty else "")


def timed(
    cmd: list[str], *, env: dict[str, str] | None, cwd: Path | None, who: str
) -> tuple[float, str]:
    """Run one whole process; return (wall seconds, stdout); exit with its output on failure."""
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=cwd)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        sys.exit(f"{who}: {' '.join(cmd)} exited {proc.returncode}\n"
                 f"{proc.stdout[-2000:]}\n{proc.stderr[-4000:]}")
    return elapsed, proc.stdout
