"""Price-file importer: reads CSV or Excel price files, detects their format and series, cleans the rows.

Parses bytes into a `ParsedPriceFile`; it never writes: storing is the store's job, in one transaction.
Formats: FRED/LBMA, Stooq, Yahoo CSV (old with Adj Close, new, and yfinance's two-row header), the
datos.gov.co TRM export, BCRP, and a generic two-column date,value file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from data.files.parsing import (
    MAX_FILE_BYTES,
    MISSING_MARKERS,
    CellError,
    FileRefused,
    Problem,
    Table,
    parse_dates,
    parse_number,
    read_day,
    read_number,
)
from data.files.parsing import read_table as parsing_read_table
from data.market.cleaning import IMPOSSIBLE_FACTOR, clean_observations, problem_entry
from data.market.series import SERIES, series_for_ticker

__all__ = [
    "MAX_FILE_BYTES",
    "MISSING_MARKERS",
    "ParsedPriceFile",
    "PriceFileError",
    "parse_dates",
    "parse_number",
    "parse_price_file",
    "read_table",
]

#: FRED column names (series ids) the importer recognises.
FRED_SERIES = {"GOLDPMGBD228NLBM": "GOLD_USD", "GOLDAMGBD228NLBM": "GOLD_USD"}

#: Filename fragments (lower case, letters and digits only) that name a series.
FILENAME_HINTS = [
    ("usdcop", "USD_COP"), ("copx", "USD_COP"), ("trm", "USD_COP"),
    ("usdpen", "USD_PEN"), ("penx", "USD_PEN"),
    ("usdbob", "USD_BOB"), ("bobx", "USD_BOB"),
    ("usdmnt", "USD_MNT"), ("mntx", "USD_MNT"),
    ("xagusd", "SILVER_USD"), ("silver", "SILVER_USD"), ("sif", "SILVER_USD"),
    ("xauusd", "GOLD_USD"), ("gold", "GOLD_USD"), ("gcf", "GOLD_USD"),
]  # fmt: skip

MAX_ROWS = 200_000
MAX_VALUE = 1e9  # above any price or rate we store (MNT per USD is about 3,500): a larger value is a typo


class PriceFileError(FileRefused):
    """The file as a whole cannot be imported (unreadable, unknown layout, series unknown)."""


@dataclass
class ParsedPriceFile:
    """A price file read, detected and cleaned; nothing stored yet."""

    format: str
    series_id: str
    series_detected_from: str  # "content", "filename" or "user"
    rows_read: int
    observations: pd.DataFrame  # date, value
    flagged: list[dict] = field(default_factory=list)
    rejected: list[dict] = field(default_factory=list)

    def report(self, rows_stored: int | None = None) -> dict:
        """The CLI's import report (dates as YYYY-MM-DD)."""
        dates = self.observations["date"]
        return {
            "format": self.format,
            "series": self.series_id,
            "series_detected_from": self.series_detected_from,
            "rows_read": self.rows_read,
            "rows_stored": len(self.observations) if rows_stored is None else rows_stored,
            "first": None if dates.empty else dates.min().strftime("%Y-%m-%d"),
            "last": None if dates.empty else dates.max().strftime("%Y-%m-%d"),
            "flagged": self.flagged,
            "rejected": self.rejected,
        }


_Table = Table  # the name the ledger used before data/files/parsing.py


def read_table(content: bytes, filename: str, max_rows: int = MAX_ROWS) -> Table:
    """A header and rows of text cells, from CSV/TSV text or an .xlsx workbook (PriceFileError if not)."""
    return parsing_read_table(content, filename, max_rows=max_rows, error=PriceFileError)


# ---------------------------------------------------------------- format detection


def _normalised(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def _column(header: list[str], *names: str) -> int | None:
    wanted = {_normalised(n) for n in names}
    for index, name in enumerate(header):
        if _normalised(name) in wanted:
            return index
    return None


def _series_from_filename(filename: str) -> str | None:
    stem = _normalised(Path(filename).stem)
    for fragment, series_id in FILENAME_HINTS:
        if fragment in stem:
            return series_id
    return None


def _detect(table: _Table) -> tuple[str, int, int, str | None, bool]:
    """(format, date column, value column, series id if the content names it, day-first dates)."""
    header = table.header
    names = [_normalised(h) for h in header]
    if {"valor", "vigenciadesde", "vigenciahasta"} <= set(names):
        return "trm", names.index("vigenciadesde"), names.index("valor"), "USD_COP", True
    if (
        names[:1] in (["date"], ["observationdate"])
        and len(header) == 2
        and names[1] not in ("close", "value")
    ):
        fred_id = header[1].strip().upper()
        return "fred", 0, 1, FRED_SERIES.get(fred_id), False
    if "fecha" in names and _column(header, "Tipo_Cambio", "TipoCambio") is not None:
        return (
            "bcrp",
            names.index("fecha"),
            _column(header, "Tipo_Cambio", "TipoCambio") or 0,
            "USD_PEN",
            True,
        )
    if names[:1] == ["date"] and any(h.startswith("Close|") for h in header):
        close = next(i for i, h in enumerate(header) if h.startswith("Close|"))
        return "yahoo_yfinance", 0, close, series_for_ticker(header[close].split("|", 1)[1]), False
    date_col = _column(header, "Date")
    close_col = _column(header, "Close")
    if date_col is not None and close_col is not None:
        if _column(header, "Adj Close") is not None:
            return "yahoo_old", date_col, close_col, None, False
        if names[1:2] == ["close"]:
            return "yahoo_new", date_col, close_col, None, False
        if _column(header, "Open") is not None:
            return "stooq", date_col, close_col, None, False
    if len(header) == 2:
        return "generic", 0, 1, None, True
    raise PriceFileError("unrecognised_format", header=repr(header))


def _ohlc_flags(table: _Table, close_col: int, parsed: pd.DataFrame) -> list[dict]:
    """Flags for Open/High/Low cells impossible next to the row's Close (only Close is stored)."""
    flags = []
    for name in ("Open", "High", "Low"):
        col = _column(table.header, name)
        if col is None:
            continue
        for row, (line, day, close) in zip(
            table.rows, parsed[["line", "date", "value"]].itertuples(index=False), strict=True
        ):
            value = parse_number(row[col], table.decimal) if col < len(row) else None
            if value is None or close is None or pd.isna(close) or close <= 0 or pd.isna(value):
                continue
            if value <= 0 or max(value / close, close / value) > IMPOSSIBLE_FACTOR:
                flags.append(
                    problem_entry(
                        line, day, "ohlc_impossible", column=name, number=float(value), close=float(close)
                    )
                )
    return flags


def _expand_trm_windows(table: _Table, parsed: pd.DataFrame, day_first: bool) -> pd.DataFrame:
    """One row per calendar day of each TRM validity window (VIGENCIADESDE..VIGENCIAHASTA)."""
    until_col = _column(table.header, "VIGENCIAHASTA")
    assert until_col is not None
    until = parse_dates(
        pd.Series([r[until_col] if until_col < len(r) else "" for r in table.rows]), day_first
    )
    if parsed.empty:
        return parsed
    begins = parsed["date"].to_numpy(dtype="datetime64[ns]")
    ends = pd.to_datetime(until).to_numpy(dtype="datetime64[ns]")
    whole = ~(pd.isna(begins) | pd.isna(ends))
    whole[whole] = ends[whole] >= begins[whole]
    # a row without a readable window stays one row (the cleaner reports it); the others, one per day
    lengths = np.ones(len(parsed), dtype=np.int64)
    lengths[whole] = (ends[whole] - begins[whole]).astype("timedelta64[D]").astype(np.int64) + 1
    offsets = np.arange(lengths.sum()) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    expanded = parsed.loc[parsed.index.repeat(lengths)].reset_index(drop=True)
    shift = np.where(np.repeat(whole, lengths), offsets, 0).astype("timedelta64[D]")
    expanded["date"] = np.repeat(begins, lengths) + shift
    return expanded


def _cell_problems(
    table: Table, date_col: int, value_col: int, day_first: bool, today: pd.Timestamp
) -> tuple[list[pd.Timestamp | None], list[float | None], dict[int, Problem]]:
    """Each row's date and value through the shared parsers; a row that cannot be read gets its problem."""
    dates: list[pd.Timestamp | None] = []
    values: list[float | None] = []
    problems: dict[int, Problem] = {}
    seen_dates: dict[str, pd.Timestamp | None | CellError] = {}
    for position, row in enumerate(table.rows):
        raw_date = row[date_col] if date_col < len(row) else ""
        if raw_date not in seen_dates:
            try:
                seen_dates[raw_date] = read_day(raw_date, day_first=day_first, today=today)
            except CellError as error:
                seen_dates[raw_date] = error
        day = seen_dates[raw_date]
        raw_value = row[value_col] if value_col < len(row) else ""
        try:
            value = read_number(raw_value, table.decimal)
        except CellError as error:
            problems.setdefault(position, error.problem(field="value", value=raw_value))
            value = None
        if value is not None and abs(value) > MAX_VALUE:
            problems.setdefault(
                position, Problem("value_too_large", {"value": raw_value, "limit": int(MAX_VALUE)})
            )
        if isinstance(day, CellError):
            if day.code != "date_unreadable":  # unreadable dates keep the cleaner's wording
                problems[position] = day.problem()
            day = None
        dates.append(day)
        values.append(value)
    for position in table.long_cells:  # only the cell's start was kept: the line is rejected for it
        problems[position] = table.long_cell_problems(position)[0]
    return dates, values, problems


def parse_price_file(
    content: bytes, filename: str, series_id: str | None = None, *, today: pd.Timestamp | None = None
) -> ParsedPriceFile:
    """Read, detect and clean a price file. Raises PriceFileError when the file as a whole is unusable.

    A cell that cannot be read (a date before 1900 or after today, a number written ambiguously, 1e999)
    rejects its line with the reason; it never refuses the whole file.
    """
    if series_id is not None and series_id not in SERIES:
        raise PriceFileError("unknown_series", series=series_id, known=list(SERIES))
    table = read_table(content, filename)
    fmt, date_col, value_col, detected, day_first = _detect(table)

    if detected and series_id and detected != series_id:
        raise PriceFileError("series_conflict", format=fmt, detected=detected, series=series_id)
    if series_id:
        chosen, source = series_id, ("content" if detected == series_id else "user")
    elif detected:
        chosen, source = detected, "content"
    elif hint := _series_from_filename(filename):
        chosen, source = hint, "filename"
    else:
        raise PriceFileError("series_undetected", format=fmt, known=list(SERIES))

    def cell(row: list[str], col: int) -> str:
        return row[col] if col < len(row) else ""

    today = (today or pd.Timestamp.now()).normalize()
    if fmt == "trm":  # the TRM certified today is valid from the next business day(s)
        today += pd.Timedelta(days=7)
    dates, values, problems = _cell_problems(table, date_col, value_col, day_first, today)
    lines = [table.line_of(position) for position in range(len(table.rows))]
    raw_dates = pd.Series([cell(r, date_col) for r in table.rows], dtype=object)
    pre_rejected = [
        {
            "line": lines[position],
            "date": None if dates[position] is None else dates[position].strftime("%Y-%m-%d"),  # type: ignore[union-attr]
            "reason": problem.english(),
            "code": problem.code,
            "problems": [problem.as_dict()],
        }
        for position, problem in sorted(problems.items())
    ]
    keep = [position not in problems for position in range(len(table.rows))]
    parsed = pd.DataFrame(
        {
            "line": lines,
            "date": pd.to_datetime(pd.Series(dates, dtype=object)).astype("datetime64[ns]"),
            "value": [float("nan") if v is None else v for v in values],
            "raw_date": raw_dates,
            "raw_value": [cell(r, value_col) for r in table.rows],
        }
    )
    parsed = parsed.loc[pd.Series(keep, index=parsed.index, dtype=bool)].reset_index(drop=True)
    kept_table = Table(
        table.header,
        [row for row, k in zip(table.rows, keep, strict=True) if k],
        0,
        table.delimiter,
        list(parsed["line"]),
    )
    extra_flags = (
        _ohlc_flags(kept_table, value_col, parsed) if fmt in ("yahoo_old", "yahoo_new", "stooq") else []
    )
    if fmt == "trm":
        parsed = _expand_trm_windows(kept_table, parsed, day_first)
    cleaned = clean_observations(parsed, calendar_days=(fmt == "trm"), extra_flags=extra_flags)
    rejected = sorted(cleaned.rejected + pre_rejected, key=lambda item: item.get("line") or 0)
    return ParsedPriceFile(
        fmt, chosen, source, len(table.rows), cleaned.observations, cleaned.flagged, rejected
    )
