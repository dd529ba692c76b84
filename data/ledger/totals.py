"""Stage *reconcile*, the sheet's own totals: a totals row is found (a total's label in any text column,
or numbers equal to the sum of the rows above with no date or buyer), never stored as a sale, and
used: its figures are compared with what was read above it, field by field.

Works on the sheet's cells as written (its units, its currency), so the bookkeeper's sums and ours
add the same numbers; returns findings, stores nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from data.files.parsing import Problem, Table
from data.ledger.rows import _columns, _numbers

#: The fields a totals row sums, in the order a difference is named.
TOTAL_FIELDS = ("gross_weight", "fine_gold_g", "amount_received", "gross_amount", "royalties_paid",
                "withholding_paid", "premium_received_usd")  # fmt: skip
#: Rows a sum must cover before equal numbers make a totals row (one row "summing" itself is a sale).
MIN_ROWS_SUMMED = 2


def _close(sheet: float, read: float) -> bool:
    """Equal as a bookkeeper's sum is: to the cent (the sum of two-decimal cells, float rounding aside)."""
    return abs(sheet - read) <= 0.005 + 1e-9 * abs(read)


def _figures(table: Table, index: Mapping[str, int]) -> dict[str, np.ndarray]:
    """Each summed field's numbers as written in the sheet (NaN where a cell is empty or unreadable)."""
    columns = table.columns if table.columns is not None else _columns(table.rows)
    figures = {}
    for name in TOTAL_FIELDS:
        if name in index and index[name] < len(columns):
            values, _ = _numbers(columns[index[name]].str.strip(), table.decimal)
            figures[name] = values
    return figures


def _blank(table: Table, index: Mapping[str, int], name: str) -> np.ndarray:
    columns = table.columns if table.columns is not None else _columns(table.rows)
    if name not in index or index[name] >= len(columns):
        return np.ones(table.row_count, dtype=bool)
    return (columns[index[name]].str.strip() == "").to_numpy(bool)


def _differences(figures: Mapping[str, np.ndarray], at: int, sums: Mapping[str, float]) -> list[dict]:
    found = []
    for name, values in figures.items():
        sheet = float(values[at])
        if not np.isnan(sheet) and not _close(sheet, sums[name]):
            found.append({"field": name, "sheet": sheet, "read": round(sums[name], 6)})
    return found


def reconcile_totals(
    table: Table,
    index: Mapping[str, int],
    sales: pd.DataFrame,
    rejected: list[dict],
    skipped: list[dict],
) -> tuple[pd.DataFrame, list[dict], list[dict], list[dict]]:
    """(sales, rejected, skipped, totals): the totals rows taken out of the sales and the rejected rows,
    and for each totals row {"line", "rows", "matches", "differences": [{"field", "sheet", "read"}]}.

    A labelled total (already skipped) is compared with the rows read since the previous total, or
    with all rows read above it when that is what it sums (a grand total under subtotals). An
    unlabelled row is a total when its date or buyer is empty and its numbers are those sums.
    """
    figures = _figures(table, index)
    if not figures or "gross_weight" not in figures:
        return sales, rejected, skipped, []
    count = table.row_count
    position_of = {table.line_of(position): position for position in range(count)}
    read_lines = set(sales["line"].astype(int).tolist())
    labelled = {int(row["line"]) for row in skipped}
    unlabelled_ok = _blank(table, index, "date") | _blank(table, index, "buyer")
    segment = {name: 0.0 for name in figures}
    everything = {name: 0.0 for name in figures}
    rows_in = {"segment": 0, "all": 0}
    totals: list[dict] = []
    taken: list[int] = []
    for line in sorted(read_lines | labelled | {int(row["line"]) for row in rejected}):
        at = position_of.get(line)
        if at is None:
            continue
        sums_match = rows_in["segment"] >= MIN_ROWS_SUMMED and not _differences(figures, at, segment)
        grand_match = rows_in["all"] >= MIN_ROWS_SUMMED and not _differences(figures, at, everything)
        weight_given = not np.isnan(figures["gross_weight"][at])
        is_sum = unlabelled_ok[at] and weight_given and (sums_match or grand_match)
        if line in labelled or is_sum:
            grand = not sums_match and (grand_match or rows_in["segment"] == 0)  # under subtotals
            sums, rows = (everything, rows_in["all"]) if grand else (segment, rows_in["segment"])
            if rows and any(not np.isnan(values[at]) for values in figures.values()):
                differences = _differences(figures, at, sums)
                totals.append(
                    {"line": line, "rows": rows, "matches": not differences, "differences": differences}
                )
            if line not in labelled:
                taken.append(line)
            segment = {name: 0.0 for name in figures}
            rows_in["segment"] = 0
            continue
        if line in read_lines:
            for name, values in figures.items():
                value = 0.0 if np.isnan(values[at]) else float(values[at])
                segment[name] += value
                everything[name] += value
            rows_in["segment"] += 1
            rows_in["all"] += 1
    if taken:
        sales, rejected, skipped = _taken_out(taken, totals, sales, rejected, skipped)
    return sales, rejected, skipped, totals


def _taken_out(
    taken: Sequence[int], totals: list[dict], sales: pd.DataFrame, rejected: list[dict], skipped: list[dict]
) -> tuple[pd.DataFrame, list[dict], list[dict]]:
    """Unlabelled totals rows moved from the sales or the rejected rows to the skipped ones."""
    rows_of = {entry["line"]: entry["rows"] for entry in totals}
    lines = set(taken)
    kept = sales[~sales["line"].astype(int).isin(lines)].reset_index(drop=True)
    rejected = [row for row in rejected if int(row["line"]) not in lines]
    for line in taken:
        problem = Problem("sum_row", {"rows": rows_of.get(line, 0)})
        skipped.append({"line": line, "reason": problem.english(), "code": problem.code, **problem.params})
    skipped.sort(key=lambda row: int(row["line"]))
    return kept, rejected, skipped
