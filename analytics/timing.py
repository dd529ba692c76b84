"""Sell-timing indicators, a transparent recommendation rule, seasonality, and a walk-forward policy
backtest against "sell each lot the day it is produced".

Pure: price Series in, numbers out. Every indicator on day t uses prices up to t only (rolling windows,
the causal calibrated band of analytics.forecast); the rule's thresholds are constants written below,
fixed before any test period, never fitted to the series. DOMAIN.md: gold is close to a random walk,
so timing is risk management; the backtest is what earns (or refuses) trust.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from statistics import NormalDist

import numpy as np
import pandas as pd

from analytics.errors import CodedError
from analytics.forecast import LEVELS, Forecast, conformal_bands, ewma_volatility

TRADING_DAYS_PER_MONTH = 21
DAYS_PER_MONTH = 30.4375  # calendar days: holding costs accrue on calendar time
MOMENTUM_MONTHS = (1, 3, 6, 12)
SIGNAL_HORIZON_DAYS = 20  # "probability the price is higher in 20 trading days"

# The rule's thresholds (fixed, not fitted): each condition adds or subtracts one point.
HIGH_PERCENTILE, LOW_PERCENTILE = 0.80, 0.20
ABOVE_MA200_PCT, BELOW_MA200_PCT = 8.0, -5.0
FX_WEAK_PERCENTILE = 0.90
RSI_HIGH, RSI_LOW = 70.0, 30.0
PROBABILITY_HOLD, PROBABILITY_SELL = 0.55, 0.45
SELL_SCORE, HOLD_SCORE = 2, -2

SELL_NOW, SELL_PART, HOLD = "sell_now", "sell_part", "hold"


class TimingError(CodedError):
    """Settings or data the timing rule cannot use (a ValueError, as before)."""


def _rolling_percentile(values: pd.Series, window: int) -> pd.Series:
    """Share of the last `window` values at or below today's (today included)."""
    return values.rolling(window, min_periods=max(20, window // 4)).rank(pct=True)


def rsi(prices: pd.Series, period: int = 14) -> pd.Series:
    """Wilder's relative strength index (exponential smoothing with alpha = 1/period)."""
    change = prices.diff()
    gain = change.clip(lower=0).ewm(alpha=1 / period, min_periods=period, adjust=False).mean()
    loss = (-change.clip(upper=0)).ewm(alpha=1 / period, min_periods=period, adjust=False).mean()
    relative = gain / loss.replace(0, np.nan)
    return (100 - 100 / (1 + relative)).where(loss > 0, 100.0)


def probability_higher(
    prices: pd.Series, horizon: int, holding_cost_pct_month: float, calibration_window: int = 750
) -> pd.Series:
    """P(price in `horizon` trading days > today's price plus the holding cost), for every day.

    From the random walk's calibrated band (analytics.forecast: conformal, volatility-scaled, causal):
    the centre is today's price, the spread the band's 80 % half-width read as a normal spread. The
    random walk is what the Forecast page uses when no model beats it, which on gold is the rule.
    """
    x = np.log(prices.to_numpy(dtype=float))
    vol = ewma_volatility(x)
    origins = np.arange(len(x))
    means = np.repeat(x[:, None], horizon, axis=1)
    bands = conformal_bands(x, vol, means, 0, origins, horizon, calibration_window)
    z80 = NormalDist().inv_cdf(0.5 + LEVELS[0] / 200)
    spread = bands[LEVELS[0]][1][:, horizon - 1] / z80
    calendar_days = horizon * 7 / 5
    hurdle = np.log1p(holding_cost_pct_month / 100 * calendar_days / DAYS_PER_MONTH)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = hurdle / spread
    cdf = np.vectorize(NormalDist().cdf)
    probability = np.where(spread > 0, 1 - cdf(np.nan_to_num(z, nan=0.0, posinf=50, neginf=-50)), 0.0)
    return pd.Series(probability, index=prices.index)


@dataclass(frozen=True)
class ForecastBand:
    """The Forecast page's stored band at one horizon (its mean and 80 % bounds, in prices): what Sell
    timing's and the briefing's "probability of a higher price" read, so every page tells one story."""

    origin: pd.Timestamp  # the forecast's last data day
    horizon: int
    mean: float
    lo_80: float
    hi_80: float

    @classmethod
    def from_forecast(cls, forecast: Forecast, horizon: int = SIGNAL_HORIZON_DAYS) -> ForecastBand | None:
        """The band `horizon` days out, or None when the forecast does not reach that far."""
        if len(forecast.mean) < horizon:
            return None
        step = horizon - 1
        return cls(
            pd.Timestamp(forecast.origin),
            horizon,
            float(forecast.mean[step]),
            float(forecast.lo[80][step]),
            float(forecast.hi[80][step]),
        )


def probability_from_band(price: float, band: ForecastBand, holding_cost_pct_month: float) -> float:
    """P(price at the band's horizon > `price` plus the holding cost), reading the 80 % band as a normal
    spread in log units around its mean (the calibrated band is symmetric in log price)."""
    z80 = NormalDist().inv_cdf(0.5 + LEVELS[0] / 200)
    spread = (np.log(band.hi_80) - np.log(band.lo_80)) / (2 * z80)
    centre = float(np.log(band.mean / price))
    hurdle = float(np.log1p(holding_cost_pct_month / 100 * band.horizon * 7 / 5 / DAYS_PER_MONTH))
    if not spread > 0:
        return float(centre > hurdle)
    return 1 - NormalDist().cdf((hurdle - centre) / spread)


def with_forecast_band(
    indicators: pd.DataFrame, band: ForecastBand | None, holding_cost_pct_month: float
) -> pd.DataFrame:
    """The indicators, with the last day's probability read from the stored forecast band when that band
    was made on that day (earlier days keep their causal band: no stored forecast exists for them)."""
    if band is None or indicators.empty or pd.Timestamp(indicators.index[-1]) != band.origin:
        return indicators
    out = indicators.copy()
    last = out.index[-1]
    out.loc[last, "probability_higher"] = probability_from_band(
        float(out.loc[last, "price"]), band, holding_cost_pct_month
    )
    return out


def indicator_frame(
    prices: pd.Series, fx: pd.Series | None = None, holding_cost_pct_month: float = 0.5
) -> pd.DataFrame:
    """Every indicator on every day, each from data up to that day only."""
    prices = prices.dropna().astype(float)
    frame = pd.DataFrame(index=prices.index)
    frame["price"] = prices
    frame["percentile_1y"] = _rolling_percentile(prices, 252)
    frame["percentile_3y"] = _rolling_percentile(prices, 756)
    for days, name in ((50, "ma50"), (200, "ma200")):
        average = prices.rolling(days, min_periods=days).mean()
        frame[name] = average
        frame[f"vs_{name}_pct"] = (prices / average - 1) * 100
    for months in MOMENTUM_MONTHS:
        frame[f"momentum_{months}m_pct"] = (prices / prices.shift(months * TRADING_DAYS_PER_MONTH) - 1) * 100
    frame["rsi14"] = rsi(prices)
    returns = np.log(prices).diff()
    frame["volatility_20d_pct"] = returns.rolling(20, min_periods=15).std() * np.sqrt(252) * 100
    frame["volatility_percentile_1y"] = _rolling_percentile(frame["volatility_20d_pct"], 252)
    if fx is not None:
        rate = fx.dropna().astype(float).reindex(prices.index, method="ffill")
        low, high = rate.rolling(252, min_periods=60).min(), rate.rolling(252, min_periods=60).max()
        frame["fx"] = rate
        frame["fx_position_1y"] = ((rate - low) / (high - low)).where(high > low)
        frame["fx_percentile_1y"] = _rolling_percentile(rate, 252)
    frame["probability_higher"] = probability_higher(prices, SIGNAL_HORIZON_DAYS, holding_cost_pct_month)
    return frame


@dataclass(frozen=True)
class Reason:
    """One piece of evidence: a code (i18n writes its sentence), its numbers, and which way it points.

    Codes: price_high, price_low (params: percentile, 0–100), above_ma200, below_ma200 (pct: distance
    from the 200-day average, positive), fx_weak (percentile), rsi_high, rsi_low (rsi), probability
    (pct: probability of a higher price in 20 trading days after holding costs, 0–100).
    """

    code: str
    params: dict[str, float]
    points: int  # +1 towards selling now, −1 towards holding

    def as_json(self) -> dict[str, object]:
        return {"code": self.code, "params": dict(self.params), "points": self.points}


REASON_CODES = (
    "price_high",
    "price_low",
    "above_ma200",
    "below_ma200",
    "fx_weak",
    "rsi_high",
    "rsi_low",
    "probability",
)


def reasons_on(row: pd.Series) -> list[Reason]:
    """The rule's evidence on one day's indicators (NaN indicators are silent)."""
    reasons: list[Reason] = []
    percentile = row.get("percentile_1y", np.nan)
    if percentile >= HIGH_PERCENTILE:
        reasons.append(Reason("price_high", {"percentile": float(percentile) * 100}, +1))
    elif percentile <= LOW_PERCENTILE:
        reasons.append(Reason("price_low", {"percentile": float(percentile) * 100}, -1))
    trend = row.get("vs_ma200_pct", np.nan)
    if trend >= ABOVE_MA200_PCT:
        reasons.append(Reason("above_ma200", {"pct": float(trend)}, +1))
    elif trend <= BELOW_MA200_PCT:
        reasons.append(Reason("below_ma200", {"pct": -float(trend)}, -1))
    fx_percentile = row.get("fx_percentile_1y", np.nan)
    if fx_percentile >= FX_WEAK_PERCENTILE:
        reasons.append(Reason("fx_weak", {"percentile": float(fx_percentile) * 100}, +1))
    strength = row.get("rsi14", np.nan)
    if strength >= RSI_HIGH:
        reasons.append(Reason("rsi_high", {"rsi": float(strength)}, +1))
    elif strength <= RSI_LOW:
        reasons.append(Reason("rsi_low", {"rsi": float(strength)}, -1))
    probability = row.get("probability_higher", np.nan)
    if not np.isnan(probability):
        points = -1 if probability >= PROBABILITY_HOLD else (+1 if probability <= PROBABILITY_SELL else 0)
        reasons.append(Reason("probability", {"pct": float(probability) * 100}, points))
    return reasons


def recommendation_scores(indicators: pd.DataFrame) -> pd.Series:
    """The rule's score on every day, vectorised (the same conditions as `reasons_on`)."""
    score = pd.Series(0, index=indicators.index, dtype=int)
    score += (indicators["percentile_1y"] >= HIGH_PERCENTILE).astype(int)
    score -= (indicators["percentile_1y"] <= LOW_PERCENTILE).astype(int)
    score += (indicators["vs_ma200_pct"] >= ABOVE_MA200_PCT).astype(int)
    score -= (indicators["vs_ma200_pct"] <= BELOW_MA200_PCT).astype(int)
    if "fx_percentile_1y" in indicators:
        score += (indicators["fx_percentile_1y"] >= FX_WEAK_PERCENTILE).astype(int)
    score += (indicators["rsi14"] >= RSI_HIGH).astype(int)
    score -= (indicators["rsi14"] <= RSI_LOW).astype(int)
    score -= (indicators["probability_higher"] >= PROBABILITY_HOLD).astype(int)
    score += (indicators["probability_higher"] <= PROBABILITY_SELL).astype(int)
    return score


def recommendation_from_score(score: int) -> str:
    if score >= SELL_SCORE:
        return SELL_NOW
    if score <= HOLD_SCORE:
        return HOLD
    return SELL_PART


@dataclass
class Signal:
    date: pd.Timestamp
    recommendation: str
    confidence: float
    probability_higher: float
    reasons: list[Reason]
    indicators: dict[str, float | None]

    def as_json(self) -> dict[str, object]:
        """Codes and numbers only; the CLI adds the reasons as sentences from i18n."""
        return {
            "date": self.date.strftime("%Y-%m-%d"),
            "recommendation": self.recommendation,
            "confidence": self.confidence,
            "confidence_label": confidence_label(self.confidence),
            "probability_higher": None if np.isnan(self.probability_higher) else self.probability_higher,
            "reason_codes": [reason.as_json() for reason in self.reasons],
            "indicators": self.indicators,
        }


def confidence_label(confidence: float) -> str:
    return "high" if confidence >= 0.75 else ("medium" if confidence >= 0.5 else "low")


def signal_on(indicators: pd.DataFrame, date: pd.Timestamp | None = None) -> Signal:
    """The recommendation on `date` (the last day on or before it), from indicators up to that day.

    Confidence is the share of the voting evidence that agrees with the recommendation (0.5 or less
    for "sell part", which is what mixed evidence gives). It says how one-sided today's evidence is,
    not how often the rule was right: the policy backtest answers that.
    """
    known = indicators if date is None else indicators.loc[: pd.Timestamp(date)]
    if known.empty:
        raise TimingError("no price on or before that date", "no_price_before", date=date)
    day = known.index[-1]
    row = known.iloc[-1]
    reasons = reasons_on(row)
    score = sum(reason.points for reason in reasons)
    recommendation = recommendation_from_score(score)
    voting = [reason for reason in reasons if reason.points != 0]
    if recommendation == SELL_PART or not voting:
        confidence = 0.5 if not voting else 0.5 * (1 - abs(score) / max(len(voting), 1))
    else:
        direction = 1 if recommendation == SELL_NOW else -1
        confidence = sum(1 for reason in voting if reason.points == direction) / len(voting)
    values = {
        name: (None if pd.isna(value) else round(float(value), 6))
        for name, value in row.items()
        if name not in ("ma50", "ma200")
    }
    return Signal(
        pd.Timestamp(day),
        recommendation,
        round(float(confidence), 3),
        float(row["probability_higher"]),
        reasons,
        values,
    )


# ---------------------------------------------------------------------------------------------
# Seasonality
# ---------------------------------------------------------------------------------------------


def seasonality(prices: pd.Series) -> pd.DataFrame:
    """Mean log return by calendar month (in %), its 95 % interval (t, by year), and the years it failed.

    Weak evidence by construction: one observation per year per month.
    """
    from scipy.stats import t as student_t

    monthly = np.log(prices.dropna().resample("ME").last()).diff().dropna() * 100
    rows = []
    for month in range(1, 13):
        values = monthly[monthly.index.month == month]
        count = len(values)
        mean = float(values.mean()) if count else np.nan
        if count > 1:
            half = float(student_t.ppf(0.975, count - 1) * values.std(ddof=1) / np.sqrt(count))
        else:
            half = np.nan
        failed = [
            int(year)
            for year, value in zip(values.index.year, values, strict=True)
            if np.sign(value) != np.sign(mean)
        ]
        rows.append(
            {
                "month": month,
                "mean_pct": mean,
                "ci_low_pct": mean - half,
                "ci_high_pct": mean + half,
                "years": count,
                "years_against": failed,
                "significant": bool(count > 1 and (mean - half > 0 or mean + half < 0)),
            }
        )
    return pd.DataFrame(rows)


# ---------------------------------------------------------------------------------------------
# Policy backtest
# ---------------------------------------------------------------------------------------------

POLICIES = ("signal", "above_ma50", "thirds")


@dataclass(frozen=True)
class PolicySettings:
    weekly_grams: float = 1000.0
    max_hold_days: int = 30  # calendar days a lot may be held
    holding_cost_pct_month: float = 0.5  # security, insurance, financing: % of the value per month
    hold_share: float = 1.0  # share of each lot that may be held (the rest is sold on production day)
    bootstrap_block_weeks: int = 8
    bootstrap_samples: int = 2000
    seed: int = 7


@dataclass
class PolicyResult:
    policy: str
    lots: pd.DataFrame  # one row per lot: produced, grams, baseline_price, policy_price, year
    sales: pd.DataFrame  # every sale decision: lot, day, grams, price, days_held, net_price
    baseline_price: float
    policy_price: float
    uplift_pct: float
    uplift_ci95: tuple[float, float]
    by_year: pd.DataFrame
    settings: PolicySettings = field(default_factory=PolicySettings)

    @property
    def worst_year(self) -> dict[str, float] | None:
        if self.by_year.empty:
            return None
        row = self.by_year.loc[self.by_year["uplift_pct"].idxmin()]
        return {"year": int(row["year"]), "uplift_pct": float(row["uplift_pct"])}

    def as_json(self) -> dict[str, object]:
        return {
            "policy": self.policy,
            "lots": len(self.lots),
            "baseline_price": self.baseline_price,
            "policy_price": self.policy_price,
            "uplift_pct": self.uplift_pct,
            "uplift_ci95": list(self.uplift_ci95),
            "by_year": [
                {"year": int(row.year), "uplift_pct": float(row.uplift_pct), "lots": int(row.lots)}
                for row in self.by_year.itertuples()
            ],
            "worst_year": self.worst_year,
            "first_lot": self.lots["produced"].min().strftime("%Y-%m-%d") if len(self.lots) else None,
            "last_lot": self.lots["produced"].max().strftime("%Y-%m-%d") if len(self.lots) else None,
            "settings": {
                "weekly_grams": self.settings.weekly_grams,
                "max_hold_days": self.settings.max_hold_days,
                "holding_cost_pct_month": self.settings.holding_cost_pct_month,
                "hold_share": self.settings.hold_share,
            },
        }


def production_days(dates: pd.DatetimeIndex, start=None, end=None) -> np.ndarray:
    """Positions of each week's first trading day (a lot is produced and could be sold that day)."""
    week = dates.to_period("W-SUN")
    first = np.flatnonzero(np.r_[True, week[1:] != week[:-1]])
    keep = np.ones(len(first), dtype=bool)
    if start is not None:
        keep &= dates[first] >= pd.Timestamp(start)
    if end is not None:
        keep &= dates[first] <= pd.Timestamp(end)
    return first[keep]


def _sell_days(
    policy: str, day: int, deadline: int, dates: pd.DatetimeIndex, decide: np.ndarray
) -> list[tuple[int, float]]:
    """(day position, share of the holdable part) sold, for one lot produced at `day`."""
    if policy == "thirds":
        targets = [dates[day] + pd.Timedelta(days=7 * k) for k in range(3)]
        positions = [min(int(np.searchsorted(dates, target)), deadline) for target in targets]
        return [(position, 1 / 3) for position in positions]
    remaining = 1.0
    sales: list[tuple[int, float]] = []
    for position in range(day, deadline + 1):
        action = decide[position]
        if position == deadline or action == 2:  # deadline, or "sell now"
            sales.append((position, remaining))
            return sales
        if action == 1 and remaining > 0.5:  # "sell part": half of what is left, once
            sales.append((position, remaining / 2))
            remaining /= 2
    sales.append((deadline, remaining))
    return sales


def policy_decisions(policy: str, indicators: pd.DataFrame) -> np.ndarray:
    """Per day: 2 = sell now, 1 = sell part, 0 = wait; from that day's indicators only."""
    if policy == "above_ma50":
        above = (indicators["price"] >= indicators["ma50"]).to_numpy()
        return np.where(above, 2, 0)
    if policy == "signal":
        scores = recommendation_scores(indicators).to_numpy()
        return np.where(scores >= SELL_SCORE, 2, np.where(scores <= HOLD_SCORE, 0, 1))
    if policy == "thirds":
        return np.zeros(len(indicators), dtype=int)
    raise TimingError(
        f"unknown policy {policy!r}; choose from {', '.join(POLICIES)}", "unknown_policy", policy=policy
    )


def _uplift_by_year(lots: pd.DataFrame) -> pd.DataFrame:
    """Per year of production: the policy's weighted uplift over selling at once (%), and its lots."""
    return (
        lots.groupby("year")
        .apply(
            lambda group: pd.Series(
                {
                    "uplift_pct": (group["policy_price"] * group["grams"]).sum()
                    / (group["baseline_price"] * group["grams"]).sum()
                    * 100
                    - 100,
                    "lots": len(group),
                }
            ),
            include_groups=False,
        )
        .reset_index()
    )


def run_policy(
    prices: pd.Series,
    policy: str,
    settings: PolicySettings | None = None,
    *,
    fx: pd.Series | None = None,
    start=None,
    end=None,
    indicators: pd.DataFrame | None = None,
) -> PolicyResult:
    """Walk forward through the weekly lots; each decision uses the indicators of its own day."""
    settings = settings or PolicySettings()
    if policy not in POLICIES:
        raise TimingError(
            f"unknown policy {policy!r}; choose from {', '.join(POLICIES)}", "unknown_policy", policy=policy
        )
    if not 0 <= settings.hold_share <= 1 or settings.max_hold_days < 0:
        raise TimingError(
            "hold share must be within 0–1 and the longest hold at least 0 days", "hold_settings"
        )
    prices = prices.dropna().astype(float)
    if indicators is None:
        indicators = indicator_frame(prices, fx, settings.holding_cost_pct_month)
    dates = pd.DatetimeIndex(prices.index)
    values = prices.to_numpy()
    decide = policy_decisions(policy, indicators)
    # a lot whose deadline lies beyond the data cannot be judged yet: only lots fully inside are used
    last_usable = dates[-1] - pd.Timedelta(days=settings.max_hold_days)
    lot_days = production_days(
        dates, start, min(pd.Timestamp(end), last_usable) if end is not None else last_usable
    )
    cost_per_day = settings.holding_cost_pct_month / 100 / DAYS_PER_MONTH
    lot_rows, sale_rows = [], []
    for lot, day in enumerate(lot_days):
        deadline = (
            int(np.searchsorted(dates, dates[day] + pd.Timedelta(days=settings.max_hold_days), side="right"))
            - 1
        )
        grams = settings.weekly_grams
        held = grams * settings.hold_share
        portions = [(int(day), grams - held)] if grams - held > 0 else []
        portions += [
            (position, held * share)
            for position, share in _sell_days(policy, int(day), deadline, dates, decide)
        ]
        revenue = 0.0
        for position, portion in portions:
            if portion <= 0:
                continue
            days_held = int((dates[position] - dates[day]).days)
            net = values[position] * (1 - cost_per_day * days_held)
            revenue += portion * net
            sale_rows.append((lot, dates[position], portion, values[position], days_held, net))
        lot_rows.append((lot, dates[day], grams, values[day], revenue / grams))
    lots = pd.DataFrame(lot_rows, columns=["lot", "produced", "grams", "baseline_price", "policy_price"])
    sales = pd.DataFrame(sale_rows, columns=["lot", "day", "grams", "price", "days_held", "net_price"])
    if lots.empty:
        raise TimingError(
            "no complete lot in this period: the data must cover the longest hold after a lot",
            "no_complete_lot",
            days=settings.max_hold_days,
        )
    lots["year"] = lots["produced"].dt.year
    baseline = float(np.average(lots["baseline_price"], weights=lots["grams"]))
    policy_price = float(np.average(lots["policy_price"], weights=lots["grams"]))
    by_year = _uplift_by_year(lots)
    return PolicyResult(
        policy,
        lots,
        sales,
        baseline,
        policy_price,
        (policy_price / baseline - 1) * 100,
        block_bootstrap_ci(lots, settings),
        by_year,
        settings,
    )


def block_bootstrap_ci(lots: pd.DataFrame, settings: PolicySettings) -> tuple[float, float]:
    """95 % interval of the uplift, resampling blocks of consecutive weeks (prices trend, so lots are
    not independent; blocks keep that dependence)."""
    count = len(lots)
    block = max(1, min(settings.bootstrap_block_weeks, count))
    policy = (lots["policy_price"] * lots["grams"]).to_numpy()
    baseline = (lots["baseline_price"] * lots["grams"]).to_numpy()
    rng = np.random.default_rng(settings.seed)
    blocks_needed = int(np.ceil(count / block))
    starts = rng.integers(0, count - block + 1, size=(settings.bootstrap_samples, blocks_needed))
    index = (starts[:, :, None] + np.arange(block)[None, None, :]).reshape(settings.bootstrap_samples, -1)[
        :, :count
    ]
    uplift = (policy[index].sum(axis=1) / baseline[index].sum(axis=1) - 1) * 100
    low, high = np.percentile(uplift, [2.5, 97.5])
    return float(low), float(high)
