"""Business rates per hereditament (rules.business_rates) summed to authorities."""

from __future__ import annotations

import numpy as np
import pytest

from devolution import parameters
from devolution.microsim.kernels import offsets_from_sizes
from devolution.microsim.rates import bills, rates_by_authority
from devolution.microsim.stock import HereditamentStock


def test_hand_worked_bills_in_2022():
    # 2022-23: small business multiplier 49.9p below £51,000, standard 51.2p; relief 100% to
    # £12,000 tapering to 0 at £15,000 (values from the business_rates parameters)
    stock = HereditamentStock(np.array(["E06000999", "E06000998"], dtype=object), offsets_from_sizes(np.array([3, 1])),
                              np.array([10_000.0, 13_500.0, 60_000.0, 20_000.0]), np.array([0, 1, 2, 3], dtype=np.int8))
    sb = parameters.value("business_rates.multipliers.small_business", 2022)
    std = parameters.value("business_rates.multipliers.standard", 2022)
    expected = [0.0, 13_500 * sb * 0.5, 60_000 * std, 20_000 * sb]
    np.testing.assert_allclose(bills(stock, 2022), expected)
    frame = rates_by_authority(stock, 2022)
    assert frame["rates_payable"].tolist() == pytest.approx([expected[0] + expected[1] + expected[2], expected[3]])
    assert frame["rateable_value"].tolist() == [83_500.0, 20_000.0]


def test_retail_gets_the_years_rhl_relief_in_2023_not_in_2026():
    # A shop at £60,000: 2023-24 51.2p less 75% RHL relief; 2026-27 the standard RHL multiplier 43p, no relief.
    stock = HereditamentStock(np.array(["E06000999"], dtype=object), offsets_from_sizes(np.array([2])),
                              np.array([60_000.0, 60_000.0]), np.array([0, 1], dtype=np.int8))
    np.testing.assert_allclose(bills(stock, 2023), [60_000 * 0.512 * 0.25, 60_000 * 0.512])
    np.testing.assert_allclose(bills(stock, 2026), [60_000 * 0.430, 60_000 * 0.480])
