"""Deployment settings read from the environment, in one place (documented in the README)."""

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


BACKTESTS_ON_WRITE_ENV = "GOLD_DASHBOARD_BACKTESTS_ON_WRITE"


def backtests_on_write() -> bool:
    """Whether a price import, a refresh and the timer job measure the forecast backtests they made stale
    (default yes; `0` leaves them to the Forecast page's first view, as the test suite does)."""
    return os.environ.get(BACKTESTS_ON_WRITE_ENV, "1").strip() != "0"
