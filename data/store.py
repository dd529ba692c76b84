"""The local store: market series with their source and fetch time, an import log and a fetch log.

SQLAlchemy 2 Core over an embedded SQLite file by default; `DATABASE_URL` selects any other database
(PostgreSQL in a shared deployment). Every write is one transaction: a failed import changes nothing.
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
from sqlalchemy import (
    Column,
    Date,
    DateTime,
    Engine,
    Float,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    delete,
    func,
    insert,
    inspect,
    select,
    text,
)
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import NullPool

from data.rate_kinds import OFFICIAL, RATE_KINDS
from data.series import SERIES
from data.sources import combine_sources, precedence_key

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SQLITE_PATH = PROJECT_ROOT / "var" / "gold.sqlite"

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
#: rates are several series, data/rate_kinds.py; gold is stored as `official`): a second source for the
#: same series, kind and day never overwrites the first. Which value a day uses is decided when reading,
#: by the series' source precedence (data/sources.py), within one kind only.
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
    Column("code", String(32), nullable=True),  # what kind of failure (data/market_data.py codes); NULL: ok
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
    # (data.parsing.flags_json); rows stored before are English text, shown as they are
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

# Sign-in attempts, kept in the store so the throttle holds across sessions and processes (data/users.py).
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


#: Price alert rules and their state (data/alerts.py reads and writes them); defined here with every
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
#: few messages a day, whoever made the rules (data/alerts.py).
alert_addresses_table = Table(
    "alert_addresses",
    metadata,
    Column("address", String(254), primary_key=True),  # data.inbox.inbox_key: one row per inbox
    # Unused since consent is per owner (alert_consents); kept so older stores and backups still match.
    Column("token_sha256", String(64), nullable=True),
    Column("requested_at", DateTime(timezone=True), nullable=True),
    Column("confirmed_at", DateTime(timezone=True), nullable=True),
    Column("day", Date, nullable=True),  # the day `sent` counts
    Column("sent", Integer, nullable=False),
)


#: Consent per owner and inbox (issue 33): an address confirmed for one member's alerts gets no other
#: member's until it confirms for that one too. `address` is data.inbox.inbox_key of the rule's address.
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
#: the same job started at once on two hosts runs once (data/jobs.py).
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


def database_url() -> str:
    """DATABASE_URL if set, else the embedded SQLite file under var/."""
    url = os.environ.get("DATABASE_URL")
    if url:
        return url
    DEFAULT_SQLITE_PATH.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{DEFAULT_SQLITE_PATH}"


def _migrate_legacy_observations(engine: Engine) -> None:
    """A store from before values were kept per source: move its one value per day, with the source it
    was stored under, into the per-source table (one transaction), then drop the old table."""
    if LEGACY_OBSERVATIONS not in inspect(engine).get_table_names():
        return
    legacy = Table(LEGACY_OBSERVATIONS, MetaData(), autoload_with=engine)
    with engine.begin() as conn:
        rows = conn.execute(select(legacy.c.series_id, legacy.c.source, legacy.c.date, legacy.c.value)).all()
        for start in range(0, len(rows), 5_000):
            conn.execute(
                insert(observations_table), [dict(row._mapping) for row in rows[start : start + 5_000]]
            )
        for series_id in {row.series_id for row in rows}:
            bump_version(conn, series_version_key(series_id))
        legacy.drop(conn)


def _migrate_rate_kinds(engine: Engine) -> None:
    """A store from before exchange rates had kinds: its prices table is made anew with `rate_kind` in its
    key and every value it held becomes `official` (what every stored rate was), in one transaction."""
    inspector = inspect(engine)
    if not inspector.has_table(observations_table.name) or "rate_kind" in {
        column["name"] for column in inspector.get_columns(observations_table.name)
    }:
        return
    old = Table(observations_table.name, MetaData(), autoload_with=engine)
    with engine.begin() as conn:
        rows = [
            {**row._mapping, "rate_kind": OFFICIAL}
            for row in conn.execute(select(old.c.series_id, old.c.source, old.c.date, old.c.value))
        ]
        old.drop(conn)
        observations_table.create(conn)
        data_versions_table.create(conn, checkfirst=True)
        for start in range(0, len(rows), 5_000):
            conn.execute(insert(observations_table), rows[start : start + 5_000])
        for series_id in {row["series_id"] for row in rows}:
            bump_version(conn, series_version_key(series_id))


def market_version_key(versions: dict[str, int]) -> str:
    """The part of the versions that market data depends on: every series' counter."""
    return ";".join(f"{key}={value}" for key, value in sorted(versions.items()) if key.startswith("series:"))


def _drop_global_column_mappings(engine: Engine) -> None:
    """Before mappings were kept per cooperative they were global (and could be poisoned by any member):
    a store from then has a column_mappings table without a cooperative column; it is dropped and made
    anew (a remembered mapping is a convenience, asked again on the next import)."""
    inspector = inspect(engine)
    if inspector.has_table("column_mappings") and "cooperative" not in {
        column["name"] for column in inspector.get_columns("column_mappings")
    }:
        with engine.begin() as conn:
            column_mappings_table.drop(conn)


def _utcnow() -> datetime:
    return datetime.now(UTC)


def add_missing_columns(engine: Engine) -> list[str]:
    """Add to existing tables the nullable columns the code knows and the database lacks; their names.

    create_all makes missing tables but never changes an existing one, so a store made by an older
    version would lack a column added since. Only nullable columns are added (old rows read NULL);
    generic over SQLite and PostgreSQL. Two processes starting at once may both try: PostgreSQL skips
    with IF NOT EXISTS, SQLite's "duplicate column" is taken as done.
    """
    inspector = inspect(engine)
    missing = []
    for table in metadata.sorted_tables:
        if not inspector.has_table(table.name):
            continue
        present = {column["name"] for column in inspector.get_columns(table.name)}
        missing += [(table, column) for column in table.columns if column.name not in present]
    added = []
    for table, column in missing:
        if not column.nullable:
            raise RuntimeError(
                f"table {table.name} lacks column {column.name}, which cannot be added to existing rows"
            )
        with engine.begin() as conn:
            quote = conn.dialect.identifier_preparer.quote
            kind = column.type.compile(dialect=conn.dialect)
            guard = "IF NOT EXISTS " if conn.dialect.name == "postgresql" else ""
            statement = f"ALTER TABLE {quote(table.name)} ADD COLUMN {guard}{quote(column.name)} {kind}"
            try:
                conn.execute(text(statement))
            except Exception as error:  # another process added it first (SQLite has no IF NOT EXISTS)
                if "duplicate column" not in str(error).lower():
                    raise
        added.append(f"{table.name}.{column.name}")
    return added


class MarketStore:
    """Read and write market series; one object per database URL."""

    def __init__(self, engine: Engine):
        self.engine = engine
        _drop_global_column_mappings(engine)
        _migrate_rate_kinds(engine)
        metadata.create_all(engine)
        add_missing_columns(engine)  # a store made by an older version keeps working
        _migrate_legacy_observations(engine)

    @classmethod
    def from_url(cls, url: str | None = None) -> MarketStore:
        url = url or database_url()
        # a pooled connection to a server that restarted is dead: test it before use, so a page recovers
        return cls(create_engine(url, pool_pre_ping=not url.startswith("sqlite")))

    @staticmethod
    def reachable(url: str) -> bool:
        """Whether the database answers now (one short connection of its own, outside any pool)."""
        engine = create_engine(url, poolclass=NullPool)
        try:
            with engine.connect() as conn:
                conn.execute(text("SELECT 1"))
            return True
        except SQLAlchemyError:
            return False
        finally:
            engine.dispose()

    # ------------------------------------------------------------ writing

    def _upsert_observations(
        self,
        conn: Connection,
        series_id: str,
        observations: pd.DataFrame,
        source: str,
        rate_kind: str = OFFICIAL,
    ) -> int:
        """Insert or replace one source's observations (date, value) of a series' kind; returns new dates.

        Only this source's values of this kind are replaced: another source's or another kind's value on
        the same day stays, and the precedence decides between sources of one kind when reading, whatever
        the order the files came in.
        """
        if observations.empty:
            return 0
        if rate_kind not in RATE_KINDS:
            raise ValueError(f"unknown rate kind {rate_kind!r}; known: {', '.join(RATE_KINDS)}")
        dates = [d.date() for d in pd.to_datetime(observations["date"])]
        this_source = (
            (observations_table.c.series_id == series_id)
            & (observations_table.c.rate_kind == rate_kind)
            & (observations_table.c.source == source)
        )
        existing = set(
            conn.scalars(
                select(observations_table.c.date).where(
                    this_source,
                    observations_table.c.date >= min(dates),
                    observations_table.c.date <= max(dates),
                )
            )
        )
        replaced = sorted(existing & set(dates))
        for start in range(0, len(replaced), 900):  # stay under SQLite's bound-parameter limit
            conn.execute(
                delete(observations_table).where(
                    this_source, observations_table.c.date.in_(replaced[start : start + 900])
                )
            )
        conn.execute(
            insert(observations_table),
            [
                {
                    "series_id": series_id,
                    "rate_kind": rate_kind,
                    "source": source,
                    "date": day,
                    "value": float(value),
                }
                for day, value in zip(dates, observations["value"], strict=True)
            ],
        )
        self._touch_series(conn, series_id, source)
        bump_version(conn, series_version_key(series_id))
        return len(set(dates) - existing)

    def _touch_series(self, conn: Connection, series_id: str, source: str) -> None:
        row = conn.execute(
            select(series_table.c.version).where(series_table.c.series_id == series_id)
        ).first()
        values = {"source": source, "updated_at": _utcnow()}
        if row is None:
            unit = SERIES[series_id].unit if series_id in SERIES else ""
            conn.execute(insert(series_table).values(series_id=series_id, unit=unit, version=1, **values))
        else:
            conn.execute(
                series_table.update()
                .where(series_table.c.series_id == series_id)
                .values(version=row.version + 1, **values)
            )

    def write_series(
        self, series_id: str, observations: pd.DataFrame, source: str, rate_kind: str = OFFICIAL
    ) -> int:
        """Store observations (date, value) of one series in one transaction; returns new dates added."""
        with self.engine.begin() as conn:
            return self._upsert_observations(conn, series_id, observations, source, rate_kind)

    def store_import(
        self, parsed, filename: str, source: str, extra: dict | None = None, rate_kind: str = OFFICIAL
    ) -> dict:
        """Store a parsed price file under `source` (and `rate_kind`) and its report in one transaction;
        returns the report.

        Re-importing the same file replaces the same dates with the same values: nothing is added.
        """
        with self.engine.begin() as conn:
            new_dates = self._upsert_observations(
                conn, parsed.series_id, parsed.observations, source, rate_kind
            )
            report = parsed.report() | {"source": source, "rate_kind": rate_kind, "rows_new": new_dates}
            report |= extra or {}
            conn.execute(
                insert(imports_table).values(
                    at=_utcnow(),
                    filename=Path(filename).name,
                    series_id=parsed.series_id,
                    format=parsed.format,
                    rows_read=parsed.rows_read,
                    rows_stored=report["rows_stored"],
                    report=json.dumps(report),
                )
            )
        return report

    def log_fetch(self, source: str, ok: bool, message: str, code: str | None = None) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                insert(fetch_log_table).values(
                    at=_utcnow(), source=source, ok=int(ok), message=message, code=code
                )
            )
            bump_version(conn, FETCH_VERSION)

    # ------------------------------------------------------------ reading

    def load_series_sources(
        self, series_id: str, start: object = None, end: object = None, rate_kind: str = OFFICIAL
    ) -> pd.DataFrame:
        """Every stored value of one series' kind with its source: columns date, source, value (by date)."""
        query = select(
            observations_table.c.date, observations_table.c.source, observations_table.c.value
        ).where(observations_table.c.series_id == series_id, observations_table.c.rate_kind == rate_kind)
        if start is not None:
            query = query.where(observations_table.c.date >= pd.Timestamp(start).date())
        if end is not None:
            query = query.where(observations_table.c.date <= pd.Timestamp(end).date())
        with self.engine.connect() as conn:
            rows = conn.execute(query.order_by(observations_table.c.date)).all()
        frame = pd.DataFrame(rows, columns=["date", "source", "value"])
        frame["date"] = pd.to_datetime(frame["date"]).astype("datetime64[ns]")
        frame["value"] = frame["value"].astype(float)
        return frame

    def load_series_with_sources(
        self, series_id: str, start: object = None, end: object = None, rate_kind: str = OFFICIAL
    ) -> pd.DataFrame:
        """One value per day, the highest-precedence source's of one kind, with that source: columns value,
        source."""
        return combine_sources(series_id, self.load_series_sources(series_id, start, end, rate_kind))

    def load_series(
        self, series_id: str, start: object = None, end: object = None, rate_kind: str = OFFICIAL
    ) -> pd.Series:
        """Values of one series (of one rate kind) on a DatetimeIndex (empty if not stored), optionally
        between two dates.

        Where several sources have a day, the value of the one first in the series' precedence.
        """
        return self.load_series_with_sources(series_id, start, end, rate_kind)["value"].rename(series_id)

    def last_source_date(self, series_id: str, source: str, rate_kind: str = OFFICIAL) -> pd.Timestamp | None:
        """The last day stored for `series_id` under `source` (None when it has none): a refresh asks after it."""
        with self.engine.connect() as conn:
            last = conn.scalar(
                select(func.max(observations_table.c.date)).where(
                    observations_table.c.series_id == series_id,
                    observations_table.c.rate_kind == rate_kind,
                    observations_table.c.source == source,
                )
            )
        return None if last is None else pd.Timestamp(last)

    def stored_rate_kinds(self, series_id: str) -> list[str]:
        """The rate kinds `series_id` has values of, in RATE_KINDS' order (what a choice offers)."""
        with self.engine.connect() as conn:
            kinds = set(
                conn.scalars(
                    select(observations_table.c.rate_kind)
                    .where(observations_table.c.series_id == series_id)
                    .distinct()
                )
            )
        return [kind for kind in RATE_KINDS if kind in kinds]

    def series_status(self) -> pd.DataFrame:
        """Per stored series: sources, first and last date, days, last update (index: series_id)."""
        query = select(
            observations_table.c.series_id,
            observations_table.c.source,
            func.min(observations_table.c.date).label("first"),
            func.max(observations_table.c.date).label("last"),
            func.count(observations_table.c.date).label("count"),
        ).group_by(observations_table.c.series_id, observations_table.c.source)
        with self.engine.connect() as conn:
            per_source = pd.DataFrame(
                conn.execute(query).all(), columns=["series_id", "source", "first", "last", "count"]
            )
            days: dict[str, int] = dict(
                conn.execute(
                    select(
                        observations_table.c.series_id, func.count(func.distinct(observations_table.c.date))
                    ).group_by(observations_table.c.series_id)
                ).all()
            )
            updated = dict(conn.execute(select(series_table.c.series_id, series_table.c.updated_at)).all())
        columns = ["sources", "first", "last", "count", "updated_at"]
        if per_source.empty:
            return pd.DataFrame(columns=columns).rename_axis("series_id")
        rows = {}
        for series_id, group in per_source.groupby("series_id"):
            ordered = sorted(group["source"], key=precedence_key(str(series_id)))
            rows[series_id] = {
                "sources": ordered,
                "first": group["first"].min(),
                "last": group["last"].max(),
                "count": int(days.get(series_id, 0)),
                "updated_at": updated.get(series_id),
            }
        return pd.DataFrame.from_dict(rows, orient="index", columns=columns).rename_axis("series_id")

    def versions(self) -> dict[str, int]:
        """Every version counter (series, ledger, schedule, users, fetch) in one statement."""
        with self.engine.connect() as conn:
            return read_versions(conn)

    def data_version(self) -> str:
        """A key that changes whenever any series is written (the market part of the versions)."""
        return market_version_key(self.versions())

    def save_backtest(
        self, target_id: str, horizon: int, data_version: str, seconds: float, result: dict
    ) -> datetime:
        """Store (or replace) the backtest of one target and horizon; returns when it was measured."""
        measured_at = _utcnow()
        row = {
            "data_version": data_version,
            "measured_at": measured_at,
            "seconds": float(seconds),
            "result": json.dumps(result),
        }
        upsert = postgresql_insert if self.engine.dialect.name == "postgresql" else sqlite_insert
        statement = upsert(backtests_table).values(target_id=target_id, horizon=horizon, **row)
        with self.engine.begin() as conn:  # one statement: two processes measuring at once both succeed
            conn.execute(
                statement.on_conflict_do_update(
                    index_elements=[backtests_table.c.target_id, backtests_table.c.horizon], set_=row
                )
            )
        return measured_at

    def load_backtest(self, target_id: str, horizon: int) -> dict | None:
        """The stored backtest of one target and horizon: {"data_version", "measured_at", "seconds",
        "result"} or None."""
        with self.engine.connect() as conn:
            row = (
                conn.execute(
                    select(backtests_table).where(
                        backtests_table.c.target_id == target_id, backtests_table.c.horizon == horizon
                    )
                )
                .mappings()
                .first()
            )
        if row is None:
            return None
        measured_at = row["measured_at"]
        if measured_at.tzinfo is None:  # SQLite keeps no zone: it was written in UTC
            measured_at = measured_at.replace(tzinfo=UTC)
        return {
            "data_version": row["data_version"],
            "measured_at": measured_at,
            "seconds": float(row["seconds"]),
            "result": json.loads(row["result"]),
        }

    def last_fetch(self, source: str) -> dict | None:
        """The latest fetch attempt for `source`: {"at", "ok", "message", "code"} or None."""
        with self.engine.connect() as conn:
            row = (
                conn.execute(
                    select(
                        fetch_log_table.c.at,
                        fetch_log_table.c.ok,
                        fetch_log_table.c.message,
                        fetch_log_table.c.code,
                    )
                    .where(fetch_log_table.c.source == source)
                    .order_by(fetch_log_table.c.id.desc())
                    .limit(1)
                )
                .mappings()
                .first()
            )
        if row is None:
            return None
        return {"at": row["at"], "ok": bool(row["ok"]), "message": row["message"], "code": row["code"]}
