"""The vectorised pricing path (issue 33, finding 7) on a ledger worked out by hand: the same premium due,
minimum check, summaries, waterfall and what-if as the per-sale arithmetic beside each figure.

Gold is 3,110.34768 USD/oz = 100 USD per fine gram every day, the peso 4,000 per dollar: the benchmark is
400,000 COP per fine gram, and every figure below is a round number.
"""

import numpy as np
import pandas as pd
import pytest

from analytics.premiums import (
    monthly_average_benchmark,
    premium_owed_by_buyer,
    sale_premiums,
    summarise,
    summary_by,
    waterfall,
    what_if,
)

DAYS = pd.bdate_range("2012-01-02", "2024-12-31")
GOLD = pd.Series(3110.34768, index=DAYS)  # 100 USD per fine gram
COP = pd.Series(4000.0, index=DAYS)
SOURCES = pd.Series("yahoo", index=DAYS)  # spot, not the fix: the "near" band widens to 0.93 pp


def hand_ledger() -> pd.DataFrame:
    zero = [0.0, 0.0, 0.0]
    return pd.DataFrame(
        {
            "sale_id": ["S1", "S2", "S3"],
            "cooperative": ["Coop"] * 3,
            "date": pd.to_datetime(["2024-01-02", "2024-01-03", "2012-06-01"]),
            "buyer": ["Uno", "Dos", "Uno"],
            "gross_weight_g": [100.0, 50.0, 10.0],
            "fineness": [1.0, 1.0, 1.0],
            "fine_gold_g": [100.0, 50.0, 10.0],
            "currency": ["COP", "COP", "USD"],
            # S1: 38 M received + 1 M royalties = 39 M buyer's price (97.5 % of 40 M); S2: 95 % of 20 M;
            # S3: 900 USD for 1,000 USD of gold (90 %)
            "amount_received": [38_000_000.0, 19_000_000.0, 900.0],
            "certification": ["fairmined", "none", "fairmined"],
            "premium_received_usd": [400.0, 0.0, 0.0],
            "refining_charge": zero,
            "assay_charge": zero,
            "transport_charge": zero,
            "export_charge": zero,
            "royalties_paid": [1_000_000.0, 0.0, 0.0],
            "withholding_paid": zero,
        }
    )


def priced() -> pd.DataFrame:
    return sale_premiums(hand_ledger(), GOLD, {"COP": COP}, gold_sources=SOURCES)


def test_each_sale_is_priced_as_worked_by_hand():
    sales = priced().set_index("sale_id")
    assert sales["benchmark_value"].tolist() == pytest.approx([40_000_000, 20_000_000, 1000])
    assert sales["premium_pct"].tolist() == pytest.approx([-5.0, -5.0, -10.0])
    assert sales["buyer_price_pct"].tolist() == pytest.approx([-2.5, -5.0, -10.0])
    # S1 from 2014 on: 4,000 USD per kg × 0.1 kg = 400; S3 in 2012: 10 % × 100 USD/g × 10 g = 100; S2 none
    assert sales["premium_due_usd"].tolist() == pytest.approx([400.0, 0.0, 100.0])
    assert sales["meets_minimum_price"].tolist() == [True, None, False]
    assert sales["minimum_state"].tolist() == ["meets", "", "below"]
    assert sales["minimum_reference"].tolist() == ["yahoo"] * 3
    assert sales["minimum_near_pp"].tolist() == pytest.approx([0.93] * 3)
    assert sales["minimum_margin_pp"].tolist() == pytest.approx([2.5, 0.0, -5.0])


def test_the_pesos_totals_summaries_and_waterfall_as_worked_by_hand():
    pesos = priced()[lambda frame: frame["currency"] == "COP"]
    summary = summarise(pesos)
    assert (summary.sales, summary.fine_gold_g) == (2, 150.0)
    assert summary.benchmark_value == pytest.approx(60_000_000)
    assert summary.money_vs_benchmark == pytest.approx(-3_000_000)
    assert summary.premium_pct_weighted == pytest.approx(-5.0)
    assert summary.buyer_price_pct_weighted == pytest.approx((-2.5 * 100 - 5.0 * 50) / 150)
    assert (summary.premium_due_usd, summary.premium_received_usd, summary.premium_owed_usd) == (400, 400, 0)
    assert (summary.certified_sales, summary.certified_below_minimum) == (1, 0)
    by_buyer = summary_by(pesos, "buyer").set_index("buyer")
    assert by_buyer.loc[
        "Uno", ["sales", "benchmark_value", "premium_pct_weighted"]
    ].tolist() == pytest.approx([1, 40_000_000, -5.0])
    assert by_buyer.loc["Dos", "buyer_price_pct_weighted"] == pytest.approx(-5.0)
    steps = waterfall(pesos)
    # 60 M − 2 M quote (39 M + 19 M paid before taxes) = 58 M; − 1 M royalties = 57 M; + 400 USD × 4,000
    assert steps.to_dict() == pytest.approx(
        {
            "benchmark_value": 60_000_000,
            "buyer_quote": -2_000_000,
            "charges": 0,
            "buyer_price": 58_000_000,
            "royalties": -1_000_000,
            "withholding_advance": 0,
            "net_received": 57_000_000,
            "certification_premium": 1_600_000,
            "all_in": 58_600_000,
        }
    )


def test_dollars_owe_the_share_premium_and_have_no_reference_buyer():
    sales = priced()
    owed = premium_owed_by_buyer(sales).set_index("buyer")
    assert owed.loc["Uno", ["sales", "premium_due_usd", "premium_owed_usd"]].tolist() == [2, 500.0, 100.0]
    month = monthly_average_benchmark(sales, GOLD, {"COP": COP})
    table = what_if(sales, month).set_index("sale_id")
    assert table.loc["S1", "reference_buyer"] == "Banco de la República"
    assert table.loc["S1", "reference_value"] == pytest.approx(0.95 * 40_000_000)
    assert pd.isna(table.loc["S3", "reference_buyer"]) and np.isnan(table.loc["S3", "reference_value"])
    assert table.loc["S3", "month_average_value"] == pytest.approx(1000)
