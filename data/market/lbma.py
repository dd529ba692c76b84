"""The LBMA gold price (PM, and AM where asked for) from the LBMA's public JSON feed.

Build the query, fetch, turn the answer into (date, value) rows in USD per troy ounce. The feed is one
static file holding the whole history (`[{"d": "YYYY-MM-DD", "v": [USD, GBP, EUR]}, ...]`): it takes no
date parameters, so the days wanted are cut after reading. The LBMA has announced that its data tables
are moving: a refused or changed answer is a typed error, never data.
"""

from __future__ import annotations

import os
from typing import Any

import pandas as pd

from data.market.http_source import SourceEmptyError, SourceFormatError, get_json, within_window

SOURCE = "lbma"  # the PM fix: the same source name as the FRED LBMA file the importer reads
AM_SOURCE = "lbma_am"
SERIES_ID = "GOLD_USD"
URL_ENV = "GOLD_DASHBOARD_LBMA_URL"
AM_URL_ENV = "GOLD_DASHBOARD_LBMA_AM_URL"
DEFAULT_URL = "https://prices.lbma.org.uk/json/gold_pm.json"
#: The AM feed beside the PM one (fetched only when GOLD_DASHBOARD_LBMA_AM_URL names it).
DEFAULT_AM_URL = "https://prices.lbma.org.uk/json/gold_am.json"


def feed_url(feed: str = "pm") -> str | None:
    """The PM feed's address (setting, else the public one); the AM feed's only when it is set."""
    if feed == "am":
        return os.environ.get(AM_URL_ENV, "").strip() or None
    return os.environ.get(URL_ENV, "").strip() or DEFAULT_URL


def build_query(url: str, start: pd.Timestamp, end: pd.Timestamp | None = None) -> tuple[str, dict[str, str]]:
    """The feed has no parameters: the whole file is asked for, and cut to [start, end] after reading."""
    return url, {}


def transform(payload: Any, start: pd.Timestamp, end: pd.Timestamp | None = None) -> pd.DataFrame:
    """The feed's rows between start and end (inclusive) as (date, value) in USD/oz, by date.

    A day whose USD value is 0 or missing (the feed writes 0 where a currency had no fix) is left out.
    Raises SourceEmptyError for a feed without rows and SourceFormatError for anything else than the
    documented list of {"d", "v"} objects.
    """
    if not isinstance(payload, list):
        raise SourceFormatError(f"LBMA feed: expected a JSON list, got {type(payload).__name__}")
    if not payload:
        raise SourceEmptyError("LBMA feed: an empty list")
    texts, values = [], []
    for position, row in enumerate(payload):
        if not isinstance(row, dict) or "d" not in row or not isinstance(row.get("v"), list) or not row["v"]:
            raise SourceFormatError(f"LBMA feed: row {position} is not {{'d': date, 'v': [USD, GBP, EUR]}}")
        usd = row["v"][0]
        if usd is not None and (isinstance(usd, bool) or not isinstance(usd, int | float)):
            raise SourceFormatError(f"LBMA feed: row {position} has USD {usd!r}")
        texts.append(str(row["d"]))
        values.append(float("nan") if usd is None or usd <= 0 else float(usd))
    days = pd.to_datetime(pd.Series(texts, dtype=object), format="%Y-%m-%d", errors="coerce")
    if days.isna().any():
        position = int(days.isna().to_numpy().argmax())
        raise SourceFormatError(f"LBMA feed: row {position} has date {texts[position]!r}")
    rows = pd.DataFrame({"date": days.astype("datetime64[ns]").to_numpy(), "value": values}).dropna()
    rows = within_window(rows, start, end).drop_duplicates("date", keep="last")
    return rows.sort_values("date").reset_index(drop=True)


def fetch(
    start: pd.Timestamp, end: pd.Timestamp | None = None, *, feed: str = "pm", url: str | None = None, **http
) -> pd.DataFrame:
    """Extract and transform: the feed's days from `start` (inclusive) to `end`."""
    address = url or feed_url(feed)
    if address is None:
        raise ValueError(f"no address for the LBMA {feed} feed ({AM_URL_ENV} is unset)")
    query_url, params = build_query(address, start, end)
    return transform(get_json(query_url, params, **http), start, end)
