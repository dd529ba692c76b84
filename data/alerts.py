"""Price-alert rules and their firing state, stored beside the market data (backed up with it).

I/O only: which rules exist, who owns them, and whether each is armed (the next crossing sends) or has
fired (waits until the price is back on the other side). Owners are the signed-in user's name (or
`cli`); a member reads and removes only their own rules, staff every rule, enforced here.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import (
    delete,
    insert,
    select,
    update,
)

from analytics.units import UNITS
from data.ledger import LedgerAccessError, LedgerScope
from data.series import CURRENCIES
from data.store import MarketStore, alert_rules_table

KINDS = ("price", "stale")  # price: above/below a level; stale: the data went more than 7 days old
LANGUAGES = ("es", "en")
_EMAIL = re.compile(r"^[^@\s<>,;\"]+@[^@\s<>,;\"]+\.[^@\s<>,;\"]+$")


class AlertError(ValueError):
    """A rule cannot be added or removed as asked."""


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


def valid_email(address: str) -> bool:
    """One plausible address (no list, no display name): what a rule may send to."""
    return bool(_EMAIL.match(address.strip()))


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
) -> AlertRule:
    """Store a new rule owned by `scope.user`; it starts armed."""
    email = email.strip()
    if not valid_email(email):
        raise AlertError(f"not an e-mail address: {email!r}")
    if currency not in CURRENCIES:
        raise AlertError(f"unknown currency {currency!r}; known: {', '.join(CURRENCIES)}")
    if unit not in UNITS:
        raise AlertError(f"unknown unit {unit!r}; known: {', '.join(UNITS)}")
    if language not in LANGUAGES:
        raise AlertError(f"unknown language {language!r}; use es or en")
    if kind not in KINDS:
        raise AlertError(f"unknown kind {kind!r}; use one of {', '.join(KINDS)}")
    if kind == "price":
        if (above is None) == (below is None):
            raise AlertError("give exactly one level: --above X or --below X")
        level = above if above is not None else below
        if level is None or not math.isfinite(level) or level <= 0:
            raise AlertError("the level must be a positive number")
    elif above is not None or below is not None:
        raise AlertError("a stale-data rule takes no price level")
    with store.engine.begin() as conn:
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
    """Delete a rule; a member may delete only their own (AlertError otherwise, nothing changed)."""
    query = delete(alert_rules_table).where(alert_rules_table.c.id == rule_id)
    if not scope.is_staff:
        query = query.where(alert_rules_table.c.owner == scope.user)
    with store.engine.begin() as conn:
        removed = conn.execute(query).rowcount
    if not removed:
        if not scope.is_staff and get_rule(store, LedgerScope("check"), rule_id) is not None:
            raise LedgerAccessError(f"{scope.user!r} may not remove alert {rule_id}")
        raise AlertError(f"no alert with id {rule_id}")


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
