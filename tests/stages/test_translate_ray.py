"""``translate --executor ray``: the shipped articles drafted by the real argos engine on the
actors of a local Ray cluster (2 CPUs, started once for the module) give catalogues
byte-identical to a local run; the work runs in the workers, and the driver alone writes the
catalogues and the cache, so a rerun sends nothing.

Ray needs local sockets: the module gives it a temporary HOME (with a ``local`` provider
bootstrap file, as ``ray up`` would leave on a cluster's head), turns its usage reports off,
gives it 127.0.0.1 as its node address, and lets this process's Python sockets reach loopback
addresses only (Ray's own servers listen on every interface; nothing here connects out)."""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from localise.cli import main
from support import isolate_argos, loopback_only

pytestmark = pytest.mark.skipif(importlib.util.find_spec("ray") is None,
                                reason="Ray is not installed (pip install 'localise[ray]')")

ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "src"
ARTICLES = ("stem-cell-therapy-japan.md", "guides/japan-treatment-checklist.md")
LANGS = ("ja", "es")


@pytest.fixture(scope="module")
def ray_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """The environment Ray runs in here: its own HOME, no usage reports, this checkout's
    localise on the workers' path."""
    home = tmp_path_factory.mktemp("ray-home")
    (home / "ray_bootstrap_config.yaml").write_text("provider: {type: local}\n")
    env = {
        "HOME": str(home),
        "RAY_USAGE_STATS_ENABLED": "0",
        "PYTHONPATH": os.pathsep.join([str(SRC), *filter(None, os.environ.get(
            "PYTHONPATH", "").split(os.pathsep))]),
    }
    with pytest.MonkeyPatch.context() as mp:
        for key, value in env.items():
            mp.setenv(key, value)
        yield env


@pytest.fixture(scope="module")
def cluster(ray_home: dict[str, str]) -> Iterator[str]:
    """A 2-CPU Ray cluster of this machine for the module; yields its head's address."""
    import ray

    with pytest.MonkeyPatch.context() as mp:
        loopback_only(mp)
        ray.init(address="local", num_cpus=2, include_dashboard=False,
                 _node_ip_address="127.0.0.1", logging_level="WARNING", log_to_driver=False)
    try:
        yield ray.get_runtime_context().gcs_address
    finally:
        ray.shutdown()


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory, tiny_models: dict[str, Path]) -> Path:
    """The two shipped articles, extracted and updated for ja and es, with real (tiny) en→ja
    and en→es argos packages in the project's own folder."""
    root = tmp_path_factory.mktemp("ray-project") / "project"
    for name in ARTICLES:
        (root / "source" / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / "source" / name, root / "source" / name)
    (root / "localise.toml").write_text(
        'languages = ["ja", "es"]\n\n[translate]\npackages_dir = "models"\nbeam_size = 1\n')
    with pytest.MonkeyPatch.context() as mp:
        isolate_argos(mp, root.parent / "argos-home")
        for args in (*(["models", "install", str(tiny_models[lang])] for lang in LANGS),
                     ["extract"], ["update"]):
            assert main(["-C", str(root), *args]) == 0
    return root


@pytest.fixture
def project(template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    isolate_argos(monkeypatch, tmp_path / "argos-home")
    root = tmp_path / "project"
    shutil.copytree(template, root)
    return root


@pytest.fixture
def local_copy(project: Path, tmp_path: Path) -> Path:
    root = tmp_path / "local"
    shutil.copytree(project, root)
    return root


@pytest.fixture(autouse=True)
def refused(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Connections this test's Python code tried beyond loopback (there must be none)."""
    attempts = loopback_only(monkeypatch)
    yield attempts
    assert attempts == []


def translate(root: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict]:
    capsys.readouterr()
    code = main(["-C", str(root), "translate", "--json", *args])
    out = capsys.readouterr().out
    return code, json.loads(out)


def catalogues(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted((root / "locales").rglob("*.po"))}


def test_ray_drafts_equal_a_local_run_and_a_rerun_sends_nothing(
    cluster: str, project: Path, local_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, local = translate(local_copy, capsys)
    assert code == 0 and local["executor"] == "local"
    code, done = translate(project, capsys, "--executor", "ray")
    assert code == 0, done
    assert done["executor"] == "ray"
    for lang in LANGS:
        summary = done["languages"][lang]
        assert summary["error"] is None
        assert summary["sent"] == local["languages"][lang]["sent"] > 0
        assert summary["batches"] == 2  # one per article: 2 articles, 2 workers
        pids = {int(w.rpartition(":")[2]) for w in summary["workers"]}
        assert len(pids) == 2 and os.getpid() not in pids  # the actors, not this process
    before = catalogues(project)
    assert before == catalogues(local_copy)  # byte-identical, ja and es
    assert {path.split("/")[1] for path in before} == set(LANGS)
    assert {w for lang in LANGS for w in local["languages"][lang]["workers"]} == {
        f"{socket.gethostname()}:{os.getpid()}"}

    code, again = translate(project, capsys, "--executor", "ray", "--retranslate")
    assert code == 0
    for lang in LANGS:  # every sentence from the cache the driver wrote: no batch, no worker
        summary = again["languages"][lang]
        assert summary["sent"] == 0 and summary["cached"] == done["languages"][lang]["sent"]
        assert summary["batches"] == 0 and summary["workers"] == []
    assert catalogues(project) == before


def test_a_driver_elsewhere_joins_the_cluster_by_its_address(
    cluster: str, ray_home: dict[str, str], project: Path, local_copy: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A separate `localise` process (as on another machine) given ``ray=HEAD:PORT``: the
    address is probed, joined, and left running after the run."""
    assert translate(local_copy, capsys, "--lang", "ja")[0] == 0
    env = {**os.environ, **ray_home}
    done = subprocess.run(
        [sys.executable, "-m", "localise", "-C", str(project), "translate", "--lang", "ja",
         "--executor", f"ray={cluster}", "--json"],
        capture_output=True, text=True, env=env, timeout=120, check=False,
    )
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)["languages"]["ja"]
    assert summary["executor"] == f"ray={cluster}" and summary["sent"] > 0
    assert summary["workers"] and all(not w.endswith(f":{os.getpid()}")
                                      for w in summary["workers"])
    assert catalogues(project) == catalogues(local_copy)
    import ray

    assert ray.is_initialized() and ray.cluster_resources().get("CPU") == 2  # still up


@pytest.mark.skipif(
    importlib.util.find_spec("ctranslate2") is not None
    and __import__("ctranslate2").get_cuda_device_count() > 0,
    reason="this machine has a CUDA GPU: the cluster has one too",
)
def test_cuda_on_a_cluster_without_gpus_is_a_clear_error(
    cluster: str, project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = catalogues(project)
    capsys.readouterr()
    code = main(["-C", str(project), "translate", "--lang", "ja", "--executor", "ray",
                 "--device", "cuda"])
    err = capsys.readouterr().err
    assert code == 2
    assert "device cuda: the Ray cluster has no GPU" in err and "Traceback" not in err
    assert catalogues(project) == before


def test_workers_with_another_engine_than_the_driver_stop_the_language(
    cluster: str, project: Path, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The driver here believes in other decoding options than the workers build (as when a
    node has another model): the workers refuse, nothing is written, the exit status is 2."""
    from localise import engines

    real_identity = engines.identity

    def other(engine: object, *, source: str, target: str) -> engines.Identity:
        found = real_identity(engine, source=source, target=target)  # type: ignore[arg-type]
        return engines.Identity(found.label, (*found.parts, "beam=99"), found.files)

    monkeypatch.setattr(engines, "identity", other)
    before = catalogues(project)
    capsys.readouterr()
    code = main(["-C", str(project), "translate", "--lang", "ja", "--executor", "ray"])
    err = capsys.readouterr().err
    assert code == 2 and "Traceback" not in err
    assert "runs argos translate-en_ja 1.0 with other settings than the driver (beam=99)" \
        in err, err
    assert "install the same engine and model on every node" in err
    assert catalogues(project) == before
