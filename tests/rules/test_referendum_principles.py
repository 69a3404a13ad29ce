"""The referendum principles by place: named councils, the districts' pounds alternative, the adult
social care precept's limits that depend on earlier years, and a new council's notional Band D.
Small hand-worked cases in the principles' own words."""

from __future__ import annotations

import numpy as np
import pytest

from devolution import parameters
from devolution.errors import ParameterError
from devolution.rules import council_tax, referendum

TREE = parameters.default()


def test_a_named_council_adds_its_own_share_and_others_keep_their_class():
    # 2025-26: Bradford +5% (statement, 3 February 2025); Leeds, a neighbour, the general 4.99%.
    found = referendum.principles(TREE, 2025, ["E08000032", "E08000035", "E07000223"],
                                  ["metropolitan_district", "metropolitan_district", "shire_district"])
    assert found.additional_limit.tolist() == [0.05, 0.0, 0.0]
    ceiling = found.ceiling(np.array([2000.0, 2000.0, 300.0]))
    assert ceiling == pytest.approx([2000 * 1.10, 2000 * 1.05, 300 * 1.03 + 0.0])
    assert found.named().tolist() == [True, False, False]
    assert ("council_tax.referendum_by_council.additional_limit", {"E08000032": 0.05}) in found.used


def test_a_named_district_keeps_the_pounds_alternative_where_it_is_larger():
    # Woking 2024-25: core principle 10% for a district (the £5 alternative is smaller at £263).
    found = referendum.principles(TREE, 2024, ["E07000217"], ["shire_district"])
    assert found.ceiling(np.array([263.12]))[0] == pytest.approx(263.12 * 1.10)
    assert found.ceiling(np.array([20.0]))[0] == pytest.approx(25.0)     # £5 beats 10% of £20


def test_places_that_are_not_councils_have_no_ceiling():
    found = referendum.principles(TREE, 2023, ["E61000001", "E47000001"], ["greater_london_authority",
                                                                           "combined_authority"])
    assert np.isnan(found.ceiling(np.array([400.0, 100.0]))).all()


def test_the_adult_social_care_cap_over_three_years():
    # 2019-20: 2% a year, and no more than 6% over 2017-18 to 2019-20.
    assert referendum.needs_asc_history(TREE, 2019) == ([2017, 2018], None)
    history = referendum.AscHistory(added_earlier_in_period=np.array([0.06, 0.05, 0.0, 0.04]),
                                    added_previous_year=np.zeros(4))
    found = referendum.principles(TREE, 2019, ["a", "b", "c", "d"], ["county"] * 4, history)
    assert found.asc_limit == pytest.approx([0.0, 0.01, 0.02, 0.02])


def test_the_2021_22_precept_carried_into_2022_23():
    assert referendum.needs_asc_history(TREE, 2022) == ([], 2021)
    history = referendum.AscHistory(np.zeros(3), added_previous_year=np.array([0.03, 0.0, 0.0076]))
    found = referendum.principles(TREE, 2022, ["a", "b", "c"], ["unitary"] * 3, history)
    assert found.asc_limit == pytest.approx([0.01, 0.04, 0.01 + 0.0224])


def test_a_year_whose_limit_depends_on_earlier_years_needs_the_history():
    with pytest.raises(ParameterError, match="depends on the precept added in 2017-18, 2018-19"):
        referendum.principles(TREE, 2019, ["a"], ["county"])
    assert referendum.needs_asc_history(TREE, 2023) == ([], None)


def test_asc_limit_in_year_with_neither_flexibility_is_the_yearly_limit():
    out = council_tax.asc_limit_in_year(0.02, np.nan, np.array([0.05]), np.nan, 0.0, np.array([0.0]))
    assert out == pytest.approx([0.02])


def test_asc_share_added_is_the_precept_per_band_d_over_last_years_band_d():
    # Devon 2017-18: £10,241,576 on 282,682.2 Band D equivalents over 2016-17's £1,207.62: 3.00%.
    share = council_tax.asc_share_added(np.array([10_241_576.0, 1.0]), np.array([282_682.2, 0.0]),
                                        np.array([1207.62, 1000.0]))
    assert share[0] == pytest.approx(0.0300, abs=1e-4)
    assert np.isnan(share[1])


def test_notional_band_d_sums_the_pieces_of_each_new_council():
    # Two new councils: A from two districts (with their county's precept on each area), B from one.
    requirement = np.array([10_000 + 1_000 * 100.0, 5_000 + 1_000 * 50.0, 30_000.0])
    tax_base = np.array([100.0, 50.0, 200.0])
    out = council_tax.notional_band_d(requirement, tax_base, np.array([0, 0, 1]), 3)
    assert out[0] == pytest.approx((15_000 + 150_000) / 150)
    assert out[1] == pytest.approx(150.0)
    assert np.isnan(out[2])                                   # a new council with no pieces


def test_the_ceiling_rule_takes_a_bespoke_share():
    out = council_tax.max_band_d_without_referendum(np.array([1000.0]), 0.03, np.array([0.02]), np.array([np.nan]),
                                                    additional_limit=np.array([0.10]))
    assert out == pytest.approx([1150.0])


@pytest.mark.parametrize("code, year, tier, previous, set_, source", [
    # 2024-25 Woking: £263.12 (MHCLG 2023-24) to £289.43, "an increase of £26.31" (Woking Borough
    # Council, "Budget approved despite financial challenges", 5 March 2024): 9.999% under its 10%.
    ("E07000217", 2024, "shire_district", 263.12, 289.43, "Woking Borough Council"),
    # 2025-26 Bradford: a 9.99% increase (City of Bradford MDC statement on the government's approval,
    # February 2025) under its 10%; shown on a Band D of 1,000 since the increase is what was published.
    ("E08000032", 2025, "metropolitan_district", 1000.0, 1099.90, "City of Bradford MDC"),
    # 2026-27 Shropshire: £1,806.67 to £1,969.09, 8.99% (Shropshire Council, 26 February 2026) under 9%.
    ("E06000051", 2026, "unitary", 1806.67, 1969.09, "Shropshire Council"),
])
def test_published_increases_of_named_councils_need_and_keep_within_their_own_principle(code, year, tier, previous,
                                                                                          set_, source):
    found = referendum.principles(TREE, year, [code], [tier])
    ceiling = found.ceiling(np.array([previous]))[0]
    general = found.ceiling(np.array([previous]))[0] - found.additional_limit[0] * previous
    assert general < set_ <= ceiling + 0.005, source
