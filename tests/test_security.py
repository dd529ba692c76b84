"""Hosting, round two (issue 24): nobody locks staff out, the client address cannot be forged, the
sign-in log stays bounded, alerts cannot be turned against anyone, a restore validates like an import.

Each test fails on the code before the issue; the store ones run on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from data.accounts.users import (
    ACCOUNT_DELAY_FREE_FAILURES,
    FAILURE_WINDOW,
    MAX_DELAY_S,
    PAIR_FREE_FAILURES,
    PRUNE_EVERY_ATTEMPTS,
    add_user,
    sign_in_attempt,
)
from data.store import sign_in_attempts_table, sign_in_summary_table

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
    from data.accounts.users import CLIENT_FREE_FAILURES

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
    # Streamlit's None is a loopback peer (this host, a trusted proxy), not one client for everybody
    assert client_from(None, {"X-Real-IP": "203.0.113.11"}, loopback) == "203.0.113.11"
    assert client_from(None, {}, loopback) == "127.0.0.1"

    monkeypatch.setenv("GOLD_DASHBOARD_TRUSTED_PROXIES", "10.0.0.0/8, 192.0.2.1, not-an-address")
    networks = trusted_proxies()
    assert len(networks) == 2
    assert client_from("10.1.2.3", {"X-Real-IP": "203.0.113.11"}, networks) == "203.0.113.11"
    assert client_from("127.0.0.1", {"X-Real-IP": "203.0.113.11"}, networks) == "127.0.0.1"
    chain = {"X-Forwarded-For": "203.0.113.14, 198.51.100.31, 10.0.0.2"}  # two proxies of ours
    assert client_from("192.0.2.1", chain, networks) == "198.51.100.31"
    monkeypatch.setenv("GOLD_DASHBOARD_TRUSTED_PROXIES", "")
    assert client_from("127.0.0.1", forged, trusted_proxies()) == "127.0.0.1"


def test_deployment_recipe_names_the_trusted_proxies():
    from tests.conftest import PROJECT_ROOT

    recipe = "".join(
        (PROJECT_ROOT / "docs" / name).read_text(encoding="utf-8")
        for name in ("deployment.md", "configuration.md")
    )
    assert "GOLD_DASHBOARD_TRUSTED_PROXIES" in recipe and "127.0.0.1,::1" in recipe
    assert "GOLD_DASHBOARD_TRUST_PROXY=1" not in recipe


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


# ------------------------------------------------------------------ findings 6, 7, 10: alerts


class Outbox:
    """The Sender interface of services.alerts (to, subject, body): keeps what a run hands over."""

    def __init__(self) -> None:
        self.messages: list[tuple[str, str, str]] = []

    def __call__(self, to: str, subject: str, body: str) -> None:
        self.messages.append((to, subject, body))


def prices_of_today(store) -> None:
    import pandas as pd

    from tests.test_alerts import write_prices

    write_prices(store, last_day=f"{pd.Timestamp.now():%Y-%m-%d}")


PRICE_COP_G = 2300.0 * 3912.5 / 31.1034768  # today's pesos per gram in write_prices (289,317)


@pytest.mark.both_stores
def test_alert_levels_finite_and_within_the_band_of_the_day(store):
    from data.accounts.alerts import AlertError, list_rules
    from data.ledger import OPERATOR
    from services.alerts import add_alert

    with pytest.raises(AlertError) as refused:  # no price yet: nothing to check the level against
        add_alert(store, OPERATOR, email="ana@coop.org", currency="COP", unit="g", above=300_000.0)
    assert refused.value.code == "no_price"
    prices_of_today(store)
    for level, code in ((1e308, "level_out_of_band"), (float("inf"), "bad_level"), (float("nan"), "bad_level"),
                        (-5.0, "bad_level"), (PRICE_COP_G * 0.0099, "level_out_of_band"),
                        (PRICE_COP_G * 100.01, "level_out_of_band")):  # fmt: skip
        with pytest.raises(AlertError) as refused:
            add_alert(store, OPERATOR, email="ana@coop.org", currency="COP", unit="g", above=level)
        assert refused.value.code == code, level
    assert list_rules(store, OPERATOR) == []
    low = add_alert(
        store, OPERATOR, email="ana@coop.org", currency="COP", unit="g", below=PRICE_COP_G * 0.0101
    )
    high = add_alert(
        store, OPERATOR, email="ana@coop.org", currency="COP", unit="g", above=PRICE_COP_G * 99.9
    )
    assert [r.id for r in list_rules(store, OPERATOR)] == [low.id, high.id]


def insert_rule(store, **values) -> int:
    """A rule as an older version stored it, without today's checks (1e308 was accepted)."""
    from datetime import datetime

    from sqlalchemy import insert

    from data.store import alert_rules_table

    row = {"owner": "cli", "email": "ana@coop.org", "kind": "price", "currency": "COP", "unit": "g",
           "above": None, "below": None, "language": "es", "created_at": datetime.now(UTC), "armed": 1, **values}  # fmt: skip
    with store.engine.begin() as conn:
        return int(conn.execute(insert(alert_rules_table).values(**row)).inserted_primary_key[0])


@pytest.mark.both_stores
def test_one_bad_rule_never_stops_the_run(store):
    """An old 1e308 rule is reported, not sent, and the rules after it are sent (before: the run died
    with decimal.InvalidOperation and the later rules waited)."""
    from services.alerts import run_alerts

    prices_of_today(store)
    bad = insert_rule(store, above=1e308)
    worse = insert_rule(store, below=float("inf"))
    good = insert_rule(store, email="luis@coop.org", above=100_000.0)
    outbox = Outbox()
    run = run_alerts(store, send=outbox)
    assert [s.id for s in run.sent] == [good] and [m[0] for m in outbox.messages] == ["luis@coop.org"]
    assert {f.id for f in run.failed} == {bad, worse}
    assert all("not sent" in f.reason for f in run.failed)

    def broken(to: str, subject: str, body: str) -> None:  # a failure no one foresaw, for one address
        if to == "ana@coop.org":
            raise RuntimeError("the mail library broke")
        outbox(to, subject, body)

    first = insert_rule(store, email="ana@coop.org", above=100_000.0)
    later = insert_rule(store, email="rosa@coop.org", above=100_000.0)
    again = run_alerts(store, send=broken)
    assert [s.id for s in again.sent] == [later]
    assert any(f.id == first and "RuntimeError" in f.reason for f in again.failed)


def test_the_alerts_page_survives_an_unreadable_rule_and_can_remove_it(store):
    from streamlit.testing.v1 import AppTest

    from data.accounts.alerts import list_rules
    from data.ledger import OPERATOR
    from tests.conftest import PROJECT_ROOT

    prices_of_today(store)
    bad = insert_rule(store, owner="dashboard", above=1e308)
    at = AppTest.from_file(str(PROJECT_ROOT / "app_pages" / "alerts.py"), default_timeout=60).run()
    assert not at.exception, at.exception
    assert at.dataframe[0].value["Regla"].tolist() == ["nivel ilegible (bórrela)"]
    next(b for b in at.button if b.label == "Borrar la alerta").click().run()
    assert not at.exception, at.exception
    assert [r.id for r in list_rules(store, OPERATOR)] == [] and bad


@pytest.mark.both_stores
def test_at_most_the_setting_s_rules_per_member(store, monkeypatch):
    from data.accounts.access import LedgerScope
    from data.accounts.alerts import AlertError, list_rules
    from services.alerts import add_alert

    prices_of_today(store)
    luis, rosa = LedgerScope("luis", frozenset({"Coop"})), LedgerScope("rosa", frozenset({"Otra"}))
    for i in range(20):
        add_alert(store, luis, email="luis@coop.org", currency="COP", unit="g", above=300_000.0 + i)
    with pytest.raises(AlertError) as refused:
        add_alert(store, luis, email="luis@coop.org", currency="COP", unit="g", above=400_000.0)
    assert refused.value.code == "too_many_rules" and refused.value.params == {"limit": 20}
    add_alert(store, rosa, email="rosa@coop.org", currency="COP", unit="g", above=300_000.0)  # her own count
    monkeypatch.setenv("GOLD_DASHBOARD_MAX_ALERT_RULES", "1")
    with pytest.raises(AlertError):
        add_alert(store, rosa, email="rosa@coop.org", currency="COP", unit="g", above=300_000.0)
    assert len(list_rules(store, luis)) == 20 and len(list_rules(store, rosa)) == 1


@pytest.mark.both_stores
def test_an_address_not_the_members_own_must_confirm_first(store):
    """Double opt-in: one message with a link, nothing else until the link is opened; the member's
    own address (their user name) needs none; an address gets at most 3 messages a day."""
    import re

    from data.accounts.access import LedgerScope
    from data.accounts.alerts import confirm_address
    from services.alerts import add_alert, run_alerts

    prices_of_today(store)
    luis = LedgerScope("luis", frozenset({"Coop"}))
    for level in (100_000.0, 150_000.0):  # both hold today
        add_alert(store, luis, email="Victima@Example.org", currency="COP", unit="g", above=level)
    outbox = Outbox()
    first = run_alerts(store, send=outbox)
    assert first.sent == [] and len(outbox.messages) == 1  # one confirmation, not one per rule
    to, subject, body = outbox.messages[0]
    assert to == "Victima@Example.org" and subject == "Confirme que quiere recibir alertas del precio del oro"
    assert "«luis»" in body
    token = re.search(r"\?confirm=([\w-]+)", body).group(1)
    second = run_alerts(store, send=outbox)
    assert second.sent == [] and len(outbox.messages) == 1  # nothing else until confirmed
    assert all("confirm" in s.reason for s in second.skipped)
    assert confirm_address(store, "not-the-token") is None
    assert confirm_address(store, token) == "victima@example.org"
    assert confirm_address(store, token) is None  # used once
    third = run_alerts(store, send=outbox)
    assert len(third.sent) == 2 and len(outbox.messages) == 3  # the confirmation and both alerts

    maria = LedgerScope("maria@coop.org", frozenset({"Coop"}))
    for level in (100_000.0, 110_000.0, 120_000.0, 130_000.0):
        add_alert(store, maria, email="Maria@Coop.org", currency="COP", unit="g", above=level)
    fourth = run_alerts(store, send=outbox)
    to_maria = [m for m in outbox.messages if m[0] == "Maria@Coop.org"]
    assert len(to_maria) == 3 and len(fourth.sent) == 3  # her own address, but at most 3 a day
    assert any("already had 3 messages today" in s.reason for s in fourth.skipped)


@pytest.mark.both_stores
@pytest.mark.parametrize(
    "address",
    ["ana\x00@coop.org", "ana@coop.org\x00", "a" * 5000 + "@coop.org", "ana@coop.org\r\nBcc: x@y.org",
     "ana@coop", "ana@coop.org, otra@coop.org", "Ana <ana@coop.org>", "a" * 64 + "@" + "b" * 186 + ".org"],
)  # fmt: skip
def test_addresses_rfc_valid_short_and_without_control_characters(store, address):
    from data.accounts.alerts import AlertError, list_rules
    from data.ledger import OPERATOR
    from services.alerts import add_alert

    prices_of_today(store)
    with pytest.raises(AlertError) as refused:
        add_alert(store, OPERATOR, email=address, currency="COP", unit="g", above=300_000.0)
    assert refused.value.code == "bad_email"
    assert list_rules(store, OPERATOR) == []


@pytest.mark.both_stores
def test_another_members_rule_and_a_missing_one_answer_alike(store):
    from data.accounts.access import LedgerScope
    from data.accounts.alerts import AlertError, remove_rule
    from services.alerts import add_alert

    prices_of_today(store)
    luis, rosa = LedgerScope("luis", frozenset({"Coop"})), LedgerScope("rosa", frozenset({"Otra"}))
    hers = add_alert(store, rosa, email="rosa@coop.org", currency="COP", unit="g", above=300_000.0)
    answers = []
    for rule_id in (hers.id, hers.id + 1000):
        with pytest.raises(Exception) as refused:
            remove_rule(store, luis, rule_id)
        answers.append((type(refused.value), str(refused.value).replace(str(rule_id), "N")))
    assert answers[0] == answers[1] == (AlertError, "no alert with id N")


# ------------------------------------------------------------------ findings 8 and 10: restore


def edited_backup(store, tmp_path, table: str, field: str, value, raw: str | None = None):
    """The store's backup with one value changed (written as `raw` JSON text when given: NaN, 1e999)."""
    import json

    from tests.test_data_safety import backup_document, column

    document = backup_document(store, tmp_path)
    marker = "__RAW_VALUE__"
    document["tables"][table]["rows"][0][column(document, table, field)] = marker if raw else value
    text = json.dumps(document)
    if raw:
        text = text.replace(f'"{marker}"', raw)
    path = tmp_path / "edited.json"
    path.write_text(text)
    return path


@pytest.mark.both_stores
@pytest.mark.parametrize(
    ("table", "field", "value", "raw", "message"),
    [
        ("sales", "gross_weight_g", -3.0, None, "gross_weight_g is not a weight above 0"),
        ("sales", "fine_gold_g", 0.0, None, "fine_gold_g is not a weight above 0"),
        ("sales", "gross_weight_g", None, "Infinity", r"table 'sales', row 1: a value is not a number .*Infinity"),
        ("sales", "gross_weight_g", None, "1e999", r"table .sales., row 1: a value is not a number"),
        ("sales", "fineness", None, "NaN", r"table 'sales', row 1: a value is not a number .*NaN"),
        ("sales", "fineness", 1.5, None, "fineness is not a fineness above 0 and at most 1"),
        ("prices", "value", -1.0, None, "value is not a price above 0"),
        ("alert_rules", "above", None, "1e999", r"table .alert_rules., row 1: a value is not a number"),
        ("users", "password_hash", "$argon2id$v=19$m=65536,t=3,p=4$garbage", None, "not an argon2 hash that can be read"),
        ("users", "role", "admin", None, "role is not one of staff, member"),
        ("sales", "notes", "a\x00b", None, "notes holds a NUL character"),
    ],
)  # fmt: skip
def test_restore_validates_like_an_import(store, tmp_path, table, field, value, raw, message):
    from data.accounts.users import authenticate
    from data.store.backup import BackupError, dump_tables, restore
    from tests.test_data_safety import filled_store

    filled_store(store, tmp_path)
    before = dump_tables(store)
    with pytest.raises(BackupError, match=message) as refused:
        restore(store, edited_backup(store, tmp_path, table, field, value, raw))
    assert "twice" not in str(refused.value)
    assert dump_tables(store) == before
    assert authenticate(store, "luis", "la segunda clave larga") is not None


@pytest.mark.both_stores
def test_restore_smuggles_no_new_staff_account(store, tmp_path):
    """A backup that adds a staff account, or makes a member staff, is refused unless the operator says
    so; a store without any user (a new machine) takes the backup's users as they are."""
    import json

    from data.accounts.users import find_user
    from data.store.backup import BackupError, dump_tables, restore
    from tests.test_data_safety import backup_document, column, filled_store

    filled_store(store, tmp_path)
    before = dump_tables(store)
    document = backup_document(store, tmp_path)
    users = document["tables"]["users"]
    luis = next(row for row in users["rows"] if row[column(document, "users", "username")] == "luis")
    luis[column(document, "users", "role")] = "staff"
    path = tmp_path / "promoted.json"
    path.write_text(json.dumps(document))
    with pytest.raises(BackupError, match="row 2: a staff account this store does not have"):
        restore(store, path)
    assert dump_tables(store) == before
    restore(store, path, allow_new_staff=True)
    assert find_user(store, "luis").role == "staff"


def test_restore_into_a_store_without_users_takes_its_staff(tmp_path):
    from data.store import MarketStore
    from data.store.backup import backup, dump_tables, restore
    from tests.test_data_safety import filled_store

    source = MarketStore.from_url(f"sqlite:///{tmp_path / 'source.sqlite'}")
    filled_store(source, tmp_path)
    backup(source, tmp_path / "all.json.gz")
    fresh = MarketStore.from_url(f"sqlite:///{tmp_path / 'fresh.sqlite'}")
    restore(fresh, tmp_path / "all.json.gz")
    assert dump_tables(fresh) == dump_tables(source)


def test_restore_bounded_by_the_current_store_not_2_gb(store, tmp_path, monkeypatch):
    """Without a setting, a 300 MB expansion is refused past 4x the store (at least 100 MB), while it
    streams: memory stays far below what reading it whole costs."""
    import gzip
    import resource

    from data.store.backup import BackupError, dump_tables, max_backup_bytes, restore, store_bytes
    from tests.test_data_safety import filled_store

    monkeypatch.delenv("GOLD_DASHBOARD_MAX_BACKUP_MB", raising=False)
    filled_store(store, tmp_path)
    assert max_backup_bytes(store) == max(100 * 1024 * 1024, 4 * store_bytes(store))
    before = dump_tables(store)
    bomb = tmp_path / "bomb.json.gz"
    with gzip.open(bomb, "wb", compresslevel=9) as out:
        out.write(b'{"format": "gold-dashboard-backup", "version": 2, "pad": "')
        for _ in range(300):
            out.write(b" " * (1 << 20))
        out.write(b'"}')
    peak_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with pytest.raises(BackupError, match="more than 100 MB"):
        restore(store, bomb)
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - peak_before) / 1024
    assert grown_mb < 60, grown_mb  # a 100 MB string would be read into memory on the old code
    assert dump_tables(store) == before
