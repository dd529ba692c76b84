"""Premiums: each sale against the benchmark, summaries, waterfall, certification check, what-if, downloads.

Thin: the arithmetic is analytics/premiums.py (through ui.state.premiums_for, cached); this file picks the
period and currency, formats and draws.
"""

import pandas as pd
import streamlit as st

from analytics.premiums import certification_check, summarise, summary_by, waterfall
from data.exports import csv_bytes, excel_bytes
from ui.charts import realised_vs_benchmark_figure, waterfall_figure
from ui.i18n import DATE_INPUT_FORMAT, format_day, format_money, format_number, format_pct, t
from ui.settings import current_cooperative, current_settings
from ui.state import current_schedule, ledger_view, local_prices, premiums_for, save_schedule

settings = current_settings()
lang = settings.language
cooperative = current_cooperative()
view = ledger_view()
premiums, what_if_table = premiums_for(cooperative)

st.title(t("premiums_title", lang))
if view.is_demo:
    st.info(t("demo_ledger_banner", lang), icon=":material/theater_comedy:")
st.caption(t("premiums_intro", lang))
if premiums.empty:
    st.info(t("premiums_none", lang))
    st.stop()

# --- period and currency
first_day, last_day = premiums["date"].min().date(), premiums["date"].max().date()
period_column, currency_column = st.columns([2, 1])
period = period_column.date_input(
    t("premiums_period", lang),
    (first_day, last_day),
    first_day,
    last_day,
    key="premiums_period",
    format=DATE_INPUT_FORMAT[lang],
)
start, end = (
    (period[0], period[1]) if isinstance(period, tuple) and len(period) == 2 else (first_day, last_day)
)
currencies = sorted(premiums["currency"].unique())
currency = currency_column.selectbox(t("premiums_currency", lang), currencies, key="premiums_currency")
in_period = (
    (premiums["date"].dt.date >= start)
    & (premiums["date"].dt.date <= end)
    & (premiums["currency"] == currency)
)
chosen = premiums[in_period]
chosen_what_if = what_if_table[in_period.to_numpy()]
if chosen.empty:
    st.info(t("premiums_none", lang))
    st.stop()
unpriced = int(chosen["benchmark_price_per_g"].isna().sum())
if unpriced:
    st.warning(t("premiums_unpriced", lang, count=unpriced))
review = chosen[chosen["needs_review"]]
if not review.empty:
    st.warning(
        t(
            "premiums_review",
            lang,
            count=len(review),
            sales=", ".join(
                f"{s} ({format_pct(p, lang, 0)})"
                for s, p in zip(review["sale_id"], review["premium_pct"], strict=True)
            ),
        )
    )


def money(value: float) -> str:
    return format_money(value, currency, lang)


# --- headline figures
summary = summarise(chosen)
fine_column, premium_column, money_column, cert_column = st.columns(4)
fine_column.metric(t("metric_fine_gold", lang), f"{format_number(summary.fine_gold_g, lang, 1)} g")
premium_column.metric(
    t("metric_premium", lang),
    format_pct(summary.premium_pct_weighted, lang),
    help=t("metric_premium_help", lang),
)
money_column.metric(t("metric_vs_benchmark", lang), money(summary.money_vs_benchmark))
cert_column.metric(
    t("metric_cert_premium", lang),
    f"{format_number(summary.premium_received_usd, lang, 0)} USD",
    delta=t("metric_cert_vs_due", lang, due=format_number(summary.premium_due_usd, lang, 0)),
    delta_color="normal" if summary.premium_received_usd >= summary.premium_due_usd - 1 else "inverse",
    delta_arrow="off",
)

# --- realised vs benchmark over time
benchmark = local_prices(currency, "g")["price"].dropna()
benchmark = benchmark[(benchmark.index.date >= start) & (benchmark.index.date <= end)]
st.plotly_chart(
    realised_vs_benchmark_figure(
        chosen.dropna(subset=["benchmark_price_per_g"])[
            ~chosen["needs_review"]
        ],  # typos would flatten the chart
        benchmark,
        labels={"benchmark": t("chart_benchmark_line", lang)}
        | {c: t(f"cert_{c}", lang) for c in ("none", "fairmined", "fairmined_ecological", "fairtrade")},
        title=t("chart_realised", lang),
        y_title=f"{currency} / g",
        lang=lang,
        currency=currency,
    ),
    config={"displayModeBar": False},
)
st.caption(t("chart_size_note", lang))


# --- tables: sale by sale, and summaries
def numbers(values: pd.Series, digits: int) -> pd.Series:
    return values.map(lambda value: format_number(value, lang, digits, currency))


per_sale = pd.DataFrame(
    {
        t("field_date", lang): chosen["date"].dt.date,
        t("col_sale", lang): chosen["sale_id"],
        t("field_buyer", lang): chosen["buyer"],
        t("field_certification", lang): chosen["certification"].map(lambda c: t(f"cert_{c}", lang)),
        t("col_fine_g", lang): numbers(chosen["fine_gold_g"], 2),
        t("col_benchmark_g", lang): numbers(chosen["benchmark_price_per_g"], 0 if currency == "COP" else 2),
        t("col_realised_g", lang): numbers(chosen["realised_price_per_g"], 0 if currency == "COP" else 2),
        t("col_premium_pct", lang): chosen["premium_pct"].map(lambda value: format_pct(value, lang)),
        t("col_vs_benchmark", lang): numbers(chosen["money_vs_benchmark"], 0),
        t("col_due_usd", lang): numbers(chosen["premium_due_usd"], 2),
        t("col_received_usd", lang): numbers(chosen["premium_received_usd"], 2),
        t("col_minimum", lang): chosen["meets_minimum_price"].map(
            {True: t("yes", lang), False: t("no", lang)}
        ),
    }
)
per_sale_numbers = chosen[
    ["date", "sale_id", "buyer", "certification", "fine_gold_g", "benchmark_price_per_g", "realised_price_per_g",
     "premium_pct", "money_vs_benchmark", "premium_due_usd", "premium_received_usd", "meets_minimum_price"]
]  # fmt: skip


def summary_table(key: str) -> pd.DataFrame:
    table = summary_by(chosen, key).drop(columns="currency")  # one currency is shown at a time
    return table.round({"fine_gold_g": 1, "benchmark_value": 0, "amount_received": 0, "money_vs_benchmark": 0,
                        "premium_pct_weighted": 2, "premium_due_usd": 2, "premium_received_usd": 2})  # fmt: skip


tables = {
    "per_sale": per_sale_numbers,
    "by_buyer": summary_table("buyer"),
    "by_month": summary_table("month"),
    "by_certification": summary_table("certification"),
}
shown_tables = {**tables, "per_sale": per_sale}  # the page shows formatted text; downloads keep numbers
for tab, table in zip(st.tabs([t(name, lang) for name in shown_tables]), shown_tables.values(), strict=True):
    with tab:
        st.dataframe(table, hide_index=True, width="stretch")

# --- waterfall: the period, or one sale
st.subheader(t("waterfall_title", lang))
sale_choice = st.selectbox(
    t("waterfall_sale", lang),
    ["", *chosen["sale_id"].tolist()],
    format_func=lambda sale: sale or t("waterfall_period", lang),
    key="waterfall_sale",
)
steps = waterfall(chosen if not sale_choice else chosen[chosen["sale_id"] == sale_choice])
st.plotly_chart(
    waterfall_figure(
        steps,
        labels={name: t(f"wf_{name}", lang) for name in steps.index},
        title=sale_choice or t("waterfall_period", lang),
        lang=lang,
        currency=currency,
    ),
    config={"displayModeBar": False},
)

# --- certification check and the schedule behind it
st.subheader(t("cert_check", lang))
issues = certification_check(chosen)
if issues.empty:
    st.success(t("cert_check_ok", lang))
else:
    st.warning(t("cert_check_issues", lang, count=len(issues)))
    st.dataframe(
        issues[["date", "sale_id", "certification", "premium_due_usd", "premium_received_usd", "premium_pct",
                "meets_minimum_price"]].round(2),
        hide_index=True,
        width="stretch",
    )  # fmt: skip
with st.expander(t("schedule", lang)):
    st.caption(t("schedule_help", lang))
    edited = st.data_editor(current_schedule(), num_rows="dynamic", hide_index=True, key="schedule_editor")
    if st.button(t("schedule_save", lang), key="schedule_save"):
        try:
            save_schedule(edited)
        except ValueError as error:
            st.error(str(error))
        else:
            st.toast(t("schedule_saved", lang))
            st.rerun()

# --- what if
st.subheader(t("what_if", lang))
priced = chosen_what_if.dropna(subset=["benchmark_value"])
st.write(
    t(
        "what_if_sentence",
        lang,
        received=money(priced["amount_received"].sum()),
        banrep=money(priced["banrep_value"].sum()),
        vs_banrep=money(priced["vs_banrep"].sum()),
        month=money(priced["month_average_value"].sum()),
        vs_month=money(priced["vs_month_average"].sum()),
    )
)

# --- downloads: every table, the chart data, and where the figures come from
about = {
    "cooperative": cooperative,
    "currency": currency,
    "period": f"{format_day(start, lang)} – {format_day(end, lang)}",
    "benchmark": "gold USD/oz (last close on or before the sale date) × FX ÷ 31.1034768",
    "fictional demo data": "yes" if view.is_demo else "no",
}
sheets = {
    **tables,
    "waterfall": steps.rename("value").to_frame(),
    "what_if": chosen_what_if,
    "chart_benchmark": benchmark.rename("benchmark_per_g").to_frame(),
    "certification_check": issues,
}
download_xlsx, download_csv = st.columns(2)
download_xlsx.download_button(
    t("premiums_download_xlsx", lang), excel_bytes(sheets, about=about), f"primas_{currency}.xlsx"
)
download_csv.download_button(
    t("premiums_download_csv", lang),
    csv_bytes(per_sale.set_index(per_sale.columns[0])),
    f"primas_{currency}.csv",
)
