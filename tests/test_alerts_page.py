"""The Alerts page in AppTest: adds and removes rules, and a member sees only their own.

The page is run from its file: it resolves the session's scope itself (ui/auth.current_scope) when no
router ran before it, exactly as it does under the router.
"""

from __future__ import annotations

import pandas as pd
from streamlit.testing.v1 import AppTest

from data.alerts import add_rule, list_rules
from data.ledger import OPERATOR, LedgerScope
from data.users import User, add_user
from tests.conftest import PROJECT_ROOT
from tests.test_alerts import write_prices

TIMEOUT_S = 60


def page() -> AppTest:
    return AppTest.from_file(str(PROJECT_ROOT / "app_pages" / "alerts.py"), default_timeout=TIMEOUT_S)


def button(at: AppTest, label: str):
    return next(b for b in at.button if b.label == label)


def test_single_machine_adds_and_removes_an_alert(store):
    write_prices(store, last_day=f"{pd.Timestamp.now():%Y-%m-%d}")  # a price of today: no stale data
    at = page().run()
    assert not at.exception, at.exception
    assert at.title[0].value == "Alertas de precio por correo"
    assert any(i.value == "Aún no hay alertas." for i in at.info)
    assert any(c.value.startswith("Precio de 1 gramo ahora: $ ") for c in at.caption)

    at.text_input(key="alert_email").input("no es un correo")
    button(at, "Guardar alerta").click().run()
    assert any("no es una dirección de correo" in e.value for e in at.error)
    assert list_rules(store, OPERATOR) == []

    at.text_input(key="alert_email").input("ana@coop.org")
    at.text_input(key="alert_level").input("300.000")  # as es-CO writes it
    at.radio(key="alert_direction").set_value("below")
    button(at, "Guardar alerta").click().run()
    assert not at.exception, at.exception
    (rule,) = list_rules(store, OPERATOR)
    assert (rule.email, rule.currency, rule.unit, rule.above, rule.below, rule.language, rule.owner) == (
        "ana@coop.org", "COP", "g", None, 300_000.0, "es", "dashboard",
    )  # fmt: skip
    assert any(s.value == f"Alerta n.º {rule.id} guardada." for s in at.success)
    table = at.dataframe[0].value
    assert table["Regla"].tolist() == ["1 gramo por debajo de $ 300.000"]
    assert table["Estado"].tolist() == ["esperando el cruce"]
    assert table["Creada por"].tolist() == ["este equipo"]  # no users: the person at the screen, as staff

    button(at, "Borrar la alerta").click().run()
    assert not at.exception, at.exception
    assert list_rules(store, OPERATOR) == []
    assert any(i.value == "Aún no hay alertas." for i in at.info)


def test_a_member_sees_only_their_own_alerts_and_staff_see_all(store):
    add_user(store, "ana", "una clave larga", "staff", [])
    add_user(store, "luis@coop.org", "otra clave larga", "member", ["Coop"])
    own = add_rule(store, LedgerScope("luis@coop.org", frozenset({"Coop"})), email="luis@coop.org",
                   currency="COP", unit="g", above=300_000.0)  # fmt: skip
    add_rule(store, LedgerScope("ana"), email="ana@ngo.org", currency="PEN", unit="g", below=200.0)

    nobody = page().run()  # users exist, nobody signed in: no rule of anyone is shown
    assert not nobody.exception and not nobody.dataframe

    member = page()
    member.session_state["signed_in_user"] = User("luis@coop.org", "member", ("Coop",))
    member.run()
    assert not member.exception, member.exception
    table = member.dataframe[0].value
    assert table["N.º"].tolist() == [own.id] and "Creada por" not in table.columns
    assert member.text_input(key="alert_email").value == "luis@coop.org"  # their e-mail is their user name

    staff = page()
    staff.session_state["signed_in_user"] = User("ana", "staff", ())
    staff.run()
    assert not staff.exception, staff.exception
    assert staff.dataframe[0].value["Creada por"].tolist() == ["luis@coop.org", "ana"]
