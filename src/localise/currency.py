"""How a language shows currency amounts: the ``[formatting.<lang>]`` policy, validated.

Kept apart from :mod:`localise.formatting` so that reading the config does not load Babel's
date and number formatting.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from decimal import Decimal


@cache
def known_currencies() -> frozenset[str]:
    """ISO 4217 codes CLDR knows."""
    from babel.numbers import list_currencies

    return frozenset(list_currencies())


@dataclass(frozen=True, slots=True)
class CurrencyPolicy:
    """How amounts are shown: optional pinned-rate conversion, original in brackets, 万/億 units.

    Only amounts in ``rate_currency`` are converted; amounts in any other currency are rendered
    in their own currency.  A converted amount is rounded to the display currency's CLDR digits
    and prefixed with the locale's CLDR ``approximatelySign`` (ja ``約``, es/en ``~``).
    ``rate_date`` is recorded for notes and never changes the rendering.
    """

    display_currency: str | None = None
    rate: Decimal | None = None
    rate_currency: str = "USD"
    rate_date: datetime.date | None = None
    show_original: bool = False
    large_units: bool = False

    def __post_init__(self) -> None:
        """Reject incomplete or contradictory policies with a message naming the field."""
        if self.rate_currency != "USD" and self.rate_currency not in known_currencies():
            raise ValueError(f"rate_currency {self.rate_currency!r} is not an ISO 4217 code")
        if self.display_currency is None:
            for name in ("rate", "rate_date"):
                if getattr(self, name) is not None:
                    raise ValueError(f"{name} is set but display_currency is not")
            if self.show_original:
                raise ValueError("show_original needs a conversion: set display_currency and rate")
            return
        if self.display_currency not in known_currencies():
            raise ValueError(f"display_currency {self.display_currency!r} is not an ISO 4217 code")
        if self.display_currency == self.rate_currency:
            raise ValueError(f"display_currency and rate_currency are both {self.rate_currency}")
        if self.rate is None:
            raise ValueError(f"display_currency {self.display_currency} needs a rate")
        from decimal import Decimal

        if not isinstance(self.rate, Decimal) or not self.rate.is_finite() or self.rate <= 0:
            raise ValueError(f"rate must be a positive finite Decimal, got {self.rate!r}")
        if self.rate_date is not None and not isinstance(self.rate_date, datetime.date):
            raise ValueError(f"rate_date must be a datetime.date, got {self.rate_date!r}")


DEFAULT_POLICY = CurrencyPolicy()
