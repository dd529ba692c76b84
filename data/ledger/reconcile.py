"""Stage *reconcile*: plausibility of each sale against the benchmark, text bounds and the user's scope.

Each check moves rows to `rejected` or adds findings to `flagged` of a LedgerParse; none stores."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from sqlalchemy import String

from analytics.premiums import (
    IMPLAUSIBLE_HIGH,
    IMPLAUSIBLE_LOW,
    benchmark_per_fine_gram,
)
from data.accounts.access import LedgerScope
from data.files.parsing import Problem, flags_json, stored_flags
from data.ledger.parse import LedgerParse
from data.ledger.rows import entry as _entry
from data.store import (
    sales_table,
)


def flag_implausible_prices(
    parsed: LedgerParse, gold_usd_per_oz: pd.Series | None, fx_per_usd: Mapping[str, pd.Series]
) -> None:
    """Flag (keep) sales whose price is under 30 % or over 200 % of the benchmark, or has no benchmark."""
    sales = parsed.sales
    if sales.empty:
        return
    if gold_usd_per_oz is None or gold_usd_per_oz.empty:
        bench = pd.Series(np.nan, index=sales.index)
    else:
        bench = benchmark_per_fine_gram(sales["date"], sales["currency"], gold_usd_per_oz, dict(fx_per_usd))[
            "benchmark_price_per_g"
        ]
    share = (sales["amount_received"] / sales["fine_gold_g"] / bench).to_numpy(float)
    review = np.isnan(share) | (share < IMPLAUSIBLE_LOW) | (share > IMPLAUSIBLE_HIGH)
    flags = sales["flags"].tolist()
    lines, sale_ids = sales["line"].tolist(), sales["sale_id"].tolist()
    where = parsed.sheet_of()  # the sheet of each sale, in a workbook of several
    at_line = {(entry.get("sheet"), int(entry["line"])): at for at, entry in enumerate(parsed.flagged)}
    for position in np.flatnonzero(review).tolist():  # only the rows to review, one by one
        ratio = share[position]
        if np.isnan(ratio):
            problem = Problem("no_benchmark")
        else:
            problem = Problem(
                "price_implausible",
                {"pct": ratio * 100, "low": IMPLAUSIBLE_LOW * 100, "high": IMPLAUSIBLE_HIGH * 100},
            )
        line = int(lines[position])
        earlier = (stored_flags(flags[position]) or []) if flags[position] else []
        flags[position] = flags_json([*earlier, problem])
        key = (where[position].get("sheet"), line)
        if earlier and key in at_line:  # the same line was flagged while it was read (gross/net, rate)
            parsed.flagged[at_line[key]].update(_entry(line, str(sale_ids[position]), [*earlier, problem]))
        else:
            parsed.flagged.append({**_entry(line, str(sale_ids[position]), [problem]), **where[position]})
    sales["flags"] = pd.Series(flags, index=sales.index, dtype="str")
    parsed.flagged = parsed.in_order(parsed.flagged)


def reject_outside_scope(parsed: LedgerParse, scope: LedgerScope) -> None:
    """Move rows of cooperatives the user may not write from the good rows to the rejected ones."""
    outside = ~parsed.sales["cooperative"].map(scope.allows).astype(bool)
    where = parsed.sheet_of()
    for position in np.flatnonzero(outside.to_numpy(bool)).tolist():
        row = parsed.sales.iloc[position]
        problem = Problem("outside_scope", {"cooperative": row["cooperative"]})
        parsed.rejected.append(
            {**_entry(int(row["line"]), str(row["sale_id"]), [problem]), **where[position]}
        )
    parsed.rejected = parsed.in_order(parsed.rejected)
    parsed.sales = parsed.sales[~outside]


#: Text columns and the longest value each holds (PostgreSQL refuses longer ones; SQLite would not).
_TEXT_LIMITS = {
    column.name: int(column.type.length)
    for column in sales_table.columns
    if isinstance(column.type, String) and column.type.length
}


def _too_long_problem(values: Mapping[str, object]) -> Problem | None:
    for name, limit in _TEXT_LIMITS.items():
        value = values.get(name)
        if isinstance(value, str) and len(value) > limit:
            return Problem("too_long", {"field": name, "limit": limit})
    return None


def _too_long(values: Mapping[str, object]) -> str | None:
    problem = _too_long_problem(values)
    return None if problem is None else problem.english()


def reject_too_long(parsed: LedgerParse) -> None:
    """Rows with a text longer than its column go to the rejected rows with their line."""
    if parsed.sales.empty:
        return
    sales = parsed.sales
    first_problem = pd.Series("", index=sales.index, dtype="str")  # the first column too long, in order
    for name, limit in reversed(list(_TEXT_LIMITS.items())):
        if name in sales.columns:
            too_long = (sales[name].astype("str").str.len() > limit).to_numpy(bool)
            first_problem[too_long] = name
    bad = (first_problem != "").to_numpy(bool)
    where = [at for at, wrong in zip(parsed.sheet_of(), bad.tolist(), strict=True) if wrong]
    for line, sale_id, name, sheet in zip(
        sales["line"][bad].tolist(),
        sales["sale_id"][bad].tolist(),
        first_problem[bad].tolist(),
        where,
        strict=True,
    ):
        problem = Problem("too_long", {"field": name, "limit": _TEXT_LIMITS[name]})
        parsed.rejected.append(
            {
                "line": int(line),
                "sale_id": str(sale_id)[:100],
                "reason": problem.english(),
                "code": problem.code,
                "problems": [problem.as_dict()],
                **sheet,
            }
        )
    parsed.sales = sales[~bad]
