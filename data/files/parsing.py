"""Bytes to cells, and cells to numbers and dates: the one decoder, number parser and date parser of every import.

Used by the price importer (data/market/importers.py) and the sales ledger (data/ledger/). It must not store or
show anything: every problem it finds is a `Problem` (a code and its parameters) that i18n writes in
the user's language; `Problem.english()` is the CLI's English "reason".

Bounded on purpose: a CSV is refused above the byte limit before it is decoded and stops being read at
the row limit; an .xlsx is refused when its zip directory says it expands beyond a limit (nothing is
inflated to find out), and is read row by row (openpyxl read-only) up to the row limit.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import math
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from datetime import datetime

import pandas as pd

MISSING_MARKERS = {"", ".", "null", "nan", "na", "n/a", "#n/a", "none", "-"}
MAX_FILE_BYTES = 20_000_000  # uploads: Streamlit's limit in .streamlit/config.toml (40 years of days < 2 MB)
#: What an .xlsx may expand to (sum of its zip members' declared sizes). A 100,000-row, 20-column sales
#: sheet is about 60 MB of XML; the issue's zip bombs declare 1 GB and more.
MAX_XLSX_EXPANDED_BYTES = 150_000_000
MAX_XLSX_MEMBERS = 1_000
MAX_COLUMNS = 200  # columns a row may fill (a real sheet has about 20); a value beyond refuses the file
#: Cells a workbook's sheets may hold: 100,000 sales x 20 columns (openpyxl reads ~100,000 cells a second).
MAX_CELLS = 2_000_000
FIRST_YEAR = 1900  # dates before it are typos (0202-06-01), not history
#: The longest cell read: a longer one rejects its line (notes run to a few hundred characters; a pasted
#: page or a 140 MB bomb cell does not). Only its first MAX_CELL_CHARS characters are kept.
MAX_CELL_CHARS = 10_000
#: Characters of text a workbook may hold in all (its shared strings and text cells, each cut at
#: MAX_CELL_CHARS): as much as the largest CSV file we read.
MAX_WORKBOOK_TEXT_CHARS = 20_000_000

csv.field_size_limit(max(csv.field_size_limit(), 4 * 20_000_000))  # a long cell is our line error, not csv's

# ---------------------------------------------------------------- problems, as codes

#: The English sentence of every code (the CLI's "reason"); i18n/locale/es/LC_MESSAGES/messages.po holds the Spanish ones.
#: The likely mistake behind a file in the wrong unit (data/market/plausibility.py), named in a refusal.
UNIT_CAUSES_ENGLISH = {
    "thousands": "written in thousands (e.g. 4.0123 for 4,012.3)",
    "thousand_times": "a thousand times too large (a thousands separator read as a decimal point?)",
    "per_gram": "a price per gram in a per-troy-ounce series",
    "hundred": "a hundred times off (cents, or a misplaced decimal point)",
    "inverted": "inverted (USD per local currency instead of local currency per USD)",
    "factor": "several times the stored values",
    "outside": "outside the plausible range",
}

ENGLISH: dict[str, str] = {
    # the file as a whole
    "file_empty": "the file is empty",
    "header_only": "the file has a header but no rows",
    "file_too_large": "the file is {size_mb} MB; the limit is {limit_mb} MB (split it into smaller files)",
    "too_many_rows": "the file has more than {limit:,} rows; the limit is {limit:,} (split it by year)",
    "too_many_cells": "the sheet has more than {limit:,} cells; the limit is {limit:,} (save it as CSV or split it)",
    "not_text": "this is not a text (CSV) or Excel file; save it as CSV UTF-8 or .xlsx",
    "bad_encoding": "the file is neither UTF-8, UTF-16 nor Windows-1252 text",
    "bad_csv": "the file is not readable as CSV text: {detail}",
    "bad_workbook": "cannot read the Excel workbook: {detail}",
    "workbook_empty": "the workbook's first sheet is empty",
    "sheet_empty": "the sheet is empty",
    "sheet_no_header": "no row of the sheet names the ledger's columns (date, buyer, weight, ley, amount...)",
    "workbook_too_much_text": "the workbook holds more than {limit:,} characters of text "
    "(save the sheet as CSV or split it)",
    "too_many_columns": "a row has values beyond column {limit:,}; the limit is {limit:,} columns "
    "(delete the extra columns or save only the sales as CSV)",
    "workbook_too_many_parts": "the workbook has {parts:,} parts (sheets, images, ...); the limit is {limit:,} "
    "(save the sales sheet alone as a new workbook or as CSV)",
    "workbook_too_large": "the workbook expands to {size_mb} MB of data (the limit is {limit_mb} MB): "
    "save the sheet as CSV or split it",
    "missing_columns": "missing columns: {columns} (the file has: {header}); map them to the file's columns",
    "unknown_mapped_columns": "the mapping names columns the file does not have: {columns}",
    "no_row_stored": "no row of the file could be stored ({reasons})",
    "wrong_unit_overlap": "{series}: the file's values look {cause}: median {median:.6g} against "
    "{expected:.6g} from {source} on {rows} common days; nothing stored",
    "wrong_unit_range": "{series}: the file's values look {cause}: median {median:.6g}, plausible "
    "{low:g}–{high:g}; nothing stored",
    "message": "{text}",
    "too_long": "{field} is longer than {limit} characters (the database column's limit)",
    "unknown_series": "unknown series {series!r}; known: {known}",
    "unrecognised_format": "unrecognised columns {header}: expected a FRED, Stooq, Yahoo, TRM or BCRP export, "
    "or two columns date,value",
    "series_conflict": "this {format} file holds {detected}, not {series}",
    "series_undetected": "cannot tell which series this {format} file holds: name it (--series, one of {known})",
    # one cell or one row
    "missing_value": "missing {field}",
    "cell_too_long": "column {column!r} holds {length:,} characters; a cell may hold at most {limit:,}",
    "date_unreadable": "unreadable date {value!r}",
    "date_too_old": "date {value!r} is before {first_year}",
    "date_in_future": "date {date} is in the future",
    "number_unreadable": "{field} {value!r} is not a number as written (digits with one decimal mark; "
    "no hexadecimal, underscores or letters)",
    "number_ambiguous": "{field} {value!r} is ambiguous in this file (it writes decimals with a {decimal_name}): "
    "write it as the other rows do",
    "number_not_finite": "{field} {value!r} is not a finite number",
    "number_too_large": "{field} {value!r} is larger than {limit:,} (a typo?)",
    "not_positive": "{field} {value!r} is not positive",
    "negative": "{field} {value!r} is not a number ≥ 0",
    "fineness_out_of_range": "fineness {value!r} is outside (0, 1] (or 1–1000 per mille)",
    "unknown_unit": "unknown weight unit {value!r} (g, castellano, oz, kg, tomin)",
    "unknown_currency": "unknown currency {value!r} ({known})",
    "missing_currency": "no currency: add a currency column, name it in the amount's header "
    "(e.g. 'Valor recibido (COP)') or choose a default currency",
    "unknown_certification": "unknown certification {value!r} ({known})",
    "fine_gold_mismatch": "fine gold {given:.2f} g does not match gross × fineness = {computed:.2f} g",
    "duplicate_sale_id": "duplicate sale_id {sale_id!r} (first on line {first_line})",
    "wrong_cooperative": "cooperative {value!r} is not {expected!r}",
    "outside_scope": "cooperative {cooperative!r} is not one you may import for",
    "stored_different": "sale_id {sale_id!r} is already stored with different values; "
    "edit it on the Sales page instead",
    "total_row": "a total or subtotal row ({value!r}): skipped",
    "value_too_large": "value {value!r} is larger than {limit:,} (a typo?)",
    "price_implausible": "price is {pct:.0f} % of the benchmark (outside {low:.0f}–{high:.0f} %): "
    "check the amount, weight and fineness",
    "no_benchmark": "no benchmark price within 7 days of this date: the premium cannot be computed",
    "gross_net_mismatch": "gross {gross:.2f} differs from net + deductions = {computed:.2f} by {pct:.1f} % "
    "(over 1 %): check which column is the net amount",
    "premium_implausible": "premium {value:,.2f} USD is {per_g:,.2f} USD a fine gram, beyond what a "
    "certification pays ({limit:.0f}): stored as 0; enter it in USD",
    "sum_row": "the sums of the {rows} rows above (no date or buyer): a totals row, skipped",
    "no_rate": "{field} {value:.2f} {currency}: no {series} rate within 7 days of this date, stored as 0; "
    "enter it in {target}",
    # one row of a price file (data/market/cleaning.py, data/market/importers.py)
    "value_missing": "missing value {value!r}",
    "value_empty": "empty value",
    "value_not_positive": "non-positive value {number:g}",
    "duplicate_date": "duplicate of line {first_line}",
    "duplicate_date_conflict": "duplicate date with a different value than line {first_line} "
    "(line {first_line} kept)",
    "value_impossible": "value {number:g} impossible next to its neighbours (median {median:g})",
    "extreme_move": "extreme move {move:+.1f}% (kept)",
    "weekend_date": "weekend date ({weekday}), kept",
    "ohlc_impossible": "{column} {number:g} impossible next to Close {close:g} (ignored: only Close is stored)",
}


#: How the English sentences name our fields (the params carry the field's key).
FIELD_NAMES = {
    "gross_weight": "weight",
    "gross_weight_g": "weight in grams",
    "fine_gold_g": "fine gold",
    "amount_received": "amount received",
    "gross_amount": "gross amount",
    "premium_received_usd": "premium received (USD)",
    "refining_charge": "refining charge",
    "assay_charge": "assay charge",
    "transport_charge": "transport charge",
    "export_charge": "export charge",
    "royalties_paid": "royalties",
    "withholding_paid": "withholding",
}


def _readable(value: object) -> object:
    if isinstance(value, list | tuple):
        return ", ".join(str(item) for item in value)
    if isinstance(value, str) and len(value) > 60:
        return value[:57] + "…"  # a reason quotes a cell, never a whole pasted page
    return value


@dataclass(frozen=True)
class Problem:
    """What is wrong (or was skipped), as a code and its parameters; sentences are written elsewhere."""

    code: str
    params: dict[str, object] = field(default_factory=dict, hash=False)

    def english(self) -> str:
        params = {key: _readable(value) for key, value in self.params.items()}
        if isinstance(params.get("field"), str):
            params["field"] = FIELD_NAMES.get(str(params["field"]), params["field"])
        if "cause" in params:
            params["cause"] = UNIT_CAUSES_ENGLISH.get(str(params["cause"]), params["cause"])
        return ENGLISH[self.code].format(**params)

    def as_dict(self) -> dict[str, object]:
        return {"code": self.code, **self.params}


def flags_json(problems: list[Problem]) -> str:
    """A sale's review flags as stored in `sales.flags`: a JSON list of codes with params ("" when none)."""
    return json.dumps([problem.as_dict() for problem in problems], ensure_ascii=False) if problems else ""


def stored_flags(text: str | None) -> list[Problem] | None:
    """The problems of a stored `sales.flags` text; None for an old plain-text flag (show it as it is)."""
    if not text or not text.startswith("["):
        return [] if not text else None
    try:
        items = json.loads(text)
    except ValueError:
        return None
    if not isinstance(items, list) or not all(
        isinstance(item, dict) and item.get("code") in ENGLISH for item in items
    ):
        return None
    return [Problem(str(item["code"]), {k: v for k, v in item.items() if k != "code"}) for item in items]


def flags_english(text: str | None) -> str:
    """A stored `sales.flags` text as English sentences (an old plain-text flag as it is)."""
    problems = stored_flags(text)
    return str(text or "") if problems is None else "; ".join(problem.english() for problem in problems)


class FileRefused(ValueError):
    """The file as a whole cannot be imported; `problem` says why (str() is the English sentence)."""

    def __init__(self, code: str, **params: object):
        # a code of ENGLISH; any other text is kept as a message (callers outside the import pipeline)
        self.problem = Problem(code, params) if code in ENGLISH else Problem("message", {"text": code})
        super().__init__(self.problem.english())


class CellError(ValueError):
    """One cell cannot be read; the caller turns it into a line rejection (never a file refusal)."""

    def __init__(self, code: str, **params: object):
        self.code = code
        self.params = params
        super().__init__(code)

    def problem(self, **more: object) -> Problem:
        return Problem(self.code, {**more, **self.params})


def normalised_name(name: str) -> str:
    """'Fecha de venta ' → 'fecha_de_venta'; 'Certificación' → 'certificacion' (headers and cell words)."""
    text = unicodedata.normalize("NFKD", str(name)).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "_", text).strip("_")


# ---------------------------------------------------------------- bytes → text


def decode_text(content: bytes, error: type[FileRefused] = FileRefused) -> str:
    """UTF-8 (with or without BOM), UTF-16 with its BOM (Excel's "Unicode text"), else Windows-1252."""
    if content[:2] in (b"\xff\xfe", b"\xfe\xff"):
        try:
            return content.decode("utf-16")
        except UnicodeDecodeError:
            raise error("bad_encoding") from None
    if b"\x00" in content[:4096]:
        raise error("not_text")
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise error("bad_encoding")


# ---------------------------------------------------------------- a table of text cells


@dataclass
class Table:
    header: list[str]
    rows: list[list[str]]
    first_data_line: int  # 1-based line (CSV) or row (sheet) number of rows[0]
    delimiter: str | None = None  # None for a workbook
    lines: list[int] | None = None  # the line of each row when blank rows were skipped
    #: Cells longer than MAX_CELL_CHARS, by row position: [(column position, full length)]; the row
    #: holds only the cell's first MAX_CELL_CHARS characters.
    long_cells: dict[int, list[tuple[int, int]]] = field(default_factory=dict)
    #: The rows as text columns (Arrow-backed Series, one per column) instead of `rows`, when the reader
    #: was asked for columns (the ledger: 100,000 rows as Python lists of strings cost 150 MB).
    columns: list[pd.Series] | None = None

    @property
    def row_count(self) -> int:
        if self.columns is None:
            return len(self.rows)
        return len(self.columns[0]) if self.columns else len(self.lines or [])

    @property
    def decimal(self) -> str | None:
        """ "," for semicolon-separated text (the Spanish-locale Excel export), else None (read per cell)."""
        return "," if self.delimiter == ";" else None

    def line_of(self, position: int) -> int:
        return self.lines[position] if self.lines is not None else self.first_data_line + position

    def long_cell_problems(self, position: int) -> list[Problem]:
        """A `cell_too_long` problem per over-long cell of the row at `position` (none for most rows)."""
        return [
            Problem(
                "cell_too_long",
                {
                    "column": self.header[column] if column < len(self.header) else str(column + 1),
                    "length": length,
                    "limit": MAX_CELL_CHARS,
                },
            )
            for column, length in self.long_cells.get(position, [])
        ]


def _bounded(cells: list[str]) -> tuple[list[str], list[tuple[int, int]]]:
    """Cells cut at MAX_CELL_CHARS, and (column, full length) of each cut one."""
    long = [(column, len(cell)) for column, cell in enumerate(cells) if len(cell) > MAX_CELL_CHARS]
    for column, _ in long:
        cells[column] = cells[column][:MAX_CELL_CHARS]
    return cells, long


def _check_size(content: bytes, error: type[FileRefused]) -> None:
    if len(content) > MAX_FILE_BYTES:
        raise error("file_too_large", size_mb=round(len(content) / 1e6), limit_mb=round(MAX_FILE_BYTES / 1e6))


_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")
#: What str.splitlines also breaks at, beside \r and \n (csv and io.StringIO(newline="") do not).
_OTHER_BREAKS = re.compile("[\v\f\x1c\x1d\x1e\x85\u2028\u2029]")


class _Rows:
    """Records as they are read: the first three as lists (a header may span them), the rest either
    as lists or, for `columnar`, packed into Arrow text columns every CHUNK_ROWS rows."""

    CHUNK_ROWS = 8192

    def __init__(self, columnar: bool):
        self.columnar = columnar
        self.head: list[list[str]] = []
        self.pending: list[list[str]] = []
        self.chunks: list[tuple[int, list]] = []  # (rows, Arrow arrays by column)
        self.count = 0

    def __len__(self) -> int:
        return self.count

    def __getitem__(self, position: int) -> list[str]:
        return self.head[position]  # only the first three are asked for

    def append(self, cells: list[str]) -> None:
        self.count += 1
        if len(self.head) < 3:
            self.head.append(cells)
            return
        self.pending.append(cells)
        if self.columnar and len(self.pending) >= self.CHUNK_ROWS:
            self._pack()

    def _pack(self) -> None:
        if self.pending:
            self.chunks.append((len(self.pending), _arrow_columns(self.pending)))
            self.pending = []

    def body(self, start: int) -> tuple[list[list[str]], list[pd.Series] | None]:
        """(rows, None), or ([], columns) when columnar: the records from `start` on."""
        if not self.columnar:
            return self.head[start:] + self.pending, None
        self._pack()
        chunks = list(self.chunks)
        if first := self.head[start:]:
            chunks.insert(0, (len(first), _arrow_columns(first)))
        return [], _packed_columns(chunks)


def _arrow_columns(rows: list[list[str]]) -> list:
    import pyarrow as pa

    return [pa.array(cells, type=pa.large_string()) for cells in itertools.zip_longest(*rows, fillvalue="")]


def _packed_columns(chunks: list[tuple[int, list]]) -> list[pd.Series]:
    import pyarrow as pa
    from pandas.core.arrays.string_arrow import ArrowStringArray

    width = max((len(arrays) for _, arrays in chunks), default=0)
    dtype = pd.StringDtype("pyarrow", na_value=float("nan"))
    columns = []
    for at in range(width):
        pieces = [
            arrays[at] if at < len(arrays) else pa.array([""] * count, type=pa.large_string())
            for count, arrays in chunks
        ]
        columns.append(
            pd.Series(ArrowStringArray(pa.chunked_array(pieces, type=pa.large_string()), dtype=dtype))
        )
    return columns


def _read_csv_table(text: str, max_rows: int, error: type[FileRefused], columnar: bool = False) -> Table:
    first = text.lstrip("\ufeff").split("\n", 1)[0]
    if not first.strip():
        raise error("file_empty")
    delimiter = max([",", ";", "\t"], key=first.count)
    if first.count(delimiter) < 2:  # a title row above the header ("VENTAS 2024"): the header's delimiter
        widest = max(text[:20_000].split("\n")[:12], key=lambda line: max(map(line.count, ",;\t")))
        delimiter = max([",", ";", "\t"], key=widest.count)
    # lines as io.StringIO(newline="") gives them (\r, \n and \r\n kept), without its 4-byte-a-character copy
    lines_of_text = (
        text.splitlines(keepends=True)  # the same lines when no other line-break character is there
        if text.count("\n") <= max_rows + 10 and not _OTHER_BREAKS.search(text)
        else (match.group() for match in _LINE.finditer(text))  # lazily: a file past the limit stops early
    )
    reader = csv.reader(lines_of_text, delimiter=delimiter)
    records = _Rows(columnar)
    lines: list[int] = []
    long_cells: dict[int, list[tuple[int, int]]] = {}  # by record position
    try:
        for record in reader:
            if len(records) > max_rows + 3:  # header (two or three lines for yfinance) + max_rows
                raise error("too_many_rows", limit=max_rows)
            if record and "".join(record).strip() or not records:  # a blank line is skipped
                if len(record) > MAX_COLUMNS and any(cell.strip() for cell in record[MAX_COLUMNS:]):
                    raise error("too_many_columns", limit=MAX_COLUMNS)
                cells = list(map(str.strip, record[:MAX_COLUMNS]))
                if sum(map(len, cells)) > MAX_CELL_CHARS:  # only then can one cell be too long
                    cells, long = _bounded(cells)
                    if long:
                        long_cells[len(records)] = long
                records.append(cells)
                lines.append(reader.line_num)
    except csv.Error as failure:
        raise error("bad_csv", detail=str(failure)) from None
    header = records[0]
    body_start = 1
    # yfinance's DataFrame.to_csv writes a two-level header: Price,... / Ticker,... / Date,,,
    if header and header[0] == "Price" and len(records) > 2 and records[1][:1] == ["Ticker"]:
        tickers = records[1]
        header = ["Date"] + [
            f"{name}|{ticker}" for name, ticker in zip(header[1:], tickers[1:], strict=False)
        ]
        body_start = 3 if records[2][:1] == ["Date"] else 2
    if len(records) - body_start > max_rows:
        raise error("too_many_rows", limit=max_rows)
    rows, columns = records.body(body_start)
    return Table(
        header,
        rows,
        lines[body_start] if len(lines) > body_start else 2,
        delimiter,
        lines[body_start:],
        {at - body_start: long for at, long in long_cells.items() if at >= body_start},
        columns,
    )


def _row_budget(max_rows: int) -> int:
    """Sheet rows (blank ones too, or a sheet of empty rows never ends) read for `max_rows` data rows."""
    return max_rows + max_rows // 10 + 1


_SHEET_DATA = re.compile(rb"<([A-Za-z_][\w.-]*:)?sheetData[\s>/]")


def _count_tags(window: bytes, end: int, prefix: bytes) -> tuple[int, int]:
    """(rows, cells) whose start tag begins before `end` (bytes.count: no allocation per tag)."""
    rows = sum(window.count(b"<" + prefix + b"row" + after, 0, end) for after in (b" ", b">", b"/"))
    cells = sum(window.count(b"<" + prefix + b"c" + after, 0, end) for after in (b" ", b">", b"/"))
    return rows, cells


def check_workbook_zip(
    content: bytes, error: type[FileRefused] = FileRefused, max_rows: int | None = None
) -> None:
    """Refuse a workbook that holds more than we would read, before openpyxl opens it.

    The zip directory gives each member's size (zipfile never inflates beyond it), so the expanded total
    is known without inflating anything. Then each sheet's rows are counted while it is inflated in
    chunks, stopping at the limit: openpyxl's read-only mode scans a whole sheet without a
    <dimension> element before the first row is read, which is where a million-row bomb spent its time.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except (zipfile.BadZipFile, ValueError, OSError) as failure:
        raise error("bad_workbook", detail=str(failure)) from None
    members = archive.infolist()
    expanded = sum(member.file_size for member in members)
    if len(members) > MAX_XLSX_MEMBERS:  # many sheets or images: a count, whatever their size
        raise error("workbook_too_many_parts", parts=len(members), limit=MAX_XLSX_MEMBERS)
    if expanded > MAX_XLSX_EXPANDED_BYTES:
        raise error(
            "workbook_too_large",
            size_mb=round(expanded / 1e6),
            limit_mb=round(MAX_XLSX_EXPANDED_BYTES / 1e6),
        )
    if max_rows is None:
        return
    rows = cells = 0  # across every sheet: a workbook of many sheets is bounded as one of one sheet
    for member in members:
        if not (member.filename.startswith("xl/worksheets/") and member.filename.endswith(".xml")):
            continue
        tail, prefix = b"", None
        try:
            with archive.open(member) as stream:
                while chunk := stream.read(1 << 20):
                    window = tail + chunk
                    if prefix is None:  # <sheetData> or <x:sheetData>: the prefix its rows and cells use
                        found = _SHEET_DATA.search(window)
                        if found is None:
                            tail = window[-4096:]
                            continue
                        prefix = found.group(1) or b""
                    end = max(len(window) - 16, 0)
                    more_rows, more_cells = _count_tags(window, end, prefix)
                    rows, cells, tail = rows + more_rows, cells + more_cells, window[end:]
                    if rows > _row_budget(max_rows):
                        raise error("too_many_rows", limit=max_rows)
                    if cells > MAX_CELLS:
                        raise error("too_many_cells", limit=MAX_CELLS)
        except FileRefused:
            raise
        except Exception as failure:  # a damaged member: zlib.error, BadZipFile (CRC), encrypted, ...
            raise error("bad_workbook", detail=str(failure)[:200]) from None


def is_workbook(content: bytes, filename: str) -> bool:
    return content[:2] == b"PK" or filename.lower().endswith((".xlsx", ".xlsm"))


def read_table(
    content: bytes,
    filename: str,
    *,
    max_rows: int,
    error: type[FileRefused] = FileRefused,
    columnar: bool = False,
) -> Table:
    """A header and rows of text cells, from CSV/TSV text or an .xlsx workbook, within the limits.

    `columnar` gives the rows as text columns (`Table.columns`, `rows` empty): a big sheet then never
    sits in memory as Python strings.
    """
    _check_size(content, error)
    if not content.strip():
        raise error("file_empty")
    if is_workbook(content, filename):
        from data.files.workbook import read_first_sheet  # the workbook reader builds on this module's Table

        return read_first_sheet(content, max_rows, error, columnar)
    return _read_csv_table(decode_text(content, error), max_rows, error, columnar)


# ---------------------------------------------------------------- numbers

_PREFIX = re.compile(r"^(?:US\$|COP\$?|USD|PEN|BOB|MNT|S/\.?|Bs\.?|\$|€|£|₮)\s*", re.IGNORECASE)
_SUFFIX = re.compile(r"\s*(?:COP|USD|PEN|BOB|MNT|%|\$)$", re.IGNORECASE)
_GROUP_SPACES = re.compile(r"(?<=\d)[ \u00a0\u202f'](?=\d{3})")
_SHAPE = re.compile(r"^(?:\d[\d.,]*|[.,]\d+)(?:[eE][+-]?\d+)?$")
_EXPONENT = re.compile(r"[eE][+-]?\d+$")


def _grouped(integer: str, mark: str) -> bool:
    """True when `integer` is digits grouped in threes by `mark` (1.234.567), first group not zero."""
    groups = integer.split(mark)
    return (
        1 <= len(groups[0]) <= 3
        and not groups[0].startswith("0")
        and all(len(g) == 3 and g.isdigit() for g in groups[1:])
    )


def read_number(raw: str, decimal: str | None = None) -> float | None:
    """A number as people write it; None when the cell is empty or a missing marker.

    `decimal` is the file's decimal mark when it is known ("," in a semicolon-separated file): the other
    mark may then only group thousands, so `10.5` there is ambiguous and refused, not read as 105. With
    `decimal` None each cell decides: with both marks the last one is the decimal; a single comma
    followed by exactly three digits groups thousands ("4,008"), otherwise it is the decimal ("3,75").
    Raises CellError: number_unreadable (letters, hexadecimal, underscores), number_ambiguous,
    number_not_finite (1e999, inf).
    """
    text = raw.strip()
    if text.lower() in MISSING_MARKERS:
        return None
    sign = ""
    if text[:1] in "+-":
        sign, text = text[:1], text[1:].strip()
    text = _SUFFIX.sub("", _PREFIX.sub("", text))
    if not sign and text[:1] in "+-":
        sign, text = text[:1], text[1:].strip()
    if text.lower().lstrip("+-") in ("inf", "infinity", "∞"):
        raise CellError("number_not_finite")
    text = _GROUP_SPACES.sub("", text)
    if not _SHAPE.match(text):
        raise CellError("number_unreadable")
    exponent_match = _EXPONENT.search(text)
    exponent = exponent_match.group(0) if exponent_match else ""
    mantissa = text[: len(text) - len(exponent)]
    commas, points = mantissa.count(","), mantissa.count(".")
    mark = decimal
    if mark is None:
        if commas and points:
            mark = "," if mantissa.rfind(",") > mantissa.rfind(".") else "."
        elif commas == 1 and not points:
            whole, fraction = mantissa.split(",")
            mark = "." if len(fraction) == 3 and whole not in ("", "0") else ","
        elif commas > 1:
            mark = "."  # 1,234,567
        else:
            mark = "." if points <= 1 else ","  # 1.234.567 groups thousands
    group = "." if mark == "," else ","
    if mantissa.count(mark) > 1:
        raise CellError("number_ambiguous", decimal_name=_mark_name(mark))
    integer = mantissa.split(mark)[0]
    if group in mantissa.split(mark)[-1] and mark in mantissa:
        raise CellError("number_ambiguous", decimal_name=_mark_name(mark))
    if group in integer and not _grouped(integer, group):
        raise CellError("number_ambiguous", decimal_name=_mark_name(mark))
    plain = mantissa.replace(group, "").replace(mark, ".")
    try:
        value = float(sign + plain + exponent)
    except ValueError:
        raise CellError("number_unreadable") from None
    if not math.isfinite(value):
        raise CellError("number_not_finite")
    return value


def _mark_name(mark: str) -> str:
    return "comma" if mark == "," else "point"


def parse_number(raw: str, decimal: str | None = None) -> float | None:
    """`read_number`, with NaN for a cell that is present but unreadable (the price cleaner's convention)."""
    try:
        return read_number(raw, decimal)
    except CellError:
        return float("nan")


# ---------------------------------------------------------------- dates

_ISO_TIME = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:[ T]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")
DAY_FIRST_FORMATS = ("%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y/%m/%d", "%d/%m/%y")
#: An English-locale Excel's dates (8/21/2024): read so only for a column decided month-first.
MONTH_FIRST_FORMATS = ("%m/%d/%Y", "%m-%d-%Y", "%m.%d.%Y", "%Y/%m/%d", "%m/%d/%y")


def read_day(
    raw: str, *, day_first: bool = True, today: pd.Timestamp | None = None, month_first: bool = False
) -> pd.Timestamp | None:
    """A date: ISO (YYYY-MM-DD, a time after it is ignored), or day-first dd/mm/yyyy when `day_first`
    (mm/dd/yyyy instead with `month_first`, for a column the ledger decided is month-first).

    None for an empty cell. Raises CellError: date_unreadable, date_too_old (before 1900: a typo such as
    0202-06-01), date_in_future (after `today`, when given).
    """
    text = raw.strip()
    if not text:
        return None
    parsed: datetime | None = None
    iso = _ISO_TIME.match(text)
    candidates = [(iso.group(1), "%Y-%m-%d")] if iso else []
    if day_first:
        candidates += [(text, fmt) for fmt in (MONTH_FIRST_FORMATS if month_first else DAY_FIRST_FORMATS)]
    for candidate, fmt in candidates:
        try:
            parsed = datetime.strptime(candidate, fmt)
            break
        except ValueError:
            continue
    if parsed is None:
        raise CellError("date_unreadable", value=raw)
    if parsed.year < FIRST_YEAR:
        raise CellError("date_too_old", value=raw, first_year=FIRST_YEAR)
    day = pd.Timestamp(parsed)
    if today is not None and day > today:
        raise CellError("date_in_future", date=day.strftime("%Y-%m-%d"))
    return day


def parse_dates(raw: pd.Series, day_first: bool) -> pd.Series:
    """Dates of a column (NaT when unreadable or out of range), each distinct text parsed once."""
    seen: dict[str, pd.Timestamp | None] = {}
    out = []
    for text in raw.astype(str):
        if text not in seen:
            try:
                seen[text] = read_day(text, day_first=day_first)
            except CellError:
                seen[text] = None
        out.append(seen[text])
    return pd.Series(pd.to_datetime(out), index=raw.index).astype("datetime64[ns]")
