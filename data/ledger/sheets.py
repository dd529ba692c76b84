"""Stage *read* for a workbook of several sheets (one per semester, or per buyer): each sheet that carries
the ledger's header is parsed on its own (its header, date order and totals rows), the others are named
as skipped, and the findings are joined with the sheet they belong to. Nothing is stored here."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING

import pandas as pd

from data.files.parsing import Problem, Table
from data.ledger.read import LedgerFileError, has_header
from data.ledger.rows import Progress
from data.ledger.rows import entry as _entry

if TYPE_CHECKING:
    from data.ledger.parse import LedgerParse

#: One sheet's parse: its table and a progress callback (0–1 within the sheet).
SheetParse = Callable[[Table, Progress | None], "LedgerParse"]
#: The finding lists that carry a line of a sheet.
_FINDINGS = ("rejected", "flagged", "skipped", "totals")


def _listed(name: str, rows: int, problem: Problem | None) -> dict:
    """A sheet as the preview and the CLI's `sheets` list it."""
    return {
        "sheet": name,
        "rows": rows,
        "skipped": problem is not None,
        "reason": problem.english() if problem is not None else None,
        "problem": problem.as_dict() if problem is not None else None,
    }


def parse_sheets(
    sheets: list[tuple[str | None, Table | None]],
    parse: SheetParse,
    progress: Progress | None = None,
    mapped: list[str] | None = None,
) -> LedgerParse:
    """Every sheet with the ledger's header parsed and joined; a sheet without one (a notes tab) or
    without rows is listed as skipped with its reason, never left out in silence. Raises the first
    sheet's LedgerFileError when no sheet can be read (as for a one-sheet file). `mapped`: the columns
    a user mapped by hand; a sheet whose header holds them all is read whatever its words."""
    from data.ledger.parse import recognised

    named = len(sheets) > 1  # a one-sheet workbook's findings keep their line alone
    parts: list[LedgerParse] = []
    listed: list[dict] = []
    for at, (name, table) in enumerate(sheets):
        sheet = str(name)
        share = (lambda done, at=at: progress((at + done) / len(sheets))) if progress else None
        if table is None:
            listed.append(_listed(sheet, 0, Problem("sheet_empty")))
            continue
        by_hand = bool(mapped) and all(column in table.header for column in mapped or [])
        if named and not (by_hand or has_header(table, recognised)):
            # its filled rows, the first one too: no row of it is a header
            listed.append(_listed(sheet, table.row_count + 1, Problem("sheet_no_header")))
            continue
        try:
            part = parse(table, share)
        except LedgerFileError as error:
            if not named:
                raise
            listed.append(_listed(sheet, table.row_count, error.problem))
            continue
        if named:
            _name_findings(part, sheet)
        parts.append(part)
        listed.append(_listed(sheet, part.rows_read, None))
    if not parts:
        tables = [table for _, table in sheets if table is not None]
        if not tables:
            raise LedgerFileError("workbook_empty")
        parse(tables[0], None)  # raises the first sheet's own reason (its missing columns)
        raise LedgerFileError("workbook_empty")  # pragma: no cover - the line above raises
    joined = _joined(parts)
    joined.sheets = listed
    for name in _FINDINGS:
        setattr(joined, name, joined.in_order(getattr(joined, name)))
    return joined


def _name_findings(part: LedgerParse, sheet: str) -> None:
    """Each finding and each sale of one sheet names the sheet ("Hoja «2024-S2», línea 7")."""
    for name in _FINDINGS:
        for finding in getattr(part, name):
            finding["sheet"] = sheet
    part.sales.insert(1, "sheet", pd.Series([sheet] * len(part.sales), index=part.sales.index, dtype="str"))


def _joined(parts: list[LedgerParse]) -> LedgerParse:
    """The sheets' parses as one: rows and findings together, the first sheet's mapping and currency,
    a date column asked about when any sheet's could not be decided, a sale id once per workbook."""
    first = parts[0]
    undecided = [part.date_order for part in parts if part.date_order.get("decided_by") == "undecided"]
    joined = replace(
        first,
        rows_read=sum(part.rows_read for part in parts),
        sales=pd.concat([part.sales for part in parts], ignore_index=True) if len(parts) > 1 else first.sales,
        rejected=[finding for part in parts for finding in part.rejected],
        flagged=[finding for part in parts for finding in part.flagged],
        skipped=[finding for part in parts for finding in part.skipped],
        totals=[finding for part in parts for finding in part.totals],
        conversions=_conversions(parts),
        has_ids=all(part.has_ids for part in parts),
        date_order=undecided[0] if undecided else first.date_order,
    )
    if len(parts) > 1:
        _once_per_workbook(joined)
    return joined


def _conversions(parts: list[LedgerParse]) -> list[dict]:
    """Money columns converted, one entry per field and currencies, the rows of every sheet added up."""
    merged: dict[tuple, dict] = {}
    for part in parts:
        for conversion in part.conversions:
            key = tuple(
                conversion.get(name) for name in ("field", "from_currency", "to_currency", "rate_series")
            )
            if key not in merged:
                merged[key] = dict(conversion)
                continue
            for count in ("rows", "rows_without_rate"):
                merged[key][count] = merged[key].get(count, 0) + conversion.get(count, 0)
    return list(merged.values())


def _once_per_workbook(parsed: LedgerParse) -> None:
    """A lot id appears once in the workbook: a sheet's own lot id seen on an earlier sheet is rejected
    as a repeat (as within a sheet); a content id (sheets without lot ids) of the same sale on two
    sheets is numbered on (-2, -3 …), as for the same sale twice in one sheet."""
    sales = parsed.sales
    if sales.empty:
        return
    seen: dict[tuple[str, str], tuple[str, int]] = {}
    ids = sales["sale_id"].astype(str).tolist()
    repeats: list[int] = []
    for position, (cooperative, sale_id, sheet, line) in enumerate(
        zip(sales["cooperative"], ids, sales["sheet"], sales["line"], strict=True)
    ):
        key = (str(cooperative), sale_id)
        if key not in seen:
            seen[key] = (str(sheet), int(line))
            continue
        if parsed.has_ids or not sale_id.startswith("auto-"):
            first_line = seen[key][1]
            problem = Problem("duplicate_sale_id", {"sale_id": sale_id, "first_line": first_line})
            parsed.rejected.append({**_entry(int(line), sale_id, [problem]), "sheet": str(sheet)})
            repeats.append(position)
            continue
        base, number = sale_id[: len("auto-") + 10], 2
        while (str(cooperative), f"{base}-{number}") in seen:
            number += 1
        ids[position] = f"{base}-{number}"
        seen[(str(cooperative), ids[position])] = (str(sheet), int(line))
    sales["sale_id"] = ids
    if repeats:
        parsed.sales = sales.drop(index=sales.index[repeats]).reset_index(drop=True)
