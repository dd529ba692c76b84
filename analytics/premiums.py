"""What each sale earned against the benchmark, certification premiums due, and the period's waterfall.

Pure: a sales DataFrame and price series in, tables out. Money is in the sale's currency unless a name
says USD. Conventions (written down because a user's ledger may mean something else):
- ``amount_received`` is what the buyer paid for the gold after its deductions (charges, royalties,
  withholding), without the certification premium, which is paid separately in USD.
- Three numbers per sale (DOMAIN.md "What the cooperative was paid"), each against the benchmark:
  the **buyer's price** = amount received + royalties + withholding (taxes the buyer withholds for the
  state are not the buyer's discount; commercial charges are the buyer's terms and stay deducted):
  ``buyer_price_pct``; the **net received** = amount received: ``premium_pct`` (its meaning since the
  start, labelled "net"); the **all-in** = net + the certification premium at the sale day's rate:
  ``all_in_pct``. All in % above (+) or below (−) the benchmark value of the fine gold.
- The 95 % minimum price of Fairmined/Fairtrade is checked on the buyer's price against the reference the
  standard names: the LBMA fix where one is stored for the day, else the benchmark (its gold source is
  named in ``minimum_reference``); within ±0.5 percentage points of the line a sale is "near".
- Headlines exclude sales flagged for review (a typo such as ten times the benchmark), and say how many.
- Two buyer numbers, never one word for either: the **quote** (``buyer_quote_pct``: what the buyer paid
  before its commercial charges and the taxes) and the **buyer's price** (``buyer_price_pct``: after charges,
  before taxes).
- Waterfall: benchmark value → the quote's difference → charges = buyer's price → royalties → withholding
  (an advance on income tax, recoverable: not money lost) = net received → certification premium (USD ×
  the day's rate) = all-in.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analytics.benchmark import MAX_STALENESS_DAYS, in_force_until
from analytics.units import GRAMS_PER_TROY_OUNCE

CERTIFICATIONS = ("none", "fairmined", "fairmined_ecological", "fairtrade")
CHARGE_COLUMNS = ("refining_charge", "assay_charge", "transport_charge", "export_charge")
MINIMUM_PRICE_SHARE = 0.95  # Fairmined and Fairtrade minimum price: 95 % of the international price
BANREP_BUY_SHARE = 0.95  # Banco de la República buys at 95 % of its sell price (since 29 Nov 2021)
IMPLAUSIBLE_LOW, IMPLAUSIBLE_HIGH = 0.30, 2.00  # realised price outside these shares of benchmark: review
NEAR_MINIMUM_PP = 0.5  # within this many percentage points of the 95 % line, judged on the fix: "near"
#: Judged on spot or another source instead of the fix: DOMAIN.md's measured gap (LBMA fix vs Stooq spot,
#: 5,253 common days, 90 % within ±0.93 %) when the store holds no overlap to measure it on.
SPOT_TO_FIX_GAP_PCT = 0.93
MINIMUM_STATES = ("meets", "near", "below")
LBMA_SOURCE = "lbma"

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
    """Value and date of `series` on or before each date (NaN/NaT when none within the tolerance, or past
    the series' end: the one rule of analytics.benchmark.in_force_until)."""
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
    value, used = merged["value"].to_numpy(dtype=float), merged["used"].to_numpy(dtype="datetime64[ns]")
    if not clean.empty:  # a day past the series' end is not priced by carrying its last value forward
        past_end = (merged["date"] > in_force_until(pd.Timestamp(clean.index[-1]))).to_numpy(dtype=bool)
        value, used = np.where(past_end, np.nan, value), np.where(past_end, np.datetime64("NaT"), used)
    return value, used


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
        per_kg = rows["usd_per_kg_fine"].to_numpy(dtype=float)[which[in_force]]
        pct = rows["pct_of_benchmark"].to_numpy(dtype=float)[which[in_force]]
        positions = mine[in_force]  # vectorised: a row per sale is seconds at 100,000 sales
        by_weight = per_kg * fine_g[positions] / 1000
        by_share = pct / 100 * usd_per_g[positions] * fine_g[positions]
        # a per-kg row wins; a share row prices at the day's benchmark (0 when the row names neither)
        due[positions] = np.where(~np.isnan(per_kg), by_weight, np.where(~np.isnan(pct), by_share, 0.0))
    return due


def sale_premiums(
    sales: pd.DataFrame,
    gold_usd_per_oz: pd.Series,
    fx_per_usd: dict[str, pd.Series],
    schedule: pd.DataFrame = DEFAULT_PREMIUM_SCHEDULE,
    *,
    lbma_usd_per_oz: pd.Series | None = None,
    gold_sources: pd.Series | None = None,
    source_gaps_pct: Mapping[str, float] | None = None,
) -> pd.DataFrame:
    """One row per sale: benchmark, the three prices, money vs benchmark, waterfall parts, checks.

    `lbma_usd_per_oz`: the LBMA fix where stored (the minimum price's reference); `gold_sources`: the
    source of each day's benchmark gold value (named when the benchmark stands in for the fix).
    """
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
    # the quote: what the buyer paid before its commercial charges and the taxes (what it offered)
    out["buyer_quote"] = out["buyer_paid_before_deductions"]
    out["buyer_quote_pct"] = (out["buyer_quote"] / out["benchmark_value"] - 1) * 100
    out["buyer_price"] = out["amount_received"] + taxes
    out["buyer_price_per_g"] = out["buyer_price"] / fine
    out["buyer_price_pct"] = (out["buyer_price_per_g"] / out["benchmark_price_per_g"] - 1) * 100
    out["premium_received_local"] = out["premium_received_usd"] * out["fx"]
    out["net_received"] = out["amount_received"]
    out["all_in"] = out["amount_received"] + out["premium_received_local"]
    out["all_in_pct"] = (out["all_in"] / out["benchmark_value"] - 1) * 100
    out["premium_due_usd"] = premium_due_usd(
        out, out["usd_per_g"].to_numpy(), schedule
    )  # USD: no price needed
    out["premium_shortfall_usd"] = out["premium_due_usd"] - out["premium_received_usd"]
    _minimum_price_check(out, lbma_usd_per_oz, gold_sources, source_gaps_pct)
    out["certified"] = out["certification"] != "none"
    share = out["realised_price_per_g"] / out["benchmark_price_per_g"]
    out["needs_review"] = (share < IMPLAUSIBLE_LOW) | (share > IMPLAUSIBLE_HIGH)
    # Banco de la República buys pesos' gold only: no such price for a sale in another currency
    out["banrep_value"] = (BANREP_BUY_SHARE * out["benchmark_value"]).where(out["currency"] == "COP")
    month = pd.to_datetime(out["date"]).dt.to_period("M")
    out["month"] = month.astype(str)
    return out


def near_band_pp(reference: str, source_gaps_pct: Mapping[str, float] | None = None) -> float:
    """How close to the 95 % line a sale is "near" when judged on `reference`: on the LBMA fix the
    standard names, NEAR_MINIMUM_PP; on another source, its measured gap to the fix (the 90th percentile
    of |source ÷ fix − 1| in %, `source_gaps_pct`, else DOMAIN.md's spot figure), if wider."""
    if reference == LBMA_SOURCE:
        return NEAR_MINIMUM_PP
    gap = (source_gaps_pct or {}).get(reference, SPOT_TO_FIX_GAP_PCT)
    return max(NEAR_MINIMUM_PP, float(gap))


def _minimum_price_check(
    out: pd.DataFrame,
    lbma_usd_per_oz: pd.Series | None,
    gold_sources: pd.Series | None,
    source_gaps_pct: Mapping[str, float] | None = None,
) -> None:
    """The 95 % minimum on the buyer's price against the LBMA fix where stored, else the benchmark.

    Only certified sales have a minimum (`meets_minimum_price` None otherwise). The line is compared
    in money at the cent, as money is paid: a buyer's price equal to 95 % of the reference rounded to
    the cent meets it. The "near" band widens off the fix (`near_band_pp`, in `minimum_near_pp`).
    """
    reference = out["benchmark_price_per_g"].to_numpy(dtype=float).copy()
    names = np.full(len(out), "benchmark", dtype=object)
    if gold_sources is not None and not gold_sources.empty:  # the source of the gold value each sale used
        days, first_seen = pd.factorize(pd.to_datetime(out["gold_date"]))  # a few thousand days, not 100,000
        named = gold_sources.reindex(first_seen).to_numpy(dtype=object, na_value=None)
        named = np.where(days >= 0, named[days], None) if len(first_seen) else np.full(len(out), None)
        names = np.where(pd.isna(named), names, named).astype(object)
    if lbma_usd_per_oz is not None and not lbma_usd_per_oz.dropna().empty:
        fix, _ = _asof(out["date"], lbma_usd_per_oz, MAX_STALENESS_DAYS)
        fix_per_g = fix / GRAMS_PER_TROY_OUNCE * out["fx"].to_numpy(dtype=float)
        has_fix = ~np.isnan(fix_per_g)
        reference = np.where(has_fix, fix_per_g, reference)
        names = np.where(has_fix, LBMA_SOURCE, names)
    out["minimum_reference"] = names
    out["minimum_reference_per_g"] = reference
    margin_pp = (out["buyer_price_per_g"] / reference - MINIMUM_PRICE_SHARE) * 100
    out["minimum_margin_pp"] = margin_pp
    distinct, which = np.unique(names.astype(str), return_inverse=True)  # a few sources, not a call per sale
    band = np.array([near_band_pp(str(name), source_gaps_pct) for name in distinct], dtype=float)[which]
    out["minimum_near_pp"] = band
    fine = out["fine_gold_g"].to_numpy(dtype=float)
    line = np.round(MINIMUM_PRICE_SHARE * reference * fine, 2)  # the minimum in money, to the cent
    paid = np.round(out["buyer_price"].to_numpy(dtype=float), 2)
    meets = paid >= line
    at_cent = np.isclose(paid, line, rtol=0, atol=0.005) | meets
    certified = (out["certification"] != "none").to_numpy(dtype=bool)
    judged = certified & ~np.isnan(margin_pp.to_numpy(dtype=float))
    meets_or_none = np.full(len(out), None, dtype=object)
    meets_or_none[judged] = at_cent[judged].tolist()  # Python bools, None where not judged
    out["meets_minimum_price"] = pd.Series(meets_or_none, index=out.index, dtype=object)
    state = np.select(
        [at_cent & (margin_pp > band), margin_pp >= -band, margin_pp < -band],
        ["meets", "near", "below"],
        default="",
    )
    out["minimum_state"] = np.where(judged, state, "")


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
    #: The headline: the buyer's price vs the benchmark, weighted by fine gold, flagged sales excluded.
    buyer_price_pct_weighted: float = float("nan")
    buyer_price_pct_median: float = float("nan")
    all_in_pct_weighted: float = float("nan")
    #: The net received vs the benchmark like the headline (flagged sales left out); `premium_pct_weighted`
    #: keeps every sale, as it always did.
    net_pct_weighted: float = float("nan")
    excluded_for_review: int = 0
    premium_owed_usd: float = 0.0
    certified_sales: int = 0
    certified_below_minimum: int = 0
    #: Sales without a benchmark on their day: out of the priced totals, in the premium totals (USD)
    sales_without_benchmark: int = 0

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
            "buyer_price_pct_weighted": self.buyer_price_pct_weighted,
            "buyer_price_pct_median": self.buyer_price_pct_median,
            "all_in_pct_weighted": self.all_in_pct_weighted,
            "net_pct_weighted": self.net_pct_weighted,
            "excluded_for_review": self.excluded_for_review,
            "premium_owed_usd": self.premium_owed_usd,
            "certified_sales": self.certified_sales,
            "certified_below_minimum": self.certified_below_minimum,
            "sales_without_benchmark": self.sales_without_benchmark,
        }


def _weighted(values: pd.Series, weights: pd.Series) -> float:
    total = float(weights.sum())
    return float((values * weights).sum() / total) if total else float("nan")


_SUMMED = ("fine_gold_g", "benchmark_value", "amount_received", "money_vs_benchmark", "premium_due_usd",
           "premium_received_usd")  # fmt: skip


def _with_benchmark(premiums: pd.DataFrame, columns: tuple[str, ...]) -> pd.DataFrame:
    """The sales priced on their day, only `columns` (those present): dropping rows from every column of
    100,000 priced sales copies them all, a fraction of a second each time."""
    keep = [column for column in dict.fromkeys(("benchmark_price_per_g", *columns)) if column in premiums]
    return premiums.loc[premiums["benchmark_price_per_g"].notna().to_numpy(dtype=bool), keep]


def summarise(premiums: pd.DataFrame) -> PremiumSummary:
    """Totals; the premium % is each sale's premium % weighted by its fine gold.

    The buyer's-price headline leaves out sales flagged for review (and counts them): one typo would
    otherwise move it by several points. Money totals only make sense within one currency:
    `summary_by(premiums, "currency")` splits them.
    """
    valid = _with_benchmark(
        premiums,
        (*_SUMMED, "needs_review", "certification", "premium_pct", "buyer_price_pct", "all_in_pct",
         "meets_minimum_price"),
    )  # fmt: skip
    fine = float(valid["fine_gold_g"].sum())
    review = valid["needs_review"].astype(bool) if "needs_review" in valid else pd.Series(False, valid.index)
    trusted = valid[~review]
    certified = trusted[trusted["certification"] != "none"] if len(trusted) else trusted
    # a premium is in USD per kg of fine gold: due and owed need no benchmark, so every sale counts
    owed = (premiums["premium_due_usd"] - premiums["premium_received_usd"]).clip(lower=0)
    return PremiumSummary(
        fine_gold_g=fine,
        benchmark_value=float(valid["benchmark_value"].sum()),
        amount_received=float(valid["amount_received"].sum()),
        premium_pct_weighted=_weighted(valid["premium_pct"], valid["fine_gold_g"]),
        money_vs_benchmark=float(valid["money_vs_benchmark"].sum()),
        premium_due_usd=float(premiums["premium_due_usd"].sum()),
        premium_received_usd=float(premiums["premium_received_usd"].sum()),
        sales=len(valid),
        sales_without_benchmark=len(premiums) - len(valid),
        buyer_price_pct_weighted=_weighted(trusted["buyer_price_pct"], trusted["fine_gold_g"])
        if len(trusted)
        else float("nan"),
        buyer_price_pct_median=float(trusted["buyer_price_pct"].median()) if len(trusted) else float("nan"),
        all_in_pct_weighted=_weighted(trusted["all_in_pct"], trusted["fine_gold_g"])
        if len(trusted)
        else float("nan"),
        net_pct_weighted=_weighted(trusted["premium_pct"], trusted["fine_gold_g"])
        if len(trusted)
        else float("nan"),
        excluded_for_review=int(review.sum()),
        premium_owed_usd=float(owed.sum()),
        certified_sales=len(certified),
        certified_below_minimum=int(certified["meets_minimum_price"].eq(False).sum())
        if len(certified)
        else 0,
    )


def premium_owed_by_buyer(premiums: pd.DataFrame) -> pd.DataFrame:
    """Certification premium due, received and still owed (due − received where positive), per buyer, USD."""
    certified = premiums[premiums["certification"] != "none"]
    table = (
        certified.assign(
            owed=(certified["premium_due_usd"] - certified["premium_received_usd"]).clip(lower=0)
        )
        .groupby("buyer", sort=True)
        .agg(
            sales=("sale_id", "count"),
            premium_due_usd=("premium_due_usd", "sum"),
            premium_received_usd=("premium_received_usd", "sum"),
            premium_owed_usd=("owed", "sum"),
        )
        .reset_index()
    )
    return table.sort_values("premium_owed_usd", ascending=False, kind="stable").reset_index(drop=True)


def sales_by_period(premiums: pd.DataFrame, most: int) -> pd.DataFrame:
    """One dot per day (else week, else month) and certification, at most about `most` of them: a chart of
    100,000 sales as single dots is megabytes on every rerun. Fine gold summed, realised price and premium
    % weighted by it, `sales` counted."""
    frame = premiums.assign(
        _price=premiums["realised_price_per_g"] * premiums["fine_gold_g"],
        _premium=premiums["premium_pct"] * premiums["fine_gold_g"],
    )
    days = pd.DatetimeIndex(frame["date"])
    for period in ("D", "W", "M"):
        starts = days.to_period(period).start_time
        if len(pd.MultiIndex.from_arrays([starts, frame["certification"]]).unique()) <= most:
            break
    grouped = frame.groupby([starts, frame["certification"]], sort=True).agg(
        fine_gold_g=("fine_gold_g", "sum"),
        _price=("_price", "sum"),
        _premium=("_premium", "sum"),
        sales=("fine_gold_g", "size"),
    )
    grouped.index = grouped.index.set_names(["date", "certification"])
    return (
        grouped.assign(
            realised_price_per_g=grouped["_price"] / grouped["fine_gold_g"],
            premium_pct=grouped["_premium"] / grouped["fine_gold_g"],
        )
        .drop(columns=["_price", "_premium"])
        .reset_index()
    )


def summary_by(premiums: pd.DataFrame, key: str) -> pd.DataFrame:
    """Per buyer / month / certification: sales, fine gold, benchmark value, received, weighted premium %."""
    keys = [key] if key == "currency" else [key, "currency"]  # money only adds up within a currency
    valid = _with_benchmark(
        premiums, (*keys, "sale_id", *_SUMMED, "premium_pct", "buyer_price_pct", "needs_review")
    )
    # one grouping for every sum (the same sums, column by column, as one aggregation each)
    sums = valid[[*keys, *_SUMMED]].assign(_weighted=valid["premium_pct"] * valid["fine_gold_g"])
    grouped = sums.groupby(keys, sort=True)
    table = grouped.sum()
    table.insert(0, "sales", valid.groupby(keys, sort=True)["sale_id"].count())
    table["premium_pct_weighted"] = table.pop("_weighted") / table["fine_gold_g"]
    if "buyer_price_pct" in valid:  # flagged sales left out, as in the headline
        trusted = valid[~valid["needs_review"].astype(bool)]
        fine = trusted["fine_gold_g"].groupby([trusted[k] for k in keys]).sum()
        buyer = (
            (trusted["buyer_price_pct"] * trusted["fine_gold_g"]).groupby([trusted[k] for k in keys]).sum()
        )
        table["buyer_price_pct_weighted"] = buyer / fine
    return table.reset_index()


#: Waterfall bars that are totals (drawn from zero), not steps.
WATERFALL_TOTALS = ("benchmark_value", "buyer_price", "net_received", "all_in")


def waterfall(premiums: pd.DataFrame) -> pd.Series:
    """Benchmark value → the buyer's quote (its difference to the benchmark) → commercial charges = the
    buyer's price → royalties → withholding (an advance on income tax, credited back) = net received →
    certification premium = all-in.

    The same two buyer names as the sales table (`buyer_quote_pct`, `buyer_price_pct`). The steps add up
    exactly: benchmark + quote step − charges = buyer's price; − royalties − withholding = net; + premium
    = all-in.
    """
    valid = _with_benchmark(
        premiums,
        ("benchmark_value", "buyer_discount", "charges_total", "buyer_price", "royalties_paid",
         "withholding_paid", "net_received", "premium_received_local", "all_in"),
    )  # fmt: skip
    return pd.Series(
        {
            "benchmark_value": valid["benchmark_value"].sum(),
            "buyer_quote": valid["buyer_discount"].sum(),
            "charges": -valid["charges_total"].sum(),
            "buyer_price": valid["buyer_price"].sum(),
            "royalties": -valid["royalties_paid"].sum(),
            "withholding_advance": -valid["withholding_paid"].sum(),
            "net_received": valid["net_received"].sum(),
            "certification_premium": valid["premium_received_local"].sum(),
            "all_in": valid["all_in"].sum(),
        }
    )


def certification_check(premiums: pd.DataFrame, tolerance_usd: float = 1.0) -> pd.DataFrame:
    """Certified sales whose premium received differs from the premium due, or whose price was under
    the 95 % minimum."""
    mismatch = (premiums["premium_shortfall_usd"].abs() > tolerance_usd) | (
        premiums["minimum_state"] != "meets"
    )
    return premiums[premiums["certified"] & mismatch]  # one selection: the certified copy was 51 columns


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
    # mapped per distinct currency (a lambda per sale is seconds at 100,000 sales)
    currencies, which = np.unique(out["currency"].to_numpy(dtype=object).astype(str), return_inverse=True)
    share = pd.Series(
        np.array([buyers[c][1] if c in buyers else np.nan for c in currencies], dtype=float)[which],
        index=out.index,
    )
    out["reference_buyer"] = out["currency"].map(
        {c: buyers[c][0] if c in buyers else None for c in currencies}
    )
    out["reference_value"] = share.astype(float) * out["benchmark_value"]
    out["vs_reference"] = out["amount_received"] - out["reference_value"]
    return out
