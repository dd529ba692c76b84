"""Page speed, measured side by side in one run (these machines are noisy: compare ratios, not seconds).

1. Rerun of each page on a warm cache vs a bare Streamlit page drawing one plotly line chart of the same
   data (target: at most 2x). Runs are interleaved, medians reported.
2. Cold start of the Overview on a warm store: a fresh Python process until the first full render
   (target: under 3 s).

    python benchmarks/pages.py [--repeats 15]

Uses a temporary store filled from ../shared/data/market when present, else from the seeded demo data.
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

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SHARED = ROOT.parent / "shared" / "data" / "market"
PAGES = (
    "app_pages/overview.py",
    "app_pages/market.py",
    "app_pages/forecast.py",
    "app_pages/timing.py",
    "app_pages/sales.py",
    "app_pages/premiums.py",
)
BARE_PAGE = """
import plotly.express as px
import streamlit as st
from ui.state import local_price_table
prices = local_price_table("COP", "g")["price"].dropna()
st.plotly_chart(px.line(x=prices.index, y=prices.to_numpy()))
"""


def fill_store(url: str, demo_only: bool = False) -> str:
    from data.market.demo import demo_market_data
    from data.market.market_data import import_prices
    from data.store import MarketStore

    store = MarketStore.from_url(url)
    files = sorted(SHARED.glob("*.csv")) if SHARED.exists() and not demo_only else []
    for path in files:
        import_prices(store, path.read_bytes(), path.name)
    import pandas as pd

    for series_id, series in demo_market_data(pd.Timestamp.now()).items():
        if store.load_series(series_id).empty:
            store.write_series(
                series_id, pd.DataFrame({"date": series.index, "value": series.to_numpy()}), "demo-bench"
            )
    return "real files from ../shared + demo for the rest" if files else "demo data written to the store"


def timed_rerun(app) -> float:
    start = time.perf_counter()
    app.run()
    elapsed = time.perf_counter() - start
    assert not app.exception, app.exception
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--demo", action="store_true", help="seeded demo data only (minutes less to fill)")
    parser.add_argument("--pages", default="", help="comma-separated page files (default: all)")
    parser.add_argument("--skip-cold", action="store_true", help="skip the Overview's cold start")
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp())
    os.environ["DATABASE_URL"] = f"sqlite:///{tmp / 'bench.sqlite'}"
    os.environ["GOLD_DASHBOARD_OFFLINE"] = "1"
    print(f"store: {fill_store(os.environ['DATABASE_URL'], args.demo)}")
    pages = [page for page in args.pages.split(",") if page] or list(PAGES)

    from streamlit.testing.v1 import AppTest

    bare_path = ROOT / "benchmarks" / "_bare_page.py"
    bare_path.write_text(BARE_PAGE)
    try:
        apps = {"bare plotly page": AppTest.from_file(str(bare_path), default_timeout=120)}
        for page in pages:
            app = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=900)
            app.run()
            app.switch_page(page)
            apps[page] = app
        for app in apps.values():  # warm every cache
            timed_rerun(app)
            timed_rerun(app)
        times: dict[str, list[float]] = {name: [] for name in apps}
        for _ in range(args.repeats):
            for name, app in apps.items():
                times[name].append(timed_rerun(app))
    finally:
        bare_path.unlink(missing_ok=True)

    baseline = statistics.median(times["bare plotly page"])
    print(f"\nwarm rerun, median of {args.repeats} interleaved runs")
    for name, values in times.items():
        median = statistics.median(values)
        print(
            f"  {name:28s} {median * 1000:7.1f} ms   ratio to bare page {median / baseline:4.2f}  (target <= 2.00)"
        )

    if args.skip_cold:
        return
    code = (
        "import time; t0 = time.perf_counter();"
        "from streamlit.testing.v1 import AppTest;"
        f"at = AppTest.from_file({str(ROOT / 'dashboard.py')!r}, default_timeout=120).run();"
        "assert not at.exception and at.metric;"
        "print(time.perf_counter() - t0)"
    )
    colds = []
    for _ in range(3):
        start = time.perf_counter()
        out = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, env=os.environ, check=True
        )
        colds.append((time.perf_counter() - start, float(out.stdout.strip().splitlines()[-1])))
    best_process, best_inside = min(colds)
    print(
        f"\ncold start of the Overview on a warm store (fresh process, best of 3): {best_process:.2f} s "
        f"including interpreter start; {best_inside:.2f} s from the first import to the rendered page (target < 3 s)"
    )


if __name__ == "__main__":
    main()
