"""Data that survives faults: a killed import leaves the store as it was; backup and restore are exact.

Both run on SQLite and on PostgreSQL.
"""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

import cli
from data.alerts import add_rule
from data.backup import BackupError, backup, dump_tables, restore
from data.ledger import (
    OPERATOR,
    LedgerScope,
    delete_sale,
    edit_sale,
    import_ledger,
    remember_mapping,
    save_premium_schedule,
)
from data.market_data import import_prices
from data.store import MarketStore
from data.users import add_user
from tests.conftest import PROJECT_ROOT, SAMPLES, postgres_schema

pytestmark = pytest.mark.both_stores

CHILD = PROJECT_ROOT / "tests" / "helpers" / "import_and_hang.py"


def price_file(tmp_path, days: int = 3000) -> Path:
    dates = pd.bdate_range("2010-01-04", periods=days)
    path = tmp_path / "gold_usd.csv"
    pd.DataFrame({"date": dates.strftime("%Y-%m-%d"), "GOLD_USD": 1200 + (dates.day_of_year % 50)}).to_csv(
        path, index=False
    )
    return path


def ledger_file(tmp_path, rows: int = 2000) -> Path:
    path = tmp_path / "ventas.csv"
    lines = ["sale_id,date,buyer,gross_weight_g,fineness,currency,amount_received,certification"]
    lines += [
        f"K-{i},2015-0{1 + i % 9}-1{i % 10},Refinería,{50 + i % 7},0.9,USD,{2000 + i},none"
        for i in range(rows)
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def filled_store(store: MarketStore, tmp_path) -> None:
    """A store with something in every table: prices, sales, an edit and a delete, users, schedule."""
    import_prices(store, price_file(tmp_path, 300).read_bytes(), "gold_usd.csv")
    import_ledger(
        store,
        OPERATOR,
        (SAMPLES / "ledger_semicolon_decimal_comma.csv").read_bytes(),
        "s.csv",
        cooperative="Coop",
    )
    staff = LedgerScope("ana")
    edit_sale(store, staff, "Coop", "A-1", {"buyer": "Otra", "fineness": 0.8})
    delete_sale(store, staff, "Coop", "A-2")
    add_user(store, "ana", "una clave larga", "staff", [])
    add_user(store, "luis", "otra clave larga", "member", ["Coop"])
    remember_mapping(
        store, ["Fecha de pago", "Pago"], {"date": "Fecha de pago", "amount_received": "Pago"}, "Coop"
    )
    save_premium_schedule(
        store,
        staff,
        pd.DataFrame(
            {"certification": ["fairmined"], "valid_from": [pd.Timestamp("2020-01-01")],
             "usd_per_kg_fine": [4000.0], "pct_of_benchmark": [None]}
        ),
    )  # fmt: skip
    store.log_fetch("yahoo", False, "offline")
    add_rule(
        store,
        LedgerScope("luis", frozenset({"Coop"})),
        email="luis@coop.org",
        currency="COP",
        unit="g",
        above=1e5,
    )


def test_backup_and_restore_round_trip_every_table_exactly(store, tmp_path, store_kind):
    filled_store(store, tmp_path)
    before = dump_tables(store)
    assert all(before[name]["rows"] for name in before), [n for n in before if not before[n]["rows"]]
    path = tmp_path / "store.json.gz"
    counts = backup(store, path)
    assert counts["sales"] == 1 and counts["ledger_audit"] == 2 and counts["users"] == 2

    # change everything, then restore: the store is exactly the backup again
    import_ledger(store, OPERATOR, ledger_file(tmp_path, 5).read_bytes(), "v.csv", cooperative="Otra")
    add_user(store, "intruso", "clave de intruso", "staff", [])
    restore(store, path)
    assert dump_tables(store) == before

    # new rows after a restore get fresh ids (PostgreSQL's sequences were moved past the restored ones)
    report = import_ledger(
        store, OPERATOR, ledger_file(tmp_path, 3).read_bytes(), "w.csv", cooperative="Otra"
    )
    assert report["inserted"] == 3


def test_restore_into_an_empty_store_and_through_the_cli(store, tmp_path, monkeypatch, capsys, store_kind):
    filled_store(store, tmp_path)
    path = tmp_path / "backup.json"
    assert cli.main(["backup", str(path)]) == 0
    assert json.loads(capsys.readouterr().out)["rows"]["prices"] == 300
    if store_kind == "sqlite":
        fresh_url = f"sqlite:///{tmp_path / 'fresh.sqlite'}"
        monkeypatch.setenv("DATABASE_URL", fresh_url)
        assert cli.main(["restore", str(path)]) == 0
        assert dump_tables(MarketStore.from_url(fresh_url)) == dump_tables(store)
    else:
        with postgres_schema() as fresh_url:
            monkeypatch.setenv("DATABASE_URL", fresh_url)
            assert cli.main(["restore", str(path)]) == 0
            fresh = MarketStore.from_url(fresh_url)
            assert dump_tables(fresh) == dump_tables(store)
            fresh.engine.dispose()


def test_a_bad_backup_file_changes_nothing(store, tmp_path):
    filled_store(store, tmp_path)
    before = dump_tables(store)
    good = tmp_path / "good.json"
    backup(store, good)
    document = json.loads(good.read_text())
    document["tables"]["sales"]["rows"][0] = document["tables"]["sales"]["rows"][0][:-1]
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps(document))
    for path, message in [
        (broken, "malformed rows"),
        (SAMPLES / "ledger_cp1252.csv", "not a readable backup"),
    ]:
        with pytest.raises(BackupError, match=message):
            restore(store, path)
    assert dump_tables(store) == before


@pytest.mark.parametrize("kind", ["ledger", "prices"])
def test_a_process_killed_inside_an_import_leaves_the_store_as_it_was(db_url, store, tmp_path, kind):
    filled_store(store, tmp_path)
    before = dump_tables(store)
    file_name = ledger_file(tmp_path) if kind == "ledger" else price_file(tmp_path)
    marker = tmp_path / "inside.txt"
    child = subprocess.Popen(
        [sys.executable, str(CHILD), db_url, kind, str(file_name), str(marker)],
        env={**os.environ, "GOLD_DASHBOARD_OFFLINE": "1"},
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 60
    while not marker.exists():
        assert child.poll() is None, (
            f"the child ended before writing: {child.stderr.read() if child.stderr else ''}"
        )
        assert time.monotonic() < deadline, "the child never reached the insert"
        time.sleep(0.05)
    os.kill(child.pid, signal.SIGKILL)
    assert child.wait(timeout=30) == -signal.SIGKILL

    reopened = MarketStore.from_url(db_url)
    assert dump_tables(reopened) == before
    # and the store is usable: the same import now goes through whole
    content = file_name.read_bytes()
    if kind == "ledger":
        assert (
            import_ledger(reopened, OPERATOR, content, "ventas.csv", cooperative="Cooperativa Kill")[
                "inserted"
            ]
            == 2000
        )
    else:
        assert import_prices(reopened, content, "gold_usd.csv")["rows_stored"] == 3000
    reopened.engine.dispose()


def test_a_store_and_a_backup_from_before_per_cooperative_mappings_still_open(store, db_url, tmp_path):
    """Mappings were global (and poisonable); an older store or backup loses them and works on."""
    from sqlalchemy import create_engine, inspect, text

    filled_store(store, tmp_path)
    backup_path = tmp_path / "old.json"
    backup(store, backup_path)
    engine = create_engine(db_url)
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE column_mappings"))
        conn.execute(
            text(
                "CREATE TABLE column_mappings (signature VARCHAR(64) PRIMARY KEY, mapping TEXT NOT NULL, "
                "updated_at TIMESTAMP NOT NULL)"
            )  # fmt: skip
        )
        conn.execute(
            text(
                "INSERT INTO column_mappings VALUES ('abc', '{\"premium_received_usd\": \"Refinación\"}', "
                "CURRENT_TIMESTAMP)"
            )  # fmt: skip
        )
    engine.dispose()
    reopened = MarketStore.from_url(db_url)
    columns = {column["name"] for column in inspect(reopened.engine).get_columns("column_mappings")}
    assert "cooperative" in columns and dump_tables(reopened)["column_mappings"]["rows"] == []
    remember_mapping(reopened, ["Fecha", "Pago"], {"amount_received": "Pago"}, "Coop")
    assert len(dump_tables(reopened)["column_mappings"]["rows"]) == 1

    document = json.loads(backup_path.read_text())
    document["tables"]["column_mappings"] = {
        "columns": ["signature", "mapping", "updated_at"],
        "rows": [["abc", "{}", "2025-01-01T00:00:00+00:00"]],
    }
    backup_path.write_text(json.dumps(document))
    restore(reopened, backup_path)
    assert dump_tables(reopened)["column_mappings"]["rows"] == []
    assert dump_tables(reopened)["sales"]["rows"]  # everything else restored
    reopened.engine.dispose()
