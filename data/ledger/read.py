"""Stage *read*: a sales file's bytes to cells and its header (the shared CSV/XLSX reader, with the
ledger's bounds); the file as a whole refused with one LedgerFileError code."""

from __future__ import annotations

from data.importers import MAX_FILE_BYTES, PriceFileError
from data.parsing import Table, read_table

MAX_LEDGER_BYTES = MAX_FILE_BYTES  # the same upload limit as a price file (Streamlit's, 20 MB)


MAX_LEDGER_ROWS = 100_000


class LedgerFileError(PriceFileError):
    """The file as a whole cannot be imported (nothing is stored): unreadable, empty, missing columns."""


def _read(content: bytes, filename: str) -> Table:
    try:
        return read_table(content, filename, max_rows=MAX_LEDGER_ROWS, error=LedgerFileError, columnar=True)
    except LedgerFileError:
        raise
    except PriceFileError as error:  # pragma: no cover - read_table raises the class it is given
        raise LedgerFileError(error.problem.code, **error.problem.params) from error


def ledger_header(content: bytes, filename: str) -> list[str]:
    """The file's column names (for the mapping step); LedgerFileError when the file is unusable."""
    table = _read(content, filename)
    if not table.header or not any(table.header):
        raise LedgerFileError("file_empty")
    return table.header
