"""Core Spending Power: the total of its components and the council tax it assumes.

MHCLG, "Explanatory note on Core Spending Power" (final local government finance settlements,
e.g. 2021-22): CSP is the sum of the Settlement Funding Assessment, under-indexing compensation,
council tax requirement excluding parish precepts, New Homes Bonus, Rural Services Delivery Grant
and further grants by year. For future years the council tax is estimated by assuming each
council raises its Band D by the maximum allowed without a referendum, on a tax base grown at its
own average rate.
"""

from __future__ import annotations

import numpy as np

from devolution.rules.council_tax import max_band_d_without_referendum


def csp_total(settlement_funding_assessment: np.ndarray, under_indexing: np.ndarray, council_tax: np.ndarray,
              new_homes_bonus: np.ndarray, new_homes_bonus_returned: np.ndarray,
              rural_services_delivery_grant: np.ndarray) -> np.ndarray:
    """Core Spending Power as the sum of its listed components (CSP explanatory note, paragraph
    "derived from the sum of the following components"). Missing components count as zero."""
    parts = (settlement_funding_assessment, under_indexing, council_tax, new_homes_bonus,
             new_homes_bonus_returned, rural_services_delivery_grant)
    return np.sum([np.nan_to_num(np.asarray(p, dtype=np.float64)) for p in parts], axis=0)


def assumed_council_tax(previous_band_d: np.ndarray, forecast_tax_base: np.ndarray, core_limit: float,
                        asc_limit: np.ndarray, cash_limit: np.ndarray) -> np.ndarray:
    """Council tax as CSP assumes it: last year's Band D raised by the most allowed without a
    referendum, times the forecast tax base (CSP explanatory note 2021-22, paragraph 3(2))."""
    ceiling = max_band_d_without_referendum(previous_band_d, core_limit, asc_limit, cash_limit)
    return ceiling * np.asarray(forecast_tax_base, dtype=np.float64)


def assumption_gap(assumed: np.ndarray, actual: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Actual minus assumed council tax, in pounds and as a share of the assumption."""
    assumed = np.asarray(assumed, dtype=np.float64)
    gap = np.asarray(actual, dtype=np.float64) - assumed
    share = np.full(gap.shape, np.nan)
    np.divide(gap, assumed, out=share, where=assumed != 0)
    return gap, share
