"""The market store: market series with their source and fetch time, an import log and a fetch log.

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
    Engine,
    create_engine,
    delete,
    func,
    insert,
    select,
    text,
)
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import NullPool

from data.market.rate_kinds import OFFICIAL, RATE_KINDS
from data.market.series import SERIES
from data.market.sources import combine_sources, precedence_key
from data.store.migrations import create_or_upgrade
from data.store.schema import (
    FETCH_VERSION,
    backtests_table,
    bump_version,
    fetch_log_table,
    imports_table,
    market_version_key,
    observations_table,
    read_versions,
    series_table,
    series_version_key,
)

PROJECT_ROOT = Path(__file__).resolve().parent.parent.parent
DEFAULT_SQLITE_PATH = PROJECT_ROOT / "var" / "gold.sqlite"


def database_url() -> str:
    """DATABASE_URL if set, else the embedded SQLite file under var/."""
    url = os.environ.get("DATABASE_URL")
    if url:
        return url
    DEFAULT_SQLITE_PATH.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{DEFAULT_SQLITE_PATH}"


def _utcnow() -> datetime:
    return datetime.now(UTC)


class MarketStore:
    """Read and write market series; one object per database URL."""

    def __init__(self, engine: Engine):
        self.engine = engine
        create_or_upgrade(engine)  # a store made by an older version keeps working

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
