"""Sell-policy backtest speed: 25 years of daily prices, weekly lots (issue target: under 2 s).

Times the whole job the CLI's `sell-policy` does after loading: every indicator on every day (including
the calibrated forecast band behind "probability higher"), then the walk-forward through ~1,300 weekly
lots with the block bootstrap. The page's warm rerun is measured by benchmarks/pages.py.

    python benchmarks/timing.py [--repeats 3]
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

from analytics.timing import POLICIES, PolicySettings, indicator_frame, run_policy  # noqa: E402


def prices(years: int = 25) -> tuple[pd.Series, pd.Series]:
    rng = np.random.default_rng(3)
    days = pd.bdate_range(end="2026-11-20", periods=years * 261)
    gold = pd.Series(300_000 * np.exp(np.cumsum(rng.normal(0.0003, 0.011, len(days)))), index=days)
    fx = pd.Series(3_000 * np.exp(np.cumsum(rng.normal(0, 0.006, len(days)))), index=days)
    return gold, fx


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    gold, fx = prices()
    settings = PolicySettings(weekly_grams=1000, max_hold_days=30, holding_cost_pct_month=0.5)
    run_policy(gold.iloc[:600], "signal", settings, fx=fx)  # warm-up
    for policy in POLICIES:
        times = []
        for _ in range(args.repeats):
            started = time.perf_counter()
            result = run_policy(gold, policy, settings, fx=fx)
            times.append(time.perf_counter() - started)
        print(
            f"{policy:11s} {len(gold):,} days, {len(result.lots):,} weekly lots: "
            f"median {statistics.median(times):.2f} s (target < 2 s), uplift {result.uplift_pct:+.3f} %, "
            f"95 % interval [{result.uplift_ci95[0]:+.3f}, {result.uplift_ci95[1]:+.3f}]"
        )
    started = time.perf_counter()
    indicator_frame(gold, fx, 0.5)
    print(f"of which the indicators alone: {time.perf_counter() - started:.2f} s")


if __name__ == "__main__":
    main()
