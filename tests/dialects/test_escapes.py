"""What the build writes for text it puts inside HTML: escaped for where it lands."""

from __future__ import annotations

from pathlib import Path

from localise.assemble import assemble
from localise.model import SegmentOptions
from localise.segment import segment

SOURCE = """\
<p align="center">
  <img src="logo.png" alt="The logo &amp; the name">
</p>

<table>
  <tr><td>Use <a href="/x"
    >the page</a
  > first.</td></tr>
</table>

See <img src="i.png" alt='A picture'> here, and <a href="/y" title="Go there">this</a>.
"""


def build(translations: dict[str, str], lang: str = "es") -> str:
    document = segment(
        SOURCE, path=Path("a.md"), slug="a", options=SegmentOptions(dialect="gfm")
    )
    assert [u.msgid for u in document.units] == [
        "The logo & the name",
        "Use {html_1}the page{html_1_end} first.",
        "See {alt_1}A picture{alt_1_end}{html_1} here, and {title_1}Go there{title_1_end}"
        "{html_2}this{html_2_end}.",
    ]
    out, fallbacks = assemble(document, translations, lang=lang)
    assert fallbacks == []
    return out


def test_attribute_values_are_escaped_for_their_quotes() -> None:
    out = build({
        "The logo & the name": 'El "logo" & el nombre',
        "See {alt_1}A picture{alt_1_end}{html_1} here, and {title_1}Go there{title_1_end}"
        "{html_2}this{html_2_end}.": "Vea {alt_1}l'image \"x\"{alt_1_end}{html_1} aquí, y "
        "{title_1}Ir \"allí\"{title_1_end}{html_2}esto{html_2_end}.",
    })
    assert 'alt="El &quot;logo&quot; & el nombre">' in out  # "& " reads as itself: kept
    assert "<img src=\"i.png\" alt='l&#39;image \"x\"'> aquí" in out
    assert '<a href="/y" title="Ir &quot;allí&quot;">esto</a>.' in out


def test_html_text_is_escaped_and_multi_line_tags_keep_their_lines() -> None:
    msgid = "Use {html_1}the page{html_1_end} first."
    out = build({msgid: "Use <b> and {html_1}la page{html_1_end} d'abord."})
    assert "<tr><td>Use &lt;b> and <a href=\"/x\"\n    >la page</a\n  > d'abord.</td></tr>" in out


def test_japanese_html_text_is_one_line() -> None:
    msgid = "Use {html_1}the page{html_1_end} first."
    out = build({msgid: "まず\n{html_1}そのページ{html_1_end}\nを使います。"}, "ja")
    assert "<tr><td>まず<a href=\"/x\"\n    >そのページ</a\n  >を使います。</td></tr>" in out


def test_only_what_an_html_parser_would_misread_is_escaped() -> None:
    """``&`` starting a character reference and ``<`` starting a tag are escaped; the rest is
    written as typed, so text spelled as the source spells it (``Q&A``) comes back unchanged."""
    msgid = "Use {html_1}the page{html_1_end} first."
    out = build({msgid: "Q&A, a < b, &copy y &amp; {html_1}la page{html_1_end} &#38; <i>."})
    assert "<tr><td>Q&A, a < b, &amp;copy y &amp;amp; <a href" in out
    assert "> &amp;#38; &lt;i>.</td></tr>" in out

