"""Stage *store*: the new good rows, the corrections asked for and the import log in one transaction."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime

from sqlalchemy import Connection, insert, update

from data.accounts.access import LedgerScope
from data.ledger import match
from data.ledger.edits import _audit, _key
from data.ledger.match import (
    CORRECTABLE,
    _changed_entry,
    _match_stored,
    _Rows,
)
from data.ledger.parse import LedgerParse
from data.ledger.reconcile import (
    reject_outside_scope,
)
from data.ledger.rows import Progress
from data.store import (
    LEDGER_VERSION,
    MarketStore,
    bump_version,
    ledger_imports_table,
    sales_table,
)


def _cli_entry(entry: Mapping[str, object]) -> dict[str, object]:
    """The CLI report's shape of a row: line, the English reason, and its code."""
    sheet = {"sheet": entry["sheet"]} if "sheet" in entry else {}  # a workbook of several sheets
    return {"line": entry["line"], "reason": entry["reason"], "code": entry.get("code"), **sheet}


def _insert_sales(conn, columns: Mapping[str, list], positions: list[int]) -> None:
    """One executemany of plain tuples straight to the driver (SQLAlchemy's per-row parameter
    processing cost more than the insert itself at 100,000 rows). `columns` holds every column of the
    table as lists of the driver's types (SQLite stores a date as its ISO text, as SQLAlchemy's Date
    does); `positions` are the rows to insert."""
    names = [column.name for column in sales_table.columns]
    quote = conn.dialect.identifier_preparer.quote
    marker = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    statement = (
        f"INSERT INTO {quote(sales_table.name)} ({', '.join(quote(name) for name in names)}) "
        f"VALUES ({', '.join([marker] * len(names))})"
    )
    chosen = []
    for name in names:
        values = columns[name]
        if conn.dialect.name == "sqlite" and name == "date":
            values = [day.isoformat() for day in values]
        chosen.append(values if len(positions) == len(values) else [values[at] for at in positions])
    conn.exec_driver_sql(statement, list(zip(*chosen, strict=True)))


def _stored_lots(
    conn: Connection,
    matches: dict[int, tuple[str, dict, list[str]]],
    rows: _Rows,
    flags: list,
    lines: list,
    where: list[dict],
    scope: LedgerScope,
    apply_changes: bool,
) -> tuple[list[dict], int]:
    """The lots already stored: (those with other values, listed and written with an audit entry only
    with `apply_changes`; how many are the same)."""
    duplicates = 0
    changed: list[dict] = []
    for position, (kind, stored, fields) in sorted(matches.items()):
        if kind == "same":
            duplicates += 1
            continue
        row = rows.row(position)
        flag = flags[position]
        entry = {**_changed_entry(int(lines[position]), stored, row, fields), **where[position]}
        entry["applied"] = apply_changes
        changed.append(entry)
        if apply_changes:
            values = {name: row[name] for name in CORRECTABLE}
            key = _key(str(stored["cooperative"]), str(stored["sale_id"]))
            conn.execute(update(sales_table).where(key).values(**values, flags=flag))
            after = {**stored, **values, "flags": flag}
            _audit(
                conn,
                scope.user,
                "edit",
                str(stored["cooperative"]),
                str(stored["sale_id"]),
                stored,
                after,
            )
    return changed, duplicates


def _import_report(
    parsed: LedgerParse, report_rejected: list[dict], inserted: int, duplicates: int, changed: list[dict]
) -> dict:
    """The import's report in the CLI's shape (also kept in the import log)."""
    return {
        "rows_read": parsed.rows_read,
        "inserted": inserted,
        "duplicates": duplicates,
        "flagged": [_cli_entry(f) for f in parsed.flagged],
        "rejected": [_cli_entry(r) for r in parsed.in_order(report_rejected)],
        "skipped": [_cli_entry(s) for s in parsed.skipped],
        "currency": parsed.currency,
        "mapping": dict(parsed.mapping),
        "conversions": list(parsed.conversions),
        "changed": changed,
        "changes_applied": sum(1 for entry in changed if entry["applied"]),
        "understood": list(parsed.understood),
        "date_order": dict(parsed.date_order),
        "totals": list(parsed.totals),
        "sheets": [
            {key: value for key, value in sheet.items() if key != "problem"} for sheet in parsed.sheets
        ],
    }


def store_ledger(
    store: MarketStore,
    parsed: LedgerParse,
    filename: str,
    scope: LedgerScope,
    *,
    apply_changes: bool = False,
    progress: Progress | None = None,
) -> dict:
    """Insert the new good rows and the import log in one transaction; report in the CLI's shape.

    A lot already stored (the same id, or in a sheet without ids the same date, buyer, weights, fineness
    and certification) is never stored twice: with the same values it counts as a duplicate (importing a
    file twice adds nothing); with other values it is listed under `changed`, and written, with an audit
    entry as an edit has, only with `apply_changes`. Rows of a cooperative outside the user's scope are
    rejected, line by line.
    """
    reject_outside_scope(parsed, scope)
    report_rejected = list(parsed.rejected)
    inserted = 0
    with store.engine.begin() as conn:
        sales = parsed.sales
        rows = _Rows(sales)
        flags = sales["flags"].tolist()
        lines, where = sales["line"].tolist(), parsed.sheet_of()
        matches = _match_stored(conn, rows, parsed.has_ids)
        log = conn.execute(
            insert(ledger_imports_table).values(
                at=datetime.now(UTC),
                user=scope.user,
                filename=filename,
                rows_read=parsed.rows_read,
                inserted=0,
                report="",
            )
        )
        import_id = log.inserted_primary_key[0] if log.inserted_primary_key else None
        changed, duplicates = _stored_lots(conn, matches, rows, flags, lines, where, scope, apply_changes)
        for start in range(0, len(sales), match.INSERT_BATCH):  # one transaction, bounded batches
            end = min(start + match.INSERT_BATCH, len(sales))
            new = [position - start for position in range(start, end) if position not in matches]
            if new:
                batch = {
                    **rows.batch(start),
                    "flags": flags[start:end],
                    "import_id": [import_id] * (end - start),
                }
                _insert_sales(conn, batch, new)
            inserted += len(new)
            if progress:
                progress(end / len(sales))
        bump_version(conn, LEDGER_VERSION)  # the import log changed even when no sale was new
        report = _import_report(parsed, report_rejected, inserted, duplicates, changed)
        conn.execute(
            update(ledger_imports_table)
            .where(ledger_imports_table.c.id == import_id)
            .values(inserted=inserted, report=json.dumps(report))
        )
    return report
