"""Deterministic pseudo-localisation for testing layouts and the pipeline without real MT.

``The patient.`` becomes ``[Ŧĥé ƥàţîéñţ. ~~~~~]``: ASCII letters become accented
look-alikes and the text grows by about 35 % (a ``~`` pad inside ``[…]``), which exposes
truncation, hard-coded strings and broken placeholders. Protection tokens (``⟦n⟧``,
``⟦/n⟧``), URLs, e-mail addresses, ``{name}`` placeholders, printf-style ``%s``/``%(n)d``
and HTML entities are left untouched.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

from localise.engines.base import EngineOptions, Identity, split_outer_space

__all__ = ["EXPANSION", "PseudoEngine", "pseudolocalise"]

EXPANSION = 0.35
_ACCENTED = str.maketrans(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
    "ÅƁÇÐÉƑĜĤÎĴĶĻṀÑÖÞǪŔŠŦÛṼŴẊÝŽàƀçđéƒĝĥîĵķļɱñöþǫŕšţûṽŵẋýž",
)
_PROTECTED = re.compile(
    r"⟦/?\d+⟧"  # protection tokens
    r"|(?:https?|ftp)://[^\s⟦⟧<>\"]*[^\s⟦⟧<>\".,;:!?)\]'’”]"  # URLs, minus trailing punctuation
    r"|www\.[^\s⟦⟧<>\"]*[^\s⟦⟧<>\".,;:!?)\]'’”]"
    r"|[\w.+-]+@[\w-]+(?:\.[\w-]+)+"  # e-mail addresses
    r"|\{[^{}\s]*\}"  # {name} placeholders
    r"|%(?:\([^)]*\))?[-+ #0]*\d*(?:\.\d+)?[sdifgxXeEcr%]"  # printf placeholders
    r"|&(?:[A-Za-z]+|#\d+|#x[0-9A-Fa-f]+);"  # HTML entities
)


def pseudolocalise(text: str) -> str:
    """Return the pseudo-localised form of one segment; whitespace-only text is unchanged."""
    lead, core, trail = split_outer_space(text)
    if not core:
        return text
    out: list[str] = []
    pos = 0
    for match in _PROTECTED.finditer(core):
        out.append(core[pos : match.start()].translate(_ACCENTED))
        out.append(match.group())
        pos = match.end()
    out.append(core[pos:].translate(_ACCENTED))
    pad = "~" * max(1, math.ceil(len(core) * EXPANSION) - 3)
    return f"{lead}[{''.join(out)} {pad}]{trail}"


class PseudoEngine:
    """Pseudo-localisation engine; needs no models and ignores the language pair."""

    name = "pseudo"

    def __init__(self, *, options: EngineOptions) -> None:
        self._options = options

    def version(self, *, source: str, target: str) -> str:
        """Return ``pseudo 1`` (bump when the output for a given input changes)."""
        return "pseudo 1"

    def identity(self, *, source: str, target: str) -> Identity:
        """Name and version: the output depends on nothing else."""
        return Identity("pseudo 1", ("pseudo", "1"))

    def translate(self, segments: Sequence[str], *, source: str, target: str) -> list[str]:
        """Pseudo-localise each segment independently."""
        return [pseudolocalise(segment) for segment in segments]
