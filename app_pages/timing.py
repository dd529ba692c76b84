"""Sell timing: today's reading with its reasons, the signals behind it, seasonality, the forecast's
probability, and the policy backtest that says whether any of it would have helped.

Thin: the numbers come from ui.state.timing_page_view (services/timing.py) (analytics/timing.py, cached by data and inputs).
"""

import pandas as pd
import streamlit as st

from analytics.timing import HOLD, POLICIES, SELL_NOW, SELL_PART, PolicySettings
from i18n import N_, error_text, format_day, format_number, format_pct, month_names, reason_text, t, tn
from i18n.keys import INDICATOR, POLICY, RECOMMENDATION
from ui.banner import data_as_of
from ui.figures import timing_figures
from ui.inputs import number_field
from ui.page import page_setup
from ui.state import timing_page_view
from ui.style import fitted_table

RECOMMENDATION_ICONS = {
    SELL_NOW: ":material/sell:",
    SELL_PART: ":material/call_split:",
    HOLD: ":material/pause_circle:",
}
CHART_DAYS = 500  # about two years of daily indicators in the small charts

lang, currency, _ = page_setup(N_("timing_title"), N_("timing_intro"))

grams_column, hold_column, cost_column, share_column = st.columns(4)
weekly_grams = number_field(
    t("timing_weekly_grams", lang),
    1000.0,
    lang,
    key="timing_grams",
    digits=0,
    min_value=1.0,
    container=grams_column,
)
max_hold = hold_column.slider(t("timing_max_hold", lang), 0, 90, 30, key="timing_hold")
cost = number_field(
    t("timing_cost", lang),
    0.5,
    lang,
    key="timing_cost",
    digits=1,
    min_value=0.0,
    max_value=10.0,
    help=t("timing_cost_help", lang),
    container=cost_column,
)
share = share_column.slider(t("timing_hold_share", lang), 0, 100, 100, 10, format="%d %%", key="timing_share")
policy_settings = PolicySettings(
    weekly_grams=float(weekly_grams),
    max_hold_days=int(max_hold),
    holding_cost_pct_month=float(cost),
    hold_share=share / 100,
)

try:
    view = timing_page_view(currency, policy_settings)
except ValueError as error:
    st.error(t("timing_failed", lang, reason=error_text(error, lang)))
    st.stop()
signal = view.signal
data_as_of(view.freshness, lang)


# --- today's reading
label = t(RECOMMENDATION[signal.recommendation], lang, days=max_hold)
with st.container(border=True):
    header = (
        N_("rec_header") if view.freshness.is_today else N_("rec_header_stale")
    )  # an old reading is not today's
    st.caption(t(header, lang, day=format_day(signal.date, lang)))
    st.subheader(f"{RECOMMENDATION_ICONS[signal.recommendation]} {label}")
    st.write(t("rec_confidence", lang, pct=format_pct(signal.confidence * 100, lang, digits=0, signed=False)))
    if signal.recommendation == SELL_PART:  # "0 %" beside "sell part" needs its sentence
        st.caption(t("rec_confidence_sell_part", lang))
    if signal.reasons:
        st.markdown("\n".join(f"- {reason_text(reason, lang)}" for reason in signal.reasons))
    else:
        day = format_day(signal.date, lang)
        st.write(
            t("rec_no_reasons", lang) if view.freshness.is_today else t("rec_no_reasons_stale", lang, day=day)
        )

# --- the signals behind it
st.subheader(t("indicators_header", lang))
percent_rows = ("vs_ma50_pct", "vs_ma200_pct", "momentum_1m_pct", "momentum_3m_pct", "momentum_6m_pct",
                "momentum_12m_pct", "volatility_20d_pct")  # fmt: skip
share_rows = (
    "percentile_1y",
    "percentile_3y",
    "volatility_percentile_1y",
    "fx_position_1y",
    "probability_higher",
)
rows = []
for name in (
    *share_rows[:2],
    *percent_rows[:2],
    *percent_rows[2:6],
    "rsi14",
    *percent_rows[6:],
    *share_rows[2:],
):
    value = signal.indicators.get(name)
    if value is None:
        continue
    if name in percent_rows:
        shown = format_pct(value, lang, signed=name != "volatility_20d_pct")
    elif name in share_rows:
        shown = format_pct(value * 100, lang, digits=0, signed=False)
    else:
        shown = format_number(value, lang, 0)
    rows.append({t("col_signal", lang): t(INDICATOR[name], lang), t("col_value", lang): shown})
st.table(pd.DataFrame(rows).set_index(t("col_signal", lang)))  # two columns that wrap: fits a phone

figures = timing_figures(currency, policy_settings, lang)
price_column, rsi_column = st.columns(2)
price_column.plotly_chart(figures["price"], config={"displayModeBar": False})
rsi_column.plotly_chart(figures["rsi"], config={"displayModeBar": False})

# --- seasonality, as weak evidence
st.subheader(t("seasonality_header", lang))
months = month_names(lang)
table = view.seasonality
failures = " ".join(
    tn(
        "seasonality_failed",
        len(row.years_against),
        lang,
        month=months[row.month - 1],
        years=row.years,
        list=", ".join(str(year) for year in row.years_against[-6:])
        + ("…" if len(row.years_against) > 6 else ""),
    )
    if row.years_against
    else t("seasonality_failed_never", lang, month=months[row.month - 1], years=row.years)
    for row in table.itertuples()
    if row.significant
)
st.plotly_chart(figures["seasonality"], config={"displayModeBar": False})
st.caption(t("seasonality_note", lang, failed=failures))

# --- the forecast's view
st.subheader(t("forecast_view_header", lang))
st.write(
    t(
        "forecast_view_sentence",
        lang,
        cost=format_number(cost, lang, 1),
        pct=format_pct(signal.probability_higher * 100, lang, digits=0, signed=False),
        reference=t("price_reference_on", lang, day=format_day(signal.date, lang))
        if not view.freshness.is_today  # only today's price is "today's"
        else t("price_reference_today", lang),
    )
)

# --- would it have helped?
st.subheader(t("backtest_header", lang))
for policy in POLICIES:
    result = view.policies[policy]
    low, high = result.uplift_ci95
    verdict = (
        N_("verdict_better") if low > 0 else (N_("verdict_worse") if high < 0 else N_("verdict_unclear"))
    )
    worst = result.worst_year or {"year": 0, "uplift_pct": float("nan")}
    st.write(
        t(
            "policy_sentence",
            lang,
            policy=t(POLICY[policy], lang),
            lots=len(result.lots),
            first=format_day(result.lots["produced"].min(), lang),
            last=format_day(result.lots["produced"].max(), lang),
            uplift=format_pct(result.uplift_pct, lang, digits=2),
            low=format_pct(low, lang, digits=2),
            high=format_pct(high, lang, digits=2),
            worst_year=worst["year"],
            worst=format_pct(worst["uplift_pct"], lang, digits=2),
            verdict=t(verdict, lang),
        )
    )
st.plotly_chart(figures["lots"], config={"displayModeBar": False})
by_year = pd.DataFrame({t("col_year", lang): view.policies["signal"].by_year["year"].astype(int)})
for policy in POLICIES:
    by_year[t(POLICY[policy], lang)] = (
        view.policies[policy]
        .by_year["uplift_pct"]
        .map(lambda value: format_pct(value, lang, digits=2))
        .to_numpy()
    )
st.caption(t("by_year_header", lang))
fitted_table(by_year.iloc[::-1], 2, lang, key="timing_by_year")
