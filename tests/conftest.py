"""Shared fixtures: an isolated store per test, offline mode, and the real files in ../shared."""

from __future__ import annotations

import os
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SAMPLES = Path(__file__).resolve().parent / "samples"
SHARED_MARKET = PROJECT_ROOT.parent / "shared" / "data" / "market"

if str(PROJECT_ROOT) not in sys.path:
    sys.path.insert(0, str(PROJECT_ROOT))


def shared_file(name: str) -> Path:
    """A real market file from ../shared/data/market, or a clean skip when that folder is absent."""
    path = SHARED_MARKET / name
    if not path.exists():
        pytest.skip(f"{path} is absent (the ../shared folder is not laid beside the project)")
    return path


GOLD_LBMA = "gold_usd_daily_lbma_pm_fred_GOLDPMGBD228NLBM.csv"
COP_YAHOO = "usd_cop_daily_yahoo_usdcopx_2016_2021.csv"
PEN_BCRP = "usd_pen_daily_bcrp_1997_2024.csv"


#: A PostgreSQL database the tests may create schemas in (.ci/run starts Debian's postgresql and sets it).
POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL", "")


def pytest_generate_tests(metafunc):
    """Tests marked `both_stores` run once on SQLite and once on PostgreSQL."""
    if "db_url" in metafunc.fixturenames and metafunc.definition.get_closest_marker("both_stores"):
        metafunc.parametrize("store_kind", ["sqlite", "postgresql"])


@pytest.fixture
def store_kind() -> str:
    return "sqlite"


@contextmanager
def postgres_schema() -> Iterator[str]:
    """A URL whose search_path is a fresh, empty schema, dropped afterwards (one per test)."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.pool import NullPool

    if not POSTGRES_URL:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("TEST_POSTGRES_URL is unset: CI must run the store tests on PostgreSQL too")
        pytest.skip("TEST_POSTGRES_URL is unset (no PostgreSQL to test against)")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL, poolclass=NullPool)
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    separator = "&" if "?" in POSTGRES_URL else "?"
    try:
        yield f"{POSTGRES_URL}{separator}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


@pytest.fixture
def db_url(tmp_path, monkeypatch, store_kind) -> Iterator[str]:
    """A fresh store for one test (SQLite file, or a PostgreSQL schema), offered through DATABASE_URL."""
    monkeypatch.setenv("GOLD_DASHBOARD_OFFLINE", "1")
    # an import measures the forecast backtests only in the tests that ask for it (tests/test_forecast_store.py)
    monkeypatch.setenv("GOLD_DASHBOARD_BACKTESTS_ON_WRITE", "0")
    if store_kind == "postgresql":
        with postgres_schema() as url:
            monkeypatch.setenv("DATABASE_URL", url)
            yield url
        return
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    monkeypatch.setenv("DATABASE_URL", url)
    yield url


@pytest.fixture
def store(db_url):
    from data.store import MarketStore

    opened = MarketStore.from_url(db_url)
    yield opened
    opened.engine.dispose()
