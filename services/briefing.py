"""The briefing's numbers for a period: markets in every country, forecast and timing, premiums.

No streamlit and no words: presentation/briefing_report.py writes the sentences and files. The Briefing page and
`cli.py briefing` both call `briefing_view`.
"""

from __future__ import annotations

import pandas as pd

from analytics.briefing import (
    Briefing,
    add_forecast_and_timing,
    add_premiums,
    build_briefing,
    countries_by_period,
)
from data.accounts.access import LedgerScope
from data.market.market_data import MarketSnapshot
from data.market.series import GOLD_SERIES, fx_series_for
from data.store import MarketStore
from services.forecast import DEFAULT_HORIZON, stored_backtest
from services.market import prices_at_kinds, real_fx
from services.premiums import stored_premiums


def briefing_view(
    store: MarketStore,
    scope: LedgerScope,
    snapshot: MarketSnapshot,
    start: pd.Timestamp,
    end: pd.Timestamp,
    kind: str,
) -> Briefing:
    """Moves, the multi-country table, forecast and timing as of the end, and the period's stored sales.

    Only real sales go into a briefing (never the demo ledger); a country whose exchange rate is demo
    beside real gold is left out (its price would be invented).
    """
    fx = {currency: rate for currency, rate in real_fx(snapshot).items() if currency != "USD"}
    briefing = build_briefing(snapshot.gold_usd_per_oz, fx, start, end, kind)
    stored = None
    if snapshot.states[GOLD_SERIES].kind == "stored":  # the Forecast page's backtest, when it is current
        kept = stored_backtest(store, GOLD_SERIES, DEFAULT_HORIZON)
        stored = None if kept is None else kept.summary
    add_forecast_and_timing(briefing, snapshot.gold_usd_per_oz, stored)
    premiums = stored_premiums(store, scope, snapshot, None, start, end).premiums
    if not premiums.empty:
        add_premiums(briefing, premiums)
    used = [
        GOLD_SERIES,
        *(str(fx_series_for(row.currency)) for row in briefing.countries if row.currency != "USD"),
    ]
    briefing.demo_series = [series_id for series_id in used if series_id in snapshot.demo_series]
    briefing.providers = {series_id: snapshot.source_of(series_id) for series_id in used}
    add_rate_kinds(briefing, snapshot)
    return briefing


def add_rate_kinds(briefing: Briefing, snapshot: MarketSnapshot) -> None:
    """Name each country's rate kind, and where a currency has several kinds stored, the gram at each on
    the row's day (the gap a Bolivian reader needs: the official 6.96 against the BCB's reference)."""
    for row in briefing.countries:
        if row.currency == "USD":
            continue
        row.rate_kind = snapshot.rate_kind(row.currency).used
        row.price_at_kinds = prices_at_kinds(snapshot, row.currency, row.price_date)


def briefing_periods(snapshot: MarketSnapshot, kind: str) -> pd.DataFrame:
    """Every period of `kind` with data, how many countries it has, whether it is complete: the picker's
    choices, and (`default_period`) the one it opens on."""
    fx = {currency: rate for currency, rate in real_fx(snapshot).items() if currency != "USD"}
    coverage = countries_by_period(snapshot.gold_usd_per_oz, fx, kind)
    return coverage[coverage["countries"] > 0]
