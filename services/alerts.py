"""Run the price alerts once (the timer's job): which rules hold, who gets an e-mail, what failed.

A rule fires once per crossing: it sends when its condition holds while it is armed, then waits until
the condition no longer holds before it can send again. A failed send leaves it armed, so the next run
tries again, and the failure is reported and stored. Each rule is judged and sent on its own: one
that fails in any way (an unreadable level from an older version, a formatting error) is reported and
the others still go out. An address that is not the rule owner's own first gets one message with a
confirmation link and nothing else until it is confirmed; no address gets more than a few messages a
day (data/accounts/alerts.py). Prices come from services.price_today; no streamlit import.
"""

from __future__ import annotations

import contextlib
import math
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

import pandas as pd

from analytics.units import UNITS
from data.accounts.access import LedgerScope
from data.accounts.alerts import (
    AlertRule,
    add_rule,
    address_confirmed,
    all_rules,
    claim,
    level_problem,
    max_mails_per_day,
    needs_confirmation,
    record_check,
    release_mail_slot,
    request_confirmation,
    take_mail_slot,
    withdraw_confirmation,
)
from data.accounts.mail import MailError, SmtpSettings, send_email
from data.market.series import CURRENCIES
from data.settings import practice_advice
from data.store import MarketStore
from data.store.jobs import job_lease
from i18n import (
    N_,
    format_day,
    format_money,
    format_number,
    format_pct,
    held_back_text,
    reading_for,
    t,
    unit_label,
)
from services.as_of import AsOf
from services.card import price_day_words, sources_sentence
from services.price_today import NoPriceError, PriceToday, price_today

DASHBOARD_URL_ENV = "GOLD_DASHBOARD_URL"
DEFAULT_DASHBOARD_URL = "http://localhost:8501"

#: send(to, subject, body); raises MailError when the message was not handed over.
Sender = Callable[[str, str, str], None]


@dataclass(frozen=True)
class SentAlert:
    id: int
    email: str
    price: float | None
    currency: str
    unit: str
    rate_kind: str | None = None  # the exchange-rate kind the price used (None for dollars)


@dataclass(frozen=True)
class SkippedAlert:
    id: int
    reason: str


@dataclass
class AlertRun:
    """What one run did: `failed` lists the sends that did not go out (also in `skipped`)."""

    date: pd.Timestamp
    sent: list[SentAlert] = field(default_factory=list)
    skipped: list[SkippedAlert] = field(default_factory=list)
    failed: list[SkippedAlert] = field(default_factory=list)

    def as_json(self) -> dict[str, object]:
        return {
            "date": f"{self.date:%Y-%m-%d}",
            "sent": [
                {
                    "id": s.id,
                    "email": s.email,
                    "price": s.price,
                    "currency": s.currency,
                    "unit": s.unit,
                    "rate_kind": s.rate_kind,
                }
                for s in self.sent
            ],
            "skipped": [{"id": s.id, "reason": s.reason} for s in self.skipped],
        }


def add_alert(store: MarketStore, scope: LedgerScope, **rule: object) -> AlertRule:
    """Add a rule (data.accounts.alerts.add_rule), its level checked against the day's price in its currency
    and unit: the latest stored price, or none (then a price rule is refused with the reason)."""
    reference = None
    if (
        rule.get("kind", "price") == "price"
        and rule.get("currency") in CURRENCIES
        and rule.get("unit") in UNITS
    ):
        try:
            reference = price_today(store, str(rule["currency"]), str(rule["unit"])).price
        except NoPriceError:
            reference = math.nan  # refused by add_rule as "no price yet", after the other checks
    return add_rule(store, scope, reference_price=reference, **rule)  # type: ignore[arg-type]


def confirmation_link(token: str) -> str:
    """The dashboard's address with the confirmation token (dashboard.py confirms it, no sign-in)."""
    base = os.environ.get(DASHBOARD_URL_ENV, "").strip() or DEFAULT_DASHBOARD_URL
    return f"{base.rstrip('/')}/?{urlencode({'confirm': token})}"


def confirmation_message(rule: AlertRule, token: str) -> tuple[str, str]:
    """(subject, body) of the one message an unconfirmed address gets: who asked, and the link."""
    lang = rule.language
    body = t("alert_confirm_body", lang, owner=rule.owner, email=rule.email, link=confirmation_link(token))
    return t("alert_confirm_subject", lang), body + "\n"


def dashboard_link(rule: AlertRule) -> str:
    """The dashboard view of the rule's language, currency and unit (GOLD_DASHBOARD_URL)."""
    base = os.environ.get(DASHBOARD_URL_ENV, "").strip() or DEFAULT_DASHBOARD_URL
    query = urlencode({"lang": rule.language, "cur": rule.currency, "unit": rule.unit})
    return f"{base.rstrip('/')}/?{query}"


def price_condition_holds(rule: AlertRule, quote: PriceToday) -> bool:
    """A price rule's level is crossed (a staleness rule is judged on the day's age instead)."""
    if rule.above is not None:
        return quote.price >= rule.above
    return rule.below is not None and quote.price <= rule.below


def price_message(rule: AlertRule, quote: PriceToday) -> tuple[str, str]:
    """(subject, body) of a price alert, in the rule's language with its currency's number format."""
    with reading_for(rule.currency):
        return _price_message(rule, quote)


def _price_message(rule: AlertRule, quote: PriceToday) -> tuple[str, str]:
    lang, currency = rule.language, rule.currency
    unit = unit_label(rule.unit, lang)
    price = format_money(quote.price, currency, lang)
    above = rule.above is not None
    level = format_money(rule.above if above else rule.below, currency, lang)
    subject = t(
        N_("alert_subject_above") if above else N_("alert_subject_below"),
        lang,
        unit=unit,
        price=price,
        level=level,
    )
    lines = [
        t(
            "alert_body_price",
            lang,
            unit=unit,
            price=price,
            date=price_day_words(quote, lang),
            direction=t(N_("alert_direction_above") if above else N_("alert_direction_below"), lang),
            level=level,
        )
    ]
    if quote.buyer_price is not None and quote.buyer_share is not None:
        share = format_pct(quote.buyer_share * 100, lang, digits=0, signed=False)
        lines.append(
            t(
                "alert_body_buyer",
                lang,
                buyer=quote.buyer_name,
                share=share,
                price=format_money(quote.buyer_price, currency, lang),
            )
        )
    lines.append(t("alert_body_week", lang, pct=format_pct(quote.week_change_pct, lang)))
    advice = practice_advice(lang)
    if advice is not None:
        lines.append(advice)
    return subject, _body(rule, [*lines, "", sources_sentence(quote, lang)])


def stale_message(rule: AlertRule, as_of: AsOf) -> tuple[str, str]:
    """(subject, body) of a staleness alert: how old the newest complete price is and what holds it back."""
    with reading_for(rule.currency):
        return _stale_message(rule, as_of)


def _stale_message(rule: AlertRule, as_of: AsOf) -> tuple[str, str]:
    lang = rule.language
    held = held_back_text([(h.series, h.last) for h in as_of.limiting_series], lang)
    if as_of.day is None:
        subject = t("alert_subject_no_price", lang, currency=as_of.currency)
        body = t("alert_body_no_price", lang, currency=as_of.currency, held=held)
        return subject, _body(rule, [body], N_("alert_body_footer_stale"))
    day = format_day(as_of.day, lang)
    days = format_number(as_of.age_days, lang, digits=0)
    body = t("alert_body_stale", lang, date=day, days=days, currency=as_of.currency, held=held)
    return t("alert_subject_stale", lang, date=day), _body(rule, [body], N_("alert_body_footer_stale"))


def _body(rule: AlertRule, lines: list[str], footer_key: str = N_("alert_body_footer")) -> str:
    """The lines, the dashboard's link and the footer (why this e-mail came: a price level or old data)."""
    link = t("alert_body_link", rule.language, link=dashboard_link(rule))
    footer = t(footer_key, rule.language, id=rule.id)
    return "\n".join([*lines, "", link, "", footer]) + "\n"


def smtp_sender() -> Sender:
    """Send through the SMTP_* settings, read at each send (a missing SMTP_HOST is a failed send)."""

    def send(to: str, subject: str, body: str) -> None:
        send_email(SmtpSettings.from_env(), to, subject, body)

    return send


#: What a run does with one rule (`decide`): the Alerts page shows the same state as `alerts run` reports.
NO_PRICE, STALE, NOT_MET, ALREADY_SENT, SEND = "no_price", "stale", "not_met", "already_sent", "send"


@dataclass(frozen=True)
class Decision:
    """What the next run would do with a rule: `code` one of the constants above, `reason` the English
    sentence `alerts run` reports for a skip, `quote` the price it is judged on (None without one),
    `rule_day` the as-of answer a staleness rule is judged on."""

    code: str
    reason: str
    quote: PriceToday | None = None
    rule_day: AsOf | None = None


def quote_for(store: MarketStore, currency: str, unit: str, day: pd.Timestamp) -> PriceToday | NoPriceError:
    try:
        return price_today(store, currency, unit, as_of=day)
    except NoPriceError as error:
        return error


def decide(rule: AlertRule, answer: PriceToday | NoPriceError, day: pd.Timestamp) -> Decision:
    """The rule against the price as of `day` (or the reason there is none), without sending anything."""
    quote = answer if isinstance(answer, PriceToday) else None
    rule_day = quote.rule if quote is not None else answer.as_of if isinstance(answer, NoPriceError) else None
    if rule.kind == "stale":
        if rule_day is None:  # an unknown unit or currency: nothing to judge
            return Decision(NO_PRICE, f"no price: {answer}")
        holds = rule_day.stale  # judged on the newest complete day, whatever series are missing
    elif quote is None:
        return Decision(NO_PRICE, f"no price: {answer}", rule_day=rule_day)
    elif quote.stale:
        reason = (
            f"stale data: the newest complete price is from {quote.date:%Y-%m-%d}, "
            f"{quote.age_days} days before {day:%Y-%m-%d}"
        )
        return Decision(STALE, reason, quote, rule_day)
    else:
        holds = price_condition_holds(rule, quote)
    if not holds:
        return Decision(NOT_MET, "condition not met", quote, rule_day)
    if not rule.armed:
        return Decision(ALREADY_SENT, "already sent for this crossing", quote, rule_day)
    return Decision(SEND, "", quote, rule_day)


def mail_configured() -> bool:
    """Whether the SMTP_* settings name a mail server that sends can be tried on (not that it answers)."""
    try:
        SmtpSettings.from_env()
    except MailError:
        return False
    return True


def run_alerts(store: MarketStore, *, as_of: object = None, send: Sender | None = None) -> AlertRun:
    """Check every rule against the price as of `as_of` (default today, data up to it only) and send.

    A price rule on data more than 7 days old is skipped with the reason (its state is unchanged). A
    rule that fails in any way is reported in `skipped` and `failed`; the other rules are still sent.
    """
    send = send or smtp_sender()
    day = pd.Timestamp(as_of if as_of is not None else pd.Timestamp.now()).normalize()
    run = AlertRun(day)
    answers: dict[tuple[str, str], PriceToday | NoPriceError] = {}
    for rule in all_rules(store):
        try:
            _run_rule(store, rule, day, answers, run, send)
        except Exception as error:  # one bad rule never stops the run: reported, the others go on
            failure = SkippedAlert(
                rule.id, f"this rule could not be checked: {type(error).__name__}: {error}"
            )
            run.skipped.append(failure)
            run.failed.append(failure)
            with contextlib.suppress(Exception):  # the store itself failed: the report above says so
                record_check(
                    store, rule.id, checked=day.date(), price=None, armed=rule.armed, error=failure.reason
                )
    return run


def _send_limited(
    store: MarketStore, send: Sender, to: str, day: pd.Timestamp, subject: str, body: str
) -> str | None:
    """Send unless the address had its messages for the day; None when sent, else why not."""
    if not take_mail_slot(store, to, day.date()):
        return f"this address already had {max_mails_per_day()} messages today ({MAX_MAILS_SETTING})"
    try:
        send(to, subject, body)
    except BaseException:
        release_mail_slot(store, to, day.date())
        raise
    return None


MAX_MAILS_SETTING = "GOLD_DASHBOARD_MAX_ALERT_MAILS_PER_DAY"


def _run_rule(
    store: MarketStore,
    rule: AlertRule,
    day: pd.Timestamp,
    answers: dict[tuple[str, str], PriceToday | NoPriceError],
    run: AlertRun,
    send: Sender,
) -> None:
    if needs_confirmation(rule) and not address_confirmed(store, rule.owner, rule.email):
        token = request_confirmation(store, rule.owner, rule.email)
        reason = "waiting for the address to confirm by the link it was sent"
        if token is not None:
            subject, body = confirmation_message(rule, token)
            try:
                refused = _send_limited(store, send, rule.email, day, subject, body)
            except MailError as error:
                withdraw_confirmation(store, rule.owner, rule.email)
                failure = SkippedAlert(
                    rule.id, f"the confirmation request could not be sent, will retry: {error}"
                )
                run.skipped.append(failure)
                run.failed.append(failure)
                return
            if refused:
                withdraw_confirmation(store, rule.owner, rule.email)
                reason = f"waiting for the address to confirm; {refused}"
            else:
                reason = "waiting for the address to confirm: the confirmation request was sent"
        run.skipped.append(SkippedAlert(rule.id, reason))
        return
    key = (rule.currency, rule.unit)
    if key not in answers:
        try:
            answers[key] = price_today(store, rule.currency, rule.unit, as_of=day)
        except NoPriceError as error:
            answers[key] = error
    answer = answers[key]
    quote = answer if isinstance(answer, PriceToday) else None
    rule_day = quote.rule if quote is not None else answer.as_of if isinstance(answer, NoPriceError) else None
    if rule.kind == "stale":
        if rule_day is None:  # an unknown unit or currency: nothing to judge
            run.skipped.append(SkippedAlert(rule.id, f"no price: {answer}"))
            return
        holds = rule_day.stale  # judged on the newest complete day, whatever series are missing
    elif quote is None:
        run.skipped.append(SkippedAlert(rule.id, f"no price: {answer}"))
        return
    elif quote.stale:
        run.skipped.append(
            SkippedAlert(
                rule.id,
                f"stale data: the newest complete price is from {quote.date:%Y-%m-%d}, "
                f"{quote.age_days} days before {day:%Y-%m-%d}",
            )
        )
        return
    else:
        wrong = level_problem(rule.above if rule.above is not None else rule.below, quote.price)
        if wrong is not None:  # a rule stored by an older version, or restored: never sent, said why
            failure = SkippedAlert(rule.id, f"not sent: {wrong}")
            record_check(
                store, rule.id, checked=day.date(), price=quote.price, armed=rule.armed, error=str(wrong)
            )
            run.skipped.append(failure)
            run.failed.append(failure)
            return
        holds = price_condition_holds(rule, quote)
    price = None if quote is None else quote.price
    if not holds:
        record_check(store, rule.id, checked=day.date(), price=price, armed=True)
        run.skipped.append(SkippedAlert(rule.id, "condition not met"))
        return
    if not rule.armed or not claim(store, rule.id):
        record_check(store, rule.id, checked=day.date(), price=price, armed=False)
        run.skipped.append(SkippedAlert(rule.id, "already sent for this crossing"))
        return
    try:
        if rule.kind == "stale":
            assert rule_day is not None
            subject, body = stale_message(rule, rule_day)
        else:
            assert quote is not None
            subject, body = price_message(rule, quote)
        refused = _send_limited(store, send, rule.email, day, subject, body)
    except MailError as error:
        record_check(store, rule.id, checked=day.date(), price=price, armed=True, error=str(error))
        failure = SkippedAlert(rule.id, f"send failed, will retry on the next run: {error}")
        run.skipped.append(failure)
        run.failed.append(failure)
        return
    except BaseException:
        record_check(store, rule.id, checked=day.date(), price=price, armed=True)  # claimed: re-arm it
        raise
    if refused:
        record_check(store, rule.id, checked=day.date(), price=price, armed=True)
        run.skipped.append(SkippedAlert(rule.id, f"not sent, will retry on the next run: {refused}"))
        return
    record_check(store, rule.id, checked=day.date(), price=price, armed=False, sent_at=datetime.now(UTC))
    kind = None if quote is None or rule.currency == "USD" else quote.rate_kind.used
    run.sent.append(SentAlert(rule.id, rule.email, price, rule.currency, rule.unit, kind))


def run_alerts_once(store: MarketStore, **options: Any) -> AlertRun | None:
    """`run_alerts` under the fleet's lease: None when another host is running the alerts right now (each
    crossing is claimed once anyway; the lease spares the second host the whole run)."""
    with job_lease(store, "alerts_run") as mine:
        return run_alerts(store, **options) if mine else None
