"""A sales table's rows validated column by column, with the row-by-row schema only for rows that need it.

The declared schema (data/ledger/schema.py, pydantic) validates one row at a time and names every
problem of a line; at 100,000 rows that cost most of a minute. Here each column is read at once: a
number written plainly (digits and one decimal mark) by one vectorised conversion, any other cell by
the same `read_number`/`read_day` as the schema, once per distinct text; then every bound of the
schema is checked on whole columns. A row that passes everything is taken from the columns; a row
that fails anything (or has an over-long cell, a duplicate id, another cooperative) goes through the
schema exactly as before, so its problems, their order and their codes are the schema's own.
`tests/test_ledger_speed.py` checks that both ways give the same sales and rejections.
"""

from __future__ import annotations

import hashlib
import itertools
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from analytics.premiums import CHARGE_COLUMNS
from analytics.units import GRAMS_PER_UNIT
from data.files.parsing import CellError, Problem, Table, normalised_name, read_day, read_number
from data.ledger.schema import (
    CERTIFICATION_NAMES,
    FINE_GOLD_TOLERANCE,
    MAX_AMOUNT,
    MAX_GROSS_WEIGHT_G,
    MAX_PREMIUM_USD,
    NON_NEGATIVE_FIELDS,
    WEIGHT_UNITS,
    SaleRow,
    validate_row,
)
from data.market.series import CURRENCIES

#: The columns a sale is stored with, in the table's order.
STORED_COLUMNS = (
    "cooperative",
    "sale_id",
    "date",
    "buyer",
    "gross_weight_g",
    "fineness",
    "fine_gold_g",
    "currency",
    "amount_received",
    "certification",
    "premium_received_usd",
    *CHARGE_COLUMNS,
    "royalties_paid",
    "withholding_paid",
    "notes",
)
#: The sale's values, in the order the parse's frame holds them (after "line"): the stored ones and the
#: gross amount, which is only cross-checked.
SALE_COLUMNS = (*STORED_COLUMNS, "gross_amount")
#: A number as the vectorised conversion reads it: ASCII digits, one decimal mark (the file's).
_PLAIN_NUMBER = {None: r"[0-9]+(?:\.[0-9]+)?", ",": r"[0-9]+(?:,[0-9]+)?"}
#: Cells that may be a TOTAL row's word: ASCII ones must hold these letters; others are checked exactly.
_TOTAL_HINT = r"(?i)tot|sum|[^\x00-\x7f]"
Progress = Callable[[float], None]


def entry(line: int, sale_id: str, problems: list[Problem]) -> dict:
    """A rejected or flagged row: English reason (the CLI's), the first code, and every problem."""
    return {
        "line": line,
        "sale_id": sale_id,
        "reason": "; ".join(problem.english() for problem in problems),
        "code": problems[0].code,
        "problems": [problem.as_dict() for problem in problems],
    }


def derived_id(date: pd.Timestamp, buyer: str, grams: float, fineness: float, amount: float,
               currency: str, certification: str) -> str:  # fmt: skip
    """A stable id for a sale without a lot id: the same row of the same sheet always gets the same one."""
    key = "|".join(
        [f"{date:%Y-%m-%d}", normalised_name(buyer), f"{grams:.4f}", f"{fineness:.4f}", f"{amount:.2f}",
         currency, certification]
    )  # fmt: skip
    return "auto-" + hashlib.sha256(key.encode()).hexdigest()[:10]


def _columns(rows: Sequence[Sequence[str]]) -> list[pd.Series]:
    """The table's columns as text Series (a short row's missing cells are "")."""
    return [pd.Series(cells, dtype="str") for cells in itertools.zip_longest(*rows, fillvalue="")]


def _per_text(raw: pd.Series, read: Callable[[str], Any]) -> tuple[np.ndarray, np.ndarray]:
    """`read` of each distinct text (once), as an object array by row; ok False where it raised."""
    codes, uniques = pd.factorize(raw, use_na_sentinel=False)
    values: list[Any] = []
    good: list[bool] = []
    for text in uniques:
        try:
            values.append(read(str(text)))
            good.append(True)
        except (CellError, ValueError):
            values.append(None)
            good.append(False)
    return np.array(values + [None], dtype=object)[:-1][codes], np.array(good, dtype=bool)[codes]


def _numbers(raw: pd.Series, decimal: str | None) -> tuple[np.ndarray, np.ndarray]:
    """(values, NaN where the cell is empty or a missing marker; ok: False where read_number raises)."""
    values = np.full(len(raw), np.nan)
    ok = np.ones(len(raw), dtype=bool)
    plain = raw.str.fullmatch(_PLAIN_NUMBER[decimal]).to_numpy(bool)
    texts = raw[plain]
    if decimal == ",":
        texts = texts.str.replace(",", ".", regex=False)
    values[plain] = np.array(texts.tolist(), dtype=float)  # Python's float() per text, as read_number
    rest = ~plain & (raw != "").to_numpy(bool)
    if rest.any():
        read, good = _per_text(raw[rest], lambda text: read_number(text, decimal))
        values[rest] = np.array([np.nan if value is None else value for value in read], dtype=float)
        ok[rest] = good  # None above: a missing marker (n/a, -) or a cell that raised
    ok &= ~np.isinf(values)  # 1e400 written as plain digits: not finite, as read_number says
    return values, ok


def _fineness(value: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """analytics.units.normalise_fineness on a column: (fraction, ok)."""
    fraction = np.where(value > 1.0, value / 1000.0, value)
    ok = ~((value > 1.0) & (value < 100.0)) & (fraction > 0.0) & (fraction <= 1.0)
    return fraction, ok


def _total_rows(columns: Sequence[pd.Series], total_row: re.Pattern[str]) -> dict[int, str]:
    """Row position → the first cell that names a TOTAL or subtotal row (exactly the row loop's test)."""
    found: dict[int, str] = {}
    verdict: dict[str, bool] = {}
    for cells in columns:
        hinted = np.flatnonzero(cells.str.contains(_TOTAL_HINT, regex=True).to_numpy(bool))
        for position, cell in zip(hinted.tolist(), cells.iloc[hinted].tolist(), strict=True):
            if position in found:
                continue
            if cell not in verdict:
                verdict[cell] = total_row.match(normalised_name(cell)) is not None
            if verdict[cell]:
                found[position] = cell
    return found


def _skipped_totals(
    columns: Sequence[pd.Series],
    date_cells: pd.Series,
    lines: np.ndarray,
    total_row: re.Pattern[str],
    strict_total: re.Pattern[str] | None,
) -> tuple[np.ndarray, list[dict]]:
    """TOTAL and subtotal rows: (mask, the skipped entries); a row whose date cell starts with a digit
    is kept unless `strict_total` names it, for its label may be a buyer's name."""
    skipped: list[dict] = []
    is_total = np.zeros(len(lines), dtype=bool)
    for position, cell in sorted(_total_rows(columns, total_row).items()):
        dated = str(date_cells.iat[position])[:1].isdigit()
        if dated and (strict_total is None or not strict_total.match(normalised_name(cell))):
            continue  # a dated row whose label may be a name ("Total Minerals S.A.S."): the sums decide
        is_total[position] = True
        problem = Problem("total_row", {"value": cell})
        skipped.append(
            {
                "line": int(lines[position]),
                "reason": problem.english(),
                "code": problem.code,
                **problem.params,
            }
        )
    return is_total, skipped


class _RowKeys(NamedTuple):
    """Problems of a row as a whole: another cooperative, no id, an id seen before (and where first)."""

    own: pd.Series
    wrong: pd.Series
    key_cooperative: pd.Series
    sale_id: pd.Series
    missing_id: pd.Series
    duplicate: np.ndarray
    first_of: pd.Series


def _row_keys(
    raw: Mapping[str, pd.Series],
    lines: np.ndarray,
    is_total: np.ndarray,
    cooperative: str | None,
    has_ids: bool,
) -> _RowKeys:
    """Each row's cooperative and sale id, and which rows are another cooperative's, lack an id or repeat one."""
    own = raw["cooperative"]
    wrong = (own != "") & (own != cooperative) if cooperative else pd.Series(False, index=own.index)
    key_cooperative = own.where(own != "", cooperative or "")
    sale_id = raw["sale_id"]
    missing_id = (sale_id == "") if has_ids else pd.Series(False, index=own.index)
    keys = pd.DataFrame({"cooperative": key_cooperative, "sale_id": sale_id, "line": lines})
    counted = keys[~is_total & (sale_id != "").to_numpy(bool)]
    first_line = counted.groupby(["cooperative", "sale_id"], sort=False)["line"].transform("first")
    duplicate = np.zeros(len(lines), dtype=bool)
    duplicate[counted.index.to_numpy()] = (counted["line"] != first_line).to_numpy(bool)
    first_of = pd.Series(first_line.to_numpy(), index=counted.index)
    return _RowKeys(own, wrong, key_cooperative, sale_id, missing_id, duplicate, first_of)


def _cell_values(
    raw: Mapping[str, pd.Series], context: dict[str, Any], fine_unit: str | None, empty: pd.Series
) -> tuple[dict[str, Any], np.ndarray]:
    """Every cell, column by column: (the sale's values by column, ok where every cell passes every bound)."""
    count = len(empty)
    decimal = context.get("decimal")
    ok = np.ones(count, dtype=bool)
    today = context.get("today")
    month_first = context.get("date_order") == "month_first"
    day_of, good = _per_text(
        raw["date"], lambda text: read_day(text, day_first=True, today=today, month_first=month_first)
    )
    dates = pd.DatetimeIndex(day_of, dtype="datetime64[us]")  # None (an empty cell) is NaT
    ok &= good & dates.notna()
    default_unit = context.get("unit", "g")
    units, good = _per_text(
        raw["weight_unit"],
        lambda text: WEIGHT_UNITS.get(normalised_name(text)) if normalised_name(text) else default_unit,
    )
    ok &= good & pd.notna(units)
    per_gram = np.array([GRAMS_PER_UNIT.get(unit, np.nan) if unit else np.nan for unit in units], dtype=float)
    gross, good = _numbers(raw["gross_weight"], decimal)
    ok &= good & (gross > 0)
    fineness_given, good = _numbers(raw["fineness"], decimal)
    fineness, in_range = _fineness(fineness_given)
    ok &= good & in_range
    fine_given, good = _numbers(raw["fine_gold_g"], decimal)
    ok &= good & (np.isnan(fine_given) | (fine_given > 0))
    own_unit = WEIGHT_UNITS.get(normalised_name(fine_unit)) if fine_unit else None  # as the schema reads it
    fine_per_gram = np.full(count, GRAMS_PER_UNIT[own_unit]) if own_unit else per_gram
    default_currency = str(context.get("currency") or "")
    currency, good = _per_text(raw["currency"], lambda text: text.upper() or default_currency)
    ok &= good & np.isin(currency, list(CURRENCIES))
    amount, good = _numbers(raw["amount_received"], decimal)
    ok &= good & (amount > 0) & (amount <= MAX_AMOUNT)
    certification, good = _per_text(
        raw["certification"], lambda text: CERTIFICATION_NAMES.get(normalised_name(text))
    )
    ok &= good & pd.notna(certification)
    others: dict[str, np.ndarray] = {}
    for name in NON_NEGATIVE_FIELDS:
        value, good = _numbers(raw[name], decimal)
        limit = MAX_PREMIUM_USD if name == "premium_received_usd" else MAX_AMOUNT
        value = np.where(np.isnan(value), 0.0, value)
        ok &= good & (value >= 0) & (value <= limit)
        others[name] = value
    gross_amount, good = _numbers(raw.get("gross_amount", empty), decimal)
    ok &= good & (np.isnan(gross_amount) | ((gross_amount >= 0) & (gross_amount <= MAX_AMOUNT)))
    with np.errstate(invalid="ignore", over="ignore"):
        grams = gross * per_gram
        ok &= np.isfinite(grams) & (grams <= MAX_GROSS_WEIGHT_G)
        computed = grams * fineness
        given = fine_given * fine_per_gram
        has_fine = ~np.isnan(fine_given)
        ok &= ~has_fine | ~(np.abs(given - computed) > FINE_GOLD_TOLERANCE * computed)
    values = {
        "dates": dates,
        "gross_weight_g": grams,
        "fineness": fineness,
        "fine_gold_g": np.where(has_fine, given, computed),
        "currency": currency,
        "amount_received": amount,
        "certification": certification,
        "others": others,
        "gross_amount": gross_amount,
    }
    return values, ok


def _fast_sales(
    values: dict[str, Any], ok: np.ndarray, raw: Mapping[str, pd.Series], lines: np.ndarray, keys: _RowKeys
) -> pd.DataFrame:
    """The rows that passed every column's check, as sales taken straight from the columns."""
    return pd.DataFrame(
        {
            "position": np.arange(len(lines)),
            "line": lines,
            "cooperative": keys.key_cooperative.str.strip(),
            "sale_id": keys.sale_id,
            "date": values["dates"].where(ok),
            "buyer": raw["buyer"],
            "gross_weight_g": values["gross_weight_g"],
            "fineness": values["fineness"],
            "fine_gold_g": values["fine_gold_g"],
            "currency": pd.Series(np.where(ok, values["currency"], ""), dtype="str"),
            "amount_received": values["amount_received"],
            "certification": pd.Series(np.where(ok, values["certification"], ""), dtype="str"),
            **values["others"],
            "notes": raw["notes"],
            "gross_amount": values["gross_amount"],
        }
    )[ok]


def _schema_rows(
    slow: np.ndarray,
    table: Table,
    raw: Mapping[str, pd.Series],
    lines: np.ndarray,
    keys: _RowKeys,
    context: dict[str, Any],
    *,
    fields: Sequence[str],
    cooperative: str | None,
    fine_unit: str | None,
    progress: Progress | None,
) -> tuple[list[dict[str, object]], list[dict]]:
    """The rows that need the schema, one by one, exactly as before: (good sales' values, rejected rows)."""
    rejected: list[dict] = []
    slow_good: list[dict[str, object]] = []
    slow_cells = {name: raw[name].iloc[slow].tolist() for name in fields}
    slow_cells["cooperative"] = keys.key_cooperative.iloc[slow].tolist()
    for done, position in enumerate(slow.tolist()):
        line = int(lines[position])
        cells = {name: str(slow_cells[name][done]) for name in fields}
        cells["fine_gold_unit"] = fine_unit or ""
        problems = table.long_cell_problems(int(position))
        if keys.wrong.iat[position]:
            problems.append(
                Problem("wrong_cooperative", {"value": keys.own.iat[position], "expected": cooperative})
            )
        if keys.missing_id.iat[position]:
            problems.append(Problem("missing_value", {"field": "sale_id"}))
        if keys.duplicate[position]:
            first = int(keys.first_of.loc[position])
            problems.append(Problem("duplicate_sale_id", {"sale_id": cells["sale_id"], "first_line": first}))
        result = validate_row(cells, context)
        if isinstance(result, list):
            problems += result
        if problems:
            rejected.append(entry(line, cells["sale_id"], problems))
            continue
        assert isinstance(result, SaleRow)
        slow_good.append(_sale_values(int(position), line, result, cells["sale_id"]))
        if progress and done % 1000 == 999:
            progress(0.5 + 0.3 * done / len(slow))
    return slow_good, rejected


def validate_rows(
    table: Table,
    index: Mapping[str, int],
    context: dict[str, Any],
    *,
    fields: Sequence[str],
    cooperative: str | None,
    total_row: re.Pattern[str],
    progress: Progress | None = None,
    strict_total: re.Pattern[str] | None = None,
    schema_only: bool = False,
    fine_unit: str | None = None,
) -> tuple[pd.DataFrame, list[dict], list[dict]]:
    """(good sales: "line" + SALE_COLUMNS, in file order; rejected rows; skipped TOTAL rows).

    `fine_unit` is the fine-gold column's own unit ("Oro fino (g)"; None: the gross weight's unit).
    `gross_amount` is NaN where the sheet gives none.

    The same result as validating every row with the schema (`validate_row`), row by row, which is
    what `schema_only` does (for the tests that compare both ways).
    """
    count = table.row_count
    lines = np.array([table.line_of(position) for position in range(count)], dtype=np.int64)
    columns = table.columns if table.columns is not None else _columns(table.rows)
    empty = pd.Series([""] * count, dtype="str")
    raw = {
        name: columns[index[name]].str.strip() if name in index and index[name] < len(columns) else empty
        for name in fields
    }
    has_ids = "sale_id" in index

    is_total, skipped = _skipped_totals(columns, raw["date"], lines, total_row, strict_total)
    if progress:
        progress(0.1)
    keys = _row_keys(raw, lines, is_total, cooperative, has_ids)
    values, cells_ok = _cell_values(raw, context, fine_unit, empty)
    ok = ~is_total & ~keys.wrong.to_numpy(bool) & ~keys.missing_id.to_numpy(bool) & ~keys.duplicate
    for position in table.long_cells:
        ok[position] = False
    ok &= cells_ok
    if schema_only:
        ok[:] = False
    if progress:
        progress(0.5)
    fast = _fast_sales(values, ok, raw, lines, keys)
    slow_good, rejected = _schema_rows(
        np.flatnonzero(~ok & ~is_total),
        table,
        raw,
        lines,
        keys,
        context,
        fields=fields,
        cooperative=cooperative,
        fine_unit=fine_unit,
        progress=progress,
    )
    sales = fast
    if slow_good:
        sales = pd.concat([fast, pd.DataFrame(slow_good, columns=fast.columns)], ignore_index=True)
        sales = sales.sort_values("position", kind="stable")
    if not has_ids and len(sales):
        key_cooperative = keys.key_cooperative.to_numpy()
        sales["sale_id"] = _derived_ids(sales, key_cooperative[sales["position"].to_numpy(int)])
    sales = sales.drop(columns="position").reset_index(drop=True)
    if progress:
        progress(0.8)
    return sales, rejected, skipped


def _sale_values(position: int, line: int, row: SaleRow, sale_id: str) -> dict[str, object]:
    return {
        "position": position,
        "line": line,
        "cooperative": row.cooperative,
        "sale_id": sale_id,
        "date": row.date,
        "buyer": row.buyer,
        "gross_weight_g": row.gross_weight_g,
        "fineness": row.fineness,
        "fine_gold_g": row.fine_weight_g,
        "currency": row.currency,
        "amount_received": row.amount_received,
        "certification": row.certification,
        **{name: getattr(row, name) for name in NON_NEGATIVE_FIELDS},
        "notes": row.notes,
        "gross_amount": np.nan if row.gross_amount is None else row.gross_amount,
    }


def _derived_ids(sales: pd.DataFrame, key_cooperatives: np.ndarray) -> list[str]:
    """Each sale's content id, with -2, -3 … for the same sale again in the sheet (by the row's cooperative)."""
    seen: dict[tuple[str, str], int] = {}
    ids = []
    for row, cooperative in zip(sales.itertuples(index=False), key_cooperatives, strict=True):
        base = derived_id(row.date, row.buyer, row.gross_weight_g, row.fineness, row.amount_received,
                          row.currency, row.certification)  # fmt: skip
        number = seen.get((cooperative, base), 0) + 1
        seen[(cooperative, base)] = number
        ids.append(base if number == 1 else f"{base}-{number}")
    return ids
