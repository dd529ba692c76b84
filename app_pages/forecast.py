"""Forecast: a fan chart beside the no-change line, and the backtest that says how far to trust it.

Thin: the backtest and forecast come from ui.state.forecast_page_view (services/forecast.py: the backtest is
read from the store, measured there after an import; only a target or horizon never measured runs here, with
progress); this file picks the target, formats and draws.
"""

from datetime import UTC, datetime

import pandas as pd
import streamlit as st

from analytics.forecast import MODEL_NAMES, RANDOM_WALK, BacktestError
from data.files.exports import csv_bytes, excel_bytes
from data.market.series import GOLD_SERIES, fx_series_for, local_price_id
from i18n import N_, error_text, format_day, format_money, format_number, format_pct, t, unit_label
from i18n.keys import MODEL, MODEL_PLAIN
from presentation.sentences import relative_error_text
from presentation.tables import export_frame, file_label, sheet_label
from ui.banner import data_as_of
from ui.figures import forecast_figures
from ui.page import page_setup
from ui.state import forecast_page_view

lang, currency, unit = page_setup(N_("forecast_title"), N_("forecast_intro"))

# --- what to forecast, how far, with which model
targets = {
    local_price_id(currency, unit): t("target_local", lang, currency=currency, unit=unit_label(unit, lang))
}
if currency != "USD":
    targets[GOLD_SERIES] = t("target_gold_usd", lang)
    targets[str(fx_series_for(currency))] = t("target_fx", lang, currency=currency)
target_column, horizon_column, model_column = st.columns([2, 2, 2])
target_id = target_column.selectbox(
    t("forecast_target", lang), list(targets), format_func=targets.__getitem__, key="forecast_target"
)
horizon = horizon_column.slider(t("forecast_horizon", lang), 1, 60, 20, key="forecast_horizon")
model_choice = model_column.selectbox(
    t("forecast_model", lang),
    ["auto", *MODEL_NAMES],
    format_func=lambda name: t(MODEL_PLAIN[name], lang),
    key="forecast_model",
)
target_currency = "USD" if target_id == GOLD_SERIES else currency
chosen_model = None if model_choice == "auto" else model_choice


def measured_text(moment: datetime) -> str:
    """When the backtest was run: the day and the UTC time (the store keeps it in UTC)."""
    return f"{format_day(moment, lang)}, {moment.astimezone(UTC):%H:%M} UTC"


def model_label(name: str) -> str:
    """A model as the plain part names it ("Sin cambio", not "paseo aleatorio"; no "ARIMA")."""
    return t(MODEL_PLAIN[name], lang)


def technical_model_label(name: str) -> str:
    """Inside "Detalles técnicos": the plain name, then the technical one when they differ."""
    plain, technical = model_label(name), t(MODEL[name], lang)
    return technical if technical.startswith(plain) else f"{plain} ({technical})"


def money(value: float) -> str:
    """Gold and exchange rates alike are an amount of the target's currency (pesos per dollar too)."""
    return format_money(value, target_currency, lang)


# --- the backtest, then the forecast (cached; progress only when it actually runs)
with st.status(t("forecast_running", lang), expanded=True) as status:
    try:
        view = forecast_page_view(target_id, horizon, chosen_model)
    except (BacktestError, ValueError) as error:
        status.update(state="error")
        st.error(t("forecast_failed", lang, reason=error_text(error, lang)))
        st.stop()
    data_day = format_day(view.forecast.origin, lang)  # the last date of the series forecast
    folds, seconds = view.backtest.folds, format_number(view.backtest_seconds, lang, 1)
    # plain words on the status; when it was measured (UTC) and how long it took go to "Detalles técnicos"
    status.update(
        label=t("forecast_tested_plain", lang, day=data_day, folds=folds), state="complete", expanded=False
    )
measured_sentence = (
    t(
        "forecast_measured",
        lang,
        measured=measured_text(view.measured_at),
        day=data_day,
        folds=folds,
        seconds=seconds,
    )
    if view.measured_at is not None
    else t("forecast_measured_now", lang, day=data_day, folds=folds, seconds=seconds)
)

backtest, forecast = view.backtest, view.forecast
frame = forecast.frame()
score = backtest.score(view.model)

# --- headline numbers
today_column, expected_column = st.columns(2)
data_as_of(view.freshness, lang)
last_key = (
    N_("forecast_today") if view.freshness.is_today else N_("forecast_last_data")
)  # a stale price is not "today"
today_column.metric(t(last_key, lang, day=format_day(forecast.origin, lang)), money(view.history.iloc[-1]))
last = frame.iloc[-1]
change_pct = (last["mean"] / view.history.iloc[-1] - 1) * 100
expected_column.metric(
    t("forecast_expected", lang, day=format_day(frame.index[-1], lang)),
    money(last["mean"]),
    delta=None if view.model == RANDOM_WALK else format_pct(change_pct, lang),
    delta_color="off",
)
expected_column.caption(t("forecast_range_80", lang, lo=money(last["lo_80"]), hi=money(last["hi_80"])))
if view.freshness.stale:  # an old last price: the forecast speaks from that day, and may already be past
    target_day = format_day(frame.index[-1], lang)
    st.info(t("forecast_from_old", lang, horizon=horizon, day=format_day(forecast.origin, lang)))
    if frame.index[-1] < view.freshness.today:
        st.warning(t("forecast_horizon_passed", lang, target=target_day), icon="⚠️")

figures = forecast_figures(target_id, horizon, chosen_model, lang, targets[target_id], target_currency)
st.plotly_chart(figures["fan"], config={"displayModeBar": False})


def share_pct(share: float | None) -> str:
    """A coverage (a share of 1) as a whole percent; a dash when the backtest could not measure it."""
    return "–" if share is None else format_pct(share * 100, lang, digits=0, signed=False)


# --- how good are these forecasts?
st.subheader(t("skill_header", lang))
first_origin, last_origin = backtest.first_origin, backtest.last_origin
months = max(1, round((backtest.last_target - first_origin).days / 30.44))
coverage = share_pct(score.coverage_80)
technical: list[str] = [measured_sentence]  # the tests' names and numbers: only in "Detalles técnicos"
if model_choice != "auto":
    st.info(
        t("skill_forced", lang, model=model_label(view.model), relative=relative_error_text(score.rmae, lang))
    )
if backtest.random_walk_wins:
    rw = backtest.score(RANDOM_WALK)
    st.write(
        t(
            "skill_random_walk",
            lang,
            months=months,
            horizon=horizon,
            mape=format_pct(rw.mape_pct, lang, signed=False),
            coverage=share_pct(rw.coverage_80),
            day=data_day,
        )
    )
    closest = min(
        (s for s in backtest.scores if s.dm_p_value_interval is not None and s.interval_score_80),
        key=lambda s: s.interval_score_80 or 0.0,
        default=None,
    )
    if closest is not None and rw.interval_score_80:
        st.write(
            t(
                "skill_no_model_beat",
                lang,
                model=model_label(closest.name),
                ratio=format_number((closest.interval_score_80 or 0.0) / rw.interval_score_80, lang, 2),
                day=data_day,
            )
        )
        technical.append(
            t(
                "skill_no_model_beat_technical",
                lang,
                model=technical_model_label(closest.name),
                rmae=format_number(closest.rmae or 1, lang, 3),
                p=format_number(closest.dm_p_value_interval, lang, 3),
            )
        )
else:
    selected = backtest.score(backtest.selected)
    st.write(
        t(
            "skill_sentence",
            lang,
            months=months,
            horizon=horizon,
            model=model_label(backtest.selected),
            mape=format_pct(selected.mape_pct, lang, signed=False),
            gain=format_pct((1 - (selected.rmae or 1)) * 100, lang, signed=False),
            coverage=share_pct(selected.coverage_80),
        )
    )
    st.write(t("skill_tested", lang))
    technical.append(t("skill_tested_technical", lang, p=format_number(backtest.skill_p_value, lang, 3)))
st.caption(t("skill_meaning", lang))

leaderboard = pd.DataFrame(
    [
        {
            t("col_model", lang): technical_model_label(s.name)
            + (" ✓ " + t("selected_mark", lang) if s.name == backtest.selected else ""),
            t("col_rmae", lang): format_number(s.rmae, lang, 3) if s.rmae is not None else "–",
            t("col_mase", lang): format_number(s.mase, lang, 2) if s.mase is not None else "–",
            t("col_mape", lang): format_pct(s.mape_pct, lang, signed=False),
            t("col_coverage_80", lang): share_pct(s.coverage_80),
            t("col_coverage_95", lang): share_pct(s.coverage_95),
            t("col_width_80", lang): format_pct(s.width_80_pct, lang, signed=False),
            t("col_interval_score_80", lang): money(s.interval_score_80)
            if s.interval_score_80 is not None
            else "–",
            t("col_p_value", lang): "–"
            if s.dm_p_value_interval is None
            else format_number(s.dm_p_value_interval, lang, 3),
            t("col_dm_p_value", lang): format_number(s.dm_p_value, lang, 3)
            if s.dm_p_value is not None
            else "–",
            t("col_coverage_80_model", lang): "–"
            if s.coverage_80_model is None
            else share_pct(s.coverage_80_model),
            t("col_seconds", lang): format_number(s.seconds, lang, 1),
        }
        for s in backtest.scores
    ]
)
with st.expander(t("technical_details", lang), icon=":material/science:"):
    for sentence in technical:
        st.write(sentence)
    st.dataframe(leaderboard, hide_index=True, width="stretch")
    st.caption(
        t(
            "leaderboard_caption",
            lang,
            folds=backtest.folds,
            first=format_day(first_origin, lang),
            last=format_day(last_origin, lang),
            step=backtest.step,
        )
    )
    st.plotly_chart(figures["error_by_horizon"], config={"displayModeBar": False})

# --- downloads
csv_column, excel_column = st.columns(2)
csv_column.download_button(
    t("download_forecast", lang),
    lambda: csv_bytes(export_frame(frame.rename_axis("date"), lang)),
    file_name=f"{file_label('forecast', lang)}_{target_id}_{horizon}d.csv",
    mime="text/csv",
)


def scores_frame() -> pd.DataFrame:
    """The backtest's scores for the download: built only when the file is asked for, not on every rerun."""
    frame = pd.DataFrame([s.as_json() for s in backtest.scores]).drop(
        columns=["rmae_by_horizon", "description", "interval_method"], errors="ignore"
    )
    frame["name"] = frame["name"].map(lambda name: t(MODEL[name], lang))
    return frame.set_index("name")


excel_column.download_button(
    t("download_backtest", lang),
    lambda: excel_bytes(
        {
            sheet_label("backtest", lang): export_frame(scores_frame(), lang),
            sheet_label("forecast", lang): export_frame(frame.rename_axis("date"), lang),
        },
        about={
            t("src_series", lang): targets[target_id],
            t("src_selected", lang): t(MODEL[backtest.selected], lang),
            t("src_folds", lang): str(backtest.folds),
            t("src_origins", lang): t(
                "brief_period", lang, start=format_day(first_origin, lang), end=format_day(last_origin, lang)
            ),
            t("src_last_data", lang): format_day(forecast.origin, lang),
            t("src_intervals", lang): t("src_intervals_text", lang),
        },
        about_header=(t("col_item", lang), t("col_value", lang)),
        about_sheet=sheet_label("about", lang),
    ),
    file_name=f"{file_label('backtest', lang)}_{target_id}_{horizon}d.xlsx",
    mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
)
