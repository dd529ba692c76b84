"""Every value is kept with its source; a precedence picks each day's value, whatever the import order; a file
in the wrong unit is refused whole (issue: figures that stay true in ordinary use)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from data.market.importers import PriceFileError
from data.market.market_data import import_prices
from data.market.sources import combine_sources, source_spans
from data.store import MarketStore
from tests.conftest import COP_YAHOO, GOLD_LBMA, SAMPLES, shared_file
from tests.test_cli import cli

STOOQ = SAMPLES / "xauusd_d.csv"  # spot, 6–10 May 2024: 2323.5, 2314.3, 2309.0, 2346.6, 2360.7
FUTURES = SAMPLES / "yahoo_new_gc_f.csv"  # GC=F, the same days: 2331.199951, ..., 2375.0


def gold_after(store: MarketStore, *paths) -> pd.DataFrame:
    for path in paths:
        import_prices(store, path.read_bytes(), path.name)
    return store.load_series_with_sources("GOLD_USD")


@pytest.mark.both_stores
def test_import_order_does_not_change_a_days_price(db_url, tmp_path):
    first = gold_after(MarketStore.from_url(db_url), STOOQ, FUTURES)
    other_url = f"sqlite:///{tmp_path / 'other.sqlite'}"
    second = gold_after(MarketStore.from_url(other_url), FUTURES, STOOQ)
    pd.testing.assert_frame_equal(first, second)
    # spot before futures (DOMAIN.md): the Stooq close, labelled as such, on every day
    assert first["value"].tolist() == [2323.5, 2314.3, 2309.0, 2346.6, 2360.7]
    assert set(first["source"]) == {"stooq"}


@pytest.mark.both_stores
def test_a_second_source_never_overwrites_the_first(store):
    gold_after(store, STOOQ, FUTURES)
    everything = store.load_series_sources("GOLD_USD")
    assert sorted(everything["source"].unique()) == ["stooq", "yahoo:GC=F"]
    assert len(everything) == 10  # five days from each source, both kept
    # a Yahoo refresh writes its own source: the imported spot keeps its label and its days
    refresh = pd.DataFrame({"date": pd.to_datetime(["2024-05-10", "2024-05-13"]), "value": [2376.0, 2380.0]})
    store.write_series("GOLD_USD", refresh, "yahoo:GC=F")
    combined = store.load_series_with_sources("GOLD_USD")
    assert combined.loc["2024-05-10", "source"] == "stooq" and combined.loc["2024-05-10", "value"] == 2360.7
    assert combined.loc["2024-05-13", "source"] == "yahoo:GC=F"  # a day only the futures have
    spans = source_spans(combined["source"])
    assert [(source, days) for source, _, _, days in spans] == [("stooq", 5), ("yahoo:GC=F", 1)]


def test_the_precedence_is_a_setting(monkeypatch):
    values = pd.DataFrame(
        {
            "date": pd.to_datetime(["2024-05-06", "2024-05-06", "2024-05-07"]),
            "source": ["lbma", "stooq", "stooq"],
            "value": [2300.0, 2323.5, 2314.3],
        }
    )
    assert combine_sources("GOLD_USD", values)["source"].tolist() == ["lbma", "stooq"]
    monkeypatch.setenv("GOLD_DASHBOARD_SOURCE_PRECEDENCE", "GOLD_USD=stooq,lbma")
    assert combine_sources("GOLD_USD", values)["value"].tolist() == [2323.5, 2314.3]


def test_cli_shows_sources_and_reports_the_overlap(db_url, tmp_path):
    lbma = cli("prices", "import", str(shared_file(GOLD_LBMA)), db_url=db_url)
    assert lbma.returncode == 0, lbma.stderr
    assert json.loads(lbma.stdout)["overlap"] is None and json.loads(lbma.stdout)["source"] == "lbma"
    # a spot file over the fix's last days, one cent to a few dollars off: reported, both kept
    last = json.loads(cli("prices", "show", "GOLD_USD", "--start", "2021-02-22", db_url=db_url).stdout)
    spot = tmp_path / "xauusd_d.csv"  # Stooq's layout: the importer names its source "stooq"
    spot.write_text(
        "Date,Open,High,Low,Close,Volume\n"
        + "".join(f"{row['date']},{(v := round(row['value'] * 1.002, 2))},{v},{v},{v},0\n" for row in last),
        encoding="utf-8",
    )
    path = str(spot)
    imported = cli("prices", "import", path, db_url=db_url)
    assert imported.returncode == 0, imported.stderr
    overlap = json.loads(imported.stdout)["overlap"]
    assert overlap["rows"] == len(last) and overlap["source"] == "lbma"
    assert overlap["median_diff_pct"] == pytest.approx(0.2, abs=0.01)
    assert overlap["max_diff_pct"] == pytest.approx(0.2, abs=0.01)
    shown = json.loads(cli("prices", "show", "GOLD_USD", "--start", "2021-02-22", db_url=db_url).stdout)
    assert {row["source"] for row in shown} == {"lbma"}  # the fix comes first


def write(tmp_path, name: str, rows: list[tuple[str, float]]) -> str:
    path = tmp_path / name
    path.write_text("date,value\n" + "".join(f"{day},{value}\n" for day, value in rows), encoding="utf-8")
    return str(path)


@pytest.mark.parametrize(
    ("transform", "cause"),
    [
        (lambda value: value / 1000, "written in thousands"),
        (lambda value: 1 / value, "inverted"),
    ],
)
def test_a_cop_file_in_the_wrong_unit_is_refused_against_stored_values(db_url, tmp_path, transform, cause):
    cop = cli("prices", "import", str(shared_file(COP_YAHOO)), db_url=db_url)
    assert cop.returncode == 0, cop.stderr
    stored = json.loads(cli("prices", "show", "USD_COP", "--start", "2021-09-01", db_url=db_url).stdout)
    before = cli("prices", "show", "USD_COP", db_url=db_url).stdout
    wrong = write(tmp_path, "usd_cop_mine.csv", [(row["date"], transform(row["value"])) for row in stored])
    refused = cli("prices", "import", wrong, "--series", "USD_COP", db_url=db_url)
    assert refused.returncode != 0 and cause in refused.stderr and "nothing stored" in refused.stderr
    assert len(refused.stderr.strip().splitlines()) == 1
    assert cli("prices", "show", "USD_COP", db_url=db_url).stdout == before  # nothing stored


@pytest.mark.parametrize(
    ("series", "value", "cause"),
    [
        ("USD_COP", 4.0123, "written in thousands"),
        ("USD_COP", 1 / 4012.3, "inverted"),
        ("GOLD_USD", 3348.21 / 31.1034768, "per gram in a per-troy-ounce"),
        ("USD_PEN", 3748.0, "a thousand times too large"),
    ],
)
def test_a_file_in_the_wrong_unit_is_refused_without_overlap_by_its_plausible_range(
    store, tmp_path, series, value, cause
):
    path = write(tmp_path, "mine.csv", [("2025-08-11", value), ("2025-08-12", value * 1.001)])
    with pytest.raises(PriceFileError, match=cause):
        import_prices(store, Path(path).read_bytes(), "mine.csv", series)
    assert store.load_series(series).empty


def test_the_benchmark_in_thousands_is_never_computed(db_url, tmp_path):
    """The reproduced case: COP per USD written in thousands made a gram worth COP 434.55, not 434,549.91."""
    gold = write(tmp_path, "gold.csv", [("2025-08-12", 3348.21)])
    assert (
        cli("prices", "import", gold, "--series", "GOLD_USD", "--source", "stooq", db_url=db_url).returncode
        == 0
    )
    thousands = write(tmp_path, "cop.csv", [("2025-08-11", 4.0123), ("2025-08-12", 4.0367)])
    refused = cli("prices", "import", thousands, "--series", "USD_COP", db_url=db_url)
    assert refused.returncode != 0 and "thousands" in refused.stderr
    good = write(tmp_path, "cop2.csv", [("2025-08-11", 4012.3), ("2025-08-12", 4036.7)])
    assert (
        cli("prices", "import", good, "--series", "USD_COP", "--source", "trm", db_url=db_url).returncode == 0
    )
    quote = json.loads(cli("benchmark", "--date", "2025-08-12", "--currency", "COP", db_url=db_url).stdout)
    assert quote["price"] == pytest.approx(3348.21 * 4036.7 / 31.1034768)  # 434,549.91... per gram
    assert (quote["gold_source"], quote["fx_source"]) == ("stooq", "trm")


def test_a_legacy_store_keeps_its_values_and_sources(tmp_path):
    """A store written before values were kept per source opens with every value and its label."""
    from sqlalchemy import create_engine, text

    url = f"sqlite:///{tmp_path / 'old.sqlite'}"
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(
            text(
                "CREATE TABLE observations (series_id VARCHAR(32), date DATE, value FLOAT, source VARCHAR(200))"
            )
        )
        conn.execute(
            text("INSERT INTO observations VALUES ('GOLD_USD', '2024-05-06', 2323.5, 'import:xauusd_d.csv')")
        )
    engine.dispose()
    store = MarketStore.from_url(url)
    frame = store.load_series_with_sources("GOLD_USD")
    assert frame["value"].tolist() == [2323.5] and frame["source"].tolist() == ["import:xauusd_d.csv"]
    assert store.versions()["series:GOLD_USD"] >= 1


def test_the_overview_says_where_the_source_changes(db_url):
    """Each view says which sources and dates it used, and where the source changes."""
    from tests.test_pages import app

    store = MarketStore.from_url(db_url)
    lbma = shared_file(GOLD_LBMA)
    import_prices(store, lbma.read_bytes(), lbma.name)
    later = pd.bdate_range("2021-03-03", "2021-03-12")
    store.write_series("GOLD_USD", pd.DataFrame({"date": later, "value": 1700.0}), "yahoo:GC=F")
    at = app().run()
    assert not at.exception, at.exception
    table = at.dataframe[-1].value.set_index("Serie")
    spans = table.loc["Oro en dólares", "Fuente por fechas"]  # the series in words, not GOLD_USD
    assert "oro, fijación LBMA" in spans and "2 mar 2021" in spans
    assert "Yahoo Finance GC=F (futuro COMEX) 3 mar 2021 – 12 mar 2021" in spans
