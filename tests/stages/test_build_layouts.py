"""Output layouts for the site generators editors use, and linked files that keep working from
the built page (copied beside it, or the link rewritten to the source file)."""

from __future__ import annotations

import json
import posixpath
from pathlib import Path
from urllib.parse import unquote

import pytest
from markdown_it import MarkdownIt

from localise.stages._record import detail_path
from support.lifecycle import copy_fixture, files, localise, ok, review

IMAGE = Path("source/guides/images/knee.png")

LAYOUTS = {
    "folders": ("build/ja/guides/knee.md", "build/pt-BR/guides/knee.md", "build/ja/checklist.md"),
    "hugo": ("build/guides/knee.ja.md", "build/guides/knee.pt-br.md", "build/checklist.ja.md"),
    "mkdocs": ("build/guides/knee.ja.md", "build/guides/knee.pt-BR.md", "build/checklist.ja.md"),
    "docusaurus": (
        "build/i18n/ja/docusaurus-plugin-content-docs/current/guides/knee.md",
        "build/i18n/pt-BR/docusaurus-plugin-content-docs/current/guides/knee.md",
        "build/i18n/ja/docusaurus-plugin-content-docs/current/checklist.md",
    ),
}


def _project(tmp_path: Path, build: str, **config: str) -> Path:
    """The lifecycle fixture in ja and pt-BR, drafted, reviewed, with ``[build]`` as given."""
    root = copy_fixture(tmp_path)
    top = "".join(f'{key} = "{value}"\n' for key, value in config.items())
    (root / "localise.toml").write_text(
        f'languages = ["ja", "pt-BR"]\n{top}\n[translate]\nengine = "pseudo"\n\n[build]\n{build}',
        encoding="utf-8",
    )
    ok(root, "extract")
    ok(root, "update")
    ok(root, "translate")
    for po in (root / "locales").rglob("*.po"):
        review(po)
    return root


def _images(page: Path) -> list[Path]:
    """The files the page's images point at, resolved from the page's own folder."""
    tokens = MarkdownIt("commonmark").parse(page.read_text("utf-8"))
    sources = [
        child.attrGet("src")
        for token in tokens if token.children
        for child in token.children if child.type == "image"
    ]
    assert sources, page
    return [Path(posixpath.normpath(page.parent / unquote(str(src)))) for src in sources]


@pytest.mark.parametrize("layout", LAYOUTS)
def test_each_layout_puts_pages_where_its_generator_expects(tmp_path: Path, layout: str) -> None:
    root = _project(tmp_path, f'layout = "{layout}"\n')
    ran = ok(root, "build", "--strict")
    for path in LAYOUTS[layout]:
        assert (root / path).is_file(), ran.out
        assert f"built {path}" in ran.out
    for path in LAYOUTS[layout][:2]:  # the image link resolves from the built page
        for image in _images(root / path):
            assert image.is_relative_to(root / "build")
            assert image.read_bytes() == (root / IMAGE).read_bytes()
    assert ok(root, "build").out.startswith("nothing changed")
    assert ok(root, "extract").out.startswith("nothing changed")  # pages are not sources


def test_hugo_pages_beside_the_sources(tmp_path: Path) -> None:
    root = _project(tmp_path, 'layout = "hugo"\n', output_dir="source")
    ok(root, "build")
    source = root / "source"
    assert (source / "guides" / "knee.ja.md").is_file()
    assert (source / "guides" / "knee.pt-br.md").is_file()
    for image in _images(source / "guides" / "knee.ja.md"):
        assert image == root / IMAGE  # the page sits beside the image: nothing to copy
    again = ok(root, "extract")  # knee.ja.md is a page localise built, not a new article
    assert again.out.startswith("nothing changed (2 up to date)")
    assert ok(root, "build").out.startswith("nothing changed")
    image = (root / IMAGE).read_bytes()
    (source / "guides" / "knee.md").unlink()  # removing the article removes its pages only
    ok(root, "extract")
    ran = ok(root, "build")
    assert "removed source/guides/knee.ja.md" in ran.out
    assert not (source / "guides" / "knee.pt-br.md").exists()
    assert (root / IMAGE).read_bytes() == image  # a source file is never removed
    assert (source / "checklist.md").is_file() and (source / "checklist.ja.md").is_file()


def test_rewritten_links_point_at_the_source_files(tmp_path: Path) -> None:
    root = _project(tmp_path, 'assets = "rewrite"\n')
    ok(root, "build", "--strict")
    page = root / "build" / "ja" / "guides" / "knee.md"
    assert "](../../../source/guides/images/knee.png)" in page.read_text("utf-8")
    assert _images(page) == [root / IMAGE]
    assert not (root / "build" / "ja" / "guides" / "images").exists()
    # the record still knows where every unit sits after the rewrite
    record = json.loads(detail_path(root / ".localise", "build/ja/guides/knee.md").read_text())
    assert record["path"] == "build/ja/guides/knee.md"
    text = page.read_text("utf-8")
    for unit in record["published"]["units"]:
        assert text[unit["start"] : unit["end"]] == unit["text"]
    assert any("source/guides/images/knee.png" in u["text"] for u in record["published"]["units"])


def test_assets_none_copies_nothing(tmp_path: Path) -> None:
    root = _project(tmp_path, 'assets = "none"\n')
    ok(root, "build", "--strict")
    assert sorted(files(root / "build")) == [
        "ja/checklist.md", "ja/guides/knee.md", "pt-BR/checklist.md", "pt-BR/guides/knee.md",
    ]


def test_a_copy_never_lands_outside_the_page_tree(tmp_path: Path) -> None:
    root = _project(tmp_path, 'layout = "hugo"\n', output_dir="out/site")
    (root / "shared").mkdir()
    (root / "shared" / "logo.png").write_bytes((root / IMAGE).read_bytes())
    checklist = root / "source" / "checklist.md"
    checklist.write_text(checklist.read_text() + "\n![Logo](../shared/logo.png)\n", "utf-8")
    ok(root, "extract")
    ok(root, "update")
    ran = ok(root, "build", "--lang", "ja")
    # out/site/checklist.ja.md → ../shared/logo.png would be out/shared/logo.png
    assert (
        "source/checklist.md: [ja] linked file ../shared/logo.png: a copy would land outside "
        "out/site/; not copied" in ran.err
    )
    assert not (root / "out" / "shared").exists()
    assert (root / "out" / "site" / "guides" / "images" / "knee.png").is_file()


def test_a_linked_file_outside_the_project_is_never_copied(tmp_path: Path) -> None:
    root = _project(tmp_path, "")
    secret = tmp_path / "secret.txt"
    secret.write_text("API_TOKEN=hunter2\n", "utf-8")
    (root / "source" / "guides" / "images" / "leak.png").symlink_to(secret)
    checklist = root / "source" / "checklist.md"
    checklist.write_text(checklist.read_text() + "\n![Leak](guides/images/leak.png)\n", "utf-8")
    ok(root, "extract")
    ok(root, "update")
    ran = ok(root, "build", "--lang", "ja")
    assert (
        "source/checklist.md: [ja] linked file guides/images/leak.png: a symbolic link pointing "
        "outside the project" in ran.err
    )
    assert not (root / "build" / "ja" / "guides" / "images" / "leak.png").exists()
    assert "hunter2" not in "".join(
        path.read_text("utf-8", "replace") for path in (root / "build").rglob("*") if path.is_file()
    )
    assert (root / "build" / "ja" / "guides" / "images" / "knee.png").is_file()


def test_a_custom_pattern_and_its_errors(tmp_path: Path) -> None:
    root = _project(tmp_path, 'path = "{lang_gettext}/docs/{path}.md"\n')
    ok(root, "build")
    assert (root / "build" / "pt_BR" / "docs" / "guides" / "knee.md").is_file()
    config = root / "localise.toml"
    for bad, message in (
        ('path = "{language}/{path}.md"', "unknown field {language}"),
        ('path = "{path}.md"', "must contain {path} and a language"),
        ('path = "../{lang}/{path}.md"', "must stay inside the output folder"),
        ('layout = "jekyll"', "must be one of 'folders', 'hugo', 'mkdocs', 'docusaurus'"),
    ):
        text = config.read_text().split("[build]")[0] + f"[build]\n{bad}\n"
        config.write_text(text)
        ran = localise(root, "build")
        line = text.count("\n")
        assert ran.code == 2, ran.err
        assert f"localise.toml:{line}: " in ran.err and message in ran.err, ran.err
    config.write_text(
        config.read_text().split("[build]")[0].replace('"pt-BR"', '"es-419"')
        + '[build]\nlayout = "mkdocs"\n'
    )
    ran = localise(root, "build")
    assert ran.code == 2 and "MkDocs' i18n plugin does not accept the locale 'es-419'" in ran.err


def test_a_reviewed_page_never_lands_in_the_drafts_tree(tmp_path: Path) -> None:
    root = _project(tmp_path, 'layout = "hugo"\n')
    (root / "source" / "drafts").mkdir()
    (root / "source" / "drafts" / "idea.md").write_text("# An idea\n", encoding="utf-8")
    ok(root, "extract")
    ok(root, "update")
    ran = localise(root, "build")
    assert ran.code == 2
    assert "would land in the drafts folder build/drafts/" in ran.err
    assert "build/drafts/idea.ja.md" in ran.err
    config = root / "localise.toml"
    config.write_text(config.read_text() + 'drafts_dir = "preview"\n', encoding="utf-8")
    ok(root, "build")
    assert (root / "build" / "drafts" / "idea.ja.md").is_file()  # a reviewed page, now
