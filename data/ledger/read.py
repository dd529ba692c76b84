"""Stage *read*: a sales file's bytes to cells and its header (the shared CSV/XLSX reader, with the
ledger's bounds); the file as a whole refused with one LedgerFileError code."""

from __future__ import annotations

from collections.abc import Callable

from data.files.parsing import Table, is_workbook, read_table
from data.files.workbook import read_workbook_sheets
from data.market.importers import MAX_FILE_BYTES, PriceFileError

MAX_LEDGER_BYTES = MAX_FILE_BYTES  # the same upload limit as a price file (Streamlit's, 20 MB)
MAX_LEDGER_ROWS = 100_000
#: Rows searched for the header below a sheet's title rows, and the recognised columns that make one.
HEADER_SEARCH_ROWS = 12
HEADER_MIN_FIELDS = 3
#: How many of a row's cells name one of our fields (understand.auto_mapping's count).
Recognised = Callable[[list[str]], int]


class LedgerFileError(PriceFileError):
    """The file as a whole cannot be imported (nothing is stored): unreadable, empty, missing columns."""


def _read(content: bytes, filename: str, recognised: Recognised | None = None) -> Table:
    """The file's cells with its header found once: below title rows when `recognised` is given."""
    try:
        table = read_table(content, filename, max_rows=MAX_LEDGER_ROWS, error=LedgerFileError, columnar=True)
        return table if recognised is None else header_found(table, recognised)
    except LedgerFileError:
        raise
    except PriceFileError as error:  # pragma: no cover - read_table raises the class it is given
        raise LedgerFileError(error.problem.code, **error.problem.params) from error


def _row(table: Table, position: int) -> list[str]:
    if table.columns is None:
        return list(table.rows[position])
    return [str(column.iat[position]) for column in table.columns]


def header_found(table: Table, recognised: Recognised) -> Table:
    """The table re-based on its header: a title row or two above it ("COOPERATIVA … VENTAS 2024", a
    blank line) are not the header when a row below names HEADER_MIN_FIELDS of our columns."""
    best = recognised(table.header)
    if best >= HEADER_MIN_FIELDS:
        return table
    for at in range(min(HEADER_SEARCH_ROWS, table.row_count)):
        row = _row(table, at)
        if recognised(row) >= max(HEADER_MIN_FIELDS, best + 1):
            return _rebased(table, at, [cell.strip() for cell in row])
    return table


def _rebased(table: Table, at: int, header: list[str]) -> Table:
    """`table` with its row `at` as the header and the rows after it as the data."""
    start = at + 1
    columns = None
    if table.columns is not None:
        columns = [column.iloc[start:].reset_index(drop=True) for column in table.columns]
    lines = table.lines[start:] if table.lines is not None else None
    return Table(
        header,
        table.rows[start:],
        table.line_of(start) if start < table.row_count else table.line_of(at) + 1,
        table.delimiter,
        lines,
        {position - start: long for position, long in table.long_cells.items() if position >= start},
        columns,
    )


def read_sheets(
    content: bytes, filename: str, recognised: Recognised
) -> list[tuple[str | None, Table | None]]:
    """(sheet name, table re-based on its header) of every sheet of a workbook in tab order (None: the
    sheet is empty), or [(None, table)] for a CSV file. The ledger's row limit holds across the sheets."""
    if not is_workbook(content, filename):
        return [(None, _read(content, filename, recognised))]
    try:
        sheets = read_workbook_sheets(content, max_rows=MAX_LEDGER_ROWS, error=LedgerFileError, columnar=True)
    except LedgerFileError:
        raise
    except PriceFileError as error:  # pragma: no cover - the reader raises the class it is given
        raise LedgerFileError(error.problem.code, **error.problem.params) from error
    return [(name, None if table is None else header_found(table, recognised)) for name, table in sheets]


def has_header(table: Table | None, recognised: Recognised) -> bool:
    """Whether a sheet's header row names enough of the ledger's columns to be read as sales."""
    return table is not None and recognised(table.header) >= HEADER_MIN_FIELDS


def ledger_header(content: bytes, filename: str, recognised: Recognised | None = None) -> list[str]:
    """The file's column names (for the mapping step): a workbook's first sheet that has the ledger's
    header (its first sheet when none has); LedgerFileError when the file is unusable."""
    if recognised is not None and is_workbook(content, filename):
        sheets = [table for _, table in read_sheets(content, filename, recognised) if table is not None]
        if not sheets:
            raise LedgerFileError("workbook_empty")
        table = next((table for table in sheets if has_header(table, recognised)), sheets[0])
    else:
        table = _read(content, filename, recognised)
    if not table.header or not any(table.header):
        raise LedgerFileError("file_empty")
    return table.header
