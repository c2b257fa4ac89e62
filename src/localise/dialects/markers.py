"""Marker lines of the block constructs whose titles are text: admonitions, content tabs,
abbreviation definitions (MkDocs) and ``:::`` containers (Docusaurus).

Regular expressions only, no parser: the segmenter reads a construct's title from its marker
line with these (the plugins invent a title or leave it unparsed, see :mod:`.mkdocs` and
:mod:`.docusaurus`), and importing them loads nothing else.
"""

from __future__ import annotations

import re

ADMONITION_RE = re.compile(
    r'(?P<marker>!!!|\?\?\?\+?)[ \t]*(?P<type>[\w-]+(?:[ \t]+[\w-]+)*)'
    r'(?:[ \t]+"(?P<title>.*)")?[ \t]*$'
)
"""An admonition marker line as Python-Markdown reads it (``title`` only when quoted)."""
TAB_RE = re.compile(r'(===[!+]{0,2})[ \t]+"(.*)"[ \t]*$')
"""A content-tab marker line: ``=== "Label"`` (``===!`` starts a new set, ``===+`` selects)."""
ABBREVIATION_RE = re.compile(r"\*\[(?P<term>[^\]\n]+)\]:[ \t]*(?P<expansion>.*?)[ \t]*$")
"""An abbreviation definition line (the ``abbr`` extension)."""
CONTAINER_RE = re.compile(
    r"\s*(?P<type>[A-Za-z][\w-]*)(?:\[(?P<label>.*)\]|[ \t]+(?P<title>.*\S))?\s*$"
)
"""The text after the colons of an opening ``:::`` line: type and optional title."""
