"""The CLI contract: JSON on stdout, exact field names, a one-line reason and non-zero exit on bad input."""

import json
import os
import subprocess
import sys

import pandas as pd
import pytest

from tests.conftest import COP_YAHOO, GOLD_LBMA, PROJECT_ROOT, SAMPLES, shared_file


def cli(*args: str, db_url: str, password: str | None = None) -> subprocess.CompletedProcess:
    """cli.py in a subprocess, offline, on the test's store; `password` is GOLD_DASHBOARD_PASSWORD."""
    env = {**os.environ, "DATABASE_URL": db_url, "GOLD_DASHBOARD_OFFLINE": "1"}
    env.pop("GOLD_DASHBOARD_PASSWORD", None)
    if password is not None:
        env["GOLD_DASHBOARD_PASSWORD"] = password
    return subprocess.run(
        [sys.executable, str(PROJECT_ROOT / "cli.py"), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        stdin=subprocess.DEVNULL,  # never wait at a password prompt
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
    assert report["rejected"][0] == {
        "line": 11,
        "date": "1968-04-12",
        "reason": "missing value '.'",
        "code": "value_missing",
        "value": ".",
        "problems": [{"code": "value_missing", "value": "."}],
    }
    assert set(report["flagged"][0]) >= {"date", "reason"}

    cop = json.loads(cli("prices", "import", str(shared_file(COP_YAHOO)), db_url=db_url).stdout)
    assert (cop["series"], cop["rows_stored"], cop["last"]) == ("USD_COP", 1_468, "2021-10-06")

    shown = json.loads(cli("prices", "show", "GOLD_USD", "--start", "2021-03-01", db_url=db_url).stdout)
    assert shown == [
        {"date": "2021-03-01", "value": 1734.15, "source": "lbma"},
        {"date": "2021-03-02", "value": 1723.85, "source": "lbma"},
    ]

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
    assert (quote["gold_source"], quote["fx_source"], quote["stale"]) == ("lbma", "yahoo:COP=X", False)


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


def test_backtest_and_forecast_contract_on_a_derived_local_price(db_url, tmp_path):
    for name in (GOLD_LBMA, COP_YAHOO):
        assert cli("prices", "import", str(shared_file(name)), db_url=db_url).returncode == 0
    folds_csv = tmp_path / "folds.csv"
    run = cli(
        "backtest", "GOLD_COP_G", "--horizon", "20", "--step", "20", "--start", "2018-01-01",
        "--models", "random_walk,theta", "--folds-csv", str(folds_csv), db_url=db_url,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    report = json.loads(run.stdout)
    assert {"series", "horizon", "step", "folds", "first_origin", "last_origin", "models", "selected"} <= set(
        report
    )
    assert (report["series"], report["horizon"], report["step"]) == ("GOLD_COP_G", 20, 20)
    assert report["first_origin"] >= "2018-01-01" and report["last_origin"] < "2021-03-02"
    # origins: the first local-price day of 2018, then every 20th day, each followed by 20 days of data
    from data.market.market_data import target_prices
    from data.store import MarketStore

    days = target_prices(MarketStore.from_url(db_url).load_series, "GOLD_COP_G").index.strftime("%Y-%m-%d")
    first, last = list(days).index(report["first_origin"]), list(days).index(report["last_origin"])
    assert days[first - 1] < "2018-01-01" <= days[first]
    assert last - first == 20 * (report["folds"] - 1)
    assert last + 20 <= len(days) - 1 < last + 40
    names = [model["name"] for model in report["models"]]
    assert names == ["random_walk", "theta"]
    for model in report["models"]:
        assert {"name", "rmae", "mase", "coverage_80", "coverage_95", "width_80", "seconds"} <= set(model)
        assert model["interval_score_95"] > model["interval_score_80"] > 0  # COP per gram
    assert report["models"][0]["rmae"] == 1.0
    assert report["selected"] in names
    assert 0 < report["skill_p_value"] <= 1 and (report["skill_p_value"] == 1.0) == (
        report["selected"] == "random_walk"
    )
    folds = pd.read_csv(folds_csv)
    assert list(folds.columns) == [
        "model",
        "origin",
        "step",
        "date",
        "actual",
        "mean",
        "lo80",
        "hi80",
        "lo95",
        "hi95",
    ]
    assert len(folds) == 2 * report["folds"] * 20  # models × origins × steps
    assert folds["origin"].iloc[0] == report["first_origin"] and folds["step"].max() == 20
    assert (folds["lo95"] <= folds["lo80"]).all() and (folds["hi80"] <= folds["hi95"]).all()

    run = cli("forecast", "GOLD_COP_G", "--horizon", "5", "--model", "random_walk", db_url=db_url)
    assert run.returncode == 0, run.stderr
    forecast = json.loads(run.stdout)
    assert forecast["model"] == "random_walk" and forecast["origin"] == "2021-03-02"
    assert [point["date"] for point in forecast["points"]] == [
        "2021-03-03", "2021-03-04", "2021-03-05", "2021-03-08", "2021-03-09",
    ]  # fmt: skip
    # no change: the mean is the last local price, 1723.85 USD/oz × 3,646.62 COP/USD... as stored
    benchmark = json.loads(
        cli("benchmark", "--date", "2021-03-02", "--currency", "COP", db_url=db_url).stdout
    )
    assert forecast["points"][0]["mean"] == pytest.approx(benchmark["price"], rel=1e-12)
    first = forecast["points"][0]
    assert first["lo_95"] < first["lo_80"] < first["mean"] < first["hi_80"] < first["hi_95"]


def test_backtest_errors_are_one_line(db_url):
    unknown = cli("backtest", "GOLD_XYZ_G", db_url=db_url)
    assert unknown.returncode == 2 and "GOLD_<currency>_<unit>" in unknown.stderr
    empty = cli("forecast", "GOLD_COP_G", db_url=db_url)
    assert empty.returncode == 2 and empty.stderr.startswith("error: no data for GOLD_COP_G")


def test_ledger_import_and_premiums_contract(db_url, store):
    days = pd.to_datetime(["2024-05-09", "2024-05-10"])
    store.write_series("GOLD_USD", pd.DataFrame({"date": days, "value": [2340.0, 2360.0]}), "test")
    store.write_series("USD_COP", pd.DataFrame({"date": days, "value": [3890.0, 3900.0]}), "test")
    sample = str(SAMPLES / "ledger_semicolon_decimal_comma.csv")
    run = cli("ledger", "import", sample, "--cooperative", "Coop", db_url=db_url)
    assert run.returncode == 0, run.stderr
    printed = json.loads(run.stdout)
    # issue 22 added what the import understood and the corrections of stored lots; nothing renamed
    assert printed["mapping"]["amount_received"] == "Valor recibido" and printed["conversions"] == []
    assert printed["changed"] == [] and printed["changes_applied"] == 0
    # issue 29 added how the date column's order was decided and the sheet's own totals; nothing renamed
    assert (
        printed["date_order"] == {"order": "day_first", "decided_by": "undecided"} and printed["totals"] == []
    )
    assert printed["sheets"] == []  # a CSV file has no sheets (issue 29: a workbook lists each one)
    assert {
        key: printed[key]
        for key in printed
        if key
        not in (
            "mapping",
            "conversions",
            "changed",
            "changes_applied",
            "understood",
            "date_order",
            "totals",
            "sheets",
        )
    } == {  # fmt: skip
        "rows_read": 2,
        "inserted": 2,
        "duplicates": 0,
        "flagged": [],
        "rejected": [],
        "skipped": [],  # added: TOTAL rows skipped
        "currency": None,  # added: the currency of rows that name none (the file has a currency column)
    }
    again = json.loads(cli("ledger", "import", sample, "--cooperative", "Coop", db_url=db_url).stdout)
    assert (again["inserted"], again["duplicates"]) == (0, 2)

    report = json.loads(cli("premiums", "--cooperative", "Coop", db_url=db_url).stdout)
    benchmark = 2360 * 3900 / 31.1034768
    first, second = report["sales"]
    for sale in report["sales"]:
        assert {"sale_id", "date", "fine_gold_g", "benchmark_price_per_g", "realised_price_per_g", "premium_pct",
                "premium_due_usd", "premium_received_usd", "meets_minimum_price"} <= set(sale)  # fmt: skip
    assert first["sale_id"] == "A-1" and first["date"] == "2024-05-10"
    assert first["benchmark_price_per_g"] == pytest.approx(benchmark)
    assert first["premium_pct"] == pytest.approx(-3.0, abs=1e-6)  # 25.833.420,65 = 90 g × 97 % × benchmark
    assert first["premium_due_usd"] == pytest.approx(360.0) and first["meets_minimum_price"] is True
    assert second["fine_gold_g"] == pytest.approx(43.75, abs=1e-5)  # 10,869565 castellanos × 4.6 g × 0.875
    assert second["premium_pct"] == pytest.approx(-10.0, abs=1e-4) and second["meets_minimum_price"] is False
    summary = report["summary"]
    assert {"fine_gold_g", "benchmark_value", "amount_received", "premium_pct_weighted"} <= set(summary)
    assert summary["premium_pct_weighted"] == pytest.approx((-3.0 * 90 - 10.0 * 43.75) / 133.75, abs=1e-4)
    assert summary["amount_received"] == pytest.approx(25_833_420.65 + 11_651_671.69)

    outside = cli("premiums", "--cooperative", "Coop", "--start", "2025-01-01", db_url=db_url)
    assert outside.returncode == 2 and "no sales stored for this selection" in outside.stderr
    bad = cli("ledger", "import", sample, db_url=db_url)  # no cooperative column and no --cooperative
    assert bad.returncode == 2 and "missing columns: cooperative" in bad.stderr


def test_ledger_import_of_the_bookkeepers_sheet_with_cooperative_alone_and_currency(db_url, tmp_path):
    sheet = tmp_path / "ventas.csv"
    sheet.write_bytes(
        "Fecha;Comprador;Peso bruto (g);Ley;Valor recibido (COP);Certificación;Prima Fairmined (USD)\n"
        "10/05/2024;C.I. Metales;100,5;875;26.133.420,65;Fairmined;351,75\n"
        "17/05/2024;Refinería Uno;10.5;0,875;11.000.000;Ninguna;\n"
        ";TOTAL;110,0;;37.133.420,65;;351,75\n".encode("cp1252")
    )
    run = cli("ledger", "import", str(sheet), "--cooperative", "Coop", db_url=db_url)
    assert run.returncode == 0, run.stderr
    report = json.loads(run.stdout)
    assert (report["rows_read"], report["inserted"], report["currency"]) == (3, 1, "COP")
    assert report["rejected"] == [
        {
            "line": 3,
            "reason": "weight '10.5' is ambiguous in this file (it writes decimals with a comma): "
            "write it as the other rows do",
            "code": "number_ambiguous",
        }
    ]
    assert report["skipped"] == [
        {"line": 4, "reason": "a total or subtotal row ('TOTAL'): skipped", "code": "total_row"}
    ]
    again = json.loads(cli("ledger", "import", str(sheet), "--cooperative", "Coop", db_url=db_url).stdout)
    assert (again["inserted"], again["duplicates"]) == (0, 1)

    plain = tmp_path / "soles.csv"
    plain.write_text("Fecha;Peso bruto (g);Ley;Valor recibido\n10/05/2024;20;0,9;4.500\n", encoding="utf-8")
    refused = cli("ledger", "import", str(plain), "--cooperative", "Coop", db_url=db_url)
    assert refused.returncode == 2 and "missing columns: currency" in refused.stderr
    run = cli("ledger", "import", str(plain), "--cooperative", "Coop", "--currency", "PEN", db_url=db_url)
    assert run.returncode == 0, run.stderr
    assert (json.loads(run.stdout)["inserted"], json.loads(run.stdout)["currency"]) == (1, "PEN")


def test_signals_and_sell_policy_contract(db_url, store):
    import numpy as np

    days = pd.bdate_range("2015-01-05", periods=1_500)
    rng = np.random.default_rng(4)
    gold = 1_200 * np.exp(np.cumsum(rng.normal(0.0002, 0.01, len(days))))
    store.write_series("GOLD_USD", pd.DataFrame({"date": days, "value": gold}), "test")
    as_of = days[1_000]
    run = cli("signals", "GOLD_USD", "--date", f"{as_of:%Y-%m-%d}", "--language", "es", db_url=db_url)
    assert run.returncode == 0, run.stderr
    signal = json.loads(run.stdout)
    assert {"date", "recommendation", "confidence", "probability_higher", "reasons", "indicators"} <= set(
        signal
    )
    assert signal["date"] == f"{as_of:%Y-%m-%d}" and signal["indicators"]["price"] == pytest.approx(
        gold[1_000]
    )
    assert signal["recommendation"] in ("sell_now", "sell_part", "hold")
    assert 0 <= signal["probability_higher"] <= 1 and all(isinstance(r, str) for r in signal["reasons"])
    # sentences in the requested language, written by i18n from the codes that sit beside them
    assert len(signal["reasons"]) == len(signal["reason_codes"]) >= 1
    assert {"code", "params", "points"} <= set(signal["reason_codes"][0])
    probability = next(r for r in signal["reasons"] if r.startswith("Probabilidad de que el precio"))
    assert probability.endswith(" %.")  # es: "…: 42 %."

    run = cli(
        "sell-policy", "GOLD_USD", "--weekly-grams", "1000", "--max-hold-days", "30",
        "--holding-cost-pct-month", "0.5", "--policy", "thirds", "--start", "2016-01-01", "--end", "2019-12-31",
        db_url=db_url,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    report = json.loads(run.stdout)
    assert {
        "policy",
        "lots",
        "baseline_price",
        "policy_price",
        "uplift_pct",
        "uplift_ci95",
        "by_year",
    } <= set(report)
    # baseline: each week's first trading day in 2016–2019, sold that day at that day's price
    # (a week's first trading day over the whole series: Friday 1 Jan 2016 belongs to a week begun in 2015)
    prices = pd.Series(gold, index=days)
    weeks = prices.index.to_period("W-SUN")
    first_days = prices[np.r_[True, weeks[1:] != weeks[:-1]]]["2016-01-01":"2019-12-31"]
    assert report["lots"] == len(first_days)
    assert report["baseline_price"] == pytest.approx(first_days.mean())
    assert report["uplift_pct"] == pytest.approx(
        (report["policy_price"] / report["baseline_price"] - 1) * 100
    )
    low, high = report["uplift_ci95"]
    assert low <= report["uplift_pct"] <= high
    assert [row["year"] for row in report["by_year"]] == [2016, 2017, 2018, 2019]

    bad = cli("sell-policy", "GOLD_USD", "--policy", "moon", db_url=db_url)
    assert bad.returncode == 2 and "invalid choice" in bad.stderr
