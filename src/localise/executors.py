"""Where machine translation runs: in this process (``local``) or on a Ray cluster (``ray``).

The driver (the ``localise`` process) reads the catalogues, looks sentences up in the cache,
and writes both; an executor only turns batches of sentences into translations, one output
per input in order. :class:`LocalExecutor` calls the engine in this process, loading its model
in the background while the driver hashes it (:class:`~localise.engines.WarmUp`).
:class:`RayExecutor` connects to a Ray cluster (``ray=HOST:PORT``) or starts one on this
machine (``ray``), and sends each batch, one or more whole articles' sentences, to a pool of
actors; each actor builds the same engine with the same options on its own CPUs (or GPU, when
the device is ``cuda``) and, before its first batch of a language pair, checks that its engine
and model files are the driver's (:class:`~localise.engines.Identity` and the files' digest),
so a node with another model fails the run instead of filling the cache with its drafts.

Ray is optional (``pip install 'localise[ray]'``) and imported only when a Ray executor is
opened; an explicit address is probed first (TCP, then one gRPC/HTTP/2 exchange), so an
unreachable head, or a port that is not one, fails at once.
"""

from __future__ import annotations

import contextlib
import dataclasses
import math
import os
import socket
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import localise
from localise import engines
from localise.cache import files_digest
from localise.choices import DEFAULT_PORT, Spec
from localise.choices import EXECUTORS as KINDS
from localise.choices import parse_executor as parse
from localise.engines import Engine, EngineOptions, Identity
from localise.errors import ClusterError, EngineError, LocaliseError

__all__ = [
    "DEFAULT_PORT",
    "KINDS",
    "Batches",
    "Executor",
    "LocalExecutor",
    "RayExecutor",
    "Spec",
    "open_executor",
    "pack",
    "parse",
]

PROBE_SECONDS = 3.0
"""How long the TCP probe of an explicit Ray address waits before the run fails."""
STEP = engines.CALL_SIZE
"""Most sentences in one Ray batch (progress is reported, and the cache written, after each)."""
INSTALL_HINT = "pip install 'localise[ray]'"

Batches = Iterator[tuple[list[str], list[str]]]
"""(sentences of a batch, their translations in the same order), as batches finish."""


def pack(groups: Sequence[Sequence[str]], *, target: int, most: int = STEP) -> list[list[str]]:
    """Cut per-article sentence lists into batches: whole articles, in order, each batch
    reaching ``target`` sentences at most when more than one article shares it; an article
    longer than ``most`` is cut into runs of ``most``."""
    target = max(1, min(target, most))
    batches: list[list[str]] = []
    current: list[str] = []
    for group in groups:
        if not group:
            continue
        if current and len(current) + len(group) > target:
            batches.append(current)
            current = []
        if len(group) > most:
            batches += [list(group[i : i + most]) for i in range(0, len(group), most)]
            continue
        current += group
    if current:
        batches.append(current)
    return batches


class Pair(Protocol):
    """An executor ready to translate one language pair with one engine."""

    def run(self, groups: Sequence[Sequence[str]], *, model: str) -> Batches:
        """Translate each article's sentences (``groups``); ``model`` is the driver's model
        files digest (empty when the engine has none)."""
        ...


class Executor(Protocol):
    """Runs an engine's batches somewhere; :meth:`pair` is entered once per language."""

    name: str
    spec: Spec
    log: list[str]
    """``host:pid`` of the process that translated each batch, in the order they finished."""

    def pair(self, engine: Engine, *, name: str, options: EngineOptions, identity: Identity,
             source: str, target: str) -> contextlib.AbstractContextManager[Pair]:
        """A context in which :meth:`Pair.run` translates ``source`` → ``target``."""
        ...

    def close(self) -> None:
        """Release what the executor started (a Ray cluster it started, its actors)."""
        ...


def _where() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _translate(engine: Engine, batch: list[str], *, source: str, target: str) -> list[str]:
    outputs = engine.translate(batch, source=source, target=target)
    if len(outputs) != len(batch):
        raise EngineError(f"engine {engine.name} returned {len(outputs)} outputs for {len(batch)}")
    return list(outputs)


@dataclass(slots=True)
class _LocalPair:
    executor: LocalExecutor
    engine: Engine
    source: str
    target: str

    def run(self, groups: Sequence[Sequence[str]], *, model: str) -> Batches:
        flat = [s for group in groups for s in group]
        step = engines.call_size(self.engine) or max(1, len(flat))
        for i in range(0, len(flat), step):
            batch = flat[i : i + step]
            outputs = _translate(self.engine, batch, source=self.source, target=self.target)
            self.executor.log.append(_where())
            yield batch, outputs


@dataclass(slots=True)
class LocalExecutor:
    """The engine in this process (the default): calls of the engine's
    :func:`~localise.engines.call_size` sentences."""

    spec: Spec = field(default_factory=Spec)
    name: str = "local"
    log: list[str] = field(default_factory=list)

    @contextlib.contextmanager
    def pair(self, engine: Engine, *, name: str, options: EngineOptions, identity: Identity,
             source: str, target: str) -> Iterator[Pair]:
        """The model loads (``prepare``) in the background while the driver hashes it."""
        warm = engines.WarmUp(engine, source=source, target=target)
        try:
            yield _LocalPair(self, engine, source, target)
        finally:
            warm.wait()

    def close(self) -> None:
        """Nothing to release."""


class _Worker:
    """A Ray actor: one engine, built as the driver's, checked against it per language pair."""

    def __init__(self, name: str, options: EngineOptions) -> None:
        self.engine = engines.get_engine(name, options=options)
        self.checked: set[tuple[str, str]] = set()

    def translate(
        self, index: int, batch: list[str], source: str, target: str,
        driver: tuple[str, str, tuple[str, ...], str],
    ) -> tuple[int, str, list[str] | None, tuple[str, str, str | None] | None]:
        """(index, ``host:pid``, translations, None), or an error as (kind, message, path);
        ``driver`` is the driver's localise version, identity label, parts and model digest."""
        where = _where()
        try:
            if (source, target) not in self.checked:
                self._check(source=source, target=target, driver=driver, where=where)
                self.checked.add((source, target))
            outputs = _translate(self.engine, batch, source=source, target=target)
        except LocaliseError as exc:
            kind = "cluster" if isinstance(exc, ClusterError) else "engine"
            path = str(exc.path) if exc.path is not None else None
            return index, where, None, (kind, exc.message, path)
        return index, where, outputs, None

    def _check(self, *, source: str, target: str,
               driver: tuple[str, str, tuple[str, ...], str], where: str) -> None:
        version, label, parts, model = driver
        if version != localise.__version__:
            raise ClusterError(f"worker {where} runs localise {localise.__version__}, the "
                               f"driver {version}; install the same version on every node")
        mine = engines.identity(self.engine, source=source, target=target)
        try:
            digest = files_digest(mine.files) if mine.files else ""
        except OSError as exc:
            raise ClusterError(f"worker {where} cannot read its model files: {exc}") from None
        fix = "install the same engine and model on every node"
        if digest != model or mine.label != label:
            raise ClusterError(
                f"worker {where} runs {mine.label} (model {digest[:12] or 'none'}), the driver "
                f"{label} (model {model[:12] or 'none'}); {fix}"
            )
        if mine.parts != parts:
            differ = ", ".join(dict.fromkeys(p for p in (*mine.parts, *parts)
                                             if (p in mine.parts) != (p in parts)))
            raise ClusterError(
                f"worker {where} runs {mine.label} with other settings than the driver "
                f"({differ}); {fix}"
            )


def local_runtime_env() -> dict[str, Any]:
    """Ray's ``runtime_env`` for workers on this machine: they import this very localise (the
    driver's folder first on their ``PYTHONPATH``), whatever else is installed."""
    here = str(Path(localise.__file__).resolve().parents[1])
    rest = [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
    paths = [here, *(str(Path(p).resolve()) for p in rest)]
    return {"env_vars": {"PYTHONPATH": os.pathsep.join(dict.fromkeys(paths))}}


_HTTP2_PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + bytes([0, 0, 0, 4, 0, 0, 0, 0, 0])
"""The HTTP/2 client preface and an empty SETTINGS frame: a Ray head's GCS (a gRPC server)
answers with a SETTINGS frame of its own at once."""


def _probe(host: str, port: int, *, timeout: float = PROBE_SECONDS) -> None:
    """Raise ClusterError unless ``host:port`` accepts a TCP connection and answers as a gRPC
    server (an HTTP/2 SETTINGS frame), both within ``timeout``: Ray itself would retry a
    wrong address for minutes. With Ray's TLS on (``RAY_USE_TLS``), only TCP is checked."""
    where = f"{host}:{port}"
    try:
        conn = socket.create_connection((host, port), timeout=timeout)
    except OSError as exc:
        reason = exc.strerror or str(exc) or type(exc).__name__
        raise ClusterError(
            f"cannot reach the Ray cluster at {where} ({reason}); start its head there with "
            "`ray start --head`, or use --executor local"
        ) from None
    reply = b""
    with conn:
        if os.environ.get("RAY_USE_TLS", "0").lower() in ("1", "true"):
            return
        with contextlib.suppress(OSError):  # a timeout, a reset: no answer
            conn.sendall(_HTTP2_PREFACE)
            while len(reply) < 9 and (chunk := conn.recv(9 - len(reply))):
                reply += chunk
    if len(reply) < 9 or reply[3] != 4:
        answer = "no answer" if not reply else f"answered {reply[:9]!r}"
        raise ClusterError(
            f"{where} is not a Ray head ({answer} within {timeout:g} s where Ray's GCS speaks "
            "gRPC); give the address `ray start --head` printed, or use --executor local"
        )


def _import_ray() -> Any:
    try:
        import ray
        import ray.util
    except ImportError:
        raise ClusterError(
            f"the Ray executor needs Ray, which is not installed: {INSTALL_HINT}"
        ) from None
    return ray


@dataclass(slots=True)
class _Pool:
    """The actors of one engine and options, and how each batch gets to one of them."""

    pool: Any
    actors: list[Any]


@dataclass(slots=True)
class RayExecutor:
    """Batches on the actors of a Ray cluster; the cluster is joined at the first batch."""

    spec: Spec
    name: str = "ray"
    log: list[str] = field(default_factory=list)
    _ray: Any = None
    _started: bool = False
    _pools: dict[tuple[str, EngineOptions], _Pool] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self._ray = _import_ray()
        if self.spec.host is not None:
            _probe(self.spec.host, self.spec.port)

    def _connect(self) -> Any:
        ray = self._ray
        if ray.is_initialized():  # the caller's own session (a test, a notebook): kept open
            return ray
        os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")  # offline: no usage reports
        settings: dict[str, Any] = {"logging_level": "WARNING", "log_to_driver": False}
        try:
            if self.spec.address is None:  # a cluster of this machine only, for this run
                # "local": a new cluster, never one `ray start` left running here
                ray.init(address="local", _node_ip_address="127.0.0.1", include_dashboard=False,
                         runtime_env=local_runtime_env(), **settings)
            else:
                ray.init(address=self.spec.address, **settings)
        except (ConnectionError, RuntimeError, ValueError) as exc:
            where = self.spec.address or "this machine"
            raise ClusterError(f"cannot join the Ray cluster at {where}: {exc}") from None
        self._started = True
        return ray

    def _pool(self, name: str, options: EngineOptions) -> _Pool:
        key = (name, options)
        with self._lock:
            if key not in self._pools:
                self._pools[key] = self._start(name, options)
            return self._pools[key]

    def _start(self, name: str, options: EngineOptions) -> _Pool:
        """One actor per GPU (device cuda, or auto on a cluster with GPUs), else one per
        ``threads`` CPUs of a node (1 when threads is 0), each engine using those CPUs."""
        ray = self._connect()
        nodes = [n for n in ray.nodes() if n.get("Alive")]
        gpus = sum(int(n["Resources"].get("GPU", 0)) for n in nodes)
        if options.device == "cuda" or (options.device == "auto" and gpus):
            if not gpus:
                raise ClusterError("device cuda: the Ray cluster has no GPU (see `ray status`); "
                                   "use device cpu or auto")
            count, resources = gpus, {"num_gpus": 1, "num_cpus": 1}
            worker_options = options
        else:
            per = options.threads or 1
            count = sum(int(n["Resources"].get("CPU", 0)) // per for n in nodes)
            if not count:
                raise ClusterError(f"no node of the Ray cluster has {per} CPUs for a worker "
                                   "(--threads is the CPUs of one worker; see `ray status`)")
            resources = {"num_cpus": per}
            worker_options = dataclasses.replace(options, threads=per)
        remote = ray.remote(**resources)(_Worker)
        actors = [remote.remote(name, worker_options) for _ in range(count)]
        return _Pool(ray.util.ActorPool(actors), actors)

    def _drop(self, name: str, options: EngineOptions) -> None:
        """Kill the actors of a pool whose batches were abandoned (their results are stale)."""
        with self._lock:
            found = self._pools.pop((name, options), None)
        for actor in found.actors if found else ():
            with contextlib.suppress(Exception):
                self._ray.kill(actor)

    @contextlib.contextmanager
    def pair(self, engine: Engine, *, name: str, options: EngineOptions, identity: Identity,
             source: str, target: str) -> Iterator[Pair]:
        """The driver loads no model: only the workers do."""
        yield _RayPair(self, name, options, identity, source, target)

    def close(self) -> None:
        """Kill the actors, and shut Ray down if this executor started or joined it."""
        for name, options in list(self._pools):
            self._drop(name, options)
        if self._started:
            self._ray.shutdown()
            self._started = False


def _submit(actor: Any, job: tuple[Any, ...]) -> Any:
    return actor.translate.remote(*job)


@dataclass(slots=True)
class _RayPair:
    executor: RayExecutor
    name: str
    options: EngineOptions
    identity: Identity
    source: str
    target: str

    def run(self, groups: Sequence[Sequence[str]], *, model: str) -> Batches:
        total = sum(len(g) for g in groups)
        if not total:
            return
        executor = self.executor
        found = executor._pool(self.name, self.options)
        # at least two batches per worker where there are enough articles, so none waits idle
        batches = pack(groups, target=math.ceil(total / (2 * len(found.actors))))
        driver = (localise.__version__, self.identity.label, self.identity.parts, model)
        args = (self.source, self.target, driver)
        done = False
        try:
            for index, batch in enumerate(batches):
                found.pool.submit(_submit, (index, batch, *args))
            while found.pool.has_next():
                try:
                    index, where, outputs, error = found.pool.get_next_unordered()
                except executor._ray.exceptions.RayError as exc:
                    first = str(exc).strip().splitlines()[0] if str(exc).strip() else repr(exc)
                    raise ClusterError(f"a Ray worker failed: {first}") from None
                if error is not None:
                    kind, message, path = error
                    cls = ClusterError if kind == "cluster" else EngineError
                    raise cls(f"on Ray worker {where}: {message}" if kind != "cluster"
                              else message, path=path)
                assert outputs is not None
                executor.log.append(where)
                yield batches[index], outputs
            done = True
        finally:
            if not done:
                executor._drop(self.name, self.options)


def open_executor(spec: Spec) -> Executor:
    """The executor ``spec`` names (ClusterError when Ray is missing or its head unreachable)."""
    if spec.kind == "ray":
        return RayExecutor(spec)
    return LocalExecutor(spec)
