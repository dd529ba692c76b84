"""Regimes: the split of days (hand-picked turning points, checked on the LBMA file) and the scores per
regime, on four hand-worked folds."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analytics.forecast.regimes import (
    ALL_REGIMES,
    GOLD_REGIMES,
    POOLED_REGIMES,
    Band,
    Regime,
    least_worst_regime,
    pool_short_regimes,
    regime_of,
    scores_by_regime,
    worst_ratio_by_model,
)
from tests.conftest import GOLD_LBMA, shared_file


def test_a_day_belongs_to_the_regime_its_turning_points_say():
    days = pd.to_datetime(
        ["1967-12-29", "1980-01-21", "1980-01-22", "2011-09-05", "2011-09-06", "2030-01-02"]
    )
    assert list(regime_of(days, GOLD_REGIMES)) == [
        "",  # before the first regime
        "rise_1968_1980",  # the 850.00 peak closes the rise
        "fall_1980_2000",
        "rise_2001_2011",  # the 1,895.00 peak closes the rise
        "fall_2011_2015",
        "rally_2019_2021",  # the last regime is open-ended
    ]


def test_the_first_regime_that_covers_a_day_wins():
    regimes = (Regime("jump", "2020-03-01", "2020-03-31"), Regime("year", "2020-01-01", "2020-12-31"))
    days = pd.to_datetime(["2020-02-28", "2020-03-02", "2020-04-01"])
    assert list(regime_of(days, regimes)) == ["year", "jump", "year"]


def test_the_lbma_file_splits_at_its_peaks_and_troughs():
    from data.market.importers import parse_price_file

    path = shared_file(GOLD_LBMA)
    gold = parse_price_file(path.read_bytes(), path.name).observations.set_index("date")["value"]
    codes = pd.Series(regime_of(gold.index, GOLD_REGIMES), index=gold.index)
    days = codes.value_counts()
    assert days.to_dict() == {
        "fall_1980_2000": 5253,
        "rise_1968_1980": 2983,
        "rise_2001_2011": 2678,
        "fall_2011_2015": 1077,
        "flat_2015_2019": 861,
        "rally_2019_2021": 439,
    }
    assert gold[codes == "rise_1968_1980"].max() == 850.0  # the 1980 peak, on the rise's last day
    assert gold[codes == "fall_2011_2015"].min() == 1049.4  # the 2015 trough, on the fall's last day
    assert gold[codes == "fall_1980_2000"].min() == 252.8  # 1999-07-20


def test_scores_by_regime_on_four_hand_worked_folds():
    # two folds in each of two regimes, h = 2, every outcome 100; 80 % band 95–105 (width 10), 95 % band
    # 90–110 (width 20), except: fold 3's 80 % upper bound is 98 (both steps missed by 2: 3 + 2/0.2 × 2 =
    # 23) and fold 4's 95 % lower bound at step 2 is 101 (missed by 1: 9 + 2/0.05 × 1 = 49)
    origins = pd.to_datetime(["2000-06-01", "2000-07-03", "2001-06-01", "2001-07-02"])
    regimes = (Regime("a", "2000-01-01", "2000-12-31"), Regime("b", "2001-01-01", "2001-12-31"))
    actual = np.full((4, 2), 100.0)
    lo80, hi80 = np.full((4, 2), 95.0), np.full((4, 2), 105.0)
    lo95, hi95 = np.full((4, 2), 90.0), np.full((4, 2), 110.0)
    hi80[2] = 98.0
    lo95[3, 1] = 101.0
    table = scores_by_regime(origins, actual, Band({80: lo80, 95: lo95}, {80: hi80, 95: hi95}), regimes)
    assert list(table.index) == ["a", "b", ALL_REGIMES]
    assert table.loc["a"].to_dict() == {"folds": 2, "is80": 10.0, "cov80": 1.0, "is95": 20.0, "cov95": 1.0}
    assert table.loc["b", "is80"] == pytest.approx((23 + 23 + 10 + 10) / 4)  # 16.5
    assert table.loc["b", "cov80"] == 0.5
    assert table.loc["b", "is95"] == pytest.approx((20 + 20 + 20 + 49) / 4)  # 27.25
    assert table.loc["b", "cov95"] == 0.75
    assert table.loc[ALL_REGIMES, "is80"] == pytest.approx(106 / 8)  # 13.25
    assert table.loc[ALL_REGIMES, "is95"] == pytest.approx(189 / 8)  # 23.625
    assert table.loc[ALL_REGIMES, "cov95"] == 7 / 8


def test_a_regime_without_folds_is_left_out():
    origins = pd.to_datetime(["2000-06-01"])
    regimes = (Regime("a", "2000-01-01", "2000-12-31"), Regime("empty", "2005-01-01", "2005-12-31"))
    band = Band(
        {80: np.full((1, 1), 1.0), 95: np.full((1, 1), 1.0)},
        {80: np.full((1, 1), 2.0), 95: np.full((1, 1), 3.0)},
    )
    assert list(scores_by_regime(origins, np.full((1, 1), 1.5), band, regimes).index) == ["a", ALL_REGIMES]


def test_the_rule_keeps_the_model_that_loses_least_in_its_worst_regime():
    # m3 wins regime A but is 67 % worse than the best in B; m1 and m2 tie on all folds (15), and m1's
    # worst regime is 11 % off the best (10 ÷ 9 in A, 20 ÷ 18 in B), m2's 33 % (12 ÷ 9)
    table = pd.DataFrame(
        {"m1": [10.0, 20.0, 15.0], "m2": [12.0, 18.0, 15.0], "m3": [9.0, 30.0, 19.5]},
        index=["A", "B", ALL_REGIMES],
    )
    worst = worst_ratio_by_model(table)
    assert worst.to_dict() == pytest.approx({"m1": 10 / 9, "m2": 12 / 9, "m3": 30 / 18})
    assert least_worst_regime(table) == "m1"


def test_a_tie_on_the_worst_regime_goes_to_the_lower_score_over_all_folds():
    table = pd.DataFrame({"m1": [10.0, 20.0, 16.0], "m2": [20.0, 10.0, 14.0]}, index=["A", "B", ALL_REGIMES])
    assert worst_ratio_by_model(table).to_dict() == {"m1": 2.0, "m2": 2.0}
    assert least_worst_regime(table) == "m2"


def test_short_regimes_are_pooled_by_their_folds_before_the_rule_judges():
    # r1 has 12 folds; r2 (4) and r3 (8) are short of 10 and pooled: a (20·4 + 30·8) ÷ 12 = 26.67,
    # b (18·4 + 10·8) ÷ 12 = 12.67
    table = pd.DataFrame(
        {"a": [10.0, 20.0, 30.0, 16.0], "b": [12.0, 18.0, 10.0, 15.0]}, index=["r1", "r2", "r3", ALL_REGIMES]
    )
    folds = pd.Series({"r1": 12, "r2": 4, "r3": 8, ALL_REGIMES: 24})
    pooled = pool_short_regimes(table, folds, min_folds=10)
    assert list(pooled.index) == ["r1", POOLED_REGIMES]
    assert pooled.loc[POOLED_REGIMES].to_dict() == pytest.approx({"a": 320 / 12, "b": 152 / 12})
    assert least_worst_regime(table, folds, min_folds=10) == "b"  # a: 26.67 ÷ 12.67 = 2.1; b: 12 ÷ 10 = 1.2


def test_a_regime_of_one_fold_no_longer_decides():
    # b wins only through B's single fold (a 40 against b 10: a's worst ratio 4); with at least 10 folds a
    # regime, B (1 fold, too few even pooled) is left out and a wins A (10 against 11)
    table = pd.DataFrame({"a": [10.0, 40.0, 11.4], "b": [11.0, 10.0, 10.95]}, index=["A", "B", ALL_REGIMES])
    folds = pd.Series({"A": 20, "B": 1, ALL_REGIMES: 21})
    assert least_worst_regime(table) == "b"
    assert least_worst_regime(table, folds, min_folds=10) == "a"
    # no regime reaches 30 folds, not even pooled (21): the lower score over all folds wins
    assert least_worst_regime(table, folds, min_folds=30) == "b"
