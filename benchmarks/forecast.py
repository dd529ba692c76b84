"""Forecast backtest: speed against statsforecast, and skill against its AutoETS/AutoARIMA on the same folds.

1. Speed (issue target: no slower than AutoETS): our full backtest (all models, 60 folds, h = 20,
   step 20, 6,000 daily points) against statsforecast AutoETS ``cross_validation`` on the same folds,
   timed side by side in this run after a warm-up (numba compiles on first use).
2. Skill (``--quality``): for several disjoint periods, our selected model's rMAE and interval
   coverage beside the rMAE of statsforecast AutoETS and AutoARIMA on exactly the same origins.
   Targets: selected rMAE ≤ 1.00 and ≤ min(AutoETS, AutoARIMA); coverage 80 % in 0.775–0.825,
   95 % in 0.925–0.975.

    python benchmarks/forecast.py [--quality]

statsforecast is a dev-only dependency (requirements-dev.txt). Data: LBMA gold (and the PEN and COP
files) from ../shared/data/market when present, else a seeded random walk (speed only).
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SHARED = ROOT.parent / "shared" / "data" / "market"

from analytics.forecast import BacktestResult, BacktestSettings, run_backtest  # noqa: E402
from data.importers import parse_price_file  # noqa: E402

warnings.filterwarnings("ignore")


def real_series(name: str, series_id: str | None = None) -> pd.Series | None:
    path = SHARED / name
    if not path.exists():
        return None
    observations = parse_price_file(path.read_bytes(), path.name, series_id).observations
    return observations.set_index("date")["value"]


def synthetic_gold(n: int = 6_000) -> pd.Series:
    rng = np.random.default_rng(2024)
    days = pd.bdate_range("2000-01-03", periods=n)
    return pd.Series(300 * np.exp(np.cumsum(rng.normal(0.0003, 0.011, n))), index=days)


def statsforecast_cv(prices: pd.Series, result: BacktestResult, model_names: list[str]) -> dict[str, object]:
    """statsforecast cross_validation on the backtest's own origins: same cutoffs, horizon and step."""
    from statsforecast import StatsForecast
    from statsforecast.models import AutoARIMA, AutoETS

    h, step = result.settings.horizon, result.settings.step
    last_target = int(result.origins[-1]) + h
    frame = pd.DataFrame(
        {"unique_id": "series", "ds": np.arange(last_target + 1), "y": prices.to_numpy()[: last_target + 1]}
    )
    out: dict[str, object] = {}
    available = {"AutoETS": AutoETS, "AutoARIMA": AutoARIMA}
    for name in model_names:
        forecaster = StatsForecast(models=[available[name]()], freq=1, n_jobs=1)
        started = time.perf_counter()
        cv = forecaster.cross_validation(df=frame, h=h, n_windows=len(result.origins), step_size=step)
        seconds = time.perf_counter() - started
        cutoffs = np.sort(cv["cutoff"].unique())
        assert np.array_equal(cutoffs, result.origins), "statsforecast folds differ from ours"
        naive = frame["y"].to_numpy()[cv["cutoff"].to_numpy()]
        mae_model = np.mean(np.abs(cv["y"] - cv[name]))
        mae_naive = np.mean(np.abs(cv["y"] - naive))
        out[name] = {"rmae": float(mae_model / mae_naive), "seconds": seconds}
    return out


def warm_up() -> None:
    from statsforecast import StatsForecast
    from statsforecast.models import AutoARIMA, AutoETS

    frame = pd.DataFrame({"unique_id": "w", "ds": np.arange(400), "y": synthetic_gold(400).to_numpy()})
    StatsForecast(models=[AutoETS(), AutoARIMA()], freq=1).cross_validation(df=frame, h=5, n_windows=2)


def speed() -> None:
    gold = real_series("gold_usd_daily_lbma_pm_fred_GOLDPMGBD228NLBM.csv")
    prices = (gold if gold is not None else synthetic_gold()).iloc[-6_000:]
    source = "LBMA gold, last 6,000 days" if gold is not None else "seeded random walk, 6,000 days"
    warm_up()
    settings = BacktestSettings(horizon=20, step=20, folds=60)
    print(f"Speed: {source}; 60 folds, h = 20, step 20")
    ours, theirs = [], []
    for _ in range(2):  # interleaved, twice, to see the noise
        started = time.perf_counter()
        result = run_backtest(prices, settings)
        ours.append(time.perf_counter() - started)
        theirs.append(statsforecast_cv(prices, result, ["AutoETS"])["AutoETS"]["seconds"])  # type: ignore[index]
    per_model = ", ".join(f"{score.name} {score.seconds:.1f} s" for score in result.scores)
    print(f"  our backtest, all {len(result.scores)} models: {min(ours):.1f} s  ({per_model})")
    print(f"  statsforecast AutoETS cross_validation:  {min(theirs):.1f} s")
    print(f"  ratio ours / AutoETS: {min(ours) / min(theirs):.2f} (target ≤ 1.00)")


PRE_HISTORY_DAYS = 2_600
PERIODS = [
    ("gold", "1980-01-01", "1989-12-31"),
    ("gold", "1990-01-01", "1999-12-31"),
    ("gold", "2000-01-01", "2009-12-31"),
    ("gold", "2010-01-01", "2019-12-31"),
    ("gold", "2020-01-01", None),
    ("pen", "2000-01-01", "2011-12-31"),
    ("pen", "2012-01-01", None),
    ("cop", None, None),
]


def quality(reference_models: list[str]) -> None:
    series = {
        "gold": real_series("gold_usd_daily_lbma_pm_fred_GOLDPMGBD228NLBM.csv"),
        "pen": real_series("usd_pen_daily_bcrp_1997_2024.csv", "USD_PEN"),
        "cop": real_series("usd_cop_daily_yahoo_usdcopx_2016_2021.csv", "USD_COP"),
    }
    if any(value is None for value in series.values()):
        print("Skill: ../shared/data/market is absent; skipped")
        return
    print("\nSkill, h = 20, step 20 (rMAE: error over the random walk's on the same folds)")
    header = f"{'period':28} {'folds':>5} {'selected':18} {'rMAE':>6} {'AutoETS':>8} {'AutoARIMA':>9}"
    print(header + f" {'cov80':>6} {'cov95':>6}  targets met")
    for name, start, end in PERIODS:
        prices = series[name]
        assert prices is not None
        if start:  # our fit window is 2,520 days: older history changes nothing for us and slows AutoARIMA
            first = max(0, int(prices.index.searchsorted(pd.Timestamp(start))) - PRE_HISTORY_DAYS)
            prices = prices.iloc[first:]
        result = run_backtest(
            prices,
            start=pd.Timestamp(start) if start else None,
            end=pd.Timestamp(end) if end else None,
        )
        clean = prices.dropna()
        clean = clean[clean.index <= pd.Timestamp(end)] if end else clean
        reference = statsforecast_cv(clean, result, reference_models)
        selected = result.score(result.selected)
        best_reference = min(value["rmae"] for value in reference.values())  # type: ignore[index]
        rmae = selected.rmae or 1.0
        met = [
            rmae <= 1.0,
            rmae <= best_reference + 1e-12,
            0.775 <= (selected.coverage_80 or 0) <= 0.825,
            0.925 <= (selected.coverage_95 or 0) <= 0.975,
        ]
        period = f"{name} {result.as_json()['first_origin']}..{result.as_json()['last_origin']}"
        print(
            f"{period:28} {len(result.origins):5} {result.selected:18} {rmae:6.3f} "
            f"{reference['AutoETS']['rmae']:8.3f} "  # type: ignore[index]
            + (f"{reference['AutoARIMA']['rmae']:9.3f} " if "AutoARIMA" in reference else f"{'–':>9} ")  # type: ignore[index]
            + f"{selected.coverage_80:6.3f} {selected.coverage_95:6.3f}  "
            + " ".join("yes" if ok else "NO" for ok in met)
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quality", action="store_true", help="also compare skill on several periods")
    parser.add_argument(
        "--no-arima",
        action="store_true",
        help="skill against AutoETS only (AutoARIMA takes minutes per period)",
    )
    parser.add_argument("--skip-speed", action="store_true")
    args = parser.parse_args()
    if not args.skip_speed:
        speed()
    if args.quality:
        quality(["AutoETS"] if args.no_arima else ["AutoETS", "AutoARIMA"])


if __name__ == "__main__":
    main()
