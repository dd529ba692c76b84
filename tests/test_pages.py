"""Every page runs headlessly in AppTest, offline, with its main widgets driven."""

import json

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import COP_YAHOO, GOLD_LBMA, PEN_BCRP, PROJECT_ROOT, shared_file

PAGES = [
    "app_pages/overview.py",
    "app_pages/market.py",
    "app_pages/forecast.py",
    "app_pages/timing.py",
    "app_pages/briefing.py",
    "app_pages/sales.py",
    "app_pages/premiums.py",
    "app_pages/offers.py",
    "app_pages/alerts.py",
    "app_pages/buyers.py",
]
TIMEOUT_S = 60


def app() -> AppTest:
    return AppTest.from_file(str(PROJECT_ROOT / "dashboard.py"), default_timeout=TIMEOUT_S)


def shown_text(markdown: str) -> str:
    """What a reader sees of a message whose user text was escaped (presentation/text.py): the backslashes go."""
    return markdown.replace("\\", "")


def metric_values(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


@pytest.mark.parametrize("page", PAGES)
def test_every_page_runs_on_demo_data_with_a_banner(db_url, page):
    at = app().run()
    at.switch_page(page).run()
    assert not at.exception, at.exception
    assert any("no son precios reales" in w.value and "modo sin conexión" in w.value for w in at.warning)


def test_overview_shows_the_price_of_a_fine_gram_in_pesos(db_url):
    at = app().run()
    assert not at.exception
    values = metric_values(at)
    price = values["1 gramo de oro fino, hoy (DEMOSTRACIÓN, no es real)"]
    buy = values["Compra Banco de la República (95 %) (DEMOSTRACIÓN, no es real)"]
    assert price.startswith("$ ") and "." in price  # es-CO: $ 296.375
    as_number = float(price[2:].replace(".", ""))
    assert float(buy[2:].replace(".", "")) == pytest.approx(0.95 * as_number, abs=1.0)
    assert "Cambio en 1 semana" in values and "Cambio en 1 mes" in values
    assert len(at.get("plotly_chart")) == 1
    assert at.query_params["cur"] == "COP" and at.query_params["lang"] == "es"


def test_settings_drive_the_overview_and_the_url(db_url):
    at = app().run()
    gram = metric_values(at)["1 gramo de oro fino, hoy (DEMOSTRACIÓN, no es real)"]
    at.selectbox(key="unit").select("castellano").run()
    castellano = metric_values(at)["1 castellano (4,6 g) de oro fino, hoy (DEMOSTRACIÓN, no es real)"]
    assert float(castellano[2:].replace(".", "")) == pytest.approx(
        4.6 * float(gram[2:].replace(".", "")), rel=1e-4
    )
    at.selectbox(key="lang").select("en").run()
    at.selectbox(key="cur").select("PEN").run()
    at.selectbox(key="unit").select("g").run()
    assert not at.exception
    values = metric_values(at)
    assert values["1 fine gram of gold, today (DEMO, not real)"].startswith("PEN ")
    assert at.query_params["lang"] == "en" and at.query_params["cur"] == "PEN"
    assert any("not real prices" in w.value for w in at.warning)


def test_settings_come_from_the_url(db_url):
    at = app()
    at.query_params.update({"lang": "en", "cur": "USD", "unit": "oz"})
    at.run()
    assert not at.exception
    price = metric_values(at)["1 fine troy ounce of gold, today (DEMO, not real)"]
    assert price.startswith("$")  # USD in en_US


def test_market_page_widgets(db_url):
    at = app().run()
    at.switch_page("app_pages/market.py").run()
    assert not at.exception
    assert at.title[0].value == "Mercado del oro"
    assert len(at.get("plotly_chart")) == 4  # price, decomposition, volatility, drawdown
    performance = at.dataframe[0].value
    # one set of labels per language: the table's and the range buttons' (1 año, not 1Y beside 1A)
    spanish = ["1 día", "1 sem.", "1 mes", "3 meses", "En el año", "1 año", "5 años"]
    assert list(performance.columns) == ["Hasta", *spanish]  # each row's own last day first
    assert performance.index.tolist()[0] == "Oro, USD/oz"
    at.get("button_group")[0].set_value("1Y").run()
    assert not at.exception
    assert any(m.value.startswith("Del ") and "tasa de cambio" in m.value for m in at.markdown)
    assert len(at.get("download_button")) == 2
    # USD has no exchange-rate decomposition
    at.selectbox(key="cur").select("USD").run()
    assert not at.exception
    assert len(at.get("plotly_chart")) == 3


def test_stored_real_data_replaces_the_demo_banner(db_url):
    from data.market.market_data import import_prices
    from data.store import MarketStore

    store = MarketStore.from_url(db_url)
    for name in (GOLD_LBMA, COP_YAHOO):
        path = shared_file(name)
        import_prices(store, path.read_bytes(), path.name)
    at = app().run()
    assert not at.exception
    # gold and COP are real now: a short note lists the series still demo, gold not among them
    note = " ".join(i.value for i in at.info)
    assert "soles por dólar" in note and "oro en dólares" not in note and "USD_PEN" not in note
    assert not any("no son precios reales.**" in w.value for w in at.warning)
    # LBMA ends 2021-03-02; COP (Yahoo) on that day closed 3,634.5 or so: the price is a 2021 price
    assert "2 mar 2021" in " ".join(c.value for c in at.caption)
    assert any(
        w.value.startswith("Precio antiguo: el último precio guardado es del 2 mar 2021") for w in at.warning
    )
    assert "1 gramo de oro fino, al 2 mar 2021" in metric_values(at)  # a stale price is never "today"
    at.switch_page("app_pages/market.py").run()
    assert not at.exception
    rows = at.dataframe[0].value.index.tolist()  # real gold × a demo rate is no price: a missing row
    assert "Oro, COP/g" in rows and "Oro, PEN/g · sin tasa de cambio" in rows


def chart_title(element) -> str:
    """A drawn plotly chart's title, read from its JSON (plotly escapes non-ASCII text unless orjson is
    installed, so searching the raw JSON text would depend on an optional package)."""
    title = json.loads(element.proto.spec)["layout"]["title"]
    return str(title.get("text", "")) if isinstance(title, dict) else str(title)


def test_sidebar_import_reports_rows_and_refuses_bad_files(db_url):
    at = app().run()
    # AppTest cannot drive st.file_uploader yet: the import itself is tested through ui.state below
    assert at.selectbox(key="price_upload_series").value == "auto"
    assert at.button(key="price_upload_button").disabled


def test_upload_handler_stores_and_reports(db_url):
    from data.market.importers import PriceFileError
    from tests.conftest import SAMPLES
    from ui.state import import_price_file

    report = import_price_file((SAMPLES / "xauusd_d.csv").read_bytes(), "xauusd_d.csv", None)
    assert (report["series"], report["rows_stored"], report["rows_new"]) == ("GOLD_USD", 5, 5)
    with pytest.raises(PriceFileError):
        import_price_file(b"nonsense", "x.csv", None)


def test_sidebar_price_report_is_in_the_users_language(db_url):
    from data.market.importers import PriceFileError
    from i18n import problem_text
    from presentation.tables import price_problem_rows
    from ui.state import import_price_file

    content = (
        b"date,value\n2024-05-06,2300\n2024-05-07,2310\n2024-05-07,2310\n2024-05-08,2600\n"
        b"2024-05-11,2600\n2024-05-13,2590\n"
    )
    report = import_price_file(content, "oro.csv", "GOLD_USD")
    reasons = {flag["code"]: flag["reason"] for flag in report["flagged"]}
    # the CLI's English reasons are unchanged
    assert reasons == {
        "duplicate_date": "duplicate of line 3",
        "extreme_move": "extreme move +12.6% (kept)",
        "weekend_date": "weekend date (Saturday), kept",
    }
    spanish = {flag["code"]: problem_text(flag["problems"][0], "es") for flag in report["flagged"]}
    assert spanish == {
        "duplicate_date": "Repetida: igual a la línea 3",
        "extreme_move": "Movimiento extremo de +12,6 % (se conserva)",
        "weekend_date": "Fecha en fin de semana (sábado): se conserva",
    }
    table = price_problem_rows(report["flagged"], report["rejected"], "es")
    assert list(table.columns) == ["Tipo", "Línea", "Fecha", "Motivo"]
    assert set(table["Motivo"]) == set(spanish.values())
    assert set(table["Tipo"]) == {"Marcada"}
    english = price_problem_rows(report["flagged"], report["rejected"], "en")
    assert set(english["Reason"]) == set(reasons.values())

    # a file of which no row can be stored is refused with its lines' reasons in the user's language
    with pytest.raises(PriceFileError) as refused:
        import_price_file(b"date,value\n2024-05-06,0\n2024-05-07,\n", "oro.csv", "GOLD_USD")
    assert problem_text(refused.value.problem, "es") == (
        "No se pudo guardar ninguna fila del archivo (línea 2: valor no positivo: 0; línea 3: valor vacío)"
    )
    assert str(refused.value) == (
        "no row of the file could be stored (line 2: non-positive value 0; line 3: empty value)"
    )


def test_forecast_page_fan_chart_leaderboard_and_widgets(db_url):
    at = app().run()
    at.switch_page("app_pages/forecast.py").run()
    assert not at.exception, at.exception
    assert at.title[0].value == "Pronóstico del precio"
    assert len(at.get("plotly_chart")) == 2  # fan chart, error by horizon
    board = at.dataframe[0].value
    assert len(board) == 6 and board["Modelo"].str.contains("elegido").sum() == 1
    assert board.loc[board["Modelo"].str.startswith("Sin cambio (paseo"), "rMAE"].item() == "1,000"
    values = metric_values(at)
    expected = next(label for label in values if label.startswith("Precio esperado el "))
    assert values[expected].startswith("$ ")
    reading = " ".join(m.value for m in at.markdown)
    assert "En los últimos" in reading and "banda del 80 %" in reading
    assert "Diebold–Mariano" in reading  # the selection, either way, is a test's verdict with its p-value
    assert "Puntaje de intervalo 80 %" in board.columns
    # plain words first; the tests' names, the leaderboard and rMAE only inside "Detalles técnicos"
    details = next(e for e in at.expander if e.label == "Detalles técnicos")
    technical = {m.value for m in details.markdown} | {c.value for c in details.caption}
    for element in [*at.markdown, *at.caption]:
        if element.value not in technical:
            assert not any(w in element.value for w in ("Diebold", "rMAE", "conformal", "acktest")), (
                element.value
            )
    assert details.dataframe[0].value.equals(board)
    assert any("Cómo leer estos números" in c.value for c in at.caption)

    # a shorter horizon, gold in USD, a model the user picks
    at.slider(key="forecast_horizon").set_value(5).run()
    at.selectbox(key="forecast_target").select("GOLD_USD").run()
    at.selectbox(key="forecast_model").select("theta").run()
    assert not at.exception, at.exception
    # the model's plain name above the details (its technical name, Theta, is in the leaderboard)
    title = chart_title(at.get("plotly_chart")[0]).replace("<br>", " ")  # wrapped for a phone
    assert title == "Pronóstico a 5 días hábiles — Tendencia suavizada"
    assert any("Usted eligió «Tendencia suavizada»" in info.value for info in at.info)
    values = metric_values(at)
    usd_per_oz = values[next(label for label in values if label.startswith("Precio esperado el "))]
    assert usd_per_oz.startswith("US$ ") and 500 < float(usd_per_oz[4:].replace(".", "")) < 10_000


PASTED_SALES = (
    "Lote\tFecha\tComprador\tPeso\tLey\tMoneda\tPago\tCertificación\tPrima USD\n"
    "L-1\t2024-05-10\tRefinería Uno\t100\t0,9\tCOP\t26000000\tFairmined\t360\n"
    "L-2\t2024-05-17\tRefinería Dos\t50\t875\tCOP\t11000000\tninguna\t0\n"
    "L-3\t2099-01-01\tRefinería Dos\t50\t875\tCOP\t11000000\tninguna\t0\n"
)


def test_sales_page_shows_the_fictional_demo_ledger_only_when_asked(db_url):
    at = app().run()
    at.switch_page("app_pages/sales.py").run()
    assert not at.exception, at.exception
    assert not any("ficticias de demostración" in info.value for info in at.info)  # no fiction by default
    assert any("Aún no hay ventas guardadas" in info.value for info in at.info)
    at.toggle(key="example_ledger").set_value(True).run()
    assert not at.exception, at.exception
    assert any("Ventas ficticias de demostración" in info.value for info in at.info)
    assert len(at.dataframe[0].value) > 150  # two fictional cooperatives, two years of weekly sales
    assert "(ficticia, demo)" in at.selectbox(key="coop").options[1]


def test_sales_page_paste_map_store_edit_and_delete(db_url):
    at = app().run()
    at.switch_page("app_pages/sales.py").run()
    at.text_input(key="sales_coop_name").input("Cooperativa Prueba").run()
    at.text_area(key="sales_paste").input(PASTED_SALES).run()
    assert not at.exception, at.exception
    # "Pago" is not a name we know: the amount column is mapped by hand
    assert any("Faltan columnas: Monto recibido" in shown_text(e.value) for e in at.error)  # user's language
    at.selectbox(key="map_amount_received").select("Pago").run()
    assert not at.exception, at.exception
    assert any("2 filas listas para guardar, 1 con errores" in m.value for m in at.markdown)
    understood = at.dataframe[0].value  # what the import read, before storing (issue 22)
    assert understood.set_index("Dato").loc["Monto recibido (neto)", "Columna del archivo"] == "Pago"
    rejected = next(frame.value for frame in at.dataframe if "Motivo" in frame.value.columns)
    assert rejected["Línea"].tolist() == [4] and "está en el futuro" in rejected["Motivo"].iloc[0]
    at.button(key="sales_store").click().run()
    assert not at.exception, at.exception

    # stored: the demo banner is gone, the sidebar offers the cooperative, the ledger lists the two sales
    assert any("Guardadas 2 ventas nuevas; 0 ya estaban; 1 rechazadas" in s.value for s in at.success)
    assert not any("ficticias" in info.value for info in at.info)
    assert at.text_area(key="sales_paste").value == ""
    at.selectbox(key="coop").select("Cooperativa Prueba").run()
    ledger = next(frame.value for frame in at.dataframe if "Cooperativa" in frame.value.columns)
    assert sorted(ledger["Venta (lote)"]) == ["L-1", "L-2"]

    # edit L-2's fineness through the form: audited, fine gold follows
    at.selectbox(key="edit_pick").select("Cooperativa Prueba · L-2").run()
    at.text_input(key="edit_fineness_L-2").input("0,8")  # inside a form: sent with the submit
    at.button[[b.label for b in at.button].index("Guardar cambios")].click().run()
    assert not at.exception, at.exception
    from data.ledger import OPERATOR, audit_trail, load_sales
    from data.store import MarketStore

    store = MarketStore.from_url(db_url)
    sales = load_sales(store, OPERATOR).set_index("sale_id")
    assert sales.loc["L-2", "fineness"] == 0.8 and sales.loc["L-2", "fine_gold_g"] == 40.0

    # delete L-1: nothing happens until confirmed
    at.selectbox(key="delete_pick").select("Cooperativa Prueba · L-1").run()
    at.button(key="delete_ask").click().run()
    assert any("¿Eliminar la venta L-1?" in shown_text(w.value) for w in at.warning)
    assert len(load_sales(store, OPERATOR)) == 2
    at.button(key="delete_yes").click().run()
    assert not at.exception, at.exception
    assert load_sales(store, OPERATOR)["sale_id"].tolist() == ["L-2"]
    assert audit_trail(store, OPERATOR)["action"].tolist() == ["delete", "edit"]


def test_sales_page_shows_review_flags_in_the_users_language(db_url, store):
    """The flags stored with each sale were English sentences in the Spanish "Para revisar" column."""
    from sqlalchemy import update

    from data.ledger import OPERATOR, load_sales
    from data.store import sales_table
    from services.sales import import_ledger

    days = pd.bdate_range("2024-05-01", "2024-05-31")
    store.write_series("GOLD_USD", pd.DataFrame({"date": days, "value": 2300.0}), "yahoo:GC=F")
    store.write_series("USD_COP", pd.DataFrame({"date": days, "value": 3900.0}), "trm")
    content = (
        b"sale_id,date,gross_weight_g,fineness,currency,amount_received\n"
        b"L-1,2024-05-10,100,0.9,COP,260000000\n"  # ten times the benchmark: an extra zero
        b"L-2,2024-05-17,100,0.9,COP,26000000\n"
        b"L-3,2024-05-24,100,0.9,COP,26000000\n"
    )
    report = import_ledger(store, OPERATOR, content, "ventas.csv", cooperative="Cooperativa Prueba")
    assert report["inserted"] == 3
    stored = load_sales(store, OPERATOR).set_index("sale_id")["flags"]
    assert json.loads(stored["L-1"])[0]["code"] == "price_implausible" and stored["L-2"] == ""
    with store.engine.begin() as conn:  # a flag stored before flags were codes: shown as it is
        conn.execute(
            update(sales_table).where(sales_table.c.sale_id == "L-3").values(flags="an old English flag")
        )

    def review_column(at: AppTest, header: str) -> dict[str, str]:
        frame = next(f.value for f in at.dataframe if header in f.value.columns)
        sale = next(column for column in frame.columns if column in ("Venta (lote)", "Sale (lot)"))
        return dict(zip(frame[sale], frame[header], strict=True))

    at = app().run()
    at.switch_page("app_pages/sales.py").run()
    at.selectbox(key="coop").select("Cooperativa Prueba").run()
    assert not at.exception, at.exception
    spanish = review_column(at, "Para revisar")
    assert spanish["L-1"].startswith("El precio es el 1.002 % del de referencia (fuera de 30–200 %)"), spanish
    assert spanish["L-2"] == "" and spanish["L-3"] == "an old English flag"
    at.selectbox(key="lang").select("en").run()
    assert not at.exception, at.exception
    english = review_column(at, "To review")
    assert english["L-1"].startswith("price is 1002 % of the benchmark (outside 30–200 %)"), english
    assert english["L-3"] == "an old English flag"


def test_premiums_page_figures_and_widgets_on_the_demo_ledger(db_url):
    at = app().run()
    at.switch_page("app_pages/premiums.py").run()
    assert not at.exception, at.exception
    assert not at.metric and not at.get("plotly_chart")  # no sales, no example asked for: no figures
    at.toggle(key="example_ledger").set_value(True).run()
    assert not at.exception, at.exception
    values = metric_values(at)
    assert values["Oro fino vendido"].endswith(" g")
    for label in ("Precio del comprador", "Neto recibido", "Total con prima"):  # the three numbers
        assert values[label].endswith(" %"), label
    assert values["Primas de certificación recibidas"].endswith(" USD")
    first = at.markdown[0].value  # one plain sentence first
    assert first.startswith("Sus compradores pagaron en promedio el ") and "del precio de referencia" in first
    assert "Sin contar 1 venta marcada para revisión" in first  # the demo's typo, left out
    assert len(at.get("plotly_chart")) == 2  # realised vs benchmark, waterfall
    assert any("venta con un precio fuera del 30–200 %" in w.value for w in at.warning)  # the demo's typo
    peruvian = next(name for name in at.selectbox(key="coop").options if "Río Claro" in name)
    at.selectbox(key="coop").select(peruvian).run()
    assert not at.exception, at.exception
    assert at.selectbox(key="premiums_currency").value == "PEN"
    sale = at.selectbox(key="waterfall_sale").options[1]
    at.selectbox(key="waterfall_sale").select(sale).run()
    assert not at.exception, at.exception
    assert sale in chart_title(at.get("plotly_chart")[1])


def test_timing_page_reading_signals_and_backtest(db_url):
    at = app().run()
    at.switch_page("app_pages/timing.py").run()
    assert not at.exception, at.exception
    assert at.title[0].value == "¿Vender ahora o esperar?"
    reading = at.subheader[0].value
    assert any(word in reading for word in ("Vender ahora", "Vender una parte", "Guardar (máximo 30 días)"))
    signals = at.table[0].value  # a static table: two columns that wrap on a phone
    assert "RSI de 14 días (más de 70: subida muy rápida)" in signals.index.tolist()
    assert len(at.get("plotly_chart")) == 4  # price and averages, RSI, seasonality, lots
    sentences = " ".join(m.value for m in at.markdown)
    assert sentences.count("lotes semanales") == 3 and "intervalo del 95 %" in sentences
    # the user's inputs drive the backtest
    by_year = at.dataframe[-1].value
    at.slider(key="timing_hold").set_value(10).run()
    at.text_input(key="timing_cost").input("2,0").run()
    assert not at.exception, at.exception
    assert "2,0 % al mes de costos" in " ".join(m.value for m in at.markdown)
    assert not at.dataframe[-1].value.equals(by_year)  # shorter holds, dearer costs: other results


def test_briefing_page_summary_table_charts_and_period_widgets(db_url):
    at = app().run()
    at.switch_page("app_pages/briefing.py").run()
    assert not at.exception, at.exception
    text = " ".join(m.value for m in at.markdown)
    assert "el oro internacional" in text and "Bolivia: se usa la tasa oficial" in text
    countries = at.dataframe[0].value
    assert countries["Moneda"].tolist() == ["COP", "PEN", "BOB *", "USD", "MNT"]
    assert countries.loc[0, "Compra 95 % (BanRep)"].startswith("$ ")
    assert len(at.get("plotly_chart")) >= 3
    at.get("button_group")[0].set_value("quarter").run()
    assert not at.exception, at.exception
    quarter = at.selectbox(key="briefing_quarter_pick")
    quarter.select(quarter.options[1]).run()  # the previous quarter
    assert not at.exception, at.exception
    assert "el oro internacional" in " ".join(m.value for m in at.markdown)


def test_banner_says_which_series_are_demo_when_gold_and_the_currency_are_stored(db_url, store):
    import pandas as pd

    days = pd.bdate_range(end=pd.Timestamp.now().normalize(), periods=400)
    store.write_series("GOLD_USD", pd.DataFrame({"date": days, "value": 2300.0}), "test")
    store.write_series("USD_COP", pd.DataFrame({"date": days, "value": 3900.0}), "test")
    at = app().run()
    assert not at.exception, at.exception
    assert not any("no son precios reales.**" in w.value for w in at.warning)
    assert any(
        "Otras series son de demostración" in i.value and "soles por dólar" in i.value for i in at.info
    )
    at.switch_page("app_pages/briefing.py").run()
    assert not at.exception, at.exception
    assert at.dataframe[0].value["Moneda"].tolist() == ["COP", "USD"]  # no real-gold × demo-rate prices
    at.selectbox(key="cur").select("PEN").run()
    assert any("no son precios reales" in w.value for w in at.warning)  # this view uses a demo rate


def import_real(db_url: str, *names: str) -> None:
    from data.market.market_data import import_prices
    from data.store import MarketStore

    store = MarketStore.from_url(db_url)
    for name in names:
        path = shared_file(name)
        import_prices(store, path.read_bytes(), path.name)
    store.engine.dispose()


def stale_warnings(at: AppTest, day: str) -> list[str]:
    return [
        w.value
        for w in at.warning
        if w.value.startswith(f"Precio antiguo: el último precio guardado es del {day}")
    ]


def test_stale_data_are_dated_and_never_today_on_every_page(db_url):
    """Prices ending 2021-03-02: Sell timing read "Lectura de hoy (2 mar 2021)", Forecast "Hoy (2 mar 2021)",
    and only the Overview warned. Every page that shows a price, change, forecast or reading now warns."""
    import_real(db_url, GOLD_LBMA, COP_YAHOO)
    at = app().run()
    assert stale_warnings(at, "2 mar 2021") and "1 gramo de oro fino, al 2 mar 2021" in metric_values(at)
    at.switch_page("app_pages/market.py").run()
    assert not at.exception, at.exception
    assert stale_warnings(at, "2 mar 2021")
    at.switch_page("app_pages/timing.py").run()
    assert not at.exception, at.exception
    assert stale_warnings(at, "2 mar 2021")
    captions = [c.value for c in at.caption]
    assert "Lectura al 2 mar 2021 (último dato)" in captions
    assert not any(c.startswith("Lectura de hoy") for c in captions)
    reading = " ".join(m.value for m in at.markdown)
    assert "mayor que el del 2 mar 2021" in reading and "que el de hoy" not in reading
    at.slider(key="timing_hold").set_value(10).run()  # the reading stays dated after an input changes
    assert not at.exception and "Lectura al 2 mar 2021 (último dato)" in [c.value for c in at.caption]
    at.switch_page("app_pages/briefing.py").run()
    assert not at.exception, at.exception
    assert stale_warnings(at, "2 mar 2021")
    countries = at.dataframe[0].value.set_index("Moneda")
    assert countries.loc["USD", "Por el tipo de cambio (pp)"] == "–"  # no rate: missing, not 0,0
    assert countries.loc["USD", "Compra 95 % (BanRep)"] == "–"  # Banco de la República buys pesos' gold
    # the full backtest on 50 years of real prices: minutes, not seconds, on a busy shared machine
    at.switch_page("app_pages/forecast.py").run(timeout=300)
    assert not at.exception, at.exception
    assert stale_warnings(at, "2 mar 2021")
    labels = list(metric_values(at))
    assert "Último dato (2 mar 2021)" in labels and not any(label.startswith("Hoy") for label in labels)
    at.selectbox(key="lang").select("en").run()
    assert not at.exception, at.exception
    assert any(
        w.value.startswith("Old price: the latest stored price is from Mar 2, 2021") for w in at.warning
    )
    assert "Last data (Mar 2, 2021)" in metric_values(at)


def test_stale_limit_setting_turns_the_warning_into_an_as_of_date(db_url, monkeypatch):
    monkeypatch.setenv("GOLD_DASHBOARD_STALE_DAYS", "1000000")
    import_real(db_url, GOLD_LBMA, COP_YAHOO)
    at = app().run()
    assert not stale_warnings(at, "2 mar 2021")
    assert "Datos hasta el 2 mar 2021." in [c.value for c in at.caption]
    assert "1 gramo de oro fino, al 2 mar 2021" in metric_values(at)
    at.switch_page("app_pages/timing.py").run()
    assert "Lectura al 2 mar 2021 (último dato)" in [c.value for c in at.caption]


def recent_gold(start: str = "2024-01-01"):
    """A stored gold series up to today (seeded random walk): real exchange-rate files then end before it."""
    days = pd.bdate_range(start, pd.Timestamp.now().normalize())
    steps = np.random.default_rng(13).normal(0, 0.01, len(days))
    return pd.DataFrame({"date": days, "value": 2000.0 * np.exp(np.cumsum(steps))})


def test_performance_table_dates_each_row_and_a_missing_rate_is_missing(db_url, store):
    """Gold to today, COP (Yahoo) ending 2021, PEN (BCRP) ending 2024-06-05: each row is measured to its
    own last day and says it (issue 30: all rows dated by PEN's gave Colombia three "last price" days
    across pages); the 7 days PEN's last rate was carried once read '+0,0 pp from the exchange rate'."""
    from analytics.market import pct_change_since
    from i18n import format_day, format_pct, horizon_label, reading_for
    from services.market import local_prices, market_snapshot

    store.write_series("GOLD_USD", recent_gold(), "test")
    import_real(db_url, COP_YAHOO, PEN_BCRP)
    at = app()
    at.query_params.update({"cur": "PEN"})
    at.run()
    at.switch_page("app_pages/market.py").run()
    assert not at.exception, at.exception
    table = at.dataframe[0].value
    assert table.loc["Oro, PEN/g", "Hasta"] == "5 jun 2024"
    gold_last = recent_gold()["date"].iloc[-1]
    assert table.loc["Oro, USD/oz", "Hasta"] == format_day(gold_last, "es")
    row = table.loc["Oro, COP/g · sin tasa de cambio"]
    assert (row.drop("Hasta") == "–").all()  # COP's 2021 rate meets no gold day
    snapshot = market_snapshot(store)
    gold = snapshot.gold_usd_per_oz
    pen = local_prices(snapshot, "PEN", "g")["price"].loc[:"2024-06-05"]
    week, month = horizon_label("1W", "es"), horizon_label("1M", "es")  # the table's Spanish headers
    with reading_for("PEN"):  # a reader in Peru: every number on the page as Peru writes it (-1.2 %)
        assert table.loc["Oro, USD/oz", week] == format_pct(
            pct_change_since(gold, "1W"), "es"
        )  # its own week
        assert table.loc["Oro, PEN/g", month] == format_pct(pct_change_since(pen, "1M"), "es")
    # PEN prices end with their rate (2024-06-05, the as-of rule): the last week is measured, never a
    # rate carried past its end that reads "+0,0 pp"
    at.get("button_group")[0].set_value("1W").run()
    assert not at.exception, at.exception
    text = " ".join(m.value for m in at.markdown)
    assert "al 5 jun 2024" in text and "+0,0 pp por la tasa de cambio" not in text
    assert stale_warnings(at, "5 jun 2024")  # PEN's last price is dated and old
    at.get("button_group")[0].set_value("3M").run()
    assert "pp por la tasa de cambio" in " ".join(m.value for m in at.markdown)


def test_banrep_buy_price_is_shown_for_colombia_only(db_url, monkeypatch):
    """The Banco de la República 95 % price was shown for Peru, Bolivia, Mongolia and Ecuador."""
    import_real(db_url, GOLD_LBMA, PEN_BCRP)
    at = app().run()
    for currency in ("PEN", "BOB", "MNT", "USD"):
        at.selectbox(key="cur").select(currency).run()
        assert not at.exception, at.exception
        assert not any("Banco de la República" in label for label in metric_values(at)), currency
    monkeypatch.setenv("GOLD_DASHBOARD_REFERENCE_BUYERS", "PEN=Activos Mineros:0.96")
    at.selectbox(key="cur").select("PEN").run()
    values = metric_values(at)
    price = next(v for label, v in values.items() if label.startswith("1 gramo de oro fino"))
    bought = values["Compra Activos Mineros (96 %)"]  # real gold and real soles

    def number(text: str) -> float:  # es-PE writes S/ 1,234.56
        return float(text.replace("S/", "").replace(",", "").strip())

    assert number(bought) == pytest.approx(0.96 * number(price), abs=0.01)


def test_premiums_what_if_names_no_banrep_for_peruvian_sales(db_url):
    at = app().run()
    at.switch_page("app_pages/premiums.py").run()
    at.toggle(key="example_ledger").set_value(True).run()  # the fictional example, asked for
    assert "a Banco de la República al 95 %" in " ".join(m.value for m in at.markdown)  # COP sales first
    peruvian = next(name for name in at.selectbox(key="coop").options if "Río Claro" in name)
    at.selectbox(key="coop").select(peruvian).run()
    assert not at.exception, at.exception
    text = " ".join(m.value for m in at.markdown)
    assert "Banco de la República al 95 %" not in text
    assert "Para PEN no hay un comprador de referencia" in text


def test_demo_banner_reason_is_in_the_users_language_and_tells_no_connection(db_url, store, monkeypatch):
    """The reason was English ("no stored data yet; Yahoo Finance returned no data") and said nothing of
    the missing internet connection."""
    monkeypatch.delenv("GOLD_DASHBOARD_OFFLINE")
    # a failed attempt logged a moment ago: the router does not ask Yahoo again for 15 minutes
    store.log_fetch("yahoo", False, "no connection to Yahoo Finance (gaierror)", "no_connection")
    at = app().run()
    assert not at.exception, at.exception
    banner = next(w.value for w in at.warning if "no son precios reales" in w.value)
    assert "no hay conexión a internet" in banner and "Yahoo Finance returned" not in banner
    at.selectbox(key="lang").select("en").run()
    banner = next(w.value for w in at.warning if "not real prices" in w.value)
    assert "there is no internet connection" in banner


def test_yahoo_empty_answer_is_not_called_no_connection(db_url, store, monkeypatch):
    monkeypatch.delenv("GOLD_DASHBOARD_OFFLINE")
    store.log_fetch("yahoo", False, "Yahoo Finance returned no data (empty response)", "yahoo_empty")
    at = app().run()
    banner = next(w.value for w in at.warning if "no son precios reales" in w.value)
    assert "Yahoo Finance respondió, pero sin datos" in banner and "conexión" not in banner


def test_help_texts_name_the_providers_actually_used(db_url, store):
    """Help texts said the gold price is 'approximated by GC=F' whatever the source."""
    import_real(db_url, GOLD_LBMA, COP_YAHOO)
    at = app().run()
    help_text = next(m.proto.help for m in at.metric if m.label.startswith("1 gramo de oro fino"))
    assert "GC=F" not in help_text
    # each imported file is stored under the provider its format names: the FRED series is the LBMA fix
    assert "Fuente del precio del oro aquí: oro, fijación LBMA" in help_text
    assert "Fuente de la tasa de cambio: Yahoo Finance COP=X" in help_text
    days = pd.bdate_range(end=pd.Timestamp.now().normalize(), periods=30)
    store.write_series("GOLD_USD", pd.DataFrame({"date": days, "value": 2300.0}), "yahoo:GC=F")
    store.write_series("USD_COP", pd.DataFrame({"date": days, "value": 3900.0}), "trm")
    at = app().run()
    help_text = next(m.proto.help for m in at.metric if m.label.startswith("1 gramo de oro fino"))
    assert "Yahoo Finance GC=F (futuro COMEX)" in help_text
    assert "Fuente de la tasa de cambio: TRM oficial" in help_text
    sources = at.dataframe[0].value["Fuente"].tolist()  # the freshness table names them the same way,
    # every source of a series in the order of the days it covers (the fix until 2021, then the future)
    assert "oro, fijación LBMA, Yahoo Finance GC=F (futuro COMEX)" in sources and "demostración" in sources


def test_banner_is_current_in_the_same_run_as_an_import(db_url, monkeypatch):
    """Right after an import the banner still listed the imported series as demo."""
    import ui.import_widget

    gold, cop = shared_file(GOLD_LBMA), shared_file(COP_YAHOO)

    def import_in_this_run(lang: str) -> None:  # AppTest cannot drive st.file_uploader: the same call
        from ui.state import import_price_file

        import_price_file(gold.read_bytes(), gold.name, None)
        import_price_file(cop.read_bytes(), cop.name, None)

    at = app().run()
    assert any("no son precios reales.**" in w.value and "oro en dólares" in w.value for w in at.warning)
    monkeypatch.setattr(ui.import_widget, "price_import_sidebar", import_in_this_run)
    at.run()  # the import happens in this run, before the banner is drawn
    assert not at.exception, at.exception
    assert not any("no son precios reales.**" in w.value for w in at.warning)
    assert "oro en dólares" not in " ".join(i.value for i in at.info)
    assert stale_warnings(at, "2 mar 2021")  # and the page drawn in that run uses the imported prices


def test_bolivia_rate_kinds_in_the_sidebar_and_the_overview(db_url, store):
    """Issue 31: where bolivianos have the official 6.96 and the BCB's reference rate stored, the sidebar
    offers the choice, the price names its kind, and the Overview gives the gram at each with the gap."""
    from i18n import format_money, reading_for

    gold = recent_gold()
    store.write_series("GOLD_USD", gold, "test")
    days = gold[["date"]].tail(30)
    store.write_series("USD_BOB", days.assign(value=6.96), "file:bob.csv")
    store.write_series("USD_BOB", days.assign(value=9.32), "file:bcb.csv", "reference")
    at = app()
    at.query_params.update({"cur": "BOB"})
    at.run()
    assert not at.exception, at.exception
    (choice,) = [radio for radio in at.radio if radio.label == "Tasa de cambio"]
    assert choice.options == ["oficial", "referencial del BCB"] and choice.value == "official"
    last_gold = float(gold["value"].iloc[-1])
    with reading_for("BOB"):
        official, reference = (
            format_money(last_gold * rate / 31.1034768, "BOB", "es") for rate in (6.96, 9.32)
        )
    assert official in metric_values(at).values()
    captions = " ".join(c.value for c in at.caption)
    assert "Tasa de cambio: oficial." in captions
    assert f"A la tasa oficial: {official}; a la tasa referencial del BCB: {reference}" in captions
    assert "(+33,9 % frente a la oficial)" in captions  # 9,32 / 6,96 − 1
    choice.set_value("reference").run()
    assert not at.exception, at.exception
    assert reference in metric_values(at).values()
    assert "Tasa de cambio: referencial del BCB." in " ".join(c.value for c in at.caption)
    assert at.query_params["rk"] == "BOB=reference"
    at.switch_page("app_pages/market.py").run()
    assert not at.exception, at.exception
    assert "Tasa de cambio: referencial del BCB." in " ".join(c.value for c in at.caption)
