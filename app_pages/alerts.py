"""Alerts: the signed-in user's price alerts by e-mail (staff see everyone's); add and remove them.

Thin page: the rules are read and changed through data/accounts/alerts.py with the session's scope (a member
only ever gets their own rules back); the price shown comes from services/price_today.py.
"""

import pandas as pd
import streamlit as st

from analytics.units import UNITS
from data.accounts.alerts import (
    AlertError,
    AlertRule,
    list_rules,
    needs_confirmation,
    remove_rule,
    valid_email,
)
from data.market.series import CURRENCIES
from i18n import LANGUAGE_NAMES, LANGUAGES, N_, format_day, format_money, format_number, t, unit_label
from i18n.keys import COUNTRY
from presentation.text import plain_markdown
from services.alerts import (
    ALREADY_SENT,
    NO_PRICE,
    NOT_MET,
    SEND,
    STALE,
    add_alert,
    decide,
    mail_configured,
    quote_for,
)
from services.card import price_day_words
from services.price_today import NoPriceError, PriceToday
from ui.auth import NOBODY
from ui.inputs import number_field
from ui.page import page_setup
from ui.state import get_store, run_context, stored_price_today
from ui.style import fitted_table

#: Owners that are ours, not a person: the CLI's operator and the single machine's dashboard.
OWNERS = {"cli": N_("alerts_owner_cli"), "dashboard": N_("alerts_owner_dashboard")}
DIRECTIONS = {"above": N_("alerts_above"), "below": N_("alerts_below")}
#: Why a rule was refused (data.accounts.alerts.AlertError.code), in the reader's words.
ALERT_ERRORS = {
    "bad_email": N_("alert_error_bad_email"),
    "bad_level": N_("alert_error_bad_level"),
    "no_price": N_("alert_error_no_price"),
    "level_out_of_band": N_("alert_error_level_out_of_band"),
    "too_many_rules": N_("alert_error_too_many_rules"),
    "no_such_rule": N_("alert_error_no_such_rule"),
}


setup = page_setup(N_("alerts_title"))
lang = setup.lang
store = get_store()
scope = run_context().scope

if scope == NOBODY:  # the router shows this page only to a signed-in session; never list anyone's rules
    st.info(t("sign_in_intro", lang))
    st.stop()
st.write(t("alerts_intro", lang))
if mail_configured():
    st.caption(t("alerts_mail_ready", lang))
else:  # say it before anyone saves a rule that will never arrive
    st.warning(t("alerts_mail_missing", lang), icon=":material/mail_off:")

rules = list_rules(store, scope)
today = pd.Timestamp(run_context().today)


def describe(rule) -> str:
    unit = unit_label(rule.unit, lang)
    if rule.kind == "stale":
        return t("alerts_rule_stale", lang)
    try:  # a level an older version accepted (1e308) cannot be written: the rule can still be removed
        if rule.above is not None:
            return t(
                "alerts_rule_above", lang, unit=unit, level=format_money(rule.above, rule.currency, lang)
            )
        return t("alerts_rule_below", lang, unit=unit, level=format_money(rule.below, rule.currency, lang))
    except (ArithmeticError, ValueError, TypeError):
        return t("alerts_rule_unreadable", lang)


def alert_error(error: AlertError, currency: str) -> str:
    """The reason in the reader's language (the English sentence stays for the command line)."""
    key = ALERT_ERRORS.get(error.code)
    if key is None:  # a code the form cannot cause (currency, unit, language are chosen from lists)
        return t("alert_error_other", lang)
    values = {
        name: format_money(float(value), currency, lang)  # type: ignore[arg-type]
        if name in ("low", "high", "price")
        else value
        for name, value in error.params.items()
    }
    return t(key, lang, **values)


def mail_error(error: str) -> str:
    """A failed send's reason: the stored English of the mail library, worded for the reader."""
    if lang == "en":
        return error
    return t(N_("alerts_error_no_server") if "SMTP_HOST" in error else N_("alerts_error_refused"), lang)


answers: dict[tuple[str, str], PriceToday | NoPriceError] = {}


def status(rule) -> str:
    """The state `alerts run` would report for the rule today (services.alerts.decide on the same price)."""
    key = (rule.currency, rule.unit)
    if key not in answers:  # the same stored price `alerts run` reads (services.price_today)
        answers[key] = quote_for(store, rule.currency, rule.unit, today)
    decision = decide(rule, answers[key], today)
    if decision.code == NO_PRICE:
        return t("alerts_state_no_price", lang, currency=rule.currency, unit=unit_label(rule.unit, lang))
    quote, rule_day = decision.quote, decision.rule_day
    price = "–" if quote is None else format_money(quote.price, rule.currency, lang)
    if decision.code == STALE:
        assert quote is not None
        days = format_number(quote.age_days, lang, 0)
        return t("alerts_state_stale", lang, date=format_day(quote.date, lang), days=days)
    if decision.code == NOT_MET:
        if rule.kind == "stale":  # judged on the newest complete day
            return t("alerts_state_fresh", lang, date=format_day(rule_day.day if rule_day else None, lang))
        return t("alerts_state_not_met", lang, price=price)
    if decision.code == ALREADY_SENT:
        return t("alerts_status_fired", lang, day=format_day(rule.last_sent_at or rule.last_checked, lang))
    assert decision.code == SEND
    if rule.last_error:
        return t("alerts_state_retry", lang, error=mail_error(rule.last_error))
    if rule.kind == "stale" and quote is not None:  # an old-data rule has no level: say the data are old
        days = format_number(quote.age_days, lang, 0)
        return t("alerts_state_send_stale", lang, date=format_day(quote.date, lang), days=days)
    return t("alerts_state_send", lang, price=price)


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
                t("alerts_language", lang): LANGUAGE_NAMES.get(rule.language, rule.language),
                t("alerts_col_status", lang): status(rule),
            }
            for rule in rules
        ]
    )
    fitted_table(table, [t("alerts_col_id", lang), t("alerts_col_rule", lang)], lang, key="alerts")
    # each state in full below the table: a table cell cuts a long sentence, a line wraps it
    st.markdown("**" + t("alerts_col_status", lang) + "**")
    st.markdown(
        "\n".join(
            "- " + plain_markdown(t("alerts_state_line", lang, id=rule.id, state=state))
            for rule, state in zip(rules, table[t("alerts_col_status", lang)], strict=True)
        )
    )
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
            except AlertError as error:
                st.error(t("alerts_failed", lang, reason=alert_error(error, setup.currency)))
            else:
                st.session_state["alert_flash"] = t("alerts_removed", lang, id=chosen)
                st.rerun()

if "alert_flash" in st.session_state:
    st.success(st.session_state.pop("alert_flash"))

st.subheader(t("alerts_add", lang))
# currency and unit outside the form: choosing them reruns the page, so the level starts at their price
columns = st.columns(2)
currency = columns[0].selectbox(
    t("currency", lang),
    list(CURRENCIES),
    index=list(CURRENCIES).index(setup.currency),
    format_func=lambda c: t(COUNTRY[c], lang),
    key="alert_currency",
)
unit = columns[1].selectbox(
    t("unit", lang),
    UNITS,
    index=UNITS.index(setup.unit),
    format_func=lambda u: unit_label(u, lang),
    key="alert_unit",
)
now = stored_price_today(str(currency), str(unit))
if now is not None:
    st.caption(
        t(
            "alerts_now",
            lang,
            unit=unit_label(now.unit, lang),
            price=format_money(now.price, now.currency, lang),
            date=price_day_words(now, lang),
        )
    )
    suggested = float(round(now.price, -3) if now.price >= 10_000 else round(now.price, 2))
else:
    st.caption(t("alerts_no_price_to_start", lang))
    suggested = 0.0
with st.form("alert_add"):
    default_email = scope.user if "@" in scope.user else ""
    address = st.text_input(t("alerts_email", lang), value=default_email, key="alert_email")
    direction = st.radio(
        t("alerts_direction", lang),
        ["above", "below"],
        format_func=lambda d: t(DIRECTIONS[d], lang),
        horizontal=True,
        key="alert_direction",
    )
    level = number_field(  # keyed by the pair: another currency or unit starts again at its own price
        t("alerts_level", lang),
        suggested,
        lang,
        key=f"alert_level_{currency}_{unit}",
        digits=0 if suggested >= 1000 else 2,
        min_value=0.0,
    )
    language = st.selectbox(
        t("alerts_language", lang),
        LANGUAGES,
        index=LANGUAGES.index(lang) if lang in LANGUAGES else 0,
        format_func=LANGUAGE_NAMES.__getitem__,
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
            rule: AlertRule = add_alert(
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
            st.error(t("alerts_failed", lang, reason=alert_error(error, str(currency))))
        else:
            flash = t("alerts_saved", lang, id=rule.id)
            if needs_confirmation(rule):
                flash += " " + t("alerts_confirm_pending", lang, email=plain_markdown(rule.email))
            st.session_state["alert_flash"] = flash
            st.rerun()
