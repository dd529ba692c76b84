import math

import numpy as np
import pandas as pd
import pytest

from analytics.benchmark import local_price_series
from analytics.market import (
    annualised_volatility,
    decompose_local_move,
    drawdown_pct,
    pct_change_since,
    performance_table,
    reference_date,
)


def daily(values, start="2024-01-01"):
    return pd.Series(values, index=pd.date_range(start, periods=len(values), freq="D"), dtype=float)


def test_horizon_changes_by_hand():
    prices = daily(np.arange(100.0, 100.0 + 400))  # one step a day from 2024-01-01
    last = prices.index[-1]  # 2025-02-03, value 499
    assert pct_change_since(prices, "1D") == pytest.approx((499 / 498 - 1) * 100)
    assert reference_date(prices, "1W") == last - pd.Timedelta(days=7)
    assert pct_change_since(prices, "1W") == pytest.approx((499 / 492 - 1) * 100)
    # YTD: from the last value of 2024 (2024-12-31 is day 365 -> value 465)
    assert pct_change_since(prices, "YTD") == pytest.approx((499 / 465 - 1) * 100)
    assert math.isnan(pct_change_since(prices, "5Y"))  # history too short


def test_performance_table_shape():
    table = performance_table({"a": daily([1.0, 2.0]), "b": daily([4.0, 2.0])})
    assert list(table.columns) == ["1D", "1W", "1M", "3M", "YTD", "1Y", "5Y"]
    assert table.loc["a", "1D"] == pytest.approx(100.0)
    assert table.loc["b", "1D"] == pytest.approx(-50.0)


def test_decomposition_adds_up():
    gold = daily([2000.0, 2200.0])  # +10 %
    fx = daily([4000.0, 3800.0])  # -5 %
    local = local_price_series(gold, fx)
    move = decompose_local_move(local, gold.index[0], gold.index[-1])
    # local: 1.10 x 0.95 - 1 = +4.5 %
    assert move.local_pct == pytest.approx(4.5)
    assert move.gold_usd_pct == pytest.approx(10.0)
    assert move.fx_pct == pytest.approx(-5.0)
    assert move.gold_contribution_pp + move.fx_contribution_pp == pytest.approx(4.5)
    # shares follow the log changes: ln 1.1 / (ln 1.1 + ln 0.95)
    share = math.log(1.1) / (math.log(1.1) + math.log(0.95))
    assert move.gold_contribution_pp == pytest.approx(4.5 * share)


def test_volatility_of_alternating_returns():
    # log returns alternate +r, -r: sample std over an even window = r * sqrt(n/(n-1))
    r = 0.01
    levels = np.exp(np.cumsum([0.0] + [r if i % 2 == 0 else -r for i in range(60)]))
    vol = annualised_volatility(daily(levels), window_days=30)
    n = 30  # a 30-day window of daily returns holds 30 returns
    assert vol.iloc[-1] == pytest.approx(r * math.sqrt(n / (n - 1)) * math.sqrt(252) * 100, rel=1e-6)


def test_drawdown_from_running_peak():
    dd = drawdown_pct(daily([100.0, 120.0, 90.0, 130.0]))
    assert dd.tolist() == pytest.approx([0.0, 0.0, -25.0, 0.0])


def test_performance_table_mixed_end_dates_use_one_common_date():
    """The issue: gold, COP and PEN rows ending on different days were shown in one '1W' column."""
    from analytics.market import common_end_date

    gold = daily(np.linspace(100, 200, 400))  # to 2025-02-03
    cop = gold.loc[:"2024-10-01"] * 2
    empty = pd.Series(dtype=float)
    rows = {"gold": gold, "cop": cop, "none": empty}
    asof = common_end_date(rows)
    assert asof == pd.Timestamp("2024-10-01")
    table = performance_table(rows, asof)
    assert table.loc["gold", "1W"] == pytest.approx(pct_change_since(gold.loc[:asof], "1W"))
    assert table.loc["gold", "1W"] == pytest.approx(table.loc["cop", "1W"])  # same dates, same move
    assert table.loc["none"].isna().all()  # no rate: missing, never 0


def test_missing_exchange_rate_is_not_a_zero_fx_contribution():
    """A rate carried over a gap is missing in the decomposition, not '+0,0 pp'; past its end there is no
    local price at all (the "as of" rule)."""
    gold = daily([100.0, 101.0, 102.0, 103.0, 104.0, 105.0])
    fx = pd.Series([10.0, 10.5, 11.0], index=pd.to_datetime(["2024-01-01", "2024-01-02", "2024-01-06"]))
    local = local_price_series(gold, fx)  # 3 to 5 January carry the rate of the 2nd as-of
    assert local["price"].notna().all()
    ended = local_price_series(gold, fx.loc[:"2024-01-02"])
    assert ended["price"].loc["2024-01-03":].isna().all()
    carried = decompose_local_move(local, pd.Timestamp("2024-01-02"), pd.Timestamp("2024-01-05"))
    assert not carried.fx_measured and math.isnan(carried.fx_contribution_pp)
    assert carried.gold_contribution_pp == pytest.approx(carried.local_pct)
    measured = decompose_local_move(local, pd.Timestamp("2024-01-01"), pd.Timestamp("2024-01-05"))
    assert measured.fx_measured and measured.fx_contribution_pp > 0
