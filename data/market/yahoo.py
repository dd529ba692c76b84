"""Yahoo Finance source through yfinance 1.x: transform the query, extract, transform the data.

Normalises yfinance's frames (MultiIndex (Price, Ticker) columns) into one tidy schema
(series_id, date, value). An empty result is an explicit error, never data: offline, yfinance returns
an empty frame without raising.
"""

from __future__ import annotations

import logging
import socket
import time
from collections.abc import Callable
from typing import Any

import pandas as pd

from data.market.series import SERIES, series_for_ticker

log = logging.getLogger(__name__)


#: Where yfinance asks for daily bars: reaching it tells "no connection" from "Yahoo answered empty".
YAHOO_HOST = "query1.finance.yahoo.com"


class YahooError(RuntimeError):
    """Yahoo returned nothing usable; the message (English, for the log) says why, `code` what kind."""

    code = "yahoo_empty"


class YahooEmptyError(YahooError):
    """Yahoo answered, with an empty frame (blocked, or no data in the range)."""

    code = "yahoo_empty"


class YahooConnectionError(YahooEmptyError):
    """Yahoo's host could not be reached (no internet connection, DNS, firewall): yfinance's empty frame."""

    code = "no_connection"


class YahooRateLimitError(YahooError):
    """Yahoo answered 'Too Many Requests'."""

    code = "rate_limited"


def yahoo_unreachable(host: str = YAHOO_HOST, port: int = 443, timeout_s: float = 2.0) -> str | None:
    """None when a TCP connection to Yahoo's host opens within `timeout_s`; else why not (one line)."""
    try:
        with socket.create_connection((host, port), timeout=timeout_s):
            return None
    except OSError as error:  # gaierror (name resolution), timeout, refused, unreachable
        return f"{host}:{port}: {error.__class__.__name__}: {error}"


def tickers_for(series_ids: list[str]) -> list[str]:
    """Transform the query: our series ids to Yahoo tickers."""
    return [SERIES[series_id].yahoo_ticker for series_id in series_ids]


def normalise_download(frame: pd.DataFrame, tickers: list[str]) -> pd.DataFrame:
    """Transform the data: a yf.download frame into tidy rows (series_id, date, value) of closes.

    Handles the (Price, Ticker) MultiIndex of yfinance 1.x and a flat single-ticker frame. Rows whose
    close is null are left out here and counted by the caller.
    """
    if frame is None or frame.empty:
        return pd.DataFrame(columns=["series_id", "date", "value"])
    if isinstance(frame.columns, pd.MultiIndex):
        level = "Price" if "Price" in frame.columns.names else 0
        closes = frame.xs("Close", axis=1, level=level)
    else:
        closes = frame[["Close"]].rename(columns={"Close": tickers[0]})
    closes.index = pd.DatetimeIndex(closes.index).tz_localize(None).normalize().astype("datetime64[ns]")
    closes.index.name = "date"
    tidy = closes.reset_index().melt(id_vars="date", var_name="ticker", value_name="value")
    tidy["series_id"] = tidy["ticker"].map(series_for_ticker)
    tidy = tidy.dropna(subset=["series_id", "value"])
    return tidy[["series_id", "date", "value"]].sort_values(["series_id", "date"]).reset_index(drop=True)


def _download_errors() -> dict[str, str]:
    """Per-ticker error messages yfinance collected during the last download (it does not raise)."""
    try:
        from yfinance import shared

        return {str(k): str(v) for k, v in getattr(shared, "_ERRORS", {}).items()}
    except Exception:  # an internal of yfinance: absent in some versions
        return {}


def fetch_closes(
    series_ids: list[str],
    start: pd.Timestamp,
    end: pd.Timestamp | None = None,
    *,
    session: Any = None,
    timeout_s: float = 10.0,
    attempts: int = 2,
    backoff_s: float = 1.0,
    download: Callable[..., pd.DataFrame] | None = None,
    probe: Callable[[], str | None] = yahoo_unreachable,
) -> pd.DataFrame:
    """Extract: daily closes of `series_ids` from `start` (inclusive) as tidy rows.

    Bounded retry with exponential backoff. Raises YahooRateLimitError on 'Too Many Requests',
    YahooConnectionError when Yahoo's host cannot be reached (yfinance then returns an empty frame
    without raising: `probe` checks the connection), and YahooEmptyError when Yahoo answered with
    nothing, with yfinance's own reason when it gave one.
    """
    import yfinance as yf

    download = download or yf.download
    tickers = tickers_for(series_ids)
    reason = "empty response"
    for attempt in range(attempts):
        frame = download(
            tickers,
            start=pd.Timestamp(start).strftime("%Y-%m-%d"),
            end=None if end is None else (pd.Timestamp(end) + pd.Timedelta(days=1)).strftime("%Y-%m-%d"),
            interval="1d",
            auto_adjust=True,
            progress=False,
            threads=True,
            timeout=timeout_s,
            session=session,
            multi_level_index=True,
        )
        tidy = normalise_download(frame, tickers)
        if not tidy.empty:
            return tidy
        errors = _download_errors()
        reason = "; ".join(f"{t}: {m}" for t, m in errors.items())[:500] or "empty response"
        if any("Too Many Requests" in m or "Rate limit" in m for m in errors.values()):
            raise YahooRateLimitError(f"Yahoo Finance rate limit: {reason}")
        if any("Could not resolve host" in m or "Failed to perform" in m for m in errors.values()):
            raise YahooConnectionError(f"no connection to Yahoo Finance ({reason})")
        if attempt == 0:  # once: was that an empty answer, or no answer at all?
            unreachable = probe()
            if unreachable is not None:  # no network: retrying will not help and only slows the start
                log.warning("Yahoo Finance unreachable: %s", unreachable)
                raise YahooConnectionError(f"no connection to Yahoo Finance ({unreachable}; {reason})")
        if attempt + 1 < attempts:
            time.sleep(backoff_s * 2**attempt)
    raise YahooEmptyError(f"Yahoo Finance returned no data ({reason})")
