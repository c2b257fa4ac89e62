"""Hypothesis strategies for articles in each Markdown dialect.

:func:`dialect_documents` draws blocks of the dialect's own constructs (admonitions, tabs,
containers, alerts, shortcodes, Liquid, macros, HTML blocks, footnotes…) between ordinary
paragraphs, lists and quotes whose inline text comes from :mod:`strategies` (emphasis, code,
links, reference links, images, inline HTML, entities, escapes). Each draw also returns the
syntax it wrote, which the laws require to come out of a translation unchanged.
"""

from __future__ import annotations

from hypothesis import strategies as st

from strategies import inline_text, phrase

SHORT = st.sampled_from(["note", "tip", "warning", "info", "danger"])


@st.composite
def text(
    draw: st.DrawFn, refs: list[str], syntax: list[str], dialect: str, multiline: bool = True
) -> str:
    """Inline text, with the dialect's inline syntax mixed in."""
    parts = [draw(inline_text(refs, multiline=multiline))]
    pieces = {
        "gfm": [":sparkles:", "https://example.org/x", "<b>", "</b>", "<kbd>Ctrl</kbd>"],
        "mkdocs": [":octicons-heart-24:", "$x^2$", "{ .lead }", "<b>", "</b>"],
        "docusaurus": ["{props.count}", "{/* hidden */}", "<Highlight>", "</Highlight>"],
        "hugo": ['{{< param "version" >}}', "{{% ref x %}}", "\\(a+b\\)", ":tada:"],
        "liquid": ["{% data variables.product.name %}", "{{ site.url }}", "[AUTOTITLE](/x)"],
        "mdn": ['{{domxref("Element")}}', "{{optional_inline}}", '{{jsxref("Array", "arr")}}'],
    }.get(dialect, [])
    for _ in range(draw(st.integers(0, 2))):
        if pieces:
            piece = draw(st.sampled_from(pieces))
            syntax.append(piece)
            parts.append(piece)
            parts.append(draw(inline_text(refs, multiline=multiline)))
    return " ".join(p for p in parts if p)


@st.composite
def block(draw: st.DrawFn, refs: list[str], syntax: list[str], dialect: str) -> str:
    kind = draw(st.sampled_from(["paragraph", "list", "quote", "heading", "code", "own"]))
    words = draw(text(refs, syntax, dialect))
    if kind == "paragraph":
        return words + "\n" + draw(text(refs, syntax, dialect))
    if kind == "list":
        items = draw(st.lists(text(refs, syntax, dialect), min_size=1, max_size=3))
        return "\n".join(f"- {item}" for item in items)
    if kind == "quote":
        return f"> {words}\n> {draw(text(refs, syntax, dialect))}"
    if kind == "heading":
        return f"## {draw(phrase())}"
    if kind == "code":
        return "```\n" + draw(phrase()) + " {{< x >}} {% y %}\n```"
    return draw(construct(refs, syntax, dialect))


@st.composite
def construct(draw: st.DrawFn, refs: list[str], syntax: list[str], dialect: str) -> str:
    """One of the dialect's block constructs, holding text."""
    body = draw(text(refs, syntax, dialect, multiline=False))
    title = draw(phrase())
    kind = draw(SHORT)

    def marker(line: str) -> str:
        syntax.append(line)
        return line

    options = {
        "commonmark": [f"{body}\n\n{draw(phrase())}"],
        "gfm": [
            f"> [!{kind.upper()}]\n> {body}",
            f"- [ ] {body}\n- [x] {draw(phrase())}",
            f"{draw(phrase())}[^n]\n\n[^n]: {body}",
            f'<table>\n<tr><th>{title}</th></tr>\n<tr><td>{draw(phrase())} <a href="#x">'
            f"{draw(phrase())}</a></td></tr>\n</table>",
            f'<p align="center">\n  <img src="a.png" alt="{title}">\n</p>',
        ],
        "mkdocs": [
            f'{marker(f"!!! {kind}")} "{title}"\n    {body}\n\n    {draw(phrase())}',
            f'{marker(f"??? {kind}")}\n    {body}',
            f'{marker("===")} "{title}"\n\n    {body}',
            f"*[CPC]: {title}",
            f"{draw(phrase())}\n:   {body}",
            f"$$\nx = {draw(st.integers(0, 9))}\n$$",
            f"{draw(phrase())}[^n]\n\n[^n]:\n    {body}",
        ],
        "docusaurus": [
            f"{marker(f':::{kind}')} {title}\n{body}\n{marker(':::')}",
            f"{marker(f':::{kind}')}[{title}]\n\n{body}\n\n{marker(':::')}",
            f"{marker('import X from ' + repr('@site/x'))};\n\n{body}",
            f"{marker('{/* comment */}')}\n{body}",
            f"{marker('<Tabs>')}\n\n{body}\n\n{marker('</Tabs>')}",
        ],
        "hugo": [
            f"{marker('{{< ' + kind + ' >}}')}\n{body}\n{marker('{{< /' + kind + ' >}}')}",
            f"{marker('{{% tab %}}')}\n{body}\n{marker('{{% /tab %}}')}",
            f"{marker('{{< code >}}')}\n[a]\nb = 1\n{marker('{{< /code >}}')}",
            f"{draw(phrase())}\n: {body}",
            f"> [!{kind.upper()}]\n> {body}",
            "\\[\nx = 1\n\\]",
        ],
        "liquid": [
            f"{marker('{% data reusables.x %}')}\n1. {body}\n1. {draw(phrase())}",
            f"{marker('{% ifversion ghes %}')}{body}{marker('{% endif %}')}",
            f"{marker('{% warning %}')}\n\n{body}\n\n{marker('{% endwarning %}')}",
            f"- {draw(phrase())}{marker('{%- ifversion x %}')}\n- {body}",
            f"> [!{kind.upper()}]\n> {body}",
        ],
        "mdn": [
            f"{marker('{{Compat}}')}\n\n{body}",
            f"- `{draw(phrase(1, 1))}`\n  - : {body}",
            f"- {marker('{{domxref(' + repr('X') + ')}}')}",
            f"> [!NOTE]\n> {body}",
        ],
    }[dialect]
    return draw(st.sampled_from(options))


@st.composite
def dialect_documents(draw: st.DrawFn, dialect: str) -> tuple[str, list[str]]:
    """An article in ``dialect`` and the syntax written into it."""
    refs: list[str] = []
    syntax: list[str] = []
    blocks = draw(st.lists(block(refs, syntax, dialect), min_size=1, max_size=6))
    text_ = "\n\n".join(blocks) + "\n"
    if refs:
        text_ += "\n" + "".join(f"[{label}]: https://example.com/{i}\n"
                                 for i, label in enumerate(dict.fromkeys(refs)))
    return text_, syntax
