"""The store room: the schema (schema.py), upgrades of older stores (migrations.py), the market store's
queries (market.py), backups (backup.py), database errors in words (errors.py) and timer leases (jobs.py).

This front door names what the other rooms use, so they need not know which file holds it.
"""

from data.store.market import MarketStore, database_url
from data.store.migrations import add_missing_columns
from data.store.schema import (
    FETCH_VERSION,
    LEDGER_VERSION,
    NOT_BACKED_UP,
    SCHEDULE_VERSION,
    USERS_VERSION,
    alert_addresses_table,
    alert_consents_table,
    alert_rules_table,
    backtests_table,
    bump_version,
    column_mappings_table,
    job_leases_table,
    ledger_audit_table,
    ledger_imports_table,
    market_version_key,
    metadata,
    observations_table,
    premium_schedule_table,
    read_versions,
    sales_table,
    series_version_key,
    sign_in_attempts_table,
    sign_in_summary_table,
    user_sessions_table,
    users_table,
)

__all__ = [
    "FETCH_VERSION",
    "LEDGER_VERSION",
    "MarketStore",
    "NOT_BACKED_UP",
    "SCHEDULE_VERSION",
    "USERS_VERSION",
    "add_missing_columns",
    "alert_addresses_table",
    "alert_consents_table",
    "alert_rules_table",
    "backtests_table",
    "bump_version",
    "column_mappings_table",
    "database_url",
    "job_leases_table",
    "ledger_audit_table",
    "ledger_imports_table",
    "market_version_key",
    "metadata",
    "observations_table",
    "premium_schedule_table",
    "read_versions",
    "sales_table",
    "series_version_key",
    "sign_in_attempts_table",
    "sign_in_summary_table",
    "user_sessions_table",
    "users_table",
]
