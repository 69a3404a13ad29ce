"""The settlement: Settlement Funding Assessment, its uprating, and the regime by year.

2013-14 to 2025-26: SFA = Revenue Support Grant + baseline funding level (MHCLG, Explanatory note on
Core Spending Power; Local Government Finance Report (England) each year). BFL is uprated by the
change in the small business multiplier (SI 2013/737 reg 5 and explanatory note). From 2026-27 the
Fair Funding Review 2.0 allocation (see ``rules.needs``) replaces the 2013 assessment.
"""

from __future__ import annotations

import numpy as np

RETENTION = "retention_2013"
FAIR_FUNDING = "fair_funding_2026"


def regime(year: int, first_fair_funding_year: int) -> str:
    """Which rule set applies: the 2013 retention scheme, or fair funding from its first year
    (the year is an explicit argument, held as a parameter by the caller)."""
    return FAIR_FUNDING if year >= first_fair_funding_year else RETENTION


def settlement_funding_assessment(revenue_support_grant: np.ndarray, baseline_funding_level: np.ndarray
                                  ) -> np.ndarray:
    """SFA = RSG + BFL (CSP explanatory note 2025-26: "SFA is £16,841 million ... RSG ... and BFL")."""
    return np.asarray(revenue_support_grant, dtype=np.float64) + np.asarray(baseline_funding_level, dtype=np.float64)


def revenue_support_grant(settlement_funding_assessment: np.ndarray, baseline_funding_level: np.ndarray
                          ) -> np.ndarray:
    """RSG as the part of SFA not funded through retained rates (2013-14 set-up: RSG = SUFA - BFL)."""
    return np.asarray(settlement_funding_assessment, dtype=np.float64) - np.asarray(baseline_funding_level, dtype=np.float64)


def baseline_funding_level_at_setup(funding_share: np.ndarray, aggregate_local_share: float) -> np.ndarray:
    """BFL at set-up: each authority's share of formula funding applied to the national estimate of
    the local share (Local Government Finance Report 2013-14; reference doc 1.3)."""
    return np.asarray(funding_share, dtype=np.float64) * aggregate_local_share


def uprated(amount: np.ndarray, multiplier_now: float, multiplier_then: float) -> np.ndarray:
    """An amount (BFL, tariff, top-up) moved in line with the small business multiplier
    (SI 2013/737 reg 5(2) and Sch.2; revaluation years excepted, where multipliers are rebased)."""
    return np.asarray(amount, dtype=np.float64) * (multiplier_now / multiplier_then)


def change_against_baseline(scenario: np.ndarray, baseline: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Scenario minus baseline, in pounds and as a share of the baseline (NaN where it is zero)."""
    base = np.asarray(baseline, dtype=np.float64)
    gap = np.asarray(scenario, dtype=np.float64) - base
    share = np.full(gap.shape, np.nan)
    np.divide(gap, np.abs(base), out=share, where=base != 0)
    return gap, share
