"""Back up the whole store to one JSON file, and restore it exactly (SQLite or PostgreSQL, either way).

Every table, every row, every column: prices, sales, import logs, the audit trail, users with their
password hashes. Numbers are written with Python's shortest exact repr, so a restore gives the same
floats bit for bit. A restore checks the whole file first (format, every table's columns, and every
value: types, lengths, required fields, JSON columns such as users.cooperatives, unique keys), then
replaces every table in one transaction: a bad file or a crash leaves the store as it was. A file is
read with a size bound (a .gz one is decompressed as a stream and stopped at the bound).
"""

from __future__ import annotations

import gzip
import json
import os
import tempfile
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Date, DateTime, Float, Integer, String, Table, Text, delete, insert, select, text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import SQLAlchemyError

from data.errors import describe
from data.store import (
    FETCH_VERSION,
    LEDGER_VERSION,
    NOT_BACKED_UP,
    SCHEDULE_VERSION,
    USERS_VERSION,
    MarketStore,
    bump_version,
    metadata,
    observations_table,
    read_versions,
    series_version_key,
)

BACKUP_FORMAT = "gold-dashboard-backup"
BACKUP_VERSION = 2  # 2: prices kept per source (table "prices"); 1 is read and translated
INSERT_CHUNK_ROWS = 5_000
DEFAULT_MAX_BACKUP_MB = 2048  # decompressed; GOLD_DASHBOARD_MAX_BACKUP_MB changes it
#: Text columns that hold JSON (checked before a restore, so a bad one cannot break sign-in or pages).
JSON_COLUMNS = {
    ("users", "cooperatives"): list,
    ("column_mappings", "mapping"): dict,
    ("imports", "report"): dict,
    ("ledger_audit", "before"): dict,
    ("ledger_audit", "after"): dict,
}


class BackupError(ValueError):
    """The file is not a backup this version can restore (nothing was changed)."""


def backed_up_tables() -> list[Table]:
    """Every table of the store but the version counters (a restore bumps those instead of copying them)."""
    return [table for table in metadata.sorted_tables if table.name not in NOT_BACKED_UP]


def _to_json(value: object) -> object:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _from_json(table: Table, row: dict) -> dict:
    out = dict(row)
    for column in table.columns:
        value = out.get(column.name)
        if value is None:
            continue
        if isinstance(column.type, DateTime):
            out[column.name] = datetime.fromisoformat(value)
        elif isinstance(column.type, Date):
            out[column.name] = date.fromisoformat(value)
    return out


def dump_tables(store: MarketStore) -> dict[str, dict]:
    """{table: {"columns": [...], "rows": [[...], ...]}} in primary-key order (also used by the tests).

    All tables are read in one transaction: one snapshot on SQLite, and on PostgreSQL too with
    REPEATABLE READ (its default, READ COMMITTED, would let an import land between two tables).
    """
    tables: dict[str, dict] = {}
    with store.engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            conn.execution_options(isolation_level="REPEATABLE READ")
        for table in backed_up_tables():
            columns = [column.name for column in table.columns]
            rows = conn.execute(select(table).order_by(*table.primary_key.columns)).all()
            tables[table.name] = {"columns": columns, "rows": [[_to_json(v) for v in row] for row in rows]}
    return tables


def backup(store: MarketStore, path: Path) -> dict:
    """Write the whole store to `path` (gzip-compressed when the name ends in .gz); row counts per table."""
    document: dict[str, Any] = {
        "format": BACKUP_FORMAT,
        "version": BACKUP_VERSION,
        "created_at": datetime.now(UTC).isoformat(),
        "tables": dump_tables(store),
    }
    payload = json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    if path.name.endswith(".gz"):
        payload = gzip.compress(payload, mtime=0)
    # Written beside the target and renamed: a crash never leaves half a backup under the real name.
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(payload)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return {name: len(table["rows"]) for name, table in document["tables"].items()}


def max_backup_bytes() -> int:
    try:
        megabytes = float(os.environ.get("GOLD_DASHBOARD_MAX_BACKUP_MB", DEFAULT_MAX_BACKUP_MB))
    except ValueError:
        megabytes = DEFAULT_MAX_BACKUP_MB
    return int(megabytes * 1024 * 1024)


def read_bounded(path: Path, limit: int | None = None) -> bytes:
    """The file's bytes, decompressed as a stream when it is gzip; BackupError past `limit` bytes."""
    limit = max_backup_bytes() if limit is None else limit
    with path.open("rb") as raw:
        compressed = raw.read(2) == b"\x1f\x8b"
    chunks, total = [], 0
    with gzip.open(path, "rb") if compressed else path.open("rb") as stream:
        while chunk := stream.read(1 << 20):
            total += len(chunk)
            if total > limit:
                raise BackupError(
                    f"{path.name} holds more than {limit // (1024 * 1024)} MB "
                    "(GOLD_DASHBOARD_MAX_BACKUP_MB); nothing was changed"
                )
            chunks.append(chunk)
    return b"".join(chunks)


def _read(path: Path) -> dict:
    try:
        raw = read_bounded(path)
        document = json.loads(raw.decode("utf-8"))
    except (OSError, EOFError, gzip.BadGzipFile, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise BackupError(f"{path.name} is not a readable backup: {error}") from None
    if not isinstance(document, dict) or document.get("format") != BACKUP_FORMAT:
        raise BackupError(f"{path.name} is not a backup of this dashboard")
    if document.get("version") not in (1, BACKUP_VERSION):
        raise BackupError(
            f"{path.name} is backup version {document.get('version')}; this needs {BACKUP_VERSION}"
        )
    tables = document.get("tables")
    if not isinstance(tables, dict):
        raise BackupError(f"{path.name} has no tables")
    mappings = tables.get("column_mappings")
    if isinstance(mappings, dict) and mappings.get("columns") == ["signature", "mapping", "updated_at"]:
        # a backup from before mappings were kept per cooperative: its global mappings are not restored
        tables["column_mappings"] = {
            "columns": ["cooperative", "signature", "mapping", "updated_at"],
            "rows": [],
        }
    if document.get("version") == 1:
        tables = _from_version_1(tables)
    for table in backed_up_tables():
        expected = [column.name for column in table.columns]
        found = tables.get(table.name)
        if found is None and table.name not in VERSION_2_TABLES:  # a table newer than the backup: empty
            tables[table.name] = found = {"columns": expected, "rows": []}
        columns = found.get("columns") if isinstance(found, dict) else None
        # a backup made before a nullable column was added restores with NULL in it (as the store migrates)
        addable = {column.name for column in table.columns if column.nullable}
        if (
            not isinstance(found, dict)
            or not isinstance(columns, list)
            or [name for name in expected if name in columns] != columns
            or not set(expected) - set(columns) <= addable
        ):
            raise BackupError(f"{path.name}: table {table.name!r} is missing or has other columns")
        if not isinstance(found.get("rows"), list) or any(
            not isinstance(row, list) or len(row) != len(columns) for row in found["rows"]
        ):
            raise BackupError(f"{path.name}: table {table.name!r} has malformed rows")
        _check_rows(path, table, columns, found["rows"])
    _check_users(path, tables["users"]["rows"], tables["users"]["columns"])
    return tables


def _value_problem(table: Table, column_name: str, value: object) -> str | None:
    """What is wrong with one stored value, without quoting it (it may be a hash or a person's text)."""
    column = table.columns[column_name]
    if value is None:
        return None if column.nullable and not column.primary_key else "is missing (required)"
    kind = column.type
    if isinstance(kind, Integer) and (isinstance(value, bool) or not isinstance(value, int)):
        return "is not a whole number"
    if isinstance(kind, Float) and (isinstance(value, bool) or not isinstance(value, int | float)):
        return "is not a number"
    if isinstance(kind, DateTime | Date):
        if not isinstance(value, str):
            return "is not a date"
        try:
            (datetime if isinstance(kind, DateTime) else date).fromisoformat(value)
        except ValueError:
            return "is not a date"
    if isinstance(kind, String | Text) and not isinstance(kind, DateTime | Date):
        if not isinstance(value, str):
            return "is not text"
        if kind.length and len(value) > kind.length:
            return f"is longer than {kind.length} characters"
    expected = JSON_COLUMNS.get((table.name, column_name))
    if expected is not None:
        try:
            parsed = json.loads(value)  # type: ignore[arg-type]
        except (TypeError, json.JSONDecodeError):
            return "is not valid JSON"
        if not isinstance(parsed, expected):
            return f"is not a JSON {'list' if expected is list else 'object'}"
    return None


def _check_rows(path: Path, table: Table, names: list[str], rows: list[list]) -> None:
    """Every value of the backup's columns (`names`, as the backup lists them) against the table."""
    key_positions = [names.index(column.name) for column in table.primary_key.columns]
    keys = set()
    for number, row in enumerate(rows, start=1):
        for name, value in zip(names, row, strict=True):
            problem = _value_problem(table, name, value)
            if problem:
                raise BackupError(f"{path.name}: table {table.name!r}, row {number}: {name} {problem}")
        key = tuple(row[position] for position in key_positions)
        if key in keys:
            raise BackupError(f"{path.name}: table {table.name!r}, row {number}: its key appears twice")
        keys.add(key)


def _check_users(path: Path, rows: list[list], names: list[str]) -> None:
    """What sign-in needs of each user: a known role, a list of cooperative names, an argon2 hash."""
    from data.users import ROLES, account_key

    seen = set()
    for number, values in enumerate(rows, start=1):
        user = dict(zip(names, values, strict=True))
        where = f"{path.name}: table 'users', row {number}"
        if user["role"] not in ROLES:
            raise BackupError(f"{where}: role is not one of {', '.join(ROLES)}")
        cooperatives = json.loads(user["cooperatives"])
        if not all(isinstance(name, str) for name in cooperatives):
            raise BackupError(f"{where}: cooperatives is not a list of names")
        if user["role"] == "member" and not cooperatives:
            raise BackupError(f"{where}: a member without any cooperative")
        if user["password_hash"] is not None and not str(user["password_hash"]).startswith("$argon2"):
            raise BackupError(f"{where}: password_hash is not an argon2 hash")
        key = account_key(user["username"])
        if not key or key in seen:
            raise BackupError(f"{where}: the user name is empty or repeats another one (ignoring case)")
        seen.add(key)


#: The tables every version-2 backup has; a table added since may be absent (restored empty).
VERSION_2_TABLES = (
    "series", "prices", "imports", "fetch_log", "sales", "ledger_imports", "ledger_audit",
    "column_mappings", "premium_schedule", "users",
)  # fmt: skip


def _from_version_1(tables: dict) -> dict:
    """Version 1 kept one value per series and day in "observations" (series_id, date, value, source)."""
    old = tables.pop("observations", None)
    if not isinstance(old, dict) or old.get("columns") != ["series_id", "date", "value", "source"]:
        raise BackupError("a version-1 backup without its observations table")
    rows = old.get("rows")
    if not isinstance(rows, list) or any(not isinstance(row, list) or len(row) != 4 for row in rows):
        raise BackupError("a version-1 backup with malformed observations")
    tables["prices"] = {
        "columns": ["series_id", "source", "date", "value"],
        "rows": [[series_id, source, day, value] for series_id, day, value, source in rows],
    }
    return tables


def _reset_sequences(conn: Connection) -> None:
    """PostgreSQL numbers new rows from a sequence: move it past the restored ids."""
    if conn.dialect.name != "postgresql":
        return
    for table in backed_up_tables():
        for column in table.primary_key.columns:
            if column.autoincrement is True:
                conn.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{table.name}', '{column.name}'), "
                        f"COALESCE(MAX({column.name}), 1), MAX({column.name}) IS NOT NULL) FROM {table.name}"
                    )
                )


def restore(store: MarketStore, path: Path) -> dict:
    """Replace the whole store by the backup in `path`, in one transaction; row counts per table."""
    tables = _read(path)
    try:
        return _replace_all(store, tables)
    except SQLAlchemyError as error:  # rolled back: the store is as it was
        raise BackupError(f"{path.name} could not be restored: {describe(error)}") from None


def _replace_all(store: MarketStore, tables: dict) -> dict:
    counts = {}
    with store.engine.begin() as conn:
        for table in reversed(backed_up_tables()):
            conn.execute(delete(table))
        for table in backed_up_tables():
            columns = tables[table.name]["columns"]
            rows = [
                _from_json(table, dict(zip(columns, row, strict=True))) for row in tables[table.name]["rows"]
            ]
            for start in range(0, len(rows), INSERT_CHUNK_ROWS):
                conn.execute(insert(table), rows[start : start + INSERT_CHUNK_ROWS])
            counts[table.name] = len(rows)
        _reset_sequences(conn)
        # Every cached view of every process must drop what it holds: bump each counter, never reset one
        # (a counter that went back to an old value would serve an old cached view as current).
        keys = set(read_versions(conn)) | {LEDGER_VERSION, SCHEDULE_VERSION, USERS_VERSION, FETCH_VERSION}
        keys |= {series_version_key(series_id) for series_id in _stored_series(conn)}
        for key in sorted(keys):
            bump_version(conn, key)
    return counts


def _stored_series(conn: Connection) -> list[str]:
    return [str(sid) for sid in conn.scalars(select(observations_table.c.series_id).distinct())]
