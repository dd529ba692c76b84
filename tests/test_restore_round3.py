"""Issue 33, finding 4: restore works on the default SQLite store, shows and refuses account changes it
was not told to make, and refuses a backup nested deeper than a backup is (no MemoryError)."""

from __future__ import annotations

import gzip
import json
import time

import pytest
from argon2 import PasswordHasher
from sqlalchemy import event

import cli
from data.accounts.users import find_user, sign_in_attempt
from data.store import MarketStore
from data.store.backup import BackupError, backup, dump_tables, restore
from tests.test_data_safety import backup_document, column, filled_store


def test_restore_of_a_fresh_backup_works_on_the_default_sqlite_store(tmp_path, monkeypatch, capsys):
    """The restore's size check ran on a second connection inside the write transaction: once SQLite's
    page cache spilled (a store of real size; here a one-page cache) the check waited for the writer
    itself and failed "database is locked" after the 5 s default timeout, every time."""
    monkeypatch.setenv("GOLD_DASHBOARD_OFFLINE", "1")
    monkeypatch.setenv("GOLD_DASHBOARD_BACKTESTS_ON_WRITE", "0")
    monkeypatch.delenv("GOLD_DASHBOARD_MAX_BACKUP_MB", raising=False)
    url = f"sqlite:///{tmp_path / 'gold.sqlite'}"
    store = MarketStore.from_url(url)
    filled_store(store, tmp_path)
    expected = dump_tables(store)
    path = tmp_path / "tonight.json.gz"
    backup(store, path)
    store.engine.dispose()

    monkeypatch.setenv("DATABASE_URL", url)
    real_from_url = MarketStore.from_url

    def small_cache(url_: str | None = None) -> MarketStore:
        opened = real_from_url(url_)
        event.listen(opened.engine, "connect", lambda conn, _: conn.execute("PRAGMA cache_size=1"))
        opened.engine.dispose()  # every connection from here on has the small cache
        return opened

    monkeypatch.setattr(MarketStore, "from_url", small_cache)
    started = time.monotonic()
    assert cli.main(["restore", str(path)]) == 0
    assert time.monotonic() - started < 4  # no wait on a lock held by the restore itself
    out = json.loads(capsys.readouterr().out)
    assert out["rows"]["prices"] == 300 and out["rows"]["users"] == 2
    assert dump_tables(real_from_url(url)) == expected


def _tampered(store: MarketStore, tmp_path, edit) -> tuple:
    document = backup_document(store, tmp_path)
    rows = document["tables"]["users"]["rows"]
    edit(document, rows)
    path = tmp_path / "tampered.json"
    path.write_text(json.dumps(document))
    return path, document


@pytest.mark.both_stores
def test_restore_refuses_a_swapped_staff_password_hash_unless_told(store, tmp_path, capsys, monkeypatch):
    """A backup whose staff hash was swapped would let the attacker's password sign in as staff: the
    restore names the change, changes nothing, and --dry-run lists it; the operator's flag restores it."""
    filled_store(store, tmp_path)
    before = dump_tables(store)
    attacker_hash = PasswordHasher().hash("la clave del intruso")

    def swap(document: dict, rows: list) -> None:
        ana = next(row for row in rows if row[column(document, "users", "username")] == "ana")
        ana[column(document, "users", "password_hash")] = attacker_hash

    path, _ = _tampered(store, tmp_path, swap)
    with pytest.raises(
        BackupError, match=r"would change accounts: ana: password_changed\. Nothing was changed"
    ):
        restore(store, path)
    with pytest.raises(BackupError, match="ana: password_changed"):
        restore(store, path, allow_new_staff=True)  # not a new account: the old flag does not cover it
    assert dump_tables(store) == before
    assert sign_in_attempt(store, "ana", "la clave del intruso", "10.0.0.9").user is None

    monkeypatch.setenv("DATABASE_URL", store.engine.url.render_as_string(hide_password=False))
    assert cli.main(["restore", str(path), "--dry-run"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["account_changes"] == [{"username": "ana", "role": "staff", "change": "password_changed"}]
    assert shown["dry_run"] is True
    assert dump_tables(store)["users"] == before["users"]  # the dry run changed nothing

    restore(store, path, allow_account_changes=True)
    assert sign_in_attempt(store, "ana", "la clave del intruso", "10.0.0.9").user.username == "ana"


@pytest.mark.both_stores
def test_restore_refuses_widened_cooperatives_and_new_accounts(store, tmp_path, monkeypatch, capsys):
    """A member who gains another cooperative would see its sales; a new member account could sign in:
    both are listed and refused (a backup of this very store restores as it is)."""
    filled_store(store, tmp_path)
    before = dump_tables(store)
    same = tmp_path / "same.json"
    backup(store, same)
    assert restore(store, same)["users"] == 2  # nothing changed in accounts: no flag needed

    def widen(document: dict, rows: list) -> None:
        luis = next(row for row in rows if row[column(document, "users", "username")] == "luis")
        luis[column(document, "users", "cooperatives")] = json.dumps(["Coop", "Otra Coop"])
        eve = list(luis)
        eve[column(document, "users", "username")] = "eve"
        rows.append(eve)

    path, _ = _tampered(store, tmp_path, widen)
    with pytest.raises(BackupError) as refused:
        restore(store, path)
    assert "luis: cooperatives_added (Otra Coop); eve: new." in str(refused.value)
    assert dump_tables(store) == before
    monkeypatch.setenv("DATABASE_URL", store.engine.url.render_as_string(hide_password=False))
    assert cli.main(["restore", str(path), "--dry-run"]) == 0
    assert json.loads(capsys.readouterr().out)["account_changes"] == [
        {"username": "luis", "role": "member", "change": "cooperatives_added", "cooperatives": ["Otra Coop"]},
        {"username": "eve", "role": "member", "change": "new"},
    ]
    with pytest.raises(BackupError, match=r"luis: cooperatives_added \(Otra Coop\)\. Nothing"):
        restore(store, path, allow_new_staff=True)  # the new account passes, the widening does not
    restore(store, path, allow_account_changes=True)
    assert find_user(store, "luis").scope.cooperatives == frozenset({"Coop", "Otra Coop"})
    assert find_user(store, "eve") is not None


def test_a_backup_nested_100000_deep_is_refused_quickly(store, tmp_path):
    """330 bytes of gzip that open 100,000 arrays: ijson's prefixes grew with the square of the depth
    (4.7 GB, then MemoryError); now refused at the ninth level."""
    filled_store(store, tmp_path)
    before = dump_tables(store)
    bomb = tmp_path / "deep.json.gz"
    head = b'{"format": "gold-dashboard-backup", "version": 2, "tables": {"prices": {"columns": '
    bomb.write_bytes(gzip.compress(head + b"[" * 100_000, 9))
    assert bomb.stat().st_size < 400
    started = time.monotonic()
    with pytest.raises(BackupError, match="deep.json.gz nests deeper than a backup does"):
        restore(store, bomb)
    assert time.monotonic() - started < 2
    assert dump_tables(store) == before
