import pytest

from analytics.units import (
    GRAMS_PER_TROY_OUNCE,
    fine_gold_grams,
    grams_per_unit,
    normalise_fineness,
    price_per_gram_from_usd_per_oz,
    price_per_unit,
)


def test_troy_ounce_and_kilogram_are_exact():
    assert GRAMS_PER_TROY_OUNCE == 31.1034768
    # 1 kg = 32.1507466 troy oz (DOMAIN.md)
    assert 1000 / grams_per_unit("oz") == pytest.approx(32.1507466, abs=1e-7)


def test_colombian_units():
    assert grams_per_unit("castellano") == 4.6
    assert grams_per_unit("tomin") == 0.575
    # a castellano is 8 tomines: 8 x 0.575 = 4.6
    assert 8 * grams_per_unit("tomin") == pytest.approx(grams_per_unit("castellano"))


def test_price_conversions_by_hand():
    # 2,000 USD/oz / 31.1034768 = 64.3014931 USD/g
    per_gram = price_per_gram_from_usd_per_oz(2000.0)
    assert per_gram == pytest.approx(64.3014931, rel=1e-8)
    # one castellano = 4.6 g -> 295.786868 USD
    assert price_per_unit(per_gram, "castellano") == pytest.approx(295.786868, rel=1e-7)
    assert price_per_unit(per_gram, "kg") == pytest.approx(64301.4931, rel=1e-8)


def test_fineness_accepts_fraction_or_per_mille():
    assert normalise_fineness(0.875) == 0.875
    assert normalise_fineness(875) == 0.875
    for bad in (0, -0.5, 1001):
        with pytest.raises(ValueError):
            normalise_fineness(bad)


def test_fine_gold_weight():
    # 10 castellanos of 0.85 dore: 10 x 4.6 x 0.85 = 39.1 g fine
    assert fine_gold_grams(10, 850, "castellano") == pytest.approx(39.1)


def test_unknown_unit_is_named():
    with pytest.raises(ValueError, match="known units"):
        grams_per_unit("arroba")
