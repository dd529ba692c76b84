"""Issue 29: buyer figures no member can narrow down. The three approximate attacks of the issue, each on a
ledger worked out by hand: a median for Q1 and for Q1–Q2 placing the cooperative that joined in Q2, the
count `n` saying exactly one joined, and a member's own 1 g sale unlocking a buyer. docs/disclosure.md."""

from __future__ import annotations

import json
from datetime import date

import pytest

from analytics.buyers import count_band
from data.accounts.access import OPERATOR, LedgerScope
from data.accounts.users import add_user
from data.market.market_data import load_snapshot
from services.buyers import buyers_view
from services.sales import import_ledger
from tests.test_access import rendered_text, signed_in
from tests.test_cli import cli
from tests.test_issue22 import prices
from ui.figures import buyers_quarter_table

HEADER = "sale_id,cooperative,date,buyer,gross_weight_g,fineness,currency,amount_received"
OTHERS = [f"Otra {n}" for n in range(1, 7)]
#: Gold at 100 USD a fine gram, every sale 100 g fine: a sale's buyer's price vs the benchmark is
#: amount ÷ 100 − 100, in %. The six others pay Refinería Uno the same in both quarters.
UNO = dict(zip(OTHERS, (-2.2, -2.6, -3.1, -3.7, -4.2, -4.8), strict=True))
NEWCOMER = -1.0  # "Nueva" sells to Refinería Uno from the second quarter on
DOS = dict(zip(OTHERS, (-2.0, -2.4, -2.9, -3.3, -4.0, -6.0), strict=True))  # six others, first quarter
TRES = dict(zip(OTHERS[:5], (-1.0, -1.5, -2.2, -2.8, -3.6), strict=True))  # five others, first quarter
MEMBER = LedgerScope("luis", frozenset({"Propia"}))
NEIGHBOUR = LedgerScope("rosa", frozenset({"Vecina"}))  # sold only to a buyer nobody else sold to
TODAY = "2024-12-01"
MEMBER_PASSWORD = "clave de la cooperativa"


def sale(number: str, cooperative: str, day: str, buyer: str, pct: float, grams: float = 100) -> str:
    return f"{number},{cooperative},{day},{buyer},{grams},1,USD,{grams * (100 + pct):.2f}"


def ledger(store) -> None:
    prices(store, start="2023-12-01")
    rows = [HEADER]
    for n, name in enumerate(OTHERS):
        rows.append(sale(f"U1-{n}", name, f"2024-02-{n + 1:02d}", "Refinería Uno", UNO[name]))
        rows.append(sale(f"U2-{n}", name, f"2024-05-{n + 1:02d}", "Refinería Uno", UNO[name]))
        rows.append(sale(f"D-{n}", name, f"2024-03-{n + 1:02d}", "Compradora Dos", DOS[name]))
        if name in TRES:
            rows.append(sale(f"T-{n}", name, f"2024-03-{n + 11:02d}", "Tres Metales", TRES[name]))
    rows.append(sale("N-1", "Nueva", "2024-05-20", "Refinería Uno", NEWCOMER))
    rows.append(sale("P-1", "Propia", "2024-02-20", "Refinería Uno", -1.5))
    rows.append(sale("P-2", "Propia", "2024-05-21", "Refinería Uno", -1.5))
    rows.append(sale("V-1", "Vecina", "2024-02-21", "Cuatro Oros", -2.0))
    report = import_ledger(store, OPERATOR, ("\n".join(rows) + "\n").encode(), "todas.csv")
    assert report["inserted"] == 12 + 6 + 5 + 4, report


def published(view) -> dict[tuple[str, str], tuple[float | None, int | None, str | None]]:
    """Every figure across cooperatives a view holds, by (buyer, quarter)."""
    return {
        (row.buyer, cell.quarter): (
            cell.median_across_cooperatives,
            cell.cooperatives_in_median,
            cell.count_band,
        )
        for row in view.rows
        for cell in row.by_quarter or ()
        if cell.count_band
    }


def test_counts_are_bands_and_fewer_than_five_is_no_band():
    assert [count_band(n) for n in (1, 4)] == [None, None]  # "1–4" is never shown: nothing is
    assert [count_band(n) for n in (5, 6, 9)] == [(5, "5-9")] * 3
    assert [count_band(n) for n in (10, 31)] == [(10, "10+")] * 2


def test_a_newcomer_cannot_be_placed_nor_counted_from_a_quarter_and_a_range(store):
    ledger(store)
    snapshot = load_snapshot(store)
    q1 = buyers_view(store, MEMBER, snapshot, "2024-01-01", "2024-03-31", today=TODAY)
    q2 = buyers_view(store, MEMBER, snapshot, "2024-04-01", "2024-06-30", today=TODAY)
    half = buyers_view(store, MEMBER, snapshot, "2024-01-01", "2024-06-30", today=TODAY)
    uno = {"q1": q1.of("Refinería Uno"), "q2": q2.of("Refinería Uno"), "half": half.of("Refinería Uno")}
    assert all(row is not None for row in uno.values())
    # Q1, six others: −2.2 −2.6 −3.1 −3.7 −4.2 −4.8, median (−3.1 − 3.7) ÷ 2 = −3.4 → −3.5 on the 0.5 grid
    assert (uno["q1"].median_across_cooperatives, uno["q1"].count_band) == (-3.5, "5-9")
    # Q2, seven others with Nueva's −1.0: median −3.1 → −3.0
    assert (uno["q2"].median_across_cooperatives, uno["q2"].count_band) == (-3.0, "5-9")
    # the count is the same band in both quarters: six and seven others read alike (no "one joined")
    assert uno["q1"].cooperatives_in_median == uno["q2"].cooperatives_in_median == 5
    # the half year is never one figure (it was −3.0 with n = 7 beside Q1's −3.5 with n = 6: the newcomer
    # above −3.5, and alone); it is the two quarters' own figures, nothing more
    assert (uno["half"].median_across_cooperatives, uno["half"].cooperatives_in_median) == (None, None)
    assert uno["half"].count_band is None and half.period is not None and half.period["per_quarter"]
    assert published(half) == published(q1) | published(q2)
    assert published(half)[("Refinería Uno", "2024-Q1")] == (-3.5, 5, "5-9")
    assert published(half)[("Refinería Uno", "2024-Q2")] == (-3.0, 5, "5-9")
    _, numbers = buyers_quarter_table(half, "en")  # the per-quarter CSV: the same cells, as numbers
    assert numbers.loc["Refinería Uno", "Median across cooperatives"].tolist() == [-3.5, -3.0]
    assert numbers.loc["Refinería Uno", "Cooperatives in the median"].tolist() == ["5–9", "5–9"]
    # the member's own figures still cover the whole period: P-1 and P-2, −1.5 each
    assert (uno["half"].sales, uno["half"].buyer_price_pct_weighted) == (2, pytest.approx(-1.5))
    assert "Nueva" not in repr(half) and not any(name in repr(half) for name in OTHERS)


def test_a_members_own_tiny_sale_unlocks_no_buyer_and_every_member_gets_the_same_list(store):
    ledger(store)
    snapshot = load_snapshot(store)

    def first_quarter(scope):
        return buyers_view(store, scope, snapshot, "2024-01-01", "2024-03-31", today=TODAY)

    before, neighbour = first_quarter(MEMBER), first_quarter(NEIGHBOUR)
    # Dos: six others, median (−2.9 − 3.3) ÷ 2 = −3.1 → −3.0; Tres: five others, median −2.2 → −2.0. Both
    # listed although the member never sold to them (own figures empty), as for the neighbour
    dos, tres = before.of("Compradora Dos"), before.of("tres metales")
    assert dos is not None and tres is not None
    assert (dos.sales, dos.cooperatives, dos.median_across_cooperatives, dos.count_band) == (
        0,
        (),
        -3.0,
        "5-9",
    )
    assert (tres.sales, tres.median_across_cooperatives, tres.cooperatives_in_median) == (0, -2.0, 5)
    assert (
        set(published(before))
        == set(published(neighbour))
        == {
            ("Refinería Uno", "2024-Q1"),
            ("Compradora Dos", "2024-Q1"),
            ("Tres Metales", "2024-Q1"),
        }
    )
    assert before.of("Cuatro Oros") is None  # only Vecina sold to it: no figure, not even its name
    assert "Cuatro" not in repr(before)

    # the member sells 1 g to Compradora Dos at 150 % of the benchmark: nothing they see across
    # cooperatives moves or appears; their own row is now there
    import_ledger(
        store, OPERATOR, (HEADER + "\n" + sale("P-3", "Propia", "2024-03-25", "Compradora Dos", 50, 1)).encode(),
        "p.csv",
    )  # fmt: skip
    after = first_quarter(MEMBER)
    assert published(after) == published(before)
    mine = after.of("Compradora Dos")
    assert mine is not None and (mine.sales, mine.fine_gold_g, mine.buyer_price_pct_weighted) == (1, 1, 50)
    assert set(published(first_quarter(NEIGHBOUR))) == set(published(before))


def test_cli_member_gets_bands_and_one_figure_per_quarter(db_url, store):
    ledger(store)
    add_user(store, "luis", MEMBER_PASSWORD, "member", ["Propia"])
    run = cli("--user", "luis", "buyers", "--start", "2024-01-01", "--end", "2024-06-30", db_url=db_url,
              password=MEMBER_PASSWORD)  # fmt: skip
    assert run.returncode == 0, run.stderr
    rows = {row["buyer"]: row for row in json.loads(run.stdout)}
    assert list(rows) == ["Refinería Uno", "Compradora Dos", "Tres Metales"]  # own first, then by name
    uno = rows["Refinería Uno"]
    assert (uno["buyer_price_pct_median_across_cooperatives"], uno["cooperatives_in_median"]) == (None, None)
    assert uno["count_band"] is None and uno["period"]["per_quarter"] is True
    assert uno["by_quarter"] == [
        {"quarter": "2024-Q1", "buyer_price_pct_median_across_cooperatives": -3.5, "cooperatives_in_median": 5,
         "count_band": "5-9"},
        {"quarter": "2024-Q2", "buyer_price_pct_median_across_cooperatives": -3.0, "cooperatives_in_median": 5,
         "count_band": "5-9"},
    ]  # fmt: skip
    assert rows["Tres Metales"]["by_quarter"][1]["count_band"] is None  # nobody sold to it in Q2
    assert (rows["Tres Metales"]["sales"], rows["Tres Metales"]["buyer_price_pct_weighted"]) == (0, None)
    staff = {row["buyer"]: row for row in json.loads(cli("buyers", db_url=db_url).stdout)}
    assert (
        staff["Refinería Uno"]["cooperatives_in_median"] == 8 and staff["Refinería Uno"]["by_quarter"] is None
    )


def test_buyers_page_for_a_member_shows_a_range_per_quarter_with_bands(store):
    ledger(store)
    add_user(store, "luis", MEMBER_PASSWORD, "member", ["Propia"])
    at = signed_in("luis", MEMBER_PASSWORD)
    at.switch_page("app_pages/buyers.py").run()
    assert not at.exception, at.exception
    at.date_input(key="buyers_period").set_value((date(2024, 2, 20), date(2024, 5, 21))).run()
    assert not at.exception, at.exception
    quarterly = next(frame.value for frame in at.dataframe if "Trimestre" in frame.value.columns)
    assert quarterly.to_dict("records") == [
        {"Comprador": "Refinería Uno", "Trimestre": "2024-Q1", "Mediana entre cooperativas": "-3,5 %",
         "Cooperativas en la mediana": "5–9"},
        {"Comprador": "Refinería Uno", "Trimestre": "2024-Q2", "Mediana entre cooperativas": "-3,0 %",
         "Cooperativas en la mediana": "5–9"},
        {"Comprador": "Compradora Dos", "Trimestre": "2024-Q1", "Mediana entre cooperativas": "-3,0 %",
         "Cooperativas en la mediana": "5–9"},
        {"Comprador": "Tres Metales", "Trimestre": "2024-Q1", "Mediana entre cooperativas": "-2,0 %",
         "Cooperativas en la mediana": "5–9"},
    ]  # fmt: skip
    assert any("solo por trimestre cerrado" in caption.value for caption in at.caption)
    assert len(at.get("download_button")) == 2  # the buyers, and the figures per quarter
    first = at.markdown[0].value  # the sentence counts the member's own sales only: P-1 and P-2, 200 g
    assert "recibieron 200,0 g de oro fino" in first, first
    assert not any(name in rendered_text(at) for name in [*OTHERS, "Nueva", "Vecina"])
