"""Cached loaders between the store and the pages, and the data-state banner every page shows.

Pages call these; they never open the store themselves. Caches are keyed by the store's data version,
so a rerun only reads caches.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from analytics.benchmark import local_price_series
from analytics.forecast import BacktestResult, BacktestSettings, Forecast, forecast_from_last, run_backtest
from analytics.market import (
    HORIZONS,
    MoveDecomposition,
    annualised_volatility,
    decompose_local_move,
    drawdown_pct,
    performance_table,
    reference_date,
)
from analytics.premiums import monthly_average_benchmark, sale_premiums, what_if
from data.demo_ledger import demo_sales
from data.ledger import (
    LedgerParse,
    audit_trail,
    delete_sale,
    edit_sale,
    import_ledger,
    ledger_header,
    ledger_version,
    load_sales,
    premium_schedule,
    preview_ledger,
    proposed_mapping,
    remember_mapping,
    save_premium_schedule,
)
from data.market_data import MarketSnapshot, import_prices, load_snapshot, refresh_from_yahoo, target_prices
from data.series import CURRENCIES
from data.store import MarketStore, database_url
from data.yahoo import YahooRateLimitError
from ui.charts import CURRENCY_COLOURS, GOLD_COLOUR, NEGATIVE_COLOUR, price_value_format, time_series_figure
from ui.i18n import format_day, format_pct, t, unit_label
from ui.settings import ALL_COOPERATIVES

FORECAST_BACKTEST_STEP = 20  # origins a month apart: 60 of them cover about five years


@st.cache_resource(show_spinner=False)
def _store(url: str) -> MarketStore:
    return MarketStore.from_url(url)


def get_store() -> MarketStore:
    return _store(database_url())


@st.cache_data(ttl=900, show_spinner="Yahoo Finance…")
def _refresh(url: str) -> tuple[bool, str]:
    try:
        report = refresh_from_yahoo(_store(url))
    except YahooRateLimitError as error:  # reported, and not cached: the next run may try again
        return False, str(error)
    return report.ok, report.message


def refresh_market_data() -> tuple[bool, str]:
    """Try Yahoo (at most every 15 minutes across processes); (ok, message)."""
    url = database_url()
    ok, message = _refresh(url)
    if not ok and "rate limit" in message.lower():
        _refresh.clear()
    return ok, message


def _today() -> str:
    return pd.Timestamp.now().strftime("%Y-%m-%d")


@st.cache_data(show_spinner=False, max_entries=4)
def _snapshot(url: str, version: str, today: str) -> MarketSnapshot:
    return load_snapshot(_store(url), today=pd.Timestamp(today))


def market_snapshot() -> MarketSnapshot:
    """Every series with its provenance (cached by the store's data version)."""
    return _snapshot(database_url(), get_store().data_version(), _today())


@st.cache_data(show_spinner=False, max_entries=32)
def _local_prices(url: str, version: str, today: str, currency: str, unit: str) -> pd.DataFrame:
    snapshot = _snapshot(url, version, today)
    return local_price_series(snapshot.gold_usd_per_oz, snapshot.fx_per_usd(currency), unit=unit)


def local_prices(currency: str, unit: str) -> pd.DataFrame:
    """Benchmark price per `unit` in `currency` on every gold date (cached by data version)."""
    store = get_store()
    return _local_prices(database_url(), store.data_version(), _today(), currency, unit)


def data_banner(snapshot: MarketSnapshot, lang: str) -> None:
    """Say which data is shown: demo (a warning with the reason) or stored (as of when)."""
    if snapshot.demo_series:
        st.warning(
            t("demo_banner", lang, reason=snapshot.demo_reason, series=", ".join(snapshot.demo_series)),
            icon="⚠️",
        )
        return
    last = get_store().last_fetch("yahoo")
    fetch = t("never", lang) if last is None else f"{format_day(last['at'], lang)} — {last['message'][:160]}"
    st.caption(
        t("stored_caption", lang, gold_last=format_day(snapshot.states["GOLD_USD"].last, lang), fetch=fetch)
    )


def stop_without_prices(prices: pd.Series, currency: str, lang: str) -> None:
    """End the page with a clear error when no gold date has an exchange rate fresh enough to use."""
    if prices.empty:
        st.error(t("no_price", lang, reason=f"no {currency} exchange rate within 7 days of any gold price"))
        st.stop()


def import_price_file(content: bytes, filename: str, series_id: str | None) -> dict:
    """Store an uploaded price file in one transaction; caches follow the store's data version."""
    return import_prices(get_store(), content, filename, series_id)


@dataclass(frozen=True)
class MarketView:
    """Everything the Market page draws, computed once per (data version, currency, unit)."""

    local: pd.DataFrame
    performance: pd.DataFrame
    decompositions: dict[str, MoveDecomposition | None]
    volatility: pd.Series
    drawdown: pd.Series
    peak_date: pd.Timestamp | None


@st.cache_data(show_spinner=False, max_entries=32)
def _market_view(url: str, version: str, today: str, currency: str, unit: str) -> MarketView:
    snapshot = _snapshot(url, version, today)
    local = local_price_series(snapshot.gold_usd_per_oz, snapshot.fx_per_usd(currency), unit=unit)
    prices = local["price"].dropna()
    if not prices.empty:  # gold days before the first exchange rate are not gaps: leave them out
        local = local.loc[prices.index[0] :]
    rows = {"GOLD_USD": snapshot.gold_usd_per_oz}
    for code in CURRENCIES:
        if code != "USD":
            rows[code] = local_price_series(snapshot.gold_usd_per_oz, snapshot.fx_per_usd(code))["price"]
    decompositions: dict[str, MoveDecomposition | None] = {}
    for horizon in HORIZONS:
        start = reference_date(prices, horizon) if not prices.empty else None
        decompositions[horizon] = (
            None if start is None else decompose_local_move(local, start, prices.index[-1])
        )
    return MarketView(
        local=local,
        performance=performance_table(rows),
        decompositions=decompositions,
        volatility=annualised_volatility(prices) if not prices.empty else prices,
        drawdown=drawdown_pct(prices),
        peak_date=None if prices.empty else prices.idxmax(),
    )


def market_view(currency: str, unit: str) -> MarketView:
    """The Market page's numbers (cached by data version, currency and unit)."""
    return _market_view(database_url(), get_store().data_version(), _today(), currency, unit)


@st.cache_resource(show_spinner=False, max_entries=64)
def _market_figures(
    url: str, version: str, today: str, currency: str, unit: str, lang: str
) -> dict[str, go.Figure]:
    view = _market_view(url, version, today, currency, unit)
    prices = view.local["price"].dropna()
    month = view.performance.loc["GOLD_USD" if currency == "USD" else currency, "1M"]
    title_key = "chart_title_up" if month >= 0 else "chart_title_down"
    return {
        "price": time_series_figure(
            prices,
            title=t(title_key, lang, pct=format_pct(abs(month), lang, signed=False), currency=currency),
            y_title=t("per_unit", lang, currency=currency, unit=unit_label(unit, lang)),
            lang=lang,
            currency=currency,
            value_format=price_value_format(prices.iloc[-1]),
        ),
        "volatility": time_series_figure(
            view.volatility.resample("W").last(),
            title="",
            y_title="%",
            lang=lang,
            colour=CURRENCY_COLOURS.get(currency, GOLD_COLOUR),
            value_format=".1f",
            height=280,
            range_selector=False,
        ),
        "drawdown": time_series_figure(
            view.drawdown.resample("W").min(),
            title="",
            y_title="%",
            lang=lang,
            colour=NEGATIVE_COLOUR,
            value_format=".1f",
            height=280,
            range_selector=False,
            fill=True,
        ),
    }


def market_figures(currency: str, unit: str, lang: str) -> dict[str, go.Figure]:
    """The Market page's time-series figures: price, volatility (weekly), drawdown (weekly).

    Kept with cache_resource because building a plotly figure (validation) costs more than the rest of
    the page, and a pickled copy costs as much again. The figures are shared: never mutate them.
    """
    return _market_figures(database_url(), get_store().data_version(), _today(), currency, unit, lang)


@dataclass(frozen=True)
class ForecastView:
    """What the Forecast page shows for one target and horizon: the backtest, then the forecast."""

    target_id: str
    history: pd.Series
    backtest: BacktestResult
    forecast: Forecast
    model: str  # the model the forecast uses: the backtest's selection unless the user chose one


@st.cache_data(show_spinner=False, max_entries=16)
def _forecast_view(
    url: str, version: str, today: str, target_id: str, horizon: int, model: str | None
) -> ForecastView:
    snapshot = _snapshot(url, version, today)
    prices = target_prices(lambda series_id: snapshot.series[series_id], target_id)
    settings = BacktestSettings(horizon=horizon, step=FORECAST_BACKTEST_STEP)
    # The bar is created here, not by the page: a cached function may only draw into its own
    # elements (they are replayed, already emptied, on a cache hit).
    bar = st.progress(0.0)
    result = run_backtest(
        prices, settings, series=target_id, progress=lambda fraction, _: bar.progress(min(fraction, 1.0))
    )
    chosen = model or result.selected
    forecast = forecast_from_last(prices, chosen, horizon=horizon, settings=settings)
    bar.empty()
    return ForecastView(target_id, prices, result, forecast, chosen)


def forecast_view(target_id: str, horizon: int, model: str | None) -> ForecastView:
    """Backtest and forecast for `target_id`, cached by data version, target, horizon and model.

    While the backtest runs, a progress bar is drawn where this is called (inside the page's st.status).
    """
    store = get_store()
    return _forecast_view(database_url(), store.data_version(), _today(), target_id, horizon, model)


# ---------------------------------------------------------------- the sales ledger


@dataclass(frozen=True)
class LedgerView:
    """The sales a page shows: stored ones, or the fictional demo ledger when none is stored."""

    sales: pd.DataFrame
    is_demo: bool
    cooperatives: list[str]


@st.cache_data(show_spinner=False, max_entries=8)
def _ledger(url: str, ledger_version: str, market_version: str, today: str) -> LedgerView:
    store = _store(url)
    stored = load_sales(store)
    if not stored.empty:
        return LedgerView(stored, False, sorted(stored["cooperative"].unique()))
    snapshot = _snapshot(url, market_version, today)
    fx = {currency: snapshot.fx_per_usd(currency) for currency in ("COP", "PEN")}
    end = min(pd.Timestamp(today), snapshot.gold_usd_per_oz.index[-1])
    demo = demo_sales(snapshot.gold_usd_per_oz, {k: v for k, v in fx.items() if v is not None}, end)
    return LedgerView(demo, True, sorted(demo["cooperative"].unique()))


def ledger_view() -> LedgerView:
    store = get_store()
    return _ledger(database_url(), ledger_version(store), store.data_version(), _today())


def selected_sales(view: LedgerView, cooperative: str) -> pd.DataFrame:
    """The sales of the cooperative picked in the sidebar (all of them for ALL_COOPERATIVES)."""
    if cooperative == ALL_COOPERATIVES:
        return view.sales
    return view.sales[view.sales["cooperative"] == cooperative]


@st.cache_data(show_spinner=False, max_entries=32)
def _premiums(
    url: str, ledger_version_key: str, market_version: str, today: str, cooperative: str
) -> tuple[pd.DataFrame, pd.DataFrame]:
    snapshot = _snapshot(url, market_version, today)
    view = _ledger(url, ledger_version_key, market_version, today)
    sales = selected_sales(view, cooperative)
    fx = {c: s for c in CURRENCIES if c != "USD" and (s := snapshot.fx_per_usd(c)) is not None}
    schedule = premium_schedule(_store(url))
    premiums = sale_premiums(sales, snapshot.gold_usd_per_oz, fx, schedule)
    month_average = monthly_average_benchmark(premiums, snapshot.gold_usd_per_oz, fx)
    return premiums, what_if(premiums, month_average)


def premiums_for(cooperative: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Each sale against the benchmark, and the what-if table (cached by ledger and market versions)."""
    store = get_store()
    return _premiums(database_url(), ledger_version(store), store.data_version(), _today(), cooperative)


def sales_file_header(content: bytes, filename: str) -> tuple[list[str], dict[str, str]]:
    """The file's columns and the mapping proposed for them (recognised names, else the remembered one)."""
    header = ledger_header(content, filename)
    return header, proposed_mapping(get_store(), header)


def preview_sales(
    content: bytes, filename: str, mapping: dict[str, str], cooperative: str | None
) -> LedgerParse:
    return preview_ledger(get_store(), content, filename, cooperative=cooperative, mapping=mapping)


def import_sales(
    content: bytes, filename: str, mapping: dict[str, str], cooperative: str | None, user: str
) -> dict:
    """Store the good rows (one transaction); caches follow the ledger version."""
    return import_ledger(get_store(), content, filename, cooperative=cooperative, mapping=mapping, user=user)


def remember_columns(header: list[str], mapping: dict[str, str]) -> None:
    remember_mapping(get_store(), header, mapping)


def edit_stored_sale(cooperative: str, sale_id: str, changes: dict, user: str) -> None:
    edit_sale(get_store(), cooperative, sale_id, changes, user)


def delete_stored_sale(cooperative: str, sale_id: str, user: str) -> None:
    delete_sale(get_store(), cooperative, sale_id, user)


def audit_trail_for(cooperative: str) -> pd.DataFrame:
    return audit_trail(get_store(), None if cooperative == ALL_COOPERATIVES else [cooperative])


def save_schedule(schedule: pd.DataFrame) -> None:
    save_premium_schedule(get_store(), schedule)


def current_schedule() -> pd.DataFrame:
    return premium_schedule(get_store())
