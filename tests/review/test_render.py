"""The review site's HTML, parsed with the standard library's HTML parser and checked strictly.

The sample view model (``tests/fixtures/review/sample.py``) has a unit in every state for
Japanese and Spanish. Every page is parsed into a tree by a parser that rejects any end tag
that does not close the element it should, so escaping bugs show up as structure errors.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from html.parser import HTMLParser
from urllib.parse import unquote

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fixtures.review.sample import (
    FALLBACK_UNITS,
    LANGS,
    PREVIOUS_MSGID,
    STATES_IN_ORDER,
    WORDS,
    knee,
    sample_site,
)
from localise.review import (
    STATES,
    ArticleView,
    FallbackView,
    FindingView,
    LanguageView,
    PublishedView,
    ReviewSite,
    UnitView,
    render_site,
)
from localise.review.render import STATE_LABELS, render_unit_text, word_diff

VOID = {
    "area",
    "base",
    "br",
    "col",
    "embed",
    "hr",
    "img",
    "input",
    "link",
    "meta",
    "source",
    "track",
    "wbr",
}


@dataclass(eq=False)
class Element:
    """A parsed HTML element: tag, attributes, children (elements and strings)."""

    tag: str
    attrs: dict[str, str | None]
    parent: Element | None = None
    children: list[Element | str] = field(default_factory=list)

    def iter(self) -> Iterator[Element]:
        yield self
        for child in self.children:
            if isinstance(child, Element):
                yield from child.iter()

    def find_all(
        self, tag: str | None = None, *, cls: str | None = None, **attrs: str
    ) -> list[Element]:
        return [
            e
            for e in self.iter()
            if (tag is None or e.tag == tag)
            and (cls is None or cls in (e.attrs.get("class") or "").split())
            and all(e.attrs.get(k.rstrip("_")) == v for k, v in attrs.items())
        ]

    def find(self, tag: str | None = None, *, cls: str | None = None, **attrs: str) -> Element:
        found = self.find_all(tag, cls=cls, **attrs)
        assert len(found) == 1, f"expected one <{tag} class={cls} {attrs}>, found {len(found)}"
        return found[0]

    @property
    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text for c in self.children)

    def ancestors(self) -> Iterator[Element]:
        node = self.parent
        while node is not None:
            yield node
            node = node.parent

    def lang(self) -> str | None:
        """The language in effect for this element (its own or the nearest ancestor's)."""
        for node in (self, *self.ancestors()):
            if "lang" in node.attrs:
                return node.attrs["lang"]
        return None


class StrictTreeBuilder(HTMLParser):
    """Builds an :class:`Element` tree; any mis-nested or unclosed tag is an error."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("#document", {})
        self.node = self.root

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = [name for name, _ in attrs]
        assert len(names) == len(set(names)), f"duplicate attribute in <{tag} {attrs}>"
        element = Element(tag, dict(attrs), self.node)
        self.node.children.append(element)
        if tag not in VOID:
            self.node = element

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        assert tag in VOID, f"self-closing <{tag}/> is not a void element"
        self.node.children.append(Element(tag, dict(attrs), self.node))

    def handle_endtag(self, tag: str) -> None:
        assert tag not in VOID, f"end tag for void element </{tag}>"
        assert self.node.tag == tag, f"</{tag}> closes <{self.node.tag}>"
        assert self.node.parent is not None
        self.node = self.node.parent

    def handle_data(self, data: str) -> None:
        self.node.children.append(data)


def parse(html: bytes | str) -> Element:
    builder = StrictTreeBuilder()
    builder.feed(html.decode("utf-8") if isinstance(html, bytes) else html)
    builder.close()
    assert builder.node is builder.root, f"<{builder.node.tag}> is never closed"
    return builder.root


@pytest.fixture(scope="module")
def files() -> dict[str, bytes]:
    return render_site(sample_site())


@pytest.fixture(scope="module")
def pages(files: dict[str, bytes]) -> dict[str, Element]:
    return {path: parse(content) for path, content in files.items() if path.endswith(".html")}


def unit_section(pages: dict[str, Element], lang: str, index: int) -> Element:
    return pages[f"{lang}/guides/knee.html"].find("section", id=f"u-{index}")


def squash(text: str) -> str:
    return " ".join(text.split())


# --- the pages as documents ---------------------------------------------------------------


def test_the_site_has_an_index_and_three_pages_per_language_and_article(
    files: dict[str, bytes],
) -> None:
    expected = {"index.html", "static/review.css", "static/sort.js"}
    for lang in ("ja", "es"):
        for slug in ("guides/knee", "welcome"):
            for suffix in (".html", ".changes.html", ".published.html"):
                expected.add(f"{lang}/{slug}{suffix}")
    assert set(files) == expected
    assert list(files) == sorted(files)


def test_every_page_is_well_formed_accessible_html(pages: dict[str, Element]) -> None:
    for path, root in pages.items():
        html = root.find("html")
        assert html.attrs["lang"] == "en", path
        ids = [e.attrs["id"] for e in root.iter() if "id" in e.attrs]
        assert len(ids) == len(set(ids)), f"{path}: duplicate ids"
        assert len(root.find_all("h1")) == 1, path
        level = 1
        for heading in (e for e in root.iter() if re.fullmatch(r"h[1-6]", e.tag)):
            new = int(heading.tag[1])
            assert new <= level + 1, f"{path}: {heading.tag} {heading.text!r} skips a level"
            level = new
        skip = root.find("a", cls="skip-link")
        assert skip.attrs["href"] == "#main" and root.find("main", id="main")
        for table in root.find_all("table"):
            in_article = any(
                "md" in (a.attrs.get("class") or "").split() for a in table.ancestors()
            )
            assert in_article or table.find_all("caption"), f"{path}: a table without caption"
            for th in table.find_all("th"):
                assert th.attrs.get("scope") in ("col", "row"), f"{path}: <th> without scope"
        assert root.find("meta", name="viewport")


def test_every_unit_appears_once_with_its_state_in_text_and_lang_attributes(
    pages: dict[str, Element],
) -> None:
    for lang in ("ja", "es"):
        page = pages[f"{lang}/guides/knee.html"]
        sections = page.find_all("section", cls="unit")
        assert [s.attrs["id"] for s in sections] == [f"u-{i}" for i in range(1, 10)]
        for index, state in enumerate(STATES_IN_ORDER, start=1):
            section = unit_section(pages, lang, index)
            assert f"unit-{state}" in section.attrs["class"].split()
            badge = section.find("span", cls=f"state-{state}")
            assert STATE_LABELS[state] in badge.text
            assert STATE_LABELS[state] in section.find("p", cls="state-note").text
            source = section.find("div", cls="side-source").find("div", cls="md")
            assert source.attrs["lang"] == "en"
            target = section.find("div", cls="side-target")
            if state == "untranslated":
                assert target.find_all("div", cls="md") == []
                assert "Not translated" in target.text
            else:
                assert target.find("div", cls="md").attrs["lang"] == lang
        draft = unit_section(pages, lang, 4).find("span", cls="state-machine-draft")
        assert LANGS[lang]["engine"] in draft.text
        withheld = unit_section(pages, lang, 7).find("span", cls="state-withheld")
        assert "check placeholders" in withheld.text


def test_units_render_as_readers_see_them_with_formatted_placeholders(
    pages: dict[str, Element],
) -> None:
    es = unit_section(pages, "es", 3)
    target = es.find("div", cls="side-target").find("div", cls="md")
    assert [p.text for p in target.find_all("span", cls="ph")] == ["6500 US$", "13.000 US$"]
    assert [p.attrs["title"] for p in target.find_all("span", cls="ph")] == [
        "{amount_1}",
        "{amount_2}",
    ]
    assert target.find("strong").text == "un 30–40 % menos"
    assert "{amount_1}" not in target.text
    source = es.find("div", cls="side-source").find("div", cls="md")
    assert [p.text for p in source.find_all("span", cls="ph")] == ["$6,500", "$13,000"]
    nine = unit_section(pages, "ja", 9).find("div", cls="side-target").find("div", cls="md")
    assert nine.find("code").text == "insurance.pdf"
    assert nine.find("a").attrs["href"] == "https://example.com/checklist"
    assert nine.find("a").text == "クリニックのチェックリスト"
    assert nine.find_all("br") and nine.find("s").text == "隠れた"
    # The front-matter title is plain text, not Markdown.
    title = unit_section(pages, "ja", 1).find("div", cls="side-target").find("div", cls="md")
    assert title.children == ["日本の膝の幹細胞治療：チェックリスト"]


def test_a_fuzzy_unit_shows_the_word_diff_of_its_source_change(
    pages: dict[str, Element],
) -> None:
    for lang in ("ja", "es"):
        section = unit_section(pages, lang, 5)
        diff = section.find("p", cls="diff")
        assert diff.attrs["lang"] == "en"
        assert [d.text.strip() for d in diff.find_all("del")] == ["two weeks"]
        assert [i.text.strip() for i in diff.find_all("ins")] == [
            "one week",
            "and a summary of your medical records",
        ]
        kept = "".join(c for c in diff.children if isinstance(c, str))
        assert "Most clinics ask for a deposit of {amount_1}" in kept
        for index in (1, 2, 3, 4, 6, 7, 8, 9):
            assert unit_section(pages, lang, index).find_all("p", cls="diff") == []


def test_findings_and_glossary_hits_sit_on_their_unit(pages: dict[str, Element]) -> None:
    for lang in ("ja", "es"):
        for index in range(1, 10):
            findings = unit_section(pages, lang, index).find_all("li", cls="finding")
            texts = [squash(f.text) for f in findings]
            if index == 7:
                assert texts == [
                    "error placeholders {amount_1} is missing from the translation "
                    f"{LANGS[lang]['po']}:67"
                ]
            elif index == 9:
                assert texts == [
                    f"warning punctuation two spaces after a full stop {LANGS[lang]['po']}:80"
                ]
            else:
                assert texts == []
            glossary = unit_section(pages, lang, index).find_all("ul", cls="glossary")
            assert len(glossary) == (index == 4)
        hit = unit_section(pages, lang, 4).find("ul", cls="glossary")
        assert hit.find("span", cls="term").attrs["lang"] == "en"
        assert hit.find("span", cls="term-target").text == LANGS[lang]["glossary"][0]
        assert "strict" in hit.text and "used" in hit.text
        overview = pages[f"{lang}/guides/knee.html"].find("section", cls="overview")
        assert "2 obsolete entries" in overview.find("ul", cls="findings").text


def test_each_unit_shows_its_po_file_and_line_and_its_context(
    pages: dict[str, Element],
) -> None:
    for lang in ("ja", "es"):
        article = knee(lang)
        for unit in article.units:
            section = unit_section(pages, lang, unit.index)
            assert section.find("code", cls="loc-po").text == f"{article.po_path}:{unit.po_line}"
            assert (
                f"{article.source_path}:{unit.source_line}" in section.find("p", cls="where").text
            )
            assert section.find("p", cls="comment").text == unit.comment
            assert section.find("pre", lang="en").text == unit.msgid


def test_index_counts_equal_the_view_model(pages: dict[str, Element]) -> None:
    index = pages["index.html"]
    for lang in ("ja", "es"):
        section = index.find("section", id=f"lang-{lang}")
        rows = section.find("table").find("tbody").find_all("tr")
        assert [r.find("th").attrs["data-sort"] for r in rows] == ["guides/knee", "welcome"]
        knee_row = rows[0]
        units = knee_row.find("td", **{"data-label": "Units reviewed"})
        words = knee_row.find("td", **{"data-label": "Words reviewed"})
        reviewed = [i for i, s in enumerate(STATES_IN_ORDER) if s == "reviewed"]
        reviewed_words = sum(WORDS[i] for i in reviewed)
        assert squash(units.find("p", cls="progress-label").text) == (
            f"{len(reviewed)} of 9 reviewed {len(reviewed) * 100 // 9}%"
        )
        assert squash(words.find("p", cls="progress-label").text) == (
            f"{reviewed_words} of {sum(WORDS)} reviewed {reviewed_words * 100 // sum(WORDS)}%"
        )
        for state in STATES:
            if state == "reviewed":
                continue
            n_units = STATES_IN_ORDER.count(state)
            n_words = sum(WORDS[i] for i, s in enumerate(STATES_IN_ORDER) if s == state)
            label = STATE_LABELS[state].lower()
            assert squash(units.find("span", cls=f"key-{state}").text) == f"{n_units} {label}"
            assert squash(words.find("span", cls=f"key-{state}").text) == f"{n_words} {label}"
        assert "Not publishable" in knee_row.find("td", **{"data-label": "Status"}).text
        assert squash(knee_row.find("td", **{"data-label": "Findings"}).text) == (
            "1 error1 warning1 info"
        )
        assert LANGS[lang]["built"] in knee_row.find("td", **{"data-label": "Last built"}).text
        welcome_row = rows[1]
        assert "Publishable" in welcome_row.find("td", **{"data-label": "Status"}).text
        # The language summary adds the two articles up.
        summary = section.find("div", cls="summary")
        language = next(x for x in sample_site().languages if x.lang == lang)
        total = language.counts.total
        assert f"of {total.units} reviewed" in summary.find_all("p", cls="progress-label")[0].text
        assert f"of {total.words} reviewed" in summary.find_all("p", cls="progress-label")[1].text
        assert "1 of 2 articles publishable" in squash(summary.text)


def test_bar_widths_add_up_and_follow_the_counts(pages: dict[str, Element]) -> None:
    for root in pages.values():
        for bar in root.find_all("div", cls="bar"):
            widths = [
                float(re.fullmatch(r"width: ([0-9.]+)%", s.attrs["style"] or "")[1])  # type: ignore[index]
                for s in bar.find_all("span", cls="seg")
            ]
            assert widths == [] or abs(sum(widths) - 100) < 0.01


def test_published_page_lists_and_marks_exactly_the_english_units(
    pages: dict[str, Element],
) -> None:
    for lang in ("ja", "es"):
        page = pages[f"{lang}/guides/knee.published.html"]
        article = knee(lang)
        frame = page.find("div", cls="page-frame")
        assert frame.attrs["lang"] == lang
        marks = frame.find_all("mark", cls="fallback")
        assert [m.attrs["id"] for m in marks] == [f"fallback-{i}" for i in FALLBACK_UNITS]
        for mark, index in zip(marks, FALLBACK_UNITS, strict=True):
            unit = article.units[index - 1]
            assert mark.attrs["lang"] == "en"
            assert unit.published is not None and unit.published in squash(mark.text)
            assert mark.find("span", cls="fallback-tag").text.startswith("English · ")
        # Every translated unit is in the page, unmarked.
        for unit in article.units:
            if unit.index not in FALLBACK_UNITS and unit.kind != "front-matter":
                html = render_unit_text(
                    unit.published or "", {}, "inline", article.link_definitions
                )
                text = squash(html.striptags())
                assert text in squash(frame.text)
                assert all(text not in squash(m.text) for m in marks)
        rows = page.find("table", cls="fallback-table").find("tbody").find_all("tr")
        reasons = [squash(r.find_all("td")[0].text) for r in rows]
        assert reasons == [
            "⚙ machine draft, not reviewed",
            "✎ fuzzy: English changed, not re-checked",
            "○ untranslated",
            "⊘ withheld by check placeholders",
        ]
        links = [r.find("th").find("a").attrs["href"] for r in rows]
        assert links == [f"#fallback-{i}" for i in FALLBACK_UNITS]
        # The review page flags the same units as published in English.
        review = pages[f"{lang}/guides/knee.html"]
        flagged = [
            int(a.attrs["href"].rsplit("-", 1)[1])  # type: ignore[union-attr]
            for a in review.find_all("a", cls="badge-fallback")
        ]
        assert flagged == list(FALLBACK_UNITS)
        welcome = pages[f"{lang}/welcome.published.html"]
        assert welcome.find_all("mark", cls="fallback") == []
        assert "nothing" in welcome.find("h2", id="fallbacks-h").text


def test_published_headings_continue_the_page_outline(pages: dict[str, Element]) -> None:
    frame = pages["ja/guides/knee.published.html"].find("div", cls="page-frame")
    assert [h.text for h in frame.find_all("h3")] == ["費用の目安", "渡航の前に"]
    front = frame.find("pre", cls="front-matter")
    assert "title: 日本の膝の幹細胞治療" in front.text


def test_changes_page_shows_only_changed_units_with_old_and_new_text(
    pages: dict[str, Element],
) -> None:
    for lang in ("ja", "es"):
        page = pages[f"{lang}/guides/knee.changes.html"]
        changed = page.find_all("section", cls="change")
        assert [c.attrs["id"] for c in changed] == ["c-8"]
        before = changed[0].find("div", cls="side-before").find("div", cls="md")
        now = changed[0].find("div", cls="side-now").find("div", cls="md")
        assert before.text == LANGS[lang]["before"] and before.attrs["lang"] == lang
        assert now.text == LANGS[lang]["msgstr"][7] and now.attrs["lang"] == lang
        diff = changed[0].find("p", cls="diff")
        assert diff.find_all("del") and diff.find_all("ins")
        assert LANGS[lang]["removed"] in page.find("ol", cls="removed").text
        badge = unit_section(pages, lang, 8).find("a", cls="badge-changed")
        assert badge.attrs["href"] == "knee.changes.html#c-8"
        assert pages[f"{lang}/welcome.changes.html"].find_all("section", cls="change") == []


def test_every_link_resolves_to_a_file_of_the_site(
    files: dict[str, bytes], pages: dict[str, Element]
) -> None:
    ids = {
        path: {e.attrs["id"] for e in root.iter() if "id" in e.attrs}
        for path, root in pages.items()
    }
    checked = 0
    for path, root in pages.items():
        for element in root.iter():
            for attribute in ("href", "src"):
                url = element.attrs.get(attribute)
                if url is None:
                    continue
                in_content = any(
                    "md" in (a.attrs.get("class") or "").split() for a in element.ancestors()
                )
                if in_content and element.tag == "a":
                    continue  # a link inside the article's own text
                if url.startswith("data:"):
                    assert element.tag == "link" and element.attrs.get("rel") == "icon"
                    continue
                assert not re.match(r"[a-z]+:|//", url), f"{path}: {url} is not relative"
                target, _, fragment = unquote(url).partition("#")
                resolved = (
                    posixpath.normpath(posixpath.join(posixpath.dirname(path), target))
                    if target
                    else path
                )
                assert resolved in files, f"{path}: {url} → {resolved} is not in the site"
                if fragment:
                    assert fragment in ids[resolved], f"{path}: {url} has no #{fragment}"
                checked += 1
    assert checked > 100


def test_no_page_loads_anything_from_the_network(
    files: dict[str, bytes], pages: dict[str, Element]
) -> None:
    for path, root in pages.items():
        for element in root.iter():
            assert element.tag not in (
                "img",
                "iframe",
                "video",
                "audio",
                "object",
                "embed",
                "source",
                "style",
            ), f"{path}: <{element.tag}>"
            assert not any(name.startswith("on") for name in element.attrs), path
            if element.tag == "script":
                assert element.attrs["src"] == posixpath.relpath(
                    "static/sort.js", posixpath.dirname(path) or "."
                )
            if element.tag == "link":
                assert element.attrs["rel"] in ("stylesheet", "icon")
        raw = files[path].decode()
        assert not re.search(r"""(?:src|srcset)\s*=\s*["']?(?:https?:)?//""", raw), path
        for match in re.finditer(r"""href\s*=\s*["']?(https?:)?//""", raw):
            before = raw[: match.start()]
            assert before.rstrip().endswith("<a"), f"{path}: remote href on a non-link"
    css = files["static/review.css"].decode()
    assert "url(" not in css and "@import" not in css and "@font-face" not in css
    js = files["static/sort.js"].decode()
    assert not re.search(r"fetch|XMLHttpRequest|https?:|import\(", js)


def test_the_same_view_model_renders_the_same_bytes() -> None:
    first = render_site(sample_site())
    second = render_site(sample_site())
    assert first == second
    assert list(first) == list(second)


def test_a_bcp47_region_tag_is_the_folder_and_the_lang_attribute() -> None:
    article = knee("es")
    site = ReviewSite(
        project_name="p",
        source_language="en",
        languages=(LanguageView("pt-BR", "Portuguese (Brazil)", (article,)),),
        generated_from="test",
    )
    files = render_site(site)
    page = parse(files["pt-BR/guides/knee.html"])
    targets = [d for d in page.find_all("div", cls="md") if d.lang() != "en"]
    assert targets and {d.attrs["lang"] for d in targets} == {"pt-BR"}
    assert page.find("link", rel="stylesheet").attrs["href"] == "../../static/review.css"


def test_sparse_view_models_render_complete_pages() -> None:
    bare = ArticleView("empty", "", "source/empty.md", "locales/ja/LC_MESSAGES/empty.po", ())
    sites = [
        ReviewSite("p", "en", (), "test"),
        ReviewSite("p", "en", (LanguageView("ja", "Japanese", ()),), "test"),
        ReviewSite("p", "en", (LanguageView("ja", "Japanese", (bare,)),), "test"),
        replace(sample_site(), compared_with=None, generated_at=None),
    ]
    for site in sites:
        files = render_site(site)
        for path, content in files.items():
            if path.endswith(".html"):
                root = parse(content)
                assert len(root.find_all("h1")) == 1, path
    page = parse(render_site(sites[2])["ja/empty.published.html"])
    assert "has not been built" in page.find("main").text
    assert "no translatable units" in parse(render_site(sites[2])["ja/empty.html"]).text
    assert bare.publishable  # nothing to review, nothing wrong
    changes = parse(render_site(sites[3])["ja/guides/knee.changes.html"])
    assert "no baseline" in changes.find("main").text


def _contrast(one: str, two: str) -> float:
    def luminance(colour: str) -> float:
        channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    light, dark = sorted((luminance(one), luminance(two)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_state_colours_have_aa_contrast(files: dict[str, bytes]) -> None:
    css = files["static/review.css"].decode()
    colour = dict(re.findall(r"--([a-z-]+):\s*(#[0-9a-f]{6});", css))
    pairs = [
        (f"{s}-ink", f"{s}-bg")
        for s in ("reviewed", "machine", "fuzzy", "withheld", "untranslated")
    ]
    pairs += [("muted", "page"), ("muted", "panel"), ("ink", "page"), ("link", "page")]
    for ink, background in pairs:
        assert _contrast(colour[ink], colour[background]) >= 4.5, (ink, background)


# --- pieces -------------------------------------------------------------------------------


def test_word_diff_marks_removed_and_added_words() -> None:
    html = word_diff(PREVIOUS_MSGID, "Most clinics ask for a deposit of {amount_1} one week.")
    assert str(html) == (
        "Most clinics ask for a deposit of {amount_1} <del>two weeks before treatment</del>"
        "<ins>one week</ins>."
    )
    assert str(word_diff("a <b> & c", "a <b> & d")) == "a &lt;b&gt; &amp; <del>c</del><ins>d</ins>"
    assert str(word_diff("same", "same")) == "same"


def test_unknown_placeholders_stay_literal_and_raw_html_is_shown_not_run() -> None:
    html = str(render_unit_text("{amount_1} and {amount_9}", {"amount_1": "6500 US$"}, "inline"))
    assert html == '<span class="ph" title="{amount_1}">6500 US$</span> and {amount_9}'
    html = str(render_unit_text("<script>alert(1)</script> <b>ok</b><br>", {}, "inline"))
    assert "<script" not in html and '<code class="raw-html">&lt;script&gt;</code>' in html
    assert "<b>ok</b><br>" in html
    # Harmless tags pass only when the text closes them in order; else all raw HTML is shown.
    for broken in ("<MARK> open", "<b>*x</b>*", "</i> close"):
        html = str(render_unit_text(broken, {}, "inline"))
        assert "<b>" not in html and "<mark>" not in html and "</i>" not in html
        assert html.count('<code class="raw-html">') == broken.count("<")
    image = str(
        render_unit_text(
            "![a {amount_1} chart](https://example.com/x.png)", {"amount_1": "$1"}, "inline"
        )
    )
    assert "<img" not in image and "a $1 chart" in image
    assert str(render_unit_text("<!-- note -->", {}, "block")) == ""


def test_a_fallback_span_that_is_not_inline_text_of_one_block_is_listed_not_marked() -> None:
    article = knee("ja")
    assert article.published is not None
    markdown = article.published.markdown
    start = markdown.index("## 費用")
    end = markdown.index("- ", start) + 4  # from a heading into the next block
    published = replace(article.published, fallbacks=(FallbackView(6, "untranslated", start, end),))
    site = _site_with(replace(article, published=published))
    page = parse(render_site(site)["ja/guides/knee.published.html"])
    assert page.find_all("mark", cls="fallback") == []
    assert "not located in the page" in page.find("table", cls="fallback-table").text


def _site_with(article: ArticleView) -> ReviewSite:
    return ReviewSite(
        project_name="p",
        source_language="en",
        languages=(LanguageView("ja", "Japanese", (article,)),),
        generated_from="test",
    )


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: UnitView(1, "paragraph", 1, 1, "a", "b", "withheld", 1), "no error finding"),
        (lambda: UnitView(0, "paragraph", 1, 1, "a", "b", "reviewed", 1), "1-based"),
        (lambda: UnitView(1, "paragraph", 1, 1, "a", "b", "done", 1), "unknown state"),  # type: ignore[arg-type]
        (lambda: FindingView("x", "fatal", "m"), "unknown severity"),  # type: ignore[arg-type]
        (lambda: PublishedView("p", "abc", (FallbackView(1, "fuzzy", 2, 9),)), "outside"),
        (lambda: replace(knee("ja"), slug="../x"), "relative POSIX path"),
        (lambda: LanguageView("pt_BR", "Portuguese", ()), "BCP 47"),
        (
            lambda: replace(knee("ja"), units=knee("ja").units[1:]),
            "unit 1 has index 2",
        ),
    ],
)
def test_the_view_model_rejects_what_it_cannot_show(
    make: Callable[[], object], message: str
) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        make()


def test_links_to_a_slug_with_spaces_and_accents_are_percent_encoded() -> None:
    site = _site_with(replace(knee("ja"), slug="guías/mi rodilla#1"))
    files = render_site(site)
    assert "ja/guías/mi rodilla#1.html" in files
    index = parse(files["index.html"])
    hrefs = [a.attrs["href"] for a in index.find_all("a") if "rodilla" in (a.attrs["href"] or "")]
    assert "ja/gu%C3%ADas/mi%20rodilla%231.html" in hrefs
    page = parse(files["ja/guías/mi rodilla#1.html"])
    changed = page.find("a", cls="badge-changed").attrs["href"]
    assert changed == "mi%20rodilla%231.changes.html#c-8"


def test_two_articles_that_would_write_the_same_page_are_an_error() -> None:
    one = replace(knee("ja"), slug="a.changes")
    two = replace(knee("ja"), slug="a")
    site = ReviewSite(
        project_name="p",
        source_language="en",
        languages=(LanguageView("ja", "Japanese", (one, two)),),
        generated_from="test",
    )
    with pytest.raises(ValueError, match=r"ja/a\.changes\.html"):
        render_site(site)


# --- any text stays inside its cell ---------------------------------------------------------

MARKDOWNISH = st.text(
    alphabet=st.sampled_from(list("ab 日本<>&\"'`*_[](){}!#|\\-=~\n\t/:;.é"))
    | st.characters(exclude_categories=["Cs"]),  # text read from UTF-8 files
    max_size=60,
)


@settings(max_examples=150, deadline=None)
@given(
    msgid=MARKDOWNISH,
    msgstr=MARKDOWNISH,
    value=MARKDOWNISH,
    markup=st.sampled_from(["inline", "block", "plain"]),
)
def test_any_catalogue_text_stays_inside_its_cell(
    msgid: str, msgstr: str, value: str, markup: str
) -> None:
    unit = UnitView(
        index=1,
        kind="paragraph",
        source_line=1,
        po_line=10,
        msgid=msgid + " {amount_1}",
        msgstr=msgstr + " {amount_1}",
        state="machine-draft",
        words=1,
        markup=markup,  # type: ignore[arg-type]
        engine=value,
        comment=msgstr,
        values={"amount_1": value},
        source_values={"amount_1": value},
        published=msgstr,
    )
    article = ArticleView(
        "x",
        msgid,
        "source/x.md",
        "locales/ja/LC_MESSAGES/x.po",
        (unit,),
        published=PublishedView("build/ja/x.md", msgstr + "\n" + msgid),
    )
    page = parse(render_site(_site_with(article))["ja/x.html"])
    section = page.find("section", id="u-1")
    cells = [
        section.find("div", cls="side-source").find("div", cls="md"),
        section.find("div", cls="side-target").find("div", cls="md"),
    ]
    assert [c.attrs["lang"] for c in cells] == ["en", "ja"]
    for cell in cells:
        for element in cell.iter():
            assert element.tag not in ("script", "style", "img", "iframe", "section", "div") or (
                element is cell
            )
            assert not any(name.startswith("on") for name in element.attrs)
            href = element.attrs.get("href") or ""
            assert not href.lower().startswith(("javascript:", "vbscript:", "data:"))
    # The catalogue text is shown exactly, whatever it contains.
    raw = section.find("details", cls="raw")
    assert raw.find("pre", lang="en").text == unit.msgid
    assert raw.find("pre", lang="ja").text == unit.msgstr
    if msgstr:
        assert section.find("p", cls="comment").text == msgstr


@settings(max_examples=150, deadline=None)
@given(text=MARKDOWNISH, data=st.data())
def test_any_fallback_span_gives_a_well_formed_published_page(
    text: str, data: st.DataObject
) -> None:
    markdown = f"# Title\n\n{text}\n\n- item *one*\n"
    start = data.draw(st.integers(0, len(markdown)))
    end = data.draw(st.integers(start, len(markdown)))
    unit = UnitView(1, "paragraph", 1, 1, "a", "", "untranslated", 1, published=text)
    published = PublishedView(
        "build/ja/x.md", markdown, (FallbackView(1, "untranslated", start, end),)
    )
    article = ArticleView(
        "x", "x", "source/x.md", "locales/ja/LC_MESSAGES/x.po", (unit,), published=published
    )
    page = parse(render_site(_site_with(article))["ja/x.published.html"])  # strict: nests
    marks = page.find_all("mark", cls="fallback")
    row = page.find("table", cls="fallback-table").find("tbody").find("tr")
    assert len(marks) == (0 if "not located" in row.text else 1)
