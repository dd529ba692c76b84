"""Forecast backtest: speed against statsforecast, and skill against peer models on the same folds.

1. Speed (issue target: no slower than AutoETS): our full backtest (all models, 60 folds, h = 20,
   step 20, 6,000 daily points) against statsforecast AutoETS ``cross_validation`` on the same folds,
   timed side by side in this run after a warm-up (numba compiles on first use).
2. Skill by regime (``--quality``): on LBMA gold since 1968 (USD per troy ounce) and on the gram of fine gold in
   COP (the TRM file to 2015, then Yahoo) and in PEN (gold × rate ÷ 31.1034768, as ``data.market.market_data`` derives
   GOLD_PEN_G), every origin from the 1,000th day, ``--step`` days apart (h = 20): our selected model and the
   candidate bands (``benchmarks/forecast_candidates.py``) beside statsforecast AutoETS and AutoARIMA
   (``cross_validation`` with ``level=[80, 95]`` and ``input_size`` = our 2,520-day fit window) and
   statsmodels ARIMA(1,1,1) with drift (log prices, refitted at every origin on the same window). One table per
   series: regime × model, the 80 % and 95 % Winkler interval scores and coverage
   (``analytics/forecast/regimes.py``), then the least-worst-regime rule and the targets: IS80 over all folds
   ≤ the best peer's, at least as good in most regimes, 80 % coverage in 0.75–0.85.

    python benchmarks/forecast.py [--quality] [--skip-speed] [--no-arima] [--series gold,cop,pen]
                                  [--step 20] [--models random_walk,random_walk_drift,theta]

statsforecast pins pandas < 3 and the project runs on pandas 3, so it lives in its own virtualenv:

    python -m venv .venv-bench && .venv-bench/bin/pip install -r requirements.txt -r benchmarks/requirements.txt
    .venv-bench/bin/python benchmarks/forecast.py --quality

Data: ../shared/data/market (or the folder in MARKET_DATA_DIR) when present, else a seeded random walk (speed
only). Measured figures, and what was kept and dropped: docs/forecast.md.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SHARED = Path(
    os.environ.get("MARKET_DATA_DIR", ROOT.parent / "shared" / "data" / "market")
)  # or set the folder

from analytics.forecast import (  # noqa: E402
    RANDOM_WALK,
    BacktestResult,
    BacktestSettings,
    clean_price_series,
    run_backtest,
)
from analytics.forecast.regimes import (  # noqa: E402
    ALL_REGIMES,
    COP_GRAM_REGIMES,
    GOLD_REGIMES,
    MIN_REGIME_FOLDS,
    PEN_GRAM_REGIMES,
    Band,
    Regime,
    least_worst_regime,
    pool_short_regimes,
    scores_by_regime,
    worst_ratio_by_model,
)
from benchmarks import forecast_candidates as candidates  # noqa: E402
from data.market.importers import parse_price_file  # noqa: E402
from data.market.market_data import local_price_series  # noqa: E402

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


QUALITY_FIRST_ORIGIN_DAY = 1_000  # four years of history before the first origin (gold: from 1972)
LEVELS = (80, 95)


def statsforecast_bands(prices: pd.Series, result: BacktestResult, name: str) -> tuple[Band, float]:
    """statsforecast cross_validation with 80 % and 95 % levels on the backtest's own origins, each fit on
    the same trailing window as ours (``input_size`` = fit_window)."""
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
        df=frame,
        h=h,
        n_windows=len(result.origins),
        step_size=step,
        level=list(LEVELS),
        input_size=result.settings.fit_window,
    )
    seconds = time.perf_counter() - started
    cv = cv.sort_values(["cutoff", "ds"])
    assert np.array_equal(np.sort(cv["cutoff"].unique()), result.origins), (
        "statsforecast folds differ from ours"
    )
    shape = (len(result.origins), h)
    np.testing.assert_allclose(cv["y"].to_numpy().reshape(shape), result.actual, rtol=1e-9)
    lo = {level: cv[f"{name}-lo-{level}"].to_numpy().reshape(shape) for level in LEVELS}
    hi = {level: cv[f"{name}-hi-{level}"].to_numpy().reshape(shape) for level in LEVELS}
    return Band(lo, hi), seconds


def arima_111_drift_bands(prices: pd.Series, result: BacktestResult) -> tuple[Band, float]:
    """statsmodels ARIMA(1,1,1) with drift on log prices, refitted at every origin on the last 2,520 days."""
    from statsmodels.tsa.arima.model import ARIMA

    h = result.settings.horizon
    x = np.log(prices.to_numpy())
    lo: dict[int, list[np.ndarray]] = {level: [] for level in LEVELS}
    hi: dict[int, list[np.ndarray]] = {level: [] for level in LEVELS}
    start_params = None
    started = time.perf_counter()
    for origin in result.origins:
        window = x[max(0, origin - result.settings.fit_window + 1) : origin + 1]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # statsmodels re-enables its ConvergenceWarning per fit
            fitted = ARIMA(window, order=(1, 1, 1), trend="t").fit(start_params=start_params)
        start_params = fitted.params
        forecast = fitted.get_forecast(h)
        for level in LEVELS:
            interval = np.asarray(forecast.conf_int(alpha=1 - level / 100))
            lo[level].append(np.exp(interval[:, 0]))
            hi[level].append(np.exp(interval[:, 1]))
    band = Band({k: np.vstack(v) for k, v in lo.items()}, {k: np.vstack(v) for k, v in hi.items()})
    return band, time.perf_counter() - started


def our_band(result: BacktestResult, name: str) -> Band:
    path = result.paths[name]
    lo = {level: np.exp(path.mean + path.bands[level][0]) for level in LEVELS}
    hi = {level: np.exp(path.mean + path.bands[level][1]) for level in LEVELS}
    return Band(lo, hi)


@dataclass(frozen=True)
class QualitySeries:
    label: str
    prices: pd.Series  # the target, one value per day
    regimes: tuple[Regime, ...]
    components: pd.DataFrame | None = None  # gold_usd_per_oz and fx on the target's days (the gram)


def _gram(gold: pd.Series, rate: pd.Series) -> tuple[pd.Series, pd.DataFrame]:
    frame = local_price_series(gold, rate, unit="g").dropna(subset=["price"])
    return frame["price"], frame[["gold_usd_per_oz", "fx"]]


def quality_series(keys: list[str]) -> dict[str, QualitySeries] | None:
    """LBMA gold since 1968; the gram in COP (the TRM file to 2015, then Yahoo) and in PEN, each with its regimes."""
    gold = real_series("gold_usd_daily_lbma_pm_fred_GOLDPMGBD228NLBM.csv")
    pen = real_series("usd_pen_daily_bcrp_1997_2024.csv", "USD_PEN")
    cop_trm = real_series("usd_cop_daily_trm_datosgov_1991_2015.csv", "USD_COP")
    cop_yahoo = real_series("usd_cop_daily_yahoo_usdcopx_2016_2021.csv", "USD_COP")
    if gold is None or pen is None or cop_trm is None or cop_yahoo is None:
        return None
    cop = pd.concat([cop_trm[cop_trm.index < cop_yahoo.index[0]], cop_yahoo])
    every = {"gold": QualitySeries("LBMA gold USD/oz", gold, GOLD_REGIMES)}
    for key, label, rate, regimes in (
        ("pen", "gram of gold in PEN", pen, PEN_GRAM_REGIMES),
        ("cop", "gram of gold in COP", cop, COP_GRAM_REGIMES),
    ):
        prices, components = _gram(gold, rate)
        every[key] = QualitySeries(label, prices, regimes, components)
    return {key: every[key] for key in keys}


def candidate_bands(result: BacktestResult, series: QualitySeries) -> dict[str, Band]:
    """Our selected model, the no-change band, and every candidate measured beside them."""
    x = np.log(clean_price_series(series.prices).to_numpy())
    ours = {f"ours: {result.selected}": our_band(result, result.selected)}
    if result.selected != RANDOM_WALK:
        ours["random_walk"] = our_band(result, RANDOM_WALK)
    rw = our_band(result, RANDOM_WALK)
    ours["rw + empirical quantiles"] = candidates.conformal_random_walk(result, x)
    ours["shrunk robust drift"] = candidates.shrunk_drift_band(result, x)
    ours["rw + GARCH(1,1)-t"] = garch = candidates.garch_band(result, x)
    ours["avg(rw, GARCH)"] = candidates.quantile_average(rw, garch)
    ours["avg(rw, empirical, GARCH)"] = candidates.quantile_average(
        rw, ours["rw + empirical quantiles"], garch
    )
    if series.components is not None:
        parts = series.components.reindex(result.dates)
        ours["gold × rate"] = candidates.gold_times_rate_band(
            result, x, parts["gold_usd_per_oz"].to_numpy(), parts["fx"].to_numpy()
        )
    return ours


def print_regime_table(label: str, tables: dict[str, pd.DataFrame], peers: list[str]) -> None:
    """One block per regime: every model's IS80, IS95, cov80, cov95 on that regime's folds."""
    regimes = next(iter(tables.values())).index
    print(f"{'regime':20} {'model':30} {'folds':>5} {'IS80':>10} {'IS95':>10} {'cov80':>6} {'cov95':>6}")
    for regime in regimes:
        for model, table in tables.items():
            row = table.loc[regime]
            mark = " (peer)" if model in peers else ""
            print(
                f"{regime:20} {(model + mark)[:30]:30} {int(row['folds']):5d} {row['is80']:10.3f} "
                f"{row['is95']:10.3f} {row['cov80']:6.3f} {row['cov95']:6.3f}"
            )
        print()


def judge(label: str, tables: dict[str, pd.DataFrame], peers: list[str]) -> None:
    """The least-worst-regime rule among our candidates, and the targets against the best peer."""
    is80 = pd.DataFrame({model: table["is80"] for model, table in tables.items()})
    ours = [model for model in is80.columns if model not in peers]
    folds = next(iter(tables.values()))["folds"]
    rule = least_worst_regime(is80[ours], folds)
    judged = pool_short_regimes(is80, folds)
    worst = worst_ratio_by_model(judged)
    best_peer = is80[peers].min(axis=1)
    print(
        f"{label}: worst regime ÷ that regime's best, all models (IS80; regimes with fewer than "
        f"{MIN_REGIME_FOLDS} folds pooled: {', '.join(judged.index)}):"
    )
    print("  " + ", ".join(f"{model} {worst[model]:.3f}" for model in is80.columns))
    for model in dict.fromkeys([ours[0], rule]):
        regimes = is80.index.drop(ALL_REGIMES)
        wins = int((is80.loc[regimes, model] <= best_peer[regimes] + 1e-9).sum())
        cov = tables[model].loc[ALL_REGIMES, "cov80"]
        print(
            f"  {model}: IS80 all {is80.loc[ALL_REGIMES, model]:.3f} vs best peer {best_peer[ALL_REGIMES]:.3f} "
            f"({'yes' if is80.loc[ALL_REGIMES, model] <= best_peer[ALL_REGIMES] + 1e-9 else 'NO'}); "
            f"at least as good as the best peer in {wins} of {len(regimes)} regimes; cov80 {cov:.3f} "
            f"({'yes' if 0.75 <= cov <= 0.85 else 'NO'}, 0.75-0.85)"
            + ("  <- least-worst-regime rule" if model == rule else "")
        )


def quality(reference_models: list[str], keys: list[str], step: int, models: list[str] | None = None) -> None:
    every = quality_series(keys)
    if every is None:
        print("Skill: ../shared/data/market is absent; skipped")
        return
    settings = BacktestSettings(horizon=20, step=step)
    print(
        f"\nSkill by regime: every origin from day {QUALITY_FIRST_ORIGIN_DAY:,}, h = 20, step {step}. IS = mean "
        "Winkler interval score (target's units, every fold and step; lower is better); cov = coverage"
    )
    for series in every.values():
        prices = clean_price_series(series.prices)
        started = time.perf_counter()
        result = run_backtest(
            prices, settings, models=models, start=prices.index[QUALITY_FIRST_ORIGIN_DAY], series=series.label
        )
        tables = {}
        origin_days = result.dates[result.origins]
        for model, band in candidate_bands(result, series).items():
            tables[model] = scores_by_regime(origin_days, result.actual, band, series.regimes)
        ours_seconds = time.perf_counter() - started
        peers = [f"statsforecast {name}" for name in reference_models] + ["statsmodels ARIMA(1,1,1)+drift"]
        seconds = {}
        for name in reference_models:
            band, seconds[name] = statsforecast_bands(prices, result, name)
            tables[f"statsforecast {name}"] = scores_by_regime(
                origin_days, result.actual, band, series.regimes
            )
        band, seconds["ARIMA"] = arima_111_drift_bands(prices, result)
        tables[peers[-1]] = scores_by_regime(origin_days, result.actual, band, series.regimes)
        print(
            f"\n{series.label}: {len(result.origins)} origins {origin_days[0]:%Y-%m-%d}..{origin_days[-1]:%Y-%m-%d}; "
            f"selected {result.selected} (p = {result.skill_p_value:.3f}); seconds: ours and candidates "
            f"{ours_seconds:.0f}, " + ", ".join(f"{name} {value:.0f}" for name, value in seconds.items())
        )
        print_regime_table(series.label, tables, peers)
        judge(series.label, tables, peers)
        sys.stdout.flush()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quality", action="store_true", help="also compare skill on several periods")
    parser.add_argument(
        "--no-arima",
        action="store_true",
        help="skill against AutoETS only (AutoARIMA takes minutes per period)",
    )
    parser.add_argument("--skip-speed", action="store_true")
    parser.add_argument("--step", type=int, default=20, help="for --quality: trading days between origins")
    parser.add_argument(
        "--models",
        default="",
        help="for --quality: our models to select among (default: all; e.g. the fast ones)",
    )
    parser.add_argument(
        "--series",
        default="gold,cop,pen",
        help="for --quality: gold, cop, pen",
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
        peers = ["AutoETS"] if args.no_arima else ["AutoETS", "AutoARIMA"]
        quality(peers, args.series.split(","), args.step, args.models.split(",") if args.models else None)


if __name__ == "__main__":
    main()
