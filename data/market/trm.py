"""Colombia's TRM from datos.gov.co's open-data API (Socrata SODA, dataset 32sa-8pi3).

Build the query (a `$where` on `vigenciadesde`), fetch, turn the rows (`valor`, `unidad`,
`vigenciadesde`, `vigenciahasta`) into one (date, value) row per calendar day of each value's validity
window, as the importer does with the dataset's CSV export. A server that ignores the parameters (a
static copy of the resource) works too: the days are cut after reading.
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np
import pandas as pd

from data.market.http_source import SourceFormatError, get_json, within_window

SOURCE = "trm"
SERIES_ID = "USD_COP"
URL_ENV = "GOLD_DASHBOARD_TRM_URL"
DEFAULT_URL = "https://www.datos.gov.co/resource/32sa-8pi3.json"
#: SODA returns at most 1,000 rows unless told; 26 years of daily windows are under 10,000.
ROW_LIMIT = 50_000
FIELDS = ("valor", "unidad", "vigenciadesde", "vigenciahasta")


def resource_url() -> str:
    return os.environ.get(URL_ENV, "").strip() or DEFAULT_URL


def _floating_timestamp(day: pd.Timestamp) -> str:
    """SODA's floating timestamp literal: '2024-05-16T00:00:00'."""
    return pd.Timestamp(day).strftime("%Y-%m-%dT00:00:00")


def build_query(url: str, start: pd.Timestamp, end: pd.Timestamp | None = None) -> tuple[str, dict[str, str]]:
    """The windows that begin on or after `start` (and on or before `end`), oldest first."""
    where = f"vigenciadesde >= '{_floating_timestamp(start)}'"
    if end is not None:
        where += f" AND vigenciadesde <= '{_floating_timestamp(end)}'"
    return url, {
        "$select": ",".join(FIELDS),
        "$where": where,
        "$order": "vigenciadesde ASC",
        "$limit": str(ROW_LIMIT),
    }


def _days(texts: list[str], field: str) -> pd.Series:
    """SODA writes '2024-05-15T00:00:00.000'; the date part is the day."""
    days = pd.to_datetime(
        pd.Series([text[:10] for text in texts], dtype=object), format="%Y-%m-%d", errors="coerce"
    )
    if days.isna().any():
        position = int(days.isna().to_numpy().argmax())
        raise SourceFormatError(f"TRM: row {position} has {field} {texts[position]!r}")
    return days.astype("datetime64[ns]")


def transform(payload: Any, start: pd.Timestamp, end: pd.Timestamp | None = None) -> pd.DataFrame:
    """Each window's value on every calendar day from vigenciadesde to vigenciahasta, cut to [start, end].

    An empty list is "nothing new" (the API's answer when no window begins after `start`). Raises
    SourceFormatError when the answer is not a list of rows with the four fields, a unit other than
    COP, or a value that is not a positive number.
    """
    if not isinstance(payload, list):
        raise SourceFormatError(f"TRM: expected a JSON list of rows, got {type(payload).__name__}")
    values: list[float] = []
    for position, row in enumerate(payload):
        if not isinstance(row, dict) or not all(field in row for field in FIELDS):
            raise SourceFormatError(f"TRM: row {position} lacks one of {', '.join(FIELDS)}")
        if str(row["unidad"]).strip().upper() != "COP":
            raise SourceFormatError(f"TRM: row {position} is in {row['unidad']!r}, not COP")
        try:
            value = float(row["valor"])
        except (TypeError, ValueError):
            raise SourceFormatError(f"TRM: row {position} has valor {row['valor']!r}") from None
        if not 0 < value < float("inf"):
            raise SourceFormatError(f"TRM: row {position} has valor {row['valor']!r}")
        values.append(value)
    if not values:
        return pd.DataFrame(
            {"date": pd.DatetimeIndex([], dtype="datetime64[ns]"), "value": pd.Series(dtype=float)}
        )
    first = _days([str(row["vigenciadesde"]) for row in payload], "vigenciadesde")
    last = _days([str(row["vigenciahasta"]) for row in payload], "vigenciahasta")
    lengths = ((last - first).dt.days + 1).to_numpy()
    if (lengths < 1).any():
        position = int((lengths < 1).argmax())
        raise SourceFormatError(f"TRM: row {position} ends ({last[position]:%Y-%m-%d}) before it begins")
    # every calendar day of each window: the window's first day plus 0, 1, ... days
    begins = np.repeat(first.to_numpy(), lengths)
    offsets = np.arange(lengths.sum()) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    rows = pd.DataFrame(
        {
            "date": begins + offsets.astype("timedelta64[D]"),
            "value": np.repeat(np.asarray(values), lengths),
            "begins": begins,
        }
    ).sort_values(["date", "begins"], kind="stable")
    rows = rows.drop_duplicates("date", keep="last")  # a later window over the same day is the newer value
    rows = within_window(rows, start, end)[["date", "value"]]
    rows["date"] = rows["date"].astype("datetime64[ns]")
    return rows.reset_index(drop=True)


def fetch(
    start: pd.Timestamp, end: pd.Timestamp | None = None, *, url: str | None = None, **http
) -> pd.DataFrame:
    """Extract and transform: the TRM on every calendar day from `start` (inclusive) to `end`."""
    query_url, params = build_query(url or resource_url(), start, end)
    return transform(get_json(query_url, params, **http), start, end)
