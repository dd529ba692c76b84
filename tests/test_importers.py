"""Importers on the real files in ../shared/data/market (figures from its SOURCES.md) and on samples."""

import io

import pandas as pd
import pytest

from data.importers import PriceFileError, parse_number, parse_price_file
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
    assert parsed.rejected == [{"line": 850, "date": "2019-05-22", "reason": "missing value 'null'"}]
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
    assert parsed.rejected == [{"line": 6, "date": "2024-05-08", "reason": "empty value"}]
    assert {"line": 8, "date": "2024-05-12", "reason": "weekend date (Sunday), kept"} in parsed.flagged
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
