"""Downloads: tables as CSV or Excel bytes, with a sheet that says where the figures come from.

Every text cell a spreadsheet would run as a formula (=, +, -, @, tab or carriage return first) is
written with a leading apostrophe, so a buyer name like `=HYPERLINK(...)` stays text (CSV injection).
A formatted number such as "-3,2 %" is left alone: it is not a formula and users copy it as a number.
"""

from __future__ import annotations

import io
import re

import pandas as pd

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_FORMATTED_NUMBER = re.compile(r"[+-]?[0-9][0-9.,\u00a0\u202f ]*%?|[+-]?[.,][0-9]+%?|[+-]")


def neutralise_formula(value: object) -> object:
    """'=1+1' → "'=1+1"; numbers, dates and harmless text unchanged."""
    if (
        isinstance(value, str)
        and value.startswith(FORMULA_PREFIXES)
        and not _FORMATTED_NUMBER.fullmatch(value.strip())
    ):
        return "'" + value
    return value


def _neutralise_labels(index: pd.Index) -> pd.Index:
    kind = pd.api.types
    if (
        isinstance(index, pd.MultiIndex)
        or kind.is_numeric_dtype(index)
        or kind.is_datetime64_any_dtype(index)
    ):
        return index
    return index.map(neutralise_formula)


def neutralised(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy whose text cells, column names and index labels cannot run as spreadsheet formulas."""
    out = frame.copy()
    for column in out.columns:
        if not (
            pd.api.types.is_numeric_dtype(out[column]) or pd.api.types.is_datetime64_any_dtype(out[column])
        ):
            out[column] = out[column].map(neutralise_formula)
    out.columns = _neutralise_labels(out.columns)
    out.index = _neutralise_labels(out.index)
    out.index.names = [neutralise_formula(name) for name in out.index.names]
    return out


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """UTF-8 with BOM so that Excel in Spanish opens accents correctly; ISO dates.

    Lines end in CRLF, which also makes the csv writer quote any cell holding a lone carriage
    return (with "\n" endings it does not, and a reader would start a new row inside the cell).
    """
    table = neutralised(frame)
    return table.to_csv(index=True, date_format="%Y-%m-%d", lineterminator="\r\n").encode("utf-8-sig")


def excel_bytes(
    sheets: dict[str, pd.DataFrame],
    about: dict[str, str] | None = None,
    *,
    about_header: tuple[str, str] = ("item", "value"),
    about_sheet: str = "about",
) -> bytes:
    """An .xlsx workbook with one sheet per table and an 'about' sheet (source, as-of, rules); the caller
    names the sheets and the about sheet's header in the reader's language."""
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for name, frame in sheets.items():
            out = neutralised(frame)
            if isinstance(out.index, pd.DatetimeIndex):
                out.index = out.index.date
            for column in out.columns:
                if pd.api.types.is_datetime64_any_dtype(out[column]):
                    out[column] = out[column].dt.date
            out.to_excel(writer, sheet_name=name[:31])
        if about:
            neutralised(pd.DataFrame(list(about.items()), columns=list(about_header))).to_excel(
                writer, sheet_name=about_sheet[:31], index=False
            )
    return buffer.getvalue()
