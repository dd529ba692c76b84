"""Money columns whose header names another currency, converted at the sale day's rate; gross vs net
cross-checked. Returns review findings by row position."""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np
import pandas as pd

from analytics.premiums import (
    CHARGE_COLUMNS,
)
from data.files.parsing import Problem
from data.ledger.understand import GROSS_NET_TOLERANCE, MAX_PREMIUM_USD_PER_FINE_G, SALE_CURRENCY
from data.market.series import fx_series_for

MAX_RATE_AGE_DAYS = 7  # a money column is converted at the last rate on or before the sale day, within this


def _convert_money(
    sales: pd.DataFrame, named_currency: Mapping[str, str | None], converter: _Converter
) -> dict[int, list[Problem]]:
    """Convert, in `sales`, the money columns whose header names another currency than the sale's (USD
    for the premium) at the sale day's rate, and cross-check a gross column against net + deductions;
    the review flags by row position (a row's no-rate flags in column order, then a gross/net one)."""
    row_flags: dict[int, list[Problem]] = {}
    if sales.empty:
        return row_flags
    days = pd.DatetimeIndex(sales["date"])
    currencies = sales["currency"].to_numpy(dtype=object)
    for order, (name, named) in enumerate(named_currency.items()):
        if named is None:
            continue
        values = sales[name].to_numpy(dtype=float, na_value=np.nan)
        targets = np.full(len(sales), "USD", dtype=object) if name == "premium_received_usd" else currencies
        sources = currencies if named == SALE_CURRENCY else np.full(len(sales), named, dtype=object)
        todo = (targets != sources) & ~np.isnan(values) & (values != 0)
        if not todo.any():
            continue
        converted = values.copy()
        for source, target in sorted(
            {(str(s), str(t)) for s, t in zip(sources[todo], targets[todo], strict=True)}
        ):
            rows = np.flatnonzero(todo & (targets == target) & (sources == source))
            result = converter.convert(name, order, values[rows], source, str(target), days[rows], rows)
            converted[rows] = np.where(np.isnan(result), 0.0, result)
            where = "USD" if target == "USD" else "the sale's currency"
            series = _rate_series(source, str(target))
            for position in rows[np.isnan(result)].tolist():
                params = {
                    "field": name,
                    "value": float(values[position]),
                    "currency": source,
                    "series": series,
                    "target": where,
                }
                row_flags.setdefault(position, []).append(Problem("no_rate", params))
        sales[name] = converted
    _hold_implausible_premiums(sales, row_flags)
    if "gross_amount" in sales.columns:
        gross = sales["gross_amount"].to_numpy(dtype=float, na_value=np.nan)
        deductions = np.zeros(len(sales))
        for name in (*CHARGE_COLUMNS, "royalties_paid", "withholding_paid"):
            deductions = deductions + sales[name].to_numpy(dtype=float)
        computed = sales["amount_received"].to_numpy(dtype=float) + deductions
        with np.errstate(invalid="ignore"):
            mismatch = (
                ~np.isnan(gross) & (gross != 0) & (np.abs(gross - computed) > GROSS_NET_TOLERANCE * gross)
            )
        for position in np.flatnonzero(mismatch).tolist():
            value, total = float(gross[position]), float(computed[position])
            params = {"gross": value, "computed": total, "pct": (value / total - 1) * 100}
            row_flags.setdefault(position, []).append(Problem("gross_net_mismatch", params))
    return row_flags


def _hold_implausible_premiums(sales: pd.DataFrame, row_flags: dict[int, list[Problem]]) -> None:
    """A premium beyond what a certification pays a fine gram (MAX_PREMIUM_USD_PER_FINE_G) is a peso
    amount or a typo: stored as 0 and the sale flagged with the value read, never stored as it is."""
    premium = sales["premium_received_usd"].to_numpy(dtype=float, na_value=np.nan).copy()
    fine = sales["fine_gold_g"].to_numpy(dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        per_gram = premium / fine
    beyond = np.flatnonzero(~np.isnan(per_gram) & (per_gram > MAX_PREMIUM_USD_PER_FINE_G))
    for position in beyond.tolist():
        params: dict[str, object] = {
            "value": float(premium[position]),
            "per_g": float(per_gram[position]),
            "limit": MAX_PREMIUM_USD_PER_FINE_G,
        }
        row_flags.setdefault(position, []).append(Problem("premium_implausible", params))
    if len(beyond):
        premium[beyond] = 0.0
        sales["premium_received_usd"] = premium


class _Converter:
    """Converts money between currencies at the sale day's rate (the last within 7 days), and counts."""

    def __init__(self, rates: Callable[[str], pd.Series | None] | None):
        self._rates = rates
        self._series: dict[str, pd.Series | None] = {}
        #: (field, from, to) → [rows, rows without a rate, first row position, field's order]
        self._counts: dict[tuple[str, str, str], list[int]] = {}

    def _per_usd(self, currency: str, days: pd.DatetimeIndex) -> np.ndarray:
        """Local currency per USD on each day (NaN: no positive rate within MAX_RATE_AGE_DAYS before)."""
        if currency == "USD":
            return np.ones(len(days))
        if currency not in self._series:
            series = self._rates(currency) if self._rates is not None else None
            self._series[currency] = None if series is None else series.dropna().sort_index()
        series = self._series[currency]
        if series is None or series.empty:
            return np.full(len(days), np.nan)
        stamps = np.asarray(pd.DatetimeIndex(series.index).as_unit("ns"), dtype="datetime64[ns]")
        wanted = np.asarray(days.as_unit("ns"), dtype="datetime64[ns]")
        position = np.searchsorted(stamps, wanted, side="right") - 1
        at = np.clip(position, 0, None)
        age_days = (wanted - stamps[at]) // np.timedelta64(1, "D")
        value = series.to_numpy(dtype=float)[at]
        usable = (position >= 0) & (age_days <= MAX_RATE_AGE_DAYS) & (value > 0)
        return np.where(usable, value, np.nan)

    def convert(
        self,
        name: str,
        order: int,
        values: np.ndarray,
        source: str,
        target: str,
        days: pd.DatetimeIndex,
        positions: np.ndarray,
    ) -> np.ndarray:
        """`values` (of rows `positions`, field `name` the `order`-th money column) in `target`;
        NaN where a rate is missing."""
        with np.errstate(invalid="ignore"):
            converted = values / self._per_usd(source, days) * self._per_usd(target, days)
        counts = self._counts.setdefault((name, source, target), [0, 0, int(positions[0]), order])
        counts[0] += len(values)
        counts[1] += int(np.isnan(converted).sum())
        return converted

    def report(self) -> list[dict]:
        """In the order a row-by-row reading meets them: by first row, then by column."""
        ordered = sorted(self._counts.items(), key=lambda item: (item[1][2], item[1][3]))
        return [
            {
                "field": name,
                "from_currency": source,
                "to_currency": target,
                "rate_series": _rate_series(source, target),
                "rows": counts[0],
                "rows_without_rate": counts[1],
            }
            for (name, source, target), counts in ordered
        ]


def _rate_series(source: str, target: str) -> str:
    """The stored series a conversion uses: 'USD_COP'; two for a cross rate: 'USD_PEN,USD_COP'."""
    return ",".join(
        series for currency in (source, target) if (series := fx_series_for(currency)) is not None
    )
