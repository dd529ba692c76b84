"""Cached loaders between the store and the pages, and the data-state banner every page shows.

Pages call these; they never open the store themselves. Caches are keyed by the store's data version,
so a rerun only reads caches.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from analytics.benchmark import local_price_series
from data.market_data import MarketSnapshot, import_prices, load_snapshot, refresh_from_yahoo
from data.store import MarketStore, database_url
from data.yahoo import YahooRateLimitError
from ui.i18n import format_day, t


@st.cache_resource(show_spinner=False)
def _store(url: str) -> MarketStore:
    return MarketStore.from_url(url)


def get_store() -> MarketStore:
    return _store(database_url())


@st.cache_data(ttl=900, show_spinner=False)
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


def import_price_file(content: bytes, filename: str, series_id: str | None) -> dict:
    """Store an uploaded price file in one transaction; caches follow the store's data version."""
    return import_prices(get_store(), content, filename, series_id)
