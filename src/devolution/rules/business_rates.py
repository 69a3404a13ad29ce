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
               high_value_threshold: float | None = None, *, occupied: np.ndarray, charity: np.ndarray,
               small_business_for_unoccupied_and_charities: bool) -> np.ndarray:
    """The multiplier for each hereditament (LGFA 1988 Sch.7 paras 3-3A; from 2024-25 as amended by
    the Non-Domestic Rating Act 2023; from 2026-27 the 2025 Act).

    Below ``small_business_threshold`` the small business multiplier, otherwise the standard; but
    before 2024-25 (``small_business_for_unoccupied_and_charities`` false) an unoccupied hereditament
    or one given mandatory charitable relief paid the standard multiplier whatever its value. From
    2026-27 an occupied qualifying RHL hereditament below the high-value threshold takes the RHL
    multiplier of its band, and every hereditament at or above ``high_value_threshold`` takes the
    high-value multiplier. Multipliers not in force are ``None``. Arrays broadcast (one element per
    hereditament)."""
    rv = np.asarray(rateable_value, dtype=np.float64)
    is_occupied = np.asarray(occupied, dtype=bool)
    is_rhl = np.asarray(rhl, dtype=bool) & is_occupied
    small = rv < small_business_threshold
    if not small_business_for_unoccupied_and_charities:
        small = small & is_occupied & ~np.asarray(charity, dtype=bool)
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


def retail_hospitality_leisure_relief(net_bill: np.ndarray, eligible: np.ndarray, share: float | None,
                                      cash_cap: float | None) -> np.ndarray:
    """Retail, hospitality and leisure relief (£) on each hereditament: ``share`` of its bill after
    the mandatory and other funded reliefs, for occupied qualifying hereditaments (``eligible``), up
    to ``cash_cap`` (None: no cap). Granted by billing authorities under LGFA 1988 s.47 on the
    government's scheme of each year (2020-21 to 2025-26), ``share`` None where none applies.

    The cap is per business in the schemes; with no ratepayer in the data it is applied per
    hereditament here, which overstates the relief of businesses with several large properties."""
    bill = np.asarray(net_bill, dtype=np.float64)
    if share is None:
        return np.zeros(bill.shape)
    relief = bill * share * np.asarray(eligible, dtype=bool)
    return relief if cash_cap is None else np.minimum(relief, cash_cap)


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
