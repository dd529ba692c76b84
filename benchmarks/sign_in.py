"""Password guessing speed: how many guesses a minute an attacker gets through the sign-in path.

Each "session" is a thread doing what the sign-in form does on a submit (ui/auth.sign_in without
streamlit): the store's throttle (`data.accounts.users.sign_in_attempt`), argon2 when not locked, and the fixed
pause after a failure. `--path before` is the path without the store's throttle (argon2 and the pause
only, as before issue 14). A guess counts when its password was actually checked; locked attempts are
counted apart. The figure is scaled to one minute; argon2 runs with the production parameters.

    python benchmarks/sign_in.py [--seconds 30] [--sessions 1 32] [--database-url URL]

Scenarios: `one_account` (every session guesses one account's password from one address),
`one_account_many_clients` (each session from its own address: the per-account limit),
`spray` (each session another account, one address: the per-client limit).

    python benchmarks/sign_in.py --log-day [--clients 8] [--per-minute 2] [--hours 24]

simulates a day-long guessing run in simulated time (the attempts' clock is passed in, so a day takes
minutes): `--clients` addresses guess one staff account's password, `--per-minute` attempts a minute in
all, through the real `sign_in_attempt` (argon2 included; the account's delay is counted, not slept).
It prints the size of `sign_in_attempts` (rows and bytes) every few hours and at the end, beside the
code before issue 24, which kept one row per attempt for ever (the same rows inserted into a fresh
table of the same schema and indexes, then measured the same way), and beside the goal: the table stops
growing after the throttle's first hour.
"""

from __future__ import annotations

import argparse
import logging
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from datetime import UTC, datetime, timedelta  # noqa: E402

from sqlalchemy import func, insert, select, text  # noqa: E402

from data.accounts.users import (
    FAILURE_WINDOW,
    PRUNE_EVERY_ATTEMPTS,
    add_user,
    authenticate,
    find_user,
    sign_in_attempt,
)  # noqa: E402
from data.store import MarketStore, sign_in_attempts_table  # noqa: E402
from ui.auth import FAILED_SIGN_IN_DELAY_S  # noqa: E402

ACCOUNTS = 32
PASSWORD = "clave secreta del equipo 7"


def attempt(store: MarketStore, path: str, account: str, client: str, guess: str) -> bool:
    """One submit of the sign-in form; True when the password was checked (argon2 ran)."""
    if path == "before":
        user = authenticate(store, account, guess)
        checked = True
    else:
        result = sign_in_attempt(store, account, guess, client)
        user, checked = result.user, result.reason in ("ok", "wrong_password")
    if user is None:
        time.sleep(FAILED_SIGN_IN_DELAY_S)
    return checked


def run(store: MarketStore, path: str, scenario: str, sessions: int, seconds: float, tag: str) -> dict:
    checked = [0] * sessions
    answered = [0] * sessions
    deadline = time.monotonic() + seconds
    barrier = threading.Barrier(sessions)

    def session(index: int) -> None:
        account = f"user{index % ACCOUNTS}" if scenario == "spray" else "user0"
        client = f"10.9.{index}.{tag}" if scenario == "one_account_many_clients" else f"10.8.0.{tag}"
        barrier.wait()
        n = 0
        while time.monotonic() < deadline:
            checked[index] += attempt(store, path, account, client, f"guess {index} {n}")
            answered[index] += 1
            n += 1

    threads = [threading.Thread(target=session, args=(i,)) for i in range(sessions)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    return {
        "path": path,
        "scenario": scenario,
        "sessions": sessions,
        "guesses_per_minute": round(sum(checked) * 60 / elapsed, 1),
        "answers_per_minute": round(sum(answered) * 60 / elapsed, 1),
        "seconds": round(elapsed, 1),
    }


def table_size(store: MarketStore) -> tuple[int, int]:
    """(rows, bytes) of sign_in_attempts with its indexes: PostgreSQL's pg_total_relation_size, or
    SQLite's pages of the table and its indexes (dbstat), else the whole file after a VACUUM."""
    with store.engine.connect() as conn:
        count = int(conn.execute(select(func.count()).select_from(sign_in_attempts_table)).scalar() or 0)
        if conn.dialect.name == "postgresql":
            size = conn.execute(text("SELECT pg_total_relation_size('sign_in_attempts')")).scalar()
            return count, int(size or 0)
        try:
            size = conn.execute(
                text(
                    "SELECT SUM(pgsize) FROM dbstat WHERE name LIKE 'sign_in_attempts%' OR name LIKE 'ix_sign_in%'"
                )
            ).scalar()
            return count, int(size or 0)
        except Exception:  # SQLite built without dbstat
            pass
    with store.engine.connect() as conn:
        conn.execution_options(isolation_level="AUTOCOMMIT").execute(text("VACUUM"))
        pages = conn.execute(text("PRAGMA page_count")).scalar()
        page_size = conn.execute(text("PRAGMA page_size")).scalar()
    return count, int(pages or 0) * int(page_size or 0)


def old_code_size(url: str, attempts: list[tuple[datetime, str, str]]) -> tuple[int, int]:
    """What the code before issue 24 kept for the same attempts: one row each, never deleted."""
    store = MarketStore.from_url(url)
    rows = [
        {"at": at, "account": "ana", "client": client, "ok": 0, "reason": reason}
        for at, client, reason in attempts
    ]
    with store.engine.begin() as conn:
        conn.execute(sign_in_attempts_table.delete())
        for start in range(0, len(rows), 5_000):
            conn.execute(insert(sign_in_attempts_table), rows[start : start + 5_000])
    size = table_size(store)
    with store.engine.begin() as conn:
        conn.execute(sign_in_attempts_table.delete())
    store.engine.dispose()
    return size


def log_day(args: argparse.Namespace, folder: str) -> None:
    url = args.database_url or f"sqlite:///{folder}/sign_in_day.sqlite"
    store = MarketStore.from_url(url)
    with store.engine.begin() as conn:
        conn.execute(sign_in_attempts_table.delete())
    if find_user(store, "ana") is None:  # a reused --database-url may have her already
        add_user(store, "ana", PASSWORD, "staff", [])
    logging.getLogger("gold_dashboard.sign_in").setLevel(logging.ERROR)  # a line per failure otherwise
    start = datetime(2030, 1, 1, tzinfo=UTC)
    step = timedelta(minutes=1) / args.per_minute
    total = int(args.hours * 60 * args.per_minute)
    kept: list[tuple[datetime, str, str]] = []
    most = (0, 0)
    at_first_hour = (0, 0)
    checked = 0
    began = time.monotonic()
    print(f"{'simulated':>9} {'attempts':>9} {'argon2':>7} {'rows':>7} {'bytes':>10}")
    for n in range(total):
        now = start + step * n
        client = f"203.0.113.{n % args.clients}"
        result = sign_in_attempt(store, "ana", f"guess {n}", client, now, sleep=lambda _s: None)
        checked += result.reason == "wrong_password"
        kept.append((now, client, result.reason))
        if n % PRUNE_EVERY_ATTEMPTS == PRUNE_EVERY_ATTEMPTS - 1:
            measured = table_size(store)
            most = max(most, measured)
            if now - start <= FAILURE_WINDOW:
                at_first_hour = max(at_first_hour, measured)
        if (n + 1) % int(4 * 60 * args.per_minute) == 0 or n + 1 == total:
            count, size = table_size(store)
            print(
                f"{(now - start) / timedelta(hours=1):>8.1f}h {n + 1:>9} {checked:>7} {count:>7} {size:>10}",
                flush=True,
            )
    final_rows, final_size = table_size(store)
    ana_ok = sign_in_attempt(store, "ana", PASSWORD, "198.51.100.4", start + step * total)
    store.engine.dispose()
    old_rows, old_size = old_code_size(
        f"sqlite:///{folder}/sign_in_old.sqlite" if not args.database_url else url, kept
    )
    print()
    print(f"{'':28} {'rows':>9} {'bytes':>12}")
    print(f"{'before (kept for ever)':28} {old_rows:>9} {old_size:>12}")
    print(f"{'after, at the end':28} {final_rows:>9} {final_size:>12}")
    print(f"{'after, largest seen':28} {most[0]:>9} {most[1]:>12}")
    print(f"{'goal: <= first hour + batch':28} {at_first_hour[0] + PRUNE_EVERY_ATTEMPTS:>9} {'':>12}")
    per_row = old_size / max(old_rows, 1)
    issue_rows = 1024**3 / 1024  # the issue measured about 1 KB a row and 1 GB in a day of guessing
    print(
        f"at the issue's rate (~{issue_rows:,.0f} attempts a day): before ~{issue_rows * per_row / 1024**2:,.0f} MB "
        f"a day and growing; after, locked attempts leave no row, so the table holds what {args.clients} "
        f"clients' free failures of one hour leave (largest seen {most[1] / 1024:,.0f} KB)"
    )
    print(
        f"ratio before/after: {old_size / max(final_size, 1):.0f}x; {total} attempts from {args.clients} clients over "
        f"{args.hours} h ({checked} reached argon2); ana signed in afterwards: {ana_ok.user is not None}, "
        f"told of {ana_ok.failures_since_last} failed attempts; {time.monotonic() - began:.0f} s of real time"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--sessions", type=int, nargs="+", default=[1, 32])
    parser.add_argument("--database-url", help="default: a new SQLite file in a temporary folder")
    parser.add_argument("--paths", nargs="+", default=["before", "after"], choices=["before", "after"])
    parser.add_argument("--log-day", action="store_true", help="the table's size under a day of guessing")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--per-minute", type=float, default=2.0)
    parser.add_argument("--hours", type=float, default=24.0)
    args = parser.parse_args()
    if args.log_day:
        with tempfile.TemporaryDirectory() as folder:
            log_day(args, folder)
        return
    with tempfile.TemporaryDirectory() as folder:
        store = MarketStore.from_url(args.database_url or f"sqlite:///{folder}/sign_in.sqlite")
        for i in range(ACCOUNTS):
            add_user(store, f"user{i}", f"una clave larga del usuario {i}", "staff", [])
        print(f"{'path':7} {'scenario':25} {'sessions':>8} {'guesses/min':>12} {'answers/min':>12}")
        round_number = 0
        for path in args.paths:
            scenarios = (
                ["one_account"] if path == "before" else ["one_account", "one_account_many_clients", "spray"]
            )
            for scenario in scenarios:
                for sessions in args.sessions:
                    round_number += 1  # fresh addresses each round, so rounds do not lock each other
                    result = run(store, path, scenario, sessions, args.seconds, str(round_number))
                    print(
                        f"{result['path']:7} {result['scenario']:25} {result['sessions']:>8} "
                        f"{result['guesses_per_minute']:>12} {result['answers_per_minute']:>12}",
                        flush=True,
                    )
                    if path == "after":  # the next scenario starts on accounts without failures
                        with store.engine.begin() as conn:
                            conn.execute(sign_in_attempts_table.delete())
        store.engine.dispose()


if __name__ == "__main__":
    main()
