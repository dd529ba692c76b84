"""Today's benchmark price of one unit of fine gold in a currency, as one typed answer.

The single source of the number that the alert runner, the light price card, the Overview's WhatsApp
text and `cli.py alerts run` / `card` all show. Reads stored data only (never demo data, never Yahoo);
no streamlit import.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from analytics.benchmark import (
    MAX_STALENESS_DAYS,
    StaleDataError,
    benchmark_price_per_fine_gram,
    local_price_series,
)
from analytics.market import pct_change_since
from analytics.units import grams_per_unit
from data.provenance import observation_sources
from data.series import GOLD_SERIES, fx_series_for
from data.store import MarketStore

#: Banco de la República buys gold at 95 % of its sell price (DOMAIN.md); documented for COP only.
BANREP_BUY_SHARE = 0.95
BUYER_REFERENCE = {"COP": ("Banco de la República", BANREP_BUY_SHARE)}
#: Calendar days of history read before the price's date: enough for the 1-week change and the FX as-of.
WINDOW_DAYS = 40


class NoPriceError(ValueError):
    """The store holds no usable gold or exchange-rate value on or before the date asked for."""


@dataclass(frozen=True)
class PriceToday:
    """One benchmark price with everything a reader needs to trust it.

    `date` is the day of the gold price used; `as_of` the day asked for (today by default);
    `age_days` how many days the price is older than `as_of`; `stale` when that exceeds the limit.
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

    @property
    def stale(self) -> bool:
        return self.age_days > MAX_STALENESS_DAYS

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
        }


def price_today(store: MarketStore, currency: str, unit: str = "g", *, as_of: object = None) -> PriceToday:
    """The benchmark price of one `unit` in `currency` on the last gold day on or before `as_of`.

    Only data up to `as_of` (default: today) is read. The price itself is DOMAIN.md's benchmark
    (gold USD/oz × currency per USD ÷ 31.1034768 × grams per unit), the exchange rate taken as of the
    gold day within the 7-day limit. Raises NoPriceError when there is no such price.
    """
    grams_per_unit(unit)  # an unknown unit fails before any query
    fx_id = fx_series_for(currency)
    day = pd.Timestamp(as_of if as_of is not None else pd.Timestamp.now()).normalize()
    start = day - pd.Timedelta(days=WINDOW_DAYS)
    gold = store.load_series(GOLD_SERIES, start, day)
    if gold.dropna().empty:  # rare: the data is older than the window; find its last day for the reason
        gold = store.load_series(GOLD_SERIES, None, day)
        if gold.dropna().empty:
            raise NoPriceError(f"no {GOLD_SERIES} stored on or before {day:%Y-%m-%d}")
        start = gold.dropna().index[-1] - pd.Timedelta(days=WINDOW_DAYS)
        gold = gold.loc[start:]
    fx = None
    if fx_id is not None:
        fx = store.load_series(fx_id, start - pd.Timedelta(days=MAX_STALENESS_DAYS), day)
        if fx.dropna().empty:
            raise NoPriceError(f"no {fx_id} stored near {day:%Y-%m-%d}")
    gold_day = gold.dropna().index[-1]
    try:
        quote = benchmark_price_per_fine_gram(gold, fx, gold_day, currency=currency, unit=unit)
    except StaleDataError as error:
        raise NoPriceError(str(error)) from None
    local = local_price_series(gold, fx, unit="g")["price"].dropna()
    week = pct_change_since(local, "1W", asof=gold_day)
    used = {GOLD_SERIES: quote.gold_date}
    if fx_id is not None and quote.fx_date is not None:
        used[fx_id] = quote.fx_date
    buyer = BUYER_REFERENCE.get(currency)
    return PriceToday(
        as_of=day,
        date=quote.gold_date,
        currency=currency,
        unit=unit,
        price=quote.price,
        price_per_gram=quote.price / grams_per_unit(unit),
        buyer_name=None if buyer is None else buyer[0],
        buyer_share=None if buyer is None else buyer[1],
        week_change_pct=week,
        gold_date=quote.gold_date,
        gold_usd_per_oz=quote.gold_usd_per_oz,
        fx_date=quote.fx_date,
        fx=quote.fx,
        sources=observation_sources(store, used),
        age_days=int((day - quote.gold_date).days),
    )
