"""What each sale earned against the benchmark, certification premiums due, and the period's waterfall.

Pure: a sales DataFrame and price series in, tables out. Money is in the sale's currency unless a name
says USD. Conventions (written down because a user's ledger may mean something else):
- ``amount_received`` is what the buyer paid for the gold after its deductions (charges, royalties,
  withholding), without the certification premium, which is paid separately in USD.
- Realised price per fine gram = amount_received ÷ fine_gold_g; premium % = realised ÷ benchmark − 1.
- The 95 % minimum price of Fairmined/Fairtrade is checked on that realised price (the cautious reading:
  a price that only met the minimum before the buyer's deductions is listed for review).
- Waterfall: benchmark value → buyer discount (what the buyer paid before deductions − benchmark value)
  → charges → royalties and withholding → certification premium (USD × the day's rate) → net received.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analytics.benchmark import MAX_STALENESS_DAYS
from analytics.units import GRAMS_PER_TROY_OUNCE

CERTIFICATIONS = ("none", "fairmined", "fairmined_ecological", "fairtrade")
CHARGE_COLUMNS = ("refining_charge", "assay_charge", "transport_charge", "export_charge")
MINIMUM_PRICE_SHARE = 0.95  # Fairmined and Fairtrade minimum price: 95 % of the international price
BANREP_BUY_SHARE = 0.95  # Banco de la República buys at 95 % of its sell price (since 29 Nov 2021)
IMPLAUSIBLE_LOW, IMPLAUSIBLE_HIGH = 0.30, 2.00  # realised price outside these shares of benchmark: review

#: DOMAIN.md "Certification terms": dated and editable (the Premiums page edits a stored copy).
DEFAULT_PREMIUM_SCHEDULE = pd.DataFrame(
    [
        # certification, valid_from, usd_per_kg_fine, pct_of_benchmark
        ("fairmined", "2010-01-01", None, 10.0),
        ("fairmined", "2014-01-01", 4000.0, None),
        ("fairmined_ecological", "2010-01-01", None, 15.0),
        ("fairmined_ecological", "2014-01-01", 6000.0, None),
        ("fairtrade", "2011-01-01", None, 10.0),
        ("fairtrade", "2013-08-01", 2000.0, None),
    ],
    columns=["certification", "valid_from", "usd_per_kg_fine", "pct_of_benchmark"],
).assign(valid_from=lambda frame: pd.to_datetime(frame["valid_from"]))


def _asof(dates: pd.Series, series: pd.Series, tolerance_days: int) -> tuple[np.ndarray, np.ndarray]:
    """Value and date of `series` on or before each date (NaN/NaT when none within the tolerance)."""
    clean = series.dropna().sort_index()
    right = pd.DataFrame(
        {"used": pd.DatetimeIndex(clean.index).astype("datetime64[ns]"), "value": clean.to_numpy()}
    )
    left = pd.DataFrame(
        {"date": pd.to_datetime(dates).astype("datetime64[ns]").to_numpy(), "row": np.arange(len(dates))}
    )
    merged = pd.merge_asof(
        left.sort_values("date"),
        right,
        left_on="date",
        right_on="used",
        direction="backward",
        tolerance=pd.Timedelta(days=tolerance_days),
    ).sort_values("row")
    return merged["value"].to_numpy(dtype=float), merged["used"].to_numpy()


def benchmark_per_fine_gram(
    dates: pd.Series,
    currencies: pd.Series,
    gold_usd_per_oz: pd.Series,
    fx_per_usd: dict[str, pd.Series],
    max_staleness_days: int = MAX_STALENESS_DAYS,
) -> pd.DataFrame:
    """The default benchmark (gold × FX ÷ 31.1034768) for each (date, currency), vectorised.

    Columns: benchmark_price_per_g, usd_per_g, fx (1 for USD), gold_date, fx_date. NaN where a price
    within `max_staleness_days` is missing.
    """
    gold, gold_date = _asof(dates, gold_usd_per_oz, max_staleness_days)
    fx = np.full(len(dates), np.nan)
    fx_date = np.full(len(dates), np.datetime64("NaT"), dtype="datetime64[ns]")
    currency_values = currencies.to_numpy()
    for currency in pd.unique(currency_values):
        rows = currency_values == currency
        if currency == "USD":
            fx[rows] = 1.0
            fx_date[rows] = pd.to_datetime(dates.to_numpy()[rows]).to_numpy(dtype="datetime64[ns]")
        elif currency in fx_per_usd:
            values, used = _asof(dates[rows], fx_per_usd[currency], max_staleness_days)
            fx[rows], fx_date[rows] = values, used
    usd_per_g = gold / GRAMS_PER_TROY_OUNCE
    return pd.DataFrame(
        {
            "benchmark_price_per_g": usd_per_g * fx,
            "usd_per_g": usd_per_g,
            "fx": fx,
            "gold_date": gold_date,
            "fx_date": fx_date,
        },
        index=dates.index,
    )


def premium_due_usd(
    sales: pd.DataFrame, usd_per_g: np.ndarray, schedule: pd.DataFrame = DEFAULT_PREMIUM_SCHEDULE
) -> np.ndarray:
    """Certification premium due for each sale under the schedule in force on its date (0 when none).

    A schedule row gives either USD per kg of fine gold or a share of the benchmark value.
    """
    due = np.zeros(len(sales))
    dates = pd.to_datetime(sales["date"]).to_numpy(dtype="datetime64[ns]")
    certifications = sales["certification"].to_numpy()
    fine_g = sales["fine_gold_g"].to_numpy(dtype=float)
    for certification, rows in schedule.sort_values("valid_from").groupby("certification"):
        starts = rows["valid_from"].to_numpy(dtype="datetime64[ns]")
        mine = np.flatnonzero(certifications == certification)
        if len(mine) == 0:
            continue
        which = np.searchsorted(starts, dates[mine], side="right") - 1
        in_force = which >= 0
        per_kg = rows["usd_per_kg_fine"].to_numpy(dtype=float)
        pct = rows["pct_of_benchmark"].to_numpy(dtype=float)
        for position, row in zip(mine[in_force], which[in_force], strict=True):
            if not np.isnan(per_kg[row]):
                due[position] = per_kg[row] * fine_g[position] / 1000
            elif not np.isnan(pct[row]):
                due[position] = pct[row] / 100 * usd_per_g[position] * fine_g[position]
    return due


def sale_premiums(
    sales: pd.DataFrame,
    gold_usd_per_oz: pd.Series,
    fx_per_usd: dict[str, pd.Series],
    schedule: pd.DataFrame = DEFAULT_PREMIUM_SCHEDULE,
) -> pd.DataFrame:
    """One row per sale: benchmark, realised price, premium %, money vs benchmark, waterfall, checks."""
    out = sales.reset_index(drop=True).copy()
    if out.empty:
        return out.assign(**{column: pd.Series(dtype=float) for column in _RESULT_COLUMNS})
    bench = benchmark_per_fine_gram(out["date"], out["currency"], gold_usd_per_oz, fx_per_usd)
    for column in ("benchmark_price_per_g", "usd_per_g", "fx", "gold_date", "fx_date"):
        out[column] = bench[column].to_numpy()
    fine = out["fine_gold_g"].to_numpy(dtype=float)
    for column in (*CHARGE_COLUMNS, "royalties_paid", "withholding_paid", "premium_received_usd"):
        out[column] = pd.to_numeric(out.get(column, 0.0), errors="coerce").fillna(0.0)
    out["benchmark_value"] = fine * out["benchmark_price_per_g"]
    out["realised_price_per_g"] = out["amount_received"] / fine
    out["premium_pct"] = (out["realised_price_per_g"] / out["benchmark_price_per_g"] - 1) * 100
    out["money_vs_benchmark"] = out["amount_received"] - out["benchmark_value"]
    charges = out[list(CHARGE_COLUMNS)].sum(axis=1)
    taxes = out["royalties_paid"] + out["withholding_paid"]
    out["charges_total"] = charges
    out["taxes_total"] = taxes
    out["buyer_paid_before_deductions"] = out["amount_received"] + charges + taxes
    out["buyer_discount"] = out["buyer_paid_before_deductions"] - out["benchmark_value"]
    out["premium_received_local"] = out["premium_received_usd"] * out["fx"]
    out["net_received"] = out["amount_received"] + out["premium_received_local"]
    out["premium_due_usd"] = premium_due_usd(out, out["usd_per_g"].to_numpy(), schedule)
    out["premium_shortfall_usd"] = out["premium_due_usd"] - out["premium_received_usd"]
    certified = out["certification"] != "none"
    out["meets_minimum_price"] = (
        out["realised_price_per_g"] >= MINIMUM_PRICE_SHARE * out["benchmark_price_per_g"]
    )
    out["certified"] = certified
    share = out["realised_price_per_g"] / out["benchmark_price_per_g"]
    out["needs_review"] = (share < IMPLAUSIBLE_LOW) | (share > IMPLAUSIBLE_HIGH)
    # Banco de la República buys pesos' gold only: no such price for a sale in another currency
    out["banrep_value"] = (BANREP_BUY_SHARE * out["benchmark_value"]).where(out["currency"] == "COP")
    month = pd.to_datetime(out["date"]).dt.to_period("M")
    out["month"] = month.astype(str)
    return out


_RESULT_COLUMNS = (
    "benchmark_price_per_g",
    "benchmark_value",
    "realised_price_per_g",
    "premium_pct",
    "money_vs_benchmark",
    "premium_due_usd",
    "net_received",
)


def monthly_average_benchmark(
    sales: pd.DataFrame, gold_usd_per_oz: pd.Series, fx_per_usd: dict[str, pd.Series]
) -> np.ndarray:
    """For each sale, the mean daily benchmark per fine gram over its calendar month (its currency).

    Used by "what if we had sold at the month's average": days of the month with a price, up to the
    month's end (a month still running averages the days so far).
    """
    out = np.full(len(sales), np.nan)
    if sales.empty:
        return out
    gold = gold_usd_per_oz.dropna().sort_index()
    for currency in pd.unique(sales["currency"]):
        fx = None if currency == "USD" else fx_per_usd.get(currency)
        if currency != "USD" and fx is None:
            continue
        days = pd.Series(gold.index, index=gold.index)
        bench = benchmark_per_fine_gram(days, pd.Series(currency, index=gold.index), gold, fx_per_usd)
        monthly = bench["benchmark_price_per_g"].groupby(gold.index.to_period("M")).mean()
        rows = (sales["currency"] == currency).to_numpy()
        periods = pd.to_datetime(sales.loc[rows, "date"]).dt.to_period("M")
        out[rows] = monthly.reindex(periods).to_numpy()
    return out


@dataclass(frozen=True)
class PremiumSummary:
    fine_gold_g: float
    benchmark_value: float
    amount_received: float
    premium_pct_weighted: float
    money_vs_benchmark: float
    premium_due_usd: float
    premium_received_usd: float
    sales: int

    def as_json(self) -> dict[str, float | int]:
        return {
            "fine_gold_g": self.fine_gold_g,
            "benchmark_value": self.benchmark_value,
            "amount_received": self.amount_received,
            "premium_pct_weighted": self.premium_pct_weighted,
            "money_vs_benchmark": self.money_vs_benchmark,
            "premium_due_usd": self.premium_due_usd,
            "premium_received_usd": self.premium_received_usd,
            "sales": self.sales,
        }


def summarise(premiums: pd.DataFrame) -> PremiumSummary:
    """Totals; the premium % is each sale's premium % weighted by its fine gold.

    Money totals only make sense within one currency: `summary_by(premiums, "currency")` splits them.
    """
    valid = premiums.dropna(subset=["benchmark_price_per_g"])
    fine = float(valid["fine_gold_g"].sum())
    weights = valid["fine_gold_g"] / fine if fine else valid["fine_gold_g"]
    weighted = float((valid["premium_pct"] * weights).sum()) if fine else float("nan")
    return PremiumSummary(
        fine_gold_g=fine,
        benchmark_value=float(valid["benchmark_value"].sum()),
        amount_received=float(valid["amount_received"].sum()),
        premium_pct_weighted=weighted,
        money_vs_benchmark=float(valid["money_vs_benchmark"].sum()),
        premium_due_usd=float(valid["premium_due_usd"].sum()),
        premium_received_usd=float(valid["premium_received_usd"].sum()),
        sales=len(valid),
    )


def summary_by(premiums: pd.DataFrame, key: str) -> pd.DataFrame:
    """Per buyer / month / certification: sales, fine gold, benchmark value, received, weighted premium %."""
    valid = premiums.dropna(subset=["benchmark_price_per_g"])
    keys = [key] if key == "currency" else [key, "currency"]  # money only adds up within a currency
    grouped = valid.groupby(keys, sort=True)
    table = grouped.agg(
        sales=("sale_id", "count"),
        fine_gold_g=("fine_gold_g", "sum"),
        benchmark_value=("benchmark_value", "sum"),
        amount_received=("amount_received", "sum"),
        money_vs_benchmark=("money_vs_benchmark", "sum"),
        premium_due_usd=("premium_due_usd", "sum"),
        premium_received_usd=("premium_received_usd", "sum"),
    )
    weighted = (valid["premium_pct"] * valid["fine_gold_g"]).groupby([valid[k] for k in keys]).sum()
    table["premium_pct_weighted"] = weighted / table["fine_gold_g"]
    return table.reset_index()


def waterfall(premiums: pd.DataFrame) -> pd.Series:
    """Benchmark value → buyer discount → charges → royalties and withholding → premium → net received.

    The steps add up exactly: benchmark + discount − charges − taxes + premium = net received.
    """
    valid = premiums.dropna(subset=["benchmark_price_per_g"])
    return pd.Series(
        {
            "benchmark_value": valid["benchmark_value"].sum(),
            "buyer_discount": valid["buyer_discount"].sum(),
            "charges": -valid["charges_total"].sum(),
            "royalties_withholding": -valid["taxes_total"].sum(),
            "certification_premium": valid["premium_received_local"].sum(),
            "net_received": valid["net_received"].sum(),
        }
    )


def certification_check(premiums: pd.DataFrame, tolerance_usd: float = 1.0) -> pd.DataFrame:
    """Certified sales whose premium received differs from the premium due, or whose price was under
    the 95 % minimum."""
    certified = premiums[premiums["certified"]]
    mismatch = (certified["premium_shortfall_usd"].abs() > tolerance_usd) | ~certified["meets_minimum_price"]
    return certified[mismatch]


def what_if(
    premiums: pd.DataFrame,
    month_average_per_g: np.ndarray,
    reference_buyers: Mapping[str, tuple[str, float]] | None = None,
) -> pd.DataFrame:
    """The same gold sold to the currency's reference buyer, and at the month's average benchmark.

    `reference_buyers` maps a currency to (buyer's name, share of the benchmark it pays); a sale in a
    currency without one has no reference value (NaN), never a borrowed one. Default: Banco de la
    República's 95 % for COP only. `banrep_value`/`vs_banrep` keep that price alone (COP only).
    """
    buyers = (
        {"COP": ("Banco de la República", BANREP_BUY_SHARE)} if reference_buyers is None else reference_buyers
    )
    out = premiums[
        ["sale_id", "date", "currency", "fine_gold_g", "amount_received", "benchmark_value"]
    ].copy()
    out["banrep_value"] = premiums["banrep_value"]
    out["month_average_value"] = premiums["fine_gold_g"].to_numpy() * month_average_per_g
    out["vs_banrep"] = out["amount_received"] - out["banrep_value"]
    out["vs_month_average"] = out["amount_received"] - out["month_average_value"]
    share = out["currency"].map(lambda currency: buyers[currency][1] if currency in buyers else np.nan)
    out["reference_buyer"] = out["currency"].map(
        lambda currency: buyers[currency][0] if currency in buyers else None
    )
    out["reference_value"] = share.astype(float) * out["benchmark_value"]
    out["vs_reference"] = out["amount_received"] - out["reference_value"]
    return out
