"""A new user's first hour, through the command line alone (real processes): ``init`` in an
empty folder, an article, a model, machine drafts, a check, a translator's review, and a
published page; then the warm rerun that writes nothing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import polib
import pytest

ARTICLE = """\
---
title: Knee Treatment in Japan
---

# Knee Treatment in Japan

Stem cell packages cost $6,500 per knee. Prices were checked on Jan 12, 2026.

- Bring your medical records.
- Book an interpreter early.
"""


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """The environment of a user with no argos packages yet (argos's folders in the sandbox)."""
    home = tmp_path / "home"
    return {
        **os.environ,
        "HOME": str(home),
        "XDG_DATA_HOME": str(home / "share"),
        "XDG_CONFIG_HOME": str(home / "config"),
        "XDG_CACHE_HOME": str(home / "cache"),
        "ARGOS_PACKAGES_DIR": str(home / "argos-packages"),
        "STANZA_RESOURCES_DIR": str(home / "stanza"),
    }


@pytest.mark.slow
def test_from_init_to_a_published_page(
    tmp_path: Path, env: dict[str, str], tiny_models: dict[str, Path]
) -> None:
    def localise(cwd: Path, *args: str, codes: tuple[int, ...] = (0,)) -> str:
        done = subprocess.run([sys.executable, "-m", "localise", *args], cwd=cwd, env=env,
                              capture_output=True, text=True, timeout=300)
        assert done.returncode in codes, (args, done.stdout, done.stderr)
        assert "Traceback" not in done.stderr
        return done.stdout

    out = localise(tmp_path, "init", "site", "--lang", "ja", "--lang", "es")
    site = tmp_path / "site"
    assert "next:" in out and (site / "localise.toml").is_file()
    (site / "source" / "guides").mkdir()
    (site / "source" / "guides" / "knee.md").write_text(ARTICLE, encoding="utf-8")
    nested = site / "source" / "guides"  # every later command runs from here

    assert "installed en → ja" in localise(nested, "models", "install", str(tiny_models["ja"]))
    out = localise(nested, "run", "--lang", "ja", "--draft")
    assert "wrote locales/guides/knee.pot" in out
    assert "built build/drafts/ja/guides/knee.md" in out  # drafts never land in build/ja
    draft = (site / "build" / "drafts" / "ja" / "guides" / "knee.md").read_text("utf-8")
    assert "draft: true" in draft
    assert not (site / "build" / "ja" / "guides" / "knee.md").exists()
    assert "wrote locales/es/LC_MESSAGES/guides/knee.po" in localise(nested, "update")
    out = localise(nested, "translate", "--lang", "es", "--engine", "apertium")
    assert "es: " in out and "from apertium (apertium-eng-spa" in out
    status = json.loads(localise(nested, "status", "--json"))
    ja = status["languages"]["ja"]
    assert ja["fuzzy"] == ja["total"] > 0 and ja["translated"] == 0
    assert status["languages"]["es"]["fuzzy"] > 0
    localise(nested, "check", codes=(0, 1))

    # the translator reviews the Japanese drafts (in Poedit: clears fuzzy)
    po_path = site / "locales" / "ja" / "LC_MESSAGES" / "guides" / "knee.po"
    po = polib.pofile(str(po_path), wrapwidth=79)
    for entry in po:
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
    po.save(str(po_path))

    assert localise(nested, "check", "--lang", "ja").splitlines()[-1].startswith("0 errors, ")
    assert "built build/ja/guides/knee.md" in localise(nested, "build", "--lang", "ja")
    page = (site / "build" / "ja" / "guides" / "knee.md").read_text("utf-8")
    assert "draft: true" not in page
    assert "$6,500" in page and "2026/01/12" in page  # ja conventions, from Babel/CLDR
    assert page.startswith("---\ntitle: Knee Treatment in Japan\n---\n")
    localise(nested, "status", "--lang", "ja", "--fail-under", "100")
    localise(nested, "status", "--fail-under", "100", codes=(1,))  # es is still in review
    spanish = (site / "locales" / "es" / "LC_MESSAGES" / "guides" / "knee.po").read_text("utf-8")
    assert "# MT: apertium" in spanish

    localise(nested, "-q", "run", "--lang", "ja")  # settles: reviewed entries lose "# MT:"
    assert "# MT:" not in po_path.read_text("utf-8")
    before = {p: p.stat().st_mtime_ns for p in site.rglob("*") if p.is_file()}
    out = localise(nested, "-q", "run", "--lang", "ja")
    assert out == ""
    after = {p: p.stat().st_mtime_ns for p in site.rglob("*") if p.is_file()}
    assert {p for p in after if after[p] != before.get(p)} <= {site / ".localise" / "state.sqlite"}
    ignored = (site / ".gitignore").read_text("utf-8").splitlines()
    assert "/.localise/" in ignored and "/build/" in ignored
