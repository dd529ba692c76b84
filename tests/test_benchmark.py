import pandas as pd
import pytest

from analytics.benchmark import StaleDataError, benchmark_price_per_fine_gram, local_price_series


def series(values: dict[str, float], name: str) -> pd.Series:
    return pd.Series(list(values.values()), index=pd.to_datetime(list(values)), name=name)


GOLD = series({"2024-05-08": 2300.0, "2024-05-09": 2340.0, "2024-05-10": 2360.0}, "GOLD_USD")
# TRM-like: covers every calendar day
COP = series({f"2024-05-{d:02d}": 3800.0 + d for d in range(1, 16)}, "USD_COP")


def test_benchmark_by_hand_on_a_weekend_uses_last_values():
    quote = benchmark_price_per_fine_gram(GOLD, COP, "2024-05-12", currency="COP")
    # gold: Friday 10 May (2360); FX: Sunday 12 May (3812)
    assert quote.gold_date == pd.Timestamp("2024-05-10")
    assert quote.fx_date == pd.Timestamp("2024-05-12")
    # 2360 x 3812 = 8,996,320; / 31.1034768 = 289,238.40 COP per gram
    assert quote.price == pytest.approx(2360 * 3812 / 31.1034768)
    assert quote.price == pytest.approx(289238.40, abs=0.01)


def test_benchmark_in_castellanos_and_usd():
    quote = benchmark_price_per_fine_gram(GOLD, None, "2024-05-09", currency="USD", unit="castellano")
    # 2340 / 31.1034768 = 75.23327 USD/g; x 4.6 g = 346.0706
    assert quote.price == pytest.approx(346.0706, abs=1e-4)
    assert quote.fx == 1.0 and quote.fx_date is None
    assert quote.as_json()["gold_date"] == "2024-05-09"


def test_stale_values_are_refused():
    with pytest.raises(StaleDataError, match="more than 7 days"):
        benchmark_price_per_fine_gram(GOLD, COP, "2024-05-25", currency="COP")
    with pytest.raises(StaleDataError, match="no value"):
        benchmark_price_per_fine_gram(GOLD, COP, "2024-01-01", currency="COP")


def test_local_series_keeps_gaps_visible():
    fx = series({"2024-05-01": 3900.0, "2024-05-10": 3950.0}, "USD_COP")  # 8 days before 9 May
    frame = local_price_series(GOLD, fx, max_staleness_days=7)
    assert len(frame) == 3  # no gold day disappears
    assert frame["price"].notna().tolist() == [True, False, True]
    assert frame.loc["2024-05-08", "fx_date"] == pd.Timestamp("2024-05-01")


def test_local_series_ends_with_its_rate():
    """Gold days after the rate's last value have no local price: the rate is not carried past its end."""
    fx = series({"2024-05-07": 3900.0}, "USD_COP")  # ends before gold's 8, 9 and 10 May
    frame = local_price_series(GOLD, fx, max_staleness_days=7)
    assert len(frame) == 3
    assert frame["price"].isna().all()
