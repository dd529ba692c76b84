"""Overview: today's benchmark price of a fine unit of gold, the 95 % buy price, recent change, freshness."""

import pandas as pd
import streamlit as st

from analytics.benchmark import StaleDataError
from analytics.premiums import BANREP_BUY_SHARE
from ui.banner import stop_without_prices
from ui.charts import GOLD_COLOUR, price_value_format, time_series_figure
from ui.i18n import format_day, format_money, format_number, format_pct, t, unit_label
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

age_days = (pd.Timestamp.now().normalize() - quote.gold_date).days
if age_days > 7:
    st.warning(
        t(
            "stale_price",
            lang,
            day=format_day(quote.gold_date, lang),
            days=format_number(age_days, lang, digits=0),
        )
    )

fx_name = t(
    "fx_name_COP" if currency == "COP" else "fx_name_USD" if currency == "USD" else "fx_name_other",
    lang,
    currency=currency,
)
week, month = today.change_1w_pct, today.change_1m_pct

columns = st.columns(2)
columns[0].metric(
    t("price_of_unit", lang, unit=unit_label(unit, lang)),
    format_money(quote.price, currency, lang),
    delta=f"{format_pct(week, lang)} (1 sem.)" if lang == "es" else f"{format_pct(week, lang)} (1 wk)",
    help=t("price_help", lang, fx_name=fx_name),
    border=True,
)
columns[1].metric(
    t("buy_price", lang),
    format_money(quote.price * BANREP_BUY_SHARE, currency, lang),
    help=t("buy_help", lang),
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
            t("col_source", lang): state.source,
            t("col_first", lang): format_day(state.first, lang),
            t("col_last", lang): format_day(state.last, lang),
            t("col_updated", lang): format_day(state.updated_at, lang) if state.updated_at else "–",
        }
        for state in market.states.values()
    ]
)
st.dataframe(freshness, hide_index=True)
