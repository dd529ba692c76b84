"""The store: idempotent and atomic imports, incremental refresh bookkeeping, version keys."""

import pandas as pd
import pytest
from sqlalchemy import func, select

from data.market.importers import PriceFileError, parse_price_file
from data.market.market_data import import_prices
from data.store import observations_table
from tests.conftest import GOLD_LBMA, SAMPLES, shared_file

pytestmark = pytest.mark.both_stores  # the same tests on SQLite and PostgreSQL


def count_rows(store) -> int:
    with store.engine.connect() as conn:
        return conn.scalar(select(func.count()).select_from(observations_table))


def test_reimporting_the_same_file_adds_nothing(store):
    path = shared_file(GOLD_LBMA)
    first = import_prices(store, path.read_bytes(), path.name)
    assert first["rows_stored"] == first["rows_new"] == 13_291
    again = import_prices(store, path.read_bytes(), path.name)
    assert again["rows_new"] == 0
    assert count_rows(store) == 13_291
    gold = store.load_series("GOLD_USD")
    assert gold.loc["2020-08-06"] == 2067.15


def test_a_failed_import_changes_nothing(store, monkeypatch):
    path = SAMPLES / "trm_datos_gov_co_format.csv"
    import_prices(store, path.read_bytes(), path.name)
    before, version = count_rows(store), store.data_version()

    parsed = parse_price_file((SAMPLES / "yfinance_download_cop.csv").read_bytes(), "x.csv")

    # the observations are written, then the import log fails: the transaction must roll back
    monkeypatch.setattr("data.store.market.imports_table", None)
    with pytest.raises(Exception):  # noqa: B017 - any failure inside the transaction
        store.store_import(parsed, "x.csv")
    assert count_rows(store) == before
    assert store.data_version() == version


def test_a_file_with_no_storable_row_is_refused_whole(store):
    content = b"Date,Close\n2024-05-06,null\n2024-05-07,-3\n"
    with pytest.raises(PriceFileError, match="no row of the file could be stored"):
        import_prices(store, content, "gc_f.csv")
    assert count_rows(store) == 0


def test_status_and_version_follow_writes(store):
    assert store.series_status().empty and store.data_version() == ""
    frame = pd.DataFrame({"date": pd.to_datetime(["2024-05-06", "2024-05-07"]), "value": [1.0, 2.0]})
    assert store.write_series("USD_BOB", frame, "test") == 2
    status = store.series_status().loc["USD_BOB"]
    assert (status["count"], str(status["last"])) == (2, "2024-05-07")
    assert store.data_version() == "series:USD_BOB=1"
    # a revised value replaces the old one, a new date is added
    revised = pd.DataFrame({"date": pd.to_datetime(["2024-05-07", "2024-05-08"]), "value": [2.5, 3.0]})
    assert store.write_series("USD_BOB", revised, "test") == 1
    assert store.load_series("USD_BOB").tolist() == [1.0, 2.5, 3.0]
    assert store.load_series("USD_BOB", start="2024-05-07", end="2024-05-07").tolist() == [2.5]
    assert store.data_version() == "series:USD_BOB=2"


def test_an_old_store_gains_new_nullable_columns_at_startup(db_url):
    """fetch_log.code was added later: a store made before it keeps working (ALTER TABLE at startup)."""
    from datetime import UTC, datetime

    from sqlalchemy import (
        Column,
        DateTime,
        Integer,
        MetaData,
        String,
        Table,
        Text,
        create_engine,
        insert,
        inspect,
    )

    from data.market.market_data import NOT_TRIED, failure_code
    from data.store import MarketStore, add_missing_columns

    engine = create_engine(db_url)
    previous = MetaData()  # the fetch_log of the previous version, with one failed attempt
    old_log = Table(
        "fetch_log",
        previous,
        Column("id", Integer, primary_key=True, autoincrement=True),
        Column("at", DateTime(timezone=True), nullable=False),
        Column("source", String(32), nullable=False),
        Column("ok", Integer, nullable=False),
        Column("message", Text, nullable=False),
    )
    previous.create_all(engine)
    with engine.begin() as conn:
        conn.execute(
            insert(old_log).values(
                at=datetime.now(UTC),
                source="yahoo",
                ok=0,
                message="Yahoo Finance rate limit: GC=F: Too Many Requests",
            )
        )
    store = MarketStore(engine)
    assert "code" in {column["name"] for column in inspect(engine).get_columns("fetch_log")}
    old = store.last_fetch("yahoo")
    assert old["code"] is None and failure_code(old) == "rate_limited"  # read from the old message
    store.log_fetch("yahoo", False, "no connection to Yahoo Finance (...)", "no_connection")
    assert failure_code(store.last_fetch("yahoo")) == "no_connection"
    assert add_missing_columns(engine) == []  # a second start changes nothing
    assert failure_code(None) == NOT_TRIED
    engine.dispose()
