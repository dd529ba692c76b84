"""People who may sign in, their role and cooperatives; passwords hashed with argon2id (argon2-cffi).

A staff member reads every cooperative's sales; a member reads only the cooperatives listed for them.
Sign-in is required as soon as one user exists (or GOLD_DASHBOARD_REQUIRE_SIGNIN=1); a single-machine
store without users keeps working as before, its user owning the store. The market pages are public
only when GOLD_DASHBOARD_PUBLIC_MARKET=1.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import UTC, datetime

import pandas as pd
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, insert, select, update

from data.ledger import LedgerScope
from data.store import USERS_VERSION, MarketStore, bump_version, users_table

ROLES = ("staff", "member")
MIN_PASSWORD_LENGTH = 10
_HASHER = PasswordHasher()  # argon2id with the library's current recommended parameters
# Verified when the user name is unknown, so a wrong name takes as long as a wrong password.
_DUMMY_HASH = _HASHER.hash("not a password of anyone")


class UserError(ValueError):
    """A user cannot be added or changed as asked (unknown role, short password, no cooperative)."""


@dataclass(frozen=True)
class User:
    username: str
    role: str
    cooperatives: tuple[str, ...]

    @property
    def scope(self) -> LedgerScope:
        """What this user may read and change in the ledger."""
        if self.role == "staff":
            return LedgerScope(self.username)
        return LedgerScope(self.username, frozenset(self.cooperatives))


def _flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in ("1", "true", "yes", "on")


def market_is_public() -> bool:
    """GOLD_DASHBOARD_PUBLIC_MARKET=1: prices, forecasts and timing without sign-in (never the ledger)."""
    return _flag("GOLD_DASHBOARD_PUBLIC_MARKET")


REQUIRE_SIGNIN_ENV = "GOLD_DASHBOARD_REQUIRE_SIGNIN"


def sign_in_required(store: MarketStore) -> bool:
    """True once any user exists, or when the deployment demands it before the first user is added."""
    if _flag(REQUIRE_SIGNIN_ENV):
        return True
    with store.engine.connect() as conn:
        return bool(conn.execute(select(func.count()).select_from(users_table)).scalar())


def _validated(role: str, cooperatives: list[str]) -> list[str]:
    if role not in ROLES:
        raise UserError(f"unknown role {role!r}; use one of {', '.join(ROLES)}")
    names = sorted({name.strip() for name in cooperatives if name.strip()})
    if role == "member" and not names:
        raise UserError("a member needs at least one cooperative (--cooperative NAME)")
    return names


def _password_hash(password: str | None) -> str | None:
    if password is None:
        return None
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UserError(f"the password must have at least {MIN_PASSWORD_LENGTH} characters")
    return _HASHER.hash(password)


def add_user(
    store: MarketStore, username: str, password: str | None, role: str, cooperatives: list[str]
) -> User:
    """Add a user; password None means OpenID Connect only (username is then their e-mail)."""
    username = username.strip()
    if not username:
        raise UserError("the user name is empty")
    names = _validated(role, cooperatives)
    hashed = _password_hash(password)
    with store.engine.begin() as conn:
        if conn.execute(select(users_table.c.username).where(users_table.c.username == username)).first():
            raise UserError(f"user {username!r} already exists")
        conn.execute(
            insert(users_table).values(
                username=username,
                password_hash=hashed,
                role=role,
                cooperatives=json.dumps(names, ensure_ascii=False),
                created_at=datetime.now(UTC),
            )
        )
        bump_version(conn, USERS_VERSION)
    return User(username, role, tuple(names))


def set_password(store: MarketStore, username: str, password: str) -> None:
    hashed = _password_hash(password)
    with store.engine.begin() as conn:
        changed = conn.execute(
            update(users_table).where(users_table.c.username == username).values(password_hash=hashed)
        ).rowcount
        bump_version(conn, USERS_VERSION)
    if not changed:
        raise UserError(f"no user {username!r}")


def remove_user(store: MarketStore, username: str) -> None:
    with store.engine.begin() as conn:
        if not conn.execute(delete(users_table).where(users_table.c.username == username)).rowcount:
            raise UserError(f"no user {username!r}")
        bump_version(conn, USERS_VERSION)


def find_user(store: MarketStore, username: str) -> User | None:
    """The user of this name (for an OpenID sign-in: the e-mail the provider vouched for)."""
    with store.engine.connect() as conn:
        row = conn.execute(select(users_table).where(users_table.c.username == username)).mappings().first()
    return None if row is None else User(row["username"], row["role"], tuple(json.loads(row["cooperatives"])))


def list_users(store: MarketStore) -> pd.DataFrame:
    """Users, roles and cooperatives; never the hashes."""
    with store.engine.connect() as conn:
        rows = conn.execute(
            select(
                users_table.c.username,
                users_table.c.role,
                users_table.c.cooperatives,
                users_table.c.password_hash.is_not(None).label("has_password"),
                users_table.c.created_at,
            ).order_by(users_table.c.username)
        ).mappings()
        frame = pd.DataFrame(rows, columns=["username", "role", "cooperatives", "has_password", "created_at"])
    frame["cooperatives"] = frame["cooperatives"].map(json.loads)
    return frame


def authenticate(store: MarketStore, username: str, password: str) -> User | None:
    """The user when the password is right, else None (same work either way)."""
    with store.engine.connect() as conn:
        row = (
            conn.execute(select(users_table).where(users_table.c.username == username.strip()))
            .mappings()
            .first()
        )
    stored_hash = row["password_hash"] if row is not None and row["password_hash"] else _DUMMY_HASH
    try:
        _HASHER.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return None
    if row is None or not row["password_hash"]:
        return None
    if _HASHER.check_needs_rehash(stored_hash):  # the library's parameters grew stronger: upgrade
        with store.engine.begin() as conn:
            conn.execute(
                update(users_table)
                .where(users_table.c.username == row["username"])
                .values(password_hash=_HASHER.hash(password))
            )
    return User(row["username"], row["role"], tuple(json.loads(row["cooperatives"])))
