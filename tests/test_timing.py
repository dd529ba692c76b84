"""Sell timing: indicators by hand, the baseline's arithmetic, no look-ahead, honest intervals."""

import numpy as np
import pandas as pd
import pytest

from analytics import timing
from analytics.timing import PolicySettings, indicator_frame, run_policy, signal_on
from tests.conftest import GOLD_LBMA, shared_file


def walk(n: int = 1_500, seed: int = 5) -> pd.Series:
    rng = np.random.default_rng(seed)
    days = pd.bdate_range("2015-01-05", periods=n)
    return pd.Series(1_500 * np.exp(np.cumsum(rng.normal(0.0002, 0.01, n))), index=days)


def test_rsi_by_hand():
    rising = pd.Series(np.arange(30, dtype=float))
    assert timing.rsi(rising).iloc[-1] == 100.0  # nothing lost
    # +2, −1 alternating, Wilder's α = 1/14. In the steady state, right after a −1 day the average gain
    # is (1−α)·2α/D and the average loss α/D (D = 1 − (1−α)²): their ratio is 2(1−α) = 26/14, so
    # RSI = 100 − 100 / (1 + 26/14) = 65.
    alternating = pd.Series(np.cumsum([0] + [2, -1] * 200, dtype=float))
    assert timing.rsi(alternating).iloc[-1] == pytest.approx(65.0, abs=1e-6)


def test_percentile_moving_averages_and_momentum_by_hand():
    prices = pd.Series(np.arange(1, 401, dtype=float), index=pd.bdate_range("2020-01-01", periods=400))
    frame = indicator_frame(prices)
    last = frame.iloc[-1]
    assert last["percentile_1y"] == 1.0  # the highest of the last 252 days
    assert last["ma50"] == pytest.approx(np.mean(np.arange(351, 401)))  # 375.5
    assert last["vs_ma200_pct"] == pytest.approx((400 / np.mean(np.arange(201, 401)) - 1) * 100)
    assert last["momentum_1m_pct"] == pytest.approx((400 / 379 - 1) * 100)  # 21 trading days back
    assert last["momentum_12m_pct"] == pytest.approx((400 / 148 - 1) * 100)  # 252 back


def test_baseline_is_selling_each_lot_on_its_production_day():
    prices = walk()
    result = run_policy(prices, "above_ma50", PolicySettings(weekly_grams=500, max_hold_days=21))
    lots = result.lots
    weeks = prices.index.to_period("W-SUN")
    first_days = prices[np.r_[True, weeks[1:] != weeks[:-1]]]
    expected = first_days.loc[lots["produced"]]
    np.testing.assert_allclose(lots["baseline_price"], expected.to_numpy())
    assert result.baseline_price == pytest.approx(expected.mean())  # equal lots: a plain mean
    # the last lot still has its 21 days of data
    assert lots["produced"].max() + pd.Timedelta(days=21) <= prices.index[-1]


def test_thirds_by_hand_on_a_steady_rise_with_holding_costs():
    """Price 100 rising 1 % a calendar week; thirds on days 0, 7, 14; cost 1 % a month."""
    days = pd.bdate_range("2024-01-01", periods=120)
    prices = pd.Series(100 * 1.01 ** ((days - days[0]).days / 7), index=days)
    settings = PolicySettings(max_hold_days=30, holding_cost_pct_month=1.0)
    result = run_policy(prices, "thirds", settings)
    first = result.lots.iloc[0]
    cost = 0.01 / timing.DAYS_PER_MONTH
    expected = (100 + 101 * (1 - cost * 7) + 102.01 * (1 - cost * 14)) / 3
    assert first["policy_price"] == pytest.approx(expected)
    assert first["baseline_price"] == 100
    assert result.uplift_pct > 0  # a steady rise pays for waiting, even after costs


def test_hold_share_sells_the_rest_on_production_day():
    days = pd.bdate_range("2024-01-01", periods=120)
    prices = pd.Series(100 * 1.01 ** ((days - days[0]).days / 7), index=days)
    half = run_policy(prices, "thirds", PolicySettings(hold_share=0.5, holding_cost_pct_month=0.0))
    full = run_policy(prices, "thirds", PolicySettings(hold_share=1.0, holding_cost_pct_month=0.0))
    first_half, first_full = half.lots.iloc[0], full.lots.iloc[0]
    assert first_half["policy_price"] - 100 == pytest.approx((first_full["policy_price"] - 100) / 2)


def test_no_look_ahead_decisions_up_to_a_date_ignore_later_prices():
    prices = walk(1_500)
    cut = prices.index[1_000]
    perturbed = prices.copy()
    perturbed[perturbed.index > cut] *= np.exp(
        np.random.default_rng(3).normal(0.05, 0.05, (perturbed.index > cut).sum())
    )
    settings = PolicySettings(max_hold_days=30)
    for policy in timing.POLICIES:
        before = run_policy(prices, policy, settings).sales
        after = run_policy(perturbed, policy, settings).sales
        early_before = before[before["day"] <= cut].reset_index(drop=True)
        early_after = after[after["day"] <= cut].reset_index(drop=True)
        pd.testing.assert_frame_equal(early_before, early_after)
    signal_before = signal_on(indicator_frame(prices), cut).as_json()
    signal_after = signal_on(indicator_frame(perturbed), cut).as_json()
    assert signal_before == signal_after


def test_interval_is_wide_when_the_evidence_is_weak():
    """On a pure random walk no policy can win: the 95 % interval covers zero."""
    result = run_policy(walk(3_000, seed=9), "signal", PolicySettings(max_hold_days=30))
    low, high = result.uplift_ci95
    assert low < 0 < high
    short = run_policy(walk(3_000, seed=9).iloc[:400], "signal", PolicySettings(max_hold_days=30))
    assert (short.uplift_ci95[1] - short.uplift_ci95[0]) > (high - low)  # fewer lots, wider interval


def test_signal_reasons_are_codes_and_numbers_and_i18n_writes_them():
    from analytics.timing import REASON_CODES, Reason
    from i18n import reason_text

    prices = pd.Series(np.linspace(1000, 1500, 400), index=pd.bdate_range("2020-01-01", periods=400))
    signal = signal_on(indicator_frame(prices))
    assert signal.recommendation == timing.SELL_NOW  # top of its range, far above its averages
    codes = {reason.code for reason in signal.reasons}
    assert {"price_high", "above_ma200", "probability"} <= codes <= set(REASON_CODES)
    for reason in signal.reasons:  # a code and numbers: no sentence anywhere in the analytics result
        assert all(isinstance(value, float) for value in reason.params.values())
        assert not hasattr(reason, "text")
    payload = signal.as_json()
    assert {
        "date",
        "recommendation",
        "confidence",
        "probability_higher",
        "reason_codes",
        "indicators",
    } <= set(payload)
    assert "reasons" not in payload
    assert {item["code"] for item in payload["reason_codes"]} == codes
    assert 0.0 <= payload["probability_higher"] <= 0.5  # no drift expected: costs make waiting lose

    # the sentences live in i18n, numbers formatted by Babel: decimal commas in Spanish
    above = Reason("above_ma200", {"pct": 12.345}, +1)
    assert reason_text(above, "es") == "El oro está 12,3 % por encima de su promedio de 200 días."
    assert reason_text(above, "en") == "Gold is 12.3% above its 200-day average."
    high = Reason("price_high", {"percentile": 85.2}, +1)
    assert "85 %" in reason_text(high, "es") and "85%" in reason_text(high, "en")
    assert "= 27)" in reason_text(Reason("rsi_low", {"rsi": 27.4}, -1), "es")
    for code in REASON_CODES:  # every code has both sentences
        params = {"percentile": 90.0} if code in ("price_high", "price_low", "fx_weak") else {"pct": 5.5}
        params = {"rsi": 75.0} if code.startswith("rsi") else params
        es, en = (reason_text(Reason(code, params, 0), lang) for lang in ("es", "en"))
        assert es != en and "{" not in es + en


def test_timing_module_writes_no_sentences():
    """analytics/timing.py returns codes: a string of three or more words outside docstrings and
    exception messages (the CLI's one-line error) is a sentence for users, and belongs in i18n."""
    import ast
    import inspect
    import re

    tree = ast.parse(inspect.getsource(timing))
    skip: set[int] = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr):
            skip.add(id(body[0].value))  # a docstring
        if isinstance(node, ast.Raise):
            skip.update(id(child) for child in ast.walk(node))
    texts = [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip
    ]
    assert not [text for text in texts if re.search(r"\w+ \w+ \w+", text)]
    assert not hasattr(timing, "REASON_TEXTS")


def test_seasonality_by_hand():
    days = pd.bdate_range("2000-01-03", "2009-12-31")
    month_effect = np.where(days.month == 9, 0.002, 0.0)  # September rises ~4 % every year
    prices = pd.Series(100 * np.exp(np.cumsum(month_effect)), index=days)
    table = timing.seasonality(prices).set_index("month")
    assert table.loc[9, "mean_pct"] > 3.5 and table.loc[9, "years_against"] == []
    assert table.loc[3, "mean_pct"] == pytest.approx(0.0, abs=1e-9)


@pytest.mark.slow
def test_lbma_policies_are_measured_against_selling_as_produced():
    gold = shared_file(GOLD_LBMA)
    from data.market.importers import parse_price_file

    prices = parse_price_file(gold.read_bytes(), gold.name).observations.set_index("date")["value"]
    for policy in timing.POLICIES:
        result = run_policy(prices, policy, PolicySettings(), start=pd.Timestamp("1996-01-01"))
        assert len(result.lots) > 1_200
        low, high = result.uplift_ci95
        assert low <= result.uplift_pct <= high
        # measured 1996–2021: every policy within ±0.5 % of selling as produced, intervals spanning 0
        assert abs(result.uplift_pct) < 1.0


def test_a_short_series_gives_valid_json_without_invented_numbers():
    import json

    prices = walk(40)  # too short for the 200-day average, the year's percentile or a calibrated band
    payload = signal_on(indicator_frame(prices)).as_json()
    json.dumps(payload, allow_nan=False)  # null, never NaN
    assert payload["indicators"]["vs_ma200_pct"] is None and payload["indicators"]["percentile_1y"] is None


def _band(mean: float, spread: float, origin: str = "2021-03-01") -> timing.ForecastBand:
    """A band symmetric in log price around `mean` whose 80 % half-width is z80 × `spread` (a normal sd)."""
    z80 = 1.2815515655446004
    return timing.ForecastBand(
        pd.Timestamp(origin), 20, mean, mean * np.exp(-z80 * spread), mean * np.exp(z80 * spread)
    )


def test_probability_read_from_the_forecast_band_by_hand():
    # no drift, no cost: a coin toss
    assert timing.probability_from_band(100.0, _band(100.0, 0.1), 0.0) == pytest.approx(0.5)
    # 0.5 % a month over 20 trading days = 28 calendar days: hurdle log(1 + 0.005 × 28 / 30.4375) = 0.0045891,
    # 0.045891 sd above the centre: 1 − Φ(0.045891) = 0.48170
    assert timing.probability_from_band(100.0, _band(100.0, 0.1), 0.5) == pytest.approx(0.48170, abs=1e-5)
    # a mean 2 % up (a drift model) with no cost: Φ(log 1.02 / 0.1) = Φ(0.19803) = 0.57849
    assert timing.probability_from_band(100.0, _band(102.0, 0.1), 0.0) == pytest.approx(0.57849, abs=1e-4)


def test_todays_reading_takes_the_forecast_band_made_on_its_day_only():
    prices = walk(400)
    indicators = indicator_frame(prices)
    last = prices.index[-1]
    band = _band(float(prices.iloc[-1]), 0.1, str(last.date()))
    read = timing.with_forecast_band(indicators, band, 0.0)
    assert read["probability_higher"].iloc[-1] == pytest.approx(0.5)
    pd.testing.assert_series_equal(
        read["probability_higher"].iloc[:-1], indicators["probability_higher"].iloc[:-1]
    )
    assert signal_on(read).probability_higher == pytest.approx(0.5)
    stale = timing.ForecastBand(prices.index[-2], 20, band.mean, band.lo_80, band.hi_80)  # made a day earlier
    assert timing.with_forecast_band(indicators, stale, 0.0) is indicators
