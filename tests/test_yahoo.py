"""The Yahoo source, offline: yfinance's own parsing runs on recorded raw chart responses.

A curl_cffi Session subclass answers /v8/finance/chart/{ticker} with the recorded body from
../shared/data/market/yahoo_fixtures, the cookie/crumb requests with a dummy crumb, and anything else
with a 404; yfinance is handed that session through its `session=` argument.
"""

import json
from datetime import UTC, datetime, timedelta
from urllib.parse import unquote

import pandas as pd
import pytest

from data.market.market_data import refresh_from_yahoo
from data.market.yahoo import YahooConnectionError, YahooEmptyError, fetch_closes, normalise_download
from tests.conftest import SHARED_MARKET

curl_requests = pytest.importorskip("curl_cffi.requests")


@pytest.fixture(autouse=True)
def isolated_yfinance_cache(tmp_path):
    """yfinance keeps a per-ticker timezone cache on disk; a recording missing in one test must not
    leak into the next (nor into the user's ~/.cache)."""
    import yfinance as yf
    from yfinance.data import YfData

    yf.set_tz_cache_location(str(tmp_path / "yfinance-cache"))
    YfData.cache_get.cache_clear()  # responses memoised by URL (the timezone look-up among them)
    yield


def recorded_bodies() -> dict[str, dict]:
    folder = SHARED_MARKET / "yahoo_fixtures"
    if not folder.exists():
        pytest.skip(f"{folder} is absent")
    bodies = {}
    for path in folder.glob("chart-*.json"):
        record = json.loads(path.read_text())
        bodies[record["response"]["bodyJson"]["chart"]["result"][0]["meta"]["symbol"]] = record["response"][
            "bodyJson"
        ]
    return bodies


class RecordedYahooSession(curl_requests.Session):
    """Answers Yahoo's chart API from recorded bodies; never touches the network."""

    def __init__(self, bodies: dict[str, dict]):
        super().__init__()
        self.bodies = bodies
        self.chart_requests: list[str] = []

    def request(self, method, url, *args, **kwargs):
        response = curl_requests.Response()
        response.url = url
        response.status_code, response.content = 404, b"{}"
        path = unquote(url.split("?")[0])
        if "/v8/finance/chart/" in path:
            ticker = path.rsplit("/", 1)[-1]
            self.chart_requests.append(ticker)
            if ticker in self.bodies:
                response.status_code, response.content = 200, json.dumps(self.bodies[ticker]).encode()
        elif "getcrumb" in path:
            response.status_code, response.content = 200, b"recorded-crumb"
        elif "fc.yahoo.com" in url:
            response.status_code = 200
        return response


_SESSION: RecordedYahooSession | None = None


def recorded_session(bodies: dict[str, dict]) -> RecordedYahooSession:
    """One session for the whole module: yfinance keeps the first session it is given in a process-wide
    singleton and ignores later ones, so tests swap the recordings instead of the session."""
    global _SESSION
    if _SESSION is None:
        _SESSION = RecordedYahooSession(bodies)
    _SESSION.bodies, _SESSION.chart_requests = bodies, []
    return _SESSION


def test_yfinance_parses_recorded_gold_and_fx_into_tidy_rows():
    session = recorded_session(recorded_bodies())
    tidy = fetch_closes(
        ["GOLD_USD", "USD_COP"], pd.Timestamp("2020-01-01"), pd.Timestamp("2020-01-03"), session=session
    )
    assert {"GC=F", "COP=X"} <= set(session.chart_requests)
    # COP=X has no recording: only gold comes back, from yfinance's parsing of the real bytes
    assert tidy["series_id"].unique().tolist() == ["GOLD_USD"]
    assert tidy["date"].tolist() == [pd.Timestamp("2020-01-02")]
    assert tidy["value"].tolist() == [pytest.approx(1524.5)]


def test_multiindex_frame_with_fx_layout():
    bodies = recorded_bodies()
    # serve the EURUSD=X recording (the FX layout COP=X uses) under the COP=X ticker
    fx_body = json.loads(json.dumps(bodies["EURUSD=X"]).replace("EURUSD=X", "COP=X"))
    session = recorded_session({"GC=F": bodies["GC=F"], "COP=X": fx_body})
    tidy = fetch_closes(
        ["GOLD_USD", "USD_COP"], pd.Timestamp("2020-01-01"), pd.Timestamp("2020-01-03"), session=session
    )
    assert {"GC=F", "COP=X"} <= set(session.chart_requests)
    cop = tidy[tidy["series_id"] == "USD_COP"]
    assert cop["date"].dt.strftime("%Y-%m-%d").tolist() == ["2020-01-01", "2020-01-02", "2020-01-03"]
    assert cop["value"].round(4).tolist() == [1.1221, 1.1221, 1.1171]


def test_empty_frame_is_an_explicit_error_not_data():
    calls = []

    def offline_download(*args, **kwargs):
        calls.append(kwargs)
        return pd.DataFrame()

    with pytest.raises(YahooEmptyError, match="no data"):
        fetch_closes(
            ["GOLD_USD"],
            pd.Timestamp("2024-01-01"),
            download=offline_download,
            backoff_s=0.0,
            attempts=3,
            probe=lambda: None,  # Yahoo's host answers: an empty answer, retried
        )
    assert len(calls) == 3  # bounded retry
    assert all(call["timeout"] == 10.0 for call in calls)


def test_normalise_flat_single_ticker_frame():
    frame = pd.DataFrame(
        {"Close": [1.0, None]}, index=pd.to_datetime(["2024-05-06", "2024-05-07"]).tz_localize("UTC")
    )
    tidy = normalise_download(frame, ["GC=F"])
    assert tidy.to_dict("records") == [
        {"series_id": "GOLD_USD", "date": pd.Timestamp("2024-05-06"), "value": 1.0}
    ]


def test_refresh_fetches_only_missing_days_and_logs_failures(store, monkeypatch):
    monkeypatch.delenv("GOLD_DASHBOARD_OFFLINE")
    seen_starts = []

    def download(tickers, start, **kwargs):
        seen_starts.append((tuple(tickers), start))
        index = pd.bdate_range(start, "2024-05-10")
        columns = pd.MultiIndex.from_product([["Close"], tickers], names=["Price", "Ticker"])
        return pd.DataFrame(2000.0, index=index, columns=columns)

    stored = pd.DataFrame({"date": pd.bdate_range("2024-01-02", "2024-05-03"), "value": 2000.0})
    store.write_series("GOLD_USD", stored, "import:test")
    report = refresh_from_yahoo(store, download=download)
    assert report.ok
    starts = dict(seen_starts)
    assert starts[("GC=F",)] == "2024-04-26"  # last stored day minus the 7-day overlap
    assert starts[("SI=F", "COP=X", "PEN=X", "BOB=X", "MNT=X")] == "2000-01-01"
    assert store.load_series("GOLD_USD").index[-1] == pd.Timestamp("2024-05-10")

    # within 15 minutes, nobody asks Yahoo again; after that, an empty answer is logged, not stored
    assert not refresh_from_yahoo(store, download=download).attempted
    version = store.data_version()
    later = datetime.now(UTC) + timedelta(minutes=16)
    failed = refresh_from_yahoo(store, now=later, download=lambda *a, **k: pd.DataFrame(), probe=lambda: None)
    assert failed.attempted and not failed.ok and "no data" in failed.message
    assert store.data_version() == version
    assert store.last_fetch("yahoo")["ok"] is False
    assert store.last_fetch("yahoo")["code"] == "yahoo_empty"


def test_no_connection_is_told_apart_from_an_empty_answer(store, monkeypatch):
    """yfinance returns the same empty frame offline and when Yahoo has nothing: a quick connection
    check to Yahoo's host tells them apart, and the fetch log keeps a code the banner words."""
    from data.market.market_data import load_snapshot

    calls = []

    def empty(*args, **kwargs):
        calls.append(1)
        return pd.DataFrame()

    def no_network() -> str:
        return "query1.finance.yahoo.com:443: gaierror: Name or service not known"

    with pytest.raises(YahooConnectionError, match="no connection") as raised:
        fetch_closes(
            ["GOLD_USD"], pd.Timestamp("2024-01-01"), download=empty, backoff_s=0.0, probe=no_network
        )
    assert raised.value.code == "no_connection" and len(calls) == 1  # no pointless retry offline
    monkeypatch.delenv("GOLD_DASHBOARD_OFFLINE")
    report = refresh_from_yahoo(store, download=empty, probe=no_network)
    assert not report.ok and "no connection" in report.message  # English, for the log
    assert store.last_fetch("yahoo")["code"] == "no_connection"
    assert load_snapshot(store).demo_reason_code == "no_connection"
    later = datetime.now(UTC) + timedelta(minutes=16)
    refresh_from_yahoo(store, now=later, download=empty, probe=lambda: None)
    assert load_snapshot(store).demo_reason_code == "yahoo_empty"
    monkeypatch.setenv("GOLD_DASHBOARD_OFFLINE", "1")
    assert load_snapshot(store).demo_reason_code == "offline_mode"
