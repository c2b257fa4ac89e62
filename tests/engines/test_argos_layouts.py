"""Every package layout argostranslate 1.11 runs, built as a real ``.argosmodel``, translated by
localise and by argostranslate on the same package, sentence by sentence; malformed packages,
two versions of a pair, the model's real length limit, and drafts that do not depend on their
batch."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from types import SimpleNamespace

import pytest

from localise import argos_packages as models
from localise.engines import EngineOptions, get_engine
from localise.engines.argos import ArgosEngine
from localise.errors import EngineError
from support.tiny_argos import build_package

SENTENCES = [
    "The patient returns after five weeks.",
    "Click ⟦1⟧here⟦/1⟧ to pay ⟦2⟧ before ⟦3⟧Friday⟦/3⟧.",
    "You owe ⟦1⟧ — or ⟦2⟧ – by 3.5 p.m. on 2024-01-31.",
    "Café, naïve résumé in São Paulo and Zürich: déjà vu!",
    "He said “stop” and ‘go’ and \"wait\" and 'fine'.",
    "See https://example.com/a_b?x=1&y=2#frag for snake_case names.",
    "Ünïcödé ŝtrèss — テキスト、日本語。 emoji 🎉 and ½ ﬁ ligature.",
    "x",
]
LAYOUTS = {
    "sentencepiece-shared": {},
    "sentencepiece-separate-vocabularies": {"vocabulary": "separate"},
    "bpe": {"tokenizer": "bpe"},
    "bpe-separate-vocabularies": {"tokenizer": "bpe", "vocabulary": "separate"},
    "target-prefix": {"target_prefix": "<2ja>"},
    "index-layout": {"top": "en_ja", "version": "1.1"},  # as translate-en_ja 1.1 is packed
}


@pytest.fixture(scope="module")
def layouts(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("layouts")
    return {
        name: build_package(folder / name, from_code="en", to_code="ja", **kw)  # type: ignore[arg-type]
        for name, kw in LAYOUTS.items()
    }


def _engine(packages: Path, **options: object) -> ArgosEngine:
    engine = get_engine("argos", options=EngineOptions(packages_dir=packages, **options))  # type: ignore[arg-type]
    assert isinstance(engine, ArgosEngine)
    return engine


def _argos_pipeline(monkeypatch: pytest.MonkeyPatch) -> object:
    """argostranslate's translate path, with its sentencizer (a download) swapped for one that
    keeps each text whole, as benchmarks/_argos_loop.py does."""
    from argostranslate import translate

    monkeypatch.setattr(translate, "installed_translates", [])
    translate.get_installed_languages.cache_clear()
    translation = translate.get_translation_from_codes("en", "ja")
    underlying = translation.underlying  # type: ignore[attr-defined]
    underlying.sentencizer = SimpleNamespace(split_sentences=lambda text: [text])
    return translation


def _tokens_unspaced(text: str) -> str:
    """Whitespace around protection tokens removed (Moses spaces them; see engines/argos)."""
    return re.sub(r"\s*⟦\s*(/?)\s*(\d+)\s*⟧\s*", r"⟦\1\2⟧", text)


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_drafts_match_argostranslate_sentence_by_sentence(
    layout: str, layouts: dict[str, Path], argos_packages: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from argostranslate import package

    package.install_from_path(layouts[layout])
    translation = _argos_pipeline(monkeypatch)
    ours = _engine(argos_packages).translate(SENTENCES, source="en", target="ja")
    for sentence, mine in zip(SENTENCES, ours, strict=True):
        theirs = translation.translate(sentence)  # type: ignore[attr-defined]
        if LAYOUTS[layout].get("tokenizer") == "bpe":
            # Moses detokenises ⟦1⟧ as "⟦ 1 ⟧" with spaces around; we keep the source's spacing
            assert _tokens_unspaced(theirs) == _tokens_unspaced(mine), sentence
            spacing = r"\s?⟦/?\d+⟧\s?"
            assert re.findall(spacing, mine) == re.findall(spacing, sentence)
        else:
            # argostranslate decodes every "_" as a space; we keep it
            assert theirs == mine.replace("_", " "), sentence
        if layout.startswith("sentencepiece") or layout in ("target-prefix", "index-layout"):
            assert mine == sentence  # a copy model, and nothing lost on the way


def test_bpe_packages_install_list_and_translate(layouts: dict[str, Path], tmp_path: Path) -> None:
    info = models.install_file(layouts["bpe"], packages_dir=tmp_path)
    assert info.tokenizer == "bpe" and info.tokenizer_file.name == "bpe.model"
    assert models.list_installed(packages_dir=tmp_path) == [info]
    engine = _engine(tmp_path)
    assert engine.identity(source="en", target="ja").parts[2] == "bpe"
    done = engine.translate(["Click ⟦1⟧here⟦/1⟧ now.", "Pay ⟦1⟧ today."], source="en", target="ja")
    assert done == ["Click ⟦1⟧here⟦/1⟧ now.", "Pay ⟦1⟧ today."]


def test_separate_vocabularies_are_real(layouts: dict[str, Path], tmp_path: Path) -> None:
    separate = layouts["sentencepiece-separate-vocabularies"]
    info = models.install_file(separate, packages_dir=tmp_path)
    files = sorted(p.name for p in (info.path / "model").iterdir())
    assert "source_vocabulary.json" in files and "target_vocabulary.json" in files
    source = json.loads((info.path / "model" / "source_vocabulary.json").read_text())
    target = json.loads((info.path / "model" / "target_vocabulary.json").read_text())
    assert sorted(source) == sorted(target) and source != target


def test_target_prefix_with_underscores_is_dropped_by_token(tmp_path: Path) -> None:
    """A prefix such as ``__ja__``: argostranslate's ``_`` decoding leaves "  ja  " behind."""
    archive = build_package(tmp_path / "a", from_code="en", to_code="ja", target_prefix="__ja__")
    models.install_file(archive, packages_dir=tmp_path / "p")
    engine = _engine(tmp_path / "p")
    assert engine.translate(SENTENCES, source="en", target="ja") == SENTENCES


def test_malformed_packages_are_reported_and_skipped(
    layouts: dict[str, Path], tmp_path: Path, cli, project: Path
) -> None:
    packages = project / "models"
    good = models.install_file(layouts["sentencepiece-shared"], packages_dir=packages)
    languages = packages / "multilingual"
    shutil.copytree(good.path, languages)
    meta = json.loads((languages / "metadata.json").read_text())
    for key in ("from_code", "to_code"):
        del meta[key]
    meta["languages"] = [{"code": "en", "name": "English"}, {"code": "ja", "name": "Japanese"}]
    (languages / "metadata.json").write_text(json.dumps(meta))
    (packages / "no-metadata").mkdir()
    (packages / "not-json").mkdir()
    (packages / "not-json" / "metadata.json").write_text("{oops")
    no_tokenizer = packages / "no-tokenizer"
    shutil.copytree(good.path, no_tokenizer)
    (no_tokenizer / "sentencepiece.model").unlink()
    variant = packages / "variant"  # metadata variants argostranslate accepts: still usable
    shutil.copytree(good.path, variant)
    (variant / "metadata.json").write_text(json.dumps(
        {"from_code": "en", "to_code": "es", "extra": [1], "languages": []}))

    scanned = models.scan_installed(packages_dir=packages)
    assert {p.path.name for p in scanned.packages} == {good.path.name, "variant"}
    reasons = {s.path.name: s.reason for s in scanned.skipped}
    assert set(reasons) == {"multilingual", "no-metadata", "not-json", "no-tokenizer"}
    assert "lacks from_code/to_code" in reasons["multilingual"]
    assert "sentencepiece.model or bpe.model" in reasons["no-tokenizer"]
    variant_info = next(p for p in scanned.packages if p.path.name == "variant")
    assert variant_info.package_version == "" and variant_info.type == "translate"
    assert _engine(packages).translate(["Hello there."], source="en", target="ja") == [
        "Hello there."
    ]
    (project / "localise.toml").write_text('[translate]\npackages_dir = "models"\n')
    listed = cli(project, "models", "list")
    assert listed.code == 0 and "en → ja  version 1.0" in listed.out
    assert "skipped" in listed.err and "multilingual" in listed.err
    with pytest.raises(EngineError, match=r"en→fr.*skipped .*multilingual"):
        models.find_package("en", "fr", packages_dir=packages)


def test_version_choice_is_argostranslates_where_defined(
    tmp_path: Path, argos_packages: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two package folders: the first holding the pair wins, for argostranslate and for us,
    even when a later folder has a newer version; inside one folder we take the newest."""
    from argostranslate import settings

    old = build_package(tmp_path / "old", from_code="en", to_code="ja", version="1.0")
    new = build_package(tmp_path / "new", from_code="en", to_code="ja", version="1.9",
                        ramble=True)
    newest = build_package(tmp_path / "newest", from_code="en", to_code="ja", version="1.10")
    second = tmp_path / "second-dir"
    models.install_file(old, packages_dir=argos_packages)
    models.install_file(new, packages_dir=second)
    monkeypatch.setattr(settings, "package_dirs", [argos_packages, second])
    translation = _argos_pipeline(monkeypatch)
    chosen = translation.underlying.pkg  # type: ignore[attr-defined]
    assert chosen.package_version == "1.0"
    ours = models.find_package("en", "ja", packages_dir=None)
    assert ours.path == Path(chosen.package_path) and ours.package_version == "1.0"
    engine = get_engine("argos", options=EngineOptions())
    assert engine.version(source="en", target="ja") == "argos translate-en_ja 1.0"
    # one folder, several versions: the newest, compared numerically (1.10 after 1.9)
    models.install_file(new, packages_dir=tmp_path / "one")
    models.install_file(newest, packages_dir=tmp_path / "one")
    models.install_file(old, packages_dir=tmp_path / "one")
    assert models.find_package("en", "ja", packages_dir=tmp_path / "one").package_version == "1.10"


def test_the_models_real_length_limit_is_used(
    tmp_path: Path, argos_packages: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from argostranslate import package

    long = " ".join(["the patient"] * 150) + "."  # 301 pieces
    wide = build_package(tmp_path / "wide", from_code="en", to_code="ja", positions=640)
    package.install_from_path(wide)
    engine = _engine(argos_packages)
    assert engine.limits(source="en", target="ja").source == 639
    translation = _argos_pipeline(monkeypatch)
    [ours] = engine.translate([long], source="en", target="ja")
    assert ours == long  # sent whole: the model has the positions
    theirs = translation.translate(long)  # type: ignore[attr-defined]
    assert long.startswith(theirs) and len(theirs) < len(long)  # CTranslate2's default 256 cap
    # a 256-position model: argostranslate fails, we cut the input at word starts
    narrow = build_package(tmp_path / "narrow", from_code="en", to_code="ja", version="2.0")
    models.install_file(narrow, packages_dir=tmp_path / "n")
    small = _engine(tmp_path / "n")
    assert small.limits(source="en", target="ja").source == 255
    assert small.translate([long], source="en", target="ja") == [long]


def test_a_sentence_gets_the_same_draft_whatever_shares_its_batch(tmp_path: Path) -> None:
    """A model that rambles until its decoding cap: each draft's length is its budget."""
    archive = build_package(tmp_path / "r", from_code="en", to_code="ja", ramble=True)
    models.install_file(archive, packages_dir=tmp_path / "p")
    short = [f"Short sentence number {n}." for n in range(20)]
    long = "A much longer sentence that has very many more words than the others in it."
    alone = [_engine(tmp_path / "p", beam_size=1).translate([s], source="en", target="ja")[0]
             for s in short]
    together = _engine(tmp_path / "p", beam_size=1).translate(
        [*short, long, long + " Again."], source="en", target="ja"
    )
    assert together[:20] == alone
    assert all(len(a) > len(s) for a, s in zip(alone, short, strict=True))  # it did ramble
    beam = _engine(tmp_path / "p", max_batch_size=3)
    assert beam.translate([long, *short[:5]], source="en", target="ja")[1:] == [
        _engine(tmp_path / "p").translate([s], source="en", target="ja")[0] for s in short[:5]
    ]


def test_bpe_package_through_the_cli(layouts: dict[str, Path], project: Path, cli) -> None:
    """Installed with `models install`, used by `translate` (it used to fail at translate)."""
    (project / "localise.toml").write_text(
        'languages = ["ja"]\n[translate]\npackages_dir = "models"\n')
    assert cli(project, "models", "install", str(layouts["bpe"])).code == 0
    assert cli(project, "extract").code == 0 and cli(project, "update").code == 0
    done = cli(project, "translate", "--json")
    assert done.code == 0, done.err
    summary = json.loads(done.out)["languages"]["ja"]
    assert summary["model"] == "argos translate-en_ja 1.0" and summary["flagged"] == 0
    assert summary["sent"] > 0
