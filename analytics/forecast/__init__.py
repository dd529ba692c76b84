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
  and gold's volatility comes in regimes. Each band is ± coefficient × the volatility known at the
  origin × sqrt(step), where the volatility (a 250-day window or a 120-day EWMA) and the coefficient
  (Gaussian, or Gaussian plus a correction that tracks the band's own misses) are chosen at every
  origin by a nested inner backtest: the interval score of each candidate's past daily bands on the
  outcomes known at the origin (``calibrated_bands``). One coefficient per origin: the band grows
  with sqrt(step), never narrower at a later step. The model's own Gaussian interval is still scored
  and reported, so the user sees why calibration is needed. Bands are scored by coverage and by the
  Winkler interval score (``interval_score``).
- Skill is tested, not read off a ratio. A model replaces no-change (the random walk) only when a
  one-sided Diebold–Mariano test (``diebold_mariano``: Newey–West HAC variance from statsmodels)
  finds its 80 % interval-score loss lower, with p < ``SKILL_ALPHA`` after a Bonferroni adjustment for
  the number of candidates, and its point error is no larger (rMAE ≤ 1); the lowest interval score
  among those wins, else the simplest model is kept. The same test on absolute error is reported
  (``dm_p_value``). ``skill_p_value`` is the selected model's adjusted p-value on the interval score
  (1.0 when no-change is selected).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from analytics.errors import CodedError
from analytics.forecast.bands import (
    LEVELS,
    _normal_quantile,
    band_volatilities,
    calibrated_bands,
    conformal_bands,
    ewma_volatility,
    interval_score,
    with_garch_volatility,
)
from analytics.forecast.models import (
    ARIMA,
    COMBINATION,
    ETS_DAMPED,
    FITTERS,
    MODEL_NAMES,
    RANDOM_WALK,
    RANDOM_WALK_DRIFT,
    THETA,
    FittedModel,
    _state_space_model,
    fit_theta,
)

#: Names kept importable from ``analytics.forecast`` since the module became a package (models, bands).
__all__ = [
    "ARIMA",
    "COMBINATION",
    "ETS_DAMPED",
    "FITTERS",
    "LEVELS",
    "MODEL_NAMES",
    "RANDOM_WALK",
    "RANDOM_WALK_DRIFT",
    "THETA",
    "BacktestError",
    "BacktestResult",
    "BacktestSettings",
    "BacktestSummary",
    "FittedModel",
    "Forecast",
    "ModelScore",
    "_state_space_model",
    "band_volatilities",
    "calibrated_bands",
    "conformal_bands",
    "diebold_mariano",
    "ewma_volatility",
    "fit_theta",
    "forecast_from_last",
    "interval_score",
    "run_backtest",
    "select_model",
]

COMBINATION_SIZE = 3  # the combination averages this many of the best candidates
SKILL_ALPHA = 0.05  # a model replaces no-change only when its skill test gives p below this
SKILL_TEST = "diebold_mariano_hac_interval_score_80_one_sided_bonferroni"


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
    interval_score_80: float | None = None  # mean Winkler score of the 80 % band, target's units
    interval_score_95: float | None = None
    dm_p_value: float | None = None  # skill test vs the random walk, adjusted (None for the random walk)
    dm_p_value_interval: float | None = None  # the same test on the 80 % interval-score loss

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
            "interval_score_80": self.interval_score_80,
            "interval_score_95": self.interval_score_95,
            "dm_p_value": self.dm_p_value,
            "dm_p_value_interval": self.dm_p_value_interval,
        }


@dataclass
class ModelPaths:
    """Everything a model said at the backtest origins, in log price (rows: origins, columns: steps)."""

    mean: np.ndarray
    bands: dict[int, tuple[np.ndarray, np.ndarray]]  # level -> (lower, upper) offsets from the mean
    model_sd: np.ndarray | None
    seconds: float = 0.0
    descriptions: list[str] = field(default_factory=list)
    band_methods: list[str] = field(default_factory=list)  # per origin: the band the inner backtest chose


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
    skill_p_value: float = 1.0  # the selected model against no-change (SKILL_TEST); 1.0 for no-change

    def folds_frame(self) -> pd.DataFrame:
        """One row per model, origin and step: what each model said and what happened."""
        h = self.settings.horizon
        steps = np.arange(1, h + 1)
        origin_dates = np.repeat(np.asarray(self.dates[self.origins]), h)
        target_dates = np.asarray(self.dates[(self.origins[:, None] + steps[None, :]).ravel()])
        frames = []
        for score in self.scores:
            path = self.paths[score.name]
            columns = {
                "model": score.name,
                "origin": origin_dates,
                "step": np.tile(steps, len(self.origins)),
                "date": target_dates,
                "actual": self.actual.ravel(),
                "mean": np.exp(path.mean).ravel(),
            }
            for level in LEVELS:
                lower, upper = path.bands[level]
                columns[f"lo{level}"] = np.exp(path.mean + lower).ravel()
                columns[f"hi{level}"] = np.exp(path.mean + upper).ravel()
            frames.append(pd.DataFrame(columns))
        return pd.concat(frames, ignore_index=True)

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
            "skill_p_value": self.skill_p_value,
            "skill_test": SKILL_TEST,
            "baseline": RANDOM_WALK,
            "interval_method": "volatility (250-day window or 120-day EWMA) x sqrt(step) x a Gaussian or "
            "miss-tracked multiplier, chosen per origin by a nested inner backtest on the interval score "
            f"over the trailing {self.settings.calibration_window} days",
            "fit_window": self.settings.fit_window,
            "refit_every": self.settings.refit_every,
            "last_data_date": self.dates[-1].strftime("%Y-%m-%d"),
            "last_target": self.dates[self.origins[-1] + self.settings.horizon].strftime("%Y-%m-%d"),
        }

    def summary(self) -> BacktestSummary:
        """What the page, the briefing and the store need: the scores and the folds' dates, no paths."""
        return BacktestSummary.from_json(self.as_json())


@dataclass
class BacktestSummary:
    """A backtest's scores and selection without its per-fold paths: what is stored and read back."""

    series: str
    horizon: int
    step: int
    folds: int
    first_origin: pd.Timestamp
    last_origin: pd.Timestamp
    last_target: pd.Timestamp  # the last day a fold was scored on
    last_data_date: pd.Timestamp  # the last day of the data the backtest was run on
    scores: list[ModelScore]
    selected: str
    skill_p_value: float
    payload: dict[str, object] = field(default_factory=dict, repr=False)

    @classmethod
    def from_json(cls, payload: dict) -> BacktestSummary:
        known = set(ModelScore.__dataclass_fields__)
        scores = [ModelScore(**{k: v for k, v in model.items() if k in known}) for model in payload["models"]]
        return cls(
            series=str(payload["series"]),
            horizon=int(payload["horizon"]),
            step=int(payload["step"]),
            folds=int(payload["folds"]),
            first_origin=pd.Timestamp(payload["first_origin"]),
            last_origin=pd.Timestamp(payload["last_origin"]),
            last_target=pd.Timestamp(payload["last_target"]),
            last_data_date=pd.Timestamp(payload["last_data_date"]),
            scores=scores,
            selected=str(payload["selected"]),
            skill_p_value=float(payload["skill_p_value"]),
            payload=dict(payload),
        )

    def as_json(self) -> dict[str, object]:
        return self.payload

    @property
    def random_walk_wins(self) -> bool:
        return self.selected == RANDOM_WALK

    def score(self, name: str) -> ModelScore:
        return next(score for score in self.scores if score.name == name)


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
    band_methods: list[str] = field(default_factory=list)  # the band chosen at each origin of the block


def _forecast_block(
    name: str, x: np.ndarray, vols: dict[str, np.ndarray], block: np.ndarray, settings: BacktestSettings
) -> BlockForecast:
    """Fit at the block's first origin; means, calibrated bands and model sd at every origin in the block."""
    h = settings.horizon
    fit_end = int(block[0])
    fit_start = max(0, fit_end - settings.fit_window + 1)
    model = FITTERS[name](x, fit_start, fit_end)
    # the inner backtest that picks the band scores the trailing window's daily bands, each calibrated on
    # the window before it: two windows of daily forecasts
    first_daily = max(fit_start, fit_end - 2 * settings.calibration_window - h)
    daily_origins = np.arange(first_daily, int(block[-1]) + 1)
    daily_means = model.means(x, daily_origins, h)
    bands, methods = calibrated_bands(
        x, vols, daily_means, first_daily, block, h, settings.calibration_window
    )
    return BlockForecast(
        model,
        daily_means[block - first_daily],
        bands,
        model.model_sd(x, block, h),
        daily_means,
        first_daily,
        methods,
    )


def _block_volatilities(
    x: np.ndarray, vols: dict[str, np.ndarray], block: np.ndarray, settings: BacktestSettings
) -> dict[str, np.ndarray]:
    """The shared band volatilities plus GARCH(1,1)-t fitted on the block's fit window, as the models are."""
    fit_end = int(block[0])
    return with_garch_volatility(
        x, vols, max(0, fit_end - settings.fit_window + 1), fit_end, settings.horizon
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
    vols = band_volatilities(x)
    h = settings.horizon
    blocks = _fit_blocks(origins, settings.refit_every)
    block_vols = [_block_volatilities(x, vols, block, settings) for block in blocks]
    paths: dict[str, ModelPaths] = {}
    daily: dict[str, list[BlockForecast]] = {}
    base_names = [name for name in names if name != COMBINATION]
    total = len(base_names) * len(blocks) + 1
    done = 0
    for name in base_names:
        started = time.perf_counter()
        means, sds, descriptions, band_methods = [], [], [], []
        bands: dict[int, list[tuple[np.ndarray, np.ndarray]]] = {level: [] for level in LEVELS}
        daily[name] = []
        for block, vols_now in zip(blocks, block_vols, strict=True):
            if progress:
                progress(done / total, name)
            forecast = _forecast_block(name, x, vols_now, block, settings)
            means.append(forecast.means)
            band_methods += forecast.band_methods
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
            band_methods,
        )
    if COMBINATION in names:
        if progress:
            progress(done / total, COMBINATION)
        paths[COMBINATION] = _combination_paths(x, block_vols, blocks, base_names, daily, settings)
    if progress:
        progress(1.0, "")
    actual = np.exp(x[origins[:, None] + np.arange(1, h + 1)[None, :]])
    scores = [_score(name, paths[name], x, origins, actual) for name in names]
    _relative_to_random_walk(scores, paths, actual)
    _test_against_random_walk(scores, paths, actual, settings.step)
    selected, skill_p_value = select_model(scores)
    return BacktestResult(series, settings, dates, origins, scores, selected, paths, actual, skill_p_value)


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
    block_vols: list[dict[str, np.ndarray]],
    blocks: list[np.ndarray],
    base_names: list[str],
    daily: dict[str, list[BlockForecast]],
    settings: BacktestSettings,
) -> ModelPaths:
    """Equal-weight mean (in log price) of the COMBINATION_SIZE candidates with the lowest error known
    at each block's first origin; members are chosen before the block, never on its own outcomes."""
    started = time.perf_counter()
    h = settings.horizon
    means, descriptions, band_methods = [], [], []
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
        block_bands, methods = calibrated_bands(
            x, block_vols[index], combined, first_daily, block, h, settings.calibration_window
        )
        band_methods += methods
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
        band_methods,
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


def diebold_mariano(loss: np.ndarray, baseline_loss: np.ndarray, step: int) -> float:
    """One-sided Diebold–Mariano p-value for "`loss` is lower on average than `baseline_loss`".

    Both are (folds, h) arrays on the same origins. Each fold's loss differential is averaged over its
    steps 1..h, so the test runs on one number per origin; their mean is tested against zero with a
    Newey–West (HAC, Bartlett) variance from statsmodels, because differentials of consecutive folds are
    correlated (forecast windows overlap when step < h, and volatility clusters either way); lags: the
    larger of the overlap, ceil(h / step) − 1, and Newey–West's rule floor(4 (n/100)^(2/9)). Student t
    with the Bartlett variance's equivalent degrees of freedom, 1.5 n / (lags + 1) (at most n − 1): with
    60 folds and 3 lags, t(n − 1) said "better" 6.2 % of the time under equal skill, this 5.5 %
    (1,000 simulations like those in tests/test_forecast.py).
    """
    differential = np.mean(loss - baseline_loss, axis=1)
    n = len(differential)
    if n < 3:
        return 1.0
    spread = float(np.std(differential))
    if not np.isfinite(spread) or spread <= 1e-12 * max(1.0, float(np.mean(np.abs(baseline_loss)))):
        return 0.0 if float(np.mean(differential)) < 0 else 1.0
    from scipy.stats import t as student_t
    from statsmodels.regression.linear_model import OLS

    h = loss.shape[1]
    lags = max(int(np.ceil(h / step)) - 1, int(np.floor(4 * (n / 100) ** (2 / 9))))
    fit = OLS(differential, np.ones(n)).fit(
        cov_type="HAC", cov_kwds={"maxlags": lags, "use_correction": True}
    )
    statistic = float(np.asarray(fit.tvalues)[0])
    return float(student_t.cdf(statistic, df=min(n - 1.0, 1.5 * n / (lags + 1))))


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
    score_80 = float(np.mean(interval_score(actual, lo80, hi80, 80)))
    score_95 = float(np.mean(interval_score(actual, lo95, hi95, 95)))
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
        interval_score_80=score_80,
        interval_score_95=score_95,
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


def _test_against_random_walk(
    scores: list[ModelScore], paths: dict[str, ModelPaths], actual: np.ndarray, step: int
) -> None:
    """Each model's one-sided Diebold–Mariano p-value against no-change on absolute errors (SKILL_TEST),
    Bonferroni-adjusted for the number of candidates tested: several tries at beating no-change must
    not add up to a lucky one."""
    baseline = np.abs(actual - np.exp(paths[RANDOM_WALK].mean))
    baseline_interval = _interval_loss(paths[RANDOM_WALK], actual)
    candidates = [score for score in scores if score.name != RANDOM_WALK]
    for score in candidates:
        errors = np.abs(actual - np.exp(paths[score.name].mean))
        score.dm_p_value = min(1.0, diebold_mariano(errors, baseline, step) * len(candidates))
        interval = _interval_loss(paths[score.name], actual)
        score.dm_p_value_interval = min(
            1.0, diebold_mariano(interval, baseline_interval, step) * len(candidates)
        )


def _interval_loss(path: ModelPaths, actual: np.ndarray) -> np.ndarray:
    """The 80 % band's interval score at every fold and step (target's units): the selection's loss."""
    lower, upper = path.bands[80]
    return interval_score(actual, np.exp(path.mean + lower), np.exp(path.mean + upper), 80)


def select_model(scores: list[ModelScore]) -> tuple[str, float]:
    """The selected model and its skill p-value: no-change (p = 1.0) unless a test says a model beats it.

    Selection is on the interval score: a candidate qualifies when its (adjusted) Diebold–Mariano
    p-value on the 80 % interval-score loss is below SKILL_ALPHA and its point forecast is no worse
    than no-change's (rMAE ≤ 1, so the page's "missed by less" stays true); among those, the lowest
    80 % interval score wins. Otherwise the simplest model, no-change, is kept. The test on absolute
    error (``dm_p_value``) is reported beside it.
    """
    candidates = [
        score
        for score in scores
        if score.name != RANDOM_WALK
        and score.dm_p_value_interval is not None
        and score.dm_p_value_interval < SKILL_ALPHA
        and score.rmae is not None
        and score.rmae <= 1.0
        and score.interval_score_80 is not None
    ]
    if not candidates:
        return RANDOM_WALK, 1.0
    best = min(candidates, key=lambda score: score.interval_score_80 or 0.0)
    return best.name, float(best.dm_p_value_interval or 0.0)


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
    band_method: str = ""  # the volatility and calibration the inner backtest chose for each level

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
            "band_method": self.band_method,
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
    last = np.array([len(x) - 1])
    vols = _block_volatilities(x, band_volatilities(x), last, horizon_settings)
    if model == COMBINATION:
        base = [RANDOM_WALK, RANDOM_WALK_DRIFT, ETS_DAMPED, ARIMA, THETA]
        daily = {name: [_forecast_block(name, x, vols, last, horizon_settings)] for name in base}
        path = _combination_paths(x, [vols], [last], base, daily, horizon_settings)
        means, description, band_method = path.mean[0], path.descriptions[0], path.band_methods[0]
        bands = {level: (lower[0], upper[0]) for level, (lower, upper) in path.bands.items()}
    else:
        forecast = _forecast_block(model, x, vols, last, horizon_settings)
        means, description = forecast.means[0], forecast.model.description
        band_method = forecast.band_methods[0]
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
        band_method=band_method,
    )
