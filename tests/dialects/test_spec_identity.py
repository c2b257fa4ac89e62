"""Every CommonMark 0.31.2 spec example, segmented in every dialect, comes back byte for byte
from an identical translation, and with its units really substituted (``keep_identical=False``)
renders as the dialect's renderer renders the source: whatever a dialect reads into CommonMark's
corner cases, it never loses or moves a byte."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from localise.assemble import assemble
from localise.model import SegmentOptions
from localise.segment import segment
from support.dialect_laws import render

ROOT = Path(__file__).resolve().parents[2]
SPEC = json.loads((ROOT / "tests/fixtures/commonmark/spec-0.31.2.json").read_text("utf-8"))


@pytest.mark.parametrize("dialect", ["gfm", "mkdocs", "docusaurus", "hugo", "liquid", "mdn"])
def test_spec_examples_round_trip(dialect: str) -> None:
    options = SegmentOptions(dialect=dialect)
    failures = []
    for example in SPEC:
        source = example["markdown"]
        document = segment(source, path=Path("a.md"), slug="a", options=options)
        identity = {u.msgid: u.msgid for u in document.units}
        out, fallbacks = assemble(document, identity, lang="en")
        if (out, fallbacks) != (source, []):
            failures.append((example["example"], "identity"))
            continue
        if dialect == "mkdocs":
            continue  # Python-Markdown is not a CommonMark renderer: identity only
        forced, fallbacks = assemble(document, identity, lang="en", keep_identical=False)
        collapse = lambda html: re.sub(r"\s+", " ", html).strip()  # noqa: E731
        if fallbacks or collapse(render(forced, dialect)) != collapse(render(source, dialect)):
            failures.append((example["example"], "forced"))
    assert failures == []
