"""Today's benchmark price of one unit of fine gold in a currency, as one typed answer.

The single source of the number that the alert runner, the light price card, the Overview's WhatsApp
text and `cli.py alerts run` / `card` all show. Reads stored data only (never demo data, never Yahoo);
no streamlit import.
"""

from __future__ import annotations

import math
from collections.abc import Collection
from dataclasses import dataclass

import pandas as pd

from analytics.benchmark import MAX_STALENESS_DAYS, benchmark_price_per_fine_gram, local_price_series
from analytics.market import pct_change_since
from analytics.units import grams_per_unit
from data.market.market_data import MarketSnapshot
from data.market.rate_kinds import OFFICIAL, RateKindChoice, stored_rate_kind
from data.market.series import GOLD_SERIES, fx_series_for
from data.store import MarketStore
from services.as_of import AsOf, HeldBack, complete_day
from services.freshness import Freshness
from services.reference_buyers import reference_buyer


class NoPriceError(ValueError):
    """No day has both a gold price and an exchange rate: `as_of` says which series are missing or end."""

    def __init__(self, message: str, as_of: AsOf | None = None) -> None:
        super().__init__(message)
        self.as_of = as_of


@dataclass(frozen=True)
class PriceToday:
    """One benchmark price with everything a reader needs to trust it.

    `date` is the latest complete day by the one "as of" rule (services/as_of.py), the day priced (on a
    weekend, Friday's gold `gold_date` with the rate in force that day `fx_date`); `as_of` the day asked for (today by default); `age_days` how many days the price is
    older than `as_of`; `stale` when that exceeds the limit; `rule` the whole answer of the rule (which
    series end earlier, whether the price is built on demo series).
    """

    as_of: pd.Timestamp
    date: pd.Timestamp
    currency: str
    unit: str
    price: float  # one `unit` of fine gold in `currency`
    price_per_gram: float
    buyer_name: str | None  # the reference buyer where one is documented (Banco de la República, COP)
    buyer_share: float | None
    week_change_pct: float  # NaN when there is less than a week of history
    gold_date: pd.Timestamp
    gold_usd_per_oz: float
    fx_date: pd.Timestamp | None
    fx: float
    sources: dict[str, str]  # series id -> source of the value used
    age_days: int
    rule: AsOf
    month_change_pct: float = float("nan")
    #: The exchange-rate kind the price used (and the one asked for: a missing kind falls back to official).
    rate_kind: RateKindChoice = RateKindChoice(OFFICIAL, OFFICIAL)

    @property
    def freshness(self) -> Freshness:
        """When the price's data end, judged on `as_of` with the staleness setting."""
        return self.rule.freshness

    @property
    def held_back_by(self) -> tuple[HeldBack, ...]:
        return self.rule.held_back_by

    @property
    def demo(self) -> bool:
        """Built on a demo series: every figure from it says so."""
        return self.rule.demo

    @property
    def stale(self) -> bool:
        return self.freshness.stale

    @property
    def buyer_price(self) -> float | None:
        return None if self.buyer_share is None else self.price * self.buyer_share

    def price_of(self, unit: str) -> float:
        return self.price_per_gram * grams_per_unit(unit)

    def buyer_price_of(self, unit: str) -> float | None:
        return None if self.buyer_share is None else self.price_of(unit) * self.buyer_share

    def as_json(self) -> dict[str, object]:
        return {
            "date": f"{self.date:%Y-%m-%d}",
            "as_of": f"{self.as_of:%Y-%m-%d}",
            "currency": self.currency,
            "unit": self.unit,
            "price": self.price,
            "buyer_price": self.buyer_price,
            "week_change_pct": None if math.isnan(self.week_change_pct) else self.week_change_pct,
            "gold_date": f"{self.gold_date:%Y-%m-%d}",
            "fx_date": None if self.fx_date is None else f"{self.fx_date:%Y-%m-%d}",
            "sources": self.sources,
            "stale": self.stale,
            "age_days": self.age_days,
            "held_back_by": [held.as_json() for held in self.held_back_by],
            **self.rate_kind.as_json(),
        }


def price_from_series(
    gold: pd.DataFrame,
    fx: pd.DataFrame | None,
    currency: str,
    unit: str,
    as_of: pd.Timestamp,
    demo_series: Collection[str] = (),
    rate_kind: RateKindChoice | None = None,
) -> PriceToday:
    """The benchmark of one `unit` on the latest complete day on or before `as_of` (the "as of" rule).

    `fx` is the rate of the kind `rate_kind` names (official when not given).
    `gold` and `fx` hold columns value and source on a DatetimeIndex (data up to `as_of` only is used);
    `demo_series` names the series that are invented. Raises NoPriceError, carrying the rule's answer,
    when no day has both inputs.
    """
    fx_id = fx_series_for(currency)
    # whole series to the rule (whether one goes on past `as_of`); only values up to it price the day
    rule = complete_day(
        gold["value"], None if fx is None else fx["value"], currency, as_of, demo_series=demo_series
    )
    gold_values = gold["value"].loc[:as_of].dropna().rename(GOLD_SERIES)
    fx_values = None if fx is None else fx["value"].loc[:as_of].dropna().rename(fx_id)
    if rule.day is None:
        missing = ", ".join(
            f"no {held.series} stored" if held.last is None else f"{held.series} ends {held.last:%Y-%m-%d}"
            for held in rule.held_back_by
        )
        raise NoPriceError(f"no day on or before {as_of:%Y-%m-%d} has gold and its rate ({missing})", rule)
    day = rule.day
    quote = benchmark_price_per_fine_gram(
        gold["value"].dropna().rename(GOLD_SERIES),
        None if fx is None else fx["value"].dropna().rename(fx_id),
        day,
        currency=currency,
        unit=unit,
    )
    local = local_price_series(gold_values.loc[:day], None if fx_values is None else fx_values.loc[:day])
    local_prices = local["price"].dropna()
    sources = {GOLD_SERIES: str(gold.loc[quote.gold_date, "source"])}
    if fx is not None and quote.fx_date is not None:
        sources[str(fx_id)] = str(fx.loc[quote.fx_date, "source"])
    buyer = reference_buyer(currency)  # Banco de la República for COP; elsewhere only a configured one
    return PriceToday(
        as_of=as_of,
        date=day,
        currency=currency,
        unit=unit,
        price=quote.price,
        price_per_gram=quote.price / grams_per_unit(unit),
        buyer_name=None if buyer is None else buyer.name,
        buyer_share=None if buyer is None else buyer.share,
        week_change_pct=pct_change_since(local_prices, "1W", asof=day),
        gold_date=quote.gold_date,
        gold_usd_per_oz=quote.gold_usd_per_oz,
        fx_date=quote.fx_date,
        fx=quote.fx,
        sources=sources,
        age_days=int((as_of - day).days),
        rule=rule,
        month_change_pct=pct_change_since(local_prices, "1M", asof=day),
        rate_kind=rate_kind or RateKindChoice(OFFICIAL, OFFICIAL),
    )


def price_today(
    store: MarketStore, currency: str, unit: str = "g", *, as_of: object = None, rate_kind: str | None = None
) -> PriceToday:
    """The benchmark price from stored data only (never demo data), on the latest complete day on or
    before `as_of` (default today: the "as of" rule); only values up to that day price it. The rate is of
    `rate_kind` (default: GOLD_DASHBOARD_RATE_KIND's for the currency; official when not stored)."""
    grams_per_unit(unit)  # an unknown unit fails before any query
    day = pd.Timestamp(as_of if as_of is not None else pd.Timestamp.now()).normalize()
    fx_id = fx_series_for(currency)
    kind = stored_rate_kind(store, currency, rate_kind)
    # a week past the day is read only to know whether a series goes on (a holiday, not its end)
    known = day + pd.Timedelta(days=MAX_STALENESS_DAYS)
    gold = store.load_series_with_sources(GOLD_SERIES, None, known)
    fx = None if fx_id is None else store.load_series_with_sources(fx_id, None, known, kind.used)
    return price_from_series(gold, fx, currency, unit, day, rate_kind=kind)


def snapshot_price_today(
    snapshot: MarketSnapshot, currency: str, unit: str = "g", today: object = None
) -> PriceToday:
    """The same price from a page's snapshot: demo gold gives a demo price (`demo`, which the page says on
    the figure itself); real gold beside a demo rate gives no local price (NoPriceError)."""

    def with_sources(series_id: str) -> pd.DataFrame:
        values = snapshot.series[series_id]
        sources = snapshot.sources.get(series_id)
        if sources is None:
            sources = pd.Series("demo", index=values.index)
        return pd.DataFrame({"value": values, "source": sources.reindex(values.index)})

    fx_id = fx_series_for(currency)
    day = pd.Timestamp(today if today is not None else pd.Timestamp.now()).normalize()
    return price_from_series(
        with_sources(GOLD_SERIES),
        None if fx_id is None else with_sources(fx_id),
        currency,
        unit,
        day,
        demo_series=snapshot.demo_series,
        rate_kind=snapshot.rate_kind(currency),
    )


@dataclass(frozen=True)
class PriceAnswer:
    """What a page shows for a currency: the price by the "as of" rule, or why there is none.

    `gold_usd` is the gold price in dollars on its own last day, offered when no local price can be
    shown (no real exchange rate): that price is real, a peso price from a demo rate would not be.
    """

    rule: AsOf
    price: PriceToday | None
    gold_usd: PriceToday | None = None


def snapshot_price_answer(
    snapshot: MarketSnapshot, currency: str, unit: str = "g", today: object = None
) -> PriceAnswer:
    """The page's price for `currency`, or the rule's reason for none with the dollar price beside it."""
    try:
        price = snapshot_price_today(snapshot, currency, unit, today)
    except NoPriceError as error:
        assert error.as_of is not None
        try:
            gold_usd = snapshot_price_today(snapshot, "USD", unit, today)
        except NoPriceError:
            gold_usd = None
        return PriceAnswer(error.as_of, None, gold_usd)
    return PriceAnswer(price.rule, price)
