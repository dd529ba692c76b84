"""The light price card and the WhatsApp text: size, no script, figures worked out by hand, both languages."""

from __future__ import annotations

import json
import re
from urllib.parse import parse_qs, urlparse

import pandas as pd
import pytest

from services.card import MAX_CARD_BYTES, card_html, whatsapp_link, whatsapp_text, write_card
from services.price_today import NoPriceError, price_today
from tests.conftest import COP_YAHOO, GOLD_LBMA, shared_file
from tests.test_alerts import FX, OZ, pesos, write_prices
from tests.test_cli import cli


def visible_text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def assert_light(html: str) -> None:
    assert len(html.encode("utf-8")) <= MAX_CARD_BYTES
    assert "<script" not in html.lower() and "javascript:" not in html.lower()
    # no other file to fetch: the only link is an empty inline icon (else the browser asks for /favicon.ico)
    assert re.findall(r'(?:src|href)\s*=\s*"([^"]*)"', html, re.I) == ["data:,"]


def test_card_in_spanish_with_the_figures_by_hand(store, tmp_path):
    write_prices(store)
    result = write_card(store, "COP", "g", "es", tmp_path / "precio.html", as_of="2024-05-09")
    html = (tmp_path / "precio.html").read_text(encoding="utf-8")
    assert result.bytes == len(html.encode("utf-8")) < 5_000  # a few KB, far under the 100 KB budget
    assert_light(html)
    gram = 2400.0 * FX / OZ  # 301,895.5
    castellano = gram * 4.6  # 1,388,719.3
    assert result.price == pytest.approx(gram) and result.date == "2024-05-09"
    text = visible_text(html)
    assert 'lang="es"' in html and "Precio del 9 may 2024" in text
    assert f"1 gramo de oro fino {pesos(gram)}" in text  # $ 301.896
    assert f"Compra Banco de la República (95 %): {pesos(0.95 * gram)}" in text  # $ 286.801
    assert f"1 castellano (4,6 g) de oro fino {pesos(castellano)}" in text  # $ 1.388.719
    assert f"Compra Banco de la República (95 %): {pesos(0.95 * castellano)}" in text
    assert "Cambio en 1 semana: +4,3 %" in text  # 2,400 against 2,300 on 2 May
    assert "Oro USD 2.400,00 la onza troy (9 may 2024, archivo gold_lbma.csv)" in text
    assert "COP por USD 3.912,50 (9 may 2024, archivo trm.csv)" in text


def test_card_in_english_other_unit_and_currency_without_a_reference_buyer(store, tmp_path):
    write_prices(store)
    store.write_series(
        "USD_PEN", pd.DataFrame({"date": pd.bdate_range("2024-04-01", "2024-05-14"), "value": 3.75}), "x"
    )
    html = card_html(price_today(store, "COP", "tomin", as_of="2024-05-10"), "en")
    assert_light(html)
    text = visible_text(html)
    gram = 2250.0 * FX / OZ  # 283,027.0
    assert 'lang="en"' in html and "Price of May 10, 2024" in text
    assert f"1 fine gram of gold COP {round(gram):,}" in text
    assert f"1 fine tomín (0.575 g) of gold COP {round(gram * 0.575):,}" in text
    assert f"Banco de la República buys at (95%): COP {round(0.95 * gram):,}" in text
    assert "Change over 1 week: -2.2%" in text  # 2,250 against 2,300 on 3 May
    # soles: no documented reference buyer, so no buy line at all; 2,250 × 3.75 ÷ 31.1 = S/ 271,27
    soles = card_html(price_today(store, "PEN", "g", as_of="2024-05-10"), "es")
    assert "Compra" not in soles
    assert f"S/ {2250 * 3.75 / OZ:.2f}" == "S/ 271.27"
    assert "1 gramo de oro fino S/ 271.27" in visible_text(soles)


def test_card_escapes_what_it_shows_and_says_when_the_price_is_old(store, tmp_path):
    days = pd.bdate_range("2024-04-01", "2024-05-14")
    store.write_series("GOLD_USD", pd.DataFrame({"date": days, "value": 2300.0}), "import:<b>oro</b>.csv")
    store.write_series("USD_COP", pd.DataFrame({"date": days, "value": FX}), "import:trm.csv")
    html = card_html(price_today(store, "COP", "g", as_of="2024-05-30"), "es")
    assert "&lt;b&gt;oro&lt;/b&gt;.csv" in html and "<b>oro" not in html
    assert "Precio antiguo: es de hace 16 días." in visible_text(html)
    with pytest.raises(NoPriceError):
        price_today(store, "COP", "g", as_of="2024-03-01")


def test_whatsapp_text_is_short_spanish_with_the_day_s_price(store):
    write_prices(store)
    quote = price_today(store, "COP", "g", as_of="2024-05-09")
    text = whatsapp_text(quote)
    gram = 2400.0 * FX / OZ
    assert text.startswith(
        f"Precio del oro (de hoy, 9 may 2024): 1 gramo de oro fino {pesos(gram)}; 1 castellano "
        f"{pesos(4.6 * gram)}."
    )
    assert f"Compra Banco de la República (95 %): {pesos(0.95 * gram)} el gramo." in text
    assert "Cambio en 1 semana: +4,3 %." in text
    assert len(text) < 300
    link = whatsapp_link(text)
    assert link.startswith("https://wa.me/?text=")
    assert parse_qs(urlparse(link).query)["text"] == [text]


def test_cli_card_on_the_real_files(db_url, tmp_path):
    for name in (GOLD_LBMA, COP_YAHOO):
        assert cli("prices", "import", str(shared_file(name)), db_url=db_url).returncode == 0
    out = tmp_path / "precio.html"
    result = cli(
        "card", "--currency", "COP", "--unit", "castellano", "--language", "es", "--date", "2021-03-02",
        "--out", str(out), db_url=db_url,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    # issue 31 added which exchange-rate kind priced it
    assert set(report) == {
        "file",
        "bytes",
        "price",
        "date",
        "rate_kind",
        "rate_kind_requested",
        "rate_kind_fallback",
    }
    assert (report["rate_kind"], report["rate_kind_fallback"]) == ("official", False)
    # LBMA PM 2 Mar 2021: 1,723.85 USD/oz; Yahoo USD/COP close that day: 3,617.75
    castellano = 1723.85 * 3617.75 / OZ * 4.6
    assert report["price"] == pytest.approx(castellano) and report["date"] == "2021-03-02"
    assert report["bytes"] == out.stat().st_size <= MAX_CARD_BYTES
    html = out.read_text(encoding="utf-8")
    assert_light(html)
    assert pesos(castellano) == "$ 922.331"
    assert "$ 922.331" in html and pesos(castellano / 4.6) in html  # $ 200.507 a gram
    assert "Cambio en 1 semana" in html
    missing = cli(
        "card", "--currency", "COP", "--unit", "g", "--language", "es", "--date", "1990-01-01",
        "--out", str(out), db_url=db_url,
    )  # fmt: skip
    assert missing.returncode == 2  # in the card's language (issue 30), not the English one-liner
    assert missing.stderr.startswith(
        "error: no hay precio en COP en o antes del 1 ene 1990: ningún día tiene"
    )


def test_overview_offers_whatsapp_and_the_card_only_for_stored_prices(db_url, store):
    from urllib.parse import unquote

    from tests.test_pages import app

    demo = app().run()  # demo data: nothing to share
    assert not demo.exception, demo.exception
    assert any("disponibles cuando hay precios reales" in c.value for c in demo.caption)
    assert not demo.get("link_button")

    write_prices(store, last_day=f"{pd.Timestamp.now():%Y-%m-%d}")
    at = app().run()
    assert not at.exception, at.exception
    (link,) = at.get("link_button")
    assert link.proto.label == "Compartir por WhatsApp"
    assert link.proto.url.startswith("https://wa.me/?text=")
    text = unquote(link.proto.url.split("text=", 1)[1])
    today = price_today(store, "COP", "g")
    assert text == whatsapp_text(today, "es") and pesos(today.price) in text  # the same price as the metric
    assert any(m.value == pesos(today.price) for m in at.metric)
    labels = [b.proto.label for b in at.get("download_button")]
    assert "Descargar tarjeta de precio (HTML liviano)" in labels


def test_card_in_dollars_has_no_exchange_rate_line(store):
    write_prices(store)
    quote = price_today(store, "USD", "oz", as_of="2024-05-09")
    assert quote.price == pytest.approx(2400.0) and quote.fx_date is None
    text = visible_text(card_html(quote, "en"))
    assert (
        "1 fine troy ounce of gold $ 2,400" in text and "1 fine gram of gold $ 77.16" in text
    )  # 2,400 ÷ 31.1
    assert (
        "per USD" not in text and "Gold USD 2,400.00 per troy ounce (May 9, 2024, file gold_lbma.csv)" in text
    )


def test_an_old_price_is_dated_and_aged_in_the_reader_s_language_with_the_operator_s_advice(
    store, monkeypatch
):
    """Issue 30: no "hoy"/"today" beside a price that is not today's; the advice line when one is set."""
    from data.accounts.alerts import add_rule
    from data.ledger import OPERATOR
    from services.alerts import price_message

    write_prices(store)  # to Tuesday 14 May 2024
    quote = price_today(store, "COP", "g", as_of="2024-05-30")  # 16 days later
    assert quote.date == pd.Timestamp("2024-05-14") and quote.age_days == 16 and quote.stale
    spanish, english = whatsapp_text(quote, "es"), whatsapp_text(quote, "en")
    assert spanish.startswith("Precio del oro (del 14 may 2024 — hace 16 días: no es el precio de hoy): ")
    assert english.startswith("Gold price (of May 14, 2024 — 16 days ago: not today's price): ")
    assert "hoy (" not in spanish and "today (" not in english and "\n" not in spanish  # no advice by default
    monkeypatch.setenv(
        "GOLD_DASHBOARD_ADVICE_ES", "Pese su oro en balanza calibrada y pida su liquidación por escrito."
    )
    assert whatsapp_text(quote, "es").endswith(
        "\nPese su oro en balanza calibrada y pida su liquidación por escrito."
    )
    assert "\n" not in whatsapp_text(quote, "en")  # no English advice set: none
    assert "Pese su oro en balanza calibrada" in visible_text(card_html(quote, "es"))
    rule = add_rule(store, OPERATOR, email="a@coop.org", currency="COP", unit="g", above=1.0, language="es")
    _, body = price_message(rule, quote)
    assert "(del 14 may 2024 — hace 16 días: no es el precio de hoy)" in body
    assert "Pese su oro en balanza calibrada" in body


def test_a_rate_is_shown_at_its_source_s_precision_and_the_formula_gives_the_shown_price(store):
    """BCRP publishes 3 decimals (3.747), the TRM 2: the card shows them so, not 3.75."""
    write_prices(store)
    days = pd.bdate_range("2024-04-01", "2024-05-14")
    store.write_series("USD_PEN", pd.DataFrame({"date": days, "value": 3.747}), "bcrp")
    soles = visible_text(card_html(price_today(store, "PEN", "g", as_of="2024-05-10"), "es"))
    assert "PEN por USD 3.747 (10 may 2024" in soles
    assert f"S/ {2250 * 3.747 / OZ:.2f}" == "S/ 271.05" and "1 gramo de oro fino S/ 271.05" in soles
    pesos_card = visible_text(card_html(price_today(store, "COP", "g", as_of="2024-05-10"), "es"))
    assert "COP por USD 3.912,50 (10 may 2024" in pesos_card
