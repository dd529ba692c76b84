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
