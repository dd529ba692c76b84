"""Tables as the reader sees them: headers and cells in the chosen language, for pages and downloads, and
the import problems of a file as a table. Pure: no streamlit import.
"""

from __future__ import annotations

from datetime import date, datetime

import pandas as pd

from i18n import (
    N_,
    flags_text,
    format_day,
    format_number,
    format_pct,
    money_digits,
    month_label,
    problem_text,
    source_label,
    t,
    tn,
)
from i18n.keys import CERTIFICATION, COLUMN, FIELD, FILE, KIND, MINIMUM_STATE, PROBLEM, SHEET, UNIT


def problem_rows(entries: list[dict], lang: str) -> pd.DataFrame:
    """Rejected or flagged rows as a table in the user's language: line, sale, every reason of the line."""
    rows = []
    for entry in entries:
        problems = entry.get("problems") or [{"code": entry.get("code"), **{"value": entry.get("reason")}}]
        reasons = [
            problem_text(p, lang) if p.get("code") in PROBLEM else str(entry.get("reason")) for p in problems
        ]
        rows.append(
            {
                t("col_line", lang): line_text(entry, lang),
                t("field_sale_id", lang): entry.get("sale_id", ""),
                t("col_reason", lang): "; ".join(reasons),
            }
        )
    return pd.DataFrame(rows, columns=[t("col_line", lang), t("field_sale_id", lang), t("col_reason", lang)])


def price_problem_rows(flagged: list[dict], rejected: list[dict], lang: str) -> pd.DataFrame:
    """A price file's flagged and rejected rows as one table in the user's language: kind, line, date, reason."""
    columns = [t("col_kind", lang), t("col_line", lang), t("field_date", lang), t("col_reason", lang)]
    rows = []
    for kind, entries in (("flagged", flagged), ("rejected", rejected)):
        reasons = problem_rows(entries, lang)[t("col_reason", lang)] if entries else []
        for entry, reason in zip(entries, reasons, strict=True):
            rows.append(
                dict(
                    zip(
                        columns,
                        [t(KIND[kind], lang), entry.get("line"), entry.get("date"), reason],
                        strict=True,
                    )
                )
            )
    return pd.DataFrame(rows, columns=columns)


def column_label(name: object, lang: str) -> str:
    """A column's header in `lang`: `fine_gold_g` → "Oro fino (g)"; an unknown name unchanged."""
    for table in (FIELD, COLUMN):
        if str(name) in table:
            return t(table[str(name)], lang)
    return str(name)


def sheet_label(name: str, lang: str) -> str:
    """A workbook sheet's name in `lang` (Excel allows 31 characters)."""
    return (t(SHEET[name], lang) if name in SHEET else column_label(name, lang))[:31]


def file_label(name: str, lang: str) -> str:
    """The stem of a download's file name in `lang`: `ventas` or `sales`."""
    return t(FILE[name], lang)


def _cell_kind(name: str) -> str:
    """How a column's numbers read: money in the table's currency, USD, percent, points, grams, counts..."""
    if name in ("sales", "line", "under_minimum", "folds", "count"):
        return "count"
    if name in ("fineness",):
        return "fineness"
    if name in ("fx", "fx_per_usd"):
        return "rate"
    if name.endswith(("_pct", "_pct_weighted")) or name == "pct_of_benchmark":
        return "pct"
    if name.endswith("_pp"):
        return "points"
    if name.endswith("_usd") or name == "usd_per_kg_fine" or name == "usd_per_g":
        return "usd"
    if name.endswith("_g") and not name.endswith("_per_g"):
        return "grams"
    return "money"


#: The start of the id the importer gives a sale without a lot number (data.ledger: a hash of its content).
AUTO_SALE_PREFIX = "auto-"


def has_lot_number(sale_id: object) -> bool:
    return not str(sale_id).startswith(AUTO_SALE_PREFIX)


def sale_label(sale_id: object, day: object, buyer: object, lang: str) -> str:
    """A sale as a reader names it: its lot number, or, for a sheet kept without lot numbers, its date and
    buyer ("7 mar 2019 · Refinería X"), never the importer's `auto-b9aafc1d7c`."""
    if has_lot_number(sale_id):
        return str(sale_id)
    named = "" if buyer is None or (not isinstance(buyer, str) and pd.isna(buyer)) else str(buyer).strip()
    return f"{format_day(day, lang)} · {named}" if named else format_day(day, lang)


def lot_numbers(values: pd.Series) -> pd.Series:
    """A sale-id column as shown in a table that has the date and buyer beside it: the lot number, or empty
    for a sale the importer numbered itself."""
    return values.map(lambda value: str(value) if has_lot_number(value) else "")


def format_cell(value: object, name: str, lang: str, currency: str | None = None) -> str:
    """One table cell as text in `lang`: numbers by the language's convention, dates as `10 may 2024`,
    certifications and yes/no in words, a missing value as "–"."""
    if value is None or (not isinstance(value, str | pd.Period) and pd.isna(value)):
        return "–"
    if isinstance(value, bool) or (hasattr(value, "dtype") and str(getattr(value, "dtype", "")) == "bool"):
        return t(N_("yes") if value else N_("no"), lang).capitalize()
    if name == "certification" and value in CERTIFICATION:
        return t(CERTIFICATION[value], lang)
    if name == "flags" and isinstance(value, str):
        return flags_text(value, lang)
    if name == "minimum_state" and value in MINIMUM_STATE:
        return t(MINIMUM_STATE[value], lang)
    if name == "minimum_reference" and isinstance(value, str):
        return source_label(value, lang)  # lbma → "oro, fijación LBMA"
    if name == "sale_id" and isinstance(value, str) and not has_lot_number(value):
        return ""  # no lot number in the sheet: the date and buyer beside it name the sale
    if isinstance(value, pd.Period) or name == "month":
        return month_label(value, lang)
    if isinstance(value, date | datetime | pd.Timestamp):
        return format_day(value, lang)
    if isinstance(value, int | float) and not isinstance(value, bool):
        number = float(value)
        kind = _cell_kind(name)
        if kind == "count":
            return format_number(number, lang, 0)
        if kind == "fineness":
            return format_number(number, lang, 3)
        if kind == "rate":
            return format_number(number, lang, 2, currency)
        if kind == "pct":
            return format_pct(number, lang)
        if kind == "points":
            return format_number(number, lang, 1)
        if kind == "usd":
            return format_number(number, lang, 0 if abs(number) >= 1000 else 2)
        if kind == "grams":
            return format_number(number, lang, 1)
        return format_number(number, lang, money_digits(number), currency)
    return str(value)


def display_frame(frame: pd.DataFrame, lang: str, currency: str | None = None) -> pd.DataFrame:
    """A table for the page: every cell text formatted for `lang` (not the browser's locale), headers
    translated. Rows keep their order; the index is dropped unless it is named (it then carries labels)."""
    named = any(name is not None for name in frame.index.names)
    shown = frame.reset_index() if named else frame  # a row number is not worth a column
    out = pd.DataFrame(
        {
            column_label(name, lang): [format_cell(value, str(name), lang, currency) for value in shown[name]]
            for name in shown.columns
        },
        index=pd.RangeIndex(len(shown)),
    )
    return out


def export_frame(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """A table for a download: numbers stay numbers (a spreadsheet sums them), headers and codes in
    `lang` (certifications, yes/no, months)."""
    out = frame.copy()
    for name in out.columns:
        values = out[name]
        if (
            pd.api.types.is_bool_dtype(values)
            or name in ("certification", "minimum_state", "month", "flags", "minimum_reference")
            or (values.dtype == object and values.map(lambda v: isinstance(v, bool)).any())
        ):
            out[name] = [format_cell(value, str(name), lang) for value in values]
    out.columns = [column_label(name, lang) for name in out.columns]
    out.index.names = [None if n is None else column_label(n, lang) for n in out.index.names]
    return out


def _field_label(name: str, lang: str) -> str:
    return t(FIELD[name], lang) if name in FIELD else name


def understood_rows(parsed: object, lang: str) -> pd.DataFrame:
    """The import's reading of the file (data.ledger.LedgerParse.understood) as the preview's table:
    field, the column it came from, the unit and currency it was read in."""
    rows = []
    for entry in getattr(parsed, "understood", []):
        name = str(entry["field"])
        unit, currency = entry.get("unit"), entry.get("currency")
        money = name in ("amount_received", "gross_amount", "premium_received_usd") or name.endswith(
            ("_charge", "_paid")
        )
        if unit:
            unit_text = t(UNIT[str(unit)], lang) if str(unit) in UNIT else str(unit)
        else:
            unit_text = (
                t("sales_understood_per_row", lang) if name in ("gross_weight", "fine_gold_g") else "–"
            )
        per_row = t("sales_understood_per_row", lang) if money else "–"
        currency_text = str(currency) if currency else per_row
        rows.append(
            {
                t("sales_understood_field", lang): _field_label(name, lang),
                t("sales_understood_column", lang): str(entry["column"]),
                t("sales_understood_unit", lang): unit_text,
                t("sales_understood_currency", lang): currency_text,
            }
        )
    return pd.DataFrame(rows)


def conversion_text(conversion: dict, lang: str) -> str:
    """One money column converted at the sale day's rate, as a sentence."""
    missing = int(conversion.get("rows_without_rate", 0))
    return t(
        "sales_conversion",
        lang,
        field=_field_label(str(conversion["field"]), lang),
        source=conversion["from_currency"],
        target=conversion.get("to_currency"),
        series=conversion.get("rate_series") or "–",
        rows=conversion.get("rows", 0),
        missing=t("sales_conversion_missing", lang, count=missing) if missing else "",
    )


def totals_text(total: dict, lang: str) -> str:
    """A totals row of the sheet against what was read above it, as a sentence: they match, or each
    difference named (field, the sheet's figure, ours)."""
    if total.get("matches"):
        return _on_sheet(total, t("sales_totals_match", lang, line=total["line"], rows=total["rows"]), lang)
    differences = "; ".join(
        t(
            "sales_totals_difference",
            lang,
            field=_field_label(str(difference["field"]), lang),
            sheet=format_number(float(difference["sheet"]), lang),
            read=format_number(float(difference["read"]), lang),
        )
        for difference in total.get("differences", [])
    )
    return _on_sheet(total, t("sales_totals_differ", lang, line=total["line"], differences=differences), lang)


def _on_sheet(entry: dict, text: str, lang: str) -> str:
    """A sentence about one sheet of a workbook of several, prefixed with the sheet's name."""
    return t("sales_sheet_note", lang, sheet=entry["sheet"], text=text) if "sheet" in entry else text


def line_text(entry: dict, lang: str) -> object:
    """Where a finding is: its line (a CSV file), or its sheet and line ("Hoja «2024-S2», línea 7")."""
    if "sheet" not in entry:
        return entry.get("line")
    return t("sales_sheet_line", lang, sheet=entry["sheet"], line=entry.get("line"))


def skipped_text(skipped: list[dict], lang: str) -> list[str]:
    """The totals rows left out, a sentence per sheet (one for a CSV file) with their lines."""
    by_sheet: dict[str | None, list[str]] = {}
    for row in skipped:
        by_sheet.setdefault(row.get("sheet"), []).append(str(row["line"]))
    return [
        _on_sheet(
            {} if sheet is None else {"sheet": sheet},
            tn("sales_skipped", len(lines), lang, lines=", ".join(lines)),
            lang,
        )
        for sheet, lines in by_sheet.items()
    ]


def sheets_text(sheets: list[dict], lang: str) -> list[str]:
    """Each sheet of a workbook in a line: the rows read, or why it was skipped."""
    return [
        t("sales_sheet_skipped", lang, sheet=sheet["sheet"], reason=problem_text(sheet["problem"], lang))
        if sheet["skipped"]
        else tn("sales_sheet_read", int(sheet["rows"]), lang, sheet=sheet["sheet"])
        for sheet in sheets
    ]


def changed_rows(changed: list[dict], lang: str) -> pd.DataFrame:
    """Stored lots a re-sent sheet corrects: line, the stored lot, each field from → to."""

    def value(name: str, raw: object) -> str:
        if isinstance(raw, float):
            return format_number(raw, lang, 4 if name == "fineness" else 2)
        return str(raw)

    return pd.DataFrame(
        [
            {
                t("sales_changed_line", lang): line_text(entry, lang),
                t("sales_changed_lot", lang): entry["sale_id"],
                t("sales_changed_what", lang): "; ".join(
                    f"{_field_label(name, lang)}: {value(name, entry['before'].get(name))} → "
                    f"{value(name, entry['after'].get(name))}"
                    for name in entry["fields"]
                ),
            }
            for entry in changed
        ]
    )
