"""The pages' cache adapter: one run context per script run, and the services' views cached by it.

The router calls `resolve_run_context()` at the top of every run: one statement reads every data
version, and the user is looked up in a cache keyed by the users' version. Every view below is cached by
the parts of that context it depends on, so a warm rerun asks the database for nothing else. The
numbers come from services/ (the CLI calls the same functions); figures and tables are drawn in ui/.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import pandas as pd
import streamlit as st

from analytics.briefing import Briefing
from analytics.timing import ForecastBand, PolicySettings
from data.market.market_data import MarketSnapshot, failure_code, import_prices, refresh_from_yahoo
from data.market.official import SourceRefresh
from data.market.series import local_price_id
from data.market.yahoo import YahooRateLimitError
from data.settings import backtests_on_write
from data.store import database_url
from services.briefing import briefing_periods, briefing_view
from services.buyers import BuyersView, buyer_history, buyers_view
from services.context import RunContext, rate_kinds_of_market_key, scope_of_ledger_key
from services.forecast import (
    ForecastView,
    forecast_view,
    refresh_backtests_after_write,
    refresh_demo_backtests,
    snapshot_forecast_band,
)
from services.freshness import DataState, LastFetch, data_state
from services.market import MarketView, local_prices, market_snapshot, market_view
from services.premiums import (
    ALL_COOPERATIVES,
    PRICED_COLUMNS,
    LedgerPage,
    LedgerView,
    PremiumSelection,
    PremiumsView,
    all_stored_sales,
    ledger_page,
    ledger_view,
    premium_selection,
    premiums_view,
    selected_sales,
    stored_ledger,
)
from services.price_today import (
    NoPriceError,
    PriceAnswer,
    PriceToday,
    price_today,
    snapshot_price_answer,
)
from services.refresh import refresh_prices_once
from services.sales import (
    audit_trail,
    delete_sale,
    edit_sale,
    premium_schedule,
    sales_totals,
    save_premium_schedule,
)
from services.timing import TimingView, timing_view
from ui.auth import resolve_session
from ui.settings import chosen_rate_kinds
from ui.store import get_store, store_for

__all__ = ["ALL_COOPERATIVES", "get_store", "selected_sales"]

RUN_CONTEXT_KEY = "_run_context"


def resolve_run_context() -> RunContext:
    """Read the data versions (one statement) and who this session is; kept for the rest of the run."""
    store = get_store()
    versions = store.versions()
    user, scope = resolve_session(versions.get("users", 0))
    context = RunContext.of(database_url(), versions, user, scope, rate_kinds=chosen_rate_kinds())
    st.session_state[RUN_CONTEXT_KEY] = context
    return context


def run_context() -> RunContext:
    """This run's context, as the router resolved it (resolved here for a page run on its own)."""
    context = st.session_state.get(RUN_CONTEXT_KEY)
    if not isinstance(context, RunContext) or context.url != database_url():
        context = resolve_run_context()
    return context


# ---------------------------------------------------------------- market data


@st.cache_data(ttl=900, show_spinner="Yahoo Finance…")
def _refresh(url: str) -> tuple[bool, str]:
    try:
        report = refresh_from_yahoo(store_for(url))
    except YahooRateLimitError as error:  # reported, and not cached: the next run may try again
        return False, str(error)
    if report.rows_stored:
        measure_backtests_in_background(url)
    return report.ok, report.message


def refresh_market_data() -> tuple[bool, str]:
    """Try Yahoo (at most every 15 minutes across processes); (ok, message)."""
    ok, message = _refresh(database_url())
    if not ok and "rate limit" in message.lower():
        _refresh.clear()
    return ok, message


@st.cache_data(show_spinner=False, max_entries=4)
def _snapshot(url: str, market_key: str, today: str) -> MarketSnapshot:
    kinds = rate_kinds_of_market_key(market_key)
    snapshot = market_snapshot(store_for(url), today=pd.Timestamp(today), rate_kinds=kinds)
    if snapshot.demo_series and backtests_on_write():  # a new store: demo backtests measured ahead
        threading.Thread(
            target=refresh_demo_backtests,
            args=(store_for(url), snapshot),
            name="demo-backtests",
            daemon=True,
        ).start()
    return snapshot


def cached_snapshot(context: RunContext) -> MarketSnapshot:
    return _snapshot(context.url, context.market_key, context.today)


def snapshot() -> MarketSnapshot:
    """Every series with its provenance (cached by the series' versions)."""
    return cached_snapshot(run_context())


@st.cache_data(show_spinner=False, max_entries=32)
def _local_prices(url: str, market_key: str, today: str, currency: str, unit: str) -> pd.DataFrame:
    return local_prices(_snapshot(url, market_key, today), currency, unit)


def local_price_table(currency: str, unit: str) -> pd.DataFrame:
    """Benchmark price per `unit` in `currency` on every gold date."""
    context = run_context()
    return _local_prices(context.url, context.market_key, context.today, currency, unit)


@st.cache_data(show_spinner=False, max_entries=32)
def _price_answer(url: str, market_key: str, today: str, currency: str, unit: str) -> PriceAnswer:
    return snapshot_price_answer(_snapshot(url, market_key, today), currency, unit, today)


def price_answer_view(currency: str, unit: str) -> PriceAnswer:
    """The benchmark price of a unit in a currency on the latest complete day (the "as of" rule), with its
    changes, or why there is none."""
    context = run_context()
    return _price_answer(context.url, context.market_key, context.today, currency, unit)


@st.cache_data(show_spinner=False, max_entries=32)
def _stored_price_today(url: str, market_key: str, today: str, currency: str, unit: str) -> PriceToday | None:
    try:
        kind = rate_kinds_of_market_key(market_key).get(currency)
        return price_today(store_for(url), currency, unit, as_of=today, rate_kind=kind)
    except NoPriceError:
        return None


def stored_price_today(currency: str, unit: str) -> PriceToday | None:
    """Today's price from stored data only (what a WhatsApp message or a card may share); None on demo."""
    context = run_context()
    return _stored_price_today(context.url, context.market_key, context.today, currency, unit)


@st.cache_data(show_spinner=False, max_entries=4)
def _last_fetch(url: str, fetch_version: int) -> LastFetch | None:
    last = store_for(url).last_fetch("yahoo")
    if last is None:
        return None
    return LastFetch(last["at"], last["ok"], last["message"], None if last["ok"] else failure_code(last))


def current_data_state(currency: str | None) -> DataState:
    """Demo or stored, since when, and the last fetch attempt (the banner's facts)."""
    context = run_context()
    return data_state(cached_snapshot(context), _last_fetch(context.url, context.fetch_version), currency)


def import_price_file(content: bytes, filename: str, series_id: str | None) -> dict:
    """Store an uploaded price file in one transaction (staff only: every cooperative reads these prices).

    The run context is read again at once, so the banner drawn after the import in this run is current.
    """
    run_context().scope.require_staff("import price files")
    report = import_prices(get_store(), content, filename, series_id)
    resolve_run_context()
    measure_backtests_in_background(run_context().url)
    return report


def refresh_prices_now(on_progress: Callable[[int, int, str], None]) -> list[SourceRefresh] | None:
    """Ask every configured source for its missing days (staff only), reporting each source's start;
    None when another process (a timer, another host) is refreshing right now.

    The run context is read again at once, so the banner drawn after the refresh in this run is current.
    """
    run_context().scope.require_staff("refresh prices")
    results = refresh_prices_once(get_store(), on_progress=on_progress)
    if results is None:
        return None
    resolve_run_context()
    if any(row.rows_added for row in results):  # the new prices make stored backtests out of date
        measure_backtests_in_background(run_context().url)
    return results


def measure_backtests_in_background(url: str) -> None:
    """Measure the forecast backtests the new data made out of date, in a thread of this process, so the
    import returns at once and the Forecast page then reads them from the store (a visit before they
    are done measures its own target)."""
    threading.Thread(
        target=refresh_backtests_after_write, args=(store_for(url),), name="backtests", daemon=True
    ).start()


@st.cache_data(show_spinner=False, max_entries=32)
def _market_view(url: str, market_key: str, today: str, currency: str, unit: str) -> MarketView:
    return market_view(_snapshot(url, market_key, today), currency, unit, today)


def market_page_view(currency: str, unit: str) -> MarketView:
    """The Market page's numbers (cached by data version, currency and unit)."""
    context = run_context()
    return _market_view(context.url, context.market_key, context.today, currency, unit)


@st.cache_data(show_spinner=False, max_entries=16)
def _forecast_view(url: str, market_key: str, today: str, target_id: str, horizon: int, model: str | None):
    # The bar is created here, not by the page: a cached function may only draw into its own
    # elements (they are replayed, already emptied, on a cache hit).
    bar = st.progress(0.0)

    def advance(fraction: float) -> None:
        bar.progress(fraction)

    view = forecast_view(
        _snapshot(url, market_key, today),
        target_id,
        horizon,
        model,
        progress=advance,
        today=today,
        store=store_for(url),
    )
    bar.empty()
    return view


def forecast_page_view(target_id: str, horizon: int, model: str | None) -> ForecastView:
    """Backtest and forecast, cached by data version, target, horizon and model.

    While the backtest runs, a progress bar is drawn where this is called (inside the page's st.status).
    """
    context = run_context()
    return _forecast_view(context.url, context.market_key, context.today, target_id, horizon, model)


@st.cache_data(show_spinner=False, max_entries=16)
def _timing_view(
    url: str,
    market_key: str,
    today: str,
    currency: str,
    settings: PolicySettings,
    band: ForecastBand | None = None,
) -> TimingView:
    return timing_view(_snapshot(url, market_key, today), currency, settings, today, band)


@st.cache_data(show_spinner=False, max_entries=16)
def _forecast_band(url: str, market_key: str, today: str, target_id: str) -> ForecastBand | None:
    return snapshot_forecast_band(store_for(url), _snapshot(url, market_key, today), target_id)


def timing_page_view(currency: str, settings: PolicySettings) -> TimingView:
    """Indicators, today's reading, seasonality and the policy backtests (cached by data and inputs).

    Today's probability is read from the Forecast page's band for the gram, from its stored backtest (the
    same selection and forecast as that page); while none is stored the reading keeps its own causal band.
    """
    context = run_context()
    keys = (context.url, context.market_key, context.today)
    band = _forecast_band(*keys, local_price_id(currency, "g"))
    return _timing_view(*keys, currency, settings, band)


# ---------------------------------------------------------------- the sales ledger


#: Session key of the "show an example" switch: the demo ledger only when the user asks for it.
EXAMPLE_LEDGER_KEY = "example_ledger"


@st.cache_data(show_spinner=False, max_entries=64)  # one per scope: each signed-in cooperative has its own
def _ledger(url: str, ledger_key: str, market_key: str, today: str, example: bool) -> LedgerView:
    snapshot = _snapshot(url, market_key, today)
    scope = scope_of_ledger_key(ledger_key)
    return ledger_view(store_for(url), scope, snapshot, pd.Timestamp(today), example)


def example_wanted() -> bool:
    return bool(st.session_state.get(EXAMPLE_LEDGER_KEY, False))


def cached_ledger(context: RunContext, example: bool) -> LedgerView:
    return _ledger(context.url, context.ledger_key, context.market_key, context.today, example)


def ledger() -> LedgerView:
    """The sales this session may read (the demo ledger only when asked for), cached per scope and version."""
    return cached_ledger(run_context(), example_wanted())


@st.cache_data(show_spinner=False, max_entries=64)
def _stored_ledger(url: str, ledger_key: str) -> LedgerView | None:
    return stored_ledger(store_for(url), scope_of_ledger_key(ledger_key))


def ledger_presence() -> LedgerView:
    """Whose stored sales this session may read, without any sale (`sales` empty) when there are some;
    else `ledger()` (the demo ledger when asked for, or nothing). A 100,000-sale ledger is never read
    whole for the sidebar or a page's first question."""
    context = run_context()
    stored = _stored_ledger(context.url, context.ledger_key)
    return stored if stored is not None else ledger()


@st.cache_data(show_spinner=False, max_entries=64)
def _ledger_page(url: str, ledger_key: str, cooperative: str, page: int) -> LedgerPage:
    return ledger_page(store_for(url), scope_of_ledger_key(ledger_key), cooperative, page)


def sales_page(cooperative: str, page: int) -> LedgerPage:
    """One page of the stored sales and the selection's totals (SQL), cached per scope and version."""
    context = run_context()
    return _ledger_page(context.url, context.ledger_key, cooperative, page)


def every_stored_sale(cooperative: str) -> pd.DataFrame:
    """The whole selection, read when a download is clicked (not cached: it may be 100,000 sales)."""
    return all_stored_sales(get_store(), run_context().scope, cooperative)


@st.cache_data(show_spinner=False, max_entries=4)
def _schedule(url: str, ledger_key: str) -> pd.DataFrame:
    return premium_schedule(store_for(url))


def current_schedule() -> pd.DataFrame:
    """The premium schedule in force (stored, else DOMAIN.md's defaults), cached by its version."""
    context = run_context()
    return _schedule(context.url, context.ledger_key)


# Shared, not copied: a cooperative's 100,000 priced sales are one object in the process for every
# session of that scope (cache_data would unpickle a copy on every rerun of every session). The pages
# only read these frames (pandas copy-on-write keeps what they derive from them separate).
@st.cache_resource(show_spinner=False, max_entries=16)
def _premiums(
    url: str, ledger_key: str, market_key: str, today: str, cooperative: str, example: bool = False
) -> PremiumsView:
    if _stored_ledger(url, ledger_key) is not None:  # stored: the selection's priced columns, read once here
        scope = scope_of_ledger_key(ledger_key)
        sales = all_stored_sales(store_for(url), scope, cooperative, PRICED_COLUMNS)
    else:  # the demo ledger when asked for, or none
        sales = selected_sales(_ledger(url, ledger_key, market_key, today, example), cooperative)
    return premiums_view(_snapshot(url, market_key, today), sales, _schedule(url, ledger_key))


def premiums(cooperative: str) -> PremiumsView:
    """The cooperative's sales priced against the benchmark (cached by ledger, schedule and prices)."""
    context = run_context()
    keys = (context.url, context.ledger_key, context.market_key, context.today)
    return _premiums(*keys, cooperative, example_wanted())


@dataclass(frozen=True)
class SelectionKey:
    """What a premium selection (and its tables and figures) depends on: one cache key for all of them."""

    url: str
    ledger_key: str
    market_key: str
    today: str
    cooperative: str
    currency: str
    start: date
    end: date
    example: bool


def selection_key(cooperative: str, currency: str, start: date, end: date) -> SelectionKey:
    context = run_context()
    return SelectionKey(
        context.url,
        context.ledger_key,
        context.market_key,
        context.today,
        cooperative,
        currency,
        start,
        end,
        example_wanted(),
    )


@st.cache_resource(show_spinner=False, max_entries=16)  # shared, read-only (see _premiums)
def cached_premium_selection(key: SelectionKey) -> PremiumSelection:
    view = _premiums(key.url, key.ledger_key, key.market_key, key.today, key.cooperative, key.example)
    return premium_selection(view, key.currency, key.start, key.end)


def premium_page_selection(cooperative: str, currency: str, start: date, end: date) -> PremiumSelection:
    """The chosen cooperative's sales in one currency and period, with their summary and checks."""
    return cached_premium_selection(selection_key(cooperative, currency, start, end))


@st.cache_data(show_spinner=False, max_entries=8)
def _briefing(
    url: str, ledger_key: str, market_key: str, today: str, start: pd.Timestamp, end: pd.Timestamp, kind: str
) -> Briefing:
    snapshot = _snapshot(url, market_key, today)
    return briefing_view(store_for(url), scope_of_ledger_key(ledger_key), snapshot, start, end, kind)


@st.cache_data(show_spinner=False, max_entries=16)
def _briefing_periods(url: str, market_key: str, today: str, kind: str) -> pd.DataFrame:
    return briefing_periods(_snapshot(url, market_key, today), kind)


def briefing_periods_view(kind: str) -> pd.DataFrame:
    """Every week, month or quarter with data, with its number of countries (the picker's choices)."""
    context = run_context()
    return _briefing_periods(context.url, context.market_key, context.today, kind)


def briefing_for(start: pd.Timestamp, end: pd.Timestamp, kind: str) -> Briefing:
    """The briefing's numbers for a period (cached by data, ledger and period)."""
    context = run_context()
    return _briefing(context.url, context.ledger_key, context.market_key, context.today, start, end, kind)


@st.cache_data(show_spinner=False, max_entries=32)
def _buyers(url: str, ledger_key: str, market_key: str, today: str, start: date, end: date) -> BuyersView:
    snapshot = _snapshot(url, market_key, today)
    return buyers_view(store_for(url), scope_of_ledger_key(ledger_key), snapshot, start, end)


def buyers_page_view(start: date, end: date) -> BuyersView:
    """Per buyer over the stored sales this session may read in a period (cached per scope and versions);
    for a member, the median across cooperatives only where services/buyers allows it."""
    context = run_context()
    return _buyers(context.url, context.ledger_key, context.market_key, context.today, start, end)


@st.cache_data(show_spinner=False, max_entries=64)
def _buyer_history(url: str, ledger_key: str, market_key: str, today: str, cooperative: str) -> BuyersView:
    snapshot = _snapshot(url, market_key, today)
    return buyer_history(store_for(url), scope_of_ledger_key(ledger_key), snapshot, cooperative)


def buyers_paid_before(cooperative: str) -> BuyersView:
    """How each buyer has paid `cooperative` (stored sales this session may read; never the demo ledger)."""
    context = run_context()
    return _buyer_history(context.url, context.ledger_key, context.market_key, context.today, cooperative)


def stored_sales_days() -> tuple[date, date] | None:
    """First and last day of the stored sales this session may read (None without any); never the demo."""
    context = run_context()
    return _stored_sales_days(context.url, context.ledger_key)


@st.cache_data(show_spinner=False, max_entries=64)
def _stored_sales_days(url: str, ledger_key: str) -> tuple[date, date] | None:
    totals = sales_totals(store_for(url), scope_of_ledger_key(ledger_key))  # aggregated in SQL
    if totals.first is None or totals.last is None:
        return None
    return totals.first.date(), totals.last.date()


# ---------------------------------------------------------------- ledger writes (each bumps a version)
# (the import step's adapters are in ui/ledger_import.py)


def edit_stored_sale(cooperative: str, sale_id: str, changes: dict) -> None:
    edit_sale(get_store(), run_context().scope, cooperative, sale_id, changes)


def delete_stored_sale(cooperative: str, sale_id: str) -> None:
    delete_sale(get_store(), run_context().scope, cooperative, sale_id)


def save_schedule(schedule: pd.DataFrame) -> None:
    save_premium_schedule(get_store(), run_context().scope, schedule)


def own_cooperatives() -> list[str] | None:
    """The cooperatives a member may write (a default for the import form); None for staff."""
    cooperatives = run_context().scope.cooperatives
    return None if cooperatives is None else sorted(cooperatives)


def may_manage() -> bool:
    """Staff (or the single-machine operator): may read the audit trail and change the schedule."""
    return run_context().scope.is_staff


def audit_trail_for(cooperative: str) -> pd.DataFrame:
    shown = None if cooperative == ALL_COOPERATIVES else [cooperative]
    return audit_trail(get_store(), run_context().scope, shown)
