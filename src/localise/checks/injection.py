"""Rules on what a translation could do outside its own unit: the build lays every msgstr out
so that it stays one block of the kind its unit is, and this rule reports what it must not try.

Escaped by the build (:func:`localise.assemble.layout`), so not findings: a line that would
open a block — ATX heading ``#``, list item ``-``/``*``/``+``/``1.``, block quote ``>``,
thematic break, setext underline, code fence ````` ```/~~~ `````, ``+++`` front matter, table
delimiter row, an HTML block start, and in a dialect whatever its parser would open there
(``:::note``, ``!!! tip``) — gets a backslash before its marker (``\\#``, ``1\\.``,
``\\<div>``); indentation and blank lines are dropped. Withheld (error findings here, so
``check`` fails, the build publishes the English and ``build --strict`` exits 1): a link
reference definition (``[x]: /url`` would redirect another paragraph's ``[x]`` link wherever it
stood) and an HTML comment, ``<script>``/``<pre>``/``<style>``/``<textarea>``, ``<?``, ``<!X``
or ``<![CDATA[`` left unclosed (the kinds that run past a blank line to their closing marker,
hiding the rest of the page where they start a line; inside an HTML block nothing escapes them
but the build's ``&lt;``). A construct the msgid holds too is the source's own and not reported.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from markdown_it.common.utils import normalizeReference

from localise.checks.base import CheckContext, Pair, Rule
from localise.inline import plain_parser

_DEFINITION_LINE = re.compile(r"(?m)^[ \t]{0,3}\[((?:[^\]\\]|\\.)+)\]:")
_UNCLOSED: tuple[tuple[str, re.Pattern[str], re.Pattern[str]], ...] = (
    ("an HTML comment <!--", re.compile(r"<!--"), re.compile(r"-->")),
    ("<script>, <pre>, <style> or <textarea>",
     re.compile(r"<(?:script|pre|style|textarea)(?=[\s>]|$)", re.IGNORECASE),
     re.compile(r"</(?:script|pre|style|textarea)>", re.IGNORECASE)),
    ("a processing instruction <?", re.compile(r"<\?"), re.compile(r"\?>")),
    ("a CDATA section <![CDATA[", re.compile(r"<!\[CDATA\["), re.compile(r"\]\]>")),
    ("a declaration <!", re.compile(r"<![A-Za-z]"), re.compile(r">")),
)


def _definitions(text: str) -> dict[str, str]:
    """The link reference definitions ``text`` makes, read as a whole page: normalised label
    → the label as written."""
    written = {normalizeReference(m.group(1)): m.group(1) for m in _DEFINITION_LINE.finditer(text)}
    if not written:
        return {}
    env: dict[str, object] = {}
    plain_parser().parse(text, env)
    references = env.get("references")
    made = references if isinstance(references, dict) else {}
    return {label: written.get(label, label) for label in made}


def _unclosed(text: str, start: re.Pattern[str], end: re.Pattern[str]) -> int:
    """How many times ``start`` occurs with no ``end`` after it."""
    count = 0
    for match in start.finditer(text):
        if not end.search(text, match.end()):
            count += 1
    return count


def check_injection(pair: Pair, ctx: CheckContext) -> Iterator[str]:
    """A link reference definition, or an HTML construct left open, that the msgid lacks."""
    source = _definitions(pair.msgid)
    for label, written in sorted(_definitions(pair.msgstr).items()):
        if label in source:
            continue
        yield (
            f"the translation defines the link reference [{written}]: it would change where "
            "links elsewhere in the article point (write it as ordinary text)"
        )
    for what, start, end in _UNCLOSED:
        if _unclosed(pair.msgstr, start, end) > _unclosed(pair.msgid, start, end):
            yield (
                f"{what} is opened and never closed: it would hide the rest of the page "
                "(close it, or leave it out)"
            )


RULES = (
    Rule(
        name="injection",
        severity="error",
        summary="a link reference definition or an unclosed HTML comment, <script>, <pre>, "
        "<?, <!…> that would change the page outside the translated unit",
        check=check_injection,
        verifies_drafts=True,
    ),
)
"""The rules on reach beyond the unit."""
