"""The sales upload use case: preview (read, understand, reconcile, match; nothing stored), then store
with retries. The one path for the Sales page and `cli.py ledger import`; pages never reach data/ledger."""

from __future__ import annotations

import random
import time
from collections.abc import Mapping

import pandas as pd
from sqlalchemy.exc import IntegrityError, OperationalError, SQLAlchemyError

from data.accounts.access import LedgerScope
from data.ledger import (
    FIELDS,
    REQUIRED,
    LedgerFileError,
    audit_trail,
    delete_sale,
    edit_sale,
    header_defaults,
    premium_schedule,
    proposed_mapping,
    read,
    remember_mapping,
    sales_totals,
    save_premium_schedule,
)
from data.ledger.match import (
    find_changes,
)
from data.ledger.parse import LedgerParse, parse_ledger, recognised
from data.ledger.reconcile import (
    flag_implausible_prices,
    reject_outside_scope,
    reject_too_long,
)
from data.ledger.rows import Progress
from data.ledger.store import store_ledger
from data.market.series import GOLD_SERIES, fx_series_for
from data.store import (
    MarketStore,
)
from data.store.errors import StoreError, store_error

#: What the Sales page and its session helpers use from the ledger: they import it from here, never from
#: data/ledger (the stages stay behind this use case).
__all__ = [
    "FIELDS", "REQUIRED", "LedgerFileError", "LedgerParse", "audit_trail", "delete_sale", "edit_sale",
    "header_defaults", "import_ledger", "ledger_header", "premium_schedule", "preview_ledger", "proposed_mapping",
    "remember_mapping", "sales_totals", "save_premium_schedule", "store_ledger_retrying",
]  # fmt: skip


def ledger_header(content: bytes, filename: str) -> list[str]:
    """The file's column names, found below any title rows (for the mapping step)."""
    return read.ledger_header(content, filename, recognised)


def preview_ledger(
    store: MarketStore,
    scope: LedgerScope,
    content: bytes,
    filename: str,
    *,
    cooperative: str | None = None,
    mapping: Mapping[str, str] | None = None,
    currency: str | None = None,
    date_order: str | None = None,
    progress: Progress | None = None,
) -> LedgerParse:
    """Parse, validate, convert and flag against the stored benchmark, and find the stored lots the sheet
    corrects (`changed`), without storing anything: what the user sees and confirms.

    `progress` is called with the share done (0–1) as the file is read and validated. `date_order`
    answers the preview's question for a date column its cells do not decide.
    """
    fx: dict[str, pd.Series] = {}

    def rates(code: str) -> pd.Series | None:
        series_id = fx_series_for(code)
        if series_id is None:
            return None
        if code not in fx:
            fx[code] = store.load_series(series_id)
        return fx[code]

    parsed = parse_ledger(
        content,
        filename,
        cooperative=cooperative,
        mapping=mapping,
        currency=currency,
        date_order=date_order,
        rates=rates,
        progress=progress,
    )
    reject_outside_scope(parsed, scope)
    reject_too_long(parsed)
    gold = store.load_series(GOLD_SERIES)
    for code in parsed.sales["currency"].unique():
        rates(str(code))
    flag_implausible_prices(parsed, gold, fx)
    find_changes(store, parsed)
    if progress:
        progress(1.0)
    return parsed


def import_ledger(
    store: MarketStore,
    scope: LedgerScope,
    content: bytes,
    filename: str,
    *,
    cooperative: str | None = None,
    mapping: Mapping[str, str] | None = None,
    currency: str | None = None,
    date_order: str | None = None,
    apply_changes: bool = False,
    progress: Progress | None = None,
) -> dict:
    """Parse, validate, flag against the stored benchmark, and store in one transaction.

    `currency` is the default for rows that name none (a header such as "Valor recibido (COP)" wins).
    `apply_changes` writes the corrections of stored lots (listed under `changed`) with an audit entry.
    `progress` is called with the share done (0–1): reading and validating, then storing.
    """
    parsed = preview_ledger(
        store,
        scope,
        content,
        filename,
        cooperative=cooperative,
        mapping=mapping,
        currency=currency,
        date_order=date_order,
        progress=(lambda share: progress(0.6 * share)) if progress else None,
    )
    stored = (lambda share: progress(0.6 + 0.4 * share)) if progress else None
    return store_ledger_retrying(store, parsed, filename, scope, apply_changes=apply_changes, progress=stored)


STORE_ATTEMPTS = 6


def store_ledger_retrying(
    store: MarketStore,
    parsed: LedgerParse,
    filename: str,
    scope: LedgerScope,
    *,
    apply_changes: bool = False,
    progress: Progress | None = None,
) -> dict:
    """`store_ledger`, tried again when a concurrent import of overlapping rows won the race.

    Two imports read the stored sales, then both insert: the second meets the first's rows at the
    primary key (an IntegrityError) or SQLite's write lock. Its transaction rolled back, so it simply
    runs again, now seeing the first import's rows as duplicates. Any database failure that remains is
    a one-line StoreError without row values.
    """
    for attempt in range(STORE_ATTEMPTS):
        try:
            return store_ledger(
                store, parsed, filename, scope, apply_changes=apply_changes, progress=progress
            )
        except (IntegrityError, OperationalError) as error:
            if attempt == STORE_ATTEMPTS - 1 or not _retryable(error):
                raise store_error(error) from None
            time.sleep(random.uniform(0.02, 0.1) * 2**attempt)  # noqa: S311 - jitter, not secrets
        except SQLAlchemyError as error:
            raise store_error(error) from None
    raise StoreError("the import could not be stored")  # not reached


def _retryable(error: SQLAlchemyError) -> bool:
    if isinstance(error, IntegrityError):
        return True
    text = str(getattr(error, "orig", "")).lower()
    return "locked" in text or "deadlock" in text or "could not serialize" in text or "busy" in text
