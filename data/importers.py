"""Price-file importer: reads CSV or Excel price files, detects their format and series, cleans the rows.

Parses bytes into a `ParsedPriceFile`; it never writes: storing is the store's job, in one transaction.
Formats: FRED/LBMA, Stooq, Yahoo CSV (old with Adj Close, new, and yfinance's two-row header), the
datos.gov.co TRM export, BCRP, and a generic two-column date,value file.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import pandas as pd

from data.cleaning import IMPOSSIBLE_FACTOR, clean_observations
from data.series import SERIES, series_for_ticker

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

MISSING_MARKERS = {"", ".", "null", "nan", "na", "n/a", "#n/a", "none", "-"}
MAX_ROWS = 200_000
MAX_FILE_BYTES = 20_000_000  # uploads: Streamlit's limit in .streamlit/config.toml (40 years of days < 2 MB)


class PriceFileError(ValueError):
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


@dataclass
class _Table:
    header: list[str]
    rows: list[list[str]]
    first_data_line: int  # 1-based line number of rows[0] in the file


# ---------------------------------------------------------------- reading bytes into a table


def _decode(content: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise PriceFileError("the file is neither UTF-8 nor Windows-1252 text")


def _read_csv_table(text: str) -> _Table:
    lines = text.splitlines()
    if not lines or not lines[0].strip():
        raise PriceFileError("the file is empty")
    first = lines[0]
    delimiter = max([",", ";", "\t"], key=first.count)
    try:  # newline="": the csv module itself reads \r, \n and \r\n line ends, as its docs ask
        records = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as error:
        raise PriceFileError(f"the file is not readable as CSV text: {error}") from error
    header = [cell.strip() for cell in records[0]]
    body_start = 1
    # yfinance's DataFrame.to_csv writes a two-level header: Price,... / Ticker,... / Date,,,
    if header and header[0] == "Price" and len(records) > 2 and records[1][:1] == ["Ticker"]:
        tickers = [cell.strip() for cell in records[1]]
        header = ["Date"] + [
            f"{name}|{ticker}" for name, ticker in zip(header[1:], tickers[1:], strict=False)
        ]
        body_start = 3 if records[2][:1] == ["Date"] else 2
    rows = [
        [cell.strip() for cell in record] for record in records[body_start:] if any(c.strip() for c in record)
    ]
    return _Table(header, rows, body_start + 1)


def _read_excel_table(content: bytes) -> _Table:
    try:
        frame = pd.read_excel(io.BytesIO(content), sheet_name=0, header=None, dtype=object, engine="openpyxl")
    except Exception as error:  # openpyxl raises many types for a damaged workbook
        raise PriceFileError(f"cannot read the Excel workbook: {error}") from error
    frame = frame.dropna(how="all")
    if frame.empty:
        raise PriceFileError("the workbook's first sheet is empty")

    def text(cell: object) -> str:
        if cell is None or (isinstance(cell, float) and pd.isna(cell)):
            return ""
        if isinstance(cell, datetime | date):
            return cell.strftime("%Y-%m-%d")
        return str(cell).strip()

    cells = [[text(cell) for cell in row] for row in frame.itertuples(index=False)]
    first_line = int(frame.index[0]) + 1
    return _Table(cells[0], cells[1:], first_line + 1)


def read_table(content: bytes, filename: str) -> _Table:
    """A header and rows of text cells, from CSV/TSV text or an .xlsx workbook."""
    if content[:2] == b"PK" or filename.lower().endswith((".xlsx", ".xlsm")):
        return _read_excel_table(content)
    return _read_csv_table(_decode(content))


# ---------------------------------------------------------------- parsing cells


_NUMBER_CHARS = re.compile(r"[^0-9,.\-+eE]")


def parse_number(raw: str) -> float | None:
    """A number from text as people write it: "$4,008.70", "4.008,70", "3,75", "1523.5"; None if missing.

    With both separators, the last one is the decimal mark. With only commas, a single comma followed
    by exactly three digits is a thousands separator ("4,008"); otherwise it is the decimal mark ("3,75").
    """
    text = raw.strip()
    if text.lower() in MISSING_MARKERS:
        return None
    text = _NUMBER_CHARS.sub("", text)
    if "," in text and "." in text:
        if text.rfind(",") > text.rfind("."):
            text = text.replace(".", "").replace(",", ".")
        else:
            text = text.replace(",", "")
    elif "," in text:
        parts = text.split(",")
        if len(parts) > 2 or (len(parts) == 2 and len(parts[1]) == 3):
            text = text.replace(",", "")
        else:
            text = text.replace(",", ".")
    try:
        return float(text)
    except ValueError:
        return float("nan")  # present but unreadable: rejected by the cleaner with the raw text


def parse_dates(raw: pd.Series, day_first: bool) -> pd.Series:
    """Dates from text; ISO (YYYY-MM-DD) always, else dd/mm/yyyy when `day_first`. NaT when unreadable."""
    iso = pd.to_datetime(raw, format="%Y-%m-%d", errors="coerce")
    if day_first:
        for fmt in ("%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y"):
            iso = iso.fillna(pd.to_datetime(raw, format=fmt, errors="coerce"))
    return iso.astype("datetime64[ns]")


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
    raise PriceFileError(
        f"unrecognised columns {header!r}: expected a FRED, Stooq, Yahoo, TRM or BCRP export, "
        "or two columns date,value"
    )


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
            value = parse_number(row[col]) if col < len(row) else None
            if value is None or close is None or pd.isna(close) or close <= 0 or pd.isna(value):
                continue
            if value <= 0 or max(value / close, close / value) > IMPOSSIBLE_FACTOR:
                flags.append(
                    {
                        "line": line,
                        "date": None if pd.isna(day) else day.strftime("%Y-%m-%d"),
                        "reason": f"{name} {value:g} impossible next to Close {close:g} (ignored: only Close is stored)",
                    }
                )
    return flags


def _expand_trm_windows(table: _Table, parsed: pd.DataFrame, day_first: bool) -> pd.DataFrame:
    """One row per calendar day of each TRM validity window (VIGENCIADESDE..VIGENCIAHASTA)."""
    until_col = _column(table.header, "VIGENCIAHASTA")
    assert until_col is not None
    until = parse_dates(
        pd.Series([r[until_col] if until_col < len(r) else "" for r in table.rows]), day_first
    )
    pieces = []
    for row, end in zip(parsed.itertuples(index=False), until, strict=True):
        if pd.isna(row.date) or pd.isna(end) or end < row.date:
            pieces.append(pd.DataFrame([row._asdict()]))
            continue
        days = pd.date_range(row.date, end, freq="D")
        pieces.append(
            pd.DataFrame(
                {
                    "line": row.line,
                    "date": days,
                    "value": row.value,
                    "raw_date": row.raw_date,
                    "raw_value": row.raw_value,
                }
            )
        )
    return pd.concat(pieces, ignore_index=True) if pieces else parsed


def parse_price_file(content: bytes, filename: str, series_id: str | None = None) -> ParsedPriceFile:
    """Read, detect and clean a price file. Raises PriceFileError when the file as a whole is unusable."""
    if series_id is not None and series_id not in SERIES:
        raise PriceFileError(f"unknown series {series_id!r}; known: {', '.join(SERIES)}")
    if len(content) > MAX_FILE_BYTES:
        raise PriceFileError(
            f"the file is {len(content) / 1e6:.0f} MB; the limit is {MAX_FILE_BYTES / 1e6:.0f} MB for a price file"
        )
    table = read_table(content, filename)
    if len(table.rows) > MAX_ROWS:
        raise PriceFileError(f"the file has {len(table.rows):,} rows; the limit is {MAX_ROWS:,}")
    fmt, date_col, value_col, detected, day_first = _detect(table)

    if detected and series_id and detected != series_id:
        raise PriceFileError(f"this {fmt} file holds {detected}, not {series_id}")
    if series_id:
        chosen, source = series_id, ("content" if detected == series_id else "user")
    elif detected:
        chosen, source = detected, "content"
    elif hint := _series_from_filename(filename):
        chosen, source = hint, "filename"
    else:
        raise PriceFileError(
            f"cannot tell which series this {fmt} file holds: name it (--series, one of {', '.join(SERIES)})"
        )

    def cell(row: list[str], col: int) -> str:
        return row[col] if col < len(row) else ""

    raw_dates = pd.Series([cell(r, date_col) for r in table.rows], dtype=object)
    raw_values = [cell(r, value_col) for r in table.rows]
    parsed = pd.DataFrame(
        {
            "line": range(table.first_data_line, table.first_data_line + len(table.rows)),
            "date": parse_dates(raw_dates, day_first),
            "value": pd.array([parse_number(v) for v in raw_values], dtype="Float64").to_numpy(
                dtype=float, na_value=float("nan")
            ),
            "raw_date": raw_dates,
            "raw_value": raw_values,
        }
    )
    missing = [parse_number(v) is None for v in raw_values]
    parsed.loc[missing, "value"] = float("nan")
    extra_flags = _ohlc_flags(table, value_col, parsed) if fmt in ("yahoo_old", "yahoo_new", "stooq") else []
    if fmt == "trm":
        parsed = _expand_trm_windows(table, parsed, day_first)
    cleaned = clean_observations(parsed, calendar_days=(fmt == "trm"), extra_flags=extra_flags)
    return ParsedPriceFile(
        fmt, chosen, source, len(table.rows), cleaned.observations, cleaned.flagged, cleaned.rejected
    )
