"""Run the price alerts once (the timer's job): which rules hold, who gets an e-mail, what failed.

A rule fires once per crossing: it sends when its condition holds while it is armed, then waits until
the condition no longer holds before it can send again. A failed send leaves it armed, so the next run
tries again, and the failure is reported and stored. Prices come from services.price_today; no
streamlit import.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import urlencode

import pandas as pd

from data.alerts import AlertRule, all_rules, claim, record_check
from data.mail import MailError, SmtpSettings, send_email
from data.store import MarketStore
from i18n import N_, format_day, format_money, format_number, format_pct, held_back_text, t, unit_label
from services.as_of import AsOf
from services.card import sources_sentence
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
                {"id": s.id, "email": s.email, "price": s.price, "currency": s.currency, "unit": s.unit}
                for s in self.sent
            ],
            "skipped": [{"id": s.id, "reason": s.reason} for s in self.skipped],
        }


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
            date=format_day(quote.date, lang),
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
    return subject, _body(rule, [*lines, "", sources_sentence(quote, lang)])


def stale_message(rule: AlertRule, as_of: AsOf) -> tuple[str, str]:
    """(subject, body) of a staleness alert: how old the newest complete price is and what holds it back."""
    lang = rule.language
    held = held_back_text([(h.series, h.last) for h in as_of.limiting_series], lang)
    if as_of.day is None:
        subject = t("alert_subject_no_price", lang, currency=as_of.currency)
        body = t("alert_body_no_price", lang, currency=as_of.currency, held=held)
        return subject, _body(rule, [body])
    day = format_day(as_of.day, lang)
    days = format_number(as_of.age_days, lang, digits=0)
    body = t("alert_body_stale", lang, date=day, days=days, currency=as_of.currency, held=held)
    return t("alert_subject_stale", lang, date=day), _body(rule, [body])


def _body(rule: AlertRule, lines: list[str]) -> str:
    link = t("alert_body_link", rule.language, link=dashboard_link(rule))
    footer = t("alert_body_footer", rule.language, id=rule.id)
    return "\n".join([*lines, "", link, "", footer]) + "\n"


def smtp_sender() -> Sender:
    """Send through the SMTP_* settings, read at each send (a missing SMTP_HOST is a failed send)."""

    def send(to: str, subject: str, body: str) -> None:
        send_email(SmtpSettings.from_env(), to, subject, body)

    return send


def run_alerts(store: MarketStore, *, as_of: object = None, send: Sender | None = None) -> AlertRun:
    """Check every rule against the price as of `as_of` (default today, data up to it only) and send.

    A price rule on data more than 7 days old is skipped with the reason (its state is unchanged).
    """
    send = send or smtp_sender()
    day = pd.Timestamp(as_of if as_of is not None else pd.Timestamp.now()).normalize()
    run = AlertRun(day)
    answers: dict[tuple[str, str], PriceToday | NoPriceError] = {}
    for rule in all_rules(store):
        key = (rule.currency, rule.unit)
        if key not in answers:
            try:
                answers[key] = price_today(store, rule.currency, rule.unit, as_of=day)
            except NoPriceError as error:
                answers[key] = error
        answer = answers[key]
        quote = answer if isinstance(answer, PriceToday) else None
        rule_day = (
            quote.rule if quote is not None else answer.as_of if isinstance(answer, NoPriceError) else None
        )
        if rule.kind == "stale":
            if rule_day is None:  # an unknown unit or currency: nothing to judge
                run.skipped.append(SkippedAlert(rule.id, f"no price: {answer}"))
                continue
            holds = rule_day.stale  # judged on the newest complete day, whatever series are missing
        elif quote is None:
            run.skipped.append(SkippedAlert(rule.id, f"no price: {answer}"))
            continue
        elif quote.stale:
            run.skipped.append(
                SkippedAlert(
                    rule.id,
                    f"stale data: the newest complete price is from {quote.date:%Y-%m-%d}, "
                    f"{quote.age_days} days before {day:%Y-%m-%d}",
                )
            )
            continue
        else:
            holds = price_condition_holds(rule, quote)
        price = None if quote is None else quote.price
        if not holds:
            record_check(store, rule.id, checked=day.date(), price=price, armed=True)
            run.skipped.append(SkippedAlert(rule.id, "condition not met"))
            continue
        if not rule.armed or not claim(store, rule.id):
            record_check(store, rule.id, checked=day.date(), price=price, armed=False)
            run.skipped.append(SkippedAlert(rule.id, "already sent for this crossing"))
            continue
        if rule.kind == "stale":
            assert rule_day is not None
            subject, body = stale_message(rule, rule_day)
        else:
            assert quote is not None
            subject, body = price_message(rule, quote)
        try:
            send(rule.email, subject, body)
        except MailError as error:
            record_check(store, rule.id, checked=day.date(), price=price, armed=True, error=str(error))
            failure = SkippedAlert(rule.id, f"send failed, will retry on the next run: {error}")
            run.skipped.append(failure)
            run.failed.append(failure)
            continue
        record_check(store, rule.id, checked=day.date(), price=price, armed=False, sent_at=datetime.now(UTC))
        run.sent.append(SentAlert(rule.id, rule.email, price, rule.currency, rule.unit))
    return run
