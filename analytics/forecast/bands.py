"""Forecast bands: candidate volatilities, the calibrated (nested inner backtest) and conformal bands,
and the Winkler interval score they are judged by. Pure: numpy and pandas, no I/O.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass
from statistics import NormalDist

import numpy as np
import pandas as pd


def _normal_quantile(probability: float) -> float:
    return NormalDist().inv_cdf(probability)


LEVELS = (80, 95)
# The volatility that scales the band blends a short and a long memory (a month's variance mean-reverts:
# today's regime matters, and so does the long run). Chosen on gold 1980–2016 and PEN per USD 2000–2011 by
# the 80 % interval score at h = 20 (coverage held either way); a 10-day EWMA alone scored 3–8 % worse, on
# those periods and on the later checks (gold 2016–2021, the gram in PEN and in COP).
VOL_HALFLIFE_DAYS = 10
VOL_LONG_HALFLIFE_DAYS = 500
VOL_SHORT_WEIGHT = 0.3
TRACKING_RATE = 0.1  # how fast the band follows its own misses (in units of the normalised error)
MIN_CALIBRATION_ERRORS = 60  # fewer realised errors than this: Gaussian band on the current volatility


def interval_score(actual: np.ndarray, lo: np.ndarray, hi: np.ndarray, level: float) -> np.ndarray:
    """Winkler (Gneiting–Raftery) interval score of a central band with coverage `level` %, elementwise.

    width + (2/α)·(lo − y) when y is below the band, + (2/α)·(y − hi) when above, with α = 1 − level/100;
    in the units of y. Lower is better: it rewards a narrow band and charges each miss by its distance.
    """
    alpha = 1 - level / 100
    below = np.clip(lo - actual, 0, None)
    above = np.clip(actual - hi, 0, None)
    return (hi - lo) + (2 / alpha) * (below + above)


# ---------------------------------------------------------------------------------------------
# Calibration
# ---------------------------------------------------------------------------------------------


def ewma_volatility(x: np.ndarray) -> np.ndarray:
    """Daily log-return volatility known at the close of each day (causal; floor for pegged rates).

    The square root of VOL_SHORT_WEIGHT × a short EWMA variance + the rest × a long one.
    """
    squared = pd.Series(np.diff(x, prepend=x[0])) ** 2
    short = squared.ewm(halflife=VOL_HALFLIFE_DAYS, min_periods=1).mean().to_numpy()
    long = squared.ewm(halflife=VOL_LONG_HALFLIFE_DAYS, min_periods=1).mean().to_numpy()
    variance = VOL_SHORT_WEIGHT * short + (1 - VOL_SHORT_WEIGHT) * long
    return np.sqrt(np.maximum(variance, 1e-14))


def conformal_bands(
    x: np.ndarray,
    vol: np.ndarray,
    means_by_origin: np.ndarray,
    first_origin: int,
    origins: np.ndarray,
    h: int,
    window: int,
) -> dict[int, tuple[np.ndarray, np.ndarray]]:
    """Lower and upper offsets (log units) of the 80 % and 95 % bands, each shape (len(origins), h).

    ``means_by_origin[j]`` is the forecast made at day ``first_origin + j``. Every error is divided by
    the volatility known at its origin and by sqrt(step), which puts all steps on one scale; at origin
    o the band's multiplier is one quantile of the normalised errors of every step pooled together
    (those already known at o: forecasts made at t with t + k ≤ o, t in the trailing ``window`` days),
    plus a correction that tracks the band's own recent misses (conformal quantile tracking: each miss
    known by day t widens the band a little, each hit narrows it, so the miss rate over a long stretch
    stays near its nominal level when volatility regimes drift). The half-width at step k is then
    multiplier × volatility at o × sqrt(k): one number per origin and level, so the band grows
    smoothly with the horizon and is never narrower at a later step.

    Why pooled: a quantile per step (the former method) used ~window overlapping errors per step, and
    each step's quantile and correction wandered on its own: the 95 % band was jagged from one day to
    the next and spiked on the last day wherever a few recent long-horizon misses sat.
    """
    days = first_origin + np.arange(len(means_by_origin))
    steps = np.arange(1, h + 1)
    n_days = len(days)
    # known[r, k-1]: the normalised |error| at step k of the forecast made on day r - k, which
    # becomes known on day r (row-aligned by the day the outcome is known, so a trailing window of
    # rows is exactly the set known at an origin)
    known = np.full((n_days, h), np.nan)
    for k in steps:
        target = days + k
        made = np.flatnonzero(target < len(x))
        made = made[made + k < n_days]
        errors = (x[target[made]] - means_by_origin[made, k - 1]) / (vol[days[made]] * np.sqrt(k))
        known[made + k, k - 1] = np.abs(errors)  # symmetric: signed quantiles chased past trends
    flat = pd.Series(known.ravel()).rolling(window * h, min_periods=1)
    counts = flat.count().to_numpy()[h - 1 :: h]
    calibrated = counts >= MIN_CALIBRATION_ERRORS * h
    bands = {}
    positions = origins - first_origin
    spread = vol[origins][:, None] * np.sqrt(steps)[None, :]
    narrower = np.zeros(n_days)
    for level in sorted(LEVELS):
        base = np.full(n_days, _normal_quantile(0.5 + level / 200))
        quantile = flat.quantile(level / 100, interpolation="higher").to_numpy()[h - 1 :: h]
        base[calibrated] = quantile[calibrated]
        multiplier = base + _tracked_correction(known, base, 1 - level / 100)
        # each level's correction tracks its own misses, so after a run of 80 % misses the 80 % band could
        # overtake the 95 %: a wider level never gets a smaller multiplier (and none goes below zero)
        multiplier = np.maximum(multiplier, narrower)
        narrower = multiplier
        half = multiplier[positions][:, None] * spread
        bands[level] = (-half, half)
    return bands


def _tracked_correction(known: np.ndarray, base: np.ndarray, miss_rate: float) -> np.ndarray:
    """Per day, the correction added to the band: c(t+1) = c(t) + rate × (share missed among the
    outcomes that became known on day t − miss_rate). Only outcomes known on day t are used. Starts at 0.

    A recursion (each day's misses are judged against the correction in force when the forecast was
    made), so it runs day by day; on plain Python floats, which for ~20 outcomes a day is ~30× faster
    than small numpy arrays.
    """
    n_days, h = known.shape
    rows = known.tolist()
    bases = base.tolist()
    correction = [0.0] * n_days
    current = 0.0
    for day in range(n_days):
        correction[day] = current
        row = rows[day]
        seen = missed = 0
        for k in range(1, min(h, day) + 1):  # the forecast made on day - k has its step-k outcome today
            score = row[k - 1]
            if score != score:  # NaN: not known
                continue
            seen += 1
            made = day - k
            if score > bases[made] + correction[made]:
                missed += 1
        if seen:
            current += TRACKING_RATE * (missed / seen - miss_rate)
    return np.array(correction)


# The band's volatility and calibration are chosen per origin by a nested inner backtest (see
# calibrated_bands). Measured on the last 60 origins (h = 20, step 20) of LBMA gold, the gram in PEN and in
# COP (benchmarks/forecast.py --quality): the 250-day window and the 120-day EWMA beat 60- and 750-day
# windows and a 20-day EWMA, and quantile (split-conformal) multipliers of pooled normalised errors
# scored 1-5 % worse than a Gaussian or miss-tracked multiplier and under-covered; they are not candidates.
VOL_WINDOWS = (250,)  # rolling standard deviation over this many daily returns
VOL_EWMA_HALFLIFES = (120,)  # exponentially weighted, half-life in trading days
GAUSSIAN = "gaussian"  # ±z × volatility × sqrt(step)
TRACKED = "tracked"  # ±(z + a correction that tracks the band's own misses, rate TRACKING_RATE)
#: The calibrations each level may choose between. The 95 % band always tracks its misses: with one miss in
#: twenty, the inner interval score cannot tell a sharp Gaussian band from a fat-tailed truth until it is
#: too late (an inner choice between the two left gold's 95 % band at 0.905 coverage, tracked alone 0.926).
LEVEL_CALIBRATIONS: dict[int, tuple[str, ...]] = {80: (GAUSSIAN, TRACKED), 95: (TRACKED,)}
DEFAULT_VOLATILITY = "window_250"  # the inner backtest keeps it unless another one is strictly better
VOL_FLOOR = 1e-7  # daily sd floor: a pegged rate has none


def band_volatilities(x: np.ndarray) -> dict[str, np.ndarray]:
    """Candidate daily log-return volatilities, each known at the close of its day (causal).

    ``window_W``: the standard deviation of the last W daily log returns (fewer at the start);
    ``ewma_H``: the root of the exponentially weighted mean of squared returns, half-life H days.
    """
    returns = pd.Series(np.diff(x, prepend=x[0]))
    out: dict[str, np.ndarray] = {}
    for window in VOL_WINDOWS:
        sd = returns.rolling(window, min_periods=2).std().bfill().fillna(0.0).to_numpy()
        out[f"window_{window}"] = np.maximum(sd, VOL_FLOOR)
    squared = returns**2
    for halflife in VOL_EWMA_HALFLIFES:
        variance = squared.ewm(halflife=halflife, min_periods=1).mean().to_numpy()
        out[f"ewma_{halflife}"] = np.sqrt(np.maximum(variance, VOL_FLOOR**2))
    return out


def _known_by_day(
    x: np.ndarray, values_at: Callable[[np.ndarray, int], np.ndarray], days: np.ndarray, h: int
) -> np.ndarray:
    """(n_days, h): row r, column k-1 holds values_at(made, k) for the forecast made on day r - k, whose
    outcome becomes known on day r; NaN where not known. A trailing window of rows is then exactly the
    set of outcomes known at an origin."""
    n_days = len(days)
    known = np.full((n_days, h), np.nan)
    for k in range(1, h + 1):
        made = np.flatnonzero(days + k < len(x))
        made = made[made + k < n_days]
        known[made + k, k - 1] = values_at(made, k)
    return known


def _trailing_mean(known: np.ndarray, window: int) -> np.ndarray:
    """Per row (day), the mean of the values known in the trailing `window` rows (NaN when none)."""
    h = known.shape[1]
    values = pd.Series(known.ravel()).rolling(window * h, min_periods=1).mean().to_numpy()
    return values[h - 1 :: h]


def calibrated_bands(
    x: np.ndarray,
    vols: dict[str, np.ndarray],
    means_by_origin: np.ndarray,
    first_origin: int,
    origins: np.ndarray,
    h: int,
    window: int,
) -> tuple[dict[int, tuple[np.ndarray, np.ndarray]], list[str]]:
    """Lower and upper offsets (log units) of the 80 % and 95 % bands, each (len(origins), h), and the
    band chosen at each origin (e.g. "80: window_250+gaussian; 95: ewma_120+tracked").

    ``means_by_origin[j]`` is the forecast made at day ``first_origin + j``. Every candidate band is
    ± coefficient × volatility at the origin × sqrt(step), one per volatility in ``vols`` and calibration
    in ``LEVEL_CALIBRATIONS``: Gaussian (the normal quantile z) or tracked (z plus a conformal
    correction that follows the band's own misses as they become known: a miss widens it, a hit
    narrows it, so the miss rate stays near nominal when regimes drift). Which candidate an origin uses
    is decided by an inner backtest, nested so that nothing is tuned on what it is scored on: at origin
    o, each candidate's daily bands of the trailing ``window`` days (each made with what was known on its
    own day) are scored by the interval score on the outcomes known at o; the lowest wins, and ties, or
    days before any outcome is known, keep ``DEFAULT_VOLATILITY`` and the level's first calibration. So
    the correction is used only where that inner backtest shows it lowers the interval score (at 95 %,
    see ``LEVEL_CALIBRATIONS``). One coefficient per origin and level: the band grows as sqrt(step),
    never narrower at a later step; the 95 % band is made to contain the 80 % one.
    """
    days = first_origin + np.arange(len(means_by_origin))
    n_days = len(days)
    root = np.sqrt(np.arange(1, h + 1))
    positions = origins - first_origin
    bands = {}
    chosen_names: list[list[str]] = []
    inner_lo = inner_hi = None
    for level in sorted(LEVELS):
        z = _normal_quantile(0.5 + level / 200)
        names, half_widths, inner_scores = [], [], []
        for vol_name, vol in vols.items():
            spread = vol[days]

            def normalised(made: np.ndarray, k: int, spread: np.ndarray = spread) -> np.ndarray:
                return np.abs(x[days[made] + k] - means_by_origin[made, k - 1]) / (spread[made] * np.sqrt(k))

            errors = _known_by_day(x, normalised, days, h)
            for calibration in LEVEL_CALIBRATIONS[level]:
                coefficient = np.full(n_days, z)
                if calibration == TRACKED:
                    coefficient = np.maximum(
                        coefficient + _tracked_correction(errors, coefficient, 1 - level / 100), 0
                    )
                half = coefficient * spread  # half-width per sqrt(step), log units

                def score(
                    made: np.ndarray, k: int, half: np.ndarray = half, level: int = level
                ) -> np.ndarray:
                    centre, width = means_by_origin[made, k - 1], half[made] * np.sqrt(k)
                    return interval_score(x[days[made] + k], centre - width, centre + width, level)

                names.append(f"{vol_name}+{calibration}")
                half_widths.append(half)
                inner_scores.append(_trailing_mean(_known_by_day(x, score, days, h), window))
        table = np.vstack(inner_scores)  # (candidates, n_days): inner interval score known at each day
        default = next((i for i, name in enumerate(names) if name.startswith(DEFAULT_VOLATILITY + "+")), 0)
        seen = np.isfinite(table).all(axis=0)
        best = np.full(n_days, default)
        best[seen] = np.argmin(table[:, seen], axis=0)
        best[seen & (table[default] <= table[best, np.arange(n_days)])] = default  # keep it on a tie
        pick = best[positions]
        half = np.array([half_widths[c][p] for c, p in zip(pick, positions, strict=True)])
        lo, hi = -half, half
        if inner_lo is not None and inner_hi is not None:  # a wider level contains the narrower one
            lo, hi = np.minimum(lo, inner_lo), np.maximum(hi, inner_hi)
        inner_lo, inner_hi = lo, hi
        bands[level] = (lo[:, None] * root[None, :], hi[:, None] * root[None, :])
        chosen_names.append([f"{level}: {names[c]}" for c in pick])
    return bands, ["; ".join(parts) for parts in zip(*chosen_names, strict=True)]


# ---------------------------------------------------------------------------------------------
# GARCH(1,1) with Student-t errors: a band volatility candidate
# ---------------------------------------------------------------------------------------------

GARCH_T = "garch_t"  # the name of the GARCH volatility among the band's candidates
MIN_GARCH_RETURNS = 500  # fewer returns in the fit window: no GARCH candidate (its fit is unstable)


@dataclass(frozen=True)
class GarchParameters:
    """σ²(t+1) = omega + alpha·r(t)² + beta·σ²(t), daily log returns (not percent)."""

    omega: float
    alpha: float
    beta: float


def fit_garch_t(returns: np.ndarray) -> GarchParameters | None:
    """GARCH(1,1), zero mean, Student-t errors (``arch``), on daily log returns; None when it fails."""
    from arch import arch_model  # imported here: only a backtest's refit needs it

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:  # percent: arch's optimiser is scaled for it
            fitted = arch_model(returns * 100, mean="Zero", vol="GARCH", p=1, q=1, dist="t").fit(disp="off")
        except (ValueError, np.linalg.LinAlgError):
            return None
    params = fitted.params
    omega, alpha, beta = float(params["omega"]) / 1e4, float(params["alpha[1]"]), float(params["beta[1]"])
    if not (np.isfinite([omega, alpha, beta]).all() and omega > 0 and alpha + beta < 1):
        return None
    return GarchParameters(omega, alpha, beta)


def garch_volatility(returns: np.ndarray, params: GarchParameters, h: int) -> np.ndarray:
    """Per day t, the root of the mean GARCH variance forecast over steps 1..h made at t's close (causal).

    The filter σ²(t+1) = ω + α·r(t)² + β·σ²(t) starts at the long-run variance ω / (1 − α − β); the
    k-step forecast reverts to it at rate (α + β)^(k−1). The band is coefficient × this × sqrt(k), so at
    step h its half-width is coefficient × the root of the summed h-step variance forecast.
    """
    persistence = params.alpha + params.beta
    long_run = params.omega / (1 - persistence)
    from scipy.signal import lfilter  # imported here: scipy.signal costs start-up time on every page

    shocks = params.omega + params.alpha * np.asarray(returns, float) ** 2
    next_variance = lfilter([1.0], [1.0, -params.beta], shocks, zi=[params.beta * long_run])[0]
    decay = persistence ** np.arange(h)
    reverting = decay.mean()  # mean over steps of (α + β)^(k−1)
    variance = long_run + (next_variance - long_run) * reverting
    return np.sqrt(np.maximum(variance, VOL_FLOOR**2))


def with_garch_volatility(
    x: np.ndarray, vols: dict[str, np.ndarray], fit_start: int, fit_end: int, h: int
) -> dict[str, np.ndarray]:
    """``vols`` plus GARCH(1,1)-t fitted on the returns of x[fit_start : fit_end + 1]: the inner backtest of
    ``calibrated_bands`` then picks it, or not, on outcomes known at each origin (docs/forecast.md)."""
    if fit_end - fit_start < MIN_GARCH_RETURNS:
        return vols
    returns = np.diff(x, prepend=x[0])
    params = fit_garch_t(returns[fit_start + 1 : fit_end + 1])
    if params is None:
        return vols
    return {**vols, GARCH_T: garch_volatility(returns, params, h)}
