"""Premiums: each sale against the benchmark, summaries, waterfall, certification check, what-if, downloads.

Thin: the arithmetic is analytics/premiums.py (through services/premiums.py and ui.state's caches); this file picks the
period and currency, formats and draws.
"""

import pandas as pd
import streamlit as st

from analytics.premiums import CERTIFICATIONS, premium_owed_by_buyer, waterfall
from data.files.exports import csv_bytes, excel_bytes
from i18n import (
    DATE_INPUT_FORMAT,
    N_,
    format_day,
    format_grams,
    format_money,
    format_number,
    format_pct,
    t,
    tn,
)
from i18n.keys import CERTIFICATION, WATERFALL
from presentation.sentences import premiums_sentence
from presentation.tables import column_label, display_frame, export_frame, file_label, sale_label, sheet_label
from presentation.text import plain_markdown
from ui.banner import example_ledger_switch, rate_kind_notice
from ui.figures import (
    CHART_DOTS,
    SHOWN_SALE_ROWS,
    premium_price_figure,
    premium_tables,
    premium_waterfall_figure,
)
from ui.page import page_setup
from ui.settings import current_cooperative
from ui.state import (
    current_schedule,
    ledger_presence,
    local_price_table,
    may_manage,
    premium_page_selection,
    premiums,
    save_schedule,
    snapshot,
)
from ui.style import fitted_table

#: Rows of a per-sale table drawn on the page (the latest ones); the downloads hold every row.
TABLE_ROWS = SHOWN_SALE_ROWS
#: The tabs of the sale-by-sale and summary tables (ui.figures.premium_tables' names).
TABLE_TABS = {
    "per_sale": N_("per_sale"),
    "by_buyer": N_("by_buyer"),
    "by_month": N_("by_month"),
    "by_certification": N_("by_certification"),
}


lang = page_setup(N_("premiums_title"), N_("premiums_intro")).lang
cooperative = current_cooperative()
view = ledger_presence()  # whose sales, without reading them (premiums() reads the selection)
bounds = premiums(cooperative).bounds

example_ledger_switch(view, lang)
if bounds is None:
    if view.has_stored_sales:
        st.info(t("premiums_none", lang))
    st.stop()

# --- period and currency
first_day, last_day, currencies = bounds
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
currency = currency_column.selectbox(t("premiums_currency", lang), currencies, key="premiums_currency")
selection = premium_page_selection(cooperative, currency, start, end)
chosen = selection.sales
if chosen.empty:
    st.info(t("premiums_none", lang))
    st.stop()
unpriced = int(chosen["benchmark_price_per_g"].isna().sum())
if unpriced:
    st.warning(tn("premiums_unpriced", unpriced, lang))
if unpriced == len(chosen):  # nothing to compare: empty figures would only puzzle
    st.stop()
review = selection.review
if not review.empty:
    st.warning(
        tn(
            "premiums_review",
            len(review),
            lang,
            sales=", ".join(
                f"{plain_markdown(sale_label(row.sale_id, row.date, row.buyer, lang))} "
                f"({format_pct(row.premium_pct, lang, 0)})"
                for row in review.itertuples()
            ),
        )
    )


def money(value: float) -> str:
    return format_money(value, currency, lang)


# --- one plain sentence first, then the three numbers
summary = selection.summary
owed = premium_owed_by_buyer(chosen)
st.markdown(premiums_sentence(summary, owed, lang))
rate_kind_notice(snapshot(), currency, lang)  # the benchmark's exchange rate: official, reference or market
with st.expander(t("premiums_how", lang)):
    st.markdown(t("premiums_how_text", lang))

buyer_column, net_column, all_in_column, cert_column = st.columns(4)
buyer_column.metric(
    t("metric_buyer_price", lang),
    format_pct(summary.buyer_price_pct_weighted, lang),
    help=t("metric_buyer_price_help", lang, median=format_pct(summary.buyer_price_pct_median, lang)),
)
net_column.metric(
    t("metric_net", lang), format_pct(summary.premium_pct_weighted, lang), help=t("metric_premium_help", lang)
)
all_in_column.metric(t("metric_all_in", lang), format_pct(summary.all_in_pct_weighted, lang))
cert_column.metric(
    t("metric_cert_premium", lang),
    f"{format_number(summary.premium_received_usd, lang, 0)} USD",
    delta=t("metric_cert_vs_due", lang, due=format_number(summary.premium_due_usd, lang, 0)),
    delta_color="normal" if summary.premium_received_usd >= summary.premium_due_usd - 1 else "inverse",
    delta_arrow="off",
)
fine_column, money_column = st.columns(2)
fine_column.metric(t("metric_fine_gold", lang), format_grams(summary.fine_gold_g, lang))
money_column.metric(t("metric_vs_benchmark", lang), money(summary.money_vs_benchmark))
if not owed.empty:
    st.subheader(t("owed_by_buyer", lang))
    owed_table = display_frame(owed, lang)
    fitted_table(owed_table, [owed_table.columns[0], owed_table.columns[2]], lang, key="premiums_owed")

# --- realised vs benchmark over time (figures and tables are cached per selection and language)
view_key = (cooperative, currency, start, end, lang)
st.plotly_chart(premium_price_figure(*view_key), config={"displayModeBar": False})
charted = int((chosen["benchmark_price_per_g"].notna() & ~chosen["needs_review"]).sum())
st.caption(t("chart_size_note_grouped", lang) if charted > CHART_DOTS else t("chart_size_note", lang))


# --- tables: sale by sale, and summaries
tables = premium_tables(*view_key)
per_sale_numbers = tables["per_sale"]
shown_tables = {**tables, "per_sale": tables["per_sale_text"]}  # the page shows text; downloads keep numbers
del shown_tables["per_sale_text"]
for tab, (name, table) in zip(
    st.tabs([t(TABLE_TABS[name], lang) for name in shown_tables]), shown_tables.items(), strict=True
):
    with tab:
        shown = table if name == "per_sale" else display_frame(table.tail(TABLE_ROWS), lang, currency)
        shown = shown.tail(TABLE_ROWS)
        phone = [shown.columns[0], t("col_premium_pct", lang)] if name == "per_sale" else 2
        fitted_table(shown, phone, lang, key=f"premiums_{name}")
        rows = len(per_sale_numbers) if name == "per_sale" else len(table)  # the text holds the latest only
        if rows > TABLE_ROWS:  # a big ledger: the latest rows here, every row in the downloads
            st.caption(t("table_latest_rows", lang, shown=format_number(TABLE_ROWS, lang, 0),
                         count=format_number(rows, lang, 0)))  # fmt: skip

near = per_sale_numbers[
    (per_sale_numbers["minimum_state"] == "near") & (per_sale_numbers["certification"] != "none")
]
if not near.empty:  # the flag's reason on the page, not only in the CLI
    band = format_number(float(near["minimum_near_pp"].max()), lang, 1)
    st.info(tn("premiums_near_reason", len(near), lang, band=band), icon=":material/balance:")

# --- waterfall: the period, or one sale
latest = chosen.tail(TABLE_ROWS)  # the sales the table shows (not 100,000 labels on every rerun)
sale_names = {row.sale_id: sale_label(row.sale_id, row.date, row.buyer, lang) for row in latest.itertuples()}
st.subheader(t("waterfall_title", lang))
sale_choice = st.selectbox(
    t("waterfall_sale", lang),
    ["", *latest["sale_id"].tolist()],
    format_func=lambda sale: sale_names.get(sale, sale) or t("waterfall_period", lang),
    key="waterfall_sale",
)
steps = selection.waterfall if not sale_choice else waterfall(chosen[chosen["sale_id"] == sale_choice])
st.plotly_chart(premium_waterfall_figure(*view_key, sale_choice), config={"displayModeBar": False})

# --- certification check and the schedule behind it
st.subheader(t("cert_check", lang))
issues = selection.issues
if issues.empty:
    st.success(t("cert_check_ok", lang))
else:
    st.warning(tn("cert_check_issues", len(issues), lang))
    issue_table = display_frame(
        issues[
            [
                "date",
                "sale_id",
                "certification",
                "premium_due_usd",
                "premium_received_usd",
                "premium_pct",
                "meets_minimum_price",
            ]
        ].tail(TABLE_ROWS),
        lang,
    )
    fitted_table(issue_table, [issue_table.columns[i] for i in (0, 2, 3)], lang, key="premiums_issues")  # fmt: skip
    if len(issues) > TABLE_ROWS:
        st.caption(t("table_latest_rows", lang, shown=format_number(TABLE_ROWS, lang, 0),
                     count=format_number(len(issues), lang, 0)))  # fmt: skip
with st.expander(t("schedule", lang)):
    st.caption(t("schedule_help", lang))
    if not may_manage():  # the schedule applies to every cooperative: members read it, staff change it
        st.dataframe(display_frame(current_schedule(), lang), hide_index=True)
    else:
        # certifications by name and days as the language writes them; codes again when saved
        names = {code: t(CERTIFICATION[code], lang) for code in CERTIFICATIONS if code != "none"}
        schedule = current_schedule()
        edited = st.data_editor(
            schedule.assign(certification=schedule["certification"].map(lambda c: names.get(c, c))),
            num_rows="dynamic",
            hide_index=True,
            key="schedule_editor",
            column_config={
                "certification": st.column_config.SelectboxColumn(
                    column_label("certification", lang), options=list(names.values()), required=True
                ),
                "valid_from": st.column_config.DateColumn(
                    column_label("valid_from", lang), format=DATE_INPUT_FORMAT[lang], required=True
                ),
                "usd_per_kg_fine": column_label("usd_per_kg_fine", lang),
                "pct_of_benchmark": column_label("pct_of_benchmark", lang),
            },
        )
        codes = {name: code for code, name in names.items()}
        if st.button(t("schedule_save", lang), key="schedule_save"):
            try:
                save_schedule(
                    edited.assign(certification=edited["certification"].map(lambda n: codes.get(n, n)))
                )
            except ValueError as error:
                st.error(plain_markdown(error))
            else:
                st.toast(t("schedule_saved", lang))
                st.rerun()

# --- what if
st.subheader(t("what_if", lang))
priced = selection.what_if
buyers = priced["reference_buyer"].dropna().unique()
if len(buyers) == 1:  # one currency is shown: its reference buyer, if it has one
    buyer_share = priced["reference_value"].sum() / priced["benchmark_value"].sum()
    st.write(
        t(
            "what_if_sentence",
            lang,
            received=money(priced["amount_received"].sum()),
            buyer=buyers[0],
            share=format_pct(buyer_share * 100, lang, digits=0, signed=False),
            reference=money(priced["reference_value"].sum()),
            vs_reference=money(priced["vs_reference"].sum()),
            month=money(priced["month_average_value"].sum()),
            vs_month=money(priced["vs_month_average"].sum()),
        )
    )
else:  # no Banco de la República outside Colombia, unless a buyer is configured for the currency
    st.write(
        t(
            "what_if_sentence_no_buyer",
            lang,
            received=money(priced["amount_received"].sum()),
            month=money(priced["month_average_value"].sum()),
            vs_month=money(priced["vs_month_average"].sum()),
            currency=currency,
        )
    )

# --- downloads: every table, the chart data, and where the figures come from
about = {
    t("field_cooperative", lang): cooperative,
    t("field_currency", lang): currency,
    t("premiums_period", lang): f"{format_day(start, lang)} – {format_day(end, lang)}",
    t("chart_benchmark_line", lang): t("benchmark_rule", lang),
    t("about_demo", lang): t(N_("yes") if view.is_demo else N_("no"), lang),
}


def sheets() -> dict[str, pd.DataFrame]:
    """Every table as a sheet: built when the download is clicked (100,000 sales take seconds)."""
    return {
        sheet_label(name, lang): export_frame(table, lang)
        for name, table in {
            **{name: table for name, table in tables.items() if name != "per_sale_text"},
            "waterfall": steps.rename(index=lambda step: t(WATERFALL[step], lang)).rename("value").to_frame(),
            "what_if": selection.what_if,
            "chart_benchmark": local_price_table(currency, "g")[["price"]].rename(
                columns={"price": "benchmark_price_per_g"}
            ),
            "certification_check": issues,
        }.items()
    }


stem = f"{file_label('premiums', lang)}_{currency}"
download_xlsx, download_csv = st.columns(2)
download_xlsx.download_button(
    t("premiums_download_xlsx", lang),
    lambda: excel_bytes(
        sheets(),
        about=about,
        about_header=(t("col_item", lang), t("col_value", lang)),
        about_sheet=sheet_label("about", lang),
    ),
    f"{stem}.xlsx",
)
download_csv.download_button(
    t("premiums_download_csv", lang),
    lambda: csv_bytes(export_frame(per_sale_numbers.set_index("date"), lang)),
    f"{stem}.csv",
)
