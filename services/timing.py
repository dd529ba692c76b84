"""The Sell-timing view: indicators, today's reading, seasonality and the policy backtests for a currency.

No streamlit, no sentences: the reading is a code with its reasons' codes and numbers.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from analytics.timing import (
    POLICIES,
    ForecastBand,
    PolicyResult,
    PolicySettings,
    Signal,
    indicator_frame,
    run_policy,
    seasonality,
    signal_on,
    with_forecast_band,
)
from data.market.market_data import MarketSnapshot, target_fx, target_prices
from data.market.series import local_price_id
from services.freshness import Freshness, freshness


@dataclass(frozen=True)
class TimingView:
    """The Sell timing page's numbers for one currency and one set of user inputs."""

    target_id: str
    indicators: pd.DataFrame
    signal: Signal
    seasonality: pd.DataFrame
    policies: dict[str, PolicyResult]
    freshness: Freshness  # the reading's date: a stale reading is not "today's"


def timing_view(
    snapshot: MarketSnapshot,
    currency: str,
    settings: PolicySettings,
    today: pd.Timestamp | str | None = None,
    band: ForecastBand | None = None,
) -> TimingView:
    """Indicators on the price of a fine gram in `currency`, the reading on its last day, and backtests.

    `band`: the Forecast page's stored band for that gram (``services.forecast.forecast_band``); today's
    probability of a higher price is read from it, so both pages show one band.
    """
    target_id = local_price_id(currency, "g")

    load = snapshot.usable  # a demo rate beside real gold prices nothing
    prices = target_prices(load, target_id)
    fx = target_fx(load, target_id)
    indicators = with_forecast_band(
        indicator_frame(prices, fx, settings.holding_cost_pct_month), band, settings.holding_cost_pct_month
    )
    policies = {
        policy: run_policy(prices, policy, settings, fx=fx, indicators=indicators) for policy in POLICIES
    }
    signal = signal_on(indicators)
    return TimingView(
        target_id, indicators, signal, seasonality(prices), policies, freshness(signal.date, today)
    )
