"""A briefing in words, tables, charts, a self-contained HTML file and an Excel workbook.

No streamlit: the Briefing page and `python cli.py briefing` share it. Every number in the summary is
formatted from the same Briefing fields as the tables (tests/test_briefing.py cross-checks them).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
from jinja2 import Environment
from markupsafe import Markup

from analytics.briefing import Briefing, CountryRow
from analytics.forecast import RANDOM_WALK
from analytics.timing import PolicySettings
from data.files.exports import excel_bytes, neutralised
from i18n import (
    DATE_INPUT_FORMAT,
    N_,
    format_day,
    format_grams,
    format_money,
    format_number,
    format_pct,
    gram_sign,
    plotly_separators,
    rate_kind_label,
    rate_kinds_text,
    reading_for,
    reason_text,
    series_label,
    source_label,
    t,
)
from i18n.keys import COUNTRY_NAME, MODEL, RECOMMENDATION
from presentation.charts import (
    CURRENCY_COLOURS,
    GOLD_COLOUR,
    contribution_figure,
    lines_figure,
    time_series_figure,
)
from presentation.sentences import relative_error_text
from presentation.tables import _cell_kind, column_label, display_frame, export_frame, sheet_label


def briefing_notices(briefing: Briefing, lang: str) -> list[str]:
    """What a reader must know before any figure: demo data, and countries whose data stop early."""
    notices = []
    if briefing.demo_series:  # only the demo series this briefing uses, as a reader names them
        series = ", ".join(series_label(series_id, lang) for series_id in briefing.demo_series)
        notices.append(t("brief_demo_notice", lang, series=series))
    for currency, last in briefing.missing_countries:
        country = t(COUNTRY_NAME[currency], lang)
        if last is None:
            notices.append(t("brief_missing_country_never", lang, country=country))
        else:
            notices.append(t("brief_missing_country", lang, country=country, last=format_day(last, lang)))
    for row in briefing.countries:
        if not row.complete:
            notices.append(
                t(
                    "brief_partial_notice",
                    lang,
                    currency=row.currency,
                    first=format_day(row.data_first, lang),
                    last=format_day(row.data_last, lang),
                )
            )
    return notices


def summary_paragraphs(briefing: Briefing, lang: str, user_text: Callable[[str], str] = str) -> list[str]:
    """The written summary: every figure formatted from the Briefing's own numbers.

    `user_text` is applied to the names people typed (cooperatives): the page passes
    `presentation.text.plain_markdown` so they show as text; the HTML file escapes whole paragraphs itself.
    """
    return (
        briefing_notices(briefing, lang)
        + _move_paragraphs(briefing, lang)
        + _risk_paragraphs(briefing, lang)
        + _outlook_paragraphs(briefing, lang)
        + _ledger_paragraphs(briefing, lang, user_text)
    )


def _move_paragraphs(b: Briefing, lang: str) -> list[str]:
    """Gold in dollars over the period, then each country's price and what moved it."""
    out = [
        t(
            "brief_gold_move",
            lang,
            start=format_day(b.gold_first_date, lang),
            end=format_day(b.gold_last_date, lang),
            verb=t(N_("brief_up") if b.gold_change_pct >= 0 else N_("brief_down"), lang),
            pct=format_pct(abs(b.gold_change_pct), lang, signed=False),
            first=format_money(b.gold_start, "USD", lang),
            last=format_money(b.gold_end, "USD", lang),
        )
    ]
    for row in b.countries:
        if row.currency == "USD":
            out.append(
                t(
                    "brief_usd_move",
                    lang,
                    price=format_money(row.price_per_g, "USD", lang),
                    pct=format_pct(row.change_pct, lang),
                )
            )
            continue
        # one number style for the whole document: the reader's (issue 30), not each country's
        out.append(
            t(
                "brief_local_move",
                lang,
                currency=row.currency,
                verb=t(N_("brief_up") if row.change_pct >= 0 else N_("brief_down"), lang),
                pct=format_pct(abs(row.change_pct), lang, signed=False),
                price=format_money(row.price_per_g, row.currency, lang),
                gold=format_number(row.gold_contribution_pp, lang, 1),
                fx=format_number(row.fx_contribution_pp, lang, 1),
                fx_pct=format_pct(row.fx_change_pct, lang),
            )
        )
        if (line := rate_kind_line(row, lang)) is not None:
            out.append(line)
    return out


def _risk_paragraphs(b: Briefing, lang: str) -> list[str]:
    """How much gold moved: volatility, where the price sits in its range, the notable days."""
    out: list[str] = []
    out.append(
        t(
            "brief_volatility",
            lang,
            vol=format_pct(b.volatility_pct, lang, signed=False),
            pctl=format_pct(b.volatility_percentile * 100, lang, digits=0, signed=False),
        )
    )
    out.append(
        t(
            "brief_range",
            lang,
            p1=format_number(b.range_percentile_1y * 100, lang, 0),
            p3=format_number(b.range_percentile_3y * 100, lang, 0),
        )
    )
    if b.notable_days:
        days = ", ".join(
            f"{format_day(day, lang)} ({format_pct(move, lang)})" for day, move in b.notable_days
        )
        out.append(t("brief_notable", lang, days=days))
    return out


def _outlook_paragraphs(b: Briefing, lang: str) -> list[str]:
    """What may come: the forecast with its band and the sell-timing reading."""
    out: list[str] = []
    if b.forecast:
        f = b.forecast
        out.append(
            t(
                N_("brief_forecast_no_skill") if f.model == RANDOM_WALK else N_("brief_forecast"),
                lang,
                model=t(MODEL[f.model], lang),
                mean=format_money(f.mean, "USD", lang),
                date=format_day(f.date, lang),
                lo=format_money(f.lo_80, "USD", lang),
                hi=format_money(f.hi_80, "USD", lang),
                folds=f.folds,
                relative=relative_error_text(f.rmae or 1.0, lang),
                coverage=format_pct(
                    None if f.coverage_80 is None else f.coverage_80 * 100, lang, digits=0, signed=False
                ),
            )
        )
    if b.timing:
        signal = b.timing
        reasons = " ".join(reason_text(reason, lang) for reason in signal.reasons)
        out.append(
            t(
                "brief_timing",
                lang,
                rec=t(RECOMMENDATION[signal.recommendation], lang, days=PolicySettings().max_hold_days),
                reasons=reasons,
            )
        )
    return out


def _ledger_paragraphs(b: Briefing, lang: str, user_text: Callable[[str], str]) -> list[str]:
    """The cooperatives' sales: premiums against the benchmark and who sold under the minimum."""
    out: list[str] = []
    if b.premiums_by_cooperative is not None and not b.premiums_by_cooperative.empty:
        table = b.premiums_by_cooperative
        fine = float(table["fine_gold_g"].sum())
        weighted = (
            float((table["premium_pct_weighted"] * table["fine_gold_g"]).sum() / fine)
            if fine
            else float("nan")
        )
        out.append(
            t(
                "brief_premiums",
                lang,
                sales=int(table["sales"].sum()),
                fine=format_grams(fine, lang),
                premium=format_pct(weighted, lang),
                received=format_number(float(table["premium_received_usd"].sum()), lang, 0),
                due=format_number(float(table["premium_due_usd"].sum()), lang, 0),
            )
        )
    if b.under_minimum is not None and not b.under_minimum.empty:
        listed = ", ".join(
            f"{user_text(str(row.cooperative))} ({row.sales})" for row in b.under_minimum.itertuples()
        )
        out.append(t("brief_under_minimum", lang, list=listed))
    return out


def country_table(briefing: Briefing, lang: str) -> pd.DataFrame:
    """The multi-country table as the reader sees it (numbers formatted for the language)."""
    rows = []
    for row in briefing.countries:
        rows.append(_country_row(row, lang))  # the reader's number style on every row (one per document)
    return pd.DataFrame(rows)


def _country_row(row: CountryRow, lang: str) -> dict[str, str]:
    return {
        t("brief_col_currency", lang): row.currency + (" *" if row.currency == "BOB" else ""),
        t("brief_col_price", lang): format_money(row.price_per_g, row.currency, lang),
        t("brief_col_change", lang): format_pct(row.change_pct, lang),
        t("brief_col_gold_pp", lang): format_number(row.gold_contribution_pp, lang, 1),
        # the dollar has no exchange rate: its part is missing ("–"), not "0,0"
        t("brief_col_fx_pp", lang): "–"
        if row.currency == "USD"
        else format_number(row.fx_contribution_pp, lang, 1),
        t("brief_col_fx", lang): format_number(row.fx, lang, 2, row.currency),
        t("brief_col_buy", lang): "–"
        if row.buy_price_95 is None
        else format_money(row.buy_price_95, "COP", lang),
        t("brief_col_as_of", lang): format_day(row.price_date, lang),
        t("rate_kind_header", lang): "–"
        if row.rate_kind is None
        else rate_kind_label(row.rate_kind, row.currency, lang),
    }


def rate_kind_line(row: CountryRow, lang: str) -> str | None:
    """For a currency with several rates stored, the gram at each and the gap; for bolivianos at the
    official rate alone, that it is the official peg; else nothing."""
    if row.price_at_kinds:
        with reading_for(row.currency):
            return f"{row.currency}: {rate_kinds_text(row.currency, row.price_at_kinds, lang)}"
    if row.currency == "BOB" and row.rate_kind in (None, "official"):
        return t("brief_bob_note", lang)
    return None


def rate_kind_note(briefing: Briefing, lang: str) -> str:
    """Under the country table: each country's rate_kind_line."""
    return " ".join(line for row in briefing.countries if (line := rate_kind_line(row, lang)) is not None)


def briefing_figures(briefing: Briefing, lang: str) -> dict[str, go.Figure]:
    gold = time_series_figure(
        briefing.gold_series,
        title=t("brief_chart_gold", lang),
        y_title=t("axis_usd_per_oz", lang),
        lang=lang,
        currency="USD",
        value_format=",.2f",
        range_selector=False,
        height=320,
    )
    indexed = pd.DataFrame({c: s / s.iloc[0] * 100 for c, s in briefing.local_series.items() if len(s)})
    local = lines_figure(
        indexed,
        labels={c: c for c in indexed.columns},
        colours=CURRENCY_COLOURS,
        title=t("brief_chart_local", lang),
        y_title=t("brief_chart_start_axis", lang),
        lang=lang,
        value_format=".1f",
        height=320,
    )
    contribution = go.Figure()
    rows = [row for row in briefing.countries if row.currency != "USD"]
    contribution.add_trace(
        go.Bar(
            name=t("brief_col_gold_pp", lang),
            x=[r.currency for r in rows],
            y=[r.gold_contribution_pp for r in rows],
            marker_color=GOLD_COLOUR,
        )
    )
    contribution.add_trace(
        go.Bar(
            name=t("brief_col_fx_pp", lang),
            x=[r.currency for r in rows],
            y=[r.fx_contribution_pp for r in rows],
            marker_color=CURRENCY_COLOURS["COP"],
        )
    )
    contribution.update_layout(
        barmode="relative",
        title={"text": t("brief_chart_contribution", lang), "x": 0},
        separators=plotly_separators(lang),  # the document's one number style: "0,5" in Spanish, not "0.5"
        height=320,
        margin={"l": 10, "r": 10, "t": 50, "b": 10},
        legend={"orientation": "h", "y": -0.15},
    )
    figures = {"gold": gold, "local": local, "contribution": contribution}
    if briefing.premiums_by_cooperative is not None and not briefing.premiums_by_cooperative.empty:
        table = briefing.premiums_by_cooperative
        figures["premiums"] = contribution_figure(
            # plotly reads a subset of HTML in labels (<a href>, <b>): contribution_figure escapes each
            # label once (presentation.text.chart_text), so a name's "<" is shown, not obeyed
            [str(name) for name in table["cooperative"]],
            list(table["premium_pct_weighted"]),
            t("brief_premiums_header", lang),
            lang,
            "%",
        )
    return figures


#: plotly.js's basic partial bundle (scatter, bar, pie; presentation/vendor/README.md): 1.2 MB instead of the full
#: 4.8 MB, so the self-contained briefing stays under 1.5 MB. The briefing draws only these trace types.
PLOTLY_BASIC = Path(__file__).parent / "vendor" / "plotly-basic-4.1.1.min.js"
PLOTLY_BASIC_TRACES = frozenset({"scatter", "bar", "pie"})


@cache
def plotly_basic_js() -> str:
    return PLOTLY_BASIC.read_text(encoding="utf-8")


PAGE = """<!DOCTYPE html>
<html lang="{{ lang }}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ title }} · {{ period }}</title>
<style>
 body { font-family: "Source Sans Pro", Arial, sans-serif; color: #262730; max-width: 980px; margin: 24px auto; padding: 0 16px; }
 h1 { margin-bottom: 0; } .period { color: #666; margin-top: 4px; }
 p { line-height: 1.5; } table { border-collapse: collapse; width: 100%; font-size: 14px; margin: 8px 0 16px; }
 th, td { border-bottom: 1px solid #ddd; padding: 6px 8px; text-align: right; } th:first-child, td:first-child { text-align: left; }
 th { background: #f6f6f6; } .chart { page-break-inside: avoid; break-inside: avoid; margin-bottom: 12px; }
 .note, .sources { color: #666; font-size: 13px; }
 @media print { body { margin: 0; max-width: none; } .chart { width: 100%; } a { color: inherit; } }
</style>
<script>{{ plotly_js }}</script>
</head>
<body>
{% macro table(frame) -%}
<table class="dataframe">
<thead><tr>{% for column in frame.columns %}<th>{{ column }}</th>{% endfor %}</tr></thead>
<tbody>
{% for row in frame.rows %}<tr>{% for cell in row %}<td>{{ cell }}</td>{% endfor %}</tr>
{% endfor %}</tbody>
</table>
{%- endmacro %}
<h1>{{ title }}</h1>
<p class="period">{{ period }}</p>
{% for paragraph in summary %}<p>{{ paragraph }}</p>
{% endfor %}
<h2>{{ countries_header }}</h2>
{{ table(countries_table) }}
{% if note %}<p class="note">* {{ note }}</p>{% endif %}
<h2>{{ charts_header }}</h2>
{% for chart in charts %}<div class="chart">{{ chart }}</div>
{% endfor %}
{% for name, premium_table in premium_tables %}<h2>{{ name }}</h2>
{{ table(premium_table) }}
{% endfor %}
<h2>{{ sources_header }}</h2>
<ul class="sources">{% for key, value in sources %}<li><b>{{ key }}</b>: {{ value }}</li>{% endfor %}</ul>
<p class="note">{{ generated }}</p>
</body>
</html>
"""


#: Autoescape on: every name, sentence and cell is escaped by Jinja; only the plotly.js library and
#: plotly's chart HTML are passed in as Markup.
TEMPLATE = Environment(autoescape=True).from_string(PAGE)


@dataclass(frozen=True)
class HtmlTable:
    columns: list[str]
    rows: list[list[object]]


def html_table(frame: pd.DataFrame) -> HtmlTable:
    """A table for the template (which escapes every cell); text cells neutralised as in every export."""
    table = neutralised(frame)
    return HtmlTable(
        [str(c) for c in table.columns], table.astype(object).where(table.notna(), "").values.tolist()
    )


def briefing_html(briefing: Briefing, lang: str) -> str:
    """One self-contained file: plotly.js's basic bundle is embedded once, the charts stay interactive
    offline."""
    figures = briefing_figures(briefing, lang)
    drawn = {trace.type for figure in figures.values() for trace in figure.data}
    if not drawn <= PLOTLY_BASIC_TRACES:  # a new chart type needs a bigger bundle
        raise ValueError(f"the basic plotly bundle cannot draw {sorted(drawn - PLOTLY_BASIC_TRACES)}")
    charts = [  # plotly's own HTML: its data travels as JSON with "<" escaped, so it is trusted markup
        Markup(  # noqa: S704
            figure.update_layout(template="plotly_white").to_html(  # white paper: it prints cleanly
                full_html=False, include_plotlyjs=False, config={"displayModeBar": False, "responsive": True}
            )
        )
        for figure in figures.values()
    ]
    premium_tables = []
    if briefing.premiums_by_cooperative is not None and not briefing.premiums_by_cooperative.empty:
        premium_tables.append(
            (
                t("brief_premiums_header", lang),
                html_table(display_frame(briefing.premiums_by_cooperative, lang)),
            )
        )
        if briefing.certification is not None:
            premium_tables.append(
                ("Fairmined / Fairtrade", html_table(display_frame(briefing.certification, lang)))
            )
    period = t(
        "brief_period", lang, start=format_day(briefing.start, lang), end=format_day(briefing.end, lang)
    )
    return TEMPLATE.render(
        lang=lang,
        title=t("brief_title", lang),
        period=period,
        plotly_js=Markup(plotly_basic_js()),  # noqa: S704 - the plotly.js library itself, trusted
        summary=summary_paragraphs(briefing, lang),
        countries_header=t("brief_countries_header", lang),
        countries_table=html_table(country_table(briefing, lang)),
        note=rate_kind_note(briefing, lang),
        charts_header=t("brief_charts_header", lang),
        charts=charts,
        premium_tables=premium_tables,
        sources_header=t("brief_sources_header", lang),
        sources=list(sources(briefing, lang).items()),
        generated=t(
            "brief_generated",
            lang,
            at=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
            last=format_day(briefing.gold_last_date, lang),
        ),
    )


def sources(briefing: Briefing, lang: str = "en") -> dict[str, str]:
    """Where each figure came from and as of when (also the Excel 'about' sheet), in `lang`."""

    def day(value: object) -> str:
        return format_day(value, lang)

    out = {
        t("src_period", lang): t("brief_period", lang, start=day(briefing.start), end=day(briefing.end)),
        t("src_gold", lang): t(
            "src_gold_text", lang, first=day(briefing.gold_first_date), last=day(briefing.gold_last_date)
        ),
        t("src_benchmark", lang): t("src_benchmark_text", lang),
        t("src_fx", lang): ", ".join(
            t("src_fx_item", lang, currency=row.currency, day=day(row.price_date))
            for row in briefing.countries
        ),
        t("country_name_BOB", lang): t("src_bolivia_text", lang),
        t("src_volatility", lang): t("src_volatility_text", lang),
    }
    if briefing.forecast:
        out[t("src_forecast", lang)] = t(
            "src_forecast_text",
            lang,
            folds=briefing.forecast.folds,
            first=day(briefing.forecast.first_origin),
            last=day(briefing.forecast.last_origin),
        )
    if briefing.providers:  # the providers actually used, never a fixed name
        out[t("src_providers", lang)] = "; ".join(
            f"{series_label(series_id, lang)}: {source_label(source, lang)}"
            for series_id, source in briefing.providers.items()
        )
    if briefing.demo_series:
        series = ", ".join(series_label(series_id, lang) for series_id in briefing.demo_series)
        out[t("src_demo", lang)] = t("src_demo_text", lang, series=series)
    out.update(briefing.sources)
    return out


#: Columns that count things: whole numbers in the workbook (never 1.0).
COUNT_COLUMNS = ("sales", "under_minimum")

#: Excel number formats by the kind of a column's numbers (ui.i18n's table kinds). Excel shows `,` and
#: `.` in them by the reader's own locale; the words and signs around them follow the briefing's language.
EXCEL_FORMATS = {
    "count": "#,##0",
    "fineness": "0.000",
    "rate": "#,##0.00",
    "points": '+#,##0.0" pp";-#,##0.0" pp";0.0" pp"',
}


def currency_prefix(currency: str, lang: str) -> str:
    """The sign written before an amount: "$ " (pesos), "S/ ", "US$ " in Spanish; "COP " in English."""
    prefix = re.match(r"\D*", format_money(1.0, currency, lang, 2))
    return (prefix.group() if prefix else "").replace("\u00a0", " ")


def excel_format(kind: str, lang: str, currency: str | None = None, values: pd.Series | None = None) -> str:
    """One column's Excel format: `"$ "#,##0` (pesos), `"US$ "#,##0.00`, `#,##0.0" %"`, `#,##0.0" g"`..."""
    if kind == "pct":
        return '#,##0.0" %"' if lang == "es" else '#,##0.0"%"'
    if kind == "points" and lang == "mn":
        return '+#,##0.0" пп";-#,##0.0" пп";0.0" пп"'
    if kind == "grams":
        return f'#,##0.0" {gram_sign(lang)}"'
    if kind in EXCEL_FORMATS:
        return EXCEL_FORMATS[kind]
    money = "USD" if kind == "usd" else (currency or "USD")
    typical = float(values.abs().median()) if values is not None and values.notna().any() else 0.0
    digits = "#,##0" if typical >= 1000 else "#,##0.00"  # whole pesos, cents of a sol or a dollar
    return f'"{currency_prefix(money, lang)}"{digits}'


def workbook_formats(sheets: dict[str, pd.DataFrame], lang: str) -> dict[str, dict[str, str | list[str]]]:
    """Every number column of the briefing's sheets with its Excel format, keyed as the sheets are written
    (translated sheet names and headers)."""
    out: dict[str, dict[str, str | list[str]]] = {}
    for name, frame in sheets.items():
        formats: dict[str, str | list[str]] = {}
        for column in frame.columns:
            values = frame[column]
            if not pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
                continue
            column_name = str(column)
            if name == "countries" and column_name == "price_per_g":  # each row in its own currency
                wanted: str | list[str] = [
                    excel_format("money", lang, str(currency), values.loc[[currency]])
                    for currency in frame.index
                ]
            elif name == "countries" and column_name == "buy_price_95":
                wanted = excel_format("money", lang, "COP", values)
            elif name == "local_prices":  # one column per currency
                wanted = excel_format("money", lang, column_name, values)
            elif column_name == "gold_usd_per_oz":
                wanted = excel_format("usd", lang, values=values)
            else:
                wanted = excel_format(_cell_kind(column_name), lang, None, values)
            formats[column_label(column_name, lang)] = wanted
        out[sheet_label(name, lang)] = formats
    return out


def briefing_xlsx(briefing: Briefing, lang: str) -> bytes:
    """One sheet per table, numbers kept as numbers (counts as whole numbers), sheet names and headers in
    `lang`, and a sheet with sources and dates."""
    sheets = {"countries": briefing.country_frame().set_index("currency")}
    sheets["gold"] = briefing.gold_series.rename("gold_usd_per_oz").to_frame()
    sheets["local_prices"] = pd.DataFrame(briefing.local_series)
    sheets["local_prices"].index.name = "date"
    if briefing.notable_days:
        sheets["notable_days"] = pd.DataFrame(
            briefing.notable_days, columns=["date", "gold_change_pct"]
        ).set_index("date")
    for name in ("premiums_by_cooperative", "premiums_by_buyer", "certification", "under_minimum"):
        table = getattr(briefing, name)
        if table is not None and not table.empty:
            table = table.astype({c: "Int64" for c in COUNT_COLUMNS if c in table.columns})
            sheets[name] = table.set_index(table.columns[0])
    sheets["summary"] = pd.DataFrame({"text": summary_paragraphs(briefing, lang)})
    for frame in sheets.values():
        if isinstance(frame.index, pd.DatetimeIndex):
            frame.index.name = frame.index.name or "date"
    # notes in their own rows of the sources sheet, one a row; only the demo warning also heads every
    # sheet (a sheet forwarded alone must still say its prices are invented)
    notices = briefing_notices(briefing, lang)
    notes = {t("brief_notice_item", lang, n=n): text for n, text in enumerate(notices, 1)}
    return excel_bytes(
        {sheet_label(name, lang): export_frame(frame, lang) for name, frame in sheets.items()},
        about={**notes, **sources(briefing, lang)},
        notice=notices[0] if briefing.demo_series else None,
        about_header=(t("col_item", lang), t("col_value", lang)),
        about_sheet=sheet_label("about", lang),
        number_formats=workbook_formats(sheets, lang),
        date_format=DATE_INPUT_FORMAT.get(lang, "YYYY-MM-DD"),  # DD/MM/YYYY, YYYY-MM-DD, YYYY.MM.DD
    )
