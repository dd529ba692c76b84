"""An .xlsx workbook's sheets as Tables of text cells, within the limits of data/files/parsing.py (rows, cells,
columns and text counted across all the sheets together); data/files/xlsx_reader.py streams the cells. No store."""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime, time

import pandas as pd

from data.files.parsing import (
    MAX_CELL_CHARS,
    MAX_CELLS,
    MAX_COLUMNS,
    MAX_WORKBOOK_TEXT_CHARS,
    FileRefused,
    Table,
    _bounded,
    _row_budget,
    _Rows,
    check_workbook_zip,
)
from data.files.xlsx_reader import TooMuchText, iter_sheet_rows, sheet_names


def _cell_text(cell: object) -> str:
    if cell is None:
        return ""
    if isinstance(cell, datetime):
        return cell.strftime("%Y-%m-%d") if cell.time() == time() else cell.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(cell, date):
        return cell.strftime("%Y-%m-%d")
    if isinstance(cell, float):
        return repr(cell) if not cell.is_integer() or abs(cell) >= 1e16 else str(int(cell))
    return str(cell).strip()


def read_first_sheet(
    content: bytes, max_rows: int, error: type[FileRefused], columnar: bool = False
) -> Table:
    """The first sheet's rows, streamed (data/files/xlsx_reader.py): each cell cut at MAX_CELL_CHARS."""
    _, table = read_workbook_sheets(
        content, max_rows=max_rows, error=error, columnar=columnar, all_sheets=False
    )[0]
    if table is None:
        raise error("workbook_empty")
    return table


def read_workbook_sheets(
    content: bytes,
    *,
    max_rows: int,
    error: type[FileRefused] = FileRefused,
    columnar: bool = False,
    all_sheets: bool = True,
) -> list[tuple[str, Table | None]]:
    """(name, table) of each sheet in tab order (None for a sheet without a filled cell), streamed
    (data/files/xlsx_reader.py): the rows, cells and text limits hold across all the sheets together."""
    check_workbook_zip(content, error, max_rows)
    found: dict[str, Table] = {}
    sheet: _SheetRows | None = None
    read_rows = 0
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        names = sheet_names(archive)
        rows = iter_sheet_rows(
            archive,
            max_chars=MAX_CELL_CHARS,
            max_text_chars=MAX_WORKBOOK_TEXT_CHARS,
            max_shared=MAX_CELLS,
            all_sheets=all_sheets,
        )
        for name, number, values in rows:
            if sheet is None or sheet.name != name:
                if sheet is not None and len(sheet.rows):
                    found[sheet.name] = sheet.table()
                sheet = _SheetRows(name, columnar)
            if number > _row_budget(max_rows):
                raise error("too_many_rows", limit=max_rows)
            if len(values) > MAX_COLUMNS and any(
                c is not None and c.value != "" for c in values[MAX_COLUMNS:]
            ):
                raise error("too_many_columns", limit=MAX_COLUMNS)  # at the first wide row: no sheet scan
            if sheet.add(number, values[:MAX_COLUMNS]):
                read_rows += 1
                if read_rows > max_rows + 1:
                    raise error("too_many_rows", limit=max_rows)
        if sheet is not None and len(sheet.rows):
            found[sheet.name] = sheet.table()
    except FileRefused:
        raise
    except TooMuchText:
        raise error("workbook_too_much_text", limit=MAX_WORKBOOK_TEXT_CHARS) from None
    except Exception as failure:  # a damaged workbook: bad XML, a missing part, a bad value
        raise error("bad_workbook", detail=str(failure)[:200]) from None
    return [(name, found.get(name)) for name in (names if all_sheets else names[:1])]


class _SheetRows:
    """One sheet's filled rows as they are read, then its Table (header = its first filled row)."""

    def __init__(self, name: str, columnar: bool):
        self.name = name
        self.rows = _Rows(columnar)
        self.lines: list[int] = []
        self.long_cells: dict[int, list[tuple[int, int]]] = {}

    def add(self, number: int, row: list) -> bool:
        """Keep a row that has a filled cell (True), each cell as text cut at MAX_CELL_CHARS."""
        cells = [_cell_text(None if cell is None else cell.value) for cell in row]
        if not any(cells):
            return False
        long = [(column, cell.length) for column, cell in enumerate(row) if cell is not None and cell.length]
        cells, cut = _bounded(cells)  # a number's text is never long; a string is cut already
        long = long or cut
        if long:
            self.long_cells[len(self.rows)] = long
        self.rows.append(cells)
        self.lines.append(number)
        return True

    def table(self) -> Table:
        rows, lines = self.rows, self.lines
        body_long = {at - 1: long for at, long in self.long_cells.items() if at >= 1}
        first_line = lines[1] if len(lines) > 1 else lines[0] + 1
        header = rows[0]
        body, columns = rows.body(1)
        if columns is None:
            table = [header, *body]
            width = max(len(row) for row in table)
            while width and not any(len(row) >= width and row[width - 1] for row in table):
                width -= 1  # drop columns that are empty everywhere
            table = [
                row[:width] + [""] * (width - len(row)) for row in table
            ]  # every row as wide as the sheet
            return Table(table[0], table[1:], first_line, None, lines[1:], body_long)
        width = max(len(header), len(columns))
        while width and not (
            (len(header) >= width and header[width - 1])
            or (len(columns) >= width and bool((columns[width - 1] != "").any()))
        ):
            width -= 1
        empty = pd.Series([""] * (len(lines) - 1), dtype="str")
        columns = [columns[at] if at < len(columns) else empty for at in range(width)]
        header = header[:width] + [""] * (width - len(header))
        return Table(header, [], first_line, None, lines[1:], body_long, columns)
