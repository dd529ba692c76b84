"""Overview: the latest benchmark price of a fine unit of gold (dated), the reference buyer's price (Banco de la
República's 95 % for pesos, else a configured one), recent change, sharing (WhatsApp, the light price card),
freshness and sources."""

import pandas as pd
import streamlit as st

from data.market.market_data import MarketSnapshot
from data.market.series import GOLD_SERIES, fx_series_for, rate_decimals
from i18n import (
    N_,
    format_day,
    format_money,
    format_pct,
    series_label,
    source_label,
    source_spans_text,
    t,
    unit_label,
)
from i18n.keys import KIND
from presentation.charts import GOLD_COLOUR, price_value_format, time_series_figure
from services.card import card_html, whatsapp_link, whatsapp_text
from services.reference_buyers import reference_buyer
from ui.banner import data_as_of, demo_marked, held_back_notice, rate_kind_notice
from ui.page import page_setup
from ui.state import local_price_table, price_answer_view, snapshot, stored_price_today
from ui.style import fitted_table

lang, currency, unit = page_setup(N_("overview_title"))
market = snapshot()


def freshness_table(market: MarketSnapshot, lang: str) -> None:
    """Each series' source, first and last day: what the reader checks when a price looks old."""
    st.subheader(t("freshness", lang))
    freshness = pd.DataFrame(
        [
            {
                # marked on the name itself: the phone's two columns keep the demo tag too
                t("col_series", lang): demo_marked(
                    series_label(state.series_id, lang).capitalize(), state.kind == "demo", lang
                ),
                t("col_kind", lang): t(KIND[state.kind], lang),
                t("col_source", lang): source_label(state.source, lang),
                t("col_source_spans", lang): source_spans_text(state.spans, lang),
                t("col_first", lang): format_day(state.first, lang),
                t("col_last", lang): format_day(state.last, lang),
                t("col_updated", lang): format_day(state.updated_at, lang) if state.updated_at else "–",
            }
            for state in market.states.values()
        ]
    )
    # the day first on a phone: after a long series name with its demo tag, the day was cut off at 390 px
    fitted_table(freshness, [t("col_last", lang), t("col_series", lang)], lang, key="overview_data")


def money_markdown(value: float, currency: str, lang: str) -> str:
    """Money inside markdown: "$" would open a formula there; the space after it never breaks."""
    return format_money(value, currency, lang).replace("$", "\\$").replace(" ", "\u00a0")  # one line


answer = price_answer_view(currency, unit)
today = answer.price
if today is None:  # no day has gold and a real rate: say what is missing, show the dollar price if real
    held_back_notice(answer.rule, lang)
    if answer.gold_usd is not None:
        gold = answer.gold_usd
        columns = st.columns(2)
        columns[0].metric(
            demo_marked(
                t("gold_usd_of_unit", lang, unit=unit_label(unit, lang), day=format_day(gold.date, lang)),
                gold.demo,
                lang,
            ),
            format_money(gold.price, "USD", lang),
            border=True,
        )
        columns[1].metric(
            demo_marked(t("gold_usd_per_oz_on", lang, day=format_day(gold.date, lang)), gold.demo, lang),
            format_money(gold.gold_usd_per_oz, "USD", lang, digits=2),
            border=True,
        )
        data_as_of(gold.freshness, lang)
    freshness_table(market, lang)
    st.stop()

# the first screen on a phone: a gram and a castellano side by side, and what the reference buyer pays
# (a markdown table keeps its two columns on a narrow screen, where st.columns stack)
shown_units = ["g", "castellano"]
header = "| | " + " | ".join(f"1 {unit_label(u, lang)}" for u in shown_units) + " |"
rows = [header, "|:--|--:|--:|"]
rows.append(
    "| "
    + demo_marked(t("today_reference", lang), today.demo, lang)
    + " | "
    + " | ".join(f"**{money_markdown(today.price_of(u), currency, lang)}**" for u in shown_units)
    + " |"
)
if today.buyer_price is not None:
    rows.append(
        "| "
        + demo_marked(t("today_buyer", lang), today.demo, lang)
        + " | "
        + " | ".join(money_markdown(today.buyer_price_of(u) or 0.0, currency, lang) for u in shown_units)
        + " |"
    )
st.markdown("\n".join(rows))
st.caption(
    t("today_of", lang, day=format_day(today.date, lang), week=format_pct(today.week_change_pct, lang))
)

data_as_of(today.freshness, lang)  # says when the price is from; warns when it is old
held_back_notice(today.rule, lang)  # and, when a rate ends before gold, which one and why that day

fx_id = fx_series_for(currency)
fx_name = t(
    N_("fx_name_COP")
    if currency == "COP"
    else N_("fx_name_USD")
    if currency == "USD"
    else N_("fx_name_other"),
    lang,
    currency=currency,
)
week, month = today.week_change_pct, today.month_change_pct

columns = st.columns(2)
price_label = (
    t("price_of_unit_as_of", lang, unit=unit_label(unit, lang), day=format_day(today.date, lang))
    if today.age_days != 0  # only today's price is "today"
    else t("price_of_unit", lang, unit=unit_label(unit, lang))
)
week_short = t("week_change_short", lang)  # "1 sem.", "1 wk", "1 д.х."
columns[0].metric(
    demo_marked(price_label, today.demo, lang),
    format_money(today.price, currency, lang),
    delta=f"{format_pct(week, lang)} ({week_short})",
    help=t(  # the providers actually used, never a fixed name
        "price_help",
        lang,
        fx_name=fx_name,
        gold_source=source_label(today.sources.get(GOLD_SERIES), lang),  # of the values this price used
        fx_source=""
        if fx_id is None
        else t("fx_source", lang, source=source_label(today.sources.get(fx_id), lang)),
    ),
    border=True,
)
buyer = reference_buyer(currency)  # Banco de la República for COP; elsewhere only a configured one
if buyer is not None:
    share = format_pct(buyer.share * 100, lang, digits=0, signed=False)
    columns[1].metric(
        demo_marked(t("buy_price_named", lang, name=buyer.name, share=share), today.demo, lang),
        format_money(today.price * buyer.share, currency, lang),
        help=t("buy_help_configured", lang, name=buyer.name, share=share)
        if buyer.configured
        else t("buy_help", lang),
        border=True,
    )
st.caption(
    t(
        "inputs_used",
        lang,
        gold_date=format_day(today.gold_date, lang),
        gold=format_money(today.gold_usd_per_oz, "USD", lang, digits=2),
        fx_date=format_day(today.fx_date or today.gold_date, lang),
        fx=format_money(today.fx, currency, lang, digits=rate_decimals(currency))
        if currency != "USD"
        else "1",
    )
)
rate_kind_notice(market, currency, lang, today.date)  # which rate priced it; the gram at each stored kind

shared = stored_price_today(currency, unit)  # the stored price only: a demo price is never shared
if shared is None:
    st.caption(t("share_unavailable", lang))
else:
    share_columns = st.columns(2)
    share_columns[0].link_button(
        t("share_whatsapp", lang), whatsapp_link(whatsapp_text(shared, lang)), icon=":material/share:"
    )
    share_columns[1].download_button(
        t("share_card", lang),
        data=card_html(shared, lang),  # a few kilobytes: made with the page
        file_name=f"precio-oro-{shared.date:%Y-%m-%d}.html",
        mime="text/html",
        on_click="ignore",
        icon=":material/download:",
    )

changes = st.columns(2)
changes[0].metric(t("change_1w", lang), format_pct(week, lang))
changes[1].metric(t("change_1m", lang), format_pct(month, lang))

prices = local_price_table(currency, unit)["price"].dropna().loc[: today.date]  # up to the price's day
recent = prices.loc[prices.index[-1] - pd.Timedelta(days=90) :]
st.plotly_chart(
    time_series_figure(
        recent,
        title=demo_marked(t("last_90_days", lang), today.demo, lang),
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

freshness_table(market, lang)
