"""Buyers: how each buyer paid the cooperatives a reader may see, for the Buyers page, the Offers page's
"paid before" figures and `cli.py buyers`.

No streamlit. Access: the reader's own figures come from a read under their scope. A member also gets,
per buyer of theirs, the median across cooperatives of the buyer's price, computed here from an
operator-level read that never leaves this module: only the median and the number of cooperatives it is
taken over are returned, and only when at least MIN_COOPERATIVES_FOR_MEDIAN cooperatives sold to that
buyer in the period (k-anonymity). No other cooperative's name, sale or buyer spelling reaches a member.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from analytics.buyers import MIN_COOPERATIVES_FOR_MEDIAN, buyer_key, buyer_summary, cooperative_medians
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

    def as_json(self) -> dict[str, object]:
        """The CLI's fields (`cli.py buyers`)."""
        return {
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

    def as_json(self) -> list[dict[str, object]]:
        return [row.as_json() for row in self.rows]

    def of(self, buyer: str) -> BuyerFigures | None:
        """The figures of the buyer named `buyer` (case and accents ignored), None when not a known buyer."""
        wanted = buyer_key(buyer)
        return next((row for row in self.rows if buyer_key(row.buyer) == wanted), None) if wanted else None


def _figures(table: pd.DataFrame, medians: pd.DataFrame) -> tuple[BuyerFigures, ...]:
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
) -> BuyersView:
    """Per buyer, over the stored sales `scope` may read between `start` and `end` (inclusive; None: no
    bound): cooperatives, sales, fine gold, buyer's price vs benchmark (weighted, median), premium owed,
    and the median across cooperatives (for a member: k-anonymous, see the module's docstring)."""
    schedule = premium_schedule(store)
    own = priced_sales(snapshot, load_sales(store, scope, None, start, end), schedule)
    table = buyer_summary(own)
    if scope.is_staff:  # every cooperative is readable: the median over all of them, always
        medians = cooperative_medians(own, min_cooperatives=1)
    elif table.empty:
        medians = cooperative_medians(own)  # nothing of theirs: no reason to read anyone else's sales
    else:
        # operator-level read, reduced here to aggregates of the member's own buyers: no name leaves
        everyone = priced_sales(snapshot, load_sales(store, OPERATOR, None, start, end), schedule)
        medians = cooperative_medians(everyone, MIN_COOPERATIVES_FOR_MEDIAN)
        medians = medians[medians["buyer_key"].isin(set(table["buyer_key"]))]
    return BuyersView(_figures(table, medians), _day(start), _day(end), scope.is_staff)


def buyer_history(
    store: MarketStore, scope: LedgerScope, snapshot: MarketSnapshot, cooperative: str
) -> BuyersView:
    """How each buyer has paid `cooperative` (ALL_COOPERATIVES: every cooperative `scope` may read), over
    all its stored sales the scope may read; never the demo ledger. The Offers page's "paid before"."""
    cooperatives = None if cooperative == ALL_COOPERATIVES else [cooperative]
    sales = load_sales(store, scope, cooperatives)
    table = buyer_summary(priced_sales(snapshot, sales, premium_schedule(store)))
    return BuyersView(_figures(table, pd.DataFrame(columns=["buyer_key"])), None, None, scope.is_staff)
