"""Codes in words: import problems, analytics errors, sell-timing reasons, offer errors, series, sources,
units and horizons, each written from its code and parameters through the catalogue (no streamlit).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

import pandas as pd

from i18n.catalogue import t, tn
from i18n.formats import format_day, format_number, format_pct
from i18n.keys import ERROR, FIELD, OFFER_ERROR, PROBLEM, REASON, UNIT, UNIT_CAUSE

if TYPE_CHECKING:  # only the type: the i18n package stays light (no statsmodels import)
    from analytics.offers import OfferError
    from analytics.timing import Reason

#: How a Spanish sentence names a field of the import (the English ones are data.parsing.FIELD_NAMES).
PROBLEM_FIELDS_ES = {
    "sale_id": "el lote",
    "date": "la fecha",
    "gross_weight": "el peso",
    "gross_weight_g": "el peso en gramos",
    "fineness": "la ley",
    "fine_gold_g": "el oro fino",
    "currency": "la moneda",
    "amount_received": "el valor recibido",
    "premium_received_usd": "la prima (USD)",
    "refining_charge": "la refinación",
    "assay_charge": "el ensayo",
    "transport_charge": "el transporte",
    "export_charge": "la exportación",
    "royalties_paid": "las regalías",
    "withholding_paid": "la retención",
    "value": "el valor",
    "buyer": "el comprador",
    "cooperative": "la cooperativa",
    "certification": "la certificación",
    "notes": "las notas",
}
#: Weekday names as pandas writes them ("%A") in a flag, in Spanish.
WEEKDAYS_ES = {
    "Monday": "lunes",
    "Tuesday": "martes",
    "Wednesday": "miércoles",
    "Thursday": "jueves",
    "Friday": "viernes",
    "Saturday": "sábado",
    "Sunday": "domingo",
}
#: The Open/High/Low columns of a Yahoo or Stooq file, in Spanish.
OHLC_ES = {"Open": "la apertura", "High": "el máximo", "Low": "el mínimo"}
_LOCALISED_NUMBERS = {"limit": 0, "given": 2, "computed": 2, "pct": 0, "low": 0, "high": 0}


def problem_text(problem: object, lang: str) -> str:
    """One import problem (data.parsing.Problem, or its dict {"code", ...params}) as a sentence in `lang`."""
    from data.parsing import Problem

    if isinstance(problem, dict):
        params = {key: value for key, value in problem.items() if key != "code"}
        problem = Problem(str(problem.get("code")), params)
    assert isinstance(problem, Problem)
    if lang == "en" or problem.code not in PROBLEM:
        return problem.english()
    values: dict[str, object] = {}
    for key, value in problem.params.items():
        if key == "field":
            value = PROBLEM_FIELDS_ES.get(str(value), str(value))
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
            value = WEEKDAYS_ES.get(str(value), str(value))
        elif key == "move" and isinstance(value, int | float):
            value = format_pct(float(value), lang, 1)  # signed, as every change on the pages
        elif key == "column":
            value = OHLC_ES.get(str(value), str(value))
        elif (
            key in ("median", "expected", "low", "high")
            and isinstance(value, int | float)
            and problem.code != "price_implausible"  # its low and high are whole percentages
        ):
            value = format_number(float(value), lang, 4 if abs(value) < 100 else 2)
        elif key == "decimal_name":
            value = "coma" if value == "comma" else "punto"
        elif key in ("columns", "header") and isinstance(value, list | tuple):
            names = [t(FIELD[v], lang) if v in FIELD and key == "columns" else str(v) for v in value]
            value = ", ".join(names)
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
    from data.parsing import stored_flags

    problems = stored_flags(str(text or ""))
    if problems is None:
        return str(text)
    return "; ".join(problem_text(problem, lang) for problem in problems)


#: Readable names of the market series (what a banner lists), in Spanish and English.
SERIES_NAMES: dict[str, tuple[str, str]] = {
    "GOLD_USD": ("oro en dólares", "gold in dollars"),
    "SILVER_USD": ("plata en dólares", "silver in dollars"),
    "USD_COP": ("pesos colombianos por dólar", "Colombian pesos per dollar"),
    "USD_PEN": ("soles por dólar", "soles per dollar"),
    "USD_BOB": ("bolivianos por dólar", "bolivianos per dollar"),
    "USD_MNT": ("tugriks por dólar", "tögrög per dollar"),
}


def series_label(series_id: str, lang: str) -> str:
    """A series as a reader names it: USD_COP → "pesos colombianos por dólar"; an unknown id unchanged."""
    names = SERIES_NAMES.get(series_id)
    return series_id if names is None else names[1 if lang == "en" else 0]


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


#: Readable names of the providers a series may come from (the part of a source before ":").
SOURCE_NAMES: dict[str, tuple[str, str]] = {
    "lbma": ("LBMA (fijación PM)", "LBMA (PM fix)"),
    "fred": ("LBMA (fijación PM)", "LBMA (PM fix)"),
    "stooq": ("Stooq (spot)", "Stooq (spot)"),
    "trm": ("TRM (Superintendencia Financiera)", "TRM (Superintendencia Financiera)"),
    "bcrp": ("BCRP", "BCRP"),
}


def source_label(source: str | None, lang: str) -> str:
    """A series' source as a reader names it: yahoo:GC=F → "Yahoo Finance GC=F (futuro COMEX)",
    import:FILE → the file's name, lbma → "LBMA (fijación PM)", demo → "demostración"."""
    if not source:
        return "–"
    if ", " in source:  # several sources, in the order of the days they cover ("lbma, yahoo:GC=F")
        return ", ".join(source_label(part, lang) for part in source.split(", "))
    provider, _, detail = source.partition(":")
    provider = provider.strip().lower()
    if provider.startswith("demo"):
        return "demostración" if lang == "es" else "demo"
    if provider == "import":
        return detail.strip() or source
    if provider == "yahoo":
        ticker = detail.strip()
        if ticker.upper() == "GC=F":
            return "Yahoo Finance GC=F (" + ("futuro COMEX" if lang == "es" else "COMEX future") + ")"
        return f"Yahoo Finance {ticker}".strip()
    if provider in SOURCE_NAMES:
        es, en = SOURCE_NAMES[provider]
        return en if lang == "en" else es
    return source


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


#: Horizons of the performance table and the range selector, one set of labels per language.
HORIZON_LABELS = {
    "es": {"1D": "1 día", "1W": "1 sem.", "1M": "1 mes", "3M": "3 meses", "6M": "6 meses",
           "YTD": "En el año", "1Y": "1 año", "5Y": "5 años"},
    "en": {"1D": "1D", "1W": "1W", "1M": "1M", "3M": "3M", "6M": "6M", "YTD": "YTD", "1Y": "1Y", "5Y": "5Y"},
}  # fmt: skip


def horizon_label(code: str, lang: str) -> str:
    return HORIZON_LABELS["en" if lang == "en" else "es"].get(code, code)
