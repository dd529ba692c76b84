"""The one "as of" rule: which day a price is shown for, from whatever real data there is.

Real series end on different days (Stooq gold to February, the TRM file to last August). Every price a
user sees takes its day from `complete_day`: the latest day on which gold and the currency's exchange
rate both have values under the benchmark's own date rules, which series end earlier, and the age
against today. No streamlit and no I/O: series in, a typed answer out.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

import pandas as pd

from analytics.benchmark import (
    MAX_STALENESS_DAYS,
    StaleDataError,
    benchmark_price_per_fine_gram,
    in_force_until,
    local_price_series,
)
from data.market.series import GOLD_SERIES, fx_series_for
from data.settings import stale_after_days
from services.freshness import Freshness


@dataclass(frozen=True)
class HeldBack:
    """A series that ends before gold does (or is missing: `last` None), so the price's day is earlier."""

    series: str
    last: pd.Timestamp | None

    def as_json(self) -> dict[str, object]:
        return {"series": self.series, "last": None if self.last is None else f"{self.last:%Y-%m-%d}"}


@dataclass(frozen=True)
class AsOf:
    """The latest complete day for one currency, judged on `today`.

    `day` is None when no day has both a gold price and an exchange rate (or only demo ones stand in
    beside real gold: real gold times an invented rate is no price). `demo` says the day's price would be
    built on demo series (then every figure from it must say so); `demo_series` names them.
    """

    currency: str
    day: pd.Timestamp | None
    today: pd.Timestamp
    gold_last: pd.Timestamp | None
    fx_last: pd.Timestamp | None
    held_back_by: tuple[HeldBack, ...]
    demo_series: tuple[str, ...]
    limit_days: int

    @property
    def demo(self) -> bool:
        return bool(self.demo_series)

    @property
    def age_days(self) -> int | None:
        return None if self.day is None else int((self.today - self.day).days)

    @property
    def stale(self) -> bool:
        """No complete day at all, or one older than the staleness setting."""
        age = self.age_days
        return age is None or age > self.limit_days

    @property
    def freshness(self) -> Freshness:
        return Freshness(self.day, self.today, self.limit_days)

    @property
    def limiting_series(self) -> list[HeldBack]:
        """The series that hold the day back: those ending before gold, else gold itself."""
        if self.held_back_by:
            return list(self.held_back_by)
        return [HeldBack(GOLD_SERIES, self.gold_last)]

    def as_json(self) -> dict[str, object]:
        return {
            "as_of": f"{self.today:%Y-%m-%d}",
            "date": None if self.day is None else f"{self.day:%Y-%m-%d}",
            "age_days": self.age_days,
            "stale": self.stale,
            "held_back_by": [held.as_json() for held in self.held_back_by],
            "demo_series": list(self.demo_series),
        }


def _last(series: pd.Series | None) -> pd.Timestamp | None:
    return None if series is None or series.empty else pd.Timestamp(series.index[-1])


def _latest_priced_day(
    gold: pd.Series, fx: pd.Series | None, today: pd.Timestamp, currency: str, max_staleness_days: int
) -> pd.Timestamp | None:
    """`today` itself when both series still hold on it (a weekend day takes Friday's gold and the rate in
    force that day), else the last day both hold; a gap in either falls back to the last gold day with a
    price. The series are whole (they may go on after `today`; only values up to the day are used)."""
    ends = [gold] if fx is None else [gold, fx]
    end = min([today, *(in_force_until(pd.Timestamp(series.index[-1])) for series in ends)])
    try:
        benchmark_price_per_fine_gram(gold, fx, end, currency=currency, max_staleness_days=max_staleness_days)
        return end
    except StaleDataError:
        prices = local_price_series(gold, fx, max_staleness_days=max_staleness_days)["price"].dropna()
        prices = prices.loc[:end]
        return None if prices.empty else pd.Timestamp(prices.index[-1])


def complete_day(
    gold_usd_per_oz: pd.Series | None,
    fx_per_usd: pd.Series | None,
    currency: str,
    today: object = None,
    *,
    demo_series: Collection[str] = (),
    limit_days: int | None = None,
    max_staleness_days: int = MAX_STALENESS_DAYS,
) -> AsOf:
    """The latest day, on or before `today`, whose benchmark in `currency` has both inputs.

    A day counts when both series still hold on it (`in_force_until` their last values, so a rate is
    never carried past its end) and each has a value on or up to `max_staleness_days` before it (the
    benchmark's own rule); a weekend day is priced with Friday's gold and the rate in force that day. `fx_per_usd` is ignored for USD. Series in `demo_series` are invented:
    a demo rate beside real gold is treated as missing; demo gold makes the whole answer demo.
    """
    day_today = pd.Timestamp(today if today is not None else pd.Timestamp.now()).normalize()
    limit = stale_after_days() if limit_days is None else limit_days
    fx_id = fx_series_for(currency)
    demo = set(demo_series)
    gold_is_demo = GOLD_SERIES in demo
    gold_all = pd.Series(dtype=float) if gold_usd_per_oz is None else gold_usd_per_oz.dropna()
    fx_all = None  # whole series: where each ends is read before the cut (one going on holds on `today`)
    if fx_id is not None:
        fx_is_fake = fx_id in demo and not gold_is_demo  # real gold with an invented rate: no rate
        fx_all = pd.Series(dtype=float) if fx_per_usd is None or fx_is_fake else fx_per_usd.dropna()
    gold = gold_all.loc[:day_today]
    fx = None if fx_all is None else fx_all.loc[:day_today]
    gold_last, fx_last = _last(gold), _last(fx)
    # demo gold makes the figure demo, and a demo rate only travels with it
    used_demo = tuple(sid for sid in (GOLD_SERIES, fx_id) if gold_is_demo and sid in demo)

    day = None
    if gold_last is not None and (fx_id is None or fx_last is not None):
        day = _latest_priced_day(gold_all, fx_all, day_today, currency, max_staleness_days)

    held: list[HeldBack] = []
    if gold_last is None:
        held.append(HeldBack(GOLD_SERIES, None))
    ends_early = gold_last is not None and fx_last is not None and fx_last < gold_last
    if fx_id is not None and (fx_last is None or (ends_early and (day is None or day < gold_last))):
        held.append(HeldBack(fx_id, fx_last))
    return AsOf(
        currency=currency,
        day=day,
        today=day_today,
        gold_last=gold_last,
        fx_last=fx_last,
        held_back_by=tuple(held),
        demo_series=used_demo if day is not None else (),
        limit_days=limit,
    )
