"""Reference buyers: Banco de la República's 95 % for COP only; elsewhere none unless configured."""

import numpy as np
import pandas as pd
import pytest

from analytics.premiums import what_if
from services.reference_buyers import (
    REFERENCE_BUYERS_ENV,
    ReferenceBuyer,
    parse_reference_buyers,
    reference_buyer,
    reference_buyers,
)


def test_only_colombia_has_a_reference_buyer_by_default(monkeypatch):
    monkeypatch.delenv(REFERENCE_BUYERS_ENV, raising=False)
    assert reference_buyers() == {"COP": ReferenceBuyer("Banco de la República", 0.95)}
    assert all(reference_buyer(currency) is None for currency in ("PEN", "BOB", "MNT", "USD"))


def test_reference_buyers_are_configured_by_name_and_share(monkeypatch):
    parsed = parse_reference_buyers(" PEN=Activos Mineros:0.96 ; BOB=Banco Central: 97,5% ;COP= ")
    assert parsed == {
        "PEN": ReferenceBuyer("Activos Mineros", 0.96, configured=True),
        "BOB": ReferenceBuyer("Banco Central", 0.975, configured=True),
        "COP": None,
    }
    monkeypatch.setenv(REFERENCE_BUYERS_ENV, "PEN=Activos Mineros:0.96;COP=")
    assert set(reference_buyers()) == {"PEN"}  # COP= removes the default


@pytest.mark.parametrize("bad", ["PEN", "XXX=A:0.9", "PEN=A", "PEN=A:1.5", "PEN=:0.9", "PEN=A:abc"])
def test_a_bad_setting_is_refused_and_the_default_stays(monkeypatch, bad):
    with pytest.raises(ValueError):
        parse_reference_buyers(bad)
    monkeypatch.setenv(REFERENCE_BUYERS_ENV, bad)
    assert set(reference_buyers()) == {"COP"}


def test_what_if_has_no_banrep_value_outside_colombia():
    premiums = pd.DataFrame(
        {
            "sale_id": ["c", "p"],
            "date": pd.to_datetime(["2024-05-10", "2024-05-10"]),
            "currency": ["COP", "PEN"],
            "fine_gold_g": [10.0, 10.0],
            "amount_received": [2_900_000.0, 2_700.0],
            "benchmark_value": [3_000_000.0, 2_800.0],
            "banrep_value": [2_850_000.0, np.nan],
        }
    )
    default = what_if(premiums, np.array([np.nan, np.nan]))
    assert default["reference_value"].iloc[0] == pytest.approx(2_850_000.0)
    assert np.isnan(default["reference_value"].iloc[1]) and np.isnan(default["vs_banrep"].iloc[1])
    assert default["reference_buyer"].isna().tolist() == [False, True]
    configured = what_if(premiums, np.array([np.nan, np.nan]), {"PEN": ("Activos Mineros", 0.96)})
    assert configured["reference_value"].iloc[1] == pytest.approx(0.96 * 2_800.0)
    assert np.isnan(configured["reference_value"].iloc[0])  # COP not configured here: none
