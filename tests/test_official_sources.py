"""The official sources (LBMA gold fix feed, datos.gov.co TRM, BCRP USD/PEN): each fetcher's stages on
recorded answers, and `prices refresh` end to end against a real HTTP server on loopback.

The recorded answers are built in each API's documented format from the real values in
../shared/data/market/ (tests/helpers/official_fixtures.py); the failure cases (refused, empty, changed
format, timeout, no connection) are small answers written here.
"""

from __future__ import annotations

import json
import re
import socket

import pandas as pd
import pytest
from sqlalchemy import select

from data.market import bcrp, lbma, trm
from data.market.http_source import (
    SourceConnectionError,
    SourceEmptyError,
    SourceFormatError,
    SourceRefusedError,
    SourceTimeoutError,
    get_json,
)
from data.market.importers import parse_price_file
from data.market.market_data import import_prices
from data.market.official import refresh_official
from data.store import MarketStore, observations_table
from services.price_today import price_today
from services.refresh import UnknownSourceError, configured_sources, refresh_failed, refresh_prices
from tests.helpers.loopback import Loopback, json_answer, loopback_server
from tests.helpers.official_fixtures import (
    bcrp_answer_from_shared_pen,
    lbma_feed_from_shared_fred,
    shared_cop,
    shared_lbma,
    shared_pen,
    trm_csv_export,
    trm_rows_from_shared_yahoo_cop,
    trm_windows_from_shared_yahoo_cop,
)
from tests.test_cli import cli

FAST = {"timeout_s": 2.0, "attempts": 2, "backoff_s": 0.0}

#: The store holds the shared files "as of" these days; the recorded answers go further.
LBMA_STORED_UNTIL = pd.Timestamp("2021-01-29")
TRM_STORED_UNTIL = pd.Timestamp("2021-09-15")  # windows beginning on or before it
PEN_STORED_UNTIL = pd.Timestamp("2024-05-15")


# ---------------------------------------------------------------- each fetcher's stages


def test_lbma_transform_reads_the_documented_feed_and_cuts_the_days_asked():
    payload = [
        {"d": "2024-05-09", "v": [2335.6, 1866.91, 2170.29]},
        {"d": "2024-05-10", "v": [2370.55, 1892.14, 2199.84], "is_cms_locked": 0},
        {"d": "2024-05-13", "v": [0, 0, 0]},  # a day without a USD fix
        {"d": "2024-05-14", "v": [2343.3, 1862.8, 2166.5]},
    ]
    rows = lbma.transform(payload, pd.Timestamp("2024-05-10"), pd.Timestamp("2024-05-31"))
    assert rows["date"].dt.strftime("%Y-%m-%d").tolist() == ["2024-05-10", "2024-05-14"]
    assert rows["value"].tolist() == [2370.55, 2343.3]
    assert lbma.build_query("http://x/gold_pm.json", pd.Timestamp("2024-05-10")) == (
        "http://x/gold_pm.json",
        {},
    )


@pytest.mark.parametrize(
    "payload",
    [
        {"gold": []},
        [{"date": "2024-05-10", "usd": 2370.5}],
        [{"d": "10/05/2024", "v": [2370.5]}],
        [{"d": "2024-05-10", "v": ["x"]}],
    ],
)
def test_lbma_changed_format_is_an_error_not_data(payload):
    with pytest.raises(SourceFormatError):
        lbma.transform(payload, pd.Timestamp("2024-01-01"))


def test_lbma_empty_feed_is_an_error():
    with pytest.raises(SourceEmptyError):
        lbma.transform([], pd.Timestamp("2024-01-01"))


def test_trm_query_uses_the_api_parameters():
    url, params = trm.build_query("http://x/32sa-8pi3.json", pd.Timestamp("2024-05-16"))
    assert url == "http://x/32sa-8pi3.json"
    assert params["$where"] == "vigenciadesde >= '2024-05-16T00:00:00'"
    assert params["$order"] == "vigenciadesde ASC" and int(params["$limit"]) >= 10_000
    assert set(params["$select"].split(",")) == {"valor", "unidad", "vigenciadesde", "vigenciahasta"}
    _, bounded = trm.build_query("http://x", pd.Timestamp("2024-05-16"), pd.Timestamp("2024-05-31"))
    assert bounded["$where"].endswith("AND vigenciadesde <= '2024-05-31T00:00:00'")


def test_trm_windows_give_the_same_days_and_values_as_the_csv_importer():
    """The same windows, as the API's JSON and as the dataset's CSV export, store the same days."""
    windows = trm_windows_from_shared_yahoo_cop().tail(40)
    from_api = trm.transform(trm_rows_from_shared_yahoo_cop(windows), pd.Timestamp("2000-01-01"))
    from_csv = parse_price_file(trm_csv_export(windows), "trm_export.csv").observations
    assert len(from_api) == (windows["hasta"].max() - windows["desde"].min()).days + 1  # every calendar day
    assert from_api["date"].tolist() == from_csv["date"].tolist()
    assert from_api["value"].tolist() == pytest.approx(from_csv["value"].tolist())
    # a Friday's value covers the weekend: 2021-10-01 (Fri) .. 2021-10-03 (Sun)
    friday = from_api.set_index("date")["value"]
    assert friday["2021-10-01"] == friday["2021-10-02"] == friday["2021-10-03"]


@pytest.mark.parametrize(
    "row",
    [
        {"valor": "3879.25", "vigenciadesde": "2024-05-15T00:00:00.000", "vigenciahasta": "2024-05-15T00:00:00.000"},
        {"valor": "3879.25", "unidad": "USD", "vigenciadesde": "2024-05-15T00:00:00.000", "vigenciahasta": "2024-05-15T00:00:00.000"},
        {"valor": "$3,879.25", "unidad": "COP", "vigenciadesde": "2024-05-15T00:00:00.000", "vigenciahasta": "2024-05-15T00:00:00.000"},
        {"valor": "3879.25", "unidad": "COP", "vigenciadesde": "15/05/2024", "vigenciahasta": "15/05/2024"},
        {"valor": "3879.25", "unidad": "COP", "vigenciadesde": "2024-05-15T00:00:00.000", "vigenciahasta": "2024-05-14T00:00:00.000"},
    ],
)  # fmt: skip
def test_trm_changed_format_is_an_error(row):
    with pytest.raises(SourceFormatError):
        trm.transform([row], pd.Timestamp("2024-01-01"))


def test_trm_empty_list_is_nothing_new():
    assert trm.transform([], pd.Timestamp("2024-01-01")).empty


def test_bcrp_periods_with_spanish_month_abbreviations():
    assert bcrp.period_day("02.Ene.24") == pd.Timestamp("2024-01-02")
    assert bcrp.period_day("30.Set.21") == pd.Timestamp("2021-09-30")
    assert bcrp.period_day("15.Sep.21") == pd.Timestamp("2021-09-15")
    assert bcrp.period_day("31.Dic.97") == pd.Timestamp("1997-12-31")
    assert bcrp.period_day("29.Ago.2025") == pd.Timestamp("2025-08-29")
    assert bcrp.period_day("Ene.2024") is None and bcrp.period_day("31.Feb.24") is None
    answer = {
        "config": {"title": "x", "series": [{"name": "TC Interbancario - Venta", "dec": "3"}]},
        "periods": [
            {"name": "02.Ene.24", "values": ["3.713"]},
            {"name": "03.Ene.24", "values": ["n.d."]},
            {"name": "04.Ene.24", "values": ["3.701"]},
        ],
    }
    rows = bcrp.transform(answer, pd.Timestamp("2024-01-02"), pd.Timestamp("2024-01-31"))
    assert rows["date"].dt.strftime("%Y-%m-%d").tolist() == ["2024-01-02", "2024-01-04"]
    assert rows["value"].tolist() == [3.713, 3.701]
    url, params = bcrp.build_query("http://x/api/", pd.Timestamp("2024-05-16"), pd.Timestamp("2024-06-05"))
    assert (url, params) == ("http://x/api/PD04638PD/json/2024-05-16/2024-06-05", {})


@pytest.mark.parametrize(
    "payload",
    [[], {"periods": "none"}, {"periods": [{"name": "Ene.2024", "values": ["3.7"]}]}, {"periods": [{"name": "02.Ene.24", "values": ["3,713"]}]}],
)  # fmt: skip
def test_bcrp_changed_format_is_an_error(payload):
    with pytest.raises(SourceFormatError):
        bcrp.transform(payload, pd.Timestamp("2024-01-01"))


# ---------------------------------------------------------------- HTTP: a real server on loopback


def test_http_failures_are_typed_and_retried_only_when_it_may_help():
    with loopback_server() as server:
        server.static("/missing", (404, b"<html>moved</html>", 0.0))
        server.static("/down", (503, b"busy", 0.0))
        server.static("/empty", (200, b"", 0.0))
        server.static("/html", (200, b"<html>new site</html>", 0.0))
        server.static("/slow", (200, b"[]", 1.0))
        with pytest.raises(SourceRefusedError) as refused:
            get_json(server.base + "/missing", **FAST)
        assert refused.value.params == {"status": 404} and len(server.asked("/missing")) == 1  # no retry
        with pytest.raises(SourceRefusedError):
            get_json(server.base + "/down", timeout_s=2.0, attempts=3, backoff_s=0.0)
        assert len(server.asked("/down")) == 3  # a server error is tried again, a bounded number of times
        with pytest.raises(SourceEmptyError):
            get_json(server.base + "/empty", **FAST)
        with pytest.raises(SourceFormatError):
            get_json(server.base + "/html", **FAST)
        with pytest.raises(SourceTimeoutError):
            get_json(server.base + "/slow", timeout_s=0.2, attempts=2, backoff_s=0.0)
        assert len(server.asked("/slow")) == 2
    with socket.socket() as free:  # a port nobody listens on: no connection
        free.bind(("127.0.0.1", 0))
        port = free.getsockname()[1]
    with pytest.raises(SourceConnectionError):
        get_json(f"http://127.0.0.1:{port}/x", **FAST)


# ---------------------------------------------------------------- refresh end to end


def _trm_handler(rows: list[dict]):
    """Answers like SODA: the rows whose vigenciadesde is within the $where bounds, oldest first."""

    def handler(path: str, query: dict[str, str]):
        where = query.get("$where", "")
        low = re.search(r"vigenciadesde >= '([^']+)'", where)
        high = re.search(r"vigenciadesde <= '([^']+)'", where)
        chosen = [
            row
            for row in rows
            if (low is None or row["vigenciadesde"][:10] >= low.group(1)[:10])
            and (high is None or row["vigenciadesde"][:10] <= high.group(1)[:10])
        ]
        return json_answer(
            sorted(chosen, key=lambda row: row["vigenciadesde"])[: int(query.get("$limit", 1000))]
        )

    return handler


#: The interbank sell rate (PD04638PD) as served here: the shared banking-system rate less this many soles
#: (a made-up constant gap: two statistics that differ by small amounts every day).
INTERBANK_GAP = 0.004


def _bcrp_handler(path: str, query: dict[str, str]):
    """Answers like BCRPData: /{series}/json/{start}/{end}; the shared file is PD04640PD (the banking
    system's sell rate), PD04638PD (interbank) is served as it less INTERBANK_GAP."""
    match = re.search(r"/(PD04640PD|PD04638PD)/json/(\d{4}-\d{2}-\d{2})/(\d{4}-\d{2}-\d{2})$", path)
    if match is None:
        return 404, b"<html>serie no encontrada</html>", 0.0
    answer = bcrp_answer_from_shared_pen(pd.Timestamp(match.group(2)), pd.Timestamp(match.group(3)))
    if match.group(1) == "PD04638PD":
        for period in answer["periods"]:
            period["values"] = [f"{float(period['values'][0]) - INTERBANK_GAP:.3f}"]
    return json_answer(answer)


def _serve_official(server: Loopback, monkeypatch, *, static: bool = False) -> None:
    """The three sources on `server`, honouring each API's parameters, or as static files."""
    trm_rows = trm_rows_from_shared_yahoo_cop(trm_windows_from_shared_yahoo_cop())
    server.static("/lbma/json/gold_pm.json", json_answer(lbma_feed_from_shared_fred()))
    if static:
        server.static("/trm/resource/32sa-8pi3.json", json_answer(trm_rows))
        server.static("/bcrp/api", json_answer(bcrp_answer_from_shared_pen()))
    else:
        server.route("/trm/resource/32sa-8pi3.json", _trm_handler(trm_rows))
        server.route("/bcrp/api", _bcrp_handler)
    monkeypatch.setenv("GOLD_DASHBOARD_LBMA_URL", server.base + "/lbma/json/gold_pm.json")
    monkeypatch.setenv("GOLD_DASHBOARD_TRM_URL", server.base + "/trm/resource/32sa-8pi3.json")
    monkeypatch.setenv("GOLD_DASHBOARD_BCRP_URL", server.base + "/bcrp/api")


def _store_as_of_earlier_days(store: MarketStore) -> None:
    """The shared files' values as they stood on earlier days, each under the source its importer names
    (the importer itself is tested on these files elsewhere); the TRM through the importer, from its CSV
    export, so the API's windows must join the CSV's."""

    def frame(values: pd.Series) -> pd.DataFrame:
        return pd.DataFrame({"date": values.index, "value": values.to_numpy()})

    fix, pen = shared_lbma(), shared_pen()
    store.write_series("GOLD_USD", frame(fix[fix.index <= LBMA_STORED_UNTIL]), "lbma")
    store.write_series("USD_COP", frame(shared_cop()), "yahoo:COP=X")
    store.write_series("USD_PEN", frame(pen[pen.index <= PEN_STORED_UNTIL]), "bcrp")
    windows = trm_windows_from_shared_yahoo_cop()
    import_prices(store, trm_csv_export(windows[windows["desde"] <= TRM_STORED_UNTIL]), "trm_export.csv")


def _every_stored_row(store: MarketStore) -> list[tuple]:
    with store.engine.connect() as conn:
        return [
            tuple(row) for row in conn.execute(select(observations_table).order_by(*observations_table.c))
        ]


def _expected_new_days() -> dict[str, pd.Series]:
    """What each recorded answer holds after the day the store ends, worked out from the shared files."""
    windows = trm_windows_from_shared_yahoo_cop()
    stored_until = windows.loc[windows["desde"] <= TRM_STORED_UNTIL, "hasta"].max()
    later = windows[windows["desde"] > TRM_STORED_UNTIL]
    trm_days = pd.concat(
        [pd.Series(row.valor, index=pd.date_range(row.desde, row.hasta)) for row in later.itertuples()]
    )
    assert trm_days.index[0] == stored_until + pd.Timedelta(days=1)  # the windows join without a gap
    lbma_fix, pen = shared_lbma(), shared_pen()
    return {
        "lbma": lbma_fix[lbma_fix.index > LBMA_STORED_UNTIL],
        "trm": trm_days,
        "bcrp": pen[pen.index > PEN_STORED_UNTIL],
    }


def test_peru_two_bcrp_statistics_stay_apart_after_a_refresh(db_url, store, monkeypatch):
    """Issue 31: the shared file is BCRP's banking-system sell rate (PD04640PD); a refresh asks for that
    statistic, and the interbank rate (PD04638PD), asked for by the setting, is stored apart under its own
    code: no day of one is ever the other's value."""
    pen = shared_pen()
    stored = pen[pen.index <= PEN_STORED_UNTIL]
    store.write_series("USD_PEN", pd.DataFrame({"date": stored.index, "value": stored.to_numpy()}), "bcrp")
    with loopback_server() as server:
        _serve_official(server, monkeypatch)
        first = cli("prices", "refresh", "--source", "bcrp", "--language", "en", db_url=db_url)
        assert first.returncode == 0, first.stderr
        (row,) = json.loads(first.stdout)
        assert (row["stored_as"], row["statistic"], row["rows_added"]) == (
            "bcrp",
            "BCRP PD04640PD (banking system sell rate)",
            15,
        )
        assert "PD04640PD" in row["message"]  # the report says which statistic it asked for
        monkeypatch.setenv("GOLD_DASHBOARD_BCRP_SERIES", "PD04638PD")
        second = cli("prices", "refresh", "--source", "bcrp", "--language", "en", db_url=db_url)
        (row,) = json.loads(second.stdout)
        assert (row["stored_as"], row["statistic"]) == (
            "bcrp:PD04638PD",
            "BCRP PD04638PD (interbank sell rate)",
        )
        assert row["asked_from"] == "2000-01-01" and "PD04638PD" in row["message"]
        assert [path for path, _ in server.asked("/bcrp")][-1].startswith(
            "/bcrp/api/PD04638PD/json/2000-01-01/"
        )
    values = store.load_series_sources("USD_PEN")
    banking = values[values["source"] == "bcrp"].set_index("date")["value"]
    interbank = values[values["source"] == "bcrp:PD04638PD"].set_index("date")["value"]
    assert set(values["source"]) == {"bcrp", "bcrp:PD04638PD"}
    assert banking.tolist() == pytest.approx(pen.tolist())  # the banking-system rate, every day unchanged
    assert len(interbank) == len(pen.loc["2000-01-01":]) == 6_373  # a first refresh asks from 2000
    gap = banking.loc[interbank.index] - interbank  # the served answer rounds to 3 decimals
    assert ((gap - INTERBANK_GAP).abs() <= 0.0005 + 1e-9).all()  # apart on every day
    assert banking.loc["2024-06-05"] == 3.747 and interbank.loc["2024-06-05"] == pytest.approx(3.743)
    # a day's value is the banking-system rate's (first in the precedence), never a mix of the two
    assert store.load_series_with_sources("USD_PEN")["source"].unique().tolist() == ["bcrp"]


@pytest.mark.both_stores
def test_refresh_adds_exactly_the_missing_days_then_nothing_and_a_failure_changes_nothing(
    db_url, store, monkeypatch
):
    """Done when: on a store holding the shared files, a refresh against the loopback server adds exactly
    the missing days from each recorded answer, a second adds nothing, and a refused or changed answer
    leaves every stored row as it was."""
    _store_as_of_earlier_days(store)
    expected = _expected_new_days()
    sources = ["--source", "lbma", "--source", "trm", "--source", "bcrp"]
    with loopback_server() as server:
        _serve_official(server, monkeypatch)
        done = cli("prices", "refresh", *sources, db_url=db_url)
        assert done.returncode == 0, done.stderr
        report = json.loads(done.stdout)
        assert [(row["source"], row["series"]) for row in report] == [
            ("lbma", "GOLD_USD"),
            ("trm", "USD_COP"),
            ("bcrp", "USD_PEN"),
        ]
        for row in report:
            assert {"source", "series", "rows_added", "first", "last", "error"} <= set(row)
            days = expected[row["source"]]
            assert (row["rows_added"], row["first"], row["last"], row["error"]) == (
                len(days),
                f"{days.index[0]:%Y-%m-%d}",
                f"{days.index[-1]:%Y-%m-%d}",
                None,
            )
            stored = store.load_series_sources(row["series"], days.index[0])
            stored = stored[stored["source"] == row["source"]].set_index("date")["value"]
            assert stored.index.tolist() == days.index.tolist()
            assert stored.tolist() == pytest.approx(days.tolist())
        assert (len(expected["lbma"]), len(expected["trm"]), len(expected["bcrp"])) == (22, 21, 15)
        assert [row["asked_from"] for row in report] == ["2021-01-30", "2021-09-16", "2024-05-16"]
        # only the missing days were asked for, with each API's own parameters
        assert server.asked("/trm")[0][1]["$where"] == "vigenciadesde >= '2021-09-16T00:00:00'"
        # the statistic already stored (the shared file's banking-system rate), not the interbank one
        assert server.asked("/bcrp")[0][0].startswith("/bcrp/api/PD04640PD/json/2024-05-16/")
        assert report[2]["stored_as"] == "bcrp" and "PD04640PD" in report[2]["statistic"]

        rows_before, versions_before = _every_stored_row(store), store.data_version()
        again = cli("prices", "refresh", *sources, db_url=db_url)
        assert again.returncode == 0, again.stderr
        assert [row["rows_added"] for row in json.loads(again.stdout)] == [0, 0, 0]
        assert "nada nuevo" in json.loads(again.stdout)[0]["message"]
        assert _every_stored_row(store) == rows_before and store.data_version() == versions_before

        # the LBMA's tables move (refused), the TRM answers in a new layout, BCRP is down
        server.static("/lbma/json/gold_pm.json", (404, b"<html>This page has moved</html>", 0.0))
        server.static("/trm/resource/32sa-8pi3.json", json_answer({"data": [["2024-05-16", 3900.1]]}))
        server.static("/bcrp/api", (503, b"", 0.0))
        failed = cli("prices", "refresh", *sources, db_url=db_url)
        assert failed.returncode == 1
        errors = [row["error"] for row in json.loads(failed.stdout)]
        assert errors == [
            "No se pudo consultar el precio LBMA del oro (el servidor rechazó la consulta con el error 404). "
            "Los datos guardados no cambiaron.",
            "No se pudo consultar la TRM en datos.gov.co (la respuesta cambió de formato; puede que la fuente "
            "se haya mudado). Los datos guardados no cambiaron.",
            "No se pudo consultar el tipo de cambio del BCRP (el servidor rechazó la consulta con el error 503). "
            "Los datos guardados no cambiaron.",
        ]
        assert "127.0.0.1" not in failed.stdout + failed.stderr  # host names go to the log only
        assert _every_stored_row(store) == rows_before and store.data_version() == versions_before
        assert (
            store.last_fetch("lbma")["code"] == "refused"
            and "127.0.0.1" in store.last_fetch("lbma")["message"]
        )
        assert store.last_fetch("trm")["code"] == "changed_format"


def test_a_static_file_that_ignores_the_parameters_works_too(store, monkeypatch):
    _store_as_of_earlier_days(store)
    expected = _expected_new_days()
    with loopback_server() as server:
        _serve_official(server, monkeypatch, static=True)
        results = refresh_prices(store, ["lbma", "trm", "bcrp"], http=FAST)
        assert not refresh_failed(results)
        assert [result.rows_added for result in results] == [
            len(expected[name]) for name in ("lbma", "trm", "bcrp")
        ]
        assert [
            result.rows_added for result in refresh_prices(store, ["lbma", "trm", "bcrp"], http=FAST)
        ] == [0, 0, 0]
    # the price is as of the latest day both official series cover: the LBMA fix ends first (2 Mar 2021)
    quote = price_today(store, "COP", "g")
    assert (quote.date, quote.fx_date) == (pd.Timestamp("2021-03-02"), pd.Timestamp("2021-03-02"))
    assert quote.sources == {"GOLD_USD": "lbma", "USD_COP": "trm"}
    windows = trm_windows_from_shared_yahoo_cop()
    in_force = windows[(windows["desde"] <= "2021-03-02") & (windows["hasta"] >= "2021-03-02")]
    assert (quote.gold_usd_per_oz, quote.fx) == (1723.85, pytest.approx(in_force["valor"].item()))


def test_an_answer_in_another_unit_or_a_timeout_stores_nothing(store, monkeypatch):
    _store_as_of_earlier_days(store)
    windows = trm_windows_from_shared_yahoo_cop()
    thousands = [
        {**row, "valor": f"{float(row['valor']) / 1000:.4f}"}
        for row in trm_rows_from_shared_yahoo_cop(windows)
    ]
    before = _every_stored_row(store)
    with loopback_server() as server:
        _serve_official(server, monkeypatch)
        server.route("/trm/resource/32sa-8pi3.json", _trm_handler(thousands))
        server.static("/bcrp/api", (200, b"[]", 1.0))
        progress: list[tuple[int, int, str]] = []
        results = refresh_prices(
            store,
            ["trm", "bcrp"],
            http={"timeout_s": 0.2, "attempts": 2, "backoff_s": 0.0},
            on_progress=lambda done, total, source: progress.append((done, total, source)),
        )
    assert [(result.source, result.error_code) for result in results] == [
        ("trm", "changed_format"),
        ("bcrp", "timeout"),
    ]
    assert results[0].error_params["cause"] == "thousands"
    assert progress == [(0, 2, "trm"), (1, 2, "bcrp"), (2, 2, "")]
    assert _every_stored_row(store) == before


def test_first_refresh_of_an_empty_store_asks_from_the_history_start(store, monkeypatch):
    with loopback_server() as server:
        server.static(
            "/feed.json",
            json_answer([{"d": "1999-12-31", "v": [290.25, 0, 0]}, {"d": "2000-01-04", "v": [282.05, 0, 0]}]),
        )
        monkeypatch.setenv("GOLD_DASHBOARD_LBMA_URL", server.base + "/feed.json")
        (result,) = refresh_official(store, "lbma", **FAST)
    assert (result.rows_added, f"{result.first:%Y-%m-%d}", result.error_code) == (1, "2000-01-04", None)
    assert store.load_series_with_sources("GOLD_USD")["source"].tolist() == ["lbma"]
    assert store.last_fetch("lbma")["ok"] is True


def test_lbma_am_feed_is_asked_only_when_its_address_is_set(store, monkeypatch):
    with loopback_server() as server:
        server.static("/pm.json", json_answer([{"d": "2024-05-10", "v": [2370.55, 1892.14, 2199.84]}]))
        server.static("/am.json", json_answer([{"d": "2024-05-10", "v": [2360.6, 1884.2, 2190.65]}]))
        monkeypatch.setenv("GOLD_DASHBOARD_LBMA_URL", server.base + "/pm.json")
        assert [r.rows_added for r in refresh_official(store, "lbma", **FAST)] == [1]
        monkeypatch.setenv("GOLD_DASHBOARD_LBMA_AM_URL", server.base + "/am.json")
        assert [r.rows_added for r in refresh_official(store, "lbma", **FAST)] == [0, 1]
    values = store.load_series_sources("GOLD_USD")
    assert sorted(zip(values["source"], values["value"], strict=True)) == [
        ("lbma", 2370.55),
        ("lbma_am", 2360.6),
    ]
    assert store.load_series("GOLD_USD").tolist() == [2370.55]  # the PM fix first, as the precedence says


def test_sources_setting_and_yahoo_in_offline_mode(store, monkeypatch):
    assert configured_sources() == ["lbma", "trm", "bcrp", "yahoo"]
    monkeypatch.setenv("GOLD_DASHBOARD_SOURCES", "TRM, bcrp")
    assert configured_sources() == ["trm", "bcrp"]
    assert configured_sources(["yahoo"]) == ["yahoo"]
    monkeypatch.setenv("GOLD_DASHBOARD_SOURCES", "trm,banxico")
    with pytest.raises(UnknownSourceError, match="banxico"):
        configured_sources()
    (row,) = refresh_prices(store, ["yahoo"])  # GOLD_DASHBOARD_OFFLINE=1 in the tests
    assert (row.source, row.skipped, row.ok) == ("yahoo", "offline_mode", True)


def test_staff_button_refreshes_with_progress_and_says_what_failed(db_url, store, monkeypatch):
    """The sidebar's button asks the sources in the page run, before the banner, in the user's language."""
    from tests.test_pages import app

    last_days = lbma_feed_from_shared_fred()[-2:]  # 2021-03-01 and 2021-03-02, the file's last fixes
    with loopback_server() as server:
        server.static("/pm.json", json_answer(last_days))
        server.static("/trm.json", (403, b"", 0.0))
        monkeypatch.setenv("GOLD_DASHBOARD_LBMA_URL", server.base + "/pm.json")
        monkeypatch.setenv("GOLD_DASHBOARD_TRM_URL", server.base + "/trm.json")
        monkeypatch.setenv("GOLD_DASHBOARD_SOURCES", "lbma,trm")
        at = app().run()
        assert not server.requests  # opening a page asks no official source
        at.button(key="price_refresh_button").click().run()
        assert not at.exception, at.exception
    assert [s.value for s in at.success] == [
        "oro, fijación LBMA, oro en dólares: 2 días nuevos, del 1 mar 2021 al 2 mar 2021."
    ]
    assert [e.value for e in at.error] == [
        "No se pudo consultar la TRM en datos.gov.co (el servidor rechazó la consulta con el error 403). "
        "Los datos guardados no cambiaron."
    ]
    assert store.load_series("GOLD_USD").tolist() == [1734.15, 1723.85]


def test_yahoo_rows_in_the_refresh_report(store, monkeypatch):
    """Yahoo's refresh as rows of the same report: days new to the store per series, then its failure."""
    from i18n import fetch_result_text

    monkeypatch.delenv("GOLD_DASHBOARD_OFFLINE")
    stored = pd.DataFrame({"date": pd.bdate_range("2024-04-22", "2024-05-03"), "value": 2300.0})
    store.write_series("GOLD_USD", stored, "yahoo:GC=F")

    def download(tickers, start, **kwargs):
        if tickers != ["GC=F"]:
            return pd.DataFrame()  # nothing for the series never stored
        index = pd.bdate_range(start, "2024-05-10")
        columns = pd.MultiIndex.from_product([["Close"], tickers], names=["Price", "Ticker"])
        return pd.DataFrame(2310.0, index=index, columns=columns)

    rows = refresh_prices(store, ["yahoo"], yahoo={"download": download, "probe": lambda: None})
    gold, failure = rows
    # asked from the last stored day minus the 7-day overlap: 26 Apr .. 10 May written, 6 May .. 10 May new
    assert (gold.series, gold.rows_added, gold.first, gold.last, gold.ok) == (
        "GOLD_USD",
        5,
        pd.Timestamp("2024-04-26"),
        pd.Timestamp("2024-05-10"),
        True,
    )
    assert (failure.series, failure.error_code) == (None, "yahoo_empty") and refresh_failed(rows)
    text = fetch_result_text("yahoo", None, 0, None, None, failure.error_code, {}, None, "es")
    assert (
        text == "No se pudo consultar Yahoo Finance (respondió sin datos). Los datos guardados no cambiaron."
    )
