"""The forecast backtest is stored per target, horizon and data version: measured by an import (CLI), read
back by a new process without running it again, and measured again once an import changes the data."""

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from data.store import MarketStore
from data.store.backup import backed_up_tables
from services.forecast import (
    BACKTEST_METHOD,
    DEFAULT_HORIZON,
    measure_backtest,
    refresh_backtests,
    stored_backtest,
    target_data_version,
)
from tests.conftest import PROJECT_ROOT

pytestmark = pytest.mark.both_stores  # the same tests on SQLite and PostgreSQL

DAYS = 420  # a small series: 250 days of history, then 8 monthly folds of 20 days (seconds, not minutes)


def gold_file(path, days: int = DAYS, seed: int = 7) -> str:
    """A FRED-style gold file (DATE,GOLDPMGBD228NLBM) of `days` business days of a seeded random walk."""
    rng = np.random.default_rng(seed)
    dates = pd.bdate_range("2019-01-01", periods=days)
    prices = 1300 * np.exp(np.cumsum(rng.normal(0.0002, 0.009, days)))
    lines = ["DATE,GOLDPMGBD228NLBM"] + [f"{d:%Y-%m-%d},{p:.2f}" for d, p in zip(dates, prices, strict=True)]
    path.write_text("\n".join(lines) + "\n")
    return str(path)


def run(code: str, db_url: str, **env: str) -> subprocess.CompletedProcess:
    """Python `code` in a new process on the test's store (the way a new server process starts)."""
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
        env={**os.environ, "DATABASE_URL": db_url, "GOLD_DASHBOARD_OFFLINE": "1", **env},
        timeout=300,
    )


def test_an_import_measures_the_backtest_and_a_new_process_reads_it_without_running_it(db_url, tmp_path):
    imported = run(
        f"""
        import json, sys
        sys.argv = ["cli.py", "prices", "import", {gold_file(tmp_path / "gold.csv")!r}]
        import cli
        cli.main()
        """,
        db_url,
        GOLD_DASHBOARD_BACKTESTS_ON_WRITE="1",
    )
    assert imported.returncode == 0, imported.stderr
    report = json.loads(imported.stdout)
    measured = {entry["target_id"]: entry["status"] for entry in report["backtests"]}
    assert measured == {
        "GOLD_USD": "measured",
        "GOLD_USD_G": "measured",
    }  # no exchange rate stored: gold only

    store = MarketStore.from_url(db_url)
    row = store.load_backtest("GOLD_USD", DEFAULT_HORIZON)
    assert row is not None
    assert row["data_version"] == f"{BACKTEST_METHOD};GOLD_USD=1"
    assert row["result"]["folds"] == 8 and row["result"]["last_data_date"] == "2020-08-10"

    # a new process: the page's view with the backtest forbidden to run; it must come from the store
    shown = run(
        """
        import json
        import services.forecast as service
        from data.market.market_data import load_snapshot
        from data.store import MarketStore

        def forbidden(*args, **kwargs):
            raise AssertionError("the backtest ran again")

        service.run_backtest = forbidden
        store = MarketStore.from_url()
        view = service.forecast_view(load_snapshot(store), "GOLD_USD", 20, store=store)
        print(json.dumps({"measured_at": view.measured_at.isoformat(), "folds": view.backtest.folds,
                          "selected": view.backtest.selected, "points": len(view.forecast.mean)}))
        """,
        db_url,
    )
    assert shown.returncode == 0, shown.stderr
    seen = json.loads(shown.stdout)
    assert pd.Timestamp(seen["measured_at"]) == pd.Timestamp(row["measured_at"])
    assert (seen["folds"], seen["selected"], seen["points"]) == (8, row["result"]["selected"], 20)
    store.engine.dispose()


def test_an_import_that_changes_the_data_makes_the_backtest_measured_again(store, tmp_path):
    from data.market.market_data import import_prices

    first = tmp_path / "gold.csv"
    import_prices(store, Path(gold_file(first)).read_bytes(), first.name)
    assert [entry["status"] for entry in refresh_backtests(store, ["GOLD_USD"])] == ["measured"]
    kept = stored_backtest(store, "GOLD_USD", DEFAULT_HORIZON)
    assert kept is not None and kept.summary.last_data_date == pd.Timestamp("2020-08-10")
    # nothing changed: nothing is measured
    assert [entry["status"] for entry in refresh_backtests(store, ["GOLD_USD"])] == ["current"]

    # twenty more days: the data version moves, the stored result no longer counts, and it is measured again
    longer = tmp_path / "gold_longer.csv"
    import_prices(store, Path(gold_file(longer, DAYS + 20)).read_bytes(), longer.name)
    assert target_data_version(store.versions(), "GOLD_USD") == f"{BACKTEST_METHOD};GOLD_USD=2"
    assert stored_backtest(store, "GOLD_USD", DEFAULT_HORIZON) is None
    assert [entry["status"] for entry in refresh_backtests(store, ["GOLD_USD"])] == ["measured"]
    again = stored_backtest(store, "GOLD_USD", DEFAULT_HORIZON)
    assert again is not None
    assert again.summary.last_data_date == pd.Timestamp("2020-09-07")  # 20 business days later
    assert again.summary.folds == 9 and again.measured_at > kept.measured_at


def test_a_local_price_depends_on_gold_and_its_rate_and_the_table_is_backed_up(store, tmp_path):
    assert target_data_version({"series:GOLD_USD": 3, "series:USD_COP": 5}, "GOLD_COP_G") == (
        f"{BACKTEST_METHOD};GOLD_USD=3;USD_COP=5"
    )
    assert target_data_version({"series:GOLD_USD": 3}, "GOLD_USD") == f"{BACKTEST_METHOD};GOLD_USD=3"
    assert "backtests" in {table.name for table in backed_up_tables()}
    # a stored result is read back with the figures it was stored with
    from data.market.market_data import import_prices

    path = tmp_path / "gold.csv"
    import_prices(store, Path(gold_file(path)).read_bytes(), path.name)
    measured = measure_backtest(store, "GOLD_USD", 20)
    read = stored_backtest(store, "GOLD_USD", 20)
    assert read is not None
    assert [s.interval_score_80 for s in read.summary.scores] == [
        s.interval_score_80 for s in measured.summary.scores
    ]
    assert read.summary.skill_p_value == measured.summary.skill_p_value
    assert stored_backtest(store, "GOLD_USD", 10) is None  # another horizon is another backtest


def test_the_forecast_page_reads_the_stored_backtest_and_names_the_datas_date(
    db_url, store, tmp_path, monkeypatch
):
    from streamlit.testing.v1 import AppTest

    from data.market.market_data import import_prices

    path = tmp_path / "gold.csv"
    import_prices(store, Path(gold_file(path)).read_bytes(), path.name)
    kept = measure_backtest(
        store, "GOLD_USD_G", DEFAULT_HORIZON
    )  # what an import measures for Ecuador's page

    def forbidden(*args, **kwargs):
        raise AssertionError("the page ran the backtest")

    monkeypatch.setattr("services.forecast.run_backtest", forbidden)
    at = AppTest.from_file(str(PROJECT_ROOT / "dashboard.py"), default_timeout=120)
    at.query_params["cur"] = "USD"  # the gram in dollars: gold alone, all of it stored
    at.run()
    at.switch_page("app_pages/forecast.py").run()
    assert not at.exception, at.exception
    moment = kept.measured_at.astimezone(pd.Timestamp.now(tz="UTC").tzinfo)
    day = f"{moment.day} {['ene', 'feb', 'mar', 'abr', 'may', 'jun', 'jul', 'ago', 'sept', 'oct', 'nov', 'dic'][moment.month - 1]}"
    label = at.status[0].label
    # plain words on the status (issue 30); when it was measured and how long it took, in "Detalles técnicos"
    assert label == "Prueba en el pasado con datos al 10 ago 2020: 8 pronósticos comparados con lo que pasó"
    technical = " ".join(e.value for e in [*at.markdown, *at.caption])
    assert f"Prueba en el pasado medida el {day}" in technical
    assert (
        f"{moment:%H:%M} UTC, con datos al 10 ago 2020: 8 pronósticos comparados con lo que pasó, "
        + f"{kept.seconds:.1f} s".replace(".", ",")
    ) in technical
    assert "Último dato (10 ago 2020)" in {m.label for m in at.metric}
    reading = " ".join(m.value for m in at.markdown)
    assert "el último precio conocido, con datos al 10 ago 2020" in reading
    assert "hoy" not in reading.lower()


def test_sell_timing_reads_the_band_the_forecast_page_shows(store, tmp_path):
    """One band: today's probability on Sell timing is read from the Forecast page's stored forecast of the
    gram at 20 days (the gram in USD: gold alone)."""
    from analytics.timing import PolicySettings, probability_from_band
    from data.market.market_data import import_prices, load_snapshot
    from services.forecast import (
        forecast_view,
        snapshot_forecast_band,
        stored_forecast_band,
        target_history,
    )
    from services.timing import timing_view

    path = tmp_path / "gold.csv"
    import_prices(store, Path(gold_file(path)).read_bytes(), path.name)
    measure_backtest(store, "GOLD_USD_G", DEFAULT_HORIZON)
    snapshot = load_snapshot(store)
    page = forecast_view(snapshot, "GOLD_USD_G", DEFAULT_HORIZON, store=store).forecast
    band = stored_forecast_band(store, "GOLD_USD_G", target_history(snapshot, "GOLD_USD_G"))
    assert band is not None and band.origin == pd.Timestamp("2020-08-10")
    assert snapshot_forecast_band(store, snapshot, "GOLD_USD_G") == band  # what the Sell timing page reads
    assert (band.mean, band.lo_80, band.hi_80) == (page.mean[19], page.lo[80][19], page.hi[80][19])
    settings = PolicySettings()
    reading = timing_view(snapshot, "USD", settings, band=band).signal
    price = float(page.random_walk[0])  # the last price, the no-change line
    assert reading.date == band.origin
    assert reading.probability_higher == probability_from_band(price, band, settings.holding_cost_pct_month)
    own = timing_view(snapshot, "USD", settings).signal.probability_higher  # the causal band of old
    assert reading.probability_higher != own


def test_a_new_stores_demo_backtest_is_measured_ahead_and_the_page_reads_it(store, monkeypatch):
    from data.market.market_data import load_snapshot
    from services.forecast import demo_targets, forecast_view, refresh_demo_backtests

    snapshot = load_snapshot(store, today=pd.Timestamp("2026-12-04"))  # an empty store: demo data
    assert demo_targets(snapshot) == [
        "GOLD_USD",
        "GOLD_COP_G",
        "GOLD_PEN_G",
        "GOLD_BOB_G",
        "GOLD_USD_G",
        "GOLD_MNT_G",
    ]
    report = refresh_demo_backtests(store, snapshot, targets=["GOLD_USD"])
    assert [entry["status"] for entry in report] == ["measured"]
    assert (
        store.load_backtest("GOLD_USD", DEFAULT_HORIZON)["data_version"]
        == f"{BACKTEST_METHOD};demo=2026-12-04"
    )
    assert [entry["status"] for entry in refresh_demo_backtests(store, snapshot, targets=["GOLD_USD"])] == [
        "current"
    ]

    def forbidden(*args, **kwargs):
        raise AssertionError("the page ran the backtest")

    monkeypatch.setattr("services.forecast.run_backtest", forbidden)
    view = forecast_view(snapshot, "GOLD_USD", DEFAULT_HORIZON, store=store)
    assert view.measured_at is not None and view.backtest.last_data_date == pd.Timestamp("2026-12-04")
