"""Issue 33, finding 6: files bounded while they are read on every path (the CLI too), a column limit
for sheets, and the right reason for each refusal, in Spanish and English."""

from __future__ import annotations

import io
import tracemalloc
import zipfile

import pytest
from openpyxl.utils import get_column_letter

import cli
from data.files.parsing import MAX_COLUMNS, MAX_XLSX_MEMBERS, FileRefused
from data.ledger import parse_ledger
from i18n.codes import problem_text
from tests.test_upload_bounds import NS, RELS, TODAY

HEAD = ["sale_id", "date", "gross_weight_g", "fineness", "currency", "amount_received"]


def workbook(sheet_rows: list[str], extra_sheets: int = 0) -> bytes:
    """A one-sheet workbook with the given <row> elements, and `extra_sheets` more (tiny) sheets."""
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
            "</Relationships>",
        )
        archive.writestr(
            "xl/worksheets/sheet1.xml",
            f'<?xml version="1.0"?><worksheet {NS}><sheetData>{"".join(sheet_rows)}</sheetData></worksheet>',
        )
        for number in range(2, extra_sheets + 2):
            archive.writestr(f"xl/worksheets/sheet{number}.xml", f"<worksheet {NS}><sheetData/></worksheet>")
    return buffer.getvalue()


def row(number: int, values: list[str]) -> str:
    return (
        f'<row r="{number}">'
        + "".join(
            f'<c r="{get_column_letter(column)}{number}" t="inlineStr"><is><t>{value}</t></is></c>'
            for column, value in enumerate(values, start=1)
        )
        + "</row>"
    )


def refusal(content: bytes, filename: str) -> FileRefused:
    with pytest.raises(FileRefused) as refused:
        parse_ledger(content, filename, cooperative="Coop", today=TODAY)
    return refused.value


def test_a_16384_column_sheet_is_refused_for_its_columns_in_both_languages():
    sale = ["S1", "2024-05-10", "100", "0.9", "COP", "26000000"]
    wide = [row(1, HEAD + ["x"] * (16_384 - len(HEAD)))]
    wide += [row(number, sale + ["1"] * (16_384 - len(sale))) for number in range(2, 12)]
    error = refusal(workbook(wide), "ventas.xlsx")
    assert error.problem.code == "too_many_columns" and error.problem.params == {"limit": MAX_COLUMNS}
    assert str(error) == (
        "a row has values beyond column 200; the limit is 200 columns "
        "(delete the extra columns or save only the sales as CSV)"
    )
    assert problem_text(error.problem, "es").startswith("Una fila tiene valores más allá de la columna 200")
    # a sheet whose extra columns are empty (formatting only) is read as before
    styled = [row(1, HEAD), row(2, sale).replace("</row>", '<c r="XFD2" s="1"/></row>')]
    assert parse_ledger(workbook(styled), "ventas.xlsx", cooperative="Coop", today=TODAY).sales[
        "sale_id"
    ].tolist() == ["S1"]


def test_a_csv_line_wider_than_the_limit_is_refused_not_cut():
    text = ",".join(HEAD + ["extra"] * 300) + "\nS1,2024-05-10,100,0.9,COP,26000000" + ",1" * 300 + "\n"
    assert refusal(text.encode(), "ventas.csv").problem.code == "too_many_columns"


def test_a_1000_sheet_workbook_is_refused_for_its_parts_not_its_size():
    content = workbook([row(1, HEAD)], extra_sheets=1_000)
    error = refusal(content, "ventas.xlsx")
    assert error.problem.code == "workbook_too_many_parts"
    assert error.problem.params == {"parts": 1_004, "limit": MAX_XLSX_MEMBERS}  # 1,001 sheets + 3 parts
    assert str(error).startswith("the workbook has 1,004 parts (sheets, images, ...); the limit is 1,000")
    assert problem_text(error.problem, "es").startswith("El libro de Excel tiene 1.004 partes")


@pytest.mark.parametrize("command", [["prices", "import"], ["ledger", "import"], ["offers", "compare"]])
def test_the_cli_refuses_a_2_gib_file_after_reading_at_most_the_limit(tmp_path, monkeypatch, capsys, command):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'gold.db'}")
    monkeypatch.setenv("GOLD_DASHBOARD_OFFLINE", "1")
    huge = tmp_path / "ventas.csv"
    with huge.open("wb") as out:  # sparse: 2 GiB long, no disk used
        out.truncate(2 * 1024**3)
    extra = ["--date", "2024-05-10", "--currency", "COP", "--gross-g", "100", "--fineness", "0.9"]
    extra = extra if command[0] == "offers" else []
    tracemalloc.start()
    code = cli.main([*command, str(huge), *extra])
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert code == 2
    assert (
        capsys.readouterr().err.strip()
        == "error: the file is 2147 MB; the limit is 20 MB (split it into smaller files)"
    )
    assert peak < 30_000_000, f"{peak / 1e6:.0f} MB traced: the file was read whole"


def test_a_huge_mapping_file_is_refused_without_being_read(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'gold.db'}")
    sales, mapping = tmp_path / "ventas.csv", tmp_path / "mapa.json"
    sales.write_text(",".join(HEAD) + "\nS1,2024-05-10,100,0.9,COP,26000000\n", encoding="utf-8")
    with mapping.open("wb") as out:
        out.truncate(2 * 1024**3)
    tracemalloc.start()
    code = cli.main(["ledger", "import", str(sales), "--cooperative", "Coop", "--mapping", str(mapping)])
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert code == 2 and "the file is 2147 MB; the limit is 20 MB" in capsys.readouterr().err
    assert peak < 30_000_000
