"""One day, one price, whichever path asks (issue 30).

The store is made of real files cut to end on different days, as a new user's downloads do: LBMA gold to
2016-02-29, the official TRM export as it is (its last window runs 2015-12-31 .. 2016-01-04) and Peru's
BCRP rate cut to 2015-11-30. Every path is asked for the same two days:

- Sunday 2015-12-20: Friday's gold fix (18 Dec, 1,062.50 USD/oz) with the TRM in force that Sunday
  (window 19..21 Dec, 3,337.68; Friday's own TRM was 3,333.37): 1,062.50 x 3,337.68 / 31.1034768
  = 114,015.71 pesos per gram.
- Friday 2016-01-08, after the TRM ends: not priced by carrying the rate forward. The price is that of the
  latest complete day, Monday 2016-01-04 (gold 1,082.25, TRM 3,149.47): 109,586.27 pesos per gram, held
  back by USD_COP; a sale on the day itself has no benchmark (Premiums counts it as unpriced).
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from analytics.premiums import benchmark_per_fine_gram
from data.market.market_data import import_prices, load_snapshot
from services.price_today import price_today, snapshot_price_answer
from tests.conftest import GOLD_LBMA, PEN_BCRP, shared_file
from tests.test_cli import cli

TRM_OFFICIAL = "usd_cop_daily_trm_datosgov_1991_2015.csv"
OZ = 31.1034768
SUNDAY = pd.Timestamp("2015-12-20")
AFTER_TRM = pd.Timestamp("2016-01-08")
SUNDAY_PRICE = 1062.50 * 3337.68 / OZ
HELD_PRICE = 1082.25 * 3149.47 / OZ


def cut_lines(name: str, keep) -> bytes:
    """The real file with only the data lines `keep` accepts (header kept, bytes otherwise unchanged)."""
    lines = shared_file(name).read_bytes().splitlines(keepends=True)
    return b"".join([lines[0], *(line for line in lines[1:] if keep(line.decode("utf-8-sig")))])


def bcrp_day(line: str) -> pd.Timestamp:
    return pd.Timestamp(pd.to_datetime(line.split(",")[0], format="%d/%m/%Y"))


@pytest.fixture
def ends_apart(store):
    """Gold to 2016-02-29, the TRM to 2016-01-04, soles to 2015-11-30: three different last days."""
    import_prices(store, cut_lines(GOLD_LBMA, lambda line: line[:10] <= "2016-02-29"), GOLD_LBMA)
    trm = shared_file(TRM_OFFICIAL)
    import_prices(store, trm.read_bytes(), trm.name)
    pen = cut_lines(PEN_BCRP, lambda line: bcrp_day(line) <= pd.Timestamp("2015-11-30"))
    import_prices(store, pen, PEN_BCRP)
    return store


def by_cli(db_url: str, *args: str) -> dict:
    run = cli(*args, db_url=db_url)
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout)


def test_every_path_gives_one_price_for_a_sunday_and_for_a_day_after_the_trm(ends_apart, db_url, tmp_path):
    assert (round(SUNDAY_PRICE, 2), round(HELD_PRICE, 2)) == (114015.71, 109586.27)
    quotes = tmp_path / "quotes.csv"
    quotes.write_text("buyer,price_pct,fee_per_g,fixed_fee,payment_days\nBanco,100,0,0,0\n", encoding="utf-8")
    snapshot = load_snapshot(ends_apart)
    for asked, price, priced_day in ((SUNDAY, SUNDAY_PRICE, SUNDAY), (AFTER_TRM, HELD_PRICE, "2016-01-04")):
        day = f"{asked:%Y-%m-%d}"
        bench = by_cli(db_url, "benchmark", "--currency", "COP", "--date", day)
        card = by_cli(db_url, "card", "--currency", "COP", "--unit", "g", "--language", "es", "--date", day,
                      "--out", str(tmp_path / "card.html"))  # fmt: skip
        offers = by_cli(db_url, "offers", "compare", str(quotes), "--date", day, "--currency", "COP",
                        "--gross-g", "1", "--fineness", "1000")  # fmt: skip
        alerts_price = price_today(ends_apart, "COP", "g", as_of=asked)  # what `alerts run --date` judges
        overview = snapshot_price_answer(snapshot, "COP", "g", asked).price
        assert overview is not None
        prices = [bench["price"], card["price"], offers["benchmark_price_per_g"], alerts_price.price]
        assert prices + [overview.price] == pytest.approx([price] * 5, abs=0.005)
        days = {bench["date"], card["date"], offers["benchmark_date"], f"{alerts_price.date:%Y-%m-%d}"}
        assert days | {f"{overview.date:%Y-%m-%d}"} == {f"{pd.Timestamp(priced_day):%Y-%m-%d}"}
    assert bench["held_back_by"] == [{"series": "USD_COP", "last": "2016-01-04"}]
    assert offers["held_back_by"] == bench["held_back_by"]
    assert alerts_price.held_back_by == overview.held_back_by and len(overview.held_back_by) == 1


def test_premiums_price_a_sunday_sale_alike_and_leave_a_sale_after_the_trm_unpriced(ends_apart):
    snapshot = load_snapshot(ends_apart)
    dates = pd.Series(pd.to_datetime([SUNDAY, AFTER_TRM, SUNDAY]))
    frame = benchmark_per_fine_gram(
        dates,
        pd.Series(["COP", "COP", "PEN"]),
        snapshot.gold_usd_per_oz,
        {"COP": snapshot.series["USD_COP"], "PEN": snapshot.series["USD_PEN"]},
    )
    assert frame.loc[0, "benchmark_price_per_g"] == pytest.approx(SUNDAY_PRICE, abs=0.005)
    assert np.isnan(frame.loc[1, "benchmark_price_per_g"])  # after the TRM's end: no carried rate
    assert np.isnan(frame.loc[2, "benchmark_price_per_g"])  # soles end 30 Nov: none for 20 Dec


def test_soles_take_their_own_earlier_day(ends_apart):
    quote = price_today(ends_apart, "PEN", "g", as_of=SUNDAY)
    # BCRP's last rate is Monday 30 Nov 2015 (3.376), the price of that day: gold 1,061.90 that Monday
    assert quote.date == pd.Timestamp("2015-11-30") and quote.fx == pytest.approx(3.376)
    assert quote.price == pytest.approx(1061.90 * 3.376 / OZ)
    assert [held.series for held in quote.held_back_by] == ["USD_PEN"]
