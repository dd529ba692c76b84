"""Forecast backtest: speed against statsforecast, and skill against peer models on the same folds.

1. Speed (issue target: no slower than AutoETS): our full backtest (all models, 60 folds, h = 20,
   step 20, 6,000 daily points) against statsforecast AutoETS ``cross_validation`` on the same folds,
   timed side by side in this run after a warm-up (numba compiles on first use).
2. Skill (``--quality``): on LBMA gold (USD per troy ounce) and on the gram of fine gold in COP and in PEN
   (gold × COP or PEN per USD ÷ 31.1034768, as ``data.market_data.target_prices`` derives GOLD_PEN_G), the last
   60 origins (h = 20, step 20; the gold file ends on 2021-03-02), our selected model's mean 80 % and
   95 % Winkler interval scores (target's units), coverage and rMAE beside statsforecast AutoETS and
   AutoARIMA (``cross_validation`` with ``level=[80, 95]``, on prices) and statsmodels ARIMA(1,1,1) with
   drift (on log prices, refitted at every origin on the same 2,520-day window we use). Targets: our
   80 % interval score ≤ the best peer's; coverage 80 % in 0.775–0.825, 95 % in 0.925–0.975.

    python benchmarks/forecast.py [--quality] [--skip-speed] [--no-arima]

statsforecast pins pandas < 3 and the project runs on pandas 3, so it lives in its own virtualenv:

    python -m venv .venv-bench && .venv-bench/bin/pip install -r requirements.txt -r benchmarks/requirements.txt
    .venv-bench/bin/python benchmarks/forecast.py --quality

Data: ../shared/data/market when present, else a seeded random walk (speed only).

Measured (2026-12-02, branch i23; the last 60 origins, 50 for COP; IS in USD/oz, COP/g and PEN/g). Ours:
the bands of ``calibrated_bands`` (a nested inner backtest picks the volatility and whether to correct
for misses); the peers' rows do not depend on our code (gold and PEN: measured 2026-11-28 on the same
folds, commit cfad106; COP: this run):

    series    model                          IS80      IS95    cov80  cov95  rMAE
    gold      ours: random_walk (p = 1.000)  148.43    223.32  0.787  0.926  1.000
    gold      statsforecast AutoETS          158.34    222.07  0.902  0.982  1.016
    gold      statsforecast AutoARIMA        161.82    243.22  0.821  0.933  1.009
    gold      statsmodels ARIMA(1,1,1)+drift 157.63    222.97  0.869  0.958  1.008
    gram COP  ours: random_walk (p = 1.000)  21761.1   32872.7 0.822  0.948  1.000
    gram COP  statsforecast AutoETS          22526.8   39068.8 0.830  0.919  1.007
    gram COP  statsforecast AutoARIMA        25707.2   55103.3 0.757  0.868  1.062
    gram COP  statsmodels ARIMA(1,1,1)+drift 22532.1   39448.4 0.817  0.907  1.018
    gram PEN  ours: random_walk (p = 1.000)   15.694   23.783  0.810  0.928  1.000
    gram PEN  statsforecast AutoETS           17.182   25.848  0.886  0.952  1.013
    gram PEN  statsforecast AutoARIMA         17.877   31.473  0.814  0.893  1.002
    gram PEN  statsmodels ARIMA(1,1,1)+drift  17.427   24.944  0.881  0.961  1.005

Every target met on the three series (the former pooled conformal band: gold 157.68, 0.765 / 0.929; PEN
16.906). With 60 folds of 20 correlated steps a coverage is known to about ±0.05 and these interval scores
to a few per cent: gold's 95 % coverage (0.926) is at the edge of its range.
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

from analytics.forecast import (  # noqa: E402
    RANDOM_WALK,
    BacktestResult,
    BacktestSettings,
    interval_score,
    run_backtest,
)
from data.importers import parse_price_file  # noqa: E402
from data.market_data import local_price_series  # noqa: E402

INSTALL_HINT = (
    "statsforecast is not installed in this Python. It pins pandas < 3, so give it its own virtualenv:\n"
    "    python -m venv .venv-bench && .venv-bench/bin/pip install -r requirements.txt "
    "-r benchmarks/requirements.txt\n"
    "    .venv-bench/bin/python benchmarks/forecast.py --quality"
)

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


PRE_HISTORY_DAYS = 2_600  # our fit window is 2,520 days: older history changes nothing for us
QUALITY_FOLDS = 60
LEVELS = (80, 95)
Bands = dict[str, np.ndarray]  # mean, lo80, hi80, lo95, hi95: each (origins, h), in prices


def statsforecast_bands(prices: pd.Series, result: BacktestResult, name: str) -> tuple[Bands, float]:
    """statsforecast cross_validation with 80 % and 95 % levels on the backtest's own origins."""
    from statsforecast import StatsForecast
    from statsforecast.models import AutoARIMA, AutoETS

    h, step = result.settings.horizon, result.settings.step
    last_target = int(result.origins[-1]) + h
    frame = pd.DataFrame(
        {"unique_id": "series", "ds": np.arange(last_target + 1), "y": prices.to_numpy()[: last_target + 1]}
    )
    model = {"AutoETS": AutoETS, "AutoARIMA": AutoARIMA}[name]()
    started = time.perf_counter()
    cv = StatsForecast(models=[model], freq=1, n_jobs=1).cross_validation(
        df=frame, h=h, n_windows=len(result.origins), step_size=step, level=list(LEVELS)
    )
    seconds = time.perf_counter() - started
    cv = cv.sort_values(["cutoff", "ds"])
    assert np.array_equal(np.sort(cv["cutoff"].unique()), result.origins), (
        "statsforecast folds differ from ours"
    )
    shape = (len(result.origins), h)
    np.testing.assert_allclose(cv["y"].to_numpy().reshape(shape), result.actual, rtol=1e-9)
    bands = {"mean": cv[name].to_numpy().reshape(shape)}
    for level in LEVELS:
        bands[f"lo{level}"] = cv[f"{name}-lo-{level}"].to_numpy().reshape(shape)
        bands[f"hi{level}"] = cv[f"{name}-hi-{level}"].to_numpy().reshape(shape)
    return bands, seconds


def arima_111_drift_bands(prices: pd.Series, result: BacktestResult) -> tuple[Bands, float]:
    """statsmodels ARIMA(1,1,1) with drift on log prices, refitted at every origin on the last 2,520 days."""
    from statsmodels.tsa.arima.model import ARIMA

    h = result.settings.horizon
    x = np.log(prices.to_numpy())
    out: dict[str, list[np.ndarray]] = {key: [] for key in ("mean", "lo80", "hi80", "lo95", "hi95")}
    start_params = None
    started = time.perf_counter()
    for origin in result.origins:
        window = x[max(0, origin - result.settings.fit_window + 1) : origin + 1]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # statsmodels re-enables its ConvergenceWarning per fit
            fitted = ARIMA(window, order=(1, 1, 1), trend="t").fit(start_params=start_params)
        start_params = fitted.params
        forecast = fitted.get_forecast(h)
        out["mean"].append(np.exp(forecast.predicted_mean))
        for level in LEVELS:
            interval = np.asarray(forecast.conf_int(alpha=1 - level / 100))
            out[f"lo{level}"].append(np.exp(interval[:, 0]))
            out[f"hi{level}"].append(np.exp(interval[:, 1]))
    return {key: np.vstack(rows) for key, rows in out.items()}, time.perf_counter() - started


def our_bands(result: BacktestResult, name: str) -> Bands:
    path = result.paths[name]
    bands = {"mean": np.exp(path.mean)}
    for level in LEVELS:
        lower, upper = path.bands[level]
        bands[f"lo{level}"], bands[f"hi{level}"] = np.exp(path.mean + lower), np.exp(path.mean + upper)
    return bands


def figures(bands: Bands, result: BacktestResult) -> dict[str, float]:
    actual = result.actual
    no_change = np.abs(actual - np.exp(result.paths[RANDOM_WALK].mean)).mean()
    row = {"rmae": float(np.abs(actual - bands["mean"]).mean() / no_change)}
    for level in LEVELS:
        lo, hi = bands[f"lo{level}"], bands[f"hi{level}"]
        row[f"is{level}"] = float(interval_score(actual, lo, hi, level).mean())
        row[f"cov{level}"] = float(np.mean((actual >= lo) & (actual <= hi)))
    return row


def quality_series(keys: list[str]) -> dict[str, pd.Series] | None:
    gold = real_series("gold_usd_daily_lbma_pm_fred_GOLDPMGBD228NLBM.csv")
    pen = real_series("usd_pen_daily_bcrp_1997_2024.csv", "USD_PEN")
    cop = real_series("usd_cop_daily_yahoo_usdcopx_2016_2021.csv", "USD_COP")
    if gold is None or pen is None or cop is None:
        return None
    every = {
        "gold": ("LBMA gold USD/oz", gold),
        "pen": ("gram of gold in PEN", local_price_series(gold, pen, unit="g")["price"].dropna()),
        "cop": ("gram of gold in COP", local_price_series(gold, cop, unit="g")["price"].dropna()),
    }
    return dict(every[key] for key in keys)


def quality(reference_models: list[str], keys: list[str]) -> None:
    series = quality_series(keys)
    if series is None:
        print("Skill: ../shared/data/market is absent; skipped")
        return
    settings = BacktestSettings(horizon=20, step=20, folds=QUALITY_FOLDS)
    print(
        f"\nSkill: last {QUALITY_FOLDS} origins, h = 20, step 20. IS = mean Winkler interval score "
        "(target's units, every fold and step; lower is better); cov = coverage; rMAE = error ÷ no-change's"
    )
    header = (
        f"{'series':22} {'model':34} {'IS80':>9} {'IS95':>9} {'cov80':>6} {'cov95':>6} {'rMAE':>6} {'sec':>6}"
    )
    for label, prices in series.items():
        prices = prices.iloc[-(PRE_HISTORY_DAYS + QUALITY_FOLDS * 20 + 40) :]
        result = run_backtest(prices, settings, series=label)
        rows: list[tuple[str, dict[str, float], float]] = []
        selected = result.score(result.selected)
        rows.append(
            (
                f"ours: {result.selected} (p = {result.skill_p_value:.3f})",
                figures(our_bands(result, result.selected), result),
                sum(score.seconds for score in result.scores),
            )
        )
        clean = prices.dropna()
        for name in reference_models:
            bands, seconds = statsforecast_bands(clean, result, name)
            rows.append((f"statsforecast {name}", figures(bands, result), seconds))
        bands, seconds = arima_111_drift_bands(clean, result)
        rows.append(("statsmodels ARIMA(1,1,1)+drift", figures(bands, result), seconds))
        first, last = result.as_json()["first_origin"], result.as_json()["last_origin"]
        print(f"\n{label}: {len(result.origins)} origins {first}..{last}")
        print(header)
        for name, row, seconds in rows:
            print(
                f"{label[:22]:22} {name:34} {row['is80']:9.3f} {row['is95']:9.3f} {row['cov80']:6.3f} "
                f"{row['cov95']:6.3f} {row['rmae']:6.3f} {seconds:6.1f}"
            )
        ours = rows[0][1]
        best_peer = min(row["is80"] for _, row, _ in rows[1:])
        met = {
            "IS80 <= best peer": ours["is80"] <= best_peer + 1e-9,
            "cov80 in 0.775-0.825": 0.775 <= ours["cov80"] <= 0.825,
            "cov95 in 0.925-0.975": 0.925 <= ours["cov95"] <= 0.975,
        }
        assert selected.interval_score_80 is not None
        print("  targets: " + ", ".join(f"{name}: {'yes' if ok else 'NO'}" for name, ok in met.items()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quality", action="store_true", help="also compare skill on several periods")
    parser.add_argument(
        "--no-arima",
        action="store_true",
        help="skill against AutoETS only (AutoARIMA takes minutes per period)",
    )
    parser.add_argument("--skip-speed", action="store_true")
    parser.add_argument(
        "--series",
        default="gold,cop,pen",
        help="for --quality: gold, cop, pen (the COP file: 50 origins from 2017)",
    )
    args = parser.parse_args()
    try:
        import statsforecast  # noqa: F401
    except ImportError:
        print(INSTALL_HINT, file=sys.stderr)
        raise SystemExit(2) from None
    if not args.skip_speed:
        speed()
    if args.quality:
        quality(["AutoETS"] if args.no_arima else ["AutoETS", "AutoARIMA"], args.series.split(","))


if __name__ == "__main__":
    main()
