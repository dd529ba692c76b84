"""Downloads read back as written; numbers and dates formatted as each language writes them."""

import io

import openpyxl
import pandas as pd

from data.files.exports import csv_bytes, excel_bytes
from i18n import format_day, format_money, format_pct, plotly_separators


def test_excel_has_one_sheet_per_table_and_an_about_sheet():
    prices = pd.DataFrame({"price": [296375.4, 297000.0]}, index=pd.to_datetime(["2024-05-09", "2024-05-10"]))
    workbook = openpyxl.load_workbook(io.BytesIO(excel_bytes({"prices": prices}, {"as of": "2024-05-10"})))
    assert workbook.sheetnames == ["prices", "about"]
    assert workbook["prices"]["B3"].value == 297000.0
    assert [c.value for c in workbook["about"][2]] == ["as of", "2024-05-10"]


def test_csv_has_a_bom_and_iso_dates():
    frame = pd.DataFrame({"value": [1.5]}, index=pd.to_datetime(["2024-05-10"]))
    text = csv_bytes(frame)
    assert text.startswith("\ufeff".encode()) and b'"2024-05-10",1.5' in text  # text cells quoted


def test_spanish_and_english_numbers_and_dates():
    assert format_money(296375.4, "COP", "es") == "$ 296.375"
    assert format_money(296375.4, "COP", "en") == "COP 296,375"
    assert format_money(412.5, "PEN", "es") == "S/ 412.50"  # Peru writes a decimal point
    assert format_pct(4.234, "es") == "+4,2 %" and format_pct(-4.2, "en") == "-4.2%"
    assert format_day("2024-05-10", "es") == "10 may 2024"
    assert format_day("2024-05-10", "en") == "May 10, 2024"
    assert plotly_separators("es", "COP") == ",." and plotly_separators("en") == ".,"


def test_every_analytics_error_code_is_worded_in_both_languages():
    """analytics raises CodedError(message, code, **params); the pages word `error_<code>` via i18n."""
    import ast

    import pandas as pd
    import pytest

    from analytics.benchmark import value_asof
    from i18n import error_text
    from i18n.keys import ERROR
    from tests.conftest import PROJECT_ROOT

    codes = set()
    for path in (PROJECT_ROOT / "analytics").rglob("*.py"):  # the forecast is a package
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call) and len(node.exc.args) >= 2:
                code = node.exc.args[1]
                if isinstance(code, ast.Constant) and isinstance(code.value, str):
                    codes.add(code.value)
    assert {"stale_value", "no_gold_in_period", "not_enough_data", "no_complete_lot"} <= codes
    assert not [code for code in codes if code not in ERROR]

    gold = pd.Series([2000.0], index=[pd.Timestamp("2021-03-02")], name="GOLD_USD")
    with pytest.raises(ValueError) as raised:
        value_asof(gold, pd.Timestamp("2024-05-10"), 7)
    error = raised.value  # the CLI keeps its English one-liner; a page gets the user's language
    assert str(error) == "GOLD_USD: last value 2021-03-02 is more than 7 days before 2024-05-10"
    assert (
        error_text(error, "es")
        == "el último valor de GOLD_USD es del 2 mar 2021, más de 7 días antes del 10 may 2024."
    )
    assert error_text(error, "en").startswith("the last GOLD_USD value is from Mar 2, 2021")
    assert error_text(ValueError("plain"), "es") == "plain"


def test_one_number_convention_per_text():
    """A text follows one country's convention: a reader in Peru reads S/ 279.98 beside US$ 74.84 and
    -6.3 %, never US$ 74,84 (Ecuador's, the dollar's default) in the same sentence."""
    from ui.i18n import format_money, format_pct, reading_for

    assert (format_money(74.84, "USD", "es"), format_pct(-6.3, "es")) == ("US$ 74,84", "-6,3 %")  # no reader
    with reading_for("PEN"):
        peru = (format_money(279.98, "PEN", "es"), format_money(74.84, "USD", "es"), format_pct(-6.3, "es"))
        assert peru == ("S/ 279.98", "US$ 74.84", "-6.3 %")
        with reading_for("COP"):  # nested: the inner text's country (the sign stays the sol's), then back
            assert format_money(279.98, "PEN", "es") == "S/ 279,98"
        assert format_money(279.98, "PEN", "es") == "S/ 279.98"
    assert format_money(279.98, "PEN", "es") == "S/ 279.98"  # soles alone: as Peru writes them
