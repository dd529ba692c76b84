"""The Alerts page in AppTest: adds and removes rules, and a member sees only their own.

The page is run from its file: it resolves the session's scope itself (ui/auth.current_scope) when no
router ran before it, exactly as it does under the router.
"""

from __future__ import annotations

import pandas as pd
from streamlit.testing.v1 import AppTest

from data.accounts.alerts import add_rule, list_rules
from data.accounts.users import User, add_user
from data.ledger import OPERATOR, LedgerScope
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
    assert any(c.value.startswith("Precio de 1 gramo: $ ") and "(de hoy, " in c.value for c in at.caption)

    at.text_input(key="alert_email").input("no es un correo")
    button(at, "Guardar alerta").click().run()
    assert any("no es una dirección de correo" in e.value for e in at.error)
    assert list_rules(store, OPERATOR) == []

    at.text_input(key="alert_email").input("ana@coop.org")
    at.text_input(key="alert_level_COP_g").input("300.000")  # as es-CO writes it
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
    (state,) = table["Estado"].tolist()
    # below 300,000 while a gram is 289,317: the next `alerts run` sends it (not "waiting for a crossing")
    assert state == "el precio ya cruzó el nivel ($ 289.317): se envía en la próxima revisión"
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


def test_the_page_says_whether_mail_is_configured_and_the_level_starts_at_the_chosen_price(
    store, monkeypatch
):
    from services.price_today import price_today
    from ui.i18n import format_number

    write_prices(store, last_day=f"{pd.Timestamp.now():%Y-%m-%d}")
    monkeypatch.delenv("SMTP_HOST", raising=False)
    at = page().run()
    assert any(w.value.startswith("El correo no está configurado en este servidor") for w in at.warning)
    gram = price_today(store, "COP", "g").price
    assert at.text_input(key="alert_level_COP_g").value == format_number(round(gram, -3), "es", 0)
    at.selectbox(key="alert_unit").set_value("castellano").run()  # outside the form: the level follows
    castellano = price_today(store, "COP", "castellano").price
    assert at.text_input(key="alert_level_COP_castellano").value == format_number(
        round(castellano, -3), "es", 0
    )
    at.selectbox(key="alert_currency").set_value("PEN").run()  # no soles stored: say so, level empty
    assert any(c.value.startswith("No hay precio guardado para esta moneda") for c in at.caption)

    monkeypatch.setenv("SMTP_HOST", "mail.example.org")
    at = page().run()
    assert not at.warning and any(c.value.startswith("El correo está configurado") for c in at.caption)


def test_each_rule_shows_the_state_alerts_run_would_report(store, monkeypatch):
    from services.alerts import run_alerts
    from services.price_today import price_today

    today = pd.Timestamp.now().normalize()
    write_prices(store, last_day=f"{today:%Y-%m-%d}")
    gram = price_today(store, "COP", "g").price
    crossed = add_rule(store, OPERATOR, email="a@coop.org", currency="COP", unit="g", above=gram / 2)
    waiting = add_rule(store, OPERATOR, email="b@coop.org", currency="COP", unit="g", below=gram / 2)
    no_price = add_rule(store, OPERATOR, email="c@coop.org", currency="PEN", unit="g", above=100.0)
    monkeypatch.delenv("SMTP_HOST", raising=False)

    states = dict(zip(*(lambda t: (t["N.º"], t["Estado"]))(page().run().dataframe[0].value), strict=True))
    assert states[crossed.id].startswith("el precio ya cruzó el nivel")
    assert states[waiting.id].startswith("esperando el cruce (último precio $ ")
    assert states[no_price.id] == "no se revisa: no hay precio guardado en PEN por gramo"

    run = run_alerts(store)  # no mail server: the crossed rule's send fails and stays armed
    reasons = {skip.id: skip.reason for skip in run.skipped}
    assert reasons[crossed.id].startswith("send failed, will retry")
    assert reasons[waiting.id] == "condition not met" and reasons[no_price.id].startswith("no price")
    states = dict(zip(*(lambda t: (t["N.º"], t["Estado"]))(page().run().dataframe[0].value), strict=True))
    assert states[crossed.id] == (
        "el último envío falló (no hay servidor de correo configurado); se intenta otra vez en la próxima revisión"
    )

    stale = pd.Timestamp.now().normalize() + pd.Timedelta(days=30)  # a month on, the same data are old
    run = run_alerts(store, as_of=stale)
    assert all(skip.reason.startswith("stale data") for skip in run.skipped if skip.id != no_price.id)


def test_an_old_data_rule_due_to_send_says_the_data_are_old_not_that_a_level_was_crossed(store):
    """A rule for old data has no level: its state named one ("the price has crossed the level (PEN 203.13)")."""
    write_prices(store, last_day="2024-05-14")  # a Tuesday; the data end long before today
    add_rule(store, OPERATOR, email="a@coop.org", currency="COP", unit="g", kind="stale")
    age_days = (pd.Timestamp.now().normalize() - pd.Timestamp("2024-05-14")).days
    at = page().run()
    assert not at.exception, at.exception
    states = " ".join(m.value for m in at.markdown).replace("\\", "")  # user text is escaped markdown
    days = f"{age_days:,}".replace(",", ".")  # Spanish thousands: 1.003 días
    expected = (
        f"los datos son antiguos (último día 14 may 2024, hace {days} días): se envía en la próxima revisión"
    )
    assert expected in states and "cruzó el nivel" not in states
