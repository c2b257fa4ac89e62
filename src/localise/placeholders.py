"""``{name}`` placeholders (python-brace-format): made from amounts and dates, filled at build.

At extract, :func:`make` replaces the currency amounts and dates of a unit's text by
``{amount_N}``/``{date_N}`` and doubles literal braces; the translator keeps the placeholders;
at build, :func:`fill` puts each value back, formatted for the reader's locale. :data:`PATTERN`
is the one definition of the syntax, shared by the checks and machine-translation protection.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from localise import formatting
from localise.model import Placeholder, Unit

NAMED = r"\{[A-Za-z_][A-Za-z0-9_]*\}"
"""Regular-expression source of one placeholder, ``{name}``."""
PATTERN = re.compile(r"\{\{|\}\}|\{([A-Za-z_][A-Za-z0-9_]*)\}")
"""A placeholder ``{name}`` (group 1 is the name) or a doubled literal brace ``{{``/``}}``."""

Formatter = Callable[[Unit, str], str]
"""Given a unit and a placeholder name, return the localised value text."""


def names(text: str) -> list[str]:
    """Placeholder names in ``text`` in order (doubled braces are literals, not names)."""
    return [m.group(1) for m in PATTERN.finditer(text) if m.group(1)]


def make(
    text: str, ranges: Sequence[tuple[int, int]], *, currency: bool, dates: bool
) -> tuple[str, tuple[Placeholder, ...]]:
    """Replace amounts and dates in the plain-text ``ranges`` of ``text`` by placeholders.

    When any placeholder is made, literal braces are doubled (python-brace-format).
    """
    if not (currency or dates):
        return text, ()
    found: list[tuple[int, int, formatting.Value]] = []
    for start, end in ranges:
        for value in formatting.scan(text[start:end], currency=currency, dates=dates):
            found.append((start + value.start, start + value.end, value))
    if not found:
        return text, ()
    counters = {"amount": 0, "date": 0}
    out: list[str] = []
    made: list[Placeholder] = []
    pos = 0
    for start, end, value in found:
        out.append(text[pos:start].replace("{", "{{").replace("}", "}}"))
        counters[value.kind] += 1
        name = f"{value.kind}_{counters[value.kind]}"
        out.append("{" + name + "}")
        made.append(Placeholder(name, value.source, value.describe(), value))
        pos = end
    out.append(text[pos:].replace("{", "{{").replace("}", "}}"))
    return "".join(out), tuple(made)


def fill(unit: Unit, text: str, *, format_value: Formatter) -> str:
    """Replace ``{name}`` by formatted values and undo doubled braces.

    Raises ValueError naming the problem when the placeholders differ from the msgid's.
    """
    expected = sorted(p.name for p in unit.placeholders)
    found = sorted(names(text))
    if found != expected:
        missing = sorted(set(expected) - set(found))
        extra = sorted(set(found) - set(expected))
        doubled = sorted({n for n in found if found.count(n) > 1})
        parts = []
        if missing:
            parts.append("missing " + ", ".join("{" + n + "}" for n in missing))
        if extra:
            parts.append("unknown " + ", ".join("{" + n + "}" for n in extra))
        if doubled:
            parts.append("repeated " + ", ".join("{" + n + "}" for n in doubled))
        raise ValueError("placeholders differ from the source: " + "; ".join(parts))

    def replace(match: re.Match[str]) -> str:
        if match.group(1):
            return format_value(unit, match.group(1))
        return match.group(0)[0]

    return PATTERN.sub(replace, text)


def source_value(unit: Unit, name: str) -> str:
    """The value of placeholder ``name`` exactly as the source wrote it (a :data:`Formatter`)."""
    for placeholder in unit.placeholders:
        if placeholder.name == name:
            return placeholder.source
    raise KeyError(name)
