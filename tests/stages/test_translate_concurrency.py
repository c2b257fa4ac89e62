"""A translator saves a catalogue while `translate` runs: both the save and the drafts stay.

Real processes: `localise translate` (apertium, a few thousand sentences, several engine
batches) runs while this test, acting as Poedit, saves a translation into one catalogue.
translate read that catalogue before the save; it must merge its drafts into the saved
version rather than write back the copy it read.
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from localise import catalogue
from localise.cli import main

pytestmark = pytest.mark.skipif(shutil.which("apertium") is None, reason="apertium not installed")

WORDS = ("clinic", "patient", "doctor", "treatment", "knee", "city", "price", "visa", "hotel")


def _project(root: Path) -> Path:
    (root / "source").mkdir(parents=True)
    (root / "localise.toml").write_text(
        'languages = ["es"]\n\n[translate.engines]\nes = "apertium"\n', "utf-8"
    )
    for i in range(60):
        sentences = " ".join(
            f"The {WORDS[(i + j) % 9]} number {i * 100 + j} waits in the {WORDS[j % 9]} today."
            for j in range(40)
        )
        (root / "source" / f"a{i:02d}.md").write_text(f"# Article {i}\n\n{sentences}\n", "utf-8")
    for command in ("extract", "update"):
        assert main(["-C", str(root), "-q", command]) == 0
    return root


def _sentences_cached(cache: Path) -> int:
    try:
        with sqlite3.connect(f"file:{cache}?mode=ro", uri=True, timeout=0.1) as db:
            return int(db.execute("SELECT count(*) FROM mt").fetchone()[0])
    except sqlite3.Error:  # not created yet, or being written
        return 0


def test_a_save_made_while_translate_runs_is_kept_with_the_drafts(tmp_path: Path) -> None:
    root = _project(tmp_path / "site")
    po_path = root / "locales" / "es" / "LC_MESSAGES" / "a07.po"
    cache = root / ".localise" / "cache" / "translations.sqlite"
    proc = subprocess.Popen([sys.executable, "-m", "localise", "-C", str(root), "translate"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while _sentences_cached(cache) == 0:  # catalogues read, a first engine batch stored
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline
        time.sleep(0.01)
    po = catalogue.read(po_path)  # the translator's Poedit saves one entry now
    assert po is not None
    entry = po.find("Article 7")
    assert entry is not None and not entry.msgstr
    entry.msgstr = "Artículo siete"
    po_path.write_bytes(po.render())
    out, err = proc.communicate(timeout=180)
    assert proc.returncode == 0, err.decode()
    assert b"wrote locales/es/LC_MESSAGES/a07.po" in out, "the save came too late to test"

    saved = catalogue.read(po_path)
    assert saved is not None
    mine = saved.find("Article 7")
    assert mine is not None and mine.msgstr == "Artículo siete" and not mine.fuzzy
    assert mine.draft is None  # no machine attribution on the translator's entry
    others = [e for e in saved.live() if e.msgid != "Article 7"]
    assert others and all(e.fuzzy and e.draft is not None for e in others)  # drafts stored too
