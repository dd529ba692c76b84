"""People who may sign in, their role and cooperatives; passwords hashed with argon2id (argon2-cffi).

A staff member reads every cooperative's sales; a member reads only the cooperatives listed for them.
Sign-in is required as soon as one user exists (or GOLD_DASHBOARD_REQUIRE_SIGNIN=1); a single-machine
store without users keeps working as before, its user owning the store. The market pages are public
only when GOLD_DASHBOARD_PUBLIC_MARKET=1. User names are case-insensitive (`Luis` is `luis`). Password
sign-ins go through `sign_in_attempt`, which throttles per account and per client with state kept in
the store (so it holds across sessions and processes) and logs every failure. No streamlit here.
"""

from __future__ import annotations

import json
import logging
import os
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path

import pandas as pd
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, insert, select, text, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection, RowMapping

from data.accounts.access import LedgerScope
from data.store import (
    USERS_VERSION,
    MarketStore,
    bump_version,
    sign_in_attempts_table,
    sign_in_summary_table,
    user_sessions_table,
    users_table,
)

ROLES = ("staff", "member")
MIN_PASSWORD_LENGTH = 10
_HASHER = PasswordHasher()  # argon2id with the library's current recommended parameters
# Verified when the user name is unknown, so a wrong name takes as long as a wrong password.
_DUMMY_HASH = _HASHER.hash("not a password of anyone")
COMMON_PASSWORDS_FILE = Path(__file__).with_name("common_passwords.txt")
LOG = logging.getLogger("gold_dashboard.sign_in")

#: Throttle, so a guesser locks only themself:
#: - one account from one client (the pair): 5 free failures, then each further attempt of that pair
#:   waits for a lock that doubles from its last failure (30 s, 1 min ... at most 15 min), until the
#:   pair's next successful sign-in. The same account from another client is not locked by it.
#: - one client across all accounts: 20 free failures, then the same progressive lock (that client only).
#: - one account across all clients (an attack from many addresses): never a lock, but after 10 failures
#:   every attempt of the account is answered only after a delay that doubles per further failure
#:   (1 s, 2 s ... at most 8 s), so the right password still gets in, a little later.
#: Failures count for an hour (FAILURE_WINDOW); older rows are pruned (`prune_sign_in_attempts`), and
#: what a known account needs of them (failures since its last sign-in) is kept in `sign_in_summary`.
PAIR_FREE_FAILURES = 5
ACCOUNT_FREE_FAILURES = PAIR_FREE_FAILURES  # the name of earlier versions: an account from one client
CLIENT_FREE_FAILURES = 20
FIRST_LOCK_S = 30.0
MAX_LOCK_S = 15 * 60.0
ACCOUNT_DELAY_FREE_FAILURES = 10
FIRST_DELAY_S = 1.0
MAX_DELAY_S = 8.0
FAILURE_WINDOW = timedelta(hours=1)
PRUNE_EVERY_ATTEMPTS = 50  # every 50th attempt prunes the rows older than the window


class UserError(ValueError):
    """A user cannot be added or changed as asked (unknown role, short password, no cooperative)."""


@dataclass(frozen=True)
class User:
    username: str
    role: str
    cooperatives: tuple[str, ...]
    epoch: int = 0  # bumped by a password change: sessions signed in under an older one are ended
    has_password: bool = True  # False: OpenID Connect only

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


def account_key(username: str) -> str:
    """The case-insensitive form of a user name (how names are compared and throttled)."""
    return username.strip().casefold()


@cache
def common_passwords() -> frozenset[str]:
    lines = COMMON_PASSWORDS_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().casefold() for line in lines if line.strip() and not line.startswith("#"))


_LEET = str.maketrans(
    {"@": "a", "4": "a", "0": "o", "1": "i", "!": "i", "3": "e", "$": "s", "5": "s", "7": "t"}
)
_SEQUENCES = (
    "0123456789",
    "abcdefghijklmnopqrstuvwxyz",
    "qwertyuiop",
    "asdfghjkl",
    "zxcvbnm",
    "1qaz2wsx3edc",
)


def password_problem(password: str, username: str = "") -> str | None:
    """Why this password is refused (short, common, trivially repetitive, the user name), or None."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"the password must have at least {MIN_PASSWORD_LENGTH} characters"
    folded = password.casefold()
    common = common_passwords()
    base = re.sub(r"[\W\d_]+$", "", folded)  # password12, Colombia2024! -> password, colombia
    squeezed = re.sub(r"[\s._-]+", "", folded)
    if {folded, squeezed, base, folded.translate(_LEET), base.translate(_LEET)} & common:
        return "this password is on the list of common passwords; choose another"
    if len(set(folded)) < 4:
        return "this password repeats too few characters (like aaaaaaaaaa); choose another"
    for size in range(1, len(folded) // 2 + 1):  # a block repeated: abcabcabca, 12121212
        if folded == (folded[:size] * (len(folded) // size + 1))[: len(folded)]:
            return "this password repeats one short block; choose another"
    for run in _SEQUENCES:  # 1234567890, 0987654321, qwertyuiop, also wrapping round (7890123456)
        if folded in run * 3 or folded in run[::-1] * 3:
            return "this password is a keyboard or counting sequence (like 1234567890); choose another"
    user = account_key(username)
    if user and (user in folded or folded in user):
        return "the password must not contain the user name"
    return None


def _password_hash(password: str | None, username: str = "") -> str | None:
    if password is None:
        return None
    problem = password_problem(password, username)
    if problem:
        raise UserError(problem)
    return _HASHER.hash(password)


def _user_row(conn: Connection, username: str) -> RowMapping | None:
    """The user of this name, ignoring case; the exact spelling first (the common, indexed path)."""
    query = select(users_table, user_sessions_table.c.epoch).outerjoin(
        user_sessions_table, user_sessions_table.c.username == users_table.c.username
    )
    row = conn.execute(query.where(users_table.c.username == username)).mappings().first()
    if row is not None:
        return row
    key = account_key(username)
    if not key:
        return None
    # Compared in Python: SQLite's lower() folds ASCII only, and a users table is small.
    names = [name for name in conn.scalars(select(users_table.c.username)) if account_key(name) == key]
    if len(names) != 1:  # none, or an old store holding both spellings: refuse rather than guess
        return None
    return conn.execute(query.where(users_table.c.username == names[0])).mappings().first()


def _as_user(row: RowMapping) -> User:
    return User(
        row["username"],
        row["role"],
        tuple(json.loads(row["cooperatives"])),
        int(row["epoch"] or 0),
        bool(row["password_hash"]),
    )


def add_user(
    store: MarketStore, username: str, password: str | None, role: str, cooperatives: list[str]
) -> User:
    """Add a user; password None means OpenID Connect only (username is then their e-mail)."""
    username = username.strip()
    if not username:
        raise UserError("the user name is empty")
    names = _validated(role, cooperatives)
    hashed = _password_hash(password, username)
    with store.engine.begin() as conn:
        key = account_key(username)
        clash = [name for name in conn.scalars(select(users_table.c.username)) if account_key(name) == key]
        if clash:
            raise UserError(f"user {clash[0]!r} already exists (user names ignore upper and lower case)")
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
    """A new password; every session signed in with the old one ends at its next run."""
    with store.engine.begin() as conn:
        row = _user_row(conn, username)
        if row is None:
            raise UserError(f"no user {username!r}")
        hashed = _password_hash(password, row["username"])
        conn.execute(
            update(users_table).where(users_table.c.username == row["username"]).values(password_hash=hashed)
        )
        _bump_epoch(conn, row["username"], int(row["epoch"] or 0))


def _bump_epoch(conn: Connection, username: str, current: int) -> None:
    changed = conn.execute(
        update(user_sessions_table)
        .where(user_sessions_table.c.username == username)
        .values(epoch=current + 1)
    ).rowcount
    if not changed:
        conn.execute(insert(user_sessions_table).values(username=username, epoch=current + 1))
    bump_version(conn, USERS_VERSION)


def end_sessions(store: MarketStore, username: str) -> None:
    """End every session of this user (their next run asks them to sign in again)."""
    with store.engine.begin() as conn:
        row = _user_row(conn, username)
        if row is None:
            raise UserError(f"no user {username!r}")
        _bump_epoch(conn, row["username"], int(row["epoch"] or 0))


def remove_user(store: MarketStore, username: str) -> None:
    with store.engine.begin() as conn:
        row = _user_row(conn, username)
        if row is None:
            raise UserError(f"no user {username!r}")
        conn.execute(delete(users_table).where(users_table.c.username == row["username"]))
        conn.execute(delete(user_sessions_table).where(user_sessions_table.c.username == row["username"]))
        bump_version(conn, USERS_VERSION)


def find_user(store: MarketStore, username: str) -> User | None:
    """The user of this name (any upper or lower case), with their session epoch."""
    with store.engine.connect() as conn:
        row = _user_row(conn, username)
    return None if row is None else _as_user(row)


def find_oidc_user(store: MarketStore, email: str) -> User | None:
    """The OpenID-Connect-only user (no password) registered under this e-mail; never a password user,
    so an identity provider cannot sign anybody into an account that has its own password."""
    user = find_user(store, email) if email.strip() else None
    return user if user is not None and not user.has_password else None


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
    """The user when the password is right, else None (same work either way). Not throttled: the
    sign-in page and `cli.py --user` go through `sign_in_attempt`."""
    with store.engine.connect() as conn:
        row = _user_row(conn, username)
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
    return _as_user(row)


# ------------------------------------------------------------------ throttled sign-in


@dataclass(frozen=True)
class SignInResult:
    """The outcome of one password sign-in: the user, or why not (and for how long, when locked).

    On a success, `failures_since_last` counts the failed attempts against the account since its
    previous successful sign-in (`last_failure_at` the latest), so the user can be told of them."""

    user: User | None
    reason: str  # ok, wrong_password, throttled_account (this account from this client), throttled_client
    retry_after_s: float = 0.0
    delayed_s: float = 0.0  # how long the answer was held back (an account attacked from many clients)
    failures_since_last: int = 0
    last_failure_at: datetime | None = None


def _lock_s(failures: int, free: int) -> float:
    if failures < free:
        return 0.0
    return min(MAX_LOCK_S, FIRST_LOCK_S * 2.0 ** min(failures - free, 20))


def _delay_s(failures: int) -> float:
    if failures < ACCOUNT_DELAY_FREE_FAILURES:
        return 0.0
    return min(MAX_DELAY_S, FIRST_DELAY_S * 2.0 ** min(failures - ACCOUNT_DELAY_FREE_FAILURES, 20))


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)  # SQLite drops the zone


_COUNTED = ("wrong_password", "checking")  # a failure, or an attempt whose password is being checked


def _failures(
    conn: Connection, conditions: list, before_id: int, since: datetime
) -> tuple[int, datetime | None]:
    """(failures, the last one's time) before this attempt, after `since`, matching `conditions`."""
    table = sign_in_attempts_table
    failures, last = conn.execute(
        select(func.count(), func.max(table.c.at)).where(
            *conditions,
            table.c.ok == 0,
            table.c.reason.in_(_COUNTED),
            table.c.at > since,
            table.c.id < before_id,
        )
    ).one()
    return int(failures), (None if last is None else _aware(last))


def _wait_s(failures: int, last: datetime | None, free: int, now: datetime) -> float:
    """Seconds still to wait for a lock earned by `failures` (the last at `last`)."""
    lock = _lock_s(failures, free)
    if not lock or last is None:
        return 0.0
    return max(0.0, (last + timedelta(seconds=lock) - now).total_seconds())


def _known_account(conn: Connection, account: str) -> bool:
    return _user_row(conn, account) is not None


def _upsert_summary(conn: Connection, account: str, values: dict, increments: dict) -> None:
    """Create or change the account's summary row: `values` set, `increments` added to columns."""
    table = sign_in_summary_table
    upsert = postgresql_insert if conn.dialect.name == "postgresql" else sqlite_insert
    row = {"account": account, "failures": 0, **values, **increments}
    changes = {**values, **{name: table.c[name] + amount for name, amount in increments.items()}}
    statement = upsert(table).values(**row)
    conn.execute(statement.on_conflict_do_update(index_elements=[table.c.account], set_=changes))


def _note_failures(conn: Connection, account: str, count: int, first: datetime, last: datetime) -> None:
    """Add failures against a known account to its summary (they leave sign_in_attempts)."""
    table = sign_in_summary_table
    current = conn.execute(
        select(table.c.first_failure_at, table.c.last_failure_at).where(table.c.account == account)
    ).first()
    first_at = first if current is None or current[0] is None else min(_aware(current[0]), first)
    last_at = last if current is None or current[1] is None else max(_aware(current[1]), last)
    _upsert_summary(
        conn, account, {"first_failure_at": first_at, "last_failure_at": last_at}, {"failures": count}
    )


def prune_sign_in_attempts(store: MarketStore, now: datetime | None = None) -> int:
    """Delete the attempts older than the throttle's window (they no longer count for any limit); a known
    account's failures among them since its last sign-in are added to its summary first. Rows deleted."""
    now = now or datetime.now(UTC)
    cutoff = now - FAILURE_WINDOW
    table, summary = sign_in_attempts_table, sign_in_summary_table
    with store.engine.begin() as conn:
        known = {account_key(name) for name in conn.scalars(select(users_table.c.username))}
        last_ok = {
            str(account): _aware(moment)
            for account, moment in conn.execute(select(summary.c.account, summary.c.last_ok_at))
            if moment is not None
        }
        old = conn.execute(
            select(table.c.account, func.count(), func.min(table.c.at), func.max(table.c.at))
            .where(table.c.at <= cutoff, table.c.ok == 0, table.c.account.in_(known))
            .group_by(table.c.account)
        ).all()
        for account, count, first, last in old:
            since = last_ok.get(str(account))
            if since is not None:  # only what came after the last sign-in is news to the user
                count, first = conn.execute(
                    select(func.count(), func.min(table.c.at)).where(
                        table.c.account == account, table.c.ok == 0, table.c.at <= cutoff, table.c.at > since
                    )
                ).one()
            if count:
                _note_failures(conn, str(account), int(count), _aware(first), _aware(last))
        return int(conn.execute(delete(table).where(table.c.at <= cutoff)).rowcount or 0)


def _failures_since_last(conn: Connection, account: str, attempt_id: int) -> tuple[int, datetime | None]:
    """Failed attempts against the account since its last successful sign-in: the summary's count
    (pruned and throttled ones) plus the rows still in sign_in_attempts."""
    table, summary = sign_in_attempts_table, sign_in_summary_table
    row = conn.execute(
        select(summary.c.failures, summary.c.last_failure_at, summary.c.last_ok_at).where(
            summary.c.account == account
        )
    ).first()
    earlier, earlier_last, last_ok = (0, None, None) if row is None else (int(row[0]), row[1], row[2])
    conditions = [table.c.account == account, table.c.ok == 0, table.c.id < attempt_id]
    if last_ok is not None:
        conditions.append(table.c.at > _aware(last_ok))
    live, live_last = conn.execute(select(func.count(), func.max(table.c.at)).where(*conditions)).one()
    moments = [_aware(moment) for moment in (earlier_last, live_last) if moment is not None]
    return earlier + int(live), (max(moments) if moments else None)


#: The PostgreSQL advisory lock under which a sign-in attempt is written and counted ("SIGN").
SIGN_IN_LOCK_KEY = 0x5349474E


def sign_in_attempt(
    store: MarketStore,
    username: str,
    password: str,
    client: str = "unknown",
    now: datetime | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> SignInResult:
    """A password sign-in, throttled per account and client, per client, and (by a delay, never a lock)
    per account, with its state in the store.

    The attempt is written first (as "checking"), so concurrent attempts from other sessions or
    processes count it before its password is even verified; a locked attempt costs no argon2 work and
    leaves no row (it is logged, and counted in the account's summary when the account exists). Every
    failure is logged; wrong passwords stay in `sign_in_attempts` for the throttle's window.
    """
    now = now or datetime.now(UTC)
    account, client = account_key(username)[:200], (client or "unknown")[:200]
    table = sign_in_attempts_table
    since = now - FAILURE_WINDOW
    with store.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            # one attempt at a time writes and counts: otherwise an attempt whose row is not committed yet
            # is missed by a concurrent one, and a sixth guess reaches argon2 (SQLite serialises writers)
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": SIGN_IN_LOCK_KEY})
        inserted = conn.execute(
            insert(table).values(at=now, account=account, client=client, ok=0, reason="checking")
        ).inserted_primary_key
        attempt_id = int(inserted[0]) if inserted else 0
        pair_ok = conn.execute(
            select(func.max(table.c.at)).where(
                table.c.account == account, table.c.client == client, table.c.ok == 1
            )
        ).scalar()
        pair_since = max(since, _aware(pair_ok)) if pair_ok is not None else since
        pair = _failures(conn, [table.c.account == account, table.c.client == client], attempt_id, pair_since)
        by_client = _failures(conn, [table.c.client == client], attempt_id, since)
        by_account, _ = _failures(conn, [table.c.account == account], attempt_id, since)
    waits = {
        "throttled_account": _wait_s(*pair, PAIR_FREE_FAILURES, now),
        "throttled_client": _wait_s(*by_client, CLIENT_FREE_FAILURES, now),
    }
    reason, wait = max(waits.items(), key=lambda item: item[1])
    user, delayed = None, 0.0
    notice: tuple[int, datetime | None] = (0, None)
    if wait <= 0:
        delayed = _delay_s(by_account)
        if delayed:
            sleep(delayed)
        user = authenticate(store, username, password)
        reason = "ok" if user is not None else "wrong_password"
    with store.engine.begin() as conn:
        if reason.startswith("throttled"):  # no row: it counts for no limit; known accounts keep the count
            conn.execute(delete(table).where(table.c.id == attempt_id))
            if _known_account(conn, account):
                _note_failures(conn, account, 1, now, now)
        else:
            conn.execute(
                update(table).where(table.c.id == attempt_id).values(ok=int(user is not None), reason=reason)
            )
        if user is not None:
            notice = _failures_since_last(conn, account, attempt_id)
            _upsert_summary(
                conn,
                account,
                {"failures": 0, "first_failure_at": None, "last_failure_at": None, "last_ok_at": now},
                {},
            )
    if user is None:
        LOG.warning("failed sign-in: account %r from client %r (%s)", account, client, reason)
    if attempt_id and attempt_id % PRUNE_EVERY_ATTEMPTS == 0:
        prune_sign_in_attempts(store, now)
    return SignInResult(user, reason, wait, delayed, *notice)


def failed_sign_ins(store: MarketStore, since: datetime | None = None) -> pd.DataFrame:
    """The failed sign-ins (newest first): when, which account name, from which client, why."""
    table = sign_in_attempts_table
    query = select(table.c.at, table.c.account, table.c.client, table.c.reason).where(table.c.ok == 0)
    if since is not None:
        query = query.where(table.c.at >= since)
    with store.engine.connect() as conn:
        rows = conn.execute(query.order_by(table.c.id.desc())).all()
    return pd.DataFrame(rows, columns=["at", "account", "client", "reason"])
