"""Premium arithmetic on two sales worked out by hand (the arithmetic is written beside each figure)."""

import numpy as np
import pandas as pd
import pytest

from analytics.premiums import (
    certification_check,
    monthly_average_benchmark,
    premium_due_usd,
    sale_premiums,
    summarise,
    summary_by,
    waterfall,
    what_if,
)
from analytics.units import GRAMS_PER_TROY_OUNCE

GOLD = pd.Series([2300.0, 2360.0], index=pd.to_datetime(["2024-05-02", "2024-05-10"]))
COP = pd.Series([3950.0, 3900.0], index=pd.to_datetime(["2024-05-02", "2024-05-10"]))
BENCHMARK = 2360.0 * 3900.0 / 31.1034768  # COP per fine gram on 2024-05-10 = 295,915.47


def two_sales() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "sale_id": ["A-1", "A-2"],
            "cooperative": ["Coop", "Coop"],
            "date": pd.to_datetime(["2024-05-10", "2024-05-11"]),  # a Saturday: Friday's prices
            "buyer": ["Uno", "Dos"],
            "gross_weight_g": [100.0, 50.0],
            "fineness": [0.9, 0.875],
            "fine_gold_g": [90.0, 43.75],
            "currency": ["COP", "COP"],
            "amount_received": [90 * 0.97 * BENCHMARK, 43.75 * 0.90 * BENCHMARK],
            "certification": ["fairmined", "fairtrade"],
            "premium_received_usd": [360.0, 50.0],
            "refining_charge": [100_000.0, 0.0],
            "assay_charge": [0.0, 0.0],
            "transport_charge": [0.0, 0.0],
            "export_charge": [0.0, 0.0],
            "royalties_paid": [200_000.0, 0.0],
            "withholding_paid": [0.0, 0.0],
        }
    )


def test_each_sale_against_the_benchmark_by_hand():
    premiums = sale_premiums(two_sales(), GOLD, {"COP": COP})
    a, b = premiums.iloc[0], premiums.iloc[1]
    assert a["benchmark_price_per_g"] == pytest.approx(BENCHMARK)
    assert b["benchmark_price_per_g"] == pytest.approx(BENCHMARK)  # Saturday → Friday 10 May
    assert a["realised_price_per_g"] == pytest.approx(0.97 * BENCHMARK)
    assert a["premium_pct"] == pytest.approx(-3.0)  # 0.97 − 1
    assert b["premium_pct"] == pytest.approx(-10.0)  # 0.90 − 1
    assert a["money_vs_benchmark"] == pytest.approx(-0.03 * 90 * BENCHMARK)  # −799,971.85 pesos
    # Fairmined since 2014: USD 4,000 per kg fine → 4,000 × 0.090 kg = 360; Fairtrade: 2,000 × 0.04375 = 87.5
    assert a["premium_due_usd"] == pytest.approx(360.0)
    assert b["premium_due_usd"] == pytest.approx(87.5)
    assert b["premium_shortfall_usd"] == pytest.approx(37.5)
    assert bool(a["meets_minimum_price"]) and not bool(b["meets_minimum_price"])  # 97 % ≥ 95 % > 90 %
    # waterfall of A: benchmark 26,632,392.43 → buyer paid 25,833,420.65 + 300,000 deductions
    assert a["buyer_discount"] == pytest.approx(90 * 0.97 * BENCHMARK + 300_000 - 90 * BENCHMARK)
    assert a["net_received"] == pytest.approx(90 * 0.97 * BENCHMARK)  # what reached the cooperative
    assert a["all_in"] == pytest.approx(90 * 0.97 * BENCHMARK + 360 * 3900)  # + the premium at the day's rate
    assert a["banrep_value"] == pytest.approx(0.95 * 90 * BENCHMARK)


def test_summary_is_weighted_by_fine_gold():
    premiums = sale_premiums(two_sales(), GOLD, {"COP": COP})
    summary = summarise(premiums)
    assert summary.fine_gold_g == pytest.approx(133.75)
    assert summary.premium_pct_weighted == pytest.approx((-3.0 * 90 + -10.0 * 43.75) / 133.75)  # −5.29 %
    assert summary.benchmark_value == pytest.approx(133.75 * BENCHMARK)
    by_buyer = summary_by(premiums, "buyer").set_index("buyer")
    assert by_buyer.loc["Dos", "premium_pct_weighted"] == pytest.approx(-10.0)
    by_certification = summary_by(premiums, "certification").set_index("certification")
    assert by_certification.loc["fairtrade", "premium_due_usd"] == pytest.approx(87.5)


def test_waterfall_steps_add_up_to_net_received_then_all_in():
    steps = waterfall(sale_premiums(two_sales(), GOLD, {"COP": COP}))
    buyer_price = steps["benchmark_value"] + steps["buyer_quote"] + steps["charges"]
    assert buyer_price == pytest.approx(steps["buyer_price"])  # the subtotal the sales table names the same
    net = buyer_price + steps["royalties"] + steps["withholding_advance"]
    assert net == pytest.approx(steps["net_received"])
    assert net + steps["certification_premium"] == pytest.approx(steps["all_in"])
    assert steps["charges"] == -100_000 and steps["royalties"] + steps["withholding_advance"] == -200_000
    assert steps["certification_premium"] == pytest.approx((360 + 50) * 3900)


def test_certification_check_lists_short_premiums_and_prices_under_the_minimum():
    checked = certification_check(sale_premiums(two_sales(), GOLD, {"COP": COP}))
    assert checked["sale_id"].tolist() == ["A-2"]


def test_premium_schedule_in_force_on_the_sale_date():
    sales = two_sales().assign(date=pd.to_datetime(["2012-06-01", "2013-07-31"]))
    usd_per_g = np.array([50.0, 40.0])
    due = premium_due_usd(sales, usd_per_g)
    # 2012: Fairmined premium was 10 % of the benchmark; Fairtrade before Aug 2013 also 10 %
    assert due == pytest.approx([0.10 * 50.0 * 90, 0.10 * 40.0 * 43.75])


def test_what_if_banrep_and_month_average():
    sales = two_sales()
    premiums = sale_premiums(sales, GOLD, {"COP": COP})
    month = monthly_average_benchmark(sales, GOLD, {"COP": COP})
    may_average = np.mean([2300 * 3950, 2360 * 3900]) / GRAMS_PER_TROY_OUNCE  # the two May gold days
    assert month == pytest.approx([may_average, may_average])
    table = what_if(premiums, month)
    assert table["month_average_value"].iloc[0] == pytest.approx(90 * may_average)
    assert table["vs_banrep"].iloc[0] == pytest.approx(90 * 0.97 * BENCHMARK - 0.95 * 90 * BENCHMARK)


def test_sale_without_a_fresh_benchmark_is_left_unpriced_not_dropped():
    sales = two_sales().assign(date=pd.to_datetime(["2024-05-10", "2024-06-30"]))
    premiums = sale_premiums(sales, GOLD, {"COP": COP})
    assert len(premiums) == 2 and np.isnan(premiums["benchmark_price_per_g"].iloc[1])
    assert summarise(premiums).sales == 1


# --- the three numbers of a sale (DOMAIN.md): buyer's price, net received, all-in


def one_sale(**values) -> pd.DataFrame:
    """100 g of fine gold sold on Friday 10 May 2024 (benchmark 295,915.47 COP/g), no charges, no premium."""
    sale = two_sales().iloc[[0]].assign(
        fine_gold_g=100.0, gross_weight_g=100.0, fineness=1.0, refining_charge=0.0, royalties_paid=0.0,
        premium_received_usd=0.0, certification="none",
    )  # fmt: skip
    return sale.assign(**values)


def test_taxes_withheld_are_not_the_buyers_discount():
    # The buyer paid 100 % of the benchmark and withheld 4 % royalties and 1 % withholding for the state
    value = 100 * BENCHMARK  # 29,591,547 pesos
    sale = one_sale(amount_received=0.95 * value, royalties_paid=0.04 * value, withholding_paid=0.01 * value)
    row = sale_premiums(sale, GOLD, {"COP": COP}).iloc[0]
    assert row["buyer_price_pct"] == pytest.approx(0.0)  # (0.95 + 0.04 + 0.01) − 1
    assert row["premium_pct"] == pytest.approx(-5.0)  # net: 0.95 − 1
    assert row["all_in_pct"] == pytest.approx(-5.0)  # no premium


def test_a_fairmined_sale_meets_the_minimum_on_the_buyers_price_not_after_taxes():
    # Paid 96 % of the benchmark; 2.5 % withheld (Decreto 572 of 2025): 93.5 % reached the cooperative
    value = 100 * BENCHMARK
    sale = one_sale(certification="fairmined", amount_received=0.935 * value, withholding_paid=0.025 * value)
    row = sale_premiums(sale, GOLD, {"COP": COP}).iloc[0]
    assert row["buyer_price_pct"] == pytest.approx(-4.0) and row["premium_pct"] == pytest.approx(-6.5)
    assert bool(row["meets_minimum_price"])  # 96 % ≥ 95 %: the buyer paid the minimum
    assert row["minimum_margin_pp"] == pytest.approx(1.0) and row["minimum_state"] == "meets"
    assert row["minimum_reference"] == "benchmark"  # no LBMA fix given, no source named


def test_the_all_in_adds_the_usd_premium_at_the_sale_days_rate():
    # Fairmined USD 4,000/kg on 100 g fine = USD 400, at 3,900 COP/USD (10 May) = 1,560,000 pesos
    value = 100 * BENCHMARK
    sale = one_sale(certification="fairmined", amount_received=0.99 * value, premium_received_usd=400.0)
    row = sale_premiums(sale, GOLD, {"COP": COP}).iloc[0]
    assert row["premium_received_local"] == pytest.approx(1_560_000.0)
    assert row["all_in_pct"] == pytest.approx(((0.99 * value + 1_560_000) / value - 1) * 100)  # +4.27 %
    assert row["premium_pct"] == pytest.approx(-1.0)


def test_the_minimum_is_checked_against_the_lbma_fix_and_near_the_line():
    # Spot (the benchmark) 2,360; the LBMA fix that day 2,372.0: the buyer paid 95.3 % of spot
    value = 100 * BENCHMARK
    sale = one_sale(certification="fairmined", amount_received=0.953 * value)
    fix = pd.Series([2372.0], index=pd.to_datetime(["2024-05-10"]))
    sources = pd.Series(["stooq", "stooq"], index=GOLD.index)
    row = sale_premiums(sale, GOLD, {"COP": COP}, lbma_usd_per_oz=fix, gold_sources=sources).iloc[0]
    reference = 2372.0 * 3900 / GRAMS_PER_TROY_OUNCE
    assert row["minimum_reference"] == "lbma" and row["minimum_reference_per_g"] == pytest.approx(reference)
    margin = (0.953 * BENCHMARK / reference - 0.95) * 100  # 95.3 % × 2360/2372 − 95 % = −0.18 pp
    assert row["minimum_margin_pp"] == pytest.approx(margin) and row["minimum_state"] == "near"
    without_fix = sale_premiums(sale, GOLD, {"COP": COP}, gold_sources=sources).iloc[0]
    assert without_fix["minimum_reference"] == "stooq" and without_fix["minimum_state"] == "near"  # +0.3 pp


def test_a_typo_flagged_for_review_is_left_out_of_the_headline():
    value = 100 * BENCHMARK
    sales = pd.concat(
        [
            one_sale(sale_id="OK-1", amount_received=0.96 * value),
            one_sale(sale_id="OK-2", amount_received=0.94 * value),
            one_sale(sale_id="TYPO", amount_received=9.5 * value),  # an extra zero: +850 %
        ],
        ignore_index=True,
    )
    summary = summarise(sale_premiums(sales, GOLD, {"COP": COP}))
    assert summary.excluded_for_review == 1
    assert summary.buyer_price_pct_weighted == pytest.approx(-5.0)  # (−4 − 6) / 2, the typo left out
    assert summary.buyer_price_pct_median == pytest.approx(-5.0)
    assert summary.premium_pct_weighted == pytest.approx((-4 - 6 + 850) / 3)  # "net" keeps every sale
