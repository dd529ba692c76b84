"""Upgrades of a store made by an older version, run when a MarketStore opens (SQLite and PostgreSQL).

Each step is idempotent and safe when several processes start at once; none reads or writes data a
page needs.
"""

from __future__ import annotations

from sqlalchemy import (
    Engine,
    MetaData,
    Table,
    insert,
    inspect,
    select,
    text,
)

from data.market.rate_kinds import OFFICIAL
from data.store.schema import (
    LEGACY_OBSERVATIONS,
    bump_version,
    column_mappings_table,
    data_versions_table,
    metadata,
    observations_table,
    series_version_key,
)


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


def create_or_upgrade(engine: Engine) -> None:
    """Every table of the schema, a store made by an older version brought up to it, in order."""
    _drop_global_column_mappings(engine)
    _migrate_rate_kinds(engine)
    metadata.create_all(engine)
    add_missing_columns(engine)
    _migrate_legacy_observations(engine)
