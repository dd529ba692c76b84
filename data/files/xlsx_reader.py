"""An .xlsx workbook's sheets as rows of values, streamed: no cell or shared string is ever held whole.

openpyxl's read-only mode reads the shared-string table whole and builds each cell's text whole (its
XML parser collects an element's text before handing it over), so one 140 MB text cell of a 134 KB
workbook cost 370 MB. Here the zip members are inflated in 1 MB chunks into expat, whose character
data arrives in pieces: a text keeps its first `max_chars` + 1 characters and only counts the rest, and
the characters kept across the whole workbook are bounded too (`max_text_chars`).

The values are the ones openpyxl gives in read-only, data-only mode (its own helpers decide numbers,
dates by the cell's number format, booleans, the workbook's 1900/1904 epoch), so a sheet reads the
same as before; the reader only adds the length of each over-long cell. Called by data/files/parsing.py after
its zip checks (expanded size, rows and cells counted), never directly.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from xml.parsers import expat

CHUNK_BYTES = 1 << 20
_RELATIONSHIPS_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_COLUMN = re.compile(r"([A-Za-z]{1,3})")
#: openpyxl's value helpers and the workbook's calendar: (from_excel, from_ISO8601, _cast_number, epoch,
#: date styles, duration styles), looked up once per workbook.
_Cast = tuple[Any, Any, Any, Any, set[int], set[int]]


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


def _workbook_parts(
    archive: zipfile.ZipFile,
) -> tuple[list[tuple[str, str]], str | None, str | None, bool]:
    """((name, part) of each worksheet in tab order, shared strings, styles, 1904 epoch) from the
    workbook part and its relationships."""
    workbook = next(
        (path for _, kind, path in _relationships(archive, "") if kind.endswith("/officeDocument")),
        "xl/workbook.xml",
    )
    relations = _relationships(archive, workbook)
    by_id = {rid: (kind, path) for rid, kind, path in relations}
    sheets: list[tuple[str, str]] = []
    epoch_1904 = [False]

    def start(tag: str, attrs: dict[str, str]) -> None:
        if tag == "workbookPr":
            epoch_1904[0] = attrs.get("date1904", "").lower() in ("1", "true")
        elif tag == "sheet":
            rid = attrs.get(f"{_RELATIONSHIPS_NS} id", "")
            kind, path = by_id.get(rid, ("", ""))
            if kind.endswith("/worksheet"):
                sheets.append((attrs.get("name", "") or str(len(sheets) + 1), path))

    _parse(archive, workbook, start, lambda tag: None)
    if not sheets or sheets[0][1] not in archive.NameToInfo:
        raise ValueError("the workbook has no worksheet")
    shared = next((path for _, kind, path in relations if kind.endswith("/sharedStrings")), None)
    styles = next((path for _, kind, path in relations if kind.endswith("/styles")), None)
    return sheets, shared, styles, epoch_1904[0]


def sheet_names(archive: zipfile.ZipFile) -> list[str]:
    """The workbook's worksheet names in tab order."""
    return [name for name, _ in _workbook_parts(archive)[0]]


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


def iter_sheet_rows(
    archive: zipfile.ZipFile,
    *,
    max_chars: int,
    max_text_chars: int,
    max_shared: int,
    all_sheets: bool = False,
) -> Iterator[tuple[str, int, list[Cell | None]]]:
    """(sheet name, row number, cells by column from A) of the first worksheet (every worksheet in tab
    order with `all_sheets`: the text budget is shared by them all); gaps are None.

    Raises TooMuchText past `max_text_chars` kept characters or `max_shared` shared strings, and
    ValueError (or the parser's own errors) for a damaged workbook.
    """
    from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900, from_excel, from_ISO8601
    from openpyxl.worksheet._reader import _cast_number

    sheets, shared_member, styles, epoch_1904 = _workbook_parts(archive)
    epoch = CALENDAR_MAC_1904 if epoch_1904 else CALENDAR_WINDOWS_1900
    dates, durations = _date_styles(archive, styles)
    budget = [max_text_chars]
    shared, shared_lengths = _shared_strings(archive, shared_member, max_chars, budget, max_shared)
    cast = (from_excel, from_ISO8601, _cast_number, epoch, dates, durations)

    for name, part in sheets if all_sheets else sheets[:1]:
        if part not in archive.NameToInfo:
            raise ValueError(f"the workbook's sheet {name!r} is missing")
        for number, cells in _sheet_rows(archive, part, max_chars, budget, shared, shared_lengths, cast):
            yield name, number, cells


def _sheet_rows(
    archive: zipfile.ZipFile,
    sheet: str,
    max_chars: int,
    budget: list[int],
    shared: list[str],
    shared_lengths: dict[int, int],
    cast: _Cast,
) -> Iterator[tuple[int, list[Cell | None]]]:
    """(row number, cells by column from A) of one worksheet part, in sheet order."""
    from_excel, from_iso, cast_number, epoch, dates, durations = cast
    done: list[tuple[int, list[Cell | None]]] = []
    state: dict[str, object] = {"row": 0, "column": 0, "cells": None, "kind": "n", "style": 0}
    value_text: list[_Text | None] = [None]
    inline: list[_Text | None] = [None]
    inline_depth = {"is": False, "rph": 0, "t": False, "v": False}

    def start(tag: str, attrs: dict[str, str]) -> None:
        if tag == "row":
            number = attrs.get("r")
            state["row"] = int(number) if number else int(state["row"]) + 1  # type: ignore[call-overload]
            state["column"] = 0
            state["cells"] = {}
        elif tag == "c":
            reference = attrs.get("r")
            if reference:
                state["column"] = _column_index(reference)
            else:
                state["column"] = int(state["column"]) + 1  # type: ignore[call-overload]
            state["kind"] = attrs.get("t", "n")
            style = attrs.get("s")
            state["style"] = int(style) if style else 0
            value_text[0] = inline[0] = None
        elif tag == "v":
            value_text[0] = _Text(max_chars, budget)
            inline_depth["v"] = True
        elif tag == "is":
            inline_depth["is"] = True
            inline[0] = _Text(max_chars, budget)
        elif tag == "rPh":
            inline_depth["rph"] += 1
        elif tag == "t" and inline_depth["is"] and not inline_depth["rph"]:
            inline_depth["t"] = True

    def cell_value() -> Cell | None:
        kind = state["kind"]
        if kind == "inlineStr":
            text = inline[0]
            return None if text is None else Cell(text.text(), text.length if text.length > max_chars else 0)
        text = value_text[0]
        raw = text.text() if text is not None else ""
        if not raw:  # openpyxl: an empty <v> is no value
            return None
        cut = text.length if text is not None and text.length > max_chars else 0
        if kind == "n":
            number = cast_number(raw)
            if state["style"] in dates:
                try:
                    return Cell(from_excel(number, epoch, timedelta=state["style"] in durations))
                except (OverflowError, ValueError):
                    return Cell("#VALUE!")  # openpyxl's value for a date serial outside the calendar
            return Cell(number)
        if kind == "s":
            index = int(raw)
            return Cell(shared[index], shared_lengths.get(index, 0))
        if kind == "b":
            return Cell(bool(int(raw)))
        if kind == "d":
            return Cell(from_iso(raw))
        return Cell(raw, cut)  # "str" (a formula's text), "e" (an error such as #N/A)

    def end(tag: str) -> None:
        if tag == "c":
            cells = state["cells"]
            if isinstance(cells, dict):
                cells[int(state["column"])] = cell_value()  # type: ignore[call-overload]
            value_text[0] = inline[0] = None
        elif tag == "v":
            inline_depth["v"] = False
        elif tag == "t":
            inline_depth["t"] = False
        elif tag == "rPh":
            inline_depth["rph"] -= 1
        elif tag == "is":
            inline_depth["is"] = False
        elif tag == "row":
            cells = state["cells"]
            assert isinstance(cells, dict)
            width = max(cells, default=0)
            done.append((int(state["row"]), [cells.get(column) for column in range(1, width + 1)]))  # type: ignore[call-overload]
            state["cells"] = None

    def data(piece: str) -> None:
        if inline_depth["t"] and inline[0] is not None:
            inline[0].add(piece)
        elif inline_depth["v"] and value_text[0] is not None:
            value_text[0].add(piece)

    parser = expat.ParserCreate(namespace_separator=" ")
    parser.buffer_text = False
    parser.StartElementHandler = lambda name, attrs: start(_local(name), attrs)
    parser.EndElementHandler = lambda name: end(_local(name))
    parser.CharacterDataHandler = data
    with archive.open(sheet) as stream:
        while chunk := stream.read(CHUNK_BYTES):
            parser.Parse(chunk, False)
            yield from done
            done.clear()
    parser.Parse(b"", True)
    yield from done
