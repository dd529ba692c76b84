"""The store's schema: every table, the data-version keys and their counters (no queries here).

SQLAlchemy 2 Core tables shared by every room of data/ (market, ledger, accounts); the market store's
queries live in data/store/market.py, the upgrades of older stores in data/store/migrations.py.
"""

from __future__ import annotations

from sqlalchemy import (
    Column,
    Date,
    DateTime,
    Float,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    select,
)
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection

from data.market.rate_kinds import OFFICIAL

metadata = MetaData()

series_table = Table(
    "series",
    metadata,
    Column("series_id", String(32), primary_key=True),
    Column("unit", String(16), nullable=False),
    Column("source", String(200), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("version", Integer, nullable=False, default=0),
)

#: Every value with its source and, for an exchange rate, its kind (official, reference, market: several
#: rates are several series, data/market/rate_kinds.py; gold is stored as `official`): a second source for the
#: same series, kind and day never overwrites the first. Which value a day uses is decided when reading,
#: by the series' source precedence (data/market/sources.py), within one kind only.
observations_table = Table(
    "prices",
    metadata,
    Column("series_id", String(32), primary_key=True),
    Column("rate_kind", String(16), primary_key=True, default=OFFICIAL, server_default=OFFICIAL),
    Column("source", String(200), primary_key=True),
    Column("date", Date, primary_key=True),
    Column("value", Float, nullable=False),
)
#: The table of stores written before values were kept per source (series_id, date) → value, source.
LEGACY_OBSERVATIONS = "observations"

imports_table = Table(
    "imports",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("filename", String(500), nullable=False),
    Column("series_id", String(32), nullable=False),
    Column("format", String(32), nullable=False),
    Column("rows_read", Integer, nullable=False),
    Column("rows_stored", Integer, nullable=False),
    Column("report", Text, nullable=False),
)

fetch_log_table = Table(
    "fetch_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("source", String(32), nullable=False),
    Column("ok", Integer, nullable=False),
    Column("message", Text, nullable=False),  # English, for the log
    Column(
        "code", String(32), nullable=True
    ),  # what kind of failure (data/market/market_data.py codes); NULL: ok
)

sales_table = Table(
    "sales",
    metadata,
    Column("cooperative", String(200), primary_key=True),
    Column("sale_id", String(100), primary_key=True),
    Column("date", Date, nullable=False),
    Column("buyer", String(200), nullable=False),
    Column("gross_weight_g", Float, nullable=False),
    Column("fineness", Float, nullable=False),
    Column("fine_gold_g", Float, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("amount_received", Float, nullable=False),
    Column("certification", String(32), nullable=False),
    Column("premium_received_usd", Float, nullable=False),
    Column("refining_charge", Float, nullable=False),
    Column("assay_charge", Float, nullable=False),
    Column("transport_charge", Float, nullable=False),
    Column("export_charge", Float, nullable=False),
    Column("royalties_paid", Float, nullable=False),
    Column("withholding_paid", Float, nullable=False),
    Column("notes", Text, nullable=False),
    # review reasons found at import, "" when none: a JSON list of problem codes with params
    # (data.files.parsing.flags_json); rows stored before are English text, shown as they are
    Column("flags", Text, nullable=False),
    Column("import_id", Integer, nullable=True),
)

ledger_imports_table = Table(
    "ledger_imports",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("user", String(200), nullable=False),
    Column("filename", String(500), nullable=False),
    Column("rows_read", Integer, nullable=False),
    Column("inserted", Integer, nullable=False),
    Column("report", Text, nullable=False),
)

ledger_audit_table = Table(
    "ledger_audit",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("user", String(200), nullable=False),
    Column("action", String(16), nullable=False),  # edit, delete
    Column("cooperative", String(200), nullable=False),
    Column("sale_id", String(100), nullable=False),
    Column("before", Text, nullable=True),
    Column("after", Text, nullable=True),
)

column_mappings_table = Table(
    "column_mappings",
    metadata,
    Column("cooperative", String(200), primary_key=True),  # a mapping is remembered per cooperative
    Column("signature", String(64), primary_key=True),  # hash of the file's normalised column names
    Column("mapping", Text, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

premium_schedule_table = Table(
    "premium_schedule",
    metadata,
    Column("certification", String(32), primary_key=True),
    Column("valid_from", Date, primary_key=True),
    Column("usd_per_kg_fine", Float, nullable=True),
    Column("pct_of_benchmark", Float, nullable=True),
)


users_table = Table(
    "users",
    metadata,
    Column("username", String(200), primary_key=True),  # a login name, or the e-mail of an OpenID sign-in
    Column("password_hash", String(200), nullable=True),  # argon2id; NULL: OpenID Connect only
    Column("role", String(16), nullable=False),  # staff: every cooperative; member: the listed ones
    Column("cooperatives", Text, nullable=False),  # JSON list of cooperative names
    Column("created_at", DateTime(timezone=True), nullable=False),
)

# Sign-in attempts, kept in the store so the throttle holds across sessions and processes (data/accounts/users.py).
sign_in_attempts_table = Table(
    "sign_in_attempts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("account", String(200), nullable=False),  # the name as typed, case-folded (known or not)
    Column("client", String(200), nullable=False),  # the client's address as the server saw it
    Column("ok", Integer, nullable=False),  # 1 signed in, 0 failed
    Column("reason", String(32), nullable=False),  # ok, wrong_password, throttled_account, ...
    Index("ix_sign_in_attempts_account_at", "account", "at"),
    Index("ix_sign_in_attempts_client_at", "client", "at"),
)

#: Per known account, what the pruned or throttled attempts leave behind: the failures since its last
#: successful sign-in (told to the user at their next one) and when that was. At most one row per user.
sign_in_summary_table = Table(
    "sign_in_summary",
    metadata,
    Column("account", String(200), primary_key=True),  # account_key of a user that exists
    Column("failures", Integer, nullable=False),  # failures since last_ok_at no longer in sign_in_attempts
    Column("first_failure_at", DateTime(timezone=True), nullable=True),
    Column("last_failure_at", DateTime(timezone=True), nullable=True),
    Column("last_ok_at", DateTime(timezone=True), nullable=True),
)

# One row per user whose password changed: sessions signed in under an older epoch are ended.
user_sessions_table = Table(
    "user_sessions",
    metadata,
    Column("username", String(200), primary_key=True),
    Column("epoch", Integer, nullable=False),
)


#: Price alert rules and their state (data/accounts/alerts.py reads and writes them); defined here with every
#: other table, so a store always has it and backup and restore always cover it.
alert_rules_table = Table(
    "alert_rules",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("owner", String(200), nullable=False),  # the user who made it (`cli` for the operator)
    Column("email", String(320), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("unit", String(16), nullable=False),
    Column("above", Float, nullable=True),
    Column("below", Float, nullable=True),
    Column("language", String(2), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    # State: 1 = armed (the next run on which the condition holds sends); 0 = fired for this crossing.
    Column("armed", Integer, nullable=False),
    Column("last_checked", Date, nullable=True),
    Column("last_price", Float, nullable=True),
    Column("last_sent_at", DateTime(timezone=True), nullable=True),
    Column("last_error", Text, nullable=True),  # the last failed send, cleared by a successful one
)


#: The forecast backtest of one target (a stored series or a derived local price such as GOLD_COP_G) and
#: horizon, measured on the data version it names (services/forecast.py writes it after an import, a
#: refresh or the timer job; the Forecast page and the briefing read it instead of re-running it).
backtests_table = Table(
    "backtests",
    metadata,
    Column("target_id", String(40), primary_key=True),
    Column("horizon", Integer, primary_key=True),
    Column("data_version", String(400), nullable=False),  # the versions of the series it was run on
    Column("measured_at", DateTime(timezone=True), nullable=False),
    Column("seconds", Float, nullable=False),  # how long the backtest took
    Column("result", Text, nullable=False),  # the backtest's JSON (analytics.forecast.BacktestSummary)
)

#: Who may receive alerts: an address that is not its rule owner's own must confirm by the link in a
#: first message before anything else is sent to it (double opt-in), and no address gets more than a
#: few messages a day, whoever made the rules (data/accounts/alerts.py).
alert_addresses_table = Table(
    "alert_addresses",
    metadata,
    Column("address", String(254), primary_key=True),  # data.accounts.inbox.inbox_key: one row per inbox
    # Unused since consent is per owner (alert_consents); kept so older stores and backups still match.
    Column("token_sha256", String(64), nullable=True),
    Column("requested_at", DateTime(timezone=True), nullable=True),
    Column("confirmed_at", DateTime(timezone=True), nullable=True),
    Column("day", Date, nullable=True),  # the day `sent` counts
    Column("sent", Integer, nullable=False),
)


#: Consent per owner and inbox (issue 33): an address confirmed for one member's alerts gets no other
#: member's until it confirms for that one too. `address` is data.accounts.inbox.inbox_key of the rule's address.
alert_consents_table = Table(
    "alert_consents",
    metadata,
    Column("owner", String(200), primary_key=True),
    Column("address", String(254), primary_key=True),
    Column("token_sha256", String(64), nullable=True, index=True),  # the pending link's token, hashed
    Column("requested_at", DateTime(timezone=True), nullable=True),  # the last confirmation message
    Column("confirmed_at", DateTime(timezone=True), nullable=True),
)


data_versions_table = Table(
    "data_versions",
    metadata,
    Column("key", String(64), primary_key=True),  # "series:GOLD_USD", "ledger", "schedule", "users", ...
    Column("version", Integer, nullable=False),
)

#: Which host runs a timer's job now (`prices refresh`, `alerts run`): a lease that ends by itself, so
#: the same job started at once on two hosts runs once (data/store/jobs.py).
job_leases_table = Table(
    "job_leases",
    metadata,
    Column("job", String(64), primary_key=True),
    Column("holder", String(128), nullable=False),
    Column("until", DateTime(timezone=True), nullable=False),
)

#: Version keys besides one per series ("series:<id>"): every write to what they name bumps them.
LEDGER_VERSION = "ledger"
SCHEDULE_VERSION = "schedule"
USERS_VERSION = "users"
FETCH_VERSION = "fetch"
#: Tables whose content is not data but bookkeeping (the versions themselves, running jobs): never backed up.
NOT_BACKED_UP = ("data_versions", "job_leases")


def series_version_key(series_id: str) -> str:
    return f"series:{series_id}"


def bump_version(conn: Connection, key: str) -> None:
    """Increment the version `key` inside the caller's transaction (the write and its bump commit together).

    One atomic upsert, so two processes bumping at once both count.
    """
    upsert = postgresql_insert if conn.dialect.name == "postgresql" else sqlite_insert
    statement = upsert(data_versions_table).values(key=key, version=1)
    conn.execute(
        statement.on_conflict_do_update(
            index_elements=[data_versions_table.c.key],
            set_={"version": data_versions_table.c.version + 1},
        )
    )


def read_versions(conn: Connection) -> dict[str, int]:
    """Every version counter in one statement."""
    return {str(key): int(version) for key, version in conn.execute(select(data_versions_table)).all()}


def market_version_key(versions: dict[str, int]) -> str:
    """The part of the versions that market data depends on: every series' counter."""
    return ";".join(f"{key}={value}" for key, value in sorted(versions.items()) if key.startswith("series:"))
