"""The premium schedule every cooperative's premiums are checked against (staff edit it)."""

from __future__ import annotations

import pandas as pd
from sqlalchemy import delete, insert, select

from analytics.premiums import (
    CERTIFICATIONS,
    DEFAULT_PREMIUM_SCHEDULE,
)
from data.accounts.access import LedgerScope
from data.store import (
    SCHEDULE_VERSION,
    MarketStore,
    bump_version,
    premium_schedule_table,
)


def premium_schedule(store: MarketStore) -> pd.DataFrame:
    """The stored schedule, or DOMAIN.md's defaults when none was saved."""
    with store.engine.connect() as conn:
        frame = pd.DataFrame(conn.execute(select(premium_schedule_table)).mappings().all())
    if frame.empty:
        return DEFAULT_PREMIUM_SCHEDULE.copy()
    frame["valid_from"] = pd.to_datetime(frame["valid_from"])
    return frame.sort_values(["certification", "valid_from"]).reset_index(drop=True)


def save_premium_schedule(store: MarketStore, scope: LedgerScope, schedule: pd.DataFrame) -> None:
    """Replace the schedule every cooperative's premiums are checked against: staff only."""
    scope.require_staff("change the premium schedule")
    clean = schedule.dropna(subset=["certification", "valid_from"])
    bad = clean[~clean["certification"].isin(CERTIFICATIONS)]
    if not bad.empty:
        raise ValueError(f"unknown certification(s): {', '.join(map(str, bad['certification'].unique()))}")
    with store.engine.begin() as conn:
        bump_version(conn, SCHEDULE_VERSION)
        conn.execute(delete(premium_schedule_table))
        conn.execute(
            insert(premium_schedule_table),
            [
                {
                    "certification": row.certification,
                    "valid_from": pd.Timestamp(row.valid_from).date(),
                    "usd_per_kg_fine": None if pd.isna(row.usd_per_kg_fine) else float(row.usd_per_kg_fine),
                    "pct_of_benchmark": None
                    if pd.isna(row.pct_of_benchmark)
                    else float(row.pct_of_benchmark),
                }
                for row in clean.itertuples()
            ],
        )
