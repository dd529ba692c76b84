"""Which source a day's value comes from: provider names, the per-series precedence, and the combination.

Pure apart from reading one setting (GOLD_DASHBOARD_SOURCE_PRECEDENCE). DOMAIN.md's default: gold and
silver — the LBMA fix, then spot (Stooq), then the COMEX future (Yahoo GC=F); exchange rates — the
official rate (TRM, BCRP), then the market quote (Yahoo). A day takes the value of the highest source that
has it, so the answer never depends on the order in which files were imported.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from data.market.series import SERIES

PRECEDENCE_ENV = "GOLD_DASHBOARD_SOURCE_PRECEDENCE"
#: bcrp is BCRP's banking-system sell rate; its interbank rate, another statistic, is kept apart under its
#: code and ranks after it (data/market/statistics.py).
OFFICIAL_FX_SOURCES = ("trm", "bcrp", "bcrp:PD04638PD", "official")


def default_precedence(series_id: str) -> list[str]:
    """DOMAIN.md's order for a series: benchmarks before markets, sources not listed come after."""
    ticker = SERIES[series_id].yahoo_ticker if series_id in SERIES else ""
    if SERIES.get(series_id) is not None and SERIES[series_id].currency is None:  # a metal in USD/oz
        return ["lbma", "stooq", f"yahoo:{ticker}"]
    return [*OFFICIAL_FX_SOURCES, "stooq", f"yahoo:{ticker}"]


def configured_precedence() -> dict[str, list[str]]:
    """GOLD_DASHBOARD_SOURCE_PRECEDENCE='GOLD_USD=stooq,lbma,yahoo:GC=F;USD_COP=yahoo:COP=X,trm'."""
    text = os.environ.get(PRECEDENCE_ENV, "").strip()
    orders: dict[str, list[str]] = {}
    for part in filter(None, (piece.strip() for piece in text.split(";"))):
        series_id, _, sources = part.partition("=")
        orders[series_id.strip().upper()] = [s.strip() for s in sources.split(",") if s.strip()]
    return orders


def precedence(series_id: str) -> list[str]:
    """The series' source order: the setting's, else DOMAIN.md's default."""
    return configured_precedence().get(series_id, default_precedence(series_id))


def precedence_key(series_id: str) -> Callable[[str], tuple[int, str]]:
    """Sort key of a source: its place in the precedence; unlisted sources after, alphabetically."""
    order = {source: rank for rank, source in enumerate(precedence(series_id))}
    return lambda source: (order.get(source, len(order)), source)


def combine_sources(series_id: str, values: pd.DataFrame) -> pd.DataFrame:
    """From every stored (date, source, value), one row per day: the highest-precedence source's value.

    Returns a frame on a DatetimeIndex named date with columns value and source.
    """
    if values.empty:
        empty = pd.DataFrame({"value": pd.Series(dtype=float), "source": pd.Series(dtype=object)})
        return empty.set_index(pd.DatetimeIndex([], name="date", dtype="datetime64[ns]"))
    ordered_sources = sorted(values["source"].unique(), key=precedence_key(series_id))
    ranks = {source: rank for rank, source in enumerate(ordered_sources)}
    ordered = values.assign(rank=values["source"].map(ranks)).sort_values(["date", "rank"], kind="stable")
    first = ordered.drop_duplicates("date", keep="first")
    return first.set_index("date")[["value", "source"]]


def source_spans(sources: pd.Series) -> list[tuple[str, pd.Timestamp, pd.Timestamp, int]]:
    """Where the source changes: (source, first day, last day, days) for each run of one source, in order."""
    if sources.empty:
        return []
    run = (sources != sources.shift()).cumsum()
    spans = []
    for _, days in sources.groupby(run, sort=True):
        spans.append((str(days.iloc[0]), days.index[0], days.index[-1], len(days)))
    return spans


def provider_for_import(file_format: str, series_id: str, filename: str, named: str | None = None) -> str:
    """The source name an imported file's values are stored under.

    The user's name when given (`prices import --source NAME`); else the provider the format names: the
    FRED gold series is the LBMA PM fix, Stooq's is spot, Yahoo's the ticker, TRM and BCRP the official
    rates; a generic two-column file is named after the file.
    """
    if named:
        return named.strip()
    if file_format == "fred":
        return "lbma" if series_id in ("GOLD_USD", "SILVER_USD") else "fred"
    if file_format.startswith("yahoo"):
        ticker = SERIES[series_id].yahoo_ticker if series_id in SERIES else series_id
        return f"yahoo:{ticker}"
    if file_format in ("stooq", "trm", "bcrp"):
        return file_format
    return f"file:{Path(filename).name}"
