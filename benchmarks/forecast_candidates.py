"""Candidate bands measured by ``benchmarks/forecast.py --quality`` beside the selected model and the peers.

Each candidate is built at the backtest's own origins from data up to the origin only, and returned as a
``Band`` in prices. What wins is kept in analytics/forecast, what loses stays here with its figures
(docs/forecast.md); nothing here is imported by the app.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from analytics.forecast import LEVELS, BacktestResult, calibrated_bands, conformal_bands, ewma_volatility
from analytics.forecast.bands import _normal_quantile, band_volatilities
from analytics.forecast.regimes import Band

DRIFT_WINDOW_DAYS = 250  # the robust drift: the median daily log return of the last year
GARCH_WINDOW_DAYS = 2520  # GARCH(1,1) fitted on the same ten years as our models


def _band_from_offsets(centre: np.ndarray, offsets: dict[int, tuple[np.ndarray, np.ndarray]]) -> Band:
    """Log centre (folds, h) and log offsets per level → a band in prices."""
    return Band(
        {level: np.exp(centre + offsets[level][0]) for level in LEVELS},
        {level: np.exp(centre + offsets[level][1]) for level in LEVELS},
    )


def _gaussian_band(centre: np.ndarray, spread: np.ndarray) -> Band:
    """± z × spread (log units, (folds, h)) around a log centre."""
    z = {level: _normal_quantile(0.5 + level / 200) for level in LEVELS}
    return _band_from_offsets(centre, {level: (-z[level] * spread, z[level] * spread) for level in LEVELS})


def _no_change_centre(x: np.ndarray, origins: np.ndarray, h: int) -> np.ndarray:
    return np.repeat(x[origins][:, None], h, axis=1)


def conformal_random_walk(result: BacktestResult, x: np.ndarray) -> Band:
    """No change with bands from the empirical quantiles of past standardised errors (fat tails),
    pooled over steps and miss-tracked: the band Sell timing used before it read the stored forecast."""
    h, window = result.settings.horizon, result.settings.calibration_window
    first = max(0, int(result.origins[0]) - 2 * window - h)
    days = np.arange(first, int(result.origins[-1]) + 1)
    means = np.repeat(x[days][:, None], h, axis=1)
    offsets = conformal_bands(x, ewma_volatility(x), means, first, result.origins, h, window)
    return _band_from_offsets(_no_change_centre(x, result.origins, h), offsets)


def shrunk_drift(x: np.ndarray) -> np.ndarray:
    """Per day, a robust drift (median of the last DRIFT_WINDOW_DAYS log returns) shrunk toward zero by
    its own noise: × max(0, 1 − (standard error ÷ drift)²), a James–Stein factor."""
    returns = pd.Series(np.diff(x, prepend=x[0]))
    rolling = returns.rolling(DRIFT_WINDOW_DAYS, min_periods=20)
    median = rolling.median().fillna(0.0).to_numpy()
    standard_error = (1.2533 * rolling.std() / np.sqrt(rolling.count())).fillna(np.inf).to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        factor = np.clip(1 - (standard_error / np.abs(median)) ** 2, 0, 1)
    return np.nan_to_num(median * factor)


def shrunk_drift_band(result: BacktestResult, x: np.ndarray) -> Band:
    """Robust drift shrunk toward zero as the centre, with the app's calibrated bands around it."""
    h, window = result.settings.horizon, result.settings.calibration_window
    first = max(0, int(result.origins[0]) - 2 * window - h)
    days = np.arange(first, int(result.origins[-1]) + 1)
    drift = shrunk_drift(x)
    steps = np.arange(1, h + 1)
    means = x[days][:, None] + drift[days][:, None] * steps[None, :]
    offsets, _ = calibrated_bands(x, band_volatilities(x), means, first, result.origins, h, window)
    return _band_from_offsets(means[result.origins - first], offsets)


def garch_band(result: BacktestResult, x: np.ndarray) -> Band:
    """No change with GARCH(1,1) volatility (``arch``, Student-t errors, zero mean) refitted at every
    origin on the last GARCH_WINDOW_DAYS returns: ± z × the root of the summed variance forecasts."""
    from arch import arch_model

    h = result.settings.horizon
    returns = np.diff(x) * 100  # percent: arch's optimiser is scaled for it
    spread = np.empty((len(result.origins), h))
    for row, origin in enumerate(result.origins):
        window = returns[max(0, origin - GARCH_WINDOW_DAYS) : origin]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fitted = arch_model(window, mean="Zero", vol="GARCH", p=1, q=1, dist="t").fit(disp="off")
        variance = np.asarray(fitted.forecast(horizon=h, reindex=False).variance)[-1]
        spread[row] = np.sqrt(np.cumsum(variance)) / 100
    return _gaussian_band(_no_change_centre(x, result.origins, h), spread)


def gold_times_rate_band(result: BacktestResult, x: np.ndarray, gold: np.ndarray, rate: np.ndarray) -> Band:
    """The gram as gold × rate: no change, ± z × sqrt(σg² + σr² + 2ρσgσr) × sqrt(step), with gold's 250-day
    volatility, the rate's 120-day EWMA volatility (its jumps fade faster) and their 250-day correlation."""
    h = result.settings.horizon
    log_gold, log_rate = np.log(gold), np.log(rate)
    gold_returns = pd.Series(np.diff(log_gold, prepend=log_gold[0]))
    rate_returns = pd.Series(np.diff(log_rate, prepend=log_rate[0]))
    sigma_gold = gold_returns.rolling(250, min_periods=20).std().bfill().to_numpy()
    sigma_rate = np.sqrt(rate_returns.pow(2).ewm(halflife=120, min_periods=1).mean()).to_numpy()
    correlation = gold_returns.rolling(250, min_periods=20).corr(rate_returns).fillna(0.0).to_numpy()
    variance = sigma_gold**2 + sigma_rate**2 + 2 * correlation * sigma_gold * sigma_rate
    spread = np.sqrt(np.maximum(variance[result.origins], 1e-14))[:, None] * np.sqrt(np.arange(1, h + 1))
    return _gaussian_band(_no_change_centre(x, result.origins, h), spread)


def quantile_average(*bands: Band) -> Band:
    """Each level's lower and upper bounds averaged across models (Vincentisation: averaging quantiles)."""
    return Band(
        {level: np.mean([band.lo[level] for band in bands], axis=0) for level in LEVELS},
        {level: np.mean([band.hi[level] for band in bands], axis=0) for level in LEVELS},
    )
