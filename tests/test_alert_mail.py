"""Issue 33, finding 5: alert mail that cannot be turned against an inbox — the rule cap holds under
concurrent adds, one inbox is one address whatever its spelling, consent is per owner, and a
confirmation link is single-use with a short life."""

from __future__ import annotations

import re
import threading
from datetime import UTC, datetime, timedelta

import pandas as pd
import pytest

from data.accounts.alerts import (
    CONFIRMATION_LIFE,
    AlertError,
    add_rule,
    confirm_address,
    list_rules,
    request_confirmation,
    take_mail_slot,
)
from data.accounts.inbox import inbox_key
from data.ledger import LedgerScope
from services.alerts import add_alert, run_alerts
from tests.test_security import Outbox, prices_of_today


@pytest.mark.both_stores
def test_eight_adds_at_once_at_19_rules_leave_exactly_20(store):
    luis = LedgerScope("luis", frozenset({"Coop"}))
    for i in range(19):
        add_rule(store, luis, email="luis@coop.org", currency="COP", unit="g", above=300_000.0 + i)
    start, outcomes = threading.Barrier(8), []

    def add(level: float) -> None:
        start.wait()
        try:
            add_rule(store, luis, email="luis@coop.org", currency="COP", unit="g", above=level)
            outcomes.append("added")
        except AlertError as refused:
            outcomes.append(refused.code)

    threads = [threading.Thread(target=add, args=(400_000.0 + i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(outcomes) == ["added"] + ["too_many_rules"] * 7
    assert len(list_rules(store, luis)) == 20


def test_the_spellings_of_one_inbox_are_one_key():
    same = ["inbox@coop.org", "Inbox@COOP.ORG", "inbox+a@coop.org", "inbox+b@coop.org.", '"inbox"@coop.org',
            ' "in\\box+x"@Coop.Org. ']  # fmt: skip
    assert {inbox_key(address) for address in same} == {"inbox@coop.org"}
    assert inbox_key("Ana.Lopez+x@googlemail.com") == "analopez@gmail.com"  # Gmail ignores dots
    assert inbox_key("ana.lopez@coop.org") == "ana.lopez@coop.org"  # elsewhere a dot is a character
    assert inbox_key("ana@coop.org") != inbox_key("ana@coop.org.pe")


@pytest.mark.both_stores
def test_the_daily_cap_counts_every_spelling_of_one_inbox(store):
    day = pd.Timestamp("2024-05-09").date()
    spellings = ["inbox+a@coop.org", '"inbox"@coop.org', "inbox@COOP.ORG", "inbox@coop.org."]
    assert [take_mail_slot(store, address, day) for address in spellings] == [True, True, True, False]
    assert take_mail_slot(store, "otra@coop.org", day)


@pytest.mark.both_stores
def test_an_address_confirmed_for_one_member_must_confirm_for_another(store):
    prices_of_today(store)
    luis, rosa = LedgerScope("luis", frozenset({"Coop"})), LedgerScope("rosa", frozenset({"Otra"}))
    add_alert(store, luis, email="tesoreria@coop.org", currency="COP", unit="g", above=100_000.0)
    outbox = Outbox()
    run_alerts(store, send=outbox)
    token = re.search(r"\?confirm=([\w-]+)", outbox.messages[0][2]).group(1)
    assert confirm_address(store, token) == "tesoreria@coop.org"
    assert len(run_alerts(store, send=outbox).sent) == 1  # Luis's alert, now consented

    add_alert(store, rosa, email="Tesoreria+x@Coop.org", currency="COP", unit="g", above=100_000.0)
    rosa_rule = next(rule for rule in list_rules(store, rosa))
    run = run_alerts(store, send=outbox)
    assert [alert.id for alert in run.sent] == []  # Luis's has fired; Rosa's waits for its own consent
    assert "confirmation request was sent" in next(s.reason for s in run.skipped if s.id == rosa_rule.id)
    to, subject, body = outbox.messages[-1]
    assert to == "Tesoreria+x@Coop.org" and "«rosa»" in body and "?confirm=" in body


@pytest.mark.both_stores
def test_a_confirmation_link_is_single_use_and_expires(store):
    asked = datetime(2024, 5, 9, 8, 0, tzinfo=UTC)
    old = request_confirmation(store, "luis", "ana@coop.org", now=asked)
    assert old is not None and timedelta(hours=24) == CONFIRMATION_LIFE
    assert confirm_address(store, old, now=asked + timedelta(hours=25)) is None  # expired
    fresh = request_confirmation(store, "rosa", "ana@coop.org", now=asked)
    assert confirm_address(store, fresh, now=asked + timedelta(hours=23)) == "ana@coop.org"
    assert confirm_address(store, fresh, now=asked + timedelta(hours=23)) is None  # used
