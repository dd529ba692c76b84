"""The data-state banner every page shows, and the stop when no price can be computed.

Words only: the facts come from services/freshness through ui/state.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from data.market.market_data import MarketSnapshot
from i18n import N_, format_day, format_number, held_back_text, series_label, t
from i18n.keys import DEMO_REASON, FETCH_REASON
from presentation.sentences import rate_kind_caption
from services.as_of import AsOf
from services.freshness import DataState, Freshness
from services.market import prices_at_kinds
from services.premiums import LedgerView
from ui.state import EXAMPLE_LEDGER_KEY


def data_banner(state: DataState, lang: str) -> None:
    """Say which data is shown: demo (a warning with the reason) or stored (as of when).

    The full warning when gold, or the exchange rate of the currency shown, is demo data (every local
    price is then invented); a short note when only series this view does not use are demo.
    """
    series = ", ".join(series_label(series_id, lang) for series_id in state.demo_series)
    if state.level == "demo":
        code = state.demo_reason_code
        reason = t(DEMO_REASON[code], lang) if code else state.demo_reason  # the user's language
        st.warning(t("demo_banner", lang, reason=reason, series=series), icon="⚠️")
        return
    if state.level == "partial":
        st.info(t("demo_partial", lang, series=series), icon=":material/info:")
    last = state.last_fetch
    gold_last = format_day(state.gold_last, lang)
    if last is not None and not last.ok:  # the reason in the user's words; hosts and errno stay in the log
        reason = t(FETCH_REASON[last.code or "yahoo_empty"], lang)
        st.caption(t("fetch_failed", lang, reason=reason, day=format_day(last.at, lang), gold_last=gold_last))
        return
    fetch = t("never", lang) if last is None else format_day(last.at, lang)
    st.caption(t("stored_caption", lang, gold_last=gold_last, fetch=fetch))


def data_as_of(freshness: Freshness, lang: str) -> None:
    """Every page that shows a price, a change, a forecast or a reading says when its data end, and
    warns, naming that date, when it is older than the staleness limit (GOLD_DASHBOARD_STALE_DAYS)."""
    if freshness.as_of is None:
        st.warning(t("no_data_dated", lang), icon="⚠️")
        return
    day = format_day(freshness.as_of, lang)
    if freshness.stale:
        days = format_number(freshness.age_days, lang, digits=0)
        st.warning(t("stale_price", lang, day=day, days=days, limit=freshness.limit_days), icon="⚠️")
    else:
        st.caption(t("data_as_of", lang, day=day))


def demo_marked(label: str, demo: bool, lang: str) -> str:
    """A figure's title or label, marked on the figure itself when it is built on demo series."""
    return t("demo_marked", lang, label=label) if demo else label


def held_back_notice(rule: AsOf, lang: str) -> None:
    """Why the price's day is earlier than gold's last day (a rate ends first), or why there is no price
    at all (a rate missing, or only demo beside real gold): named series, their last days."""
    held = held_back_text([(h.series, h.last) for h in rule.limiting_series], lang)
    if rule.day is None:
        st.warning(t("no_local_price", lang, currency=rule.currency, held=held), icon="⚠️")
    elif rule.held_back_by and rule.gold_last is not None:
        st.info(
            t(
                "price_held_back",
                lang,
                day=format_day(rule.day, lang),
                held=held,
                gold_last=format_day(rule.gold_last, lang),
            ),
            icon=":material/event:",
        )


def stop_without_prices(prices: pd.Series, rule: AsOf, lang: str) -> None:
    """End the page, saying which series are missing, when no gold date has a real exchange rate."""
    if prices.empty:
        held_back_notice(rule, lang)
        st.stop()


def example_ledger_switch(view: LedgerView, lang: str, *, on_sales_page: bool = False) -> None:
    """Without stored sales: say so, and offer the fictional example (off by default), marked when on.
    On the Sales page itself the import is pointed to below, not on "the Sales page"."""
    if view.has_stored_sales:
        return
    st.toggle(t("example_ledger_toggle", lang), key=EXAMPLE_LEDGER_KEY, help=t("example_ledger_help", lang))
    if view.is_demo:
        st.info(t("demo_ledger_banner", lang), icon=":material/theater_comedy:")
    else:
        st.info(
            t(N_("no_sales_yet_here") if on_sales_page else N_("no_sales_yet"), lang), icon=":material/info:"
        )


def rate_kind_notice(
    market: MarketSnapshot, currency: str, lang: str, day: pd.Timestamp | None = None
) -> None:
    """Which exchange-rate kind the page's prices use (official, the central bank's reference, market), and
    with a `day`, the gram at every stored kind with the gap; nothing for dollars."""
    if currency == "USD":
        return
    kind = market.rate_kind(currency)
    at_kinds = {} if day is None else prices_at_kinds(market, currency, day)
    st.caption(rate_kind_caption(currency, kind.used, kind.requested, at_kinds, lang))
