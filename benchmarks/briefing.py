"""One-month briefing with all sections on a warm store: target under 5 s (issue).

"Warm": the store is filled and the Python modules are imported before timing (as in the running app);
each run reads the series from the store again, then builds every section (moves, countries, volatility,
notable days, forecast with its backtest, sell-timing reading, premiums of the demo ledger) and writes
the self-contained HTML and the Excel workbook.

    python benchmarks/briefing.py [--repeats 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SHARED = ROOT.parent / "shared" / "data" / "market"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    os.environ["DATABASE_URL"] = f"sqlite:///{Path(tempfile.mkdtemp()) / 'bench.sqlite'}"

    from analytics.briefing import add_forecast_and_timing, add_premiums, build_briefing, parse_period
    from analytics.premiums import sale_premiums
    from data.demo_ledger import demo_sales
    from data.market.demo import demo_market_data
    from data.market.market_data import import_prices
    from data.market.series import CURRENCIES, fx_series_for
    from data.store import MarketStore
    from presentation.briefing_report import briefing_html, briefing_xlsx

    store = MarketStore.from_url()
    files = sorted(SHARED.glob("*.csv")) if SHARED.exists() else []
    for path in files:
        import_prices(store, path.read_bytes(), path.name)
    for series_id, series in demo_market_data(pd.Timestamp("2021-03-02")).items():
        if store.load_series(series_id).empty:
            store.write_series(
                series_id, pd.DataFrame({"date": series.index, "value": series.to_numpy()}), "demo"
            )
    period = "2020-08"

    def one_briefing() -> tuple[int, int]:
        gold = store.load_series("GOLD_USD")
        fx = {c: store.load_series(str(fx_series_for(c))) for c in CURRENCIES if c != "USD"}
        briefing = build_briefing(gold, fx, *parse_period(period))
        add_forecast_and_timing(briefing, gold)
        sales = demo_sales(gold, {c: fx[c] for c in ("COP", "PEN")}, pd.Timestamp("2021-03-02"))
        add_premiums(briefing, sale_premiums(sales, gold, fx))
        return len(briefing_html(briefing, "es")), len(briefing_xlsx(briefing, "es"))

    one_briefing()  # warm-up: imports, first calls
    times = []
    for _ in range(args.repeats):
        started = time.perf_counter()
        html_size, xlsx_size = one_briefing()
        times.append(time.perf_counter() - started)
    print(
        f"one-month briefing ({period}, {'real files + demo' if files else 'demo data'}, all sections, HTML "
        f"{html_size / 1e6:.1f} MB + Excel {xlsx_size / 1e3:.0f} kB): median {statistics.median(times):.2f} s, "
        f"best {min(times):.2f} s of {args.repeats} (target < 5 s)"
    )


if __name__ == "__main__":
    main()
