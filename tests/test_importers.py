"""Importers on the real files in ../shared/data/market (figures from its SOURCES.md) and on samples."""

import io
import time
import tracemalloc
import zipfile

import pandas as pd
import pytest

from data.files.parsing import CellError, decode_text, read_day, read_number
from data.market.importers import PriceFileError, parse_number, parse_price_file
from tests.conftest import COP_YAHOO, GOLD_LBMA, PEN_BCRP, SAMPLES, shared_file


def parse_path(path, series=None):
    return parse_price_file(path.read_bytes(), path.name, series)


def test_fred_lbma_gold_matches_sources_md():
    parsed = parse_path(shared_file(GOLD_LBMA))
    assert (parsed.format, parsed.series_id, parsed.series_detected_from) == ("fred", "GOLD_USD", "content")
    assert parsed.rows_read == 13_807
    assert len(parsed.rejected) == 516 and all(r["reason"] == "missing value '.'" for r in parsed.rejected)
    values = parsed.observations.set_index("date")["value"]
    assert len(values) == 13_807 - 516
    assert values.min() == 34.75 and values.idxmin() == pd.Timestamp("1970-01-16")
    assert values.max() == 2067.15 and values.idxmax() == pd.Timestamp("2020-08-06")
    assert values.iloc[-1] == 1723.85
    # the largest real move (+13.3 % on 1980-01-03) is kept and flagged
    assert values.loc["1980-01-03"] > 0
    assert any(f["date"] == "1980-01-03" and "+13.3%" in f["reason"] for f in parsed.flagged)
    report = parsed.report()
    assert (report["first"], report["last"]) == ("1968-04-01", "2021-03-02")


def test_yahoo_old_cop_with_real_bad_rows():
    parsed = parse_path(shared_file(COP_YAHOO))
    assert (parsed.format, parsed.series_id) == ("yahoo_old", "USD_COP")
    assert parsed.rows_read == 1_469
    assert [(r["line"], r["date"], r["reason"], r["code"]) for r in parsed.rejected] == [
        (850, "2019-05-22", "missing value 'null'", "value_missing")
    ]
    assert parsed.rejected[0]["problems"] == [{"code": "value_missing", "value": "null"}]
    flagged_lows = {f["date"]: f["reason"] for f in parsed.flagged if f["reason"].startswith("Low")}
    assert set(flagged_lows) == {"2016-04-15", "2019-05-15", "2019-10-22"}
    assert flagged_lows["2016-04-15"].startswith("Low 2 impossible")
    closes = parsed.observations.set_index("date")["value"]
    assert closes.min() == pytest.approx(2681.40, abs=0.01) and closes.idxmin() == pd.Timestamp("2018-04-23")
    assert closes.max() == pytest.approx(4174.75) and closes.idxmax() == pd.Timestamp("2020-03-24")
    assert closes.iloc[-1] == pytest.approx(3781.75)


def test_bcrp_pen_with_bom():
    parsed = parse_path(shared_file(PEN_BCRP))
    assert (parsed.format, parsed.series_id) == ("bcrp", "USD_PEN")
    assert parsed.rows_read == 7_155 and len(parsed.observations) == 7_155
    assert parsed.rejected == [] and parsed.flagged == []
    values = parsed.observations.set_index("date")["value"]
    assert values.min() == 2.541 and values.idxmin() == pd.Timestamp("2013-01-14")
    assert values.max() == 4.136 and values.idxmax() == pd.Timestamp("2021-09-30")
    assert values.index[0] == pd.Timestamp("1997-01-02") and values.iloc[-1] == 3.747


def test_trm_windows_expand_to_calendar_days():
    parsed = parse_path(SAMPLES / "trm_datos_gov_co_format.csv")
    assert (parsed.format, parsed.series_id) == ("trm", "USD_COP")
    assert parsed.rows_read == 5
    values = parsed.observations.set_index("date")["value"]
    # 8 May .. 15 May, every calendar day; the 11-14 May window (weekend + holiday Monday) is one value
    assert list(values.index) == list(pd.date_range("2024-05-08", "2024-05-15"))
    assert values.loc["2024-05-12"] == 3881.10 and values.loc["2024-05-14"] == 3881.10
    assert values.loc["2024-05-10"] == 3902.42
    assert parsed.flagged == []  # weekends are expected in the TRM


def test_stooq_detects_series_from_its_name():
    parsed = parse_path(SAMPLES / "xauusd_d.csv")
    assert (parsed.format, parsed.series_id, parsed.series_detected_from) == ("stooq", "GOLD_USD", "filename")
    assert parsed.observations["value"].tolist() == [2323.5, 2314.3, 2309.0, 2346.6, 2360.7]


def test_yahoo_new_layout():
    parsed = parse_path(SAMPLES / "yahoo_new_gc_f.csv")
    assert (parsed.format, parsed.series_id) == ("yahoo_new", "GOLD_USD")
    assert parsed.observations["value"].iloc[-1] == 2375.0


def test_yfinance_two_row_header_names_its_ticker():
    parsed = parse_price_file((SAMPLES / "yfinance_download_cop.csv").read_bytes(), "download.csv")
    assert (parsed.format, parsed.series_id, parsed.series_detected_from) == (
        "yahoo_yfinance",
        "USD_COP",
        "content",
    )
    assert [(r["line"], r["date"], r["reason"]) for r in parsed.rejected] == [
        (6, "2024-05-08", "empty value")
    ]
    weekend = {
        "line": 8,
        "date": "2024-05-12",
        "reason": "weekend date (Sunday), kept",
        "code": "weekend_date",
    }
    assert any(weekend.items() <= flag.items() and flag["weekday"] == "Sunday" for flag in parsed.flagged)
    assert len(parsed.observations) == 4


def test_generic_file_needs_a_series_name_and_reads_decimal_commas():
    path = SAMPLES / "generic_semicolon_decimal_comma.csv"
    with pytest.raises(PriceFileError, match="cannot tell which series"):
        parse_price_file(path.read_bytes(), "precios.csv")
    parsed = parse_price_file(path.read_bytes(), "precios.csv", "USD_PEN")
    assert parsed.format == "generic" and parsed.series_detected_from == "user"
    assert parsed.observations["value"].tolist() == [3.7321, 3.7254, 3.7302, 3.7189]
    reasons = {r["line"]: r for r in parsed.rejected}
    assert (
        reasons[5] == {"line": 5, "date": "2024-05-09", "reason": "missing value 'abc'"}
        or "abc" in reasons[5]["reason"]
    )
    assert reasons[7]["date"] is None and "unreadable date '32/05/2024'" in reasons[7]["reason"]


def test_excel_workbook_is_read_like_csv():
    frame = pd.DataFrame({"Date": pd.to_datetime(["2024-05-06", "2024-05-07"]), "Value": [3.73, 3.72]})
    buffer = io.BytesIO()
    frame.to_excel(buffer, index=False)
    parsed = parse_price_file(buffer.getvalue(), "tipo_cambio_usdpen.xlsx")
    assert (parsed.format, parsed.series_id) == ("generic", "USD_PEN")
    assert parsed.observations["value"].tolist() == [3.73, 3.72]
    assert parsed.report()["first"] == "2024-05-06"


def test_a_named_series_that_contradicts_the_file_is_refused():
    with pytest.raises(PriceFileError, match="holds USD_COP, not GOLD_USD"):
        parse_path(SAMPLES / "trm_datos_gov_co_format.csv", "GOLD_USD")


@pytest.mark.parametrize(
    "content, message",
    [
        (b"", "empty"),
        (b"a,b,c\n1,2,3\n", "unrecognised columns"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "not a text \\(CSV\\) or Excel file"),
        (b"PK\x03\x04garbage", "Excel"),
    ],
)
def test_unusable_files_get_one_clear_reason(content, message):
    with pytest.raises(PriceFileError, match=message):
        parse_price_file(content, "prices.csv")


@pytest.mark.parametrize(
    "raw, value",
    [
        ("$4,008.70", 4008.70),
        ("4.008,70", 4008.70),
        ("3,75", 3.75),
        ("4,008", 4008.0),
        ("1523.5", 1523.5),
        (".", None),
    ],
)
def test_numbers_as_people_write_them(raw, value):
    assert parse_number(raw) == value


# ---------------------------------------------------------------- one decoder, one number and date parser


@pytest.mark.parametrize(
    "raw, decimal, value",
    [
        ("25.833.420,65", ",", 25_833_420.65),
        ("100.000", ",", 100_000.0),  # a point groups thousands in a decimal-comma file
        ("0,875", ",", 0.875),
        ("-1.234,5", ",", -1234.5),
        ("$ 4.008,70", ",", 4008.70),
        ("1 234 567,89", ",", 1_234_567.89),
        ("1e3", None, 1000.0),
        ("1,5e3", ",", 1500.0),
        ("COP 26,000,000.50", None, 26_000_000.5),
    ],
)
def test_one_number_parser_reads_what_people_write(raw, decimal, value):
    assert read_number(raw, decimal) == value


@pytest.mark.parametrize(
    "raw, decimal, code",
    [
        ("10.5", ",", "number_ambiguous"),  # stored as 105 before: now refused, not guessed
        ("0.875", ",", "number_ambiguous"),
        ("1.23.45", ",", "number_ambiguous"),
        ("1,5", ".", "number_ambiguous"),
        ("1.234.5", None, "number_ambiguous"),
        ("0x10", None, "number_unreadable"),  # stored as 10 before
        ("0x10", ",", "number_unreadable"),
        ("1_000", None, "number_unreadable"),
        ("12abc", None, "number_unreadable"),
        ("1e999", None, "number_not_finite"),
        ("-1e999", ",", "number_not_finite"),
        ("inf", None, "number_not_finite"),
        ("-Infinity", None, "number_not_finite"),
    ],
)
def test_ambiguous_numbers_rejected(raw, decimal, code):
    with pytest.raises(CellError) as caught:
        read_number(raw, decimal)
    assert caught.value.code == code


def test_ambiguous_numbers_rejected_per_line_in_a_price_file():
    text = "fecha;valor\n06/05/2024;3,7321\n07/05/2024;10.5\n08/05/2024;0x10\n09/05/2024;1_000\n10/05/2024;3,7302\n"
    parsed = parse_price_file(text.encode(), "precios.csv", "USD_PEN")
    assert parsed.observations["value"].tolist() == [3.7321, 3.7302]
    codes = {row["line"]: row.get("code") for row in parsed.rejected}
    assert codes == {3: "number_ambiguous", 4: "number_unreadable", 5: "number_unreadable"}


def test_odd_values_rejected_per_line():
    """Each odd cell rejects its own line with a reason; the file imports (no whole-file traceback)."""
    text = (
        "date,GOLD_USD\n2024-05-06,2323.5\n0202-06-01,2320\n2999-01-01,2321\n2024-05-07,1e999\n"
        "2024-05-08,1e308\n2024-05-09,inf\n1899-12-31,2319\n2024-05-10,2360.7\n"
    )
    parsed = parse_price_file(text.encode(), "gold.csv", today=pd.Timestamp("2024-06-01"))
    assert parsed.observations["value"].tolist() == [2323.5, 2360.7]
    reasons = {row["line"]: row["reason"] for row in parsed.rejected}
    assert "date '0202-06-01' is before 1900" in reasons[3]
    assert "date 2999-01-01 is in the future" in reasons[4]
    assert "'1e999' is not a finite number" in reasons[5]
    assert "'1e308' is larger than" in reasons[6]
    assert "'inf' is not a finite number" in reasons[7]
    assert "before 1900" in reasons[8]


@pytest.mark.parametrize(
    "raw, day",
    [("2024-05-10", "2024-05-10"), ("10/05/2024", "2024-05-10"), ("2024-05-10 00:00:00", "2024-05-10")],
)
def test_one_date_parser(raw, day):
    assert read_day(raw) == pd.Timestamp(day)


@pytest.mark.parametrize(
    "raw, code",
    [("0202-06-01", "date_too_old"), ("31/02/2024", "date_unreadable"), ("2024-07-01", "date_in_future")],
)
def test_dates_outside_1900_to_today_are_cell_errors(raw, code):
    with pytest.raises(CellError) as caught:
        read_day(raw, today=pd.Timestamp("2024-06-01"))
    assert caught.value.code == code


def test_one_decoder_reads_utf8_bom_cp1252_and_utf16():
    text = "Fecha;Certificación\n10/05/2024;Fairmined Ecológico\n"
    for encoded in (text.encode("utf-8-sig"), text.encode("cp1252"), text.encode("utf-16")):
        assert decode_text(encoded).lstrip("\ufeff") == text


# ---------------------------------------------------------------- uploads bounded while reading


def bomb_workbook(rows: int, cells_per_row: int = 1, dimension: bool = False) -> bytes:
    """A real workbook whose first sheet is replaced by `rows` rows written straight into a deflated zip.

    Repeated rows compress about 1000:1, as the zip bombs of issue 14 did (626 KB for a million rows).
    """
    import openpyxl

    small = io.BytesIO()
    book = openpyxl.Workbook()
    book.active.append(["date", "GOLD_USD"])
    book.save(small)
    source = zipfile.ZipFile(io.BytesIO(small.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target:
        for info in source.infolist():
            if info.filename != "xl/worksheets/sheet1.xml":
                target.writestr(info, source.read(info))
                continue
            with target.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
                sheet.write(
                    b'<?xml version="1.0" encoding="UTF-8"?><worksheet '
                    b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                )
                if dimension:
                    sheet.write(f'<dimension ref="A1:B{rows}"/>'.encode())
                sheet.write(b"<sheetData>")
                row = b"<row>" + b"<c><v>1</v></c>" * cells_per_row + b"</row>"
                chunk = row * 10_000
                for _ in range(rows // 10_000):
                    sheet.write(chunk)
                sheet.write(b"</sheetData></worksheet>")
    return out.getvalue()


def refusal_cost(parse, content: bytes) -> tuple[str, float, float]:
    """(message, seconds, peak MB traced) of a refused parse."""
    tracemalloc.start()
    started = time.perf_counter()
    try:
        with pytest.raises(PriceFileError) as caught:
            parse(content)
    finally:
        seconds = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1] / 1e6
        tracemalloc.stop()
    return str(caught.value), seconds, peak


@pytest.mark.parametrize(
    "rows, cells, dimension, expected",
    [
        (1_000_000, 1, False, "more than 200,000 rows"),  # read row by row, stopped at the limit
        (1_000_000, 1, True, "more than 200,000 rows"),  # the sheet says how big it is: not read at all
        (1_000_000, 12, False, "expands to"),  # 200 MB of XML: refused from the zip directory alone
        (40_000, 60, False, "more than 2,000,000 cells"),  # few rows, many cells: counted while inflating
    ],
)
def test_zip_bomb_xlsx_refused_quickly(rows, cells, dimension, expected):
    content = bomb_workbook(rows, cells, dimension)
    assert len(content) < 2_000_000  # small upload, far under the 20 MB limit
    message, seconds, peak = refusal_cost(lambda c: parse_price_file(c, "gold_usd.xlsx"), content)
    print(
        f"\nzip bomb {len(content) / 1e3:.0f} KB, {rows:,} rows x {cells} cells, dimension={dimension}: "
        f"refused in {seconds:.2f} s, peak {peak:.1f} MB traced: {message}"
    )
    assert expected in message
    assert seconds < 30  # generous: two shared cores; the issue measured 160 s and 580 MB
    assert peak < 150


def test_zip_bomb_xlsx_refused_quickly_by_the_ledger_too():
    from data.ledger import LedgerFileError, parse_ledger

    content = bomb_workbook(1_000_000)
    message, seconds, peak = refusal_cost(
        lambda c: parse_ledger(c, "ventas.xlsx", cooperative="Coop"), content
    )
    print(f"\nledger zip bomb: refused in {seconds:.2f} s, peak {peak:.1f} MB traced: {message}")
    assert "more than 100,000 rows" in message and seconds < 30 and peak < 150
    with pytest.raises(LedgerFileError):
        parse_ledger(content, "ventas.xlsx", cooperative="Coop")


def test_csv_stops_at_the_row_limit_while_reading():
    content = b"date,GOLD_USD\n" + b"2024-01-01,1\n" * 1_000_000
    message, seconds, _ = refusal_cost(lambda c: parse_price_file(c, "gold.csv"), content)
    assert "more than 200,000 rows" in message and seconds < 30
