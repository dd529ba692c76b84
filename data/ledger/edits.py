"""Edits and deletes of one stored sale, each with its audit entry; the audit trail (staff only)."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from datetime import UTC, datetime

import pandas as pd
from sqlalchemy import and_, delete, insert, select, update

from analytics.premiums import (
    CERTIFICATIONS,
    CHARGE_COLUMNS,
)
from data.accounts.access import LedgerScope
from data.files.parsing import FIRST_YEAR
from data.ledger.reconcile import (
    _too_long,
)
from data.ledger.rows import STORED_COLUMNS
from data.ledger.schema import (
    MAX_GROSS_WEIGHT_G,
)
from data.market.series import CURRENCIES
from data.store import (
    LEDGER_VERSION,
    MarketStore,
    bump_version,
    ledger_audit_table,
    sales_table,
)


def _audit(conn, user: str, action: str, cooperative: str, sale_id: str, before, after) -> None:
    def as_text(values) -> str | None:
        return None if values is None else json.dumps(values, default=str, ensure_ascii=False, sort_keys=True)

    conn.execute(
        insert(ledger_audit_table).values(
            at=datetime.now(UTC),
            user=user,
            action=action,
            cooperative=cooperative,
            sale_id=sale_id,
            before=as_text(before),
            after=as_text(after),
        )
    )


def _key(cooperative: str, sale_id: str):
    return and_(sales_table.c.cooperative == cooperative, sales_table.c.sale_id == sale_id)


def _check_edit_bounds(after: Mapping[str, object]) -> None:
    """The import's bounds hold for an edit too: finite, sane numbers and a date between 1900 and today."""
    numbers = ("gross_weight_g", "amount_received", "premium_received_usd", *CHARGE_COLUMNS,
               "royalties_paid", "withholding_paid")  # fmt: skip
    for name in numbers:
        value = float(after[name])  # type: ignore[arg-type]
        if not math.isfinite(value) or value < 0:
            raise ValueError(f"{name} must be a finite number ≥ 0")
    if float(after["gross_weight_g"]) > MAX_GROSS_WEIGHT_G:  # type: ignore[arg-type]
        raise ValueError(f"a weight above {MAX_GROSS_WEIGHT_G:,.0f} g is a typo")
    day = pd.Timestamp(after["date"])
    if day.year < FIRST_YEAR or day.normalize() > pd.Timestamp.now().normalize():
        raise ValueError(f"the date must be between {FIRST_YEAR} and today")


def edit_sale(
    store: MarketStore, scope: LedgerScope, cooperative: str, sale_id: str, changes: Mapping[str, object]
) -> dict:
    """Change some fields of one sale (fine gold follows gross weight × fineness); audited."""
    scope.require(cooperative)
    editable = set(STORED_COLUMNS) - {"cooperative", "sale_id", "fine_gold_g"}
    unknown = set(changes) - editable
    if unknown:
        raise ValueError(f"these fields cannot be edited: {', '.join(sorted(unknown))}")
    if (too_long := _too_long(changes)) is not None:
        raise ValueError(too_long)
    with store.engine.begin() as conn:
        before = conn.execute(select(sales_table).where(_key(cooperative, sale_id))).mappings().first()
        if before is None:
            raise ValueError(f"no sale {sale_id!r} for {cooperative!r}")
        after = {**dict(before), **changes}
        if not (0 < float(after["fineness"]) <= 1) or float(after["gross_weight_g"]) <= 0:
            raise ValueError("weight must be positive and fineness in (0, 1]")
        if after["currency"] not in CURRENCIES or after["certification"] not in CERTIFICATIONS:
            raise ValueError("unknown currency or certification")
        if float(after["amount_received"]) <= 0:
            raise ValueError("the amount received must be positive")
        _check_edit_bounds(after)
        after["fine_gold_g"] = float(after["gross_weight_g"]) * float(after["fineness"])
        after["date"] = pd.Timestamp(after["date"]).date()
        values = {name: after[name] for name in STORED_COLUMNS if name not in ("cooperative", "sale_id")}
        conn.execute(update(sales_table).where(_key(cooperative, sale_id)).values(**values))
        _audit(conn, scope.user, "edit", cooperative, sale_id, dict(before), after)
        bump_version(conn, LEDGER_VERSION)
    return after


def delete_sale(store: MarketStore, scope: LedgerScope, cooperative: str, sale_id: str) -> None:
    scope.require(cooperative)
    with store.engine.begin() as conn:
        before = conn.execute(select(sales_table).where(_key(cooperative, sale_id))).mappings().first()
        if before is None:
            raise ValueError(f"no sale {sale_id!r} for {cooperative!r}")
        conn.execute(delete(sales_table).where(_key(cooperative, sale_id)))
        _audit(conn, scope.user, "delete", cooperative, sale_id, dict(before), None)
        bump_version(conn, LEDGER_VERSION)


def audit_trail(
    store: MarketStore, scope: LedgerScope, cooperatives_shown: list[str] | None = None
) -> pd.DataFrame:
    """Who edited or deleted which sale, newest first: staff only (it holds every cooperative's values)."""
    scope.require_staff("read the audit trail")
    query = select(ledger_audit_table).order_by(ledger_audit_table.c.id.desc())
    if cooperatives_shown is not None:
        query = query.where(ledger_audit_table.c.cooperative.in_(cooperatives_shown))
    with store.engine.connect() as conn:
        return pd.DataFrame(conn.execute(query).mappings().all())
