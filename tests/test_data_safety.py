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
from data.accounts.alerts import add_rule, request_confirmation, take_mail_slot
from data.accounts.users import add_user, set_password, sign_in_attempt
from data.ledger import OPERATOR, LedgerScope, delete_sale, edit_sale, remember_mapping, save_premium_schedule
from data.market.market_data import import_prices
from data.store import MarketStore
from data.store.backup import BackupError, backup, dump_tables, restore
from services.sales import import_ledger
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
    set_password(store, "luis", "la segunda clave larga")  # a session epoch
    sign_in_attempt(store, "luis", "una clave equivocada", "10.0.0.1")  # a failed sign-in, kept
    sign_in_attempt(store, "ana", "una clave larga", "10.0.0.2")  # her summary row: signed in now
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
    take_mail_slot(store, "luis@coop.org", pd.Timestamp("2024-05-09").date())  # an address with a count
    request_confirmation(store, "luis", "tesoreria@coop.org")  # a consent asked for
    store.save_backtest("GOLD_USD", 20, "GOLD_USD:1", 1.5, {"selected": "random_walk"})  # a stored backtest


def test_backup_and_restore_round_trip_every_table_exactly(store, tmp_path, store_kind):
    filled_store(store, tmp_path)
    before = dump_tables(store)
    assert all(before[name]["rows"] for name in before), [n for n in before if not before[n]["rows"]]
    path = tmp_path / "store.json.gz"
    counts = backup(store, path)
    assert counts["sales"] == 1 and counts["ledger_audit"] == 2 and counts["users"] == 2

    # change everything, then restore: the store is exactly the backup again
    import_ledger(store, OPERATOR, ledger_file(tmp_path, 5).read_bytes(), "v.csv", cooperative="Otra")
    add_user(store, "intruso", "clave de quien entra", "staff", [])
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


def backup_document(store: MarketStore, tmp_path) -> dict:
    path = tmp_path / "good.json"
    backup(store, path)
    return json.loads(path.read_text())


def column(document: dict, table: str, name: str) -> int:
    return document["tables"][table]["columns"].index(name)


@pytest.mark.parametrize(
    ("table", "field", "value", "message"),
    [
        ("users", "cooperatives", "{not json", "users.*cooperatives is not valid JSON"),
        ("users", "cooperatives", '{"a": 1}', "cooperatives is not a JSON list"),
        ("users", "cooperatives", "[1, 2]", "cooperatives is not a list of names"),
        ("users", "role", "boss", "role is not one of staff, member"),
        ("users", "password_hash", "plain text", "not an argon2 hash"),
        ("users", "username", "ANA", "repeats another one"),
        ("users", "created_at", "yesterday", "created_at is not a date"),
        ("sales", "date", "2024-13-45", "date is not a date"),
        ("sales", "fineness", "0.9", "fineness is not a number"),
        ("sales", "buyer", None, "buyer is missing"),
        ("sales", "buyer", "x" * 201, "buyer is longer than 200"),
        ("prices", "value", True, "value is not a number"),
        ("column_mappings", "mapping", "[]", "mapping is not a JSON object"),
        ("ledger_audit", "before", "{broken", "before is not valid JSON"),
        ("imports", "rows_read", 1.5, "rows_read is not a whole number"),
    ],
)
def test_restore_validates_before_replacing(store, tmp_path, table, field, value, message):
    """A backup with one wrong value anywhere is refused with its table, row and column (never the
    value), before anything is replaced: the store stays as it was and sign-in keeps working."""
    from data.accounts.users import authenticate

    filled_store(store, tmp_path)
    before = dump_tables(store)
    document = backup_document(store, tmp_path)
    rows = document["tables"][table]["rows"]
    target = -1 if table == "users" and field == "username" else 0  # users are in name order: luis last
    rows[target][column(document, table, field)] = value
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(document))
    with pytest.raises(BackupError, match=message) as refused:
        restore(store, bad)
    assert "\n" not in str(refused.value)
    if isinstance(value, str) and len(value) > 3:
        assert value not in str(refused.value)
    assert dump_tables(store) == before
    assert authenticate(store, "luis", "la segunda clave larga") is not None


def test_restore_refuses_a_duplicate_key_and_accepts_a_backup_from_before_the_sign_in_tables(store, tmp_path):
    filled_store(store, tmp_path)
    document = backup_document(store, tmp_path)
    twice = json.loads(json.dumps(document))
    twice["tables"]["sales"]["rows"].append(twice["tables"]["sales"]["rows"][0])
    (tmp_path / "twice.json").write_text(json.dumps(twice))
    with pytest.raises(BackupError, match="its key appears twice"):
        restore(store, tmp_path / "twice.json")
    older = json.loads(json.dumps(document))
    del older["tables"]["sign_in_attempts"], older["tables"]["user_sessions"]
    (tmp_path / "older.json").write_text(json.dumps(older))
    counts = restore(store, tmp_path / "older.json")
    assert counts["sign_in_attempts"] == 0 and counts["users"] == 2


def test_gz_backup_bounded(store, tmp_path, monkeypatch):
    """A small .gz that would expand past the bound is refused while it is being decompressed."""
    import gzip
    import resource

    from data.store.backup import read_bounded

    filled_store(store, tmp_path)
    before = dump_tables(store)
    bomb = tmp_path / "bomb.json.gz"
    with gzip.open(bomb, "wb", compresslevel=9) as out:
        out.write(b'{"format": "gold-dashboard-backup", "pad": "')
        block = b" " * (1 << 20)
        for _ in range(300):  # 300 MB of spaces: about 300 KB compressed
            out.write(block)
        out.write(b'"}')
    assert bomb.stat().st_size < 1_000_000
    monkeypatch.setenv("GOLD_DASHBOARD_MAX_BACKUP_MB", "16")
    peak_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    with pytest.raises(BackupError, match="more than 16 MB"):
        restore(store, bomb)
    assert time.perf_counter() - started < 5
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - peak_before) / 1024
    assert grown_mb < 100, grown_mb  # stopped near the bound, not after 300 MB
    assert dump_tables(store) == before
    with pytest.raises(BackupError):
        read_bounded(bomb, limit=1 << 20)
    good = tmp_path / "good.json.gz"
    backup(store, good)
    assert len(read_bounded(good)) > 0


def import_at_once(store: MarketStore, files: list[bytes], cooperative: str) -> tuple[list, list]:
    """Each file imported by its own thread, all released at the same moment; reports and errors."""
    import threading

    barrier = threading.Barrier(len(files))
    reports: list[dict] = []
    errors: list[BaseException] = []

    def run(content: bytes) -> None:
        barrier.wait()
        try:
            reports.append(import_ledger(store, OPERATOR, content, "v.csv", cooperative=cooperative))
        except BaseException as error:  # the test reports whatever escaped
            errors.append(error)

    threads = [threading.Thread(target=run, args=(content,)) for content in files]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return reports, errors


def test_concurrent_imports_no_integrity_error(store, tmp_path):
    """Two imports of overlapping files at the same moment: both succeed, every sale stored once."""
    from data.ledger import load_sales

    header = "sale_id,date,buyer,gross_weight_g,fineness,currency,amount_received,certification\n"

    def rows(first: int, last: int) -> bytes:
        lines = [
            f"C-{i},2015-03-{1 + i % 28:02d},Refinería,{50 + i % 7},0.9,USD,{2000 + i},none"
            for i in range(first, last)
        ]
        return (header + "\n".join(lines) + "\n").encode()

    for attempt in range(3):
        cooperative = f"Coop {attempt}"
        reports, errors = import_at_once(store, [rows(0, 400), rows(200, 600)], cooperative)  # 200 in both
        assert not errors, errors
        assert sum(r["inserted"] for r in reports) == 600
        assert sum(r["duplicates"] for r in reports) == 200
        assert len(load_sales(store, OPERATOR, [cooperative])) == 600


def test_database_errors_one_line(store, tmp_path, db_url, store_kind):
    """A text longer than its column is a line-level rejection; a read-only store is a one-line error
    without row values, from the CLI and from the data layer; a full disk reads the same way."""
    import sqlite3

    from sqlalchemy.exc import OperationalError

    from data.store.errors import describe
    from tests.test_cli import cli as run_cli

    long_buyer = "Compradora " + "x" * 290
    text = (
        "sale_id,date,buyer,gross_weight_g,fineness,currency,amount_received,certification\n"
        f"L-1,2015-03-02,{long_buyer},50,0.9,USD,2000,none\nL-2,2015-03-03,Refinería,50,0.9,USD,2000,none\n"
    )
    report = import_ledger(store, OPERATOR, text.encode(), "largo.csv", cooperative="Coop")
    assert report["inserted"] == 1
    assert [(r["line"], r["code"]) for r in report["rejected"]] == [(2, "too_long")]
    assert report["rejected"][0]["reason"].startswith("buyer is longer than 200 characters")
    with pytest.raises(ValueError, match="buyer is longer than 200 characters"):
        edit_sale(store, OPERATOR, "Coop", "L-2", {"buyer": long_buyer})

    if store_kind == "sqlite":
        read_only = "sqlite:///file:" + db_url.removeprefix("sqlite:///") + "?mode=ro&uri=true"
    else:
        read_only = db_url + "%20-cdefault_transaction_read_only%3Don"
    upload = tmp_path / "nuevo.csv"
    upload.write_text(text.replace(long_buyer, "Comprador Secreto SAS"), encoding="utf-8")
    for command in (
        ["ledger", "import", str(upload), "--cooperative", "Otra"],
        ["users", "add", "pepe", "--role", "staff"],
    ):
        done = run_cli(*command, db_url=read_only, password="una clave suficientemente larga")
        assert done.returncode == 2, done.stdout
        assert len(done.stderr.strip().splitlines()) == 1, done.stderr
        assert "read-only" in done.stderr and "Secreto" not in done.stderr and "INSERT" not in done.stderr

    full = OperationalError(
        "INSERT INTO sales ...",
        {"buyer": "Comprador Secreto"},
        sqlite3.OperationalError("database or disk is full"),
    )
    assert describe(full).startswith("the disk holding the database is full") and "Secreto" not in describe(
        full
    )


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
