"""The numbers rule: every number of the source is in the translation, in any form a reader
of that language would write it (separators, 万/億 and word scales, ranges, small words)."""

from __future__ import annotations

import functools
import itertools
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from babel.numbers import get_decimal_symbol, get_group_symbol

from localise.checks.base import CheckContext, Pair, Rule
from localise.langs import base

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


def check_numbers(pair: Pair, ctx: CheckContext) -> list[str]:
    """Source numbers missing from the translation (as values, whatever their notation)."""
    src, tgt, lang = pair.source, pair.target, ctx.lang
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


RULES = (
    Rule(
        name="numbers",
        severity="warning",
        summary="a number of the source is not in the translation (in any notation)",
        check=check_numbers,
    ),
)
"""The numbers rule."""
