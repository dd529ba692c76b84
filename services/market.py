"""Market views: the snapshot of every series, local prices, the Market page's numbers, today's price.

No streamlit and no formatting: a view of numbers and dates, drawn by app_pages/ and printed by cli.py.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from analytics.benchmark import (
    MAX_STALENESS_DAYS,
    BenchmarkQuote,
    benchmark_price_per_fine_gram,
    local_price_series,
)
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
from data.market.market_data import MarketSnapshot, load_snapshot
from data.market.rate_kinds import OFFICIAL, RateKindChoice, stored_rate_kind
from data.market.series import CURRENCIES, GOLD_SERIES, fx_series_for
from data.market.statistics import statistic_of
from data.settings import stale_after_days
from data.store import MarketStore
from services.as_of import AsOf, complete_day
from services.freshness import Freshness, freshness, last_date


def market_snapshot(
    store: MarketStore, today: pd.Timestamp | None = None, rate_kinds: dict[str, str] | None = None
) -> MarketSnapshot:
    """Every series with its provenance; seeded demo data for any series the store lacks; each rate at
    the kind `rate_kinds` (else the setting) names for its currency."""
    return load_snapshot(store, today=today, rate_kinds=rate_kinds)


def real_fx(snapshot: MarketSnapshot) -> dict[str, pd.Series]:
    """Local currency per USD for every currency whose rate may be combined with the gold series.

    Real gold times a demo exchange rate would be an invented price: such a currency is left out. When
    gold itself is demo, every rate goes with it (the whole view is then demo, and says so).
    """
    rates = {}
    for currency in CURRENCIES:
        series_id = fx_series_for(currency)
        rate = None if series_id is None else snapshot.usable(series_id)
        if rate is not None and not rate.empty:
            rates[currency] = rate
    return rates


def local_prices(snapshot: MarketSnapshot, currency: str, unit: str) -> pd.DataFrame:
    """Benchmark price per `unit` in `currency` on every gold date, with the inputs used (no price from a
    demo rate beside real gold)."""
    fx_id = fx_series_for(currency)
    fx = None if fx_id is None else snapshot.usable(fx_id)
    return local_price_series(snapshot.gold_usd_per_oz, fx, unit=unit)


@dataclass(frozen=True)
class MarketView:
    """Everything the Market page draws for one currency and unit.

    Each row of the performance table is computed as of its own last day, `performance_ends` (the as-of
    day of its currency, as every other page uses): dating all rows by the least recent one gave one
    currency three "last price" days across pages (issue 30); the page shows each row's day beside it.
    A row without any price (no exchange rate) is all NaN and ends on None. `performance_as_of` is the
    earliest of those ends.
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
            fx_end = last_date(snapshot.usable(str(fx_series_for(code))))
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
        performance=performance_table(rows),
        performance_as_of=as_of,
        performance_ends={name: last_date(series) for name, series in rows.items()},
        decompositions=decompositions,
        volatility=annualised_volatility(prices) if not prices.empty else prices,
        drawdown=drawdown_pct(prices),
        peak_date=None if prices.empty else prices.idxmax(),
        month_change_pct=pct_change_since(prices, "1M") if not prices.empty else float("nan"),
        freshness=freshness(last_date(prices), today),
    )


def prices_at_kinds(snapshot: MarketSnapshot, currency: str, day: pd.Timestamp) -> dict[str, float]:
    """The benchmark gram in `currency` on `day` at every stored rate kind (empty with only one kind);
    a kind without a fresh rate on that day is left out."""
    prices = {}
    for kind, rate in snapshot.fx_by_kind.get(currency, {}).items():
        try:
            quote = benchmark_price_per_fine_gram(snapshot.gold_usd_per_oz, rate, day, currency=currency)
        except ValueError:  # no rate of this kind within the staleness limit
            continue
        prices[kind] = quote.price
    return prices


class MissingSeriesError(ValueError):
    """A series the command needs is not stored (import a file or refresh first)."""


@dataclass(frozen=True)
class SourcedQuote:
    """A benchmark quote from stored data, with the source of each input and whether they are stale."""

    quote: BenchmarkQuote
    gold_source: str
    fx_source: str | None
    stale: bool
    #: The "as of" rule's answer that chose the day (judged on today, or on the day asked for).
    rule: AsOf | None = None
    #: The exchange-rate kind used (official unless chosen; a missing kind falls back to official).
    rate_kind: RateKindChoice = RateKindChoice(OFFICIAL, OFFICIAL)

    def as_json(self) -> dict[str, object]:
        out: dict[str, object] = {
            **self.quote.as_json(),
            "gold_source": self.gold_source,
            "fx_source": self.fx_source,
            "gold_statistic": statistic_of(self.gold_source),
            "fx_statistic": None if self.fx_source is None else statistic_of(self.fx_source),
            **self.rate_kind.as_json(),
            "stale": self.stale,
        }
        if self.rule is not None:
            out.update(
                as_of=f"{self.rule.today:%Y-%m-%d}",
                age_days=self.rule.age_days,
                held_back_by=[held.as_json() for held in self.rule.held_back_by],
            )
        return out


def stored_benchmark(
    store: MarketStore,
    date: pd.Timestamp | None,
    currency: str,
    unit: str = "g",
    max_staleness_days: int = MAX_STALENESS_DAYS,
    today: object = None,
    rate_kind: str | None = None,
) -> SourcedQuote:
    """The benchmark of one fine `unit` in `currency` on `date` from stored data only (no demo), with the
    source of the gold and FX values used; stale when an input is older than the staleness setting.

    The day is the latest complete one on or before `date` (default `today`, now) by the "as of" rule
    (services/as_of.py): `date` itself when both series hold on it; staleness is the priced day's age.
    The rate is of `rate_kind` (default: the GOLD_DASHBOARD_RATE_KIND setting's for the currency), official
    when that kind is not stored.
    """
    gold = store.load_series_with_sources(GOLD_SERIES)
    if gold.empty:
        raise MissingSeriesError(f"no {GOLD_SERIES} stored: import a gold price file or refresh first")
    fx_id = fx_series_for(currency)
    kind = stored_rate_kind(store, currency, rate_kind)
    fx = None if fx_id is None else store.load_series_with_sources(fx_id, rate_kind=kind.used)
    if fx is not None and fx.empty:
        raise MissingSeriesError(f"no {fx_id} stored: import an exchange-rate file or refresh first")
    gold_values = gold["value"].rename(GOLD_SERIES)
    fx_values = None if fx is None else fx["value"].rename(fx_id)
    # one rule for the day, asked or not: a weekend day takes the rate in force that day, and a day past
    # a series' end is answered with the latest complete day before it (held_back_by says why)
    rule = complete_day(
        gold_values,
        fx_values,
        currency,
        today if date is None else date,
        max_staleness_days=max_staleness_days,
    )
    if rule.day is None:
        if date is not None:  # the benchmark's own reason (no value before the day, or too old)
            benchmark_price_per_fine_gram(
                gold_values, fx_values, date, currency=currency, max_staleness_days=max_staleness_days
            )
        raise MissingSeriesError(
            f"no day on or before {rule.today:%Y-%m-%d} has both {GOLD_SERIES} and {fx_id} "
            f"within {max_staleness_days} days of each other"
        )
    quote = benchmark_price_per_fine_gram(
        gold_values, fx_values, rule.day, currency=currency, unit=unit, max_staleness_days=max_staleness_days
    )
    oldest = min(day for day in (quote.gold_date, quote.fx_date) if day is not None)
    return SourcedQuote(
        quote=quote,
        gold_source=str(gold.loc[quote.gold_date, "source"]),
        fx_source=None if fx is None or quote.fx_date is None else str(fx.loc[quote.fx_date, "source"]),
        stale=rule.stale if date is None else (date - oldest).days > stale_after_days(),
        rule=rule,
        rate_kind=kind,
    )
