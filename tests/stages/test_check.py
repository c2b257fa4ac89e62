"""The check stage: every rule over every catalogue of a project, findings at msgid lines."""

from __future__ import annotations

import json
import re
from pathlib import Path

from localise import catalogue
from localise.project import Project
from localise.stages import check, extract, update


def _project(root: Path) -> Project:
    (root / "source").mkdir()
    (root / "locales").mkdir()
    (root / "localise.toml").write_text(
        'languages = ["ja", "es"]\n\n[check.localisable_links]\n'
        '"https://www.placidway.com/" = { ja = "https://www.placidway.com/ja/" }\n',
        "utf-8",
    )
    (root / "locales" / "glossary.csv").write_text(
        "term,language,translation,note,strict\nPlacidWay,*,,brand,yes\n", "utf-8")
    (root / "source" / "b.md").write_text(
        "# Knee Care\n\nContact [PlacidWay](https://www.placidway.com/) about 20 ml doses.\n\n"
        "[Get a free quote][quote]\n\n[quote]: https://www.placidway.com/quote\n", "utf-8")
    (root / "source" / "a.md").write_text("# Costs\n\nPrices are **lower** in Japan.\n", "utf-8")
    project = Project.open(root)
    extract.run(project)
    update.run(project)
    return project


def _translate(project: Project, lang: str, slug: str, table: dict[str, str]) -> None:
    path = project.config.po_path(lang, slug)
    po = catalogue.read(path)
    assert po is not None
    for entry in po.live():
        entry.msgstr = table.get(entry.msgid, entry.msgstr)
    path.write_bytes(po.render())


def _msgid_line(path: Path, msgid: str) -> int:
    lines = path.read_text("utf-8").split("\n")
    return next(n for n, line in enumerate(lines, 1) if line == f"msgid {json.dumps(msgid)}"
                or line == f'msgid "{msgid}"')


def test_run_over_a_project(tmp_path: Path) -> None:
    cfg = _project(tmp_path)
    _translate(cfg, "ja", "b", {
        "Knee Care": "膝のケア",
        "Contact [PlacidWay](https://www.placidway.com/) about 20 ml doses.":
            "20 mlの投与について[PlacidWay] (https://www.placidway.com/ja/)にお問い合わせください。",
        "[Get a free quote][quote]": "[無料見積もりを依頼する][quote]",
    })
    _translate(cfg, "ja", "a", {"Costs": "費用", "Prices are **lower** in Japan.":
                                "日本では価格が**「安い」**です。"})
    found = check.run(Project.open(tmp_path))

    assert all(list(f.to_json()) == ["lang", "file", "line", "msgid", "check", "severity",
                                     "message"] for f in found)
    json.dumps([f.to_json() for f in found])  # serialisable
    assert found == sorted(found, key=lambda f: (f.file, f.line, f.check))
    assert [f.file for f in found] == sorted(f.file for f in found)

    ja_b = "locales/ja/LC_MESSAGES/b.po"
    broken = [f for f in found if f.file == ja_b and f.severity == "error"]
    assert [(f.check, f.msgid) for f in broken] == [
        ("markup", "Contact [PlacidWay](https://www.placidway.com/) about 20 ml doses.")
    ]
    assert broken[0].line == _msgid_line(
        tmp_path / ja_b, "Contact [PlacidWay](https://www.placidway.com/) about 20 ml doses.")
    assert not [f for f in found if f.file == ja_b and f.msgid.startswith("[Get")]

    ja_a = [(f.check, f.severity) for f in found if f.file == "locales/ja/LC_MESSAGES/a.po"]
    assert ja_a == [("cjk-emphasis", "warning"), ("markup", "error")]  # sorted by check
    es = {(f.check, f.severity) for f in found if f.lang == "es"}
    assert es == {("untranslated", "info")}
    assert len([f for f in found if f.lang == "es"]) == 5

    only_ja = check.run(Project.open(tmp_path), langs=["ja"])
    assert only_ja == [f for f in found if f.lang == "ja"]


def test_run_reports_msgid_lines_not_entry_starts(tmp_path: Path) -> None:
    cfg = _project(tmp_path)
    found = [f for f in check.run(cfg, langs=["es"]) if f.file.endswith("b.po")]
    path = tmp_path / "locales/es/LC_MESSAGES/b.po"
    for finding in found:
        line = path.read_text("utf-8").split("\n")[finding.line - 1]
        assert re.match(r'msgid "', line), line
