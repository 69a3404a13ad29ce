"""Business rates bills on small hand-worked cases, with the parameters in force."""

import numpy as np
import pytest

from devolution import parameters
from devolution.rules import business_rates as br


def _multipliers(year):
    p = parameters.default()
    names = ("small_business", "standard", "small_business_rhl", "standard_rhl", "high_value")
    return {n: p.value(f"business_rates.multipliers.{n}", year) for n in names} | {
        "small_business_threshold": p.value("business_rates.thresholds.small_business", year),
        "high_value_threshold": p.value("business_rates.thresholds.high_value", year)}


def test_2025_26_two_multipliers_split_at_51000():
    m = br.multiplier(np.array([50_999, 51_000, 600_000]), np.array([True, True, False]), **_multipliers(2025))
    assert m.tolist() == [0.499, 0.555, 0.555]


def test_2026_27_five_multipliers():
    rv = np.array([20_000, 20_000, 100_000, 100_000, 500_000, 800_000])
    rhl = np.array([True, False, True, False, True, False])
    m = br.multiplier(rv, rhl, **_multipliers(2026))
    assert m.tolist() == [0.382, 0.432, 0.430, 0.480, 0.508, 0.508]


def test_2016_17_small_business_threshold_was_18000():
    m = br.multiplier(np.array([17_999, 18_000]), np.array([False, False]), **_multipliers(2016))
    assert m.tolist() == [0.484, 0.497]


def test_small_business_relief_tapers_from_12000_to_15000():
    p = parameters.default()
    lower = p.value("business_rates.reliefs.small_business_lower_threshold", 2024)
    upper = p.value("business_rates.reliefs.small_business_upper_threshold", 2024)
    share = br.small_business_relief_share(np.array([10_000, 12_000, 13_500, 15_000, 13_500]),
                                           np.array([True, True, True, True, False]), lower, upper)
    assert share == pytest.approx([1.0, 1.0, 0.5, 0.0, 0.0])


def test_bill_with_reliefs_hand_worked():
    # 13,500 RV at 49.9p = 6,736.50; half relieved = 3,368.25 (Barnsley's published 2024-25 table).
    rv = np.array([13_500.0, 100_000.0])
    m = np.array([0.499, 0.546])
    relief = np.array([0.5, 0.0])
    out = br.bill(rv, m, relief, np.array([False, True]), parameters.value("business_rates.reliefs.charitable", 2024))
    assert out == pytest.approx([3368.25, 100_000 * 0.546 * 0.2])


def test_rhl_multiplier_not_in_force_before_2026():
    assert parameters.value("business_rates.multipliers.standard_rhl", 2025) is None


def test_2013_14_doubled_relief_tapers_from_6000_to_12000():
    # SI 2012/148 art 4 (extended by SI 2013/15): E = 5,000,000 up to 6,000, then 6000/(RV - 6000).
    p = parameters.default()
    lower = p.value("business_rates.reliefs.small_business_lower_threshold", 2013)
    upper = p.value("business_rates.reliefs.small_business_upper_threshold", 2013)
    rv = np.array([6_000.0, 9_000.0, 10_000.0, 12_000.0])
    share = br.small_business_relief_share(rv, np.ones(4, dtype=bool), lower, upper)
    e = 6000 / (rv[1:3] - 6000)
    assert share == pytest.approx([1.0, *(1 - 1 / e), 0.0])  # chargeable = full / E


def test_relief_and_threshold_change_on_1_april_2017():
    p = parameters.default()
    assert [p.value("business_rates.reliefs.small_business_upper_threshold", y) for y in (2016, 2017)] == [12000, 15000]
    assert [p.value("business_rates.thresholds.small_business", y) for y in (2016, 2017)] == [18000, 51000]
