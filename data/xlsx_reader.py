"""An .xlsx workbook's first sheet as rows of values, streamed: no cell or shared string is ever held whole.

openpyxl's read-only mode reads the shared-string table whole and builds each cell's text whole (its
XML parser collects an element's text before handing it over), so one 140 MB text cell of a 134 KB
workbook cost 370 MB. Here the zip members are inflated in 1 MB chunks into expat, whose character
data arrives in pieces: a text keeps its first `max_chars` + 1 characters and only counts the rest, and
the characters kept across the whole workbook are bounded too (`max_text_chars`).

The values are the ones openpyxl gives in read-only, data-only mode (its own helpers decide numbers,
dates by the cell's number format, booleans, the workbook's 1900/1904 epoch), so a sheet reads the
same as before; the reader only adds the length of each over-long cell. Called by data/parsing.py after
its zip checks (expanded size, rows and cells counted), never directly.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from xml.parsers import expat

CHUNK_BYTES = 1 << 20
_RELATIONSHIPS_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_COLUMN = re.compile(r"([A-Za-z]{1,3})")


class TooMuchText(ValueError):
    """The workbook's kept text passes `max_text_chars` (a bomb of many long strings)."""


@dataclass
class Cell:
    """One cell's value as openpyxl gives it, and the length of its text when that text was cut."""

    value: object
    length: int = 0  # the full length of a text cell longer than the limit (0: not cut)


class _Text:
    """A text collected in pieces: the first `limit` + 1 characters kept, the rest only counted."""

    __slots__ = ("budget", "length", "limit", "parts")

    def __init__(self, limit: int, budget: list[int]):
        self.limit = limit
        self.parts: list[str] = []
        self.length = 0
        self.budget = budget  # [characters the workbook may still keep], shared

    def add(self, data: str) -> None:
        room = self.limit + 1 - self.length
        if room > 0:
            kept = data[:room]
            self.parts.append(kept)
            self.budget[0] -= len(kept)
            if self.budget[0] < 0:
                raise TooMuchText
        self.length += len(data)

    def text(self) -> str:
        return "".join(self.parts)


def _local(name: str) -> str:
    return name.rsplit(" ", 1)[-1]


def _parse(
    archive: zipfile.ZipFile,
    member: str,
    start: Callable[[str, dict[str, str]], None],
    end: Callable[[str], None],
    data: Callable[[str], None] | None = None,
) -> None:
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.buffer_text = False  # character data in pieces, never joined by expat
    parser.StartElementHandler = lambda name, attrs: start(_local(name), attrs)
    parser.EndElementHandler = lambda name: end(_local(name))
    if data is not None:
        parser.CharacterDataHandler = data
    with archive.open(member) as stream:
        while chunk := stream.read(CHUNK_BYTES):
            parser.Parse(chunk, False)
    parser.Parse(b"", True)


def _relationships(archive: zipfile.ZipFile, part: str) -> list[tuple[str, str, str]]:
    """(id, type, member path) of a part's relationships."""
    folder, name = posixpath.split(part)
    rels = posixpath.join(folder, "_rels", name + ".rels")
    if rels not in archive.NameToInfo:
        return []
    found: list[tuple[str, str, str]] = []

    def start(tag: str, attrs: dict[str, str]) -> None:
        if tag == "Relationship" and attrs.get("TargetMode") != "External":
            target = attrs.get("Target", "")
            path = (
                target.lstrip("/")
                if target.startswith("/")
                else posixpath.normpath(posixpath.join(folder, target))
            )
            found.append((attrs.get("Id", ""), attrs.get("Type", ""), path))

    _parse(archive, rels, start, lambda tag: None)
    return found


def _workbook_parts(archive: zipfile.ZipFile) -> tuple[str, str | None, str | None, bool]:
    """(first worksheet, shared strings, styles, 1904 epoch) from the workbook part and its relationships."""
    workbook = next(
        (path for _, kind, path in _relationships(archive, "") if kind.endswith("/officeDocument")),
        "xl/workbook.xml",
    )
    relations = _relationships(archive, workbook)
    by_id = {rid: (kind, path) for rid, kind, path in relations}
    sheets: list[str] = []
    epoch_1904 = [False]

    def start(tag: str, attrs: dict[str, str]) -> None:
        if tag == "workbookPr":
            epoch_1904[0] = attrs.get("date1904", "").lower() in ("1", "true")
        elif tag == "sheet":
            rid = attrs.get(f"{_RELATIONSHIPS_NS} id", "")
            kind, path = by_id.get(rid, ("", ""))
            if kind.endswith("/worksheet"):
                sheets.append(path)

    _parse(archive, workbook, start, lambda tag: None)
    if not sheets or sheets[0] not in archive.NameToInfo:
        raise ValueError("the workbook has no worksheet")
    shared = next((path for _, kind, path in relations if kind.endswith("/sharedStrings")), None)
    styles = next((path for _, kind, path in relations if kind.endswith("/styles")), None)
    return sheets[0], shared, styles, epoch_1904[0]


def _date_styles(archive: zipfile.ZipFile, styles: str | None) -> tuple[set[int], set[int]]:
    """The cell styles (xf indices) whose number format is a date, and those that are a duration."""
    from openpyxl.styles.numbers import builtin_format_code, is_date_format, is_timedelta_format

    if styles is None or styles not in archive.NameToInfo:
        return set(), set()
    custom: dict[int, str] = {}
    formats: list[int] = []
    where: list[str] = []

    def start(tag: str, attrs: dict[str, str]) -> None:
        where.append(tag)
        if tag == "numFmt":
            custom[int(attrs.get("numFmtId", "0"))] = attrs.get("formatCode", "")
        elif tag == "xf" and len(where) > 1 and where[-2] == "cellXfs":
            formats.append(int(attrs.get("numFmtId", "0")))

    def end(tag: str) -> None:
        where.pop()

    _parse(archive, styles, start, end)
    dates, durations = set(), set()
    for index, number_format in enumerate(formats):
        code = custom.get(number_format) or builtin_format_code(number_format)
        if code and is_date_format(code):
            dates.add(index)
        if code and is_timedelta_format(code):
            durations.add(index)
    return dates, durations


def _shared_strings(
    archive: zipfile.ZipFile, member: str | None, max_chars: int, budget: list[int], max_count: int
) -> tuple[list[str], dict[int, int]]:
    """The shared strings (each cut after `max_chars` + 1 characters) and the full length of those cut."""
    if member is None or member not in archive.NameToInfo:
        return [], {}
    strings: list[str] = []
    lengths: dict[int, int] = {}
    state: dict[str, object] = {"text": None, "depth_rph": 0, "in_t": False}

    def start(tag: str, attrs: dict[str, str]) -> None:
        if tag == "si":
            state["text"] = _Text(max_chars, budget)
        elif tag == "rPh":
            state["depth_rph"] = int(state["depth_rph"]) + 1  # type: ignore[call-overload]
        elif tag == "t" and not state["depth_rph"]:
            state["in_t"] = True

    def end(tag: str) -> None:
        if tag == "t":
            state["in_t"] = False
        elif tag == "rPh":
            state["depth_rph"] = int(state["depth_rph"]) - 1  # type: ignore[call-overload]
        elif tag == "si":
            text = state["text"]
            assert isinstance(text, _Text)
            if text.length > max_chars:
                lengths[len(strings)] = text.length
            strings.append(text.text().replace("x005F_", ""))
            state["text"] = None
            if len(strings) > max_count:
                raise TooMuchText

    def data(piece: str) -> None:
        text = state["text"]
        if state["in_t"] and isinstance(text, _Text):
            text.add(piece)

    _parse(archive, member, start, end, data)
    return strings, lengths


def _column_index(reference: str) -> int:
    from openpyxl.utils import column_index_from_string

    match = _COLUMN.match(reference)
    if match is None:
        raise ValueError(f"bad cell reference {reference!r}")
    return column_index_from_string(match.group(1).upper())


class _SheetRows:
    """expat's handlers for one worksheet: each finished row lands in `done` as (row number, cells from A).

    The state of the row and cell being read lives here; the texts are kept within `max_chars` per cell
    and the shared `budget` for the workbook (see _Text)."""

    def __init__(
        self,
        *,
        max_chars: int,
        budget: list[int],
        shared: list[str],
        shared_lengths: dict[int, int],
        dates: set[int],
        durations: set[int],
        epoch: object,
    ) -> None:
        from openpyxl.utils.datetime import from_excel, from_ISO8601
        from openpyxl.worksheet._reader import _cast_number

        self.from_excel, self.from_iso8601, self.cast_number = from_excel, from_ISO8601, _cast_number
        self.max_chars, self.budget = max_chars, budget
        self.shared, self.shared_lengths = shared, shared_lengths
        self.dates, self.durations, self.epoch = dates, durations, epoch
        self.done: list[tuple[int, list[Cell | None]]] = []
        self.row, self.column, self.kind, self.style = 0, 0, "n", 0
        self.cells: dict[int, Cell | None] | None = None
        self.value_text: _Text | None = None
        self.inline: _Text | None = None
        self.in_is, self.rph, self.in_t, self.in_v = False, 0, False, False

    def start(self, tag: str, attrs: dict[str, str]) -> None:
        if tag == "row":
            number = attrs.get("r")
            self.row = int(number) if number else self.row + 1
            self.column = 0
            self.cells = {}
        elif tag == "c":
            reference = attrs.get("r")
            if reference:
                self.column = _column_index(reference)
            else:
                self.column = self.column + 1
            self.kind = attrs.get("t", "n")
            style = attrs.get("s")
            self.style = int(style) if style else 0
            self.value_text = self.inline = None
        elif tag == "v":
            self.value_text = _Text(self.max_chars, self.budget)
            self.in_v = True
        elif tag == "is":
            self.in_is = True
            self.inline = _Text(self.max_chars, self.budget)
        elif tag == "rPh":
            self.rph += 1
        elif tag == "t" and self.in_is and not self.rph:
            self.in_t = True

    def cell_value(self) -> Cell | None:
        max_chars = self.max_chars
        kind = self.kind
        if kind == "inlineStr":
            text = self.inline
            return None if text is None else Cell(text.text(), text.length if text.length > max_chars else 0)
        text = self.value_text
        raw = text.text() if text is not None else ""
        if not raw:  # openpyxl: an empty <v> is no value
            return None
        cut = text.length if text is not None and text.length > max_chars else 0
        if kind == "n":
            number = self.cast_number(raw)
            if self.style in self.dates:
                try:
                    return Cell(self.from_excel(number, self.epoch, timedelta=self.style in self.durations))
                except (OverflowError, ValueError):
                    return Cell("#VALUE!")  # openpyxl's value for a date serial outside the calendar
            return Cell(number)
        if kind == "s":
            index = int(raw)
            return Cell(self.shared[index], self.shared_lengths.get(index, 0))
        if kind == "b":
            return Cell(bool(int(raw)))
        if kind == "d":
            return Cell(self.from_iso8601(raw))
        return Cell(raw, cut)  # "str" (a formula's text), "e" (an error such as #N/A)

    def end(self, tag: str) -> None:
        if tag == "c":
            cells = self.cells
            if isinstance(cells, dict):
                cells[self.column] = self.cell_value()
            self.value_text = self.inline = None
        elif tag == "v":
            self.in_v = False
        elif tag == "t":
            self.in_t = False
        elif tag == "rPh":
            self.rph -= 1
        elif tag == "is":
            self.in_is = False
        elif tag == "row":
            cells = self.cells
            assert isinstance(cells, dict)
            width = max(cells, default=0)
            self.done.append((self.row, [cells.get(column) for column in range(1, width + 1)]))
            self.cells = None

    def data(self, piece: str) -> None:
        if self.in_t and self.inline is not None:
            self.inline.add(piece)
        elif self.in_v and self.value_text is not None:
            self.value_text.add(piece)


def iter_sheet_rows(
    archive: zipfile.ZipFile, *, max_chars: int, max_text_chars: int, max_shared: int
) -> Iterator[tuple[int, list[Cell | None]]]:
    """(row number, cells by column from A) of the first worksheet, in sheet order; gaps are None.

    Raises TooMuchText past `max_text_chars` kept characters or `max_shared` shared strings, and
    ValueError (or the parser's own errors) for a damaged workbook.
    """
    sheet, shared_member, styles, epoch_1904 = _workbook_parts(archive)
    from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900

    epoch = CALENDAR_MAC_1904 if epoch_1904 else CALENDAR_WINDOWS_1900
    dates, durations = _date_styles(archive, styles)
    budget = [max_text_chars]
    shared, shared_lengths = _shared_strings(archive, shared_member, max_chars, budget, max_shared)
    rows = _SheetRows(
        max_chars=max_chars,
        budget=budget,
        shared=shared,
        shared_lengths=shared_lengths,
        dates=dates,
        durations=durations,
        epoch=epoch,
    )

    parser = expat.ParserCreate(namespace_separator=" ")
    parser.buffer_text = False
    parser.StartElementHandler = lambda name, attrs: rows.start(_local(name), attrs)
    parser.EndElementHandler = lambda name: rows.end(_local(name))
    parser.CharacterDataHandler = rows.data
    with archive.open(sheet) as stream:
        while chunk := stream.read(CHUNK_BYTES):
            parser.Parse(chunk, False)
            yield from rows.done
            rows.done.clear()
    parser.Parse(b"", True)
    yield from rows.done
