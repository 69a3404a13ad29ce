"""Business rates bills on small hand-worked cases, with the parameters in force."""

import numpy as np
import pytest

from devolution import parameters
from devolution.rules import business_rates as br


def _multipliers(year, occupied=True, charity=False):
    p = parameters.default()
    names = ("small_business", "standard", "small_business_rhl", "standard_rhl", "high_value")
    return {n: p.value(f"business_rates.multipliers.{n}", year) for n in names} | {
        "small_business_threshold": p.value("business_rates.thresholds.small_business", year),
        "high_value_threshold": p.value("business_rates.thresholds.high_value", year),
        "occupied": occupied, "charity": charity,
        "small_business_for_unoccupied_and_charities": p.value(
            "business_rates.multipliers.small_business_for_unoccupied_and_charities", year)}


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


@pytest.mark.parametrize("year, expected", [
    # 2023-24: below £51,000 an occupied shop pays 49.9p; an empty one and a charity's pay the
    # standard 51.2p (Canterbury's 2023-24 notes). 2024-25: all three 49.9p (Non-Domestic Rating Act 2023).
    (2023, [0.499, 0.512, 0.512, 0.512]),
    (2024, [0.499, 0.499, 0.499, 0.546]),
])
def test_unoccupied_and_charity_hereditaments_paid_the_standard_multiplier_until_2024(year, expected):
    rv = np.array([20_000, 20_000, 20_000, 60_000])
    occupied = np.array([True, False, True, True])
    charity = np.array([False, False, True, False])
    m = br.multiplier(rv, np.zeros(4, dtype=bool), **_multipliers(year, occupied, charity))
    assert m.tolist() == expected


def test_2026_27_an_empty_shop_takes_the_non_rhl_multiplier():
    m = br.multiplier(np.array([20_000, 20_000]), np.array([True, True]),
                      **_multipliers(2026, np.array([True, False]), False))
    assert m.tolist() == [0.382, 0.432]


@pytest.mark.parametrize("year, share, cap", [(2021, 0.7447, 105_000), (2022, 0.50, 110_000), (2023, 0.75, 110_000),
                                              (2024, 0.75, 110_000), (2025, 0.40, 110_000), (2026, None, None)])
def test_retail_hospitality_leisure_relief_by_year(year, share, cap):
    """GOV.UK guidance: 2021-22 100% to 30 June then 66% (£105,000 cap), 2022-23 50%, 2023-24 75%,
    2024-25 75%, 2025-26 40% (£110,000 cap); from 2026-27 the lower multipliers instead."""
    p = parameters.default()
    got_share = p.value("business_rates.reliefs.retail_hospitality_leisure", year)
    got_cap = p.value("business_rates.reliefs.retail_hospitality_leisure_cash_cap", year)
    assert (got_share, got_cap) == (share, cap)
    relief = br.retail_hospitality_leisure_relief(np.array([10_000.0, 10_000.0, 1_000_000.0]),
                                                  np.array([True, False, True]), got_share, got_cap)
    if share is None:
        assert relief.tolist() == [0.0, 0.0, 0.0]
    else:
        assert relief == pytest.approx([10_000 * share, 0.0, min(1_000_000 * share, cap)])


def test_retail_hospitality_leisure_relief_years_not_checked_are_refused():
    with pytest.raises(Exception, match="unverified"):
        parameters.value("business_rates.reliefs.retail_hospitality_leisure", "2019-20")
