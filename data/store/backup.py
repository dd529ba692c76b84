"""Back up the whole store to one JSON file, and restore it exactly (SQLite or PostgreSQL, either way).

Every table, every row, every column: prices, sales, import logs, the audit trail, users with their
password hashes. Numbers are written with Python's shortest exact repr, so a restore gives the same
floats bit for bit. A restore reads the file as a stream (ijson), never whole, and checks all of it
first (format, every table's columns, and every value: types, lengths, required fields, finite numbers,
weights and fineness as an import bounds them, JSON columns such as users.cooperatives, roles, argon2
hashes that parse, unique keys, no staff account the store does not have), naming the first problem;
only then does a second pass replace every table in one transaction: a bad file or a crash leaves the
store as it was. The expanded size is bounded while it streams (GOLD_DASHBOARD_MAX_BACKUP_MB, by default
4 times the current store and at least 100 MB).
"""

from __future__ import annotations

import gzip
import json
import math
import os
import tempfile
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, BinaryIO

import ijson
from argon2 import extract_parameters
from argon2.exceptions import InvalidHashError
from sqlalchemy import (
    Column,
    Date,
    DateTime,
    Float,
    Integer,
    String,
    Table,
    Text,
    delete,
    insert,
    select,
    text,
)
from sqlalchemy.engine import Connection
from sqlalchemy.exc import SQLAlchemyError

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
from data.store.errors import describe

BACKUP_FORMAT = "gold-dashboard-backup"
BACKUP_VERSION = 2  # 2: prices kept per source (table "prices"); 1 is read and translated
INSERT_CHUNK_ROWS = 5_000
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


MIN_MAX_BACKUP_MB = 100
STORE_SIZE_FACTOR = 4


def store_bytes(store: MarketStore) -> int:
    """The current store's size on disk: SQLite's pages, or PostgreSQL's tables with their indexes."""
    with store.engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            total = 0
            for table in metadata.sorted_tables:
                size = conn.execute(
                    text("SELECT pg_total_relation_size(to_regclass(:name))"), {"name": table.name}
                ).scalar()
                total += int(size or 0)
            return total
        if conn.dialect.name == "sqlite":
            pages = conn.execute(text("PRAGMA page_count")).scalar() or 0
            return int(pages) * int(conn.execute(text("PRAGMA page_size")).scalar() or 0)
    return 0


def max_backup_bytes(store: MarketStore | None = None) -> int:
    """GOLD_DASHBOARD_MAX_BACKUP_MB when set; else 4 times the current store, at least 100 MB."""
    setting = os.environ.get("GOLD_DASHBOARD_MAX_BACKUP_MB", "").strip()
    if setting:
        try:
            return int(float(setting) * 1024 * 1024)
        except ValueError:
            pass
    current = store_bytes(store) if store is not None else 0
    return max(MIN_MAX_BACKUP_MB * 1024 * 1024, STORE_SIZE_FACTOR * current)


class _Limited:
    """A binary stream that raises BackupError as soon as more than `limit` bytes were read from it."""

    def __init__(self, stream: BinaryIO, limit: int, name: str) -> None:
        self.stream, self.limit, self.name, self.total = stream, limit, name, 0

    def read(self, size: int = -1) -> bytes:
        if size == 0:  # ijson asks for nothing first, to learn whether the stream gives bytes
            return b""
        chunk = self.stream.read(size if size is not None and size > 0 else 1 << 16)
        self.total += len(chunk)
        if self.total > self.limit:
            raise BackupError(
                f"{self.name} holds more than {self.limit // (1024 * 1024)} MB "
                "(GOLD_DASHBOARD_MAX_BACKUP_MB, default 4 times the current store); nothing was changed"
            )
        return chunk


@contextmanager
def _opened(path: Path, limit: int) -> Iterator[_Limited]:
    """The file as a stream, decompressed on the fly when it is gzip, stopped past `limit` bytes."""
    with path.open("rb") as raw:
        compressed = raw.read(2) == b"\x1f\x8b"
    with gzip.open(path, "rb") if compressed else path.open("rb") as stream:
        yield _Limited(stream, limit, path.name)  # type: ignore[arg-type]


def read_bounded(path: Path, limit: int | None = None) -> bytes:
    """The file's bytes, decompressed as a stream when it is gzip; BackupError past `limit` bytes."""
    chunks = []
    with _opened(path, max_backup_bytes() if limit is None else limit) as stream:
        while chunk := stream.read(1 << 20):
            chunks.append(chunk)
    return b"".join(chunks)


_SCALARS = ("null", "boolean", "integer", "double", "number", "string")


class _Plan:
    """How the backup's tables map onto the store's, learnt from the header and each table's columns
    as the stream goes by (a version-1 backup's "observations" are the prices of version 2)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.header: dict[str, object] = {}
        self.columns: dict[str, list[str]] = {}  # by the store's table name, as the backup lists them
        self.skip: set[str] = set()  # backup tables whose rows are not restored
        self.source: dict[str, str] = {}  # backup table -> store table
        self.saw_tables = False

    def check_header(self) -> None:
        if self.header.get("format") != BACKUP_FORMAT:
            raise BackupError(f"{self.name} is not a backup of this dashboard")
        if self.header.get("version") not in (1, BACKUP_VERSION):
            raise BackupError(
                f"{self.name} is backup version {self.header.get('version')}; this needs {BACKUP_VERSION}"
            )

    def add_table(self, found: str, columns: list[object]) -> None:
        tables = {table.name: table for table in backed_up_tables()}
        if found == "column_mappings" and columns == ["signature", "mapping", "updated_at"]:
            self.skip.add(found)  # global mappings from before they were kept per cooperative: not restored
            self.columns["column_mappings"] = [column.name for column in tables["column_mappings"].columns]
            return
        if self.header.get("version") == 1 and found == "observations":
            if columns != ["series_id", "date", "value", "source"]:
                raise BackupError("a version-1 backup without its observations table")
            self.columns["prices"] = ["series_id", "source", "date", "value"]  # rows are reordered so
            self.source[found] = "prices"
            return
        if found not in tables:
            self.skip.add(found)  # not a table of this version: ignored, as before
            return
        table = tables[found]
        expected = [column.name for column in table.columns]
        # a column added since (nullable, or with a default: prices.rate_kind, official) may be absent
        addable = {
            column.name for column in table.columns if column.nullable or column.server_default is not None
        }
        if (
            not all(isinstance(name, str) for name in columns)
            or [name for name in expected if name in columns] != columns
            or not set(expected) - {str(name) for name in columns} <= addable
        ):
            raise BackupError(f"{self.name}: table {found!r} is missing or has other columns")
        self.columns[found] = [str(name) for name in columns]
        self.source[found] = found

    def check_tables(self) -> None:
        if self.header.get("version") == 1 and "prices" not in self.columns:
            raise BackupError("a version-1 backup without its observations table")
        for table in backed_up_tables():
            if table.name not in self.columns and table.name in VERSION_2_TABLES:
                raise BackupError(f"{self.name}: table {table.name!r} is missing or has other columns")


#: A backup nests five deep (document, tables, table, rows, row); anything deeper is not a backup, and
#: ijson's own prefixes would grow with the square of the depth (100,000 arrays took 4.7 GB).
MAX_JSON_DEPTH = 8


def _events(stream: _Limited, name: str) -> Iterator[tuple[str, str, object]]:
    """ijson.parse's (prefix, event, value), built here from the flat events so the depth is bounded:
    BackupError past MAX_JSON_DEPTH, before the path grows."""
    path: list[str] = []
    for event, value in ijson.basic_parse(stream, use_float=True):
        if event == "map_key":
            path[-1] = str(value)
            yield ".".join(path[:-1]), event, value
        elif event in ("start_map", "start_array"):
            if len(path) >= MAX_JSON_DEPTH:
                raise BackupError(f"{name} nests deeper than a backup does ({MAX_JSON_DEPTH} levels)")
            yield ".".join(path), event, value
            path.append("item" if event == "start_array" else "")
        elif event in ("end_map", "end_array"):
            path.pop()
            yield ".".join(path), event, value
        else:
            yield ".".join(path), event, value


def _scan(path: Path, limit: int, on_row: Callable[[str, list[str], list, int], None]) -> _Plan:
    """One streaming pass over the backup: its header, each table's columns, and `on_row(table, names,
    row, number)` for every row, one at a time; the file is never held whole."""
    plan = _Plan(path.name)
    table: str | None = None
    names: list[object] | None = None
    row: list[object] | None = None
    number = 0
    try:
        with _opened(path, limit) as stream:
            for prefix, event, value in _events(stream, path.name):
                if prefix in ("format", "version", "created_at") and event in _SCALARS:
                    plan.header[prefix] = value
                    continue
                if prefix == "tables":
                    if event == "start_map":
                        plan.check_header()
                        plan.saw_tables = True
                    elif event == "map_key":
                        table, names, number = str(value), None, 0
                    elif event == "end_map":
                        plan.check_tables()
                    else:
                        raise BackupError(f"{path.name} has no tables")
                    continue
                if table is None or not (
                    prefix == f"tables.{table}" or prefix.startswith(f"tables.{table}.")
                ):
                    continue
                rest = prefix[len(f"tables.{table}") :]
                if rest == "":
                    if event not in ("start_map", "map_key", "end_map"):
                        raise BackupError(f"{path.name}: table {table!r} is missing or has other columns")
                elif rest == ".columns":
                    if event == "start_array":
                        names = []
                    elif event == "end_array" and names is not None:
                        plan.add_table(table, names)
                    else:
                        raise BackupError(f"{path.name}: table {table!r} is missing or has other columns")
                elif rest == ".columns.item" and names is not None:
                    names.append(value if event == "string" else None)
                elif rest == ".rows":
                    if event == "start_array" and table not in plan.source and table not in plan.skip:
                        raise BackupError(f"{path.name}: table {table!r} lists its rows before its columns")
                    if event not in ("start_array", "end_array"):
                        raise BackupError(f"{path.name}: table {table!r} has malformed rows")
                elif rest == ".rows.item":
                    if event == "start_array":
                        row = []
                    elif event == "end_array" and row is not None:
                        number += 1
                        if table in plan.source:
                            target = plan.source[table]
                            if target == "prices" and table == "observations":  # version 1's order
                                if len(row) != 4:
                                    raise BackupError("a version-1 backup with malformed observations")
                                series_id, day, value_, source = row
                                row = [series_id, source, day, value_]
                            on_row(target, plan.columns[target], row, number)
                        row = None
                    else:
                        raise BackupError(f"{path.name}: table {table!r} has malformed rows")
                elif rest == ".rows.item.item" and row is not None:
                    if event not in _SCALARS:
                        raise BackupError(f"{path.name}: table {table!r} has malformed rows")
                    row.append(value)
    except (ijson.JSONError, ijson.IncompleteJSONError) as error:
        if row is not None and table is not None:
            raise BackupError(
                f"{path.name}: table {table!r}, row {number + 1}: a value is not a number or text a backup "
                "may hold (NaN and Infinity are not numbers)"
            ) from None
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise BackupError(f"{path.name} is not a readable backup: {reason}") from None
    except (OSError, EOFError, zlib.error, UnicodeDecodeError) as error:
        raise BackupError(f"{path.name} is not a readable backup: {error}") from None
    if not plan.saw_tables:
        plan.check_header()
        raise BackupError(f"{path.name} has no tables")
    return plan


def _value_problem(table: Table, column_name: str, value: object) -> str | None:
    """What is wrong with one stored value, without quoting it (it may be a hash or a person's text)."""
    column = table.columns[column_name]
    if value is None:
        return None if column.nullable and not column.primary_key else "is missing (required)"
    kind = column.type
    if isinstance(kind, Integer) and (isinstance(value, bool) or not isinstance(value, int)):
        return "is not a whole number"
    if isinstance(kind, Float):
        if isinstance(value, bool) or not isinstance(value, int | float):
            return "is not a number"
        if not math.isfinite(value):
            return "is not a finite number"
        bounds = VALUE_BOUNDS.get((table.name, column_name))
        if bounds is not None and not bounds[0](value):
            return bounds[1]
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
        if "\x00" in value:
            return "holds a NUL character"
    expected = JSON_COLUMNS.get((table.name, column_name))
    if expected is not None:
        try:
            parsed = json.loads(value)  # type: ignore[arg-type]
        except (TypeError, json.JSONDecodeError):
            return "is not valid JSON"
        if not isinstance(parsed, expected):
            return f"is not a JSON {'list' if expected is list else 'object'}"
    return None


def _positive(value: float) -> bool:
    return value > 0


#: What an import would refuse, refused in a restore too (the ledger importer's limits).
VALUE_BOUNDS = {
    ("sales", "gross_weight_g"): (lambda v: 0 < v <= 1e6, "is not a weight above 0 and at most a tonne"),
    ("sales", "fine_gold_g"): (lambda v: 0 < v <= 1e6, "is not a weight above 0 and at most a tonne"),
    ("sales", "fineness"): (lambda v: 0 < v <= 1, "is not a fineness above 0 and at most 1"),
    ("sales", "amount_received"): (lambda v: 0 <= v <= 1e15, "is not an amount from 0 to 10^15"),
    ("prices", "value"): (_positive, "is not a price above 0"),
    ("alert_rules", "above"): (_positive, "is not a level above 0"),
    ("alert_rules", "below"): (_positive, "is not a level above 0"),
    ("alert_rules", "last_price"): (_positive, "is not a price above 0"),
}


class _Checker:
    """Every row of the backup checked as it streams by: values, unique keys, and what sign-in needs
    of the users (kept, they are few)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.tables = {table.name: table for table in backed_up_tables()}
        self.keys: dict[str, set] = {}
        self.users: list[dict] = []

    def __call__(self, name: str, names: list[str], row: list, number: int) -> None:
        table = self.tables[name]
        if len(row) != len(names):
            raise BackupError(f"{self.path.name}: table {name!r} has malformed rows")
        for column, value in zip(names, row, strict=True):
            problem = _value_problem(table, column, value)
            if problem:
                raise BackupError(f"{self.path.name}: table {name!r}, row {number}: {column} {problem}")
        values = dict(zip(names, row, strict=True))
        # a key column absent from an older backup (prices.rate_kind) takes its default on every row
        key = tuple(values.get(column.name) for column in table.primary_key.columns)
        seen = self.keys.setdefault(name, set())
        if key in seen:
            raise BackupError(f"{self.path.name}: table {name!r}, row {number}: its key appears twice")
        seen.add(key)
        if name == "users":
            self.users.append(values)


def _check_users(
    path: Path, users: list[dict], current_staff: set[str] | None, allow_new_staff: bool
) -> None:
    """What sign-in needs of each user: a known role, a list of cooperative names, an argon2 hash that
    parses; and no staff account the current store does not have (unless allowed, or the store has no
    users yet: a new machine)."""
    from data.accounts.users import ROLES, account_key

    seen = set()
    for number, user in enumerate(users, start=1):
        where = f"{path.name}: table 'users', row {number}"
        if user["role"] not in ROLES:
            raise BackupError(f"{where}: role is not one of {', '.join(ROLES)}")
        cooperatives = json.loads(user["cooperatives"])
        if not all(isinstance(name, str) for name in cooperatives):
            raise BackupError(f"{where}: cooperatives is not a list of names")
        if user["role"] == "member" and not cooperatives:
            raise BackupError(f"{where}: a member without any cooperative")
        hashed = user["password_hash"]
        if hashed is not None:
            try:
                if not str(hashed).startswith("$argon2"):
                    raise InvalidHashError
                extract_parameters(str(hashed))
            except (InvalidHashError, ValueError, IndexError):
                raise BackupError(f"{where}: password_hash is not an argon2 hash that can be read") from None
        key = account_key(user["username"])
        if not key or key in seen:
            raise BackupError(f"{where}: the user name is empty or repeats another one (ignoring case)")
        seen.add(key)
        if (
            user["role"] == "staff"
            and current_staff is not None
            and key not in current_staff
            and not allow_new_staff
        ):
            raise BackupError(
                f"{where}: a staff account this store does not have; restore with --allow-new-staff "
                "if it is meant to be there"
            )


#: The tables every version-2 backup has; a table added since may be absent (restored empty).
VERSION_2_TABLES = (
    "series", "prices", "imports", "fetch_log", "sales", "ledger_imports", "ledger_audit",
    "column_mappings", "premium_schedule", "users",
)  # fmt: skip


def _current_users(store: MarketStore) -> dict[str, dict] | None:
    """The store's users by case-folded name; None when it has no user at all (a new machine)."""
    from data.accounts.users import account_key
    from data.store import users_table

    with store.engine.connect() as conn:
        rows = conn.execute(select(users_table)).mappings().all()
    return {account_key(row["username"]): dict(row) for row in rows} or None


def _staff_of(users: dict[str, dict] | None) -> set[str] | None:
    return None if users is None else {key for key, user in users.items() if user["role"] == "staff"}


def account_changes(current: dict[str, dict] | None, restored: list[dict]) -> list[dict]:
    """What the backup would change in who can sign in and what they may read: each account that is
    new, whose password hash differs, that becomes staff, or that gains cooperatives. A store without
    users (a new machine) takes the backup's accounts as they are: nothing to compare with."""
    from data.accounts.users import account_key

    if current is None:
        return []
    changes = []
    for user in restored:
        now = current.get(account_key(user["username"]))
        base = {"username": user["username"], "role": user["role"]}
        if now is None:
            changes.append(base | {"change": "new"})
            continue
        if user["password_hash"] != now["password_hash"]:
            changes.append(base | {"change": "password_changed"})
        if user["role"] == "staff" and now["role"] != "staff":
            changes.append(base | {"change": "made_staff"})
        added = sorted(set(json.loads(user["cooperatives"])) - set(json.loads(now["cooperatives"])))
        if added and user["role"] != "staff":
            changes.append(base | {"change": "cooperatives_added", "cooperatives": added})
    return changes


def _refuse_unallowed(
    path: Path, changes: list[dict], allow_new_staff: bool, allow_account_changes: bool
) -> None:
    """BackupError naming every account change the operator did not allow (nothing was changed)."""
    allowed = {"new", "made_staff"} if allow_new_staff else set()
    refused = [change for change in changes if change["change"] not in allowed]
    if refused and not allow_account_changes:
        listed = "; ".join(
            f"{change['username']}: {change['change']}"
            + (f" ({', '.join(change['cooperatives'])})" if "cooperatives" in change else "")
            for change in refused
        )
        raise BackupError(
            f"{path.name} would change accounts: {listed}. Nothing was changed; see them with --dry-run "
            "and restore with --allow-account-changes if they are meant to be there"
        )


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


def restore_preview(
    store: MarketStore, path: Path, *, allow_new_staff: bool = False
) -> tuple[int, list[dict]]:
    """Check the whole backup as a stream (nothing is changed): the size bound it was read under, and
    what it would change in accounts (`account_changes`)."""
    checker = _Checker(path)
    limit = max_backup_bytes(store)
    _scan(path, limit, checker)
    current = _current_users(store)
    _check_users(path, checker.users, _staff_of(current), allow_new_staff)
    return limit, account_changes(current, checker.users)


def restore(
    store: MarketStore, path: Path, *, allow_new_staff: bool = False, allow_account_changes: bool = False
) -> dict:
    """Replace the whole store by the backup in `path`, in one transaction; row counts per table.

    The file is read twice as a stream, never whole: once to check every value (the first problem is
    named and nothing is replaced), once to insert the rows in chunks; its expanded size is bounded by
    GOLD_DASHBOARD_MAX_BACKUP_MB, by default 4 times the current store (at least 100 MB). What it would
    change in accounts is refused unless `allow_account_changes` (new accounts and members made staff:
    `allow_new_staff` too), or the store has no users (a new machine)."""
    limit, changes = restore_preview(store, path, allow_new_staff=allow_new_staff)
    _refuse_unallowed(path, changes, allow_new_staff, allow_account_changes)
    try:  # the size was measured before the write transaction: SQLite has one writer at a time
        return _replace_all(store, path, limit * 2)  # the file was checked: the bound is a safety net
    except SQLAlchemyError as error:  # rolled back: the store is as it was
        raise BackupError(f"{path.name} could not be restored: {describe(error)}") from None


def _default_of(column: Column) -> object:
    """A column's scalar default (None when it has none): what a row from an older backup takes."""
    default = column.default
    return getattr(default, "arg", None) if getattr(default, "is_scalar", False) else None


def _replace_all(store: MarketStore, path: Path, limit: int) -> dict:
    tables = {table.name: table for table in backed_up_tables()}
    counts = {name: 0 for name in tables}
    with store.engine.begin() as conn:
        for table in reversed(backed_up_tables()):
            conn.execute(delete(table))
        pending: dict[str, list[dict]] = {}

        def flush(name: str) -> None:
            if pending.get(name):
                conn.execute(insert(tables[name]), pending[name])
                pending[name] = []

        def add(name: str, names: list[str], row: list, number: int) -> None:
            table = tables[name]
            # a column an older backup lacks: NULL, or its default (prices.rate_kind: official)
            values = {column.name: _default_of(column) for column in table.columns}
            values.update(zip(names, row, strict=True))
            pending.setdefault(name, []).append(_from_json(table, values))
            counts[name] += 1
            if len(pending[name]) >= INSERT_CHUNK_ROWS:
                flush(name)

        _scan(path, limit, add)
        for name in tables:
            flush(name)
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
