"""Laws that tie :func:`localise.segment.segment` and :func:`localise.assemble.assemble` together.

1. Identity: msgstr == msgid reproduces the source byte for byte; with ``keep_identical=False``
   (the msgid text is really substituted) the output renders to the same HTML as the source,
   whitespace collapsed, in a spaced (``en``) and an unspaced (``ja``) language.
2. Structure: a fake translation that rewrites every letter and changes the length of every
   word, only inside the plain-text ranges of each msgid (:func:`localise.inline.text_ranges`:
   never markup, URLs, code, HTML, entities, escapes or ``{placeholders}``), and that breaks
   lines at some spaces, renders to the same HTML tag skeleton (tags and attributes, ``alt``
   aside) as the source, for ``es`` and ``ja``.  It cannot be satisfied by copying the source:
   the output must differ, and no source word of three letters or more may survive in the text
   of any rendered block (front matter title/description included).
3. Japanese output has no soft line break inside a translated block; Spanish keeps the
   translator's line breaks (with the container prefix, which the skeleton check verifies).
4. Containment: whatever one reviewed msgstr holds (fences, ``<!--``, ``[a]: /x``, ``# ``,
   ``> ``, ``---``, line breaks…), the page the build publishes has the source's block tokens
   (markdown-it-py types and nesting) and every other unit's link targets: the translation is
   escaped, or withheld by the ``injection`` rule and published in English.

Laws 1–3 run over the 652 CommonMark 0.31.2 spec examples, the shipped articles (placeholders
on) and hypothesis-generated articles (:mod:`strategies`); law 4 over a fixed article with
every kind of block and over generated ones, one unit translated by a hostile strategy.
"""

from __future__ import annotations

import json
import os
import re
import sys
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from localise import inline
from localise.assemble import assemble
from localise.model import Document
from localise.segment import SegmentOptions, segment
from strategies import documents  # tests/ is on pythonpath (pyproject)

ROOT = Path(__file__).resolve().parents[1]
SPEC = json.loads((ROOT / "tests/fixtures/commonmark/spec-0.31.2.json").read_text("utf-8"))
ARTICLES = sorted(
    [*ROOT.glob("source/*.md"), *ROOT.glob("source/guides/*.md")], key=lambda p: str(p)
)
PLACEHOLDERS_ON = SegmentOptions(currency=True, dates=True)
PLACEHOLDERS_OFF = SegmentOptions()
LAW_SETTINGS = settings(  # LOCALISE_LAW_EXAMPLES=2000 for a deeper search
    max_examples=int(os.environ.get("LOCALISE_LAW_EXAMPLES", "120")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


def _spec_id(example: dict[str, Any]) -> str:
    return f"ex{example['example']}"


# -- helpers ---------------------------------------------------------------------------------


def seg(text: str, formatting: SegmentOptions = PLACEHOLDERS_OFF) -> Document:
    return segment(text, path=Path("article.md"), slug="article", options=formatting)


def render(text: str) -> str:
    return inline.parser().render(text)


def collapse(html: str) -> str:
    return re.sub(r"\s+", " ", html).strip()


class _Skeleton(HTMLParser):
    """Start and end tags with their attributes (``alt`` is translated text, so left out)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[Any, ...]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(("<", tag, tuple(sorted((k, v) for k, v in attrs if k != "alt"))))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        self.tags.append(("/", tag))


def skeleton(text: str) -> list[tuple[Any, ...]]:
    parser = _Skeleton()
    parser.feed(render(text))
    parser.close()
    return parser.tags


@dataclass
class Block:
    """The rendered text of one inline token (paragraph, heading, cell), as a reader sees it."""

    line: int
    text: str
    softbreaks: int


def _visible(children: list[Any]) -> tuple[str, int]:
    """Text and soft breaks of inline children, without code, raw HTML and autolink URLs."""
    parts: list[str] = []
    softbreaks = 0
    in_autolink = False
    for token in children:
        if token.type == "link_open" and token.markup == "autolink":
            in_autolink = True
        elif token.type == "link_close" and in_autolink:
            in_autolink = False
        elif in_autolink:
            continue
        elif token.type == "text":
            parts.append(token.content)
        elif token.type == "image":
            text, breaks = _visible(token.children or [])
            parts.append(" " + text + " ")
            softbreaks += breaks
        elif token.type == "softbreak":
            softbreaks += 1
            parts.append(" ")
        else:
            parts.append(" ")
    return "".join(parts), softbreaks


def blocks(text: str) -> list[Block]:
    out = []
    for token in inline.parser().parse(text):
        if token.type == "inline":
            body, softbreaks = _visible(token.children or [])
            out.append(Block(token.map[0] + 1 if token.map else 0, body, softbreaks))
    return out


_WORD = re.compile(r"[^\W\d_]{3,}")
_RUN = re.compile(r"[^\W\d_]+")


def words(text: str) -> set[str]:
    return set(_WORD.findall(text))


def front_matter(text: str) -> dict[str, Any] | None:
    for token in inline.parser().parse(text):
        if token.type == "front_matter":
            try:
                data = yaml.safe_load(token.content) if token.content.strip() else None
            except yaml.YAMLError:
                return None  # "---" rules around Markdown: not metadata, kept verbatim
            return data if isinstance(data, dict) else None
    return None


# -- the fake translation --------------------------------------------------------------------

_PLACEHOLDER = re.compile(r"\{\{|\}\}|\{[A-Za-z_][A-Za-z0-9_]*\}")
_KANA = "かきくけこさしすせそたちつてとなにぬねのはひふへほまみむめもらりるれろ"


def _rot13(ch: str) -> str:
    if "a" <= ch <= "z":
        return chr((ord(ch) - 97 + 13) % 26 + 97)
    if "A" <= ch <= "Z":
        return chr((ord(ch) - 65 + 13) % 26 + 65)
    if ch in "ñÑ":
        return "ç"
    return "Ñ" if ch.isupper() else "ñ"


def spanish_word(word: str) -> str:
    """Every letter rotated, two letters added.  The ``ña`` suffix puts a non-ASCII letter in
    every word, so no output word can be a tag name, URL scheme, entity name or a source word."""
    return "".join(_rot13(ch) for ch in word) + "ña"


def japanese_word(word: str) -> str:
    """Kana of the word's length plus one kanji: another script, another length."""
    return "".join(_KANA[(ord(ch) * 7 + i) % len(_KANA)] for i, ch in enumerate(word)) + "語"


@dataclass
class Translation:
    text: str
    breaks: int = 0
    """Line breaks the fake translator inserted."""
    breaks_before_letter: int = 0
    """Of those, the ones followed by a letter (a line no block rule can claim) and after the
    last hard break."""


BREAK_IN_IMAGE_ALT = True
"""Translator breaks may fall inside image alt text too (regression: test_image_alt_*)."""


def fake_translate(msgid: str, env: dict[str, Any], lang: str, *, every: int = 3) -> Translation:
    """Rewrite the plain-text ranges of ``msgid`` as a translator into ``lang`` would.

    * Letters: each run of letters becomes :func:`spanish_word` or :func:`japanese_word`.
    * Everything else in the msgid (markup, link destinations and titles, code, raw HTML,
      entities, escapes, reference labels, ``{placeholders}``, punctuation, digits) is kept.
    * Spaces: every ``every``-th space between two non-space characters becomes ``\\n`` (a
      translator's line break).  Not after a backslash, which would make a hard break.
    * Japanese drops the spaces *between two words* only.  Spaces next to anything else are kept,
      most importantly next to ``*``/``_`` delimiter runs: CommonMark decides whether a run can
      open or close emphasis from the characters on either side (left/right-flanking), and a
      kana letter where a space was turns ``_`` into an intraword delimiter that can neither
      open nor close — a property of the translation, not something assemble can be held to.
      Spaces inside plain-text parentheses are kept too: ``[x](/my uri)`` is not a link because
      of that space, and dropping it would make one.
    """
    spans = inline.scan(msgid, env=dict(env))
    editable = [False] * len(msgid)
    for start, end in inline.text_ranges(msgid, spans):
        editable[start:end] = [True] * (end - start)
    for match in _PLACEHOLDER.finditer(msgid):
        editable[match.start() : match.end()] = [False] * (match.end() - match.start())
    no_break = [False] * len(msgid)
    for span in spans:
        if span.kind == "image" and not BREAK_IN_IMAGE_ALT:
            width = span.label_end - span.label_start
            no_break[span.label_start : span.label_end] = [True] * width
    out: list[str] = []
    result = Translation("")
    letter_breaks: list[int] = []
    spaces = depth = 0
    i = 0
    while i < len(msgid):
        ch = msgid[i]
        if editable[i] and ch.isalpha():
            j = i
            while j < len(msgid) and editable[j] and msgid[j].isalpha():
                j += 1
            word = msgid[i:j]
            out.append(japanese_word(word) if lang == "ja" else spanish_word(word))
            i = j
            continue
        if editable[i] and ch == "(":
            depth += 1
        elif editable[i] and ch == ")":
            depth = max(0, depth - 1)
        inside = 0 < i < len(msgid) - 1 and editable[i - 1] and editable[i + 1]
        if editable[i] and ch == " " and inside:
            before, after = msgid[i - 1], msgid[i + 1]
            between_words = before.isalpha() and after.isalpha()
            if before not in " \\" and after != " " and (lang != "ja" or between_words):
                spaces += 1
                if spaces % every == 0 and not no_break[i]:
                    if after.isalpha():
                        letter_breaks.append(sum(map(len, out)))
                    out.append("\n")
                    result.breaks += 1
                elif lang == "ja" and depth == 0:
                    out.append("")
                else:
                    out.append(" ")
                i += 1
                continue
        out.append(ch)
        i += 1
    result.text = "".join(out)
    result.breaks_before_letter = len(letter_breaks)
    if re.match(r"\[(?:[^\]\\]|\\.)+\]:", result.text):
        result.breaks_before_letter = 0  # a first line alone could be a link definition: joined
    return result


def translate_document(
    text: str, lang: str, formatting: SegmentOptions = PLACEHOLDERS_OFF
) -> tuple[Document, dict[str, Translation], str]:
    env: dict[str, Any] = {}
    inline.parser().parse(text, env)  # the link reference definitions the msgids rely on
    document = seg(text, formatting)
    # No line breaks in a msgid that is also a front-matter value (a heading repeating the
    # title shares its msgid): a translator does not break a title.
    titles = {unit.msgid for unit in document.units if unit.kind == "front-matter"}
    table = {}
    for unit in document.units:
        if unit.kind == "front-matter" and unit.msgid not in table:
            table[unit.msgid] = fake_translate_plain(unit.msgid, lang)
        elif unit.kind != "front-matter":
            every = 10**9 if unit.msgid in titles else 3
            table[unit.msgid] = fake_translate(unit.msgid, env, lang, every=every)
    out, fallbacks = assemble(
        document, {k: v.text for k, v in table.items()}, lang=lang
    )
    assert fallbacks == [], fallbacks
    return document, table, out


def fake_translate_plain(value: str, lang: str) -> Translation:
    """Front-matter values are plain strings: every letter run rewritten, nothing else."""
    word = japanese_word if lang == "ja" else spanish_word
    return Translation(re.sub(r"[^\W\d_]+", lambda m: word(m.group()), value))


def assert_structure(
    source: str,
    lang: str,
    formatting: SegmentOptions = PLACEHOLDERS_OFF,
) -> None:
    """Law 2 (and law 3) for one source text."""
    document, table, out = translate_document(source, lang, formatting)
    assert skeleton(out) == skeleton(source), out

    if any(t.text != u for u, t in table.items()):
        assert out != source
    src_blocks, out_blocks = blocks(source), blocks(out)
    assert len(src_blocks) == len(out_blocks), out
    values = {w for u in document.units for p in u.placeholders for w in words(p.source)}
    survivors = []
    softbreaks = 0
    for before, after in zip(src_blocks, out_blocks, strict=True):
        kept = words(before.text) & words(after.text) - values
        if kept:
            survivors.append((before.line, sorted(kept)))
        if lang != "ja":  # one rewritten word for every source word: no text was lost
            assert len(_RUN.findall(before.text)) == len(_RUN.findall(after.text)), (before, after)
        if before.text != after.text:
            softbreaks += after.softbreaks
            if lang == "ja":  # law 3
                assert after.softbreaks == 0, f"soft break in translated block: {after}\n{out}"
    assert not survivors, f"source words survive in {survivors}:\n{out}"

    source_fm, out_fm = front_matter(source), front_matter(out)
    assert (source_fm is None) == (out_fm is None)
    if source_fm is not None and out_fm is not None:
        assert source_fm.keys() == out_fm.keys()
        for key, value in source_fm.items():
            if key in ("title", "description") and isinstance(value, str) and _RUN.search(value):
                assert out_fm[key] == table[value].text, key
                assert not words(value) & words(out_fm[key]), (key, out_fm[key])
            else:
                assert out_fm[key] == value, key

    if lang != "ja":  # translator line breaks survive as soft breaks (single-line units join)
        multi = [table[u.msgid] for u in document.units if not u.single_line]
        assert sum(t.breaks_before_letter for t in multi) <= softbreaks
        assert softbreaks <= sum(t.breaks for t in multi)


# -- law 1: identity -------------------------------------------------------------------------


def identity(document: Document) -> dict[str, str]:
    return {unit.msgid: unit.msgid for unit in document.units}


@pytest.mark.parametrize("example", SPEC, ids=_spec_id)
def test_identity_spec(example: dict[str, Any]) -> None:
    """Law 1 as the issue states it. An identical translation keeps its source bytes by rule, so
    what can fail here is segmentation (a crash, overlapping spans); the substitution path is
    proven by ``test_forced_identity_spec`` and by law 2."""
    source = example["markdown"]
    document = seg(source)
    out, fallbacks = assemble(document, identity(document), lang="en")
    assert out == source
    assert fallbacks == []


@pytest.mark.parametrize("lang", ["en", "ja"])
@pytest.mark.parametrize("example", SPEC, ids=_spec_id)
def test_forced_identity_spec(example: dict[str, Any], lang: str) -> None:
    source = example["markdown"]
    document = seg(source)
    out, fallbacks = assemble(document, identity(document), lang=lang, keep_identical=False)
    assert collapse(render(out)) == collapse(render(source)), out
    assert fallbacks == []


@pytest.mark.parametrize("path", ARTICLES, ids=lambda p: p.name)
def test_identity_articles(path: Path) -> None:
    source = path.read_bytes().decode("utf-8")
    document = seg(source, PLACEHOLDERS_ON)
    assert any(unit.placeholders for unit in document.units)  # placeholders really are on
    for lang in ("en", "es", "ja"):
        out, fallbacks = assemble(document, identity(document), lang=lang)
        assert out == source
        assert fallbacks == []
        forced, fallbacks = assemble(document, identity(document), lang=lang, keep_identical=False)
        assert collapse(render(forced)) == collapse(render(source))
        assert fallbacks == []


def test_articles_are_shipped() -> None:
    names = {p.name for p in ARTICLES}
    assert {"stem-cell-therapy-japan.md", "japan-treatment-checklist.md"} <= names


@LAW_SETTINGS
@given(documents())
def test_identity_generated(source: str) -> None:
    document = seg(source, PLACEHOLDERS_ON)
    out, fallbacks = assemble(document, identity(document), lang="en")
    assert out == source
    assert fallbacks == []


@LAW_SETTINGS
@given(documents())
def test_forced_identity_generated(source: str) -> None:
    document = seg(source, PLACEHOLDERS_ON)
    for lang in ("en", "ja"):
        out, fallbacks = assemble(document, identity(document), lang=lang, keep_identical=False)
        assert collapse(render(out)) == collapse(render(source)), (lang, out)
        assert fallbacks == []


# -- law 2 (and 3): structure ------------------------------------------------------------------

SPEC_BUGS: dict[tuple[int, str], str] = {}
"""(example, lang) → reason, for spec examples failing law 2 through a bug in src.  Empty now:
517, 531, 568 and 209-es failed here and were fixed; their minimal reproductions stay below as
regression tests."""


def _spec_params() -> list[Any]:
    params = []
    for example in SPEC:
        for lang in ("es", "ja"):
            reason = SPEC_BUGS.get((example["example"], lang))
            marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
            params.append(
                pytest.param(example, lang, marks=marks, id=f"{_spec_id(example)}-{lang}")
            )
    return params


@pytest.mark.parametrize(("example", "lang"), _spec_params())
def test_structure_spec(example: dict[str, Any], lang: str) -> None:
    """All 652 examples, raw HTML blocks included: they are never units and render verbatim."""
    assert_structure(example["markdown"], lang)


@pytest.mark.parametrize("lang", ["es", "ja"])
@pytest.mark.parametrize("path", ARTICLES, ids=lambda p: p.name)
def test_structure_articles(path: Path, lang: str) -> None:
    source = path.read_bytes().decode("utf-8")
    assert_structure(source, lang, PLACEHOLDERS_ON)
    document, _, out = translate_document(source, lang, PLACEHOLDERS_ON)
    # the placeholders came back as their source values, outside the rewritten text
    for unit in document.units:
        for placeholder in unit.placeholders:
            assert placeholder.source in out


@LAW_SETTINGS
@given(documents())
def test_structure_generated_es(source: str) -> None:
    assert_structure(source, "es", PLACEHOLDERS_ON, )


@LAW_SETTINGS
@given(documents())
def test_structure_generated_ja(source: str) -> None:
    assert_structure(source, "ja", PLACEHOLDERS_ON, )


def test_fake_translation_changes_letters_not_markup() -> None:
    """The transform itself: letters and lengths change; markup, URLs, code, placeholders stay."""
    msgid = "Costs *from* {amount_1} at [the clinic](https://example.com/clinic) `code` here"
    es = fake_translate(msgid, {}, "es", every=100).text
    assert es == (
        "Pbfgfña *sebzña* {amount_1} ngña [gurña pyvavpña](https://example.com/clinic)"
        " `code` urerña"
    )
    ja = fake_translate(msgid, {}, "ja", every=100).text
    assert "{amount_1}" in ja and "(https://example.com/clinic)" in ja and "`code`" in ja
    assert " *" in ja and "* " in ja  # spaces next to delimiters kept
    assert not re.search(r"[A-Za-z]{3,}", re.sub(r"\{amount_1\}|\(http[^)]*\)|`code`", "", ja))
    broken = fake_translate("one two three four five six seven", {}, "es")
    assert broken.text.count("\n") == broken.breaks == 2


def test_skeleton_detects_changes() -> None:
    """The skeleton comparison is not vacuous: hrefs, list starts and emphasis all count."""
    assert skeleton("[a](/x)\n") != skeleton("[a](/y)\n")
    assert skeleton("3. a\n") != skeleton("4. a\n")
    assert skeleton("*a* b\n") != skeleton("a b\n")
    assert skeleton("- a\n- b\n") != skeleton("- a\n\n- b\n")
    assert skeleton("![a](x.png)\n") == skeleton("![b](x.png)\n")


# -- bugs found by the laws -------------------------------------------------------------------
# Regression tests for bugs these laws found; each was fixed in src and stays pinned here.


@pytest.mark.parametrize("lang", ["es", "ja"])
def test_second_two_space_hard_break_is_kept(lang: str) -> None:
    document = seg("a  \nb  \nc\n")
    assert [u.msgid for u in document.units] == ["a  \nb  \nc"]
    out, _ = assemble(document, {"a  \nb  \nc": "x  \ny  \nz"}, lang=lang)
    assert out == "x  \ny  \nz\n"




def test_image_alt_soft_breaks_become_spaces_in_msgid() -> None:
    document = seg("See ![the\ncells](x.png) here.\n")
    assert [u.msgid for u in document.units] == ["See ![the cells](x.png) here."]


def test_image_alt_soft_breaks_joined_for_japanese() -> None:
    document = seg("See ![the cells](x.png) here.\n")
    translation = "ここで\n![細胞\nの図](x.png)\nを見る"
    out, _ = assemble(document, {"See ![the cells](x.png) here.": translation}, lang="ja")
    assert out == "ここで![細胞の図](x.png)を見る\n"


def test_image_alt_markup_is_not_text() -> None:
    source = "![a `b` c](x.png)"
    ranges = inline.text_ranges(source, inline.scan(source))
    assert [source[a:b] for a, b in ranges] == ["a ", " c"]


def test_translator_break_cannot_make_a_definition() -> None:
    """Fixed: a translator line break after what reads as a complete link reference definition
    at the start of a paragraph turned that line into a definition, dropping the rest."""
    source = '[foo]: /url "title" ok\n'
    document = seg(source)
    assert [u.msgid for u in document.units] == ['[foo]: /url "title" ok']
    out, _ = assemble(document, {'[foo]: /url "title" ok': '[foo]: /url "title"\nbien'}, lang="es")
    # the translator's text renders as one paragraph; the first line must not become a definition
    assert collapse(render(out)) == '<p>[foo]: /url &quot;title&quot; bien</p>', out




def test_spaced_layout_keeps_soft_breaks_before_a_hard_break() -> None:
    document = seg("a b\\\nc\n")
    assert [u.msgid for u in document.units] == ["a b\\\nc"]
    out, _ = assemble(document, {"a b\\\nc": "x\ny\\\nz"}, lang="es")
    assert out == "x\ny\\\nz\n"




def test_japanese_front_matter_joins_lines_without_space() -> None:
    source = "---\ntitle: Stem cells in Japan\n---\n\n# Stem cells in Japan\n"
    document = seg(source)
    assert [u.kind for u in document.units] == ["front-matter", "heading"]
    out, _ = assemble(document, {"Stem cells in Japan": "日本の\n幹細胞"}, lang="ja")
    assert out == "---\ntitle: 日本の幹細胞\n---\n\n# 日本の幹細胞\n"


def test_translator_break_cannot_make_a_table() -> None:
    source = "Compare a | b with --- | --- here.\n"
    document = seg(source)
    out, _ = assemble(document, {source.strip(): "Compara a | b\n--- | ---\naquí."}, lang="es")
    assert skeleton(out) == skeleton(source), out


def test_text_ranges_nested_image_markup_is_not_text() -> None:
    """Fixed: text_ranges treated an image nested in a link label (its URL too) as text."""
    source = "[![moon](moon.jpg)](/uri)"
    ranges = inline.text_ranges(source, inline.scan(source))
    assert [source[a:b] for a, b in ranges] == ["moon"]


def test_shortcut_reference_before_parenthesis_is_rewritten() -> None:
    """Fixed: scan called a shortcut reference followed by ``(`` an inline link, so it was not
    rewritten to full form and a translated label broke the link (spec example 568)."""
    source = "[foo](not a link)\n\n[foo]: /url1\n"
    assert [u.msgid for u in seg(source).units] == ["[foo][foo](not a link)"]


@pytest.mark.parametrize(
    "translation", ["日本語\n_強調_ です。", "日本語 _強調_\nです。"], ids=["before", "after"]
)
def test_japanese_join_keeps_emphasis(translation: str) -> None:
    source = "Some _word_ here.\n"
    document = seg(source)
    out, _ = assemble(document, {"Some _word_ here.": translation}, lang="ja")
    assert "<em>強調</em>" in render(translation)  # the translator's Markdown has emphasis
    assert "<em>強調</em>" in render(out), out
    assert not any(b.softbreaks for b in blocks(out))


# -- the laws can fail -----------------------------------------------------------------------


def test_structure_law_rejects_copying_the_source(monkeypatch: pytest.MonkeyPatch) -> None:
    """A 'translator' that copies every msgid must not satisfy law 2."""
    module = sys.modules[__name__]
    monkeypatch.setattr(module, "fake_translate", lambda msgid, *a, **k: Translation(msgid))
    monkeypatch.setattr(module, "fake_translate_plain", lambda value, lang: Translation(value))
    source = ARTICLES[0].read_bytes().decode("utf-8")
    with pytest.raises(AssertionError, match="source words survive"):
        assert_structure(source, "es", PLACEHOLDERS_ON)


def test_law_3_fails_when_japanese_keeps_soft_breaks(monkeypatch: pytest.MonkeyPatch) -> None:
    """With Japanese laid out like a spaced language, law 3 reports the soft breaks."""
    import localise.assemble

    monkeypatch.setattr(localise.assemble, "is_unspaced", lambda lang: False)
    source = ARTICLES[0].read_bytes().decode("utf-8")
    with pytest.raises(AssertionError, match="soft break in translated block"):
        assert_structure(source, "ja", PLACEHOLDERS_ON)


# -- law 4: a translation changes nothing outside its unit ----------------------------------

CONTAINED_SOURCE = """\
---
title: Knee care
---

# Knee care

First paragraph with a [quote] link and [inline](/in).

- item one
- item two with [quote]

> Quoted text
> and more of it

Paragraph before a tight list
- tight item

| Column | Other |
|---|---|
| cell one | cell [quote] |

```text
kept code
```

<div>
Some html text
</div>

Setext heading
==============

Last paragraph, see [quote].

[quote]: /good
"""
BLOCK_PIECES = [
    "```", "~~~", "````x", "<!--", "-->", "[a]: /x", "[quote]: https://evil.example/",
    "[quote]:", "# ", "## ", "> ", "- ", "* ", "+ ", "1. ", "2) ", "---", "***", "___", "===",
    "--", "+++", "<div>", "</div>", "<pre>", "<script>", "<?", "<!X", "<![CDATA[", "<b>", "|",
    "| --- |", "---|---", "    ", "\t", "\n", "\n\n", "\r", "\\", "  \n", "[quote]", "[^1]:",
    "word", " ", "<", "`", ":", "=", "{", "&", ":::note", ":::", "!!! tip", "??? x", '=== "T"',
]
hostile_msgstr = st.lists(
    st.one_of(st.sampled_from(BLOCK_PIECES), st.text(alphabet="ab #>-*`~<!:[]()\n", max_size=6)),
    min_size=1, max_size=12,
).map("".join)


def _outline(
    text: str, dialect: str = "commonmark"
) -> tuple[list[tuple[str, str, int]], list[Any]]:
    """Block tokens (type, tag, nesting) of a page, and the tokens themselves."""
    tokens = inline.parser(dialect).parse(text)
    return [(t.type, t.tag, t.nesting) for t in tokens], tokens


def _targets(token: Any) -> list[tuple[str, str]]:
    """The link and image targets of one inline token, as a reader follows them."""
    out = []
    for child in token.children or []:
        for name in ("href", "src"):
            if child.attrs.get(name) is not None:
                out.append((child.type, str(child.attrs[name])))
    return out


def _line_span(text: str, start: int, end: int) -> tuple[int, int]:
    """0-based first and last line of the characters ``text[start:end]``."""
    first = text.count("\n", 0, start)
    return first, first + text.count("\n", start, max(start, end - 1))


def built_page(
    source: str, unit_index: int, msgstr: str, dialect: str = "commonmark"
) -> tuple[Any, Document]:
    """The ``es`` page the build publishes when unit ``unit_index`` is translated as ``msgstr``
    (a reviewed entry, through the publishing gate) and every other unit is untranslated."""
    from localise import catalogue, checks
    from localise.currency import CurrencyPolicy
    from localise.publish import assemble_page

    document = segment(
        source, path=Path("article.md"), slug="article", options=SegmentOptions(dialect=dialect)
    )
    po = catalogue.merge(None, catalogue.template(document), lang="es")
    target = document.units[unit_index]
    entry = po.find(target.msgid)
    assert entry is not None
    entry.msgstr = msgstr
    entry.fuzzy = False
    ctx = checks.CheckContext(
        lang="es", link_definitions=document.link_definitions, dialect=dialect
    )
    page = assemble_page(
        document, po, ctx, policy=CurrencyPolicy(), source_language="en", locale="es"
    )
    return page, document


def assert_contained(
    source: str, unit_index: int, msgstr: str, dialect: str = "commonmark"
) -> None:
    page, document = built_page(source, unit_index, msgstr, dialect)
    before, source_tokens = _outline(source, dialect)
    after, page_tokens = _outline(page.text, dialect)
    assert after == before, (msgstr, page.text)  # the unit stays the block it was, others too
    unit = document.units[unit_index]
    placed = page.units[unit_index]
    own_source = (unit.line - 1, unit.end_line - 1)
    own_page = _line_span(page.text, placed.start, placed.end)
    for was, now in zip(source_tokens, page_tokens, strict=True):
        if was.type != "inline" or was.map is None or now.map is None:
            continue
        if was.map[0] <= own_source[1] and own_source[0] < was.map[1]:
            continue  # the translated unit's own inline content (and its table row)
        assert not (now.map[0] <= own_page[1] and own_page[0] < now.map[1]), (msgstr, page.text)
        assert _targets(now) == _targets(was), (msgstr, page.text)


@LAW_SETTINGS
@given(st.data())
def test_translation_changes_nothing_outside_its_unit(data: st.DataObject) -> None:
    """Law 4: whatever a reviewed msgstr holds (fences, comments, definitions, block markers,
    line breaks), the built page has the source's blocks, and every other unit's links go
    where they went: the build escapes it, or withholds it and publishes the English."""
    units = seg(CONTAINED_SOURCE).units
    index = data.draw(st.integers(0, len(units) - 1), label="unit")
    assert_contained(CONTAINED_SOURCE, index, data.draw(hostile_msgstr, label="msgstr"))


@LAW_SETTINGS
@given(st.sampled_from(["gfm", "mkdocs", "docusaurus"]), st.data())
def test_translation_changes_nothing_outside_its_unit_in_dialects(
    dialect: str, data: st.DataObject
) -> None:
    """Law 4 with a dialect's parser: its own blocks (``:::note``, ``!!! tip``, tabs) too."""
    units = segment(CONTAINED_SOURCE, path=Path("article.md"), slug="article",
                    options=SegmentOptions(dialect=dialect)).units
    index = data.draw(st.integers(0, len(units) - 1), label="unit")
    assert_contained(CONTAINED_SOURCE, index, data.draw(hostile_msgstr, label="msgstr"), dialect)


@LAW_SETTINGS
@given(documents(), st.data())
def test_translation_changes_nothing_outside_its_unit_generated(
    source: str, data: st.DataObject
) -> None:
    units = seg(source).units
    if not units:
        return
    index = data.draw(st.integers(0, len(units) - 1), label="unit")
    assert_contained(source, index, data.draw(hostile_msgstr, label="msgstr"))


LINKS = " con [quote] y [inline](/in)."
"""What the first paragraph's translation must keep to pass the markup rule."""


@pytest.mark.parametrize(
    "msgstr",
    ["```\ncode", "~~~", "# Title\nmore", "- list", "> quote", "***", "a\n---", "a\n--", "+++",
     "1. one", "a\r# b", "a\n```", "a\n| x |\n| --- |", "a\n===", "    indented", "[^1]: note"],
)
def test_hostile_block_syntax_is_escaped(msgstr: str) -> None:
    """Block syntax in a translation is published, escaped, as the text of its paragraph."""
    units = seg(CONTAINED_SOURCE).units
    first = next(i for i, u in enumerate(units) if u.msgid.startswith("First paragraph"))
    assert_contained(CONTAINED_SOURCE, first, msgstr + LINKS)
    page, _ = built_page(CONTAINED_SOURCE, first, msgstr + LINKS)
    assert page.units[first].state == "reviewed", page.fallbacks


@pytest.mark.parametrize(
    ("msgstr", "reason"),
    [("[quote]: https://evil.example/", "injection: the translation defines the link reference"),
     ("Texto" + LINKS + "\n\n[quote]: /evil", "injection: the translation defines"),
     ("<!-- hidden" + LINKS, "injection: an HTML comment <!-- is opened and never closed"),
     ("<pre>" + LINKS, "injection: <script>, <pre>, <style> or <textarea> is opened")],
)
def test_hostile_definitions_and_comments_are_withheld(msgstr: str, reason: str) -> None:
    units = seg(CONTAINED_SOURCE).units
    first = next(i for i, u in enumerate(units) if u.msgid.startswith("First paragraph"))
    assert_contained(CONTAINED_SOURCE, first, msgstr)
    page, _ = built_page(CONTAINED_SOURCE, first, msgstr)
    assert page.units[first].state == "source"
    reasons = [f.reason for f in page.fallbacks if f.unit.msgid == units[first].msgid]
    assert len(reasons) == 1 and reason in reasons[0], reasons


def test_containment_law_can_fail(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without the first-line escapes a translated ``# `` becomes a heading: law 4 says so."""
    import localise.assemble

    monkeypatch.setattr(localise.assemble, "_safe_first_line", lambda lines, resolve: lines)
    units = seg(CONTAINED_SOURCE).units
    first = next(i for i, u in enumerate(units) if u.msgid.startswith("First paragraph"))
    with pytest.raises(AssertionError):
        assert_contained(CONTAINED_SOURCE, first, "# Título con [quote] y [inline](/in).")


def test_a_label_and_colon_cannot_take_the_setext_underline_as_its_url() -> None:
    """Fixed (found by law 4): a setext heading translated as ``[quote]:`` became a link
    reference definition whose URL was the ``=`` underline, and the heading vanished."""
    assert_contained("the\n=\n", 0, "[quote]:")
    page, _ = built_page("the\n=\n", 0, "[quote]:")
    assert page.text == "\\[quote]:\n=\n"


@pytest.mark.parametrize("msgstr", ["--", "**", "_ _"])
def test_a_list_item_cannot_become_a_thematic_break(msgstr: str) -> None:
    """Fixed (found by law 4): ``--`` after the list marker ``- `` read as ``- --``, a
    thematic break, and the list was cut in two."""
    units = seg(CONTAINED_SOURCE).units
    item = next(i for i, u in enumerate(units) if u.msgid == "item one")
    assert_contained(CONTAINED_SOURCE, item, msgstr)
