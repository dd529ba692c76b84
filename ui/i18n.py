"""Every label, number and date the user sees goes through here: translations (es, en) and Babel formats.

No streamlit import: the CLI and the tests use the same formatting.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import date, datetime
from typing import TYPE_CHECKING

import pandas as pd
from babel.dates import format_date as babel_format_date
from babel.numbers import format_currency, format_decimal

if TYPE_CHECKING:  # only the type: the i18n module stays light (no statsmodels import)
    from analytics.offers import OfferError
    from analytics.premiums import PremiumSummary
    from analytics.timing import Reason
    from services.buyers import BuyersView

LANGUAGES = ("es", "en")

#: Spanish number conventions of the country whose currency is shown (Peru writes 1,234.56).
SPANISH_LOCALE_BY_CURRENCY = {"COP": "es_CO", "PEN": "es_PE", "BOB": "es_BO", "USD": "es_EC", "MNT": "es_CO"}

#: Streamlit date_input display formats: day first in Spanish, as written in Colombia and Peru.
DATE_INPUT_FORMAT = {"es": "DD/MM/YYYY", "en": "YYYY-MM-DD"}

SPANISH_MONTHS = ("ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sept", "oct", "nov", "dic")
ENGLISH_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

TEXTS: dict[str, tuple[str, str]] = {
    # key: (es, en)
    "app_title": ("Precio del oro", "Gold price"),
    "nav_overview": ("Resumen", "Overview"),
    "nav_market": ("Mercado", "Market"),
    "settings": ("Ajustes", "Settings"),
    "language": ("Idioma / Language", "Idioma / Language"),
    "currency": ("País y moneda", "Country and currency"),
    "unit": ("Unidad", "Unit"),
    "unit_g": ("gramo", "gram"),
    "unit_oz": ("onza troy", "troy ounce"),
    "unit_kg": ("kilogramo", "kilogram"),
    "unit_castellano": ("castellano (4,6 g)", "castellano (4.6 g)"),
    "unit_tomin": ("tomín (0,575 g)", "tomín (0.575 g)"),
    "country_COP": ("Colombia (COP)", "Colombia (COP)"),
    "country_PEN": ("Perú (PEN)", "Peru (PEN)"),
    "country_BOB": ("Bolivia (BOB, oficial)", "Bolivia (BOB, official)"),
    "country_USD": ("Ecuador (USD)", "Ecuador (USD)"),
    "country_MNT": ("Mongolia (MNT)", "Mongolia (MNT)"),
    "demo_banner": (
        "**Datos de demostración: no son precios reales.** Motivo: {reason}. "
        "Series de demostración: {series}. Importe archivos de precios en la barra lateral para ver datos reales.",
        "**Demo data: these are not real prices.** Why: {reason}. Demo series: {series}. "
        "Import price files from the sidebar to see real data.",
    ),
    "demo_reason_offline_mode": (
        "el tablero está en modo sin conexión (GOLD_DASHBOARD_OFFLINE=1) y no hay datos guardados de esas series",
        "the dashboard is in offline mode (GOLD_DASHBOARD_OFFLINE=1) and none of those series is stored",
    ),
    "demo_reason_no_connection": (
        "no hay conexión a internet (no se pudo llegar a Yahoo Finance) y no hay datos guardados de esas series",
        "there is no internet connection (Yahoo Finance could not be reached) and none of those series is stored",
    ),
    "demo_reason_yahoo_empty": (
        "Yahoo Finance respondió, pero sin datos para estas series, y no hay datos guardados de ellas",
        "Yahoo Finance answered, but with no data for these series, and none of them is stored",
    ),
    "demo_reason_rate_limited": (
        "Yahoo Finance rechazó las consultas por exceso de pedidos (se intentará de nuevo en unos minutos) y no "
        "hay datos guardados de esas series",
        "Yahoo Finance refused the requests as too many (it will be tried again in a few minutes) and none "
        "of those series is stored",
    ),
    "demo_reason_not_tried": (
        "no hay datos guardados de esas series y todavía no se consultó Yahoo Finance",
        "none of those series is stored and Yahoo Finance has not been asked yet",
    ),
    "demo_partial": (
        "Datos guardados para el oro y esta moneda. Otras series son de demostración (no son precios reales): "
        "{series}; las vistas que las usan lo advierten.",
        "Stored data for gold and this currency. Other series are demo data (not real prices): {series}; the "
        "views that use them say so.",
    ),
    "stored_caption": (
        "Datos guardados; el oro al {gold_last}. Última consulta a Yahoo Finance: {fetch}.",
        "Stored data; gold as of {gold_last}. Last Yahoo Finance check: {fetch}.",
    ),
    "never": ("nunca", "never"),
    "refresh": ("Actualizar desde Yahoo Finance", "Refresh from Yahoo Finance"),
    "import_header": ("Importar precios (CSV o Excel)", "Import prices (CSV or Excel)"),
    "import_file": ("Archivo de precios", "Price file"),
    "import_series": ("Serie (si el archivo no lo dice)", "Series (if the file does not say)"),
    "import_auto": ("detectar", "detect"),
    "import_button": ("Importar", "Import"),
    "import_done": (
        "{series} importada de un archivo {format}: {stored} filas guardadas ({new} nuevas), "
        "{flagged} marcadas, {rejected} rechazadas.",
        "{series} imported from a {format} file: {stored} rows stored ({new} new), {flagged} flagged, {rejected} rejected.",
    ),
    "import_failed": ("No se importó nada: {reason}", "Nothing was imported: {reason}"),
    "import_details": ("Filas marcadas o rechazadas", "Flagged or rejected rows"),
    # overview
    "overview_title": ("¿A cómo está el oro hoy?", "What is gold worth today?"),
    "today_reference": ("Precio de referencia", "Benchmark price"),
    "today_buyer": ("Compra BanRep (95 %)", "BanRep buys (95%)"),
    "today_of": (
        "Oro fino, precio del {day}; {week} en 1 semana.",
        "Fine gold, price of {day}; {week} over 1 week.",
    ),
    "price_of_unit": (
        "1 {unit} de oro fino, hoy",
        "1 fine {unit} of gold, today",
    ),
    "price_help": (
        "Oro en dólares por onza troy (31,1034768 g) × {fx_name} ÷ 31,1034768. "
        "La onza troy es la unidad internacional del oro; el precio internacional de referencia es el de Londres (LBMA). "
        "Fuente del precio del oro aquí: {gold_source}. {fx_source}",
        "Gold in US dollars per troy ounce (31.1034768 g) × {fx_name} ÷ 31.1034768. "
        "The troy ounce is gold's international unit; the international benchmark is London's (LBMA). "
        "Source of the gold price here: {gold_source}. {fx_source}",
    ),
    "fx_source": ("Fuente de la tasa de cambio: {source}.", "Source of the exchange rate: {source}."),
    "fx_name_COP": (
        "la tasa de cambio pesos por dólar (la TRM es la tasa oficial del día)",
        "the pesos per dollar rate (the TRM is Colombia's official daily rate)",
    ),
    "fx_name_other": ("la tasa de cambio {currency} por dólar", "the {currency} per dollar rate"),
    "fx_name_USD": ("1 (dólares)", "1 (dollars)"),
    "inputs_used": (
        "Oro del {gold_date} ({gold}/oz); tasa de cambio del {fx_date} ({fx}).",
        "Gold of {gold_date} ({gold}/oz); exchange rate of {fx_date} ({fx}).",
    ),
    "buy_price_named": ("Compra {name} ({share})", "{name} buy price ({share})"),
    "buy_help_configured": (
        "Precio de referencia × {share}: precio de compra de {name}, configurado por su organización "
        "(no es un dato publicado que el tablero verifique).",
        "Benchmark × {share}: {name}'s buy price as configured by your organisation (not a published figure "
        "the dashboard checks).",
    ),
    "buy_help": (
        "Precio de referencia × 95 %: el Banco de la República compra oro a 95 % de su precio de venta "
        "(desde el 29 nov 2021).",
        "Banco de la República buys gold at 95 % of its sell price (since 29 Nov 2021).",
    ),
    "stale_price": (
        "Precio antiguo: el último precio guardado es del {day} (hace {days} días; se avisa después de {limit}). "
        "Importe un archivo más reciente o conéctese a internet para actualizar.",
        "Old price: the latest stored price is from {day} ({days} days ago; the warning starts after {limit}). "
        "Import a newer file or connect to the internet to refresh.",
    ),
    "data_as_of": ("Datos hasta el {day}.", "Data up to {day}."),
    "no_data_dated": ("No hay datos con fecha para esta vista.", "There are no dated data for this view."),
    "price_of_unit_as_of": ("1 {unit} de oro fino, al {day}", "1 fine {unit} of gold, as of {day}"),
    "change_1w": ("Cambio en 1 semana", "Change over 1 week"),
    "change_1m": ("Cambio en 1 mes", "Change over 1 month"),
    "last_90_days": ("Últimos 90 días", "Last 90 days"),
    "freshness": ("Frescura de los datos", "Data freshness"),
    "col_series": ("Serie", "Series"),
    "col_kind": ("Tipo", "Kind"),
    "col_source_spans": ("Fuente por fechas", "Source by dates"),
    "src_providers": ("Fuentes de los datos", "Data sources"),
    "spans_earlier": ("{count} tramos antes", "{count} earlier runs"),
    "spans_earlier_one": ("1 tramo antes", "1 earlier run"),
    "col_source": ("Fuente", "Source"),
    "col_first": ("Desde", "From"),
    "col_last": ("Hasta", "Until"),
    "col_updated": ("Actualizada", "Updated"),
    "kind_stored": ("guardada", "stored"),
    "kind_demo": ("DEMO", "DEMO"),
    "no_price": ("No hay precio para esta fecha: {reason}", "No price for this date: {reason}"),
    "number_unreadable": (
        "No se entiende «{text}» como número: escríbalo como {example}. Se usa el valor anterior.",
        'Cannot read "{text}" as a number: write it like {example}. The previous value is used.',
    ),
    "number_outside": ("Escriba un número entre {low} y {high}.", "Enter a number between {low} and {high}."),
    "number_at_least": ("Escriba un número de al menos {low}.", "Enter a number of at least {low}."),
    "no_price_fx": (
        "no hay tasa de cambio de {currency} a menos de 7 días de ningún precio del oro",
        "no {currency} exchange rate within 7 days of any gold price",
    ),
    "demo_reason_offline": (
        "modo sin conexión (GOLD_DASHBOARD_OFFLINE=1) y aún no hay datos guardados",
        "offline mode (GOLD_DASHBOARD_OFFLINE=1), no stored data yet",
    ),
    "demo_reason_untried": (
        "aún no hay datos guardados y no se consultó Yahoo Finance",
        "no stored data yet and Yahoo Finance not tried",
    ),
    "demo_reason_fetch": ("aún no hay datos guardados; {message}", "no stored data yet; {message}"),
    # --- Price alerts, the light price card, sharing on WhatsApp (services/alerts.py, services/card.py)
    "nav_alerts": ("Alertas", "Alerts"),
    "alert_subject_above": (
        "Oro: 1 {unit} a {price}, por encima de {level}",
        "Gold: 1 {unit} at {price}, above {level}",
    ),
    "alert_subject_below": (
        "Oro: 1 {unit} a {price}, por debajo de {level}",
        "Gold: 1 {unit} at {price}, below {level}",
    ),
    "alert_subject_stale": (
        "Precio del oro sin actualizar desde el {date}",
        "Gold price not updated since {date}",
    ),
    "alert_body_price": (
        "El precio de referencia de 1 {unit} de oro fino es {price} ({date}), {direction} nivel de {level} "
        "que usted eligió.",
        "The benchmark price of 1 fine {unit} of gold is {price} ({date}), {direction} level of {level} "
        "you chose.",
    ),
    "alert_direction_above": ("por encima del", "above the"),
    "alert_direction_below": ("por debajo del", "below the"),
    "alert_body_stale": (
        "El último precio del oro guardado es del {date}, hace {days} días: las cifras del tablero no están al "
        "día. Revise la actualización de datos.",
        "The latest stored gold price is from {date}, {days} days ago: the dashboard's figures are not up to "
        "date. Check the data refresh.",
    ),
    "alert_body_buyer": (
        "Compra {buyer} ({share}): {price}.",
        "{buyer} buy price ({share}): {price}.",
    ),
    "alert_body_week": ("Cambio en 1 semana: {pct}.", "Change over 1 week: {pct}."),
    "alert_body_link": ("Véalo en el tablero: {link}", "See it on the dashboard: {link}"),
    "alert_body_footer": (
        "Recibe este correo porque hay una alerta de precio (n.º {id}) para esta dirección. Se envía una "
        "vez cada vez que el precio cruza el nivel. Para no recibir más, bórrela en la página «Alertas».",
        "You get this e-mail because a price alert (no. {id}) exists for this address. It is sent once each "
        'time the price crosses the level. To stop it, remove it on the "Alerts" page.',
    ),
    "source_yahoo": ("Yahoo Finance {ticker}", "Yahoo Finance {ticker}"),
    "source_import": ("archivo {name}", "file {name}"),
    "card_title": ("Precio del oro", "Gold price"),
    "card_of_unit": ("1 {unit} de oro fino", "1 fine {unit} of gold"),
    "card_buyer": ("Compra {buyer} ({share})", "{buyer} buys at ({share})"),
    "card_date": ("Precio del {date}", "Price of {date}"),
    "card_stale": (
        "Precio antiguo: es de hace {days} días.",
        "Old price: it is {days} days old.",
    ),
    "card_sources": (
        "Oro USD {gold} la onza troy ({gold_date}, {gold_source}); {currency} por USD {fx} ({fx_date}, "
        "{fx_source}). Precio de referencia = oro USD/onza × tasa de cambio ÷ 31,1034768 g.",
        "Gold USD {gold} per troy ounce ({gold_date}, {gold_source}); {currency} per USD {fx} ({fx_date}, "
        "{fx_source}). Benchmark = gold USD/oz × exchange rate ÷ 31.1034768 g.",
    ),
    "card_sources_usd": (
        "Oro USD {gold} la onza troy ({gold_date}, {gold_source}). Precio de referencia = oro USD/onza ÷ "
        "31,1034768 g.",
        "Gold USD {gold} per troy ounce ({gold_date}, {gold_source}). Benchmark = gold USD/oz ÷ 31.1034768 g.",
    ),
    "card_generated": (
        "Generada el {day}. No es una oferta de compra.",
        "Made on {day}. Not an offer to buy.",
    ),
    "whatsapp_text": (
        "Oro hoy ({date}): 1 gramo de oro fino {gram}{other}.{buyer} Cambio en 1 semana: {week}. "
        "Precio de referencia (oro internacional × dólar).",
        "Gold today ({date}): 1 fine gram {gram}{other}.{buyer} Change over 1 week: {week}. Benchmark "
        "(international gold × dollar).",
    ),
    "whatsapp_other_unit": ("; 1 {unit} {price}", "; 1 {unit} {price}"),
    "whatsapp_buyer": (" Compra {buyer}: {price} el gramo.", " {buyer} buys at {price} a gram."),
    "share_whatsapp": ("Compartir por WhatsApp", "Share on WhatsApp"),
    "share_card": ("Descargar tarjeta de precio (HTML liviano)", "Download the price card (light HTML)"),
    "share_unavailable": (
        "Compartir por WhatsApp y la tarjeta de precio están disponibles cuando hay precios reales guardados.",
        "Sharing on WhatsApp and the price card are available once real prices are stored.",
    ),
    "alerts_title": ("Alertas de precio por correo", "Price alerts by e-mail"),
    "alerts_intro": (
        "Reciba un correo cuando el precio cruce el nivel que usted elige. Se envía una vez por cruce; "
        "el servidor revisa los precios cada día, no al abrir esta página.",
        "Get an e-mail when the price crosses the level you choose. It is sent once per crossing; the "
        "server checks prices each day, not when this page is opened.",
    ),
    "alerts_none": ("Aún no hay alertas.", "No alerts yet."),
    "alerts_all_staff": ("Todas las alertas (personal de apoyo).", "Every alert (staff)."),
    "alerts_add": ("Nueva alerta", "New alert"),
    "alerts_email": ("Correo", "E-mail"),
    "alerts_direction": ("Avisar cuando el precio esté", "Notify when the price is"),
    "alerts_above": ("por encima de", "above"),
    "alerts_below": ("por debajo de", "below"),
    "alerts_level": (
        "Nivel: precio de 1 unidad elegida, en la moneda elegida",
        "Level: price of 1 chosen unit, in the chosen currency",
    ),
    "alerts_bad_email": ("«{email}» no es una dirección de correo.", '"{email}" is not an e-mail address.'),
    "alerts_bad_level": ("El nivel debe ser mayor que cero.", "The level must be above zero."),
    "alerts_language": ("Idioma del correo", "E-mail language"),
    "alerts_save": ("Guardar alerta", "Save alert"),
    "alerts_saved": ("Alerta n.º {id} guardada.", "Alert no. {id} saved."),
    "alerts_failed": ("No se guardó: {reason}", "Not saved: {reason}"),
    "alerts_remove": ("Borrar la alerta", "Remove the alert"),
    "alerts_removed": ("Alerta n.º {id} borrada.", "Alert no. {id} removed."),
    "alerts_now": ("Precio de 1 {unit} ahora: {price} ({date}).", "Price of 1 {unit} now: {price} ({date})."),
    "alerts_owner_cli": ("línea de comandos", "command line"),
    "alerts_owner_dashboard": ("este equipo", "this computer"),
    "alerts_col_id": ("N.º", "No."),
    "alerts_col_owner": ("Creada por", "Made by"),
    "alerts_col_rule": ("Regla", "Rule"),
    "alerts_col_status": ("Estado", "Status"),
    "alerts_rule_above": ("1 {unit} por encima de {level}", "1 {unit} above {level}"),
    "alerts_rule_below": ("1 {unit} por debajo de {level}", "1 {unit} below {level}"),
    "alerts_rule_stale": ("datos de más de 7 días", "data older than 7 days"),
    "alerts_status_armed": ("esperando el cruce", "waiting for a crossing"),
    "alerts_status_fired": (
        "enviada el {day}; espera que el precio vuelva",
        "sent on {day}; waits for the price to return",
    ),
    "alerts_status_error": ("envío fallido, se reintenta: {error}", "send failed, will retry: {error}"),
    # market
    "market_title": ("Mercado del oro", "Gold market"),
    "chart_title_up": (
        "El oro subió {pct} en {currency} en el último mes",
        "Gold rose {pct} in {currency} over the last month",
    ),
    "chart_title_down": (
        "El oro bajó {pct} en {currency} en el último mes",
        "Gold fell {pct} in {currency} over the last month",
    ),
    "per_unit": ("{currency} por {unit}", "{currency} per {unit}"),
    "performance": ("Rendimiento", "Performance"),
    "perf_row_gold_usd": ("Oro, USD/oz", "Gold, USD/oz"),
    "perf_row_gold_local": ("Oro, {currency}/g", "Gold, {currency}/g"),
    "perf_no_rate": ("sin tasa de cambio", "no exchange rate"),
    "perf_as_of": (
        "Cambios al {day}, la última fecha con datos en todas las filas (todas las columnas comparan lo mismo).",
        "Changes as of {day}, the last date every row has data for (every column compares like with like).",
    ),
    "perf_dates_differ": (
        "Las filas terminan en fechas distintas: {rows} termina(n) el {day}, y la tabla se calcula a esa fecha; "
        "datos más recientes en {later} (véalos en el gráfico de su moneda).",
        "The rows end on different dates: {rows} end(s) on {day}, and the table is computed as of that date; "
        "newer data in {later} (see them in that currency's chart).",
    ),
    "decomposition": (
        "¿De dónde vino el movimiento en {currency}?",
        "Where did the move in {currency} come from?",
    ),
    "period": ("Periodo", "Period"),
    "decomp_sentence": (
        "Del {start} al {end} el oro en {currency} cambió {local}: {gold} por el precio del oro en dólares "
        "y {fx} por la tasa de cambio.",
        "From {start} to {end} gold in {currency} changed {local}: {gold} from the gold price in dollars "
        "and {fx} from the exchange rate.",
    ),
    "decomp_sentence_no_fx": (
        "Del {start} al {end} el oro en {currency} cambió {local}, con el oro en dólares {gold}. "
        "Tasa de cambio: sin tasa de cambio nueva en esas fechas (se repitió la última conocida), así que su "
        "parte no se puede medir.",
        "From {start} to {end} gold in {currency} changed {local}, with gold in dollars {gold}. "
        "Exchange rate: no new exchange rate in those dates (the last known one was carried), so its part "
        "cannot be measured.",
    ),
    "decomp_gold": ("Oro en USD", "Gold in USD"),
    "decomp_fx": ("Tasa de cambio", "Exchange rate"),
    "decomp_total": ("Total", "Total"),
    "points": ("puntos porcentuales", "percentage points"),
    "volatility": ("Volatilidad anualizada de 30 días", "30-day annualised volatility"),
    "volatility_now": (
        "La volatilidad de 30 días es {vol}, frente a una mediana de {median} en el periodo mostrado.",
        "30-day volatility is {vol}, against a median of {median} over the period shown.",
    ),
    "drawdown": ("Caída desde el máximo", "Drawdown from the running peak"),
    "drawdown_now": (
        "El precio está {dd} por debajo de su máximo del {peak_date}.",
        "The price is {dd} below its peak of {peak_date}.",
    ),
    "at_peak": (
        "El precio está en su máximo histórico de la serie.",
        "The price is at the series' all-time high.",
    ),
    "download_csv": ("Descargar CSV", "Download CSV"),
    "download_xlsx": ("Descargar Excel", "Download Excel"),
    "rangeselector_all": ("Todo", "Max"),
    "date": ("Fecha", "Date"),
    "price": ("Precio", "Price"),
    "demo_label": ("DEMO", "DEMO"),
    # --- Forecast page
    "nav_forecast": ("Pronóstico", "Forecast"),
    "forecast_title": ("Pronóstico del precio", "Price forecast"),
    "forecast_intro": (
        "El oro se comporta casi como un paseo aleatorio: nadie sabe el precio del próximo mes. "
        "Este pronóstico se muestra junto a «sin cambio» (el precio de hoy) y con su acierto medido "
        "en el pasado, para que usted decida cuánto confiar en él.",
        "Gold behaves almost like a random walk: nobody knows next month's price. This forecast is "
        'shown beside "no change" (today\'s price) and with its accuracy measured on the past, so '
        "you can decide how far to trust it.",
    ),
    "forecast_target": ("Qué pronosticar", "What to forecast"),
    "target_local": ("Oro en {currency} por {unit}", "Gold in {currency} per {unit}"),
    "target_gold_usd": (
        "Oro en USD por onza troy (internacional)",
        "Gold in USD per troy ounce (international)",
    ),
    "target_fx": ("Dólar: {currency} por USD", "Dollar: {currency} per USD"),
    "forecast_horizon": ("Horizonte (días hábiles)", "Horizon (trading days)"),
    "forecast_model": ("Modelo", "Model"),
    "model_auto": ("Automático: el mejor del backtest", "Automatic: the backtest's best"),
    "model_random_walk": ("Sin cambio (paseo aleatorio)", "No change (random walk)"),
    "model_random_walk_drift": ("Sin cambio con tendencia", "Random walk with drift"),
    "model_ets_damped": ("Suavizado exponencial amortiguado", "Damped exponential smoothing"),
    "model_arima": ("ARIMA", "ARIMA"),
    "model_theta": ("Theta", "Theta"),
    "model_combination": ("Combinación de los mejores", "Combination of the best"),
    "forecast_running": ("Midiendo los modelos en el pasado…", "Measuring the models on the past…"),
    "forecast_ready": (
        "Backtest listo: {folds} pruebas, {seconds} s",
        "Backtest done: {folds} tests, {seconds} s",
    ),
    "forecast_failed": ("No se pudo pronosticar: {reason}", "Could not forecast: {reason}"),
    "fan_title": (
        "Pronóstico a {horizon} días hábiles — {model}",
        "{horizon}-trading-day forecast — {model}",
    ),
    "fan_history": ("Historia", "History"),
    "fan_band_95": ("Banda del 95 %", "95% band"),
    "fan_band_80": ("Banda del 80 %", "80% band"),
    "fan_mean": ("Pronóstico", "Forecast"),
    "fan_random_walk": ("Sin cambio", "No change"),
    "forecast_expected": ("Precio esperado el {day}", "Expected price on {day}"),
    "forecast_range_80": (
        "Con 80 % de probabilidad entre {lo} y {hi}",
        "80% likely between {lo} and {hi}",
    ),
    "forecast_today": ("Hoy ({day})", "Today ({day})"),
    "forecast_last_data": ("Último dato ({day})", "Last data ({day})"),
    "skill_header": ("¿Qué tan buenos son estos pronósticos?", "How good are these forecasts?"),
    "skill_sentence": (
        "En los últimos {months} meses, los pronósticos a {horizon} días de «{model}» se equivocaron "
        "en promedio un {mape}, {gain} menos que suponer que el precio no cambia; su banda del 80 % "
        "contuvo el precio real el {coverage} de las veces.",
        'Over the last {months} months, the {horizon}-day forecasts of "{model}" missed by {mape} on '
        "average, {gain} less than assuming no change; its 80% band held the real price {coverage} "
        "of the time.",
    ),
    "skill_random_walk": (
        "En los últimos {months} meses, ningún modelo pronosticó mejor que suponer que el precio no "
        "cambia (que se equivocó en promedio un {mape} a {horizon} días). Por eso se usa «sin cambio»: "
        "la mejor estimación del precio futuro es el de hoy, y la banda del 80 % contuvo el precio "
        "real el {coverage} de las veces.",
        "Over the last {months} months, no model forecast better than assuming no change (which "
        'missed by {mape} on average at {horizon} days). So "no change" is used: the best estimate of '
        "the future price is today's, and its 80% band held the real price {coverage} of the time.",
    ),
    "skill_no_model_beat": (
        "Ningún modelo le ganó a «sin cambio» en una prueba estadística: el que más se acercó, «{model}», "
        "tuvo un error {rmae} veces el de «sin cambio», pero una diferencia así puede salir por azar "
        "(prueba de Diebold–Mariano: p = {p}; haría falta p < 0,05). Por eso el pronóstico es el precio de hoy.",
        'No model beat "no change" in a statistical test: the closest, "{model}", had an error {rmae} times '
        'that of "no change", but a difference like that can arise by chance (Diebold–Mariano test: '
        "p = {p}; it would take p < 0.05). So the forecast is today's price.",
    ),
    "skill_tested": (
        "Una prueba estadística (Diebold–Mariano, con varianza robusta a la autocorrelación) dice que "
        "esta ventaja no es azar: p = {p} (menos de 0,05).",
        "A statistical test (Diebold–Mariano, with an autocorrelation-robust variance) says this edge "
        "is not chance: p = {p} (below 0.05).",
    ),
    "skill_forced": (
        "Usted eligió «{model}». En el backtest su error fue {relative} el de «sin cambio».",
        'You chose "{model}". In the backtest its error was {relative} that of "no change".',
    ),
    "relative_same": ("igual que", "the same as"),
    "relative_more": ("un {pct} mayor que", "{pct} larger than"),
    "relative_less": ("un {pct} menor que", "{pct} smaller than"),
    "leaderboard_caption": (
        "Backtest de origen móvil: {folds} orígenes del {first} al {last}, uno cada {step} días hábiles, "
        "los mismos para todos los modelos. rMAE = error medio ÷ error de «sin cambio» (menos de 1 es "
        "mejor). Bandas calibradas (conformal): errores pasados escalados por la volatilidad del momento; "
        "la columna «sin calibrar» muestra la cobertura de la banda gaussiana del modelo.",
        "Rolling-origin backtest: {folds} origins from {first} to {last}, one every {step} trading days, "
        "the same for every model. rMAE = mean error ÷ the no-change error (below 1 is better). Calibrated "
        '(conformal) bands: past errors scaled by the volatility of the moment; the "uncalibrated" '
        "column shows the coverage of the model's Gaussian band.",
    ),
    "col_model": ("Modelo", "Model"),
    "col_rmae": ("rMAE", "rMAE"),
    "col_mase": ("MASE", "MASE"),
    "col_mape": ("Error medio", "Mean error"),
    "col_coverage_80": ("Cobertura 80 %", "Coverage 80%"),
    "col_coverage_95": ("Cobertura 95 %", "Coverage 95%"),
    "col_width_80": ("Ancho banda 80 %", "80% band width"),
    "col_coverage_80_model": ("Cobertura 80 % sin calibrar", "Coverage 80% uncalibrated"),
    "col_interval_score_80": ("Puntaje de intervalo 80 %", "Interval score 80%"),
    "col_p_value": ("p frente a «sin cambio»", 'p vs "no change"'),
    "col_seconds": ("Segundos", "Seconds"),
    "selected_mark": ("elegido", "selected"),
    "error_by_horizon": ("Error relativo por horizonte", "Relative error by horizon"),
    "days_ahead": ("Días hábiles hacia adelante", "Trading days ahead"),
    "download_forecast": ("Descargar pronóstico (CSV)", "Download forecast (CSV)"),
    # --- Sales and Premiums pages
    "nav_sales": ("Ventas", "Sales"),
    "nav_premiums": ("Primas", "Premiums"),
    "cooperative": ("Cooperativa", "Cooperative"),
    "all_cooperatives": ("Todas (personal de apoyo)", "All (staff)"),
    "nav_sign_in": ("Iniciar sesión", "Sign in"),
    "sign_in_title": ("Iniciar sesión", "Sign in"),
    "sign_in_intro": (
        "Las ventas de cada cooperativa son confidenciales: inicie sesión para ver las suyas.",
        "Each cooperative's sales are confidential: sign in to see yours.",
    ),
    "sign_in_username": ("Usuario", "User name"),
    "sign_in_password": ("Contraseña", "Password"),
    "sign_in_button": ("Entrar", "Sign in"),
    "sign_in_failed": ("Usuario o contraseña incorrectos.", "Wrong user name or password."),
    "sign_in_oidc": ("Entrar con su cuenta de la organización", "Sign in with your organisation account"),
    "sign_in_oidc_unknown": (
        "Su cuenta {email} no tiene acceso todavía: pida al personal de apoyo que la registre.",
        "Your account {email} has no access yet: ask staff to register it.",
    ),
    "sign_in_oidc_unverified": (
        "Su proveedor no confirmó el correo {email}: confírmelo allí y vuelva a entrar.",
        "Your provider has not verified the e-mail {email}: verify it there and sign in again.",
    ),
    "sign_in_throttled": (
        "Demasiados intentos fallidos. Espere {minutes} min antes de volver a intentarlo.",
        "Too many failed attempts. Wait {minutes} min before trying again.",
    ),
    "sign_in_ended_idle": (
        "Su sesión se cerró tras {minutes} min sin actividad. Inicie sesión de nuevo.",
        "Your session ended after {minutes} min without activity. Please sign in again.",
    ),
    "sign_in_ended_password_changed": (
        "Su contraseña cambió: inicie sesión de nuevo con la nueva.",
        "Your password changed: please sign in again with the new one.",
    ),
    "sign_in_no_users": (
        "Este panel exige iniciar sesión pero aún no tiene usuarios. En el servidor: "
        "`python cli.py users add NOMBRE --role staff`.",
        "This dashboard requires sign-in but has no users yet. On the server: "
        "`python cli.py users add NAME --role staff`.",
    ),
    "sign_in_public_market": (
        "Los precios, pronósticos y señales son públicos; las ventas y primas requieren sesión.",
        "Prices, forecasts and signals are public; sales and premiums need sign-in.",
    ),
    "signed_in_as": ("Sesión: **{user}** ({role})", "Signed in: **{user}** ({role})"),
    "role_staff": ("personal de apoyo", "staff"),
    "role_member": ("cooperativa", "cooperative member"),
    "sign_out": ("Cerrar sesión", "Sign out"),
    "example_ledger_toggle": ("Ver un ejemplo con ventas ficticias", "Show an example with fictional sales"),
    "example_ledger_help": (
        "Ventas inventadas para conocer la página; nunca entran en un informe.",
        "Made-up sales to explore the page; they never go into a briefing.",
    ),
    "no_sales_yet": (
        "Aún no hay ventas guardadas. Importe el registro de ventas de su cooperativa en la página Ventas.",
        "No sales stored yet. Import your cooperative's sales records on the Sales page.",
    ),
    "demo_ledger_banner": (
        "**Ventas ficticias de demostración**: cooperativas, compradores y montos inventados para mostrar "
        "la página. Importe el registro de ventas de su cooperativa para ver sus cifras.",
        "**Fictional demo sales**: made-up cooperatives, buyers and amounts to show the page. Import your "
        "cooperative's sales records to see your own figures.",
    ),
    "sales_title": ("Registro de ventas", "Sales ledger"),
    "sales_import": ("Importar ventas (CSV o Excel)", "Import sales (CSV or Excel)"),
    "sales_file": ("Archivo de ventas", "Sales file"),
    "sales_paste": ("…o pegue aquí las filas copiadas de Excel", "…or paste rows copied from Excel"),
    "sales_coop_name": (
        "Cooperativa (si el archivo no tiene esa columna)",
        "Cooperative (if the file has no such column)",
    ),
    "sales_mapping": (
        "Columnas: cuál columna del archivo es cada dato",
        "Columns: which file column holds each field",
    ),
    "sales_not_mapped": ("— no está —", "— not in file —"),
    "sales_preview": (
        "{good} filas listas para guardar, {rejected} con errores (no se guardarán), {flagged} para revisar.",
        "{good} rows ready to store, {rejected} with errors (will not be stored), {flagged} to review.",
    ),
    "sales_rejected": ("Filas con errores", "Rows with errors"),
    "sales_flagged": ("Filas para revisar (se guardan)", "Rows to review (stored)"),
    "sales_store": ("Guardar {count} ventas", "Store {count} sales"),
    "sales_store_one": ("Guardar 1 venta", "Store 1 sale"),
    "sales_stored": (
        "Guardadas {inserted} ventas nuevas; {duplicates} ya estaban; {rejected} rechazadas.",
        "Stored {inserted} new sales; {duplicates} were already there; {rejected} rejected.",
    ),
    "sales_file_error": (
        "No se puede importar el archivo: {reason}",
        "The file cannot be imported: {reason}",
    ),
    "sales_table": ("Ventas guardadas", "Stored sales"),
    "sales_count": (
        "{count} ventas, {fine} de oro fino, del {first} al {last}.",
        "{count} sales, {fine} of fine gold, from {first} to {last}.",
    ),
    "sales_count_one": (
        "1 venta, {fine} de oro fino, del {first}.",
        "1 sale, {fine} of fine gold, on {first}.",
    ),
    "benchmark_rule": (
        "oro USD/onza (último cierre en o antes de la fecha de venta) × tasa de cambio ÷ 31,1034768",
        "gold USD/oz (last close on or before the sale date) × exchange rate ÷ 31.1034768",
    ),
    "about_demo": ("Datos ficticios de demostración", "Fictional demo data"),
    "sales_edit": ("Corregir una venta", "Edit a sale"),
    "sales_pick": ("Venta", "Sale"),
    "sales_save": ("Guardar cambios", "Save changes"),
    "sales_saved": (
        "Venta {sale} corregida (queda en el historial de cambios).",
        "Sale {sale} edited (kept in the change history).",
    ),
    "sales_delete": ("Eliminar una venta", "Delete a sale"),
    "sales_delete_button": ("Eliminar {sale}", "Delete {sale}"),
    "sales_delete_confirm": (
        "¿Eliminar la venta {sale}? Queda registrada en el historial de cambios.",
        "Delete sale {sale}? It is kept in the change history.",
    ),
    "sales_delete_yes": ("Sí, eliminar", "Yes, delete"),
    "sales_delete_no": ("Cancelar", "Cancel"),
    "sales_deleted": ("Venta {sale} eliminada.", "Sale {sale} deleted."),
    "sales_demo_no_edit": (
        "Las ventas de demostración no se pueden corregir: importe las suyas.",
        "Demo sales cannot be edited: import your own.",
    ),
    "sales_audit": ("Historial de cambios", "Change history"),
    "table_latest_rows": (
        "Se muestran las últimas {shown} de {count} filas; las descargas tienen todas.",
        "The latest {shown} of {count} rows are shown; the downloads hold every row.",
    ),
    "sales_progress_check": (
        "Leyendo y revisando las ventas del archivo…",
        "Reading and checking the file's sales…",
    ),
    "sales_progress_store": ("Guardando las ventas…", "Storing the sales…"),
    "sales_page_number": ("Página (de {pages})", "Page (of {pages})"),
    "sales_page_rows": ("Ventas {first}–{last} de {count}", "Sales {first}–{last} of {count}"),
    "sales_download_csv": ("Descargar ventas (CSV)", "Download sales (CSV)"),
    "sales_download_xlsx": ("Descargar ventas (Excel)", "Download sales (Excel)"),
    "field_date": ("Fecha", "Date"),
    "field_buyer": ("Comprador", "Buyer"),
    "field_gross_weight_g": ("Peso bruto (g)", "Gross weight (g)"),
    "field_gross_weight": ("Peso bruto", "Gross weight"),
    "field_weight_unit": ("Unidad de peso", "Weight unit"),
    "field_fineness": ("Ley (0–1)", "Fineness (0–1)"),
    "field_currency": ("Moneda", "Currency"),
    "field_amount_received": ("Monto recibido", "Amount received"),
    "field_certification": ("Certificación", "Certification"),
    "field_premium_received_usd": ("Prima recibida (USD)", "Premium received (USD)"),
    "field_notes": ("Notas", "Notes"),
    "field_sale_id": ("Venta (lote)", "Sale (lot)"),
    "field_cooperative": ("Cooperativa", "Cooperative"),
    "field_fine_gold_g": ("Oro fino (g)", "Fine gold (g)"),
    "field_refining_charge": ("Refinación", "Refining"),
    "field_assay_charge": ("Ensayo", "Assay"),
    "field_transport_charge": ("Transporte", "Transport"),
    "field_export_charge": ("Exportación", "Export"),
    "field_royalties_paid": ("Regalías", "Royalties"),
    "field_withholding_paid": ("Retención", "Withholding"),
    "field_flags": ("Para revisar", "To review"),
    "sales_table_demo": ("Ventas de demostración (ficticias)", "Demo sales (fictional)"),
    "cert_none": ("Sin certificación", "Uncertified"),
    "cert_fairmined": ("Fairmined", "Fairmined"),
    "cert_fairmined_ecological": ("Fairmined Ecológico", "Fairmined Ecological"),
    "cert_fairtrade": ("Fairtrade", "Fairtrade"),
    # the import pipeline: labels of the mapping step, and what was refused, skipped or flagged
    "sales_currency": (
        "Moneda de los valores (si el archivo no la indica)",
        "Currency of the amounts (if the file does not say)",
    ),
    "sales_currency_from_header": (
        "Moneda tomada del encabezado «{column}»: {currency}.",
        "Currency taken from the header “{column}”: {currency}.",
    ),
    "sales_skipped": (
        "{count} filas de total o subtotal omitidas (líneas {lines}).",
        "{count} total or subtotal rows skipped (lines {lines}).",
    ),
    "col_line": ("Línea", "Line"),
    "col_reason": ("Motivo", "Reason"),
    "problem_file_empty": ("el archivo está vacío", ""),
    "problem_too_long": ("{field} tiene más de {limit} caracteres (el límite de la base de datos)", ""),
    "problem_header_only": ("el archivo tiene encabezados pero ninguna fila", ""),
    "problem_file_too_large": (
        "el archivo pesa {size_mb} MB; el límite es {limit_mb} MB (divídalo en archivos más pequeños)",
        "",
    ),
    "problem_too_many_rows": (
        "el archivo tiene más de {limit} filas; el límite es {limit} (divídalo por año)",
        "",
    ),
    "problem_too_many_cells": (
        "la hoja tiene más de {limit} celdas; el límite es {limit} (guárdela como CSV o divídala)",
        "",
    ),
    "problem_not_text": ("no es un archivo de texto (CSV) ni de Excel; guárdelo como CSV UTF-8 o .xlsx", ""),
    "problem_bad_encoding": ("el texto del archivo no está en UTF-8, UTF-16 ni Windows-1252", ""),
    "problem_bad_csv": ("el archivo no se puede leer como CSV: {detail}", ""),
    "problem_bad_workbook": ("no se puede leer el libro de Excel: {detail}", ""),
    "problem_workbook_empty": ("la primera hoja del libro está vacía", ""),
    "problem_workbook_too_much_text": (
        "el libro tiene más de {limit} caracteres de texto (guarde la hoja como CSV o divídala)",
        "",
    ),
    "problem_workbook_too_large": (
        "el libro de Excel se expande a {size_mb} MB de datos (el límite es {limit_mb} MB): guarde la hoja "
        "como CSV o divídala",
        "",
    ),
    "problem_missing_columns": (
        "faltan columnas: {columns} (el archivo tiene: {header}); indique abajo cuál columna del archivo es cada una",
        "",
    ),
    "problem_unknown_mapped_columns": (
        "la asignación nombra columnas que el archivo no tiene: {columns}",
        "",
    ),
    "problem_no_row_stored": ("no se pudo guardar ninguna fila del archivo ({reasons})", ""),
    "problem_wrong_unit_overlap": (
        "{series}: los valores del archivo parecen {cause}: mediana {median} frente a {expected} de {source} en "
        "{rows} días comunes; no se guardó nada",
        "",
    ),
    "problem_wrong_unit_range": (
        "{series}: los valores del archivo parecen {cause}: mediana {median}, lo plausible es {low}–{high}; "
        "no se guardó nada",
        "",
    ),
    "unit_cause_thousands": (
        "escritos en miles (p. ej. 4,0123 por 4.012,3)",
        "written in thousands (e.g. 4.0123 for 4,012.3)",
    ),
    "unit_cause_thousand_times": (
        "mil veces más grandes (¿un separador de miles leído como decimal?)",
        "a thousand times too large (a thousands separator read as a decimal point?)",
    ),
    "unit_cause_per_gram": (
        "un precio por gramo en una serie por onza troy",
        "a price per gram in a per-troy-ounce series",
    ),
    "unit_cause_hundred": (
        "cien veces desplazados (centavos, o una coma mal puesta)",
        "a hundred times off (cents, or a misplaced decimal point)",
    ),
    "unit_cause_inverted": (
        "invertidos (dólares por moneda local en vez de moneda local por dólar)",
        "inverted (USD per local currency instead of local currency per USD)",
    ),
    "unit_cause_factor": ("varias veces los valores guardados", "several times the stored values"),
    "unit_cause_outside": ("fuera del rango plausible", "outside the plausible range"),
    "problem_message": ("{text}", ""),
    "problem_unknown_series": ("serie desconocida «{series}»; las conocidas son: {known}", ""),
    "problem_unrecognised_format": (
        "columnas no reconocidas {header}: se espera una exportación de FRED, Stooq, Yahoo, TRM o BCRP, "
        "o dos columnas fecha,valor",
        "",
    ),
    "problem_series_conflict": ("este archivo {format} contiene {detected}, no {series}", ""),
    "problem_series_undetected": (
        "no se sabe qué serie contiene este archivo {format}: elíjala (una de {known})",
        "",
    ),
    "problem_missing_value": ("falta {field}", ""),
    "problem_cell_too_long": (
        "la columna «{column}» tiene {length} caracteres; una celda puede tener como máximo {limit}",
        "",
    ),
    "problem_date_unreadable": ("fecha ilegible «{value}»", ""),
    "problem_date_too_old": ("la fecha «{value}» es anterior a {first_year}", ""),
    "problem_date_in_future": ("la fecha {date} está en el futuro", ""),
    "problem_number_unreadable": (
        "{field} «{value}» no es un número tal como está escrito (cifras con una sola marca decimal; sin "
        "hexadecimal, guiones bajos ni letras)",
        "",
    ),
    "problem_number_ambiguous": (
        "{field} «{value}» es ambiguo en este archivo (escribe los decimales con {decimal_name}): escríbalo "
        "como las demás filas",
        "",
    ),
    "problem_number_not_finite": ("{field} «{value}» no es un número finito", ""),
    "problem_number_too_large": ("{field} «{value}» es mayor que {limit} (¿un error de digitación?)", ""),
    "problem_not_positive": ("{field} «{value}» no es positivo", ""),
    "problem_negative": ("{field} «{value}» no es un número ≥ 0", ""),
    "problem_fineness_out_of_range": ("la ley «{value}» está fuera de (0, 1] (o 1–1000 milésimas)", ""),
    "problem_unknown_unit": ("unidad de peso desconocida «{value}» (g, castellano, oz, kg, tomín)", ""),
    "problem_unknown_currency": ("moneda desconocida «{value}» ({known})", ""),
    "problem_missing_currency": (
        "sin moneda: agregue una columna de moneda, póngala en el encabezado del valor (p. ej. «Valor "
        "recibido (COP)») o elija una moneda",
        "",
    ),
    "problem_unknown_certification": ("certificación desconocida «{value}» ({known})", ""),
    "problem_fine_gold_mismatch": (
        "el oro fino, {given} g, no coincide con peso bruto × ley = {computed} g",
        "",
    ),
    "problem_duplicate_sale_id": ("lote «{sale_id}» repetido (ya está en la línea {first_line})", ""),
    "problem_wrong_cooperative": ("la cooperativa «{value}» no es «{expected}»", ""),
    "problem_outside_scope": ("usted no puede importar ventas de la cooperativa «{cooperative}»", ""),
    "problem_stored_different": (
        "el lote «{sale_id}» ya está guardado con otros valores; corríjalo en «Corregir una venta»",
        "",
    ),
    "problem_total_row": ("fila de total o subtotal («{value}»): se omite", ""),
    "problem_value_too_large": ("el valor «{value}» es mayor que {limit} (¿un error de digitación?)", ""),
    "problem_price_implausible": (
        "el precio es el {pct} % del de referencia (fuera de {low}–{high} %): revise el valor, el peso y la ley",
        "",
    ),
    "problem_no_benchmark": (
        "no hay precio de referencia a menos de 7 días de esta fecha: no se puede calcular la prima",
        "",
    ),
    "problem_line_reason": ("línea {line}: {reason}", "line {line}: {reason}"),
    "problem_value_missing": ("falta el valor («{value}»)", ""),
    "problem_value_empty": ("valor vacío", ""),
    "problem_value_not_positive": ("valor no positivo: {number}", ""),
    "problem_duplicate_date": ("repetida: igual a la línea {first_line}", ""),
    "problem_duplicate_date_conflict": (
        "fecha repetida con un valor distinto al de la línea {first_line} (se conserva la línea {first_line})",
        "",
    ),
    "problem_value_impossible": ("el valor {number} es imposible junto a sus vecinos (mediana {median})", ""),
    "problem_extreme_move": ("movimiento extremo de {move} (se conserva)", ""),
    "problem_weekend_date": ("fecha en fin de semana ({weekday}): se conserva", ""),
    "problem_ohlc_impossible": (
        "{column} {number} es imposible junto al cierre {close} (se ignora: solo se guarda el cierre)",
        "",
    ),
    "kind_flagged": ("Marcada", "Flagged"),
    "kind_rejected": ("Rechazada", "Rejected"),
    "premiums_title": ("Primas y descuentos", "Premiums and discounts"),
    "premiums_intro": (
        "Cada venta frente al precio de referencia de su oro fino el día de la venta (oro internacional × "
        "tasa de cambio ÷ 31,1034768 g).",
        "Each sale against the benchmark value of its fine gold on the sale date (international gold × "
        "exchange rate ÷ 31.1034768 g).",
    ),
    "premiums_period": ("Periodo", "Period"),
    "premiums_currency": ("Moneda de las ventas", "Currency of the sales"),
    "premiums_none": ("No hay ventas en este periodo.", "No sales in this period."),
    "premiums_unpriced": (
        "{count} ventas sin precio de referencia (sin oro o tasa de cambio a menos de 7 días): no entran en los totales.",
        "{count} sales without a benchmark (no gold or exchange rate within 7 days): left out of the totals.",
    ),
    "premiums_unpriced_one": (
        "1 venta sin precio de referencia (sin oro o tasa de cambio a menos de 7 días): no entra en los totales.",
        "1 sale without a benchmark (no gold or exchange rate within 7 days): left out of the totals.",
    ),
    "premiums_review_one": (
        "1 venta con un precio fuera del 30–200 % del de referencia (¿un cero de más, peso o ley "
        "equivocados?): {sales}. Está incluida en los totales; corríjala en la página Ventas.",
        "1 sale priced outside 30–200 % of the benchmark (an extra zero, a wrong weight or fineness?): "
        "{sales}. It is left out of the average percentages, not of the money totals; fix it on the Sales page.",
    ),
    "premiums_review": (
        "{count} ventas con un precio fuera del 30–200 % del de referencia (¿un cero de más, peso o ley "
        "equivocados?): {sales}. Quedan fuera de los porcentajes promedio, no de las sumas de dinero; "
        "corríjalas en la página Ventas.",
        "{count} sales priced outside 30–200 % of the benchmark (an extra zero, a wrong weight or fineness?): "
        "{sales}. They are left out of the average percentages, not of the money totals; fix them on the Sales "
        "page.",
    ),
    "premiums_sentence_price": (
        "Sus compradores pagaron en promedio el {share} del precio de referencia (mediana {median}).",
        "Your buyers paid on average {share} of the benchmark price (median {median}).",
    ),
    "premiums_sentence_minimum": (
        "{below} de {certified} ventas certificadas quedaron bajo el mínimo del 95 %.",
        "{below} of {certified} certified sales fell below the 95% minimum.",
    ),
    "premiums_sentence_minimum_one": (
        "{below} de {certified} venta certificada quedó bajo el mínimo del 95 %.",
        "{below} of {certified} certified sale fell below the 95% minimum.",
    ),
    "premiums_sentence_owed": ("{buyer} le debe {owed} de primas.", "{buyer} owes you {owed} in premiums."),
    "premiums_sentence_excluded": (
        "Sin contar {count} ventas marcadas para revisión.",
        "Leaving out {count} sales flagged for review.",
    ),
    "premiums_sentence_excluded_one": (
        "Sin contar 1 venta marcada para revisión.",
        "Leaving out 1 sale flagged for review.",
    ),
    "premiums_how": ("¿Cómo se calcula?", "How is it worked out?"),
    "premiums_how_text": (
        "- **Precio del comprador**: lo que el comprador pagó por el oro antes de regalías y retención (son "
        "impuestos que el comprador retiene y paga al Estado por usted, no un descuento suyo); los cobros "
        "comerciales (refinación, ensayo, transporte, exportación) siguen descontados. Es la cifra para "
        "comparar compradores, y a la que se aplica el mínimo del 95 % de Fairmined y Fairtrade.\n"
        "- **Neto recibido**: lo que llegó a la cooperativa por el oro, después de todas las deducciones.\n"
        "- **Total con prima**: el neto más la prima de certificación (USD × la tasa de cambio del día).\n\n"
        "Cada cifra se compara con el valor de referencia del oro fino (oro USD/onza × tasa ÷ 31,1034768). "
        "El mínimo se revisa contra la fijación LBMA cuando está guardada, si no contra la referencia; a "
        "menos de 0,5 puntos de la línea la venta queda «cerca del mínimo». Los promedios se ponderan por "
        "gramos de oro fino y dejan fuera las ventas marcadas para revisión.",
        "- **Buyer's price**: what the buyer paid for the gold before royalties and withholding (taxes the "
        "buyer withholds and pays to the state on your behalf, not a discount of theirs); commercial charges "
        "(refining, assay, transport, export) stay deducted. It is the figure to compare buyers, and the one "
        "the Fairmined and Fairtrade 95% minimum applies to.\n"
        "- **Net received**: what reached the cooperative for the gold, after every deduction.\n"
        "- **All-in**: net received plus the certification premium (USD × the sale day's exchange rate).\n\n"
        "Each is compared with the benchmark value of the fine gold (gold USD/oz × rate ÷ 31.1034768). The "
        "minimum is checked against the LBMA fix where stored, else the benchmark; within 0.5 points of the "
        'line a sale is "near the minimum". Averages are weighted by grams of fine gold and leave out sales '
        "flagged for review.",
    ),
    "metric_buyer_price": ("Precio del comprador", "Buyer's price"),
    "metric_buyer_price_help": (
        "Frente a la referencia, antes de regalías y retención; ponderado por oro fino, sin ventas en revisión. "
        "Mediana: {median}.",
        "Against the benchmark, before royalties and withholding; weighted by fine gold, flagged sales left "
        "out. Median: {median}.",
    ),
    "metric_net": ("Neto recibido", "Net received"),
    "metric_all_in": ("Total con prima", "All-in"),
    "owed_by_buyer": ("Primas de certificación por comprador (USD)", "Certification premiums by buyer (USD)"),
    "col_owed_usd": ("Prima adeudada USD", "Premium owed USD"),
    "col_buyer_price_pct": ("Precio del comprador %", "Buyer's price %"),
    "col_net_pct": ("Neto %", "Net %"),
    "col_all_in_pct": ("Total con prima %", "All-in %"),
    "col_minimum_state": ("Mínimo 95 %", "95% minimum"),
    "col_minimum_reference": ("Referencia del mínimo", "Minimum's reference"),
    "minimum_meets": ("cumple", "meets"),
    "minimum_near": ("cerca del mínimo", "near the line"),
    "minimum_below": ("bajo el mínimo", "below"),
    "wf_all_in": ("Total con prima", "All-in"),
    "metric_fine_gold": ("Oro fino vendido", "Fine gold sold"),
    "metric_premium": ("Prima o descuento medio", "Average premium or discount"),
    "metric_premium_help": (
        "Lo que llegó a la cooperativa frente a la referencia, ponderado por gramos de oro fino, sin ventas en "
        "revisión.",
        "What reached the cooperative against the benchmark, weighted by grams of fine gold, flagged sales left out.",
    ),
    "metric_vs_benchmark": ("Frente al precio de referencia", "Against the benchmark"),
    "metric_cert_premium": ("Primas de certificación recibidas", "Certification premiums received"),
    "metric_cert_vs_due": ("debidas: {due} USD", "due: {due} USD"),
    "chart_realised": (
        "Precio obtenido por gramo fino frente al de referencia",
        "Realised price per fine gram vs benchmark",
    ),
    "chart_benchmark_line": ("Precio de referencia", "Benchmark"),
    "chart_size_note": (
        "Cada punto es una venta; su tamaño, los gramos de oro fino.",
        "Each dot is a sale, sized by its fine gold.",
    ),
    "by_buyer": ("Por comprador", "By buyer"),
    "by_month": ("Por mes", "By month"),
    "by_certification": ("Por certificación", "By certification"),
    "per_sale": ("Venta por venta", "Sale by sale"),
    "waterfall_title": ("Del precio de referencia a lo recibido", "From benchmark value to net received"),
    "waterfall_sale": ("Cascada de una venta", "Waterfall of one sale"),
    "waterfall_period": ("Todo el periodo", "Whole period"),
    "wf_benchmark_value": ("Valor de referencia", "Benchmark value"),
    "wf_buyer_discount": ("Descuento del comprador", "Buyer discount"),
    "wf_charges": ("Cobros (refinación, ensayo, transporte)", "Charges (refining, assay, transport)"),
    "wf_royalties_withholding": ("Regalías y retención", "Royalties and withholding"),
    "wf_certification_premium": ("Prima de certificación", "Certification premium"),
    "wf_net_received": ("Recibido neto", "Net received"),
    "cert_check": ("Revisión de certificación", "Certification check"),
    "cert_check_ok": (
        "Todas las ventas certificadas recibieron la prima debida y al menos el 95 % del precio de referencia.",
        "Every certified sale received the premium due and at least 95 % of the benchmark.",
    ),
    "cert_check_issues_one": (
        "1 venta certificada con prima distinta de la debida o precio bajo el mínimo del 95 %:",
        "1 certified sale with a premium different from the one due, or a price under the 95 % minimum:",
    ),
    "cert_check_issues": (
        "{count} ventas certificadas con prima distinta de la debida o precio bajo el mínimo del 95 %:",
        "{count} certified sales with a premium different from the one due, or a price under the 95 % minimum:",
    ),
    "schedule": ("Tabla de primas vigente (editable)", "Premium schedule (editable)"),
    "schedule_help": (
        "USD por kg de oro fino, o % del precio de referencia, desde la fecha indicada. Valores por defecto de "
        "Fairmined y Fairtrade; verifique los de su contrato.",
        "USD per kg of fine gold, or % of the benchmark, from the date given. Fairmined and Fairtrade defaults; "
        "check them against your contract.",
    ),
    "schedule_save": ("Guardar tabla de primas", "Save premium schedule"),
    "schedule_saved": ("Tabla de primas guardada.", "Premium schedule saved."),
    "what_if": ("¿Y si…?", "What if…?"),
    "what_if_sentence": (
        "Lo recibido ({received}) frente a vender el mismo oro a {buyer} al {share} ({reference}: "
        "{vs_reference}) y al precio de referencia promedio del mes de cada venta ({month}: {vs_month}).",
        "What was received ({received}) against selling the same gold to {buyer} at {share} "
        "({reference}: {vs_reference}) and at each sale month's average benchmark ({month}: {vs_month}).",
    ),
    "what_if_sentence_no_buyer": (
        "Lo recibido ({received}) frente al precio de referencia promedio del mes de cada venta ({month}: "
        "{vs_month}). Para {currency} no hay un comprador de referencia con precio publicado (el Banco de la "
        "República compra solo en Colombia).",
        "What was received ({received}) against each sale month's average benchmark ({month}: {vs_month}). "
        "{currency} has no reference buyer with a published price (Banco de la República buys in Colombia only).",
    ),
    "premiums_download_xlsx": ("Descargar todas las tablas (Excel)", "Download all tables (Excel)"),
    "premiums_download_csv": ("Descargar venta por venta (CSV)", "Download sale by sale (CSV)"),
    "col_sale": ("Venta", "Sale"),
    "col_fine_g": ("Oro fino (g)", "Fine gold (g)"),
    "col_benchmark_g": ("Referencia / g", "Benchmark / g"),
    "col_realised_g": ("Obtenido / g", "Realised / g"),
    "col_premium_pct": ("Neto %", "Net %"),
    "col_vs_benchmark": ("Frente a referencia", "Vs benchmark"),
    "col_due_usd": ("Prima debida USD", "Premium due USD"),
    "col_received_usd": ("Prima recibida USD", "Premium received USD"),
    "col_minimum": ("≥ 95 %", "≥ 95 %"),
    "col_sales": ("Ventas", "Sales"),
    "yes": ("sí", "yes"),
    "no": ("no", "no"),
    # --- table headers by column name (ui.i18n.column_label): tables on pages and in downloads
    "col_sale_id": ("Venta (lote)", "Sale (lot)"),
    "col_fine_gold_g": ("Oro fino (g)", "Fine gold (g)"),
    "col_gross_weight_g": ("Peso bruto (g)", "Gross weight (g)"),
    "col_benchmark_price_per_g": ("Referencia / g", "Benchmark / g"),
    "col_realised_price_per_g": ("Obtenido / g", "Realised / g"),
    "col_benchmark_value": ("Valor de referencia", "Benchmark value"),
    "col_amount_received": ("Monto recibido", "Amount received"),
    "col_money_vs_benchmark": ("Frente a referencia", "Vs benchmark"),
    "col_premium_due_usd": ("Prima debida USD", "Premium due USD"),
    "col_premium_received_usd": ("Prima recibida USD", "Premium received USD"),
    "col_premium_owed_usd": ("Prima adeudada USD", "Premium owed USD"),
    "col_premium_pct_weighted": ("Neto % (ponderado)", "Net % (weighted)"),
    "col_buyer_price_pct_weighted": ("Precio del comprador % (ponderado)", "Buyer's price % (weighted)"),
    "col_worst_premium_pct": ("Peor neto %", "Worst net %"),
    "col_meets_minimum_price": ("Cumple el mínimo 95 %", "Meets the 95% minimum"),
    "col_under_minimum": ("Bajo el mínimo", "Under the minimum"),
    "col_month": ("Mes", "Month"),
    "col_banrep_value": ("Venta al BanRep (95 %)", "Sold to BanRep (95%)"),
    "col_month_average_value": ("A la referencia media del mes", "At the month's average benchmark"),
    "col_vs_banrep": ("Frente al BanRep", "Vs BanRep"),
    "col_vs_month_average": ("Frente a la media del mes", "Vs the month's average"),
    "col_valid_from": ("Vigente desde", "Valid from"),
    "col_usd_per_kg_fine": ("USD por kg fino", "USD per fine kg"),
    "col_pct_of_benchmark": ("% de la referencia", "% of benchmark"),
    "col_price_per_g": ("Precio por gramo", "Price per gram"),
    "col_change_pct": ("Cambio %", "Change %"),
    "col_gold_contribution_pp": ("Aporte del oro (puntos)", "Gold's part (points)"),
    "col_fx_contribution_pp": ("Aporte de la tasa (puntos)", "Exchange rate's part (points)"),
    "col_fx_per_usd": ("Moneda por USD", "Currency per USD"),
    "col_fx_change_pct": ("Cambio de la tasa %", "Exchange-rate change %"),
    "col_buy_price_95": ("Compra 95 % (BanRep)", "95% buy price (BanRep)"),
    "col_as_of": ("Fecha del dato", "As of"),
    "col_gold_change_pct": ("Cambio del oro %", "Gold change %"),
    "col_gold_usd_per_oz": ("Oro, USD por onza troy", "Gold, USD per troy ounce"),
    "col_text": ("Texto", "Text"),
    "col_item": ("Dato", "Item"),
    "col_step": ("Paso", "Step"),
    "col_action": ("Acción", "Action"),
    "col_user": ("Usuario", "User"),
    "col_at": ("Cuándo", "When"),
    "col_before": ("Antes", "Before"),
    "col_after": ("Después", "After"),
    # --- sheet names of downloaded workbooks (at most 31 characters)
    "sheet_about": ("fuentes y fechas", "sources and dates"),
    "sheet_countries": ("países", "countries"),
    "sheet_gold": ("oro", "gold"),
    "sheet_local_prices": ("precios locales", "local prices"),
    "sheet_notable_days": ("días destacados", "notable days"),
    "sheet_premiums_by_cooperative": ("primas por cooperativa", "premiums by cooperative"),
    "sheet_premiums_by_buyer": ("primas por comprador", "premiums by buyer"),
    "sheet_certification": ("certificación", "certification"),
    "sheet_under_minimum": ("bajo el mínimo", "under the minimum"),
    "sheet_summary": ("resumen", "summary"),
    "sheet_per_sale": ("venta por venta", "sale by sale"),
    "sheet_by_buyer": ("por comprador", "by buyer"),
    "sheet_by_month": ("por mes", "by month"),
    "sheet_by_certification": ("por certificación", "by certification"),
    "sheet_waterfall": ("cascada", "waterfall"),
    "sheet_what_if": ("y si", "what if"),
    "sheet_chart_benchmark": ("referencia diaria", "daily benchmark"),
    "sheet_certification_check": ("revisión certificación", "certification check"),
    "sheet_sales": ("ventas", "sales"),
    "file_sales": ("ventas", "sales"),
    "file_premiums": ("primas", "premiums"),
    "file_briefing": ("informe", "briefing"),
    "file_forecast": ("pronostico", "forecast"),
    "file_gold": ("oro", "gold"),
    "sheet_forecast": ("pronóstico", "forecast"),
    "sheet_prices": ("precios", "prices"),
    "sheet_performance": ("rendimiento", "performance"),
    "col_name": ("Modelo", "Model"),
    "col_mae": ("Error medio absoluto", "Mean absolute error"),
    "col_mape_pct": ("Error medio %", "Mean error %"),
    "col_coverage_95_model": ("Cobertura 95 % sin calibrar", "Coverage 95% uncalibrated"),
    "col_width_80_pct": ("Ancho banda 80 % (%)", "80% band width (%)"),
    "col_mean": ("Pronóstico", "Forecast"),
    "col_lo_80": ("Mínimo 80 %", "Low 80%"),
    "col_hi_80": ("Máximo 80 %", "High 80%"),
    "col_lo_95": ("Mínimo 95 %", "Low 95%"),
    "col_hi_95": ("Máximo 95 %", "High 95%"),
    "col_random_walk": ("Sin cambio", "No change"),
    "col_price": ("Precio", "Price"),
    "col_fx": ("Tasa de cambio", "Exchange rate"),
    "col_gold_usd": ("Oro USD/onza", "Gold USD/oz"),
    "col_volatility_30d_pct": ("Volatilidad 30 días %", "30-day volatility %"),
    "col_drawdown_pct": ("Caída desde el máximo %", "Drawdown %"),
    "src_series": ("Serie", "Series"),
    "src_selected": ("Modelo elegido", "Model selected"),
    "src_folds": ("Orígenes del backtest", "Backtest origins"),
    "src_origins": ("Del primero al último", "First to last"),
    "src_last_data": ("Último dato", "Last data"),
    "src_intervals": ("Bandas", "Intervals"),
    "src_intervals_text": (
        "conformes: errores escalados por la volatilidad conocida en cada origen",
        "conformal: errors scaled by the volatility known at the origin",
    ),
    "src_gold_source": ("Fuente del oro", "Gold source"),
    "src_as_of": ("Datos hasta", "As of"),
    "src_demo_series": ("Series de demostración (no son precios reales)", "Demo series (not real prices)"),
    "none_word": ("ninguna", "none"),
    "briefing_week_of": ("semana del {day}", "week of {day}"),
    "briefing_quarter_label": ("{quarter}.º trimestre {year}", "Q{quarter} {year}"),
    # --- Briefing report (ui/briefing_report.py)
    "brief_title": ("Informe del mercado del oro", "Gold market briefing"),
    "brief_period": ("{start} – {end}", "{start} – {end}"),
    "brief_gold_move": (
        "Del {start} al {end}, el oro internacional {verb} {pct}, de {first} a {last} la onza troy.",
        "From {start} to {end}, international gold {verb} {pct}, from {first} to {last} per troy ounce.",
    ),
    "brief_up": ("subió", "rose"),
    "brief_down": ("bajó", "fell"),
    "brief_local_move": (
        "En {currency}, el gramo de oro fino {verb} {pct} hasta {price}: {gold} puntos por el oro y {fx} por el tipo de cambio ({fx_pct} el dólar).",
        "In {currency}, a fine gram {verb} {pct} to {price}: {gold} points from gold and {fx} from the exchange rate (the dollar {fx_pct}).",
    ),
    "brief_usd_move": (
        "En dólares (Ecuador), el gramo de oro fino vale {price} ({pct}).",
        "In dollars (Ecuador), a fine gram is worth {price} ({pct}).",
    ),
    "brief_bob_note": (
        "Bolivia: se usa la tasa oficial (BOB=X, fija en 6,96 desde 2011), no la del mercado paralelo.",
        "Bolivia: the official rate is used (BOB=X, pegged at 6.96 since 2011), not the parallel market rate.",
    ),
    "brief_volatility": (
        "La volatilidad de 30 días del oro es {vol} anual, más alta que en el {pctl} de los días de su historia.",
        "Gold's 30-day volatility is {vol} annualised, higher than on {pctl} of the days in its history.",
    ),
    "brief_range": (
        "El precio está en el percentil {p1} de su último año y en el {p3} de sus últimos tres años.",
        "The price stands at the {p1} percentile of its last year and the {p3} of its last three years.",
    ),
    "brief_notable": ("Días de mayor movimiento: {days}.", "Largest daily moves: {days}."),
    "brief_forecast": (
        "Pronóstico a 20 días hábiles, modelo «{model}»: {mean} la onza el {date} (80 %: {lo} a {hi}). En {folds} pruebas pasadas su error fue {relative} el de «sin cambio» y su banda del 80 % contuvo el precio el {coverage} de las veces.",
        '20-trading-day forecast, model "{model}": {mean} per ounce on {date} (80 %: {lo} to {hi}). In {folds} past tests its error was {relative} that of "no change", and its 80 % band held the price {coverage} of the time.',
    ),
    "brief_demo_notice": (
        "ATENCIÓN: este informe usa datos de demostración, no precios reales ({series}). No lo use para "
        "decidir ventas ni lo comparta como un informe de mercado.",
        "WARNING: this briefing uses demo data, not real prices ({series}). Do not use it to decide sales or "
        "share it as a market briefing.",
    ),
    "brief_partial_notice": (
        "Los datos de {currency} cubren solo del {first} al {last}: sus cifras se refieren a esa parte del "
        "periodo.",
        "The {currency} data cover only {first} to {last}: its figures refer to that part of the period.",
    ),
    "brief_forecast_no_skill": (
        "Ningún modelo superó al pronóstico «sin cambio» en {folds} pruebas pasadas, así que el pronóstico a "
        "20 días hábiles es el último precio: {mean} la onza el {date} (80 %: {lo} a {hi}); su banda del 80 % "
        "contuvo el precio el {coverage} de las veces.",
        'No model beat the "no change" forecast in {folds} past tests, so the 20-trading-day forecast is the last '
        "price: {mean} per ounce on {date} (80 %: {lo} to {hi}); its 80 % band held the price {coverage} of the "
        "time.",
    ),
    "brief_timing": (
        "Lectura de venta al cierre del periodo: {rec}. {reasons}",
        "Sell-timing reading at the period's end: {rec}. {reasons}",
    ),
    "brief_premiums": (
        "Ventas de las cooperativas en el periodo: {sales} ventas, {fine} de oro fino; prima media ponderada {premium}. Primas de certificación recibidas {received} USD de {due} USD debidas.",
        "Cooperative sales in the period: {sales} sales, {fine} of fine gold; weighted average premium {premium}. Certification premiums received {received} USD of {due} USD due.",
    ),
    "brief_under_minimum": (
        "Cooperativas con ventas certificadas por debajo del precio mínimo del 95 %: {list}.",
        "Cooperatives with certified sales under the 95 % minimum price: {list}.",
    ),
    "brief_countries_header": ("Precio de un gramo de oro fino por país", "Price of a fine gram by country"),
    "brief_charts_header": ("Gráficos", "Charts"),
    "brief_premiums_header": ("Primas de las cooperativas", "Cooperative premiums"),
    "brief_sources_header": ("Fuentes y fechas", "Sources and dates"),
    "src_period": ("Periodo", "Period"),
    "src_gold": ("Oro", "Gold"),
    "src_gold_text": (
        "GOLD_USD, USD por onza troy; del {first} (último cierre antes del periodo) al {last}",
        "GOLD_USD, USD per troy ounce; {first} (last close before the period) to {last}",
    ),
    "src_benchmark": ("Precio de referencia", "Benchmark"),
    "src_benchmark_text": (
        "gramo fino = oro USD/onza × moneda por USD ÷ 31,1034768 (últimos valores en o antes de cada fecha, "
        "de 7 días como máximo)",
        "fine gram = gold USD/oz × currency per USD ÷ 31.1034768 (last values on or before each date, at "
        "most 7 days old)",
    ),
    "src_fx": ("Tasas de cambio", "Exchange rates"),
    "src_fx_item": ("{currency}: al {day}", "{currency}: as of {day}"),
    "src_bolivia_text": (
        "tasa oficial (Yahoo BOB=X), no la del mercado paralelo",
        "official rate (Yahoo BOB=X), not the parallel market",
    ),
    "src_volatility": ("Volatilidad", "Volatility"),
    "src_volatility_text": (
        "desviación estándar de los cambios logarítmicos diarios en 30 días calendario × √252",
        "30-calendar-day standard deviation of daily log returns × √252",
    ),
    "src_forecast": ("Pronóstico", "Forecast"),
    "src_forecast_text": (
        "backtest de origen móvil de «sin cambio», deriva y Theta sobre GOLD_USD, {folds} orígenes del "
        "{first} al {last}; bandas calibradas",
        "rolling-origin backtest of random walk, drift and Theta on GOLD_USD, {folds} origins {first} to "
        "{last}; calibrated bands",
    ),
    "src_demo": ("Datos de demostración", "Demo data"),
    "src_demo_text": (
        "series de demostración, no son precios reales: {series}",
        "DEMO series, not real prices: {series}",
    ),
    "brief_col_currency": ("Moneda", "Currency"),
    "brief_col_price": ("Gramo de oro fino", "Fine gram"),
    "brief_col_change": ("Cambio", "Change"),
    "brief_col_gold_pp": ("Por el oro (pp)", "From gold (pp)"),
    "brief_col_fx_pp": ("Por el tipo de cambio (pp)", "From FX (pp)"),
    "brief_col_fx": ("Moneda por USD", "Currency per USD"),
    "brief_col_buy": ("Compra 95 % (BanRep)", "95 % buy (BanRep)"),
    "brief_col_as_of": ("Al", "As of"),
    "brief_chart_gold": ("Oro, USD por onza troy", "Gold, USD per troy ounce"),
    "brief_chart_local": (
        "Gramo de oro fino en cada moneda (inicio = 100)",
        "Fine gram in each currency (start = 100)",
    ),
    "brief_chart_contribution": (
        "Cambio del periodo: oro y tipo de cambio (pp)",
        "The period's change: gold and FX (pp)",
    ),
    "brief_generated": (
        "Generado el {at} con datos hasta el {last}.",
        "Generated on {at} with data up to {last}.",
    ),
    # --- Briefing page
    "nav_briefing": ("Informe", "Briefing"),
    "briefing_title": ("Informe del mercado", "Market briefing"),
    "briefing_kind": ("Periodo", "Period"),
    "briefing_week": ("Semana", "Week"),
    "briefing_month": ("Mes", "Month"),
    "briefing_quarter": ("Trimestre", "Quarter"),
    "briefing_custom": ("Otro", "Custom"),
    "briefing_which": ("Cuál", "Which"),
    "briefing_running": ("Preparando el informe…", "Preparing the briefing…"),
    "briefing_failed": (
        "No se pudo preparar el informe: {reason}",
        "Could not prepare the briefing: {reason}",
    ),
    "briefing_countries": ("Un gramo de oro fino en cada país", "A fine gram in each country"),
    "briefing_premiums": ("Primas por cooperativa en el periodo", "Premiums by cooperative in the period"),
    "briefing_under_minimum": (
        "Cooperativas con ventas certificadas bajo el precio mínimo del 95 %:",
        "Cooperatives with certified sales under the 95 % minimum price:",
    ),
    "briefing_download_html": (
        "Descargar informe (HTML, se imprime a PDF)",
        "Download briefing (HTML, prints to PDF)",
    ),
    "briefing_download_xlsx": ("Descargar tablas (Excel)", "Download tables (Excel)"),
    # --- Sell timing page
    "nav_timing": ("¿Vender o esperar?", "Sell or wait?"),
    "timing_title": ("¿Vender ahora o esperar?", "Sell now or wait?"),
    "timing_intro": (
        "Nadie sabe si el oro subirá la próxima semana. Para un productor, elegir cuándo vender es manejar "
        "el riesgo: repartir las ventas, mirar el dólar y contar lo que cuesta guardar el oro. Esta página "
        "muestra las señales y, sobre todo, si seguirlas habría servido en el pasado.",
        "Nobody knows whether gold will rise next week. For a producer, choosing when to sell is risk "
        "management: spreading sales, watching the dollar, counting what holding gold costs. This page shows "
        "the signals and, above all, whether following them would have helped in the past.",
    ),
    "timing_weekly_grams": (
        "Producción semanal (gramos de oro fino)",
        "Weekly production (grams of fine gold)",
    ),
    "timing_max_hold": ("Máximo de días que se puede guardar un lote", "Longest a lot may be held (days)"),
    "timing_cost": ("Costo de guardar (% del valor por mes)", "Holding cost (% of value per month)"),
    "timing_cost_help": (
        "Seguridad, seguro, financiación mientras el oro no se vende.",
        "Security, insurance, financing while the gold is unsold.",
    ),
    "timing_hold_share": ("Parte de cada lote que se puede guardar", "Share of each lot that may be held"),
    "rec_sell_now": ("Vender ahora", "Sell now"),
    "rec_sell_part": ("Vender una parte", "Sell part"),
    "rec_hold": ("Guardar (máximo {days} días)", "Hold (at most {days} days)"),
    "rec_header": ("Lectura de hoy ({day})", "Today's reading ({day})"),
    "rec_header_stale": ("Lectura al {day} (datos antiguos)", "Reading as of {day} (old data)"),
    "rec_confidence": (
        "Acuerdo de las señales: {pct} (cuánto coinciden hoy, no cuántas veces acertaron).",
        "Agreement of the signals: {pct} (how one-sided today is, not how often they were right).",
    ),
    "rec_no_reasons": ("Ninguna señal fuerte hoy.", "No strong signal today."),
    # the sell-timing rule's reasons (analytics/timing.py Reason codes); numbers formatted by reason_text
    "reason_price_high": (
        "El precio está alto: igual o mayor que el {percentile} de los precios del último año.",
        "The price is high: at or above {percentile} of the last year's prices.",
    ),
    "reason_price_low": (
        "El precio está bajo: igual o mayor que solo el {percentile} de los precios del último año.",
        "The price is low: at or above only {percentile} of the last year's prices.",
    ),
    "reason_above_ma200": (
        "El oro está {pct} por encima de su promedio de 200 días.",
        "Gold is {pct} above its 200-day average.",
    ),
    "reason_below_ma200": (
        "El oro está {pct} por debajo de su promedio de 200 días.",
        "Gold is {pct} below its 200-day average.",
    ),
    "reason_fx_weak": (
        "La moneda local está débil frente al dólar: el dólar está igual o más caro que el {percentile} "
        "de los días del último año (bueno para vender).",
        "The local currency is weak against the dollar: the dollar is at or above {percentile} of the last "
        "year's days (good for sellers).",
    ),
    "reason_rsi_high": (
        "Subida muy rápida (RSI de 14 días = {rsi}): a menudo le sigue una pausa.",
        "A very fast rise (14-day RSI = {rsi}): often followed by a pause.",
    ),
    "reason_rsi_low": (
        "Caída muy rápida (RSI de 14 días = {rsi}): a menudo le sigue un rebote.",
        "A very fast fall (14-day RSI = {rsi}): often followed by a rebound.",
    ),
    "reason_probability": (
        "Probabilidad de que el precio sea mayor en 20 días, después de los costos de guardar el oro: {pct}.",
        "Probability the price is higher in 20 days after holding costs: {pct}.",
    ),
    "rec_no_reasons_stale": ("Ninguna señal fuerte el {day}.", "No strong signal on {day}."),
    "price_reference_today": ("el de hoy", "today's price"),
    "price_reference_on": ("el del {day}", "the price of {day}"),
    "indicators_header": ("Las señales", "The signals"),
    "ind_percentile_1y": (
        "Posición del precio en el último año (percentil)",
        "Price position in the last year (percentile)",
    ),
    "ind_percentile_3y": (
        "Posición del precio en 3 años (percentil)",
        "Price position in 3 years (percentile)",
    ),
    "ind_vs_ma50_pct": ("Frente al promedio de 50 días", "Against the 50-day average"),
    "ind_vs_ma200_pct": ("Frente al promedio de 200 días", "Against the 200-day average"),
    "ind_momentum_1m_pct": ("Cambio en 1 mes", "Change over 1 month"),
    "ind_momentum_3m_pct": ("Cambio en 3 meses", "Change over 3 months"),
    "ind_momentum_6m_pct": ("Cambio en 6 meses", "Change over 6 months"),
    "ind_momentum_12m_pct": ("Cambio en 12 meses", "Change over 12 months"),
    "ind_rsi14": ("RSI de 14 días (más de 70: subida muy rápida)", "14-day RSI (above 70: very fast rise)"),
    "ind_volatility_20d_pct": ("Volatilidad de 20 días (anual)", "20-day volatility (annualised)"),
    "ind_volatility_percentile_1y": (
        "Volatilidad frente al último año (percentil)",
        "Volatility against the last year (percentile)",
    ),
    "ind_fx_position_1y": (
        "Dólar dentro de su rango del año (0 = mínimo, 100 = máximo)",
        "Dollar within its 1-year range (0 = low, 100 = high)",
    ),
    "ind_probability_higher": (
        "Probabilidad de un precio mayor en 20 días, tras costos",
        "Probability of a higher price in 20 days, after costs",
    ),
    "chart_price_averages": (
        "Precio y sus promedios de 50 y 200 días",
        "Price and its 50- and 200-day averages",
    ),
    "chart_rsi": ("RSI de 14 días", "14-day RSI"),
    "ma50": ("Promedio 50 días", "50-day average"),
    "ma200": ("Promedio 200 días", "200-day average"),
    "seasonality_header": ("¿Hay meses mejores?", "Are some months better?"),
    "seasonality_note": (
        "Cambio medio del precio en cada mes del año, con su intervalo del 95 %. Evidencia débil: un dato por "
        "año. Meses en color: intervalo sin el cero. {failed}",
        "Mean price change in each calendar month, with its 95 % interval. Weak evidence: one value per year. "
        "Coloured months: interval excludes zero. {failed}",
    ),
    "seasonality_failed": (
        "{month}: fue en contra en {count} de {years} años ({list}).",
        "{month}: went the other way in {count} of {years} years ({list}).",
    ),
    "seasonality_failed_one": (
        "{month}: fue en contra en 1 de {years} años ({list}).",
        "{month}: went the other way in 1 of {years} years ({list}).",
    ),
    "seasonality_failed_never": (
        "{month}: nunca fue en contra en {years} años.",
        "{month}: never went the other way in {years} years.",
    ),
    "forecast_view_header": ("Lo que dice el pronóstico", "What the forecast says"),
    "forecast_view_sentence": (
        "Con la banda calibrada del pronóstico «sin cambio», la probabilidad de que esperar 20 días hábiles "
        "dé un precio mayor que {reference}, después de {cost} % al mes de costos, es {pct}.",
        'With the calibrated band of the "no change" forecast, the probability that waiting 20 trading days '
        "beats {reference} after {cost} % a month of holding costs is {pct}.",
    ),
    "backtest_header": ("¿Habría ayudado?", "Would this have helped?"),
    "policy_signal": ("Seguir la lectura de esta página", "Follow this page's reading"),
    "policy_above_ma50": (
        "Vender si está sobre el promedio de 50 días; si no, esperar",
        "Sell when above the 50-day average, else wait",
    ),
    "policy_thirds": (
        "Vender un tercio cada semana durante tres semanas",
        "Sell a third each week over three weeks",
    ),
    "policy_sentence": (
        "«{policy}»: en {lots} lotes semanales del {first} al {last}, el precio medio obtenido, neto de costos, "
        "fue {uplift} frente a vender cada lote el día de producción (intervalo del 95 %: {low} a {high}; "
        "peor año {worst_year}: {worst}). {verdict}",
        '"{policy}": over {lots} weekly lots from {first} to {last}, the average price obtained, net of '
        "costs, was {uplift} against selling each lot the day it was produced (95 % interval: {low} to {high}; "
        "worst year {worst_year}: {worst}). {verdict}",
    ),
    "verdict_better": (
        "En este periodo ganó: el intervalo no incluye el cero (con tres reglas probadas, una puede ganar por azar).",
        "In this period it won: the interval excludes zero (with three rules tried, one may win by chance).",
    ),
    "verdict_worse": (
        "En este periodo perdió: el intervalo no incluye el cero.",
        "In this period it lost: the interval excludes zero.",
    ),
    "verdict_unclear": (
        "No se distingue de vender lo producido: la evidencia es débil.",
        "It cannot be told apart from selling as produced: the evidence is weak.",
    ),
    "chart_lots": (
        "Precio obtenido por lote: política frente a vender lo producido",
        "Price per lot: policy vs selling as produced",
    ),
    "lots_baseline": ("Vender lo producido", "Sell as produced"),
    "lots_policy": ("Política", "Policy"),
    "by_year_header": (
        "Resultado por año (% frente a vender lo producido)",
        "Result by year (% vs selling as produced)",
    ),
    "col_year": ("Año", "Year"),
    "col_signal": ("Señal", "Signal"),
    "col_value": ("Valor", "Value"),
    "timing_failed": ("No se pudo calcular: {reason}", "Could not compute: {reason}"),
    "download_backtest": ("Descargar backtest (Excel)", "Download backtest (Excel)"),
    # --- Offers page (app_pages/offers.py, analytics/offers.py)
    "nav_offers": ("Ofertas", "Offers"),
    "offers_title": ("¿Qué comprador deja más?", "Which buyer leaves the most?"),
    "offers_intro": (
        "Escriba o pegue (desde Excel) las ofertas de los compradores para un lote. Cada una se valora con el "
        "precio de referencia del día: oro fino × precio de referencia × % pagado − cargos; el valor presente "
        "descuenta la espera hasta el pago: neto ÷ (1 + tasa × días / 365).",
        "Type or paste (from Excel) the buyers' quotes for one lot. Each is valued at the day's benchmark: "
        "fine gold × benchmark × % paid − charges; the present value discounts the wait until payment: "
        "net ÷ (1 + rate × days / 365).",
    ),
    "offers_gross_g": ("Peso bruto del lote (gramos)", "Gross weight of the lot (grams)"),
    "offers_fineness": ("Ley (0,875 u 875)", "Fineness (0.875 or 875)"),
    "offers_fineness_help": (
        "La fracción de oro puro: 0,875 o, por mil, 875.",
        "The share of pure gold: 0.875 or, per mille, 875.",
    ),
    "offers_date": ("Día del precio de referencia", "Benchmark day"),
    "offers_rate": ("Tasa de interés (% al año)", "Interest rate (% a year)"),
    "offers_rate_help": (
        "Lo que le cuesta a la cooperativa esperar el dinero: la tasa de un préstamo o lo que ganaría con él. "
        "Con 0 no se descuenta la espera.",
        "What waiting for the money costs the cooperative: a loan's rate, or what the money would earn. "
        "With 0 the wait is not discounted.",
    ),
    "offers_benchmark": (
        "Precio de referencia del {day}: {price} por gramo de oro fino (oro del {gold_date}, tasa de cambio "
        "del {fx_date}). Lote: {fine} de oro fino, {value} al 100 %.",
        "Benchmark on {day}: {price} per fine gram (gold of {gold_date}, exchange rate of {fx_date}). "
        "Lot: {fine} of fine gold, {value} at 100 %.",
    ),
    "offers_no_benchmark": (
        "No hay precio de referencia para el {day} (sin oro o tasa de cambio de los 7 días anteriores). "
        "Elija otro día o importe precios más recientes.",
        "No benchmark for {day} (no gold price or exchange rate in the 7 days before). Pick another day or "
        "import newer prices.",
    ),
    "offers_quotes": ("Ofertas", "Quotes"),
    "offers_col_buyer": ("Comprador", "Buyer"),
    "offers_col_price_pct": ("% del precio de referencia", "% of benchmark"),
    "offers_col_fee_per_g": ("Cargo por gramo bruto", "Charge per gross gram"),
    "offers_col_fixed_fee": ("Cargo por lote", "Charge per lot"),
    "offers_col_payment_days": ("Días hasta el pago", "Days to payment"),
    "offers_col_rank": ("Puesto", "Rank"),
    "offers_col_price_per_fine_g": ("Precio por gramo fino", "Price per fine gram"),
    "offers_col_gross_value": ("Valor del oro", "Value of the gold"),
    "offers_col_fees": ("Cargos", "Charges"),
    "offers_col_net_value": ("Neto", "Net"),
    "offers_col_present_value": ("Valor presente", "Present value"),
    "offers_col_difference": ("Frente a la mejor", "Against the best"),
    "offers_empty": (
        "Escriba al menos una oferta: comprador y % del precio de referencia (los cargos vacíos cuentan como 0).",
        "Enter at least one quote: buyer and % of the benchmark (empty charges count as 0).",
    ),
    "offers_best": (
        "La mejor oferta es la de **{buyer}**: {value} hoy (valor presente), {gap} más que la siguiente ({next}).",
        "The best offer is **{buyer}**'s: {value} today (present value), {gap} more than the next ({next}).",
    ),
    "offers_only": (
        "Con una sola oferta, {buyer} deja {value} hoy (valor presente).",
        "With a single quote, {buyer} leaves {value} today (present value).",
    ),
    "offers_best_share_loses": (
        "{buyer} paga el mayor porcentaje ({pct}), pero sus cargos o su plazo lo dejan en el puesto {rank}.",
        "{buyer} pays the highest share ({pct}), but its charges or its wait put it in place {rank}.",
    ),
    "offers_row_error": (
        "Fila {row} ({buyer}) no se tuvo en cuenta: {reason}",
        "Row {row} ({buyer}) left out: {reason}",
    ),
    "offers_error_buyer": ("falta el nombre del comprador.", "the buyer's name is missing."),
    "offers_error_price_pct": (
        "el % del precio de referencia debe estar entre {low} y {high} (escriba 97,5, no 0,975).",
        "the % of the benchmark must be between {low} and {high} (write 97.5, not 0.975).",
    ),
    "offers_error_fee_per_g": (
        "el cargo por gramo no puede ser negativo.",
        "the charge per gram cannot be negative.",
    ),
    "offers_error_fixed_fee": (
        "el cargo por lote no puede ser negativo.",
        "the charge per lot cannot be negative.",
    ),
    "offers_error_payment_days": (
        "los días hasta el pago deben estar entre {low} y {high}.",
        "days to payment must be between {low} and {high}.",
    ),
    "offers_error_missing": ("falta {field}.", "{field} is missing."),
    "offers_error_gross_g": ("El peso bruto debe ser mayor que 0.", "The gross weight must be more than 0."),
    "offers_error_fineness": (
        "La ley debe ser una fracción (0,875) o por mil (875).",
        "The fineness must be a fraction (0.875) or per mille (875).",
    ),
    "offers_download_csv": ("Descargar comparación (CSV)", "Download comparison (CSV)"),
    "offers_paid_before": (
        "Cómo le pagó antes cada comprador conocido a {cooperative} (ventas guardadas; precio del comprador "
        "frente a la referencia, ponderado por oro fino, sin las ventas marcadas para revisión).",
        "How each known buyer paid {cooperative} before (stored sales; the buyer's price against the "
        "benchmark, weighted by fine gold, sales flagged for review left out).",
    ),
    "offers_paid_before_all": ("sus cooperativas", "your cooperatives"),
    "offers_col_paid_before_pct": ("Antes: precio del comprador", "Before: buyer's price"),
    "offers_col_paid_before_sales": ("Antes: ventas", "Before: sales"),
    "offers_col_paid_before_owed": ("Antes: prima adeudada (USD)", "Before: premium owed (USD)"),
    # --- Buyers page (app_pages/buyers.py, services/buyers.py, analytics/buyers.py)
    "nav_buyers": ("Compradores", "Buyers"),
    "buyers_title": ("¿Cómo pagan los compradores?", "How do the buyers pay?"),
    "buyers_intro": (
        "Por comprador, en el periodo: cooperativas y ventas, oro fino, precio del comprador frente al precio "
        "de referencia (antes de regalías y retención; ponderado por oro fino y mediana de las ventas, sin las "
        "marcadas para revisión) y primas de certificación adeudadas (debidas − recibidas, USD).",
        "Per buyer, in the period: cooperatives and sales, fine gold, the buyer's price against the benchmark "
        "(before royalties and withholding; weighted by fine gold, and the median of sales, sales flagged for "
        "review left out) and certification premium owed (due − received, USD).",
    ),
    "buyers_none": (
        "Aún no hay ventas guardadas: importe su libro de ventas en la página Ventas.",
        "No sales stored yet: import your sales ledger on the Sales page.",
    ),
    "buyers_period": ("Periodo", "Period"),
    "buyers_empty": (
        "No hay ventas con comprador en este periodo.",
        "No sales with a buyer in this period.",
    ),
    "buyers_sentence": (
        "Entre el {start} y el {end}, {buyers} compradores recibieron {fine} de oro fino. Pagó mejor **{best}**: "
        "el {share} del precio de referencia.",
        "From {start} to {end}, {buyers} buyers received {fine} of fine gold. **{best}** paid best: {share} of "
        "the benchmark price.",
    ),
    "buyers_sentence_owed": (
        "Quien más primas de certificación debe: **{buyer}**, {owed}.",
        "Owing the most certification premium: **{buyer}**, {owed}.",
    ),
    "buyers_col_buyer": ("Comprador", "Buyer"),
    "buyers_col_cooperatives": ("Cooperativas", "Cooperatives"),
    "buyers_col_sales": ("Ventas", "Sales"),
    "buyers_col_fine_gold_g": ("Oro fino (g)", "Fine gold (g)"),
    "buyers_col_weighted": ("Precio del comprador (ponderado)", "Buyer's price (weighted)"),
    "buyers_col_median": ("Precio del comprador (mediana)", "Buyer's price (median)"),
    "buyers_col_owed": ("Prima adeudada (USD)", "Premium owed (USD)"),
    "buyers_col_review": ("Ventas en revisión", "Sales under review"),
    "buyers_col_across": ("Mediana entre cooperativas", "Median across cooperatives"),
    "buyers_col_across_count": ("Cooperativas en la mediana", "Cooperatives in the median"),
    "buyers_k_note": (
        "La mediana entre cooperativas es la del precio ponderado de cada cooperativa que le vendió a ese "
        "comprador en el periodo. Se muestra solo si le vendieron al menos {k} cooperativas, y sin sus nombres, "
        "para que ninguna cifra se pueda atribuir a otra cooperativa; «–» significa que fueron menos.",
        "The median across cooperatives is that of each cooperative's weighted price with that buyer in the "
        "period. It is shown only where at least {k} cooperatives sold to the buyer, and without their names, "
        'so that no figure can be traced to another cooperative; "–" means fewer did.',
    ),
    "buyers_staff_note": (
        "Mediana entre cooperativas: la del precio ponderado de cada cooperativa con ese comprador. Los miembros "
        "de una cooperativa la ven solo donde le vendieron al menos {k} cooperativas, sin nombres.",
        "Median across cooperatives: that of each cooperative's weighted price with the buyer. A cooperative's "
        "members see it only where at least {k} cooperatives sold to the buyer, without names.",
    ),
    "buyers_download_csv": ("Descargar compradores (CSV)", "Download buyers (CSV)"),
    # --- analytics errors (analytics.errors.CodedError codes), worded by error_text
    "error_no_value_before": (
        "no hay ningún valor de {series} en o antes del {date}.",
        "there is no {series} value on or before {date}.",
    ),
    "error_stale_value": (
        "el último valor de {series} es del {used}, más de {days} días antes del {date}.",
        "the last {series} value is from {used}, more than {days} days before {date}.",
    ),
    "error_period_reversed": (
        "el periodo termina antes de empezar: {text}.",
        "the period ends before it starts: {text}.",
    ),
    "error_period_unreadable": (
        "no se entiende el periodo «{text}»: use 2024-05, 2024-Q2, 2024-W19, 2024 o 2024-05-01:2024-05-31.",
        'cannot read the period "{text}": use 2024-05, 2024-Q2, 2024-W19, 2024 or 2024-05-01:2024-05-31.',
    ),
    "error_no_gold_in_period": (
        "no hay precio del oro entre el {start} y el {end}.",
        "there is no gold price between {start} and {end}.",
    ),
    "error_horizon_step": (
        "el horizonte y el paso deben ser de al menos 1 día.",
        "the horizon and the step must be at least 1 day.",
    ),
    "error_no_origin": (
        "ningún día desde el {start} tiene después {horizon} días hábiles de datos (datos del {first} al {last}; "
        "antes hacen falta {min_train} días de historia).",
        "no day from {start} on is followed by {horizon} trading days of data (data from {first} to {last}; "
        "{min_train} days of history come first).",
    ),
    "error_not_enough_data": (
        "faltan datos: hay {days} días; el backtest necesita {min_train} días de historia y {horizon} más.",
        "not enough data: {days} days; the backtest needs {min_train} days of history and {horizon} more.",
    ),
    "error_unknown_model": ("modelo desconocido: {model}.", "unknown model: {model}."),
    "error_not_enough_to_forecast": (
        "faltan datos para pronosticar: hay {days} días y hacen falta {min_train}.",
        "not enough data to forecast: {days} days, {min_train} needed.",
    ),
    "error_horizon_range": (
        "el horizonte debe estar entre {low} y {high} días hábiles.",
        "the horizon must be between {low} and {high} trading days.",
    ),
    "error_no_price_before": (
        "no hay precio en o antes del {date}.",
        "there is no price on or before {date}.",
    ),
    "error_unknown_policy": ("política desconocida: {policy}.", "unknown policy: {policy}."),
    "error_hold_settings": (
        "la parte que se puede guardar va de 0 a 100 % y el plazo máximo no puede ser negativo.",
        "the share that may be held is 0–100 % and the longest hold cannot be negative.",
    ),
    "error_no_complete_lot": (
        "ningún lote completo en este periodo: los datos deben cubrir los {days} días que se puede guardar "
        "cada lote.",
        "no complete lot in this period: the data must cover the {days} days each lot may be held.",
    ),
}


def _english_problems() -> None:
    """The English text of each import problem is the data layer's own sentence (the CLI's "reason")."""
    from data.parsing import ENGLISH

    for code, english in ENGLISH.items():
        es, _ = TEXTS[f"problem_{code}"]
        TEXTS[f"problem_{code}"] = (es, english)


_english_problems()

#: How a Spanish sentence names a field of the import (the English ones are data.parsing.FIELD_NAMES).
PROBLEM_FIELDS_ES = {
    "sale_id": "el lote",
    "date": "la fecha",
    "gross_weight": "el peso",
    "gross_weight_g": "el peso en gramos",
    "fineness": "la ley",
    "fine_gold_g": "el oro fino",
    "currency": "la moneda",
    "amount_received": "el valor recibido",
    "premium_received_usd": "la prima (USD)",
    "refining_charge": "la refinación",
    "assay_charge": "el ensayo",
    "transport_charge": "el transporte",
    "export_charge": "la exportación",
    "royalties_paid": "las regalías",
    "withholding_paid": "la retención",
    "value": "el valor",
    "buyer": "el comprador",
    "cooperative": "la cooperativa",
    "certification": "la certificación",
    "notes": "las notas",
}
#: Weekday names as pandas writes them ("%A") in a flag, in Spanish.
WEEKDAYS_ES = {
    "Monday": "lunes",
    "Tuesday": "martes",
    "Wednesday": "miércoles",
    "Thursday": "jueves",
    "Friday": "viernes",
    "Saturday": "sábado",
    "Sunday": "domingo",
}
#: The Open/High/Low columns of a Yahoo or Stooq file, in Spanish.
OHLC_ES = {"Open": "la apertura", "High": "el máximo", "Low": "el mínimo"}
_LOCALISED_NUMBERS = {"limit": 0, "length": 0, "given": 2, "computed": 2, "pct": 0, "low": 0, "high": 0}


def problem_text(problem: object, lang: str) -> str:
    """One import problem (data.parsing.Problem, or its dict {"code", ...params}) as a sentence in `lang`."""
    from data.parsing import Problem

    if isinstance(problem, dict):
        params = {key: value for key, value in problem.items() if key != "code"}
        problem = Problem(str(problem.get("code")), params)
    assert isinstance(problem, Problem)
    if lang == "en" or f"problem_{problem.code}" not in TEXTS:
        return problem.english()
    values: dict[str, object] = {}
    for key, value in problem.params.items():
        if key == "field":
            value = PROBLEM_FIELDS_ES.get(str(value), str(value))
        elif key == "cause":
            value = t(f"unit_cause_{value}", lang)
        elif key == "reasons" and isinstance(rows := problem.params.get("rows"), list):
            value = "; ".join(
                t("problem_line_reason", lang, line=row.get("line"), reason=_row_reasons(row, lang))
                for row in rows
                if isinstance(row, dict)
            )
        elif key in ("number", "close") and isinstance(value, int | float):
            written = f"{value:g}"  # as many decimals as the file's cell, like the English sentence
            decimals = len(written.split(".")[1]) if "." in written and "e" not in written else 0
            value = format_number(float(value), lang, min(decimals, 6))
        elif key == "weekday":
            value = WEEKDAYS_ES.get(str(value), str(value))
        elif key == "move" and isinstance(value, int | float):
            value = format_pct(float(value), lang, 1)  # signed, as every change on the pages
        elif key == "column" and problem.code != "cell_too_long":  # that one names the file's column
            value = OHLC_ES.get(str(value), str(value))
        elif (
            key in ("median", "expected", "low", "high")
            and isinstance(value, int | float)
            and problem.code != "price_implausible"  # its low and high are whole percentages
        ):
            value = format_number(float(value), lang, 4 if abs(value) < 100 else 2)
        elif key == "decimal_name":
            value = "coma" if value == "comma" else "punto"
        elif key in ("columns", "header") and isinstance(value, list | tuple):
            names = [
                t(f"field_{v}", lang) if f"field_{v}" in TEXTS and key == "columns" else str(v) for v in value
            ]
            value = ", ".join(names)
        elif key in _LOCALISED_NUMBERS and isinstance(value, int | float):
            value = format_number(float(value), lang, _LOCALISED_NUMBERS[key])
        elif isinstance(value, list | tuple):
            value = ", ".join(str(v) for v in value)
        elif isinstance(value, str) and len(value) > 60:
            value = value[:57] + "…"
        values[key] = value
    text = t(f"problem_{problem.code}", lang, **values)
    return text[:1].upper() + text[1:]


def _row_reasons(row: dict, lang: str) -> str:
    problems = [p for p in row.get("problems") or [] if isinstance(p, dict)]
    texts = [problem_text(p, lang) for p in problems]
    # inside a sentence: "línea 2: el valor…", not "línea 2: El valor…"
    return "; ".join(text[:1].lower() + text[1:] if text[1:2].islower() else text for text in texts) or "–"


def flags_text(text: object, lang: str) -> str:
    """A sale's stored review flags (`sales.flags`) in `lang`; an old plain-text flag as it is."""
    from data.parsing import stored_flags

    problems = stored_flags(str(text or ""))
    if problems is None:
        return str(text)
    return "; ".join(problem_text(problem, lang) for problem in problems)


def problem_rows(entries: list[dict], lang: str) -> pd.DataFrame:
    """Rejected or flagged rows as a table in the user's language: line, sale, every reason of the line."""
    rows = []
    for entry in entries:
        problems = entry.get("problems") or [{"code": entry.get("code"), **{"value": entry.get("reason")}}]
        reasons = [
            problem_text(p, lang) if f"problem_{p.get('code')}" in TEXTS else str(entry.get("reason"))
            for p in problems
        ]
        rows.append(
            {
                t("col_line", lang): entry.get("line"),
                t("field_sale_id", lang): entry.get("sale_id", ""),
                t("col_reason", lang): "; ".join(reasons),
            }
        )
    return pd.DataFrame(rows, columns=[t("col_line", lang), t("field_sale_id", lang), t("col_reason", lang)])


def price_problem_rows(flagged: list[dict], rejected: list[dict], lang: str) -> pd.DataFrame:
    """A price file's flagged and rejected rows as one table in the user's language: kind, line, date, reason."""
    columns = [t("col_kind", lang), t("col_line", lang), t("field_date", lang), t("col_reason", lang)]
    rows = []
    for kind, entries in (("flagged", flagged), ("rejected", rejected)):
        reasons = problem_rows(entries, lang)[t("col_reason", lang)] if entries else []
        for entry, reason in zip(entries, reasons, strict=True):
            rows.append(
                dict(
                    zip(
                        columns,
                        [t(f"kind_{kind}", lang), entry.get("line"), entry.get("date"), reason],
                        strict=True,
                    )
                )
            )
    return pd.DataFrame(rows, columns=columns)


#: Readable names of the market series (what a banner lists), in Spanish and English.
SERIES_NAMES: dict[str, tuple[str, str]] = {
    "GOLD_USD": ("oro en dólares", "gold in dollars"),
    "SILVER_USD": ("plata en dólares", "silver in dollars"),
    "USD_COP": ("pesos colombianos por dólar", "Colombian pesos per dollar"),
    "USD_PEN": ("soles por dólar", "soles per dollar"),
    "USD_BOB": ("bolivianos por dólar", "bolivianos per dollar"),
    "USD_MNT": ("tugriks por dólar", "tögrög per dollar"),
}


def series_label(series_id: str, lang: str) -> str:
    """A series as a reader names it: USD_COP → "pesos colombianos por dólar"; an unknown id unchanged."""
    names = SERIES_NAMES.get(series_id)
    return series_id if names is None else names[1 if lang == "en" else 0]


def source_spans_text(spans: tuple | list, lang: str, most: int = 3) -> str:
    """Where a series' source changes: "LBMA (fijación PM) 4 ene 2000 – 2 mar 2021; Yahoo … 3 mar 2021 – …"
    (the latest `most` runs; earlier ones are counted)."""
    if not spans:
        return "–"
    shown = [
        f"{source_label(source, lang)} {format_day(first, lang)} – {format_day(last, lang)}"
        for source, first, last, _ in spans[-most:]
    ]
    earlier = len(spans) - len(shown)
    prefix = [t("spans_earlier", lang, count=earlier)] if earlier else []
    return "; ".join(prefix + shown)


#: Readable names of the providers a series may come from (the part of a source before ":").
SOURCE_NAMES: dict[str, tuple[str, str]] = {
    "lbma": ("LBMA (fijación PM)", "LBMA (PM fix)"),
    "fred": ("LBMA (fijación PM)", "LBMA (PM fix)"),
    "stooq": ("Stooq (spot)", "Stooq (spot)"),
    "trm": ("TRM (Superintendencia Financiera)", "TRM (Superintendencia Financiera)"),
    "bcrp": ("BCRP", "BCRP"),
}


def source_label(source: str | None, lang: str) -> str:
    """A series' source as a reader names it: yahoo:GC=F → "Yahoo Finance GC=F (futuro COMEX)",
    import:FILE → the file's name, lbma → "LBMA (fijación PM)", demo → "demostración"."""
    if not source:
        return "–"
    if ", " in source:  # several sources, in the order of the days they cover ("lbma, yahoo:GC=F")
        return ", ".join(source_label(part, lang) for part in source.split(", "))
    provider, _, detail = source.partition(":")
    provider = provider.strip().lower()
    if provider.startswith("demo"):
        return "demostración" if lang == "es" else "demo"
    if provider == "import":
        return detail.strip() or source
    if provider == "yahoo":
        ticker = detail.strip()
        if ticker.upper() == "GC=F":
            return "Yahoo Finance GC=F (" + ("futuro COMEX" if lang == "es" else "COMEX future") + ")"
        return f"Yahoo Finance {ticker}".strip()
    if provider in SOURCE_NAMES:
        es, en = SOURCE_NAMES[provider]
        return en if lang == "en" else es
    return source


def t(key: str, lang: str, **values: object) -> str:
    """The text for `key` in `lang` ("es" or "en"), with `values` filled in; `key_one` instead when
    `count` is 1 and such a text exists ("1 venta", not "1 ventas")."""
    if values.get("count") == 1 and f"{key}_one" in TEXTS:
        key = f"{key}_one"
    es, en = TEXTS[key]
    text = en if lang == "en" else es
    return text.format(**values) if values else text


#: How each parameter of a sell-timing reason is written: (kind, digits). Percentiles and probabilities
#: are shares in 0–100, written as "85 %"; distances from the average as "12,3 %"; the RSI as a number.
REASON_PARAMS: dict[str, tuple[str, int]] = {
    "percentile": ("pct", 0),
    "pct": ("pct", 1),
    "rsi": ("number", 0),
}
REASON_PCT_DIGITS = {"probability": 0}


def reason_text(reason: Reason, lang: str) -> str:
    """The sentence for one sell-timing reason (analytics.timing.Reason: a code and its numbers)."""
    values: dict[str, object] = {}
    for name, value in reason.params.items():
        kind, digits = REASON_PARAMS[name]
        if kind == "pct":
            digits = REASON_PCT_DIGITS.get(reason.code, digits)
            values[name] = format_pct(value, lang, digits=digits, signed=False)
        else:
            values[name] = format_number(value, lang, digits)
    return t(f"reason_{reason.code}", lang, **values)


def error_text(error: Exception, lang: str) -> str:
    """An error for the page, in the user's language: worded from its code and params when it has them
    (analytics.errors.CodedError), else its own message."""
    code = getattr(error, "code", None)
    params = getattr(error, "params", None)
    if not isinstance(code, str) or not isinstance(params, dict) or f"error_{code}" not in TEXTS:
        return str(error)
    values: dict[str, object] = {}
    for name, value in params.items():
        if isinstance(value, date | datetime | pd.Timestamp):
            values[name] = format_day(value, lang)
        elif isinstance(value, int | float) and not isinstance(value, bool):
            values[name] = format_number(value, lang, 0 if float(value).is_integer() else 2)
        else:
            values[name] = value
    return t(f"error_{code}", lang, **values)


def offer_error_text(error: OfferError, lang: str) -> str:
    """The words for an analytics.offers.OfferError (a field code and its bounds)."""
    bounds = {
        name: format_number(value, lang, 0)
        for name, value in (("low", error.low), ("high", error.high))
        if value is not None
    }
    return t(f"offers_error_{error.code}", lang, **bounds)


def number_locale(lang: str, currency: str | None = None) -> str:
    return "en_US" if lang == "en" else SPANISH_LOCALE_BY_CURRENCY.get(currency or "COP", "es_CO")


def money_digits(value: float) -> int:
    """Whole units for large amounts ($ 296.375), cents for small ones (S/ 412,35)."""
    return 0 if abs(value) >= 1000 else 2


def format_money(value: float | None, currency: str, lang: str, digits: int | None = None) -> str:
    """`$ 296.375` (es, COP), `US$ 4.050` (es, USD), `COP 296,375` (en); "–" for a missing value."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    digits = money_digits(value) if digits is None else digits
    if currency == "USD" and lang != "en":  # "$" alone is the peso's sign in Colombia: US$ for dollars
        return "US$ " + format_number(value, lang, digits, currency)
    pattern = "¤ #,##0" + ("." + "0" * digits if digits else "")
    return format_currency(
        value, currency, format=pattern, locale=number_locale(lang, currency), currency_digits=False
    )


def format_number(value: float | None, lang: str, digits: int = 2, currency: str | None = None) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    if round(value, digits) == 0:
        value = 0.0  # "-0,0" reads as a loss that is not there
    return format_decimal(value, format=pattern, locale=number_locale(lang, currency))


def format_pct(value: float | None, lang: str, digits: int = 1, signed: bool = True) -> str:
    """`+4,2 %` (es) or `+4.2%` (en); "–" for a missing value."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if round(value, digits) == 0:
        value, signed = 0.0, False  # "-0,00 %" reads as a loss that is not there; zero has no sign
    pattern = ("+" if signed else "") + "#,##0" + ("." + "0" * digits if digits else "")
    if signed:
        pattern += ";-#,##0" + ("." + "0" * digits if digits else "")
    text = format_decimal(value, format=pattern, locale=number_locale(lang))
    return f"{text} %" if lang == "es" else f"{text}%"


def format_day(day: date | datetime | pd.Timestamp | None, lang: str) -> str:
    """`10 may 2024` (es) or `May 10, 2024` (en)."""
    if day is None or pd.isna(day):
        return "–"
    value = pd.Timestamp(day).date()
    if lang == "en":
        return babel_format_date(value, format="medium", locale="en_US")
    return babel_format_date(value, format="d MMM y", locale="es_CO")


def day_labels(index: pd.DatetimeIndex, lang: str) -> list[str]:
    """Vectorised date labels for chart hovers (Babel per point is too slow for long series)."""
    months = ENGLISH_MONTHS if lang == "en" else SPANISH_MONTHS
    names = [months[m - 1] for m in index.month]
    if lang == "en":
        return [f"{name} {d}, {y}" for name, d, y in zip(names, index.day, index.year, strict=True)]
    return [f"{d} {name} {y}" for name, d, y in zip(names, index.day, index.year, strict=True)]


def plotly_separators(lang: str, currency: str | None = None) -> str:
    """Plotly's layout.separators (decimal mark, then thousands) for the user's number convention."""
    sample = format_decimal(1234.5, format="#,##0.0", locale=number_locale(lang, currency))
    return sample[-2] + sample[1]


def month_names(lang: str) -> list[str]:
    """Short month names, January first: ene…dic or Jan…Dec."""
    return list(SPANISH_MONTHS if lang == "es" else ENGLISH_MONTHS)


def unit_label(unit: str, lang: str) -> str:
    return t(f"unit_{unit}", lang)


def default_language(currency: str) -> str:
    """Spanish for the Latin American currencies (USD here is Ecuador's), English otherwise."""
    return "es" if currency in ("COP", "PEN", "BOB", "USD") else "en"


def premiums_sentence(summary: PremiumSummary, owed: pd.DataFrame, lang: str) -> str:
    """The Premiums page's first line: what buyers paid against the benchmark, certified sales under the
    minimum, and the buyer who owes the most premium (each part only when it has something to say)."""
    parts = [
        t(
            "premiums_sentence_price",
            lang,
            share=format_pct(100 + summary.buyer_price_pct_weighted, lang, signed=False),
            median=format_pct(100 + summary.buyer_price_pct_median, lang, signed=False),
        )
    ]
    if summary.excluded_for_review:
        key = (
            "premiums_sentence_excluded_one"
            if summary.excluded_for_review == 1
            else "premiums_sentence_excluded"
        )
        parts.append(t(key, lang, count=summary.excluded_for_review))
    if summary.certified_sales:
        key = "premiums_sentence_minimum_one" if summary.certified_sales == 1 else "premiums_sentence_minimum"
        parts.append(t(key, lang, below=summary.certified_below_minimum, certified=summary.certified_sales))
    if not owed.empty and owed["premium_owed_usd"].iloc[0] >= 1:
        top = owed.iloc[0]
        parts.append(
            t(
                "premiums_sentence_owed",
                lang,
                buyer=top["buyer"],
                owed=f"{format_number(top['premium_owed_usd'], lang, 0)} USD",
            )
        )
    return " ".join(parts)


def buyers_sentence(
    view: BuyersView, first: date, last: date, lang: str, user_text: Callable[[str], str] = str
) -> str:
    """The Buyers page's first line: how many buyers, the fine gold, who paid best and who owes the most
    premium (each part only when it has something to say). `user_text` is applied to the buyers' names
    (the page passes ui.text.plain_markdown: a name is shown as text, never as a link)."""
    priced = [row for row in view.rows if not math.isnan(row.buyer_price_pct_weighted)]
    if not priced:
        return ""
    best = max(priced, key=lambda row: row.buyer_price_pct_weighted)
    parts = [
        t(
            "buyers_sentence",
            lang,
            start=format_day(first, lang),
            end=format_day(last, lang),
            buyers=len(view.rows),
            fine=f"{format_number(sum(row.fine_gold_g for row in view.rows), lang, 1)} g",
            best=user_text(best.buyer),
            share=format_pct(100 + best.buyer_price_pct_weighted, lang, signed=False),
        )
    ]
    owing = max(view.rows, key=lambda row: row.premium_owed_usd)
    if owing.premium_owed_usd >= 1:
        owed = f"{format_number(owing.premium_owed_usd, lang, 0)} USD"
        parts.append(t("buyers_sentence_owed", lang, buyer=user_text(owing.buyer), owed=owed))
    return " ".join(parts)


# --- tables as the reader sees them: headers and cells in the chosen language


def column_label(name: object, lang: str) -> str:
    """A column's header in `lang`: `fine_gold_g` → "Oro fino (g)"; an unknown name unchanged."""
    for prefix in ("field_", "col_"):
        if f"{prefix}{name}" in TEXTS:
            return t(f"{prefix}{name}", lang)
    return str(name)


def sheet_label(name: str, lang: str) -> str:
    """A workbook sheet's name in `lang` (Excel allows 31 characters)."""
    return (t(f"sheet_{name}", lang) if f"sheet_{name}" in TEXTS else column_label(name, lang))[:31]


def file_label(name: str, lang: str) -> str:
    """The stem of a download's file name in `lang`: `ventas` or `sales`."""
    return t(f"file_{name}", lang)


def month_label(value: object, lang: str) -> str:
    """`octubre 2026` (es) or `October 2026` (en) for a month, a period or any day in it."""
    if value is None or (not isinstance(value, pd.Period) and pd.isna(value)):
        return "–"
    day = value.start_time if isinstance(value, pd.Period) else pd.Timestamp(str(value))
    locale = "en_US" if lang == "en" else "es_CO"
    return babel_format_date(day.date(), format="LLLL y", locale=locale)


def _cell_kind(name: str) -> str:
    """How a column's numbers read: money in the table's currency, USD, percent, points, grams, counts..."""
    if name in ("sales", "line", "under_minimum", "folds", "count"):
        return "count"
    if name in ("fineness",):
        return "fineness"
    if name in ("fx", "fx_per_usd"):
        return "rate"
    if name.endswith(("_pct", "_pct_weighted")) or name == "pct_of_benchmark":
        return "pct"
    if name.endswith("_pp"):
        return "points"
    if name.endswith("_usd") or name == "usd_per_kg_fine" or name == "usd_per_g":
        return "usd"
    if name.endswith("_g") and not name.endswith("_per_g"):
        return "grams"
    return "money"


def format_cell(value: object, name: str, lang: str, currency: str | None = None) -> str:
    """One table cell as text in `lang`: numbers by the language's convention, dates as `10 may 2024`,
    certifications and yes/no in words, a missing value as "–"."""
    if value is None or (not isinstance(value, str | pd.Period) and pd.isna(value)):
        return "–"
    if isinstance(value, bool) or (hasattr(value, "dtype") and str(getattr(value, "dtype", "")) == "bool"):
        return t("yes" if value else "no", lang).capitalize()
    if name == "certification" and f"cert_{value}" in TEXTS:
        return t(f"cert_{value}", lang)
    if name == "flags" and isinstance(value, str):
        return flags_text(value, lang)
    if name == "minimum_state" and f"minimum_{value}" in TEXTS:
        return t(f"minimum_{value}", lang)
    if isinstance(value, pd.Period) or name == "month":
        return month_label(value, lang)
    if isinstance(value, date | datetime | pd.Timestamp):
        return format_day(value, lang)
    if isinstance(value, int | float) and not isinstance(value, bool):
        number = float(value)
        kind = _cell_kind(name)
        if kind == "count":
            return format_number(number, lang, 0)
        if kind == "fineness":
            return format_number(number, lang, 3)
        if kind == "rate":
            return format_number(number, lang, 2, currency)
        if kind == "pct":
            return format_pct(number, lang)
        if kind == "points":
            return format_number(number, lang, 1)
        if kind == "usd":
            return format_number(number, lang, 0 if abs(number) >= 1000 else 2)
        if kind == "grams":
            return format_number(number, lang, 1)
        return format_number(number, lang, money_digits(number), currency)
    return str(value)


def display_frame(frame: pd.DataFrame, lang: str, currency: str | None = None) -> pd.DataFrame:
    """A table for the page: every cell text formatted for `lang` (not the browser's locale), headers
    translated. Rows keep their order; the index is dropped unless it is named (it then carries labels)."""
    named = any(name is not None for name in frame.index.names)
    shown = frame.reset_index() if named else frame  # a row number is not worth a column
    out = pd.DataFrame(
        {
            column_label(name, lang): [format_cell(value, str(name), lang, currency) for value in shown[name]]
            for name in shown.columns
        },
        index=pd.RangeIndex(len(shown)),
    )
    return out


def export_frame(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    """A table for a download: numbers stay numbers (a spreadsheet sums them), headers and codes in
    `lang` (certifications, yes/no, months)."""
    out = frame.copy()
    for name in out.columns:
        values = out[name]
        if (
            pd.api.types.is_bool_dtype(values)
            or name in ("certification", "minimum_state", "month", "flags")
            or (values.dtype == object and values.map(lambda v: isinstance(v, bool)).any())
        ):
            out[name] = [format_cell(value, str(name), lang) for value in values]
    out.columns = [column_label(name, lang) for name in out.columns]
    out.index.names = [None if n is None else column_label(n, lang) for n in out.index.names]
    return out


def relative_error_text(ratio: float | None, lang: str) -> str:
    """An error ratio against "no change" in words: "un 12 % mayor que", "igual que" (never "1,000 veces",
    which a Spanish reader takes for a thousand)."""
    if ratio is None or pd.isna(ratio) or round((ratio - 1) * 100) == 0:
        return t("relative_same", lang)
    pct = format_pct(abs(ratio - 1) * 100, lang, digits=0, signed=False)
    return t("relative_more" if ratio > 1 else "relative_less", lang, pct=pct)


#: Horizons of the performance table and the range selector, one set of labels per language.
HORIZON_LABELS = {
    "es": {"1D": "1 día", "1W": "1 sem.", "1M": "1 mes", "3M": "3 meses", "6M": "6 meses",
           "YTD": "En el año", "1Y": "1 año", "5Y": "5 años"},
    "en": {"1D": "1D", "1W": "1W", "1M": "1M", "3M": "3M", "6M": "6M", "YTD": "YTD", "1Y": "1Y", "5Y": "5Y"},
}  # fmt: skip


def horizon_label(code: str, lang: str) -> str:
    return HORIZON_LABELS["en" if lang == "en" else "es"].get(code, code)
