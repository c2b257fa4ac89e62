"""inline.parser (recording) and inline.plain_parser read Markdown the same way."""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import HealthCheck, given, settings

from localise import inline
from localise.inline import link_definitions
from localise.project import NO_DEFINITION
from strategies import documents  # tests/ is on pythonpath (pyproject)

SPEC = json.loads(
    (Path(__file__).parent / "fixtures/commonmark/spec-0.31.2.json").read_text("utf-8")
)


def _tokens(md: object, text: str) -> list[tuple[object, ...]]:
    out = []
    for token in md.parse(text, {}):  # type: ignore[attr-defined]
        children = [(c.type, c.tag, c.content, c.markup, c.attrs) for c in token.children or ()]
        out.append((token.type, token.tag, token.content, token.markup, token.map, children))
    return out


def test_plain_parser_is_a_separate_parser() -> None:
    assert inline.plain_parser() is not inline.parser()
    assert inline.plain_parser() is inline.plain_parser()  # shared, built once


def test_plain_parser_tokens_equal_recording_parser_on_the_spec() -> None:
    for example in SPEC:
        text = example["markdown"]
        assert _tokens(inline.plain_parser(), text) == _tokens(inline.parser(), text), example


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents())
def test_plain_parser_tokens_equal_recording_parser_generated(source: str) -> None:
    assert _tokens(inline.plain_parser(), source) == _tokens(inline.parser(), source)


def test_a_text_without_the_definition_marker_defines_no_link_reference() -> None:
    """What lets Project.link_definitions skip parsing: over every example of the CommonMark
    spec, a text without "]:" defines nothing, and the examples that do define hold it."""
    defining = 0
    for example in SPEC:
        found = link_definitions(example["markdown"])
        if NO_DEFINITION not in example["markdown"]:
            assert found == {}, example["example"]
        defining += bool(found)
    assert defining > 20
