"""``translate --device``: CTranslate2 on a CUDA GPU with the same batching (where there is
one), a clear usage error where there is none, and ``auto`` falling back to the CPU."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import ctranslate2
import pytest

from localise.cli import main
from support import isolate_argos

ROOT = Path(__file__).resolve().parents[2]
GPUS = ctranslate2.get_cuda_device_count()


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, tiny_models) -> Path:
    """One shipped article with fresh ja catalogues and a real (tiny) en→ja argos package."""
    isolate_argos(monkeypatch, tmp_path / "argos-home")
    root = tmp_path / "project"
    (root / "source" / "guides").mkdir(parents=True)
    shutil.copy(ROOT / "source" / "guides" / "japan-treatment-checklist.md",
                root / "source" / "guides")
    (root / "localise.toml").write_text(
        'languages = ["ja"]\n\n[translate]\npackages_dir = "models"\nbeam_size = 1\n')
    for args in (["models", "install", str(tiny_models["ja"])], ["extract"], ["update"]):
        assert main(["-C", str(root), *args]) == 0
    return root


def translate(root: Path, capsys, *args: str) -> tuple[int, dict, str]:
    capsys.readouterr()
    code = main(["-C", str(root), "translate", "--engine", "argos", "--json", *args])
    captured = capsys.readouterr()
    return code, json.loads(captured.out)["languages"]["ja"], captured.err


def drafts(root: Path) -> bytes:
    return (root / "locales" / "ja" / "LC_MESSAGES" / "guides" /
            "japan-treatment-checklist.po").read_bytes()


@pytest.mark.skipif(GPUS > 0, reason="this machine has a CUDA GPU: the error path cannot occur")
def test_cuda_without_a_gpu_is_a_clear_usage_error(project: Path, capsys) -> None:
    before = drafts(project)
    code, summary, err = translate(project, capsys, "--device", "cuda")
    assert code == 2
    assert "device cuda: CTranslate2 finds no CUDA GPU on this machine" in err, err
    assert "use device cpu or auto" in err and "Traceback" not in err
    assert summary["error"] and summary["filled"] == 0
    assert drafts(project) == before  # nothing written


@pytest.mark.skipif(GPUS > 0, reason="this machine has a CUDA GPU: auto would use it")
def test_auto_without_a_gpu_runs_on_the_cpu(project: Path, capsys) -> None:
    code, summary, _ = translate(project, capsys, "--device", "auto")
    assert code == 0 and summary["sent"] > 0 and summary["flagged"] == 0


@pytest.mark.skipif(GPUS == 0, reason="no CUDA GPU on this machine (ctranslate2 finds none)")
def test_cuda_drafts_equal_cpu_drafts(project: Path, tmp_path: Path, capsys) -> None:
    cpu = tmp_path / "cpu"
    shutil.copytree(project, cpu)
    assert translate(cpu, capsys, "--device", "cpu")[0] == 0
    code, summary, _ = translate(project, capsys, "--device", "cuda")
    assert code == 0 and summary["sent"] > 0
    assert drafts(project) == drafts(cpu)
