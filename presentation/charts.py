"""Plotly figure builders shared by the pages: consistent colours, formatted hovers, range selectors.

Colour-blind safe (Okabe-Ito): gold is always gold, each currency keeps one colour.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from i18n import day_labels, format_number, gram_sign, horizon_label, money_digits, plotly_separators, t, tn
from presentation.tables import has_lot_number
from presentation.text import chart_text

GOLD_COLOUR = "#E69F00"
CURRENCY_COLOURS = {"USD": "#CC79A7", "COP": "#0072B2", "PEN": "#D55E00", "BOB": "#009E73", "MNT": "#56B4E9"}
NEGATIVE_COLOUR = "#D55E00"
NEUTRAL_COLOUR = "#999999"
TITLE_WIDTH = 40  # characters of a chart title per line


def price_value_format(latest_price: float) -> str:
    """Plotly number format for a price: the same digits as the formatted money amounts beside it."""
    return f",.{money_digits(latest_price)}f"


#: Spanish dates as people write them (the browser's plotly has no Spanish month names): 10/05/24, 05/2024.
SPANISH_TICK_FORMATS = [
    {"dtickrange": [None, 86_400_000 * 32], "value": "%d/%m/%y"},
    {"dtickrange": [86_400_000 * 32, 86_400_000 * 366], "value": "%m/%Y"},
    {"dtickrange": [86_400_000 * 366, None], "value": "%Y"},
]
#: Mongolian dates on an axis as Mongolia writes them, year first with dots (2024.05.10), not "May 2024".
MONGOLIAN_TICK_FORMATS = [
    {"dtickrange": [None, 86_400_000 * 32], "value": "%Y.%m.%d"},
    {"dtickrange": [86_400_000 * 32, 86_400_000 * 366], "value": "%Y.%m"},
    {"dtickrange": [86_400_000 * 366, None], "value": "%Y"},
]
TICK_FORMATS = {"es": SPANISH_TICK_FORMATS, "mn": MONGOLIAN_TICK_FORMATS}


def _base_layout(
    fig: go.Figure, title: str, y_title: str, lang: str, currency: str | None, height: int
) -> go.Figure:
    # user text is text (chart_text), then wrapped: a phone shows about 40 characters of a 16-px title
    wrapped = wrap_label(chart_text(title), TITLE_WIDTH)
    fig.update_layout(
        title={"text": wrapped, "x": 0, "xanchor": "left", "font": {"size": 16}},
        separators=plotly_separators(lang, currency),
        margin={"l": 10, "r": 10, "t": 30 + 20 * (wrapped.count("<br>") + 1), "b": 10},
        height=height,
        hovermode="x unified",
        showlegend=False,
        yaxis_title=chart_text(y_title),
    )
    return fig


def time_series_figure(
    series: pd.Series,
    *,
    title: str,
    y_title: str,
    lang: str,
    currency: str | None = None,
    colour: str = GOLD_COLOUR,
    value_format: str = ",.0f",
    range_selector: bool = True,
    height: int = 380,
    fill: bool = False,
) -> go.Figure:
    """A line chart of one series with formatted hover values and an optional range selector."""
    clean = series.dropna()
    fig = go.Figure(
        go.Scatter(
            x=clean.index,
            y=clean.to_numpy(),
            mode="lines",
            line={"color": colour, "width": 2},
            fill="tozeroy" if fill else None,
            customdata=day_labels(pd.DatetimeIndex(clean.index), lang),
            hovertemplate=f"%{{customdata}}: %{{y:{value_format}}}<extra></extra>",
        )
    )
    _base_layout(fig, title, y_title, lang, currency, height)
    fig.update_layout(hovermode="closest")
    # whole numbers with the user's thousands separator (500.000), never SI suffixes (500k)
    fig.update_yaxes(tickformat=",.0f" if len(clean) and clean.abs().median() >= 100 else value_format)
    if lang in TICK_FORMATS:
        fig.update_xaxes(tickformatstops=TICK_FORMATS[lang])
    if range_selector:
        all_label = t("rangeselector_all", lang)
        fig.update_xaxes(
            rangeselector={
                "buttons": [  # the labels of the Market page's performance table
                    {"count": 1, "label": horizon_label("1M", lang), "step": "month", "stepmode": "backward"},
                    {"count": 6, "label": horizon_label("6M", lang), "step": "month", "stepmode": "backward"},
                    {"count": 1, "label": horizon_label("1Y", lang), "step": "year", "stepmode": "backward"},
                    {"count": 5, "label": horizon_label("5Y", lang), "step": "year", "stepmode": "backward"},
                    {"step": "all", "label": all_label},
                ],
                # between the title and the plot: on a phone the buttons would sit on the title
                "yanchor": "bottom",
                "y": 1.01,
                "x": 0,
                "font": {"size": 11},
            }
        )
        fig.update_layout(margin={"t": fig.layout.margin.t + 30})
    return fig


def contribution_figure(
    labels: list[str], values: list[float], title: str, lang: str, y_title: str
) -> go.Figure:
    """Bars of percentage-point contributions (gold in USD, exchange rate, total)."""
    colours = [GOLD_COLOUR, CURRENCY_COLOURS["COP"], NEUTRAL_COLOUR]
    fig = go.Figure(
        go.Bar(
            x=[chart_text(label) for label in labels],  # cooperative names in the briefing: text only
            y=values,
            marker_color=colours[: len(values)],
            text=[f"{v:+.1f}" for v in values],
            texttemplate="%{y:+.1f}",
            hovertemplate="%{x}: %{y:+.2f}<extra></extra>",
        )
    )
    return _base_layout(fig, title, y_title, lang, None, 300)


def fan_chart_figure(
    history: pd.Series,
    forecast: pd.DataFrame,
    *,
    labels: dict[str, str],
    title: str,
    y_title: str,
    lang: str,
    currency: str | None,
    value_format: str,
    height: int = 420,
) -> go.Figure:
    """History, then the forecast: 95 % and 80 % bands, the point forecast and the no-change line.

    `forecast` has columns mean, lo_80, hi_80, lo_95, hi_95, random_walk; `labels` names the traces
    (keys history, band_95, band_80, mean, random_walk).
    """
    hover = f"%{{customdata}}: %{{y:{value_format}}}"
    days = day_labels(pd.DatetimeIndex(forecast.index), lang)
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=history.index,
            y=history.to_numpy(),
            mode="lines",
            name=labels["history"],
            line={"color": NEUTRAL_COLOUR, "width": 2},
            customdata=day_labels(pd.DatetimeIndex(history.index), lang),
            hovertemplate=hover + f"<extra>{labels['history']}</extra>",
        )
    )
    for level, opacity in (("95", 0.18), ("80", 0.35)):
        fig.add_trace(
            go.Scatter(
                x=list(forecast.index) + list(forecast.index[::-1]),
                y=list(forecast[f"hi_{level}"]) + list(forecast[f"lo_{level}"][::-1]),
                fill="toself",
                fillcolor=f"rgba(230, 159, 0, {opacity})",
                line={"width": 0},
                name=labels[f"band_{level}"],
                hoverinfo="skip",
            )
        )
    for column, colour, dash in (("random_walk", NEUTRAL_COLOUR, "dash"), ("mean", GOLD_COLOUR, "solid")):
        fig.add_trace(
            go.Scatter(
                x=forecast.index,
                y=forecast[column],
                mode="lines",
                name=labels[column],
                line={"color": colour, "width": 2.5 if column == "mean" else 1.5, "dash": dash},
                customdata=days,
                hovertemplate=hover + f"<extra>{labels[column]}</extra>",
            )
        )
    _base_layout(fig, title, y_title, lang, currency, height)
    fig.update_layout(
        showlegend=True,
        hovermode="closest",
        legend={"orientation": "h", "yanchor": "top", "y": -0.08, "x": 0},
    )
    fig.update_yaxes(tickformat=",.0f" if history.abs().median() >= 100 else value_format)
    if lang in TICK_FORMATS:
        fig.update_xaxes(tickformatstops=TICK_FORMATS[lang])
    return fig


def error_by_horizon_figure(
    rmae_by_model: dict[str, list[float | None]], *, title: str, y_title: str, x_title: str, lang: str
) -> go.Figure:
    """rMAE per step ahead, one line per model, with the random walk's 1.0 as the line to beat."""
    palette = ["#0072B2", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", GOLD_COLOUR]
    fig = go.Figure()
    for index, (name, values) in enumerate(rmae_by_model.items()):
        fig.add_trace(
            go.Scatter(
                x=list(range(1, len(values) + 1)),
                y=values,
                mode="lines",
                name=name,
                line={"color": palette[index % len(palette)], "width": 2},
                hovertemplate=f"{name}: %{{y:.3f}}<extra></extra>",
            )
        )
    fig.add_hline(y=1.0, line={"color": NEUTRAL_COLOUR, "dash": "dash"})
    _base_layout(fig, title, y_title, lang, None, 440)
    # the legend under the axis title: on a phone its six names stack into lines
    fig.update_layout(
        showlegend=True,
        hovermode="x unified",
        legend={"orientation": "h", "yanchor": "top", "y": -0.2, "x": 0},
    )
    fig.update_xaxes(title=x_title)
    return fig


CERTIFICATION_COLOURS = {
    "none": NEUTRAL_COLOUR,
    "fairmined": "#009E73",
    "fairmined_ecological": "#56B4E9",
    "fairtrade": "#0072B2",
}


def _dot_names(group: pd.DataFrame, lang: str) -> list[str]:
    """Each dot's name: the lot number, else the buyer (the user's text, not markup); a grouped dot
    (analytics.premiums.sales_by_period) its number of sales."""
    if "sales" in group:  # worded once per distinct count: 2,000 dots share a few dozen counts
        counts = [int(count) for count in group["sales"]]
        words = {
            count: tn("chart_dot_sales", count, lang, count=format_number(count, lang, 0))
            for count in set(counts)
        }
        return [words[count] for count in counts]
    return [
        chart_text(sale if has_lot_number(sale) else buyer)
        for sale, buyer in zip(group["sale_id"], group["buyer"].fillna(""), strict=True)
    ]


def realised_vs_benchmark_figure(
    premiums: pd.DataFrame,
    benchmark: pd.Series,
    *,
    labels: dict[str, str],
    title: str,
    y_title: str,
    lang: str,
    currency: str,
) -> go.Figure:
    """The benchmark per fine gram as a line; each sale as a dot at its realised price, sized by fine gold.

    `labels` names the benchmark line and each certification (keys: benchmark, none, fairmined, ...).
    """
    value_format = price_value_format(float(benchmark.iloc[-1])) if len(benchmark) else ",.0f"
    fig = go.Figure(
        go.Scatter(
            x=benchmark.index,
            y=benchmark.to_numpy(),
            mode="lines",
            name=labels["benchmark"],
            line={"color": GOLD_COLOUR, "width": 2},
            customdata=day_labels(pd.DatetimeIndex(benchmark.index), lang),
            hovertemplate=f"%{{customdata}}: %{{y:{value_format}}}<extra>{labels['benchmark']}</extra>",
        )
    )
    largest = float(premiums["fine_gold_g"].max()) if len(premiums) else 1.0
    for certification, group in premiums.groupby("certification"):
        fig.add_trace(
            go.Scatter(
                x=group["date"],
                y=group["realised_price_per_g"],
                mode="markers",
                name=labels.get(str(certification), str(certification)),
                marker={
                    "color": CERTIFICATION_COLOURS.get(str(certification), NEUTRAL_COLOUR),
                    "size": 6 + 18 * (group["fine_gold_g"] / largest) ** 0.5,
                    "line": {"width": 0.5, "color": "white"},
                    "opacity": 0.7,
                },
                customdata=list(
                    zip(
                        _dot_names(group, lang),
                        day_labels(pd.DatetimeIndex(group["date"]), lang),
                        group["premium_pct"],
                        group["fine_gold_g"],
                        strict=True,
                    )
                ),
                hovertemplate=(
                    f"%{{customdata[0]}} · %{{customdata[1]}}<br>%{{y:{value_format}}} "
                    f"(%{{customdata[2]:+.1f}} %) · %{{customdata[3]:,.1f}} {gram_sign(lang)}<extra></extra>"
                ),
            )
        )
    _base_layout(fig, title, y_title, lang, currency, 400)
    fig.update_layout(
        showlegend=True, hovermode="closest", legend={"orientation": "h", "yanchor": "top", "y": -0.1, "x": 0}
    )
    fig.update_yaxes(tickformat=",.0f" if len(benchmark) and benchmark.median() >= 100 else value_format)
    if lang in TICK_FORMATS:
        fig.update_xaxes(tickformatstops=TICK_FORMATS[lang])
    return fig


def waterfall_figure(
    steps: pd.Series,
    *,
    labels: dict[str, str],
    title: str,
    lang: str,
    currency: str,
    totals: tuple[str, ...] = (),
) -> go.Figure:
    """Benchmark value, the deductions and additions, subtotals and the total, as a waterfall.

    `totals` are drawn from zero (as are the first and last bars); each equals the sum of the steps before
    it, which the tests check: plotly's "total" measure would ignore the bar's text.
    """
    names = list(steps.index)
    measures = [
        "absolute" if position in (0, len(names) - 1) or name in totals else "relative"
        for position, name in enumerate(names)
    ]
    digits = ",.0f" if steps.abs().max() >= 1000 else ",.2f"
    # horizontal bars, top to bottom: the step names read as lines of text, even on a 390-px phone
    fig = go.Figure(
        go.Waterfall(
            orientation="h",
            y=[wrap_label(labels[name]) for name in names],
            x=[
                float(steps[name]) if measure != "total" else 0.0
                for name, measure in zip(names, measures, strict=True)
            ],
            measure=measures,
            texttemplate=f"%{{x:{digits}}}",
            textposition="auto",
            cliponaxis=False,  # a short bar's figure stands beside it, never cut
            connector={"line": {"color": NEUTRAL_COLOUR, "width": 1}},
            increasing={"marker": {"color": "#009E73"}},
            decreasing={"marker": {"color": NEGATIVE_COLOUR}},
            totals={"marker": {"color": GOLD_COLOUR}},
            hovertemplate=f"%{{y}}: %{{x:{digits}}}<extra></extra>",
        )
    )
    _base_layout(fig, title, "", lang, currency, 80 + 58 * len(names))
    fig.update_layout(hovermode="closest", margin={"r": 80})
    # each bar carries its figure: axis numbers of ten digits would only run into each other on a phone
    fig.update_xaxes(rangemode="tozero", title={"text": currency}, showticklabels=False)
    fig.update_yaxes(autorange="reversed", automargin=True)
    return fig


def wrap_label(text: str, width: int = 16) -> str:
    """A long category label on two or more lines (plotly's <br>), so labels never run into each other."""
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return "<br>".join(lines)


def lines_figure(
    frame: pd.DataFrame,
    *,
    labels: dict[str, str],
    colours: dict[str, str],
    title: str,
    y_title: str,
    lang: str,
    currency: str | None = None,
    value_format: str = ",.0f",
    height: int = 300,
    reference_lines: tuple[float, ...] = (),
) -> go.Figure:
    """Several series of one frame on one axis (price with its averages, RSI with its 30/70 lines...)."""
    days = day_labels(pd.DatetimeIndex(frame.index), lang)
    fig = go.Figure()
    for column, label in labels.items():
        fig.add_trace(
            go.Scatter(
                x=frame.index,
                y=frame[column],
                mode="lines",
                name=label,
                line={"color": colours.get(column, NEUTRAL_COLOUR), "width": 2 if column == "price" else 1.5},
                customdata=days,
                hovertemplate=f"%{{customdata}}: %{{y:{value_format}}}<extra>{label}</extra>",
            )
        )
    for level in reference_lines:
        fig.add_hline(y=level, line={"color": NEUTRAL_COLOUR, "dash": "dot", "width": 1})
    _base_layout(fig, title, y_title, lang, currency, height)
    fig.update_layout(
        showlegend=len(labels) > 1, hovermode="closest", legend={"orientation": "h", "y": -0.15, "x": 0}
    )
    if lang in TICK_FORMATS:
        fig.update_xaxes(tickformatstops=TICK_FORMATS[lang])
    return fig


def seasonality_figure(table: pd.DataFrame, *, month_names: list[str], title: str, lang: str) -> go.Figure:
    """Mean return by calendar month with its 95 % interval; months whose interval excludes 0 in colour."""
    colours = [GOLD_COLOUR if significant else NEUTRAL_COLOUR for significant in table["significant"]]
    fig = go.Figure(
        go.Bar(
            x=month_names,
            y=table["mean_pct"],
            marker_color=colours,
            error_y={
                "type": "data",
                "symmetric": False,
                "array": table["ci_high_pct"] - table["mean_pct"],
                "arrayminus": table["mean_pct"] - table["ci_low_pct"],
                "color": "#555555",
            },
            hovertemplate="%{x}: %{y:+.2f} %<extra></extra>",
        )
    )
    fig.add_hline(y=0, line={"color": "#555555", "width": 1})
    return _base_layout(fig, title, "%", lang, None, 300)
