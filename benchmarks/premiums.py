"""Premium analysis speed: 10,000 sales against 25 years of daily gold and exchange-rate prices.

Target (issue): under 1 s for the whole analysis the Premiums page runs (per-sale benchmark and
premiums, month averages, what-if, summaries by buyer/month/certification, waterfall, certification
check). The page's warm rerun is measured by benchmarks/pages.py beside a bare page.

With --page-sales N (issue 33: N = 100,000, targets first view <= 3 s, warm rerun <= 1 s, memory growth
bounded), the Premiums page itself is opened through the router (AppTest, this process) on a store with
the real gold and USD/COP prices (--market, default ../shared/data/market) and N stored sales of one
cooperative; it prints the first view, the median warm rerun and the process's memory growth (resident
set before the first view and after the reruns), all measured in this one run, first for a small
cooperative (--small-sales, default 1,000; 0 skips it) and the ratio between the two: on a loaded machine
the ratio says more than the seconds.

    python benchmarks/premiums.py [--repeats 5] [--page-sales 100000 [--market DIR] [--page-runs 5]]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

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


def resident_mb() -> float:
    """This process's resident memory now (not its peak), from /proc."""
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 1e6


def big_store(sales_count: int, market: Path, folder: Path) -> str:
    """A SQLite store in `folder` with the real prices and `sales_count` sales of one cooperative (kept:
    a second run on the same folder reuses it); its URL."""
    import upload  # benchmarks/upload.py: the bookkeeper's sheet and the price store

    upload.SHARED = market
    done = folder / f"pages_{sales_count}.sqlite"
    if not done.exists():
        os.environ["GOLD_DASHBOARD_BACKTESTS_ON_WRITE"] = "0"  # the page's cost, not the import's
        url = upload.price_store(folder)
        sheet = upload.ledger_csv(folder / "ventas.csv", sales_count)
        subprocess.run(
            [sys.executable, "cli.py", "ledger", "import", str(sheet), "--cooperative", upload.COOPERATIVE],
            cwd=ROOT, env={**os.environ, "DATABASE_URL": url, "GOLD_DASHBOARD_OFFLINE": "1"},
            check=True, capture_output=True,
        )  # fmt: skip
        Path(url.removeprefix("sqlite:///")).rename(done)
    return f"sqlite:///{done}"


def page_benchmark(url: str, sales_count: int, runs: int) -> tuple[float, float]:
    """First view, warm reruns and memory growth of the Premiums page for one cooperative's stored sales;
    (first view, warm median) in seconds."""
    os.environ.update(DATABASE_URL=url, GOLD_DASHBOARD_OFFLINE="1")
    from streamlit.testing.v1 import AppTest

    app = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=900)
    app.run()  # the Overview: the server as a visitor finds it before Premiums is opened
    before, times = resident_mb(), []
    for _ in range(max(2, runs)):
        started = time.perf_counter()
        app.switch_page("app_pages/premiums.py").run()
        times.append(time.perf_counter() - started)
        if app.exception:
            raise RuntimeError(str(app.exception[0].value))
    after = resident_mb()
    print(
        f"Premiums page, {sales_count:,} stored sales of one cooperative: first view {times[0]:.2f} s "
        f"(target <= 3 s), warm rerun median {statistics.median(times[1:]):.2f} s over {len(times) - 1} "
        f"(target <= 1 s); resident memory {before:.0f} MB -> {after:.0f} MB (+{after - before:.0f} MB)"
    )
    return times[0], statistics.median(times[1:])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--page-sales", type=int, default=0, help="also time the page with N stored sales")
    parser.add_argument("--market", type=Path, default=ROOT.parent / "shared" / "data" / "market")
    parser.add_argument("--page-runs", type=int, default=5)
    parser.add_argument("--small-sales", type=int, default=1000, help="the page on a small cooperative first")
    parser.add_argument("--store-dir", type=Path, help="keep (and reuse) the big store here")
    args = parser.parse_args()
    if args.page_sales:
        with tempfile.TemporaryDirectory() as temporary:
            folder = args.store_dir or Path(temporary)
            folder.mkdir(parents=True, exist_ok=True)
            small = (0.0, 0.0)
            if args.small_sales:  # the same page on a small cooperative, this run: the machine's load cancels
                small = page_benchmark(big_store(args.small_sales, args.market, folder), args.small_sales, 3)
            big = page_benchmark(
                big_store(args.page_sales, args.market, folder), args.page_sales, args.page_runs
            )
            if args.small_sales:
                print(
                    f"{args.page_sales:,} against {args.small_sales:,} sales, same run: first view "
                    f"{big[0] / small[0]:.1f}x, warm rerun {big[1] / small[1]:.1f}x"
                )
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
