"""Market regimes (the 1980 peak and long fall, 2001–2011's rise, ...) and forecast scores per regime.

Pure: dates and arrays in, a table out. A band tuned on one regime is judged on every one: the
benchmark (benchmarks/forecast.py --quality) and the selection rule read these tables.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analytics.forecast.bands import LEVELS, interval_score


@dataclass(frozen=True)
class Regime:
    """A stretch of market history named by what it did; a fold belongs to the regime of its origin."""

    code: str
    start: str  # first day, ISO
    end: str  # last day, ISO (inclusive)


# Turning points read off the LBMA file: the 850.00 peak of 1980-01-21, the 1,895.00 peak of 2011-09-05,
# the 1,049.40 low of 2015-12-17; the 1999–2001 floor (252.80 to 255.95) ends the long fall at 2000's close,
# and the flat years end when gold left 1,300 for good in June 2019.
GOLD_REGIMES = (
    Regime("rise_1968_1980", "1968-01-01", "1980-01-21"),
    Regime("fall_1980_2000", "1980-01-22", "2000-12-31"),
    Regime("rise_2001_2011", "2001-01-01", "2011-09-05"),
    Regime("fall_2011_2015", "2011-09-06", "2015-12-17"),
    Regime("flat_2015_2019", "2015-12-18", "2019-05-31"),
    Regime("rally_2019_2021", "2019-06-01", "2099-12-31"),
)
# The gram in pesos: gold's regimes, with the peso's jumps carved out (USD/COP 1,881 at June 2014's close
# to 3,289 in February 2016; 3,458 to 4,175 in March 2020, which also opened gold's 2020 run).
COP_GRAM_REGIMES = (
    *GOLD_REGIMES[1:3],
    Regime("fall_2011_2014", "2011-09-06", "2014-07-31"),
    Regime("peso_jump_2014_2016", "2014-08-01", "2016-02-29"),
    Regime("flat_2016_2019", "2016-03-01", "2019-05-31"),
    Regime("rally_2019_2020", "2019-06-01", "2020-02-29"),
    Regime("peso_jump_2020", "2020-03-01", "2099-12-31"),
)
# The sol moved less (2.55 to 3.41 per USD over 2012–2015, inside gold's fall): gold's regimes from 1997.
PEN_GRAM_REGIMES = GOLD_REGIMES[1:]
ALL_REGIMES = "all"


def regime_of(days: Sequence[pd.Timestamp] | pd.DatetimeIndex, regimes: Sequence[Regime]) -> np.ndarray:
    """The regime code of every day ("" for a day no regime covers); the first regime that covers it wins."""
    days = pd.DatetimeIndex(days)
    codes = np.full(len(days), "", dtype=object)
    for regime in reversed(regimes):  # reversed: the first matching regime is written last
        inside = (days >= pd.Timestamp(regime.start)) & (days <= pd.Timestamp(regime.end))
        codes[np.asarray(inside)] = regime.code
    return codes


@dataclass(frozen=True)
class Band:
    """One model's bands at every fold, in prices: lo[level] and hi[level] are (folds, h) arrays."""

    lo: dict[int, np.ndarray]
    hi: dict[int, np.ndarray]


def scores_by_regime(
    origin_days: Sequence[pd.Timestamp] | pd.DatetimeIndex,
    actual: np.ndarray,
    band: Band,
    regimes: Sequence[Regime],
) -> pd.DataFrame:
    """Per regime (in the order given, then "all"): folds, mean interval score (IS80, IS95, target's
    units, over every fold and step) and coverage (cov80, cov95). Regimes with no fold are left out."""
    codes = regime_of(origin_days, regimes)
    rows = {}
    for code in [regime.code for regime in regimes] + [ALL_REGIMES]:
        mask = np.ones(len(codes), bool) if code == ALL_REGIMES else codes == code
        if not mask.any():
            continue
        row: dict[str, float] = {"folds": float(mask.sum())}
        for level in LEVELS:
            lo, hi, y = band.lo[level][mask], band.hi[level][mask], actual[mask]
            row[f"is{level}"] = float(interval_score(y, lo, hi, level).mean())
            row[f"cov{level}"] = float(np.mean((y >= lo) & (y <= hi)))
        rows[code] = row
    return pd.DataFrame.from_dict(rows, orient="index")


MIN_REGIME_FOLDS = 10  # a regime judged on fewer folds than this is pooled with the other short ones
POOLED_REGIMES = "pooled_short_regimes"


def pool_short_regimes(
    table: pd.DataFrame, folds: pd.Series, min_folds: int = MIN_REGIME_FOLDS
) -> pd.DataFrame:
    """The regimes (rows, "all" excluded) with at least `min_folds` folds, plus one row for the short ones
    pooled (their fold-weighted mean) when together they reach `min_folds`; shorter still, they are left out.

    Why: one or two folds decide nothing (a single 2019–2021 fold flipped the choice at a coarse step).
    """
    regimes = table.drop(index=ALL_REGIMES, errors="ignore")
    counts = folds.reindex(regimes.index).fillna(0)
    short = counts < min_folds
    kept = regimes[~short]
    if counts[short].sum() >= min_folds:
        pooled = regimes[short].mul(counts[short], axis=0).sum() / counts[short].sum()
        kept = pd.concat([kept, pooled.to_frame(POOLED_REGIMES).T])
    return kept


def worst_ratio_by_model(table: pd.DataFrame) -> pd.Series:
    """Per model (columns), its worst regime's score divided by that regime's best score (rows: regimes,
    "all" excluded). 1.0 means it wins every regime; the rule keeps the model whose worst is least."""
    regimes = table.drop(index=ALL_REGIMES, errors="ignore")
    ratios = regimes.div(regimes.min(axis=1), axis=0)
    return ratios.max(axis=0)


def least_worst_regime(
    table: pd.DataFrame, folds: pd.Series | None = None, min_folds: int = MIN_REGIME_FOLDS
) -> str:
    """The model that loses least in its worst regime (ties: the lower score over all folds, then the
    first column): the selection rule judged regime by regime, not on the average.

    With ``folds`` (per regime), regimes shorter than ``min_folds`` are pooled (``pool_short_regimes``);
    with no regime left to judge, the lower score over all folds wins.
    """
    overall = table.loc[ALL_REGIMES] if ALL_REGIMES in table.index else table.mean(axis=0)
    judged = table if folds is None else pool_short_regimes(table, folds, min_folds)
    if judged.drop(index=ALL_REGIMES, errors="ignore").empty:
        return str(min(table.columns, key=lambda model: float(overall[model])))
    worst = worst_ratio_by_model(judged)
    order = sorted(table.columns, key=lambda model: (round(float(worst[model]), 9), float(overall[model])))
    return str(order[0])
