"""Market: gold in the chosen currency and unit over time, performance, FX decomposition, risk, downloads.

Thin: the numbers come from ui.state.market_page_view (services/market.py) (cached); this file formats and draws.
"""

import streamlit as st

from analytics.market import HORIZONS
from data.files.exports import csv_bytes, excel_bytes
from i18n import (
    N_,
    format_day,
    format_pct,
    format_points,
    horizon_label,
    series_label,
    source_label,
    t,
    unit_label,
)
from presentation.charts import contribution_figure
from presentation.tables import export_frame, file_label, sheet_label
from ui.banner import data_as_of, rate_kind_notice, stop_without_prices
from ui.figures import market_figures
from ui.page import page_setup
from ui.state import market_page_view, price_answer_view, snapshot
from ui.style import fitted_table

lang, currency, unit = page_setup(N_("market_title"))
view = market_page_view(currency, unit)
prices = view.local["price"].dropna()
unit_name = unit_label(unit, lang)

stop_without_prices(prices, price_answer_view(currency, unit).rule, lang)
rate_kind_notice(snapshot(), currency, lang)  # the exchange rate's kind: official, reference or market
data_as_of(view.freshness, lang)

figures = market_figures(currency, unit, lang)
# no toolbar: on a phone it covered the title; the range buttons do the zooming
st.plotly_chart(figures["price"], config={"displayModeBar": False})

# --- performance in USD and every local currency
st.subheader(t("performance", lang))
market = snapshot()


def row_name(code: str) -> str:
    """A row without a (real) exchange rate says so: a demo rate never prices real gold, so such a row is
    missing, never 0 (all-demo data has the full banner)."""
    if code == "GOLD_USD":
        return t("perf_row_gold_usd", lang)
    missing = view.performance_ends.get(code) is None
    return t("perf_row_gold_local", lang, currency=code) + (
        " · " + t("perf_no_rate", lang) if missing else ""
    )


row_names = {code: row_name(code) for code in view.performance.index}
performance_shown = view.performance.rename(index=row_names)
# each row as of its own last day (the as-of day of its currency), that day in its own column
st.caption(t("perf_own_day", lang))
performance_dated = performance_shown.map(lambda v: format_pct(v, lang)).rename(
    columns=lambda code: horizon_label(code, lang)
)
performance_dated.insert(
    0,
    t("col_last", lang),
    [format_day(view.performance_ends.get(code), lang) for code in view.performance.index],
)
fitted_table(
    performance_dated,
    [t("col_last", lang), *(horizon_label(code, lang) for code in ("1W", "1M"))],
    lang,
    key="market_performance",
    index=True,
)

# --- where the local move came from
if currency != "USD":
    st.subheader(t("decomposition", lang, currency=currency))
    periods = [h for h in HORIZONS if h != "1D"]
    period = (
        st.segmented_control(
            t("period", lang),
            periods,
            default="1M",
            format_func=lambda code: horizon_label(code, lang),
            key="decomposition_period",
        )
        or "1M"
    )
    move = view.decompositions[period]
    if move is not None and not move.fx_measured:  # no new rate in the period: missing, not "+0,0 pp"
        st.write(
            t(
                "decomp_sentence_no_fx",
                lang,
                start=format_day(move.start, lang),
                end=format_day(move.end, lang),
                currency=currency,
                local=format_pct(move.local_pct, lang),
                gold=format_pct(move.gold_usd_pct, lang),
            )
        )
    elif move is not None:
        st.write(
            t(
                "decomp_sentence",
                lang,
                start=format_day(move.start, lang),
                end=format_day(move.end, lang),
                currency=currency,
                local=format_pct(move.local_pct, lang),
                gold=format_points(move.gold_contribution_pp, lang),
                fx=format_points(move.fx_contribution_pp, lang),
            )
        )
        st.plotly_chart(
            contribution_figure(
                [t("decomp_gold", lang), t("decomp_fx", lang), t("decomp_total", lang)],
                [move.gold_contribution_pp, move.fx_contribution_pp, move.local_pct],
                t("decomposition", lang, currency=currency),
                lang,
                t("points", lang),
            ),
            config={"displayModeBar": False},
        )

# --- risk: volatility and drawdown (weekly points: enough for the shape, light on a phone)
left, right = st.columns(2)
with left:
    st.subheader(t("volatility", lang))
    st.caption(
        t(
            "volatility_now",
            lang,
            vol=format_pct(view.volatility.iloc[-1], lang, signed=False),
            median=format_pct(view.volatility.median(), lang, signed=False),
        )
    )
    st.plotly_chart(figures["volatility"], config={"displayModeBar": False})
with right:
    st.subheader(t("drawdown", lang))
    if view.drawdown.iloc[-1] >= 0:
        st.caption(t("at_peak", lang))
    else:
        dd = format_pct(-view.drawdown.iloc[-1], lang, signed=False)
        st.caption(t("drawdown_now", lang, dd=dd, peak_date=format_day(view.peak_date, lang)))
    st.plotly_chart(figures["drawdown"], config={"displayModeBar": False})


# --- downloads of the data shown, built only when clicked
def shown_table():
    """The data shown, numbers kept for a spreadsheet, headers in the reader's language."""
    table = view.local.assign(volatility_30d_pct=view.volatility, drawdown_pct=view.drawdown)
    table = export_frame(table.rename_axis("date"), lang)
    return table.rename(
        columns={
            t("col_price", lang): t("per_unit", lang, currency=currency, unit=unit_label(unit, lang)),
            t("col_fx", lang): f"{currency}/USD",
        }
    )


def workbook() -> bytes:
    about = {
        t("src_benchmark", lang): t("src_benchmark_text", lang),
        t("src_gold_source", lang): source_label(market.source_of("GOLD_USD"), lang),
        t("src_as_of", lang): format_day(prices.index[-1], lang),
        t("src_demo_series", lang): ", ".join(series_label(s, lang) for s in market.demo_series)
        or t("none_word", lang),
    }
    performance = view.performance.rename(columns=lambda code: horizon_label(code, lang), index=row_names)
    performance.insert(
        0, t("col_last", lang), [view.performance_ends.get(code) for code in view.performance.index]
    )
    return excel_bytes(
        {sheet_label("prices", lang): shown_table(), sheet_label("performance", lang): performance},
        about,
        about_header=(t("col_item", lang), t("col_value", lang)),
        about_sheet=sheet_label("about", lang),
    )


downloads = st.columns(2)
downloads[0].download_button(
    t("download_csv", lang),
    lambda: csv_bytes(shown_table()),
    file_name=f"{file_label('gold', lang)}_{currency}_{unit}.csv",
    mime="text/csv",
    on_click="ignore",
)
downloads[1].download_button(
    t("download_xlsx", lang),
    workbook,
    file_name=f"{file_label('gold', lang)}_{currency}_{unit}.xlsx",
    mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    on_click="ignore",
)
