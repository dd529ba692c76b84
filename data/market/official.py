"""Refresh the store from the official sources (LBMA fix, TRM, BCRP): only the missing days, one
transaction per source, a fetch-log row for every attempt.

I/O orchestration over data/market/lbma.py, data/market/trm.py and data/market/bcrp.py; no wording (the result carries a code
and params; ui/i18n writes them). A failed fetch, a changed format or a value in another unit leaves every
stored row as it was.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from data.market import bcrp, lbma, trm
from data.market.cleaning import clean_observations
from data.market.http_source import CHANGED_FORMAT, SourceError
from data.market.plausibility import UnitError, check_units, overlap_with
from data.market.sources import combine_sources
from data.market.statistics import BCRP_BANKING_SELL, BCRP_INTERBANK_SELL, bcrp_source, statistic_of
from data.store import MarketStore

log = logging.getLogger(__name__)

#: First day asked for when the store has nothing of a source yet.
HISTORY_START = pd.Timestamp("2000-01-01")
#: The TRM certified today is valid from the next business day(s): windows may reach a few days ahead.
TRM_DAYS_AHEAD = 7
#: BCRP is asked for at least this many days back, so a weekend's range is never empty (only the
#: missing days are stored: the rest is cut after reading).
BCRP_MIN_RANGE_DAYS = 7


@dataclass
class SourceRefresh:
    """What one fetch of one series did: the CLI's row `{source, series, rows_added, first, last, error}`.

    `first`/`last`: the first and last day written (None when nothing was). `error_code` (with
    `error_params`) says why the fetch failed; None when it worked, whether or not there was anything new.
    `message` is English, with the address, for the log.
    """

    source: str
    series: str | None
    rows_added: int = 0
    first: pd.Timestamp | None = None
    last: pd.Timestamp | None = None
    error_code: str | None = None
    error_params: dict[str, object] = field(default_factory=dict)
    message: str = ""
    asked_from: pd.Timestamp | None = None
    skipped: str | None = None  # a code when the source was deliberately not asked (offline mode)
    stored_as: str | None = None  # the provenance the values are stored under (lbma, lbma_am, trm, ...)
    statistic: str | None = None  # the statistic asked for and stored (data/market/statistics.py)

    @property
    def ok(self) -> bool:
        return self.error_code is None


@dataclass(frozen=True)
class OfficialFeed:
    """One series of one official source: where it is stored and how it is fetched."""

    source: str  # the CLI's --source name
    store_source: str  # the provenance its values are stored under
    series_id: str
    fetch: Callable[..., pd.DataFrame]
    address: Callable[[], str | None]  # where it is asked (the setting, else the public endpoint)
    calendar_days: bool = False  # the TRM covers every calendar day: weekends are not flagged


def _lbma_am(start: pd.Timestamp, end: pd.Timestamp | None = None, **http: Any) -> pd.DataFrame:
    return lbma.fetch(start, end, feed="am", **http)


def feeds_for(source: str, store: MarketStore | None = None) -> list[OfficialFeed]:
    """The feeds `refresh --source NAME` asks: the LBMA PM (and AM when its address is set), TRM, BCRP
    (the BCRP series the store already holds, data/market/bcrp.py's series_to_ask)."""
    if source == lbma.SOURCE:
        feeds = [OfficialFeed(lbma.SOURCE, lbma.SOURCE, lbma.SERIES_ID, lbma.fetch, lbma.feed_url)]
        if lbma.feed_url("am") is not None:
            feeds.append(
                OfficialFeed(
                    lbma.SOURCE, lbma.AM_SOURCE, lbma.SERIES_ID, _lbma_am, lambda: lbma.feed_url("am")
                )
            )
        return feeds
    if source == trm.SOURCE:
        return [OfficialFeed(trm.SOURCE, trm.SOURCE, trm.SERIES_ID, trm.fetch, trm.resource_url, True)]
    if source == bcrp.SOURCE:
        return [_bcrp_feed(bcrp_series_to_ask(store))]
    raise ValueError(f"unknown official source {source!r}")


def bcrp_series_to_ask(store: MarketStore | None) -> str:
    """Which BCRP statistic a refresh asks for: the setting's (GOLD_DASHBOARD_BCRP_SERIES), else the one
    already stored (the banking-system rate before the interbank one), else the banking-system rate (the
    statistic a BCRP file holds). Asking another statistic than the stored one would join two as one."""
    configured = os.environ.get(bcrp.SERIES_ENV, "").strip().upper()
    if configured:
        return configured
    if store is not None:
        for code in (BCRP_BANKING_SELL, BCRP_INTERBANK_SELL):
            if store.last_source_date(bcrp.SERIES_ID, bcrp_source(code)) is not None:
                return code
    return BCRP_BANKING_SELL


def _bcrp_feed(series_code: str) -> OfficialFeed:
    """BCRP's feed of one series code, stored under that statistic's own source (data/market/statistics.py)."""

    def fetch(start: pd.Timestamp, end: pd.Timestamp | None = None, **http: Any) -> pd.DataFrame:
        return bcrp.fetch(start, end, series=series_code, **http)

    return OfficialFeed(bcrp.SOURCE, bcrp_source(series_code), bcrp.SERIES_ID, fetch, bcrp.base_url)


def _window(feed: OfficialFeed, last_stored: pd.Timestamp | None, today: pd.Timestamp):
    """(first day missing, first day to ask for, last day to keep)."""
    start = HISTORY_START if last_stored is None else last_stored + pd.Timedelta(days=1)
    end = today + pd.Timedelta(days=TRM_DAYS_AHEAD) if feed.source == trm.SOURCE else today
    ask_from = start
    if feed.source == bcrp.SOURCE:
        ask_from = min(start, end - pd.Timedelta(days=BCRP_MIN_RANGE_DAYS))
    return start, ask_from, end


def refresh_feed(
    store: MarketStore, feed: OfficialFeed, *, today: pd.Timestamp | None = None, **http: Any
) -> SourceRefresh:
    """Fetch the days of `feed` after the last one stored under its source, check them, store them."""
    today = (today or pd.Timestamp.now()).normalize()
    result = SourceRefresh(
        feed.source, feed.series_id, stored_as=feed.store_source, statistic=statistic_of(feed.store_source)
    )
    last_stored = store.last_source_date(feed.series_id, feed.store_source)
    start, ask_from, end = _window(feed, last_stored, today)
    result.asked_from = start
    try:
        if start > end:
            rows = pd.DataFrame({"date": pd.DatetimeIndex([]), "value": pd.Series(dtype=float)})
        else:
            fetched = feed.fetch(ask_from, None if feed.source == trm.SOURCE else end, **http)
            rows = fetched[(fetched["date"] >= start) & (fetched["date"] <= end)]
        observations = _checked(feed, store, rows.reset_index(drop=True))
    except SourceError as error:
        result.error_code, result.error_params, result.message = error.code, error.params, str(error)
        store.log_fetch(feed.store_source, False, f"{feed.series_id}: {error}", error.code)
        return result
    if observations.empty:
        result.message = f"{feed.series_id}: nothing new after {start:%Y-%m-%d} from {feed.address()}"
    else:
        result.rows_added = store.write_series(feed.series_id, observations, feed.store_source)
        result.first, result.last = observations["date"].min(), observations["date"].max()
        result.message = (
            f"{feed.series_id}: {result.rows_added} rows added, {result.first:%Y-%m-%d}..{result.last:%Y-%m-%d}"
            f" from {feed.address()}"
        )
    store.log_fetch(feed.store_source, True, result.message)
    log.info("%s %s", feed.store_source, result.message)
    return result


class _UnitRefused(SourceError):
    code = CHANGED_FORMAT


def _checked(feed: OfficialFeed, store: MarketStore, rows: pd.DataFrame) -> pd.DataFrame:
    """The rows through the importer's cleaning and unit check: a wrong unit refuses the whole answer."""
    if rows.empty:
        return rows
    rows = rows.assign(
        line=range(1, len(rows) + 1),
        raw_date=rows["date"].dt.strftime("%Y-%m-%d"),
        raw_value=rows["value"].astype(str),
    )
    cleaned = clean_observations(rows, calendar_days=feed.calendar_days)
    observations = cleaned.observations
    if observations.empty:
        return observations
    new = observations.set_index(pd.to_datetime(observations["date"]))["value"]
    stored = store.load_series_sources(feed.series_id, new.index.min(), new.index.max())
    others = combine_sources(feed.series_id, stored[stored["source"] != feed.store_source])
    try:
        check_units(feed.series_id, new, overlap_with(new, others))
    except UnitError as error:
        raise _UnitRefused(
            f"{feed.series_id}: values in another unit ({error.code})", **error.params
        ) from None
    return observations


def refresh_official(
    store: MarketStore, source: str, *, today: pd.Timestamp | None = None, **http: Any
) -> list[SourceRefresh]:
    """Every feed of one official source (`lbma`, `trm`, `bcrp`), each in its own transaction."""
    return [refresh_feed(store, feed, today=today, **http) for feed in feeds_for(source, store)]
