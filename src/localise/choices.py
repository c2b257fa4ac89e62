"""The names ``localise.toml`` and the command line choose from, as plain data: checking a
dialect, engine or executor name loads no dialect, engine or executor.

:mod:`localise.dialects` and :mod:`localise.engines` map the same names to their modules (a
test keeps the lists equal); :mod:`localise.executors` runs what :func:`parse_executor` reads.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from localise.errors import EngineError

DIALECTS: tuple[str, ...] = ("commonmark", "gfm", "mkdocs", "docusaurus", "hugo", "liquid", "mdn")
"""The Markdown dialect presets ``dialect = "…"`` accepts (:data:`localise.dialects.NAMES`)."""
ENGINES: tuple[str, ...] = ("argos", "apertium", "pseudo")
"""The machine-translation engines (:data:`localise.engines.ENGINE_NAMES`)."""
EXECUTORS: tuple[str, ...] = ("local", "ray")
"""Where engines run: this process, or a Ray cluster."""
DEFAULT_PORT = 6379
"""The port of a Ray head's GCS when ``ray=HOST`` names none (``ray start --head``'s own)."""
_HOST_PORT = re.compile(r"(?:\[(?P<v6>[0-9A-Fa-f:.]+)\]|(?P<host>[^:\s\[\]]+))(?::(?P<port>\d+))?")


def check_engine(name: str, known: Sequence[str] = ENGINES) -> None:
    """Raise EngineError unless ``name`` is one of the ``known`` engines."""
    if name not in known:
        raise EngineError(
            f"unknown translation engine {name!r}; known engines: {', '.join(known)}"
        )


@dataclass(frozen=True, slots=True)
class Spec:
    """Which executor to use: ``local``, ``ray`` (a cluster on this machine) or ``ray=ADDRESS``."""

    kind: str = "local"
    host: str | None = None
    port: int = DEFAULT_PORT

    @property
    def address(self) -> str | None:
        """``HOST:PORT`` of the Ray head, or None (start a cluster here, or local)."""
        if self.host is None:
            return None
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}"

    def __str__(self) -> str:
        return self.kind if self.address is None else f"{self.kind}={self.address}"


def parse_executor(text: str) -> Spec:
    """``local``, ``ray`` or ``ray=HOST[:PORT]`` → :class:`Spec`; anything else: ValueError."""
    kind, sep, address = text.strip().partition("=")
    if kind not in EXECUTORS:
        raise ValueError(f"unknown executor {text!r}: expected local, ray or ray=HOST:PORT")
    if not sep:
        return Spec(kind)
    if kind == "local":
        raise ValueError(f"the local executor takes no address: {text!r}")
    match = _HOST_PORT.fullmatch(address.strip())
    if match is None:
        raise ValueError(f"not a Ray address (HOST:PORT): {address!r}")
    port = int(match["port"]) if match["port"] else DEFAULT_PORT
    if not 0 < port < 65536:
        raise ValueError(f"not a port number: {port} in {address!r}")
    return Spec(kind, match["v6"] or match["host"], port)
