"""Quality checks on translations: markup, links, placeholders, numbers, CJK typography, glossary.

Every structural verdict comes from markdown-it-py (the shared :func:`localise.inline.parser`):
msgid and msgstr are both parsed inline with the same environment and their token trees are
compared, so a check reports what a reader of the built page would actually see.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Literal, cast

from localise import catalogue
from localise.config import Config
from localise.glossary import Glossary, load_glossary, occurs
from localise.inline import parser
from localise.langs import base, is_cjk, is_unspaced
from localise.placeholders import names

Severity = Literal["error", "warning", "info"]
CHECKS = (
    "placeholders", "markup", "link-targets", "numbers", "cjk-emphasis", "cjk-punctuation",
    "untranslated", "unchanged", "fuzzy", "glossary", "do-not-translate",
)
"""Stable check names, as reported in :attr:`Finding.check`."""

_OBJ = "\ufffc"
"""Stands for an opaque inline object (code, HTML, autolink, placeholder, URL) in visible text."""
_NO_LINKS: Mapping[str, Mapping[str, str]] = {}


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem with one translation in one catalogue."""

    lang: str
    file: str
    """Project-relative POSIX path of the .po file."""
    line: int
    """1-based line of the entry's ``msgid`` keyword in the file."""
    msgid: str
    check: str
    """Stable check name, one of :data:`CHECKS`."""
    severity: Severity
    message: str

    def to_json(self) -> dict[str, Any]:
        """The finding as a JSON object (keys lang, file, line, msgid, check, severity, message)."""
        return {
            "lang": self.lang, "file": self.file, "line": self.line, "msgid": self.msgid,
            "check": self.check, "severity": self.severity, "message": self.message,
        }


# -- inline structure -------------------------------------------------------------------


@dataclass(slots=True)
class _Inline:
    """What markdown-it-py made of one inline text."""

    em: int = 0
    strong: int = 0
    strike: int = 0
    code: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    autolinks: list[str] = field(default_factory=list)
    images: list[str] = field(default_factory=list)
    html: list[str] = field(default_factory=list)
    hardbreaks: int = 0
    text: str = ""
    """Visible text: markup transparent, opaque objects as U+FFFC, URLs/placeholders removed."""


_PLACEHOLDER_RE = re.compile(r"\{[A-Za-z_][A-Za-z0-9_]*\}|⟦\s*\d+\s*⟧")
_URL_RE = re.compile(r"(?:https?://|www\.)[^\s<>()\[\]（）「」、。]+", re.IGNORECASE)
_TAG_RE = re.compile(r"<\s*(/?)\s*([A-Za-z][A-Za-z0-9-]*)")


def _tag(html: str) -> str:
    match = _TAG_RE.match(html)
    if match:
        return f"<{match.group(1)}{match.group(2).lower()}>"
    return "<!-- -->" if html.startswith("<!--") else html


def _structure(text: str, references: Mapping[str, Any] | None) -> _Inline:
    """Parse ``text`` inline (link reference definitions from ``references``) and summarise it."""
    env: dict[str, Any] = {"references": dict(references)} if references else {}
    blocks = parser().parseInline(text, env)
    out = _Inline()
    visible: list[str] = []
    in_autolink = False

    def walk(tokens: Iterable[Any]) -> None:
        nonlocal in_autolink
        for token in tokens:
            kind = token.type
            if kind in ("text", "text_special"):
                visible.append(_OBJ if in_autolink else token.content)
            elif kind == "em_open":
                out.em += 1
            elif kind == "strong_open":
                out.strong += 1
            elif kind == "s_open":
                out.strike += 1
            elif kind == "code_inline":
                out.code.append(token.content)
                visible.append(_OBJ)
            elif kind == "link_open":
                href = str(token.attrGet("href") or "")
                if token.markup == "autolink":
                    out.autolinks.append(href)
                    in_autolink = True
                else:
                    out.links.append(href)
            elif kind == "link_close":
                in_autolink = False
            elif kind == "image":
                out.images.append(str(token.attrGet("src") or ""))
                walk(token.children or ())
            elif kind == "html_inline":
                out.html.append(_tag(token.content))
                visible.append(_OBJ)
            elif kind == "hardbreak":
                out.hardbreaks += 1
                visible.append("\n")
            elif kind == "softbreak":
                visible.append(" ")

    for block in blocks:
        walk(block.children or ())
    joined = _PLACEHOLDER_RE.sub(_OBJ, "".join(visible))
    out.text = _URL_RE.sub(_OBJ, joined)
    return out


# -- placeholders -----------------------------------------------------------------------

_BRACES_RE = re.compile(r"\{\{|\}\}|\{[A-Za-z_][A-Za-z0-9_]*\}")
_STRAY_RE = re.compile(r"\{[^{}]{0,30}\}?|\}")


def _check_placeholders(msgid: str, msgstr: str) -> list[str]:
    source, target = Counter(names(msgid)), Counter(names(msgstr))
    missing = [n for n in source if n not in target]
    invented = [n for n in target if n not in source]
    problems: list[str] = []
    if len(missing) == 1 and len(invented) == 1:
        problems.append(f"placeholder {{{missing[0]}}} renamed to {{{invented[0]}}}")
    else:
        problems += [f"placeholder {{{n}}} missing from the translation" for n in missing]
        problems += [f"placeholder {{{n}}} is not in the source" for n in invented]
    for name, count in target.items():
        if name in source and count != source[name]:
            problems.append(f"placeholder {{{name}}} appears {count} times (source {source[name]})")
    expected = Counter(m.group(0) for m in _STRAY_RE.finditer(_BRACES_RE.sub("", msgid)))
    strays = Counter(m.group(0) for m in _STRAY_RE.finditer(_BRACES_RE.sub("", msgstr)))
    for stray in strays - expected:
        problems.append(
            f"malformed brace {stray!r}: placeholders are written {{name}} "
            "and a literal brace is doubled ({{ or }})"
        )
    return problems


# -- markup -----------------------------------------------------------------------------

_BRACKET_LINK_RE = re.compile(
    r"!?[\[［][^\[\]［］\n]*[\]］]\s*(?:[(（][^)）\n]*[)）]?|\[[^\]\n]*\])"
)
_GOOD_LINK_RE = re.compile(r"!?\[[^\]]*\](?:\([^)]*\)|\[[^\]]*\])")
_DELIM_RE = re.compile(r"\*+|_+|~~+")


def _literal_runs(text: str, *, strong: bool, chars: str = "*_") -> int:
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


def _check_markup(src: _Inline, tgt: _Inline, msgstr: str) -> list[str]:
    problems: list[str] = []
    for label, attr, strong, chars, literal in (
        ("emphasis", "em", False, "*_", "*"),
        ("strong emphasis", "strong", True, "*_", "**"),
        ("strikethrough", "strike", True, "~", "~~"),
    ):
        source, target = getattr(src, attr), getattr(tgt, attr)
        hint = ""
        if target < source and _literal_runs(tgt.text, strong=strong, chars=chars) > _literal_runs(
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


# -- link targets -----------------------------------------------------------------------


def _normal_url(url: str) -> str:
    return str(parser().normalizeLink(url))


def _check_targets(
    src: _Inline, tgt: _Inline, *, lang: str, localisable_links: Mapping[str, Mapping[str, str]]
) -> list[str]:
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


# -- numbers ----------------------------------------------------------------------------

_FULLWIDTH = str.maketrans(
    {**{chr(0xFF10 + d): str(d) for d in range(10)}, "，": ",", "．": ".", "％": "%", "～": "~"}
)
_NUMBER_RE = re.compile(r"\d+(?:[.,\u00a0\u202f\u2009]\d+)*")
_GROUP_SPACES = "\u00a0\u202f\u2009"
_SCALE_WORDS: dict[str, dict[str, int]] = {
    "en": {"thousand": 3, "thousands": 3, "million": 6, "millions": 6, "billion": 9,
           "billions": 9, "trillion": 12},
    "es": {"mil millones": 9, "mil": 3, "millón": 6, "millon": 6, "millones": 6, "billón": 12,
           "billones": 12},
    "pt": {"mil": 3, "milhão": 6, "milhões": 6, "bilhão": 9, "bilhões": 9},
    "fr": {"mille": 3, "million": 6, "millions": 6, "milliard": 9, "milliards": 9},
    "it": {"mila": 3, "milione": 6, "milioni": 6, "miliardo": 9, "miliardi": 9},
    "de": {"tausend": 3, "million": 6, "millionen": 6, "mio.": 6, "milliarde": 9,
           "milliarden": 9, "mrd.": 9},
}
_SCALE_CHARS: dict[str, dict[str, int]] = {
    "ja": {"千万": 7, "百万": 6, "万": 4, "億": 8, "兆": 12, "千": 3},
    "zh": {"千万": 7, "百万": 6, "万": 4, "萬": 4, "亿": 8, "億": 8, "兆": 12, "千": 3},
    "ko": {"만": 4, "억": 8, "조": 12, "천": 3},
}
_SUFFIX_RE = re.compile(r"(K|M|bn)(?![A-Za-z])")
_CONNECTOR_RE = re.compile(
    r"\s*(?:[-–—~〜]|to|and|or|a|y|o|e|から|至|到)\s*", re.IGNORECASE
)
_SMALL_WORDS: dict[str, tuple[str, ...]] = {
    "ja": tuple("〇一二三四五六七八九十"),
    "zh": tuple("〇一二三四五六七八九十"),
    "es": ("cero", "uno|una|un", "dos", "tres", "cuatro", "cinco", "seis", "siete", "ocho",
           "nueve", "diez"),
}


@functools.cache
def _separators(lang: str) -> tuple[tuple[str, str], ...]:
    """(group, decimal) symbol pairs a number written in ``lang`` may use (English first)."""
    pairs = [(",", ".")]
    try:
        from babel.numbers import get_decimal_symbol, get_group_symbol

        pair = (get_group_symbol(lang), get_decimal_symbol(lang))
    except Exception:  # unknown locale: English conventions only
        return tuple(pairs)
    if pair not in pairs:
        pairs.append(pair)
    return tuple(pairs)


def _interpret(token: str, group: str, decimal: str) -> Decimal | None:
    groups = group + _GROUP_SPACES if group not in _GROUP_SPACES else _GROUP_SPACES
    whole, _, fraction = token.partition(decimal) if decimal in token else (token, "", "")
    if decimal in fraction or any(c in fraction for c in groups):
        return None
    parts = re.split(f"[{re.escape(groups)}]", whole)
    if any(not p.isdigit() for p in parts):
        return None
    if len(parts) > 1 and (len(parts[0]) > 3 or any(len(p) != 3 for p in parts[1:])):
        return None
    try:
        return Decimal("".join(parts) + ("." + fraction if fraction else ""))
    except InvalidOperation:
        return None


@dataclass(slots=True)
class _Number:
    shown: str
    start: int
    end: int
    values: set[Decimal]
    scale: int = 0


@functools.cache
def _scale_re(lang: str) -> re.Pattern[str]:
    words = {**_SCALE_WORDS["en"], **_SCALE_WORDS.get(lang, {})}
    alternatives = [re.escape(w) + ("" if w.endswith(".") else r"(?!\w)")
                    for w in sorted(words, key=len, reverse=True)]
    chars = sorted(_SCALE_CHARS.get(lang, {}), key=len, reverse=True)
    pattern = r"\s*(?:" + "|".join(alternatives) + ")"
    if chars:
        pattern = rf"(?:\s*(?:{'|'.join(map(re.escape, chars))})|{pattern})"
    return re.compile(pattern, re.IGNORECASE)


def _scale_of(lang: str, word: str) -> int:
    word = word.strip().lower()
    table = {**_SCALE_WORDS["en"], **_SCALE_WORDS.get(lang, {}), **_SCALE_CHARS.get(lang, {})}
    return table[word]


def _numbers(text: str, lang: str, *, source: bool, unscaled: bool = False) -> list[_Number]:
    """Numbers written in ``text`` as sets of acceptable values (separators, scales, ranges);
    ``unscaled`` also accepts "5" for "5 million" (a target language whose scales are unknown)."""
    lang = base(lang)
    text = text.translate(_FULLWIDTH)
    found: list[_Number] = []
    for match in _NUMBER_RE.finditer(text):
        token = match.group(0)
        pairs = _separators("en") if source else _separators(lang)
        values = {v for g, d in pairs if (v := _interpret(token, g, d)) is not None}
        if not values:  # "1.2.3", "1,5" in English: separate numbers
            offset = match.start()
            for part in re.finditer(r"\d+", token):
                found.append(_Number(part.group(0), offset + part.start(), offset + part.end(),
                                     {Decimal(part.group(0))}))
            continue
        if source and match.start() > 0 and text[match.start() - 1] == ":" and values == {0}:
            continue  # the minutes of "9:00" (ja: 9時)
        number = _Number(token, match.start(), match.end(), values)
        rest = text[match.end():]
        scale = _scale_re(lang).match(rest) or _SUFFIX_RE.match(rest)
        if scale:
            word = scale.group(0)
            exponent = {"k": 3, "m": 6, "bn": 9}.get(word.lower(), 0) if scale.re is _SUFFIX_RE \
                else _scale_of(lang, word)
            number.scale = exponent
            number.end += len(word)
            number.shown = text[number.start:number.end]
            scaled = {v.scaleb(exponent) for v in values}
            number.values = scaled | values if unscaled else scaled
        found.append(number)
    extra: list[_Number] = []
    for before, after in itertools.pairwise(found):
        between = text[before.end:after.start]
        if after.scale and not before.scale and _CONNECTOR_RE.fullmatch(between):
            before.values |= {v.scaleb(after.scale) for v in before.values}  # "5 to 10 million"
        if before.scale > after.scale and not between and not source:  # 1億5000万
            extra.append(_Number(before.shown + after.shown, before.start, after.end,
                                 {a + b for a in before.values for b in after.values}))
    return found + extra


def _check_numbers(src: _Inline, tgt: _Inline, *, lang: str) -> list[str]:
    known = base(lang) in _SCALE_WORDS or base(lang) in _SCALE_CHARS
    source = _numbers(src.text, "en", source=True, unscaled=not known)
    if not source:
        return []
    target = _numbers(tgt.text, lang, source=False)
    # a number the translator left in English form (e.g. "1,1" as two numbers) also counts
    as_written = _numbers(tgt.text, "en", source=True)
    present = set().union(*(n.values for n in target + as_written))
    small = _SMALL_WORDS.get(base(lang), ())
    missing = []
    for number in source:
        if number.values & present:
            continue
        spelled = [small[int(v)] for v in number.values
                   if v == v.to_integral_value() and 0 <= v < len(small)]
        if any(re.search(rf"(?<!\w)(?:{w})(?!\w)" if w.isascii() else w, tgt.text, re.I)
               for w in spelled):
            continue
        if number.shown not in missing:
            missing.append(number.shown)
    if not missing:
        return []
    what = "number" if len(missing) == 1 else "numbers"
    has = ", ".join(dict.fromkeys(n.shown for n in target)) or "no numbers"
    return [f"source {what} {', '.join(missing)} not found in the translation (it has {has})"]


# -- CJK typography ---------------------------------------------------------------------

_JA_CHAR = r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f々〆]"
_HALF_WIDTH_RE = re.compile(rf"(?<={_JA_CHAR})[.,?!()]|[.,?!()](?={_JA_CHAR})")
_FULL_WIDTH = {".": "。", ",": "、", "?": "？", "!": "！", "(": "（", ")": "）"}
_BRACKETED_RE = re.compile(
    r"(\*\*|__|\*|_)([「『（【〈《“‘(\[])([^*_\n]+?)([」』）】〉》”’)\]])\1"
)


def _check_cjk_punctuation(tgt: _Inline) -> list[str]:
    hits = []
    for match in _HALF_WIDTH_RE.finditer(tgt.text):
        mark, at = match.group(0), match.start()
        before = tgt.text[at - 1] if at else ""
        where = f"after {before!r}" if re.fullmatch(_JA_CHAR, before or " ") else \
            f"before {tgt.text[at + 1]!r}"
        hits.append(f"{mark!r} {where} (use {_FULL_WIDTH[mark]!r})")
    if not hits:
        return []
    more = f" and {len(hits) - 3} more" if len(hits) > 3 else ""
    return ["half-width punctuation in Japanese text: " + ", ".join(hits[:3]) + more]


def _check_cjk_emphasis(src: _Inline, tgt: _Inline, msgstr: str) -> list[str]:
    problems = []
    for label, attr, strong, delimiter in (
        ("strong emphasis", "strong", True, "**"), ("emphasis", "em", False, "*"),
    ):
        if getattr(src, attr) == 0 or getattr(tgt, attr) >= getattr(src, attr):
            continue
        if _literal_runs(tgt.text, strong=strong) <= _literal_runs(src.text, strong=strong):
            continue
        fix = next(
            (m for m in _BRACKETED_RE.finditer(msgstr) if (len(m.group(1)) >= 2) == strong), None
        )
        if fix:
            rewrite = f"{fix.group(2)}{fix.group(1)}{fix.group(3)}{fix.group(1)}{fix.group(4)}"
            suggestion = f"write {rewrite} instead of {fix.group(0)}"
        else:
            suggestion = (
                f"move the {delimiter} inside the brackets or punctuation, e.g. 「**重要**」です"
            )
        problems.append(
            f"{label} is not rendered: literal {delimiter!r} next to CJK punctuation fails "
            f"CommonMark's flanking rules; {suggestion}"
        )
    return problems


# -- glossary ---------------------------------------------------------------------------


def _contains(phrase: str, text: str, *, lang: str) -> bool:
    """True when ``phrase`` occurs in ``text`` (word-bounded except in unspaced scripts)."""
    if not is_unspaced(lang):
        return occurs(phrase, text)
    flags = re.IGNORECASE if phrase.islower() else 0
    return bool(re.search(rf"(?<![A-Za-z0-9]){re.escape(phrase)}(?![A-Za-z0-9])", text, flags))


def _variant(term: str, text: str) -> str | None:
    """Something in ``text`` that looks like ``term`` respaced or recased."""
    letters = [re.escape(c) for c in term if not c.isspace()]
    match = re.search(r"[\s\-_·・]*".join(letters), text, re.IGNORECASE)
    return match.group(0) if match else None


def _check_glossary(
    src: _Inline, tgt: _Inline, *, lang: str, glossary: Glossary
) -> list[tuple[str, str, str]]:
    out: list[tuple[str, str, str]] = []
    for term in glossary.found_in(src.text, lang=lang):
        if term.keep or term.language != lang:
            continue
        if not any(_contains(alt, tgt.text, lang=lang) for alt in term.alternatives):
            note = f" — {term.note}" if term.note else ""
            wanted = " or ".join(repr(alt) for alt in term.alternatives)
            out.append(("glossary", "error" if term.strict else "warning",
                        f"{term.term!r} must be translated as {wanted} "
                        f"(glossary line {term.line}){note}"))
    for term in glossary.terms:
        if not term.keep:
            continue
        flags = re.IGNORECASE if term.term.islower() else 0
        pattern = re.compile(rf"(?<!\w){re.escape(term.term)}(?!\w)", flags)
        for written in dict.fromkeys(m.group(0) for m in pattern.finditer(src.text)):
            if _contains_verbatim(written, tgt.text):
                continue
            seen = _variant(written, tgt.text)
            found = f"; the translation has {seen!r}" if seen else ""
            out.append(("do-not-translate", "error" if term.strict else "warning",
                        f"{written!r} must appear unchanged (glossary line {term.line}){found}"))
    return out


def _contains_verbatim(term: str, text: str) -> bool:
    return bool(re.search(rf"(?<![A-Za-z0-9]){re.escape(term)}(?![A-Za-z0-9])", text))


# -- per entry --------------------------------------------------------------------------


def _word_count(src: _Inline, glossary: Glossary | None) -> int:
    text = src.text
    for term in glossary.keep_terms() if glossary else ():
        text = re.sub(rf"(?<!\w){re.escape(term)}(?!\w)", _OBJ, text)
    return len(re.findall(r"[^\W\d_]+", text))


def check_entry(
    msgid: str,
    msgstr: str,
    *,
    lang: str,
    flags: Sequence[str] = (),
    glossary: Glossary | None = None,
    localisable_links: Mapping[str, Mapping[str, str]] = _NO_LINKS,
    references: Mapping[str, Any] | None = None,
) -> list[tuple[str, str, str]]:
    """(check, severity, message) per problem of one translation; shared by check, translate, build.

    ``references`` are the article's link reference definitions (markdown-it ``env`` form);
    fuzziness is a catalogue matter, reported by :func:`check_catalogue`.
    """
    if not msgstr:
        return [("untranslated", "info", "not translated yet")]
    out: list[tuple[str, str, str]] = []
    if "python-brace-format" in flags:
        out += [("placeholders", "error", m) for m in _check_placeholders(msgid, msgstr)]
    src, tgt = _structure(msgid, references), _structure(msgstr, references)
    out += [("markup", "error", m) for m in _check_markup(src, tgt, msgstr)]
    out += [("link-targets", "error", m) for m in _check_targets(
        src, tgt, lang=lang, localisable_links=localisable_links)]
    out += [("numbers", "warning", m) for m in _check_numbers(src, tgt, lang=lang)]
    if is_cjk(lang):
        out += [("cjk-emphasis", "warning", m) for m in _check_cjk_emphasis(src, tgt, msgstr)]
    if base(lang) == "ja":
        out += [("cjk-punctuation", "warning", m) for m in _check_cjk_punctuation(tgt)]
    if msgstr.strip() == msgid.strip() and _word_count(src, glossary) >= 4:
        out.append(("unchanged", "warning", "translation is identical to the source"))
    if glossary is not None:
        out += _check_glossary(src, tgt, lang=lang, glossary=glossary)
    return out


def errors_for_build(
    msgid: str,
    msgstr: str,
    *,
    lang: str,
    flags: Sequence[str],
    glossary: Glossary | None,
    localisable_links: Mapping[str, Mapping[str, str]],
    references: Mapping[str, Any] | None = None,
) -> str | None:
    """A one-line reason when a translation must not be published (any error finding), else None."""
    errors = [
        f"{check}: {message}"
        for check, severity, message in check_entry(
            msgid, msgstr, lang=lang, flags=flags, glossary=glossary,
            localisable_links=localisable_links, references=references,
        )
        if severity == "error"
    ]
    return "; ".join(errors) if errors else None


# -- catalogues -------------------------------------------------------------------------

_MSGID_LINE_RE = re.compile(r"^msgid\s")


def _msgid_line(lines: Sequence[str] | None, start: int) -> int:
    """The 1-based line of the ``msgid`` keyword of the entry polib says starts at ``start``."""
    if lines:
        for number in range(max(start, 1), len(lines) + 1):
            if _MSGID_LINE_RE.match(lines[number - 1]):
                return number
    return start


def _fuzzy(entry: catalogue.POEntry) -> tuple[str, str, str]:
    comments = entry.tcomment.split("\n")
    problems = [c.removeprefix(catalogue.MT_FLAG_PREFIX) for c in comments
                if c.startswith(catalogue.MT_FLAG_PREFIX)]
    engine = next((c.removeprefix(catalogue.MT_PREFIX).rsplit(" #", 1)[0] for c in comments
                   if c.startswith(catalogue.MT_PREFIX)), "")
    if engine:
        if problems:
            return ("fuzzy", "warning",
                    f"machine draft ({engine}) with problems to fix: {'; '.join(problems)}")
        return ("fuzzy", "info", f"machine draft ({engine}) awaiting review")
    if entry.previous_msgid:
        return ("fuzzy", "info", "the source changed since this was translated; review it")
    return ("fuzzy", "info", "marked fuzzy: awaiting review")


def check_catalogue(
    po: catalogue.POFile,
    *,
    lang: str,
    file: str,
    glossary: Glossary | None = None,
    localisable_links: Mapping[str, Mapping[str, str]] = _NO_LINKS,
    references: Mapping[str, Any] | None = None,
    text: str | None = None,
) -> list[Finding]:
    """Findings for the live entries of one catalogue (``text``: its file text, for msgid lines)."""
    lines = text.split("\n") if text is not None else None
    findings: list[Finding] = []
    for entry in catalogue.live_entries(po):
        line = _msgid_line(lines, entry.linenum)
        if entry.msgid_plural:
            forms = [(entry.msgid if n == 0 else entry.msgid_plural, s)
                     for n, s in sorted(entry.msgstr_plural.items())]
            if not any(s for _, s in forms):
                forms = [(entry.msgid, "")]
        else:
            forms = [(entry.msgid, entry.msgstr)]
        results: list[tuple[str, str, str]] = []
        for msgid, msgstr in forms:
            results += check_entry(msgid, msgstr, lang=lang, flags=entry.flags, glossary=glossary,
                                   localisable_links=localisable_links, references=references)
        if "fuzzy" in entry.flags and any(s for _, s in forms):
            results.append(_fuzzy(entry))
        for check, severity, message in dict.fromkeys(results):
            findings.append(
                Finding(lang, file, line, entry.msgid, check, cast(Severity, severity), message)
            )
    return findings


def _references(config: Config, path: Path) -> dict[str, Any]:
    """Link reference definitions of a source article (empty when it cannot be read)."""
    from localise.errors import SourceError
    from localise.translate import references_of

    try:
        return references_of(config, path)
    except (OSError, SourceError):
        return {}


def run(config: Config, *, langs: Sequence[str] | None = None) -> list[Finding]:
    """Every finding over every catalogue of the project (sorted by file, line, check)."""
    from localise.pipeline import articles, languages

    glossary = load_glossary(config)
    links = config.check.localisable_links
    chosen = languages(config, langs)
    findings: list[Finding] = []
    for article in articles(config):
        references = _references(config, article.path)
        for lang in chosen:
            path = config.po_path(lang, article.slug)
            try:
                data = path.read_bytes()
            except FileNotFoundError:
                continue
            po = catalogue.parse(data, path=path.relative_to(config.root))
            text = data.decode("utf-8").removeprefix("\ufeff")
            findings += check_catalogue(
                po, lang=lang, file=path.relative_to(config.root).as_posix(), glossary=glossary,
                localisable_links=links, references=references, text=text,
            )
    return sorted(findings, key=lambda f: (f.file, f.line, f.check))
