"""Shared fixtures: an isolated store per test, offline mode, and the real files in ../shared."""

from __future__ import annotations

import sys
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


@pytest.fixture
def db_url(tmp_path, monkeypatch) -> str:
    """A fresh SQLite store for one test, offered to the code through DATABASE_URL."""
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("GOLD_DASHBOARD_OFFLINE", "1")
    return url


@pytest.fixture
def store(db_url):
    from data.store import MarketStore

    return MarketStore.from_url(db_url)
