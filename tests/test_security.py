"""Hosting, round two (issue 24): nobody locks staff out, the client address cannot be forged, the
sign-in log stays bounded, alerts cannot be turned against anyone, a restore validates like an import.

Each test fails on the code before the issue; the store ones run on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from data.store import sign_in_attempts_table, sign_in_summary_table
from data.users import (
    ACCOUNT_DELAY_FREE_FAILURES,
    FAILURE_WINDOW,
    MAX_DELAY_S,
    PAIR_FREE_FAILURES,
    PRUNE_EVERY_ATTEMPTS,
    add_user,
    sign_in_attempt,
)

STAFF_PASSWORD = "clave del personal"
START = datetime(2030, 1, 1, 12, tzinfo=UTC)


def rows(store, table=sign_in_attempts_table) -> int:
    with store.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar() or 0)


# ------------------------------------------------------------------ finding 1: throttle per account and client


@pytest.mark.both_stores
def test_a_guesser_locks_only_themself(store):
    """7 wrong passwords for `ana` from one client; ana's right password from her own client 2 and 5
    minutes later signs her in (before: "Demasiados intentos fallidos"), and she is told of the 7."""
    add_user(store, "ana", STAFF_PASSWORD, "staff", [])
    for i in range(7):
        sign_in_attempt(store, "ana", f"adivinando {i}", "203.0.113.9", START + timedelta(seconds=i))
    for minutes in (2, 5):
        result = sign_in_attempt(
            store, "ana", STAFF_PASSWORD, "198.51.100.4", START + timedelta(minutes=minutes)
        )
        assert result.user is not None and result.reason == "ok", result
    # the guesser's own client stays locked, even with the right password
    guesser = sign_in_attempt(store, "ana", STAFF_PASSWORD, "203.0.113.9", START + timedelta(seconds=20))
    assert (guesser.user, guesser.reason) == (None, "throttled_account")


@pytest.mark.both_stores
def test_staff_told_of_failed_attempts_at_next_sign_in(store):
    add_user(store, "ana", STAFF_PASSWORD, "staff", [])
    first = sign_in_attempt(store, "ana", STAFF_PASSWORD, "198.51.100.4", START)
    assert first.failures_since_last == 0
    for i in range(PAIR_FREE_FAILURES + 3):  # 5 wrong passwords, then 3 locked attempts (no rows)
        sign_in_attempt(
            store, "ANA", f"adivinando {i}", "203.0.113.9", START + timedelta(minutes=1, seconds=i)
        )
    result = sign_in_attempt(store, "ana", STAFF_PASSWORD, "198.51.100.4", START + timedelta(minutes=10))
    assert result.user is not None
    assert result.failures_since_last == PAIR_FREE_FAILURES + 3
    assert result.last_failure_at == START + timedelta(minutes=1, seconds=PAIR_FREE_FAILURES + 2)
    again = sign_in_attempt(store, "ana", STAFF_PASSWORD, "198.51.100.4", START + timedelta(minutes=11))
    assert again.failures_since_last == 0  # told once


@pytest.mark.both_stores
def test_an_account_attacked_from_many_clients_is_delayed_not_locked(store):
    """One wrong guess from each of 40 addresses: no lock for anyone, but from the 10th failure on the
    account's answers are held back, doubling to 8 s; the right password still signs in."""
    add_user(store, "ana", STAFF_PASSWORD, "staff", [])
    waits: list[float] = []
    for i in range(40):
        result = sign_in_attempt(
            store, "ana", "adivinando", f"198.18.0.{i}", START + timedelta(seconds=i), sleep=waits.append
        )
        assert result.reason == "wrong_password"
    assert waits[:4] == [1.0, 2.0, 4.0, 8.0] and set(waits[4:]) == {MAX_DELAY_S}
    assert len(waits) == 40 - ACCOUNT_DELAY_FREE_FAILURES
    held: list[float] = []
    ana = sign_in_attempt(
        store, "ana", STAFF_PASSWORD, "198.51.100.4", START + timedelta(minutes=1), sleep=held.append
    )
    assert ana.user is not None and held == [MAX_DELAY_S] and ana.delayed_s == MAX_DELAY_S
    assert ana.failures_since_last == 40


def test_the_per_client_limit_still_holds_across_accounts(store):
    from data.users import CLIENT_FREE_FAILURES

    add_user(store, "ana", STAFF_PASSWORD, "staff", [])
    for i in range(CLIENT_FREE_FAILURES):
        sign_in_attempt(store, f"nadie{i}", "adivinando", "203.0.113.7", START + timedelta(seconds=i))
    assert sign_in_attempt(
        store, "ana", STAFF_PASSWORD, "203.0.113.7", START + timedelta(seconds=30)
    ).reason == ("throttled_client")
    assert sign_in_attempt(store, "ana", STAFF_PASSWORD, "198.51.100.4", START + timedelta(seconds=30)).user


def test_the_sign_in_page_tells_of_failed_attempts(store, monkeypatch):
    import ui.auth
    from tests.test_access import signed_in

    monkeypatch.setattr(ui.auth, "FAILED_SIGN_IN_DELAY_S", 0.0)
    add_user(store, "ana", STAFF_PASSWORD, "staff", [])
    for i in range(3):
        sign_in_attempt(store, "ana", f"adivinando {i}", "203.0.113.9")
    at = signed_in("ana", STAFF_PASSWORD)
    assert any("hubo 3 intentos fallidos" in w.value for w in at.warning), [w.value for w in at.warning]


# ------------------------------------------------------------------ finding 2: trusted proxies only


def test_forwarded_addresses_believed_only_from_a_trusted_proxy(monkeypatch):
    from ui.auth import client_from, trusted_proxies

    monkeypatch.delenv("GOLD_DASHBOARD_TRUSTED_PROXIES", raising=False)
    monkeypatch.setenv("GOLD_DASHBOARD_TRUST_PROXY", "1")  # the old setting no longer makes anyone trusted
    loopback = trusted_proxies()
    forged = {"X-Real-IP": "203.0.113.11", "X-Forwarded-For": "203.0.113.12"}
    assert client_from("198.51.100.20", forged, loopback) == "198.51.100.20"  # a direct connection
    assert client_from("127.0.0.1", {"X-Real-IP": "203.0.113.11"}, loopback) == "203.0.113.11"
    assert client_from("::1", {"X-Real-IP": "2001:db8::7"}, loopback) == "2001:db8::7"
    assert client_from("::ffff:127.0.0.1", {"X-Real-IP": "203.0.113.11"}, loopback) == "203.0.113.11"
    # X-Forwarded-For: the nearest hop the proxy saw, not what the client wrote in front of it
    chain = {"X-Forwarded-For": "203.0.113.13, 198.51.100.30"}
    assert client_from("127.0.0.1", chain, loopback) == "198.51.100.30"
    assert client_from("127.0.0.1", {"X-Real-IP": "nonsense'); DROP"}, loopback) == "127.0.0.1"
    assert client_from(None, forged, loopback) == "local"

    monkeypatch.setenv("GOLD_DASHBOARD_TRUSTED_PROXIES", "10.0.0.0/8, 192.0.2.1, not-an-address")
    networks = trusted_proxies()
    assert len(networks) == 2
    assert client_from("10.1.2.3", {"X-Real-IP": "203.0.113.11"}, networks) == "203.0.113.11"
    assert client_from("127.0.0.1", {"X-Real-IP": "203.0.113.11"}, networks) == "127.0.0.1"
    chain = {"X-Forwarded-For": "203.0.113.14, 198.51.100.31, 10.0.0.2"}  # two proxies of ours
    assert client_from("192.0.2.1", chain, networks) == "198.51.100.31"
    monkeypatch.setenv("GOLD_DASHBOARD_TRUSTED_PROXIES", "")
    assert client_from("127.0.0.1", forged, trusted_proxies()) == "127.0.0.1"


def test_readme_recipe_names_the_trusted_proxies():
    from tests.conftest import PROJECT_ROOT

    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    assert "GOLD_DASHBOARD_TRUSTED_PROXIES" in readme and "127.0.0.1,::1" in readme
    assert "GOLD_DASHBOARD_TRUST_PROXY=1" not in readme


# ------------------------------------------------------------------ finding 5: a bounded sign-in log


@pytest.mark.both_stores
def test_sign_in_attempts_stay_bounded_and_the_count_survives_pruning(store):
    """Three hours of guessing at one a second from 4 clients: the table never holds more than one
    window's failures plus a prune batch (before: every attempt, 43,200 rows); what ana is told at her
    next sign-in still counts every attempt against her since her last one."""
    add_user(store, "ana", STAFF_PASSWORD, "staff", [])
    sign_in_attempt(store, "ana", STAFF_PASSWORD, "198.51.100.4", START)
    hours, per_hour, attempts = 3, 60, 0
    most = 0
    for step in range(hours * per_hour):  # one attempt a minute from each of 4 clients, simulated time
        now = START + timedelta(minutes=step + 1)
        for client in range(4):
            sign_in_attempt(store, "ana", f"guess {step}", f"203.0.113.{client}", now, sleep=lambda _s: None)
            attempts += 1
        most = max(most, rows(store))
    window_failures = 4 * (PAIR_FREE_FAILURES + 5)  # per client a window's free failures and lock steps
    assert most <= window_failures + PRUNE_EVERY_ATTEMPTS, most
    assert rows(store, sign_in_summary_table) == 1
    told = sign_in_attempt(
        store, "ana", STAFF_PASSWORD, "198.51.100.4", START + timedelta(hours=hours, minutes=2)
    )
    assert told.user is not None and told.failures_since_last == attempts
    with store.engine.connect() as conn:
        oldest = conn.execute(select(func.min(sign_in_attempts_table.c.at))).scalar()
    assert oldest is not None
    oldest = oldest if oldest.tzinfo else oldest.replace(tzinfo=UTC)
    cutoff = START + timedelta(hours=hours, minutes=2) - FAILURE_WINDOW
    assert oldest >= cutoff - timedelta(minutes=PRUNE_EVERY_ATTEMPTS)  # pruned up to the last batch
