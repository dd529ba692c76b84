"""Briefing: a written summary, the multi-country table and the charts for a period, downloadable as one
self-contained HTML file (prints to PDF) and as an Excel workbook.

Thin: numbers from ui.state.briefing_for (services/briefing.py), words and files from presentation/briefing_report.py.
"""

import pandas as pd
import streamlit as st

from analytics.briefing import BRIEFING_CURRENCIES, PeriodError, default_period, parse_period
from i18n import DATE_INPUT_FORMAT, N_, error_text, format_day, month_label, t
from presentation.briefing_report import (
    briefing_figures,
    briefing_html,
    briefing_xlsx,
    country_table,
    summary_paragraphs,
)
from presentation.tables import column_label, display_frame, file_label
from presentation.text import plain_markdown
from ui.banner import data_as_of
from ui.page import page_setup
from ui.state import briefing_for, briefing_periods_view, price_answer_view, snapshot
from ui.style import fitted_table

PERIOD_KINDS = {
    "week": N_("briefing_week"),
    "month": N_("briefing_month"),
    "quarter": N_("briefing_quarter"),
    "custom": N_("briefing_custom"),
}


setup = page_setup(N_("briefing_title"))
lang = setup.lang
last_day = snapshot().gold_usd_per_oz.index[-1]

# the as-of day of the currency shown, as every other page has it (not gold's own last day)
data_as_of(price_answer_view(setup.currency, "g").rule.freshness, lang)
kind_column, when_column = st.columns([1, 2])
kind = (
    kind_column.segmented_control(
        t("briefing_kind", lang),
        ["week", "month", "quarter", "custom"],
        default="month",
        format_func=lambda name: t(PERIOD_KINDS[name], lang),
        key="briefing_kind",
    )
    or "month"
)
if kind == "custom":
    chosen = when_column.date_input(
        t("premiums_period", lang),
        (last_day - pd.Timedelta(days=30), last_day),
        max_value=last_day,
        format=DATE_INPUT_FORMAT[lang],
        key="briefing_dates",
    )
    first, last = (
        (chosen[0], chosen[1]) if isinstance(chosen, tuple) and len(chosen) == 2 else (last_day, last_day)
    )
    period_text = f"{pd.Timestamp(first):%Y-%m-%d}:{pd.Timestamp(last):%Y-%m-%d}"
else:
    coverage = briefing_periods_view(kind)  # every period with data, not only the last twelve
    labels = {
        "week": lambda p: f"{p.start_time:%G-W%V}",
        "month": lambda p: p.strftime("%Y-%m"),
        "quarter": lambda p: f"{p.year}-Q{p.quarter}",
    }[kind]
    newest_first = list(coverage.index)[::-1] or list(pd.period_range(end=last_day, periods=1, freq="M"))
    # by default the latest complete period with data for the most countries
    chosen_period = default_period(coverage)
    complete = newest_first.index(chosen_period) if chosen_period in newest_first else 0
    shown = {  # what the reader sees: "octubre 2026", "semana del 5 oct 2026", "T3 2026"
        "week": lambda p: t("briefing_week_of", lang, day=format_day(p.start_time, lang)),
        "month": lambda p: month_label(p, lang),
        "quarter": lambda p: t("briefing_quarter_label", lang, quarter=p.quarter, year=p.year),
    }[kind]
    countries = coverage["countries"].to_dict()
    by_text = {labels(p): p for p in newest_first}

    def period_label(text: str) -> str:
        period = by_text[text]
        count = int(countries.get(period, 0))
        return t(
            "briefing_period_countries",
            lang,
            label=shown(period),
            count=count,
            total=len(BRIEFING_CURRENCIES),
        )

    period_text = when_column.selectbox(
        t("briefing_which", lang),
        list(by_text),
        index=complete,
        format_func=period_label,
        key=f"briefing_{kind}_pick",
    )
try:
    start, end, period_kind = parse_period(period_text)
    with st.spinner(t("briefing_running", lang)):
        briefing = briefing_for(start, end, period_kind)
except (PeriodError, ValueError) as error:
    st.error(t("briefing_failed", lang, reason=plain_markdown(error_text(error, lang))))
    st.stop()

for paragraph in summary_paragraphs(briefing, lang, user_text=plain_markdown):  # names shown as text
    st.write(paragraph)

st.subheader(t("briefing_countries", lang))
fitted_table(country_table(briefing, lang), 3, lang, key="briefing_countries")

for figure in briefing_figures(briefing, lang).values():
    st.plotly_chart(figure, config={"displayModeBar": False})

if briefing.premiums_by_cooperative is not None and not briefing.premiums_by_cooperative.empty:
    st.subheader(t("briefing_premiums", lang))
    premium_table = display_frame(briefing.premiums_by_cooperative, lang)
    fitted_table(
        premium_table,
        [column_label("cooperative", lang), column_label("premium_pct_weighted", lang)],
        lang,
        key="briefing_premiums",
    )
    if briefing.under_minimum is not None and not briefing.under_minimum.empty:
        st.warning(t("briefing_under_minimum", lang))
        st.dataframe(display_frame(briefing.under_minimum, lang), hide_index=True, width="stretch")

html_column, xlsx_column = st.columns(2)
name = f"{file_label('briefing', lang)}_{period_text.replace(':', '_')}_{lang}"
html_column.download_button(
    t("briefing_download_html", lang), lambda: briefing_html(briefing, lang), f"{name}.html", "text/html"
)
xlsx_column.download_button(
    t("briefing_download_xlsx", lang), lambda: briefing_xlsx(briefing, lang), f"{name}.xlsx"
)
