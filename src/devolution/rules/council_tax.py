"""Council tax arithmetic: Band D, bills by band, Band D equivalents, the referendum ceiling.

Local Government Finance Act 1992 (LGFA 1992), as amended by the Localism Act 2011.
"""

from __future__ import annotations

import numpy as np


def band_d(council_tax_requirement: np.ndarray, tax_base: np.ndarray) -> np.ndarray:
    """Band D amount: the council tax requirement spread over the tax base in Band D equivalents
    (LGFA 1992 s.31B, England: basic amount of council tax = requirement / council tax base).
    A tax base of zero or less gives NaN, not infinity."""
    requirement = np.asarray(council_tax_requirement, dtype=np.float64)
    base = np.asarray(tax_base, dtype=np.float64)
    out = np.full(np.broadcast(requirement, base).shape, np.nan)
    np.divide(requirement, base, out=out, where=base > 0)
    return out


def bills_by_band(band_d: np.ndarray, band_ratios: np.ndarray) -> np.ndarray:
    """The charge in each valuation band: Band D times the band's proportion (LGFA 1992 s.5(1)).
    Returns places x bands (n x 8 for bands A to H)."""
    return np.multiply.outer(np.asarray(band_d, dtype=np.float64), np.asarray(band_ratios, dtype=np.float64))


def band_d_equivalents(dwellings_by_band: np.ndarray, band_ratios: np.ndarray) -> np.ndarray:
    """Dwellings weighted by their band proportion (LGFA 1992 s.5(1); the Local Authorities
    (Calculation of Council Tax Base) (England) Regulations 2012).
    ``dwellings_by_band`` is places x 8; the result has one element per place.

    Counts before discounts, exemptions, premiums, council tax support and the collection rate,
    so it is larger than the tax base used to set council tax."""
    return np.asarray(dwellings_by_band, dtype=np.float64) @ np.asarray(band_ratios, dtype=np.float64)


def bill_after_single_person_discount(bill: np.ndarray, single_person: np.ndarray,
                                      single_person_discount: float) -> np.ndarray:
    """A bill reduced by the single person discount where only one resident counts
    (LGFA 1992 s.11(1)(a))."""
    bill = np.asarray(bill, dtype=np.float64)
    return bill * (1.0 - single_person_discount * np.asarray(single_person, dtype=bool))


def max_band_d_without_referendum(previous_band_d: np.ndarray, core_limit: float, asc_limit: np.ndarray,
                                  cash_limit: np.ndarray) -> np.ndarray:
    """The highest Band D (relevant basic amount) a council can set without a referendum
    (LGFA 1992 ss.52ZB-52ZC, inserted by the Localism Act 2011 Sch.5, and the year's
    Referendums Relating to Council Tax Increases (Principles) (England) Report).

    ``asc_limit`` is the adult social care precept share for each place (0 where the council has
    no social care functions); ``cash_limit`` is the pounds alternative (NaN where none applies,
    e.g. for councils other than shire districts). A shire district may take the greater of the
    percentage and the cash limits.

    The percentage principle says an increase of the limit "or more" is excessive, so the value
    returned is the ceiling councils stay just below (2.99% under a 3% principle); the cash
    principle says "more than £5", so the cash ceiling itself is allowed.
    """
    return np.fmax(*_ceilings(previous_band_d, core_limit, asc_limit, cash_limit))


def percentage_principle_binds(previous_band_d: np.ndarray, core_limit: float, asc_limit: np.ndarray,
                               cash_limit: np.ndarray) -> np.ndarray:
    """True where the ceiling of ``max_band_d_without_referendum`` is the percentage one, so the
    ceiling itself is excessive ("X% or more") and a council must stay below it; False where the
    cash alternative ("more than £N") is larger, so the ceiling itself is allowed."""
    by_share, by_cash = _ceilings(previous_band_d, core_limit, asc_limit, cash_limit)
    return ~(by_cash > by_share)


def _ceilings(previous_band_d, core_limit, asc_limit, cash_limit) -> tuple[np.ndarray, np.ndarray]:
    previous = np.asarray(previous_band_d, dtype=np.float64)
    by_share = previous * (1.0 + core_limit + np.asarray(asc_limit, dtype=np.float64))
    by_cash = previous + np.asarray(cash_limit, dtype=np.float64)
    return by_share, by_cash


def budget_deficit(service_changes: np.ndarray, council_tax_requirement: np.ndarray,
                   council_tax_change: np.ndarray) -> np.ndarray:
    """Spending added that the council tax change does not pay for: the sum of the changes to
    net spending by service (last axis) minus the council tax requirement times the change in
    council tax (a share). Positive is a deficit, negative a surplus.

    A council in England sets its council tax requirement to meet its budgeted spending less its
    other income (LGFA 1992 s.31A, inserted by the Localism Act 2011), so a change of plan
    balances only if the extra spending is raised in council tax.
    """
    changes = np.asarray(service_changes, dtype=np.float64)
    raised = np.asarray(council_tax_requirement, dtype=np.float64) * np.asarray(council_tax_change, dtype=np.float64)
    return changes.sum(axis=-1) - raised
