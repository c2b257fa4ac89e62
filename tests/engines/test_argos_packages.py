"""Argos package management with a real tiny package; the index path with no network."""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import pytest

from localise import argos_packages as models
from localise.errors import EngineError
from support import block_network


@pytest.fixture(scope="module")
def tiny(tiny_models: dict[str, Path]) -> Path:
    return tiny_models["es"]


def _zip(path: Path, files: dict[str, str]) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        for name, text in files.items():
            zf.writestr(name, text)
    return path


def test_install_and_list(tiny: Path, tmp_path: Path) -> None:
    packages = tmp_path / "project" / "argos"
    info = models.install_file(tiny, packages_dir=packages)
    assert (info.from_code, info.to_code, info.package_version) == ("en", "es", "1.0")
    assert info.path == packages / "translate-en_es-1_0"
    assert (info.path / "model" / "model.bin").is_file()
    assert (info.path / "sentencepiece.model").is_file()
    assert models.list_installed(packages_dir=packages) == [info]
    # Reinstalling replaces the folder rather than duplicating or mixing it.
    (info.path / "stale.txt").write_text("old")
    assert models.install_file(tiny, packages_dir=packages) == info
    assert not (info.path / "stale.txt").exists()
    assert [p.name for p in packages.iterdir()] == ["translate-en_es-1_0"]


def test_default_dir_is_shared_with_argostranslate(tiny: Path, argos_packages: Path) -> None:
    from argostranslate import package

    info = models.install_file(tiny, packages_dir=None)
    assert info.path.parent == argos_packages
    [seen] = package.get_installed_packages()
    assert (seen.from_code, seen.to_code, seen.package_version) == ("en", "es", "1.0")
    shutil.rmtree(info.path)
    package.install_from_path(tiny)  # and what argostranslate installs, we list
    assert [p.path for p in models.list_installed(packages_dir=None)] == [info.path]


def test_find_package_prefers_newest_and_explains_missing(tiny: Path, tmp_path: Path) -> None:
    info = models.install_file(tiny, packages_dir=tmp_path)
    newer = tmp_path / "translate-en_es-1_10"
    shutil.copytree(info.path, newer)
    metadata = json.loads((newer / "metadata.json").read_text())
    (newer / "metadata.json").write_text(json.dumps({**metadata, "package_version": "1.10"}))
    assert models.find_package("en", "es", packages_dir=tmp_path).path == newer
    with pytest.raises(EngineError, match=r"no argos package for es→en is installed; install"):
        models.find_package("es", "en", packages_dir=tmp_path)


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ({"a/metadata.json": "{}", "b/metadata.json": "{}"}, "expected one top folder"),
        ({"metadata.json": "{}"}, "outside the package folder"),
        ({"pkg/model/x": ""}, "no pkg/metadata.json"),
        ({"pkg/metadata.json": "{not json"}, "unreadable pkg/metadata.json"),
        ({"pkg/metadata.json": '{"type": "translate"}'}, "lacks from_code/to_code"),
        ({"pkg/metadata.json": "{}", "pkg/../../evil": ""}, "unsafe path"),
    ],
)
def test_invalid_archives_name_the_file(
    tmp_path: Path, files: dict[str, str], message: str
) -> None:
    bad = _zip(tmp_path / "bad.argosmodel", files)
    with pytest.raises(EngineError, match=message) as info:
        models.install_file(bad, packages_dir=tmp_path / "packages")
    assert str(info.value).startswith(f"{bad}: ")
    assert not any((tmp_path / "packages").glob("*/metadata.json"))
    assert not (tmp_path.parent / "evil").exists()


def test_not_a_zip_or_missing(tmp_path: Path) -> None:
    text = tmp_path / "notes.argosmodel"
    text.write_text("hello")
    with pytest.raises(EngineError, match="must be a zip archive"):
        models.install_file(text, packages_dir=tmp_path)
    with pytest.raises(EngineError, match="does not exist"):
        models.install_file(tmp_path / "missing.argosmodel", packages_dir=tmp_path)


def test_from_index_without_network_fails_cleanly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from argostranslate import settings

    monkeypatch.setattr(settings, "remote_package_index", "https://example.com/index.json")
    attempts = block_network(monkeypatch)
    with pytest.raises(EngineError, match="could not reach the Argos package index") as info:
        models.install_from_index("en", "ja", packages_dir=tmp_path)
    assert type(info.value) is EngineError
    assert attempts  # it really tried, and the block stopped it
    assert models.list_installed(packages_dir=tmp_path) == []


def test_from_index_installs_the_listed_package(
    tiny: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from argostranslate import networking, settings

    link = "https://packages.invalid/translate-en_es-1_0.argosmodel"
    index = [
        {"type": "translate", "from_code": "en", "to_code": "ja", "package_version": "1.1",
         "links": ["https://packages.invalid/other"]},
        {"type": "translate", "from_code": "en", "to_code": "es", "package_version": "1.0",
         "links": [link]},
    ]
    index_file = tmp_path / "index.json"
    index_file.write_text(json.dumps(index))
    monkeypatch.setattr(settings, "remote_package_index", index_file.as_uri())
    fetched: list[list[str]] = []

    def fake_get_from(urls: list[str], retry_count: int = 3) -> bytes | None:
        fetched.append(urls)
        return tiny.read_bytes() if urls == [link] else None

    monkeypatch.setattr(networking, "get_from", fake_get_from)
    info = models.install_from_index("en", "es", packages_dir=tmp_path / "p")
    assert (info.from_code, info.to_code) == ("en", "es") and fetched == [[link]]
    with pytest.raises(EngineError, match="has no package for en→fr"):
        models.install_from_index("en", "fr", packages_dir=tmp_path / "p")
    with pytest.raises(EngineError, match="could not download the en→ja package"):
        models.install_from_index("en", "ja", packages_dir=tmp_path / "p")


def _repack(package: Path, dest: Path, *, top: str | None = None, version: str | None = None,
            extra: dict[str, bytes] | None = None) -> Path:
    """A copy of a real package archive with its top folder renamed / version changed."""
    with zipfile.ZipFile(package) as source, zipfile.ZipFile(dest, "w") as out:
        old_top = source.namelist()[0].split("/")[0]
        for member in source.infolist():
            data = source.read(member)
            name = member.filename
            if version and name.endswith("/metadata.json"):
                data = json.dumps({**json.loads(data), "package_version": version}).encode()
            out.writestr(name.replace(old_top, top or old_top, 1), data)
        for name, data in (extra or {}).items():
            out.writestr(f"{top or old_top}/{name}", data)
    return dest


def test_a_zip_bomb_is_refused_before_it_fills_the_disk(
    tiny: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(models, "MAX_UNPACKED_BYTES", 4 << 20)
    bomb = tmp_path / "bomb.argosmodel"
    with zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("pkg/metadata.json", '{"from_code": "en", "to_code": "es"}')
        zf.writestr("pkg/model/padding", b"\0" * (16 << 20))  # 16 MiB, compresses to ~16 KiB
    assert bomb.stat().st_size < 100_000
    with pytest.raises(EngineError, match="would unpack to 16 MiB"):
        models.install_file(bomb, packages_dir=tmp_path / "packages")
    assert not any((tmp_path / "packages").rglob("padding"))


def test_an_archive_of_too_many_files_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(models, "MAX_MEMBERS", 50)
    many = _zip(tmp_path / "many.argosmodel",
                {"pkg/metadata.json": "{}", **{f"pkg/f{n}": "" for n in range(60)}})
    with pytest.raises(EngineError, match="holds 61 files"):
        models.install_file(many, packages_dir=tmp_path / "packages")


def test_a_package_never_replaces_a_folder_that_is_not_an_older_version_of_itself(
    tiny: Path, tmp_path: Path
) -> None:
    """With packages_dir = "." a package named "source" must not delete the articles."""
    project = tmp_path / "project"
    (project / "source").mkdir(parents=True)
    (project / "source" / "knee.md").write_text("# Knee\n", "utf-8")
    hostile = _repack(tiny, tmp_path / "source.argosmodel", top="source")
    with pytest.raises(EngineError, match="exists and is not an argos package"):
        models.install_file(hostile, packages_dir=project)
    assert (project / "source" / "knee.md").read_text("utf-8") == "# Knee\n"

    first = models.install_file(_repack(tiny, tmp_path / "v2.argosmodel", top="pkg",
                                        version="2.0"), packages_dir=project)
    older = _repack(tiny, tmp_path / "v1.argosmodel", top="pkg", version="1.0")
    with pytest.raises(EngineError, match=r"version 2\.0 .* newer than 1\.0"):
        models.install_file(older, packages_dir=project)
    assert models.read_package(first.path).package_version == "2.0"
    newer = _repack(tiny, tmp_path / "v3.argosmodel", top="pkg", version="3.0")
    assert models.install_file(newer, packages_dir=project).package_version == "3.0"


@pytest.mark.parametrize("top", ["..hidden", ".git", "has space", "-flag"])
def test_unusual_package_folder_names_are_refused(tiny: Path, tmp_path: Path, top: str) -> None:
    odd = _repack(tiny, tmp_path / "odd.argosmodel", top=top)
    with pytest.raises(EngineError):
        models.install_file(odd, packages_dir=tmp_path / "packages")
    assert not (tmp_path / "packages" / top).exists()
