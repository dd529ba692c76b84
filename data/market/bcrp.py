"""Peru's USD/PEN rates from the BCRP statistics API (BCRPData): the banking-system sell rate (PD04640PD)
or the interbank sell rate (PD04638PD), two statistics stored apart (data/market/statistics.py).

Build the query (`{base}/{series}/json/{start}/{end}`), fetch, turn the answer's `periods`
(`{"name": "02.Ene.24", "values": ["3.713"]}`, Spanish month abbreviations; "n.d." where there is no
value) into (date, value) rows in soles per dollar. A server that ignores the dates in the path (a static
file) works too: the days are cut after reading.
"""

from __future__ import annotations

import os
import re
from typing import Any

import pandas as pd

from data.market.http_source import SourceFormatError, get_json, within_window

SOURCE = "bcrp"
SERIES_ID = "USD_PEN"
URL_ENV = "GOLD_DASHBOARD_BCRP_URL"
#: Which BCRP series a refresh asks for (default: the one already stored; data/market/official.py).
SERIES_ENV = "GOLD_DASHBOARD_BCRP_SERIES"
DEFAULT_URL = "https://estadisticas.bcrp.gob.pe/estadisticas/series/api"
#: "Tipo de cambio - TC Interbancario (S/ por US$) - Venta", daily.
INTERBANK_SELL_SERIES = "PD04638PD"

#: BCRP's month abbreviations (September is written "Set" on its pages, "Sep" in places).
MONTHS = {
    "ene": 1, "feb": 2, "mar": 3, "abr": 4, "may": 5, "jun": 6,
    "jul": 7, "ago": 8, "set": 9, "sep": 9, "oct": 10, "nov": 11, "dic": 12,
}  # fmt: skip
_PERIOD = re.compile(r"^\s*(\d{1,2})\.([A-Za-z]{3})\.(\d{2}|\d{4})\s*$")
#: What BCRP writes in a period without a value.
NO_VALUE = ("n.d.", "nd", "", "-")


def base_url() -> str:
    return (os.environ.get(URL_ENV, "").strip() or DEFAULT_URL).rstrip("/")


def build_query(
    base: str, start: pd.Timestamp, end: pd.Timestamp | None = None, series: str = INTERBANK_SELL_SERIES
) -> tuple[str, dict[str, str]]:
    """The API's own form: the series path, then json, then the first and last day."""
    last = pd.Timestamp(end) if end is not None else pd.Timestamp.now().normalize()
    return f"{base.rstrip('/')}/{series}/json/{start:%Y-%m-%d}/{last:%Y-%m-%d}", {}


def period_day(name: object) -> pd.Timestamp | None:
    """'02.Ene.24' -> 2024-01-02 (two-digit years are 19xx from 90 on); None when not such a day."""
    match = _PERIOD.match(str(name))
    if match is None:
        return None
    day, month_text, year_text = match.groups()
    month = MONTHS.get(month_text.lower())
    if month is None:
        return None
    year = int(year_text)
    if len(year_text) == 2:
        year += 1900 if year >= 90 else 2000
    try:
        return pd.Timestamp(year=year, month=month, day=int(day))
    except ValueError:  # 31.Feb
        return None


def transform(payload: Any, start: pd.Timestamp, end: pd.Timestamp | None = None) -> pd.DataFrame:
    """The answer's days between start and end (inclusive) as (date, value), by date.

    No periods is "nothing new". Raises SourceFormatError when the answer is not BCRP's
    {"config", "periods": [{"name", "values"}]} or a period is not a daily 'dd.Mmm.yy'.
    """
    if not isinstance(payload, dict) or not isinstance(payload.get("periods"), list):
        raise SourceFormatError("BCRP: expected an object with a 'periods' list")
    days, values = [], []
    for position, period in enumerate(payload["periods"]):
        if not isinstance(period, dict) or not isinstance(period.get("values"), list) or not period["values"]:
            raise SourceFormatError(f"BCRP: period {position} is not {{'name', 'values': [...]}}")
        day = period_day(period.get("name"))
        if day is None:
            raise SourceFormatError(f"BCRP: period {position} is named {period.get('name')!r}, not dd.Mmm.yy")
        raw = str(period["values"][0]).strip()
        if raw.lower() in NO_VALUE:
            continue
        try:
            value = float(raw)
        except ValueError:
            raise SourceFormatError(f"BCRP: period {position} has value {raw!r}") from None
        if not value > 0 or value == float("inf"):
            raise SourceFormatError(f"BCRP: period {position} has value {raw!r}")
        days.append(day)
        values.append(value)
    rows = pd.DataFrame({"date": pd.DatetimeIndex(days, dtype="datetime64[ns]"), "value": values})
    rows = within_window(rows, start, end).drop_duplicates("date", keep="last")
    return rows.sort_values("date").reset_index(drop=True)


def fetch(
    start: pd.Timestamp,
    end: pd.Timestamp | None = None,
    *,
    url: str | None = None,
    series: str = INTERBANK_SELL_SERIES,
    **http,
) -> pd.DataFrame:
    """Extract and transform: the rate on each business day from `start` (inclusive) to `end`."""
    query_url, params = build_query(url or base_url(), start, end, series)
    return transform(get_json(query_url, params, **http), start, end)
