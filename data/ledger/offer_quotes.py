"""Buyers' quotes from a CSV (or Excel) file: buyer,price_pct,fee_per_g,fixed_fee,payment_days.

Read with the one table reader and number parser of data/files/parsing.py (UTF-8, UTF-16 or Windows-1252;
`,` or tab with 1,234.5 or 97,5; `;` with 1.234,5 as Spanish-locale Excel writes it); a blank charge is
0. The first bad row stops the import with a one-line reason that names its line.
"""

from __future__ import annotations

import math

from analytics.offers import OfferError, Quote
from data.files.parsing import CellError, FileRefused, read_number, read_table

MAX_QUOTES = 1_000  # a handful of buyers: anything near this is not a quotes file

QUOTE_COLUMNS = ("buyer", "price_pct", "fee_per_g", "fixed_fee", "payment_days")
OPTIONAL_ZERO = ("fee_per_g", "fixed_fee")  # a blank charge is no charge


class QuoteFileError(ValueError):
    """The quotes file cannot be read; the message names the line."""


def read_quotes(content: bytes, filename: str) -> list[Quote]:
    try:
        table = read_table(content, filename, max_rows=MAX_QUOTES)
    except FileRefused as error:
        raise QuoteFileError(str(error)) from None
    header = [name.strip().lower() for name in table.header]
    missing = [name for name in QUOTE_COLUMNS if name not in header]
    if missing:
        raise QuoteFileError(
            f"line 1: missing column(s) {', '.join(missing)}; expected {','.join(QUOTE_COLUMNS)}"
        )
    position = {name: header.index(name) for name in QUOTE_COLUMNS}
    lines = table.lines or list(range(table.first_data_line, table.first_data_line + len(table.rows)))
    quotes = []
    for at, (line, row) in enumerate(zip(lines, table.rows, strict=True)):
        if at in table.long_cells:
            raise QuoteFileError(f"line {line}: {table.long_cell_problems(at)[0].english()}")
        cells = {name: row[index].strip() if index < len(row) else "" for name, index in position.items()}
        values: dict[str, float] = {}
        for name in QUOTE_COLUMNS[1:]:
            try:
                number = read_number(cells[name], table.decimal)
            except CellError:
                number = float("nan")
            if number is None and name in OPTIONAL_ZERO:
                number = 0.0
            if number is None or math.isnan(number):
                raise QuoteFileError(f"line {line}: {name} {cells[name]!r} is not a number")
            values[name] = number
        quote = Quote(cells["buyer"], **values)
        try:
            quote.check()
        except OfferError as error:
            raise QuoteFileError(f"line {line}: {error}") from None
        quotes.append(quote)
    if not quotes:
        raise QuoteFileError("the file has no quotes under its header")
    return quotes
