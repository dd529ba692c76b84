"""Exports never hand a spreadsheet a formula to run (CSV injection), in CSV, Excel and the HTML briefing."""

import csv
import io
import re

import openpyxl
import pandas as pd
import pytest

from data.files.exports import csv_bytes, excel_bytes, neutralise_formula

DANGEROUS = [
    '=HYPERLINK("http://x","y")',
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(A1)",
    "\t=1",
    "\r=1",
]


SEPARATORS = re.compile(r"[,;\t|\r\n]")


def pieces_a_spreadsheet_could_split(cell: str) -> list[str]:
    """The cell, and every piece of it a spreadsheet splitting on another separator would make a cell."""
    return [cell] + [piece.lstrip(' "') for piece in SEPARATORS.split(cell)[1:]]


@pytest.mark.parametrize("value", DANGEROUS)
def test_formula_cells_become_text(value):
    safe = neutralise_formula(value)
    assert safe.startswith("'") and safe.replace("'", "") == value.replace("'", "")
    assert not [p for p in pieces_a_spreadsheet_could_split(safe) if p.startswith(("=", "+", "-", "@"))]


@pytest.mark.parametrize(
    "value", ["-3,2 %", "-1.234.567,89", "+0.5", "-", "Cooperativa La Esperanza", "2024-05-10"]
)
def test_numbers_and_plain_text_are_left_alone(value):
    assert neutralise_formula(value) == value


def frame_with_attacks() -> pd.DataFrame:
    return pd.DataFrame(
        {"buyer": DANGEROUS, "amount": [-1.5] * len(DANGEROUS), "=col": ["x"] * len(DANGEROUS)},
        index=pd.Index([f"@{i}" for i in range(len(DANGEROUS))], name="=sale_id"),
    )


def test_csv_export_has_no_cell_starting_like_a_formula():
    text = csv_bytes(frame_with_attacks()).decode("utf-8-sig")
    cells = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    for value in [*cells.columns, *cells.to_numpy().ravel()]:
        assert not value.startswith(("=", "+", "@", "\t", "\r")), value
        assert not (value.startswith("-") and not value.lstrip("-").replace(".", "").isdigit()), value
    assert cells["amount"].tolist() == ["-1.5"] * len(DANGEROUS)  # real numbers stay numbers


def test_excel_export_stores_text_not_formulas():
    workbook = openpyxl.load_workbook(
        io.BytesIO(excel_bytes({"sales": frame_with_attacks()}, {"=about": "@x"}))
    )
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    assert not cell.value.startswith(("=", "+", "@", "\t", "\r")), cell.value
    sales = workbook["sales"]
    assert sales["B2"].value == "'" + DANGEROUS[0] and sales["C2"].value == -1.5


def test_briefing_html_and_excel_neutralise_buyer_and_cooperative_names():
    from analytics.briefing import add_premiums, build_briefing
    from analytics.premiums import DEFAULT_PREMIUM_SCHEDULE, sale_premiums
    from presentation.briefing_report import briefing_html, briefing_xlsx

    days = pd.bdate_range("2024-03-01", "2024-05-31")
    gold = pd.Series(2300.0, index=days)
    cop = pd.Series(3900.0, index=days)
    sales = pd.DataFrame(
        {
            "cooperative": ["=cmd|' /C calc'!A0"],
            "sale_id": ["1"],
            "date": [pd.Timestamp("2024-05-10")],
            "buyer": ["@evil"],
            "gross_weight_g": [100.0],
            "fineness": [0.9],
            "fine_gold_g": [90.0],
            "currency": ["COP"],
            "amount_received": [90 * 2300 / 31.1034768 * 3900 * 0.97],
            "certification": ["none"],
            "premium_received_usd": [0.0],
            **{c: [0.0] for c in ("refining_charge", "assay_charge", "transport_charge", "export_charge")},
            "royalties_paid": [0.0],
            "withholding_paid": [0.0],
            "notes": [""],
        }
    )
    briefing = build_briefing(
        gold, {"COP": cop}, pd.Timestamp("2024-05-01"), pd.Timestamp("2024-05-31"), "month"
    )
    add_premiums(briefing, sale_premiums(sales, gold, {"COP": cop}, DEFAULT_PREMIUM_SCHEDULE))
    page = briefing_html(briefing, "es")
    assert "<td>&#39;=cmd|&#39; /C calc&#39;!A0</td>" in page  # the apostrophe, escaped by Jinja
    assert "<td>=cmd" not in page
    workbook = openpyxl.load_workbook(io.BytesIO(briefing_xlsx(briefing, "es")))
    texts = [
        c.value for s in workbook.worksheets for r in s.iter_rows() for c in r if isinstance(c.value, str)
    ]
    assert "'=cmd|' /C calc'!A0" in texts and "'@evil" in texts
    assert not [v for v in texts if v.startswith(("=", "@"))]


@pytest.mark.parametrize(
    "buyer",
    ["x;=1+1;y", "x,=1+1,y", "x;  =SUM(A1)", 'x;"=1+1";y', "x\t@cmd", "x|+1", "a;-2+3+cmd|' /C calc'!A0"],
)
@pytest.mark.parametrize("separator", [",", ";", "\t"])
def test_csv_formula_after_separator_quoted(buyer, separator):
    """A buyer `x;=1+1;y` is one quoted text cell, and whatever separator a spreadsheet splits the file
    on (Excel in Spanish uses `;`), no piece can start a formula."""
    frame = pd.DataFrame({"buyer": [buyer], "amount": [12.5]}, index=pd.Index(["A-1"], name="sale_id"))
    text = csv_bytes(frame).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["sale_id", "buyer", "amount"] and rows[1][0] == "A-1" and rows[1][2] == "12.5"
    assert rows[1][1].replace("'", "") == buyer.replace("'", "")  # one cell, the same text
    for line in text.splitlines()[1:]:
        assert '"A-1"' in line and f'"{rows[1][1]}"' in line.replace('""', '"')  # text cells quoted
        for cell in line.split(
            separator
        ):  # a spreadsheet ignoring our quoting, splitting on its own separator
            for piece in pieces_a_spreadsheet_could_split(cell.strip('"')):
                assert not piece.startswith(("=", "+", "@", "\t", "\r")), (separator, piece)
                assert not (piece.startswith("-") and not piece[1:2].isdigit()), (separator, piece)


def test_briefing_html_escapes_names_with_markup():
    """Jinja autoescape: a cooperative or buyer name is text in the briefing, never a tag or a link."""
    from analytics.briefing import add_premiums, build_briefing
    from analytics.premiums import DEFAULT_PREMIUM_SCHEDULE, sale_premiums
    from presentation.briefing_report import briefing_html

    script = "<script>alert(1)</script>"
    link = '<a href="https://evil.example/">Cooperativa</a>'
    days = pd.bdate_range("2024-03-01", "2024-05-31")
    gold, cop = pd.Series(2300.0, index=days), pd.Series(3900.0, index=days)
    benchmark_value = 90 * 2300 / 31.1034768 * 3900
    sales = pd.DataFrame(
        {
            "cooperative": [script, link],
            "sale_id": ["1", "2"],
            "date": [pd.Timestamp("2024-05-10")] * 2,
            "buyer": [link, script],
            "gross_weight_g": [100.0] * 2,
            "fineness": [0.9] * 2,
            "fine_gold_g": [90.0] * 2,
            "currency": ["COP"] * 2,
            "amount_received": [benchmark_value * 0.90] * 2,  # under the 95 % minimum: named in the summary
            "certification": ["fairmined"] * 2,
            "premium_received_usd": [0.0] * 2,
            **{
                c: [0.0] * 2 for c in ("refining_charge", "assay_charge", "transport_charge", "export_charge")
            },
            "royalties_paid": [0.0] * 2,
            "withholding_paid": [0.0] * 2,
            "notes": [""] * 2,
        }
    )
    briefing = build_briefing(
        gold, {"COP": cop}, pd.Timestamp("2024-05-01"), pd.Timestamp("2024-05-31"), "month"
    )
    add_premiums(briefing, sale_premiums(sales, gold, {"COP": cop}, DEFAULT_PREMIUM_SCHEDULE))
    assert briefing.under_minimum is not None and len(briefing.under_minimum) == 2
    page = briefing_html(briefing, "es")
    body = page[page.index("</head>") :]  # the head holds plotly.js itself, which has "<a href" in it
    assert script not in page and "<a href" not in body
    assert "<td>&lt;script&gt;alert(1)&lt;/script&gt;</td>" in page  # the premiums table
    assert "<td>&lt;a href=&#34;https://evil.example/&#34;&gt;Cooperativa&lt;/a&gt;</td>" in page
    summary = next(p for p in re.findall(r"<p>(.*?)</p>", body) if "95 %" in p)  # under-minimum sentence
    assert "&lt;script&gt;alert(1)&lt;/script&gt; (1)" in summary
    assert page.count('class="plotly-graph-div"') == 4  # the trusted chart markup is still markup
