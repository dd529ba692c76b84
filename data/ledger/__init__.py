"""The cooperative sales ledger, one module per stage, data flowing one way:

read (bytes → cells, header) → understand (column → field, units, currencies) → rows (each row validated
by the declared schema, data/ledger/schema.py) → convert (money at the sale day's rate) → reconcile
(plausibility, scope, bounds) → match (new, unchanged or corrected lot) → store (one transaction); beside
them reads (scoped reads, totals, pages), edits (with audit), memory (remembered mappings) and schedule
(the premium schedule). Each stage returns findings (problem codes with their line); none calls back
into another. The upload use case that chains them is services/sales.py; pages never import this package.
"""

from data.accounts.access import OPERATOR, LedgerAccessError, LedgerScope
from data.files.parsing import normalised_name
from data.ledger.edits import audit_trail, delete_sale, edit_sale
from data.ledger.match import CORRECTABLE, INSERT_BATCH, find_changes
from data.ledger.memory import proposed_mapping, remember_mapping, remembered_mapping
from data.ledger.parse import LedgerParse, parse_ledger
from data.ledger.read import MAX_LEDGER_BYTES, MAX_LEDGER_ROWS, LedgerFileError, _read, ledger_header
from data.ledger.reads import SalesTotals, load_sales, load_sales_page, sales_totals, stored_cooperatives
from data.ledger.reconcile import flag_implausible_prices, reject_outside_scope, reject_too_long
from data.ledger.schedule import premium_schedule, save_premium_schedule
from data.ledger.schema import CERTIFICATION_NAMES, FINE_GOLD_TOLERANCE, WEIGHT_UNITS
from data.ledger.store import store_ledger
from data.ledger.understand import (
    FIELDS,
    REQUIRED,
    TOTAL_ROW,
    _effective_mapping,
    auto_mapping,
    column_currency,
    header_defaults,
)

__all__ = [
    "CERTIFICATION_NAMES", "CORRECTABLE", "FIELDS", "FINE_GOLD_TOLERANCE", "INSERT_BATCH", "MAX_LEDGER_BYTES",
    "MAX_LEDGER_ROWS", "OPERATOR", "REQUIRED", "TOTAL_ROW", "WEIGHT_UNITS", "LedgerAccessError",
    "LedgerFileError", "LedgerParse", "LedgerScope", "SalesTotals", "_effective_mapping", "_read",
    "audit_trail", "auto_mapping", "column_currency", "delete_sale", "edit_sale", "find_changes",
    "flag_implausible_prices", "header_defaults", "ledger_header", "load_sales", "load_sales_page",
    "normalised_name", "parse_ledger", "premium_schedule", "proposed_mapping", "reject_outside_scope",
    "reject_too_long", "remember_mapping", "remembered_mapping", "sales_totals", "save_premium_schedule",
    "store_ledger", "stored_cooperatives",
]  # fmt: skip
