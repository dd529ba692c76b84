"""Downloads: tables as CSV or Excel bytes, with a sheet that says where the figures come from.

Every text cell a spreadsheet would run as a formula (=, +, -, @, tab or carriage return first) is
written with a leading apostrophe, so a buyer name like `=HYPERLINK(...)` stays text (CSV injection).
The same goes for such a start after a separator inside a cell (`x;=1+1;y`): a spreadsheet that
splits on another separator than ours (Excel in Spanish splits on `;`) would make it a cell of its
own. In CSV every text cell is also quoted, so a separator inside it never splits it where quotes
are honoured. A formatted number such as "-3,2 %" is left alone: it is not a formula and users copy
it as a number.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping, Sequence

import pandas as pd

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_FORMATTED_NUMBER = re.compile(r"[+-]?[0-9][0-9.,\u00a0\u202f ]*%?|[+-]?[.,][0-9]+%?|[+-]")
#: A separator some spreadsheet may split on (comma, semicolon, tab, pipe, line break), then optional
#: blanks and a quote, then what would start a formula in the piece split off.
_FORMULA_AFTER_SEPARATOR = re.compile(r"([,;\t|\r\n][ \u00a0]*\"?)(?=[=+\-@\t\r])")


def neutralise_formula(value: object) -> object:
    """'=1+1' → "'=1+1", 'x;=1+1;y' → "x;'=1+1;y"; numbers, dates and harmless text unchanged."""
    if not isinstance(value, str) or _FORMATTED_NUMBER.fullmatch(value.strip()):
        return value
    value = _FORMULA_AFTER_SEPARATOR.sub(_after_separator, value)
    if value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def _after_separator(match: re.Match[str]) -> str:
    return match.group(1) + "'"


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
    """UTF-8 with BOM so that Excel in Spanish opens accents correctly; ISO dates; every text cell
    (names, labels, dates) in double quotes, numbers bare.

    Lines end in CRLF, which also makes the csv writer quote any cell holding a lone carriage
    return (with "\n" endings it does not, and a reader would start a new row inside the cell).
    """
    table = neutralised(frame)
    return table.to_csv(
        index=True, date_format="%Y-%m-%d", lineterminator="\r\n", quoting=csv.QUOTE_NONNUMERIC
    ).encode("utf-8-sig")


def excel_bytes(
    sheets: dict[str, pd.DataFrame],
    about: dict[str, str] | None = None,
    notice: str | None = None,
    *,
    about_header: tuple[str, str] = ("item", "value"),
    about_sheet: str = "about",
    number_formats: Mapping[str, Mapping[str, str | Sequence[str]]] | None = None,
    date_format: str | None = None,
) -> bytes:
    """An .xlsx workbook with one sheet per table and an 'about' sheet (source, as-of, rules); the caller
    names the sheets and the about sheet's header in the reader's language.

    A `notice` (e.g. "demo data, not real prices") is written in the first row of every sheet, above
    the table, so a sheet copied or forwarded alone still says it.

    `number_formats` gives, per sheet and column header (as written), Excel's number format for the
    column's cells (`#,##0.0" g"`), or one format per row (a column whose rows are in different
    currencies). Excel writes `,` and `.` in such a format by the reader's own locale. `date_format`
    (`DD/MM/YYYY`) replaces openpyxl's ISO format on every date cell.
    """
    buffer = io.BytesIO()
    first_row = 2 if notice else 0
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        tables = dict(sheets)
        if about:
            header = list(about_header)
            tables[about_sheet] = pd.DataFrame(list(about.items()), columns=header).set_index(header[0])
        for name, frame in tables.items():
            out = neutralised(frame)
            if isinstance(out.index, pd.DatetimeIndex):
                out.index = out.index.date
            for column in out.columns:
                if pd.api.types.is_datetime64_any_dtype(out[column]):
                    out[column] = out[column].dt.date
            numbered = isinstance(out.index, pd.RangeIndex) and out.index.name is None  # no row numbers
            out.to_excel(writer, sheet_name=name[:31], startrow=first_row, index=not numbered)
            formats = (number_formats or {}).get(name)
            if formats:
                _apply_number_formats(writer.sheets[name[:31]], first_row + 1, len(out), formats)
            if date_format:
                for row in writer.sheets[name[:31]].iter_rows():
                    for cell in row:
                        if cell.is_date:
                            cell.number_format = date_format
            if notice:
                writer.sheets[name[:31]].cell(row=1, column=1, value=neutralise_formula(notice))
            _fit_column_widths(writer.sheets[name[:31]], first_row + 1)
    return buffer.getvalue()


def _fit_column_widths(sheet: object, header_row: int) -> None:
    """Columns wide enough for their header and values (dates, amounts), within 10–60 characters; the
    notice row above the table is left to spill over, not to widen column A."""
    widths: dict[str, int] = {}
    for row in sheet.iter_rows(min_row=header_row):  # type: ignore[attr-defined]
        for cell in row:
            if cell.value is None:
                continue
            text = f"{cell.value:%d/%m/%Y}" if cell.is_date else str(cell.value)
            widths[cell.column_letter] = max(widths.get(cell.column_letter, 0), len(text))
    for letter, width in widths.items():
        sheet.column_dimensions[letter].width = min(60, max(10, width + 2))  # type: ignore[attr-defined]


def _apply_number_formats(
    sheet: object, header_row: int, rows: int, formats: Mapping[str, str | Sequence[str]]
) -> None:
    """Excel number formats on the cells below each named header (openpyxl's 1-based rows)."""
    for cell in sheet[header_row]:  # type: ignore[index]
        wanted = formats.get(str(cell.value)) if cell.value is not None else None
        if wanted is None:
            continue
        for offset in range(rows):
            target = sheet.cell(row=header_row + 1 + offset, column=cell.column)  # type: ignore[attr-defined]
            target.number_format = wanted if isinstance(wanted, str) else wanted[offset]
