"""Exchange-rate kinds (issue 31): official, reference and market rates of one currency are stored apart,
each price names the kind it used, and the setting GOLD_DASHBOARD_RATE_KIND picks the default."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from sqlalchemy import create_engine, text

from data.market.rate_kinds import choose_rate_kind, configured_rate_kinds
from data.store import MarketStore
from tests.conftest import GOLD_LBMA, shared_file
from tests.test_cli import cli

OZ = 31.1034768
#: The LBMA PM fix on Monday 1 March 2021 in the FRED file (tests/test_cli.py shows it).
GOLD_2021_03_01 = 1734.15
#: Hand-made Bolivian rates for the week: the official peg, and a reference rate as the BCB's first one.
OFFICIAL_BOB, REFERENCE_BOB = 6.96, 9.32
DAYS = ["2021-02-24", "2021-02-25", "2021-02-26", "2021-03-01", "2021-03-02"]


def _rate_file(tmp_path, name: str, value: float):
    path = tmp_path / name
    path.write_text("date,value\n" + "".join(f"{day},{value}\n" for day in DAYS), encoding="utf-8")
    return str(path)


def _bolivian_store(db_url, tmp_path) -> None:
    assert cli("prices", "import", str(shared_file(GOLD_LBMA)), db_url=db_url).returncode == 0
    official = cli(
        "prices",
        "import",
        _rate_file(tmp_path, "bob.csv", OFFICIAL_BOB),
        "--series",
        "USD_BOB",
        db_url=db_url,
    )
    assert official.returncode == 0, official.stderr
    assert json.loads(official.stdout)["rate_kind"] == "official"


def _benchmark(db_url, *extra: str) -> dict:
    run = cli("benchmark", "--currency", "BOB", "--unit", "g", "--date", "2021-03-01", *extra, db_url=db_url)
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout)


def test_bolivia_official_and_reference_rates_apart(db_url, tmp_path, monkeypatch):
    _bolivian_store(db_url, tmp_path)
    shown_before = cli("prices", "show", "USD_BOB", db_url=db_url).stdout
    reference = cli(
        "prices",
        "import",
        _rate_file(tmp_path, "bcb_referencial.csv", REFERENCE_BOB),
        "--series",
        "USD_BOB",
        "--rate-kind",
        "reference",
        db_url=db_url,
    )
    assert reference.returncode == 0, reference.stderr
    assert (json.loads(reference.stdout)["rate_kind"], json.loads(reference.stdout)["rows_new"]) == (
        "reference",
        5,
    )
    # the official series is unchanged by the reference import
    assert cli("prices", "show", "USD_BOB", db_url=db_url).stdout == shown_before
    assert [row["value"] for row in json.loads(shown_before)] == [OFFICIAL_BOB] * 5

    official = _benchmark(db_url)
    assert official["price"] == pytest.approx(GOLD_2021_03_01 * 6.96 / OZ)  # Bs 388,04 per gram
    assert official["price"] == pytest.approx(388.0494, abs=1e-4)
    assert (official["rate_kind"], official["rate_kind_fallback"], official["fx"]) == (
        "official",
        False,
        6.96,
    )
    assert official["gold_statistic"] == "LBMA Gold Price PM"

    at_reference = _benchmark(db_url, "--rate-kind", "reference")
    assert at_reference["price"] == pytest.approx(GOLD_2021_03_01 * 9.32 / OZ)  # Bs 519,61
    assert (at_reference["rate_kind"], at_reference["fx"]) == ("reference", 9.32)

    # no market rate is stored: official, and the answer says it fell back
    at_market = _benchmark(db_url, "--rate-kind", "market")
    assert (at_market["rate_kind"], at_market["rate_kind_requested"], at_market["rate_kind_fallback"]) == (
        "official",
        "market",
        True,
    )
    assert at_market["price"] == pytest.approx(official["price"])

    monkeypatch.setenv("GOLD_DASHBOARD_RATE_KIND", "BOB=reference;MNT=official")
    switched = _benchmark(db_url)
    assert (switched["rate_kind"], switched["price"]) == ("reference", pytest.approx(at_reference["price"]))
    assert _benchmark(db_url, "--rate-kind", "official")["price"] == pytest.approx(official["price"])


def test_bolivian_cooperative_premiums_card_and_briefing_name_the_kind(db_url, tmp_path, monkeypatch):
    _bolivian_store(db_url, tmp_path)
    cli(
        "prices", "import", _rate_file(tmp_path, "ref.csv", REFERENCE_BOB), "--series", "USD_BOB",
        "--rate-kind", "reference", db_url=db_url,
    )  # fmt: skip
    ledger = tmp_path / "ventas.csv"
    # 100 g at ley 0.9 = 90 g fine, paid Bs 45.000: Bs 500 per fine gram
    ledger.write_text(
        "Lote;Fecha;Comprador;Peso bruto;Unidad;Ley;Moneda;Valor recibido;Certificación;Prima USD\n"
        "B-1;01/03/2021;Comprador Uno;100;g;0,9;BOB;45.000;Ninguna;0\n",
        encoding="utf-8",
    )
    run = cli("ledger", "import", str(ledger), "--cooperative", "Coop Potosí", db_url=db_url)
    assert run.returncode == 0, run.stderr

    def sale() -> dict:
        report = cli("premiums", "--cooperative", "Coop Potosí", db_url=db_url)
        assert report.returncode == 0, report.stderr
        return json.loads(report.stdout)["sales"][0]

    official = sale()
    assert official["rate_kind"] == "official"
    assert official["benchmark_price_per_g"] == pytest.approx(388.0494, abs=1e-4)
    assert official["premium_pct"] == pytest.approx((500 / 388.0494 - 1) * 100, abs=1e-3)  # +28,85 %

    monkeypatch.setenv("GOLD_DASHBOARD_RATE_KIND", "BOB=reference")
    at_reference = sale()
    assert at_reference["rate_kind"] == "reference"
    reference_price = GOLD_2021_03_01 * 9.32 / OZ
    assert at_reference["benchmark_price_per_g"] == pytest.approx(reference_price)
    assert at_reference["premium_pct"] == pytest.approx(
        (500 / reference_price - 1) * 100, abs=1e-3
    )  # −3,77 %

    out = tmp_path / "tarjeta.html"
    card = cli(
        "card", "--currency", "BOB", "--unit", "g", "--language", "es", "--date", "2021-03-01", "--out", str(out),
        db_url=db_url,
    )  # fmt: skip
    assert card.returncode == 0, card.stderr
    assert json.loads(card.stdout)["rate_kind"] == "reference"
    assert "Tasa de cambio: referencial del BCB." in out.read_text(encoding="utf-8")
    brief = cli(
        "briefing",
        "--period",
        "2021-03",
        "--language",
        "es",
        "--out",
        str(tmp_path / "b.html"),
        db_url=db_url,
    )
    assert brief.returncode == 0, brief.stderr
    countries = json.loads(brief.stdout)
    gold_03_02 = 1723.85  # the fix on the period's last day with a price
    assert countries["rate_kinds"]["BOB"] == "reference"
    assert countries["prices_by_rate_kind"]["BOB"] == {
        "official": pytest.approx(gold_03_02 * 6.96 / OZ),
        "reference": pytest.approx(gold_03_02 * 9.32 / OZ),
    }
    html = (tmp_path / "b.html").read_text(encoding="utf-8")
    # the country table names the kind, and the note gives the gram at each kind with the gap (9,32 / 6,96)
    assert "<td>referencial del BCB</td>" in html
    assert "a la tasa referencial del BCB: Bs 516,54 (+33,9 % frente a la oficial)" in html
    english = tmp_path / "card.html"
    cli(
        "card", "--currency", "BOB", "--unit", "g", "--language", "en", "--date", "2021-03-01", "--out",
        str(english), "--rate-kind", "market", db_url=db_url,
    )  # fmt: skip
    assert (
        "Exchange rate: official. No market rate is stored: the official one was used."
        in english.read_text(encoding="utf-8")
    )


def test_rate_kind_setting_and_fallback():
    assert choose_rate_kind("BOB", ["official", "reference"], "reference").used == "reference"
    missing = choose_rate_kind("BOB", ["official"], "market")
    assert (missing.used, missing.requested, missing.fell_back) == ("official", "market", True)


def test_rate_kind_setting_reads_currency_pairs(monkeypatch):
    monkeypatch.setenv("GOLD_DASHBOARD_RATE_KIND", " bob=Reference ; MNT=official;COP=street")
    assert configured_rate_kinds() == {"BOB": "reference", "MNT": "official"}  # an unknown kind is left out


@pytest.mark.both_stores
def test_a_store_from_before_kinds_migrates_every_value_to_official(db_url):
    engine = create_engine(db_url)
    with engine.begin() as conn:  # the prices table as it was: no rate_kind in its key
        conn.execute(
            text(
                "CREATE TABLE prices (series_id VARCHAR(32) NOT NULL, source VARCHAR(200) NOT NULL, "
                "date DATE NOT NULL, value FLOAT NOT NULL, PRIMARY KEY (series_id, source, date))"
            )
        )
        conn.execute(
            text(
                "INSERT INTO prices VALUES ('USD_BOB', 'file:bob.csv', '2025-12-01', 6.96), "
                "('USD_PEN', 'bcrp', '2024-06-05', 3.747)"
            )
        )
    engine.dispose()
    store = MarketStore.from_url(db_url)
    assert store.stored_rate_kinds("USD_BOB") == ["official"]
    assert store.load_series("USD_PEN").to_dict() == {pd.Timestamp("2024-06-05"): 3.747}
    store.write_series("USD_BOB", pd.DataFrame({"date": [pd.Timestamp("2025-12-01")], "value": [9.32]}),
                       "file:bcb.csv", "reference")  # fmt: skip
    assert store.load_series("USD_BOB", rate_kind="official").tolist() == [6.96]
    assert store.load_series("USD_BOB", rate_kind="reference").tolist() == [9.32]
    assert store.stored_rate_kinds("USD_BOB") == ["official", "reference"]
    store.engine.dispose()


def test_a_backup_from_before_kinds_restores_every_price_as_official(store, tmp_path):
    from data.store.backup import backup, restore

    day = pd.DataFrame({"date": [pd.Timestamp("2025-12-01")], "value": [6.96]})
    store.write_series("USD_BOB", day, "file:bob.csv")
    path = tmp_path / "b.json"
    backup(store, path)
    old = path.read_text(encoding="utf-8").replace(
        '"columns":["series_id","rate_kind","source","date","value"]',
        '"columns":["series_id","source","date","value"]',
    )
    old = old.replace('["USD_BOB","official","file:bob.csv"', '["USD_BOB","file:bob.csv"')
    assert '"rate_kind"' not in old  # a backup as written before kinds
    (tmp_path / "old.json").write_text(old, encoding="utf-8")
    store.write_series("USD_BOB", day.assign(value=9.32), "file:bcb.csv", "reference")
    assert restore(store, tmp_path / "old.json")["prices"] == 1
    assert store.stored_rate_kinds("USD_BOB") == ["official"]
    assert store.load_series("USD_BOB").tolist() == [6.96]
