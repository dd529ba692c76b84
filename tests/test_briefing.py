"""Briefing: periods, numbers by hand, the summary agrees with the tables, files that open offline."""

import io
import json
import os
import re

import numpy as np
import openpyxl
import pandas as pd
import pytest

from analytics.briefing import PeriodError, build_briefing, parse_period
from presentation.briefing_report import (
    briefing_figures,
    briefing_html,
    briefing_xlsx,
    country_table,
    summary_paragraphs,
)
from tests.test_browser import ARGS, CHROMIUM
from tests.test_cli import cli

DAYS = pd.bdate_range("2024-04-01", "2024-05-31")


def market() -> tuple[pd.Series, dict[str, pd.Series]]:
    """Gold 2,000 until 30 Apr, then a straight line to 2,100 on 31 May; COP 4,000 → 3,800 the same way."""
    ramp = np.clip((DAYS - pd.Timestamp("2024-04-30")).days / 31, 0, 1)
    gold = pd.Series(2000 + 100 * ramp, index=DAYS)
    cop = pd.Series(4000 - 200 * ramp, index=DAYS)
    return gold, {"COP": cop}


@pytest.mark.parametrize(
    ("text", "first", "last", "kind"),
    [
        ("2024-05", "2024-05-01", "2024-05-31", "month"),
        ("2024-Q2", "2024-04-01", "2024-06-30", "quarter"),
        ("2024-W19", "2024-05-06", "2024-05-12", "week"),
        ("2024-05-03:2024-05-20", "2024-05-03", "2024-05-20", "custom"),
    ],
)
def test_periods(text, first, last, kind):
    assert parse_period(text) == (pd.Timestamp(first), pd.Timestamp(last), kind)


def test_bad_period_is_named():
    with pytest.raises(PeriodError, match="cannot read the period 'May'"):
        parse_period("May")


def test_may_by_hand_and_the_summary_uses_the_tables_numbers():
    gold, fx = market()
    briefing = build_briefing(gold, fx, *parse_period("2024-05"))
    # from the last close before May (30 Apr: 2,000 and 4,000) to 31 May (2,100 and 3,800)
    assert briefing.gold_change_pct == pytest.approx(5.0)
    cop = next(row for row in briefing.countries if row.currency == "COP")
    assert cop.change_pct == pytest.approx((1.05 * 0.95 - 1) * 100)  # −0.25 %
    assert cop.price_per_g == pytest.approx(2100 * 3800 / 31.1034768)
    assert cop.buy_price_95 == pytest.approx(0.95 * cop.price_per_g)
    assert cop.gold_contribution_pp + cop.fx_contribution_pp == pytest.approx(cop.change_pct)
    usd = next(row for row in briefing.countries if row.currency == "USD")
    assert usd.price_per_g == pytest.approx(2100 / 31.1034768)

    summary = " ".join(summary_paragraphs(briefing, "es"))
    table = country_table(briefing, "es").set_index("Moneda")
    assert table.loc["COP", "Cambio"] == "-0,3 %"  # −0.25 rounds to −0.3
    assert "bajó 0,3 %" in summary and table.loc["COP", "Gramo de oro fino"] in summary
    assert table.loc["USD", "Gramo de oro fino"] in summary
    assert "subió 5,0 %" in summary and "US$ 2.000 a US$ 2.100" in summary  # US$ beside the pesos
    english = " ".join(summary_paragraphs(briefing, "en"))
    assert "rose 5.0%" in english and country_table(briefing, "en").iloc[0]["Fine gram"] in english


def test_html_is_self_contained_and_excel_says_where_figures_come_from():
    gold, fx = market()
    briefing = build_briefing(gold, fx, *parse_period("2024-05"))
    page = briefing_html(briefing, "es")
    assert re.search(r'<(script|link|img)[^>]+(src|href)="https?:', page) is None  # nothing fetched
    assert (
        1_000_000 < len(page.encode()) <= 1_500_000
    )  # plotly.js's basic bundle is inside, not the full 4.8 MB
    assert page.count('class="plotly-graph-div"') == 3
    assert "bajó 0,3 %" in page and "@media print" in page
    workbook = openpyxl.load_workbook(io.BytesIO(briefing_xlsx(briefing, "es")))
    assert {"países", "oro", "precios locales", "resumen", "fuentes y fechas"} <= set(workbook.sheetnames)
    about = workbook[workbook.sheetnames[-1]]
    text = " ".join(str(cell.value) for row in about.iter_rows() for cell in row)
    assert "31,1034768" in text and "31 may 2024" in text
    english = openpyxl.load_workbook(io.BytesIO(briefing_xlsx(briefing, "en")))
    assert {"countries", "gold", "local prices", "summary", "sources and dates"} <= set(english.sheetnames)


def test_every_number_in_the_briefing_workbook_is_formatted_for_its_column():
    gold, fx = market()
    briefing = build_briefing(gold, fx, *parse_period("2024-05"))
    for lang, dollars, pct in (("es", '"US$ "', '" %"'), ("en", '"$ "', '"%"')):
        book = openpyxl.load_workbook(io.BytesIO(briefing_xlsx(briefing, lang)))
        for sheet in book.worksheets:
            for row in sheet.iter_rows():
                for cell in row:
                    if isinstance(cell.value, int | float) and not isinstance(cell.value, bool):
                        assert cell.number_format != "General", (sheet.title, cell.coordinate, cell.value)
        sheets = {sheet.title: sheet for sheet in book.worksheets}
        gold_sheet = sheets["oro" if lang == "es" else "gold"]
        price = next(c for c in gold_sheet["B"] if isinstance(c.value, int | float))
        assert price.number_format == dollars + "#,##0"  # about 2,000 dollars an ounce: whole dollars
        countries = sheets["países" if lang == "es" else "countries"]
        header = [
            c.value for c in next(r for r in countries.iter_rows() if r[0].value in ("Moneda", "Currency"))
        ]
        formats = {
            row[0].value: [c.number_format for c in row]
            for row in countries.iter_rows()
            if row[0].value in ("COP", "USD")
        }
        price_column = next(i for i, h in enumerate(header) if h in ("Precio por gramo", "Price per gram"))
        assert formats["COP"][price_column] == ('"$ "#,##0' if lang == "es" else '"COP "#,##0')
        assert formats["USD"][price_column] == dollars + "#,##0.00"  # 67.52 a gram: cents
        assert any(f == "#,##0.0" + pct for f in formats["COP"])  # a change in percent
        dated = next(c for c in gold_sheet["A"] if c.is_date)
        assert dated.number_format == ("DD/MM/YYYY" if lang == "es" else "YYYY-MM-DD")


def test_the_vendored_plotly_bundle_is_the_version_plotly_writes_for():
    from plotly.offline import get_plotlyjs

    from presentation.briefing_report import plotly_basic_js

    version = re.search(r"plotly\.js v[0-9.]+", get_plotlyjs()[:400])
    assert version is not None and f"(basic - minified) {version.group(0)[10:]}" in plotly_basic_js()[:200]


@pytest.mark.browser
def test_html_opens_offline_in_chromium_and_its_charts_render(tmp_path):
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"{CHROMIUM} is absent: apt-get install -y chromium")
    sync_api = pytest.importorskip("playwright.sync_api")
    gold, fx = market()
    path = tmp_path / "briefing.html"
    path.write_text(briefing_html(build_briefing(gold, fx, *parse_period("2024-05")), "en"), encoding="utf-8")
    requests, errors = [], []
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        context = browser.new_context(offline=True)
        page = context.new_page()
        page.on("request", lambda request: requests.append(request.url))
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(path.as_uri())
        page.wait_for_function(
            "document.querySelectorAll('.js-plotly-plot .main-svg').length >= 3", timeout=30_000
        )
        lines = page.locator(".js-plotly-plot .scatterlayer .trace").count()
        bars = page.locator(".js-plotly-plot .barlayer .trace").count()
        browser.close()
    assert errors == []
    assert all(url.startswith("file://") for url in requests)
    assert lines >= 2 and bars >= 1


def test_cli_writes_the_briefing(db_url, store, tmp_path):
    gold, fx = market()
    store.write_series("GOLD_USD", pd.DataFrame({"date": gold.index, "value": gold.to_numpy()}), "test")
    store.write_series(
        "USD_COP", pd.DataFrame({"date": fx["COP"].index, "value": fx["COP"].to_numpy()}), "test"
    )
    out, xlsx = tmp_path / "b.html", tmp_path / "b.xlsx"
    run = cli(
        "briefing",
        "--period",
        "2024-05",
        "--language",
        "es",
        "--out",
        str(out),
        "--xlsx",
        str(xlsx),
        db_url=db_url,
    )
    assert run.returncode == 0, run.stderr
    report = json.loads(run.stdout)
    assert report["period"] == {"start": "2024-05-01", "end": "2024-05-31", "kind": "month"}
    assert report["countries"] == ["COP", "USD"]
    assert 1_000_000 < out.stat().st_size <= 1_500_000 and xlsx.stat().st_size > 1_000  # plotly.js embedded
    assert re.search(r"el oro internacional subió 5,0 %", out.read_text(encoding="utf-8"))
    bad = cli("briefing", "--period", "May", "--language", "en", "--out", str(out), db_url=db_url)
    assert bad.returncode == 2 and "cannot read the period" in bad.stderr


def test_briefing_coverage_marks_a_country_whose_data_stop_inside_the_period(db_url, tmp_path):
    """The 2024 briefing said "in PEN the fine gram rose 13.7 %" while the PEN data stop on 5 June."""
    import json

    from data.market.demo import demo_market_data
    from data.store import MarketStore
    from tests.conftest import PEN_BCRP, shared_file
    from tests.test_cli import cli

    store = MarketStore.from_url(db_url)
    gold = demo_market_data(pd.Timestamp("2025-01-31"))["GOLD_USD"]
    store.write_series("GOLD_USD", pd.DataFrame({"date": gold.index, "value": gold.to_numpy()}), "stooq")
    pen = cli("prices", "import", str(shared_file(PEN_BCRP)), db_url=db_url)
    assert pen.returncode == 0, pen.stderr
    printed = cli(
        "briefing", "--period", "2024", "--language", "es", "--out", str(tmp_path / "b.html"), db_url=db_url
    )
    assert printed.returncode == 0, printed.stderr
    coverage = {row["currency"]: row for row in json.loads(printed.stdout)["coverage"]}
    assert coverage["PEN"] == {
        "currency": "PEN",
        "first": "2023-12-29",
        "last": "2024-06-05",
        "complete": False,
    }
    assert coverage["USD"]["complete"] is True and coverage["USD"]["last"] == "2024-12-31"
    html = (tmp_path / "b.html").read_text(encoding="utf-8")
    assert "Los datos de PEN cubren solo del 29 dic 2023 al 5 jun 2024" in html  # said in the text too
    assert (
        "oro en dólares: Stooq (precio spot)" in html
        and "soles por dólar: BCRP (tipo de cambio oficial, sistema bancario, venta: PD04640PD)" in html
    )  # the providers used


def test_a_briefing_from_demo_data_says_so_first_in_html_and_every_excel_sheet(db_url):
    """A briefing made from demo prices said so only in one English line at its end."""
    import io

    from openpyxl import load_workbook

    from data.ledger import OPERATOR
    from data.market.demo import demo_market_data
    from data.store import MarketStore
    from presentation.briefing_report import briefing_html, briefing_xlsx
    from services.briefing import briefing_view
    from services.market import market_snapshot

    store = MarketStore.from_url(db_url)  # nothing stored: every series is demo
    gold = demo_market_data(pd.Timestamp.now())["GOLD_USD"]
    period = pd.Period(gold.index[-1], freq="M") - 1
    briefing = briefing_view(
        store, OPERATOR, market_snapshot(store), period.start_time, period.end_time.normalize(), "month"
    )
    assert briefing.demo_series[0] == "GOLD_USD" and "SILVER_USD" not in briefing.demo_series  # used
    html = briefing_html(briefing, "es")
    assert html.index("ATENCIÓN: este informe usa datos de demostración") < html.index("el oro internacional")
    workbook = load_workbook(io.BytesIO(briefing_xlsx(briefing, "es")))
    for sheet in workbook.worksheets:  # a sheet copied or forwarded alone still says it
        assert str(sheet["A1"].value).startswith("ATENCIÓN: este informe usa datos de demostración"), (
            sheet.title
        )
    assert "WARNING: this briefing uses demo data" in briefing_html(briefing, "en")
    # real gold beside demo rates: the rates are not used (no peso price from an invented rate), so the
    # briefing carries no demo notice and names each country it has no figures for
    store.write_series("GOLD_USD", pd.DataFrame({"date": gold.index, "value": gold.to_numpy()}), "stooq")
    real = briefing_view(
        store, OPERATOR, market_snapshot(store), period.start_time, period.end_time.normalize(), "month"
    )
    assert real.demo_series == [] and [row.currency for row in real.countries] == ["USD"]
    html = briefing_html(real, "es")
    assert "datos de demostración" not in html and "Colombia: sin tasa de cambio real guardada" in html


def test_one_number_style_in_the_document_and_notes_in_their_own_rows(db_url, tmp_path):
    """Issue 30: Peru's figures came out `S/ 279.98` beside Colombia's `1,9 %`; notes sat in cell A1."""
    from tests.conftest import COP_YAHOO, GOLD_LBMA, PEN_BCRP, shared_file

    for name in (GOLD_LBMA, COP_YAHOO, PEN_BCRP):
        assert cli("prices", "import", str(shared_file(name)), db_url=db_url).returncode == 0
    out, xlsx = tmp_path / "b.html", tmp_path / "b.xlsx"
    run = cli("briefing", "--period", "2021-01", "--out", str(out), "--xlsx", str(xlsx), db_url=db_url)
    assert run.returncode == 0, run.stderr
    summary = json.loads(run.stdout)["summary"]
    peru = next(line for line in summary if line.startswith("En PEN"))
    assert "hasta S/ 218,24" in peru and "0,7 %" in peru  # Colombia's style, as the rest of the document
    assert "(GOLD_USD" not in out.read_text(encoding="utf-8") and "BOB=X" not in out.read_text(
        encoding="utf-8"
    )
    workbook = openpyxl.load_workbook(io.BytesIO(xlsx.read_bytes()))
    assert all(sheet["A1"].value != summary[0] for sheet in workbook.worksheets)  # no note in A1
    about = list(workbook.worksheets[-1].iter_rows(values_only=True))
    assert about[1] == (
        "Aviso 1",
        "Bolivia: sin tasa de cambio real guardada; no tiene cifras en este informe.",
    )
    gold = workbook["oro"]
    assert gold.column_dimensions["A"].width >= len("29/01/2021")  # dates fit their column


def test_a_spanish_briefing_chart_reads_numbers_and_dates_as_spanish_writes_them():
    """Every chart of the briefing (the page and the HTML file) in the reader's convention: 0,5 and 1.000 in
    Spanish, dates as 10/05/24; English keeps plotly's 0.5 / 1,000 and its English month names."""
    gold, fx = market()
    briefing = build_briefing(gold, fx, *parse_period("2024-05"))
    spanish = briefing_figures(briefing, "es")
    assert set(spanish) == {"gold", "local", "contribution"}
    assert {name: figure.layout.separators for name, figure in spanish.items()} == dict.fromkeys(
        spanish, ",."
    )
    for name in ("gold", "local"):  # the date axes: day/month/year at a daily zoom, month/year wider
        stops = [(stop.dtickrange[0], stop.value) for stop in spanish[name].layout.xaxis.tickformatstops]
        assert stops == [(None, "%d/%m/%y"), (86_400_000 * 32, "%m/%Y"), (86_400_000 * 366, "%Y")]
    english = briefing_figures(briefing, "en")
    assert {figure.layout.separators for figure in english.values()} == {".,"}
    assert english["gold"].layout.xaxis.tickformatstops == ()
    assert briefing_html(briefing, "es").count('"separators":",."') == 3  # the file keeps them
