"""One language never blocks another: a missing engine or model is reported with a true hint,
the other languages are drafted and built, and the exit status at the end is 2."""

from __future__ import annotations

import re
from pathlib import Path

import polib

from support.lifecycle import copy_fixture, localise, ok


def _argos_project(tmp_path: Path, es_model: Path) -> Path:
    """The lifecycle fixture on argos for both languages; only the en→es package installed."""
    root = copy_fixture(tmp_path)
    config = root / "localise.toml"
    argos = 'engine = "argos"\npackages_dir = ".argos"'
    config.write_text(config.read_text().replace('engine = "pseudo"', argos), encoding="utf-8")
    ok(root, "models", "install", str(es_model), home=tmp_path / "home")
    return root


def test_a_missing_ja_model_does_not_stop_spanish(tmp_path: Path, tiny_models) -> None:
    home = tmp_path / "home"
    root = _argos_project(tmp_path, tiny_models["es"])
    ok(root, "extract", home=home)
    ok(root, "update", home=home)
    ran = localise(root, "translate", home=home)
    assert ran.code == 2
    assert "localise: error: [ja] not drafted: .argos: no argos package for en→ja is installed" \
        in ran.err
    assert "`localise models install FILE.argosmodel`" in ran.err  # from a file, offline
    assert "translate-en_ja-<version>.argosmodel" in ran.err
    assert "`localise models install --from-index en ja`" in ran.err  # where there is network
    assert "1 of 2 languages failed; es drafted" in ran.err
    assert re.search(r"^es: 10 drafts: .* 10 from argos \(argos translate-en_es 1\.0\)", ran.out,
                     re.MULTILINE), ran.out
    es = polib.pofile(str(root / "locales" / "es" / "LC_MESSAGES" / "guides" / "knee.po"))
    drafted = [e for e in es if e.msgstr]
    assert len(drafted) == 6 and all(e.fuzzy for e in drafted)
    assert all("MT: argos translate-en_es 1.0" in e.tcomment for e in drafted)
    ja = polib.pofile(str(root / "locales" / "ja" / "LC_MESSAGES" / "guides" / "knee.po"))
    assert not any(e.msgstr for e in ja)


def test_run_drafts_and_builds_the_others_then_exits_2(tmp_path: Path, tiny_models) -> None:
    home = tmp_path / "home"
    root = _argos_project(tmp_path, tiny_models["es"])
    ran = localise(root, "run", "--draft", home=home)
    assert ran.code == 2
    assert "localise: error: [ja] not drafted: .argos: no argos package for en→ja" in ran.err
    assert "es: 10 machine drafts (argos)" in ran.out
    for lang in ("ja", "es"):  # every language is built: ja in English, es from its drafts
        assert f"built build/drafts/{lang}/guides/knee.md" in ran.out
    es = (root / "build" / "drafts" / "es" / "guides" / "knee.md").read_text("utf-8")
    assert "draft: true" in es and "> **Borrador:**" in es
    assert "6500\u00a0US$" in es  # the copy model's draft, values formatted for es
    ja = (root / "build" / "drafts" / "ja" / "guides" / "knee.md").read_text("utf-8")
    assert "draft:" not in ja  # nothing unreviewed in it: all English, and said so
    assert "source/guides/knee.md: [ja] all 7 units went out in English (7 untranslated)" in (
        ran.err
    )
    # once the ja model is installed, the same run succeeds for both
    ok(root, "models", "install", str(tiny_models["ja"]), home=home)
    again = ok(root, "run", "--draft", home=home)
    assert "ja: 10 machine drafts (argos)" in again.out
