"""Sales ledger import: Colombian Excel exports, every wrong row named, idempotent and atomic, audited edits."""

import json
import re

import pandas as pd
import pytest

from data import ledger
from data.ledger import (
    OPERATOR,
    LedgerFileError,
    LedgerScope,
    delete_sale,
    edit_sale,
    load_sales,
    parse_ledger,
    store_ledger,
)
from tests.conftest import SAMPLES

pytestmark = pytest.mark.both_stores  # the same tests on SQLite and PostgreSQL

HEADER = "sale_id,date,buyer,gross_weight_g,fineness,currency,amount_received,certification\n"
TODAY = pd.Timestamp("2024-06-01")
ANA = LedgerScope("ana", frozenset({"Coop"}))  # a member of the one cooperative these tests use
GOLD = pd.Series([2360.0], index=pd.to_datetime(["2024-05-10"]))
COP = pd.Series([3900.0], index=pd.to_datetime(["2024-05-10"]))


def parse(text: str, **kwargs):
    return parse_ledger(text.encode("utf-8"), "sales.csv", cooperative="Coop", today=TODAY, **kwargs)


@pytest.mark.parametrize("name", ["ledger_semicolon_decimal_comma.csv", "ledger_cp1252.csv"])
def test_colombian_excel_export_semicolons_decimal_commas_castellanos(name):
    parsed = parse_ledger((SAMPLES / name).read_bytes(), name, cooperative="Coop", today=TODAY)
    assert parsed.rejected == []
    first, second = parsed.sales.iloc[0], parsed.sales.iloc[1]
    assert first["date"] == pd.Timestamp("2024-05-10")  # 10/05/2024 is day-first
    assert first["amount_received"] == 25_833_420.65  # 25.833.420,65
    assert first["refining_charge"] == 100_000 and first["royalties_paid"] == 200_000  # 100.000 is 100 000
    assert first["buyer"] == "Refinería Uno" and first["certification"] == "fairmined"
    assert second["gross_weight_g"] == pytest.approx(10.869565 * 4.6)  # castellanos → grams
    assert second["fineness"] == 0.875  # written 875 per mille
    assert second["fine_gold_g"] == pytest.approx(10.869565 * 4.6 * 0.875)
    assert parsed.mapping["date"] == "Fecha" and parsed.mapping["certification"] == "Certificación"


def test_every_wrong_row_is_named_with_its_line_and_reason():
    text = HEADER + (
        "S1,2024-05-10,B,100,0.9,COP,26000000,fairmined\n"  # good
        ",2024-05-10,B,100,0.9,COP,26000000,none\n"  # 3: no id
        "S3,10-31-2024,B,100,0.9,COP,26000000,none\n"  # 4: month-first date
        "S4,2024-07-01,B,100,0.9,COP,26000000,none\n"  # 5: future
        "S5,2024-05-10,B,0,0.9,COP,26000000,none\n"  # 6: weight 0
        "S6,2024-05-10,B,100,1.2,COP,26000000,none\n"  # 7: fineness
        "S7,2024-05-10,B,100,0.9,EUR,26000000,none\n"  # 8: currency
        "S8,2024-05-10,B,100,0.9,COP,26000000,gold-star\n"  # 9: certification
        "S1,2024-05-10,B,100,0.9,COP,26000000,none\n"  # 10: duplicate
        "S10,2024-05-10,B,100,0.9,COP,,none\n"  # 11: no amount
    )
    parsed = parse(text)
    reasons = {row["line"]: row["reason"] for row in parsed.rejected}
    assert parsed.sales["sale_id"].tolist() == ["S1"]
    assert sorted(reasons) == [3, 4, 5, 6, 7, 8, 9, 10, 11]
    assert "missing sale_id" in reasons[3]
    assert "unreadable date '10-31-2024'" in reasons[4]
    assert "in the future" in reasons[5]
    assert "not positive" in reasons[6]
    assert "fineness '1.2' is outside (0, 1]" in reasons[7]
    assert "unknown currency 'EUR'" in reasons[8]
    assert "unknown certification 'gold-star'" in reasons[9]
    assert "duplicate sale_id 'S1' (first on line 2)" in reasons[10]
    assert "amount received" in reasons[11]


def test_given_fine_weight_is_cross_checked():
    text = "sale_id,date,gross_weight_g,fineness,fine_gold_g,currency,amount_received\n"
    text += "S1,2024-05-10,100,0.9,90.4,COP,26000000\nS2,2024-05-10,100,0.9,80,COP,26000000\n"
    parsed = parse(text)
    assert parsed.sales["fine_gold_g"].tolist() == [90.4]  # within 1 %: the given assay weight wins
    assert "does not match gross × fineness = 90.00 g" in parsed.rejected[0]["reason"]


def test_prices_far_from_the_benchmark_are_flagged_not_rejected():
    benchmark = 2360 * 3900 / 31.1034768
    text = HEADER + f"S1,2024-05-10,B,100,0.9,COP,{90 * benchmark * 0.25:.0f},none\n"
    text += f"S2,2024-05-10,B,100,0.9,COP,{90 * benchmark * 0.97:.0f},none\n"
    text += f"S3,2024-05-10,B,100,0.9,COP,{90 * benchmark * 2.5:.0f},none\n"
    parsed = parse(text)
    ledger.flag_implausible_prices(parsed, GOLD, {"COP": COP})
    assert len(parsed.sales) == 3
    assert [f["line"] for f in parsed.flagged] == [2, 4]
    assert "25 % of the benchmark" in parsed.flagged[0]["reason"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "the file is empty"),
        (b"sale_id,date\n", "has a header but no rows"),
        (b"\x00\x01\x02binary\x00" * 20, "not a text (CSV) or Excel file"),
        (b"id,fecha,peso\n1,2024-05-10,100\n", "missing columns: fineness, currency, amount_received"),
        (b"PK\x03\x04not really a workbook", "cannot read the Excel workbook"),
    ],
)
def test_bad_files_get_a_clear_message_and_store_nothing(store, content, message):
    with pytest.raises(LedgerFileError, match=re.escape(message)):
        ledger.import_ledger(store, OPERATOR, content, "bad.csv", cooperative="Coop")
    assert load_sales(store, OPERATOR).empty


def test_a_50_mb_file_is_refused_before_reading(store):
    content = HEADER.encode() + b"S,2024-05-10,B,100,0.9,COP,1,none\n" * 1_600_000
    assert len(content) > 50e6
    with pytest.raises(LedgerFileError, match="the limit is 20 MB"):
        ledger.import_ledger(store, OPERATOR, content, "huge.csv", cooperative="Coop")
    assert load_sales(store, OPERATOR).empty


def test_utf16_excel_unicode_text_is_read():
    text = "sale_id\tdate\tgross_weight_g\tfineness\tcurrency\tamount_received\nS1\t2024-05-10\t100\t0.9\tCOP\t1000\n"
    parsed = parse_ledger(text.encode("utf-16"), "sales.txt", cooperative="Coop", today=TODAY)
    assert parsed.sales["sale_id"].tolist() == ["S1"]


def test_import_is_idempotent_and_reports_in_the_cli_shape(store):
    content = (SAMPLES / "ledger_semicolon_decimal_comma.csv").read_bytes()
    first = ledger.import_ledger(store, OPERATOR, content, "sales.csv", cooperative="Coop")
    assert set(first) == {"rows_read", "inserted", "duplicates", "flagged", "rejected"}
    assert (first["rows_read"], first["inserted"], first["duplicates"]) == (2, 2, 0)
    again = ledger.import_ledger(store, OPERATOR, content, "sales.csv", cooperative="Coop")
    assert (again["inserted"], again["duplicates"], again["rejected"]) == (0, 2, [])
    assert len(load_sales(store, OPERATOR)) == 2
    changed = content.replace(b"25.833.420,65", b"25.000.000,00")
    third = ledger.import_ledger(store, OPERATOR, changed, "sales.csv", cooperative="Coop")
    assert third["inserted"] == 0 and "already stored with different values" in third["rejected"][0]["reason"]


def test_a_failure_inside_the_import_stores_nothing(store, monkeypatch):
    parsed = parse_ledger(
        (SAMPLES / "ledger_semicolon_decimal_comma.csv").read_bytes(), "s.csv", cooperative="C"
    )

    def broken_report(report):  # the last statement of the transaction fails
        raise RuntimeError("disk full")

    monkeypatch.setattr(ledger.json, "dumps", broken_report)
    with pytest.raises(RuntimeError, match="disk full"):
        store_ledger(store, parsed, "s.csv", OPERATOR)
    monkeypatch.undo()
    assert load_sales(store, OPERATOR).empty


def test_edit_and_delete_are_audited(store):
    ledger.import_ledger(
        store,
        OPERATOR,
        (SAMPLES / "ledger_semicolon_decimal_comma.csv").read_bytes(),
        "s.csv",
        cooperative="Coop",
    )
    after = edit_sale(store, ANA, "Coop", "A-1", {"fineness": 0.8, "buyer": "Otra"})
    assert after["fine_gold_g"] == pytest.approx(80.0)  # follows gross × fineness
    sales = load_sales(store, OPERATOR).set_index("sale_id")
    assert sales.loc["A-1", "buyer"] == "Otra" and sales.loc["A-1", "fine_gold_g"] == pytest.approx(80.0)
    delete_sale(store, ANA, "Coop", "A-2")
    assert load_sales(store, OPERATOR)["sale_id"].tolist() == ["A-1"]
    trail = ledger.audit_trail(store, OPERATOR)
    assert trail["action"].tolist() == ["delete", "edit"] and set(trail["user"]) == {"ana"}
    edit_row = trail.iloc[1]
    assert (
        json.loads(edit_row["before"])["fineness"] == 0.9 and json.loads(edit_row["after"])["fineness"] == 0.8
    )
    assert pd.isna(trail.iloc[0]["after"])  # a delete has no "after" (None, read as NaN by pandas 3)
    with pytest.raises(ValueError, match="fineness"):
        edit_sale(store, ANA, "Coop", "A-1", {"fineness": 1.5})


def test_column_mapping_is_remembered(store):
    header = ["Fecha de la venta", "Lote N°", "Gramos", "Ley", "Moneda", "Pago"]
    mapping = {
        "date": "Fecha de la venta",
        "sale_id": "Lote N°",
        "gross_weight": "Gramos",
        "amount_received": "Pago",
    }
    ledger.remember_mapping(store, header, mapping)
    assert ledger.remembered_mapping(store, list(reversed(header))) == mapping
    text = ",".join(header) + "\n2024-05-10,L1,100,0.9,COP,26000000\n"
    parsed = parse(text, mapping=ledger.remembered_mapping(store, header))
    assert parsed.sales["sale_id"].tolist() == ["L1"] and parsed.rejected == []
