"""Argos Translate package management: install ``.argosmodel`` files, list, fetch from the index.

Packages use argostranslate's on-disk format (one folder per package holding
``metadata.json``, a tokeniser, ``sentencepiece.model`` or ``bpe.model``, and a CTranslate2
``model/``). Metadata is read here directly so that listing packages never imports
argostranslate; argostranslate is only imported to find its default package directories and
for :func:`install_from_index`, the only function in localise that uses the network.

A folder that is not a usable package (no or unreadable ``metadata.json``, metadata without
``from_code``/``to_code`` such as a ``languages``-only one, no tokeniser, no model) is
reported in :attr:`Installed.skipped` and never stops the others from being listed or used.

**Which package a pair uses** when several are installed: argostranslate 1.11 takes the first
package of the pair in ``get_installed_packages()``, which lists its package folders in order
(``ARGOS_PACKAGES_DIR`` or the default, then the snap folders) and, inside one folder, in the
order the file system returns entries, which is not defined. :func:`find_package` does the
same where that is defined: the first folder holding a package for the pair wins; inside that
folder it takes the newest ``package_version`` (compared numerically, ``1.10`` after ``1.9``).
"""

from __future__ import annotations

import dataclasses
import json
import re
import shutil
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from localise.errors import EngineError

__all__ = [
    "Installed",
    "PackageInfo",
    "Skipped",
    "default_package_dirs",
    "find_package",
    "install_file",
    "install_from_index",
    "list_installed",
    "scan_installed",
]

INDEX_TIMEOUT_S = 30.0
MAX_MEMBERS = 10_000
"""Most files an archive may hold (real packages hold tens: model, tokenizer, stanza files)."""
MAX_UNPACKED_BYTES = 8 << 30
"""Most bytes an archive may unpack to (real argos packages are well under 1 GiB)."""
_FOLDER_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")
"""What a package's top folder may be called (argos names them like ``en_ja`` or
``translate-en_ja-1_1``): no spaces, no hidden or relative names."""


@dataclass(frozen=True, slots=True, kw_only=True)
class PackageInfo:
    """One installed argos package as described by its ``metadata.json``."""

    from_code: str
    to_code: str
    package_version: str
    path: Path
    type: str = "translate"
    target_prefix: str = ""
    tokenizer: str = "sentencepiece"
    """``sentencepiece`` (``sentencepiece.model``) or ``bpe`` (``bpe.model``, Moses + BPE)."""

    @property
    def name(self) -> str:
        """Return the argospm-style name, e.g. ``translate-en_ja``."""
        return f"{self.type}-{self.from_code}_{self.to_code}"

    @property
    def tokenizer_file(self) -> Path:
        """The tokeniser model the package uses."""
        return self.path / TOKENIZER_FILES[self.tokenizer]

    def files(self) -> tuple[Path, ...]:
        """Every file that decides what the package translates: metadata, tokeniser, model."""
        model = sorted(p for p in (self.path / "model").rglob("*") if p.is_file())
        return (self.path / "metadata.json", self.tokenizer_file, *model)


TOKENIZER_FILES = {"sentencepiece": "sentencepiece.model", "bpe": "bpe.model"}
"""Tokeniser kind → its file, in the order argostranslate looks for them."""


@dataclass(frozen=True, slots=True)
class Skipped:
    """An installed folder that is not a usable package, and why."""

    path: Path
    reason: str


@dataclass(frozen=True, slots=True)
class Installed:
    """What the package folders hold: usable packages (in folder order) and skipped folders."""

    packages: tuple[PackageInfo, ...]
    skipped: tuple[Skipped, ...]


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
        hint = " (it lists 'languages'; argostranslate pairs packages by these codes too)" if (
            "languages" in metadata) else ""
        raise EngineError(f"metadata.json lacks from_code/to_code{hint}", path=origin)
    return PackageInfo(
        from_code=str(from_code or ""),
        to_code=str(to_code or ""),
        package_version=str(metadata.get("package_version", "")),
        path=path,
        type=str(kind),
        target_prefix=str(metadata.get("target_prefix", "") or ""),
    )


def read_package(path: Path) -> PackageInfo:
    """Read the installed package folder ``path``; raises EngineError if it is not usable."""
    metadata_path = path / "metadata.json"
    try:
        metadata = json.loads(metadata_path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise EngineError(f"cannot read package metadata: {err}", path=metadata_path) from err
    info = _info_from_metadata(metadata, path=path, origin=metadata_path)
    if info.type != "translate":
        return info
    kind = next((k for k, name in TOKENIZER_FILES.items() if (path / name).is_file()), None)
    if kind is None:
        raise EngineError("package has no sentencepiece.model or bpe.model", path=path)
    if not (path / "model" / "model.bin").is_file():
        raise EngineError("package has no CTranslate2 model (model/model.bin)", path=path)
    return dataclasses.replace(info, tokenizer=kind)


def _scan_dir(directory: Path) -> tuple[list[PackageInfo], list[Skipped]]:
    found: list[PackageInfo] = []
    skipped: list[Skipped] = []
    if not directory.is_dir():
        return found, skipped
    for child in sorted(directory.iterdir()):
        if not child.is_dir() or child.name.startswith("."):
            continue  # files, and our own half-installed temporary folders
        try:
            found.append(read_package(child))
        except EngineError as err:
            skipped.append(Skipped(child, err.message))
    return found, skipped


def scan_installed(*, packages_dir: Path | None) -> Installed:
    """Every package folder in ``packages_dir`` (or argos's folders): usable ones and skipped."""
    found: list[PackageInfo] = []
    skipped: list[Skipped] = []
    for directory in _search_dirs(packages_dir):
        usable, bad = _scan_dir(directory)
        found += usable
        skipped += bad
    return Installed(tuple(found), tuple(skipped))


def list_installed(*, packages_dir: Path | None) -> list[PackageInfo]:
    """Usable packages in ``packages_dir`` (or argos's default dirs), by pair and version."""
    found = scan_installed(packages_dir=packages_dir).packages
    return sorted(
        found, key=lambda p: (p.from_code, p.to_code, _version_key(p.package_version), p.path)
    )


def find_package(source: str, target: str, *, packages_dir: Path | None) -> PackageInfo:
    """The package the pair uses (see the module docstring); EngineError saying how to install
    one, and naming any skipped package folders, when there is none."""
    skipped: list[Skipped] = []
    for directory in _search_dirs(packages_dir):
        usable, bad = _scan_dir(directory)
        skipped += bad
        candidates = [
            p for p in usable
            if p.type == "translate" and p.from_code == source and p.to_code == target
        ]
        if candidates:
            return max(candidates, key=lambda p: (_version_key(p.package_version), p.path))
    where = packages_dir if packages_dir is not None else None
    note = "".join(f"; skipped {s.path}: {s.reason}" for s in skipped)
    raise EngineError(
        f"no argos package for {source}→{target} is installed; "
        f"{install_hint(source, target)}{note}",
        path=where,
    )


def _version_key(version: str) -> tuple[tuple[int, str], ...]:
    parts = version.replace("-", ".").split(".")
    return tuple((int(p), "") if p.isdigit() else (-1, p) for p in parts)


def _archive_top(archive: zipfile.ZipFile, path: Path) -> str:
    """Return the single top folder of ``archive``; reject anything argos could not install,
    and archives that would unpack to too many files or bytes (a zip bomb)."""
    members = archive.infolist()
    if len(members) > MAX_MEMBERS:
        raise EngineError(
            f"not installed: the archive holds {len(members)} files (at most {MAX_MEMBERS})",
            path=path,
        )
    declared = sum(member.file_size for member in members)
    if declared > MAX_UNPACKED_BYTES:
        raise EngineError(
            f"not installed: the archive would unpack to {declared >> 20} MiB "
            f"(at most {MAX_UNPACKED_BYTES >> 20} MiB)", path=path,
        )
    tops: set[str] = set()
    for member in members:
        name = member.filename
        pure = PurePosixPath(name)
        if pure.is_absolute() or ".." in pure.parts or "\\" in name:
            raise EngineError(f"unsafe path {name!r} in package archive", path=path)
        if len(pure.parts) == 1 and not name.endswith("/"):
            raise EngineError(
                f"not an Argos package: file {name!r} is outside the package folder", path=path
            )
        if (member.external_attr >> 16) & 0o170000 == 0o120000:
            raise EngineError(f"not installed: {name!r} is a symbolic link", path=path)
        tops.add(pure.parts[0])
    if len(tops) != 1:
        found = ", ".join(sorted(tops)) or "nothing"
        raise EngineError(
            f"not an Argos package: expected one top folder in the archive, found {found}",
            path=path,
        )
    top = tops.pop()
    if not _FOLDER_RE.match(top):
        raise EngineError(f"not installed: unusual package folder name {top!r}", path=path)
    return top


def _extract(archive: zipfile.ZipFile, into: Path, path: Path) -> None:
    """Unpack every member, counting the bytes really written (headers can lie)."""
    written = 0
    for member in archive.infolist():
        target = into / member.filename
        if member.is_dir():
            target.mkdir(parents=True, exist_ok=True)
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        with archive.open(member) as source, target.open("wb") as out:
            while chunk := source.read(1 << 20):
                written += len(chunk)
                if written > MAX_UNPACKED_BYTES:
                    raise EngineError(
                        f"not installed: the archive unpacks to more than "
                        f"{MAX_UNPACKED_BYTES >> 20} MiB", path=path,
                    )
                out.write(chunk)


def _replaceable(final: Path, new: PackageInfo, path: Path) -> None:
    """An existing folder may only be an older (or the same) version of the same package."""
    if not final.exists() and not final.is_symlink():
        return
    try:
        old = read_package(final)
    except EngineError:
        raise EngineError(
            f"not installed: {final} exists and is not an argos package; "
            "move it away or choose another packages_dir", path=path,
        ) from None
    if (old.type, old.from_code, old.to_code) != (new.type, new.from_code, new.to_code):
        raise EngineError(
            f"not installed: {final} holds another package ({old.name})", path=path
        )
    if _version_key(old.package_version) > _version_key(new.package_version):
        raise EngineError(
            f"not installed: version {old.package_version} of {old.name}, newer than "
            f"{new.package_version}, is installed there", path=path,
        )


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
                _extract(archive, Path(tmp), path)
                try:
                    new = read_package(Path(tmp) / top)
                except EngineError as err:
                    raise EngineError(f"not an installable package: {err.message}",
                                      path=path) from err
                final = dest_root / top
                _replaceable(final, new, path)
                if final.is_symlink():
                    final.unlink()
                elif final.exists():
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
