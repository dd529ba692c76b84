"""The forecast models: each fitted on a window of log prices, then run forward from any origin.

Pure: numpy and statsmodels only, no I/O. Bands and scores live in analytics.forecast.bands.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

RANDOM_WALK = "random_walk"
RANDOM_WALK_DRIFT = "random_walk_drift"
ETS_DAMPED = "ets_damped"
ARIMA = "arima"
THETA = "theta"
COMBINATION = "combination"
MODEL_NAMES = (RANDOM_WALK, RANDOM_WALK_DRIFT, ETS_DAMPED, ARIMA, THETA, COMBINATION)
ARIMA_ORDERS = ((0, 1, 0), (1, 1, 0), (0, 1, 1), (1, 1, 1), (2, 1, 2))


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
