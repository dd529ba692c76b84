"""Ledger and premium views: the sales a reader may see, each against the benchmark, and a selection's
summary, waterfall and certification check.

No streamlit: the Premiums and Sales pages (through ui/state's caches) and `cli.py premiums` call the
same functions, so a figure on the page and the same figure from the command line cannot differ.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from analytics.premiums import (
    PremiumSummary,
    certification_check,
    monthly_average_benchmark,
    sale_premiums,
    summarise,
    waterfall,
    what_if,
)
from data.demo_ledger import demo_sales
from data.ledger import (
    LedgerScope,
    SalesTotals,
    load_sales,
    load_sales_page,
    premium_schedule,
    sales_totals,
    stored_cooperatives,
)
from data.market.market_data import MarketSnapshot
from data.market.series import GOLD_SERIES
from data.store import MarketStore, sales_table
from services.market import real_fx
from services.reference_buyers import reference_buyers

#: The sidebar's choice meaning every cooperative the reader may see.
ALL_COOPERATIVES = "__all__"


@dataclass(frozen=True)
class LedgerView:
    """The sales a page shows: stored ones; the fictional demo ledger only when none is stored and the
    user asked for an example (`is_demo`); else none (`has_stored_sales` False, `sales` empty)."""

    sales: pd.DataFrame
    is_demo: bool
    cooperatives: list[str]
    has_stored_sales: bool = True


def ledger_view(
    store: MarketStore,
    scope: LedgerScope,
    snapshot: MarketSnapshot,
    today: pd.Timestamp,
    example: bool = False,
) -> LedgerView:
    """Every sale `scope` may read. Without any, the demo ledger only when `example` is asked for:
    fiction is never shown as a default, whatever the prices (it would be taken for the user's sales)."""
    stored = load_sales(store, scope)
    if not stored.empty:
        return LedgerView(stored, False, sorted(stored["cooperative"].unique()))
    if not example:
        return LedgerView(stored, False, [], has_stored_sales=False)
    fx = {
        currency: rate for currency in ("COP", "PEN") if (rate := snapshot.fx_per_usd(currency)) is not None
    }
    end = min(today, snapshot.gold_usd_per_oz.index[-1])
    demo = demo_sales(snapshot.gold_usd_per_oz, fx, end)
    return LedgerView(demo, True, sorted(demo["cooperative"].unique()), has_stored_sales=False)


def stored_ledger(store: MarketStore, scope: LedgerScope) -> LedgerView | None:
    """That there are stored sales and whose, without reading one (None when there are none): what the
    sidebar and the ledger pages need before they read a page or an aggregate of a big ledger."""
    cooperatives = stored_cooperatives(store, scope)
    empty = pd.DataFrame(columns=list(sales_table.columns.keys()))
    return LedgerView(empty, False, cooperatives) if cooperatives else None


#: Sales per page of the Sales page's table (a cooperative may have 100,000).
SALES_PAGE_SIZE = 100


@dataclass(frozen=True)
class LedgerPage:
    """One page of the stored sales of a selection, and the whole selection's totals."""

    sales: pd.DataFrame
    totals: SalesTotals
    page: int  # 1-based, within 1..pages
    pages: int
    page_size: int

    @property
    def first_row(self) -> int:
        return (self.page - 1) * self.page_size + 1 if self.totals.count else 0

    @property
    def last_row(self) -> int:
        return min(self.page * self.page_size, self.totals.count)


def ledger_page(
    store: MarketStore, scope: LedgerScope, cooperative: str, page: int, page_size: int = SALES_PAGE_SIZE
) -> LedgerPage:
    """Page `page` of the stored sales of `cooperative` (ALL_COOPERATIVES: every one the scope reads),
    read with LIMIT/OFFSET, and the selection's count, fine gold and dates aggregated in SQL."""
    chosen = None if cooperative == ALL_COOPERATIVES else [cooperative]
    totals = sales_totals(store, scope, chosen)
    pages = max(1, -(-totals.count // page_size))
    page = min(max(1, int(page)), pages)
    rows = load_sales_page(store, scope, chosen, offset=(page - 1) * page_size, limit=page_size)
    return LedgerPage(rows, totals, page, pages, page_size)


#: What pricing a sale reads (not its notes, review flags or import): the Premiums page's stored columns.
PRICED_COLUMNS = tuple(
    column.name for column in sales_table.columns if column.name not in ("notes", "flags", "import_id")
)


def all_stored_sales(
    store: MarketStore, scope: LedgerScope, cooperative: str, columns: tuple[str, ...] | None = None
) -> pd.DataFrame:
    """Every stored sale of `cooperative` (ALL_COOPERATIVES: all the scope reads), only `columns` when
    given: for a download, or the Premiums page's pricing (filtered in SQL, no copy of the whole ledger)."""
    chosen = None if cooperative == ALL_COOPERATIVES else [cooperative]
    return load_sales(store, scope, chosen, columns=columns)


def selected_sales(view: LedgerView, cooperative: str) -> pd.DataFrame:
    """The sales of one cooperative (all of them for ALL_COOPERATIVES)."""
    if cooperative == ALL_COOPERATIVES:
        return view.sales
    return view.sales[view.sales["cooperative"] == cooperative]


@dataclass(frozen=True)
class PremiumsView:
    """Each sale against the benchmark on its date, and what it would have fetched at other references."""

    premiums: pd.DataFrame
    what_if: pd.DataFrame

    @property
    def bounds(self) -> tuple[date, date, list[str]] | None:
        """(first sale day, last sale day, currencies); None without sales."""
        if self.premiums.empty:
            return None
        dates = self.premiums["date"]
        return dates.min().date(), dates.max().date(), sorted(self.premiums["currency"].unique())


def _gold_sources(snapshot: MarketSnapshot) -> pd.Series:
    """The source of each day's benchmark gold value ("demo" for demo gold)."""
    if GOLD_SERIES in snapshot.demo_series:
        return pd.Series("demo", index=snapshot.gold_usd_per_oz.index)
    return snapshot.sources.get(GOLD_SERIES, pd.Series(dtype=object))


def priced_sales(snapshot: MarketSnapshot, sales: pd.DataFrame, schedule: pd.DataFrame) -> pd.DataFrame:
    """Each sale against the snapshot's benchmark on its date and the premium `schedule` in force, at the
    rate kind chosen for its currency (column `rate_kind`; None for dollars, which need no rate)."""
    fx = {currency: rate for currency, rate in real_fx(snapshot).items() if currency != "USD"}
    priced = sale_premiums(
        sales,
        snapshot.gold_usd_per_oz,
        fx,
        schedule,
        lbma_usd_per_oz=snapshot.lbma_gold_usd_per_oz,
        gold_sources=_gold_sources(snapshot),
        source_gaps_pct=snapshot.gold_source_gaps_pct,
    )
    if "currency" in priced:
        kinds: dict[str, str | None] = {c: snapshot.rate_kind(c).used for c in priced["currency"].unique()}
        kinds["USD"] = None  # dollars need no rate; looked up per currency, not per sale
        codes, currencies = pd.factorize(priced["currency"])
        used = np.array([kinds[c] for c in currencies], dtype=object)[codes]
        priced["rate_kind"] = pd.Series(used, index=priced.index, dtype=object)
    return priced


def premiums_view(snapshot: MarketSnapshot, sales: pd.DataFrame, schedule: pd.DataFrame) -> PremiumsView:
    """Price `sales` against the snapshot's benchmark and the premium `schedule` in force."""
    fx = {currency: rate for currency, rate in real_fx(snapshot).items() if currency != "USD"}
    premiums = priced_sales(snapshot, sales, schedule)
    if premiums.empty:
        return PremiumsView(premiums, pd.DataFrame())
    month_average = monthly_average_benchmark(premiums, snapshot.gold_usd_per_oz, fx)
    buyers = {currency: (buyer.name, buyer.share) for currency, buyer in reference_buyers().items()}
    return PremiumsView(premiums, what_if(premiums, month_average, buyers))


def stored_premiums(
    store: MarketStore,
    scope: LedgerScope,
    snapshot: MarketSnapshot,
    cooperatives: list[str] | None = None,
    start: object = None,
    end: object = None,
) -> PremiumsView:
    """The stored sales `scope` may read (optionally some cooperatives and dates), priced: the CLI's view."""
    sales = load_sales(store, scope, cooperatives, start, end)
    return premiums_view(snapshot, sales, premium_schedule(store))


def selected_rows(premiums: pd.DataFrame, currency: str, start: date, end: date) -> pd.Series:
    """Sales in one currency between two days (inclusive)."""
    dates = premiums["date"]  # compared as timestamps: .dt.date makes 100,000 Python objects
    first, after = pd.Timestamp(start), pd.Timestamp(end) + pd.Timedelta(days=1)
    return (dates >= first) & (dates < after) & (premiums["currency"] == currency)


@dataclass(frozen=True)
class PremiumSelection:
    """Everything the Premiums page shows for one cooperative, currency and period."""

    sales: pd.DataFrame
    what_if: pd.DataFrame
    summary: PremiumSummary
    waterfall: pd.Series
    issues: pd.DataFrame
    review: pd.DataFrame


def premium_selection(view: PremiumsView, currency: str, start: date, end: date) -> PremiumSelection:
    """The sales of one currency and period with their summary, waterfall and certification check."""
    rows = selected_rows(view.premiums, currency, start, end)
    every = bool(rows.all())  # the whole ledger (the page's first view): shared, not a second copy
    chosen = view.premiums if every else view.premiums[rows]
    return PremiumSelection(
        sales=chosen,
        what_if=(view.what_if if every else view.what_if[rows.to_numpy()]).dropna(subset=["benchmark_value"]),
        summary=summarise(chosen),
        waterfall=waterfall(chosen),
        issues=certification_check(chosen),
        review=chosen[chosen["needs_review"]],
    )
