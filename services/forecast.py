"""The Forecast view: a rolling-origin backtest of every model on a target, then the chosen model's fan.

No streamlit: progress is reported through a plain callback, which the page turns into a progress bar.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from analytics.forecast import BacktestResult, BacktestSettings, Forecast, forecast_from_last, run_backtest
from data.market_data import MarketSnapshot, target_prices
from services.freshness import Freshness, freshness, last_date

#: Origins a month apart: 60 of them cover about five years.
FORECAST_BACKTEST_STEP = 20


@dataclass(frozen=True)
class ForecastView:
    """What the Forecast page shows for one target and horizon: the backtest, then the forecast."""

    target_id: str
    history: pd.Series
    backtest: BacktestResult
    forecast: Forecast
    model: str  # the model the forecast uses: the backtest's selection unless the user chose one
    freshness: Freshness  # the forecast's origin: a stale one is the last data, not "today"


def target_history(snapshot: MarketSnapshot, target_id: str) -> pd.Series:
    """A stored series or a derived local price (GOLD_COP_G) from the snapshot."""
    return target_prices(snapshot.usable, target_id)


def forecast_view(
    snapshot: MarketSnapshot,
    target_id: str,
    horizon: int,
    model: str | None = None,
    progress: Callable[[float], None] | None = None,
    today: pd.Timestamp | str | None = None,
) -> ForecastView:
    """Backtest every model on `target_id`, then forecast `horizon` days with `model` (default: selected)."""
    prices = target_history(snapshot, target_id)
    settings = BacktestSettings(horizon=horizon, step=FORECAST_BACKTEST_STEP)
    result = run_backtest(
        prices,
        settings,
        series=target_id,
        progress=None if progress is None else lambda fraction, _: progress(min(fraction, 1.0)),
    )
    chosen = model or result.selected
    forecast = forecast_from_last(prices, chosen, horizon=horizon, settings=settings)
    return ForecastView(target_id, prices, result, forecast, chosen, freshness(last_date(prices), today))
