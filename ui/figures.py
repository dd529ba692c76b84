"""Figures and formatted tables the pages draw, built from the cached views of ui/state.

Figures are kept with cache_resource because building a plotly figure (validation) costs more than the
rest of a page, and a pickled copy costs as much again: they are shared, so never mutate one.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from analytics.premiums import WATERFALL_TOTALS, sales_by_period, summary_by, waterfall
from analytics.timing import PolicySettings
from i18n import (
    N_,
    format_day,
    format_number,
    format_pct,
    gram_sign,
    month_names,
    source_label,
    t,
    unit_label,
)
from i18n.keys import CERTIFICATION, MINIMUM_STATE, MODEL, MODEL_PLAIN, WATERFALL
from presentation.charts import (
    CURRENCY_COLOURS,
    GOLD_COLOUR,
    NEGATIVE_COLOUR,
    NEUTRAL_COLOUR,
    error_by_horizon_figure,
    fan_chart_figure,
    lines_figure,
    price_value_format,
    realised_vs_benchmark_figure,
    seasonality_figure,
    time_series_figure,
    waterfall_figure,
)
from presentation.tables import lot_numbers
from services.buyers import BuyerFigures, BuyersView, QuarterFigure
from ui.state import (
    SelectionKey,
    _forecast_view,
    _local_prices,
    _market_view,
    _timing_view,
    cached_premium_selection,
    run_context,
    selection_key,
)

#: The Buyers page's columns, by name (services.buyers.BuyerRow's fields).
BUYERS_COLUMN = {
    "buyer": N_("buyers_col_buyer"),
    "cooperatives": N_("buyers_col_cooperatives"),
    "sales": N_("buyers_col_sales"),
    "fine_gold_g": N_("buyers_col_fine_gold_g"),
    "weighted": N_("buyers_col_weighted"),
    "median": N_("buyers_col_median"),
    "owed": N_("buyers_col_owed"),
    "review": N_("buyers_col_review"),
    "across": N_("buyers_col_across"),
    "across_count": N_("buyers_col_across_count"),
    "quarter": N_("buyers_col_quarter"),
}
#: How many cooperatives are behind a member's figure, in words (services.buyers gives the band's code).
COUNT_BAND_KEYS = {"5-9": N_("buyers_band_5_9"), "10+": N_("buyers_band_10")}


MIN_HISTORY_SHOWN_DAYS = 40  # two months before the fan: context, and the fan a third of a phone's width
TIMING_CHART_DAYS = 500  # about two years of daily indicators in the small charts
TIMING_LOTS_SHOWN = 260  # the last five years of weekly lots


@st.cache_resource(show_spinner=False, max_entries=64)
def _market_figures(
    url: str, market_key: str, today: str, currency: str, unit: str, lang: str
) -> dict[str, go.Figure]:
    view = _market_view(url, market_key, today, currency, unit)
    prices = view.local["price"].dropna()
    month = view.month_change_pct  # the shown currency's own last month, not the table's common date
    title_key = N_("chart_title_up") if month >= 0 else N_("chart_title_down")
    return {
        "price": time_series_figure(
            prices,
            title=t(title_key, lang, pct=format_pct(abs(month), lang, signed=False), currency=currency),
            y_title=t("per_unit", lang, currency=currency, unit=unit_label(unit, lang)),
            lang=lang,
            currency=currency,
            value_format=price_value_format(prices.iloc[-1]),
        ),
        "volatility": time_series_figure(
            view.volatility.resample("W").last(),
            title="",
            y_title="%",
            lang=lang,
            colour=CURRENCY_COLOURS.get(currency, GOLD_COLOUR),
            value_format=".1f",
            height=280,
            range_selector=False,
        ),
        "drawdown": time_series_figure(
            view.drawdown.resample("W").min(),
            title="",
            y_title="%",
            lang=lang,
            colour=NEGATIVE_COLOUR,
            value_format=".1f",
            height=280,
            range_selector=False,
            fill=True,
        ),
    }


def market_figures(currency: str, unit: str, lang: str) -> dict[str, go.Figure]:
    """The Market page's time-series figures: price, volatility (weekly), drawdown (weekly)."""
    context = run_context()
    return _market_figures(context.url, context.market_key, context.today, currency, unit, lang)


#: Dots of the Premiums chart: more sales than this are drawn one dot per period and certification.
CHART_DOTS = 2_000
#: Sales written out as text for the Premiums page's table (the latest ones; the downloads hold every sale).
SHOWN_SALE_ROWS = 500


@st.cache_resource(show_spinner=False, max_entries=16)  # shared, read-only (see ui/state._premiums)
def _premium_tables(key: SelectionKey, lang: str) -> dict[str, pd.DataFrame]:
    every = cached_premium_selection(key).sales
    chosen = every.tail(SHOWN_SALE_ROWS)  # the text the page draws: its latest rows (numbers: every row)

    def numbers(values: pd.Series, digits: int) -> pd.Series:
        return values.map(lambda value: format_number(value, lang, digits, key.currency))

    price_digits = 0 if every["benchmark_price_per_g"].median() >= 1000 else 2
    text = pd.DataFrame(
        {
            t("field_date", lang): chosen["date"].map(lambda day: format_day(day, lang)),
            t("col_sale", lang): lot_numbers(chosen["sale_id"]),
            t("field_buyer", lang): chosen["buyer"],
            t("field_certification", lang): chosen["certification"].map(lambda c: t(CERTIFICATION[c], lang)),
            t("col_fine_g", lang): numbers(chosen["fine_gold_g"], 2),
            t("col_benchmark_g", lang): numbers(chosen["benchmark_price_per_g"], price_digits),
            t("col_realised_g", lang): numbers(chosen["realised_price_per_g"], price_digits),
            t("col_buyer_quote_pct", lang): chosen["buyer_quote_pct"].map(
                lambda value: format_pct(value, lang)
            ),
            t("col_buyer_price_pct", lang): chosen["buyer_price_pct"].map(
                lambda value: format_pct(value, lang)
            ),
            t("col_premium_pct", lang): chosen["premium_pct"].map(lambda value: format_pct(value, lang)),
            t("col_all_in_pct", lang): chosen["all_in_pct"].map(lambda value: format_pct(value, lang)),
            t("col_vs_benchmark", lang): numbers(chosen["money_vs_benchmark"], 0),
            t("col_due_usd", lang): numbers(chosen["premium_due_usd"], 2),
            t("col_received_usd", lang): numbers(chosen["premium_received_usd"], 2),
            t("col_minimum_state", lang): [
                t(MINIMUM_STATE[state], lang) if certification != "none" and state else "–"
                for state, certification in zip(chosen["minimum_state"], chosen["certification"], strict=True)
            ],
            t("col_minimum_reference", lang): [
                t(
                    "minimum_reference_band",
                    lang,
                    source=source_label(str(name), lang),
                    band=format_number(band, lang, 2),
                )
                if certification != "none"
                else "–"
                for name, band, certification in zip(
                    chosen["minimum_reference"],
                    chosen["minimum_near_pp"],
                    chosen["certification"],
                    strict=True,
                )
            ],
        }
    )
    numbers_only = every[
        ["date", "sale_id", "buyer", "certification", "fine_gold_g", "benchmark_price_per_g",
         "realised_price_per_g", "buyer_quote_pct", "buyer_price_pct", "premium_pct", "all_in_pct",
         "money_vs_benchmark", "premium_due_usd", "premium_received_usd", "meets_minimum_price", "minimum_state",
         "minimum_reference", "minimum_near_pp"]
    ]  # fmt: skip
    rounding = {"fine_gold_g": 1, "benchmark_value": 0, "amount_received": 0, "money_vs_benchmark": 0,
                "premium_pct_weighted": 2, "premium_due_usd": 2, "premium_received_usd": 2}  # fmt: skip
    tables = {"per_sale": numbers_only, "per_sale_text": text}
    for group in ("buyer", "month", "certification"):
        tables[f"by_{group}"] = summary_by(every, group).drop(columns="currency").round(rounding)
    return tables


def premium_tables(
    cooperative: str, currency: str, start: date, end: date, lang: str
) -> dict[str, pd.DataFrame]:
    """Sale-by-sale (numbers, and text formatted for `lang`) and the by-buyer/month/certification tables."""
    return _premium_tables(selection_key(cooperative, currency, start, end), lang)


@st.cache_resource(show_spinner=False, max_entries=32)
def _premium_price_figure(key: SelectionKey, lang: str) -> go.Figure:
    chosen = cached_premium_selection(key).sales
    benchmark = _local_prices(key.url, key.market_key, key.today, key.currency, "g")["price"].dropna()
    benchmark = benchmark[(benchmark.index.date >= key.start) & (benchmark.index.date <= key.end)]
    priced = chosen.dropna(subset=["benchmark_price_per_g"])
    priced = priced[~priced["needs_review"]]  # a typo (an extra zero) would flatten every other dot
    return realised_vs_benchmark_figure(
        sales_by_period(priced, CHART_DOTS) if len(priced) > CHART_DOTS else priced,
        benchmark,
        labels={"benchmark": t("chart_benchmark_line", lang)}
        | {c: t(CERTIFICATION[c], lang) for c in ("none", "fairmined", "fairmined_ecological", "fairtrade")},
        title=t("chart_realised", lang),
        y_title=f"{key.currency} / {gram_sign(lang)}",
        lang=lang,
        currency=key.currency,
    )


def premium_price_figure(cooperative: str, currency: str, start: date, end: date, lang: str) -> go.Figure:
    """Realised price per sale against the benchmark line (shared figure: never mutate it)."""
    return _premium_price_figure(selection_key(cooperative, currency, start, end), lang)


@st.cache_resource(show_spinner=False, max_entries=64)
def _premium_waterfall_figure(key: SelectionKey, lang: str, sale: str) -> go.Figure:
    chosen = cached_premium_selection(key).sales
    steps = waterfall(chosen if not sale else chosen[chosen["sale_id"] == sale])
    return waterfall_figure(
        steps,
        labels={name: t(WATERFALL[name], lang) for name in steps.index},
        title=sale or t("waterfall_period", lang),
        lang=lang,
        currency=key.currency,
        totals=WATERFALL_TOTALS,
    )


def premium_waterfall_figure(
    cooperative: str, currency: str, start: date, end: date, lang: str, sale: str
) -> go.Figure:
    """The period's waterfall, or one sale's (shared figure: never mutate it)."""
    return _premium_waterfall_figure(selection_key(cooperative, currency, start, end), lang, sale)


@st.cache_resource(show_spinner=False, max_entries=32)
def _forecast_figures(
    url: str,
    market_key: str,
    today: str,
    target_id: str,
    horizon: int,
    model: str | None,
    lang: str,
    target_label: str,
    currency: str,
) -> dict[str, go.Figure]:
    view = _forecast_view(url, market_key, today, target_id, horizon, model)
    history = view.history.iloc[-max(MIN_HISTORY_SHOWN_DAYS, 2 * horizon) :]
    scores = view.backtest.scores
    return {
        "fan": fan_chart_figure(
            history,
            view.forecast.frame(),
            labels={
                "history": t("fan_history", lang),
                "band_95": t("fan_band_95", lang),
                "band_80": t("fan_band_80", lang),
                "mean": t("fan_mean", lang),
                "random_walk": t("fan_random_walk", lang),
            },
            title=t("fan_title", lang, horizon=horizon, model=t(MODEL_PLAIN[view.model], lang)),
            y_title=target_label,
            lang=lang,
            currency=currency,
            value_format=price_value_format(float(history.iloc[-1])),
        ),
        "error_by_horizon": error_by_horizon_figure(
            {t(MODEL[score.name], lang): score.rmae_by_horizon for score in scores},
            title=t("error_by_horizon", lang),
            y_title="rMAE",
            x_title=t("days_ahead", lang),
            lang=lang,
        ),
    }


# ---------------------------------------------------------------- sell timing


def forecast_figures(
    target_id: str, horizon: int, model: str | None, lang: str, target_label: str, currency: str
) -> dict[str, go.Figure]:
    """The fan chart and the error-by-horizon chart (shared figures: never mutate them)."""
    context = run_context()
    keys = (context.url, context.market_key, context.today)
    return _forecast_figures(*keys, target_id, horizon, model, lang, target_label, currency)


@st.cache_resource(show_spinner=False, max_entries=16)
def _timing_figures(
    url: str, market_key: str, today: str, currency: str, settings: PolicySettings, lang: str
) -> dict[str, go.Figure]:
    view = _timing_view(url, market_key, today, currency, settings)
    recent = view.indicators.iloc[-TIMING_CHART_DAYS:]
    lots = view.policies["signal"].lots.set_index("produced").iloc[-TIMING_LOTS_SHOWN:]
    return {
        "price": lines_figure(
            recent,
            labels={"price": t("price", lang), "ma50": t("ma50", lang), "ma200": t("ma200", lang)},
            colours={"price": GOLD_COLOUR, "ma50": CURRENCY_COLOURS["COP"], "ma200": NEUTRAL_COLOUR},
            title=t("chart_price_averages", lang),
            y_title=f"{currency} / {gram_sign(lang)}",
            lang=lang,
            currency=currency,
        ),
        "rsi": lines_figure(
            recent,
            labels={"rsi14": "RSI"},
            colours={"rsi14": CURRENCY_COLOURS["PEN"]},
            title=t("chart_rsi", lang),
            y_title="RSI",
            lang=lang,
            value_format=".0f",
            reference_lines=(30.0, 70.0),
        ),
        "seasonality": seasonality_figure(
            view.seasonality, month_names=month_names(lang), title="", lang=lang
        ),
        "lots": lines_figure(
            lots,
            labels={"baseline_price": t("lots_baseline", lang), "policy_price": t("lots_policy", lang)},
            colours={"baseline_price": NEUTRAL_COLOUR, "policy_price": GOLD_COLOUR},
            title=t("chart_lots", lang) + " — " + t("policy_signal", lang),
            y_title=f"{currency} / {gram_sign(lang)}",
            lang=lang,
            currency=currency,
        ),
    }


# ---------------------------------------------------------------- briefing


def timing_figures(currency: str, settings: PolicySettings, lang: str) -> dict[str, go.Figure]:
    """Price with averages, RSI, seasonality and lots charts (shared figures: never mutate them)."""
    context = run_context()
    return _timing_figures(context.url, context.market_key, context.today, currency, settings, lang)


def buyers_tables(view: BuyersView, lang: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The Buyers page's table, formatted for `lang`, and the same figures as numbers under the same
    (translated) headers for the CSV. The median across cooperatives shows "–" where it is withheld."""

    def label(name: str) -> str:
        return t(BUYERS_COLUMN[name], lang)

    rows = view.rows
    text = pd.DataFrame(
        {
            label("buyer"): [row.buyer for row in rows],
            label("cooperatives"): [", ".join(row.cooperatives) for row in rows],
            label("sales"): [format_number(row.sales, lang, 0) for row in rows],
            label("fine_gold_g"): [format_number(row.fine_gold_g, lang, 1) for row in rows],
            label("weighted"): [format_pct(row.buyer_price_pct_weighted, lang) for row in rows],
            label("median"): [format_pct(row.buyer_price_pct_median, lang) for row in rows],
            label("owed"): [format_number(row.premium_owed_usd, lang, 0) for row in rows],
            label("across"): [format_pct(row.median_across_cooperatives, lang) for row in rows],
            label("across_count"): [_count_text(row, lang) for row in rows],
        }
    )
    numbers = pd.DataFrame(
        {
            label("buyer"): [row.buyer for row in rows],
            label("cooperatives"): ["; ".join(row.cooperatives) for row in rows],
            label("sales"): [row.sales for row in rows],
            label("fine_gold_g"): [row.fine_gold_g for row in rows],
            label("weighted"): [row.buyer_price_pct_weighted for row in rows],
            label("median"): [row.buyer_price_pct_median for row in rows],
            label("owed"): [row.premium_owed_usd for row in rows],
            label("review"): [row.excluded_for_review for row in rows],
            label("across"): [row.median_across_cooperatives for row in rows],
            label("across_count"): [
                _count_text(row, lang) if row.count_band else row.cooperatives_in_median for row in rows
            ],
        }
    ).set_index(label("buyer"))
    return text, numbers


def _count_text(cell: BuyerFigures | QuarterFigure, lang: str) -> str:
    """How many cooperatives are behind a figure: a member's band ("5–9", "10 o más"), staff's exact count,
    "–" where the figure is withheld."""
    if cell.count_band:
        return t(COUNT_BAND_KEYS[cell.count_band], lang)
    count = cell.cooperatives_in_median
    return "–" if count is None else format_number(count, lang, 0)


def buyers_quarter_table(view: BuyersView, lang: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A member's figures across cooperatives, one row per buyer and quarter where one is published: as
    shown, and with the median as a number for the CSV (both empty when there is none)."""
    cells = [(row.buyer, cell) for row in view.rows for cell in row.by_quarter or () if cell.count_band]
    columns = {
        t(BUYERS_COLUMN["buyer"], lang): [buyer for buyer, _ in cells],
        t(BUYERS_COLUMN["quarter"], lang): [cell.quarter for _, cell in cells],
        t(BUYERS_COLUMN["across_count"], lang): [_count_text(cell, lang) for _, cell in cells],
    }
    across = t(BUYERS_COLUMN["across"], lang)
    medians = [cell.median_across_cooperatives for _, cell in cells]
    text = pd.DataFrame(columns).assign(**{across: [format_pct(median, lang) for median in medians]})
    order = list(text.columns[:2]) + [across, text.columns[2]]
    numbers = pd.DataFrame(columns).assign(**{across: medians})[order]
    return text[order], numbers.set_index(order[0])
