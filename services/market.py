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
    common_end_date,
    decompose_local_move,
    drawdown_pct,
    pct_change_since,
    performance_table,
    reference_date,
)
from data.market_data import MarketSnapshot, load_snapshot
from data.series import CURRENCIES, GOLD_SERIES
from data.store import MarketStore
from services.freshness import Freshness, freshness, last_date


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
    """Everything the Market page draws for one currency and unit.

    The performance table is computed as of one date, `performance_as_of`: the latest date every shown
    row has a price for. A table whose "1W" column compares gold in USD this week with pesos two years
    ago reads as one comparison and is not one; one stated date keeps every column comparable down the
    rows (the alternative, each row with its own date, leaves that comparison to the reader).
    `performance_ends` gives each row's own last date, so the page can say which row holds the date
    back; a row without any price (no exchange rate) is all NaN and ends on None.
    """

    local: pd.DataFrame
    performance: pd.DataFrame
    performance_as_of: pd.Timestamp | None
    performance_ends: dict[str, pd.Timestamp | None]
    decompositions: dict[str, MoveDecomposition | None]
    volatility: pd.Series
    drawdown: pd.Series
    peak_date: pd.Timestamp | None
    month_change_pct: float  # the shown currency's own last month (the chart's title)
    freshness: Freshness


def market_view(
    snapshot: MarketSnapshot, currency: str, unit: str, today: pd.Timestamp | str | None = None
) -> MarketView:
    """Local price history, the performance table, the move decompositions, volatility and drawdown."""
    local = local_prices(snapshot, currency, unit)
    prices = local["price"].dropna()
    if not prices.empty:  # gold days before the first exchange rate are not gaps: leave them out
        local = local.loc[prices.index[0] :]
    rows = {GOLD_SERIES: snapshot.gold_usd_per_oz}
    for code in CURRENCIES:
        if code != "USD":
            # a row ends with its exchange rate's last observation: a rate carried past its end would
            # make the row move with gold alone
            fx_end = last_date(snapshot.fx_per_usd(code))
            price = local_prices(snapshot, code, "g")["price"]
            rows[code] = price.loc[:fx_end] if fx_end is not None else price.iloc[:0]
    as_of = common_end_date(rows)
    decompositions: dict[str, MoveDecomposition | None] = {}
    for horizon in HORIZONS:
        start = reference_date(prices, horizon) if not prices.empty else None
        decompositions[horizon] = (
            None if start is None else decompose_local_move(local, start, prices.index[-1])
        )
    return MarketView(
        local=local,
        performance=performance_table(rows, as_of),
        performance_as_of=as_of,
        performance_ends={name: last_date(series) for name, series in rows.items()},
        decompositions=decompositions,
        volatility=annualised_volatility(prices) if not prices.empty else prices,
        drawdown=drawdown_pct(prices),
        peak_date=None if prices.empty else prices.idxmax(),
        month_change_pct=pct_change_since(prices, "1M") if not prices.empty else float("nan"),
        freshness=freshness(last_date(prices), today),
    )


@dataclass(frozen=True)
class PriceToday:
    """The latest benchmark price of a unit of fine gold, its inputs and its recent change."""

    quote: BenchmarkQuote
    change_1w_pct: float
    change_1m_pct: float
    recent: pd.Series  # the last 90 days of prices, for a small chart
    freshness: Freshness  # a stale price is never "today"


def price_today(
    snapshot: MarketSnapshot, currency: str, unit: str, today: pd.Timestamp | str | None = None
) -> PriceToday | None:
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
        freshness=freshness(latest, today),
    )
