"""A seeded, fictional sales ledger for the demo data set: two years of weekly sales of two cooperatives.

Every name says it is fictional; the pages add a banner whenever these sales are shown. Prices are
built from the market series given (stored or demo), so premiums look like real ones: certified gold
near the benchmark, uncertified gold at a discount, a few premiums paid short, one price to review.

    python -m data.demo_ledger OUT.csv     # write it as a file you can import (CLI or Sales page)
"""

from __future__ import annotations

import sys

import numpy as np
import pandas as pd

from analytics.premiums import DEFAULT_PREMIUM_SCHEDULE, benchmark_per_fine_gram, premium_due_usd

DEMO_LEDGER_SEED = 11
DEMO_COOPERATIVES = {
    # name: (currency, certification mix, buyers, share of benchmark paid: low, high)
    "Cooperativa La Esperanza (ficticia, demo)": (
        "COP",
        {"fairmined": 0.7, "fairmined_ecological": 0.1, "none": 0.2},
        ["Refinería Ejemplo S.A. (ficticia)", "Comercializadora Modelo (ficticia)"],
        (1.00, 1.07),
    ),
    "Asociación Río Claro (ficticia, demo)": (
        "PEN",
        {"fairtrade": 0.5, "none": 0.5},
        ["Exportadora Andina Demo (ficticia)", "Compradora Local Demo (ficticia)"],
        (0.99, 1.05),
    ),
}
ROYALTY_SHARE = 0.04  # DOMAIN.md: 4 % for formal small miners (Colombia); used for both demo cooperatives


def demo_sales(
    gold_usd_per_oz: pd.Series, fx_per_usd: dict[str, pd.Series], end: pd.Timestamp
) -> pd.DataFrame:
    """About 104 weekly sales per cooperative ending at `end`, in the ledger's columns."""
    rng = np.random.default_rng(DEMO_LEDGER_SEED)
    weeks = pd.date_range(end=pd.Timestamp(end).normalize(), periods=104, freq="W-THU")
    rows = []
    for cooperative, (currency, mix, buyers, (low, high)) in DEMO_COOPERATIVES.items():
        certifications = rng.choice(list(mix), size=len(weeks), p=list(mix.values()))
        for number, (day, certification) in enumerate(zip(weeks, certifications, strict=True), start=1):
            gross = float(np.round(rng.uniform(150, 1_200), 1))
            fineness = float(np.round(rng.uniform(0.80, 0.95), 3))
            rows.append(
                {
                    "sale_id": f"{currency}-{day:%Y}-{number:03d}",
                    "cooperative": cooperative,
                    "date": day,
                    "buyer": buyers[0] if certification != "none" else buyers[int(rng.integers(0, 2))],
                    "gross_weight_g": gross,
                    "fineness": fineness,
                    "fine_gold_g": round(gross * fineness, 3),
                    "currency": currency,
                    "certification": str(certification),
                    "share": rng.uniform(low, high) if certification != "none" else rng.uniform(0.80, 0.96),
                    "notes": "venta ficticia de demostración",
                }
            )
    sales = pd.DataFrame(rows)
    bench = benchmark_per_fine_gram(sales["date"], sales["currency"], gold_usd_per_oz, fx_per_usd)
    sales = sales[bench["benchmark_price_per_g"].notna().to_numpy()].reset_index(drop=True)
    bench = bench[bench["benchmark_price_per_g"].notna()].reset_index(drop=True)
    value = sales["fine_gold_g"] * bench["benchmark_price_per_g"]
    paid_before_deductions = value * sales["share"]
    sales["refining_charge"] = (0.01 * paid_before_deductions).round(0)
    sales["assay_charge"] = (0.002 * paid_before_deductions).round(0)
    sales["transport_charge"] = (0.003 * paid_before_deductions).round(0)
    sales["export_charge"] = np.where(
        sales["certification"] != "none", (0.004 * paid_before_deductions).round(0), 0
    )
    sales["royalties_paid"] = (ROYALTY_SHARE * 0.8 * value).round(0)
    sales["withholding_paid"] = (0.01 * paid_before_deductions).round(0)
    deductions = sales[
        [
            "refining_charge",
            "assay_charge",
            "transport_charge",
            "export_charge",
            "royalties_paid",
            "withholding_paid",
        ]
    ].sum(axis=1)
    sales["amount_received"] = (paid_before_deductions - deductions).round(0)
    due = premium_due_usd(sales, bench["usd_per_g"].to_numpy(), DEFAULT_PREMIUM_SCHEDULE)
    paid_share = np.where(rng.uniform(size=len(sales)) < 0.08, 0.5, 1.0)  # a few premiums paid only half
    sales["premium_received_usd"] = (due * paid_share).round(2)
    if len(sales) > 10:  # one typo a reviewer should catch: an extra zero in the amount
        sales.loc[10, "amount_received"] *= 10
        sales.loc[10, "notes"] = "venta ficticia: monto con un cero de más, para revisar"
    return sales.drop(columns="share")


def main(argv: list[str]) -> int:
    """Write the demo ledger on the demo market data to a CSV file."""
    from data.market.demo import demo_market_data
    from data.market.series import fx_series_for

    if len(argv) != 1:
        print("usage: python -m data.demo_ledger OUT.csv", file=sys.stderr)
        return 2
    market = demo_market_data(pd.Timestamp.now())
    fx = {currency: market[str(fx_series_for(currency))] for currency in ("COP", "PEN")}
    sales = demo_sales(market["GOLD_USD"], fx, pd.Timestamp.now())
    sales.assign(date=sales["date"].dt.strftime("%Y-%m-%d")).to_csv(argv[0], index=False)
    print(f"{len(sales)} fictional sales written to {argv[0]}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
