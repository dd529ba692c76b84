"""Price-alert rules and their firing state, stored beside the market data (backed up with it).

I/O only: which rules exist, who owns them, and whether each is armed (the next crossing sends) or has
fired (waits until the price is back on the other side). Owners are the signed-in user's name (or
`cli`); a member reads and removes only their own rules, staff every rule, enforced here.

What keeps alerts from being turned against anyone: a level must be finite and within 1 % to 10,000 %
of the day's price; at most GOLD_DASHBOARD_MAX_ALERT_RULES (20) rules per owner; an address must be
RFC-valid (email-validator, no DNS look-up), at most 254 characters, without control characters; an
address that is not the owner's own (their user name, when it is an e-mail) gets nothing until it
confirms by the link of a first message, per owner (`alert_consents`: confirmed for one member's
alerts is not confirmed for another's), by a single-use link that lives CONFIRMATION_LIFE (24 h); no
inbox gets more than GOLD_DASHBOARD_MAX_ALERT_MAILS_PER_DAY (3) messages a day. An address is counted
and consented as its inbox (data/accounts/inbox.py: case, quotes, a trailing dot and a `+tag` make no other).
The rule cap is counted after the new rule is written, under one lock (an advisory lock on PostgreSQL,
the write lock on SQLite), so concurrent adds cannot pass it. Removing a rule that is not yours and one
that is not there give the same answer.
"""

from __future__ import annotations

import hashlib
import math
import os
import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import (
    and_,
    case,
    delete,
    func,
    insert,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from analytics.units import UNITS
from data.accounts.access import LedgerScope
from data.accounts.inbox import inbox_key
from data.market.series import CURRENCIES
from data.store import MarketStore, alert_addresses_table, alert_consents_table, alert_rules_table

KINDS = ("price", "stale")  # price: above/below a level; stale: the data went more than 7 days old
LANGUAGES = ("es", "en", "mn")  # the catalogues of i18n (the data layer does not import it)
MAX_EMAIL_LENGTH = 254  # RFC 5321's limit for a path, less its angle brackets
LEVEL_BAND = (0.01, 100.0)  # a level between 1 % and 10,000 % of the day's price
MAX_RULES_ENV, DEFAULT_MAX_RULES = "GOLD_DASHBOARD_MAX_ALERT_RULES", 20
MAX_MAILS_ENV, DEFAULT_MAX_MAILS = "GOLD_DASHBOARD_MAX_ALERT_MAILS_PER_DAY", 3
#: Owners that are no person: the operator's CLI and the single machine without users (their rules'
#: addresses are the operator's word, as everything else they do with the store).
OPERATOR_OWNERS = ("cli", "dashboard")
CONFIRMATION_RESEND = timedelta(days=7)  # an unconfirmed address is asked again at most once a week
CONFIRMATION_LIFE = timedelta(hours=24)  # a confirmation link confirms only this long after it was sent
#: The PostgreSQL advisory lock under which a rule is added and the owner's rules counted ("ALRT").
ADD_RULE_LOCK_KEY = 0x414C5254


class AlertError(ValueError):
    """A rule cannot be added or removed as asked: `code` and `params` for the pages' words, the
    English sentence as the message (the CLI's stderr)."""

    def __init__(self, code: str, message: str, **params: object) -> None:
        super().__init__(message)
        self.code = code
        self.params = params


def _setting(name: str, default: int) -> int:
    try:
        value = int(os.environ.get(name, default))
    except ValueError:
        return default
    return value if value > 0 else default


def max_rules() -> int:
    """GOLD_DASHBOARD_MAX_ALERT_RULES: the rules one owner may have (default 20)."""
    return _setting(MAX_RULES_ENV, DEFAULT_MAX_RULES)


def max_mails_per_day() -> int:
    """GOLD_DASHBOARD_MAX_ALERT_MAILS_PER_DAY: messages one address may get a day (default 3)."""
    return _setting(MAX_MAILS_ENV, DEFAULT_MAX_MAILS)


def email_problem(address: str) -> str | None:
    """Why this is not an address a rule may send to (one RFC 5322 mailbox, no display name, no list),
    as an English sentence, or None."""
    if any(ord(char) < 32 or ord(char) == 127 for char in address):
        return "the address contains a control character"
    address = address.strip()
    if len(address) > MAX_EMAIL_LENGTH:
        return f"the address is longer than {MAX_EMAIL_LENGTH} characters"
    try:
        validate_email(address, check_deliverability=False, allow_smtputf8=False)
    except EmailNotValidError as error:
        return str(error)
    return None


def valid_email(address: str) -> bool:
    """One plausible address (no list, no display name): what a rule may send to."""
    return email_problem(address) is None


def address_key(address: str) -> str:
    """The inbox an address reaches (data/accounts/inbox.py): the key of its daily cap and its consent."""
    return inbox_key(address)


def level_problem(level: object, reference_price: float | None) -> AlertError | None:
    """Why a level cannot be a rule's: not a finite positive number, or outside 1 %–10,000 % of the
    day's price (`reference_price`, in the rule's currency and unit)."""
    if (
        isinstance(level, bool)
        or not isinstance(level, int | float)
        or not math.isfinite(level)
        or level <= 0
    ):
        return AlertError("bad_level", "the level must be a positive number")
    if reference_price is None:  # checked against the band where a price exists (every run does)
        return None
    if not math.isfinite(reference_price) or reference_price <= 0:
        return AlertError("no_price", "there is no price yet to check the level against; import prices first")
    low, high = reference_price * LEVEL_BAND[0], reference_price * LEVEL_BAND[1]
    if not low <= level <= high:
        return AlertError(
            "level_out_of_band",
            f"the level {level:.6g} is not within 1 % to 10,000 % of the day's price {reference_price:.6g} "
            f"({low:.6g} to {high:.6g})",
            low=low,
            high=high,
            price=reference_price,
        )
    return None


@dataclass(frozen=True)
class AlertRule:
    id: int
    owner: str
    email: str
    kind: str
    currency: str
    unit: str
    above: float | None
    below: float | None
    language: str
    armed: bool
    last_checked: date | None
    last_price: float | None
    last_sent_at: datetime | None
    last_error: str | None

    def as_json(self) -> dict[str, object]:
        """The CLI's `alerts list` row."""
        return {
            "id": self.id,
            "email": self.email,
            "currency": self.currency,
            "unit": self.unit,
            "above": self.above,
            "below": self.below,
            "language": self.language,
        }


def _rule(row) -> AlertRule:
    return AlertRule(
        id=int(row["id"]),
        owner=row["owner"],
        email=row["email"],
        kind=row["kind"],
        currency=row["currency"],
        unit=row["unit"],
        above=row["above"],
        below=row["below"],
        language=row["language"],
        armed=bool(row["armed"]),
        last_checked=row["last_checked"],
        last_price=row["last_price"],
        last_sent_at=row["last_sent_at"],
        last_error=row["last_error"],
    )


def add_rule(
    store: MarketStore,
    scope: LedgerScope,
    *,
    email: str,
    currency: str,
    unit: str,
    above: float | None = None,
    below: float | None = None,
    language: str = "es",
    kind: str = "price",
    reference_price: float | None = None,
) -> AlertRule:
    """Store a new rule owned by `scope.user`; it starts armed. A price rule's level must be finite and
    positive, and within 1 %–10,000 % of `reference_price`, the day's price in its currency and unit
    (services.alerts.add_alert, which the CLI and the page use, reads it and refuses when there is none;
    every run checks the band again before sending)."""
    problem = email_problem(email)
    if problem:
        raise AlertError("bad_email", f"not an e-mail address we can send to: {problem}")
    email = email.strip()
    if currency not in CURRENCIES:
        raise AlertError("unknown_currency", f"unknown currency {currency!r}; known: {', '.join(CURRENCIES)}")
    if unit not in UNITS:
        raise AlertError("unknown_unit", f"unknown unit {unit!r}; known: {', '.join(UNITS)}")
    if language not in LANGUAGES:
        raise AlertError("unknown_language", f"unknown language {language!r}; use es or en")
    if kind not in KINDS:
        raise AlertError("unknown_kind", f"unknown kind {kind!r}; use one of {', '.join(KINDS)}")
    if kind == "price":
        if (above is None) == (below is None):
            raise AlertError("one_level", "give exactly one level: --above X or --below X")
        wrong = level_problem(above if above is not None else below, reference_price)
        if wrong is not None:
            raise wrong
    elif above is not None or below is not None:
        raise AlertError("stale_with_level", "a stale-data rule takes no price level")
    limit = max_rules()
    with store.engine.begin() as conn:
        if conn.dialect.name == "postgresql":  # two adds at once count one after the other
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": ADD_RULE_LOCK_KEY})
        # written first, counted after: on SQLite the INSERT takes the write lock before the count reads
        result = conn.execute(
            insert(alert_rules_table).values(
                owner=scope.user,
                email=email,
                kind=kind,
                currency=currency,
                unit=unit,
                above=above,
                below=below,
                language=language,
                created_at=datetime.now(UTC),
                armed=1,
            )
        )
        count = (
            select(func.count()).select_from(alert_rules_table).where(alert_rules_table.c.owner == scope.user)
        )
        if int(conn.execute(count).scalar() or 0) > limit:  # the exception rolls the INSERT back
            raise AlertError(
                "too_many_rules",
                f"{scope.user!r} has {limit} alert rules already, the most allowed ({MAX_RULES_ENV}); remove one first",
                limit=limit,
            )
        key = result.inserted_primary_key
        assert key is not None
        new_id = int(key[0])
    rule = get_rule(store, scope, new_id)
    assert rule is not None
    return rule


def list_rules(store: MarketStore, scope: LedgerScope) -> list[AlertRule]:
    """The rules `scope` may see: its own, or every rule for staff (and the operator)."""
    query = select(alert_rules_table).order_by(alert_rules_table.c.id)
    if not scope.is_staff:
        query = query.where(alert_rules_table.c.owner == scope.user)
    with store.engine.connect() as conn:
        return [_rule(row) for row in conn.execute(query).mappings()]


def get_rule(store: MarketStore, scope: LedgerScope, rule_id: int) -> AlertRule | None:
    return next((rule for rule in list_rules(store, scope) if rule.id == rule_id), None)


def remove_rule(store: MarketStore, scope: LedgerScope, rule_id: int) -> None:
    """Delete a rule; a member may delete only their own. Another's rule and a missing one get the same
    AlertError (ids cannot be probed); nothing is changed."""
    query = delete(alert_rules_table).where(alert_rules_table.c.id == rule_id)
    if not scope.is_staff:
        query = query.where(alert_rules_table.c.owner == scope.user)
    with store.engine.begin() as conn:
        removed = conn.execute(query).rowcount
    if not removed:
        raise AlertError("no_such_rule", f"no alert with id {rule_id}", id=rule_id)


# ------------------------------------------------------------------ who may receive, and how often


def needs_confirmation(rule: AlertRule) -> bool:
    """True when the rule's address is not its owner's own (the user name, when it is an e-mail)."""
    return rule.owner not in OPERATOR_OWNERS and address_key(rule.owner) != address_key(rule.email)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _ensure_address(conn, address: str) -> None:
    upsert = postgresql_insert if conn.dialect.name == "postgresql" else sqlite_insert
    conn.execute(upsert(alert_addresses_table).values(address=address, sent=0).on_conflict_do_nothing())


def address_confirmed(store: MarketStore, owner: str, email: str) -> bool:
    """True when `email`'s inbox confirmed that it wants `owner`'s alerts (another owner's consent is
    not this one's)."""
    table = alert_consents_table
    with store.engine.connect() as conn:
        moment = conn.execute(
            select(table.c.confirmed_at).where(table.c.owner == owner, table.c.address == address_key(email))
        ).scalar()
    return moment is not None


def request_confirmation(
    store: MarketStore, owner: str, email: str, now: datetime | None = None
) -> str | None:
    """A new confirmation token for `owner`'s alerts to an unconfirmed address, or None when it was asked
    within the last week (or is confirmed). One conditional UPDATE: two runs at once never both ask.
    Only the token's hash is stored."""
    now = now or datetime.now(UTC)
    address, table = address_key(email), alert_consents_table
    token = secrets.token_urlsafe(24)
    upsert = postgresql_insert if store.engine.dialect.name == "postgresql" else sqlite_insert
    with store.engine.begin() as conn:
        conn.execute(upsert(table).values(owner=owner, address=address).on_conflict_do_nothing())
        changed = conn.execute(
            update(table)
            .where(
                table.c.owner == owner,
                table.c.address == address,
                table.c.confirmed_at.is_(None),
                or_(table.c.requested_at.is_(None), table.c.requested_at < now - CONFIRMATION_RESEND),
            )
            .values(token_sha256=_token_hash(token), requested_at=now)
        ).rowcount
    return token if changed == 1 else None


def withdraw_confirmation(store: MarketStore, owner: str, email: str) -> None:
    """The confirmation message was not sent: the next run may ask again."""
    table = alert_consents_table
    with store.engine.begin() as conn:
        conn.execute(
            update(table)
            .where(
                table.c.owner == owner, table.c.address == address_key(email), table.c.confirmed_at.is_(None)
            )
            .values(token_sha256=None, requested_at=None)
        )


def confirm_address(store: MarketStore, token: str, now: datetime | None = None) -> str | None:
    """The address whose confirmation link carries `token`, now confirmed for the owner that asked; None
    for an unknown, used or expired token (a link lives CONFIRMATION_LIFE and confirms once)."""
    if not token or len(token) > 200:
        return None
    now, table = now or datetime.now(UTC), alert_consents_table
    with store.engine.begin() as conn:
        found = conn.execute(
            select(table.c.owner, table.c.address, table.c.requested_at).where(
                table.c.token_sha256 == _token_hash(token)
            )
        ).first()
        if found is None:
            return None
        owner, address, requested = found
        if requested is None or _aware(requested) < now - CONFIRMATION_LIFE:
            return None
        confirmed = conn.execute(  # conditional: of two uses at once, one confirms
            update(table)
            .where(
                table.c.owner == owner, table.c.address == address, table.c.token_sha256 == _token_hash(token)
            )
            .values(confirmed_at=now, token_sha256=None)
        ).rowcount
    return str(address) if confirmed == 1 else None


def _aware(moment: datetime) -> datetime:
    """SQLite gives back naive datetimes (stored as UTC)."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def take_mail_slot(store: MarketStore, email: str, day: date, limit: int | None = None) -> bool:
    """Count one message to this address on `day`; False (nothing counted) when it had `limit` already."""
    limit = max_mails_per_day() if limit is None else limit
    address, table = address_key(email), alert_addresses_table
    with store.engine.begin() as conn:
        _ensure_address(conn, address)
        taken = conn.execute(
            update(table)
            .where(
                table.c.address == address,
                or_(
                    table.c.day.is_(None), table.c.day != day, and_(table.c.day == day, table.c.sent < limit)
                ),
            )
            .values(
                sent=case((table.c.day == day, table.c.sent + 1), else_=1),
                day=day,
            )
        ).rowcount
    return taken == 1


def release_mail_slot(store: MarketStore, email: str, day: date) -> None:
    """A counted message was not sent after all."""
    table = alert_addresses_table
    with store.engine.begin() as conn:
        conn.execute(
            update(table)
            .where(table.c.address == address_key(email), table.c.day == day, table.c.sent > 0)
            .values(sent=table.c.sent - 1)
        )


def claim(store: MarketStore, rule_id: int) -> bool:
    """Disarm an armed rule before its e-mail is sent; False when another run got there first.

    One conditional UPDATE, so two timer runs at once never both send the same crossing.
    """
    with store.engine.begin() as conn:
        claimed = conn.execute(
            update(alert_rules_table)
            .where(alert_rules_table.c.id == rule_id, alert_rules_table.c.armed == 1)
            .values(armed=0)
        ).rowcount
    return claimed == 1


def record_check(
    store: MarketStore,
    rule_id: int,
    *,
    checked: date,
    price: float | None,
    armed: bool,
    sent_at: datetime | None = None,
    error: str | None = None,
) -> None:
    """Store the outcome of one run for one rule (one short transaction per rule)."""
    values: dict[str, object] = {"last_checked": checked, "last_price": price, "armed": int(armed)}
    if sent_at is not None:
        values.update(last_sent_at=sent_at, last_error=None)
    if error is not None:
        values["last_error"] = error
    with store.engine.begin() as conn:
        conn.execute(update(alert_rules_table).where(alert_rules_table.c.id == rule_id).values(**values))


def all_rules(store: MarketStore) -> list[AlertRule]:
    """Every rule, for the timer's run (the operator's view)."""
    return list_rules(store, LedgerScope("timer"))
