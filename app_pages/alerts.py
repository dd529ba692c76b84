"""Alerts: the signed-in user's price alerts by e-mail (staff see everyone's); add and remove them.

Thin page: the rules are read and changed through data/alerts.py with the session's scope (a member
only ever gets their own rules back); the price shown comes from services/price_today.py.
"""

import pandas as pd
import streamlit as st

from analytics.units import UNITS
from data.alerts import AlertError, add_rule, list_rules, remove_rule, valid_email
from data.ledger import LedgerAccessError
from data.series import CURRENCIES
from i18n import N_, format_day, format_money, t, unit_label
from i18n.keys import COUNTRY
from ui.auth import NOBODY
from ui.inputs import number_field
from ui.settings import current_settings
from ui.state import get_store, run_context, stored_price_today
from ui.text import plain_markdown

#: Owners that are ours, not a person: the CLI's operator and the single machine's dashboard.
OWNERS = {"cli": N_("alerts_owner_cli"), "dashboard": N_("alerts_owner_dashboard")}
DIRECTIONS = {"above": N_("alerts_above"), "below": N_("alerts_below")}


settings = current_settings()
lang = settings.language
store = get_store()
scope = run_context().scope

st.title(t("alerts_title", lang))
if scope == NOBODY:  # the router shows this page only to a signed-in session; never list anyone's rules
    st.info(t("sign_in_intro", lang))
    st.stop()
st.write(t("alerts_intro", lang))

now = stored_price_today(settings.currency, settings.unit)
if now is not None:
    st.caption(
        t(
            "alerts_now",
            lang,
            unit=unit_label(now.unit, lang),
            price=format_money(now.price, now.currency, lang),
            date=format_day(now.date, lang),
        )
    )
    suggested = float(round(now.price, -3) if now.price >= 10_000 else round(now.price, 2))
else:
    suggested = 0.0

rules = list_rules(store, scope)


def describe(rule) -> str:
    unit = unit_label(rule.unit, lang)
    if rule.kind == "stale":
        return t("alerts_rule_stale", lang)
    if rule.above is not None:
        return t("alerts_rule_above", lang, unit=unit, level=format_money(rule.above, rule.currency, lang))
    return t("alerts_rule_below", lang, unit=unit, level=format_money(rule.below, rule.currency, lang))


def status(rule) -> str:
    if rule.last_error:
        return t("alerts_status_error", lang, error=rule.last_error)
    if not rule.armed:
        return t("alerts_status_fired", lang, day=format_day(rule.last_sent_at or rule.last_checked, lang))
    return t("alerts_status_armed", lang)


def owner(name: str) -> str:
    """The operator's and the single machine's names are ours, not a person's: say what they are."""
    return t(OWNERS[name], lang) if name in OWNERS else name


if not rules:
    st.info(t("alerts_none", lang))
else:
    if scope.is_staff:
        st.caption(t("alerts_all_staff", lang))
    table = pd.DataFrame(
        [
            {
                t("alerts_col_id", lang): rule.id,
                **({t("alerts_col_owner", lang): owner(rule.owner)} if scope.is_staff else {}),
                t("alerts_email", lang): rule.email,
                t("alerts_col_rule", lang): describe(rule),
                t("currency", lang): t(COUNTRY[rule.currency], lang),
                t("alerts_language", lang): {"es": "Español", "en": "English"}[rule.language],
                t("alerts_col_status", lang): status(rule),
            }
            for rule in rules
        ]
    )
    st.dataframe(table, hide_index=True)
    with st.form("alert_remove"):
        chosen = st.selectbox(
            t("alerts_remove", lang),
            [rule.id for rule in rules],
            format_func=lambda rule_id: next(
                f"{r.id} · {r.email} · {describe(r)}" for r in rules if r.id == rule_id
            ),
            key="alert_remove_id",
        )
        if st.form_submit_button(t("alerts_remove", lang)):
            try:
                remove_rule(store, scope, int(chosen))
            except (AlertError, LedgerAccessError) as error:
                st.error(t("alerts_failed", lang, reason=error))
            else:
                st.session_state["alert_flash"] = t("alerts_removed", lang, id=chosen)
                st.rerun()

if "alert_flash" in st.session_state:
    st.success(st.session_state.pop("alert_flash"))

st.subheader(t("alerts_add", lang))
with st.form("alert_add"):
    default_email = scope.user if "@" in scope.user else ""
    address = st.text_input(t("alerts_email", lang), value=default_email, key="alert_email")
    columns = st.columns(2)
    currency = columns[0].selectbox(
        t("currency", lang),
        list(CURRENCIES),
        index=list(CURRENCIES).index(settings.currency),
        format_func=lambda c: t(COUNTRY[c], lang),
        key="alert_currency",
    )
    unit = columns[1].selectbox(
        t("unit", lang),
        UNITS,
        index=UNITS.index(settings.unit),
        format_func=lambda u: unit_label(u, lang),
        key="alert_unit",
    )
    direction = st.radio(
        t("alerts_direction", lang),
        ["above", "below"],
        format_func=lambda d: t(DIRECTIONS[d], lang),
        horizontal=True,
        key="alert_direction",
    )
    level = number_field(t("alerts_level", lang), suggested, lang, key="alert_level", digits=0, min_value=0.0)
    language = st.selectbox(
        t("alerts_language", lang),
        ["es", "en"],
        index=0 if lang == "es" else 1,
        format_func=lambda code: {"es": "Español", "en": "English"}[code],
        key="alert_language",
    )
    if st.form_submit_button(t("alerts_save", lang), type="primary"):
        if not valid_email(address):
            st.error(t("alerts_bad_email", lang, email=plain_markdown(address)))
            st.stop()
        if not level > 0:
            st.error(t("alerts_bad_level", lang))
            st.stop()
        try:
            rule = add_rule(
                store,
                scope,
                email=address,
                currency=str(currency),
                unit=str(unit),
                above=float(level) if direction == "above" else None,
                below=float(level) if direction == "below" else None,
                language=str(language),
            )
        except AlertError as error:
            st.error(t("alerts_failed", lang, reason=error))
        else:
            st.session_state["alert_flash"] = t("alerts_saved", lang, id=rule.id)
            st.rerun()
