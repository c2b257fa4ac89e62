"""Dialects through the whole pipeline: a project that mixes three of them by folder, its
catalogues checked by GNU msgfmt, a translation's syntax through the real MT path (a tiny argos
package run by CTranslate2), the ``syntax`` check, and the build withholding a broken unit."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import polib
import pytest

from localise import dialects, mt_tokens
from support import block_network, isolate_argos
from support.dialect_laws import fake_translate, spanish_word

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "dialects"
MSGFMT = shutil.which("msgfmt")
CONFIG = """\
dialect = "liquid"
languages = ["ja", "es"]

[dialects]
"docs/**" = "hugo"
"material/" = "mkdocs"

[translate]
packages_dir = "models"
beam_size = 1
"""
SOURCES = {
    "source/deleting.md": "liquid/deleting-a-repository.md",
    "source/docs/kubectl.md": "hugo/install-kubectl-linux.md",
    "source/material/admonitions.md": "mkdocs/admonitions.md",
}


@pytest.fixture
def mixed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    isolate_argos(monkeypatch, tmp_path / "argos-home")
    root = tmp_path / "mixed"
    for target, fixture in SOURCES.items():
        (root / target).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(FIXTURES / fixture, root / target)
    (root / "localise.toml").write_text(CONFIG)
    return root


def _po(root: Path, lang: str, slug: str) -> polib.POFile:
    return polib.pofile(str(root / "locales" / lang / "LC_MESSAGES" / f"{slug}.po"))


def test_folders_choose_their_dialect_and_msgfmt_accepts_the_catalogues(
    mixed: Path, cli: Callable[..., object]
) -> None:
    assert cli(mixed, "extract").code == 0
    assert cli(mixed, "update").code == 0
    pot = polib.pofile(str(mixed / "locales" / "deleting.pot"))
    reusable = next(e for e in pot if e.msgid.startswith("Deleting a private"))
    assert reusable.msgid == (
        "Deleting a private{liquid_1} or internal{liquid_1_end} repository will delete all "
        "forks of the repository."
    )
    assert "python-brace-format" in reusable.flags
    assert "{liquid_1} = {% ifversion not fpt %}" in reusable.comment
    assert all("{% data" not in e.msgid for e in pot)
    kubectl = polib.pofile(str(mixed / "locales" / "docs" / "kubectl.pot"))
    assert any("{shortcode_1}" in e.msgid for e in kubectl)
    assert all("{{<" not in e.msgid and "curl -LO" not in e.msgid for e in kubectl)
    material = polib.pofile(str(mixed / "locales" / "material" / "admonitions.pot"))
    titles = [e for e in material if "Admonition \"note\" title" in e.comment]
    assert [e.msgid for e in titles] == ["Phasellus posuere in sem ut cursus"]
    assert all("!!!" not in e.msgid.split("`!!!`")[0] for e in material)
    if MSGFMT is None:
        pytest.skip("GNU gettext not installed")
    for path in sorted((mixed / "locales").rglob("*.po*")):
        result = subprocess.run(
            [MSGFMT, "--check", "--check-format", "-o", "/dev/null", str(path)],
            capture_output=True, text=True, check=False,
        )
        assert result.returncode == 0, (path, result.stderr)


def test_a_reviewed_translation_keeps_every_tag_and_a_broken_one_is_withheld(
    mixed: Path, cli: Callable[..., object]
) -> None:
    assert cli(mixed, "extract").code == 0
    assert cli(mixed, "update", "--lang", "es").code == 0
    po = _po(mixed, "es", "deleting")
    for entry in po:
        if entry.msgid:
            entry.msgstr = fake_translate(entry.msgid, {}, "es").text
    broken = next(e for e in po if e.msgid.startswith("Deleting a private"))
    broken.msgstr = broken.msgstr.replace("{liquid_1_end}", "")  # the {% endif %} dropped
    po.save()
    result = cli(mixed, "build", "--lang", "es")
    assert result.code == 0
    assert (
        "source/deleting.md:27: [es] kept the source text (withheld): syntax: syntax placeholder"
        " {liquid_1_end} dropped"
    ) in result.err
    built = (mixed / "build" / "es" / "deleting.md").read_text()
    source = (mixed / "source" / "deleting.md").read_text()
    assert "Deleting a private{% ifversion not fpt %} or internal{% endif %}" in built
    oracle = json.loads((FIXTURES / "liquid/deleting-a-repository.syntax.json").read_text())
    for item in oracle:
        assert built.count(item["text"]) >= source.count(item["text"]), item
    assert "{% data reusables.repositories.navigate-to-repo %}\n" in built
    assert spanish_word("Danger") in built
    check = cli(mixed, "check", "--lang", "es", "--json")
    findings = json.loads(check.out)["findings"]
    assert [f["check"] for f in findings if f["severity"] == "error"] == ["syntax"]


def test_syntax_travels_through_a_real_mt_engine_as_tokens(
    mixed: Path,
    cli: Callable[..., object],
    tiny_models: dict[str, Path],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert cli(mixed, "models", "install", str(tiny_models["es"])).code == 0
    assert cli(mixed, "extract").code == 0
    assert cli(mixed, "update", "--lang", "es").code == 0
    attempts = block_network(monkeypatch)
    assert cli(mixed, "translate", "--lang", "es", "--engine", "argos").code == 0
    assert attempts == []
    for slug in ("deleting", "docs/kubectl", "material/admonitions"):
        for entry in _po(mixed, "es", slug):
            if not entry.msgid or entry.obsolete:
                continue
            protected = mt_tokens.protect(entry.msgid, braces="python-brace-format" in entry.flags)
            names = re.findall(r"\{([a-z]+_\d+(?:_end)?)\}", entry.msgid)
            for name in names:
                if dialects.is_syntax_name(name):
                    assert "{" + name + "}" not in protected.text  # sent as a token
            # the copy model gives every sentence back: each placeholder is restored in place
            assert entry.msgstr == entry.msgid, entry.msgid
            assert "MT-check" not in entry.tcomment, entry.tcomment
    assert cli(mixed, "build", "--lang", "es", "--draft").code == 0
    assert "{{< note >}}" in (mixed / "build" / "drafts" / "es" / "docs" / "kubectl.md").read_text()


def test_changing_the_dialect_re_extracts_unchanged_sources(
    mixed: Path, cli: Callable[..., object]
) -> None:
    assert cli(mixed, "extract").code == 0
    pot = mixed / "locales" / "deleting.pot"
    before = pot.read_text()
    assert "{% data reusables" not in before
    assert cli(mixed, "extract").code == 0 and pot.read_text() == before  # nothing to do
    (mixed / "localise.toml").write_text(CONFIG.replace('dialect = "liquid"', ""))
    assert cli(mixed, "extract").code == 0
    assert "{% data reusables.repositories.navigate-to-repo %}" in pot.read_text()
