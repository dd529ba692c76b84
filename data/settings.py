"""Deployment settings read from the environment, in one place (documented in docs/configuration.md)."""

from __future__ import annotations

import os

STALE_DAYS_ENV = "GOLD_DASHBOARD_STALE_DAYS"
DEFAULT_STALE_DAYS = 7


def stale_after_days() -> int:
    """Data ending more than this many days before the date it is used for is stale (a warning names it)."""
    try:
        days = int(os.environ.get(STALE_DAYS_ENV, "").strip())
    except ValueError:
        return DEFAULT_STALE_DAYS
    return days if days >= 0 else DEFAULT_STALE_DAYS


DISCOUNT_RATE_ENV = "GOLD_DASHBOARD_DISCOUNT_RATE_PCT"
#: The cooperative's cost of money, % a year, that ranks offers paid later (Offers page, `offers compare`):
#: money paid in 60 days is worth less today; 0 would rank a later 98 % above 96 % paid now.
DEFAULT_DISCOUNT_RATE_PCT = 12.0


def discount_rate_pct() -> float:
    """The setting's rate (% a year, 0–200); the default when unset or unreadable."""
    try:
        rate = float(os.environ.get(DISCOUNT_RATE_ENV, "").strip().replace(",", "."))
    except ValueError:
        return DEFAULT_DISCOUNT_RATE_PCT
    return rate if 0 <= rate <= 200 else DEFAULT_DISCOUNT_RATE_PCT


BACKTESTS_ON_WRITE_ENV = "GOLD_DASHBOARD_BACKTESTS_ON_WRITE"


def backtests_on_write() -> bool:
    """Whether a price import, a refresh and the timer job measure the forecast backtests they made stale,
    and a new store's first page its demo backtests (default yes; `0` leaves them to the Forecast page's
    first view, as the test suite does)."""
    return os.environ.get(BACKTESTS_ON_WRITE_ENV, "1").strip() != "0"


#: One line of practice advice the operator sends with each price, per language (issue 30), e.g.
#: "Pese su oro en balanza calibrada y pida su liquidación por escrito." None by default.
ADVICE_ENV = "GOLD_DASHBOARD_ADVICE_{lang}"


def practice_advice(lang: str) -> str | None:
    """The operator's advice line for `lang` (GOLD_DASHBOARD_ADVICE_ES, _EN), None when unset or blank."""
    text = os.environ.get(ADVICE_ENV.format(lang=lang.upper()), "").strip()
    return text or None
