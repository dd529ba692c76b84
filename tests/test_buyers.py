"""Buyers across cooperatives (issue 18): a small ledger worked out by hand, the k-anonymity rule for a
member (two and three cooperatives) on the service, the page and the CLI, and the Offers page's
"paid before" figures."""

from __future__ import annotations

import json
from datetime import date

import pandas as pd
import pytest

from analytics.buyers import buyer_key
from data.accounts.users import add_user, find_user
from data.ledger import OPERATOR
from data.market.market_data import load_snapshot
from services.buyers import buyers_view
from services.sales import import_ledger
from tests.test_access import rendered_text, signed_in
from tests.test_cli import cli

NORTE, SUR, OESTE = "Cooperativa Norte", "Asociación Sur Minera", "Mineros del Oeste"
STAFF_PASSWORD, MEMBER_PASSWORD = "clave del personal", "clave de la cooperativa"
# Gold at 3,110.34768 USD/oz is exactly 100 USD per fine gram (÷ 31.1034768): each sale's buyer's price
# vs the benchmark is (amount received + royalties) ÷ fine grams − 100, in %. Fineness 0.8: fine = 0.8 × gross.
GOLD_USD_PER_OZ = 3110.34768
LEDGER = (
    "sale_id,cooperative,date,buyer,gross_weight_g,fineness,currency,amount_received,certification,"
    "premium_received_usd,royalties_paid\n"
    f"NOR-1,{NORTE},2024-05-06,Refinería Uno,125,0.8,USD,9800,fairmined,100,0\n"  # 100 g: 98 → −2 %
    f"NOR-2,{NORTE},2024-05-07,REFINERIA UNO,375,0.8,USD,28800,none,0,300\n"  # 300 g: 97 → −3 %
    f"SUR-1,{SUR},2024-05-08,Refinería Uno,250,0.8,USD,19000,none,0,0\n"  # 200 g: −5 %
    f"OES-1,{OESTE},2024-05-09,refinería uno,125,0.8,USD,9600,none,0,0\n"  # 100 g: −4 %, the third cooperative
    f"NOR-4,{NORTE},2024-05-10,Compradora Dos,125,0.8,USD,9700,none,0,0\n"  # 100 g: −3 %
    f"SUR-2,{SUR},2024-05-13,Compradora Dos,125,0.8,USD,9600,none,0,0\n"  # 100 g: −4 %
    f"NOR-3,{NORTE},2024-05-14,Refinería Uno,62.5,0.8,USD,50000,none,0,0\n"  # 50 g at 1000: a typo, flagged
)
BEFORE_THE_THIRD = "2024-05-08"  # a period that ends here has two cooperatives selling to Refinería Uno
OTHERS = (SUR, OESTE, "SUR-", "OES-", "Sur Minera", "Oeste")


def small_ledger(store, users: bool = True) -> None:
    days = pd.bdate_range("2024-04-01", "2024-06-28")
    store.write_series("GOLD_USD", pd.DataFrame({"date": days, "value": GOLD_USD_PER_OZ}), "test")
    report = import_ledger(store, OPERATOR, LEDGER.encode(), "ventas.csv")
    assert report["inserted"] == 7, report
    if users:
        add_user(store, "ana", STAFF_PASSWORD, "staff", [])
        add_user(store, "luis", MEMBER_PASSWORD, "member", [NORTE])


def test_buyer_names_match_without_case_accents_or_extra_spaces():
    assert buyer_key("Refinería  Uno ") == buyer_key("REFINERIA UNO") == buyer_key("refinería uno")
    assert buyer_key(None) == buyer_key(float("nan")) == ""
    assert buyer_key("Refinería Uno") != buyer_key("Refinería Dos")


def test_the_buyers_table_worked_out_by_hand(store):
    small_ledger(store)
    view = buyers_view(store, OPERATOR, load_snapshot(store))
    assert [row.buyer for row in view.rows] == ["Refinería Uno", "Compradora Dos"]  # most fine gold first
    uno, dos = view.rows
    assert uno.cooperatives == (SUR, NORTE, OESTE)  # sorted: "Asociación…" first
    assert (uno.sales, uno.excluded_for_review) == (5, 1)
    assert uno.fine_gold_g == pytest.approx(100 + 300 + 50 + 200 + 100)
    # weighted by fine gold, the typo (NOR-3) left out: (100·−2 + 300·−3 + 200·−5 + 100·−4) ÷ 700
    assert uno.buyer_price_pct_weighted == pytest.approx((-200 - 900 - 1000 - 400) / 700)  # −3.571 %
    assert uno.buyer_price_pct_median == pytest.approx((-3 + -4) / 2)  # sales −5, −4, −3, −2
    # Fairmined on NOR-1: 4,000 USD/kg × 0.1 kg = 400 due, 100 received
    assert uno.premium_owed_usd == pytest.approx(400 - 100)
    # each cooperative's weighted price: Norte (100·−2 + 300·−3) ÷ 400 = −2.75, Sur −5, Oeste −4
    assert uno.median_across_cooperatives == pytest.approx(-4.0) and uno.cooperatives_in_median == 3
    assert dos.cooperatives == (SUR, NORTE) and dos.sales == 2 and dos.fine_gold_g == pytest.approx(200)
    assert dos.buyer_price_pct_weighted == pytest.approx(-3.5) and dos.premium_owed_usd == 0
    assert dos.median_across_cooperatives == pytest.approx(-3.5)  # staff see it for any number
    assert view.of("refineria  UNO") is uno and view.of("Nadie") is None


def test_a_member_never_sees_a_median_of_fewer_than_five_other_cooperatives(store):
    small_ledger(store)
    luis = find_user(store, "luis").scope
    snapshot = load_snapshot(store)

    three = buyers_view(store, luis, snapshot)
    uno, dos = three.rows
    assert (uno.buyer, uno.cooperatives, uno.sales, uno.excluded_for_review) == (
        "Refinería Uno",
        (NORTE,),
        3,
        1,
    )
    assert uno.fine_gold_g == pytest.approx(450)
    assert uno.buyer_price_pct_weighted == pytest.approx((100 * -2 + 300 * -3) / 400)  # −2.75: his own
    assert uno.buyer_price_pct_median == pytest.approx(-2.5) and uno.premium_owed_usd == pytest.approx(300)
    # three cooperatives sold to Refinería Uno, two of them others: no median (issue 22: at least five
    # others), not even how many
    assert (uno.median_across_cooperatives, uno.cooperatives_in_median) == (None, None)
    # two cooperatives sold to Compradora Dos: no median, not even how many
    assert (dos.buyer, dos.sales, dos.median_across_cooperatives, dos.cooperatives_in_median) == (
        "Compradora Dos",
        1,
        None,
        None,
    )

    # a period ending before Oeste's sale snaps to the whole quarter: the same figures, and it says so
    two = buyers_view(store, luis, snapshot, end=BEFORE_THE_THIRD)
    assert [row.as_json() | {"period": None} for row in two.rows] == [
        row.as_json() | {"period": None} for row in three.rows
    ]
    assert three.period is not None and not three.period["snapped"]
    assert two.period is not None and two.period["quarters"] == ["2024-Q2"] and two.period["snapped"]
    assert (two.start, two.end) == (date(2024, 4, 1), date(2024, 6, 30))

    for view in (three, two):  # the service's whole output: no other cooperative's name, sale or spelling
        text = repr(view)
        assert not any(other in text for other in OTHERS), text
        assert "refinería uno" not in text  # Oeste's spelling of the buyer
        assert all(row.cooperatives == (NORTE,) for row in view.rows)


def test_cli_buyers_as_staff_and_as_a_member(db_url, store):
    small_ledger(store)
    staff = cli("buyers", db_url=db_url)
    assert staff.returncode == 0, staff.stderr
    rows = json.loads(staff.stdout)
    assert {"buyer", "cooperatives", "sales", "fine_gold_g", "buyer_price_pct_weighted",
            "buyer_price_pct_median", "premium_owed_usd"} <= set(rows[0])  # fmt: skip
    assert [(r["buyer"], r["cooperatives"], r["sales"]) for r in rows] == [
        ("Refinería Uno", [SUR, NORTE, OESTE], 5),
        ("Compradora Dos", [SUR, NORTE], 2),
    ]
    assert rows[0]["buyer_price_pct_weighted"] == pytest.approx(-2500 / 700)
    assert rows[0]["buyer_price_pct_median"] == pytest.approx(-3.5)
    assert rows[0]["premium_owed_usd"] == pytest.approx(300)

    member = cli("--user", "luis", "buyers", db_url=db_url, password=MEMBER_PASSWORD)
    assert member.returncode == 0, member.stderr
    rows = json.loads(member.stdout)
    assert [(r["buyer"], r["cooperatives"], r["sales"]) for r in rows] == [
        ("Refinería Uno", [NORTE], 3),
        ("Compradora Dos", [NORTE], 1),
    ]
    assert rows[0]["buyer_price_pct_weighted"] == pytest.approx(-2.75)
    assert rows[0]["buyer_price_pct_median_across_cooperatives"] is None  # two other cooperatives only
    assert rows[1]["buyer_price_pct_median_across_cooperatives"] is None
    assert rows[0]["period"]["quarters"] == ["2024-Q2"]
    two = cli("--user", "luis", "buyers", "--end", BEFORE_THE_THIRD, db_url=db_url, password=MEMBER_PASSWORD)
    assert two.returncode == 0, two.stderr
    assert [r["buyer_price_pct_median_across_cooperatives"] for r in json.loads(two.stdout)] == [None, None]
    for printed in (member.stdout, two.stdout):
        assert not any(other in printed for other in OTHERS), printed

    period = cli("buyers", "--start", "2024-05-09", "--end", "2024-05-09", db_url=db_url)
    assert [(r["buyer"], r["sales"]) for r in json.loads(period.stdout)] == [("refinería uno", 1)]  # OES-1


def buyers_table(at) -> pd.DataFrame:
    return next(frame.value for frame in at.dataframe if "Comprador" in frame.value.columns)


def test_buyers_page_for_staff_with_the_period_driven(store):
    small_ledger(store)
    at = signed_in("ana", STAFF_PASSWORD)
    at.switch_page("app_pages/buyers.py").run()
    assert not at.exception, at.exception
    assert at.title[0].value == "¿Cómo pagan los compradores?"
    table = buyers_table(at)
    assert table["Comprador"].tolist() == ["Refinería Uno", "Compradora Dos"]
    assert table["Cooperativas"].tolist()[0] == f"{SUR}, {NORTE}, {OESTE}"
    assert table["Precio del comprador (ponderado)"].tolist() == ["-3,6 %", "-3,5 %"]  # −2500 ÷ 700, −3.5
    assert table["Precio del comprador (mediana)"].tolist() == ["-3,5 %", "-3,5 %"]
    assert table["Oro fino (g)"].tolist() == ["750,0", "200,0"]
    assert table["Prima adeudada (USD)"].tolist() == ["300", "0"]
    first = at.markdown[0].value
    assert first.startswith("Entre el 6 may 2024 y el 14 may 2024, 2 compradores recibieron 950,0 g")
    assert "Pagó mejor **Compradora Dos**: el 96,5 %" in first and "**Refinería Uno**, 300 USD" in first
    assert len(at.get("download_button")) == 1

    at.date_input(key="buyers_period").set_value((date(2024, 5, 8), date(2024, 5, 13))).run()
    assert not at.exception, at.exception
    table = buyers_table(at)
    assert table["Comprador"].tolist() == ["Refinería Uno", "Compradora Dos"]
    assert table["Cooperativas"].tolist() == [f"{SUR}, {OESTE}", f"{SUR}, {NORTE}"]
    assert table["Ventas"].tolist() == ["2", "2"]
    # Refinería Uno: SUR-1 and OES-1, (200·−5 + 100·−4) ÷ 300 = −4.67; Compradora Dos: (−3 − 4) ÷ 2
    assert table["Precio del comprador (ponderado)"].tolist() == ["-4,7 %", "-3,5 %"]

    at.session_state["lang"] = "en"
    at.run()
    table = next(frame.value for frame in at.dataframe if "Buyer" in frame.value.columns)
    assert table["Buyer's price (weighted)"].tolist() == ["-4.7%", "-3.5%"]


def test_buyers_page_for_a_member_two_and_three_cooperatives(store):
    small_ledger(store)
    at = signed_in("luis", MEMBER_PASSWORD)
    at.switch_page("app_pages/buyers.py").run()
    assert not at.exception, at.exception
    table = buyers_table(at)
    assert table["Comprador"].tolist() == ["Refinería Uno", "Compradora Dos"]
    assert table["Cooperativas"].tolist() == [NORTE, NORTE]
    assert table["Precio del comprador (ponderado)"].tolist() == ["-2,8 %", "-3,0 %"]  # −2.75: his own
    # three cooperatives; two: neither has five other cooperatives behind it (issue 22)
    assert table["Mediana entre cooperativas"].tolist() == ["–", "–"]
    assert table["Cooperativas en la mediana"].tolist() == ["–", "–"]
    assert any("al menos 5 otras cooperativas" in c.value for c in at.caption)
    assert any("2024-Q2" in c.value for c in at.caption)  # the period in whole quarters
    text = rendered_text(at)
    assert not any(other in text for other in OTHERS)

    # 6–8 May snaps to the whole second quarter: the same table, and the page says so
    at.date_input(key="buyers_period").set_value((date(2024, 5, 6), date(2024, 5, 8))).run()
    assert not at.exception, at.exception
    assert buyers_table(at).equals(table)
    assert any("se ajustaron a los trimestres" in c.value for c in at.caption)
    assert not any(other in rendered_text(at) for other in OTHERS)


def test_offers_page_shows_how_a_known_buyer_paid_before(store):
    from analytics.offers import Quote
    from tests.test_offers import offers_page, result_table

    small_ledger(store, users=False)  # a single machine: the person at the screen reads every cooperative
    at = offers_page(
        [Quote("refineria UNO", 97.0), Quote("Comprador Nuevo", 96.0)],
        cur="USD",
        coop=NORTE,
        offers_day=date(2024, 5, 20),
    )
    assert not at.exception, at.exception
    table = result_table(at)
    assert table["Comprador"].tolist() == ["refineria UNO", "Comprador Nuevo"]
    # Norte's three sales to Refinería Uno: (100·−2 + 300·−3) ÷ 400 = −2.75 % (the typo left out), 300 USD owed
    assert table["Antes: precio del comprador"].tolist() == ["-2,8 %", "–"]
    assert table["Antes: ventas"].tolist() == ["3", "–"]
    assert table["Antes: prima adeudada (USD)"].tolist() == ["300", "–"]
    assert any(
        c.value.startswith(f"Cómo le pagó antes cada comprador conocido a {NORTE}") for c in at.caption
    )

    at.session_state["coop"] = SUR  # another cooperative: its own history with the buyer
    at.run()
    table = result_table(at)
    assert table["Antes: precio del comprador"].tolist() == ["-5,0 %", "–"]
    assert table["Antes: ventas"].tolist() == ["1", "–"]
