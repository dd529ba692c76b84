"""Premium analysis speed: 10,000 sales against 25 years of daily gold and exchange-rate prices.

Target (issue): under 1 s for the whole analysis the Premiums page runs (per-sale benchmark and
premiums, month averages, what-if, summaries by buyer/month/certification, waterfall, certification
check). The page's warm rerun is measured by benchmarks/pages.py beside a bare page.

    python benchmarks/premiums.py [--repeats 5]
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

from analytics.premiums import (  # noqa: E402
    certification_check,
    monthly_average_benchmark,
    sale_premiums,
    summarise,
    summary_by,
    waterfall,
    what_if,
)


def market(years: int = 25) -> tuple[pd.Series, dict[str, pd.Series]]:
    rng = np.random.default_rng(1)
    days = pd.bdate_range(end="2026-11-20", periods=years * 261)
    gold = pd.Series(300 * np.exp(np.cumsum(rng.normal(0.0003, 0.011, len(days)))), index=days)
    fx = {
        "COP": pd.Series(2000 * np.exp(np.cumsum(rng.normal(0, 0.006, len(days)))), index=days),
        "PEN": pd.Series(3.5 * np.exp(np.cumsum(rng.normal(0, 0.003, len(days)))), index=days),
    }
    return gold, fx


def sales(count: int, gold: pd.Series) -> pd.DataFrame:
    rng = np.random.default_rng(2)
    dates = pd.to_datetime(rng.choice(gold.index.to_numpy(), count))
    fine = rng.uniform(50, 1000, count)
    currency = rng.choice(["COP", "PEN", "USD"], count)
    return pd.DataFrame(
        {
            "sale_id": [f"S{i}" for i in range(count)],
            "cooperative": rng.choice(["A", "B", "C"], count),
            "date": dates,
            "buyer": rng.choice(["X", "Y", "Z", "W"], count),
            "gross_weight_g": fine / 0.9,
            "fineness": 0.9,
            "fine_gold_g": fine,
            "currency": currency,
            "amount_received": fine * rng.uniform(0.8, 1.0, count) * np.where(currency == "COP", 4e5, 100.0),
            "certification": rng.choice(["none", "fairmined", "fairmined_ecological", "fairtrade"], count),
            "premium_received_usd": rng.uniform(0, 4, count) * fine,
            "refining_charge": 1000.0,
            "assay_charge": 100.0,
            "transport_charge": 50.0,
            "export_charge": 0.0,
            "royalties_paid": 500.0,
            "withholding_paid": 100.0,
        }
    )


def analysis(ledger: pd.DataFrame, gold: pd.Series, fx: dict[str, pd.Series]) -> int:
    premiums = sale_premiums(ledger, gold, fx)
    table = what_if(premiums, monthly_average_benchmark(premiums, gold, fx))
    for _currency, part in premiums.groupby("currency"):
        summarise(part)
        for key in ("buyer", "month", "certification"):
            summary_by(part, key)
        waterfall(part)
    return len(certification_check(premiums)) + len(table)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    gold, fx = market()
    ledger = sales(10_000, gold)
    analysis(ledger, gold, fx)  # warm-up (imports, first-call costs)
    times = []
    for _ in range(args.repeats):
        started = time.perf_counter()
        analysis(ledger, gold, fx)
        times.append(time.perf_counter() - started)
    print(
        f"premium analysis of {len(ledger):,} sales against {len(gold):,} daily prices (25 years, 3 currencies): "
        f"median {statistics.median(times):.3f} s, best {min(times):.3f} s of {args.repeats} (target < 1 s)"
    )


if __name__ == "__main__":
    main()
