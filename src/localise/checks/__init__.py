"""Quality checks on translations, as one table of rules.

Each :class:`Rule` declares its name, severity, the languages it applies to, whether it
verifies machine drafts, and its function over a :class:`Pair` (msgid and msgstr, parsed by
markdown-it-py at most once) and a frozen :class:`CheckContext`. ``localise check``, the build's
publishing gate and the machine-draft verifier are filters over :data:`RULES`. To add a check,
write its function in the module of its family (or a new one) and list it in :data:`RULES`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from localise.catalogue import Catalogue
from localise.checks import cjk, glossary, injection, markup, numbers, states, syntax
from localise.checks.base import CheckContext, Finding, Message, Pair, Problem, Rule, Severity

__all__ = [
    "CHECKS",
    "DRAFT_RULES",
    "GATE_RULES",
    "RULES",
    "CheckContext",
    "Finding",
    "Pair",
    "Problem",
    "Rule",
    "Severity",
    "check_catalogue",
    "check_translation",
    "gate_reason",
    "verify_draft",
]

RULES: tuple[Rule, ...] = (
    states.UNTRANSLATED,
    *markup.RULES,
    *syntax.RULES,
    *injection.RULES,
    *numbers.RULES,
    *cjk.RULES,
    states.UNCHANGED,
    *glossary.RULES,
    states.FUZZY,
)
"""Every rule, in the order its findings are reported for one entry."""
CHECKS: tuple[str, ...] = tuple(rule.name for rule in RULES)
"""Stable check names, as reported in :attr:`Finding.check`."""
GATE_RULES = tuple(rule for rule in RULES if rule.check and rule.severity == "error")
"""Rules whose error findings withhold a translation from the published page."""
DRAFT_RULES = tuple(rule for rule in RULES if rule.verifies_drafts)
"""Rules whose findings on a machine draft become ``MT-check:`` lines."""


def _problems(rule: Rule, messages: Iterable[Message]) -> list[Problem]:
    out = []
    for message in messages:
        severity, text = (rule.severity, message) if isinstance(message, str) else message
        out.append(Problem(rule.name, severity, text))
    return out


def check_translation(
    msgid: str, msgstr: str, ctx: CheckContext, *, rules: Sequence[Rule] = RULES
) -> list[Problem]:
    """The problems ``rules`` find with one translation of ``msgid`` (in table order)."""
    pair = Pair(msgid, msgstr, link_definitions=ctx.link_definitions)
    out: list[Problem] = []
    for rule in rules:
        if rule.check is None or rule.on_empty != (not msgstr) or not rule.applies_to(ctx.lang):
            continue
        out += _problems(rule, rule.check(pair, ctx))
    return out


def gate_reason(msgid: str, msgstr: str, ctx: CheckContext) -> str | None:
    """Why a translation must not be published (its error findings, one line), or None."""
    errors = [
        f"{p.check}: {p.message}"
        for p in check_translation(msgid, msgstr, ctx, rules=GATE_RULES)
        if p.severity == "error"
    ]
    return "; ".join(errors) if errors else None


def verify_draft(msgid: str, draft: str, ctx: CheckContext) -> list[str]:
    """What the reviewer must fix in a machine draft, one ``check: message`` per problem."""
    return [
        f"{p.check}: {p.message}"
        for p in check_translation(msgid, draft, ctx, rules=DRAFT_RULES)
        if p.severity in ("error", "warning")
    ]


def check_catalogue(catalogue: Catalogue, ctx: CheckContext, *, file: str) -> list[Finding]:
    """Findings for the live entries of one catalogue (``file``: its project-relative path).

    ``ctx`` is the article's context; each entry's own python-brace-format flag is applied.
    """
    findings: list[Finding] = []
    for entry in catalogue.live():
        unit_ctx = CheckContext(
            lang=ctx.lang,
            brace_format=entry.brace_format,
            glossary=ctx.glossary,
            link_definitions=ctx.link_definitions,
            localisable_links=ctx.localisable_links,
            dialect=ctx.dialect,
        )
        forms = entry.forms
        if not any(text for _, text in forms):
            forms = [(entry.msgid, "")]
        problems: list[Problem] = []
        for msgid, msgstr in forms:
            problems += check_translation(msgid, msgstr, unit_ctx)
        for rule in RULES:
            if rule.check_entry is not None and rule.applies_to(ctx.lang):
                problems += _problems(rule, rule.check_entry(entry, unit_ctx))
        line = entry.line or 0
        for problem in dict.fromkeys(problems):
            findings.append(
                Finding(ctx.lang, file, line, entry.msgid, problem.check, problem.severity,
                        problem.message)
            )
    return findings
