"""Buyers: how each buyer paid the cooperatives a reader may see, for the Buyers page, the Offers page's
"paid before" figures and `cli.py buyers`.

No streamlit. Access: the reader's own figures come from a read under their scope. A member also gets the
median across cooperatives of the buyer's price, computed here from an operator-level read that never
leaves this module, under statistical disclosure control (docs/disclosure.md): a member's period is whole
calendar quarters (any start and end snap to the quarters they fall in, and `period` says so); the figure
across cooperatives is published per single quarter already over, never for a range (a range gives one
figure per quarter, `by_quarter`); for every buyer that passes, whatever the member sold (the same list
for every member: their own sales neither unlock nor hide one); leaves the member's own cooperatives out,
needs at least MIN_COOPERATIVES_FOR_MEDIAN other cooperatives with no one above MAX_COOPERATIVE_SHARE of
the fine gold, is rounded to MEDIAN_ROUNDING_PP, and says how many cooperatives only as a band (5-9, 10+).
No other cooperative's name, sale or date reaches a member. Staff keep exact figures over exact dates.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import date

import pandas as pd

from analytics.buyers import (
    MAX_COOPERATIVE_SHARE,
    MEDIAN_ROUNDING_PP,
    MIN_COOPERATIVES_FOR_MEDIAN,
    buyer_key,
    buyer_summary,
    common_spellings,
    cooperative_medians,
    quarter_names,
    quarterly_medians,
    quarters_covering,
)
from data.ledger import OPERATOR, LedgerScope, load_sales, premium_schedule
from data.market.market_data import MarketSnapshot
from data.store import MarketStore
from services.premiums import ALL_COOPERATIVES, priced_sales


@dataclass(frozen=True)
class QuarterFigure:
    """One published cell for a member: a buyer's median across other cooperatives in one calendar quarter
    (None where it is withheld), and how many cooperatives only as a band."""

    quarter: str
    median_across_cooperatives: float | None = None
    #: The band's lowest count (5 or 10), never the exact count; None where withheld.
    cooperatives_in_median: int | None = None
    count_band: str | None = None  # "5-9" or "10+"

    def as_json(self) -> dict[str, object]:
        return {
            "quarter": self.quarter,
            "buyer_price_pct_median_across_cooperatives": self.median_across_cooperatives,
            "cooperatives_in_median": self.cooperatives_in_median,
            "count_band": self.count_band,
        }


@dataclass(frozen=True)
class BuyerFigures:
    """How one buyer paid, over the sales the reader may see (percentages: buyer's price vs benchmark)."""

    buyer: str
    cooperatives: tuple[str, ...]
    sales: int
    fine_gold_g: float
    buyer_price_pct_weighted: float
    buyer_price_pct_median: float
    premium_owed_usd: float
    excluded_for_review: int = 0
    #: The median across cooperatives of each one's weighted buyer's price, with how many cooperatives
    #: (staff: exact). A member gets it only for a period of one quarter that is over and passes the rules
    #: (else None; a range has `by_quarter`), and the count as the band's lowest count (5 or 10).
    median_across_cooperatives: float | None = None
    cooperatives_in_median: int | None = None
    #: For a member: the quarters the figures cover (BuyersView.period); None for staff (exact dates).
    period: dict[str, object] | None = None
    #: For a member: "5-9" or "10+" beside `cooperatives_in_median`; None for staff and where withheld.
    count_band: str | None = None
    #: For a member: the figure of each quarter of the period that is over; None for staff.
    by_quarter: tuple[QuarterFigure, ...] | None = None

    def as_json(self) -> dict[str, object]:
        """The CLI's fields (`cli.py buyers`)."""
        return {
            "period": self.period,
            "buyer": self.buyer,
            "cooperatives": list(self.cooperatives),
            "sales": self.sales,
            "fine_gold_g": self.fine_gold_g,
            "buyer_price_pct_weighted": self.buyer_price_pct_weighted,
            "buyer_price_pct_median": self.buyer_price_pct_median,
            "premium_owed_usd": self.premium_owed_usd,
            "excluded_for_review": self.excluded_for_review,
            "buyer_price_pct_median_across_cooperatives": self.median_across_cooperatives,
            "cooperatives_in_median": self.cooperatives_in_median,
            "count_band": self.count_band,
            "by_quarter": None if self.by_quarter is None else [cell.as_json() for cell in self.by_quarter],
        }


@dataclass(frozen=True)
class BuyersView:
    """Every buyer of the sales a reader may see in a period, most fine gold first."""

    rows: tuple[BuyerFigures, ...]
    start: date | None
    end: date | None
    #: Staff see every cooperative's name; a member only their own, and k-anonymous medians.
    names_every_cooperative: bool
    min_cooperatives: int = MIN_COOPERATIVES_FOR_MEDIAN
    #: A member's period: {"start", "end", "quarters", "snapped", "cross_cooperative_quarters",
    #: "per_quarter"} (per_quarter: the figures across cooperatives are in each row's by_quarter); None: staff
    period: dict[str, object] | None = None
    max_share_pct: float = MAX_COOPERATIVE_SHARE * 100
    rounding_pp: float = MEDIAN_ROUNDING_PP

    def as_json(self) -> list[dict[str, object]]:
        return [row.as_json() for row in self.rows]

    def of(self, buyer: str) -> BuyerFigures | None:
        """The figures of the buyer named `buyer` (case and accents ignored), None when not a known buyer."""
        wanted = buyer_key(buyer)
        return next((row for row in self.rows if buyer_key(row.buyer) == wanted), None) if wanted else None


def _figures(
    table: pd.DataFrame, medians: pd.DataFrame, period: dict[str, object] | None = None
) -> tuple[BuyerFigures, ...]:
    across = medians.set_index("buyer_key")
    rows = []
    for record in table.to_dict("records"):
        key = record["buyer_key"]
        median = float(across.at[key, "median_across_cooperatives"]) if key in across.index else None
        count = int(across.at[key, "cooperatives_in_median"]) if key in across.index else None
        rows.append(
            BuyerFigures(
                buyer=str(record["buyer"]),
                cooperatives=tuple(record["cooperatives"]),
                sales=int(record["sales"]),
                fine_gold_g=float(record["fine_gold_g"]),
                buyer_price_pct_weighted=float(record["buyer_price_pct_weighted"]),
                buyer_price_pct_median=float(record["buyer_price_pct_median"]),
                premium_owed_usd=float(record["premium_owed_usd"]),
                excluded_for_review=int(record["excluded_for_review"]),
                median_across_cooperatives=median,
                cooperatives_in_median=count,
                period=period,
            )
        )
    return tuple(rows)


def _day(value: object) -> date | None:
    return None if value is None else pd.Timestamp(value).date()


def buyers_view(
    store: MarketStore,
    scope: LedgerScope,
    snapshot: MarketSnapshot,
    start: object = None,
    end: object = None,
    today: object = None,
) -> BuyersView:
    """Per buyer, over the stored sales `scope` may read between `start` and `end` (inclusive; None: no
    bound): cooperatives, sales, fine gold, buyer's price vs benchmark (weighted, median), premium owed,
    and the median across cooperatives (for a member: per whole quarter under disclosure control, see the
    module's docstring; `today` decides which quarters are over)."""
    schedule = premium_schedule(store)
    if scope.is_staff:  # every cooperative is readable: the median over all of them, exactly, always
        own = priced_sales(snapshot, load_sales(store, scope, None, start, end), schedule)
        table = buyer_summary(own)
        medians = cooperative_medians(own, min_cooperatives=1)
        return BuyersView(_figures(table, medians), _day(start), _day(end), True)
    asked = (_stamp(start), _stamp(end))
    first, last = quarters_covering(*asked)
    now = pd.Timestamp(today if today is not None else pd.Timestamp.now()).normalize()
    last_over = pd.Period(now, freq="Q").start_time.normalize() - pd.Timedelta(days=1)
    own_sales = load_sales(store, scope, None, first, last)
    # no bound: the quarter of the member's own first (last) sale, or the last quarter over without any
    first = first if first is not None else quarters_covering(_first(own_sales, "min", last_over), None)[0]
    last = last if last is not None else quarters_covering(None, _first(own_sales, "max", last_over))[1]
    assert first is not None and last is not None
    table = buyer_summary(priced_sales(snapshot, own_sales, schedule)) if not own_sales.empty else None
    cross_last = min(last, last_over)
    cross = quarter_names(first, cross_last) if cross_last >= first else []
    cells, spellings = quarterly_medians(pd.DataFrame(), frozenset()), pd.Series(dtype=object)
    if cross:
        # operator-level read, reduced here to rounded, banded aggregates per quarter: no name leaves
        everyone = priced_sales(snapshot, load_sales(store, OPERATOR, None, first, cross_last), schedule)
        cells = quarterly_medians(everyone, scope.cooperatives or frozenset())
        spellings = common_spellings(everyone[everyone["cooperative"].map(scope.allows).eq(False)])
    quarters = quarter_names(first, last)
    period: dict[str, object] = {
        "start": f"{first:%Y-%m-%d}",
        "end": f"{last:%Y-%m-%d}",
        "quarters": quarters,
        "snapped": (asked[0] is not None and asked[0] != first)
        or (asked[1] is not None and asked[1] != last),
        "cross_cooperative_quarters": cross,
        "per_quarter": len(quarters) > 1,
    }
    rows = _member_rows(table, cells, spellings, cross, period)
    return BuyersView(rows, first.date(), last.date(), False, period=period)


def _first(sales: pd.DataFrame, which: str, otherwise: pd.Timestamp) -> pd.Timestamp:
    """The earliest ("min") or latest ("max") day of `sales`, or `otherwise` when there are none."""
    return otherwise if sales.empty else pd.Timestamp(getattr(sales["date"], which)())


def _member_rows(
    table: pd.DataFrame | None,
    cells: pd.DataFrame,
    spellings: pd.Series,
    quarters: list[str],
    period: dict[str, object],
) -> tuple[BuyerFigures, ...]:
    """The member's own buyers (their own figures), then every other buyer published in a quarter of the
    period (no figures of their own): each with its figure per quarter over, and the one figure when the
    period is a single quarter."""
    own = _figures(table, pd.DataFrame(columns=["buyer_key"]), period) if table is not None else ()
    own_keys = [] if table is None else list(table["buyer_key"])
    others = sorted(set(cells["buyer_key"]) - set(own_keys))
    rows = list(own) + [
        BuyerFigures(str(spellings.get(key, key)), (), 0, 0.0, math.nan, math.nan, 0.0, period=period)
        for key in others
    ]
    by_cell = cells.set_index(["buyer_key", "quarter"])
    single = len(period["quarters"]) == 1 and quarters == period["quarters"]  # type: ignore[arg-type]
    out = []
    for key, row in zip(own_keys + others, rows, strict=True):
        by_quarter = tuple(_cell(by_cell, key, quarter) for quarter in quarters)
        alone = by_quarter[0] if single else QuarterFigure("")
        out.append(
            replace(
                row,
                median_across_cooperatives=alone.median_across_cooperatives,
                cooperatives_in_median=alone.cooperatives_in_median,
                count_band=alone.count_band,
                by_quarter=by_quarter,
            )
        )
    return tuple(out)


def _cell(cells: pd.DataFrame, key: str, quarter: str) -> QuarterFigure:
    if (key, quarter) not in cells.index:
        return QuarterFigure(quarter)
    cell = cells.loc[(key, quarter)]
    return QuarterFigure(
        quarter,
        float(cell["median_across_cooperatives"]),
        int(cell["cooperatives_in_median"]),
        str(cell["count_band"]),
    )


def _stamp(value: object) -> pd.Timestamp | None:
    return None if value is None else pd.Timestamp(value).normalize()


def buyer_history(
    store: MarketStore, scope: LedgerScope, snapshot: MarketSnapshot, cooperative: str
) -> BuyersView:
    """How each buyer has paid `cooperative` (ALL_COOPERATIVES: every cooperative `scope` may read), over
    all its stored sales the scope may read; never the demo ledger. The Offers page's "paid before"."""
    cooperatives = None if cooperative == ALL_COOPERATIVES else [cooperative]
    sales = load_sales(store, scope, cooperatives)
    table = buyer_summary(priced_sales(snapshot, sales, premium_schedule(store)))
    return BuyersView(_figures(table, pd.DataFrame(columns=["buyer_key"])), None, None, scope.is_staff)
