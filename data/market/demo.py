"""Seeded demo market data, for a first run with an empty store and no network.

These are NOT real prices: every page that shows them carries a banner that says so. Seeded, so a
figure seen once can be reproduced.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

DEMO_SEED = 20_260_130
DEMO_YEARS = 6

#: Series id -> (level at the start, level at the end, annual volatility). Rough orders of magnitude.
DEMO_PATHS: dict[str, tuple[float, float, float]] = {
    "GOLD_USD": (1_850.0, 4_050.0, 0.15),
    "SILVER_USD": (24.0, 48.0, 0.28),
    "USD_COP": (3_650.0, 3_900.0, 0.12),
    "USD_PEN": (3.60, 3.45, 0.06),
    "USD_BOB": (6.96, 6.96, 0.0),  # official peg
    "USD_MNT": (2_850.0, 3_580.0, 0.05),
}


def demo_market_data(
    end: pd.Timestamp, seed: int = DEMO_SEED, years: int = DEMO_YEARS
) -> dict[str, pd.Series]:
    """Business-day series ending on `end` (a bridge between the start and end levels, plus noise)."""
    rng = np.random.default_rng(seed)
    dates = pd.bdate_range(end=pd.Timestamp(end).normalize(), periods=years * 261).astype("datetime64[ns]")
    steps = len(dates)
    out: dict[str, pd.Series] = {}
    for series_id, (first, last, annual_vol) in DEMO_PATHS.items():
        shocks = rng.normal(0.0, annual_vol / np.sqrt(252), steps)
        walk = np.cumsum(shocks)
        bridge = walk - np.linspace(0.0, 1.0, steps) * walk[-1]  # pinned at 0 on both ends
        log_path = np.linspace(np.log(first), np.log(last), steps) + bridge
        out[series_id] = pd.Series(np.exp(log_path).round(4), index=dates, name=series_id)
    return out
