"""Market: gold in the chosen currency and unit over time, performance, FX decomposition, risk, downloads."""

import streamlit as st

from analytics.market import (
    HORIZONS,
    annualised_volatility,
    decompose_local_move,
    drawdown_pct,
    performance_table,
    reference_date,
)
from data.exports import csv_bytes, excel_bytes
from data.series import CURRENCIES
from ui.charts import CURRENCY_COLOURS, GOLD_COLOUR, NEGATIVE_COLOUR, contribution_figure, time_series_figure
from ui.i18n import format_day, format_pct, t, unit_label
from ui.settings import current_settings
from ui.state import local_prices, market_snapshot

settings = current_settings()
lang, currency, unit = settings.language, settings.currency, settings.unit
snapshot = market_snapshot()
local = local_prices(currency, unit)
prices = local["price"].dropna()
unit_name = unit_label(unit, lang)

st.title(t("market_title", lang))
if prices.empty:
    st.error(t("no_price", lang, reason=f"no {currency} exchange rate within 7 days of any gold price"))
    st.stop()

# --- price over time, with a title that states the finding
month = performance_table({"p": prices}).loc["p", "1M"]
title_key = "chart_title_up" if month >= 0 else "chart_title_down"
st.plotly_chart(
    time_series_figure(
        prices,
        title=t(title_key, lang, pct=format_pct(abs(month), lang, signed=False), currency=currency),
        y_title=t("per_unit", lang, currency=currency, unit=unit_name),
        lang=lang,
        currency=currency,
        value_format=",.0f" if prices.iloc[-1] >= 1000 else ",.2f",
    ),
)

# --- performance in USD and every local currency
st.subheader(t("performance", lang))
rows = {t("perf_row_gold_usd", lang): snapshot.gold_usd_per_oz}
for code in CURRENCIES:
    if code != "USD":
        rows[t("perf_row_gold_local", lang, currency=code)] = local_prices(code, "g")["price"]
performance = performance_table(rows)
st.dataframe(performance.map(lambda v: format_pct(v, lang)), width="stretch")

# --- where the local move came from
if currency != "USD":
    st.subheader(t("decomposition", lang, currency=currency))
    period = (
        st.segmented_control(
            t("period", lang), [h for h in HORIZONS if h != "1D"], default="1M", key="decomposition_period"
        )
        or "1M"
    )
    start = reference_date(prices, period)
    if start is not None:
        move = decompose_local_move(local, start, prices.index[-1])
        st.write(
            t(
                "decomp_sentence",
                lang,
                start=format_day(move.start, lang),
                end=format_day(move.end, lang),
                currency=currency,
                local=format_pct(move.local_pct, lang),
                gold=format_pct(move.gold_contribution_pp, lang).replace("%", "pp").replace(" pp", " pp"),
                fx=format_pct(move.fx_contribution_pp, lang).replace("%", "pp"),
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
volatility = annualised_volatility(prices)
drawdown = drawdown_pct(prices)
left, right = st.columns(2)
with left:
    st.subheader(t("volatility", lang))
    st.caption(
        t(
            "volatility_now",
            lang,
            vol=format_pct(volatility.iloc[-1], lang, signed=False),
            median=format_pct(volatility.median(), lang, signed=False),
        )
    )
    st.plotly_chart(
        time_series_figure(
            volatility.resample("W").last(),
            title="",
            y_title="%",
            lang=lang,
            colour=CURRENCY_COLOURS.get(currency, GOLD_COLOUR),
            value_format=".1f",
            height=280,
            range_selector=False,
        ),
        config={"displayModeBar": False},
    )
with right:
    st.subheader(t("drawdown", lang))
    if drawdown.iloc[-1] >= 0:
        st.caption(t("at_peak", lang))
    else:
        peak_date = prices.loc[: prices.index[-1]].idxmax()
        st.caption(
            t(
                "drawdown_now",
                lang,
                dd=format_pct(-drawdown.iloc[-1], lang, signed=False),
                peak_date=format_day(peak_date, lang),
            )
        )
    st.plotly_chart(
        time_series_figure(
            drawdown.resample("W").min(),
            title="",
            y_title="%",
            lang=lang,
            colour=NEGATIVE_COLOUR,
            value_format=".1f",
            height=280,
            range_selector=False,
            fill=True,
        ),
        config={"displayModeBar": False},
    )

# --- downloads of the data shown
shown = local.assign(volatility_30d_pct=volatility, drawdown_pct=drawdown).rename(
    columns={"price": f"price_{currency}_per_{unit}", "fx": f"{currency}_per_USD"}
)
about = {
    "benchmark": "gold USD/oz (last on or before the date) x local currency per USD (last on or before, <= 7 days) / 31.1034768 x grams per unit",
    "gold source": snapshot.source_of("GOLD_USD"),
    "as of": prices.index[-1].strftime("%Y-%m-%d"),
    "demo series (not real prices)": ", ".join(snapshot.demo_series) or "none",
}
downloads = st.columns(2)
downloads[0].download_button(
    t("download_csv", lang),
    lambda: csv_bytes(shown),
    file_name=f"gold_{currency}_{unit}.csv",
    mime="text/csv",
    on_click="ignore",
)
downloads[1].download_button(
    t("download_xlsx", lang),
    lambda: excel_bytes({"prices": shown, "performance": performance}, about),
    file_name=f"gold_{currency}_{unit}.xlsx",
    mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    on_click="ignore",
)
