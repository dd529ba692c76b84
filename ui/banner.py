"""The data-state banner every page shows, and the stop when no price can be computed.

Words only: the facts come from services/freshness through ui/state.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from services.freshness import DataState
from services.premiums import LedgerView
from ui.i18n import format_day, t
from ui.state import EXAMPLE_LEDGER_KEY


def data_banner(state: DataState, lang: str) -> None:
    """Say which data is shown: demo (a warning with the reason) or stored (as of when).

    The full warning when gold, or the exchange rate of the currency shown, is demo data (every local
    price is then invented); a short note when only series this view does not use are demo.
    """
    series = ", ".join(state.demo_series)
    if state.level == "demo":
        st.warning(
            t("demo_banner", lang, reason=demo_reason_text(state.demo_reason, lang), series=series), icon="⚠️"
        )
        return
    if state.level == "partial":
        st.info(t("demo_partial", lang, series=series), icon=":material/info:")
    last = state.last_fetch
    fetch = t("never", lang) if last is None else f"{format_day(last.at, lang)} — {last.message[:160]}"
    st.caption(t("stored_caption", lang, gold_last=format_day(state.gold_last, lang), fetch=fetch))


def demo_reason_text(reason: str | None, lang: str) -> str:
    """data.market_data's reason for demo data, in the reader's language."""
    text = reason or ""
    for prefix, key in (
        ("offline mode", "demo_reason_offline"),
        ("no stored data yet and Yahoo Finance not tried", "demo_reason_untried"),
    ):
        if text.startswith(prefix):
            return t(key, lang)
    if text.startswith("no stored data yet; "):
        return t("demo_reason_fetch", lang, message=text.split("; ", 1)[1])
    return text


def stop_without_prices(prices: pd.Series, currency: str, lang: str) -> None:
    """End the page with a clear error when no gold date has an exchange rate fresh enough to use."""
    if prices.empty:
        st.error(t("no_price", lang, reason=t("no_price_fx", lang, currency=currency)))
        st.stop()


def example_ledger_switch(view: LedgerView, lang: str) -> None:
    """Without stored sales: say so, and offer the fictional example (off by default), marked when on."""
    if view.has_stored_sales:
        return
    st.toggle(t("example_ledger_toggle", lang), key=EXAMPLE_LEDGER_KEY, help=t("example_ledger_help", lang))
    if view.is_demo:
        st.info(t("demo_ledger_banner", lang), icon=":material/theater_comedy:")
    else:
        st.info(t("no_sales_yet", lang), icon=":material/info:")
