"""Overview: the latest benchmark price of a fine unit of gold (dated), the reference buyer's price (Banco de la
República's 95 % for pesos, else a configured one), recent change, freshness and sources."""

import pandas as pd
import streamlit as st

from analytics.benchmark import StaleDataError
from data.series import GOLD_SERIES, fx_series_for
from services.reference_buyers import reference_buyer
from ui.banner import data_as_of, stop_without_prices
from ui.charts import GOLD_COLOUR, price_value_format, time_series_figure
from ui.i18n import format_day, format_money, format_pct, source_label, t, unit_label
from ui.settings import current_settings
from ui.state import price_today_view, snapshot

settings = current_settings()
lang, currency, unit = settings.language, settings.currency, settings.unit
market = snapshot()

st.title(t("overview_title", lang))

try:
    today = price_today_view(currency, unit)
except StaleDataError as error:
    st.error(t("no_price", lang, reason=error))
    st.stop()
if today is None:
    stop_without_prices(pd.Series(dtype=float), currency, lang)
    st.stop()
quote = today.quote

data_as_of(today.freshness, lang)  # says when the price is from; warns when it is old

fx_id = fx_series_for(currency)
fx_name = t(
    "fx_name_COP" if currency == "COP" else "fx_name_USD" if currency == "USD" else "fx_name_other",
    lang,
    currency=currency,
)
week, month = today.change_1w_pct, today.change_1m_pct

columns = st.columns(2)
price_label = (
    t("price_of_unit_as_of", lang, unit=unit_label(unit, lang), day=format_day(quote.gold_date, lang))
    if today.freshness.stale  # a stale price is never "today"
    else t("price_of_unit", lang, unit=unit_label(unit, lang))
)
columns[0].metric(
    price_label,
    format_money(quote.price, currency, lang),
    delta=f"{format_pct(week, lang)} (1 sem.)" if lang == "es" else f"{format_pct(week, lang)} (1 wk)",
    help=t(  # the providers actually used, never a fixed name
        "price_help",
        lang,
        fx_name=fx_name,
        gold_source=source_label(market.source_of(GOLD_SERIES), lang),
        fx_source=""
        if fx_id is None
        else t("fx_source", lang, source=source_label(market.source_of(fx_id), lang)),
    ),
    border=True,
)
buyer = reference_buyer(currency)  # Banco de la República for COP; elsewhere only a configured one
if buyer is not None:
    share = format_pct(buyer.share * 100, lang, digits=0, signed=False)
    columns[1].metric(
        t("buy_price_named", lang, name=buyer.name, share=share),
        format_money(quote.price * buyer.share, currency, lang),
        help=t("buy_help_configured", lang, name=buyer.name, share=share)
        if buyer.configured
        else t("buy_help", lang),
        border=True,
    )
st.caption(
    t(
        "inputs_used",
        lang,
        gold_date=format_day(quote.gold_date, lang),
        gold=format_money(quote.gold_usd_per_oz, "USD", lang, digits=2),
        fx_date=format_day(quote.fx_date or quote.gold_date, lang),
        fx=format_money(quote.fx, currency, lang, digits=2) if currency != "USD" else "1",
    )
)

changes = st.columns(2)
changes[0].metric(t("change_1w", lang), format_pct(week, lang))
changes[1].metric(t("change_1m", lang), format_pct(month, lang))

recent = today.recent
st.plotly_chart(
    time_series_figure(
        recent,
        title=t("last_90_days", lang),
        y_title=t("per_unit", lang, currency=currency, unit=unit_label(unit, lang)),
        lang=lang,
        currency=currency,
        colour=GOLD_COLOUR,
        value_format=price_value_format(recent.iloc[-1]),
        range_selector=False,
        height=260,
    ),
    config={"displayModeBar": False},
)

st.subheader(t("freshness", lang))
freshness = pd.DataFrame(
    [
        {
            t("col_series", lang): state.series_id,
            t("col_kind", lang): t(f"kind_{state.kind}", lang),
            t("col_source", lang): source_label(state.source, lang),
            t("col_first", lang): format_day(state.first, lang),
            t("col_last", lang): format_day(state.last, lang),
            t("col_updated", lang): format_day(state.updated_at, lang) if state.updated_at else "–",
        }
        for state in market.states.values()
    ]
)
st.dataframe(freshness, hide_index=True)
