"""The Forecast page's first view in a new server process after an import, against the Overview's first view.

1. Import the real price files into a temporary store with the CLI (`prices import`), which measures the
   forecast backtests on the new data and stores them (timed and reported separately).
2. In each of `--repeats` fresh Python processes (a new server process): the dashboard's first view (the
   Overview, cold: every import paid here), then the Forecast page's first view in the same process.
   Target: the Forecast page's first view costs at most 2x the Overview's. The script also checks that
   no backtest ran in those processes (the stored rows keep their measurement time).

    python benchmarks/forecast_page.py [--repeats 3] [--store URL]

`--store` skips step 1 and uses a store already filled by `cli.py prices import` (the imports measure
the backtests: minutes on a busy machine).

Uses ../shared/data/market (skipped when absent).
"""

from __future__ import annotations

import argparse
import json
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
FILES = (
    "gold_usd_daily_lbma_pm_fred_GOLDPMGBD228NLBM.csv",
    "usd_cop_daily_yahoo_usdcopx_2016_2021.csv",
    "usd_pen_daily_bcrp_1997_2024.csv",
)

FIRST_VIEWS = f"""
import json, time
from streamlit.testing.v1 import AppTest
started = time.perf_counter()
app = AppTest.from_file({str(ROOT / "dashboard.py")!r}, default_timeout=600).run()
overview = time.perf_counter() - started
assert not app.exception, app.exception
started = time.perf_counter()
app.switch_page("app_pages/forecast.py").run()
forecast = time.perf_counter() - started
assert not app.exception, app.exception
assert app.metric, "the Forecast page drew no price"
print(json.dumps({{"overview": overview, "forecast": forecast}}))
"""


def measured_times(url: str) -> dict[tuple[str, int], str]:
    from data.store import MarketStore, backtests_table

    store = MarketStore.from_url(url)
    with store.engine.connect() as conn:
        rows = conn.execute(backtests_table.select()).mappings().all()
    store.engine.dispose()
    return {(row["target_id"], row["horizon"]): str(row["measured_at"]) for row in rows}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--store", help="a store the real files were already imported into with the CLI")
    args = parser.parse_args()
    if not args.store and not all((SHARED / name).exists() for name in FILES):
        print("../shared/data/market is absent; skipped")
        return
    url = args.store or f"sqlite:///{Path(tempfile.mkdtemp()) / 'bench.sqlite'}"
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "GOLD_DASHBOARD_OFFLINE": "1",
        "GOLD_DASHBOARD_PUBLIC_MARKET": "1",
    }
    env.pop("GOLD_DASHBOARD_BACKTESTS_ON_WRITE", None)  # the default: an import measures them
    started = time.perf_counter()
    for name in () if args.store else FILES:
        out = subprocess.run(
            [sys.executable, str(ROOT / "cli.py"), "prices", "import", str(SHARED / name)],
            capture_output=True,
            text=True,
            env=env,
            check=True,
        )
        backtests = json.loads(out.stdout).get("backtests", [])
        measured = [
            f"{b['target_id']} {b.get('seconds', 0):.0f} s" for b in backtests if b["status"] == "measured"
        ]
        print(f"import {name}: backtests measured: {', '.join(measured) or 'none'}")
    if not args.store:
        print(f"imports with their backtests: {time.perf_counter() - started:.0f} s (once per data change)")
    before = measured_times(url)

    runs = []
    for _ in range(args.repeats):
        out = subprocess.run(
            [sys.executable, "-c", FIRST_VIEWS], capture_output=True, text=True, env=env, cwd=ROOT, check=True
        )
        runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
    after = measured_times(url)
    overview = statistics.median(run["overview"] for run in runs)
    forecast = statistics.median(run["forecast"] for run in runs)
    print(f"\nfirst views in a new process, median of {args.repeats} processes:")
    for index, run in enumerate(runs, 1):
        print(f"  process {index}: Overview {run['overview']:6.2f} s   Forecast {run['forecast']:6.2f} s")
    print(f"  Overview first view: {overview:6.2f} s")
    print(f"  Forecast first view: {forecast:6.2f} s")
    print(f"  ratio Forecast / Overview: {forecast / overview:4.2f}  (target <= 2.00)")
    ran = sorted(key for key in after if before.get(key) != after[key])
    print(f"  backtests run by those processes: {len(ran)} {ran if ran else ''}")


if __name__ == "__main__":
    main()
