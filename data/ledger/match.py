"""Stage *match*: which good rows are stored lots already (unchanged or corrected) and which are new.

Reads only the stored rows a sheet may meet; the corrections are listed under `changed`."""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Mapping

import numpy as np
import pandas as pd
from sqlalchemy import select

from data.ledger.parse import LedgerParse
from data.ledger.rows import STORED_COLUMNS
from data.store import (
    MarketStore,
    sales_table,
)

#: Legal-form words a bookkeeper writes or leaves out ("C.I. Metales Éticos S.A.S." is "CI Metales Eticos").
LEGAL_FORMS = frozenset(
    {"sas", "sa", "ci", "ltda", "limitada", "eu", "sca", "scs", "sc", "en", "cia", "y", "srl", "sac", "saa",
     "eirl", "sl", "inc", "llc", "ltd", "llp", "corp", "co", "gmbh", "ag", "bv", "plc"}
)  # fmt: skip
#: A corrected lot of a sheet without lot numbers: the same cooperative, day and buyer, and a weight and
#: ley this close to the stored ones (a typo fixed, the refinery's assay: 905 → 898 ‰).
WEIGHT_TOLERANCE = 0.05  # 5 % of the stored gross weight
FINENESS_TOLERANCE = 0.02  # 20 ‰


def buyer_key(name: object) -> str:
    """A buyer's name as compared between sheets: no case, accents, punctuation or legal form.

    'C.I. Metales Éticos S.A.S.' and 'CI Metales Eticos' → 'metales eticos'; dots and hyphens join the
    letters they separate ('S.A.S.' → 'sas') so that abbreviations compare whole.
    """
    text = unicodedata.normalize("NFKD", str(name or "")).encode("ascii", "ignore").decode().lower()
    words = re.sub(r"[^a-z0-9\s]+", "", re.sub(r"[,;&/]+", " ", text)).split()
    kept = [word for word in words if word not in LEGAL_FORMS]
    return " ".join(kept or words)


def _identity(row: Mapping[str, object]) -> tuple[object, ...]:
    """What makes a lot the same lot (DOMAIN.md): cooperative, date, buyer, weights, fineness and
    certification; never its amount, which a corrected sheet changes."""
    return (
        str(row["cooperative"]),
        f"{pd.Timestamp(row['date']):%Y-%m-%d}",
        buyer_key(row["buyer"]),
        round(float(row["gross_weight_g"]), 3),  # type: ignore[arg-type]
        round(float(row["fineness"]), 4),  # type: ignore[arg-type]
        str(row["certification"]),
    )


#: The stored fields a re-sent sheet may correct (its lot stays the same lot).
CORRECTABLE = tuple(name for name in STORED_COLUMNS if name not in ("cooperative", "sale_id"))


def _near(stored: Mapping[str, object], row: Mapping[str, object]) -> bool:
    """The same lot with its weight or ley corrected: same cooperative, day, buyer and certification,
    weight within WEIGHT_TOLERANCE and fineness within FINENESS_TOLERANCE of the stored ones."""
    a, b = _identity(stored), _identity(row)
    if a[:3] != b[:3] or a[5] != b[5]:
        return False
    weight, new_weight = float(stored["gross_weight_g"]), float(row["gross_weight_g"])  # type: ignore[arg-type]
    fineness, new_fineness = float(stored["fineness"]), float(row["fineness"])  # type: ignore[arg-type]
    return (
        abs(new_weight - weight) <= WEIGHT_TOLERANCE * weight
        and abs(new_fineness - fineness) <= FINENESS_TOLERANCE
    )


def _distance(stored: Mapping[str, object], row: Mapping[str, object]) -> float:
    weight = abs(float(stored["gross_weight_g"]) - float(row["gross_weight_g"]))  # type: ignore[arg-type]
    return weight / float(stored["gross_weight_g"]) + abs(float(stored["fineness"]) - float(row["fineness"]))  # type: ignore[arg-type]


def _differences(stored: Mapping[str, object], new: Mapping[str, object]) -> list[str]:
    changed = []
    for name in CORRECTABLE:
        a, b = stored[name], new[name]
        if isinstance(a, float) or isinstance(b, float):
            if not math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-9):  # type: ignore[arg-type]
                changed.append(name)
        elif str(a) != str(b):
            changed.append(name)
    return changed


def _plain(value: object) -> object:
    if hasattr(value, "isoformat"):
        return f"{pd.Timestamp(value):%Y-%m-%d}"
    return value.item() if isinstance(value, np.generic) else value


def _changed_entry(
    line: int, stored: Mapping[str, object], row: Mapping[str, object], fields: list[str]
) -> dict:
    return {
        "line": line,
        "sale_id": str(stored["sale_id"]),
        "fields": fields,
        "before": {name: _plain(stored[name]) for name in fields},
        "after": {name: _plain(row[name]) for name in fields},
    }


#: Rows per INSERT statement of an import (all of them in one transaction).
INSERT_BATCH = 5_000


def _stored_columns(sales: pd.DataFrame) -> dict[str, list]:
    """The good rows' stored columns as lists of plain Python values (dates as dates)."""
    columns: dict[str, list] = {}
    for name in STORED_COLUMNS:
        if name == "date":
            columns[name] = [day.date() for day in pd.to_datetime(sales["date"])]
        elif pd.api.types.is_float_dtype(sales[name]):
            columns[name] = [float(value) for value in sales[name].tolist()]
        else:
            columns[name] = sales[name].tolist()
    return columns


def _stored_sales(conn, keys: list[tuple[str, str]]) -> dict[tuple[object, object], dict]:
    """The stored rows among `keys` (cooperative, sale_id): only the ids are read for the rest."""
    existing: dict[tuple[object, object], dict] = {}
    for cooperative in sorted({key[0] for key in keys}):
        wanted = {key[1] for key in keys if key[0] == cooperative}
        stored_ids = set(
            conn.execute(
                select(sales_table.c.sale_id).where(sales_table.c.cooperative == cooperative)
            ).scalars()
        )
        overlap = sorted(wanted & stored_ids)
        for start in range(0, len(overlap), 500):
            chunk = overlap[start : start + 500]
            result = conn.execute(
                select(sales_table).where(
                    sales_table.c.cooperative == cooperative, sales_table.c.sale_id.in_(chunk)
                )
            )
            for stored in result.mappings():
                existing[(stored["cooperative"], stored["sale_id"])] = dict(stored)
    return existing


def _stored_on_days(conn, days: Mapping[object, set]) -> list[dict]:
    """The stored rows of each cooperative on the given days (the only candidates of a lot identity)."""
    found: list[dict] = []
    for cooperative in sorted(days, key=str):
        wanted = sorted(days[cooperative])
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            result = conn.execute(
                select(sales_table).where(
                    sales_table.c.cooperative == cooperative, sales_table.c.date.in_(chunk)
                )
            )
            found += [dict(stored) for stored in result.mappings()]
    return found


class _Rows:
    """The good rows' stored values (`_stored_columns`), converted a batch of INSERT_BATCH rows at a time
    and only the last batch kept: rows are visited in order, so memory stays one batch's."""

    def __init__(self, sales: pd.DataFrame):
        self.sales = sales
        self.keys = list(zip(sales["cooperative"].tolist(), sales["sale_id"].tolist(), strict=True))
        self._start = -1
        self._columns: dict[str, list] = {}

    def batch(self, start: int) -> dict[str, list]:
        if start != self._start:
            self._columns = _stored_columns(self.sales.iloc[start : start + INSERT_BATCH])
            self._start = start
        return self._columns

    def row(self, position: int) -> dict[str, object]:
        start = position - position % INSERT_BATCH
        columns = self.batch(start)
        return {name: columns[name][position - start] for name in STORED_COLUMNS}


def _match_stored(conn, rows: _Rows, has_ids: bool) -> dict[int, tuple[str, dict, list[str]]]:
    """The good rows (by position) that are stored lots:
    position → ("same", stored, []) or ("changed", stored, fields); any other row is new.

    A row is the stored lot of the same id; in a sheet without lot ids (ids derived from the content,
    amount included), else the stored lot of the same identity not claimed by another row, the k-th
    twin of the sheet pairing with the k-th stored twin. Only the stored rows the sheet may meet are
    read: those of its ids, and without ids those of its cooperatives' sale days.
    """
    keys = rows.keys
    existing = _stored_sales(conn, keys)
    matches: dict[int, tuple[str, dict, list[str]]] = {}
    for position, key in enumerate(keys):
        stored = existing.get(key)
        if stored is not None:
            fields = _differences(stored, rows.row(position))
            matches[position] = ("changed", stored, fields) if fields else ("same", stored, [])
    if has_ids:
        return matches
    open_days: dict[object, set] = {}
    days = [day.date() for day in pd.to_datetime(rows.sales["date"])]
    for position, ((cooperative, _), day) in enumerate(zip(keys, days, strict=True)):
        if position not in matches:
            open_days.setdefault(cooperative, set()).add(day)
    by_identity: dict[tuple[object, ...], list[dict]] = {}
    for stored in sorted(_stored_on_days(conn, open_days), key=lambda row: str(row["sale_id"])):
        if (stored["cooperative"], stored["sale_id"]) not in existing:  # not claimed by its id
            by_identity.setdefault(_identity(stored), []).append(stored)
    if not by_identity:
        return matches
    for position in range(len(keys)):
        if position in matches:
            continue
        row = rows.row(position)
        candidates = by_identity.get(_identity(row))
        if candidates:
            stored = candidates.pop(0)
            fields = _differences(stored, row)
            matches[position] = ("changed", stored, fields) if fields else ("same", stored, [])
    _match_near(rows, matches, [stored for group in by_identity.values() for stored in group])
    return matches


def _match_near(rows: _Rows, matches: dict[int, tuple[str, dict, list[str]]], unclaimed: list[dict]) -> None:
    """Rows still new that correct an unclaimed stored lot's weight or ley (`_near`): the nearest one,
    as `changed`. Runs after the exact matches, so an unchanged lot is never taken for a corrected one."""
    for position in range(len(rows.keys)):
        if position in matches or not unclaimed:
            continue
        row = rows.row(position)
        near = [stored for stored in unclaimed if _near(stored, row)]
        if not near:
            continue
        stored = min(near, key=lambda lot: _distance(lot, row))
        unclaimed.remove(stored)
        matches[position] = ("changed", stored, _differences(stored, row))


def find_changes(store: MarketStore, parsed: LedgerParse) -> None:
    """Fill `parsed.changed`: the stored lots this sheet corrects (read only; nothing is stored)."""
    if parsed.sales.empty:
        parsed.changed = []
        return
    rows = _Rows(parsed.sales)
    with store.engine.connect() as conn:
        matches = _match_stored(conn, rows, parsed.has_ids)
    lines, where = parsed.sales["line"].tolist(), parsed.sheet_of()
    parsed.changed = [
        {**_changed_entry(int(lines[position]), stored, rows.row(position), fields), **where[position]}
        for position, (kind, stored, fields) in sorted(matches.items())
        if kind == "changed"
    ]
