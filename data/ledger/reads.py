"""Read-back: the stored sales a scope may read, their totals in SQL and one page at a time."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from sqlalchemy import func, select

from data.accounts.access import LedgerScope
from data.store import (
    MarketStore,
    sales_table,
)


def load_sales(
    store: MarketStore,
    scope: LedgerScope,
    cooperatives: list[str] | None = None,
    start: object = None,
    end: object = None,
    columns: tuple[str, ...] | None = None,
) -> pd.DataFrame:
    """Stored sales the scope may read, optionally for some cooperatives and a date range, by date;
    only `columns` when given (a page that prices 100,000 sales needs no notes)."""
    names = list(columns or sales_table.columns.keys())  # the table's column order by default
    query = select(*(sales_table.c[name] for name in names))
    readable = scope.within(cooperatives)
    if readable is not None:
        query = query.where(sales_table.c.cooperative.in_(readable))
    if start is not None:
        query = query.where(sales_table.c.date >= pd.Timestamp(start).date())
    if end is not None:
        query = query.where(sales_table.c.date <= pd.Timestamp(end).date())
    with store.engine.connect() as conn:
        # the driver's own rows (dates as SQLite's text or PostgreSQL's dates, both read by to_datetime):
        # SQLAlchemy's per-row processing and pandas probing each Row cost seconds at 100,000 sales
        rows = conn.execute(query.order_by(sales_table.c.date, sales_table.c.sale_id)).cursor.fetchall()
    frame = pd.DataFrame.from_records(rows, columns=names) if rows else pd.DataFrame(columns=names)
    frame["date"] = pd.to_datetime(frame["date"])
    if rows:  # whole days, as SQLAlchemy's date objects gave them
        frame["date"] = frame["date"].astype("datetime64[s]")
    return frame


def _scoped(query, scope: LedgerScope, cooperatives: list[str] | None):
    readable = scope.within(cooperatives)
    return query if readable is None else query.where(sales_table.c.cooperative.in_(readable))


def stored_cooperatives(store: MarketStore, scope: LedgerScope) -> list[str]:
    """The cooperatives with stored sales that the scope may read (one query, no sale read)."""
    query = _scoped(select(sales_table.c.cooperative).distinct(), scope, None)
    with store.engine.connect() as conn:
        return sorted(conn.execute(query).scalars())


@dataclass(frozen=True)
class SalesTotals:
    """Count, fine gold and first and last day of the stored sales a scope reads (SQL aggregates)."""

    count: int
    fine_gold_g: float
    first: pd.Timestamp | None
    last: pd.Timestamp | None


def sales_totals(
    store: MarketStore, scope: LedgerScope, cooperatives: list[str] | None = None
) -> SalesTotals:
    """The stored sales' count, fine gold and date range, aggregated in the database."""
    column = sales_table.c
    query = _scoped(
        select(
            func.count(),
            func.coalesce(func.sum(column.fine_gold_g), 0.0),
            func.min(column.date),
            func.max(column.date),
        ),
        scope,
        cooperatives,
    )
    with store.engine.connect() as conn:
        count, fine, first, last = conn.execute(query).one()
    return SalesTotals(
        int(count),
        float(fine),
        None if first is None else pd.Timestamp(first),
        None if last is None else pd.Timestamp(last),
    )


def load_sales_page(
    store: MarketStore,
    scope: LedgerScope,
    cooperatives: list[str] | None = None,
    *,
    offset: int = 0,
    limit: int = 100,
) -> pd.DataFrame:
    """One page of the stored sales (`load_sales`' order and columns), read with LIMIT/OFFSET."""
    query = _scoped(select(sales_table), scope, cooperatives)
    query = query.order_by(sales_table.c.date, sales_table.c.sale_id, sales_table.c.cooperative)
    with store.engine.connect() as conn:
        rows = conn.execute(query.offset(max(0, int(offset))).limit(max(1, int(limit)))).all()
    frame = pd.DataFrame(rows, columns=list(sales_table.columns.keys()))
    frame["date"] = pd.to_datetime(frame["date"])
    return frame
