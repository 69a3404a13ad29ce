"""Business rates: the ratepayer's bill (rateable value x multiplier, less mandatory reliefs).

Local Government Finance Act 1988 (LGFA 1988) Part III and Schedule 7 (multipliers); s.43 (occupied
hereditaments, charitable relief, small business rate relief); the Non-Domestic Rating (Multipliers
and Private Schools) Act 2025 (the retail, hospitality and leisure (RHL) and high-value multipliers
from 2026-27). Arrays have one element per hereditament; a leading axis of variants broadcasts.
"""

from __future__ import annotations

import numpy as np


def multiplier(rateable_value: np.ndarray, rhl: np.ndarray, small_business: float, standard: float,
               small_business_threshold: float, small_business_rhl: float | None = None,
               standard_rhl: float | None = None, high_value: float | None = None,
               high_value_threshold: float | None = None) -> np.ndarray:
    """The multiplier for each hereditament (LGFA 1988 Sch.7 paras 3-3A; from 2026-27 the 2025 Act).

    Below ``small_business_threshold`` the small business multiplier, otherwise the standard; from
    2026-27 an occupied qualifying RHL hereditament below the high-value threshold takes the RHL
    multiplier of its band, and every hereditament at or above ``high_value_threshold`` takes the
    high-value multiplier. Multipliers not in force are ``None``."""
    rv = np.asarray(rateable_value, dtype=np.float64)
    is_rhl = np.asarray(rhl, dtype=bool)
    small = rv < small_business_threshold
    out = np.where(small, small_business, standard)
    if small_business_rhl is not None and standard_rhl is not None:
        out = np.where(is_rhl, np.where(small, small_business_rhl, standard_rhl), out)
    if high_value is not None and high_value_threshold is not None:
        out = np.where(rv >= high_value_threshold, high_value, out)
    return out


def gross_rates(rateable_value: np.ndarray, multiplier: np.ndarray) -> np.ndarray:
    """Rates payable before reliefs: rateable value times the multiplier (LGFA 1988 s.43(4))."""
    return np.asarray(rateable_value, dtype=np.float64) * np.asarray(multiplier, dtype=np.float64)


def small_business_relief_share(rateable_value: np.ndarray, eligible: np.ndarray, lower_threshold: float,
                                upper_threshold: float) -> np.ndarray:
    """Share of the bill relieved by small business rate relief (LGFA 1988 s.43(4A)-(4B) and the
    Non-Domestic Rating (Small Business Rate Relief) (England) Order): 100% up to the lower
    threshold, falling linearly to nothing at the upper threshold; 0 where not eligible."""
    rv = np.asarray(rateable_value, dtype=np.float64)
    share = np.clip((upper_threshold - rv) / (upper_threshold - lower_threshold), 0.0, 1.0)
    return share * np.asarray(eligible, dtype=bool)


def bill(rateable_value: np.ndarray, multiplier: np.ndarray, small_business_relief_share: np.ndarray,
         charity: np.ndarray, charitable_relief: float) -> np.ndarray:
    """Rates payable after the mandatory reliefs. A charity gets the mandatory charitable relief
    (LGFA 1988 s.43(5)-(6): one fifth of the charge) and no small business relief; the larger of
    the two reliefs applies, as relief is not given twice on the same charge."""
    gross = gross_rates(rateable_value, multiplier)
    is_charity = np.asarray(charity, dtype=bool)
    relief = np.where(is_charity, np.maximum(charitable_relief, 0.0),
                      np.asarray(small_business_relief_share, dtype=np.float64))
    return gross * (1.0 - relief)
