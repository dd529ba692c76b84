"""The one "as of" rule on series that end on different days, as real downloads do.

The stores are made by cutting the real files in ../shared: LBMA gold to 2021-03-02, and the peso rate
(the Yahoo COP closes written as a datos.gov.co TRM export, windows and all) to an earlier day.
"""

from __future__ import annotations

import json

import pandas as pd
import pytest

from data.accounts.alerts import add_rule
from data.market.market_data import import_prices
from services.alerts import run_alerts
from services.as_of import HeldBack, complete_day
from services.price_today import NoPriceError, price_today
from tests.conftest import COP_YAHOO, GOLD_LBMA, PEN_BCRP, shared_file
from tests.test_alerts import smtp  # noqa: F401  (the real SMTP server fixture)
from tests.test_cli import cli
from tests.test_pages import app, metric_values

OZ = 31.1034768
TRM_END = pd.Timestamp("2020-08-25")  # a Tuesday; LBMA gold goes on to 2021-03-02
from data.ledger import OPERATOR  # noqa: E402


def day(text: str) -> pd.Timestamp:
    return pd.Timestamp(text)


def daily(values: dict[str, float]) -> pd.Series:
    return pd.Series(list(values.values()), index=pd.to_datetime(list(values)), dtype=float)


GOLD = daily({"2024-05-06": 2300.0, "2024-05-07": 2310.0, "2024-05-08": 2320.0, "2024-05-09": 2330.0})


# ------------------------------------------------------------------ the rule by hand


def test_the_day_is_the_last_gold_day_the_rate_still_covers():
    fx = daily({"2024-05-06": 3900.0, "2024-05-07": 3910.0})  # ends two gold days early
    rule = complete_day(GOLD, fx, "COP", "2024-05-20", limit_days=7)
    assert rule.day == day("2024-05-07")
    assert rule.held_back_by == (HeldBack("USD_COP", day("2024-05-07")),)
    assert rule.gold_last == day("2024-05-09") and rule.age_days == 13 and rule.stale
    assert rule.as_json()["held_back_by"] == [{"series": "USD_COP", "last": "2024-05-07"}]


def test_a_rate_that_covers_gold_holds_nothing_back_and_usd_needs_no_rate():
    trm = daily({f"2024-05-{d:02d}": 3900.0 + d for d in range(1, 12)})  # every calendar day, past gold
    rule = complete_day(GOLD, trm, "COP", "2024-05-10", limit_days=7)
    assert rule.day == day("2024-05-09") and rule.held_back_by == () and not rule.stale
    usd = complete_day(GOLD, None, "USD", "2024-05-10")
    assert usd.day == day("2024-05-09") and usd.held_back_by == ()


def test_a_weekend_end_of_the_rate_is_priced_on_sunday_with_friday_gold():
    gold = daily({"2024-05-10": 2360.0, "2024-05-13": 2350.0})  # Friday, Monday
    fx = daily({"2024-05-10": 3900.0, "2024-05-11": 3901.0, "2024-05-12": 3902.0})  # to Sunday
    rule = complete_day(gold, fx, "COP", "2024-05-14")
    assert rule.day == day("2024-05-12")  # the last day the rate holds; Monday's gold has no rate
    assert rule.held_back_by == (HeldBack("USD_COP", day("2024-05-12")),)


def test_a_day_past_both_ends_is_the_earlier_end_and_a_weekend_after_friday_still_holds():
    gold = daily({"2024-05-09": 2330.0, "2024-05-10": 2360.0})  # Thursday, Friday: gold ends
    fx = daily({"2024-05-09": 3900.0})  # a business-day rate ending Thursday
    assert complete_day(gold, fx, "COP", "2024-05-20").day == day("2024-05-09")
    assert complete_day(gold, None, "USD", "2024-05-12").day == day("2024-05-12")  # Sunday: Friday's fix
    assert complete_day(gold, None, "USD", "2024-05-13").day == day("2024-05-12")  # Monday: gold ended


def test_no_rate_within_seven_days_of_any_gold_day_is_no_day():
    fx = daily({"2024-04-01": 3900.0})
    rule = complete_day(GOLD, fx, "COP", "2024-05-10")
    assert rule.day is None and rule.stale and rule.age_days is None
    missing = complete_day(GOLD, None, "COP", "2024-05-10")
    assert missing.day is None and missing.held_back_by == (HeldBack("USD_COP", None),)


def test_a_demo_rate_never_prices_real_gold_and_demo_gold_is_demo():
    fx = daily({"2024-05-06": 3900.0, "2024-05-09": 3910.0})
    fake_rate = complete_day(GOLD, fx, "COP", "2024-05-10", demo_series=["USD_COP", "USD_PEN"])
    assert fake_rate.day is None and fake_rate.held_back_by == (HeldBack("USD_COP", None),)
    all_demo = complete_day(GOLD, fx, "COP", "2024-05-10", demo_series=["GOLD_USD", "USD_COP", "USD_PEN"])
    assert all_demo.day == day("2024-05-09") and all_demo.demo
    assert all_demo.demo_series == ("GOLD_USD", "USD_COP")  # only the series this price uses


def test_values_after_today_are_not_read_but_a_series_going_on_holds_over_its_gap():
    fx = daily({"2024-05-06": 3900.0, "2024-05-09": 3910.0})  # a two-day gap (holidays) in the rate
    assert complete_day(GOLD, fx, "COP", "2024-05-08").day == day("2024-05-08")  # with the 6 May rate
    assert complete_day(GOLD, fx.loc[:"2024-05-08"], "COP", "2024-05-08").day == day("2024-05-06")


# ------------------------------------------------------------------ real files, cut


def trm_export(cop_closes: pd.Series) -> bytes:
    """The Yahoo closes written as datos.gov.co's TRM CSV export: quoted, "$3,783.45", dd/mm/yyyy, newest
    first, each value valid from its day to the day before the next (every calendar day covered)."""
    closes = cop_closes.round(2)
    starts = list(closes.index)
    ends = [nxt - pd.Timedelta(days=1) for nxt in starts[1:]] + [starts[-1]]
    lines = ['"VALOR","UNIDAD","VIGENCIADESDE","VIGENCIAHASTA"']
    for start, end, value in reversed(list(zip(starts, ends, closes, strict=True))):
        lines.append(f'"${value:,.2f}","COP","{start:%d/%m/%Y}","{end:%d/%m/%Y}"')
    return ("\n".join(lines) + "\n").encode("utf-8")


def real_gold() -> pd.Series:
    frame = pd.read_csv(shared_file(GOLD_LBMA), na_values=["."], parse_dates=["DATE"], index_col="DATE")
    return frame["GOLDPMGBD228NLBM"].dropna()


def real_cop_closes(end: pd.Timestamp) -> pd.Series:
    frame = pd.read_csv(shared_file(COP_YAHOO), na_values=["null"], parse_dates=["Date"], index_col="Date")
    closes = frame["Close"].dropna()
    return closes[(closes.index >= "2019-01-01") & (closes.index <= end) & (closes > 1000)]


@pytest.fixture
def cut_store(store):
    """LBMA gold to 2021-03-02 and the TRM (from real closes) valid to 2020-08-25."""
    gold = shared_file(GOLD_LBMA)
    import_prices(store, gold.read_bytes(), gold.name)
    import_prices(store, trm_export(real_cop_closes(TRM_END)), "trm_datos_gov_co.csv")
    return store


def expected_cop_per_gram() -> float:
    gold = real_gold().loc[TRM_END]
    fx = round(float(real_cop_closes(TRM_END).iloc[-1]), 2)
    return float(gold) * fx / OZ


@pytest.mark.both_stores
def test_benchmark_without_a_date_is_the_latest_complete_day_to_the_cent(cut_store, db_url):
    result = cli("benchmark", "--currency", "COP", "--unit", "g", db_url=db_url)
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["date"] == out["gold_date"] == out["fx_date"] == "2020-08-25"
    assert round(out["price"], 2) == round(expected_cop_per_gram(), 2)
    today = pd.Timestamp.now().normalize()
    assert out["as_of"] == f"{today:%Y-%m-%d}" and out["age_days"] == (today - TRM_END).days
    assert out["stale"] is True
    assert out["held_back_by"] == [{"series": "USD_COP", "last": "2020-08-25"}]
    assert out["gold_source"] == "lbma" and out["fx_source"] == "trm"
    dated = json.loads(cli("benchmark", "--currency", "COP", "--date", "2020-08-25", db_url=db_url).stdout)
    assert dated["price"] == out["price"]  # the same day by the same rule


def test_card_without_a_date_writes_that_day(cut_store, db_url, tmp_path):
    out = tmp_path / "card.html"
    args = ("card", "--currency", "COP", "--unit", "g", "--language", "es", "--out", str(out))
    result = cli(*args, db_url=db_url)
    assert result.returncode == 0, result.stderr
    card = json.loads(result.stdout)
    assert card["date"] == "2020-08-25"
    assert round(card["price"], 2) == round(expected_cop_per_gram(), 2)
    assert "25 ago 2020" in out.read_text(encoding="utf-8")


def test_dollar_and_soles_take_their_own_day(cut_store):
    pen = shared_file(PEN_BCRP)
    import_prices(cut_store, pen.read_bytes(), pen.name)
    usd = price_today(cut_store, "USD", "g", as_of="2021-03-10")
    soles = price_today(cut_store, "PEN", "g", as_of="2021-03-10")
    assert usd.date == soles.date == day("2021-03-02") and soles.held_back_by == ()
    pesos = price_today(cut_store, "COP", "g", as_of="2021-03-10")
    assert pesos.date == TRM_END and pesos.held_back_by == (HeldBack("USD_COP", TRM_END),)


def test_no_rate_at_all_is_a_reasoned_no_price(store):
    gold = shared_file(GOLD_LBMA)
    import_prices(store, gold.read_bytes(), gold.name)
    with pytest.raises(NoPriceError, match="no USD_COP stored") as raised:
        price_today(store, "COP", "g", as_of="2021-03-10")
    assert raised.value.as_of is not None and raised.value.as_of.gold_last == day("2021-03-02")


@pytest.mark.both_stores
def test_a_stale_alert_goes_out_once_naming_the_rate_that_holds_it_back(cut_store, smtp):  # noqa: F811
    smtp.start()
    rule = add_rule(cut_store, OPERATOR, email="ops@coop.org", currency="COP", unit="g", kind="stale")
    first = run_alerts(cut_store, as_of="2021-03-10")
    assert [s.id for s in first.sent] == [rule.id]
    (message,) = smtp.inbox.messages
    assert message["Subject"] == "Precio del oro sin actualizar desde el 25 ago 2020"
    body = message.get_content()
    assert "hace 197 días" in body and "pesos colombianos por dólar (hasta el 25 ago 2020)" in body
    second = run_alerts(cut_store, as_of="2021-03-11")
    assert second.sent == [] and len(smtp.inbox.messages) == 1  # once per stale episode


def test_a_stale_alert_fires_when_a_rate_is_missing(store, smtp):  # noqa: F811
    smtp.start()
    gold = shared_file(GOLD_LBMA)
    import_prices(store, gold.read_bytes(), gold.name)
    rule = add_rule(store, OPERATOR, email="ops@coop.org", currency="COP", unit="g", kind="stale")
    assert [s.id for s in run_alerts(store, as_of="2021-03-10").sent] == [rule.id]
    (message,) = smtp.inbox.messages
    assert message["Subject"] == "Sin precio del oro en COP: faltan datos"
    assert "pesos colombianos por dólar (sin datos reales)" in message.get_content()


# ------------------------------------------------------------------ the pages


def all_text(at) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    parts += [w.value for w in at.warning] + [i.value for i in at.info] + [e.value for e in at.error]
    parts += [f"{m.label} {m.value}" for m in at.metric]
    return " ".join(str(part) for part in parts)


def test_the_spanish_overview_shows_the_latest_complete_price_and_why_that_day(cut_store, db_url):
    at = app().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    values = metric_values(at)
    price = values["1 gramo de oro fino, al 25 ago 2020"]
    assert price == f"$ {round(expected_cop_per_gram()):,}".replace(",", ".")
    text = all_text(at)
    assert "Precio al 25 ago 2020, el último día con precio del oro y tasa de cambio a la vez" in text
    assert "pesos colombianos por dólar (hasta el 25 ago 2020)" in text and "hasta el 2 mar 2021" in text
    assert any(button.label == "Compartir por WhatsApp" for button in at.get("link_button"))


def test_real_gold_with_demo_pesos_shows_no_peso_price_but_the_real_dollar_price(store, db_url):
    gold = shared_file(GOLD_LBMA)
    import_prices(store, gold.read_bytes(), gold.name)
    at = app().run()
    assert not at.exception
    values = metric_values(at)
    assert not any(value.startswith("$ ") for value in values.values())  # no peso figure at all
    gram_usd = real_gold().iloc[-1] / OZ
    assert values["1 gramo de oro fino en dólares, al 2 mar 2021"] == f"US$ {gram_usd:.2f}".replace(".", ",")
    assert "No hay precio del oro en COP" in all_text(at)
    assert at.dataframe  # the freshness table still says what is stored


def test_demo_prices_are_marked_on_the_figure_itself(db_url):
    at = app().run()
    assert not at.exception
    assert any("DEMOSTRACIÓN" in label for label in metric_values(at))


def test_no_host_name_or_errno_on_a_spanish_page_when_yahoo_is_unreachable(cut_store, db_url):
    message = (
        "no connection to Yahoo Finance (query1.finance.yahoo.com:443: gaierror: [Errno -2] Name or service "
        "not known; empty response)"
    )
    cut_store.log_fetch("yahoo", False, message, "no_connection")
    at = app().run()
    for page in ("app_pages/overview.py", "app_pages/market.py", "app_pages/briefing.py"):
        at.switch_page(page).run()
        assert not at.exception, at.exception
        text = all_text(at)
        assert "yahoo.com" not in text and "Errno" not in text and "gaierror" not in text
        assert "No se pudo consultar Yahoo Finance (sin conexión" in text


def test_briefing_on_real_series_only_has_no_demo_notice_and_names_countries_without_data(cut_store, db_url):
    pen = shared_file(PEN_BCRP)
    import_prices(cut_store, pen.read_bytes(), pen.name)
    out = cli("briefing", "--period", "2021-01", "--out", "/dev/null", db_url=db_url)
    assert out.returncode == 0, out.stderr
    briefing = json.loads(out.stdout)
    summary = " ".join(briefing["summary"])
    assert briefing["demo_series"] == [] and "demostración" not in summary
    assert briefing["countries"] == ["PEN", "USD"]
    assert "Colombia: sin tasa de cambio después del 25 ago 2020" in summary
    assert "Bolivia: sin tasa de cambio real guardada" in summary
    assert {"currency": "COP", "last": "2020-08-25"} in briefing["missing_countries"]
    default = json.loads(cli("briefing", "--out", "/dev/null", db_url=db_url).stdout)
    # the latest complete month in which Colombia, Peru and Ecuador all have prices
    assert default["period"]["start"] == "2020-07-01" and default["countries"] == ["COP", "PEN", "USD"]


def test_the_briefing_page_opens_on_the_month_with_the_most_countries(cut_store, db_url):
    at = app().run()
    at.switch_page("app_pages/briefing.py").run()
    assert not at.exception, at.exception
    picker = at.selectbox(key="briefing_month_pick")
    assert picker.value == "2020-07"
    assert "julio 2020 · 2 de 5 países" in picker.options[picker.index]
    assert "2019-01" in picker.options or any("enero 2019" in o for o in picker.options)
