"""Codes in words: import problems, analytics errors, sell-timing reasons, offer errors, series, sources,
units and horizons, each written from its code and parameters through the catalogue (no streamlit).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import TYPE_CHECKING

import pandas as pd
from babel.dates import get_day_names

from i18n.catalogue import t, tn
from i18n.formats import DATE_LOCALE, format_day, format_money, format_number, format_pct
from i18n.keys import (
    DECIMAL_NAME,
    ERROR,
    FETCH_SKIPPED,
    FETCH_SOURCE,
    FETCH_WHY,
    FIELD,
    FORMAT,
    HORIZON,
    OFFER_ERROR,
    PROBLEM,
    PROBLEM_COLUMN,
    PROBLEM_FIELD,
    RATE_KIND,
    RATE_KIND_OF_CURRENCY,
    REASON,
    SERIES,
    SOURCE,
    UNIT,
    UNIT_CAUSE,
)

if TYPE_CHECKING:  # only the type: the i18n package stays light (no statsmodels import)
    from analytics.offers import OfferError
    from analytics.timing import Reason

#: Weekdays as pandas writes them ("%A", English) in a flag, Monday first.
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_LOCALISED_NUMBERS = {
    "limit": 0,
    "parts": 0,
    "length": 0,
    "given": 2,
    "computed": 2,
    "pct": 0,
    "low": 0,
    "high": 0,
    "gross": 2,
}


def weekday_name(english: str, lang: str) -> str:
    """A weekday pandas wrote in English ("Saturday") in `lang`, from Babel's calendar: "sábado"."""
    if english not in WEEKDAYS:
        return english
    return str(get_day_names("wide", locale=DATE_LOCALE.get(lang, "es_CO"))[WEEKDAYS.index(english)])


def problem_text(problem: object, lang: str) -> str:
    """One import problem (data.files.parsing.Problem, or its dict {"code", ...params}) as a sentence in `lang`."""
    from data.files.parsing import Problem

    if isinstance(problem, dict):
        params = {key: value for key, value in problem.items() if key != "code"}
        problem = Problem(str(problem.get("code")), params)
    assert isinstance(problem, Problem)
    if lang == "en" or problem.code not in PROBLEM:
        return problem.english()
    values: dict[str, object] = {}
    for key, value in problem.params.items():
        if key == "field":
            value = t(PROBLEM_FIELD[str(value)], lang) if str(value) in PROBLEM_FIELD else str(value)
        elif key == "cause":
            value = t(UNIT_CAUSE[str(value)], lang)
        elif key == "reasons" and isinstance(rows := problem.params.get("rows"), list):
            value = "; ".join(
                t("problem_line_reason", lang, line=row.get("line"), reason=_row_reasons(row, lang))
                for row in rows
                if isinstance(row, dict)
            )
        elif key in ("number", "close") and isinstance(value, int | float):
            written = f"{value:g}"  # as many decimals as the file's cell, like the English sentence
            decimals = len(written.split(".")[1]) if "." in written and "e" not in written else 0
            value = format_number(float(value), lang, min(decimals, 6))
        elif key == "weekday":
            value = weekday_name(str(value), lang)
        elif key == "move" and isinstance(value, int | float):
            value = format_pct(float(value), lang, 1)  # signed, as every change on the pages
        elif key == "column" and problem.code != "cell_too_long":  # that one names the file's own column
            value = t(PROBLEM_COLUMN[str(value)], lang) if str(value) in PROBLEM_COLUMN else str(value)
        elif (
            key in ("median", "expected", "low", "high")
            and isinstance(value, int | float)
            and problem.code != "price_implausible"  # its low and high are whole percentages
        ):
            value = format_number(float(value), lang, 4 if abs(value) < 100 else 2)
        elif key in ("series", "detected") and problem.code != "unknown_series":
            value = series_label(str(value), lang)
        elif key == "known" and problem.code in ("unknown_series", "series_undetected"):
            value = ", ".join(series_label(str(v), lang) for v in value) if isinstance(value, list) else value
        elif key == "format":
            value = format_label(str(value), lang)
        elif key == "decimal_name":
            value = t(DECIMAL_NAME["comma" if value == "comma" else "point"], lang)
        elif key in ("columns", "header") and isinstance(value, list | tuple):
            names = [t(FIELD[v], lang) if v in FIELD and key == "columns" else str(v) for v in value]
            value = ", ".join(names)
        elif key == "value" and isinstance(value, float):  # an amount (a cell is quoted as text)
            value = format_number(value, lang, 2)
        elif key == "target" and value == "the sale's currency":
            value = t("sales_conversion_sale_currency", lang)
        elif key in _LOCALISED_NUMBERS and isinstance(value, int | float):
            value = format_number(float(value), lang, _LOCALISED_NUMBERS[key])
        elif isinstance(value, list | tuple):
            value = ", ".join(str(v) for v in value)
        elif isinstance(value, str) and len(value) > 60:
            value = value[:57] + "…"
        values[key] = value
    text = t(PROBLEM[problem.code], lang, **values)
    return text[:1].upper() + text[1:]


def _row_reasons(row: dict, lang: str) -> str:
    problems = [p for p in row.get("problems") or [] if isinstance(p, dict)]
    texts = [problem_text(p, lang) for p in problems]
    # inside a sentence: "línea 2: el valor…", not "línea 2: El valor…"
    return "; ".join(text[:1].lower() + text[1:] if text[1:2].islower() else text for text in texts) or "–"


def flags_text(text: object, lang: str) -> str:
    """A sale's stored review flags (`sales.flags`) in `lang`; an old plain-text flag as it is."""
    from data.files.parsing import stored_flags

    problems = stored_flags(str(text or ""))
    if problems is None:
        return str(text)
    return "; ".join(problem_text(problem, lang) for problem in problems)


def series_label(series_id: str, lang: str) -> str:
    """A series as a reader names it: USD_COP → "pesos colombianos por dólar"; an unknown id unchanged."""
    return t(SERIES[series_id], lang) if series_id in SERIES else series_id


def held_back_text(held: Iterable[tuple[str, pd.Timestamp | None]], lang: str) -> str:
    """Series that hold a price's day back, as a reader names them: "pesos colombianos por dólar (hasta el
    25 ago 2020)"; a series with no real values "(sin datos reales)". `held` is (series id, last day)."""
    parts = []
    for series_id, last in held:
        name = series_label(series_id, lang)
        if last is None:
            parts.append(t("held_back_missing", lang, series=name))
        else:
            parts.append(t("held_back_until", lang, series=name, date=format_day(last, lang)))
    return "; ".join(parts)


def source_spans_text(spans: tuple | list, lang: str, most: int = 3) -> str:
    """Where a series' source changes: "LBMA (fijación PM) 4 ene 2000 – 2 mar 2021; Yahoo … 3 mar 2021 – …"
    (the latest `most` runs; earlier ones are counted)."""
    if not spans:
        return "–"
    shown = [
        f"{source_label(source, lang)} {format_day(first, lang)} – {format_day(last, lang)}"
        for source, first, last, _ in spans[-most:]
    ]
    earlier = len(spans) - len(shown)
    prefix = [tn("spans_earlier", earlier, lang)] if earlier else []
    return "; ".join(prefix + shown)


def format_label(code: str, lang: str) -> str:
    """A price file's format as a reader names it: fred → "FRED (fijación LBMA del oro)"."""
    return t(FORMAT[str(code)], lang) if str(code) in FORMAT else str(code)


def source_label(source: str | None, lang: str) -> str:
    """A series' source as a reader names it: yahoo:GC=F → "Yahoo Finance GC=F (futuro COMEX)",
    import:FILE → the file's name, lbma → "oro, fijación LBMA", demo → "demostración"."""
    if not source:
        return "–"
    if ", " in source:  # several sources, in the order of the days they cover ("lbma, yahoo:GC=F")
        return ", ".join(source_label(part, lang) for part in source.split(", "))
    if source in SOURCE:  # a source whose name holds its statistic (bcrp:PD04638PD)
        return t(SOURCE[source], lang)
    provider, _, detail = source.partition(":")
    provider = provider.strip().lower()
    if provider.startswith("demo"):
        return t(SOURCE["demo"], lang)
    if provider == "import":
        return detail.strip() or source
    if provider == "yahoo":
        ticker = detail.strip()
        if ticker.upper() == "GC=F":
            return t(SOURCE["yahoo_gold_future"], lang)
        return f"Yahoo Finance {ticker}".strip()
    if provider in SOURCE:
        return t(SOURCE[provider], lang)
    return source


def rate_kind_label(kind: str, currency: str, lang: str) -> str:
    """An exchange-rate kind as a reader names it: official → "oficial", reference → "referencial del
    BCB" for bolivianos ("referencial del banco central" elsewhere), market → "de mercado"."""
    key = RATE_KIND_OF_CURRENCY.get((kind, currency), RATE_KIND.get(kind))
    return kind if key is None else t(key, lang)


def rate_kind_text(used: str, requested: str, currency: str, lang: str) -> str:
    """Which exchange rate a price used, and when the kind asked for is not stored, that it fell back."""
    text = t("rate_kind_used", lang, kind=rate_kind_label(used, currency, lang))
    if requested != used:
        text += " " + t("rate_kind_fell_back", lang, requested=rate_kind_label(requested, currency, lang))
    return text


def rate_kinds_text(currency: str, prices: dict[str, float], lang: str) -> str:
    """The gram at each stored rate kind with its gap to the official one: "a la tasa oficial: Bs 388;
    a la tasa referencial del BCB: Bs 520 (+33,9 % frente a la oficial)"."""
    official = prices.get("official")
    parts = []
    for kind, price in prices.items():
        text = t("rate_kind_price_at", lang, kind=rate_kind_label(kind, currency, lang),
                 price=format_money(price, currency, lang))  # fmt: skip
        if official and kind != "official":
            gap = t("rate_kind_gap", lang, gap=format_pct((price / official - 1) * 100, lang))
            text += f" ({gap})"
        parts.append(text)
    return "; ".join(parts)


def fetch_source_name(source: str, lang: str) -> str:
    """A source `prices refresh` asks, as a sentence names it ("la TRM en datos.gov.co")."""
    return t(FETCH_SOURCE[source], lang) if source in FETCH_SOURCE else source


def fetch_failure_text(source: str, code: str, params: dict[str, object], lang: str) -> str:
    """Why a source's fetch failed, in the user's language; the host and the details stay in the log."""
    if code == "refused" and not params.get("status"):
        code = "refused_address"
    if code not in FETCH_WHY:
        code = "changed_format"
    why = t(FETCH_WHY[code], lang, status=params.get("status", ""))
    return t("source_fetch_failed", lang, source=fetch_source_name(source, lang), why=why)


def fetch_result_text(
    source: str,
    series: str | None,
    rows_added: int,
    first: object,
    last: object,
    error_code: str | None,
    error_params: dict[str, object],
    skipped: str | None,
    lang: str,
    stored_as: str | None = None,
) -> str:
    """One line of a refresh's report: what a source added, that it had nothing new, or why it failed."""
    if error_code is not None:
        return fetch_failure_text(source, error_code, error_params, lang)
    if skipped is not None:
        return t(FETCH_SKIPPED[skipped], lang)
    name = source_label(stored_as or source, lang)
    label = series_label(series or "", lang)
    if not rows_added:
        return t("fetch_nothing_new", lang, source=name, series=label)
    return tn(
        "fetch_added",
        rows_added,
        lang,
        source=name,
        series=label,
        first=format_day(first, lang),
        last=format_day(last, lang),
    )


#: How each parameter of a sell-timing reason is written: (kind, digits). Percentiles and probabilities
#: are shares in 0–100, written as "85 %"; distances from the average as "12,3 %"; the RSI as a number.
REASON_PARAMS: dict[str, tuple[str, int]] = {
    "percentile": ("pct", 0),
    "pct": ("pct", 1),
    "rsi": ("number", 0),
}
REASON_PCT_DIGITS = {"probability": 0}


def reason_text(reason: Reason, lang: str) -> str:
    """The sentence for one sell-timing reason (analytics.timing.Reason: a code and its numbers)."""
    values: dict[str, object] = {}
    for name, value in reason.params.items():
        kind, digits = REASON_PARAMS[name]
        if kind == "pct":
            digits = REASON_PCT_DIGITS.get(reason.code, digits)
            values[name] = format_pct(value, lang, digits=digits, signed=False)
        else:
            values[name] = format_number(value, lang, digits)
    return t(REASON[reason.code], lang, **values)


def error_text(error: Exception, lang: str) -> str:
    """An error for the page, in the user's language: worded from its code and params when it has them
    (analytics.errors.CodedError), else its own message."""
    code = getattr(error, "code", None)
    params = getattr(error, "params", None)
    if not isinstance(code, str) or not isinstance(params, dict) or code not in ERROR:
        return str(error)
    values: dict[str, object] = {}
    for name, value in params.items():
        if isinstance(value, date | datetime | pd.Timestamp):
            values[name] = format_day(value, lang)
        elif isinstance(value, int | float) and not isinstance(value, bool):
            values[name] = format_number(value, lang, 0 if float(value).is_integer() else 2)
        else:
            values[name] = value
    return t(ERROR[code], lang, **values)


def offer_error_text(error: OfferError, lang: str) -> str:
    """The words for an analytics.offers.OfferError (a field code and its bounds)."""
    bounds = {
        name: format_number(value, lang, 0)
        for name, value in (("low", error.low), ("high", error.high))
        if value is not None
    }
    return t(OFFER_ERROR[error.code], lang, **bounds)


def unit_label(unit: str, lang: str) -> str:
    return t(UNIT[unit], lang)


def horizon_label(code: str, lang: str) -> str:
    return t(HORIZON[code], lang) if code in HORIZON else code
