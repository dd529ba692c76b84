"""Staleness: when a view's data end, and the limit after which every page warns (a setting)."""

import pandas as pd
import pytest

from data.settings import STALE_DAYS_ENV, stale_after_days
from services.freshness import freshness


def test_stale_limit_is_a_setting_with_a_default_of_seven_days(monkeypatch):
    monkeypatch.delenv(STALE_DAYS_ENV, raising=False)
    assert stale_after_days() == 7
    monkeypatch.setenv(STALE_DAYS_ENV, "30")
    assert stale_after_days() == 30
    monkeypatch.setenv(STALE_DAYS_ENV, "soon")  # not a number: the default, not a crash
    assert stale_after_days() == 7


@pytest.mark.parametrize(("as_of", "stale"), [("2024-06-03", False), ("2024-06-02", True), (None, True)])
def test_data_older_than_the_limit_are_stale(as_of, stale):
    state = freshness(None if as_of is None else pd.Timestamp(as_of), "2024-06-10", limit_days=7)
    assert state.stale is stale
    if as_of is not None:
        assert state.age_days == (pd.Timestamp("2024-06-10") - pd.Timestamp(as_of)).days
