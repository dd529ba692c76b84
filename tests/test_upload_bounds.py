"""Issue 24, findings 3, 4 and 9: bounded cells, column-wise validation with the schema's own answers,
batched storage on both stores, and big ledgers read a page (or an aggregate) at a time.

Sizes stay modest here; benchmarks/upload.py measures 100,000 rows and the 140 MB cell.
"""

from __future__ import annotations

import io
import random
import threading
import tracemalloc
import zipfile

import openpyxl
import pandas as pd
import pytest

from data.files.parsing import MAX_CELL_CHARS
from data.ledger import (
    FIELDS,
    OPERATOR,
    TOTAL_ROW,
    LedgerScope,
    _effective_mapping,
    _read,
    header_defaults,
    load_sales,
    load_sales_page,
    parse_ledger,
    sales_totals,
    stored_cooperatives,
)
from data.ledger import rows as ledger_rows
from data.market.market_data import parse_price_file
from services.premiums import ALL_COOPERATIVES, ledger_page
from services.sales import import_ledger

TODAY = pd.Timestamp("2024-06-01")
NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def one_long_cell_workbook(chars: int, *, inline: bool) -> bytes:
    """Two sales; the first one's note holds `chars` characters (a shared string, or an inline one)."""
    head = ["sale_id", "date", "gross_weight_g", "fineness", "currency", "amount_received", "notes"]

    def cells(row: int, values: list[str]) -> str:
        return "".join(
            f'<c r="{chr(65 + i)}{row}" t="inlineStr"><is><t>{v}</t></is></c>' for i, v in enumerate(values)
        )

    note = "n" * chars
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "_rels/.rels",
            '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
            f'relationships"><Relationship Id="rId1" Type="{RELS}/officeDocument" Target="xl/workbook.xml"/>'
            "</Relationships>",
        )
        archive.writestr(
            "xl/workbook.xml",
            f'<?xml version="1.0"?><workbook {NS} xmlns:r="{RELS}"><sheets>'
            '<sheet name="Ventas" sheetId="1" r:id="rId1"/></sheets></workbook>',
        )
        archive.writestr(
            "xl/_rels/workbook.xml.rels",
            '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
            f'relationships"><Relationship Id="rId1" Type="{RELS}/worksheet" Target="worksheets/sheet1.xml"/>'
            f'<Relationship Id="rId2" Type="{RELS}/sharedStrings" Target="sharedStrings.xml"/></Relationships>',
        )
        long_cell = (
            f'<c r="G2" t="inlineStr"><is><t>{note}</t></is></c>'
            if inline
            else '<c r="G2" t="s"><v>0</v></c>'
        )
        archive.writestr(
            "xl/worksheets/sheet1.xml",
            f'<?xml version="1.0"?><worksheet {NS}><sheetData>'
            f'<row r="1">{cells(1, head)}</row>'
            f'<row r="2">{cells(2, ["S1", "2024-05-10", "100", "0.9", "COP", "26000000"])}{long_cell}</row>'
            f'<row r="3">{cells(3, ["S2", "2024-05-11", "50", "0.9", "COP", "13000000", "ok"])}</row>'
            "</sheetData></worksheet>",
        )
        archive.writestr(
            "xl/sharedStrings.xml",
            f'<?xml version="1.0"?><sst {NS}><si><t>{"" if inline else note}</t></si></sst>',
        )
    return buffer.getvalue()


# ---------------------------------------------------------------- finding 3: a cell over 10,000 characters


@pytest.mark.parametrize("inline", [False, True], ids=["shared_string", "inline_string"])
def test_a_long_workbook_cell_rejects_its_line_and_is_never_held_whole(inline):
    content = one_long_cell_workbook(20_000_000, inline=inline)
    assert len(content) < 200_000  # 20 MB of text compresses to almost nothing
    # the same path once on a small workbook first: what it imports or caches on first use (modules, the
    # schema, regexes) depends on which tests ran before and is not the cell being held
    parse_ledger(
        one_long_cell_workbook(20_000, inline=inline), "ventas.xlsx", cooperative="Coop", today=TODAY
    )
    # tracemalloc counts every thread: a backtest an earlier page test left running in the background
    # (the services measure them in threads) would be counted as this parse's memory
    for thread in threading.enumerate():
        if thread is not threading.current_thread() and thread.name in ("backtests", "demo-backtests"):
            thread.join(timeout=300)
    tracemalloc.start()
    parsed = parse_ledger(content, "ventas.xlsx", cooperative="Coop", today=TODAY)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert parsed.sales["sale_id"].tolist() == ["S2"]  # the other line is stored
    [rejected] = parsed.rejected
    assert rejected["line"] == 2 and rejected["code"] == "cell_too_long"
    assert rejected["problems"][0] == {
        "code": "cell_too_long", "column": "notes", "length": 20_000_000, "limit": MAX_CELL_CHARS,
    }  # fmt: skip
    assert "holds 20,000,000 characters; a cell may hold at most 10,000" in rejected["reason"]
    assert peak < 8_000_000, f"{peak / 1e6:.1f} MB traced: the 20 MB cell was held whole"


def test_a_long_csv_cell_rejects_its_line_with_every_other_problem_of_that_line():
    text = (
        "sale_id,date,gross_weight_g,fineness,currency,amount_received,notes\n"
        f"S1,2024-05-10,100,0.9,COP,26000000,{'x' * (MAX_CELL_CHARS + 1)}\n"
        f"S2,2024-05-10,-5,0.9,COP,26000000,{'y' * 200_000}\n"
        f"S3,2024-05-11,50,0.9,COP,13000000,{'z' * MAX_CELL_CHARS}\n"  # at the limit: kept
    )
    parsed = parse_ledger(text.encode(), "ventas.csv", cooperative="Coop", today=TODAY)
    assert parsed.sales["sale_id"].tolist() == ["S3"]
    first, second = parsed.rejected
    assert (first["line"], [p["code"] for p in first["problems"]]) == (2, ["cell_too_long"])
    assert first["problems"][0]["length"] == MAX_CELL_CHARS + 1
    assert (second["line"], [p["code"] for p in second["problems"]]) == (3, ["cell_too_long", "not_positive"])


def test_a_long_cell_in_a_price_file_rejects_its_line_not_the_file():
    rows = "".join(f"2024-05-{day:02d},{2300 + day}\n" for day in range(6, 11))
    content = ("date,GOLD_USD\n" + rows + f"2024-05-13,{'9' * 50_000}\n").encode()
    parsed = parse_price_file(content, "gold.csv", "GOLD_USD", today=TODAY)
    assert len(parsed.observations) == 5
    assert [(row["line"], row["code"]) for row in parsed.rejected] == [(7, "cell_too_long")]


# ---------------------------------------------------------------- finding 4: columns first, the schema when needed


def messy_rows(count: int, seed: int, *, ids: bool, separator: str) -> bytes:
    """Half clean rows, half drawn from cells each of which is wrong somewhere (every problem code)."""
    rng = random.Random(seed)
    pool = {
        "coop": ["", "Coop", "Otra", "Coop "],
        "date": ["2024-05-10", "10/05/2024", "2024-05-10 12:00", "10-31-2024", "0202-06-01", "2030-01-01", "",
                 "TOTAL", "2024-02-30", "١٠/٠٥/٢٠٢٤"],
        "buyer": ["B", "Refinería Uno", "", "Tótal", "TOTAL general", "Suma", "x" * 201],
        "weight": ["100", "100.5", "0", "-5", "1000001", "abc", "1,5", "4,008", "1.234,5", "١٢٣", "$100",
                   "n/a", "", "9" * 400, "0x10", "1_000"],
        "unit": ["", "g", "castellano", "oz", "lbs", "Kilos"],
        "fineness": ["0.9", "875", "1.2", "0", "", "1000", "999.9", "0,9"],
        "fine": ["", "90", "89.9", "95", "-1"],
        "currency": ["COP", "cop", "EUR", "", "USD"],
        "amount": ["26000000", "26.000.000,5", "0", "", "1e16", "-3", "COP 26000000", "1e999", "inf"],
        "certification": ["fairmined", "Ninguna", "", "gold-star", "Fairmined Ecológico", "FAIR TRADE"],
        "money": ["", "0", "12.5", "-1", "1e10", "x"],
        "notes": ["", "nota", "Total", "a" * 50],
    }  # fmt: skip
    header = ["cooperative", "date", "buyer", "gross_weight", "weight_unit", "fineness", "fine_gold_g",
              "currency", "amount_received", "certification", "premium_received_usd", "refining_charge", "notes"]  # fmt: skip
    lines = [separator.join((["sale_id"] if ids else []) + header)]
    for number in range(count):
        if rng.random() < 0.5:
            cells = [rng.choice(pool[name]) for name in ("coop", "date", "buyer", "weight", "unit", "fineness",
                     "fine", "currency", "amount", "certification", "money", "money", "notes")]  # fmt: skip
            sale_id = rng.choice(["S1", "S2", "", f"L{number}", "  S9 "])
        else:
            cells = ["", rng.choice(["2024-05-10", "10/05/2024"]), rng.choice(["B", "Refinería Uno"]),
                     rng.choice(["100", "20.25"]), "", rng.choice(["0.9", "875"]), "", "COP",
                     rng.choice(["26000000", "25833420.65"]), rng.choice(["fairmined", "Ninguna"]), "",
                     rng.choice(["", "1000"]), ""]  # fmt: skip
            sale_id = f"G{number % 300}"
            if separator == ";":
                cells = [
                    cell.replace(".", ",") if cell[:1].isdigit() and "-" not in cell else cell
                    for cell in cells
                ]
        row = ([sale_id] if ids else []) + cells
        if rng.random() < 0.05:
            row = [rng.choice(["TOTAL", "Subtotal", "Súbtotal"])] + [""] * (len(row) - 1)
        if rng.random() < 0.05:
            row = row[: rng.randrange(len(row))]
        lines.append(separator.join(cell.replace(separator, " ") for cell in row))
    return ("\n".join(lines) + "\n").encode()


@pytest.mark.parametrize(
    ("ids", "separator", "name"),
    [
        (True, ",", "ventas.csv"),
        (True, ";", "ventas.csv"),
        (False, ",", "ventas.csv"),
        (True, ",", "ventas.xlsx"),
    ],
)
def test_column_wise_validation_gives_the_schemas_own_answer_for_every_row(ids, separator, name):
    content = messy_rows(800, seed=3, ids=ids, separator=separator)
    if name.endswith(".xlsx"):  # the same cells as a workbook (text cells, blanks as empty cells)
        workbook = openpyxl.Workbook()
        for line in content.decode().splitlines():
            workbook.active.append([cell or None for cell in line.split(separator)])
        buffer = io.BytesIO()
        workbook.save(buffer)
        content = buffer.getvalue()
    table = _read(content, name)
    mapping = _effective_mapping(table.header, None)
    index = {field: table.header.index(column) for field, column in mapping.items()}
    unit, _ = header_defaults(mapping)
    context = {"decimal": table.decimal, "today": TODAY, "unit": unit or "g", "currency": "COP"}
    both = [
        ledger_rows.validate_rows(
            table,
            index,
            context,
            fields=list(FIELDS),
            cooperative="Coop",
            total_row=TOTAL_ROW,
            schema_only=schema_only,
        )  # fmt: skip
        for schema_only in (False, True)
    ]
    (fast, fast_rejected, fast_skipped), (schema, schema_rejected, schema_skipped) = both
    pd.testing.assert_frame_equal(fast, schema)
    assert fast_rejected == schema_rejected and fast_skipped == schema_skipped
    codes = {problem["code"] for row in fast_rejected for problem in row["problems"]}
    assert len(fast) > 150 and len(fast_rejected) > 200 and fast_skipped  # every kind of row is there
    assert {"date_unreadable", "date_in_future", "number_unreadable", "not_positive", "unknown_currency",
            "unknown_certification", "fineness_out_of_range", "unknown_unit", "number_not_finite"} <= codes  # fmt: skip
    if ids:
        assert {"duplicate_sale_id", "wrong_cooperative", "missing_value"} <= codes


def test_only_the_rows_that_need_it_go_through_the_row_schema(monkeypatch):
    calls = []
    schema = ledger_rows.validate_row

    def counting(raw, context):  # the real schema, counted
        calls.append(raw["sale_id"])
        return schema(raw, context)

    monkeypatch.setattr(ledger_rows, "validate_row", counting)
    header = "sale_id,date,buyer,gross_weight_g,fineness,currency,amount_received,certification\n"
    rows = "".join(f"S{n},10/05/2024,Refinería Uno,{100 + n % 7}.5,875,COP,2600000{n % 10},Fairmined\n"
                   for n in range(3_000))  # fmt: skip
    bad = "X1,10/05/2024,B,0,875,COP,1,none\nX2,31/02/2024,B,1,875,COP,1,none\nX3,10/05/2024,B,1,875,EUR,1,none\n"
    parsed = parse_ledger((header + rows + bad).encode(), "ventas.csv", cooperative="Coop", today=TODAY)
    assert len(parsed.sales) == 3_000
    assert [row["line"] for row in parsed.rejected] == [3_002, 3_003, 3_004]
    assert calls == ["X1", "X2", "X3"]  # 3,000 clean rows read by columns, never row by row


def sheet(count: int, start: int = 0, amount: str = "26000000") -> bytes:
    header = "sale_id,date,buyer,gross_weight_g,fineness,currency,amount_received,certification\n"
    return (header + "".join(f"S{n:05d},2024-05-{1 + n % 28:02d},B,100,0.9,COP,{amount},none\n"
                             for n in range(start, start + count))).encode()  # fmt: skip


@pytest.mark.both_stores
def test_a_big_import_is_stored_in_batches_of_one_transaction_and_again_adds_nothing(store, monkeypatch):
    from data.ledger import match

    monkeypatch.setattr(match, "INSERT_BATCH", 1_000)  # several batches with a modest file
    shares: list[float] = []
    first = import_ledger(
        store, OPERATOR, sheet(3_500), "ventas.csv", cooperative="Coop", progress=shares.append
    )
    assert first["inserted"] == 3_500 and first["rejected"] == []
    assert shares == sorted(shares) and shares[-1] == pytest.approx(1.0)  # progress only moves forward
    assert len(load_sales(store, OPERATOR)) == 3_500
    changed = sheet(2, start=3_499, amount="27000000")  # S03499 stored with another amount; S03500 new
    again = import_ledger(store, OPERATOR, sheet(3_500), "v.csv", cooperative="Coop")
    assert again["inserted"] == 0 and again["duplicates"] == 3_500 and again["rejected"] == []
    corrected = import_ledger(store, OPERATOR, changed, "v2.csv", cooperative="Coop")
    assert corrected["inserted"] == 1 and corrected["duplicates"] == 0 and corrected["rejected"] == []
    # the stored lot with another amount is a correction listed for review, not stored twice (issue 22)
    assert [(row["line"], row["sale_id"], row["fields"], row["applied"]) for row in corrected["changed"]] == [
        (2, "S03499", ["amount_received"], False)
    ]
    applied = import_ledger(store, OPERATOR, changed, "v3.csv", cooperative="Coop", apply_changes=True)
    assert (applied["inserted"], applied["duplicates"], applied["changes_applied"]) == (0, 1, 1)
    stored = load_sales(store, OPERATOR).set_index("sale_id")
    assert len(stored) == 3_501 and stored.loc["S03499", "amount_received"] == 27_000_000.0


# ---------------------------------------------------------------- finding 9: pages and aggregates in SQL


@pytest.mark.both_stores
def test_a_page_and_the_totals_come_from_the_database_within_the_scope(store):
    import_ledger(store, OPERATOR, sheet(250), "a.csv", cooperative="Coop")
    import_ledger(store, OPERATOR, sheet(30), "b.csv", cooperative="Otra")
    member = LedgerScope("luis", frozenset({"Otra"}))
    assert stored_cooperatives(store, OPERATOR) == ["Coop", "Otra"]
    assert stored_cooperatives(store, member) == ["Otra"]
    totals = sales_totals(store, OPERATOR, ["Coop"])
    assert totals.count == 250 and totals.fine_gold_g == pytest.approx(250 * 90.0)
    assert (totals.first, totals.last) == (pd.Timestamp("2024-05-01"), pd.Timestamp("2024-05-28"))
    assert sales_totals(store, member).count == 30
    assert sales_totals(store, member, ["Coop"]).count == 0  # asking for another's gives nothing
    every = load_sales(store, OPERATOR, ["Coop"])
    page = load_sales_page(store, OPERATOR, ["Coop"], offset=100, limit=100)
    assert page["sale_id"].tolist() == every["sale_id"].iloc[100:200].tolist()  # load_sales' order
    view = ledger_page(store, member, ALL_COOPERATIVES, page=9)
    assert (view.page, view.pages, view.first_row, view.last_row) == (1, 1, 1, 30)  # clamped to the last
    assert set(view.sales["cooperative"]) == {"Otra"}
    last = ledger_page(store, OPERATOR, "Coop", page=3)
    assert (last.pages, len(last.sales), last.first_row, last.last_row) == (3, 50, 201, 250)


@pytest.mark.both_stores
def test_the_sales_page_draws_one_page_of_a_big_ledger(db_url):
    from streamlit.testing.v1 import AppTest

    from data.store import MarketStore
    from tests.conftest import PROJECT_ROOT

    store = MarketStore.from_url(db_url)
    import_ledger(store, OPERATOR, sheet(250), "a.csv", cooperative="Coop")
    store.engine.dispose()
    at = AppTest.from_file(str(PROJECT_ROOT / "dashboard.py"), default_timeout=120).run()
    at.switch_page("app_pages/sales.py").run()
    assert not at.exception, at.exception
    assert len(at.dataframe[0].value) == 100  # a page, not 250 rows
    assert any("250 ventas" in caption.value for caption in at.caption)
    assert len(at.selectbox(key="edit_pick").options) == 100  # the edit list is the page's sales
    at.number_input(key="sales_page_number").set_value(3).run()
    assert not at.exception, at.exception
    assert len(at.dataframe[0].value) == 50
    assert any("Ventas 201–250 de 250" in caption.value for caption in at.caption)


# ---------------------------------------------------------------- issue 22's columns, read by column

# Weights in castellanos (4.6 g), fine gold in its own grams, net and gross in pesos, a premium in pesos.
ISSUE22_SHEET = (
    "Fecha,Comprador,Peso bruto (castellanos),Ley,Oro fino (g),Neto recibido (COP),Valor (COP),Regalías,"
    "Prima Fairmined (COP),Certificación\n"
    "10/05/2024,Uno,100,900,414,33000000,34000000,1000000,1440000,Fairmined\n"  # 460 g × 0.9 = 414 g fine
    "30/05/2024,Uno,100,900,414,33000000,40000000,1000000,800000,Fairmined\n"  # rate 22 days old; gross off
    "11/05/2024,Uno,100,900,500,33000000,34000000,1000000,0,Fairmined\n"  # 500 g fine is not 414 g
    "12/05/2024,Uno,100,900,414,33000000,-5,1000000,0,Fairmined\n"  # a negative gross
)


def test_issue22_columns_read_by_column_give_the_schemas_answer_and_are_converted_by_hand(monkeypatch):
    table = _read(ISSUE22_SHEET.encode(), "ventas.csv")
    mapping = _effective_mapping(table.header, None)
    assert (mapping["amount_received"], mapping["gross_amount"]) == ("Neto recibido (COP)", "Valor (COP)")
    index = {field: table.header.index(column) for field, column in mapping.items()}
    context = {"decimal": table.decimal, "today": TODAY, "unit": "castellano", "currency": "COP"}
    fast, schema = (
        ledger_rows.validate_rows(
            table,
            index,
            context,
            fields=list(FIELDS),
            cooperative="Coop",
            total_row=TOTAL_ROW,
            schema_only=schema_only,
            fine_unit="g",
        )  # fmt: skip
        for schema_only in (False, True)
    )
    pd.testing.assert_frame_equal(fast[0], schema[0])
    assert fast[1] == schema[1] and [row["line"] for row in fast[1]] == [4, 5]
    assert fast[0]["fine_gold_g"].tolist() == pytest.approx([414.0, 414.0])
    assert fast[0]["gross_amount"].tolist() == [34_000_000.0, 40_000_000.0]

    calls: list[str] = []
    schema_row = ledger_rows.validate_row
    monkeypatch.setattr(
        ledger_rows, "validate_row", lambda cells, ctx: calls.append(cells["date"]) or schema_row(cells, ctx)
    )
    rates = pd.Series([4_000.0], index=pd.DatetimeIndex(["2024-05-08"]))
    parsed = parse_ledger(ISSUE22_SHEET.encode(), "ventas.csv", cooperative="Coop", today=TODAY,
                          rates=lambda code: rates if code == "COP" else None)  # fmt: skip
    assert calls == ["11/05/2024", "12/05/2024"]  # the two good rows never went through the row schema
    assert parsed.sales["premium_received_usd"].tolist() == [pytest.approx(360.0), 0.0]  # 1,440,000 / 4,000
    assert parsed.conversions == [
        {"field": "premium_received_usd", "from_currency": "COP", "to_currency": "USD",
         "rate_series": "USD_COP", "rows": 2, "rows_without_rate": 1}
    ]  # fmt: skip
    flagged = {row["line"]: [problem["code"] for problem in row["problems"]] for row in parsed.flagged}
    assert flagged == {3: ["no_rate", "gross_net_mismatch"]}  # 40,000,000 vs 33,000,000 + 1,000,000
    mismatch = parsed.flagged[0]["problems"][1]
    assert mismatch["pct"] == pytest.approx((40 / 34 - 1) * 100)
