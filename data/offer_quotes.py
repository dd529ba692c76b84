"""Buyers' quotes from a CSV (or Excel) file: buyer,price_pct,fee_per_g,fixed_fee,payment_days.

Reads with the importers' table reader and the ledger's number rule (UTF-8 or Windows-1252; `,` or tab
with 1,234.5 or 97,5; `;` with 1.234,5 as Spanish-locale Excel writes it); a blank charge is 0. The first bad row stops the import with a one-line reason that
names its line.
"""

from __future__ import annotations

import math

from analytics.offers import OfferError, Quote
from data.importers import read_table

# the ledger's rule for Spanish-locale exports (`;` and 1.234,5); data/parsing.py will hold one parser
from data.ledger import _parse_amount, _uses_decimal_comma

QUOTE_COLUMNS = ("buyer", "price_pct", "fee_per_g", "fixed_fee", "payment_days")
OPTIONAL_ZERO = ("fee_per_g", "fixed_fee")  # a blank charge is no charge


class QuoteFileError(ValueError):
    """The quotes file cannot be read; the message names the line."""


def _line_numbers(content: bytes, rows: int) -> list[int]:
    """The file line of each row the table reader kept (it skips blank lines, so an offset is not enough)."""
    if content[:2] != b"PK":  # text: the header is line 1, then every line with a value on it
        text = content.decode("utf-8-sig", errors="replace")
        lines = [n for n, line in enumerate(text.splitlines(), start=1) if n > 1 and line.strip(' \t,;"')]
        if len(lines) == rows:
            return lines
    return list(range(2, 2 + rows))


def read_quotes(content: bytes, filename: str) -> list[Quote]:
    table = read_table(content, filename)
    header = [name.strip().lower() for name in table.header]
    missing = [name for name in QUOTE_COLUMNS if name not in header]
    if missing:
        raise QuoteFileError(
            f"line 1: missing column(s) {', '.join(missing)}; expected {','.join(QUOTE_COLUMNS)}"
        )
    position = {name: header.index(name) for name in QUOTE_COLUMNS}
    decimal_comma = _uses_decimal_comma(content)
    quotes = []
    for line, row in zip(_line_numbers(content, len(table.rows)), table.rows, strict=True):
        cells = {name: row[index].strip() if index < len(row) else "" for name, index in position.items()}
        values: dict[str, float] = {}
        for name in QUOTE_COLUMNS[1:]:
            number = _parse_amount(cells[name], decimal_comma)
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
