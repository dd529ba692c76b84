"""Buyers: per buyer over a period, the cooperatives and sales, fine gold, the buyer's price against the
benchmark (weighted and median), certification premium owed, and the median across cooperatives.

Thin: the figures come from services/buyers.py (through ui.state's cache), which also decides what a
member may see (their own cooperatives, and k-anonymous medians without names); this file picks the
period, formats and draws. Stored sales only, never the demo ledger.
"""

from datetime import date

import pandas as pd
import streamlit as st

from data.files.exports import csv_bytes
from i18n import DATE_INPUT_FORMAT, N_, format_day, format_number, t
from presentation.sentences import buyers_sentence
from presentation.tables import file_label
from presentation.text import plain_markdown
from ui.figures import buyers_quarter_table, buyers_tables
from ui.page import page_setup
from ui.state import buyers_page_view, stored_sales_days
from ui.style import fitted_table


def csv_button(label: str, frame: pd.DataFrame, stem: str, days: tuple[date, date], key: str) -> None:
    """A CSV of `frame`, named after the period shown."""
    name = f"{stem}_{days[0]:%Y-%m-%d}_{days[1]:%Y-%m-%d}.csv"
    st.download_button(label, lambda: csv_bytes(frame), name, "text/csv", key=key)


lang = page_setup(N_("buyers_title"), N_("buyers_intro")).lang
days = stored_sales_days()
if days is None:
    st.info(t("buyers_none", lang))
    st.stop()

first_day, last_day = days
# the date input's format follows the language, which makes Streamlit rebuild it: the period chosen is
# kept in buyers_days so that a language switch keeps it
kept = st.session_state.get("buyers_days")
within = isinstance(kept, tuple) and len(kept) == 2 and first_day <= kept[0] <= kept[1] <= last_day
period = st.date_input(
    t("buyers_period", lang),
    kept if within else (first_day, last_day),
    first_day,
    last_day,
    key="buyers_period",
    format=DATE_INPUT_FORMAT[lang],
)
start, end = (
    (period[0], period[1]) if isinstance(period, tuple) and len(period) == 2 else (first_day, last_day)
)
st.session_state["buyers_days"] = (start, end)
view = buyers_page_view(start, end)
if not view.rows:
    st.info(t("buyers_empty", lang))
    st.stop()
if view.period is not None:  # a member: whole quarters (disclosure control), said above the figures
    start, end = view.start or start, view.end or end
    cross = list(view.period.get("cross_cooperative_quarters") or [])  # type: ignore[call-overload]
    quarters = list(view.period.get("quarters") or [])  # type: ignore[call-overload]
    note = t(
        "buyers_quarters_note",
        lang,
        quarters=", ".join(quarters),
        start=format_day(start, lang),
        end=format_day(end, lang),
        cross=", ".join(cross) if cross else t("buyers_quarters_none", lang),
    )
    if view.period.get("snapped"):
        note += " " + t("buyers_quarters_snapped", lang)
    st.caption(note)

sentence = buyers_sentence(view, start, end, lang, user_text=plain_markdown)  # buyers' names as text
if sentence:
    st.markdown(sentence)
text, numbers = buyers_tables(view, lang)
fitted_table(text, [t("buyers_col_buyer", lang), t("buyers_col_weighted", lang)], lang, key="buyers_table")
if view.period is not None and view.period.get("per_quarter"):  # a member's range: one figure per quarter
    st.caption(t("buyers_per_quarter_note", lang))
    quarterly, quarterly_numbers = buyers_quarter_table(view, lang)
    if not quarterly.empty:
        fitted_table(quarterly, 3, lang, key="buyers_quarters")  # buyer, quarter, median
        csv_button(
            t("buyers_download_quarters_csv", lang),
            quarterly_numbers,
            file_label("buyers_per_quarter", lang),
            (start, end),
            "buyers_quarters_download",
        )
note_key = N_("buyers_staff_note") if view.names_every_cooperative else N_("buyers_k_note")
st.caption(
    t(
        note_key,
        lang,
        k=view.min_cooperatives,
        share=format_number(view.max_share_pct, lang, 0),
        rounding=format_number(view.rounding_pp, lang, 1),
    )
)
csv_button(
    t("buyers_download_csv", lang),
    numbers,
    file_label("buyers", lang),
    (start, end),
    "buyers_download",
)
