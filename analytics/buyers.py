"""Buyers compared on how they paid: per buyer, the sales and fine gold, the buyer's price against the
benchmark (weighted by fine gold and median, sales flagged for review left out), certification premium owed.

Pure: priced sales (analytics.premiums.sale_premiums) in, tables out; no I/O, no prose. Who may see which
rows is decided before these functions are called (services/buyers.py); `cooperative_medians`,
`protected_medians` and `quarterly_medians` return aggregates only, never a cooperative's name;
`quarters_covering` snaps a member's period to whole calendar quarters. The rules and why they hold:
docs/disclosure.md.
"""

from __future__ import annotations

import re
import unicodedata

import numpy as np
import pandas as pd

#: Statistical disclosure control of the figure across cooperatives a member sees (as statistics offices
#: publish cells): at least this many *other* cooperatives behind it (a median of 3 is somebody's figure),
MIN_COOPERATIVES_FOR_MEDIAN = 5
#: no single one of them holding more than this share of the fine gold behind it (dominance rule),
MAX_COOPERATIVE_SHARE = 0.60
#: and the median rounded to this many percentage points (no exact figure to difference).
MEDIAN_ROUNDING_PP = 0.5
#: A member reads how many other cooperatives are behind a figure only as a band (an exact count says when
#: one joined): (lowest count, code). Fewer than MIN_COOPERATIVES_FOR_MEDIAN is never published at all.
COUNT_BANDS = ((10, "10+"), (MIN_COOPERATIVES_FOR_MEDIAN, "5-9"))

BUYER_COLUMNS = (
    "buyer_key",
    "buyer",
    "cooperatives",
    "sales",
    "fine_gold_g",
    "buyer_price_pct_weighted",
    "buyer_price_pct_median",
    "premium_owed_usd",
    "excluded_for_review",
)
MEDIAN_COLUMNS = ("buyer_key", "cooperatives_in_median", "median_across_cooperatives")
#: One published cell per buyer and calendar quarter: `cooperatives_in_median` is the band's lowest count.
QUARTER_COLUMNS = (
    "buyer_key",
    "quarter",
    "median_across_cooperatives",
    "cooperatives_in_median",
    "count_band",
)


def buyer_key(name: object) -> str:
    """The name a buyer is matched by: case and accents ignored, spaces collapsed ('Refinería  UNO' and
    'refineria uno' are one buyer); '' for a missing name."""
    if name is None or (isinstance(name, float) and np.isnan(name)) or name is pd.NA:
        return ""
    text = unicodedata.normalize("NFKD", str(name))
    text = "".join(char for char in text if not unicodedata.combining(char))
    return re.sub(r"\s+", " ", text).strip().casefold()


def _keyed(premiums: pd.DataFrame) -> pd.DataFrame:
    """The sales with a buyer's name, with their `buyer_key`, `trusted` (priced and not flagged for
    review) and the premium still `owed` (due − received where positive)."""
    frame = premiums.assign(buyer_key=premiums["buyer"].map(buyer_key))
    frame = frame[frame["buyer_key"] != ""]
    review = frame["needs_review"].fillna(False).astype(bool)
    priced = frame["buyer_price_pct"].notna() & frame["benchmark_price_per_g"].notna()
    owed = (frame["premium_due_usd"] - frame["premium_received_usd"]).clip(lower=0).fillna(0.0)
    return frame.assign(trusted=priced & ~review, review=review & priced, owed=owed)


def _weighted_pct(trusted: pd.DataFrame, keys: list[str]) -> pd.Series:
    fine = trusted["fine_gold_g"].astype(float)
    weighted = (trusted["buyer_price_pct"] * fine).groupby([trusted[k] for k in keys]).sum()
    return weighted / fine.groupby([trusted[k] for k in keys]).sum()


def buyer_summary(premiums: pd.DataFrame) -> pd.DataFrame:
    """One row per buyer (matched by `buyer_key`), most fine gold first.

    `sales`, `fine_gold_g` and `premium_owed_usd` count every sale; the buyer's price (weighted by fine
    gold, and the median of sales) only priced sales not flagged for review, as the Premiums headline
    does (`excluded_for_review` counts the flagged ones). `buyer` is the spelling used most often.
    `cooperatives` is a sorted tuple of the cooperatives in `premiums`. Sales without a buyer's name
    are left out.
    """
    if premiums.empty:
        return pd.DataFrame(columns=list(BUYER_COLUMNS))
    frame = _keyed(premiums)
    if frame.empty:
        return pd.DataFrame(columns=list(BUYER_COLUMNS))
    grouped = frame.groupby("buyer_key", sort=True)
    table = grouped.agg(
        sales=("buyer", "size"),
        fine_gold_g=("fine_gold_g", "sum"),
        premium_owed_usd=("owed", "sum"),
        excluded_for_review=("review", "sum"),
    )
    spelling = (
        frame.groupby(["buyer_key", "buyer"])
        .size()
        .rename("count")
        .reset_index()
        # most used spelling first; ties: alphabetical
        .sort_values(["buyer_key", "count", "buyer"], ascending=[True, False, True], kind="stable")
        .drop_duplicates("buyer_key")
        .set_index("buyer_key")["buyer"]
    )
    table["buyer"] = spelling
    table["cooperatives"] = grouped["cooperative"].agg(lambda names: tuple(sorted(set(names))))
    trusted = frame[frame["trusted"]]
    table["buyer_price_pct_weighted"] = _weighted_pct(trusted, ["buyer_key"])
    table["buyer_price_pct_median"] = trusted.groupby("buyer_key")["buyer_price_pct"].median()
    table["excluded_for_review"] = table["excluded_for_review"].astype(int)
    table = table.reset_index()[list(BUYER_COLUMNS)]
    return table.sort_values(
        ["fine_gold_g", "buyer_key"], ascending=[False, True], kind="stable"
    ).reset_index(drop=True)


def cooperative_medians(
    premiums: pd.DataFrame, min_cooperatives: int = MIN_COOPERATIVES_FOR_MEDIAN
) -> pd.DataFrame:
    """Per buyer: the median, across cooperatives, of each cooperative's weighted buyer's price (flagged
    sales left out), and how many cooperatives it is the median of; only buyers that at least
    `min_cooperatives` cooperatives with a priced sale sold to. No cooperative's name is in the result."""
    if premiums.empty:
        return pd.DataFrame(columns=list(MEDIAN_COLUMNS))
    frame = _keyed(premiums)
    trusted = frame[frame["trusted"]]
    if trusted.empty:
        return pd.DataFrame(columns=list(MEDIAN_COLUMNS))
    per_cooperative = _weighted_pct(trusted, ["buyer_key", "cooperative"]).dropna()
    by_buyer = per_cooperative.groupby(level="buyer_key")
    table = pd.DataFrame(
        {"cooperatives_in_median": by_buyer.size(), "median_across_cooperatives": by_buyer.median()}
    )
    table = table[table["cooperatives_in_median"] >= min_cooperatives]
    return table.reset_index()[list(MEDIAN_COLUMNS)]


def protected_medians(
    premiums: pd.DataFrame,
    own_cooperatives: frozenset[str] | set[str],
    *,
    min_others: int = MIN_COOPERATIVES_FOR_MEDIAN,
    max_share: float = MAX_COOPERATIVE_SHARE,
    rounding_pp: float = MEDIAN_ROUNDING_PP,
) -> pd.DataFrame:
    """The median across cooperatives a member may see, per buyer (MEDIAN_COLUMNS).

    Computed without the member's own cooperatives (moving their own figure cannot read the others'
    minimum or maximum); only where at least `min_others` other cooperatives have priced sales to the
    buyer in `premiums` (the caller passes whole quarters), none of them holding more than `max_share`
    of the fine gold behind the figure; rounded to `rounding_pp`. No cooperative's name is returned.
    """
    if premiums.empty:
        return pd.DataFrame(columns=list(MEDIAN_COLUMNS))
    frame = _keyed(premiums)
    trusted = frame[frame["trusted"] & ~frame["cooperative"].isin(set(own_cooperatives))]
    if trusted.empty:
        return pd.DataFrame(columns=list(MEDIAN_COLUMNS))
    per_cooperative = _weighted_pct(trusted, ["buyer_key", "cooperative"]).dropna()
    fine = trusted["fine_gold_g"].astype(float).groupby([trusted["buyer_key"], trusted["cooperative"]]).sum()
    fine = fine.reindex(per_cooperative.index)
    by_buyer = per_cooperative.groupby(level="buyer_key")
    share = fine.groupby(level="buyer_key").max() / fine.groupby(level="buyer_key").sum()
    median = by_buyer.median()
    table = pd.DataFrame(
        {
            "cooperatives_in_median": by_buyer.size(),
            "median_across_cooperatives": np.round(median / rounding_pp) * rounding_pp,
        }
    )
    keep = (table["cooperatives_in_median"] >= min_others) & (share.reindex(table.index) <= max_share)
    return table[keep].reset_index()[list(MEDIAN_COLUMNS)]


def quarters_covering(
    start: pd.Timestamp | None, end: pd.Timestamp | None
) -> tuple[pd.Timestamp | None, pd.Timestamp | None]:
    """The first day of the quarter holding `start` and the last day of the quarter holding `end`
    (None stays None: no bound)."""
    first = None if start is None else pd.Period(start, freq="Q").start_time.normalize()
    last = None if end is None else pd.Period(end, freq="Q").end_time.normalize()
    return first, last


def quarter_names(start: pd.Timestamp, end: pd.Timestamp) -> list[str]:
    """'2024-Q1', … for every quarter from `start` to `end` (inclusive)."""
    return [f"{period.year}-Q{period.quarter}" for period in pd.period_range(start, end, freq="Q")]


def count_band(cooperatives: int) -> tuple[int, str] | None:
    """The band a count of cooperatives falls in, as (lowest count, code): 7 → (5, '5-9'), 12 → (10, '10+');
    None below MIN_COOPERATIVES_FOR_MEDIAN (such a figure is not published)."""
    return next(((floor, code) for floor, code in COUNT_BANDS if cooperatives >= floor), None)


def quarterly_medians(premiums: pd.DataFrame, own_cooperatives: frozenset[str] | set[str]) -> pd.DataFrame:
    """What a member may see across cooperatives (QUARTER_COLUMNS): per calendar quarter on its own (never
    a range, which differenced against a quarter would isolate the cooperatives that joined or left), every
    buyer `protected_medians` lets through, whichever buyers the member sold to, the count as its band.

    Computed from the other cooperatives' sales only, so nothing the member sells, imports or corrects can
    unlock, hide or move a figure they see.
    """
    if premiums.empty:
        return pd.DataFrame(columns=list(QUARTER_COLUMNS))
    quarter = pd.to_datetime(premiums["date"]).dt.to_period("Q")
    parts = []
    for period, sales in premiums.groupby(quarter, sort=True):
        cells = protected_medians(sales, own_cooperatives)
        bands = cells["cooperatives_in_median"].map(count_band)
        parts.append(
            cells.assign(
                quarter=f"{period.year}-Q{period.quarter}",
                cooperatives_in_median=[band[0] for band in bands],
                count_band=[band[1] for band in bands],
            )
        )
    cells = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=list(QUARTER_COLUMNS))
    return cells[list(QUARTER_COLUMNS)]


def common_spellings(premiums: pd.DataFrame) -> pd.Series:
    """Per `buyer_key`, the spelling the most cooperatives use (ties: alphabetical): how a buyer the member
    never sold to is named, without one cooperative's habit of writing it standing out."""
    frame = premiums.assign(buyer_key=premiums["buyer"].map(buyer_key))
    frame = frame[frame["buyer_key"] != ""]
    users = frame.groupby(["buyer_key", "buyer"])["cooperative"].nunique().rename("users").reset_index()
    users = users.sort_values(["buyer_key", "users", "buyer"], ascending=[True, False, True], kind="stable")
    return users.drop_duplicates("buyer_key").set_index("buyer_key")["buyer"]
