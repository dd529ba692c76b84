"""Buyers' offers: four quotes worked out by hand, the quotes file, and `cli.py offers compare`."""

import json

import pytest

from analytics.offers import OfferError, Quote, compare_offers
from data.ledger.offer_quotes import QuoteFileError, read_quotes
from tests.conftest import COP_YAHOO, GOLD_LBMA, shared_file
from tests.test_cli import cli

# A lot of 200 g gross at ley 0.900 = 180 g of fine gold; benchmark 400,000 per fine gram, so the lot is
# worth 72,000,000 at 100 %. A rate of 36.5 % a year is 0.1 % a day: 10 days 1 %, 30 days 3 %, 60 days 6 %.
QUOTES = [
    Quote("A", price_pct=98.0, fee_per_g=1_000, fixed_fee=200_000, payment_days=60),
    Quote("B", price_pct=96.0, fee_per_g=0, fixed_fee=0, payment_days=0),
    Quote("C", price_pct=97.0, fee_per_g=500, fixed_fee=100_000, payment_days=10),
    Quote("D", price_pct=97.5, fee_per_g=2_000, fixed_fee=0, payment_days=30),
]
LOT = {"gross_g": 200.0, "fineness": 0.9, "benchmark_price_per_g": 400_000.0}
BY_HAND = {
    # buyer: (price per fine g, gross value = 180 × price, fees = 200 × fee_per_g + fixed, net, present value)
    "A": (392_000, 70_560_000, 200 * 1_000 + 200_000, 70_560_000 - 400_000, 70_160_000 / 1.06),
    "B": (384_000, 69_120_000, 0, 69_120_000, 69_120_000 / 1.00),
    "C": (388_000, 69_840_000, 200 * 500 + 100_000, 69_840_000 - 200_000, 69_640_000 / 1.01),
    "D": (390_000, 70_200_000, 200 * 2_000, 70_200_000 - 400_000, 69_800_000 / 1.03),
}


def test_four_offers_by_hand_the_best_share_loses_to_a_faster_payment():
    result = compare_offers(QUOTES, **LOT, rate_pct_year=36.5)
    assert result.fine_gold_g == pytest.approx(180.0)
    assert result.benchmark_value == pytest.approx(72_000_000)
    for offer in result.offers:
        price, gross, fees, net, present = BY_HAND[offer.buyer]
        assert offer.price_per_fine_g == pytest.approx(price)
        assert offer.gross_value == pytest.approx(gross)
        assert offer.fees == pytest.approx(fees)
        assert offer.net_value == pytest.approx(net)
        assert offer.present_value == pytest.approx(present)
    # present values: B 69,120,000 > C 68,950,495.05 > D 67,766,990.29 > A 66,188,679.25
    assert [(o.rank, o.buyer) for o in result.offers] == [(1, "B"), (2, "C"), (3, "D"), (4, "A")]
    # A pays the best share (98 %) and leaves the most money in 60 days, yet is last at 36.5 % a year
    assert max(result.offers, key=lambda o: o.net_value).buyer == "A"
    differences = {o.buyer: o.difference_from_best for o in result.offers}
    assert differences["B"] == 0.0
    assert differences["C"] == pytest.approx(69_640_000 / 1.01 - 69_120_000)  # −169,504.95
    assert differences["A"] == pytest.approx(70_160_000 / 1.06 - 69_120_000)  # −2,931,320.75


def test_without_interest_the_net_decides():
    result = compare_offers(QUOTES, **LOT)  # default rate 0: present value = net
    assert [o.buyer for o in result.offers] == ["A", "D", "C", "B"]
    assert all(o.present_value == o.net_value for o in result.offers)


def test_fineness_per_mille_and_bad_inputs_are_named():
    assert compare_offers(QUOTES[:1], **{**LOT, "fineness": 900}).fine_gold_g == pytest.approx(180.0)
    with pytest.raises(OfferError) as error:
        compare_offers([Quote("A", price_pct=0.98)], **LOT)  # a fraction where a percent is expected
    assert error.value.code == "price_pct" and (error.value.low, error.value.high) == (30, 200)
    for bad, code in (
        ({"gross_g": 0.0}, "gross_g"),
        ({"fineness": 1.2}, "fineness"),
        ({"rate_pct_year": -1.0}, "rate_pct_year"),
    ):
        with pytest.raises(OfferError) as error:
            compare_offers(QUOTES, **{**LOT, **bad})
        assert error.value.code == code
    with pytest.raises(OfferError, match="payment_days"):
        compare_offers([Quote("A", 97.0, payment_days=-5)], **LOT)


def test_quotes_file_spanish_excel_export_and_bad_lines():
    spanish = "buyer;price_pct;fee_per_g;fixed_fee;payment_days\r\nA;98;1.000;200.000;60\r\nB;96;;;0\r\n"
    quotes = read_quotes(spanish.encode("cp1252"), "ofertas.csv")
    assert quotes[:2] == [Quote("A", 98.0, 1_000.0, 200_000.0, 60.0), Quote("B", 96.0, 0.0, 0.0, 0.0)]
    text = "buyer,price_pct,fee_per_g,fixed_fee,payment_days\nA,97.5,0,0,30\n\nB,abc,0,0,0\n"
    with pytest.raises(QuoteFileError, match=r"^line 4: price_pct 'abc' is not a number$"):
        read_quotes(text.encode(), "q.csv")  # line 4 of the file: the blank line 3 is counted
    with pytest.raises(QuoteFileError, match=r"^line 2: payment_days 'soon'"):
        read_quotes(b"buyer,price_pct,fee_per_g,fixed_fee,payment_days\nA,97,0,0,soon\n", "q.csv")
    with pytest.raises(QuoteFileError, match=r"^line 3: price_pct 0.975 is outside 30–200$"):
        read_quotes(b"buyer,price_pct,fee_per_g,fixed_fee,payment_days\nA,97,0,0,0\nB,0.975,0,0,0\n", "q.csv")
    with pytest.raises(QuoteFileError, match="missing column"):
        read_quotes(b"buyer,price\nA,97\n", "q.csv")


def test_cli_offers_compare_round_trip_on_real_prices(db_url, tmp_path):
    for name in (GOLD_LBMA, COP_YAHOO):
        assert cli("prices", "import", str(shared_file(name)), db_url=db_url).returncode == 0
    quotes = tmp_path / "quotes.csv"
    quotes.write_text(
        "buyer,price_pct,fee_per_g,fixed_fee,payment_days\n"
        "Fundidora Andina,98,1000,200000,60\nBanco,95,0,0,0\nComercializadora del Sur,97,500,100000,10\n",
        encoding="utf-8",
    )
    lot = ["--date", "2020-05-10", "--currency", "COP", "--gross-g", "200", "--fineness", "900"]
    run = cli("offers", "compare", str(quotes), *lot, "--rate-pct-year", "36.5", db_url=db_url)
    assert run.returncode == 0, run.stderr
    report = json.loads(run.stdout)
    assert set(report) >= {"date", "benchmark_price_per_g", "fine_gold_g", "offers"}  # fields only added
    assert set(report["offers"][0]) >= {
        "buyer", "price_per_fine_g", "gross_value", "fees", "net_value", "present_value", "rank",
    }  # fmt: skip
    # the benchmark is the `benchmark` command's, from the same store
    quote = json.loads(cli("benchmark", "--date", "2020-05-10", "--currency", "COP", db_url=db_url).stdout)
    bench = quote["price"]
    assert report["date"] == "2020-05-10" and report["benchmark_price_per_g"] == pytest.approx(bench)
    assert report["fine_gold_g"] == pytest.approx(180.0)
    offers = {o["buyer"]: o for o in report["offers"]}
    andina = offers["Fundidora Andina"]
    assert andina["price_per_fine_g"] == pytest.approx(bench * 0.98)
    assert andina["gross_value"] == pytest.approx(180 * bench * 0.98)
    assert andina["fees"] == pytest.approx(400_000)
    assert andina["present_value"] == pytest.approx((180 * bench * 0.98 - 400_000) / 1.06)
    assert offers["Banco"]["present_value"] == pytest.approx(180 * bench * 0.95)
    assert [o["rank"] for o in report["offers"]] == [1, 2, 3]
    values = [o["present_value"] for o in report["offers"]]
    assert values == sorted(values, reverse=True)

    quotes.write_text("buyer,price_pct,fee_per_g,fixed_fee,payment_days\nX,97,0,0,0\nY,97,-3,0,0\n")
    bad = cli("offers", "compare", str(quotes), *lot, db_url=db_url)
    assert bad.returncode == 2 and bad.stdout == ""
    assert bad.stderr.strip() == "error: line 3: fee_per_g -3.0 must be 0 or more"


def offers_page(quotes: list[Quote], **session: object):
    """The Offers page alone in AppTest (the router's line is added by whoever owns dashboard.py)."""
    import pandas as pd
    from streamlit.testing.v1 import AppTest

    from tests.conftest import PROJECT_ROOT

    at = AppTest.from_file(str(PROJECT_ROOT / "app_pages" / "offers.py"), default_timeout=60)
    at.session_state["offers_quotes"] = pd.DataFrame(
        [(q.buyer, q.price_pct, q.fee_per_g, q.fixed_fee, q.payment_days) for q in quotes],
        columns=["buyer", "price_pct", "fee_per_g", "fixed_fee", "payment_days"],
    )
    for key, value in session.items():
        at.session_state[key] = value
    return at.run()


def result_table(at):
    return next(frame.value for frame in at.dataframe if "Puesto" in frame.value or "Rank" in frame.value)


def test_offers_page_ranks_by_present_value_in_the_users_language(db_url):
    import pandas as pd

    from analytics.benchmark import benchmark_price_per_fine_gram
    from data.market.market_data import load_snapshot
    from data.store import MarketStore
    from i18n import format_day, format_money

    at = offers_page(QUOTES)
    assert not at.exception, at.exception
    at.text_input(key="offers_gross_g").input("200").run()  # numbers as the language writes them
    at.text_input(key="offers_fineness").input("900").run()  # ley per mille: 180 g fine
    at.text_input(key="offers_rate").input("36,5").run()
    # the latest priced day by default (the demo prices end today)
    assert at.date_input(key="offers_date").value == pd.Timestamp.now().date()
    at.date_input(key="offers_date").set_value(pd.Timestamp.now().date() - pd.Timedelta(days=14)).run()
    assert not at.exception, at.exception
    table = result_table(at)
    assert table["Comprador"].tolist() == ["B", "C", "D", "A"] and table["Puesto"].tolist() == [1, 2, 3, 4]
    # the same benchmark as the page: offline demo prices for COP today
    snapshot = load_snapshot(MarketStore.from_url(db_url))
    day = at.date_input(key="offers_date").value
    bench = benchmark_price_per_fine_gram(
        snapshot.gold_usd_per_oz, snapshot.fx_per_usd("COP"), day, currency="COP"
    ).price
    best, second = 180 * bench * 0.96, (180 * bench * 0.97 - 200_000) / 1.01
    assert table["Valor presente"].tolist()[0] == format_money(best, "COP", "es")  # $ 69.120.000-style
    assert table["Frente a la mejor"].tolist()[1] == format_money(second - best, "COP", "es")
    assert table["Cargos"].tolist()[3] == "$ 400.000" and table["% del precio de referencia"][0] == "96,0 %"
    text = " ".join(m.value for m in at.markdown)
    assert "**B**" in text and "A paga el mayor porcentaje (98,0 %)" in text and "puesto 4" in text
    assert len(at.get("download_button")) == 1
    assert any(c.value.startswith(f"Precio de referencia del {format_day(day, 'es')}: ") for c in at.caption)

    # no interest: the net decides and the 98 % offer wins; English numbers and words
    at.session_state["lang"] = "en"
    at.text_input(key="offers_rate").input("0").run()
    table = result_table(at)
    # (the demo benchmark, about 500,000 a gram, is far above the 222,222 where D and C would swap)
    assert table["Buyer"].tolist() == ["A", "D", "C", "B"] and table["Against the best"].tolist()[0] == "–"
    assert table["Charges"].tolist()[0] == "COP 400,000" and table["% of benchmark"].tolist()[0] == "98.0%"
    assert table["Present value"].tolist()[0] == format_money(180 * bench * 0.98 - 400_000, "COP", "en")


def test_offers_page_names_bad_rows_and_keeps_the_good_ones(db_url):
    at = offers_page([QUOTES[0], Quote("Typo", 0.975), Quote("", 97.0)])
    assert not at.exception, at.exception
    warnings = [w.value for w in at.warning]
    assert any(w.startswith("Fila 2 (Typo) no se tuvo en cuenta: el % del precio") for w in warnings)
    assert any(w.startswith("Fila 3 (–)") and "nombre del comprador" in w for w in warnings)
    assert result_table(at)["Comprador"].tolist() == ["A"]


def test_offers_are_entered_one_at_a_time_in_a_short_form_and_shown_as_cards(db_url):
    """The phone's way in: no grid, a form of five fields; each quote a card with its own remove button."""
    import pandas as pd
    from streamlit.testing.v1 import AppTest

    from tests.conftest import PROJECT_ROOT

    at = AppTest.from_file(str(PROJECT_ROOT / "app_pages" / "offers.py"), default_timeout=60).run()
    assert not at.exception, at.exception
    assert all(frame.editing_mode == "read_only" for frame in at.dataframe)  # no grid to type into
    for buyer, pct, days, per_lot in (("Fundidora Andina", "97,5", "30", "200.000"), ("Banco", "95", "", "")):
        at.text_input(key="offer_new_buyer").input(buyer)
        at.text_input(key="offer_new_price_pct").input(pct)
        at.text_input(key="offer_new_payment_days").input(days or "0")
        at.text_input(key="offer_new_fixed_fee").input(per_lot)
        at.button[0].click().run()  # the form's "Agregar oferta"
        assert not at.exception, at.exception
    quotes = at.session_state["offers_quotes"]
    assert quotes["buyer"].tolist() == ["Fundidora Andina", "Banco"]
    assert quotes["price_pct"].tolist() == [97.5, 95.0] and quotes["fixed_fee"].tolist()[0] == 200_000.0
    assert pd.isna(quotes["fee_per_g"]).all()  # left blank: no charge, shown as $ 0 on the card
    cards = [c.value for c in at.caption if "del precio de referencia ·" in c.value]
    assert cards[0] == (
        "97,5 % del precio de referencia · cargos: $ 0 por gramo bruto y $ 200.000 por lote · días hasta el "
        "pago: 30"
    )
    assert at.text_input(key="offer_new_buyer").value == ""  # the form is empty again for the next quote
    assert {"**Fundidora Andina**", "**Banco**"} <= {m.value for m in at.markdown}
    at.button(key="offer_remove_0").click().run()
    assert at.session_state["offers_quotes"]["buyer"].tolist() == ["Banco"]
    at.text_input(key="offer_new_buyer").input("Mal escrito")
    at.text_input(key="offer_new_price_pct").input("97.5")  # a point in Spanish: not read as 975
    at.button[0].click().run()
    assert at.session_state["offers_quotes"]["buyer"].tolist() == ["Banco"]
    assert any("97.5" in e.value for e in at.error)
