"""Argos Translate package management: install ``.argosmodel`` files, list, fetch from the index.

Packages use argostranslate's on-disk format (one folder per package holding
``metadata.json``, ``sentencepiece.model`` and a CTranslate2 ``model/``). Metadata is read
here directly so that listing packages never imports argostranslate; argostranslate is only
imported to find its default package directories and for :func:`install_from_index`, the
only function in localise that uses the network.
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from localise.errors import EngineError

__all__ = [
    "PackageInfo",
    "default_package_dirs",
    "find_package",
    "install_file",
    "install_from_index",
    "list_installed",
]

INDEX_TIMEOUT_S = 30.0


@dataclass(frozen=True, slots=True, kw_only=True)
class PackageInfo:
    """One installed argos package as described by its ``metadata.json``."""

    from_code: str
    to_code: str
    package_version: str
    path: Path
    type: str = "translate"
    target_prefix: str = ""

    @property
    def name(self) -> str:
        """Return the argospm-style name, e.g. ``translate-en_ja``."""
        return f"{self.type}-{self.from_code}_{self.to_code}"


def install_hint(source: str, target: str) -> str:
    """Return the user-facing advice on how to install a package for ``source``→``target``."""
    return (
        "install a package file with `localise models install FILE.argosmodel` (a "
        f"translate-{source}_{target}-<version>.argosmodel from the Argos package index, fetched "
        "on a machine with network access), or, where this machine can reach the index, "
        f"`localise models install --from-index {source} {target}`"
    )


def default_package_dirs() -> list[Path]:
    """Return argostranslate's package directories (honours ARGOS_PACKAGES_DIR, XDG_DATA_HOME)."""
    from argostranslate import settings

    return [Path(p) for p in settings.package_dirs]


def _search_dirs(packages_dir: Path | None) -> list[Path]:
    return [packages_dir] if packages_dir is not None else default_package_dirs()


def _install_dir(packages_dir: Path | None) -> Path:
    if packages_dir is not None:
        return packages_dir
    from argostranslate import settings

    return Path(settings.package_data_dir)


def _info_from_metadata(metadata: Any, *, path: Path, origin: Path) -> PackageInfo:
    """Validate a parsed ``metadata.json``; ``origin`` names the file in error messages."""
    if not isinstance(metadata, dict):
        raise EngineError("metadata.json is not a JSON object", path=origin)
    kind = metadata.get("type", "translate")
    from_code, to_code = metadata.get("from_code"), metadata.get("to_code")
    if kind == "translate" and not (
        isinstance(from_code, str) and from_code and isinstance(to_code, str) and to_code
    ):
        raise EngineError("metadata.json lacks from_code/to_code", path=origin)
    return PackageInfo(
        from_code=str(from_code or ""),
        to_code=str(to_code or ""),
        package_version=str(metadata.get("package_version", "")),
        path=path,
        type=str(kind),
        target_prefix=str(metadata.get("target_prefix", "") or ""),
    )


def read_package(path: Path) -> PackageInfo:
    """Read the installed package folder ``path``; raises EngineError if its metadata is bad."""
    metadata_path = path / "metadata.json"
    try:
        metadata = json.loads(metadata_path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise EngineError(f"cannot read package metadata: {err}", path=metadata_path) from err
    return _info_from_metadata(metadata, path=path, origin=metadata_path)


def list_installed(*, packages_dir: Path | None) -> list[PackageInfo]:
    """List packages in ``packages_dir`` (or argos's default dirs), sorted by pair and version."""
    found: list[PackageInfo] = []
    for directory in _search_dirs(packages_dir):
        if not directory.is_dir():
            continue
        for child in directory.iterdir():
            if child.is_dir() and (child / "metadata.json").is_file():
                found.append(read_package(child))
    return sorted(
        found, key=lambda p: (p.from_code, p.to_code, _version_key(p.package_version), p.path)
    )


def find_package(source: str, target: str, *, packages_dir: Path | None) -> PackageInfo:
    """Return the newest translate package for the pair; EngineError saying how to install one."""
    candidates = [
        p
        for p in list_installed(packages_dir=packages_dir)
        if p.type == "translate" and p.from_code == source and p.to_code == target
    ]
    if not candidates:
        where = packages_dir if packages_dir is not None else None
        raise EngineError(
            f"no argos package for {source}→{target} is installed; {install_hint(source, target)}",
            path=where,
        )
    return max(candidates, key=lambda p: _version_key(p.package_version))


def _version_key(version: str) -> tuple[tuple[int, str], ...]:
    parts = version.replace("-", ".").split(".")
    return tuple((int(p), "") if p.isdigit() else (-1, p) for p in parts)


def _archive_top(archive: zipfile.ZipFile, path: Path) -> str:
    """Return the single top folder of ``archive``; reject anything argos could not install."""
    tops: set[str] = set()
    for name in archive.namelist():
        pure = PurePosixPath(name)
        if pure.is_absolute() or ".." in pure.parts or "\\" in name:
            raise EngineError(f"unsafe path {name!r} in package archive", path=path)
        if len(pure.parts) == 1 and not name.endswith("/"):
            raise EngineError(
                f"not an Argos package: file {name!r} is outside the package folder", path=path
            )
        tops.add(pure.parts[0])
    if len(tops) != 1:
        found = ", ".join(sorted(tops)) or "nothing"
        raise EngineError(
            f"not an Argos package: expected one top folder in the archive, found {found}",
            path=path,
        )
    return tops.pop()


def install_file(path: Path, *, packages_dir: Path | None) -> PackageInfo:
    """Validate and install an ``.argosmodel`` zip into ``packages_dir`` (or argos's default).

    The archive is extracted exactly as argostranslate does (its one top folder becomes the
    package folder), via a temporary folder so a failed install leaves no half package and a
    reinstall replaces the old folder.
    """
    if not path.is_file():
        raise EngineError("package file does not exist", path=path)
    if not zipfile.is_zipfile(path):
        raise EngineError("not an Argos package (.argosmodel must be a zip archive)", path=path)
    try:
        with zipfile.ZipFile(path) as archive:
            top = _archive_top(archive, path)
            try:
                raw = archive.read(f"{top}/metadata.json")
            except KeyError as err:
                message = f"not an Argos package: no {top}/metadata.json"
                raise EngineError(message, path=path) from err
            try:
                metadata = json.loads(raw.decode("utf-8"))
            except (UnicodeDecodeError, json.JSONDecodeError) as err:
                raise EngineError(f"unreadable {top}/metadata.json: {err}", path=path) from err
            dest_root = _install_dir(packages_dir)
            _info_from_metadata(metadata, path=dest_root / top, origin=path)
            dest_root.mkdir(parents=True, exist_ok=True)
            with tempfile.TemporaryDirectory(prefix=".installing-", dir=dest_root) as tmp:
                archive.extractall(tmp)
                final = dest_root / top
                if final.exists():
                    shutil.rmtree(final)
                (Path(tmp) / top).rename(final)
    except (zipfile.BadZipFile, OSError) as err:
        raise EngineError(f"cannot install package: {err}", path=path) from err
    _clear_argos_cache()
    return read_package(dest_root / top)


def _clear_argos_cache() -> None:
    """Make an already-imported argostranslate notice the new package, as its installer does."""
    translate = sys.modules.get("argostranslate.translate")
    if translate is not None:
        translate.get_installed_languages.cache_clear()


def install_from_index(source: str, target: str, *, packages_dir: Path | None) -> PackageInfo:
    """Download the pair's package listed in the Argos package index and install it (network)."""
    from argostranslate import networking, settings
    from argostranslate.package import AvailablePackage

    url = settings.remote_package_index
    try:
        import urllib.request

        with urllib.request.urlopen(url, timeout=INDEX_TIMEOUT_S) as response:
            index = json.loads(response.read().decode("utf-8"))
        if not isinstance(index, list):
            raise ValueError("the index is not a JSON list")
        available = [AvailablePackage(entry) for entry in index if isinstance(entry, dict)]
    except Exception as err:  # urllib/socket/JSON errors all mean the same to the user
        raise EngineError(f"could not reach the Argos package index: {err} ({url})") from err
    matches = [
        p
        for p in available
        if p.type == "translate" and p.from_code == source and p.to_code == target
    ]
    if not matches:
        raise EngineError(f"the Argos package index has no package for {source}→{target}")
    chosen = max(matches, key=lambda p: _version_key(p.package_version))
    data = networking.get_from(list(chosen.links))
    if data is None:
        raise EngineError(
            f"could not download the {source}→{target} package from {', '.join(chosen.links)}"
        )
    with tempfile.TemporaryDirectory(prefix="localise-argos-") as tmp:
        archive = Path(tmp) / f"translate-{source}_{target}.argosmodel"
        archive.write_bytes(data)
        return install_file(archive, packages_dir=packages_dir)
