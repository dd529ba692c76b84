"""The default benchmark: value of one fine gram of gold in a local currency (DOMAIN.md).

Pure: no I/O. Gold and FX live on different calendars, so they are aligned as-of (last value on or
before the date) with a limit on staleness, and the dates actually used are returned with the price.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import pandas as pd

from analytics.errors import CodedError
from analytics.units import GRAMS_PER_TROY_OUNCE, grams_per_unit

#: A gold or FX value older than this (calendar days) is not used for a benchmark.
MAX_STALENESS_DAYS = 7


class StaleDataError(CodedError):
    """No value of a series on or within the staleness limit before the requested date."""


@dataclass(frozen=True)
class BenchmarkQuote:
    """One benchmark price with the dates of the inputs it used."""

    date: pd.Timestamp
    gold_date: pd.Timestamp
    fx_date: pd.Timestamp | None
    gold_usd_per_oz: float
    fx: float
    price: float
    currency: str
    unit: str

    def as_json(self) -> dict[str, object]:
        """Dates as YYYY-MM-DD, for the CLI."""
        out = asdict(self)
        for key in ("date", "gold_date", "fx_date"):
            out[key] = None if out[key] is None else out[key].strftime("%Y-%m-%d")
        return out


def in_force_until(last: pd.Timestamp) -> pd.Timestamp:
    """The last day a series' final value still holds: its own day, or through the weekend after a Friday
    or Saturday value (no market fixes a price then). A later day is past the series' end: pricing it
    would carry the value forward, which the one "as of" rule refuses."""
    weekday = last.weekday()  # Monday 0 .. Sunday 6
    return last + pd.Timedelta(days=6 - weekday) if weekday >= 4 else last


def value_asof(series: pd.Series, date: pd.Timestamp, max_staleness_days: int | None = None) -> tuple:
    """(date used, value) of the last observation on or before `date`; StaleDataError if none, too old,
    or `date` lies past the series' end (`in_force_until` its last value)."""
    history = series.loc[:date].dropna()
    if history.empty:
        raise StaleDataError(
            f"{series.name}: no value on or before {date:%Y-%m-%d}",
            "no_value_before",
            series=series.name,
            date=date,
        )
    used = history.index[-1]
    if max_staleness_days is not None and (date - used).days > max_staleness_days:
        raise StaleDataError(
            f"{series.name}: last value {used:%Y-%m-%d} is more than {max_staleness_days} days "
            f"before {date:%Y-%m-%d}",
            "stale_value",
            series=series.name,
            used=used,
            days=max_staleness_days,
            date=date,
        )
    if date > in_force_until(pd.Timestamp(series.dropna().index[-1])):
        raise StaleDataError(
            f"{series.name}: the series ends {used:%Y-%m-%d}, before {date:%Y-%m-%d}",
            "series_ended",
            series=series.name,
            used=used,
            date=date,
        )
    return used, float(history.iloc[-1])


def benchmark_price_per_fine_gram(
    gold_usd_per_oz: pd.Series,
    fx_per_usd: pd.Series | None,
    date: pd.Timestamp | str,
    *,
    currency: str,
    unit: str = "g",
    max_staleness_days: int = MAX_STALENESS_DAYS,
) -> BenchmarkQuote:
    """Benchmark value of one `unit` of fine gold in `currency` on `date`.

    gold USD/oz (last on or before) x currency per USD (last on or before) / 31.1034768 x grams per unit.
    `fx_per_usd` is None for USD.
    """
    day = pd.Timestamp(date).normalize()
    gold_date, gold = value_asof(gold_usd_per_oz, day, max_staleness_days)
    if fx_per_usd is None:
        fx_date, fx = None, 1.0
    else:
        fx_date, fx = value_asof(fx_per_usd, day, max_staleness_days)
    price = gold * fx / GRAMS_PER_TROY_OUNCE * grams_per_unit(unit)
    return BenchmarkQuote(day, gold_date, fx_date, gold, fx, price, currency, unit)


def local_price_series(
    gold_usd_per_oz: pd.Series,
    fx_per_usd: pd.Series | None,
    *,
    unit: str = "g",
    max_staleness_days: int = MAX_STALENESS_DAYS,
) -> pd.DataFrame:
    """Benchmark price per `unit` on every gold date, with the FX value and date used.

    Columns: gold_usd_per_oz, fx, fx_date, price. Gold dates whose FX is missing or staler than the
    limit keep a NaN price rather than disappearing, so a gap shows as a gap; so do gold dates after the
    rate's last value (a rate carried past its end would price gold alone: the "as of" rule).
    """
    gold = gold_usd_per_oz.dropna().sort_index()
    frame = pd.DataFrame({"date": gold.index, "gold_usd_per_oz": gold.to_numpy(dtype=float)})
    if fx_per_usd is None:
        frame["fx"] = 1.0
        frame["fx_date"] = frame["date"]
    else:
        fx = fx_per_usd.dropna().sort_index()
        fx_frame = pd.DataFrame({"fx_date": fx.index, "fx": fx.to_numpy(dtype=float)})
        frame = pd.merge_asof(
            frame,
            fx_frame,
            left_on="date",
            right_on="fx_date",
            direction="backward",
            tolerance=pd.Timedelta(days=max_staleness_days),
        )
        if not fx.empty:
            frame.loc[frame["date"] > fx.index[-1], ["fx", "fx_date"]] = pd.NA
    frame["price"] = frame["gold_usd_per_oz"] * frame["fx"] / GRAMS_PER_TROY_OUNCE * grams_per_unit(unit)
    return frame.set_index("date")
