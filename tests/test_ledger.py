"""Sales ledger import: Colombian Excel exports, every wrong row named, idempotent and atomic, audited edits."""

import json
import math
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
from data.ledger import store as ledger_store
from services import sales as sales_service
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
        sales_service.import_ledger(store, OPERATOR, content, "bad.csv", cooperative="Coop")
    assert load_sales(store, OPERATOR).empty


def test_a_50_mb_file_is_refused_before_reading(store):
    content = HEADER.encode() + b"S,2024-05-10,B,100,0.9,COP,1,none\n" * 1_600_000
    assert len(content) > 50e6
    with pytest.raises(LedgerFileError, match="the limit is 20 MB"):
        sales_service.import_ledger(store, OPERATOR, content, "huge.csv", cooperative="Coop")
    assert load_sales(store, OPERATOR).empty


def test_utf16_excel_unicode_text_is_read():
    text = "sale_id\tdate\tgross_weight_g\tfineness\tcurrency\tamount_received\nS1\t2024-05-10\t100\t0.9\tCOP\t1000\n"
    parsed = parse_ledger(text.encode("utf-16"), "sales.txt", cooperative="Coop", today=TODAY)
    assert parsed.sales["sale_id"].tolist() == ["S1"]


def test_import_is_idempotent_and_reports_in_the_cli_shape(store):
    content = (SAMPLES / "ledger_semicolon_decimal_comma.csv").read_bytes()
    first = sales_service.import_ledger(store, OPERATOR, content, "sales.csv", cooperative="Coop")
    assert set(first) >= {"rows_read", "inserted", "duplicates", "flagged", "rejected"}  # fields only added
    assert (first["rows_read"], first["inserted"], first["duplicates"]) == (2, 2, 0)
    again = sales_service.import_ledger(store, OPERATOR, content, "sales.csv", cooperative="Coop")
    assert (again["inserted"], again["duplicates"], again["rejected"]) == (0, 2, [])
    assert len(load_sales(store, OPERATOR)) == 2
    changed = content.replace(b"25.833.420,65", b"25.000.000,00")
    third = sales_service.import_ledger(store, OPERATOR, changed, "sales.csv", cooperative="Coop")
    # the same lot id with another amount is a correction to confirm, listed, never stored twice (issue 22)
    assert (third["inserted"], third["rejected"], third["changes_applied"]) == (0, [], 0)
    assert [entry["fields"] for entry in third["changed"]] == [["amount_received"]]
    assert third["changed"][0]["after"] == {"amount_received": 25_000_000.0}
    assert len(load_sales(store, OPERATOR)) == 2


def test_a_failure_inside_the_import_stores_nothing(store, monkeypatch):
    parsed = parse_ledger(
        (SAMPLES / "ledger_semicolon_decimal_comma.csv").read_bytes(), "s.csv", cooperative="C"
    )

    def broken_report(report):  # the last statement of the transaction fails
        raise RuntimeError("disk full")

    monkeypatch.setattr(ledger_store.json, "dumps", broken_report)
    with pytest.raises(RuntimeError, match="disk full"):
        store_ledger(store, parsed, "s.csv", OPERATOR)
    monkeypatch.undo()
    assert load_sales(store, OPERATOR).empty


def test_edit_and_delete_are_audited(store):
    sales_service.import_ledger(
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
    # the import's bounds hold in the edit form too (it took dates ten years ahead, and 1e308 g)
    for changes, message in [
        ({"date": pd.Timestamp.now() + pd.Timedelta(days=3650)}, "between 1900 and today"),
        ({"date": pd.Timestamp("1899-12-31")}, "between 1900 and today"),
        ({"gross_weight_g": 1e308}, "is a typo"),
        ({"amount_received": float("inf")}, "finite"),
    ]:
        with pytest.raises(ValueError, match=message):
            edit_sale(store, ANA, "Coop", "A-1", changes)


def test_column_mapping_is_remembered(store):
    header = ["Fecha de la venta", "Guía N°", "Gramos", "Ley", "Moneda", "Pago"]
    mapping = {"date": "Fecha de la venta", "sale_id": "Guía N°", "amount_received": "Pago"}
    ledger.remember_mapping(store, header, mapping, "Coop")
    # kept for this cooperative, whatever the column order; what the importer knows is not stored
    assert ledger.remembered_mapping(store, list(reversed(header)), "Coop") == mapping
    assert ledger.remembered_mapping(store, header, "Otra") == {}
    assert ledger.remembered_mapping(store, header) == {}
    text = ",".join(header) + "\n2024-05-10,L1,100,0.9,COP,26000000\n"
    parsed = parse(text, mapping=ledger.proposed_mapping(store, header, "Coop"))
    assert parsed.sales["sale_id"].tolist() == ["L1"] and parsed.rejected == []


# ---------------------------------------------------------------- the sheet as the bookkeeper keeps it

BOOKKEEPER_SHEET = (
    "Fecha;Comprador;Peso bruto (g);Ley;Valor recibido (COP);Certificación;Prima Fairmined (USD)\n"
    "10/05/2024;C.I. Metales;100,5;875;26.133.420,65;Fairmined;351,75\n"
    "17/05/2024;Refinería Uno;50;0,875;11.000.000;Ninguna;\n"
    "24/05/2024;C.I. Metales;80,25;0,9;20.500.000,50;Fairmined Ecológico;433,35\n"
    "24/05/2024;C.I. Metales;80,25;0,9;20.500.000,50;Fairmined Ecológico;433,35\n"  # the same lot twice
    ";TOTAL;311,00;;78.133.421,65;;1.218,45\n"
)


def test_the_bookkeepers_sheet_with_a_total_row_imports_twice_adding_nothing(store):
    """Issue 15: Spanish headers, ';', decimal commas, ley as 875 or 0,875, a TOTAL row; only a cooperative."""
    content = BOOKKEEPER_SHEET.encode("cp1252")  # as Excel saves "CSV (separado por punto y coma)"
    first = sales_service.import_ledger(store, OPERATOR, content, "ventas mayo.csv", cooperative="Coop")
    assert (first["rows_read"], first["inserted"], first["duplicates"], first["rejected"]) == (5, 4, 0, [])
    assert first["skipped"] == [
        {"line": 6, "reason": "a total or subtotal row ('TOTAL'): skipped", "code": "total_row"}
    ]
    assert first["currency"] == "COP"  # from the header "Valor recibido (COP)"
    sales = load_sales(store, OPERATOR).sort_values(["date", "sale_id"]).reset_index(drop=True)
    # arithmetic by hand: 100,5 g × 875 ‰ = 87,9375 g fine; 26.133.420,65 pesos; a USD 351,75 premium
    first_sale = sales.iloc[0]
    assert first_sale["date"] == pd.Timestamp("2024-05-10") and first_sale["buyer"] == "C.I. Metales"
    assert first_sale["gross_weight_g"] == 100.5 and first_sale["fineness"] == 0.875
    assert first_sale["fine_gold_g"] == pytest.approx(87.9375)
    assert first_sale["amount_received"] == 26_133_420.65 and first_sale["currency"] == "COP"
    assert first_sale["certification"] == "fairmined" and first_sale["premium_received_usd"] == 351.75
    assert sales.iloc[1]["fineness"] == 0.875 and sales.iloc[1]["premium_received_usd"] == 0.0  # 0,875; empty
    assert set(sales["certification"]) == {"fairmined", "none", "fairmined_ecological"}
    ids = sales["sale_id"].tolist()
    assert all(sale_id.startswith("auto-") for sale_id in ids) and len(set(ids)) == 4  # the twin lot too

    again = sales_service.import_ledger(store, OPERATOR, content, "ventas mayo.csv", cooperative="Coop")
    assert (again["inserted"], again["duplicates"], again["rejected"]) == (0, 4, [])
    assert len(load_sales(store, OPERATOR)) == 4
    # the same sheet saved as UTF-8 with the rows in another order: the same ids, still nothing added
    lines = BOOKKEEPER_SHEET.splitlines()
    reordered = "\n".join([lines[0], lines[3], lines[1], lines[2], lines[4], lines[5]]) + "\n"
    third = sales_service.import_ledger(
        store, OPERATOR, reordered.encode("utf-8-sig"), "v.csv", cooperative="Coop"
    )
    assert (third["inserted"], third["duplicates"]) == (0, 4)


def test_the_bookkeepers_headers_and_their_variants_are_recognised_without_a_mapping():
    header = [
        "FECHA", "comprador", "Peso Bruto [g]", "LEY", "Valor Recibido", "Regalias", "Retención en la fuente",
        "Certificacion", "Prima Fairmined (USD)", "Moneda",
    ]  # fmt: skip
    assert ledger.auto_mapping(header) == {
        "date": "FECHA",
        "buyer": "comprador",
        "gross_weight": "Peso Bruto [g]",
        "fineness": "LEY",
        "amount_received": "Valor Recibido",
        "royalties_paid": "Regalias",
        "withholding_paid": "Retención en la fuente",
        "certification": "Certificacion",
        "premium_received_usd": "Prima Fairmined (USD)",
        "currency": "Moneda",
    }
    assert ledger.header_defaults(
        {"gross_weight": "Peso (castellanos)", "amount_received": "Valor (PEN)"}
    ) == (
        "castellano",
        "PEN",
    )


def test_without_a_currency_the_default_is_used_and_without_either_the_file_is_refused():
    text = "Fecha;Peso bruto (g);Ley;Valor recibido\n10/05/2024;100;0,9;26.000.000\n"
    with pytest.raises(LedgerFileError, match="missing columns: currency"):
        parse(text)
    parsed = parse(text, currency="COP")
    assert parsed.sales["currency"].tolist() == ["COP"] and parsed.currency == "COP"
    # a header's currency wins over the default
    parsed = parse(text.replace("Valor recibido", "Valor recibido (USD)"), currency="COP")
    assert parsed.sales["currency"].tolist() == ["USD"]


def test_file_problems_carry_a_code_and_parameters():
    with pytest.raises(LedgerFileError) as caught:
        parse("Fecha;Comprador\n10/05/2024;X\n")
    problem = caught.value.problem
    assert problem.code == "missing_columns"
    assert problem.params["columns"] == ["gross_weight", "fineness", "currency", "amount_received"]
    assert problem.params["header"] == ["Fecha", "Comprador"]


# ---------------------------------------------------------------- odd values, ambiguous numbers (issue 14)


def test_odd_values_rejected_per_line():
    text = HEADER.replace("gross_weight_g", "gross_weight,weight_unit") + (
        "S1,2024-05-10,B,100,g,0.9,COP,26000000,none\n"  # good
        "S2,2024-05-10,B,1e999,g,0.9,COP,26000000,none\n"  # infinite weight
        "S3,2024-05-10,B,1e308,oz,0.9,COP,26000000,none\n"  # absurd: stored before, then ∞ g on Premiums
        "S4,2024-05-10,B,-5,g,0.9,COP,26000000,none\n"  # negative weight
        "S5,2024-05-10,B,100,g,0,COP,26000000,none\n"  # fineness 0
        "S6,2024-05-10,B,100,g,1001,COP,26000000,none\n"  # fineness above 1000 per mille
        "S7,0202-06-01,B,100,g,0.9,COP,26000000,none\n"  # a typo'd year: refused the whole file before
        "S8,1899-12-31,B,100,g,0.9,COP,26000000,none\n"
        "S9,2024-05-10,B,100,g,0.9,COP,1e999,none\n"
        "S10,2024-05-10,B,100,g,0.9,COP,nan,none\n"
        "S11,2024-05-10,B,100,g,0.9,COP,inf,none\n"
    )
    parsed = parse(text)
    assert parsed.sales["sale_id"].tolist() == ["S1"]
    codes = {row["line"]: [p["code"] for p in row["problems"]] for row in parsed.rejected}
    assert codes == {
        3: ["number_not_finite"],
        4: ["number_too_large"],
        5: ["not_positive"],
        6: ["fineness_out_of_range"],
        7: ["fineness_out_of_range"],
        8: ["date_too_old"],
        9: ["date_too_old"],
        10: ["number_not_finite"],
        11: ["missing_value"],
        12: ["number_not_finite"],
    }
    reasons = {row["line"]: row["reason"] for row in parsed.rejected}
    assert reasons[8] == "date '0202-06-01' is before 1900"
    assert "weight '1e999' is not a finite number" in reasons[3]
    assert all(math.isfinite(v) for v in parsed.sales.select_dtypes("number").to_numpy().ravel())


def test_ambiguous_numbers_rejected():
    text = (
        "Lote;Fecha;Peso bruto (g);Ley;Moneda;Valor recibido\n"
        "A;10/05/2024;100,5;0,9;COP;26.000.000\n"  # good
        "B;10/05/2024;10.5;0,9;COP;26.000.000\n"  # a point in a decimal-comma file: was stored as 105
        "C;10/05/2024;100;0,9;COP;0x10\n"  # hexadecimal: was stored as 10
        "D;10/05/2024;1_000;0,9;COP;26.000.000\n"  # underscores
        "E;10/05/2024;100;0.9;COP;26.000.000\n"  # 0.9 here could be 9 thousand-ths or nine tenths
    )
    parsed = parse(text)
    assert parsed.sales["sale_id"].tolist() == ["A"] and parsed.sales["gross_weight_g"].tolist() == [100.5]
    codes = {row["sale_id"]: row["code"] for row in parsed.rejected}
    assert codes == {
        "B": "number_ambiguous",
        "C": "number_unreadable",
        "D": "number_unreadable",
        "E": "number_ambiguous",
    }
    assert (
        "weight '10.5' is ambiguous in this file (it writes decimals with a comma)"
        in parsed.rejected[0]["reason"]
    )


def test_mapping_poisoning_per_cooperative(store):
    """Issue 14: a member swapped two columns; another cooperative's file with that header stayed right."""
    header = ["Lote", "Fecha", "Peso", "Ley", "Moneda", "Valor", "Prima USD", "Refinación", "Pago ensayo"]
    luis = LedgerScope("luis", frozenset({"Coop A"}))
    swapped = {
        "premium_received_usd": "Refinación",
        "refining_charge": "Prima USD",  # the swap
        "assay_charge": "Pago ensayo",  # a column the importer does not know: worth remembering
    }
    ledger.remember_mapping(store, header, swapped, "Coop A", luis)
    ledger.remember_mapping(store, header, swapped, "Coop B", luis)  # not his cooperative: nothing kept
    automatic = ledger.auto_mapping(header)
    assert automatic["premium_received_usd"] == "Prima USD" and automatic["refining_charge"] == "Refinación"
    # another cooperative never sees Coop A's choices; Coop A keeps only what the importer cannot know
    assert ledger.proposed_mapping(store, header, "Coop B") == automatic
    assert ledger.proposed_mapping(store, header, "Coop A") == {**automatic, "assay_charge": "Pago ensayo"}
    row = "L1;10/05/2024;100;0,9;COP;26.000.000;360;25;10\n"
    parsed = parse(";".join(header) + "\n" + row, mapping=ledger.proposed_mapping(store, header, "Coop B"))
    sale = parsed.sales.iloc[0]
    assert sale["premium_received_usd"] == 360 and sale["refining_charge"] == 25 and sale["assay_charge"] == 0
