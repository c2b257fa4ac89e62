"""Model calls: the sentences the engine really receives (a real argos package, tiny copy
model), counted by wrapping the engine. Each distinct sentence once per run across articles,
and across languages that share an engine target; nothing tokens-only; a rerun sends nothing;
after one paragraph changed, only that paragraph's sentences."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Sequence
from pathlib import Path

import pytest

from localise import engines
from localise.cli import main
from localise.stages.translate import needs_engine
from support import isolate_argos

ROOT = Path(__file__).resolve().parents[2]
ARTICLE = "stem-cell-therapy-japan"
OLD = """Home to some of the leading research universities, Osaka offers competitive pricing for
stem cell packages. Clinics in Osaka are renowned for their expertise in orthopedic
regeneration and often provide comprehensive packages that include airport transfers and
accommodation assistance."""
NEW = """Home to two research universities, Osaka offers fair prices for knee treatment.
Clinics there include airport transfers in every package."""


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, tiny_models) -> Path:
    """The shipped articles, published in es and es-MX (one en→es package serves both)."""
    isolate_argos(monkeypatch, tmp_path / "argos-home")
    root = tmp_path / "project"
    shutil.copytree(ROOT / "source", root / "source")
    (root / "locales").mkdir()
    glossary = (ROOT / "locales" / "glossary.csv").read_text("utf-8").splitlines(keepends=True)
    (root / "locales" / "glossary.csv").write_text(  # its rows for every language and for es
        "".join(row for row in glossary if ",ja," not in row), "utf-8")
    (root / "localise.toml").write_text(
        'languages = ["es", "es-MX"]\n\n[translate]\npackages_dir = "models"\nbeam_size = 1\n')
    assert main(["-C", str(root), "models", "install", str(tiny_models["es"])]) == 0
    return root


@pytest.fixture
def received(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, list[str]]]:
    """(target, sentences) of every call the real engine receives."""
    calls: list[tuple[str, list[str]]] = []
    real = engines.get_engine

    def counting(name: str, *, options: engines.EngineOptions) -> engines.Engine:
        engine = real(name, options=options)
        translate = engine.translate

        def recorded(segments: Sequence[str], *, source: str, target: str) -> list[str]:
            calls.append((target, list(segments)))
            return translate(segments, source=source, target=target)

        monkeypatch.setattr(engine, "translate", recorded)
        return engine

    monkeypatch.setattr(engines, "get_engine", counting)
    return calls


def translate(project: Path, capsys, *args: str) -> dict:
    capsys.readouterr()
    assert main(["-C", str(project), "translate", "--engine", "argos", "--json", *args]) == 0
    return json.loads(capsys.readouterr().out)["languages"]


def sent(calls: list[tuple[str, list[str]]]) -> list[str]:
    return [s for _, batch in calls for s in batch]


def test_each_sentence_reaches_the_model_once_and_an_edit_sends_only_its_paragraph(
    project: Path, received: list[tuple[str, list[str]]], capsys
) -> None:
    for command in ("extract", "update"):
        assert main(["-C", str(project), command]) == 0
    first = translate(project, capsys)
    sentences = sent(received)
    assert len(sentences) == len(set(sentences)) > 100  # each distinct sentence once
    assert all(needs_engine(s) for s in sentences)  # never one of only tokens and digits
    # es-MX uses the same en→es model: its sentences es already sent are not sent again (it
    # sends only those protected differently: the glossary's es terms are not es-MX's)
    assert {target for target, _ in received} == {"es"}
    assert first["es"]["sent"] == first["es"]["segments"]
    assert first["es"]["sent"] + first["es-MX"]["sent"] == len(sentences)
    mx = first["es-MX"]
    assert mx["cached"] == mx["segments"] - mx["sent"] > mx["sent"]
    es = first["es"]
    assert es["model_calls_per_unit"] == round(es["sent"] / es["units"], 4)
    assert 0 < first["es"]["model_calls_per_unit"] < 2
    assert first["es"]["copied"] > 0  # units of names, numbers or markup only: never sent

    received.clear()
    again = translate(project, capsys)
    assert received == [] and again["es"]["units"] == again["es-MX"]["units"] == 0

    article = project / "source" / f"{ARTICLE}.md"
    text = article.read_text("utf-8")
    assert OLD in text
    article.write_text(text.replace(OLD, NEW), "utf-8")
    for command in ("extract", "update"):
        assert main(["-C", str(project), command]) == 0
    edited = translate(project, capsys, "--retranslate")
    changed = sent(received)
    # only the new paragraph's two sentences, once, for both languages
    assert len(changed) == 2, changed
    words = set(re.findall(r"[A-Za-z]+", NEW))
    for sentence in changed:
        assert set(re.findall(r"[A-Za-z]+", sentence)) <= words, sentence
    assert edited["es"]["sent"] == 2 and edited["es-MX"]["sent"] == 0
    assert edited["es"]["cached"] == edited["es"]["segments"] - 2
