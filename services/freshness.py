"""What data a view shows: demo series (and why), when the stored data end, the last fetch attempt.

No streamlit and no words: the router's banner (ui/state.data_banner) writes them in the user's language.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import pandas as pd

from data.market_data import MarketSnapshot
from data.series import GOLD_SERIES, fx_series_for


@dataclass(frozen=True)
class LastFetch:
    at: datetime
    ok: bool
    message: str


@dataclass(frozen=True)
class DataState:
    """The banner's facts for one currency shown.

    `level` is "demo" when gold or the shown currency's rate is demo (every local price is invented),
    "partial" when only series this view does not use are demo, "stored" otherwise.
    """

    level: str
    demo_series: list[str]
    demo_reason: str | None
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
    return DataState(level, demo, snapshot.demo_reason, snapshot.states[GOLD_SERIES].last, last_fetch)
