"""Council tax harmonisation (rules.harmonisation) on small hand-worked councils, and the
apportionment of a county's figures (rules.apportionment)."""

from __future__ import annotations

import numpy as np
import pytest

from devolution.errors import DevolutionError
from devolution.rules import apportionment, harmonisation
from devolution.rules.council_tax import notional_band_d

# One new council of three predecessor areas: Band D £1,000, £1,100 and £1,300, tax bases 100, 200, 100.
BAND_D = np.array([1000.0, 1100.0, 1300.0])
BASE = np.array([100.0, 200.0, 100.0])
COUNCIL = np.zeros(3, dtype=int)
NOTIONAL = (1000 * 100 + 1100 * 200 + 1300 * 100) / 400  # £1,125


def test_the_average_is_the_requirement_over_the_tax_base():
    assert notional_band_d(BAND_D * BASE, BASE, COUNCIL, 1)[0] == pytest.approx(NOTIONAL)


def test_average_path_compounds_the_increase_from_the_notional_band_d():
    path = harmonisation.average_path(np.array([NOTIONAL]), np.array([[0.0499, 0.0299, 0.0]]))
    assert path[0] == pytest.approx([NOTIONAL * 1.0499, NOTIONAL * 1.0499 * 1.0299, NOTIONAL * 1.0499 * 1.0299])


def test_equal_steps_close_a_third_of_each_gap_a_year_and_keep_the_requirement():
    average = np.full((1, 4), NOTIONAL)  # a frozen average, to read the steps directly
    bills = harmonisation.equal_steps(BAND_D, BASE, COUNCIL, average, np.array([3]))
    # the £1,300 area is £175 above: 2/3 of that in year 1, 1/3 in year 2, none from year 3
    assert bills[2] == pytest.approx([NOTIONAL + 175 * 2 / 3, NOTIONAL + 175 / 3, NOTIONAL, NOTIONAL])
    assert (bills * BASE[:, None]).sum(axis=0) == pytest.approx(NOTIONAL * BASE.sum())


RISE = 0.0499  # the highest increase a 5% principle allows (what `max` uses)


@pytest.mark.parametrize("steps", [1, 2, 3, 5, 7])
def test_harmonisation_keeps_the_requirement_whatever_the_years_and_never_passes_the_bound(steps):
    """The requirement is the council's average times its tax base in every year, for any number of
    steps; no area's Band D rises past the higher of the ceiling and its own last Band D raised by
    the principle's increase."""
    increase = np.full((1, 10), RISE)
    average = harmonisation.average_path(np.array([NOTIONAL]), increase)
    previous = np.column_stack([[NOTIONAL], average[:, :-1]])
    ceiling = previous * (1 + RISE)  # the principle on last year's average (the increase is at it)
    rise = np.full((1, 10), RISE)
    bills, held = harmonisation.harmonise(BAND_D, BASE, COUNCIL, average, np.array([steps]), ceiling, rise)
    assert (bills * BASE[:, None]).sum(axis=0) == pytest.approx(average[0] * BASE.sum(), rel=1e-12)
    before = np.column_stack([BAND_D, bills[:, :-1]])
    bound = np.fmax(ceiling[0][None, :], before * (1 + RISE))
    assert (bills <= bound * (1 + 1e-12)).all()
    assert harmonisation.bounds(BAND_D, bills, COUNCIL, ceiling, rise) == pytest.approx(bound)
    # the average rises by no more than the principle allows, so equal steps pass untouched: the
    # £1,300 area, above the first ceiling (£1,181.14), comes down in equal steps
    free, _ = harmonisation.harmonise(BAND_D, BASE, COUNCIL, average, np.array([steps]), np.full((1, 10), np.inf),
                                      np.full((1, 10), np.inf))
    assert not held.any() and bills == pytest.approx(free)
    assert harmonisation.harmonised_year(bills, COUNCIL, 1)[0] == steps


def test_an_area_whose_equal_step_would_pass_both_bounds_is_held_and_the_rest_pay_the_difference():
    """The bound bites where an area's step is past both the council's ceiling and its own Band D
    raised by the principle: here a ceiling in pounds (£10 on an average of £100, as the shire
    districts' cash alternative gives) lets the average rise 9.99%, above the 2.99% percentage
    principle. Areas of £90, £100 and £110 (bases 100, 200, 100) over five steps: the £110 area
    (10% above) would pay £109.99 x 1.08 = £118.79 in year 1, past the ceiling (£110) and past its own
    £110 x 1.0299 = £113.29: it pays £113.29, its bound, and the £90 area pays what it does not."""
    band_d = np.array([90.0, 100.0, 110.0])
    notional = notional_band_d(band_d * BASE, BASE, COUNCIL, 1)
    assert notional[0] == pytest.approx(100.0)
    average = harmonisation.average_path(notional, np.array([[0.0999, 0.0]]))
    ceiling = np.array([[110.0, average[0, 0] + 10.0]])
    rise = np.full((1, 2), 0.0299)
    free, _ = harmonisation.harmonise(band_d, BASE, COUNCIL, average, np.array([5]), np.full((1, 2), np.inf),
                                      np.full((1, 2), np.inf))
    bills, held = harmonisation.harmonise(band_d, BASE, COUNCIL, average, np.array([5]), ceiling, rise)
    assert free[2, 0] == pytest.approx(109.99 * 1.08) and free[2, 0] > 110.0 and free[2, 0] > 110.0 * 1.0299
    assert held[2, 0] and not held[:2, 0].any()
    assert bills[2, 0] == pytest.approx(110.0 * 1.0299)
    assert bills[0, 0] > free[0, 0] and bills[1, 0] > free[1, 0]   # the others pay what it does not
    assert (bills * BASE[:, None]).sum(axis=0) == pytest.approx((free * BASE[:, None]).sum(axis=0))
    # with the bound of the old rule (the ceiling, or no rise above it) it would not rise at all
    assert bills[2, 0] > 110.0


def test_a_referendum_lifts_the_ceiling_so_immediate_harmonisation_is_immediate():
    average = harmonisation.average_path(np.array([NOTIONAL]), np.full((1, 3), 0.0499))
    bills, held = harmonisation.harmonise(BAND_D, BASE, COUNCIL, average, np.array([1]), np.full((1, 3), np.inf),
                                          np.full((1, 3), np.inf))
    assert bills == pytest.approx(np.repeat(average, 3, axis=0))
    assert not held.any()


def test_an_average_above_its_ceiling_is_refused_naming_the_council_and_the_year():
    average = np.array([[NOTIONAL * 1.06]])
    with pytest.raises(DevolutionError, match=r"^Dorset: the average Band D of 2019-20 .* needs a referendum"):
        harmonisation.harmonise(BAND_D, BASE, COUNCIL, average, np.array([1]), np.array([[NOTIONAL * 1.0499]]),
                                np.array([[RISE]]), ["Dorset"], ["2019-20"])


def test_two_councils_are_harmonised_apart():
    band_d = np.array([1000.0, 1200.0, 1500.0, 1500.0])
    base = np.array([1.0, 1.0, 5.0, 5.0])
    council = np.array([0, 0, 1, 1])
    average = harmonisation.average_path(notional_band_d(band_d * base, base, council, 2), np.zeros((2, 2)))
    bills, _ = harmonisation.harmonise(band_d, base, council, average, np.array([1, 1]), np.full((2, 2), np.inf),
                                       np.full((2, 2), np.inf))
    assert bills[:, 0] == pytest.approx([1100.0, 1100.0, 1500.0, 1500.0])


def test_apportionment_shares_a_county_by_its_driver_and_keeps_its_total():
    # two counties: A (pieces 0, 1) and B (pieces 2, 3, 4); two services with different drivers
    county = np.array([0, 0, 1, 1, 1])
    totals = np.array([[100.0, 50.0], [300.0, 0.0]])
    driver = np.array([[1.0, 3.0], [3.0, 1.0], [1.0, 1.0], [1.0, 1.0], [2.0, 2.0]])
    amount = apportionment.apportion(totals, driver, county)
    assert amount[:, 0] == pytest.approx([25.0, 75.0, 75.0, 75.0, 150.0])
    assert amount[:, 1] == pytest.approx([37.5, 12.5, 0.0, 0.0, 0.0])
    summed = np.zeros_like(totals)
    np.add.at(summed, county, amount)
    assert summed == pytest.approx(totals)


def test_a_missing_driver_leaves_its_whole_county_unshared():
    shares = apportionment.shares(np.array([1.0, np.nan, 2.0, 2.0]), np.array([0, 0, 1, 1]), 2)
    assert np.isnan(shares[:2]).all()
    assert shares[2:] == pytest.approx([0.5, 0.5])
