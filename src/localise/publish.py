"""One article in one language, as readers will get it: reviewed translations that pass the
publishing gate, placeholders formatted for the locale, ``draft: true`` on drafts."""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass

from localise import checks, formatting
from localise.assemble import assemble
from localise.catalogue import Catalogue
from localise.currency import CurrencyPolicy
from localise.model import Document, Fallback, Unit
from localise.placeholders import Formatter


def value_formatter(lang: str, policy: CurrencyPolicy) -> Formatter:
    """Formats a unit's placeholder for ``lang`` with Babel and the language's policy."""

    def format_value(unit: Unit, name: str) -> str:
        for placeholder in unit.placeholders:
            if placeholder.name == name and placeholder.syntax:
                return placeholder.source  # a dialect's syntax is written back as it was
            if placeholder.name == name:
                return formatting.format_value(placeholder.value, locale=lang, policy=policy)
        raise KeyError(name)

    return format_value


def mark_draft(text: str) -> str:
    """Set ``draft: true`` in the front matter (replacing a ``draft:`` key, or adding one)."""
    newline = "\r\n" if "\r\n" in text else "\n"
    if text.startswith("---" + newline):
        end = text.find(newline + "---", 3)
        if end >= 0:
            head = text[: end + len(newline)]
            existing = re.search(r"(?m)^draft[ \t]*:.*$", head)
            if existing:
                return head[: existing.start()] + "draft: true" + head[existing.end() :] + text[
                    end + len(newline) :
                ]
            return head + "draft: true" + text[end:]
    return f"---{newline}draft: true{newline}---{newline}{newline}{text}"


@dataclass(frozen=True, slots=True)
class Page:
    """One article assembled in one language."""

    text: str
    fallbacks: tuple[Fallback, ...]
    """Units shown in the source language although a translation exists, and why."""
    fuzzy_used: int
    """Units whose unreviewed (fuzzy) draft was used (``--draft`` only)."""


def assemble_page(
    document: Document,
    po: Catalogue | None,
    ctx: checks.CheckContext,
    *,
    policy: CurrencyPolicy,
    source_language: str,
    draft: bool = False,
) -> Page:
    """Target Markdown for one article: reviewed translations (and fuzzy ones in drafts) that
    pass the publishing gate, with placeholders formatted for ``ctx.lang``."""
    lang = ctx.lang
    usable = po.translations(include_fuzzy=draft) if po is not None else {}
    withheld: list[Fallback] = []
    for unit in document.units:
        text = usable.get(unit.msgid)
        if text:
            unit_ctx = dataclasses.replace(ctx, brace_format=unit.brace_format)
            reason = checks.gate_reason(unit.msgid, text, unit_ctx)
            if reason:
                withheld.append(Fallback(unit, reason))
    for fallback in withheld:
        usable.pop(fallback.unit.msgid, None)
    reviewed = po.translations() if po is not None else {}
    fuzzy_used = sum(1 for u in document.units if u.msgid in usable and u.msgid not in reviewed)
    text, fallbacks = assemble(
        document,
        usable,
        lang=lang,
        format_value=value_formatter(lang, policy),
        localise_identical=lang != source_language,
    )
    if draft and fuzzy_used:
        text = mark_draft(text)
    return Page(text, tuple(withheld + fallbacks), fuzzy_used)
