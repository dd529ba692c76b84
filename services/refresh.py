"""Refresh the stored prices from every configured source: `prices refresh` and the staff button.

The official sources first (LBMA fix, TRM, BCRP; data/market/official.py), then Yahoo Finance
(data/market/market_data.py), each asked only for its missing days, one result row per series. No streamlit,
no wording: the rows carry codes that ui/i18n writes in the user's language.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pandas as pd

from data.market.market_data import OFFLINE_MODE, YAHOO, failure_code, offline_mode, refresh_from_yahoo
from data.market.official import SourceRefresh, refresh_official
from data.market.series import SERIES
from data.store import MarketStore
from data.store.jobs import job_lease

SOURCES_ENV = "GOLD_DASHBOARD_SOURCES"
#: Every source `refresh` knows, in the order it asks them (official first, as the precedence).
KNOWN_SOURCES = ("lbma", "trm", "bcrp", YAHOO)
DEFAULT_SOURCES = KNOWN_SOURCES


class UnknownSourceError(ValueError):
    """A source name `refresh` does not know (from --source or GOLD_DASHBOARD_SOURCES)."""


def configured_sources(names: list[str] | None = None) -> list[str]:
    """The sources to ask: `names` (--source), else GOLD_DASHBOARD_SOURCES, else every known one."""
    if not names:
        setting = os.environ.get(SOURCES_ENV, "").strip()
        names = [part for part in (p.strip().lower() for p in setting.split(",")) if part] if setting else []
    chosen = list(dict.fromkeys(name.strip().lower() for name in names)) or list(DEFAULT_SOURCES)
    unknown = [name for name in chosen if name not in KNOWN_SOURCES]
    if unknown:
        raise UnknownSourceError(f"unknown source {', '.join(unknown)}; known: {', '.join(KNOWN_SOURCES)}")
    return chosen


def _yahoo_rows(store: MarketStore, **yahoo: Any) -> list[SourceRefresh]:
    """Yahoo's refresh as result rows: one per series written, one for a failure."""
    if offline_mode():
        return [SourceRefresh(YAHOO, None, skipped=OFFLINE_MODE, message="offline mode: not contacted")]
    report = refresh_from_yahoo(store, min_interval=timedelta(0), **yahoo)
    rows = [
        SourceRefresh(
            YAHOO,
            series_id,
            rows_added=report.rows_added.get(series_id, 0),
            first=report.written.get(series_id, (None, None))[0],
            last=report.written.get(series_id, (None, None))[1],
            message=f"{series_id}: {report.rows_added.get(series_id, 0)} rows added",
            stored_as=f"{YAHOO}:{SERIES[series_id].yahoo_ticker}",
        )
        for series_id in report.rows_stored
    ]
    if not report.ok:
        rows.append(
            SourceRefresh(
                YAHOO, None, error_code=failure_code(store.last_fetch(YAHOO)), message=report.message
            )
        )
    return rows


def refresh_prices(
    store: MarketStore,
    sources: list[str] | None = None,
    *,
    today: pd.Timestamp | None = None,
    on_progress: Callable[[int, int, str], None] | None = None,
    http: dict[str, Any] | None = None,
    yahoo: dict[str, Any] | None = None,
) -> list[SourceRefresh]:
    """Ask each source in turn for its missing days; `on_progress(done, total, source)` before each.

    `http` goes to the official fetchers (timeout_s, attempts, backoff_s, session), `yahoo` to the
    Yahoo refresh (download, probe, session). A failing source never stops the next one.
    """
    chosen = configured_sources(sources)
    results: list[SourceRefresh] = []
    for done, source in enumerate(chosen):
        if on_progress is not None:
            on_progress(done, len(chosen), source)
        if source == YAHOO:
            results += _yahoo_rows(store, **(yahoo or {}))
        else:
            results += refresh_official(store, source, today=today, **(http or {}))
    if on_progress is not None:
        on_progress(len(chosen), len(chosen), "")
    return results


def refresh_failed(results: list[SourceRefresh]) -> bool:
    """True when any source failed (the CLI's exit 1); nothing new is not a failure."""
    return any(not result.ok for result in results)


def refresh_prices_once(
    store: MarketStore, sources: list[str] | None = None, **options: Any
) -> list[SourceRefresh] | None:
    """`refresh_prices` under the fleet's lease: None when another host (or the staff's button) is refreshing
    right now, so a timer started on every host at once asks each source once."""
    with job_lease(store, "prices_refresh") as mine:
        return refresh_prices(store, sources, **options) if mine else None
