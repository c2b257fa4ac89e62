"""The ``dialect`` key and the ``[dialects]`` table of ``localise.toml``."""

from __future__ import annotations

from pathlib import Path

import pytest

from localise import config, dialects
from localise.errors import ConfigError


def _load(tmp_path: Path, text: str) -> config.Config:
    (tmp_path / "localise.toml").write_text(text, encoding="utf-8")
    return config.load(tmp_path)


def test_the_default_is_commonmark_and_every_preset_loads(tmp_path: Path) -> None:
    assert config.Config(root=tmp_path).dialect == "commonmark"
    assert dialects.NAMES == (
        "commonmark", "gfm", "mkdocs", "docusaurus", "hugo", "liquid", "mdn"
    )
    for name in dialects.NAMES:
        loaded = _load(tmp_path, f'dialect = "{name}"\n')
        assert loaded.dialect == name
        assert loaded.segment_options.dialect == name
        assert loaded.dialect_for(Path("source/a.md")) == name


def test_an_unknown_dialect_names_the_key_and_its_line(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        _load(tmp_path, 'languages = ["ja"]\ndialect = "markdown"\n')
    assert info.value.line == 2
    assert "unknown dialect 'markdown'" in info.value.message
    assert "(key 'dialect')" in info.value.message
    with pytest.raises(ConfigError) as info:
        _load(tmp_path, '[dialects]\n"docs/**" = "mkdoc"\n')
    assert info.value.line == 2 and "(key 'dialects.docs/**')" in info.value.message


def test_folders_and_patterns_override_in_the_order_written(tmp_path: Path) -> None:
    loaded = _load(
        tmp_path,
        'dialect = "gfm"\n\n[dialects]\n"blog/*.mdx" = "docusaurus"\n"blog/" = "hugo"\n'
        '"docs" = "mkdocs"\n"**/reference/*.md" = "mdn"\n',
    )
    assert loaded.dialect_overrides == (
        ("blog/*.mdx", "docusaurus"), ("blog/", "hugo"), ("docs", "mkdocs"),
        ("**/reference/*.md", "mdn"),
    )
    for path, expected in [
        ("source/readme.md", "gfm"),
        ("source/blog/2026/post.mdx", "docusaurus"),
        ("source/blog/post.md", "hugo"),
        ("source/docs/a/b.md", "mkdocs"),
        ("source/docsite/x.md", "gfm"),
        ("source/api/reference/fetch.md", "mdn"),
    ]:
        assert loaded.dialect_for(Path(path)) == expected, path
        assert loaded.segment_options_for(Path(path)).dialect == expected
    assert loaded.segment_options_for(Path("source/readme.md")) is not None
