"""Settlement assembly and uprating, hand-worked."""

import numpy as np
import pytest

from devolution import parameters
from devolution.rules import settlement as s


def test_sfa_is_rsg_plus_bfl_and_back():
    rsg, bfl = np.array([3145.0]), np.array([13696.0])  # England 2025-26, £m (CSP note 2025-26)
    sfa = s.settlement_funding_assessment(rsg, bfl)
    assert sfa == pytest.approx([16841.0])
    assert s.revenue_support_grant(sfa, bfl) == pytest.approx(rsg)


def test_bfl_uprated_with_the_small_business_multiplier():
    then = parameters.value("business_rates.multipliers.small_business", 2013)
    now = parameters.value("business_rates.multipliers.small_business", 2014)
    assert s.uprated(np.array([1000.0]), now, then) == pytest.approx([1000.0 * 0.471 / 0.462])


def test_regime_by_year():
    assert s.regime(2025, 2026) == s.RETENTION and s.regime(2026, 2026) == s.FAIR_FUNDING


def test_change_against_baseline():
    gap, share = s.change_against_baseline(np.array([110.0, 5.0]), np.array([100.0, 0.0]))
    assert gap.tolist() == [10.0, 5.0] and share[0] == pytest.approx(0.1) and np.isnan(share[1])
