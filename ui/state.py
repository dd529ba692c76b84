"""Cached loaders between the store and the pages, and the data-state banner every page shows.

Pages call these; they never open the store themselves. Caches are keyed by the store's data version,
so a rerun only reads caches.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from analytics.benchmark import local_price_series
from analytics.briefing import Briefing, add_forecast_and_timing, add_premiums, build_briefing
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
from analytics.premiums import (
    PremiumSummary,
    certification_check,
    monthly_average_benchmark,
    sale_premiums,
    summarise,
    summary_by,
    waterfall,
    what_if,
)
from analytics.timing import (
    POLICIES,
    PolicyResult,
    PolicySettings,
    Signal,
    indicator_frame,
    run_policy,
    seasonality,
    signal_on,
)
from data.demo_ledger import demo_sales
from data.ledger import (
    LedgerParse,
    LedgerScope,
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
from data.market_data import (
    MarketSnapshot,
    import_prices,
    load_snapshot,
    refresh_from_yahoo,
    target_fx,
    target_prices,
)
from data.series import CURRENCIES, GOLD_SERIES, fx_series_for, local_price_id
from data.store import MarketStore, database_url
from data.yahoo import YahooRateLimitError
from ui.auth import current_scope
from ui.charts import (
    CURRENCY_COLOURS,
    GOLD_COLOUR,
    NEGATIVE_COLOUR,
    NEUTRAL_COLOUR,
    error_by_horizon_figure,
    fan_chart_figure,
    lines_figure,
    price_value_format,
    realised_vs_benchmark_figure,
    seasonality_figure,
    time_series_figure,
    waterfall_figure,
)
from ui.i18n import format_day, format_number, format_pct, month_names, t, unit_label
from ui.settings import ALL_COOPERATIVES

MIN_HISTORY_SHOWN_DAYS = 120  # about six months before the fan: enough context, and the fan stays readable
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


def data_banner(snapshot: MarketSnapshot, lang: str, currency: str | None = None) -> None:
    """Say which data is shown: demo (a warning with the reason) or stored (as of when).

    The full warning when gold, or the exchange rate of the currency shown, is demo data (every local
    price is then invented); a short note when only series this view does not use are demo.
    """
    demo = snapshot.demo_series
    fx_id = fx_series_for(currency) if currency else None
    if GOLD_SERIES in demo or (fx_id is not None and fx_id in demo) or (demo and currency is None):
        st.warning(t("demo_banner", lang, reason=snapshot.demo_reason, series=", ".join(demo)), icon="⚠️")
        return
    if demo:
        st.info(t("demo_partial", lang, series=", ".join(demo)), icon=":material/info:")
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
    """Store an uploaded price file in one transaction (staff only: every cooperative reads these prices)."""
    store = get_store()
    current_scope(store).require_staff("import price files")
    return import_prices(store, content, filename, series_id)


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


def _ledger_keys() -> tuple[str, str, str, str]:
    """(store URL, ledger key, market data version, today): the cache key every ledger view starts with.

    The ledger key holds the cooperatives the signed-in user may read, so a cached view is never
    handed to a session of another scope; `_reader_scope` turns it back into the scope to query with.
    """
    store = get_store()
    scope = current_scope(store)
    readable = None if scope.cooperatives is None else sorted(scope.cooperatives)
    ledger_key = json.dumps([readable, ledger_version(store)])
    return database_url(), ledger_key, store.data_version(), _today()


def _reader_scope(ledger_key: str) -> LedgerScope:
    readable, _ = json.loads(ledger_key)
    return LedgerScope("reader", None if readable is None else frozenset(readable))


@dataclass(frozen=True)
class LedgerView:
    """The sales a page shows: stored ones, or the fictional demo ledger when none is stored."""

    sales: pd.DataFrame
    is_demo: bool
    cooperatives: list[str]


@st.cache_data(show_spinner=False, max_entries=64)  # one per scope: each signed-in cooperative has its own
def _ledger(url: str, ledger_key: str, market_version: str, today: str) -> LedgerView:
    store = _store(url)
    stored = load_sales(store, _reader_scope(ledger_key))
    if not stored.empty:
        return LedgerView(stored, False, sorted(stored["cooperative"].unique()))
    snapshot = _snapshot(url, market_version, today)
    fx = {currency: snapshot.fx_per_usd(currency) for currency in ("COP", "PEN")}
    end = min(pd.Timestamp(today), snapshot.gold_usd_per_oz.index[-1])
    demo = demo_sales(snapshot.gold_usd_per_oz, {k: v for k, v in fx.items() if v is not None}, end)
    return LedgerView(demo, True, sorted(demo["cooperative"].unique()))


def ledger_view() -> LedgerView:
    return _ledger(*_ledger_keys())


def selected_sales(view: LedgerView, cooperative: str) -> pd.DataFrame:
    """The sales of the cooperative picked in the sidebar (all of them for ALL_COOPERATIVES)."""
    if cooperative == ALL_COOPERATIVES:
        return view.sales
    return view.sales[view.sales["cooperative"] == cooperative]


@st.cache_data(show_spinner=False, max_entries=64)
def _premiums(
    url: str, ledger_key: str, market_version: str, today: str, cooperative: str
) -> tuple[pd.DataFrame, pd.DataFrame]:
    snapshot = _snapshot(url, market_version, today)
    view = _ledger(url, ledger_key, market_version, today)
    sales = selected_sales(view, cooperative)
    fx = {c: s for c in CURRENCIES if c != "USD" and (s := snapshot.fx_per_usd(c)) is not None}
    schedule = premium_schedule(_store(url))
    premiums = sale_premiums(sales, snapshot.gold_usd_per_oz, fx, schedule)
    month_average = monthly_average_benchmark(premiums, snapshot.gold_usd_per_oz, fx)
    return premiums, what_if(premiums, month_average)


@st.cache_data(show_spinner=False, max_entries=32)
def _premium_bounds(url: str, ledger_key: str, market_key: str, today: str, cooperative: str):
    premiums, _ = _premiums(url, ledger_key, market_key, today, cooperative)
    if premiums.empty:
        return None
    return premiums["date"].min().date(), premiums["date"].max().date(), sorted(premiums["currency"].unique())


def premium_bounds(cooperative: str):
    """(first sale day, last sale day, currencies) of the cooperative's sales; None when it has none."""
    return _premium_bounds(*_ledger_keys(), cooperative)


def sales_file_header(content: bytes, filename: str) -> tuple[list[str], dict[str, str]]:
    """The file's columns and the mapping proposed for them (recognised names, else the remembered one)."""
    header = ledger_header(content, filename)
    return header, proposed_mapping(get_store(), header)


def preview_sales(
    content: bytes, filename: str, mapping: dict[str, str], cooperative: str | None
) -> LedgerParse:
    store = get_store()
    return preview_ledger(
        store, current_scope(store), content, filename, cooperative=cooperative, mapping=mapping
    )


def import_sales(content: bytes, filename: str, mapping: dict[str, str], cooperative: str | None) -> dict:
    """Store the good rows the user may write (one transaction); caches follow the ledger version."""
    store = get_store()
    return import_ledger(
        store, current_scope(store), content, filename, cooperative=cooperative, mapping=mapping
    )


def remember_columns(header: list[str], mapping: dict[str, str]) -> None:
    remember_mapping(get_store(), header, mapping)


def edit_stored_sale(cooperative: str, sale_id: str, changes: dict) -> None:
    store = get_store()
    edit_sale(store, current_scope(store), cooperative, sale_id, changes)


def delete_stored_sale(cooperative: str, sale_id: str) -> None:
    store = get_store()
    delete_sale(store, current_scope(store), cooperative, sale_id)


def own_cooperatives() -> list[str] | None:
    """The cooperatives a member may write (a default for the import form); None for staff."""
    scope = current_scope(get_store())
    return None if scope.cooperatives is None else sorted(scope.cooperatives)


def may_manage() -> bool:
    """Staff (or the single-machine operator): may read the audit trail and change the schedule."""
    return current_scope(get_store()).is_staff


def audit_trail_for(cooperative: str) -> pd.DataFrame:
    store = get_store()
    return audit_trail(
        store, current_scope(store), None if cooperative == ALL_COOPERATIVES else [cooperative]
    )


def save_schedule(schedule: pd.DataFrame) -> None:
    store = get_store()
    save_premium_schedule(store, current_scope(store), schedule)


@st.cache_data(show_spinner=False, max_entries=4)
def _schedule(url: str, ledger_key: str) -> pd.DataFrame:
    return premium_schedule(_store(url))


def current_schedule() -> pd.DataFrame:
    """The premium schedule in force (stored, else DOMAIN.md's defaults), cached by ledger version."""
    return _schedule(database_url(), ledger_version(get_store()))


def _selected_rows(premiums: pd.DataFrame, currency: str, start, end) -> pd.Series:
    dates = premiums["date"].dt.date
    return (dates >= start) & (dates <= end) & (premiums["currency"] == currency)


def _selection(
    url: str, ledger_key: str, market_key: str, today: str, cooperative: str, currency: str, start, end
) -> pd.DataFrame:
    premiums, _ = _premiums(url, ledger_key, market_key, today, cooperative)
    return premiums[_selected_rows(premiums, currency, start, end)]


@dataclass(frozen=True)
class PremiumSelection:
    """Everything the Premiums page shows for one cooperative, currency and period (cached)."""

    sales: pd.DataFrame
    what_if: pd.DataFrame
    summary: PremiumSummary
    waterfall: pd.Series
    issues: pd.DataFrame
    review: pd.DataFrame


@st.cache_data(show_spinner=False, max_entries=32)
def _premium_selection(
    url: str, ledger_key: str, market_key: str, today: str, cooperative: str, currency: str, start, end
) -> PremiumSelection:
    premiums, what_if_table = _premiums(url, ledger_key, market_key, today, cooperative)
    rows = _selected_rows(premiums, currency, start, end)
    chosen = premiums[rows]
    return PremiumSelection(
        sales=chosen,
        what_if=what_if_table[rows.to_numpy()].dropna(subset=["benchmark_value"]),
        summary=summarise(chosen),
        waterfall=waterfall(chosen),
        issues=certification_check(chosen),
        review=chosen[chosen["needs_review"]],
    )


def premium_selection(cooperative: str, currency: str, start, end) -> PremiumSelection:
    """The chosen cooperative's sales in one currency and period, with their summary and checks."""
    return _premium_selection(*_ledger_keys(), cooperative, currency, start, end)


@st.cache_data(show_spinner=False, max_entries=32)
def _premium_tables(
    url: str,
    ledger_key: str,
    market_key: str,
    today: str,
    cooperative: str,
    currency: str,
    start,
    end,
    lang: str,
) -> dict[str, pd.DataFrame]:
    chosen = _selection(url, ledger_key, market_key, today, cooperative, currency, start, end)

    def numbers(values: pd.Series, digits: int) -> pd.Series:
        return values.map(lambda value: format_number(value, lang, digits, currency))

    price_digits = 0 if chosen["benchmark_price_per_g"].median() >= 1000 else 2
    text = pd.DataFrame(
        {
            t("field_date", lang): chosen["date"].map(lambda day: format_day(day, lang)),
            t("col_sale", lang): chosen["sale_id"],
            t("field_buyer", lang): chosen["buyer"],
            t("field_certification", lang): chosen["certification"].map(lambda c: t(f"cert_{c}", lang)),
            t("col_fine_g", lang): numbers(chosen["fine_gold_g"], 2),
            t("col_benchmark_g", lang): numbers(chosen["benchmark_price_per_g"], price_digits),
            t("col_realised_g", lang): numbers(chosen["realised_price_per_g"], price_digits),
            t("col_premium_pct", lang): chosen["premium_pct"].map(lambda value: format_pct(value, lang)),
            t("col_vs_benchmark", lang): numbers(chosen["money_vs_benchmark"], 0),
            t("col_due_usd", lang): numbers(chosen["premium_due_usd"], 2),
            t("col_received_usd", lang): numbers(chosen["premium_received_usd"], 2),
            t("col_minimum", lang): chosen["meets_minimum_price"].map(
                {True: t("yes", lang), False: t("no", lang)}
            ),
        }
    )
    numbers_only = chosen[
        ["date", "sale_id", "buyer", "certification", "fine_gold_g", "benchmark_price_per_g",
         "realised_price_per_g", "premium_pct", "money_vs_benchmark", "premium_due_usd",
         "premium_received_usd", "meets_minimum_price"]
    ]  # fmt: skip
    rounding = {"fine_gold_g": 1, "benchmark_value": 0, "amount_received": 0, "money_vs_benchmark": 0,
                "premium_pct_weighted": 2, "premium_due_usd": 2, "premium_received_usd": 2}  # fmt: skip
    tables = {"per_sale": numbers_only, "per_sale_text": text}
    for key in ("buyer", "month", "certification"):
        tables[f"by_{key}"] = summary_by(chosen, key).drop(columns="currency").round(rounding)
    return tables


def premium_tables(cooperative: str, currency: str, start, end, lang: str) -> dict[str, pd.DataFrame]:
    """Sale-by-sale (numbers, and text formatted for `lang`) and the by-buyer/month/certification tables."""
    return _premium_tables(*_ledger_keys(), cooperative, currency, start, end, lang)


@st.cache_resource(show_spinner=False, max_entries=32)
def _premium_price_figure(
    url: str,
    ledger_key: str,
    market_key: str,
    today: str,
    cooperative: str,
    currency: str,
    start,
    end,
    lang: str,
) -> go.Figure:
    chosen = _selection(url, ledger_key, market_key, today, cooperative, currency, start, end)
    benchmark = _local_prices(url, market_key, today, currency, "g")["price"].dropna()
    benchmark = benchmark[(benchmark.index.date >= start) & (benchmark.index.date <= end)]
    priced = chosen.dropna(subset=["benchmark_price_per_g"])
    return realised_vs_benchmark_figure(
        priced[~priced["needs_review"]],  # a typo (an extra zero) would flatten every other dot
        benchmark,
        labels={"benchmark": t("chart_benchmark_line", lang)}
        | {c: t(f"cert_{c}", lang) for c in ("none", "fairmined", "fairmined_ecological", "fairtrade")},
        title=t("chart_realised", lang),
        y_title=f"{currency} / g",
        lang=lang,
        currency=currency,
    )


def premium_price_figure(cooperative: str, currency: str, start, end, lang: str) -> go.Figure:
    """Realised price per sale against the benchmark line (shared figure: never mutate it)."""
    return _premium_price_figure(*_ledger_keys(), cooperative, currency, start, end, lang)


@st.cache_resource(show_spinner=False, max_entries=64)
def _premium_waterfall_figure(
    url: str,
    ledger_key: str,
    market_key: str,
    today: str,
    cooperative: str,
    currency: str,
    start,
    end,
    lang: str,
    sale: str,
) -> go.Figure:
    chosen = _selection(url, ledger_key, market_key, today, cooperative, currency, start, end)
    steps = waterfall(chosen if not sale else chosen[chosen["sale_id"] == sale])
    return waterfall_figure(
        steps,
        labels={name: t(f"wf_{name}", lang) for name in steps.index},
        title=sale or t("waterfall_period", lang),
        lang=lang,
        currency=currency,
    )


def premium_waterfall_figure(cooperative: str, currency: str, start, end, lang: str, sale: str) -> go.Figure:
    """The period's waterfall, or one sale's (shared figure: never mutate it)."""
    return _premium_waterfall_figure(*_ledger_keys(), cooperative, currency, start, end, lang, sale)


@st.cache_resource(show_spinner=False, max_entries=32)
def _forecast_figures(
    url: str,
    version: str,
    today: str,
    target_id: str,
    horizon: int,
    model: str | None,
    lang: str,
    target_label: str,
    currency: str,
) -> dict[str, go.Figure]:
    view = _forecast_view(url, version, today, target_id, horizon, model)
    history = view.history.iloc[-max(MIN_HISTORY_SHOWN_DAYS, 5 * horizon) :]
    scores = view.backtest.scores
    return {
        "fan": fan_chart_figure(
            history,
            view.forecast.frame(),
            labels={
                "history": t("fan_history", lang),
                "band_95": t("fan_band_95", lang),
                "band_80": t("fan_band_80", lang),
                "mean": t("fan_mean", lang),
                "random_walk": t("fan_random_walk", lang),
            },
            title=t("fan_title", lang, horizon=horizon, model=t(f"model_{view.model}", lang)),
            y_title=target_label,
            lang=lang,
            currency=currency,
            value_format=price_value_format(float(history.iloc[-1])),
        ),
        "error_by_horizon": error_by_horizon_figure(
            {t(f"model_{score.name}", lang): score.rmae_by_horizon for score in scores},
            title=t("error_by_horizon", lang),
            y_title="rMAE",
            x_title=t("days_ahead", lang),
            lang=lang,
        ),
    }


def forecast_figures(
    target_id: str, horizon: int, model: str | None, lang: str, target_label: str, currency: str
) -> dict[str, go.Figure]:
    """The fan chart and the error-by-horizon chart (shared figures: never mutate them)."""
    store = get_store()
    return _forecast_figures(
        database_url(),
        store.data_version(),
        _today(),
        target_id,
        horizon,
        model,
        lang,
        target_label,
        currency,
    )


# ---------------------------------------------------------------- sell timing


@dataclass(frozen=True)
class TimingView:
    """The Sell timing page's numbers for one currency and one set of user inputs."""

    target_id: str
    indicators: pd.DataFrame
    signal: Signal
    seasonality: pd.DataFrame
    policies: dict[str, PolicyResult]


@st.cache_data(show_spinner=False, max_entries=16)
def _timing_view(url: str, version: str, today: str, currency: str, settings: PolicySettings) -> TimingView:
    snapshot = _snapshot(url, version, today)
    target_id = local_price_id(currency, "g")

    def load(series_id: str) -> pd.Series:
        return snapshot.series[series_id]

    prices = target_prices(load, target_id)
    fx = target_fx(load, target_id)
    indicators = indicator_frame(prices, fx, settings.holding_cost_pct_month)
    policies = {
        policy: run_policy(prices, policy, settings, fx=fx, indicators=indicators) for policy in POLICIES
    }
    return TimingView(target_id, indicators, signal_on(indicators), seasonality(prices), policies)


def timing_view(currency: str, settings: PolicySettings) -> TimingView:
    """Indicators, today's reading, seasonality and the policy backtests (cached by data and inputs)."""
    return _timing_view(database_url(), get_store().data_version(), _today(), currency, settings)


TIMING_CHART_DAYS = 500  # about two years of daily indicators in the small charts
TIMING_LOTS_SHOWN = 260  # the last five years of weekly lots


@st.cache_resource(show_spinner=False, max_entries=16)
def _timing_figures(
    url: str, version: str, today: str, currency: str, settings: PolicySettings, lang: str
) -> dict[str, go.Figure]:
    view = _timing_view(url, version, today, currency, settings)
    recent = view.indicators.iloc[-TIMING_CHART_DAYS:]
    lots = view.policies["signal"].lots.set_index("produced").iloc[-TIMING_LOTS_SHOWN:]
    return {
        "price": lines_figure(
            recent,
            labels={"price": t("price", lang), "ma50": t("ma50", lang), "ma200": t("ma200", lang)},
            colours={"price": GOLD_COLOUR, "ma50": CURRENCY_COLOURS["COP"], "ma200": NEUTRAL_COLOUR},
            title=t("chart_price_averages", lang),
            y_title=f"{currency} / g",
            lang=lang,
            currency=currency,
        ),
        "rsi": lines_figure(
            recent,
            labels={"rsi14": "RSI"},
            colours={"rsi14": CURRENCY_COLOURS["PEN"]},
            title=t("chart_rsi", lang),
            y_title="RSI",
            lang=lang,
            value_format=".0f",
            reference_lines=(30.0, 70.0),
        ),
        "seasonality": seasonality_figure(
            view.seasonality, month_names=month_names(lang), title="", lang=lang
        ),
        "lots": lines_figure(
            lots,
            labels={"baseline_price": t("lots_baseline", lang), "policy_price": t("lots_policy", lang)},
            colours={"baseline_price": NEUTRAL_COLOUR, "policy_price": GOLD_COLOUR},
            title=t("chart_lots", lang) + f" — {t('policy_signal', lang)}",
            y_title=f"{currency} / g",
            lang=lang,
            currency=currency,
        ),
    }


def timing_figures(currency: str, settings: PolicySettings, lang: str) -> dict[str, go.Figure]:
    """Price with averages, RSI, seasonality and lots charts (shared figures: never mutate them)."""
    return _timing_figures(database_url(), get_store().data_version(), _today(), currency, settings, lang)


# ---------------------------------------------------------------- briefing


@st.cache_data(show_spinner=False, max_entries=8)
def _briefing(
    url: str, ledger_key: str, version: str, today: str, start: pd.Timestamp, end: pd.Timestamp, kind: str
) -> Briefing:
    snapshot = _snapshot(url, version, today)
    demo = snapshot.demo_series
    fx = {
        c: s
        for c in CURRENCIES
        if c != "USD"
        and (s := snapshot.fx_per_usd(c)) is not None
        # real gold times a demo exchange rate would be an invented price: leave that country out
        and (GOLD_SERIES in demo or fx_series_for(c) not in demo)
    }
    briefing = build_briefing(snapshot.gold_usd_per_oz, fx, start, end, kind)
    add_forecast_and_timing(briefing, snapshot.gold_usd_per_oz)
    premiums, _ = _premiums(url, ledger_key, version, today, ALL_COOPERATIVES)
    add_premiums(briefing, premiums)
    if demo:
        briefing.sources["demo data"] = f"DEMO series, not real prices: {', '.join(demo)}"
    return briefing


def briefing_for(start: pd.Timestamp, end: pd.Timestamp, kind: str) -> Briefing:
    """The briefing's numbers for a period (cached by data, ledger and period)."""
    return _briefing(*_ledger_keys(), start, end, kind)
