"""The GARCH(1,1)-t band volatility: the variance filter on hand-worked returns, the fit on a simulated
GARCH path, and the backtest offering it to the inner calibration only with enough history."""

from __future__ import annotations

import numpy as np
import pytest

from analytics.forecast import BacktestSettings, _block_volatilities
from analytics.forecast.bands import (
    GARCH_T,
    MIN_GARCH_RETURNS,
    GarchParameters,
    band_volatilities,
    fit_garch_t,
    garch_volatility,
)

PARAMS = GarchParameters(omega=1e-5, alpha=0.1, beta=0.8)  # long-run variance 1e-5 ÷ (1 − 0.9) = 1e-4


def test_the_variance_filter_on_three_hand_worked_days():
    # σ²(t+1) = 1e-5 + 0.1·r(t)² + 0.8·σ²(t), starting from σ² = 1e-4:
    # day 0 (r = 0): 1e-5 + 0.8e-4 = 9e-5; day 1 (r = 0.02): 1e-5 + 0.1·4e-4 + 0.8·9e-5 = 1.22e-4;
    # day 2 (r = 0): 1e-5 + 0.8·1.22e-4 = 1.076e-4
    returns = np.array([0.0, 0.02, 0.0])
    assert garch_volatility(returns, PARAMS, h=1) ** 2 == pytest.approx([9e-5, 1.22e-4, 1.076e-4])
    # over h = 2 the second step reverts by 0.9: the mean of steps 1 and 2 is 1e-4 + 0.95·(σ²(t+1) − 1e-4)
    assert garch_volatility(returns, PARAMS, h=2) ** 2 == pytest.approx([9.05e-5, 1.209e-4, 1.0722e-4])


def test_the_fit_recovers_a_simulated_garch_path():
    rng = np.random.default_rng(7)
    true = GarchParameters(omega=2e-6, alpha=0.08, beta=0.9)
    variance, returns = true.omega / (1 - true.alpha - true.beta), np.empty(3000)
    for day in range(len(returns)):
        returns[day] = np.sqrt(variance) * rng.standard_t(6) / np.sqrt(6 / 4)  # unit-variance t(6)
        variance = true.omega + true.alpha * returns[day] ** 2 + true.beta * variance
    fitted = fit_garch_t(returns)
    assert fitted is not None
    assert fitted.alpha + fitted.beta == pytest.approx(0.98, abs=0.02)
    assert fitted.omega / (1 - fitted.alpha - fitted.beta) == pytest.approx(1e-4, rel=0.3)


def test_the_backtest_offers_garch_only_with_enough_history():
    rng = np.random.default_rng(3)
    x = np.cumsum(rng.normal(0, 0.01, 900))
    vols = band_volatilities(x)
    settings = BacktestSettings()
    assert GARCH_T not in _block_volatilities(x, vols, np.array([MIN_GARCH_RETURNS - 1]), settings)
    with_garch = _block_volatilities(x, vols, np.array([850]), settings)
    assert set(with_garch) == {*vols, GARCH_T}
    # daily sd 0.01 simulated: GARCH's horizon volatility sits near it on every day
    assert np.median(with_garch[GARCH_T]) == pytest.approx(0.01, rel=0.15)
