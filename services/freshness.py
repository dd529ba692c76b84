"""What data a view shows: demo series (and why), when its data end and whether that is stale, the last fetch.

No streamlit and no words: ui/banner.py writes them in the user's language.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import pandas as pd

from data.market.market_data import MarketSnapshot
from data.market.series import GOLD_SERIES, fx_series_for
from data.settings import stale_after_days


@dataclass(frozen=True)
class LastFetch:
    """The latest Yahoo fetch attempt. `message` is English for the server log; `code` (one of
    data.market.market_data.REASON_CODES, None when it went well) is what a page words in the user's language."""

    at: datetime
    ok: bool
    message: str
    code: str | None = None


@dataclass(frozen=True)
class DataState:
    """The banner's facts for one currency shown.

    `level` is "demo" when gold or the shown currency's rate is demo (every local price is invented),
    "partial" when only series this view does not use are demo, "stored" otherwise.
    """

    level: str
    demo_series: list[str]
    demo_reason: str | None
    demo_reason_code: str | None
    gold_last: pd.Timestamp | None
    last_fetch: LastFetch | None


def data_state(snapshot: MarketSnapshot, last_fetch: LastFetch | None, currency: str | None) -> DataState:
    demo = snapshot.demo_series
    fx_id = fx_series_for(currency) if currency else None
    if GOLD_SERIES in demo or (fx_id is not None and fx_id in demo) or (demo and currency is None):
        level = "demo"
    elif demo:
        level = "partial"
    else:
        level = "stored"
    return DataState(
        level,
        demo,
        snapshot.demo_reason,
        snapshot.demo_reason_code,
        snapshot.states[GOLD_SERIES].last,
        last_fetch,
    )


@dataclass(frozen=True)
class Freshness:
    """When the data behind one view ends, and whether that is too long ago to call it "today"."""

    as_of: pd.Timestamp | None  # the last date the view's numbers use; None: the view has no data
    today: pd.Timestamp
    limit_days: int

    @property
    def age_days(self) -> int | None:
        return None if self.as_of is None else int((self.today - self.as_of.normalize()).days)

    @property
    def stale(self) -> bool:
        age = self.age_days
        return age is None or age > self.limit_days

    @property
    def is_today(self) -> bool:
        """Data of today itself: only then may a page say "hoy"/"today" beside them (issue 30)."""
        return self.age_days == 0


def freshness(
    as_of: pd.Timestamp | None, today: pd.Timestamp | str | None = None, limit_days: int | None = None
) -> Freshness:
    """The freshness of a view whose data end on `as_of`, judged on `today` (default: now)."""
    day = pd.Timestamp(today if today is not None else pd.Timestamp.now()).normalize()
    last = None if as_of is None or pd.isna(as_of) else pd.Timestamp(as_of).normalize()
    return Freshness(last, day, stale_after_days() if limit_days is None else limit_days)


def last_date(series: pd.Series | None) -> pd.Timestamp | None:
    """The last date with a value (None for a missing or empty series)."""
    if series is None:
        return None
    clean = series.dropna()
    return None if clean.empty else pd.Timestamp(clean.index[-1])
