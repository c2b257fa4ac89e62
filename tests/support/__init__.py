"""Helpers shared by the localise tests: argos sandboxing and the tiny offline argos model."""

from __future__ import annotations

import socket
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

__all__ = ["block_network", "isolate_argos", "loopback_only"]

# argostranslate 1.11 reads these when ``argostranslate.settings`` is first imported (and
# creates the directories): HOME for its defaults, XDG_DATA_HOME (data dir, default package
# dir, index.json, minisbd cache), XDG_CONFIG_HOME (settings.json), XDG_CACHE_HOME
# (downloads, spacy cache) and ARGOS_PACKAGES_DIR (package dir, overrides XDG_DATA_HOME).
# STANZA_RESOURCES_DIR is where stanza would download its models.
_SETTINGS_PATHS = {
    "data_dir": ("share", "argos-translate"),
    "config_dir": ("config", "argos-translate"),
    "cache_dir": ("cache", "argos-translate"),
    "downloads_dir": ("cache", "argos-translate", "downloads"),
    "settings_file": ("config", "argos-translate", "settings.json"),
    "local_package_index": ("share", "argos-translate", "index.json"),
    "package_data_dir": ("argos-packages",),
}


def isolate_argos(monkeypatch: pytest.MonkeyPatch, root: Path) -> Path:
    """Point argostranslate (and stanza) at a sandbox under ``root``; return its package dir."""
    packages = root / "argos-packages"
    packages.mkdir(parents=True, exist_ok=True)
    monkeypatch.setenv("HOME", str(root / "home"))
    monkeypatch.setenv("XDG_DATA_HOME", str(root / "share"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(root / "config"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(root / "cache"))
    monkeypatch.setenv("ARGOS_PACKAGES_DIR", str(packages))
    monkeypatch.setenv("STANZA_RESOURCES_DIR", str(root / "stanza"))
    monkeypatch.delenv("SNAP", raising=False)
    # Settings are computed once per process at import, so patch the module as well.
    from argostranslate import settings

    for attr, parts in _SETTINGS_PATHS.items():
        target = root.joinpath(*parts)
        if attr.endswith("_dir"):
            target.mkdir(parents=True, exist_ok=True)
        monkeypatch.setattr(settings, attr, target)
    monkeypatch.setattr(settings, "package_dirs", [packages])
    monkeypatch.setattr(
        settings, "remote_package_index", "https://localise-test.invalid/index.json"
    )
    if "argostranslate.translate" in sys.modules:
        sys.modules["argostranslate.translate"].get_installed_languages.cache_clear()
    return packages


class NetworkBlocked(OSError):
    """Raised by the socket layer while :func:`block_network` is active."""


def block_network(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Make every DNS lookup and connection raise; return a log of attempted calls."""
    attempts: list[str] = []

    def refuse(name: str) -> Callable[..., None]:
        def _refuse(*args: object, **kwargs: object) -> None:
            attempts.append(f"{name}{args[1:2] if name.endswith('connect') else args[:1]}")
            raise NetworkBlocked(f"network access blocked in tests ({name})")

        return _refuse

    monkeypatch.setattr(socket.socket, "connect", refuse("socket.connect"))
    monkeypatch.setattr(socket.socket, "connect_ex", refuse("socket.connect_ex"))
    monkeypatch.setattr(socket, "create_connection", refuse("create_connection"))
    monkeypatch.setattr(socket, "getaddrinfo", refuse("getaddrinfo"))
    return attempts


def loopback_only(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Let Python sockets connect to this machine only (loopback addresses and Unix sockets);
    any other connection raises. Return a log of the refused attempts."""
    refused: list[str] = []

    def local(address: object) -> bool:
        if isinstance(address, str | bytes):  # a Unix socket path
            return True
        host = str(address[0]) if isinstance(address, tuple) and address else ""
        return host in ("localhost", "::1") or host.startswith("127.")

    def guard(original: Callable[..., object], name: str) -> Callable[..., object]:
        def connect(self: socket.socket, address: object) -> object:
            if not local(address):
                refused.append(f"{name}{address!r}")
                raise NetworkBlocked(f"only loopback connections in this test ({name})")
            return original(self, address)

        return connect

    lookup = socket.getaddrinfo
    names = {None, "", "localhost", socket.gethostname()}

    def getaddrinfo(host: object, *args: object, **kwargs: object) -> object:
        name = host.decode() if isinstance(host, bytes) else host
        if name not in names and not local((name,)):  # a name only DNS would know
            refused.append(f"getaddrinfo({host!r})")
            raise NetworkBlocked(f"only loopback names in this test (getaddrinfo {host!r})")
        return lookup(host, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(socket.socket, "connect", guard(socket.socket.connect, "connect"))
    monkeypatch.setattr(socket.socket, "connect_ex", guard(socket.socket.connect_ex, "connect_ex"))
    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return refused
