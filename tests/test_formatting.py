"""Tests for localise.formatting: detection of amounts/dates and CLDR rendering.

CLDR reference values come from ICU (PyICU, shipped with ICU 78.3 = CLDR 48 by the
``icukit-pyicu`` wheel), never from this module: ``minimumGroupingDigits`` from ICU's locale
resource bundles and whole currency strings from ICU's own NumberFormatter.  Tests that need it
are skipped when ``icu`` is not importable.
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal
from pathlib import Path

import pytest
from babel import Locale
from babel.core import get_global
from babel.localedata import load, locale_identifiers
from babel.numbers import (
    format_decimal,
    get_currency_symbol,
    get_decimal_symbol,
    get_group_symbol,
    list_currencies,
)
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from localise.formatting import (
    MIN_GROUPING_DIGITS,
    CurrencyPolicy,
    Value,
    format_number,
    format_value,
    min_grouping_digits,
    scan,
)

NBSP = "\u00a0"


def _icu():
    return pytest.importorskip("icu", reason="CLDR reference data needs PyICU (icukit-pyicu)")


# --------------------------------------------------------------------------- CLDR references


def icu_min_grouping_digits(locale: str) -> int | None:
    """CLDR ``minimumGroupingDigits`` as ICU resolves it, or None if ICU lacks the locale."""
    icu = _icu()
    bundle = icu.ResourceBundle("", icu.Locale(locale))
    if bundle.getLocale().getName() == "en_US_POSIX" and not locale.startswith("en"):
        return None  # ICU fell back to the default locale: it has no data for this one
    try:
        elements = bundle.getWithFallback("NumberElements")
        return int(elements.getWithFallback("minimumGroupingDigits").getString())
    except icu.ICUError:
        return 1


def _babel_parent(identifier: str) -> str:
    exceptions = get_global("parent_exceptions")
    return exceptions.get(identifier) or identifier.rpartition("_")[0] or "root"


def derive_min_grouping_table() -> dict[str, int]:
    """Rebuild ``MIN_GROUPING_DIGITS`` from ICU: values differing from the inherited one."""
    values = {}
    for identifier in locale_identifiers():
        value = icu_min_grouping_digits(identifier)
        if value is not None:
            values[identifier] = value

    def depth(identifier: str) -> int:
        return 0 if identifier == "root" else 1 + depth(_babel_parent(identifier))

    table: dict[str, int] = {}

    def inherited(identifier: str) -> int:
        while identifier != "root":
            if identifier in table:
                return table[identifier]
            identifier = _babel_parent(identifier)
        return 1

    for identifier in sorted(values, key=lambda i: (depth(i), i)):
        if identifier != "root" and values[identifier] != inherited(_babel_parent(identifier)):
            table[identifier] = values[identifier]
    return table


def icu_currency(number: Decimal, currency: str, fraction_digits: int, locale: str) -> str:
    """ICU's own rendering of an amount with exactly ``fraction_digits`` decimals."""
    icu = _icu()
    formatter = (
        icu.NumberFormatter.withLocale(icu.Locale(locale))
        .unit(icu.CurrencyUnit(currency))
        .precision(icu.Precision.fixedFraction(fraction_digits))
    )
    return formatter.formatDecimal(str(number).encode())


def icu_number(number: Decimal, fraction_digits: int, locale: str) -> str:
    icu = _icu()
    formatter = icu.NumberFormatter.withLocale(icu.Locale(locale)).precision(
        icu.Precision.fixedFraction(fraction_digits)
    )
    return formatter.formatDecimal(str(number).encode())


def babel_expected_currency(source_number: str, currency: str, locale: str, mgd: int) -> str:
    """Build the CLDR currency string by hand from Babel's pattern, symbols and ``mgd``."""
    pattern = Locale.parse(locale).currency_formats["standard"].pattern.split(";")[0]
    parts = re.fullmatch(r"(?P<prefix>[^#0,.]*)(?P<number>[#0,.]+)(?P<suffix>[^#0,.]*)", pattern)
    assert parts, pattern
    group_size = len(parts["number"].partition(".")[0].rpartition(",")[2])
    integer, _, fraction = source_number.replace(",", "").partition(".")
    if len(integer) - group_size >= mgd:
        head = len(integer) % group_size or group_size
        groups = [integer[:head]] + [
            integer[i : i + group_size] for i in range(head, len(integer), group_size)
        ]
        integer = get_group_symbol(locale).join(groups)
    text = integer + (get_decimal_symbol(locale) + fraction if fraction else "")
    affixed = parts["prefix"] + text + parts["suffix"]
    return affixed.replace("¤", get_currency_symbol(currency, locale))


# --------------------------------------------------------------------------- scan: positives

SCAN_POSITIVE = [
    # (text, [(source, currency, number, fraction_digits)])
    ("Fees are $6,500 a year.", [("$6,500", "USD", "6500", 0)]),
    ("Fees are US$6,500.", [("US$6,500", "USD", "6500", 0)]),
    ("Budget USD 3,000 now", [("USD 3,000", "USD", "3000", 0)]),
    ("Budget 3,000 USD now", [("3,000 USD", "USD", "3000", 0)]),
    ("Budget USD3000", [("USD3000", "USD", "3000", 0)]),
    ("A €950 deposit", [("€950", "EUR", "950", 0)]),
    ("A 950 € deposit", [("950 €", "EUR", "950", 0)]),
    ("A 950€ deposit", [("950€", "EUR", "950", 0)]),
    ("Rent: £1,200.50.", [("£1,200.50", "GBP", "1200.50", 2)]),
    ("Tickets ¥15,000", [("¥15,000", "JPY", "15000", 0)]),
    ("Tickets ￥15,000", [("￥15,000", "JPY", "15000", 0)]),
    ("Deposit ₩2,500,000", [("₩2,500,000", "KRW", "2500000", 0)]),
    ("Only $9.99.", [("$9.99", "USD", "9.99", 2)]),
    ("Only $1234.5!", [("$1234.5", "USD", "1234.5", 1)]),
    ("Priced CA$5 and A$7", [("CA$5", "CAD", "5", 0), ("A$7", "AUD", "7", 0)]),
    ("Raised $1.5 million", [("$1.5 million", "USD", "1500000", 0)]),
    ("Raised $2 Billion", [("$2 Billion", "USD", "2000000000", 0)]),
    ("Raised EUR 1.25 million", [("EUR 1.25 million", "EUR", "1250000", 0)]),
    ("Free: $0", [("$0", "USD", "0", 0)]),
    ("($950)", [("$950", "USD", "950", 0)]),
    ("In 2014 $5 bought lunch", [("$5", "USD", "5", 0)]),
    ("$6,500 – $13,000", [("$6,500", "USD", "6500", 0), ("$13,000", "USD", "13000", 0)]),
    ("$6,500 to $13,000", [("$6,500", "USD", "6500", 0), ("$13,000", "USD", "13000", 0)]),
    ("$5,000 – $25,000+", [("$5,000", "USD", "5000", 0), ("$25,000", "USD", "25000", 0)]),
    ("$6,500-$13,000", [("$6,500", "USD", "6500", 0), ("$13,000", "USD", "13000", 0)]),
    ("€950–€1,200", [("€950", "EUR", "950", 0), ("€1,200", "EUR", "1200", 0)]),
]


@pytest.mark.parametrize(("text", "expected"), SCAN_POSITIVE, ids=[t for t, _ in SCAN_POSITIVE])
def test_scan_amounts(text: str, expected: list[tuple[str, str, str, int]]) -> None:
    values = scan(text)
    position = 0
    assert [v.source for v in values] == [source for source, *_ in expected]
    for value, (source, currency, number, digits) in zip(values, expected, strict=True):
        start = text.index(source, position)
        assert (value.start, value.end) == (start, start + len(source))
        assert text[value.start : value.end] == value.source
        assert value.kind == "amount"
        assert value.currency == currency
        assert value.number == Decimal(number)
        assert value.fraction_digits == digits
        assert value.date is None and value.date_length is None
        position = value.end


SCAN_DATES = [
    ("The call is on Jan 12, 2026.", "Jan 12, 2026", datetime.date(2026, 1, 12), "medium"),
    ("Opened Sep 3, 2025, then", "Sep 3, 2025", datetime.date(2025, 9, 3), "medium"),
    ("Opened Sept 3, 2025", "Sept 3, 2025", datetime.date(2025, 9, 3), "medium"),
    ("Opened Jan. 5, 2026", "Jan. 5, 2026", datetime.date(2026, 1, 5), "medium"),
    ("Since January 12, 2026.", "January 12, 2026", datetime.date(2026, 1, 12), "long"),
    ("Leap day Feb 29, 2024.", "Feb 29, 2024", datetime.date(2024, 2, 29), "medium"),
    ("On May 5, 2026", "May 5, 2026", datetime.date(2026, 5, 5), "long"),
]


@pytest.mark.parametrize(("text", "source", "date", "length"), SCAN_DATES)
def test_scan_dates(text: str, source: str, date: datetime.date, length: str) -> None:
    [value] = scan(text)
    start = text.index(source)
    assert (value.kind, value.start, value.end, value.source) == (
        "date",
        start,
        start + len(source),
        source,
    )
    assert (value.date, value.date_length) == (date, length)
    assert value.currency is None and value.number is None


def test_scan_mixed_text_in_order_and_switches() -> None:
    text = "From Jan 12, 2026 the fee is $6,500 (was €950 on December 1, 2025)."
    assert [v.source for v in scan(text)] == [
        "Jan 12, 2026",
        "$6,500",
        "€950",
        "December 1, 2025",
    ]
    assert [v.source for v in scan(text, dates=False)] == ["$6,500", "€950"]
    assert [v.source for v in scan(text, currency=False)] == ["Jan 12, 2026", "December 1, 2025"]


SCAN_NEGATIVE = [
    "In 2014, prices rose.",
    "30-40% of users",
    "100 million people",
    "Take 20ml twice",
    "Allow 3-5 weeks",
    "Grade 3/4 toxicity",
    "Set $HOME first",
    "price$5 inside a word",
    "See https://example.com/pay/$5/now and www.example.com/$9",
    "A $2M round",
    "TOP 10 tips and ALL 3 rooms",
    "5 USDT tokens",
    "Bad grouping $12,34",
    "Released 2026-01-12",
    "Feb 30, 2026 and Apr 31, 2025 and Feb 29, 2025",
    "Janet 12, 2026",
    "Jan 12 2026",
]


@pytest.mark.parametrize("text", SCAN_NEGATIVE)
def test_scan_negative(text: str) -> None:
    assert scan(text) == []


def test_describe() -> None:
    assert scan("$6,500")[0].describe() == "6,500 USD"
    assert scan("950 €")[0].describe() == "950 EUR"
    assert scan("$9.99")[0].describe() == "9.99 USD"
    assert scan("$1.5 million")[0].describe() == "1,500,000 USD"
    assert scan("Jan 12, 2026")[0].describe() == "2026-01-12"


# --------------------------------------------------------------------------- amounts grid

GRID_AMOUNTS = ["0", "5", "999", "1,000", "6,500", "13,000", "100,000,000", "9.99", "1,234.50"]
GRID_CURRENCIES = ["USD", "EUR", "JPY", "KRW"]
GRID_LOCALES = ["ja", "es", "en"]


@pytest.mark.parametrize("locale", GRID_LOCALES)
@pytest.mark.parametrize("currency", GRID_CURRENCIES)
@pytest.mark.parametrize("amount", GRID_AMOUNTS)
def test_amount_grid_against_cldr(amount: str, currency: str, locale: str) -> None:
    [value] = scan(f"{currency} {amount}")
    mgd = icu_min_grouping_digits(locale)
    assert mgd is not None
    rendered = format_value(value, locale=locale)
    assert rendered == babel_expected_currency(amount, currency, locale, mgd)
    assert rendered == icu_currency(value.number, currency, value.fraction_digits, locale)


EXTRA_LOCALES = ["pl", "pt_PT", "pt_AO", "de", "it", "hu", "fr", "ko", "zh", "es_MX", "hi", "ee"]


@pytest.mark.parametrize("locale", EXTRA_LOCALES)
@pytest.mark.parametrize("source", ["$5", "$6,500", "€13,000.5", "CHF 1,234.50", "¥100,000,000"])
def test_amounts_match_icu_in_more_locales(source: str, locale: str) -> None:
    [value] = scan(source)
    assert format_value(value, locale=locale) == icu_currency(
        value.number, value.currency, value.fraction_digits, locale
    )


SPOT_CHECKS = [
    ("$6,500", "es", f"6500{NBSP}US$"),
    ("$13,000", "es", f"13.000{NBSP}US$"),
    ("€950", "es", f"950{NBSP}€"),
    ("$6,500", "ja", "$6,500"),
    ("¥15,000", "ja", "￥15,000"),
    ("$6,500", "en", "$6,500"),
    ("$9.99", "es", f"9,99{NBSP}US$"),
    ("CHF 6,500", "en", f"CHF{NBSP}6,500"),
]


@pytest.mark.parametrize(("source", "locale", "expected"), SPOT_CHECKS)
def test_spot_checks(source: str, locale: str, expected: str) -> None:
    assert format_value(scan(source)[0], locale=locale) == expected


def test_ja_yen_sign_is_cldr_fullwidth() -> None:
    assert get_currency_symbol("JPY", "ja") == "\uffe5"
    assert format_value(scan("¥15,000")[0], locale="ja").startswith("\uffe5")


# --------------------------------------------------------------------------- minimum grouping


def test_babel_does_not_carry_minimum_grouping_digits() -> None:
    """Why this module has a table: if this fails, Babel learnt the rule; drop the table."""
    assert format_decimal(6500, locale="es") == "6.500"
    assert not [key for key in load("es") if "group" in key.lower()]


@pytest.mark.parametrize(
    "locale", ["es", "pl", "pt_PT", "pt_AO", "es_MX", "it", "hu", "ee", "en", "de", "ja"]
)
def test_min_grouping_digits_match_cldr(locale: str) -> None:
    assert min_grouping_digits(locale) == icu_min_grouping_digits(locale)


def test_min_grouping_table_is_cldr() -> None:
    assert derive_min_grouping_table() == MIN_GROUPING_DIGITS


def test_min_grouping_digits_resolve_for_every_babel_locale() -> None:
    mismatches = {
        identifier: (min_grouping_digits(identifier), expected)
        for identifier in locale_identifiers()
        if (expected := icu_min_grouping_digits(identifier)) is not None
        and min_grouping_digits(identifier) != expected
    }
    assert mismatches == {}


CLDR_XML = Path("/usr/share/unicode/cldr/common/main")


@pytest.mark.skipif(not CLDR_XML.is_dir(), reason="Debian unicode-cldr-core not installed")
@pytest.mark.parametrize("locale", ["es", "pl", "pt_PT", "en", "de"])
def test_min_grouping_digits_match_cldr_xml(locale: str) -> None:
    """Second source: CLDR's own XML (Debian ships CLDR 41; these values are unchanged since)."""
    identifier = locale
    while identifier != "root":
        xml = (CLDR_XML / f"{identifier}.xml").read_text(encoding="utf-8")
        found = re.search(r"<minimumGroupingDigits[^>]*>(\d+)<", xml)
        if found:
            break
        identifier = _babel_parent(identifier)
    expected = int(found[1]) if found else 1
    assert min_grouping_digits(locale) == expected


@pytest.mark.parametrize("locale", ["es", "pl", "pt_PT", "it", "en", "de", "ja", "ee", "hi"])
@pytest.mark.parametrize("number", ["0", "999", "1000", "6500", "12345", "1234567.5"])
def test_format_number_matches_icu(number: str, locale: str) -> None:
    digits = len(number.partition(".")[2])
    assert format_number(Decimal(number), locale=locale, fraction_digits=digits) == icu_number(
        Decimal(number), digits, locale
    )


def test_format_number_literal() -> None:
    assert format_number(Decimal(6500), locale="es") == "6500"
    assert format_number(Decimal(12345), locale="es") == "12.345"
    assert format_number(Decimal(6500), locale="de") == "6.500"
    assert format_number(Decimal("9.5"), locale="es", fraction_digits=2) == "9,50"


# --------------------------------------------------------------------------- dates

DATE_OUTPUTS = [
    ("Jan 12, 2026", "ja", "2026/01/12"),
    ("Jan 12, 2026", "es", "12 ene 2026"),
    ("Jan 12, 2026", "en", "Jan 12, 2026"),
    ("January 12, 2026", "ja", "2026年1月12日"),
    ("January 12, 2026", "es", "12 de enero de 2026"),
    ("January 12, 2026", "en", "January 12, 2026"),
    ("Sept 3, 2025", "es", "3 sept 2025"),
]


@pytest.mark.parametrize(("source", "locale", "expected"), DATE_OUTPUTS)
def test_dates(source: str, locale: str, expected: str) -> None:
    assert format_value(scan(source)[0], locale=locale) == expected


# --------------------------------------------------------------------------- policy

USD_TO_JPY = {"display_currency": "JPY", "rate": Decimal(150)}

POLICY_CASES = [
    ("$6,500", "ja", {**USD_TO_JPY}, "約￥975,000"),
    ("$6,500", "es", {**USD_TO_JPY}, f"~975.000{NBSP}JPY"),
    ("$6,500", "en", {**USD_TO_JPY}, "~¥975,000"),
    ("$6,500", "ja", {**USD_TO_JPY, "show_original": True}, "約975,000円（6,500米ドル）"),
    (
        "$6,500",
        "es",
        {**USD_TO_JPY, "show_original": True},
        "~975.000 yenes japoneses (6500 dólares estadounidenses)",
    ),
    ("$6,500", "ja", {**USD_TO_JPY, "large_units": True}, "約￥97.5万"),
    (
        "$6,500",
        "ja",
        {**USD_TO_JPY, "large_units": True, "show_original": True},
        "約97.5万円（6,500米ドル）",
    ),
    (
        "$6,500",
        "ja",
        {"display_currency": "JPY", "rate": Decimal("150.5"), "large_units": True},
        "約￥97.825万",
    ),
    ("$9.99", "ja", {**USD_TO_JPY}, "約￥1,498"),  # 1498.5 rounds half-even to JPY's 0 digits
    ("€950", "ja", {**USD_TO_JPY}, "€950"),  # only rate_currency amounts are converted
    ("$1,000", "ja", {"display_currency": "EUR", "rate": Decimal("0.9")}, "約€900.00"),
    ("¥980,000", "ja", {"large_units": True}, "￥98万"),
    ("¥100,000,000", "ja", {"large_units": True}, "￥1億"),
    ("$13,000", "ja", {"large_units": True}, "$1.3万"),
    ("$6,500", "ja", {"large_units": True}, "$6,500"),
    ("$1.5 million", "ja", {"large_units": True}, "$150万"),
    ("$123,456,789.12", "ja", {"large_units": True}, "$1.2345678912億"),
    ("$13,000", "es", {"large_units": True}, f"13.000{NBSP}US$"),  # no myriads in es: no-op
]


@pytest.mark.parametrize(("source", "locale", "options", "expected"), POLICY_CASES)
def test_policy(source: str, locale: str, options: dict, expected: str) -> None:
    value = scan(source)[0]
    assert format_value(value, locale=locale, policy=CurrencyPolicy(**options)) == expected


INVALID_POLICIES = [
    ({"display_currency": "JPY"}, "needs a rate"),
    ({"rate": Decimal(150)}, "display_currency is not"),
    ({"rate_date": datetime.date(2026, 1, 1)}, "display_currency is not"),
    ({"show_original": True}, "show_original needs a conversion"),
    ({"display_currency": "JPY", "rate": 150.0}, "positive finite Decimal"),
    ({"display_currency": "JPY", "rate": Decimal(0)}, "positive finite Decimal"),
    ({"display_currency": "JPY", "rate": Decimal("NaN")}, "positive finite Decimal"),
    ({"display_currency": "YEN", "rate": Decimal(150)}, "not an ISO 4217 code"),
    ({"display_currency": "USD", "rate": Decimal(1)}, "both USD"),
    ({"rate_currency": "usd"}, "not an ISO 4217 code"),
]


@pytest.mark.parametrize(("options", "message"), INVALID_POLICIES)
def test_policy_validation(options: dict, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        CurrencyPolicy(**options)


# --------------------------------------------------------------------------- properties

ROUND_TRIP_CURRENCIES = ["USD", "EUR", "JPY", "KRW", "GBP", "CHF", "CAD", "AUD", "INR", "MXN"]


def _amount(number: Decimal, currency: str, digits: int) -> Value:
    return Value("amount", 0, 0, "", currency=currency, number=number, fraction_digits=digits)


@settings(deadline=None)
@given(
    units=st.integers(min_value=0, max_value=10**15),
    digits=st.integers(min_value=0, max_value=2),
    currency=st.sampled_from(ROUND_TRIP_CURRENCIES),
)
def test_english_output_scans_back(units: int, digits: int, currency: str) -> None:
    number = Decimal(units).scaleb(-digits)
    rendered = format_value(_amount(number, currency, digits), locale="en")
    [value] = scan(f"It costs {rendered}.")
    assert (value.currency, value.number, value.fraction_digits) == (currency, number, digits)


def _ja_compact_units() -> dict[str, int]:
    """ja compact unit character -> power of ten, read from CLDR's compact patterns."""
    units = {}
    for magnitude, pattern in Locale.parse("ja").compact_decimal_formats["short"]["other"].items():
        text = pattern.pattern
        if text != "0":
            units[text.strip("0")] = len(magnitude) - text.count("0")
    return units


@settings(deadline=None)
@given(units=st.integers(min_value=0, max_value=10**20), digits=st.integers(0, 2))
def test_ja_large_units_are_exact(units: int, digits: int) -> None:
    number = Decimal(units).scaleb(-digits)
    rendered = format_value(
        _amount(number, "JPY", digits), locale="ja", policy=CurrencyPolicy(large_units=True)
    )
    assert rendered.startswith("￥")
    body = rendered[1:].replace(",", "")
    scale = _ja_compact_units()
    if body[-1] in scale:
        assert Decimal(body[:-1]).scaleb(scale[body[-1]]) == number
        assert number >= 10_000
    else:
        assert Decimal(body) == number


def _month_names() -> set[str]:
    names = set()
    for identifier in ("en", "en_GB"):
        months = Locale.parse(identifier).months["format"]
        names.update(months["abbreviated"].values(), months["wide"].values())
    return names


FORBIDDEN = sorted(list_currencies() | _month_names())
PLAIN_TEXT = st.text(
    alphabet=st.sampled_from(
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .,-–%/+()#*:;\n"
    ),
    max_size=80,
)


@settings(deadline=None)
@given(PLAIN_TEXT)
def test_text_without_symbols_codes_or_months_has_no_values(text: str) -> None:
    assume(not any(word in text for word in FORBIDDEN))
    assert scan(text) == []
