"""Market statistics on a price series: performance over horizons, FX decomposition, volatility, drawdown.

Pure: no I/O. Series are float values on a sorted DatetimeIndex.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

TRADING_DAYS_PER_YEAR = 252

#: Performance horizons as the Market page shows them; "1D" is the previous observation, "YTD" the
#: last observation of the previous calendar year.
HORIZONS: dict[str, pd.DateOffset | None] = {
    "1D": None,
    "1W": pd.DateOffset(weeks=1),
    "1M": pd.DateOffset(months=1),
    "3M": pd.DateOffset(months=3),
    "YTD": None,
    "1Y": pd.DateOffset(years=1),
    "5Y": pd.DateOffset(years=5),
}


def reference_date(series: pd.Series, horizon: str, asof: pd.Timestamp | None = None) -> pd.Timestamp | None:
    """Date of the observation a horizon's change is measured from (None if history is too short)."""
    clean = series.dropna()
    if asof is not None:
        clean = clean.loc[:asof]
    if len(clean) < 2:
        return None
    last = clean.index[-1]
    if horizon == "1D":
        return clean.index[-2]
    if horizon == "YTD":
        target = pd.Timestamp(year=last.year - 1, month=12, day=31)
    else:
        target = last - HORIZONS[horizon]
    if target < clean.index[0]:
        return None
    return clean.loc[:target].index[-1]


def pct_change_since(series: pd.Series, horizon: str, asof: pd.Timestamp | None = None) -> float:
    """Percent change from the horizon's reference observation to the last one (NaN if too short)."""
    clean = series.dropna()
    if asof is not None:
        clean = clean.loc[:asof]
    start = reference_date(clean, horizon)
    if start is None:
        return math.nan
    return (float(clean.iloc[-1]) / float(clean.loc[start]) - 1.0) * 100.0


def common_end_date(series_by_name: dict[str, pd.Series]) -> pd.Timestamp | None:
    """The latest date every series with any value has data for: the earliest of their last dates.

    Series without any value are left out (they are shown as missing, not as a date).
    """
    lasts = [clean.index[-1] for clean in (s.dropna() for s in series_by_name.values()) if not clean.empty]
    return pd.Timestamp(min(lasts)) if lasts else None


def performance_table(series_by_name: dict[str, pd.Series], asof: pd.Timestamp | None = None) -> pd.DataFrame:
    """Percent change over every horizon in HORIZONS, one row per named series (all as of `asof`)."""
    rows = {
        name: {horizon: pct_change_since(series, horizon, asof) for horizon in HORIZONS}
        for name, series in series_by_name.items()
    }
    return pd.DataFrame.from_dict(rows, orient="index", columns=list(HORIZONS))


@dataclass(frozen=True)
class MoveDecomposition:
    """How a local-currency gold move splits into the gold-in-USD move and the exchange-rate move.

    local = gold_usd x fx, so log changes add exactly: ln(L1/L0) = ln(G1/G0) + ln(F1/F0). The
    contributions share the total percent change in proportion to those log changes.
    """

    start: pd.Timestamp
    end: pd.Timestamp
    local_pct: float
    # The exchange rate's part is NaN when no new rate was observed between the two dates (the same
    # carried value at both ends): a missing rate is not a rate that did not move.
    gold_usd_pct: float
    fx_pct: float
    gold_contribution_pp: float
    fx_contribution_pp: float

    @property
    def fx_measured(self) -> bool:
        return not math.isnan(self.fx_contribution_pp)


def decompose_local_move(local: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp) -> MoveDecomposition:
    """Decompose the move of `local` (columns gold_usd_per_oz, fx, price, optionally fx_date) between two
    dates (as-of). When both ends used the same exchange-rate observation (fx_date), the rate's part is
    unknown: NaN, and the whole move is the gold price's (the local price moved with gold alone)."""
    frame = local.dropna(subset=["price"])
    first = frame.loc[:start]
    first_row = first.iloc[-1] if not first.empty else frame.iloc[0]
    last_row = frame.loc[:end].iloc[-1]
    log_gold = math.log(last_row["gold_usd_per_oz"] / first_row["gold_usd_per_oz"])
    log_fx = math.log(last_row["fx"] / first_row["fx"])
    local_pct = (last_row["price"] / first_row["price"] - 1.0) * 100.0
    log_total = log_gold + log_fx
    gold_share = 0.5 if abs(log_total) < 1e-12 else log_gold / log_total
    if (
        "fx_date" in frame.columns
        and first_row.name != last_row.name
        and pd.notna(first_row["fx_date"])
        and first_row["fx_date"] == last_row["fx_date"]
    ):
        return MoveDecomposition(
            start=first_row.name,
            end=last_row.name,
            local_pct=local_pct,
            gold_usd_pct=math.expm1(log_gold) * 100.0,
            fx_pct=math.nan,
            gold_contribution_pp=local_pct,
            fx_contribution_pp=math.nan,
        )
    return MoveDecomposition(
        start=first_row.name,
        end=last_row.name,
        local_pct=local_pct,
        gold_usd_pct=math.expm1(log_gold) * 100.0,
        fx_pct=math.expm1(log_fx) * 100.0,
        gold_contribution_pp=local_pct * gold_share,
        fx_contribution_pp=local_pct * (1.0 - gold_share),
    )


def annualised_volatility(series: pd.Series, window_days: int = 30) -> pd.Series:
    """Rolling annualised volatility (%) of daily log returns over a `window_days` calendar window."""
    clean = series.dropna()
    log_returns = pd.Series(np.log(clean.to_numpy(dtype=float)), index=clean.index).diff().dropna()
    min_periods = max(2, window_days // 2)
    rolling = log_returns.rolling(f"{window_days}D", min_periods=min_periods).std()
    return rolling * math.sqrt(TRADING_DAYS_PER_YEAR) * 100.0


def drawdown_pct(series: pd.Series) -> pd.Series:
    """Percent below the running peak (0 at a new high, negative below it)."""
    clean = series.dropna()
    return (clean / clean.cummax() - 1.0) * 100.0
