"""Market views: the snapshot of every series, local prices, the Market page's numbers, today's price.

No streamlit and no formatting: a view of numbers and dates, drawn by app_pages/ and printed by cli.py.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from analytics.benchmark import BenchmarkQuote, benchmark_price_per_fine_gram, local_price_series
from analytics.market import (
    HORIZONS,
    MoveDecomposition,
    annualised_volatility,
    decompose_local_move,
    drawdown_pct,
    pct_change_since,
    performance_table,
    reference_date,
)
from data.market_data import MarketSnapshot, load_snapshot
from data.series import CURRENCIES, GOLD_SERIES
from data.store import MarketStore


def market_snapshot(store: MarketStore, today: pd.Timestamp | None = None) -> MarketSnapshot:
    """Every series with its provenance; seeded demo data for any series the store lacks."""
    return load_snapshot(store, today=today)


def real_fx(snapshot: MarketSnapshot) -> dict[str, pd.Series]:
    """Local currency per USD for every currency whose rate may be combined with the gold series.

    Real gold times a demo exchange rate would be an invented price: such a currency is left out. When
    gold itself is demo, every rate goes with it (the whole view is then demo, and says so).
    """
    demo = snapshot.demo_series
    rates = {}
    for currency in CURRENCIES:
        rate = snapshot.fx_per_usd(currency)
        if rate is None or rate.empty:
            continue
        series_id = f"USD_{currency}"
        if GOLD_SERIES in demo or series_id not in demo:
            rates[currency] = rate
    return rates


def local_prices(snapshot: MarketSnapshot, currency: str, unit: str) -> pd.DataFrame:
    """Benchmark price per `unit` in `currency` on every gold date, with the inputs used."""
    return local_price_series(snapshot.gold_usd_per_oz, snapshot.fx_per_usd(currency), unit=unit)


@dataclass(frozen=True)
class MarketView:
    """Everything the Market page draws for one currency and unit."""

    local: pd.DataFrame
    performance: pd.DataFrame
    decompositions: dict[str, MoveDecomposition | None]
    volatility: pd.Series
    drawdown: pd.Series
    peak_date: pd.Timestamp | None


def market_view(snapshot: MarketSnapshot, currency: str, unit: str) -> MarketView:
    """Local price history, the performance table, the move decompositions, volatility and drawdown."""
    local = local_prices(snapshot, currency, unit)
    prices = local["price"].dropna()
    if not prices.empty:  # gold days before the first exchange rate are not gaps: leave them out
        local = local.loc[prices.index[0] :]
    rows = {GOLD_SERIES: snapshot.gold_usd_per_oz}
    for code in CURRENCIES:
        if code != "USD":
            rows[code] = local_prices(snapshot, code, "g")["price"]
    decompositions: dict[str, MoveDecomposition | None] = {}
    for horizon in HORIZONS:
        start = reference_date(prices, horizon) if not prices.empty else None
        decompositions[horizon] = (
            None if start is None else decompose_local_move(local, start, prices.index[-1])
        )
    return MarketView(
        local=local,
        performance=performance_table(rows),
        decompositions=decompositions,
        volatility=annualised_volatility(prices) if not prices.empty else prices,
        drawdown=drawdown_pct(prices),
        peak_date=None if prices.empty else prices.idxmax(),
    )


@dataclass(frozen=True)
class PriceToday:
    """The latest benchmark price of a unit of fine gold, its inputs and its recent change."""

    quote: BenchmarkQuote
    change_1w_pct: float
    change_1m_pct: float
    recent: pd.Series  # the last 90 days of prices, for a small chart


def price_today(snapshot: MarketSnapshot, currency: str, unit: str) -> PriceToday | None:
    """The benchmark on the latest gold date that has a fresh exchange rate; None when none has.

    Raises analytics.benchmark.StaleDataError when the inputs on that date are too far apart.
    """
    prices = local_prices(snapshot, currency, unit)["price"].dropna()
    if prices.empty:
        return None
    latest = prices.index[-1]
    quote = benchmark_price_per_fine_gram(
        snapshot.gold_usd_per_oz, snapshot.fx_per_usd(currency), latest, currency=currency, unit=unit
    )
    return PriceToday(
        quote=quote,
        change_1w_pct=pct_change_since(prices, "1W"),
        change_1m_pct=pct_change_since(prices, "1M"),
        recent=prices.loc[latest - pd.Timedelta(days=90) :],
    )
