"""Database failures as one line for a person: what went wrong and what to do, never the row values.

SQLAlchemy's messages quote the statement and its parameters (a buyer's name, a password hash); the
CLI and the pages show `StoreError(error)` instead. No streamlit, no printing here.
"""

from __future__ import annotations

from sqlalchemy.exc import DataError, IntegrityError, OperationalError, SQLAlchemyError

#: PostgreSQL SQLSTATE codes (psycopg's `diag.sqlstate`) we explain.
_READ_ONLY = {"25006", "42501"}  # read-only transaction, insufficient privilege
_DISK_FULL = {"53100", "53000"}
_BUSY = {"40001", "40P01", "55P03"}  # serialization failure, deadlock, lock not available
_TOO_LONG = {"22001"}


class StoreError(ValueError):
    """A database failure explained in one line (nothing was changed: the transaction rolled back)."""


def _sqlstate(error: SQLAlchemyError) -> str:
    original = getattr(error, "orig", None)
    state = getattr(original, "sqlstate", None) or getattr(getattr(original, "diag", None), "sqlstate", None)
    return str(state or "")


def describe(error: SQLAlchemyError) -> str:
    """One line, no values: which kind of failure, and what to do next."""
    state = _sqlstate(error)
    text = str(getattr(error, "orig", "") or "").lower()
    if state in _READ_ONLY or "readonly" in text or "read-only" in text:
        return "the database is read-only (disk, file permissions or a replica): nothing was changed"
    if state in _DISK_FULL or "disk is full" in text or "no space left" in text:
        return "the disk holding the database is full: nothing was changed; free space and try again"
    if state in _BUSY or "database is locked" in text or "deadlock" in text:
        return "the database was busy with another change: nothing was changed; try again"
    if state in _TOO_LONG or isinstance(error, DataError):
        return "a value is longer or larger than the database column allows: nothing was changed"
    if isinstance(error, IntegrityError):
        return "the change conflicts with data stored meanwhile (the same key twice): nothing was changed; try again"
    if isinstance(error, OperationalError):
        return "the database cannot be reached or refused the operation: nothing was changed"
    return f"database error ({type(error).__name__}): nothing was changed"


def store_error(error: SQLAlchemyError) -> StoreError:
    return StoreError(describe(error))
