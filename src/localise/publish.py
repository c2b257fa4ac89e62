"""One article in one language, as readers will get it: reviewed translations that pass the
publishing gate, placeholders formatted for the locale, every unit that goes out in the source
language accounted for, and drafts marked (``draft: true`` and a notice readers can see)."""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from typing import Literal

from babel.core import get_global

from localise import checks, formatting
from localise.assemble import assemble_spans
from localise.catalogue import Catalogue, Entry
from localise.currency import CurrencyPolicy
from localise.langtags import LanguageTag
from localise.model import Document, Fallback, Unit
from localise.placeholders import Formatter

UnitState = Literal["reviewed", "unreviewed", "source"]
"""How a unit went out: a reviewed translation, an unreviewed draft (``--draft`` only), or the
source text (a fallback)."""

DRAFT_NOTICES: dict[str, str] = {
    "en": "**Draft:** this translation has not been reviewed yet and may contain errors.",
    "ja": "**下書き**：この翻訳はまだ確認されていないため、誤りが含まれている可能性があります。",
    "zh": "**草稿**：此译文尚未经过审校，可能包含错误。",
    "zh_Hant": "**草稿**：此譯文尚未經過審校，可能包含錯誤。",
    "ko": "**초안:** 이 번역은 아직 검토되지 않았으며 오류가 있을 수 있습니다.",
    "es": "**Borrador:** esta traducción aún no ha sido revisada y puede contener errores.",
    "pt": "**Rascunho:** esta tradução ainda não foi revisada e pode conter erros.",
    "pt_PT": "**Rascunho:** esta tradução ainda não foi revista e pode conter erros.",
    "fr": "**Brouillon\u202f:** cette traduction n’a pas encore été relue et peut contenir "
    "des erreurs.",
    "de": "**Entwurf:** Diese Übersetzung wurde noch nicht geprüft und kann Fehler enthalten.",
    "it": "**Bozza:** questa traduzione non è ancora stata revisionata e può contenere errori.",
    "nl": "**Concept:** deze vertaling is nog niet nagekeken en kan fouten bevatten.",
    "sv": "**Utkast:** den här översättningen har inte granskats än och kan innehålla fel.",
    "pl": "**Wersja robocza:** to tłumaczenie nie zostało jeszcze sprawdzone i może zawierać "
    "błędy.",
    "ru": "**Черновик:** этот перевод ещё не проверен и может содержать ошибки.",
    "uk": "**Чернетка:** цей переклад ще не перевірено, він може містити помилки.",
    "sr": "**Нацрт:** овај превод још није прегледан и може садржати грешке.",
    "sr_Latn": "**Nacrt:** ovaj prevod još nije pregledan i može sadržati greške.",
    "tr": "**Taslak:** bu çeviri henüz gözden geçirilmedi ve hata içerebilir.",
}
"""The built-in notice at the top of a draft page, by CLDR locale. A language without one gets
the nearest CLDR parent's (``pt_BR`` → ``pt``, ``es_419`` → ``es``; ``zh_Hant_TW`` →
``zh_Hant``, never Simplified ``zh``), else English; ``[build.draft_notices]`` overrides."""


def value_formatter(locale: str, policy: CurrencyPolicy) -> Formatter:
    """Formats a unit's placeholder for the Babel ``locale`` with the language's policy."""

    def format_value(unit: Unit, name: str) -> str:
        for placeholder in unit.placeholders:
            if placeholder.name == name and placeholder.syntax:
                return placeholder.source  # a dialect's syntax is written back as it was
            if placeholder.name == name:
                return formatting.format_value(placeholder.value, locale=locale, policy=policy)
        raise KeyError(name)

    return format_value


def draft_notice(tag: LanguageTag) -> str:
    """The built-in draft notice for ``tag``, following CLDR's parent locales (see
    :data:`DRAFT_NOTICES`)."""
    parents = get_global("parent_exceptions")
    locale: str | None = tag.babel
    while locale and locale != "root":
        if locale in DRAFT_NOTICES:
            return DRAFT_NOTICES[locale]
        locale = parents.get(locale) or (locale.rpartition("_")[0] or None)
    return DRAFT_NOTICES["en"]


Edit = tuple[str, int, int]
"""A page text after one edit, the offset from which the old text's characters moved, and by
how many characters they moved."""


def _front_matter_end(text: str, newline: str) -> int | None:
    """Offset just past the closing ``---`` line of a YAML front matter, if the text has one."""
    if not text.startswith("---" + newline):
        return None
    end = text.find(newline + "---", 3)
    if end < 0:
        return None
    close = end + len(newline) + 3
    if text.startswith(newline, close):
        return close + len(newline)
    return close if close == len(text) else None


def _mark_draft(text: str) -> Edit:
    newline = "\r\n" if "\r\n" in text else "\n"
    if text.startswith("---" + newline):
        end = text.find(newline + "---", 3)
        if end >= 0:
            head = text[: end + len(newline)]
            existing = re.search(r"(?m)^draft[ \t]*:.*$", head)
            if existing:
                edited = head[: existing.start()] + "draft: true" + text[existing.end() :]
                return edited, existing.end(), len(edited) - len(text)
            return head + "draft: true" + text[end:], len(head), len("draft: true")
    lead = f"---{newline}draft: true{newline}---{newline}{newline}"
    return lead + text, 0, len(lead)


def mark_draft(text: str) -> str:
    """Set ``draft: true`` in the front matter (replacing a ``draft:`` key, or adding one)."""
    return _mark_draft(text)[0]


def _add_notice(text: str, notice: str) -> Edit:
    newline = "\r\n" if "\r\n" in text else "\n"
    block = notice.strip().replace("\r\n", "\n")
    if not re.match(r"[>:!<]|\{[{%]", block):  # plain prose: quote it so it stands apart
        block = "\n".join(f"> {line}" if line else ">" for line in block.split("\n"))
    block = block.replace("\n", newline)
    at = _front_matter_end(text, newline) or 0
    rest = text[at:]
    gap = "" if rest.startswith(newline) or not rest else newline
    lead = newline if at and not text[:at].endswith(newline * 2) else ""
    inserted = lead + block + newline + gap
    return text[:at] + inserted + rest, at, len(inserted)


def add_notice(text: str, notice: str) -> str:
    """Put ``notice`` (Markdown) at the top of the page body, after any front matter, as a
    block of its own: quoted (``> ``) unless it starts with Markdown or template markup
    (``>``, ``:::``, ``!!!``, ``<``, ``{{``, ``{%``), which is kept as written."""
    return _add_notice(text, notice)[0]


def _moved(spans: list[tuple[int, int]], at: int, delta: int) -> list[tuple[int, int]]:
    """Spans after an edit that moved everything from ``at`` on by ``delta`` characters."""
    return [(s + delta, e + delta) if s >= at else (s, e) for s, e in spans]


@dataclass(frozen=True, slots=True)
class PublishedUnit:
    """Where one unit sits in the built page and what went out there."""

    unit: Unit
    state: UnitState
    start: int
    """Offset of the unit's text in :attr:`Page.text`."""
    end: int
    """Offset just past it."""


@dataclass(frozen=True, slots=True)
class Page:
    """One article assembled in one language."""

    text: str
    fallbacks: tuple[Fallback, ...]
    """Every unit shown in the source language, and why (untranslated, fuzzy, machine draft,
    withheld by a check), in document order."""
    fuzzy_used: int
    """Units whose unreviewed (fuzzy) draft was used (``--draft`` only)."""
    units: tuple[PublishedUnit, ...] = ()
    """Every unit of the article, in document order, with its place in :attr:`text`."""

    @property
    def complete(self) -> bool:
        """Every unit went out as a reviewed translation."""
        return not self.fallbacks and not self.fuzzy_used


def _why_not(
    entry: Entry | None, po: Catalogue | None, *, draft: bool
) -> tuple[str, str] | None:
    """Why a unit's catalogue entry gives no usable translation, as (message, kind), or None
    when it gives one (which the publishing gate then checks)."""
    if po is None:
        return "no catalogue for this language yet", "untranslated"
    if entry is None:
        return "not in the catalogue: run `localise update`", "untranslated"
    if not entry.msgstr:
        return "not translated yet", "untranslated"
    if entry.fuzzy and not draft:
        record = entry.draft
        if record is not None:
            return f"unreviewed machine draft ({record.engine})", "machine-draft"
        if entry.previous_msgid is not None:
            return "the English changed since it was translated", "fuzzy"
        return "marked fuzzy (not reviewed yet)", "fuzzy"
    return None


def assemble_page(
    document: Document,
    po: Catalogue | None,
    ctx: checks.CheckContext,
    *,
    policy: CurrencyPolicy,
    source_language: str,
    draft: bool = False,
    locale: str | None = None,
    notice: str | None = None,
) -> Page:
    """Target Markdown for one article: reviewed translations (and fuzzy ones in drafts) that
    pass the publishing gate, with placeholders formatted for ``locale`` (the Babel locale of
    ``ctx.lang``); a draft that uses unreviewed text is marked ``draft: true`` and opens with
    ``notice`` when given."""
    lang = ctx.lang
    entries = {e.msgid: e for e in po.live() if e.msgctxt is None} if po is not None else {}
    usable: dict[str, str] = {}
    refused: dict[str, tuple[str, str]] = {}
    for unit in document.units:
        msgid = unit.msgid
        if msgid in usable or msgid in refused:
            continue
        entry = entries.get(msgid)
        why = _why_not(entry, po, draft=draft)
        if why is None and entry is not None:
            unit_ctx = dataclasses.replace(ctx, brace_format=unit.brace_format)
            reason = checks.gate_reason(msgid, entry.msgstr, unit_ctx)
            if reason is None:
                usable[msgid] = entry.msgstr
                continue
            why = (reason, "withheld")
        assert why is not None
        refused[msgid] = why
    text, failed, spans = assemble_spans(
        document,
        usable,
        lang=lang,
        format_value=value_formatter(locale or lang, policy),
        localise_identical=lang != source_language,
        dialect=ctx.dialect,
    )
    failed_by_unit = {id(f.unit): f for f in failed}
    fallbacks: list[Fallback] = []
    states: list[UnitState] = []
    fuzzy_used = 0
    for unit in document.units:
        why = refused.get(unit.msgid)
        failure = failed_by_unit.get(id(unit))
        if why is not None:
            fallbacks.append(Fallback(unit, *why))
            states.append("source")
        elif failure is not None:
            fallbacks.append(Fallback(unit, failure.reason, "withheld"))
            states.append("source")
        elif entries[unit.msgid].fuzzy:
            fuzzy_used += 1
            states.append("unreviewed")
        else:
            states.append("reviewed")
    positions = [(start, end) for start, end, _ in spans]
    if draft and fuzzy_used:
        text, at, delta = _mark_draft(text)
        positions = _moved(positions, at, delta)
        if notice:
            text, at, delta = _add_notice(text, notice)
            positions = _moved(positions, at, delta)
    units = tuple(
        PublishedUnit(unit, state, start, end)
        for unit, state, (start, end) in zip(document.units, states, positions, strict=True)
    )
    return Page(text, tuple(fallbacks), fuzzy_used, units)


def edited(page: Page, edits: list[tuple[int, int, str]]) -> Page:
    """``page`` with each ``(start, end, replacement)`` of its text replaced (edits in text
    order, not overlapping), every unit's place moved to match."""
    if not edits:
        return page
    pieces: list[str] = []
    shifts: list[tuple[int, int]] = []  # (end of the edit in the old text, total shift so far)
    pos = total = 0
    for start, end, replacement in edits:
        pieces += (page.text[pos:start], replacement)
        total += len(replacement) - (end - start)
        shifts.append((end, total))
        pos = end
    pieces.append(page.text[pos:])

    def moved(offset: int) -> int:
        shift = 0
        for end, total_so_far in shifts:
            if end > offset:
                break
            shift = total_so_far
        return offset + shift

    units = tuple(
        dataclasses.replace(u, start=moved(u.start), end=moved(u.end)) for u in page.units
    )
    return dataclasses.replace(page, text="".join(pieces), units=units)
