"""Any BCP 47 tag: checked against CLDR through Babel, spelled once for every tool, and used end
to end (catalogue folders and headers that msgfmt accepts, Babel formatting, MT codes)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import polib
import pytest
from babel import Locale, localedata
from babel.messages.plurals import get_plural

from localise import catalogue, langtags
from localise.config import load
from support.lifecycle import copy_fixture, localise, ok, review

TAGS = {
    # tag: (gettext folder and Language:, Babel locale, argos code, Hugo, Docusaurus)
    "pt-BR": ("pt_BR", "pt_BR", "pt", "pt-br", "pt-BR"),
    "zh-Hans": ("zh_Hans", "zh_Hans", "zh", "zh-hans", "zh-Hans"),
    "zh-Hant-TW": ("zh_Hant_TW", "zh_Hant_TW", "zt", "zh-hant-tw", "zh-Hant-TW"),
    "zh-TW": ("zh_TW", "zh_Hant_TW", "zt", "zh-tw", "zh-TW"),
    "es-419": ("es_419", "es_419", "es", "es-419", "es-419"),
    "sr-Latn": ("sr_Latn", "sr_Latn", "sr", "sr-latn", "sr-Latn"),
    "ja": ("ja", "ja", "ja", "ja", "ja"),
}


@pytest.mark.parametrize("tag", TAGS)
def test_each_tag_is_spelled_once_for_every_tool(tag: str) -> None:
    parsed = langtags.parse(tag)
    gettext, babel, mt, hugo, docusaurus = TAGS[tag]
    assert (parsed.tag, parsed.gettext, parsed.babel, parsed.mt) == (tag, gettext, babel, mt)
    assert (parsed.spelled("lower"), parsed.spelled("bcp47")) == (hugo, docusaurus)
    assert str(Locale.parse(parsed.babel)) == babel  # a locale Babel has data for
    # the catalogue writes Plural-Forms for the gettext spelling: the same rule as the locale's
    assert catalogue.plural_forms(parsed.gettext) == get_plural(babel).plural_forms


@pytest.mark.parametrize(
    ("written", "canonical"),
    [("pt_BR", "pt-BR"), ("PT-br", "pt-BR"), ("zh-hans", "zh-Hans"), ("zh_hant_tw", "zh-Hant-TW"),
     ("SR-latn", "sr-Latn")],
)
def test_any_spelling_of_a_tag_is_the_same_language(written: str, canonical: str) -> None:
    assert langtags.parse(written) == langtags.parse(canonical)


@pytest.mark.parametrize(
    ("written", "message"),
    [("Spanish", "not a language code"), ("en-US-x-private", "not a language code"),
     ("xx", "no CLDR locale data for 'xx'"), ("pt-JP", "no CLDR locale data for 'pt-JP'"),
     ("zh-Hanx", "no CLDR locale data")],
)
def test_unknown_tags_are_refused(written: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        langtags.parse(written)


def _parsed(tag: str) -> langtags.LanguageTag | str:
    try:
        return langtags.parse.__wrapped__(tag)
    except ValueError as exc:
        return str(exc)


def test_a_tag_with_a_locale_file_is_read_as_babel_reads_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Without loading Babel, a tag whose locale file exists as spelled (every CLDR locale
    here, in any case) is what ``Locale.parse`` makes of it; other tags go to Babel."""
    identifiers = localedata.locale_identifiers()
    tags = sorted({i.replace("_", "-") for i in identifiers} | {i.lower() for i in identifiers}
                  | {"zh-TW", "pt-JP", "zh-Hanx", "de-CH-1996", "xx", "en-150"})
    quick = {tag: _parsed(tag) for tag in tags}
    assert langtags._has_locale_data("pt_BR") and not langtags._has_locale_data("zh_TW")
    monkeypatch.setattr(langtags, "_has_locale_data", lambda identifier: False)
    assert {tag: _parsed(tag) for tag in tags} == quick


def test_an_unknown_tag_fails_at_load_naming_the_config_line(tmp_path: Path) -> None:
    root = copy_fixture(tmp_path)
    (root / "localise.toml").write_text(
        '# languages\nsource_language = "en"\nlanguages = ["pt-BR", "zh-Hanz"]\n',
        encoding="utf-8",
    )
    ran = localise(root, "update")
    assert ran.code == 2
    assert ran.err == (
        "localise: error: localise.toml:3: no CLDR locale data for 'zh-Hanz' (key 'languages')\n"
    )


def test_per_language_tables_take_any_spelling(tmp_path: Path) -> None:
    (tmp_path / "localise.toml").write_text(
        'languages = ["pt-BR", "zh-Hant-TW"]\n[translate.engines]\npt_BR = "pseudo"\n'
        '[translate.codes]\npt-BR = "pb"\n[formatting.zh-hant-tw]\nlarge_units = true\n',
        encoding="utf-8",
    )
    config = load(tmp_path)
    assert config.languages == ("pt-BR", "zh-Hant-TW")
    assert config.translate.engine_for("pt-BR") == "pseudo"
    assert config.mt_code("pt-BR") == "pb"  # a newer argos package, translate-en_pb
    assert config.mt_code("zh-Hant-TW") == "zt"
    assert config.formatting.policy("zh-Hant-TW").large_units is True
    assert config.po_path("pt-BR", "a") == tmp_path.resolve() / "locales/pt_BR/LC_MESSAGES/a.po"
    assert config.output_path("zh-Hant-TW", "a") == tmp_path.resolve() / "build/zh-Hant-TW/a.md"


@pytest.fixture(scope="module")
def argos_models(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Real en→pt, en→zh and en→zt argos packages (tiny copy models, built offline)."""
    from support.tiny_argos import build_copy_package

    folder = tmp_path_factory.mktemp("argos-tags")
    return {code: build_copy_package(folder, from_code="en", to_code=code)
            for code in ("pt", "zh", "zt")}


def test_pt_br_and_zh_hans_end_to_end(tmp_path: Path, argos_models: dict[str, Path]) -> None:
    root = copy_fixture(tmp_path)
    home = tmp_path / "home"
    (root / "localise.toml").write_text(
        'languages = ["pt-BR", "zh-Hans", "zh-Hant-TW"]\n\n[translate]\nengine = "argos"\n'
        'packages_dir = ".argos"\n',
        encoding="utf-8",
    )
    knee = root / "source" / "guides" / "knee.md"
    knee.write_text(
        knee.read_text().replace("in Tokyo.", "in Tokyo (R$1,200 in São Paulo)."),
        encoding="utf-8",
    )
    for code in ("pt", "zh", "zt"):
        ok(root, "models", "install", str(argos_models[code]), home=home)
    for command in ("extract", "update", "translate"):
        ran = ok(root, command, home=home)
    assert re.search(r"^pt-BR: 10 drafts: .* 10 from argos \(argos translate-en_pt 1\.0\)",
                     ran.out, re.MULTILINE), ran.out
    assert re.search(r"^zh-Hans: 10 drafts: .* 10 from argos \(argos translate-en_zh 1\.0\)",
                     ran.out, re.MULTILINE), ran.out
    assert re.search(r"^zh-Hant-TW: 10 drafts: .* 10 from argos \(argos translate-en_zt 1\.0\)",
                     ran.out, re.MULTILINE), ran.out
    for folder in ("pt_BR", "zh_Hans", "zh_Hant_TW"):
        path = root / "locales" / folder / "LC_MESSAGES" / "guides" / "knee.po"
        po = polib.pofile(str(path))
        assert po.metadata["Language"] == folder
        assert po.metadata["Plural-Forms"] == get_plural(folder).plural_forms
        msgfmt = shutil.which("msgfmt")
        assert msgfmt, "GNU gettext is a test dependency (Makefile DEBIAN_PACKAGES)"
        check = subprocess.run([msgfmt, "--check", "-o", "/dev/null", str(path)],
                               capture_output=True, text=True)
        assert check.returncode == 0, check.stderr
        review(path)
        review(path.parent.parent / "checklist.po")
    assert {p.name for p in (root / "locales").iterdir()} >= {"pt_BR", "zh_Hans", "zh_Hant_TW"}
    ran = ok(root, "build", "--strict", home=home)
    pt = (root / "build" / "pt-BR" / "guides" / "knee.md").read_text("utf-8")
    # the copy model keeps the English words; the values are formatted for each locale
    assert "costs US$\u00a06.500 in Tokyo (R$\u00a01.200 in São Paulo)." in pt
    zh = (root / "build" / "zh-Hans" / "guides" / "knee.md").read_text("utf-8")
    assert "costs US$6,500 in Tokyo (R$1,200 in São Paulo)." in zh
    tw = (root / "build" / "zh-Hant-TW" / "guides" / "knee.md").read_text("utf-8")
    assert "costs US$6,500 in Tokyo (R$1,200 in São Paulo)." in tw
    status = json.loads(ok(root, "status", "--json").out)["languages"]
    assert set(status) == {"pt-BR", "zh-Hans", "zh-Hant-TW"}
    assert all(lang["percent"] == 100.0 for lang in status.values())
    # the command line takes the gettext spelling too
    assert ok(root, "status", "--lang", "pt_BR", "--json").out.count('"pt-BR"') == 1
