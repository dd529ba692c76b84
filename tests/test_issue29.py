"""Issue 29: sheets kept the way Colombian bookkeepers keep them give the right money or say why.

Each case on a sheet built as a bookkeeper would (';', decimal commas, cp1252, title rows, no lot
numbers), on SQLite and PostgreSQL; the figures are worked out by hand in the comments.
"""

from __future__ import annotations

import io
import json
from datetime import datetime

import openpyxl
import pandas as pd
import pytest

from data.ledger import OPERATOR, audit_trail, load_sales
from data.ledger.match import buyer_key
from data.market.market_data import import_prices
from services.sales import import_ledger, preview_ledger
from tests.conftest import GOLD_LBMA, shared_file

pytestmark = pytest.mark.both_stores

COOP = "Cooperativa El Dorado"
TITLE = "COOPERATIVA MINERA EL DORADO - RELACIÓN DE VENTAS 2024\n"
HEADER = "Fecha;Comprador;Peso bruto (g);Ley;Certificación;Valor recibido (COP)\n"


def sheet(*rows: str) -> bytes:
    return (TITLE + HEADER + "".join(row + "\n" for row in rows)).encode("cp1252")


def imported(store, content: bytes, **options) -> dict:
    return import_ledger(store, OPERATOR, content, "ventas.csv", cooperative=COOP, **options)


# ---------------------------------------------------------------- 5. corrections of a lot's identity

# Sent in May: 100 g at ley 905 = 90,5 g fine, liquidated at 400.000 pesos a fine gram = 36.200.000.
FIRST = sheet(
    "10/05/2024;C.I. Metales Éticos S.A.S.;100,00;905;Ninguna;36.200.000,00",
    "13/05/2024;Fundición Andina Ltda.;412,80;880;Ninguna;140.000.000,00",
    "20/05/2024;Oro Limpio;50,00;900;Ninguna;18.000.000,00",
)
# Sent again after the refinery's assay: ley 898 → 89,8 g fine × 400.000 = 35.920.000, the buyer
# re-spelled; the second lot's weight typo fixed (412,80 → 421,80: 412,8 × 0,88 = 363,264 g fine,
# 421,8 × 0,88 = 371,184 g); the third unchanged.
CORRECTED = sheet(
    "10/05/2024;CI Metales Eticos;100,00;898;Ninguna;35.920.000,00",
    "13/05/2024;Fundicion Andina LTDA;421,80;880;Ninguna;140.000.000,00",
    "20/05/2024;Oro Limpio;50,00;900;Ninguna;18.000.000,00",
)


def test_buyer_names_compare_without_case_accents_punctuation_or_legal_form():
    assert buyer_key("C.I. Metales Éticos S.A.S.") == buyer_key("CI Metales Eticos") == "metales eticos"
    assert buyer_key("Fundición Andina Ltda.") == buyer_key("FUNDICION ANDINA LTDA") == "fundicion andina"
    assert buyer_key("Metales del Sur S.A.") != buyer_key("Metales Éticos S.A.")


def test_a_corrected_ley_weight_or_buyer_is_listed_as_changed_never_a_second_lot(store):
    first = imported(store, FIRST)
    assert (first["rows_read"], first["inserted"], first["rejected"]) == (3, 3, [])
    preview = preview_ledger(store, OPERATOR, CORRECTED, "ventas.csv", cooperative=COOP)
    assert [(entry["line"], entry["fields"]) for entry in preview.changed] == [
        (3, ["buyer", "fineness", "fine_gold_g", "amount_received"]),
        (4, ["buyer", "gross_weight_g", "fine_gold_g"]),
    ]
    ley = preview.changed[0]
    assert ley["before"]["fineness"] == pytest.approx(0.905) and ley["after"]["fineness"] == pytest.approx(
        0.898
    )
    assert ley["before"]["fine_gold_g"] == pytest.approx(90.5) and ley["after"][
        "fine_gold_g"
    ] == pytest.approx(89.8)
    assert (ley["before"]["amount_received"], ley["after"]["amount_received"]) == (36_200_000.0, 35_920_000.0)
    assert (ley["before"]["buyer"], ley["after"]["buyer"]) == (
        "C.I. Metales Éticos S.A.S.",
        "CI Metales Eticos",
    )
    weight = preview.changed[1]
    assert (weight["before"]["gross_weight_g"], weight["after"]["gross_weight_g"]) == (412.8, 421.8)
    assert weight["after"]["fine_gold_g"] == pytest.approx(371.184)

    held = imported(store, CORRECTED)  # without --apply-changes: listed, nothing written
    assert (held["inserted"], held["duplicates"], held["changes_applied"], len(held["changed"])) == (
        0,
        1,
        0,
        2,
    )
    assert load_sales(store, OPERATOR)["fine_gold_g"].sum() == pytest.approx(90.5 + 363.264 + 45.0)

    applied = imported(store, CORRECTED, apply_changes=True)
    assert (applied["inserted"], applied["duplicates"], applied["changes_applied"]) == (0, 1, 2)
    sales = load_sales(store, OPERATOR)
    assert len(sales) == 3  # never a second lot
    assert sales["fine_gold_g"].sum() == pytest.approx(89.8 + 371.184 + 45.0)
    assert sales["amount_received"].sum() == 35_920_000 + 140_000_000 + 18_000_000
    assert sorted(sales["buyer"]) == ["CI Metales Eticos", "Fundicion Andina LTDA", "Oro Limpio"]
    trail = audit_trail(store, OPERATOR)
    assert sorted(trail["action"]) == ["edit", "edit"]
    again = imported(store, CORRECTED)  # the corrected sheet once more: nothing left to change
    assert (again["inserted"], again["duplicates"], again["changed"]) == (0, 3, [])


def test_a_new_lot_the_same_day_to_the_same_buyer_is_not_taken_for_a_correction(store):
    imported(store, FIRST)
    # 30 % heavier (130 g) is another lot; so is a lot of another buyer of the same weight that day
    more = sheet(
        "10/05/2024;C.I. Metales Éticos S.A.S.;100,00;905;Ninguna;36.200.000,00",
        "10/05/2024;C.I. Metales Éticos S.A.S.;130,00;905;Ninguna;47.060.000,00",
        "13/05/2024;Metales del Sur S.A.;412,80;880;Ninguna;140.000.000,00",
    )
    report = imported(store, more)
    assert (report["inserted"], report["duplicates"], report["changed"]) == (2, 1, [])
    assert len(load_sales(store, OPERATOR)) == 5
    assert pd.Timestamp(load_sales(store, OPERATOR)["date"].max()) == pd.Timestamp("2024-05-20")


# ---------------------------------------------------------------- 4. month-first dates, decided per column


def days_of(parsed) -> list[str]:
    return [f"{day:%Y-%m-%d}" for day in parsed.sales["date"]]


def previewed(store, *rows: str, **options):
    return preview_ledger(store, OPERATOR, sheet(*rows), "ventas.csv", cooperative=COOP, **options)


def test_an_english_locale_column_is_read_month_first_as_a_whole(store):
    # 08/21/2024 can only be month first: so is 05/10/2024 above it (10 May), never 5 October
    parsed = previewed(
        store,
        "05/10/2024;Oro Limpio;50,00;900;Ninguna;18.000.000,00",
        "08/21/2024;Oro Limpio;50,00;900;Ninguna;18.000.000,00",
    )
    assert parsed.date_order == {"order": "month_first", "decided_by": "day_above_12"}
    assert days_of(parsed) == ["2024-05-10", "2024-08-21"] and parsed.rejected == []
    # the same first row under a day above 12 in first place: day first (5 October)
    parsed = previewed(
        store,
        "05/10/2024;Oro Limpio;50,00;900;Ninguna;18.000.000,00",
        "21/08/2024;Oro Limpio;50,00;900;Ninguna;18.000.000,00",
    )
    assert parsed.date_order == {"order": "day_first", "decided_by": "day_above_12"}
    assert days_of(parsed) == ["2024-10-05", "2024-08-21"]


def test_a_column_its_cells_cannot_decide_is_asked_and_read_as_answered(store, db_url, tmp_path):
    rows = (
        "05/10/2024;Oro Limpio;50,00;900;Ninguna;18.000.000,00",
        "03/04/2024;Oro Limpio;50,00;900;Ninguna;18.000.000,00",
    )
    asked = previewed(store, *rows)
    assert asked.date_order == {"order": "day_first", "decided_by": "undecided"}  # the preview asks
    assert days_of(asked) == ["2024-10-05", "2024-04-03"]
    answered = previewed(store, *rows, date_order="month_first")
    assert answered.date_order == {"order": "month_first", "decided_by": "chosen"}
    assert days_of(answered) == ["2024-05-10", "2024-03-04"]
    from tests.test_cli import cli

    path = tmp_path / "ventas.csv"
    path.write_bytes(sheet(*rows))
    result = cli(
        "ledger", "import", str(path), "--cooperative", COOP, "--date-order", "month-first", db_url=db_url
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["date_order"] == {"order": "month_first", "decided_by": "chosen"}
    assert report["inserted"] == 2
    assert [f"{day:%Y-%m-%d}" for day in load_sales(store, OPERATOR)["date"]] == ["2024-03-04", "2024-05-10"]


def test_a_column_with_both_orders_is_never_swapped_row_by_row(store):
    # 13/05/2024 is day first, 05/13/2024 month first: the column is undecided and read one way; the
    # row that cannot be read so is named, never silently read the other way
    parsed = previewed(
        store,
        "13/05/2024;Oro Limpio;50,00;900;Ninguna;18.000.000,00",
        "05/13/2024;Oro Limpio;50,00;900;Ninguna;18.000.000,00",
    )
    assert parsed.date_order["decided_by"] == "undecided"
    assert days_of(parsed) == ["2024-05-13"]
    assert [(row["line"], row["code"]) for row in parsed.rejected] == [(4, "date_unreadable")]


def test_iso_dates_and_a_workbooks_own_date_cells_need_no_decision(store):
    workbook = openpyxl.Workbook()
    sheet_of = workbook.active
    sheet_of.append(["Fecha", "Comprador", "Peso bruto (g)", "Ley", "Certificación", "Valor recibido (COP)"])
    sheet_of.append([datetime(2024, 5, 10), "Oro Limpio", 50, 900, "Ninguna", 18_000_000])
    sheet_of.append([datetime(2024, 3, 4), "Oro Limpio", 50, 900, "Ninguna", 18_000_000])
    buffer = io.BytesIO()
    workbook.save(buffer)
    parsed = preview_ledger(store, OPERATOR, buffer.getvalue(), "ventas.xlsx", cooperative=COOP)
    assert parsed.date_order == {"order": "day_first", "decided_by": "iso"}
    assert days_of(parsed) == ["2024-05-10", "2024-03-04"]


# ---------------------------------------------------------------- 1. a premium column in pesos

TRM_FILE = "usd_cop_daily_trm_datosgov_1991_2015.csv"
PREMIUM_HEADER = "Fecha;Comprador;Peso bruto (g);Ley;Certificación;Valor recibido (COP);{premium}\n"


@pytest.fixture
def real_prices(store):
    """The real LBMA gold and TRM files: on 11/06/2015 the TRM is 2.523,00 pesos a dollar."""
    for name in (GOLD_LBMA, TRM_FILE):
        path = shared_file(name)
        import_prices(store, path.read_bytes(), path.name)
    return store


def premium_sheet(premium_header: str, *rows: str) -> bytes:
    return (TITLE + PREMIUM_HEADER.format(premium=premium_header) + "".join(r + "\n" for r in rows)).encode(
        "cp1252"
    )


def premiums_of(store, content: bytes) -> tuple[dict, list[float]]:
    report = imported(store, content)
    return report, [round(value, 2) for value in load_sales(store, OPERATOR)["premium_received_usd"]]


def test_a_premium_column_with_the_peso_sign_is_read_in_pesos_and_converted(real_prices):
    # 950 g at ley 920 = 874 g fine; "$ 13.588.548,75" is pesos: ÷ 2.523,00 (TRM of 11/06/2015)
    # = 5.385,87 USD, 6,16 USD a fine gram (the header names no currency; "$" is the peso sign)
    content = premium_sheet(
        "Prima Fairmined",
        "11/06/2015;C.I. Metales Éticos S.A.S.;950,00;920;Fairmined;80.000.000,00;$ 13.588.548,75",
    )
    report, premiums = premiums_of(real_prices, content)
    assert premiums == [round(13_588_548.75 / 2523.00, 2)] == [5385.87]
    assert report["flagged"] == [] or all(row["code"] != "premium_implausible" for row in report["flagged"])
    premium = next(entry for entry in report["understood"] if entry["field"] == "premium_received_usd")
    assert (premium["currency"], premium["because"]) == ("COP", "peso_sign")
    assert report["conversions"] == [
        {
            "field": "premium_received_usd",
            "from_currency": "COP",
            "to_currency": "USD",
            "rate_series": "USD_COP",
            "rows": 1,
            "rows_without_rate": 0,
        }
    ]


def test_peso_sized_premiums_without_a_sign_are_pesos_too_and_usd_ones_stay(real_prices):
    # no "$", but 13.588.548,75 over 874 g fine would be 15.548 USD a gram: the column is pesos
    peso_sized = premium_sheet(
        "Prima", "11/06/2015;Oro Limpio;950,00;920;Fairmined;80.000.000,00;13.588.548,75"
    )
    report, premiums = premiums_of(real_prices, peso_sized)
    assert premiums == [5385.87]
    assert (
        next(e for e in report["understood"] if e["field"] == "premium_received_usd")["because"]
        == "peso_sized"
    )
    # 3.496,00 over 874 g = 4 USD a gram: dollars, as the field has always been read
    in_usd = premium_sheet("Prima", "12/06/2015;Oro Limpio;950,00;920;Fairmined;80.000.000,00;3.496,00")
    report, premiums = premiums_of(real_prices, in_usd)
    assert sorted(premiums) == [3496.0, 5385.87] and report["conversions"] == []


def test_a_premium_beyond_what_a_certification_pays_is_never_stored_as_it_is(real_prices):
    # a USD column (4 USD a gram) with one typo: 349.600 USD is 400 USD a fine gram → held (stored as 0,
    # flagged with its value); the header "(USD)" with peso amounts in it is held the same way
    content = premium_sheet(
        "Prima Fairmined",
        "10/06/2015;Oro Limpio;950,00;920;Fairmined;80.000.000,00;3.496,00",
        "11/06/2015;Oro Limpio;950,00;920;Fairmined;80.000.000,00;349.600,00",
        "12/06/2015;Oro Limpio;950,00;920;Fairmined;80.000.000,00;3.496,00",
    )
    report, premiums = premiums_of(real_prices, content)
    assert premiums == [3496.0, 0.0, 3496.0] and report["conversions"] == []
    held = [row for row in report["flagged"] if row["code"] == "premium_implausible"]
    assert [row["line"] for row in held] == [4]
    assert held[0]["reason"].startswith("premium 349,600.00 USD is 400.00 USD a fine gram")
    usd_header = premium_sheet(
        "Prima (USD)", "15/06/2015;Oro Limpio;950,00;920;Fairmined;80.000.000,00;$ 13.588.548,75"
    )
    report = imported(real_prices, usd_header)
    assert [row["code"] for row in report["flagged"]] == ["premium_implausible"]
    assert load_sales(real_prices, OPERATOR)["premium_received_usd"].iloc[-1] == 0.0


# ---------------------------------------------------------------- 3. totals rows, recognised and used

# January 100 g + 50 g at ley 900 (135 g fine) for 36.000.000 + 18.000.000; February 200 g + 25 g
# (202,5 g fine) for 72.000.000 + 9.000.000; the year 375 g and 135.000.000.
YEAR = (
    "15/01/2024;Oro Limpio;100,00;900;Ninguna;36.000.000,00",
    "20/01/2024;C.I. Metales;50,00;900;Ninguna;18.000.000,00",
    "Total enero;;150,00;;;54.000.000,00",  # "Total" in the date column
    "14/02/2024;Oro Limpio;200,00;900;Ninguna;72.000.000,00",
    "28/02/2024;Total Minerals S.A.S.;25,00;900;Ninguna;9.000.000,00",  # a buyer, not a total
    ";;225,00;;;81.000.000,00",  # sums with no label
    "31/12/2024;TOTAL AÑO;375,00;;;135.000.000,00",  # in the buyer column, with a year-end date
)


def test_totals_rows_however_labelled_are_never_sales_and_are_checked(store):
    report = imported(store, sheet(*YEAR))
    assert (report["rows_read"], report["inserted"], report["rejected"]) == (7, 4, [])
    assert [(row["line"], row["code"]) for row in report["skipped"]] == [
        (5, "total_row"),
        (8, "sum_row"),
        (9, "total_row"),
    ]
    assert [(total["line"], total["rows"], total["matches"]) for total in report["totals"]] == [
        (5, 2, True),
        (8, 2, True),
        (9, 4, True),  # the year's total: every sale above it, not the subtotals
    ]
    sales = load_sales(store, OPERATOR)
    assert sales["fine_gold_g"].sum() == pytest.approx(90 + 45 + 180 + 22.5)
    assert sales["amount_received"].sum() == 135_000_000
    assert "Total Minerals S.A.S." in set(sales["buyer"])


def test_a_total_that_differs_from_what_was_read_names_each_difference(store):
    from presentation.tables import totals_text

    wrong_ley = list(YEAR)
    wrong_ley[1] = "20/01/2024;C.I. Metales;50,00;9000;Ninguna;18.000.000,00"  # rejected: not stored
    parsed = preview_ledger(store, OPERATOR, sheet(*wrong_ley), "ventas.csv", cooperative=COOP)
    assert [row["line"] for row in parsed.rejected] == [4]
    january, february, year = parsed.totals
    assert january == {
        "line": 5,
        "rows": 1,
        "matches": False,
        "differences": [
            {"field": "gross_weight", "sheet": 150.0, "read": 100.0},
            {"field": "amount_received", "sheet": 54_000_000.0, "read": 36_000_000.0},
        ],
    }
    assert february["matches"] is True
    assert (year["rows"], year["differences"][0]) == (
        3,
        {"field": "gross_weight", "sheet": 375.0, "read": 325.0},
    )
    assert totals_text(february, "es") == "Los totales de la hoja coinciden con lo leído (fila 8, 2 ventas)."
    assert totals_text(january, "en") == (
        "The sheet's totals differ from what was read on line 5: Gross weight: the sheet says 150.00, "
        "100.00 was read; Amount received (net): the sheet says 54,000,000.00, 36,000,000.00 was read."
    )


# ---------------------------------------------------------------- the Sales page asks and says


def test_the_sales_page_asks_the_date_order_and_says_the_totals_match(db_url):
    from tests.test_pages import app

    pasted = (
        "Fecha;Comprador;Peso bruto (g);Ley;Certificación;Valor recibido (COP)\n"
        "05/10/2024;Oro Limpio;50,00;900;Ninguna;18.000.000,00\n"
        "03/04/2024;Oro Limpio;50,00;900;Ninguna;18.000.000,00\n"
        ";;100,00;;;36.000.000,00\n"
    )
    at = app().run()
    at.switch_page("app_pages/sales.py").run()
    at.text_input(key="sales_coop_name").input(COOP).run()
    at.text_area(key="sales_paste").input(pasted).run()
    assert not at.exception, at.exception
    question = at.radio(key="sales_date_order")
    assert question.label.startswith("Las fechas de la columna «Fecha» no dicen si el día va primero")
    assert question.value == "day_first"
    assert any(
        "Los totales de la hoja coinciden con lo leído (fila 4, 2 ventas)." in s.value for s in at.success
    )
    question.set_value("month_first").run()
    at.button(key="sales_store").click().run()
    assert not at.exception, at.exception
    from data.store import MarketStore

    stored = load_sales(MarketStore.from_url(db_url), OPERATOR)
    assert [f"{day:%Y-%m-%d}" for day in stored["date"]] == ["2024-03-04", "2024-05-10"]
