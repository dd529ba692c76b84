"""Everything a user can read follows the chosen language: every page (through the router, in AppTest) in
Spanish, English and Mongolian, with real prices and a ledger and on an empty store, and the briefing's HTML and
Excel files. A finding is a programmer's name (snake_case), a raw value (`None`, `nan`, `NaT`, `True`,
`False`, a midnight timestamp), a table number left to the browser's locale, or a word of the other
language (in Mongolian, any word in Latin letters). Proper nouns and codes pass through an explicit
allow-list.

Widths: a table drawn with ui.style.fitted_table is in the page twice, its phone columns (under 640 px) and
the whole table, and CSS shows one by the screen's width; AppTest sees both, so one scan reads the desktop
and the phone layout. The texts the style sheet writes over Streamlit's uploader are scanned too.
"""

from __future__ import annotations

import html
import io
import json
import re
from collections.abc import Iterable, Iterator

import openpyxl
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import COP_YAHOO, GOLD_LBMA, PEN_BCRP, PROJECT_ROOT, shared_file
from tests.test_pages import PAGES

#: Words that are English and never Spanish: one of them on a Spanish page is an untranslated text.
ENGLISH_WORDS = frozenset(
    """
    the and of to is are for with from by on at this that these those it its was were be been not or as
    an if then than when which who what where while into about after before between during per
    price prices sale sales gold day days week weeks month months year years buyer buyers date amount
    received premium premiums fine gross weight currency none yes true false period ounce change
    value values rate exchange source sources first last count mean median model models forecast signal
    sell hold wait lot lots share note item summary notable countries country ecological minimum meets
    below above due owed paid charge charges refining assay transport export royalties withholding
    valid cooperative cooperatives line reason missing columns column imported stored rejected flagged
    rows row file files download settings language unit units today yesterday realised realized net all
    benchmark discount percent errors volatility drawdown return returns market stored offline mode
    """.split()  # noqa: SIM905
)

#: Words that are Spanish and never English: one of them on an English page is an untranslated text.
SPANISH_WORDS = frozenset(
    """
    el la los las del y en que por para con una es son precio precios venta ventas oro día días semana
    semanas mes meses año años comprador compradores fecha moneda sin más menos hoy sí gramo gramos onza
    prima primas pronóstico vender esperar datos mercado tasa cambio según desde hasta sobre entre cada
    ningún ninguna ninguno también resumen informe descargar guardar importar cooperativa cooperativas
    recibido neto pagó pagaron fino bruto peso lote lotes mínimo valor cuando donde cuál este esta estos
    """.split()  # noqa: SIM905
)

#: Proper nouns and codes that may appear in either language (removed before the words are checked).
ALLOWED_PHRASES = (
    "Idioma / Language",  # the language picker speaks both, on purpose
    "Banco de la República",
    "Superintendencia Financiera",
    "Yahoo Finance",
    "Fairmined Ecológico",
    "Fairmined Ecological",
    "Fairmined",
    "Fairtrade",
    "Stooq",
    "LBMA",
    "BCRP",
    "BanRep",
    "GC=F",
    "ARIMA",
    "ETS",
    "Theta",
    "RSI",
    "TRM",
    "MASE",
    "rMAE",
    "WhatsApp",
    "castellano",
    "castellanos",
    "tomín",
)

#: Codes and names a Mongolian text writes in Latin letters as they are (currencies, file kinds, the
#: exchange's tickers, the methods' authors); any other Latin word on a Mongolian page is English left over.
MONGOLIAN_LATIN = frozenset(
    """
    USD COP PEN BOB MNT BOB X CSV HTML PDF Excel UTF Windows SMTP HOST FRED COMEX AM Q W Diebold Mariano
    Newey West Bonferroni UTC Yahoo Banco de la República datos gov co Idioma Language Español English xlsx org p
    BCB BCRP
    """.split()  # noqa: SIM905
)

#: Series identifiers shown as codes (the banner names the demo series by them; BCRP names its statistics
#: by codes such as PD04640PD).
ALLOWED_CODES = re.compile(r"\b(?:GOLD_USD|SILVER_USD|USD_[A-Z]{3}|GOLD_DASHBOARD_OFFLINE|PD\d{5}PD)\b")

SNAKE_CASE = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")
AUTO_SALE_ID = re.compile(r"\bauto-[0-9a-f]{10}\b")  # the importer's id of a sale without lot number
RAW_SOURCE = re.compile(r"\b(?:lbma|fred|stooq|trm|bcrp)\b")  # a provider's code, not its name (case matters)
RAW_VALUE = re.compile(r"\b(?:None|nan|NaN|NaT|True|False)\b")
MIDNIGHT = re.compile(r"00:00:00")
WORD = re.compile(r"(?<![0-9])[A-Za-zÁÉÍÓÚÜÑáéíóúüñ]+")  # not the Y of 1Y
MARKDOWN_ESCAPE = re.compile(r"\\([^\sA-Za-z0-9])")  # presentation.text.plain_markdown's backslashes
PLOTLY_PLACEHOLDER = re.compile(r"%\{[^}]*\}|<extra>.*?</extra>|<[^>]+>|:material/[a-z_]+:")


def text_findings(text: str, where: str, lang: str, allowed: Iterable[str] = ()) -> list[str]:
    """What is wrong with one piece of text a user reads in `lang`."""
    text = html.unescape(PLOTLY_PLACEHOLDER.sub(" ", str(text)))
    out = []
    for pattern, kind in (
        (SNAKE_CASE, "raw name"),
        (AUTO_SALE_ID, "raw name"),
        (RAW_SOURCE, "raw name"),
        (RAW_VALUE, "raw value"),
        (MIDNIGHT, "midnight time"),
    ):
        stripped = ALLOWED_CODES.sub(" ", text) if kind == "raw name" else text
        out += [f"{where}: {kind} {match!r} in {text[:90]!r}" for match in pattern.findall(stripped)]
    text = MARKDOWN_ESCAPE.sub(r"\1", ALLOWED_CODES.sub(" ", text))  # "S\.A\." is the name "S.A."
    for phrase in (*sorted(allowed, key=len, reverse=True), *ALLOWED_PHRASES):
        text = text.replace(phrase, " ")
    if lang == "mn":  # any Latin word but a code or a name is a word of another language
        latin = {word for word in WORD.findall(text) if word not in MONGOLIAN_LATIN}
        return out + [f"{where}: Latin word {word!r} in {text[:90]!r}" for word in latin]
    other = ENGLISH_WORDS if lang == "es" else SPANISH_WORDS
    words = {word for word in WORD.findall(text) if word.lower() in other}
    out += [
        f"{where}: {'English' if lang == 'es' else 'Spanish'} word {word!r} in {text[:90]!r}"
        for word in words
    ]
    return out


def frame_findings(
    frame: pd.DataFrame, where: str, lang: str, allowed: Iterable[str], *, editor: bool = False
) -> list[str]:
    """Headers, index and cells; numbers left to the browser's locale are findings too."""
    out = []
    for name in [*map(str, frame.columns), *(str(n) for n in frame.index.names if n is not None)]:
        out += text_findings(name, f"{where} header", lang, allowed)
    if not isinstance(frame.index, pd.RangeIndex):
        for label in frame.index:
            out += text_findings(str(label), f"{where} row label", lang, allowed)
    for column in frame.columns:
        values = frame[column]
        if editor and (pd.api.types.is_numeric_dtype(values) or pd.api.types.is_datetime64_any_dtype(values)):
            continue  # typed by the user; the page's column_config sets the format
        if pd.api.types.is_bool_dtype(values):
            out.append(f"{where} column {column!r}: True/False")
        elif pd.api.types.is_datetime64_any_dtype(values):
            out.append(f"{where} column {column!r}: raw dates (browser format)")
        elif pd.api.types.is_float_dtype(values) or (
            pd.api.types.is_integer_dtype(values)
            and values.abs().max() >= 1000
            and not values.between(1900, 2100).all()  # years read the same everywhere
        ):
            out.append(f"{where} column {column!r}: numbers in the browser's locale")
        else:
            for value in values.dropna().unique()[:200] if values.notna().any() else []:
                out += text_findings(str(value), f"{where} cell", lang, allowed)
            if values.isna().any() and not editor:
                out.append(f"{where} column {column!r}: missing cells shown as None")
    return out


def figure_texts(spec: dict) -> Iterator[tuple[str, str]]:
    """The texts of a plotly figure a user reads: titles, axis titles, legend, trace names, labels, hovers."""
    layout = spec.get("layout", {})

    def title(value: object) -> str:
        return str(value.get("text", "")) if isinstance(value, dict) else str(value or "")

    yield "chart title", title(layout.get("title"))
    for key, value in layout.items():
        if re.fullmatch(r"[xy]axis\d*", key) and isinstance(value, dict):
            yield f"chart {key} title", title(value.get("title"))
            for label in value.get("ticktext", []) or []:
                yield f"chart {key} tick", str(label)
    for annotation in layout.get("annotations", []) or []:
        yield "chart annotation", str(annotation.get("text", ""))
    for trace in spec.get("data", []):
        yield "chart trace name", str(trace.get("name", "") or "")
        yield "chart hover", str(trace.get("hovertemplate", "") or "")
        for key in ("text", "hovertext", "x", "y"):
            values = trace.get(key)
            if key in ("x", "y") and trace.get("type") not in ("bar", "waterfall", "box"):
                continue
            if isinstance(values, str):
                yield f"chart {key}", values
            elif isinstance(values, list):
                for value in values[:200]:
                    if isinstance(value, str) and not re.match(r"\d{4}-\d\d-\d\d", value):
                        yield f"chart {key}", value


def page_findings(at: AppTest, lang: str, allowed: Iterable[str]) -> list[str]:
    """Everything readable on the page as AppTest sees it."""
    out: list[str] = []
    allowed = list(allowed)

    def check(text: object, where: str) -> None:
        out.extend(text_findings(str(text), where, lang, allowed))

    for kind in (
        "title",
        "header",
        "subheader",
        "markdown",
        "caption",
        "info",
        "warning",
        "error",
        "success",
    ):
        for element in getattr(at, kind):
            check(element.value, kind)
    for metric in at.metric:
        check(metric.label, "metric label")
        check(metric.value, "metric value")
        check(metric.delta or "", "metric delta")
    for kind in ("selectbox", "multiselect", "radio"):
        for widget in getattr(at, kind):
            check(widget.label, f"{kind} label")
            for option in widget.options:
                check(option, f"{kind} option")
    for kind in ("button", "checkbox", "toggle", "text_input", "number_input", "slider", "date_input"):
        for widget in getattr(at, kind):
            check(widget.label, f"{kind} label")
    for kind in ("download_button", "expander", "tab", "button_group"):
        for element in at.get(kind):
            label = getattr(element.proto, "label", "")
            check(label, f"{kind} label")
            for option in getattr(element.proto, "options", []):
                check(getattr(option, "content", option), f"{kind} option")
    for frame in at.dataframe:
        value = frame.value
        value = value.data if hasattr(value, "data") else value
        config = json.loads(frame.proto.columns or "{}")  # headers given through column_config
        labels = {name: c["label"] for name, c in config.items() if isinstance(c, dict) and c.get("label")}
        value = value.rename(columns=labels)
        editor = frame.editing_mode != "read_only"  # what a user types: the browser's own input
        out += frame_findings(value, "table", lang, allowed, editor=editor)
    for table in at.table:
        out += frame_findings(table.value, "table", lang, allowed)
    for chart in at.get("plotly_chart"):
        for where, text in figure_texts(json.loads(chart.proto.spec)):
            check(text, where)
    return out


# --- the stores the pages run on


def real_prices(db_url: str) -> None:
    from data.market.market_data import import_prices
    from data.store import MarketStore

    store = MarketStore.from_url(db_url)
    for name in (GOLD_LBMA, COP_YAHOO, PEN_BCRP):
        path = shared_file(name)
        import_prices(store, path.read_bytes(), path.name)
    store.engine.dispose()


def ledger_on_real_prices(db_url: str) -> list[str]:
    """The demo ledger's two cooperatives, priced on the real series (sales end with the COP data), stored
    as real sales; returns the cooperative and buyer names (data, allowed in either language)."""
    from data.demo_ledger import demo_sales
    from data.ledger import OPERATOR
    from data.store import MarketStore
    from services.sales import import_ledger

    store = MarketStore.from_url(db_url)
    gold = store.load_series("GOLD_USD")
    fx = {"COP": store.load_series("USD_COP"), "PEN": store.load_series("USD_PEN")}
    sales = demo_sales(gold, fx, pd.Timestamp("2021-02-25"))
    written = sales.assign(date=sales["date"].dt.strftime("%Y-%m-%d"))
    # the soles cooperative keeps its sheet without lot numbers: its sales get the importer's auto- ids,
    # which no page may show (a sale is then named by its date and buyer)
    with_ids, without_ids = written[written["currency"] != "PEN"], written[written["currency"] == "PEN"]
    inserted = 0
    for part, name in (
        (with_ids, "ventas.csv"),
        (without_ids.drop(columns=["sale_id"]), "ventas_sin_lote.csv"),
    ):
        report = import_ledger(store, OPERATOR, part.to_csv(index=False).encode(), name)
        inserted += report["inserted"]
    assert inserted == len(sales), report
    store.engine.dispose()
    return sorted({*sales["cooperative"], *sales["buyer"], *sales["notes"].astype(str)})


def app() -> AppTest:
    """The router, with time for the Forecast page's backtest on 50 years of real prices."""
    return AppTest.from_file(str(PROJECT_ROOT / "dashboard.py"), default_timeout=300)


def run_page(page: str, lang: str) -> AppTest:
    at = app()
    at.query_params["lang"] = lang
    at.run()
    at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


def assert_clean(findings: list[str]) -> None:
    assert not findings, f"{len(findings)} findings:\n" + "\n".join(sorted(set(findings)))


@pytest.mark.parametrize("lang", ["es", "en", "mn"])
def test_every_page_with_real_prices_and_a_ledger_reads_in_one_language(db_url, lang):
    real_prices(db_url)
    names = ledger_on_real_prices(db_url)
    findings = []
    for page in PAGES:
        at = run_page(page, lang)
        findings += [f"{page}: {f}" for f in page_findings(at, lang, names)]
        if page == "app_pages/sales.py":  # the phone's few columns and the whole table one tap away
            assert any(
                e.label.startswith(("Ver la tabla completa", "See the whole table", "Хүснэгтийг бүтнээр"))
                for e in at.expander
            )
    findings += style_findings(lang)
    assert_clean(findings)


def style_findings(lang: str) -> list[str]:
    from ui.style import style_sheet

    texts = re.findall(r'content: "([^"]*)"', style_sheet(lang, 20))
    assert len(texts) == 2  # the uploader's button and its limit
    return [finding for text in texts for finding in text_findings(text, "uploader (CSS)", lang)]


def test_every_page_on_an_empty_store_reads_in_spanish(db_url):
    findings = []
    for page in PAGES:
        at = run_page(page, "es")
        findings += [f"{page}: {f}" for f in page_findings(at, "es", [])]
    assert_clean(findings)


# --- the briefing's files


def workbook_findings(content: bytes, lang: str, allowed: list[str]) -> list[str]:
    out = []
    book = openpyxl.load_workbook(io.BytesIO(content))
    for sheet in book.worksheets:
        out += text_findings(sheet.title, "sheet name", lang, allowed)
        for row in sheet.iter_rows(values_only=True):
            for cell in row:
                if isinstance(cell, str):
                    out += text_findings(cell, f"sheet {sheet.title!r} cell", lang, allowed)
                elif isinstance(cell, float) and cell.is_integer() and sheet.title == "summary":
                    out.append(f"sheet {sheet.title!r}: count written as {cell}")
        for row in sheet.iter_rows():
            for cell in row:
                value = cell.value
                if (
                    isinstance(value, int | float)
                    and not isinstance(value, bool)
                    and cell.number_format == "General"
                ):
                    out.append(f"sheet {sheet.title!r} {cell.coordinate}: unformatted number {value!r}")
    return out


def html_findings(page: str, lang: str, allowed: list[str]) -> list[str]:
    body = page.split("</head>", 1)[1]
    decoder, out = json.JSONDecoder(), []
    for call in re.finditer(r"Plotly\.newPlot\(\s*\"[^\"]+\",\s*", body):
        data, end = decoder.raw_decode(body, call.end())
        layout, _ = decoder.raw_decode(body, body.index("{", end))
        spec = {"data": data, "layout": layout}
        for where, text in figure_texts(spec):
            out += text_findings(text, f"html {where}", lang, allowed)
    prose = re.sub(r"<script.*?</script>", " ", body, flags=re.S)
    for text in re.sub(r"<[^>]+>", "\n", prose).split("\n"):
        if text.strip():
            out += text_findings(text, "html text", lang, allowed)
    return out


@pytest.mark.parametrize("lang", ["es", "en", "mn"])
def test_the_briefing_files_read_in_one_language(db_url, lang):
    from analytics.briefing import parse_period
    from data.ledger import OPERATOR
    from data.market.market_data import load_snapshot
    from data.store import MarketStore
    from presentation.briefing_report import briefing_html, briefing_xlsx
    from services.briefing import briefing_view

    real_prices(db_url)
    names = ledger_on_real_prices(db_url)
    store = MarketStore.from_url(db_url)
    start, end, kind = parse_period("2021-02")
    briefing = briefing_view(store, OPERATOR, load_snapshot(store), start, end, kind)
    store.engine.dispose()
    findings = html_findings(briefing_html(briefing, lang), lang, names)
    findings += workbook_findings(briefing_xlsx(briefing, lang), lang, names)
    assert_clean(findings)
