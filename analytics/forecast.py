"""Price forecasts on log prices, scored by a rolling-origin backtest against the random walk.

Pure: a price Series in, numbers out (statsmodels for the model fits, no I/O).

How it works, and why:
- Every model lives on log prices, so errors and intervals are proportional and a price can never
  turn negative.
- Parameters are estimated by statsmodels on a capped window (``fit_window`` trading days) ending
  at an origin, and re-estimated every ``refit_every`` trading days. Between re-fits, forecasts
  from each day come from the model's own recursion run forward with those fixed parameters
  (the idiom statsmodels calls ``apply``/``extend`` with ``refit=False``). A forecast from origin t
  therefore uses data up to t only; ``tests/test_forecast.py`` perturbs the data after an origin
  to prove it.
- Intervals are calibrated, not just reported: model intervals assume a constant volatility,
  and gold's volatility comes in regimes. The interval used is a conformal band. Each day's error
  is divided by the volatility known on that day (an exponentially weighted average, half-life
  ``VOL_HALFLIFE_DAYS``) and by sqrt(horizon). The band's half-width is then the 80 % / 95 %
  quantile of those normalised errors over the trailing ``calibration_window`` origins whose
  outcome was already known at the forecast origin (split conformal, per horizon). The model's
  own Gaussian interval is still scored and reported, so the user sees why calibration is needed.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from statistics import NormalDist

import numpy as np
import pandas as pd

from analytics.errors import CodedError


def _normal_quantile(probability: float) -> float:
    return NormalDist().inv_cdf(probability)


RANDOM_WALK = "random_walk"
RANDOM_WALK_DRIFT = "random_walk_drift"
ETS_DAMPED = "ets_damped"
ARIMA = "arima"
THETA = "theta"
COMBINATION = "combination"
MODEL_NAMES = (RANDOM_WALK, RANDOM_WALK_DRIFT, ETS_DAMPED, ARIMA, THETA, COMBINATION)
LEVELS = (80, 95)
VOL_HALFLIFE_DAYS = (
    10  # two trading weeks: chosen on LBMA gold 1980-2024 and PEN/COP, 80 % and 95 % held on average
)
TRACKING_RATE = 0.1  # how fast the band follows its own misses (in units of the normalised error)
MIN_CALIBRATION_ERRORS = 60  # fewer realised errors than this: Gaussian band on the current volatility
COMBINATION_SIZE = 3  # the combination averages this many of the best candidates
ARIMA_ORDERS = ((0, 1, 0), (1, 1, 0), (0, 1, 1), (1, 1, 1), (2, 1, 2))


@dataclass(frozen=True)
class BacktestSettings:
    """How the rolling origin is laid out; the defaults match the issue's evaluation (h = 20, step = 20)."""

    horizon: int = 20
    step: int = 20
    folds: int = 60  # used when no first origin is given: the last `folds` origins that can be scored
    fit_window: int = 2520  # about ten years of trading days for parameter estimation
    refit_every: int = 250  # re-estimate parameters about once a year
    calibration_window: int = 750  # about three years of daily origins for the conformal band
    min_train: int = 250


# ---------------------------------------------------------------------------------------------
# Models: a fit on a window, then forecasts of log price from every origin with fixed parameters.
# ---------------------------------------------------------------------------------------------


@dataclass
class FittedModel:
    """Parameters fitted on x[fit_start : fit_end + 1]; forecasts from any origin t ≥ fit_start."""

    name: str
    fit_start: int
    fit_end: int
    means: Callable[[np.ndarray, np.ndarray, int], np.ndarray]  # (x, origins, h) -> (n, h) log means
    model_sd: Callable[[np.ndarray, np.ndarray, int], np.ndarray | None]  # -> (n, h) or None
    description: str = ""


def _log_return_sd(window: np.ndarray) -> float:
    steps = np.diff(window)
    return float(np.std(steps, ddof=1)) if len(steps) > 1 else 0.0


def fit_random_walk(x: np.ndarray, fit_start: int, fit_end: int) -> FittedModel:
    """No change: tomorrow's (and next month's) price is today's."""
    sd = _log_return_sd(x[fit_start : fit_end + 1])

    def means(xs: np.ndarray, origins: np.ndarray, h: int) -> np.ndarray:
        return np.repeat(xs[origins][:, None], h, axis=1)

    def model_sd(xs: np.ndarray, origins: np.ndarray, h: int) -> np.ndarray:
        return np.tile(sd * np.sqrt(np.arange(1, h + 1)), (len(origins), 1))

    return FittedModel(RANDOM_WALK, fit_start, fit_end, means, model_sd, "no change")


def fit_random_walk_drift(x: np.ndarray, fit_start: int, fit_end: int) -> FittedModel:
    """No change plus the average daily log return of the fit window."""
    window = x[fit_start : fit_end + 1]
    drift = float(np.mean(np.diff(window))) if len(window) > 1 else 0.0
    sd = _log_return_sd(window)

    def means(xs: np.ndarray, origins: np.ndarray, h: int) -> np.ndarray:
        steps = np.arange(1, h + 1)
        return xs[origins][:, None] + drift * steps[None, :]

    def model_sd(xs: np.ndarray, origins: np.ndarray, h: int) -> np.ndarray:
        return np.tile(sd * np.sqrt(np.arange(1, h + 1)), (len(origins), 1))

    return FittedModel(RANDOM_WALK_DRIFT, fit_start, fit_end, means, model_sd, f"drift {drift:+.5f}/day")


def _static(ssm, name: str, ndim: int) -> np.ndarray:
    """A state-space system matrix without its time axis.

    statsmodels stores a time axis when a matrix may vary (SARIMAX keeps its drift in a per-step
    state intercept); the models used here are time-invariant, so the first step stands for all.
    """
    matrix = np.asarray(ssm[name], dtype=float)
    while matrix.ndim > ndim:
        matrix = matrix[..., 0]
    return matrix


def _state_space_model(result, name: str, fit_start: int, fit_end: int, description: str) -> FittedModel:
    """Forecasts from a fitted statsmodels state-space model, re-run over new data without re-fitting.

    The filter is run once over x[fit_start : last origin + 1] with the fitted parameters; the
    predicted state a(t+1|t) then gives the h-step mean recursively (a ← T a + c, y = d + Z a).
    """
    params = result.params
    scale = float(getattr(result, "scale", 1.0))  # ETS concentrates the scale out of the likelihood
    cache: dict[tuple[int, int], object] = {}

    def filtered(xs: np.ndarray, last: int):
        key = (id(xs), last)
        if key not in cache:
            cache.clear()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                cache[key] = result.model.clone(xs[fit_start : last + 1]).filter(params)
        return cache[key]

    def system(run):
        ssm = run.model.ssm
        design = _static(ssm, "design", 2)
        transition = _static(ssm, "transition", 2)
        state_intercept = _static(ssm, "state_intercept", 1)
        obs_intercept = float(_static(ssm, "obs_intercept", 1)[0])
        return design, transition, state_intercept, obs_intercept

    def means(xs: np.ndarray, origins: np.ndarray, h: int) -> np.ndarray:
        run = filtered(xs, int(origins.max()))
        design, transition, state_intercept, obs_intercept = system(run)
        state = run.predicted_state[:, origins - fit_start + 1]  # a(t+1|t), one column per origin
        out = np.empty((len(origins), h))
        for k in range(h):
            out[:, k] = obs_intercept + (design @ state)[0]
            state = transition @ state + state_intercept[:, None]
        return out

    def model_sd(xs: np.ndarray, origins: np.ndarray, h: int) -> np.ndarray:
        run = filtered(xs, int(origins.max()))
        design, transition, _, _ = system(run)
        ssm = run.model.ssm
        selection = _static(ssm, "selection", 2)
        state_cov = _static(ssm, "state_cov", 2)
        obs_var = float(_static(ssm, "obs_cov", 2)[0, 0])
        shock = selection @ state_cov @ selection.T
        # With a concentrated scale, statsmodels stores covariances multiplied by the scale estimated
        # on the re-run's data (which reaches past the origin): undo it and use the fit's scale.
        run_scale = float(getattr(run, "scale", 1.0))
        out = np.empty((len(origins), h))
        for i, origin in enumerate(origins):
            cov = run.predicted_state_cov[:, :, origin - fit_start + 1] / run_scale
            for k in range(h):
                out[i, k] = np.sqrt(max(float((design @ cov @ design.T)[0, 0]) + obs_var, 0.0) * scale)
                cov = transition @ cov @ transition.T + shock
        return out

    return FittedModel(name, fit_start, fit_end, means, model_sd, description)


def fit_ets_damped(x: np.ndarray, fit_start: int, fit_end: int) -> FittedModel:
    """Additive exponential smoothing with a damped trend (statsmodels' state-space version)."""
    from statsmodels.tsa.statespace.exponential_smoothing import ExponentialSmoothing

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = ExponentialSmoothing(x[fit_start : fit_end + 1], trend=True, damped_trend=True).fit(disp=0)
    named = dict(zip(result.model.param_names, np.asarray(result.params), strict=True))
    phi = float(named.get("damping_trend", np.nan))
    return _state_space_model(result, ETS_DAMPED, fit_start, fit_end, f"damping {phi:.3f}")


def fit_arima(x: np.ndarray, fit_start: int, fit_end: int) -> FittedModel:
    """ARIMA(p,1,q) with drift on log price; the order is the lowest AIC of a small stepwise search.

    Stepwise as in auto.arima: the three simplest orders first, and the larger ones only when a
    one-lag model already beats no change (on gold it seldom does, which halves the cost).
    """
    from statsmodels.tsa.statespace.sarimax import SARIMAX

    window = x[fit_start : fit_end + 1]
    fits: dict[tuple[int, int, int], object] = {}

    def fit(order: tuple[int, int, int]) -> None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                result = SARIMAX(window, order=order, trend="c").fit(disp=0)
            except (np.linalg.LinAlgError, ValueError):
                return
        if np.isfinite(result.aic):
            fits[order] = result

    for order in ARIMA_ORDERS[:3]:
        fit(order)
    if fits and min(fits, key=lambda order: fits[order].aic) != (0, 1, 0):  # type: ignore[attr-defined]
        for order in ARIMA_ORDERS[3:]:
            fit(order)
    if not fits:
        return _renamed(fit_random_walk_drift(x, fit_start, fit_end), ARIMA, "fell back to drift")
    order = min(fits, key=lambda order: fits[order].aic)  # type: ignore[attr-defined]
    return _state_space_model(fits[order], ARIMA, fit_start, fit_end, f"order {order}")


def fit_theta(x: np.ndarray, fit_start: int, fit_end: int) -> FittedModel:
    """The standard Theta method (statsmodels ThetaModel): simple exponential smoothing plus half the trend."""
    from statsmodels.tsa.forecasting.theta import ThetaModel

    window = x[fit_start : fit_end + 1]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = ThetaModel(window, period=1, deseasonalize=False).fit()
    alpha = float(np.clip(result.params["alpha"], 1e-6, 1.0))
    b0 = float(result.params["b0"])
    residual_sd = _log_return_sd(window)

    def levels(xs: np.ndarray, last: int) -> np.ndarray:
        """SES level at each day from fit_start, started at the first observation (as statsmodels)."""
        series = xs[fit_start : last + 1]
        from scipy.signal import lfilter  # imported here: scipy.signal costs start-up time on every page

        out, _ = lfilter([alpha], [1.0, alpha - 1.0], series[1:], zi=[(1.0 - alpha) * series[0]])
        return np.concatenate([[series[0]], out])

    def means(xs: np.ndarray, origins: np.ndarray, h: int) -> np.ndarray:
        level = levels(xs, int(origins.max()))[origins - fit_start]
        steps = np.arange(1, h + 1)
        n_seen = (origins - fit_start + 1).astype(float)
        trend = b0 * (steps[None, :] - 1 + 1 / alpha - ((1 - alpha) ** n_seen)[:, None] / alpha)
        return level[:, None] + 0.5 * trend

    def model_sd(xs: np.ndarray, origins: np.ndarray, h: int) -> np.ndarray:
        steps = np.arange(1, h + 1)
        return np.tile(residual_sd * np.sqrt(1 + alpha**2 * (steps - 1)), (len(origins), 1))

    return FittedModel(THETA, fit_start, fit_end, means, model_sd, f"alpha {alpha:.3f}")


def _renamed(model: FittedModel, name: str, description: str) -> FittedModel:
    return FittedModel(name, model.fit_start, model.fit_end, model.means, model.model_sd, description)


FITTERS: dict[str, Callable[[np.ndarray, int, int], FittedModel]] = {
    RANDOM_WALK: fit_random_walk,
    RANDOM_WALK_DRIFT: fit_random_walk_drift,
    ETS_DAMPED: fit_ets_damped,
    ARIMA: fit_arima,
    THETA: fit_theta,
}


# ---------------------------------------------------------------------------------------------
# Calibration
# ---------------------------------------------------------------------------------------------


def ewma_volatility(x: np.ndarray) -> np.ndarray:
    """Daily log-return volatility known at the close of each day (causal EWMA, floor for pegged rates)."""
    returns = pd.Series(np.diff(x, prepend=x[0]))
    variance = (returns**2).ewm(halflife=VOL_HALFLIFE_DAYS, min_periods=1).mean().to_numpy()
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

    ``means_by_origin[j]`` is the forecast made at day ``first_origin + j``. For origin o and step k,
    the band uses the normalised errors of the forecasts made at days t with t + k ≤ o (already
    known at o) in the trailing ``window`` days: their quantile, plus a correction that tracks the
    band's own recent misses (conformal quantile tracking: each miss known by day t widens the band a
    little, each hit narrows it, so the miss rate over a long stretch stays at its nominal level even
    when volatility regimes drift).
    """
    days = first_origin + np.arange(len(means_by_origin))
    steps = np.arange(1, h + 1)
    n_days = len(days)
    scores = np.full((n_days, h), np.nan)  # |normalised error| of the forecast made on each day, per step
    base = {level: np.empty((n_days, h)) for level in LEVELS}
    for k in steps:
        target = days + k
        known = target < len(x)
        errors = np.full(n_days, np.nan)
        errors[known] = (x[target[known]] - means_by_origin[known, k - 1]) / (vol[days[known]] * np.sqrt(k))
        scores[:, k - 1] = np.abs(errors)  # symmetric: signed quantiles chased past trends and covered worse
        rolling = pd.Series(scores[:, k - 1]).rolling(window, min_periods=1)
        counts = rolling.count().to_numpy()
        rows = np.arange(n_days) - k  # on day t, the last forecast whose outcome is known was made at t - k
        calibrated = rows >= 0
        calibrated[calibrated] = counts[rows[calibrated]] >= MIN_CALIBRATION_ERRORS
        for level in LEVELS:
            multiplier = np.full(n_days, _normal_quantile(0.5 + level / 200))
            quantile = rolling.quantile(level / 100, interpolation="higher").to_numpy()
            multiplier[calibrated] = quantile[rows[calibrated]]
            base[level][:, k - 1] = multiplier
    positions = origins - first_origin
    bands = {}
    for level in LEVELS:
        multiplier = base[level] + _tracked_correction(scores, base[level], 1 - level / 100)
        spread = vol[origins][:, None] * np.sqrt(steps)[None, :]
        half = multiplier[positions] * spread
        bands[level] = (-half, half)
    return bands


def _tracked_correction(scores: np.ndarray, base: np.ndarray, miss_rate: float) -> np.ndarray:
    """Per day and step, the correction added to the band: c(t+1) = c(t) + rate × (missed(t−k) − miss_rate).

    Only misses already known on day t are used (the forecast made k days earlier). Starts at 0.
    """
    n_days, h = scores.shape
    correction = np.zeros((n_days, h))
    current = np.zeros(h)
    steps = np.arange(1, h + 1)
    for day in range(n_days):
        correction[day] = current
        made = day - steps  # the forecasts whose step-k outcome becomes known today
        usable = made >= 0
        if not usable.any():
            continue
        columns = np.flatnonzero(usable)
        rows = made[usable]
        score = scores[rows, columns]
        known = ~np.isnan(score)
        missed = score[known] > base[rows[known], columns[known]] + correction[rows[known], columns[known]]
        current[columns[known]] += TRACKING_RATE * (missed - miss_rate)
    return correction


# ---------------------------------------------------------------------------------------------
# Backtest
# ---------------------------------------------------------------------------------------------


@dataclass
class ModelScore:
    name: str
    rmae: float | None
    mase: float | None
    coverage_80: float | None
    coverage_95: float | None
    width_80: float | None
    seconds: float
    mae: float | None = None
    mape_pct: float | None = None  # mean absolute error in % of the actual price: the page's plain reading
    coverage_80_model: float | None = None
    coverage_95_model: float | None = None
    width_80_pct: float | None = None
    rmae_by_horizon: list[float | None] = field(default_factory=list)
    description: str = ""

    def as_json(self) -> dict[str, object]:
        return {
            "name": self.name,
            "rmae": self.rmae,
            "mase": self.mase,
            "coverage_80": self.coverage_80,
            "coverage_95": self.coverage_95,
            "width_80": self.width_80,
            "seconds": round(self.seconds, 3),
            "mae": self.mae,
            "mape_pct": self.mape_pct,
            "coverage_80_model": self.coverage_80_model,
            "coverage_95_model": self.coverage_95_model,
            "width_80_pct": self.width_80_pct,
            "rmae_by_horizon": self.rmae_by_horizon,
            "interval_method": "conformal",
            "description": self.description,
        }


@dataclass
class ModelPaths:
    """Everything a model said at the backtest origins, in log price (rows: origins, columns: steps)."""

    mean: np.ndarray
    bands: dict[int, tuple[np.ndarray, np.ndarray]]  # level -> (lower, upper) offsets from the mean
    model_sd: np.ndarray | None
    seconds: float = 0.0
    descriptions: list[str] = field(default_factory=list)


@dataclass
class BacktestResult:
    series: str
    settings: BacktestSettings
    dates: pd.DatetimeIndex
    origins: np.ndarray  # positions in `dates`
    scores: list[ModelScore]
    selected: str
    paths: dict[str, ModelPaths]
    actual: np.ndarray  # price at origin + k, (n_origins, h)

    @property
    def random_walk_wins(self) -> bool:
        return self.selected == RANDOM_WALK

    def score(self, name: str) -> ModelScore:
        return next(score for score in self.scores if score.name == name)

    def as_json(self) -> dict[str, object]:
        return {
            "series": self.series,
            "horizon": self.settings.horizon,
            "step": self.settings.step,
            "folds": len(self.origins),
            "first_origin": self.dates[self.origins[0]].strftime("%Y-%m-%d"),
            "last_origin": self.dates[self.origins[-1]].strftime("%Y-%m-%d"),
            "models": [score.as_json() for score in self.scores],
            "selected": self.selected,
            "baseline": RANDOM_WALK,
            "interval_method": "conformal: errors scaled by the volatility known at the origin, "
            f"trailing {self.settings.calibration_window} origins, per horizon",
            "fit_window": self.settings.fit_window,
            "refit_every": self.settings.refit_every,
            "last_data_date": self.dates[-1].strftime("%Y-%m-%d"),
        }


class BacktestError(CodedError):
    """The series is too short for the requested folds, or the parameters make no sense."""


def clean_price_series(prices: pd.Series) -> pd.Series:
    """Positive, finite, date-sorted daily prices; one value per day."""
    series = pd.Series(prices, dtype=float).dropna()
    series = series[np.isfinite(series) & (series > 0)]
    series.index = pd.DatetimeIndex(series.index)
    return series[~series.index.duplicated(keep="last")].sort_index()


def backtest_origins(
    dates: pd.DatetimeIndex,
    settings: BacktestSettings,
    start: pd.Timestamp | None = None,
    end: pd.Timestamp | None = None,
) -> np.ndarray:
    """Origin positions: every `step` days from `start` (or the last `folds` that fit), each followed by h days."""
    h, step = settings.horizon, settings.step
    if h < 1 or step < 1:
        raise BacktestError("horizon and step must be at least 1", "horizon_step")
    last_index = len(dates) - 1 if end is None else int(np.searchsorted(dates, end, side="right")) - 1
    last_origin = last_index - h
    if start is not None:
        first = max(int(np.searchsorted(dates, start, side="left")), settings.min_train)
        origins = np.arange(first, last_origin + 1, step)
    else:
        origins = np.arange(last_origin, settings.min_train - 1, -step)[: settings.folds][::-1]
    if len(origins) == 0 and start is not None:
        raise BacktestError(
            f"no origin on or after {start:%Y-%m-%d} is followed by {h} trading days of data "
            f"(data: {dates[0]:%Y-%m-%d} to {dates[last_index]:%Y-%m-%d}; {settings.min_train} days of "
            "history come first)",
            "no_origin",
            start=start,
            horizon=h,
            first=dates[0],
            last=dates[last_index],
            min_train=settings.min_train,
        )
    if len(origins) == 0:
        raise BacktestError(
            f"not enough data: {len(dates)} days; a backtest needs {settings.min_train} days of history "
            f"plus {h} days after the first origin",
            "not_enough_data",
            days=len(dates),
            min_train=settings.min_train,
            horizon=h,
        )
    return origins


def _fit_blocks(origins: np.ndarray, refit_every: int) -> list[np.ndarray]:
    """Group origins so that parameters are re-estimated at the first origin of each group."""
    blocks: list[list[int]] = []
    block_start = None
    for origin in origins:
        if block_start is None or origin - block_start >= refit_every:
            blocks.append([])
            block_start = origin
        blocks[-1].append(int(origin))
    return [np.array(block) for block in blocks]


@dataclass
class BlockForecast:
    """One model fitted at a block's first origin: its forecasts at the block's origins, and the
    daily forecasts behind the calibration (also used to pick the combination's members)."""

    model: FittedModel
    means: np.ndarray
    bands: dict[int, tuple[np.ndarray, np.ndarray]]
    model_sd: np.ndarray | None
    daily_means: np.ndarray
    first_daily: int


def _forecast_block(
    name: str, x: np.ndarray, vol: np.ndarray, block: np.ndarray, settings: BacktestSettings
) -> BlockForecast:
    """Fit at the block's first origin; means, calibrated bands and model sd at every origin in the block."""
    h = settings.horizon
    fit_end = int(block[0])
    fit_start = max(0, fit_end - settings.fit_window + 1)
    model = FITTERS[name](x, fit_start, fit_end)
    first_daily = max(fit_start, fit_end - settings.calibration_window - h)
    daily_origins = np.arange(first_daily, int(block[-1]) + 1)
    daily_means = model.means(x, daily_origins, h)
    bands = conformal_bands(x, vol, daily_means, first_daily, block, h, settings.calibration_window)
    return BlockForecast(
        model, daily_means[block - first_daily], bands, model.model_sd(x, block, h), daily_means, first_daily
    )


def _known_mae_before(x: np.ndarray, daily_means: np.ndarray, first_daily: int, origin: int, h: int) -> float:
    """Mean absolute log error of the daily forecasts whose outcome was known at `origin`."""
    errors = []
    for k in range(1, h + 1):
        last = origin - k - first_daily  # forecasts made up to day origin - k
        if last < 0:
            continue
        targets = np.arange(first_daily, first_daily + last + 1) + k
        errors.append(np.abs(x[targets] - daily_means[: last + 1, k - 1]))
    return float(np.mean(np.concatenate(errors))) if errors else np.inf


def run_backtest(
    prices: pd.Series,
    settings: BacktestSettings | None = None,
    *,
    models: Sequence[str] | None = None,
    start: pd.Timestamp | None = None,
    end: pd.Timestamp | None = None,
    series: str = "",
    progress: Callable[[float, str], None] | None = None,
) -> BacktestResult:
    """Rolling-origin backtest: the same origins for every model, scored against the random walk."""
    settings = settings or BacktestSettings()
    prices = clean_price_series(prices)
    if end is not None:
        prices = prices[prices.index <= end]
    names = _model_list(models)
    dates = pd.DatetimeIndex(prices.index)
    x = np.log(prices.to_numpy())
    origins = backtest_origins(dates, settings, start)
    vol = ewma_volatility(x)
    h = settings.horizon
    blocks = _fit_blocks(origins, settings.refit_every)
    paths: dict[str, ModelPaths] = {}
    daily: dict[str, list[BlockForecast]] = {}
    base_names = [name for name in names if name != COMBINATION]
    total = len(base_names) * len(blocks) + 1
    done = 0
    for name in base_names:
        started = time.perf_counter()
        means, sds, descriptions = [], [], []
        bands: dict[int, list[tuple[np.ndarray, np.ndarray]]] = {level: [] for level in LEVELS}
        daily[name] = []
        for block in blocks:
            if progress:
                progress(done / total, name)
            forecast = _forecast_block(name, x, vol, block, settings)
            means.append(forecast.means)
            sds.append(forecast.model_sd)
            descriptions.append(forecast.model.description)
            daily[name].append(forecast)
            for level in LEVELS:
                bands[level].append(forecast.bands[level])
            done += 1
        model_sd = None if any(sd is None for sd in sds) else np.vstack([sd for sd in sds if sd is not None])
        paths[name] = ModelPaths(
            np.vstack(means),
            _stacked(bands),
            model_sd,
            time.perf_counter() - started,
            descriptions,
        )
    if COMBINATION in names:
        if progress:
            progress(done / total, COMBINATION)
        paths[COMBINATION] = _combination_paths(x, vol, blocks, base_names, daily, settings)
    if progress:
        progress(1.0, "")
    actual = np.exp(x[origins[:, None] + np.arange(1, h + 1)[None, :]])
    scores = [_score(name, paths[name], x, origins, actual) for name in names]
    _relative_to_random_walk(scores, paths, actual)
    selected = select_model(scores)
    return BacktestResult(series, settings, dates, origins, scores, selected, paths, actual)


def _model_list(models: Sequence[str] | None) -> list[str]:
    names = list(MODEL_NAMES) if not models else [name.strip() for name in models if name.strip()]
    unknown = [name for name in names if name not in MODEL_NAMES]
    if unknown:
        raise BacktestError(
            f"unknown model(s): {', '.join(unknown)}; choose from {', '.join(MODEL_NAMES)}",
            "unknown_model",
            model=", ".join(unknown),
        )
    if RANDOM_WALK not in names:
        names.insert(0, RANDOM_WALK)  # the baseline every model is measured against is always there
    if COMBINATION in names:
        for member in (RANDOM_WALK_DRIFT, ETS_DAMPED, ARIMA, THETA):
            if member not in names:
                names.insert(len(names) - 1, member)
    return names


def _combination_paths(
    x: np.ndarray,
    vol: np.ndarray,
    blocks: list[np.ndarray],
    base_names: list[str],
    daily: dict[str, list[BlockForecast]],
    settings: BacktestSettings,
) -> ModelPaths:
    """Equal-weight mean (in log price) of the COMBINATION_SIZE candidates with the lowest error known
    at each block's first origin; members are chosen before the block, never on its own outcomes."""
    started = time.perf_counter()
    h = settings.horizon
    means, descriptions = [], []
    bands: dict[int, list[tuple[np.ndarray, np.ndarray]]] = {level: [] for level in LEVELS}
    for index, block in enumerate(blocks):
        origin = int(block[0])
        candidates = {name: daily[name][index] for name in base_names}
        errors = {
            name: _known_mae_before(x, forecast.daily_means, forecast.first_daily, origin, h)
            for name, forecast in candidates.items()
        }
        members = sorted(errors, key=lambda name: (errors[name], name != RANDOM_WALK))[:COMBINATION_SIZE]
        first_daily = max(candidates[name].first_daily for name in members)
        combined = np.mean(
            [candidates[name].daily_means[first_daily - candidates[name].first_daily :] for name in members],
            axis=0,
        )
        block_bands = conformal_bands(x, vol, combined, first_daily, block, h, settings.calibration_window)
        means.append(combined[block - first_daily])
        for level in LEVELS:
            bands[level].append(block_bands[level])
        descriptions.append(" + ".join(members))
    return ModelPaths(
        np.vstack(means),
        _stacked(bands),
        None,
        time.perf_counter() - started,
        descriptions,
    )


def _stacked(
    bands: dict[int, list[tuple[np.ndarray, np.ndarray]]],
) -> dict[int, tuple[np.ndarray, np.ndarray]]:
    """One (lower, upper) pair per level from the per-block pairs."""
    return {
        level: (np.vstack([lower for lower, _ in pairs]), np.vstack([upper for _, upper in pairs]))
        for level, pairs in bands.items()
    }


def _coverage(actual: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> float:
    return float(np.mean((actual >= lo) & (actual <= hi)))


def _score(name: str, path: ModelPaths, x: np.ndarray, origins: np.ndarray, actual: np.ndarray) -> ModelScore:
    point = np.exp(path.mean)
    abs_error = np.abs(actual - point)
    prices = np.exp(x)
    # MASE: each fold's error over the mean absolute one-day change of its own training data
    cumulative = np.concatenate([[0.0], np.cumsum(np.abs(np.diff(prices)))])
    scale = cumulative[origins] / np.maximum(origins, 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        fold_mase = abs_error.mean(axis=1) / scale
    mase = float(np.mean(fold_mase)) if np.all(np.isfinite(fold_mase)) else None
    lo80, hi80 = (np.exp(path.mean + offset) for offset in path.bands[80])
    lo95, hi95 = (np.exp(path.mean + offset) for offset in path.bands[95])
    coverage_model_80 = coverage_model_95 = None
    if path.model_sd is not None:
        z80, z95 = _normal_quantile(0.9), _normal_quantile(0.975)
        coverage_model_80 = _coverage(
            actual, np.exp(path.mean - z80 * path.model_sd), np.exp(path.mean + z80 * path.model_sd)
        )
        coverage_model_95 = _coverage(
            actual, np.exp(path.mean - z95 * path.model_sd), np.exp(path.mean + z95 * path.model_sd)
        )
    descriptions = sorted(set(path.descriptions))
    return ModelScore(
        name=name,
        rmae=None,
        mase=mase,
        coverage_80=_coverage(actual, lo80, hi80),
        coverage_95=_coverage(actual, lo95, hi95),
        width_80=float(np.mean(hi80 - lo80)),
        seconds=path.seconds,
        mae=float(abs_error.mean()),
        mape_pct=float(np.mean(abs_error / actual) * 100),
        coverage_80_model=coverage_model_80,
        coverage_95_model=coverage_model_95,
        width_80_pct=float(np.mean((hi80 - lo80) / point) * 100),
        description="; ".join(descriptions[:3]) + (" …" if len(descriptions) > 3 else ""),
    )


def _relative_to_random_walk(
    scores: list[ModelScore], paths: dict[str, ModelPaths], actual: np.ndarray
) -> None:
    """rMAE: the model's mean absolute error over the random walk's, on the same folds (overall and per step)."""
    baseline = np.abs(actual - np.exp(paths[RANDOM_WALK].mean))
    baseline_mae = baseline.mean()
    baseline_by_step = baseline.mean(axis=0)
    for score in scores:
        errors = np.abs(actual - np.exp(paths[score.name].mean))
        score.rmae = float(errors.mean() / baseline_mae) if baseline_mae > 0 else None
        with np.errstate(divide="ignore", invalid="ignore"):
            by_step = errors.mean(axis=0) / baseline_by_step
        score.rmae_by_horizon = [float(value) if np.isfinite(value) else None for value in by_step]


def select_model(scores: list[ModelScore]) -> str:
    """The lowest rMAE on the backtest; the random walk unless a model actually beats it."""
    candidates = [score for score in scores if score.rmae is not None and score.rmae < 1.0]
    if not candidates:
        return RANDOM_WALK
    return min(candidates, key=lambda score: score.rmae or 0.0).name


# ---------------------------------------------------------------------------------------------
# Forecast from the last day
# ---------------------------------------------------------------------------------------------


@dataclass
class Forecast:
    model: str
    origin: pd.Timestamp
    dates: pd.DatetimeIndex
    mean: np.ndarray
    lo: dict[int, np.ndarray]
    hi: dict[int, np.ndarray]
    random_walk: np.ndarray  # the no-change line, for the chart
    description: str = ""

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame(
            {
                "mean": self.mean,
                "lo_80": self.lo[80],
                "hi_80": self.hi[80],
                "lo_95": self.lo[95],
                "hi_95": self.hi[95],
                "random_walk": self.random_walk,
            },
            index=self.dates,
        )

    def as_json(self) -> dict[str, object]:
        points = [
            {"date": day.strftime("%Y-%m-%d"), **{key: float(value) for key, value in row.items()}}
            for day, row in self.frame().drop(columns="random_walk").iterrows()
        ]
        return {
            "model": self.model,
            "origin": self.origin.strftime("%Y-%m-%d"),
            "points": points,
            "interval_method": "conformal",
            "description": self.description,
        }


def forecast_from_last(
    prices: pd.Series, model: str, horizon: int = 20, settings: BacktestSettings | None = None
) -> Forecast:
    """The chosen model fitted on the latest window, with bands calibrated on its own recent errors."""
    settings = settings or BacktestSettings()
    prices = clean_price_series(prices)
    if model not in MODEL_NAMES:
        raise BacktestError(
            f"unknown model: {model}; choose from {', '.join(MODEL_NAMES)}", "unknown_model", model=model
        )
    if len(prices) < max(settings.min_train, 30):
        raise BacktestError(
            f"not enough data to forecast: {len(prices)} days, need {settings.min_train}",
            "not_enough_to_forecast",
            days=len(prices),
            min_train=settings.min_train,
        )
    if not 1 <= horizon <= 260:
        raise BacktestError(
            "horizon must be between 1 and 260 trading days", "horizon_range", low=1, high=260
        )
    horizon_settings = BacktestSettings(**{**settings.__dict__, "horizon": horizon})
    x = np.log(prices.to_numpy())
    vol = ewma_volatility(x)
    last = np.array([len(x) - 1])
    if model == COMBINATION:
        base = [RANDOM_WALK, RANDOM_WALK_DRIFT, ETS_DAMPED, ARIMA, THETA]
        daily = {name: [_forecast_block(name, x, vol, last, horizon_settings)] for name in base}
        path = _combination_paths(x, vol, [last], base, daily, horizon_settings)
        means, description = path.mean[0], path.descriptions[0]
        bands = {level: (lower[0], upper[0]) for level, (lower, upper) in path.bands.items()}
    else:
        forecast = _forecast_block(model, x, vol, last, horizon_settings)
        means, description = forecast.means[0], forecast.model.description
        bands = {level: (lower[0], upper[0]) for level, (lower, upper) in forecast.bands.items()}
    dates = pd.bdate_range(prices.index[-1] + pd.offsets.BDay(1), periods=horizon)
    return Forecast(
        model=model,
        origin=pd.Timestamp(prices.index[-1]),
        dates=dates,
        mean=np.exp(means),
        lo={level: np.exp(means + bands[level][0]) for level in LEVELS},
        hi={level: np.exp(means + bands[level][1]) for level in LEVELS},
        random_walk=np.full(horizon, float(prices.iloc[-1])),
        description=description,
    )
