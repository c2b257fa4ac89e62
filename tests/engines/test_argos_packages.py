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
