"""The sheet read, understood, validated row by row and converted: a LedgerParse of findings.

One way through the stages read → understand → rows (data/ledger/rows.py) → convert; nothing stored."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import pandas as pd

from data.ledger.convert import _convert_money, _Converter
from data.ledger.read import LedgerFileError, _read
from data.ledger.rows import STORED_COLUMNS, Progress, validate_rows
from data.ledger.rows import entry as _entry
from data.ledger.schema import (
    MONEY_COLUMNS,
)
from data.ledger.totals import reconcile_totals
from data.ledger.understand import (
    FIELDS,
    REQUIRED,
    SALE_CURRENCY,
    STRICT_TOTAL_ROW,
    TOTAL_ROW,
    _effective_mapping,
    _understood,
    auto_mapping,
    column_currency,
    fine_gold_unit,
    header_defaults,
    premium_currency,
)
from data.ledger.understand import (
    date_order as date_order_of,
)
from data.parsing import Problem, Table, flags_json
from data.series import CURRENCIES


@dataclass
class LedgerParse:
    """A validated file: the rows that can be stored, and every row that cannot or needs review."""

    rows_read: int
    sales: pd.DataFrame  # STORED_COLUMNS + "line" + "flags"
    rejected: list[dict] = field(default_factory=list)  # {"line", "sale_id", "reason", "code", "problems"}
    flagged: list[dict] = field(default_factory=list)  # {"line", "sale_id", "reason", "code", "problems"}
    mapping: dict[str, str] = field(default_factory=dict)
    skipped: list[dict] = field(default_factory=list)  # TOTAL/subtotal rows: {"line", "reason", "code", ...}
    currency: str | None = None  # the currency of rows without a currency cell (header or default)
    #: What the import understood, field by field: {"field", "column", "unit", "currency"} (before storing)
    understood: list[dict] = field(default_factory=list)
    #: Money columns converted at the sale day's rate: {"field", "from_currency", "to_currency",
    #: "rate_series", "rows", "rows_without_rate"}
    conversions: list[dict] = field(default_factory=list)
    #: Whether the sheet names its lots (a sale_id column); without, lots are matched by what they are
    has_ids: bool = False
    #: Stored lots this sheet corrects: {"line", "sale_id", "fields", "before", "after"} (preview_ledger)
    changed: list[dict] = field(default_factory=list)
    #: How the date column's order was decided: {"order": "day_first"|"month_first", "decided_by":
    #: "day_above_12"|"iso"|"chosen"|"undecided"} ("undecided": the preview asks)
    date_order: dict = field(default_factory=dict)
    #: The sheet's totals rows against what was read above them: {"line", "rows", "matches",
    #: "differences": [{"field", "sheet", "read"}]} (data/ledger/totals.py)
    totals: list[dict] = field(default_factory=list)


def _column_texts(table: Table, position: int) -> list[str]:
    """One column's distinct texts (the date order is decided on the whole column)."""
    if table.columns is not None:
        if position >= len(table.columns):
            return []
        return [str(text) for text in table.columns[position].dropna().unique()]
    return list({row[position] for row in table.rows if position < len(row)})


def recognised(row: list[str]) -> int:
    """How many of a row's cells name one of our fields: the read stage's test for the header row."""
    return len(auto_mapping([str(cell) for cell in row]))


def _usable_columns(
    table: Table, mapping: Mapping[str, str] | None, cooperative: str | None, currency: str | None
) -> tuple[dict[str, str], str | None, str | None]:
    """(our field -> the sheet's column, the headers' weight unit, the default currency); raises
    LedgerFileError when the file as a whole is unusable (empty, header only, a column missing)."""
    if not table.header or not any(table.header):
        raise LedgerFileError("file_empty")
    if not table.row_count:
        raise LedgerFileError("header_only")
    columns = _effective_mapping(table.header, mapping)
    unknown = sorted({v for v in columns.values() if v not in table.header})
    if unknown:
        raise LedgerFileError("unknown_mapped_columns", columns=unknown)
    header_unit, header_currency = header_defaults(columns)
    default_currency = header_currency or (currency.upper() if currency else None)
    missing = [
        name
        for name in REQUIRED
        if name not in columns and not (name == "currency" and default_currency in CURRENCIES)
    ]
    if "cooperative" not in columns and not cooperative:
        missing.append("cooperative")
    if missing:
        raise LedgerFileError("missing_columns", columns=missing, header=list(table.header))
    return columns, header_unit, default_currency


def _flagged_sales(
    sales: pd.DataFrame, row_flags: Mapping[int, list[Problem]]
) -> tuple[pd.DataFrame, list[dict]]:
    """The stored columns with each sale's flags (JSON), and the flagged rows listed for review."""
    flags = [""] * len(sales)
    flagged = []
    lines, sale_ids = sales["line"].tolist(), sales["sale_id"].tolist()
    for position in sorted(row_flags):  # only the rows flagged while they were read
        flags[position] = flags_json(row_flags[position])
        flagged.append(_entry(int(lines[position]), str(sale_ids[position]), row_flags[position]))
    sales = sales[["line", *STORED_COLUMNS]].copy()
    sales["flags"] = pd.Series(flags, index=sales.index, dtype="str")
    return sales, flagged


def parse_ledger(
    content: bytes,
    filename: str,
    *,
    cooperative: str | None = None,
    mapping: Mapping[str, str] | None = None,
    today: pd.Timestamp | None = None,
    currency: str | None = None,
    rates: Callable[[str], pd.Series | None] | None = None,
    progress: Progress | None = None,
    date_order: str | None = None,
) -> LedgerParse:
    """Read and validate a sales file; raises LedgerFileError when the file as a whole is unusable.

    `currency` is the default for rows without one (a header such as "Valor recibido (COP)" wins over
    it). Every row is validated by the declared schema (data/ledger/schema.py); a wrong row is rejected
    with all its problems, a TOTAL row skipped, and nothing about one row refuses the whole file.
    A money column whose header names another currency ("Prima Fairmined (COP)") is converted at the
    sale day's rate, `rates(currency)` being the stored local-currency-per-USD series (None: no rate,
    the value is stored as 0 and the sale flagged for review). A gross column beside the net amount is
    cross-checked against net + the sheet's deductions. `date_order` ("day_first", "month_first") is
    the user's answer for a date column whose cells do not decide it (understand.date_order).
    """
    table = _read(content, filename, recognised)
    columns, header_unit, default_currency = _usable_columns(table, mapping, cooperative, currency)
    order = date_order_of(_column_texts(table, table.header.index(columns["date"])), date_order)
    context = {
        "date_order": order["order"],
        "decimal": table.decimal,
        "today": (today or pd.Timestamp.now()).normalize(),
        "unit": header_unit or "g",
        "currency": default_currency,
    }
    fine_unit = fine_gold_unit(columns)
    index = {name: table.header.index(column) for name, column in columns.items()}
    has_ids = "sale_id" in columns
    #: money fields whose header names a currency (premium: USD unless its header names another)
    named_currency = {name: column_currency(columns[name]) for name in MONEY_COLUMNS if name in columns}
    sales, rejected, skipped = validate_rows(
        table,
        index,
        context,
        fields=list(FIELDS),
        cooperative=cooperative,
        total_row=TOTAL_ROW,
        strict_total=STRICT_TOTAL_ROW,
        progress=progress,
        fine_unit=fine_unit,
    )
    sales, rejected, skipped, totals = reconcile_totals(table, index, sales, rejected, skipped)
    premium_read = None
    if "premium_received_usd" in columns and not sales.empty:
        texts = _column_texts(table, table.header.index(columns["premium_received_usd"]))
        premium_read = premium_currency(
            columns["premium_received_usd"], texts, sales["premium_received_usd"], sales["fine_gold_g"]
        )
        if premium_read is not None:
            named_currency["premium_received_usd"] = SALE_CURRENCY
    converter = _Converter(rates)
    sales, flagged = _flagged_sales(sales, _convert_money(sales, named_currency, converter))
    understood = _understood(columns, header_unit, fine_unit, named_currency, default_currency)
    for entry in understood:
        if entry["field"] == "premium_received_usd" and premium_read is not None:
            entry.update(premium_read)  # why the premium was read in the sale's currency
    return LedgerParse(
        table.row_count,
        sales,
        rejected,
        flagged,
        columns,
        skipped,
        default_currency,
        understood=understood,
        conversions=converter.report(),
        has_ids=has_ids,
        date_order=order,
        totals=totals,
    )
