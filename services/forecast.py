"""The Forecast view: the stored rolling-origin backtest of every model on a target, then the chosen model's fan.

The backtest is measured once per target, horizon and data version and kept in the store
(``backtests`` table): after a price import, a Yahoo refresh or the timer job (``refresh_backtests``),
or, for a target or horizon nobody measured yet, on its first view. A new server process reads it back;
it never re-runs a backtest whose data have not changed. No streamlit: progress is reported through a
plain callback, which the page turns into a progress bar.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

import pandas as pd

from analytics.forecast import (
    BacktestSettings,
    BacktestSummary,
    Forecast,
    forecast_from_last,
    run_backtest,
)
from analytics.timing import SIGNAL_HORIZON_DAYS, ForecastBand
from data.market.market_data import MarketSnapshot, target_prices
from data.market.series import CURRENCIES, GOLD_SERIES, fx_series_for, local_price_id, parse_local_price_id
from data.settings import backtests_on_write
from data.store import MarketStore, series_version_key
from services.freshness import Freshness, freshness, last_date

#: Origins a month apart: 60 of them cover about five years.
FORECAST_BACKTEST_STEP = 20
#: The horizon the page opens with: measured ahead of any visit.
DEFAULT_HORIZON = 20
#: Changes whenever the models, bands or selection change, so a backtest stored by an older method is
#: measured again rather than shown.
BACKTEST_METHOD = "bands-inner-2026-12"


@dataclass(frozen=True)
class StoredBacktest:
    summary: BacktestSummary
    measured_at: datetime
    seconds: float


@dataclass(frozen=True)
class ForecastView:
    """What the Forecast page shows for one target and horizon: the backtest, then the forecast."""

    target_id: str
    history: pd.Series
    backtest: BacktestSummary
    forecast: Forecast
    model: str  # the model the forecast uses: the backtest's selection unless the user chose one
    freshness: Freshness  # the forecast's origin: a stale one is the last data, not "today"
    measured_at: datetime | None = None  # when the backtest was run (None: not stored, demo data)
    backtest_seconds: float = 0.0


def target_history(snapshot: MarketSnapshot, target_id: str) -> pd.Series:
    """A stored series or a derived local price (GOLD_COP_G) from the snapshot."""
    return target_prices(snapshot.usable, target_id)


def target_sources(target_id: str) -> list[str]:
    """The stored series a target is made of: itself, or gold and the exchange rate for GOLD_COP_G."""
    local = parse_local_price_id(target_id)
    if local is None:
        return [target_id]
    fx_id = fx_series_for(local[0])
    return [GOLD_SERIES] + ([] if fx_id is None else [fx_id])


def target_data_version(versions: dict[str, int], target_id: str) -> str:
    """The data version a target's backtest is valid for: the method and its series' write counters."""
    parts = [
        f"{series_id}={versions.get(series_version_key(series_id), 0)}"
        for series_id in target_sources(target_id)
    ]
    return ";".join([BACKTEST_METHOD, *parts])


def backtest_settings(horizon: int) -> BacktestSettings:
    return BacktestSettings(horizon=horizon, step=FORECAST_BACKTEST_STEP)


def stored_backtest(
    store: MarketStore, target_id: str, horizon: int, versions: dict[str, int] | None = None
) -> StoredBacktest | None:
    """The stored backtest of a target and horizon if it was measured on the current data, else None."""
    row = store.load_backtest(target_id, horizon)
    if row is None:
        return None
    current = target_data_version(store.versions() if versions is None else versions, target_id)
    if row["data_version"] != current:
        return None
    return StoredBacktest(BacktestSummary.from_json(row["result"]), row["measured_at"], row["seconds"])


def measure_backtest(
    store: MarketStore,
    target_id: str,
    horizon: int,
    prices: pd.Series | None = None,
    progress: Callable[[float, str], None] | None = None,
    versions: dict[str, int] | None = None,
    data_version: str | None = None,
) -> StoredBacktest:
    """Run the backtest of a target and horizon on the stored data and store it under its data version.

    The versions are read before the prices, so a write landing in between leaves the stored result
    marked with the older version: it is measured again, never shown as current when it is not.
    """
    versions = store.versions() if versions is None else versions
    if prices is None:
        prices = target_prices(store.load_series, target_id)
    started = time.perf_counter()
    result = run_backtest(prices, backtest_settings(horizon), series=target_id, progress=progress)
    seconds = time.perf_counter() - started
    payload = result.as_json()
    version = target_data_version(versions, target_id) if data_version is None else data_version
    measured_at = store.save_backtest(target_id, horizon, version, seconds, payload)
    return StoredBacktest(result.summary(), measured_at, seconds)


def demo_data_version(prices: pd.Series) -> str:
    """The version a backtest on demo data is stored under: the demo is seeded and ends on its day, so the
    method and that day name the data (a new day, new demo prices, measured again)."""
    last = "none" if prices.empty else f"{pd.Timestamp(prices.index[-1]):%Y-%m-%d}"
    return f"{BACKTEST_METHOD};demo={last}"


def stored_demo_backtest(
    store: MarketStore, target_id: str, horizon: int, prices: pd.Series
) -> StoredBacktest | None:
    """The stored backtest of a target on today's demo prices, or None."""
    row = store.load_backtest(target_id, horizon)
    if row is None or row["data_version"] != demo_data_version(prices):
        return None
    return StoredBacktest(BacktestSummary.from_json(row["result"]), row["measured_at"], row["seconds"])


def demo_targets(snapshot: MarketSnapshot) -> list[str]:
    """The targets the Forecast page opens on whose series are all demo: gold in USD and every gram."""
    targets = [GOLD_SERIES] + [local_price_id(currency, "g") for currency in CURRENCIES]
    return [target for target in targets if _sources_kind(snapshot, target) == "demo"]


def refresh_demo_backtests(
    store: MarketStore,
    snapshot: MarketSnapshot,
    horizon: int = DEFAULT_HORIZON,
    targets: Iterable[str] | None = None,
) -> list[dict[str, object]]:
    """Measure and store the backtest of every demo target not yet stored on today's demo prices, so a
    new store's first Forecast visit reads it like real data's (one entry per target, as refresh_backtests)."""
    from analytics.forecast import BacktestError

    report: list[dict[str, object]] = []
    for target_id in demo_targets(snapshot) if targets is None else list(targets):
        prices = target_history(snapshot, target_id)
        if stored_demo_backtest(store, target_id, horizon, prices) is not None:
            report.append({"target_id": target_id, "status": "current"})
            continue
        try:
            measured = measure_backtest(
                store, target_id, horizon, prices, data_version=demo_data_version(prices)
            )
        except (BacktestError, ValueError) as error:
            report.append({"target_id": target_id, "status": "failed", "reason": str(error)})
            continue
        report.append({"target_id": target_id, "status": "measured", "seconds": round(measured.seconds, 1)})
    return report


def _sources_kind(snapshot: MarketSnapshot, target_id: str) -> str | None:
    """ "stored" or "demo" when every series of the target is of that kind, else None (mixed or missing)."""
    kinds = {
        snapshot.states[series_id].kind if series_id in snapshot.states else None
        for series_id in target_sources(target_id)
    }
    return kinds.pop() if len(kinds) == 1 else None


def default_targets(store: MarketStore) -> list[str]:
    """What the Forecast page opens on: gold in USD, and the gram in every currency whose rate is stored."""
    stored = set(store.series_status().index)
    if GOLD_SERIES not in stored:
        return []
    targets = [GOLD_SERIES]
    for currency in CURRENCIES:
        fx_id = fx_series_for(currency)
        if fx_id is None or fx_id in stored:
            targets.append(local_price_id(currency, "g"))
    return targets


def refresh_backtests(
    store: MarketStore, targets: Iterable[str] | None = None, horizon: int = DEFAULT_HORIZON
) -> list[dict[str, object]]:
    """Measure every default target's backtest whose data changed since it was stored (the others are
    left as they are); one entry per target: target_id, status (measured, current, failed), seconds."""
    from analytics.forecast import BacktestError

    versions = store.versions()
    report: list[dict[str, object]] = []
    for target_id in default_targets(store) if targets is None else list(targets):
        if stored_backtest(store, target_id, horizon, versions) is not None:
            report.append({"target_id": target_id, "status": "current"})
            continue
        try:
            measured = measure_backtest(store, target_id, horizon, versions=versions)
        except (BacktestError, ValueError) as error:
            report.append({"target_id": target_id, "status": "failed", "reason": str(error)})
            continue
        report.append(
            {
                "target_id": target_id,
                "status": "measured",
                "seconds": round(measured.seconds, 1),
                "selected": measured.summary.selected,
            }
        )
    return report


def refresh_backtests_after_write(store: MarketStore) -> list[dict[str, object]]:
    """``refresh_backtests`` after prices were written, unless GOLD_DASHBOARD_BACKTESTS_ON_WRITE=0."""
    return refresh_backtests(store) if backtests_on_write() else []


def forecast_view(
    snapshot: MarketSnapshot,
    target_id: str,
    horizon: int,
    model: str | None = None,
    progress: Callable[[float], None] | None = None,
    today: pd.Timestamp | str | None = None,
    store: MarketStore | None = None,
) -> ForecastView:
    """The stored backtest of `target_id` (measured and stored now when missing or out of date), then a
    forecast of `horizon` days with `model` (default: the backtest's selection).

    On demo data it is stored under the demo's day (``refresh_demo_backtests`` measures it ahead); without
    a store, or on a mix of stored and demo series, it is run and not stored.
    """
    prices = target_history(snapshot, target_id)
    settings = backtest_settings(horizon)

    def report(fraction: float, _: str) -> None:
        if progress is not None:
            progress(min(fraction, 1.0))

    kind = _sources_kind(snapshot, target_id)
    measured_at, seconds = None, 0.0
    if store is not None and kind == "demo" and not prices.empty:  # precomputed like real data's
        kept = stored_demo_backtest(store, target_id, horizon, prices)
        if kept is None:
            kept = measure_backtest(
                store, target_id, horizon, prices, report, data_version=demo_data_version(prices)
            )
        summary, measured_at, seconds = kept.summary, kept.measured_at, kept.seconds
    elif store is not None and kind == "stored":
        versions = store.versions()
        kept = stored_backtest(store, target_id, horizon, versions)
        if kept is not None and not prices.empty and kept.summary.last_data_date != prices.index[-1]:
            kept = None  # counters that match data they were not measured on (a restore renumbers them)
        if kept is None:
            kept = measure_backtest(store, target_id, horizon, prices, report, versions)
        summary, measured_at, seconds = kept.summary, kept.measured_at, kept.seconds
    else:
        started = time.perf_counter()
        summary = run_backtest(prices, settings, series=target_id, progress=report).summary()
        seconds = time.perf_counter() - started
    chosen = model or summary.selected
    forecast = forecast_from_last(prices, chosen, horizon=horizon, settings=settings)
    return ForecastView(
        target_id,
        prices,
        summary,
        forecast,
        chosen,
        freshness(last_date(prices), today),
        measured_at,
        seconds,
    )


def stored_forecast_band(
    store: MarketStore, target_id: str, prices: pd.Series, kind: str = "stored"
) -> ForecastBand | None:
    """The band the Forecast page shows at Sell timing's horizon (20 days), from the stored backtest's
    selection, when one was measured on these prices (`kind`: "stored" or "demo" data); None otherwise.
    No backtest is run here: a reading never waits for one."""
    from analytics.forecast import BacktestError

    if kind == "demo":
        kept = stored_demo_backtest(store, target_id, SIGNAL_HORIZON_DAYS, prices)
    else:
        kept = stored_backtest(store, target_id, SIGNAL_HORIZON_DAYS)
    if kept is None or prices.empty or kept.summary.last_data_date != prices.index[-1]:
        return None
    try:
        forecast = forecast_from_last(
            prices, kept.summary.selected, SIGNAL_HORIZON_DAYS, backtest_settings(SIGNAL_HORIZON_DAYS)
        )
    except BacktestError:
        return None
    return ForecastBand.from_forecast(forecast)


def snapshot_forecast_band(
    store: MarketStore, snapshot: MarketSnapshot, target_id: str
) -> ForecastBand | None:
    """``stored_forecast_band`` of a target on the snapshot's data (None on a mix of stored and demo series)."""
    kind = _sources_kind(snapshot, target_id)
    if kind is None:
        return None
    return stored_forecast_band(store, target_id, target_history(snapshot, target_id), kind)
