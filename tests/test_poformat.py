"""poformat.dumps must write exactly the bytes GNU msgcat (width 79) writes for a catalogue."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import polib
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from localise import poformat
from localise.poformat import dumps, format_string

MSGCAT = shutil.which("msgcat")
MSGFMT = shutil.which("msgfmt")

# polib writes these keys first and in this order, so catalogues using them compare equal
# whether the header was written by polib or by dumps.
METADATA = {
    "Project-Id-Version": "localise 0.1",
    "Report-Msgid-Bugs-To": "",
    "POT-Creation-Date": "2024-01-01 00:00+0000",
    "PO-Revision-Date": "2024-01-02 00:00+0000",
    "Last-Translator": "Hanako Yamada <hanako@example.com>",
    "Language-Team": "Japanese <ja@example.com>",
    "Language": "ja",
    "MIME-Version": "1.0",
    "Content-Type": "text/plain; charset=UTF-8",
    "Content-Transfer-Encoding": "8bit",
    "Plural-Forms": "nplurals=1; plural=0;",
}


def run_tool(args: list[str], text: str) -> subprocess.CompletedProcess[bytes]:
    """Run a gettext tool on `text` saved as a UTF-8 .po file; fail on a non-zero exit."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp, "in.po")
        path.write_bytes(text.encode("utf-8"))
        done = subprocess.run([*args, str(path)], capture_output=True, check=False)
    assert done.returncode == 0, done.stderr.decode("utf-8", "replace")
    return done


def msgcat(text: str) -> str:
    """Return what `msgcat --force-po -o -` writes (--force-po: keep header-only files)."""
    assert MSGCAT is not None, "GNU gettext (msgcat) must be installed"
    return run_tool([MSGCAT, "--force-po", "-o", "-"], text).stdout.decode("utf-8")


def msgfmt_check(text: str) -> None:
    """Assert that `msgfmt --check-format` accepts the .po text `text`."""
    assert MSGFMT is not None, "GNU gettext (msgfmt) must be installed"
    run_tool([MSGFMT, "--check-format", "-o", "/dev/null"], text)


def catalogue(
    entries: list[dict[str, Any]],
    *,
    header: str = "Japanese translation of localise.\nCopyright (C) 2024",
    fuzzy: Any = False,
    metadata: dict[str, str] | None = None,
) -> polib.POFile:
    """Build a polib catalogue from POEntry keyword dicts."""
    po = polib.POFile()
    po.header = header
    po.metadata = dict(METADATA if metadata is None else metadata)
    po.metadata_is_fuzzy = fuzzy
    for kwargs in entries:
        po.append(polib.POEntry(**kwargs))
    return po


def assert_matches_msgcat(po: polib.POFile) -> str:
    """Assert dumps(po) is a msgcat fixed point and equals msgcat's rewrite of polib's text."""
    ours = dumps(po)
    assert msgcat(ours) == ours
    # polib writes an empty header comment as a "#" line (we write none) and drops the
    # extracted comments and references of obsolete entries (msgcat keeps them).
    if po.header and not any(e.obsolete and (e.comment or e.occurrences) for e in po):
        po.wrapwidth = 0  # polib without wrapping: msgcat has to do all the wrapping itself
        assert msgcat(str(po)) == ours
    return ours


JA_PARAGRAPH = (
    "このツールは、Markdown で書かれた記事を gettext のカタログに変換し、"
    "翻訳者が Poedit や Weblate で作業できるようにします。「原文」と（訳文）を"
    "比較しながら、句読点、括弧、長音符「ー」や小さい仮名（ぁぃぅぇぉっゃゅょ）"
    "の前で改行しないことを確認してください。全角英数字ＡＢＣ１２３も含みます。"
)
EN_PARAGRAPH = (
    "Localise converts Markdown articles into gettext catalogues so that translators "
    "can work in the tools they already know; every catalogue it writes must be "
    "byte-for-byte what msgcat writes, otherwise re-saving a file creates noisy diffs."
)
LONG_URL = "https://example.com/very/long/path/" + "segment-" * 12 + "end.html"

CASES: dict[str, list[dict[str, Any]]] = {
    "english paragraph": [{"msgid": EN_PARAGRAPH, "msgstr": EN_PARAGRAPH.upper()}],
    "japanese paragraph": [{"msgid": EN_PARAGRAPH, "msgstr": JA_PARAGRAPH * 2}],
    "japanese punctuation at the edge": [
        {"msgid": f"edge {n}", "msgstr": "あ" * n + "。」、）ー" + "い" * 40} for n in range(30, 40)
    ]
    + [{"msgid": f"open {n}", "msgstr": "う" * n + "「（" + "え" * 40} for n in range(30, 40)],
    "mixed markdown and urls": [
        {
            "msgid": f"Read **bold** text and [the guide]({LONG_URL}) before `code()`.",
            "msgstr": f"**太字**のテキストと[ガイド]({LONG_URL})を読んでから`code()`を実行します。",
        },
        {"msgid": "# Heading with `inline code` and _emphasis_", "msgstr": "# 見出し"},
        {"msgid": "- item one\n- item two\n> quoted", "msgstr": "- 項目一\n- 項目二\n> 引用"},
    ],
    "single word longer than the line": [
        {"msgid": "x" * 150, "msgstr": "word " + "y" * 150 + " tail"},
        {"msgid": "hyphen-" * 20, "msgstr": "あ" * 100},
    ],
    "escapes": [
        {"msgid": 'Say "hi"\tand \\ go\n', "msgstr": '「hi」と言う\t\\ "quoted"\n'},
        {"msgid": "line one\nline two\n\nline four", "msgstr": "一行目\n二行目\n\n四行目"},
        {"msgid": "\\" * 100, "msgstr": '"' * 100},
        {"msgid": "ends with a newline " * 5 + "\n", "msgstr": ""},
    ],
    "empty msgstr and context": [
        {"msgid": "Open", "msgstr": "", "msgctxt": "menu"},
        {"msgid": "Open", "msgstr": "開く", "msgctxt": "a very long context " * 6},
    ],
    "plural": [
        {
            "msgid": "One file was converted.",
            "msgid_plural": "{n} files were converted and " + "more text " * 10,
            "msgstr_plural": {0: "{n} 個のファイルを変換しました。" * 4},
        },
    ],
    "fuzzy with previous": [
        {
            "msgid": "Convert the article",
            "msgstr": "記事を変換する",
            "flags": ["fuzzy", "python-brace-format"],
            "previous_msgctxt": "old context",
            "previous_msgid": "Convert the old article " * 5,
            "tcomment": "Translator note\n\nsecond paragraph",
            "comment": "An extracted comment that is quite long; msgcat never wraps these " * 2,
        },
        {"msgid": "Untranslated but fuzzy", "msgstr": "", "flags": ["fuzzy"]},
        {"msgid": "No wrap " * 20, "msgstr": "折り返しなし" * 20, "flags": ["no-wrap"]},
    ],
    "flags are normalised like msgcat": [
        {
            "msgid": "%d file",
            "msgid_plural": "%d files",
            "msgstr_plural": {0: "%d 個のファイル"},
            "flags": [
                "no-wrap",
                "unknown-flag",
                "python-format",
                "fuzzy",
                "c-format",
                "range: 1..5",
                "possible-python-brace-format",
                "impossible-sh-format",
                "no-java-format",
            ],
        },
    ],
    "control characters": [
        {"msgid": "bell\a back\b form\f cr\r vt\v del\x7f esc\x1b", "msgstr": "\x01" * 100},
    ],
    "obsolete": [
        {"msgid": "Live", "msgstr": "生きている"},
        {
            "msgid": "Gone " * 20,
            "msgstr": "消えた" * 30,
            "obsolete": True,
            "flags": ["fuzzy"],
            "previous_msgid": "Gone before " * 10,
            "tcomment": "obsolete note",
        },
        {"msgid": "Dropped: obsolete and untranslated", "msgstr": "", "obsolete": True},
        {
            "msgid": "Obsolete, not wrapped " * 5,
            "msgstr": "折り返さない " * 15,
            "obsolete": True,
            "msgctxt": "ctx",
            "flags": ["no-wrap", "range: 1..3", "python-format", "fuzzy"],
            "comment": "extracted comments and references of obsolete entries are kept",
            "occurrences": [("docs/old.md", "3")],
        },
        {"msgid": "Live again", "msgstr": "再び"},
    ],
    "references": [
        {
            "msgid": "Referenced",
            "msgstr": "参照",
            "occurrences": [(f"./docs/guide/chapter-{i}/index.md", str(i * 7)) for i in range(25)]
            + [("docs/no-line.md", ""), ("./docs/guide/chapter-1/index.md", "7")],
        },
    ],
}


@pytest.mark.parametrize("name", list(CASES))
def test_hand_picked_cases_match_msgcat(name: str) -> None:
    po = catalogue(CASES[name])
    msgfmt_check(assert_matches_msgcat(po))


def test_header_variants_match_msgcat() -> None:
    long_team = {**METADATA, "Language-Team": "日本語チーム " * 12 + "<ja@example.com>"}
    for po in (
        catalogue([], fuzzy=True),
        catalogue([], fuzzy=["fuzzy"], header=""),
        catalogue([{"msgid": "a", "msgstr": "あ"}], metadata=long_team),
    ):
        msgfmt_check(assert_matches_msgcat(po))


def test_format_string_examples() -> None:
    assert format_string("msgid", "Hello") == ['msgid "Hello"']
    assert format_string("msgstr", "") == ['msgstr ""']
    assert format_string("msgid", "a\nb", prefix="#~ ") == ['#~ msgid ""', '#~ "a\\n"', '#~ "b"']
    assert format_string("msgid", "あ" * 50) == ['msgid ""', f'"{"あ" * 38}"', f'"{"あ" * 12}"']
    # No line may start with closing punctuation or small kana, nor end with an opening one.
    lines = format_string("msgstr", "あ" * 37 + "」。" + "（い" + "ぁ" * 40)
    assert lines == ['msgstr ""', f'"{"あ" * 36}"', '"あ」。"', f'"（い{"ぁ" * 40}"']


def test_unrepresentable_characters_are_rejected() -> None:
    for char in "\0\x04":
        with pytest.raises(ValueError):
            format_string("msgid", f"a{char}b")


def test_dumps_reads_back_with_polib() -> None:
    # (polib 1.2 does not unescape \a, so the "control characters" case is left out)
    cases = [entries for name, entries in CASES.items() if name != "control characters"]
    po = catalogue([entry for entries in cases for entry in entries[:1]])
    again = polib.pofile(dumps(po))
    assert [(e.msgid, e.msgstr, e.obsolete) for e in again] == [
        (e.msgid, e.msgstr, e.obsolete) for e in po
    ]


# ------------------------------------------------------------------ property-based test

WORDS = ["the", "Markdown", "file", "translate", "x" * 90, LONG_URL, "e.g.", "co-op", "42"]
JAPANESE = list(
    "あいうえおかきくけこさしすせそはひふへほぁぃぅぇぉっゃゅょゎアイウエオァィゥェォッャュョ"
    "日本語翻訳記事文章変換確認用例漢字。、「」『』（）【】・ー〜！？…："
)
FULLWIDTH = list("ＡＢＣｘｙｚ０１２３＃＄％＆＊＋，－．／；＜＝＞＠［］＾＿｀｛｜｝")
MARKDOWN = ["**", "_", "`", "[", "](", ")", "# ", "- ", "> ", "|", "<br>", "\\", '"', "'"]
FRAGMENTS = st.one_of(
    st.sampled_from(WORDS),
    st.sampled_from([" ", " ", "  ", "\n", "\t", "\r"]),
    st.text(st.sampled_from(JAPANESE), min_size=1, max_size=30),
    st.text(st.sampled_from(FULLWIDTH), min_size=1, max_size=6),
    st.sampled_from(MARKDOWN),
)
TEXT = st.lists(FRAGMENTS, max_size=40).map("".join)
NONEMPTY_TEXT = st.lists(FRAGMENTS, min_size=1, max_size=40).map("".join)
COMMENT = st.lists(st.sampled_from(["note", "メモ", " ", "\n", "long" * 30]), max_size=6).map(
    "".join
)
FILE_NAME = st.from_regex(r"[a-z][a-z0-9_/.-]{0,40}", fullmatch=True)
OCCURRENCES = st.lists(
    st.tuples(FILE_NAME, st.one_of(st.just(""), st.integers(1, 99999).map(str))), max_size=12
)


@st.composite
def entries(draw: st.DrawFn) -> dict[str, Any]:
    """Draw keyword arguments for one random polib.POEntry."""
    entry: dict[str, Any] = {"msgid": draw(NONEMPTY_TEXT), "tcomment": draw(COMMENT)}
    entry["comment"] = draw(COMMENT).replace("\n", " ")
    entry["occurrences"] = draw(OCCURRENCES)
    flags = ["fuzzy", "no-wrap", "wrap", "python-format", "python-brace-format", "range: 0..5"]
    entry["flags"] = draw(st.lists(st.sampled_from(flags), unique=True))
    entry["obsolete"] = draw(st.booleans())
    if draw(st.booleans()):
        entry["msgctxt"] = draw(TEXT)
    if draw(st.booleans()):
        entry["previous_msgid"] = draw(NONEMPTY_TEXT)
    if draw(st.integers(0, 3)) == 0:
        entry["msgid_plural"] = draw(NONEMPTY_TEXT)
        forms = draw(st.lists(TEXT, min_size=1, max_size=3))
        entry["msgstr_plural"] = dict(enumerate(forms))
    else:
        entry["msgstr"] = draw(TEXT)
    return entry


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(entries(), max_size=6, unique_by=lambda e: (e.get("msgctxt"), e["msgid"])),
    st.booleans(),
    COMMENT,
    TEXT.map(lambda s: s.replace("\n", " ")),
)
def test_random_catalogues_match_msgcat(
    drawn: list[dict[str, Any]], fuzzy: bool, header: str, translator: str
) -> None:
    metadata = {**METADATA, "Last-Translator": translator}
    assert_matches_msgcat(catalogue(drawn, header=header, fuzzy=fuzzy, metadata=metadata))


# ------------------------------------------- fast path against the reference implementation

# One or more characters of every line-break class libunistring distinguishes (after
# resolution), plus escapes, mandatory breaks and characters of every width.
CLASS_SAMPLES = list(
    " \u3000\u00a0\u2060\u200b\u200d\u0301\u0300\x01\x7f\x1b\u2028\u2029\x85\t\n\r\a\"\\'"
    "-\u2010|!?,.:;/()[]{}%$+#0123456789aZ_@~&*<>=`^\u2014\u00ad\u3001\u3002\u300c\u300d"
    "\uff08\uff09\u30fc\u3041\u3063\u65e5\u672c\u3042\uff21\uff11\u05d0\u05d1\u0e01\u0e32"
    "\U0001f1e6\U0001f1ef\U0001f1f5\U0001f44d\U0001f3fb\u261d\u1100\u1161\u11a8\uac00\uac01"
    "\u0915\u094d\u0f0b\u17d4\u2024\u2026\u201c\u201d\u00ab\u00bb\u20ac\u00b0\u2030"
)
UNICODE_TEXT = st.text(
    st.one_of(
        st.sampled_from(CLASS_SAMPLES),
        st.sampled_from(JAPANESE),
        st.characters(exclude_categories=("Cs",), exclude_characters="\0\x04"),
    ),
    max_size=120,
)
# Texts over a few of those characters, so that rare neighbours (regional indicator pairs,
# Hebrew + hyphen, marks after spaces or a zero width space, ...) meet often.
DENSE_TEXT = st.lists(st.sampled_from(CLASS_SAMPLES), min_size=1, max_size=5, unique=True).flatmap(
    lambda alphabet: st.text(st.sampled_from(alphabet), max_size=100)
)
# Neighbours the UAX #14 rules treat specially, and long runs that overflow a line anywhere.
TRICKY = [
    "\u200b\u0301", "\u200b \u0301", " \u0301", "\u0301\u200d", "\u05d0-", "\u05d0|",
    "\U0001f1e6" * 3, "\U0001f1e6\U0001f1ef\u0301\U0001f1f5", "\u200d", "\u2028", "\u2029",
    "\x85", "\u200b", "  ", "\n", "\\n", "\U0001f44d\U0001f3fb", "\u3002\u300d", "\u300c\uff08",
    "\x01", "\x1b[0m", "\x7f",
]  # fmt: skip
RUNS = st.builds(
    str.__mul__, st.sampled_from(["x", "あ", " ", "-", "\u0301", "\U0001f1e6"]), st.integers(1, 90)
)
SEQUENCE_TEXT = st.lists(
    st.one_of(
        st.sampled_from(TRICKY), st.sampled_from(CLASS_SAMPLES), RUNS, st.sampled_from(WORDS)
    ),
    max_size=30,
).map("".join)
ASCII_TEXT = st.lists(
    st.one_of(
        st.sampled_from(
            [*WORDS, " ", "  ", "-", "/", "(", ")", "%", "$", "\x01", "\x1b[0m", "\x7f"]
        ),
        st.text(st.characters(min_codepoint=1, max_codepoint=0x7F, exclude_characters="\x04")),
    ),
    max_size=60,
).map("".join)
MIXED_TEXT = st.one_of(
    TEXT,
    UNICODE_TEXT,
    DENSE_TEXT,
    SEQUENCE_TEXT,
    SEQUENCE_TEXT,
    st.lists(st.one_of(FRAGMENTS, UNICODE_TEXT), max_size=12).map("".join),
    st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=300),
    ASCII_TEXT,
)


@settings(max_examples=1500, deadline=None)
@given(UNICODE_TEXT | MIXED_TEXT)
def test_break_opportunities_match_reference(text: str) -> None:
    chars = list(text)
    expected = poformat._reference_possible_breaks(chars)
    classes = text.translate(poformat._CLASS_CODES).encode("latin-1")
    assert list(classes) == [poformat._line_break_class(char) for char in chars]
    for i, status in enumerate(expected):
        if i > 0 and status != poformat._MANDATORY:
            assert poformat._can_break_before(classes, i) == (status == poformat._POSSIBLE), i


@settings(max_examples=1500, deadline=None)
@given(
    MIXED_TEXT,
    st.sampled_from(["msgid", "msgstr", "msgctxt", "msgid_plural", "msgstr[1]"]),
    st.sampled_from(["", "#~ ", "#| ", "#~| "]),
    st.one_of(st.just(poformat.PAGE_WIDTH), st.integers(-2, 100), st.just(2**31 - 1)),
)
def test_fast_string_lines_match_reference(
    value: str, keyword: str, prefix: str, page_width: int
) -> None:
    expected = poformat._reference_string_lines(keyword, value, prefix, page_width)
    assert list(poformat._string_lines(keyword, value, prefix, page_width)) == expected


@given(MIXED_TEXT, MIXED_TEXT, st.sampled_from(["\0", "\x04"]))
def test_fast_path_rejects_like_reference(before: str, after: str, char: str) -> None:
    value = before + char + after
    with pytest.raises(ValueError) as reference:
        poformat._reference_string_lines("msgid", value, "", poformat.PAGE_WIDTH)
    with pytest.raises(ValueError) as fast:
        poformat._string_lines("msgid", value, "", poformat.PAGE_WIDTH)
    assert str(fast.value) == str(reference.value)
