"""TRM validity windows to calendar days: the importer's CSV export path and the API fetcher's transform.

Times `parse_price_file` on a datos.gov.co TRM export of N windows (one per business day, the weekend
carried by Friday's) with the window expansion as it is (one numpy repeat) beside the per-window frames it
replaced, and `data.market.trm.transform` on the same windows as the API's JSON rows. Synthetic values near 4,000
COP/USD; the figures, not the values, matter.

    python benchmarks/trm_windows.py [--windows 6500] [--repeats 3]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import data.market.importers as importers  # noqa: E402
from data.files.parsing import parse_dates  # noqa: E402
from data.market import trm  # noqa: E402


def per_window_frames(table, parsed: pd.DataFrame, day_first: bool) -> pd.DataFrame:
    """The expansion before: one small DataFrame per window, concatenated."""
    until_col = importers._column(table.header, "VIGENCIAHASTA")
    assert until_col is not None
    until = parse_dates(
        pd.Series([r[until_col] if until_col < len(r) else "" for r in table.rows]), day_first
    )
    pieces = []
    for row, end in zip(parsed.itertuples(index=False), until, strict=True):
        if pd.isna(row.date) or pd.isna(end) or end < row.date:
            pieces.append(pd.DataFrame([row._asdict()]))
            continue
        days = pd.date_range(row.date, end, freq="D")
        pieces.append(
            pd.DataFrame(
                {
                    "line": row.line,
                    "date": days,
                    "value": row.value,
                    "raw_date": row.raw_date,
                    "raw_value": row.raw_value,
                }
            )
        )
    return pd.concat(pieces, ignore_index=True) if pieces else parsed


def windows(count: int) -> pd.DataFrame:
    starts = pd.bdate_range(end="2026-11-30", periods=count)
    ends = list(starts[1:] - pd.Timedelta(days=1)) + [starts[-1]]
    values = 4000 + np.cumsum(np.random.default_rng(7).normal(0, 10, count))
    return pd.DataFrame({"valor": values.round(2), "desde": starts, "hasta": pd.DatetimeIndex(ends)})


def best_of(repeats: int, work) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--windows", type=int, default=6500, help="about 26 years of business days")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    frame = windows(args.windows)
    lines = ['"VALOR","UNIDAD","VIGENCIADESDE","VIGENCIAHASTA"'] + [
        f'"${r.valor:,.2f}","COP","{r.desde:%d/%m/%Y}","{r.hasta:%d/%m/%Y}"'
        for r in frame.iloc[::-1].itertuples(index=False)
    ]
    export = ("\n".join(lines) + "\n").encode()
    rows = [
        {
            "valor": f"{r.valor:.2f}",
            "unidad": "COP",
            "vigenciadesde": f"{r.desde:%Y-%m-%d}T00:00:00.000",
            "vigenciahasta": f"{r.hasta:%Y-%m-%d}T00:00:00.000",
        }
        for r in frame.itertuples(index=False)
    ]
    now = importers.parse_price_file(export, "trm.csv")
    current = best_of(args.repeats, lambda: importers.parse_price_file(export, "trm.csv"))
    kept = importers._expand_trm_windows
    importers._expand_trm_windows = per_window_frames
    try:
        before_result = importers.parse_price_file(export, "trm.csv")
        before = best_of(args.repeats, lambda: importers.parse_price_file(export, "trm.csv"))
    finally:
        importers._expand_trm_windows = kept
    assert now.observations.equals(before_result.observations), "the two expansions must store the same rows"
    api = best_of(args.repeats, lambda: trm.transform(rows, pd.Timestamp("2000-01-01")))
    days = len(now.observations)
    print(f"{args.windows} windows -> {days} calendar days (median of {args.repeats})")
    print(f"  CSV import, per-window frames (before) {before:8.3f} s")
    print(f"  CSV import, one numpy repeat (now)     {current:8.3f} s   ratio {before / current:6.1f}x")
    print(f"  API JSON rows, data.market.trm.transform      {api:8.3f} s")


if __name__ == "__main__":
    main()
