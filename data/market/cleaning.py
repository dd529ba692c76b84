"""Row-level cleaning of a price series before it is stored: flag, never silently drop.

Pure (no I/O). Rows that cannot be stored (no date, no value, non-positive, impossible next to their
neighbours, a conflicting duplicate) are *rejected* with their line and reason; rows that are stored
but deserve a look (weekend dates, extreme but possible moves, absurd OHLC fields) are *flagged*.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from data.files.parsing import Problem

#: A value more than this factor away from the median of its neighbours cannot be a real price
#: (USD/COP at 2.0 beside 3,300); real one-day moves, even gold's -10 % of 2026-01-30, are far smaller.
IMPOSSIBLE_FACTOR = 3.0
NEIGHBOUR_WINDOW = 11
#: A day-over-day move larger than this (in %) is kept but flagged as extreme.
EXTREME_MOVE_PCT = 8.0


@dataclass
class CleanResult:
    """The observations to store, and what was flagged or rejected on the way."""

    observations: pd.DataFrame  # columns date, value; sorted, unique dates
    flagged: list[dict] = field(default_factory=list)  # {"line", "date", "reason", "code", "problems", ...}
    rejected: list[dict] = field(default_factory=list)  # {"line", "date", "reason", "code", "problems", ...}


def _iso(date: object) -> str | None:
    return None if date is None or pd.isna(date) else pd.Timestamp(date).strftime("%Y-%m-%d")


def problem_entry(line: object, date: object, code: str, **params: object) -> dict:
    """A flagged or rejected row: its line and date, the English reason, and the problem as a code.

    The params are repeated at the top level (the CLI's JSON) and under "problems" (what
    presentation.tables.problem_rows reads to write the reason in the user's language).
    """
    problem = Problem(code, params)
    return {
        "line": line,
        "date": _iso(date),
        "reason": problem.english(),
        "code": code,
        **params,
        "problems": [problem.as_dict()],
    }


def clean_observations(
    rows: pd.DataFrame, *, calendar_days: bool = False, extra_flags: list[dict] | None = None
) -> CleanResult:
    """Clean parsed rows (columns line, date, value, raw_value) into storable observations.

    `calendar_days` marks series that legitimately cover every calendar day (the TRM), so weekend
    dates are not flagged. `extra_flags` carries flags the parser raised (e.g. an absurd Low).
    """
    rejected: list[dict] = []
    flagged: list[dict] = list(extra_flags or [])

    def reject(mask: pd.Series, problem_of) -> None:
        for row in rows.loc[mask].itertuples(index=False):
            code, params = problem_of(row)
            rejected.append(problem_entry(row.line, row.date, code, **params))

    no_date = rows["date"].isna()
    reject(no_date, lambda r: ("date_unreadable", {"value": r.raw_date}))
    no_value = ~no_date & rows["value"].isna()
    reject(
        no_value, lambda r: ("value_missing", {"value": r.raw_value}) if r.raw_value else ("value_empty", {})
    )
    non_positive = ~no_date & ~no_value & (rows["value"] <= 0)
    reject(non_positive, lambda r: ("value_not_positive", {"number": float(r.value)}))
    valid = rows.loc[~(no_date | no_value | non_positive)].sort_values(["date", "line"], kind="stable")

    first_of_date = valid.groupby("date", sort=False)["line"].transform("first")
    first_value = valid.groupby("date", sort=False)["value"].transform("first")
    duplicate = valid["line"] != first_of_date
    for row, first_line, same in zip(
        valid.loc[duplicate].itertuples(index=False),
        first_of_date[duplicate],
        (valid["value"] == first_value)[duplicate],
        strict=True,
    ):
        if same:
            flagged.append(problem_entry(row.line, row.date, "duplicate_date", first_line=int(first_line)))
        else:
            rejected.append(
                problem_entry(row.line, row.date, "duplicate_date_conflict", first_line=int(first_line))
            )
    valid = valid.loc[~duplicate]

    if len(valid) >= 3:
        neighbour_median = valid["value"].rolling(NEIGHBOUR_WINDOW, center=True, min_periods=3).median()
        ratio = np.abs(np.log(valid["value"] / neighbour_median))
        impossible = ratio > math.log(IMPOSSIBLE_FACTOR)
        for row, median in zip(
            valid.loc[impossible].itertuples(index=False), neighbour_median[impossible], strict=True
        ):
            rejected.append(
                problem_entry(
                    row.line, row.date, "value_impossible", number=float(row.value), median=float(median)
                )
            )
        valid = valid.loc[~impossible]

    moves = valid["value"].pct_change() * 100.0
    for row, move in zip(valid.itertuples(index=False), moves, strict=True):
        if abs(move) > EXTREME_MOVE_PCT:
            flagged.append(problem_entry(row.line, row.date, "extreme_move", move=float(move)))
    if not calendar_days:
        weekend = valid["date"].dt.day_of_week >= 5
        for row in valid.loc[weekend].itertuples(index=False):
            flagged.append(problem_entry(row.line, row.date, "weekend_date", weekday=f"{row.date:%A}"))

    flagged.sort(key=lambda item: (item["date"] or "", item.get("line") or 0))
    rejected.sort(key=lambda item: item.get("line") or 0)
    observations = valid[["date", "value"]].reset_index(drop=True)
    return CleanResult(observations, flagged, rejected)
