"""Council tax and CSP rules on small hand-worked cases."""

from __future__ import annotations

import numpy as np
import pytest

from devolution import parameters
from devolution.rules.council_tax import (band_d, band_d_equivalents, bill_after_single_person_discount,
                                          bills_by_band, max_band_d_without_referendum)
from devolution.rules.spending_power import assumed_council_tax, assumption_gap, csp_total

RATIOS = np.array(parameters.value("council_tax.band_ratios.ratios", 2023))


def test_band_d_is_requirement_over_tax_base_and_nan_without_a_base():
    assert band_d(np.array([1_800_000.0, 5.0]), np.array([1_000.0, 0.0])).tolist()[0] == 1800.0
    assert np.isnan(band_d(np.array([5.0]), np.array([0.0]))[0])


def test_band_h_pays_twice_band_d_and_band_a_two_thirds():
    bills = bills_by_band(np.array([1800.0, 900.0]), RATIOS)
    assert bills.shape == (2, 8)
    assert bills[0, 7] == pytest.approx(3600.0) and bills[0, 0] == pytest.approx(1200.0)
    assert bills[1, 3] == pytest.approx(900.0)


def test_nine_band_a_homes_are_six_band_d_equivalents():
    dwellings = np.zeros((2, 8))
    dwellings[0, 0] = 9
    dwellings[1, 7] = 1
    assert band_d_equivalents(dwellings, RATIOS) == pytest.approx([6.0, 2.0])


def test_single_person_pays_three_quarters():
    discount = parameters.value("council_tax.discounts.single_person", 2023)
    assert bill_after_single_person_discount(np.array([2000.0, 2000.0]), np.array([True, False]),
                                             discount) == pytest.approx([1500.0, 2000.0])


def test_referendum_ceiling_for_social_care_council_and_shire_district():
    # 2023-24: 3% core + 2% ASC; a district may instead take £5 when that is more.
    core = parameters.value("council_tax.referendum.core_limit", 2023)
    asc = parameters.value("council_tax.referendum.asc_limit", 2023)
    cash = parameters.value("council_tax.referendum.shire_district_cash_limit", 2023)
    ceiling = max_band_d_without_referendum(np.array([1000.0, 100.0, 400.0]), core,
                                            np.array([asc, 0.0, 0.0]), np.array([np.nan, cash, cash]))
    assert ceiling == pytest.approx([1050.0, 105.0, 412.0])


def test_csp_total_adds_components_treating_missing_as_zero():
    one = np.array([1.0, 2.0])
    total = csp_total(one, one, one, one, np.array([np.nan, 1.0]), one)
    assert total == pytest.approx([5.0, 11.0])


def test_council_tax_assumption_and_gap():
    assumed = assumed_council_tax(np.array([1000.0]), np.array([100.0]), 0.03, np.array([0.02]), np.array([np.nan]))
    assert assumed == pytest.approx([105_000.0])
    gap, share = assumption_gap(assumed, np.array([103_000.0]))
    assert gap == pytest.approx([-2000.0]) and share == pytest.approx([-2000 / 105_000])


def test_which_principle_binds_decides_whether_the_ceiling_itself_is_allowed():
    """A 3% principle on £100 gives £103, below the £5 cash alternative for a district: the cash
    ceiling binds (allowed at the ceiling); on £1,000 the percentage one binds (stay below it)."""
    from devolution.rules.council_tax import percentage_principle_binds

    previous = np.array([100.0, 1000.0, 1000.0])
    binds = percentage_principle_binds(previous, 0.03, np.zeros(3), np.array([5.0, 5.0, np.nan]))
    assert binds.tolist() == [False, True, True]
