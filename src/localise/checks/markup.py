"""Rules on structure a reader sees: placeholders, inline markup, link and image targets."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator

from localise import placeholders
from localise.checks.base import CheckContext, Pair, Rule, name_changes
from localise.checks.syntax import rendered_emphasis
from localise.dialects import is_syntax_name
from localise.inline import plain_parser

_STRAY_RE = re.compile(r"\{[^{}]{0,30}\}?|\}")


def check_placeholders(pair: Pair, ctx: CheckContext) -> Iterator[str]:
    """Every value ``{name}`` of the msgid exactly as often in the translation; no malformed
    brace (syntax placeholders are the ``syntax`` rule's)."""
    if not ctx.brace_format:
        return
    msgid, msgstr = pair.msgid, pair.msgstr
    source = Counter(n for n in placeholders.names(msgid) if not is_syntax_name(n))
    target = Counter(n for n in placeholders.names(msgstr) if not is_syntax_name(n))
    yield from name_changes(source, target, what="placeholder", lost="missing from",
                            changed="renamed")
    for name, count in target.items():
        if name in source and count != source[name]:
            yield f"placeholder {{{name}}} appears {count} times (source {source[name]})"
    expected = Counter(m.group(0) for m in _STRAY_RE.finditer(placeholders.PATTERN.sub("", msgid)))
    strays = Counter(m.group(0) for m in _STRAY_RE.finditer(placeholders.PATTERN.sub("", msgstr)))
    for stray in strays - expected:
        yield (
            f"malformed brace {stray!r}: placeholders are written {{name}} "
            "and a literal brace is doubled ({{ or }})"
        )


_BRACKET_LINK_RE = re.compile(
    r"!?[\[［][^\[\]［］\n]*[\]］]\s*(?:[(（][^)）\n]*[)）]?|\[[^\]\n]*\])"
)
_GOOD_LINK_RE = re.compile(r"!?\[[^\]]*\](?:\([^)]*\)|\[[^\]]*\])")
_DELIM_RE = re.compile(r"\*+|_+|~~+")


def literal_runs(text: str, *, strong: bool, chars: str = "*_") -> int:
    """Count literal emphasis-like delimiter runs left in rendered text."""
    runs = [m.group(0) for m in _DELIM_RE.finditer(text) if m.group(0)[0] in chars]
    if strong:
        return sum(1 for run in runs if len(run) >= 2)
    return sum(1 for run in runs if len(run) % 2 == 1)


def _broken_link(msgstr: str) -> str | None:
    """A ``[label] (url)``-like snippet of ``msgstr`` that does not parse as a link."""
    for match in _BRACKET_LINK_RE.finditer(msgstr):
        if not _GOOD_LINK_RE.fullmatch(match.group(0)):
            return match.group(0)
    return None


def _count(label: str, source: int, target: int, hint: str = "") -> list[str]:
    if source == target:
        return []
    return [f"{label}: source {source}, translation {target}{hint}"]


def check_markup(pair: Pair, ctx: CheckContext) -> list[str]:
    """Emphasis, code, links, images, autolinks, HTML tags and hard breaks as in the source."""
    src, tgt, msgstr = pair.source, pair.target, pair.msgstr
    problems: list[str] = []
    rendered: tuple[tuple[int, int], tuple[int, int]] | None = None
    for label, attr, strong, chars, literal in (
        ("emphasis", "em", False, "*_", "*"),
        ("strong emphasis", "strong", True, "*_", "**"),
        ("strikethrough", "strike", True, "~", "~~"),
    ):
        source, target = getattr(src, attr), getattr(tgt, attr)
        if target < source and attr != "strike" and ctx.dialect != "commonmark":
            rendered = rendered or rendered_emphasis(pair, ctx)
            index = 0 if attr == "strong" else 1
            source, target = rendered[0][index], rendered[1][index]
        hint = ""
        if target < source and literal_runs(tgt.text, strong=strong, chars=chars) > literal_runs(
            src.text, strong=strong, chars=chars
        ):
            hint = f" (literal {literal!r} left in the text: the delimiters no longer pair up)"
        problems += _count(label, source, target, hint)

    missing = Counter(src.code) - Counter(tgt.code)
    extra = Counter(tgt.code) - Counter(src.code)
    lost = [c for c in missing.elements() if c and c in tgt.text]
    for code in lost:
        problems.append(f"inline code `{code}` lost its backticks")
        missing[code] -= 1
    gone, added = list(missing.elements()), list(extra.elements())
    for before, after in zip(gone, added, strict=False):
        problems.append(f"inline code changed: `{before}` → `{after}` (code is never translated)")
    problems += [f"inline code `{c}` missing from the translation" for c in gone[len(added):]]
    problems += [f"inline code `{c}` is not in the source" for c in added[len(gone):]]

    if len(tgt.links) < len(src.links) and (snippet := _broken_link(msgstr)):
        problems.append(
            f"link lost: {snippet} no longer parses as a link "
            "(write [text](url) with ASCII brackets and no space before the parenthesis)"
        )
    else:
        problems += _count("links", len(src.links), len(tgt.links))
    if len(tgt.images) < len(src.images) and (snippet := _broken_link(msgstr)):
        problems.append(f"image lost: {snippet} no longer parses as an image")
    else:
        problems += _count("images", len(src.images), len(tgt.images))
    problems += _count("autolinks", len(src.autolinks), len(tgt.autolinks))
    if src.html != tgt.html:
        problems.append(
            f"HTML tags: source {''.join(src.html) or '(none)'}, "
            f"translation {''.join(tgt.html) or '(none)'}"
        )
    problems += _count("hard line breaks", src.hardbreaks, tgt.hardbreaks)
    if "⟦" in msgstr or "⟧" in msgstr:
        problems.append("machine-translation protection tokens ⟦…⟧ left in the translation")
    return problems


def _normal_url(url: str) -> str:
    return str(plain_parser().normalizeLink(url))


def check_targets(pair: Pair, ctx: CheckContext) -> list[str]:
    """Link and image targets unchanged (or the configured localised URL for the language)."""
    src, tgt, lang = pair.source, pair.target, ctx.lang
    localisable_links = ctx.localisable_links
    localised = {
        _normal_url(url): _normal_url(per_lang[lang])
        for url, per_lang in localisable_links.items()
        if lang in per_lang
    }
    problems: list[str] = []
    for what, source, target in (
        ("link", src.links + src.autolinks, tgt.links + tgt.autolinks),
        ("image", src.images, tgt.images),
    ):
        wanted = Counter(source)
        canonical = []
        for url in target:
            if url not in wanted:
                url = next((s for s in wanted if localised.get(s) == url), url)
            canonical.append(url)
        missing = list((wanted - Counter(canonical)).elements())
        leftover = Counter(canonical) - wanted
        extra = []
        for url, key in zip(target, canonical, strict=True):
            if leftover[key] > 0:
                leftover[key] -= 1
                extra.append(url)
        if len(source) == len(target):
            for before, after in zip(missing, extra, strict=False):
                allowed = localised.get(before)
                note = f" (allowed for {lang}: {allowed})" if allowed else ""
                problems.append(f"{what} target changed: {before} → {after}{note}")
        else:
            problems += [f"{what} target {u} is not in the source" for u in extra]
    return problems


RULES = (
    Rule(
        name="placeholders",
        severity="error",
        summary="a {placeholder} dropped, invented, repeated or renamed; a malformed brace",
        check=check_placeholders,
        verifies_drafts=True,
    ),
    Rule(
        name="markup",
        severity="error",
        summary="emphasis, code, links, images, HTML tags or hard breaks differ from the source",
        check=check_markup,
        verifies_drafts=True,
    ),
    Rule(
        name="link-targets",
        severity="error",
        summary="a link or image target changed (other than a configured localised URL)",
        check=check_targets,
        verifies_drafts=True,
    ),
)
"""The markup rules, in the order their findings are reported."""
