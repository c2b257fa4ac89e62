"""Executors: parsing ``local|ray[=ADDRESS]``, batches of whole articles, the local executor,
the worker's check of its engine against the driver's, and the two ways ``--executor ray``
fails at once (Ray missing; an address nothing listens on)."""

from __future__ import annotations

import builtins
import contextlib
import importlib.util
import os
import socket
import threading
import time
from pathlib import Path

import pytest

import localise
from localise import argos_packages, engines, executors
from localise.cache import files_digest
from localise.engines import EngineOptions
from localise.errors import ClusterError
from localise.executors import Spec, pack, parse
from support import isolate_argos

HAS_RAY = importlib.util.find_spec("ray") is not None


@pytest.mark.parametrize(("text", "spec", "shown"), [
    ("local", Spec("local"), "local"),
    ("ray", Spec("ray"), "ray"),
    ("ray=head", Spec("ray", "head", 6379), "ray=head:6379"),
    ("ray=10.0.0.5:6380", Spec("ray", "10.0.0.5", 6380), "ray=10.0.0.5:6380"),
    ("ray=[::1]:7000", Spec("ray", "::1", 7000), "ray=[::1]:7000"),
    (" ray=head.example:1 ", Spec("ray", "head.example", 1), "ray=head.example:1"),
])
def test_parse(text: str, spec: Spec, shown: str) -> None:
    assert parse(text) == spec
    assert str(spec) == shown
    assert parse(shown) == spec


@pytest.mark.parametrize(("text", "problem"), [
    ("spark", "unknown executor"),
    ("", "unknown executor"),
    ("local=head:6379", "takes no address"),
    ("ray=", "not a Ray address"),
    ("ray=head:port", "not a Ray address"),
    ("ray=a b:1", "not a Ray address"),
    ("ray=head:0", "not a port number"),
    ("ray=head:65536", "not a port number"),
])
def test_parse_rejects(text: str, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        parse(text)


def test_pack_keeps_articles_whole_and_cuts_only_the_longest() -> None:
    groups = [["a1", "a2"], ["b1"], [], ["c1", "c2", "c3"], ["d1"]]
    assert pack(groups, target=3) == [["a1", "a2", "b1"], ["c1", "c2", "c3"], ["d1"]]
    assert pack(groups, target=1) == [["a1", "a2"], ["b1"], ["c1", "c2", "c3"], ["d1"]]
    assert pack(groups, target=100) == [["a1", "a2", "b1", "c1", "c2", "c3", "d1"]]
    long = [f"x{i}" for i in range(5)]
    assert pack([["a"], long, ["b"]], target=2, most=2) == [
        ["a"], ["x0", "x1"], ["x2", "x3"], ["x4"], ["b"]]
    assert pack([], target=4) == []


class _Upper:
    name = "upper"

    def __init__(self) -> None:
        self.calls: list[int] = []

    def version(self, *, source: str, target: str) -> str:
        return "upper 1"

    def translate(self, segments: list[str], *, source: str, target: str) -> list[str]:
        self.calls.append(len(segments))
        return [s.upper() for s in segments]


def test_local_executor_runs_in_this_process_in_steps() -> None:
    engine = _Upper()
    runner = executors.open_executor(Spec("local"))
    identity = engines.identity(engine, source="en", target="ja")
    groups = [[f"s{i}" for i in range(300)], ["t"]]
    with runner.pair(engine, name="upper", options=EngineOptions(), identity=identity,
                     source="en", target="ja") as pair:
        done = list(pair.run(groups, model=""))
    assert engine.calls == [executors.STEP, 301 - executors.STEP]
    assert [s for batch, _ in done for s in batch] == [s for g in groups for s in g]
    assert all(out == [s.upper() for s in batch] for batch, out in done)
    assert runner.log == [f"{socket.gethostname()}:{os.getpid()}"] * 2


def test_an_engine_with_call_size_0_gets_the_whole_run_in_one_call() -> None:
    """Apertium's call_size is 0: one process for every sentence of a language's run."""
    engine = _Upper()
    engine.call_size = 0  # type: ignore[attr-defined]
    runner = executors.open_executor(Spec("local"))
    identity = engines.identity(engine, source="en", target="es")
    groups = [[f"s{i}" for i in range(300)], [f"t{i}" for i in range(300)]]
    with runner.pair(engine, name="upper", options=EngineOptions(), identity=identity,
                     source="en", target="es") as pair:
        done = list(pair.run(groups, model=""))
    assert engine.calls == [600] and len(done) == 1
    assert engines.call_size(engines.get_engine("apertium", options=EngineOptions())) == 0
    assert engines.call_size(engines.get_engine("pseudo", options=EngineOptions())) == 256
    assert engines.call_size(engines.get_engine("argos", options=EngineOptions())) == 2048


@pytest.fixture
def installed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, tiny_models) -> Path:
    """A folder holding the real (tiny) en→ja argos package, unpacked."""
    isolate_argos(monkeypatch, tmp_path / "argos-home")
    folder = tmp_path / "models"
    argos_packages.install_file(tiny_models["ja"], packages_dir=folder)
    return folder


def _driver(options: EngineOptions, **changes: str) -> tuple[str, str, tuple[str, ...], str]:
    engine = engines.get_engine("argos", options=options)
    identity = engines.identity(engine, source="en", target="ja")
    model = files_digest(identity.files)
    fields = {"version": localise.__version__, "label": identity.label, "model": model} | changes
    return fields["version"], fields["label"], identity.parts, fields["model"]


def test_a_worker_with_the_drivers_engine_and_model_translates(installed: Path) -> None:
    options = EngineOptions(packages_dir=installed, beam_size=1)
    worker = executors._Worker("argos", options)
    index, where, outputs, error = worker.translate(
        3, ["Book your flight early."], "en", "ja", _driver(options))
    assert (index, error) == (3, None) and where.endswith(f":{os.getpid()}")
    assert outputs == ["Book your flight early."]  # the copy model


@pytest.mark.parametrize(("change", "found"), [
    ({"model": "0" * 64}, "the driver argos translate-en_ja 1.0 (model 000000000000)"),
    ({"version": "0.0.1"}, "runs localise " + localise.__version__ + ", the driver 0.0.1"),
])
def test_a_worker_with_another_model_or_version_refuses(
    installed: Path, change: dict[str, str], found: str
) -> None:
    options = EngineOptions(packages_dir=installed, beam_size=1)
    worker = executors._Worker("argos", options)
    _, where, outputs, error = worker.translate(0, ["Hello."], "en", "ja",
                                                _driver(options, **change))
    assert outputs is None and error is not None
    kind, message, _ = error
    assert kind == "cluster" and found in message and where in message
    assert "install the same" in message


def test_a_worker_with_other_decoding_options_refuses(installed: Path) -> None:
    driver = _driver(EngineOptions(packages_dir=installed, beam_size=4))
    worker = executors._Worker("argos", EngineOptions(packages_dir=installed, beam_size=1))
    _, _, outputs, error = worker.translate(0, ["Hello."], "en", "ja", driver)
    assert outputs is None and error is not None and error[0] == "cluster"
    assert "runs argos translate-en_ja 1.0 with other settings than the driver (beam=1, " \
        "beam=4)" in error[1]


def _closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_probe_of_a_closed_port_fails_at_once() -> None:
    port = _closed_port()
    start = time.perf_counter()
    with pytest.raises(ClusterError, match=f"cannot reach the Ray cluster at 127.0.0.1:{port}"):
        executors._probe("127.0.0.1", port, timeout=2.0)
    assert time.perf_counter() - start < 2.0


@pytest.mark.parametrize("answer", [b"", b"+OK redis\r\n", None])
def test_probe_of_a_port_that_is_not_a_ray_head_fails_at_once(answer: bytes | None) -> None:
    """A listener that says nothing, closes, or answers as another protocol would: Ray would
    retry it for minutes, the probe stops within its timeout."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        port = server.getsockname()[1]

        def serve() -> None:
            conn, _ = server.accept()
            with conn:
                if answer is None:  # silent until the client gives up
                    conn.settimeout(2.0)
                    with contextlib.suppress(OSError):
                        conn.recv(100)
                        conn.recv(100)
                    return
                conn.recv(100)
                conn.sendall(answer)

        thread = threading.Thread(target=serve, daemon=True)
        thread.start()
        start = time.perf_counter()
        with pytest.raises(ClusterError, match=f"127.0.0.1:{port} is not a Ray head"):
            executors._probe("127.0.0.1", port, timeout=0.5)
        assert time.perf_counter() - start < 1.5
        thread.join()


@pytest.mark.skipif(not HAS_RAY, reason="Ray is not installed (pip install 'localise[ray]')")
def test_an_unreachable_address_exits_2_before_anything_is_read(cli, project: Path) -> None:
    port = _closed_port()
    assert cli(project, "extract").code == 0
    start = time.perf_counter()
    done = cli(project, "translate", "--engine", "pseudo", "--executor", f"ray=127.0.0.1:{port}")
    assert done.code == 2
    assert f"cannot reach the Ray cluster at 127.0.0.1:{port}" in done.err
    assert "ray start --head" in done.err and "Traceback" not in done.err
    assert time.perf_counter() - start < 5


def test_without_ray_the_ray_executor_says_how_to_install_it(
    cli, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_import = builtins.__import__

    def no_ray(name: str, *args: object, **kwargs: object) -> object:
        if name == "ray" or name.startswith("ray."):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_ray)
    done = cli(project, "translate", "--engine", "pseudo", "--executor", "ray")
    assert done.code == 2
    assert "pip install 'localise[ray]'" in done.err and "Traceback" not in done.err
    done = cli(project, "translate", "--engine", "pseudo")  # local needs no Ray
    assert done.code == 0, done.err


def test_the_config_key_chooses_the_executor(cli, project: Path) -> None:
    port = _closed_port()
    with (project / "localise.toml").open("a") as f:
        f.write(f'\n[translate]\nexecutor = "ray=127.0.0.1:{port}"\n')
    done = cli(project, "translate", "--engine", "pseudo", "--executor", "local", "--json")
    assert done.code == 0, done.err
    assert '"executor": "local"' in done.out
    if HAS_RAY:
        done = cli(project, "translate", "--engine", "pseudo")
        assert done.code == 2 and f"127.0.0.1:{port}" in done.err
