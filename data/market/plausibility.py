"""Is a price file in the series' unit? By comparison with stored values on overlapping days, and without
overlap by a plausible range per series.

Pure (no I/O). Hand-made files get units wrong in a few ways (DOMAIN.md): COP per USD written in
thousands (4,0123), an inverted rate (USD per COP), a gold price per gram in a per-ounce column. Such a
file is refused whole, with a one-line reason naming the likely cause: one wrong file would move every
benchmark, and a cleaner that dropped rows one by one would never see it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from analytics.units import GRAMS_PER_TROY_OUNCE
from data.files.parsing import Problem

#: What a value of each series can plausibly be, by era (from date, low, high): generous bounds around
#: history (gold was USD 35 in 1970, above 400 every day since 2006), so only a wrong unit falls outside.
PLAUSIBLE_RANGE: dict[str, list[tuple[str, float, float]]] = {
    "GOLD_USD": [
        ("1900-01-01", 30.0, 1_000.0),
        ("1980-01-01", 200.0, 1_000.0),
        ("2006-01-01", 400.0, 20_000.0),
    ],
    "SILVER_USD": [("1900-01-01", 1.0, 100.0), ("2006-01-01", 5.0, 500.0)],
    "USD_COP": [("1900-01-01", 500.0, 20_000.0)],
    "USD_PEN": [("1900-01-01", 0.5, 20.0)],
    "USD_BOB": [("1900-01-01", 1.0, 50.0)],
    "USD_MNT": [("1900-01-01", 300.0, 20_000.0)],
}
#: Two sources of the same series agree within this factor (spot and the LBMA fix: ±0.93 % on 90 % of days).
SAME_UNIT_FACTOR = 1.25
MIN_OVERLAP_ROWS = 3


@dataclass(frozen=True)
class Overlap:
    """How a file's values compare with the stored ones of other sources on common days."""

    rows: int
    source: str
    median_diff_pct: float
    max_diff_pct: float
    median_ratio: float

    def as_json(self) -> dict[str, object]:
        return {
            "rows": self.rows,
            "source": self.source,
            "median_diff_pct": round(self.median_diff_pct, 4),
            "max_diff_pct": round(self.max_diff_pct, 4),
        }


class UnitError(ValueError):
    """The file's values are not in the series' unit (nothing was stored): a code and its numbers.

    `cause` names the likely mistake: thousands, thousand_times, per_gram, hundred, inverted, factor
    (against stored values) or outside (of the plausible range); sentences in data/parsing (English) and
    i18n (Spanish).
    """

    def __init__(self, code: str, **params: object):
        self.code = code
        self.params = params
        super().__init__(Problem(code, params).english())


def overlap_with(new: pd.Series, stored: pd.DataFrame) -> Overlap | None:
    """Compare `new` (value by date) with `stored` (value, source by date: other sources only)."""
    common = new.index.intersection(stored.index)
    if len(common) == 0:
        return None
    ratio = new.loc[common].to_numpy(dtype=float) / stored.loc[common, "value"].to_numpy(dtype=float)
    diff_pct = (ratio - 1.0) * 100.0
    source = str(stored.loc[common, "source"].mode().iloc[0])
    return Overlap(
        len(common),
        source,
        float(np.median(diff_pct)),
        float(np.max(np.abs(diff_pct))),
        float(np.median(ratio)),
    )


def _likely_cause(series_id: str, factor: float) -> str | None:
    """Name the mistake that multiplies true values by `factor` (new ÷ expected), if it is a known one."""

    def near(target: float) -> bool:
        return target / SAME_UNIT_FACTOR <= factor <= target * SAME_UNIT_FACTOR

    if near(1 / 1000):
        return "thousands"
    if near(1000):
        return "thousand_times"
    if series_id in ("GOLD_USD", "SILVER_USD") and near(1 / GRAMS_PER_TROY_OUNCE):
        return "per_gram"
    if near(100) or near(1 / 100):
        return "hundred"
    return None


def check_units(series_id: str, new: pd.Series, overlap: Overlap | None) -> None:
    """Raise UnitError when `new` is not in `series_id`'s unit; nothing otherwise."""
    values = new.dropna()
    if values.empty:
        return
    median = float(values.median())
    if overlap is not None and overlap.rows >= MIN_OVERLAP_ROWS:
        factor = overlap.median_ratio
        if 1 / SAME_UNIT_FACTOR <= factor <= SAME_UNIT_FACTOR:
            return
        expected = median / factor
        inverted = series_id.startswith("USD_") and abs(np.log(median * expected)) < np.log(SAME_UNIT_FACTOR)
        cause = "inverted" if inverted else _likely_cause(series_id, factor) or "factor"
        raise UnitError(
            "wrong_unit_overlap",
            series=series_id,
            cause=cause,
            median=median,
            expected=expected,
            source=overlap.source,
            rows=overlap.rows,
        )
    low, high = plausible_range(series_id, values.index)
    if low <= median <= high:
        return
    raise UnitError(
        "wrong_unit_range",
        series=series_id,
        cause=_cause_by_range(series_id, median, low, high),
        median=median,
        low=low,
        high=high,
    )


def plausible_range(series_id: str, dates: pd.Index) -> tuple[float, float]:
    """The series' plausible (low, high) in the era of the file's middle date (no bound when unknown)."""
    eras = PLAUSIBLE_RANGE.get(series_id)
    if not eras or len(dates) == 0:
        return 0.0, float("inf")
    middle = pd.Timestamp(pd.DatetimeIndex(dates).sort_values()[len(dates) // 2])
    low, high = eras[0][1], eras[0][2]
    for start, era_low, era_high in eras:
        if middle >= pd.Timestamp(start):
            low, high = era_low, era_high
    return low, high


def _cause_by_range(series_id: str, median: float, low: float, high: float) -> str:
    """The one known mistake that brings the median back into range, else "outside the plausible range"."""
    candidates: list[tuple[str, float]] = []
    if series_id.startswith("USD_"):  # an exchange rate
        candidates.append(("inverted", 1 / median))
    else:  # a metal in USD per troy ounce
        candidates.append(("per_gram", median * GRAMS_PER_TROY_OUNCE))
    candidates += [
        ("thousands", median * 1000),
        ("thousand_times", median / 1000),
        ("hundred", median * 100),
        ("hundred", median / 100),
    ]
    for cause, corrected in candidates:
        if low <= corrected <= high:
            return cause
    return "outside"
