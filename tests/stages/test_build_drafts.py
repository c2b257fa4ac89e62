"""Drafts never touch reviewed output: ``build --draft`` writes its own tree, marks its pages
``draft: true`` and opens them with a notice in the page's language (configurable)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from localise import langtags
from localise.publish import DRAFT_NOTICES, add_notice, draft_notice
from support.lifecycle import files, localise, ok, reviewed_project, stamps


@pytest.fixture
def drafted(tmp_path: Path) -> Path:
    """A reviewed, built project; then an English edit, whose old translation is kept fuzzy."""
    root = reviewed_project(tmp_path)
    knee = root / "source" / "guides" / "knee.md"
    knee.write_text(
        knee.read_text().replace("Walk a little every day", "Walk for ten minutes every day"),
        encoding="utf-8",
    )
    ok(root, "extract")
    ok(root, "update")
    return root


def test_a_draft_build_leaves_every_reviewed_byte_unchanged(drafted: Path) -> None:
    ok(drafted, "build")  # the reviewed edition, English where the edit is not reviewed
    reviewed = files(drafted / "build", skip=("drafts/",))
    touched = stamps(drafted / "build", skip=("drafts/",))
    ran = ok(drafted, "build", "--draft")
    assert files(drafted / "build", skip=("drafts/",)) == reviewed
    assert stamps(drafted / "build", skip=("drafts/",)) == touched  # not even rewritten
    assert "built build/drafts/ja/guides/knee.md" in ran.out
    assert "build/drafts/ja/guides/knee.md: draft with 1 unreviewed (fuzzy) units" in ran.out
    for lang, notice in (("ja", "**下書き**："), ("es", "**Borrador:**")):
        page = (drafted / "build" / "drafts" / lang / "guides" / "knee.md").read_text("utf-8")
        front, body = page.split("---\n")[1], page.split("---\n", 2)[2]
        assert yaml.safe_load(front)["draft"] is True
        assert body.startswith(f"\n> {notice}")
        assert "[Ŵàļķ à ļîţţļé éṽéŕý đàý" in body  # the fuzzy translation of the old English
        reviewed_page = reviewed[f"{lang}/guides/knee.md"].decode()
        assert "Walk for ten minutes every day" in reviewed_page  # English in the reviewed one
        assert "draft:" not in reviewed_page
    # the checklist is fully reviewed: its draft copy is the reviewed page, unmarked
    assert (drafted / "build" / "drafts" / "ja" / "checklist.md").read_bytes() == reviewed[
        "ja/checklist.md"
    ]
    # a second draft build changes nothing, and --strict says drafts are not reviewed work
    again = localise(drafted, "build", "--draft", "--strict")
    assert again.code == 1 and "nothing changed" in again.out
    assert ok(drafted, "build", "--draft").out.startswith("nothing changed")


def test_the_notice_is_configurable_and_can_be_turned_off(drafted: Path) -> None:
    config = drafted / "localise.toml"
    base = config.read_text()
    config.write_text(
        base + '\n[build]\ndrafts_dir = "preview"\n\n[build.draft_notices]\n'
        'ja = ":::caution\\n未確認の翻訳です。\\n:::"\n',
        encoding="utf-8",
    )
    ok(drafted, "build", "--draft")
    ja = (drafted / "preview" / "ja" / "guides" / "knee.md").read_text("utf-8")
    assert "\n:::caution\n未確認の翻訳です。\n:::\n\n# " in ja  # as written: an admonition
    es = (drafted / "preview" / "es" / "guides" / "knee.md").read_text("utf-8")
    assert "> **Borrador:**" in es
    assert not (drafted / "build" / "drafts").exists()
    config.write_text(base + "\n[build]\ndraft_notice = false\n", encoding="utf-8")
    ok(drafted, "build", "--draft")
    page = (drafted / "build" / "drafts" / "ja" / "guides" / "knee.md").read_text("utf-8")
    assert "draft: true" in page and "下書き" not in page and "> " not in page.split("---")[2][:3]


@pytest.mark.parametrize(
    ("tag", "expected"),
    [
        ("ja", "ja"), ("pt-BR", "pt"), ("pt-PT", "pt_PT"), ("pt-AO", "pt_PT"),
        ("es-419", "es"), ("zh-Hans", "zh"), ("zh", "zh"), ("zh-Hant-TW", "zh_Hant"),
        ("zh-TW", "zh_Hant"), ("zh-HK", "zh_Hant"), ("sr", "sr"), ("sr-Latn", "sr_Latn"),
        ("fr-CA", "fr"), ("en-GB", "en"), ("hi", "en"), ("ar", "en"),
    ],
)
def test_the_built_in_notice_follows_cldr_parents(tag: str, expected: str) -> None:
    assert draft_notice(langtags.parse(tag)) == DRAFT_NOTICES[expected]


@pytest.mark.parametrize(
    "text",
    ["---\ntitle: x\n---\n\nPlain paragraph.\n", "Plain paragraph.\n",
     "---\ntitle: x\n---\nA lazy line.\n", "> quoted\n", "---\r\ntitle: x\r\n---\r\n\r\nCRLF.\r\n"],
)
def test_the_notice_is_a_block_of_its_own_before_the_page(text: str) -> None:
    from localise.inline import parser

    notice = "<blockquote>\n<p><strong>Draft:</strong> check me.</p>\n</blockquote>\n"
    marked = add_notice(text, "**Draft:** check me.")
    def html(markdown: str) -> str:  # front matter renders as a bare newline
        return parser().render(markdown).lstrip("\n")

    assert html(marked) == notice + html(text)
    if text.startswith("---"):  # the front matter is untouched and still first
        head = text[: text.index("---", 3) + 3]
        assert marked.startswith(head)
