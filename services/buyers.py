"""Buyers: how each buyer paid the cooperatives a reader may see, for the Buyers page, the Offers page's
"paid before" figures and `cli.py buyers`.

No streamlit. Access: the reader's own figures come from a read under their scope. A member also gets,
per buyer of theirs, the median across cooperatives of the buyer's price, computed here from an
operator-level read that never leaves this module, under statistical disclosure control: a member's
period is whole calendar quarters (any start and end snap to the quarters they fall in, and `period`
says so); the figure across cooperatives uses only quarters already over (a running quarter would move
the day another cooperative sells), leaves the member's own cooperatives out, needs at least
MIN_COOPERATIVES_FOR_MEDIAN other cooperatives with no one above MAX_COOPERATIVE_SHARE of the fine gold,
and is rounded to MEDIAN_ROUNDING_PP. No other cooperative's name, sale, date or buyer spelling reaches a
member. Staff keep exact figures over exact dates.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from analytics.buyers import (
    MAX_COOPERATIVE_SHARE,
    MEDIAN_ROUNDING_PP,
    MIN_COOPERATIVES_FOR_MEDIAN,
    buyer_key,
    buyer_summary,
    cooperative_medians,
    protected_medians,
    quarter_names,
    quarters_covering,
)
from data.ledger import OPERATOR, LedgerScope, load_sales, premium_schedule
from data.market_data import MarketSnapshot
from data.store import MarketStore
from services.premiums import ALL_COOPERATIVES, priced_sales


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
    #: The median across cooperatives of each one's weighted buyer's price, with how many cooperatives;
    #: None for a member when fewer than MIN_COOPERATIVES_FOR_MEDIAN sold to the buyer in the period.
    median_across_cooperatives: float | None = None
    cooperatives_in_median: int | None = None
    #: For a member: the quarters the figures cover (BuyersView.period); None for staff (exact dates).
    period: dict[str, object] | None = None

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
    #: A member's period: {"start", "end", "quarters", "snapped", "cross_cooperative_quarters"}; None: staff
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
    and the median across cooperatives (for a member: whole quarters under disclosure control, see the
    module's docstring; `today` decides which quarters are over)."""
    schedule = premium_schedule(store)
    if scope.is_staff:  # every cooperative is readable: the median over all of them, exactly, always
        own = priced_sales(snapshot, load_sales(store, scope, None, start, end), schedule)
        table = buyer_summary(own)
        medians = cooperative_medians(own, min_cooperatives=1)
        return BuyersView(_figures(table, medians), _day(start), _day(end), True)
    asked = (_stamp(start), _stamp(end))
    first, last = quarters_covering(*asked)
    own_sales = load_sales(store, scope, None, first, last)
    if own_sales.empty:
        return BuyersView((), _day(first), _day(last), False, period=None)
    # no bound: from the quarter of the member's own first sale to that of their last (their own dates)
    first = first if first is not None else quarters_covering(own_sales["date"].min(), None)[0]
    last = last if last is not None else quarters_covering(None, own_sales["date"].max())[1]
    assert first is not None and last is not None
    own = priced_sales(snapshot, own_sales, schedule)
    table = buyer_summary(own)
    now = pd.Timestamp(today if today is not None else pd.Timestamp.now()).normalize()
    last_over = pd.Period(now, freq="Q").start_time.normalize() - pd.Timedelta(days=1)
    cross_last = min(last, last_over)
    medians = protected_medians(pd.DataFrame(), frozenset())
    if cross_last >= first and not table.empty:
        # operator-level read, reduced here to rounded aggregates of the member's own buyers: no name leaves
        everyone = priced_sales(snapshot, load_sales(store, OPERATOR, None, first, cross_last), schedule)
        medians = protected_medians(everyone, scope.cooperatives or frozenset())
        medians = medians[medians["buyer_key"].isin(set(table["buyer_key"]))]
    period: dict[str, object] = {
        "start": f"{first:%Y-%m-%d}",
        "end": f"{last:%Y-%m-%d}",
        "quarters": quarter_names(first, last),
        "snapped": (asked[0] is not None and asked[0] != first)
        or (asked[1] is not None and asked[1] != last),
        "cross_cooperative_quarters": quarter_names(first, cross_last) if cross_last >= first else [],
    }
    return BuyersView(_figures(table, medians, period), first.date(), last.date(), False, period=period)


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
