"""Password guessing speed: how many guesses a minute an attacker gets through the sign-in path.

Each "session" is a thread doing what the sign-in form does on a submit (ui/auth.sign_in without
streamlit): the store's throttle (`data.users.sign_in_attempt`), argon2 when not locked, and the fixed
pause after a failure. `--path before` is the path without the store's throttle (argon2 and the pause
only, as before issue 14). A guess counts when its password was actually checked; locked attempts are
counted apart. The figure is scaled to one minute; argon2 runs with the production parameters.

    python benchmarks/sign_in.py [--seconds 30] [--sessions 1 32] [--database-url URL]

Scenarios: `one_account` (every session guesses one account's password from one address),
`one_account_many_clients` (each session from its own address: the per-account limit),
`spray` (each session another account, one address: the per-client limit).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from data.store import MarketStore, sign_in_attempts_table  # noqa: E402
from data.users import add_user, authenticate, sign_in_attempt  # noqa: E402
from ui.auth import FAILED_SIGN_IN_DELAY_S  # noqa: E402

ACCOUNTS = 32


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


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--sessions", type=int, nargs="+", default=[1, 32])
    parser.add_argument("--database-url", help="default: a new SQLite file in a temporary folder")
    parser.add_argument("--paths", nargs="+", default=["before", "after"], choices=["before", "after"])
    args = parser.parse_args()
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
