"""The services layer: one run context per run, a handful of statements per warm rerun, a version bump with
every write (seen by another process on its next rerun), and pages and CLI on the same service functions."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import event
from sqlalchemy.engine import Engine

from data.ledger import OPERATOR, premium_schedule, save_premium_schedule
from data.store import MarketStore
from services.sales import import_ledger
from tests.conftest import PROJECT_ROOT, SAMPLES
from tests.test_cli import cli
from tests.test_pages import PAGES, app

MAX_WARM_STATEMENTS = 4
COOPERATIVE = "Cooperativa La Esperanza"


def fill(url: str, sales: int = 10) -> MarketStore:
    """Every series stored (the seeded demo values, stored as if imported) and a ledger of `sales` sales."""
    from data.demo_ledger import demo_sales
    from data.market.demo import demo_market_data

    store = MarketStore.from_url(url)
    market = demo_market_data(pd.Timestamp.now())
    for series_id, series in market.items():
        store.write_series(
            series_id, pd.DataFrame({"date": series.index, "value": series.to_numpy()}), "test"
        )
    ledger = demo_sales(market["GOLD_USD"], {"COP": market["USD_COP"]}, pd.Timestamp.now())
    ledger = ledger[ledger["currency"] == "COP"].head(sales).assign(cooperative=COOPERATIVE)
    ledger = ledger.assign(
        date=ledger["date"].dt.strftime("%Y-%m-%d"), sale_id=[f"V-{i}" for i in range(sales)]
    )
    ledger.loc[ledger.index[0], "certification"] = "fairmined"
    report = import_ledger(store, OPERATOR, ledger.to_csv(index=False).encode(), "ventas.csv")
    assert report["inserted"] == sales, report
    return store


@contextmanager
def statements_sent() -> Iterator[list[str]]:
    """Every SQL statement any engine of this process sends while the block runs."""
    sent: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):  # noqa: ARG001
        sent.append(statement.split("\n")[0][:120])

    event.listen(Engine, "before_cursor_execute", count)
    try:
        yield sent
    finally:
        event.remove(Engine, "before_cursor_execute", count)


@pytest.mark.parametrize("page", PAGES)
def test_a_warm_rerun_of_every_page_sends_at_most_four_statements(db_url, page):
    fill(db_url)
    at = app().run()
    at.switch_page(page).run()
    assert not at.exception, at.exception
    with statements_sent() as sent:
        at.run()
    assert not at.exception, at.exception
    print(f"{page}: {len(sent)} statements on a warm rerun: {sent}")
    assert len(sent) <= MAX_WARM_STATEMENTS, sent


def test_a_signed_in_members_warm_rerun_stays_within_the_budget(db_url):
    from data.accounts.users import add_user
    from ui.auth import SESSION_KEY

    store = fill(db_url)
    member = add_user(store, "luis", "una clave bastante larga", "member", [COOPERATIVE])
    at = app()
    at.session_state[SESSION_KEY] = member
    at.run()
    at.switch_page("app_pages/premiums.py").run()
    assert not at.exception, at.exception
    with statements_sent() as sent:
        at.run()
    assert not at.exception and len(sent) <= MAX_WARM_STATEMENTS, sent


def premium_due_shown(at) -> dict[str, tuple[str, str]]:
    """Sale → (certification, premium due) as the Premiums page's sale table shows them."""
    table = next(frame.value for frame in at.dataframe if "Venta" in frame.value.columns)
    return dict(
        zip(table["Venta"], zip(table["Certificación"], table["Prima debida USD"], strict=True), strict=True)
    )


def test_a_schedule_edit_shows_at_once(db_url):
    store = fill(db_url)
    at = app().run()
    at.switch_page("app_pages/premiums.py").run()
    before = premium_due_shown(at)
    # Move the per-kilogram Fairmined premium's start after the sales: the same number of rows and the same
    # sums (a fingerprint of counts and sums would not change), but the 10 % rule now applies
    schedule = premium_schedule(store)
    moved = (schedule["certification"] == "fairmined") & schedule["usd_per_kg_fine"].notna()
    schedule.loc[moved, "valid_from"] = pd.Timestamp.now().normalize() + pd.Timedelta(days=1)
    save_premium_schedule(store, OPERATOR, schedule)
    at.run()
    assert not at.exception, at.exception
    after = premium_due_shown(at)
    changed = {sale for sale in before if before[sale] != after[sale]}
    fairmined = {sale for sale, (certification, _) in before.items() if certification == "Fairmined"}
    assert changed and changed == fairmined, (before, after)  # the Fairmined sales, at 10 % of value now


SESSION_SCRIPT = PROJECT_ROOT / "tests" / "helpers" / "app_session.py"


class AppProcess:
    """A dashboard session in a process of its own (tests/helpers/app_session.py), driven over stdin."""

    def __init__(self, url: str):
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "GOLD_DASHBOARD_OFFLINE": "1",
            "PYTHONPATH": str(PROJECT_ROOT),
        }
        self.process = subprocess.Popen(
            [sys.executable, str(SESSION_SCRIPT)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=env,
            cwd=PROJECT_ROOT,
        )

    def send(self, *command: str) -> dict:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(json.dumps(command) + "\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        assert line, "the session process ended"
        return json.loads(line)

    def close(self) -> None:
        if self.process.stdin is not None:
            self.process.stdin.close()
        self.process.wait(timeout=30)


@pytest.mark.both_stores
def test_an_import_through_one_process_is_seen_by_another_on_its_next_rerun(db_url):
    MarketStore.from_url(db_url).engine.dispose()  # create the tables once, before two processes race to
    reader, writer = AppProcess(db_url), AppProcess(db_url)
    try:
        first = reader.send("run")
        assert "oro en dólares" in " ".join(first["warnings"])  # demo gold, named in the banner
        writer.send("run")
        report = writer.send("import_prices", str(SAMPLES / "xauusd_d.csv"))
        assert report["rows_stored"] == 5
        second = reader.send("run")  # the same session, its caches warm: only the versions tell
        assert "oro en dólares" not in " ".join(second["warnings"]), second
        gold_rows = [row for row in second["freshness"] if row.startswith("Oro en dólares")]  # named in words
        assert gold_rows and "DEMO" not in gold_rows[0], second
        sales = writer.send("import_ledger", str(SAMPLES / "ledger_semicolon_decimal_comma.csv"))
        assert sales["inserted"] > 0
        third = reader.send("page", "app_pages/sales.py")
        assert third["sales_rows"] == sales["inserted"], third
    finally:
        reader.close()
        writer.close()


def test_cli_premiums_and_the_premiums_page_show_the_same_figures(db_url):
    from i18n import format_pct

    fill(db_url)
    printed = cli("premiums", db_url=db_url)
    assert printed.returncode == 0, printed.stderr
    report = json.loads(printed.stdout)
    at = app().run()
    at.switch_page("app_pages/premiums.py").run()
    assert not at.exception, at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Neto recibido"] == format_pct(report["summary"]["net_pct_weighted"], "es")
    assert metrics["Precio del comprador"] == format_pct(report["summary"]["buyer_price_pct_weighted"], "es")
    shown = next(frame.value for frame in at.dataframe if "Venta" in frame.value.columns)
    by_sale = {row["sale_id"]: format_pct(row["premium_pct"], "es") for row in report["sales"]}
    assert dict(zip(shown["Venta"], shown["Neto %"], strict=True)) == by_sale


def test_cli_briefing_and_the_briefing_page_write_the_same_summary(db_url, tmp_path):
    fill(db_url)
    at = app().run()
    at.switch_page("app_pages/briefing.py").run()
    assert not at.exception, at.exception
    period = at.selectbox(key="briefing_month_pick").value
    page_text = [m.value for m in at.markdown]
    printed = cli(
        "briefing", "--period", period, "--language", "es", "--out", str(tmp_path / "b.html"), db_url=db_url
    )
    assert printed.returncode == 0, printed.stderr
    summary = json.loads(printed.stdout)["summary"]
    assert summary and all(paragraph in page_text for paragraph in summary), (summary, page_text)


def test_no_top_level_pages_folder():
    """A top-level pages/ folder switches Streamlit into its legacy multipage mode, which runs a page file
    without the router and so without the sign-in gate: the pages live in app_pages/."""
    assert not (PROJECT_ROOT / "pages").exists()
    assert Path(PROJECT_ROOT / "app_pages").is_dir()
