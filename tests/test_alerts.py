"""Price alerts against a real SMTP server on loopback (aiosmtpd), not a mock.

The prices are written into the store by the test, so every expected figure is worked out here by
hand: gold USD/oz × COP per USD ÷ 31.1034768 × grams, written as es-CO writes pesos ($ 301.896).
"""

from __future__ import annotations

import email
import email.policy
import json
import socket
from email.message import EmailMessage

import pandas as pd
import pytest
from aiosmtpd.controller import Controller

from data.accounts.alerts import AlertError, add_rule, list_rules, remove_rule
from data.ledger import OPERATOR, LedgerScope
from data.store.backup import backup, dump_tables, restore
from services.alerts import run_alerts
from tests.test_cli import cli

OZ = 31.1034768
FX = 3912.5
GOLD_DEFAULT = 2300.0
#: Gold moves on these days; every other business day from 1 Apr 2024 is 2,300 USD/oz.
GOLD_MOVES = {"2024-05-09": 2400.0, "2024-05-10": 2250.0, "2024-05-13": 2400.0, "2024-05-14": 2410.0}
LEVEL = 300_000.0  # pesos per gram: 2,400 × 3,912.5 ÷ 31.1 = 301,896 is above it, 2,300 gives 289,317


def pesos(value: float) -> str:
    """es-CO pesos by hand: whole pesos, a dot between thousands."""
    return "$ " + f"{round(value):,}".replace(",", ".")


def write_prices(store, last_day: str = "2024-05-14") -> None:
    days = pd.bdate_range("2024-04-01", last_day)
    gold = [GOLD_MOVES.get(f"{d:%Y-%m-%d}", GOLD_DEFAULT) for d in days]
    store.write_series("GOLD_USD", pd.DataFrame({"date": days, "value": gold}), "import:gold_lbma.csv")
    store.write_series("USD_COP", pd.DataFrame({"date": days, "value": FX}), "import:trm.csv")


class Inbox:
    """aiosmtpd handler: keeps every message it is given."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server, session, envelope) -> str:
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        self.messages.append(message)
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class SmtpServer:
    def __init__(self, port: int) -> None:
        self.port = port
        self.inbox = Inbox()
        self.controller: Controller | None = None

    def start(self) -> None:
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def smtp(monkeypatch):
    """A real SMTP server on a free loopback port, named in SMTP_*; not started until the test says."""
    server = SmtpServer(free_port())
    monkeypatch.setenv("SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("SMTP_PORT", str(server.port))
    monkeypatch.setenv("SMTP_FROM", "alertas@oro.example.org")
    monkeypatch.setenv("GOLD_DASHBOARD_URL", "https://oro.example.org")
    for name in ("SMTP_USER", "SMTP_PASSWORD", "SMTP_STARTTLS"):
        monkeypatch.delenv(name, raising=False)
    yield server
    server.stop()


@pytest.mark.both_stores
def test_one_message_per_crossing_none_when_it_does_not_hold(store, smtp, store_kind):
    write_prices(store)
    smtp.start()
    holds = add_rule(store, OPERATOR, email="ana@coop.org", currency="COP", unit="g", above=LEVEL)
    never = add_rule(store, OPERATOR, email="luis@coop.org", currency="COP", unit="g", below=100_000.0)

    run = run_alerts(store, as_of="2024-05-09")
    assert [s.id for s in run.sent] == [holds.id]
    assert {s.id: s.reason for s in run.skipped} == {never.id: "condition not met"}
    assert len(smtp.inbox.messages) == 1
    message = smtp.inbox.messages[0]
    assert message["To"] == "ana@coop.org" and message["From"] == "alertas@oro.example.org"

    gram = 2400.0 * FX / OZ * 1.0  # 301,895.5…
    assert pesos(gram) == "$ 301.896"
    assert message["Subject"] == "Oro: 1 gramo a $ 301.896, por encima de $ 300.000"
    body = message.get_content()
    assert (
        # the run's day is the price's own day: "de hoy" (issue 30: never beside an older price)
        "El precio de referencia de 1 gramo de oro fino es $ 301.896 (de hoy, 9 may 2024), por encima del nivel de $ 300.000 que usted eligió."
        in body
    )
    assert f"Compra Banco de la República (95 %): {pesos(0.95 * gram)}." in body  # $ 286.801
    week = (2400.0 / 2300.0 - 1) * 100  # against 2 May: +4.3 %
    assert f"Cambio en 1 semana: +{week:.1f} %.".replace(".", ",", 1) in body
    assert "https://oro.example.org/?lang=es&cur=COP&unit=g" in body
    assert "archivo gold_lbma.csv" in body and "archivo trm.csv" in body

    # the same day again: nothing new
    again = run_alerts(store, as_of="2024-05-09")
    assert again.sent == [] and len(smtp.inbox.messages) == 1
    assert {s.id: s.reason for s in again.skipped}[holds.id] == "already sent for this crossing"
    # the next day it is below the level (re-armed), then above again: one more message
    assert run_alerts(store, as_of="2024-05-10").sent == []
    assert [s.id for s in run_alerts(store, as_of="2024-05-13").sent] == [holds.id]
    assert run_alerts(store, as_of="2024-05-14").sent == []
    assert len(smtp.inbox.messages) == 2


def test_a_failed_send_is_reported_and_retried_on_the_next_run(store, smtp):
    write_prices(store)
    rule = add_rule(
        store,
        OPERATOR,
        email="ana@coop.org",
        currency="COP",
        unit="castellano",
        above=1_000_000.0,
        language="en",
    )
    down = run_alerts(store, as_of="2024-05-09")  # nothing listens on the port yet
    assert down.sent == [] and [f.id for f in down.failed] == [rule.id]
    assert down.skipped[0].reason.startswith("send failed, will retry on the next run: 127.0.0.1:")
    stored = list_rules(store, OPERATOR)[0]
    assert stored.armed and stored.last_error and "127.0.0.1" in stored.last_error

    smtp.start()
    back = run_alerts(store, as_of="2024-05-09")
    assert [(s.id, s.email, s.currency, s.unit) for s in back.sent] == [
        (rule.id, "ana@coop.org", "COP", "castellano")
    ]
    castellano = 2400.0 * FX / OZ * 4.6  # 1,388,719.2…
    assert back.sent[0].price == pytest.approx(castellano)
    (message,) = smtp.inbox.messages
    # English: COP 1,388,721 (en_US); the unit's label and the date in English
    assert f"COP {round(castellano):,}" == "COP 1,388,719"
    assert message["Subject"] == "Gold: 1 castellano (4.6 g) at COP 1,388,719, above COP 1,000,000"
    assert "(today's, May 9, 2024)" in message.get_content()
    assert list_rules(store, OPERATOR)[0].last_error is None
    assert run_alerts(store, as_of="2024-05-09").sent == []


def test_stale_data_is_skipped_with_the_reason_and_a_stale_rule_fires(store, smtp):
    write_prices(store)
    smtp.start()
    price = add_rule(store, OPERATOR, email="ana@coop.org", currency="COP", unit="g", above=LEVEL)
    stale = add_rule(store, OPERATOR, email="ops@coop.org", currency="COP", unit="g", kind="stale")
    run = run_alerts(store, as_of="2024-05-30")  # 16 days after the last price
    reasons = {s.id: s.reason for s in run.skipped}
    assert (
        reasons[price.id]
        == "stale data: the newest complete price is from 2024-05-14, 16 days before 2024-05-30"
    )
    assert [s.id for s in run.sent] == [stale.id]
    (message,) = smtp.inbox.messages
    assert message["Subject"] == "Precio del oro sin actualizar desde el 14 may 2024"
    assert "hace 16 días" in message.get_content()
    # data up to --date only: as of 8 May the price is 2,300 (below the level), nothing is sent
    assert run_alerts(store, as_of="2024-05-08").sent == []


def test_a_member_sees_and_removes_only_their_own_rules(store):
    luis, rosa = LedgerScope("luis", frozenset({"Coop"})), LedgerScope("rosa", frozenset({"Otra"}))
    own = add_rule(store, luis, email="luis@coop.org", currency="COP", unit="g", above=LEVEL)
    other = add_rule(store, rosa, email="rosa@coop.org", currency="PEN", unit="g", below=200.0)
    assert [r.id for r in list_rules(store, luis)] == [own.id]
    assert [r.id for r in list_rules(store, LedgerScope("ana"))] == [own.id, other.id]  # staff: all
    with pytest.raises(AlertError, match=f"^no alert with id {other.id}$"):  # the same as a missing one
        remove_rule(store, luis, other.id)
    with pytest.raises(AlertError, match="^no alert with id 999$"):
        remove_rule(store, luis, 999)
    remove_rule(store, luis, own.id)
    assert [r.id for r in list_rules(store, OPERATOR)] == [other.id]


def test_alert_rules_are_backed_up_and_an_older_backup_still_restores(store, tmp_path):
    add_rule(store, OPERATOR, email="ana@coop.org", currency="COP", unit="g", above=LEVEL)
    before = dump_tables(store)
    assert len(before["alert_rules"]["rows"]) == 1
    path = tmp_path / "b.json"
    backup(store, path)
    add_rule(store, OPERATOR, email="otro@coop.org", currency="COP", unit="g", above=LEVEL)
    restore(store, path)
    assert dump_tables(store) == before
    document = json.loads(path.read_text())
    del document["tables"]["alert_rules"]  # a backup written before alerts existed
    path.write_text(json.dumps(document))
    restore(store, path)
    assert dump_tables(store)["alert_rules"]["rows"] == []


def test_cli_alerts_contract(db_url, store, smtp):
    write_prices(store)
    smtp.start()
    added = cli(
        "alerts", "add", "--email", "ana@coop.org", "--currency", "COP", "--unit", "g", "--above", "300000",
        db_url=db_url,
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    rule = json.loads(added.stdout)
    assert rule["id"] == 1 and rule["above"] == 300000.0 and rule["language"] == "es"
    second = cli(
        "alerts", "add", "--email", "ana@coop.org", "--currency", "COP", "--unit", "tomin", "--below", "2000",
        "--language", "en", db_url=db_url,
    )  # fmt: skip
    assert second.returncode == 0, second.stderr
    listed = json.loads(cli("alerts", "list", db_url=db_url).stdout)
    assert listed == [
        {"id": 1, "email": "ana@coop.org", "currency": "COP", "unit": "g", "above": 300000.0, "below": None,
         "language": "es"},
        {"id": 2, "email": "ana@coop.org", "currency": "COP", "unit": "tomin", "above": None, "below": 2000.0,
         "language": "en"},
    ]  # fmt: skip
    ran = cli("alerts", "run", "--date", "2024-05-09", db_url=db_url)
    assert ran.returncode == 0, ran.stderr
    assert json.loads(ran.stdout) == {
        "date": "2024-05-09",
        "sent": [{"id": 1, "email": "ana@coop.org", "price": pytest.approx(2400 * FX / OZ), "currency": "COP",
                  "unit": "g", "rate_kind": "official"}],  # issue 31 added the kind
        "skipped": [{"id": 2, "reason": "condition not met"}],
        "backtests": [],  # the timer also measures stale forecast backtests (off in the tests)
    }  # fmt: skip
    assert len(smtp.inbox.messages) == 1
    assert json.loads(cli("alerts", "remove", "2", db_url=db_url).stdout) == {"removed": 2}
    assert [r["id"] for r in json.loads(cli("alerts", "list", db_url=db_url).stdout)] == [1]

    for bad in (
        ("alerts", "add", "--email", "ana@coop.org", "--currency", "COP", "--unit", "g"),  # no level
        ("alerts", "add", "--email", "no-es-correo", "--currency", "COP", "--unit", "g", "--above", "1"),
        (
            "alerts",
            "add",
            "--email",
            "a@b.co",
            "--currency",
            "COP",
            "--unit",
            "g",
            "--above",
            "1",
            "--below",
            "2",
        ),
        ("alerts", "remove", "99"),
    ):
        result = cli(*bad, db_url=db_url)
        assert result.returncode == 2 and result.stderr.strip(), bad


def test_cli_alerts_run_reports_a_failed_send_on_stderr(db_url, store, smtp):
    write_prices(store)
    cli(
        "alerts",
        "add",
        "--email",
        "ana@coop.org",
        "--currency",
        "COP",
        "--unit",
        "g",
        "--above",
        "100000",
        db_url=db_url,
    )
    ran = cli("alerts", "run", "--date", "2024-05-09", db_url=db_url)  # the server is not started
    assert ran.returncode == 0
    assert json.loads(ran.stdout)["skipped"][0]["reason"].startswith("send failed")
    assert "alert 1: send failed" in ran.stderr


def test_two_runs_at_once_cannot_both_claim_a_crossing(store, smtp):
    from data.accounts.alerts import claim

    write_prices(store)
    rule = add_rule(store, OPERATOR, email="ana@coop.org", currency="COP", unit="g", above=LEVEL)
    assert claim(store, rule.id) and not claim(store, rule.id)  # the second run finds it disarmed
    smtp.start()
    run = run_alerts(store, as_of="2024-05-09")
    assert run.sent == [] and smtp.inbox.messages == []
