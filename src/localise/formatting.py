"""Find currency amounts and English dates in text and render them for a target locale.

Detection (:func:`scan`) works on the English source text; rendering (:func:`format_value`,
:func:`format_number`) uses CLDR data through Babel.  Babel does not carry CLDR's
``minimumGroupingDigits``, so this module keeps the one table it needs,
:data:`MIN_GROUPING_DIGITS`, generated from ICU 78.3's copy of CLDR 48 and checked against
ICU's data by ``tests/test_formatting.py``.

Source conventions (documented decisions):

* A bare ``$`` is USD, ``¥``/``￥`` is JPY; symbols come from CLDR ``en`` (plus ``en_CA`` for
  ``US$``/``JP¥`` and ``ja`` for ``￥``) and must contain a currency sign, so ``CA$``, ``A$``,
  ``€``, ``£``, ``₩`` ... work and letter-only symbols (``FCFA``) do not.
* ISO codes are those of CLDR currencies in legal-tender use today, minus the ones that spell an
  English word in capitals (``ALL``, ``TOP``, ``TRY`` ...), which would misfire in headings.
* ``million``/``billion``/``trillion`` right after a currency amount are part of the value:
  ``$1.5 million`` is the number 1500000 with 0 fraction digits (the digits the expanded value
  needs), so it renders as ``1.500.000 US$`` in ``es`` and ``$150万`` with ``large_units``.
* Range punctuation (``-``, ``–``, ``to``, ``+``) and signs always stay outside values.
* Dates are CLDR ``en`` medium (``MMM d, y``; ``Sept`` from ``en_GB`` and ``Jan.`` accepted)
  and long (``MMMM d, y``) forms; ``May 5, 2026`` spells the full month name and is read as
  long.  ISO dates are never scanned.
"""

from __future__ import annotations

import copy
import datetime
import re
import unicodedata
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal
from functools import cache
from typing import Literal

from babel import Locale
from babel.core import get_global
from babel.dates import format_date
from babel.numbers import (
    NumberPattern,
    format_compact_currency,
    format_compact_decimal,
    format_currency,
    format_decimal,
    get_currency_name,
    get_currency_precision,
    get_currency_symbol,
    get_currency_unit_pattern,
    get_territory_currencies,
)

from localise.currency import DEFAULT_POLICY, CurrencyPolicy

__all__ = [
    "DEFAULT_POLICY",
    "MIN_GROUPING_DIGITS",
    "CurrencyPolicy",
    "Value",
    "format_number",
    "format_value",
    "min_grouping_digits",
    "scan",
]

# CLDR 48 ``numbers/minimumGroupingDigits`` as compiled into ICU 78.3, reduced to the locales
# whose value differs from the one inherited along Babel's parent chain (root is 1).  Regenerate
# with ``tests/test_formatting.py::derive_min_grouping_table`` when Babel moves to a newer CLDR.
MIN_GROUPING_DIGITS: dict[str, int] = {
    "be": 2,
    "bg": 2,
    "ee": 3,
    "es": 2,
    "es_419": 1,
    "et": 2,
    "hu": 2,
    "hy": 2,
    "ia": 2,
    "ie": 2,
    "it": 2,
    "ka": 2,
    "lv": 2,
    "pl": 2,
    "pt_AO": 1,
    "pt_PT": 2,
    "ru_UA": 2,
    "sl": 2,
    "sq": 2,
}

# ISO codes that are also English words when written in capitals ("TOP 10 tips").
_WORD_CODES = frozenset(
    {"ALL", "BAM", "BOB", "CUP", "GEL", "MAD", "MOP", "PEN", "SOS", "TOP", "TRY"}
)
_MULTIPLIERS = {"million": 6, "billion": 9, "trillion": 12}
# Locales whose brackets are the full-width ones (JIS X 4051 / GB/T 15834 usage).
_FULLWIDTH_BRACKETS = frozenset({"ja", "zh"})
_URL = re.compile(r"(?:[a-z][a-z0-9+.-]*://|www\.)\S+", re.IGNORECASE)
_SPACE = "[ \u00a0\u202f]"


@dataclass(frozen=True, slots=True)
class Value:
    """A currency amount or a date found in source text, with its exact span."""

    kind: Literal["amount", "date"]
    start: int
    end: int
    source: str
    currency: str | None = None
    number: Decimal | None = None
    fraction_digits: int = 0
    date: datetime.date | None = None
    date_length: Literal["medium", "long"] | None = None

    def describe(self) -> str:
        """Return a locale-neutral description for translators: ``6,500 USD``, ``2026-01-12``."""
        if self.kind == "date":
            assert self.date is not None
            return self.date.isoformat()
        assert self.number is not None
        return f"{self.number:,.{self.fraction_digits}f} {self.currency}"




# --------------------------------------------------------------------------- detection


@cache
def _symbol_currencies() -> dict[str, str]:
    """Map English-text currency symbols to ISO codes, from CLDR en, en_CA and ja."""
    symbols: dict[str, str] = {}
    for name in ("en", "en_CA", "ja"):
        for code, symbol in Locale.parse(name).currency_symbols.items():
            has_sign = any(unicodedata.category(ch) == "Sc" for ch in symbol)
            if code != "XXX" and symbol != code and has_sign:
                symbols.setdefault(symbol, code)
    return symbols


@cache
def _scanned_codes() -> tuple[str, ...]:
    """ISO codes in legal-tender use somewhere today, minus English words."""
    codes: set[str] = set()
    for territory in get_global("territory_currencies"):
        codes.update(get_territory_currencies(territory, tender=True))
    return tuple(sorted(codes - _WORD_CODES))


def _alternation(items: list[str] | tuple[str, ...]) -> str:
    return "|".join(re.escape(item) for item in sorted(items, key=len, reverse=True))


@cache
def _amount_pattern() -> re.Pattern[str]:
    symbol = _alternation(list(_symbol_currencies()))
    code = _alternation(_scanned_codes())
    number = r"(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]+)?(?![0-9]|[.,][0-9])"
    multiplier = rf"(?:{_SPACE}(?i:million|billion|trillion)\b)?"
    # Before a number: symbol or code, optional space.  After a number: optional space, then the
    # symbol or code, which must not be followed by another number (so "In 2014 $5" is "$5").
    return re.compile(
        rf"""
        (?<![\w$¥£€₩])
        (?:
            (?:(?P<sym>{symbol})|(?P<code>{code}))
            {_SPACE}?(?P<num>{number})(?P<mult>{multiplier})(?!\w)
          |
            (?P<num2>{number})(?P<mult2>{multiplier})
            {_SPACE}?(?:(?P<sym2>{symbol})|(?P<code2>{code}))(?!\w|{_SPACE}?\d)
        )
        """,
        re.VERBOSE,
    )


@cache
def _date_pattern() -> tuple[re.Pattern[str], dict[str, tuple[int, str]]]:
    """Regex for CLDR en medium/long dates, and month text -> (month, length)."""
    months: dict[str, tuple[int, str]] = {}
    for name in ("en", "en_GB"):
        for month, text in Locale.parse(name).months["format"]["abbreviated"].items():
            months.setdefault(text, (month, "medium"))
    for month, text in Locale.parse("en").months["format"]["wide"].items():
        months[text] = (month, "long")  # "May" spells the full name: long
    pattern = re.compile(
        rf"(?<![\w.])(?P<month>{_alternation(list(months))})(?P<dot>\.)?{_SPACE}"
        rf"(?P<day>[0-9]{{1,2}}),{_SPACE}(?P<year>[0-9]{{4}})(?!\w|[.,][0-9])"
    )
    return pattern, months


def _scan_amounts(text: str) -> list[Value]:
    urls = [m.span() for m in _URL.finditer(text)]
    found = []
    for m in _amount_pattern().finditer(text):
        if any(start < m.end() and m.start() < end for start, end in urls):
            continue
        symbol, code = m["sym"] or m["sym2"], m["code"] or m["code2"]
        currency = _symbol_currencies()[symbol] if symbol else code
        digits = (m["num"] or m["num2"]).replace(",", "")
        written = len(digits.partition(".")[2])
        number = Decimal(digits)
        mult = (m["mult"] or m["mult2"] or "").strip().lower()
        if mult:
            number = number.scaleb(_MULTIPLIERS[mult])
            written = max(0, written - _MULTIPLIERS[mult])
            number = number.quantize(Decimal(1).scaleb(-written))
        found.append(Value("amount", m.start(), m.end(), m.group(), currency, number, written))
    return found


def _scan_dates(text: str) -> list[Value]:
    pattern, months = _date_pattern()
    found = []
    for m in pattern.finditer(text):
        month, length = months[m["month"]]
        if m["dot"] and length == "long":
            continue
        try:
            date = datetime.date(int(m["year"]), month, int(m["day"]))
        except ValueError:
            continue  # "Feb 30, 2026" is not a date
        found.append(Value("date", m.start(), m.end(), m.group(), date=date, date_length=length))
    return found


def scan(text: str, *, currency: bool = True, dates: bool = True) -> list[Value]:
    """Find currency amounts and English dates in ``text``, in order, non-overlapping."""
    if not _DIGIT_RE.search(text):
        return []  # every amount and date has a digit
    candidates = (_scan_amounts(text) if currency else []) + (_scan_dates(text) if dates else [])
    candidates.sort(key=lambda v: (v.start, -v.end))
    values: list[Value] = []
    for value in candidates:
        if not values or value.start >= values[-1].end:
            values.append(value)
    return values


# --------------------------------------------------------------------------- formatting


_DIGIT_RE = re.compile(r"\d")


@cache
def _locale(locale: str) -> Locale:
    return Locale.parse(locale.replace("-", "_"))


def _parent(identifier: str) -> str:
    exceptions = get_global("parent_exceptions")
    if identifier in exceptions:
        return exceptions[identifier]
    return identifier.rpartition("_")[0] or "root"


def min_grouping_digits(locale: str | Locale) -> int:
    """Return CLDR ``minimumGroupingDigits`` for ``locale`` (inherited; root is 1)."""
    identifier = str(locale if isinstance(locale, Locale) else _locale(locale))
    while identifier != "root":
        if identifier in MIN_GROUPING_DIGITS:
            return MIN_GROUPING_DIGITS[identifier]
        identifier = _parent(identifier)
    return 1


def _use_grouping(
    number: Decimal, fraction_digits: int, pattern: NumberPattern, loc: Locale
) -> bool:
    """CLDR rule: group only if the digits left of the first separator reach the minimum."""
    rounded = abs(number).quantize(Decimal(1).scaleb(-fraction_digits), ROUND_HALF_EVEN)
    integer_digits = len(str(int(rounded)))
    return integer_digits - pattern.grouping[0] >= min_grouping_digits(loc)


def _with_fraction(pattern: NumberPattern, fraction_digits: int) -> NumberPattern:
    """The locale's CLDR pattern showing exactly ``fraction_digits`` decimals."""
    fixed = copy.copy(pattern)
    fixed.frac_prec = (fraction_digits, fraction_digits)
    return fixed


def format_number(number: Decimal, *, locale: str, fraction_digits: int = 0) -> str:
    """Locale number with CLDR minimum grouping digits honoured."""
    loc = _locale(locale)
    pattern = _with_fraction(loc.decimal_formats[None], fraction_digits)
    grouping = _use_grouping(number, fraction_digits, pattern, loc)
    return format_decimal(number, format=pattern, locale=loc, group_separator=grouping)


def _uses_myriads(loc: Locale) -> bool:
    """True if CLDR's compact data starts a new unit at 10^4 (ja 万, zh 万, ko 만)."""
    pattern = loc.compact_decimal_formats["short"]["other"].get("10000")
    return pattern is not None and pattern.pattern.count("0") == 1


def _compactable(number: Decimal, loc: Locale, *, currency: bool) -> bool:
    """True if ``large_units`` applies: a myriad locale with a CLDR compact pattern for ``number``.

    CLDR's pattern ``0`` means "not compacted", so ja stays plain below 10,000 (``$6,500``).
    """
    if not _uses_myriads(loc):
        return False
    formats = (loc.compact_currency_formats if currency else loc.compact_decimal_formats)["short"]
    magnitudes = [int(m) for m in formats["other"] if int(m) <= abs(number)]
    if not magnitudes:
        return False
    return formats["other"][str(max(magnitudes))].pattern.strip("¤ \u00a0") != "0"


def _exact_digits(number: Decimal) -> int:
    """Enough compact fraction digits to keep every digit of ``number`` (13000 -> 1.3万)."""
    return len(number.normalize().as_tuple().digits) + 1


def _spaced(ch: str) -> bool:
    """CLDR root currencySpacing ``currencyMatch``: ``[[:^S:]&[:^Z:]]``."""
    return unicodedata.category(ch)[0] not in "SZ"


def _currency_spacing(text: str, symbol: str) -> str:
    """Apply CLDR root currencySpacing: a no-break space between a digit and a letter-like symbol.

    Babel does not implement it (``CHF6,500``); CLDR's root data, which no locale overrides,
    inserts U+00A0 when the symbol's side facing the number is not a symbol or space character
    (``CHF 6,500``, ``USD 6,500``) and leaves ``$6,500``/``950 €`` alone.
    """
    at = text.find(symbol)
    if at < 0:
        return text
    end = at + len(symbol)
    if end < len(text) and unicodedata.category(text[end]) == "Nd" and _spaced(symbol[-1]):
        text = f"{text[:end]}\u00a0{text[end:]}"
    if at > 0 and unicodedata.category(text[at - 1]) == "Nd" and _spaced(symbol[0]):
        text = f"{text[:at]}\u00a0{text[at:]}"
    return text


def _format_symbol(
    number: Decimal, currency: str, fraction_digits: int, loc: Locale, *, compact: bool
) -> str:
    if compact and _compactable(number, loc, currency=True):
        text = format_compact_currency(
            number, currency, locale=loc, fraction_digits=_exact_digits(number)
        )
    else:
        pattern = _with_fraction(loc.currency_formats["standard"], fraction_digits)
        text = format_currency(
            number,
            currency,
            format=pattern,
            locale=loc,
            currency_digits=False,
            group_separator=_use_grouping(number, fraction_digits, pattern, loc),
        )
    return _currency_spacing(text, get_currency_symbol(currency, loc))


def _format_named(
    number: Decimal, currency: str, fraction_digits: int, loc: Locale, *, compact: bool
) -> str:
    """CLDR long form: unit pattern + plural display name (ja ``6,500米ドル``, ``98万円``)."""
    if compact and _compactable(number, loc, currency=False):
        digits = format_compact_decimal(number, locale=loc, fraction_digits=_exact_digits(number))
    else:
        digits = format_number(number, locale=str(loc), fraction_digits=fraction_digits)
    unit = get_currency_unit_pattern(currency, count=number, locale=loc)
    return unit.format(digits, get_currency_name(currency, count=number, locale=loc))


def _brackets(loc: Locale) -> tuple[str, str]:
    return ("（", "）") if loc.language in _FULLWIDTH_BRACKETS else (" (", ")")


def format_value(value: Value, *, locale: str, policy: CurrencyPolicy = DEFAULT_POLICY) -> str:
    """Render ``value`` in ``locale``'s conventions (CLDR via Babel), keeping source precision.

    Dates use the locale's CLDR date format of the same length.  Amounts use the locale's
    standard currency pattern and symbol with exactly the fraction digits the author wrote and
    CLDR minimum grouping digits (es ``6500 US$``, ``13.000 US$``).  ``policy.large_units`` uses
    CLDR compact patterns from their first real magnitude (ja 万 from 10,000) with as many
    decimals as needed to stay exact (``￥97.5万``).  Converted amounts (``rate_currency`` only)
    are prefixed with CLDR's approximatelySign; with ``show_original`` both parts switch to the
    CLDR long form, original (never compacted) in the locale's brackets:
    ja ``約97.5万円（6,500米ドル）``, ``約195万円（13,000米ドル）``,
    es ``~975.000 yenes japoneses (6500 dólares estadounidenses)``.
    """
    loc = _locale(locale)
    if value.kind == "date":
        assert value.date is not None and value.date_length is not None
        return format_date(value.date, format=value.date_length, locale=loc)
    assert value.number is not None and value.currency is not None
    compact = policy.large_units
    if policy.display_currency is None or value.currency != policy.rate_currency:
        return _format_symbol(
            value.number, value.currency, value.fraction_digits, loc, compact=compact
        )
    assert policy.rate is not None
    digits = get_currency_precision(policy.display_currency)
    converted = (value.number * policy.rate).quantize(Decimal(1).scaleb(-digits), ROUND_HALF_EVEN)
    approximately = loc.number_symbols["latn"]["approximatelySign"]
    if not policy.show_original:
        shown = _format_symbol(converted, policy.display_currency, digits, loc, compact=compact)
        return approximately + shown
    shown = _format_named(converted, policy.display_currency, digits, loc, compact=compact)
    # the original is quoted as the author wrote it, only in the reader's number format
    original = _format_named(
        value.number, value.currency, value.fraction_digits, loc, compact=False
    )
    opening, closing = _brackets(loc)
    return f"{approximately}{shown}{opening}{original}{closing}"
