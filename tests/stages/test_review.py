"""The review stage on real projects: every state from the real catalogues and build, the
generated HTML parsed strictly, counts equal to ``status --json``, what changed since the last
build or a git revision, and a rerun that writes nothing."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from fixtures.review.html import Element, parse
from fixtures.review.states_project import (
    ENGINES,
    IN_ENGLISH,
    NEW_SENTENCE,
    OLD_SENTENCE,
    STATES,
    TRANSLATIONS,
    make_states_project,
)
from localise import catalogue
from localise.project import Project
from localise.review import STATES as ALL_STATES
from localise.review.render import STATE_LABELS
from localise.stages import review

REPO = Path(__file__).resolve().parents[2]
GIT = shutil.which("git")
needs_git = pytest.mark.skipif(GIT is None, reason="git is not installed")


def squash(text: str) -> str:
    return " ".join(text.replace("\xa0", " ").split())


@pytest.fixture(scope="module")
def states(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_states_project(tmp_path_factory.mktemp("review") / "knee-project")


@pytest.fixture(scope="module")
def site(states: Path) -> dict[str, Element]:
    """The site ``review --since-publish`` writes for the states project, parsed."""
    report = review.run(Project.open(states), since_publish=True)
    assert report.warnings == []
    folder = states / "build" / "review"
    return {
        p.relative_to(folder).as_posix(): parse(p.read_bytes())
        for p in sorted(folder.rglob("*.html"))
    }


def section(site: dict[str, Element], lang: str, index: int) -> Element:
    return site[f"{lang}/knee.html"].find("section", id=f"u-{index}")


def test_the_site_has_the_index_and_three_pages_per_language(site: dict[str, Element]) -> None:
    assert sorted(site) == [
        "es/knee.changes.html", "es/knee.html", "es/knee.published.html", "index.html",
        "ja/knee.changes.html", "ja/knee.html", "ja/knee.published.html",
    ]


@pytest.mark.parametrize("lang", ["ja", "es"])
def test_every_unit_appears_once_in_document_order_with_the_state_build_gives_it(
    site: dict[str, Element], lang: str
) -> None:
    page = site[f"{lang}/knee.html"]
    sections = page.find_all("section", cls="unit")
    assert [s.attrs["id"] for s in sections] == [f"u-{i}" for i in STATES]
    for index, state in STATES.items():
        unit = section(site, lang, index)
        assert f"unit-{state}" in (unit.attrs["class"] or "").split()
        assert STATE_LABELS[state] in unit.find("span", cls=f"state-{state}").text
        source = unit.find("div", cls="side-source").find("div", cls="md")
        assert source.lang() == "en"
        target = unit.find("div", cls="side-target")
        if state == "untranslated":
            assert "Not translated" in target.text
        else:
            assert target.find("div", cls="md").lang() == lang
    draft = section(site, lang, 4).find("span", cls="state-machine-draft")
    assert ENGINES[lang] in draft.text
    withheld = section(site, lang, 3).find("span", cls="state-withheld")
    assert "check placeholders" in withheld.text
    repeat = section(site, lang, 8).find("p", cls="repeat-note")
    assert repeat.find("a").attrs["href"] == "#u-6"


@pytest.mark.parametrize("lang", ["ja", "es"])
def test_the_fuzzy_unit_shows_the_word_diff_of_the_english_change(
    site: dict[str, Element], lang: str
) -> None:
    fuzzy = section(site, lang, 5)
    diff = fuzzy.find("p", cls="diff")
    assert [squash(e.text) for e in diff.find_all("ins")] == ["belly"]
    assert diff.find_all("del") == []
    assert squash(diff.text) == NEW_SENTENCE
    shown = fuzzy.find("div", cls="side-target").find("div", cls="md")
    assert squash(shown.text) == TRANSLATIONS[lang][OLD_SENTENCE]
    for index in set(STATES) - {5}:  # only the unit whose English changed has a diff
        assert section(site, lang, index).find_all("p", cls="diff") == []


@pytest.mark.parametrize("lang", ["ja", "es"])
def test_findings_po_lines_glossary_and_placeholders_sit_on_their_unit(
    states: Path, site: dict[str, Element], lang: str
) -> None:
    po_name = f"locales/{lang}/LC_MESSAGES/knee.po"
    po = catalogue.read(states / po_name)
    assert po is not None
    lines = {e.msgid: e.line for e in po.live()}
    document = Project.open(states).document(Project.open(states).articles[0])
    for index, unit in enumerate(document.units, start=1):
        where = squash(section(site, lang, index).find("code", cls="loc-po").text)
        assert where == f"{po_name}:{lines[unit.msgid]}"
        source = squash(section(site, lang, index).find("code", title="English source").text)
        assert source == f"source/knee.md:{unit.line}"
    findings = section(site, lang, 3).find("div", cls="box-findings")
    assert "placeholders" in findings.text and "{amount_1}" in findings.text
    assert "error" in findings.text
    assert section(site, lang, 1).find_all("div", cls="box-findings") == []
    glossary = section(site, lang, 5).find("ul", cls="glossary")
    assert squash(glossary.find("span", cls="term").text) == "stem cells"
    assert glossary.find("span", cls="term-target").lang() == lang
    assert glossary.find_all("span", cls="used-yes")
    table = section(site, lang, 3).find("table", cls="placeholders")
    row = table.find("tbody").find("tr")
    cells = [squash(td.text) for td in row.find_all("td")]
    assert cells[0] == "$6,500"
    if lang == "es":  # Spanish writes the amount after the number, with the US$ symbol
        assert cells[1] == "6500 US$"
    else:
        assert cells[1] == "$6,500"
    assert row.find_all("td")[1].lang() == lang


@pytest.mark.parametrize("lang", ["ja", "es"])
def test_the_published_page_marks_and_lists_exactly_the_units_that_go_out_in_english(
    states: Path, site: dict[str, Element], lang: str
) -> None:
    page = site[f"{lang}/knee.published.html"]
    frame = page.find("div", cls="page-frame")
    assert frame.lang() == lang
    marks = frame.find_all("mark", cls="fallback")
    assert [m.attrs["id"] for m in marks] == [f"fallback-{i}" for i in IN_ENGLISH]
    assert all(m.lang() == "en" for m in marks)
    assert NEW_SENTENCE in squash(marks[2].text)
    rows = page.find("table", cls="fallback-table").find("tbody").find_all("tr")
    assert [r.find("th").find("a").attrs["href"] for r in rows] == [
        f"#fallback-{i}" for i in IN_ENGLISH
    ]
    for text in (TRANSLATIONS[lang]["Knee treatment"], TRANSLATIONS[lang]["Before you travel"]):
        assert text in frame.text and all(text not in m.text for m in marks)


def _status(cli, root: Path) -> dict:
    result = cli(root, "status", "--json")
    assert result.code == 0, result.err
    return json.loads(result.out)["languages"]


def _index_counts(site: dict[str, Element], lang: str, slug: str) -> dict[str, int]:
    row = next(
        r for r in site["index.html"].find("section", id=f"lang-{lang}").find("tbody")
        .find_all("tr") if r.find("th").attrs["data-sort"] == slug
    )
    units = row.find("td", **{"data-label": "Units reviewed"})
    found = {"reviewed": int(squash(units.find("p", cls="progress-label").text).split()[0])}
    total = int(squash(units.find("p", cls="progress-label").text).split()[2])
    for state in ALL_STATES:
        if state != "reviewed":
            keys = units.find_all("span", cls=f"key-{state}")
            found[state] = int(squash(keys[0].text).split()[0]) if keys else 0
    assert sum(found.values()) == total
    return found


def _assert_counts_agree(cli, root: Path, site: dict[str, Element]) -> None:
    status = _status(cli, root)
    result = cli(root, "review", "--json")
    assert result.code == 0, result.err
    as_json = json.loads(result.out)
    assert as_json["schema"] == 1 and "version" in as_json
    for lang, per in status.items():
        reviewed = as_json["languages"][lang]
        for key in ("total", "translated", "fuzzy", "untranslated", "words"):
            assert reviewed[key] == per[key], (lang, key)
        assert reviewed["publishable"] == per["publishable"]
        for slug, counts in per["articles"].items():
            article = reviewed["articles"][slug]
            for key in ("total", "translated", "fuzzy", "untranslated", "words"):
                assert article[key] == counts[key], (lang, slug, key)
            assert article["publishable"] == counts["publishable"]
            shown = _index_counts(site, lang, slug)
            assert shown["reviewed"] + shown["withheld"] == counts["translated"]
            assert shown["machine-draft"] + shown["fuzzy"] == counts["fuzzy"]
            assert shown["untranslated"] == counts["untranslated"]
            assert sum(shown.values()) == counts["total"]


def test_index_counts_equal_status_json(cli, states: Path, site: dict[str, Element]) -> None:
    _assert_counts_agree(cli, states, site)
    shown = _index_counts(site, "ja", "knee")
    assert shown == {"reviewed": 3, "machine-draft": 1, "fuzzy": 1, "withheld": 1,
                     "untranslated": 1}


def test_since_publish_shows_only_the_unit_whose_published_text_changed(
    site: dict[str, Element],
) -> None:
    for lang in ("ja", "es"):
        page = site[f"{lang}/knee.changes.html"]
        changed = page.find_all("section", cls="change")
        assert [c.attrs["id"] for c in changed] == ["c-5"]
        before = changed[0].find("div", cls="side-before")
        assert TRANSLATIONS[lang][OLD_SENTENCE] in squash(before.text)
        now = changed[0].find("div", cls="side-now")
        assert NEW_SENTENCE in squash(now.text)
        assert section(site, lang, 5).find("a", cls="badge-changed")
        assert section(site, lang, 4).find_all("a", cls="badge-changed") == []


def test_a_rerun_with_nothing_changed_writes_nothing(
    states: Path, site: dict[str, Element]
) -> None:
    folder = states / "build" / "review"
    review.run(Project.open(states), since_publish=True)
    before = {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in folder.rglob("*") if p.is_file()}
    report = review.run(Project.open(states), since_publish=True)
    assert report.written == []
    assert len(report.unchanged) == len(before)
    after = {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in folder.rglob("*") if p.is_file()}
    assert after == before


@needs_git
def test_changed_since_a_git_revision_compares_with_the_files_there(
    cli, states: Path, tmp_path: Path
) -> None:
    root = tmp_path / "copy"
    shutil.copytree(states, root)
    result = cli(root, "review", "--changed-since", "HEAD", "--json")
    assert result.code == 0, result.err
    data = json.loads(result.out)
    assert data["review"]["compared_with"] == "git revision HEAD"
    for lang in ("ja", "es"):
        assert data["languages"][lang]["articles"]["knee"]["changed"] == 1
        page = parse((root / f"build/review/{lang}/knee.changes.html").read_bytes())
        assert [c.attrs["id"] for c in page.find_all("section", cls="change")] == ["c-5"]
    # After committing the edit, nothing differs from HEAD; HEAD~1 still has the old text.
    subprocess_git(root, "add", "-A")
    subprocess_git(root, "commit", "-q", "-m", "edit")
    data = json.loads(cli(root, "review", "--changed-since", "HEAD", "--json").out)
    assert data["languages"]["ja"]["articles"]["knee"]["changed"] == 0
    data = json.loads(cli(root, "review", "--changed-since", "HEAD~1", "--json").out)
    assert data["languages"]["ja"]["articles"]["knee"]["changed"] == 1


def subprocess_git(root: Path, *args: str) -> None:
    import subprocess

    subprocess.run(["git", "-C", str(root), "-c", "user.name=T", "-c", "user.email=t@example.com",
                    "-c", "commit.gpgsign=false", *args], check=True, capture_output=True)


@needs_git
def test_an_unknown_revision_is_a_usage_error_naming_it(cli, states: Path) -> None:
    result = cli(states, "review", "--changed-since", "no-such-tag")
    assert result.code == 2
    assert "no-such-tag" in result.err and "Traceback" not in result.err


def test_without_git_changed_since_is_a_usage_error(
    cli, states: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(review.shutil, "which", lambda name: None)
    result = cli(states, "review", "--changed-since", "HEAD")
    assert result.code == 2
    assert "HEAD" in result.err and "git is not installed" in result.err


def test_the_two_comparisons_cannot_be_combined(cli, states: Path) -> None:
    result = cli(states, "review", "--changed-since", "HEAD", "--since-publish")
    assert result.code == 2 and "not allowed with" in result.err


def _shipped(tmp_path: Path) -> Path:
    root = tmp_path / "shipped"
    root.mkdir()
    for name in ("localise.toml", "source", "locales"):
        src = REPO / name
        if src.is_dir():
            shutil.copytree(src, root / name)
        else:
            shutil.copy2(src, root / name)
    return root


def test_the_shipped_project_reviews_with_counts_equal_to_status(cli, tmp_path: Path) -> None:
    root = _shipped(tmp_path)
    assert cli(root, "build").code == 0
    result = cli(root, "review", "--since-publish")
    assert result.code == 0, result.err
    assert "0 units changed since the last published build" in result.out
    folder = root / "build" / "review"
    site = {p.relative_to(folder).as_posix(): parse(p.read_bytes())
            for p in sorted(folder.rglob("*.html"))}
    project = Project.open(root)
    for lang in project.config.languages:
        for article in project.articles:
            units = project.document(article).units
            page = site[f"{lang}/{article.slug}.html"]
            sections = page.find_all("section", cls="unit")
            assert [s.attrs["id"] for s in sections] == [f"u-{i}" for i in
                                                         range(1, len(units) + 1)]
            for unit, shown in zip(units, sections, strict=True):
                states = re.findall(r"\bunit-([a-z-]+)\b", shown.attrs["class"] or "")
                assert len(states) == 1 and states[0] in ALL_STATES
                where = shown.find("code", title="English source")
                assert squash(where.text).endswith(f":{unit.line}")
            published = site[f"{lang}/{article.slug}.published.html"]
            assert published.find("div", cls="page-frame").lang() == lang
            assert f"build/{lang}/{article.slug}.md" in squash(published.text)
    _assert_counts_agree(cli, root, site)
    assert (folder / "static" / "review.css").is_file()


def test_pages_of_a_removed_language_go_and_an_edited_one_stays(
    cli, states: Path, tmp_path: Path
) -> None:
    root = tmp_path / "copy"
    shutil.copytree(states, root)
    first = cli(root, "review", "--json")
    assert first.code == 0, first.err
    folder = root / "build" / "review"
    assert (folder / "es" / "knee.html").is_file()
    (folder / "es" / "knee.changes.html").write_text("my notes\n")  # edited since written
    toml = root / "localise.toml"
    toml.write_text(toml.read_text().replace('languages = ["ja", "es"]', 'languages = ["ja"]'))
    glossary = root / "locales" / "glossary.csv"
    glossary.write_text("".join(
        line for line in glossary.read_text().splitlines(keepends=True) if ",es," not in line))
    second = cli(root, "review", "--json")
    assert second.code == 0, second.err
    removed = json.loads(second.out)["review"]["removed"]
    assert removed == ["build/review/es/knee.html", "build/review/es/knee.published.html"]
    assert (folder / "es" / "knee.changes.html").read_text() == "my notes\n"
    assert (folder / "ja" / "knee.html").is_file()
    index = parse((folder / "index.html").read_bytes())
    assert index.find_all("section", id="lang-es") == []


@needs_git
def test_changed_since_outside_a_git_repository_is_a_usage_error(cli, project: Path) -> None:
    result = cli(project, "review", "--changed-since", "v1.2")
    assert result.code == 2
    assert "v1.2" in result.err and "not in a git repository" in result.err


def test_a_project_never_extracted_reviews_as_all_untranslated(cli, project: Path) -> None:
    result = cli(project, "review", "--json")
    assert result.code == 0, result.err
    data = json.loads(result.out)
    status = _status(cli, project)
    for lang, per in status.items():
        for slug, counts in per["articles"].items():
            article = data["languages"][lang]["articles"][slug]
            assert article["untranslated"] == counts["untranslated"] == counts["total"] > 0
            assert article["in_english"] >= counts["total"]
