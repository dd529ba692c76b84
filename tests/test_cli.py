"""The CLI contract: JSON on stdout, exact field names, a one-line reason and non-zero exit on bad input."""

import json
import os
import subprocess
import sys

import pytest

from tests.conftest import COP_YAHOO, GOLD_LBMA, PROJECT_ROOT, SAMPLES, shared_file


def cli(*args: str, db_url: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": db_url, "GOLD_DASHBOARD_OFFLINE": "1"}
    return subprocess.run(
        [sys.executable, str(PROJECT_ROOT / "cli.py"), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def test_prices_import_show_and_benchmark_on_real_files(db_url):
    gold = cli("prices", "import", str(shared_file(GOLD_LBMA)), db_url=db_url)
    assert gold.returncode == 0, gold.stderr
    report = json.loads(gold.stdout)
    assert {"format", "series", "rows_read", "rows_stored", "first", "last", "flagged", "rejected"} <= set(
        report
    )
    assert (report["format"], report["series"], report["rows_read"], report["rows_stored"]) == (
        "fred",
        "GOLD_USD",
        13_807,
        13_291,
    )
    assert report["rejected"][0] == {"line": 11, "date": "1968-04-12", "reason": "missing value '.'"}
    assert set(report["flagged"][0]) >= {"date", "reason"}

    cop = json.loads(cli("prices", "import", str(shared_file(COP_YAHOO)), db_url=db_url).stdout)
    assert (cop["series"], cop["rows_stored"], cop["last"]) == ("USD_COP", 1_468, "2021-10-06")

    shown = json.loads(cli("prices", "show", "GOLD_USD", "--start", "2021-03-01", db_url=db_url).stdout)
    assert shown == [{"date": "2021-03-01", "value": 1734.15}, {"date": "2021-03-02", "value": 1723.85}]

    # Sunday 2020-05-10: gold from Thursday 7 May (8 May was a UK bank holiday), COP from Friday 8 May
    quote = json.loads(cli("benchmark", "--date", "2020-05-10", "--currency", "COP", db_url=db_url).stdout)
    assert {k: quote[k] for k in ("date", "gold_date", "fx_date", "currency", "unit")} == {
        "date": "2020-05-10",
        "gold_date": "2020-05-07",
        "fx_date": "2020-05-08",
        "currency": "COP",
        "unit": "g",
    }
    assert quote["price"] == pytest.approx(quote["gold_usd_per_oz"] * quote["fx"] / 31.1034768)
    assert quote["gold_usd_per_oz"] == 1704.05


def test_reimport_adds_nothing(db_url):
    sample = str(SAMPLES / "trm_datos_gov_co_format.csv")
    first = json.loads(cli("prices", "import", sample, db_url=db_url).stdout)
    again = json.loads(cli("prices", "import", sample, db_url=db_url).stdout)
    assert first["rows_stored"] == again["rows_stored"] == 8
    assert (first["rows_new"], again["rows_new"]) == (8, 0)
    assert len(json.loads(cli("prices", "show", "USD_COP", db_url=db_url).stdout)) == 8


@pytest.mark.parametrize(
    "args, reason",
    [
        (["prices", "import", "/no/such/file.csv"], "no such file"),
        (
            ["prices", "import", str(SAMPLES / "generic_semicolon_decimal_comma.csv")],
            "cannot tell which series",
        ),
        (["prices", "show", "GOLD_EUR"], "unknown series"),
        (["benchmark", "--date", "2024-05-10", "--currency", "COP"], "no GOLD_USD stored"),
    ],
)
def test_bad_input_exits_non_zero_with_one_line(db_url, args, reason):
    result = cli(*args, db_url=db_url)
    assert result.returncode == 2
    assert result.stdout == ""
    assert reason in result.stderr and result.stderr.count("\n") == 1
