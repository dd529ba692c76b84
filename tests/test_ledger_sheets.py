"""Issue 29, case 2: a workbook with several sheets (one per semester, or per buyer) is read sheet by sheet.

Every sheet that carries the ledger's header is read (title rows above it allowed), its findings name
the sheet and line, its TOTAL row is checked against its own rows, and a sheet without the header (a
notes tab) is named as skipped. Workbooks built with openpyxl the way a bookkeeper keeps them; the
money worked out by hand in the comments.
"""

from __future__ import annotations

import io
from datetime import datetime

import openpyxl
import pytest

from data.ledger import OPERATOR, load_sales
from presentation.tables import problem_rows, sheets_text, skipped_text, totals_text
from services.sales import import_ledger, ledger_header, preview_ledger

pytestmark = pytest.mark.both_stores

COOP = "Cooperativa El Dorado"
HEADER = ["Fecha", "Comprador", "Peso bruto (g)", "Ley", "Certificación", "Valor recibido (COP)"]


def tab(book: openpyxl.Workbook, name: str, title: str, rows: list[list], total: list | None) -> None:
    """A bookkeeper's tab: a title row and a blank line, the header, the sales, a TOTAL row."""
    sheet = book.create_sheet(name)
    sheet.append([title])
    sheet.append([])
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    if total is not None:
        sheet.append(total)


def semesters() -> bytes:
    """Two semesters, a notes tab, and a tab for one buyer.

    2024-S1 (rows 4–5, TOTAL on row 6): 100 g × 0,900 = 90 g fine for 36.000.000; 50 g × 0,880 = 44 g
    fine for 17.600.000; totals 150 g and 53.600.000.
    2024-S2 (rows 4–6, TOTAL on row 7): 200 g × 0,900 = 180 g for 72.000.000; 80 g × 0,850 = 68 g for
    27.200.000; 25 g for 9.000.000 on row 6, rejected (a ley of 9000); its TOTAL says 305 g and
    108.200.000, the sum of its three rows as written, so it differs from the two rows read.
    Oro Limpio (rows 4, no TOTAL): 40 g × 0,950 = 38 g for 15.200.000.
    """
    book = openpyxl.Workbook()
    book.remove(book.active)
    tab(
        book,
        "2024-S1",
        "COOPERATIVA MINERA EL DORADO - VENTAS PRIMER SEMESTRE 2024",
        [
            [datetime(2024, 2, 15), "C.I. Metales Éticos", 100, 900, "Ninguna", 36_000_000],
            [datetime(2024, 5, 10), "Fundición Andina", 50, 880, "Ninguna", 17_600_000],
        ],
        ["TOTAL SEMESTRE", None, 150, None, None, 53_600_000],
    )
    notes = book.create_sheet("Notas")
    notes.append(["Precios acordados con los compradores"])
    notes.append(["Oro Limpio paga el 97 % del precio de Londres"])
    tab(
        book,
        "2024-S2",
        "COOPERATIVA MINERA EL DORADO - VENTAS SEGUNDO SEMESTRE 2024",
        [
            [datetime(2024, 8, 21), "C.I. Metales Éticos", 200, 900, "Ninguna", 72_000_000],
            [datetime(2024, 10, 3), "Fundición Andina", 80, 850, "Ninguna", 27_200_000],
            [datetime(2024, 11, 28), "Oro Limpio", 25, 9000, "Ninguna", 9_000_000],
        ],
        ["TOTAL SEMESTRE", None, 305, None, None, 108_200_000],
    )
    tab(
        book,
        "Oro Limpio",
        "VENTAS A ORO LIMPIO",
        [[datetime(2024, 12, 12), "Oro Limpio", 40, 950, "Fairmined", 15_200_000]],
        None,
    )
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_every_sheet_with_the_header_is_read_and_a_notes_tab_is_named_skipped(store):
    content = semesters()
    parsed = preview_ledger(store, OPERATOR, content, "ventas 2024.xlsx", cooperative=COOP)
    assert [(s["sheet"], s["rows"], s["skipped"]) for s in parsed.sheets] == [
        ("2024-S1", 3, False),  # two sales and the TOTAL row below the header
        ("Notas", 2, True),
        ("2024-S2", 4, False),
        ("Oro Limpio", 1, False),
    ]
    assert parsed.sheets[1]["problem"] == {"code": "sheet_no_header"}
    assert parsed.rows_read == 3 + 4 + 1
    assert list(zip(parsed.sales["sheet"], parsed.sales["line"], strict=True)) == [
        ("2024-S1", 4),
        ("2024-S1", 5),
        ("2024-S2", 4),
        ("2024-S2", 5),
        ("Oro Limpio", 4),
    ]
    assert parsed.sales["fine_gold_g"].tolist() == pytest.approx([90, 44, 180, 68, 38])
    # the ley 9000 row of the second semester: its sheet and line, and the sheet's TOTAL still checked
    assert [(r["sheet"], r["line"], r["code"]) for r in parsed.rejected] == [
        ("2024-S2", 6, "fineness_out_of_range")
    ]
    assert [(t["sheet"], t["line"], t["rows"], t["matches"]) for t in parsed.totals] == [
        ("2024-S1", 6, 2, True),  # 100 + 50 = 150 g; 36 + 17,6 = 53,6 million
        ("2024-S2", 7, 2, False),  # its TOTAL counts the rejected row: 305 g said, 200 + 80 = 280 read
    ]
    assert parsed.totals[1]["differences"] == [
        {"field": "gross_weight", "sheet": 305.0, "read": 280.0},
        {"field": "amount_received", "sheet": 108_200_000.0, "read": 99_200_000.0},
    ]
    assert totals_text(parsed.totals[0], "es") == (
        "Hoja «2024-S1»: Los totales de la hoja coinciden con lo leído (fila 6, 2 ventas)."
    )
    assert [(s["sheet"], s["line"], s["code"]) for s in parsed.skipped] == [
        ("2024-S1", 6, "total_row"),
        ("2024-S2", 7, "total_row"),
    ]
    table = problem_rows(parsed.rejected, "es")
    assert table.iloc[0, 0] == "Hoja «2024-S2», línea 6"
    assert sheets_text(parsed.sheets, "es") == [
        "Hoja «2024-S1»: 3 filas leídas",
        "Hoja «Notas» omitida. Ninguna fila de la hoja nombra las columnas del libro de ventas "
        "(fecha, comprador, peso, ley, valor...).",
        "Hoja «2024-S2»: 4 filas leídas",
        "Hoja «Oro Limpio»: 1 fila leída",
    ]
    assert sheets_text(parsed.sheets, "en")[1].startswith("Sheet «Notas» skipped: no row of the sheet")


def test_a_second_tab_sale_is_stored_and_the_cli_report_lists_the_sheets(store):
    report = import_ledger(store, OPERATOR, semesters(), "ventas 2024.xlsx", cooperative=COOP)
    assert (report["rows_read"], report["inserted"], report["duplicates"]) == (8, 5, 0)
    assert report["sheets"][1] == {
        "sheet": "Notas",
        "rows": 2,
        "skipped": True,
        "reason": "no row of the sheet names the ledger's columns (date, buyer, weight, ley, amount...)",
    }
    assert [s["sheet"] for s in report["sheets"] if not s["skipped"]] == ["2024-S1", "2024-S2", "Oro Limpio"]
    assert report["rejected"] == [
        {
            "line": 6,
            "reason": report["rejected"][0]["reason"],
            "code": "fineness_out_of_range",
            "sheet": "2024-S2",
        }
    ]
    sales = load_sales(store, OPERATOR).sort_values("date")
    # 36 + 17,6 + 72 + 27,2 + 15,2 = 168 million pesos for 90 + 44 + 180 + 68 + 38 = 420 g fine
    assert sales["amount_received"].sum() == pytest.approx(168_000_000)
    assert sales["fine_gold_g"].sum() == pytest.approx(420)
    second_tab = sales[sales["date"] == datetime(2024, 8, 21)]
    assert second_tab["fine_gold_g"].tolist() == pytest.approx([180])
    assert second_tab["amount_received"].tolist() == pytest.approx([72_000_000])
    again = import_ledger(store, OPERATOR, semesters(), "ventas 2024.xlsx", cooperative=COOP)
    assert (again["inserted"], again["duplicates"]) == (0, 5)  # the workbook again adds nothing


def test_the_mapping_step_shows_the_first_sheet_that_has_the_header():
    book = openpyxl.Workbook()
    book.active.title = "Léame"
    book.active.append(["Este libro lleva las ventas de 2024, una hoja por semestre"])
    tab(
        book,
        "2024-S1",
        "VENTAS 2024",
        [[datetime(2024, 2, 15), "Oro Limpio", 10, 900, "Ninguna", 3_600_000]],
        None,
    )
    buffer = io.BytesIO()
    book.save(buffer)
    assert ledger_header(buffer.getvalue(), "ventas.xlsx") == HEADER


def test_the_same_sale_on_two_tabs_is_two_lots_and_a_lot_id_twice_is_rejected(store):
    """The same day, buyer, weight, ley and amount on two tabs (two deliveries) are two lots, each
    with its own content id; a named lot id on two tabs is refused the second time."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    same = [datetime(2024, 3, 1), "Oro Limpio", 10, 900, "Ninguna", 3_600_000]
    tab(book, "Enero-Junio", "VENTAS", [same], None)
    tab(book, "Por comprador", "VENTAS", [same], None)
    buffer = io.BytesIO()
    book.save(buffer)
    parsed = preview_ledger(store, OPERATOR, buffer.getvalue(), "ventas.xlsx", cooperative=COOP)
    first, second = parsed.sales["sale_id"].tolist()
    assert second == first + "-2"
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name in ("S1", "S2"):
        sheet = book.create_sheet(name)
        sheet.append(["Lote", *HEADER])
        sheet.append(["L-7", *same])
    buffer = io.BytesIO()
    book.save(buffer)
    parsed = preview_ledger(store, OPERATOR, buffer.getvalue(), "ventas.xlsx", cooperative=COOP)
    assert parsed.sales["sheet"].tolist() == ["S1"]
    assert [(r["sheet"], r["line"], r["code"]) for r in parsed.rejected] == [("S2", 2, "duplicate_sale_id")]


def test_the_totals_rows_left_out_are_named_per_sheet():
    skipped = [{"line": 6, "sheet": "2024-S1"}, {"line": 7, "sheet": "2024-S2"}]
    assert skipped_text(skipped, "es") == [
        "Hoja «2024-S1»: 1 fila de total o subtotal omitida (línea 6).",
        "Hoja «2024-S2»: 1 fila de total o subtotal omitida (línea 7).",
    ]
    assert skipped_text([{"line": 5}, {"line": 9}], "es") == [
        "2 filas de total o subtotal omitidas (líneas 5, 9)."
    ]


def test_the_row_limit_holds_across_the_sheets_together():
    """Two tabs of three rows each: each within a limit of four rows (and a tenth for blank rows, + 1),
    together over it."""
    from data.files.parsing import check_workbook_zip
    from data.files.workbook import read_workbook_sheets
    from data.ledger import LedgerFileError

    book = openpyxl.Workbook()
    book.remove(book.active)
    for name in ("S1", "S2"):
        sheet = book.create_sheet(name)
        for day in (1, 2, 3):
            sheet.append([f"2024-01-0{day}", "Oro Limpio", 10])
    buffer = io.BytesIO()
    book.save(buffer)
    with pytest.raises(LedgerFileError) as refused:
        check_workbook_zip(buffer.getvalue(), LedgerFileError, max_rows=4)  # 6 rows > 4 + 0 + 1
    assert refused.value.problem.code == "too_many_rows"
    sheets = read_workbook_sheets(buffer.getvalue(), max_rows=5, error=LedgerFileError)  # 6 ≤ 5 + 1
    assert [(name, table.row_count if table else None) for name, table in sheets] == [("S1", 2), ("S2", 2)]


def test_sheets_whose_columns_were_mapped_by_hand_are_read_and_the_others_skipped():
    """Headers no rule recognises (K1…K5), mapped by hand in the page's mapping step: every tab holding
    the mapped columns is read; a notes tab is still named skipped. 10 g × 0,900 = 9 g fine; 20 g × 0,850
    = 17 g fine."""
    from data.ledger.parse import parse_ledger

    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, row in (
        ("S1", ["2024-02-15", 10, 900, "COP", 3_600_000]),
        ("S2", ["2024-08-21", 20, 850, "COP", 6_800_000]),
    ):
        sheet = book.create_sheet(name)
        sheet.append(["K1", "K2", "K3", "K4", "K5"])
        sheet.append(row)
    book.create_sheet("Notas").append(["Precios acordados"])
    buffer = io.BytesIO()
    book.save(buffer)
    mapping = {
        "date": "K1",
        "gross_weight": "K2",
        "fineness": "K3",
        "currency": "K4",
        "amount_received": "K5",
    }
    parsed = parse_ledger(buffer.getvalue(), "ventas.xlsx", cooperative=COOP, mapping=mapping)
    assert [(s["sheet"], s["skipped"]) for s in parsed.sheets] == [
        ("S1", False),
        ("S2", False),
        ("Notas", True),
    ]
    assert parsed.sales["fine_gold_g"].tolist() == pytest.approx([9, 17])
    assert parsed.sales["sheet"].tolist() == ["S1", "S2"]
