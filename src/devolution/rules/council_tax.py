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


def max_band_d_without_referendum(previous_band_d: np.ndarray, core_limit: np.ndarray | float,
                                  asc_limit: np.ndarray, cash_limit: np.ndarray,
                                  additional_limit: np.ndarray | float = 0.0) -> np.ndarray:
    """The highest Band D (relevant basic amount) a council can set without a referendum
    (LGFA 1992 ss.52ZB-52ZC, inserted by the Localism Act 2011 Sch.5, and the year's
    Referendums Relating to Council Tax Increases (Principles) (England) Report).

    All arguments broadcast (one element per place, or scalars). ``previous_band_d`` is last year's
    relevant basic amount, or for a council in its first year the alternative notional amount of
    its predecessors (:func:`notional_band_d`). ``core_limit`` is the core principle of the
    council's class; ``asc_limit`` the adult social care precept share it may add this year (0
    where the council has no social care functions; see :func:`asc_limit_in_year` for the years
    whose limit depends on earlier years); ``additional_limit`` a bespoke principle for a named
    council (0 elsewhere); ``cash_limit`` the pounds alternative (NaN where none applies, e.g. for
    councils other than shire districts). A shire district may take the greater of the percentage
    and the cash limits.

    The percentage principle says an increase of the limit "or more" is excessive, so the value
    returned is the ceiling councils stay just below (2.99% under a 3% principle); the cash
    principle says "more than £5", so the cash ceiling itself is allowed.
    """
    return np.fmax(*_ceilings(previous_band_d, core_limit, asc_limit, cash_limit, additional_limit))


def percentage_principle_binds(previous_band_d: np.ndarray, core_limit: np.ndarray | float,
                               asc_limit: np.ndarray, cash_limit: np.ndarray,
                               additional_limit: np.ndarray | float = 0.0) -> np.ndarray:
    """True where the ceiling of ``max_band_d_without_referendum`` is the percentage one, so the
    ceiling itself is excessive ("X% or more") and a council must stay below it; False where the
    cash alternative ("more than £N") is larger, so the ceiling itself is allowed."""
    by_share, by_cash = _ceilings(previous_band_d, core_limit, asc_limit, cash_limit, additional_limit)
    return ~(by_cash > by_share)


def _ceilings(previous_band_d, core_limit, asc_limit, cash_limit, additional_limit) -> tuple[np.ndarray, np.ndarray]:
    previous = np.asarray(previous_band_d, dtype=np.float64)
    share = (np.asarray(core_limit, dtype=np.float64) + np.asarray(asc_limit, dtype=np.float64)
             + np.asarray(additional_limit, dtype=np.float64))
    by_share = previous * (1.0 + share)
    by_cash = previous + np.asarray(cash_limit, dtype=np.float64)
    return by_share, by_cash


def asc_share_added(adult_social_care_precept: np.ndarray, tax_base: np.ndarray,
                    previous_band_d: np.ndarray) -> np.ndarray:
    """The adult social care precept a council added in a year, as a share of last year's Band D:
    the year's precept (£, the CTR return's adult social care line, which holds that year's
    addition) per Band D equivalent over the previous relevant basic amount. NaN where a figure is
    missing or the base is not positive."""
    precept = np.asarray(adult_social_care_precept, dtype=np.float64)
    base = np.asarray(tax_base, dtype=np.float64)
    previous = np.asarray(previous_band_d, dtype=np.float64)
    out = np.full(np.broadcast(precept, base, previous).shape, np.nan)
    np.divide(precept, base * previous, out=out, where=(base > 0) & (previous > 0))
    return out


def asc_limit_in_year(asc_limit: np.ndarray | float, period_limit: np.ndarray | float,
                      added_earlier_in_period: np.ndarray, carry_forward: np.ndarray | float,
                      previous_asc_limit: np.ndarray | float, added_previous_year: np.ndarray) -> np.ndarray:
    """The adult social care precept share a council may add this year, where the principles make
    it depend on what the council added before (each argument broadcasts; NaN means "does not
    apply" for ``period_limit`` and ``carry_forward``):

    - a cap over a run of years (2017-18 to 2019-20: 6%): no more than the yearly ``asc_limit``
      and no more than ``period_limit`` less the shares added in the earlier years of the run;
    - a carry-forward (2022-23): ``carry_forward`` times the part of last year's limit not used
      (``previous_asc_limit`` less ``added_previous_year``, never below 0) is added to this year's.

    Source: the Referendums Relating to Council Tax Increases (Principles) (England) Reports
    2017-18 to 2019-20 and 2022-23 (see parameters council_tax.referendum.asc_period_limit and
    asc_carry_forward)."""
    limit = np.asarray(asc_limit, dtype=np.float64)
    period = np.asarray(period_limit, dtype=np.float64)
    left = np.maximum(period - np.asarray(added_earlier_in_period, dtype=np.float64), 0.0)
    limit = np.where(np.isnan(period), limit, np.minimum(limit, left))
    carry = np.asarray(carry_forward, dtype=np.float64)
    unused = np.maximum(np.asarray(previous_asc_limit, dtype=np.float64)
                        - np.asarray(added_previous_year, dtype=np.float64), 0.0)
    return np.where(np.isnan(carry), limit, limit + carry * unused)


def notional_band_d(council_tax_requirement: np.ndarray, tax_base: np.ndarray, successor: np.ndarray,
                    n_successors: int) -> np.ndarray:
    """The alternative notional amount of a new council: its predecessors' council tax requirement
    on the new council's area over their tax base there, in the year before it began.

    One element per predecessor piece (a predecessor billing council, with its county's share of
    requirement on that council's area added in): ``council_tax_requirement`` (£, excluding parish
    precepts), ``tax_base`` (Band D equivalents) and ``successor``, the index (0 to
    ``n_successors`` - 1) of the new council it went to. Returns one Band D per new council (NaN
    where it has no pieces). LGFA 1992 s.52ZC(3) compares a year's relevant basic amount with the
    previous year's, and s.52ZE lets the year's Alternative Notional Amounts Report set that
    comparison for a reorganised area as the predecessors' amount on the new area."""
    index = np.asarray(successor, dtype=np.int64)
    requirement = np.bincount(index, weights=np.asarray(council_tax_requirement, dtype=np.float64),
                              minlength=n_successors)
    base = np.bincount(index, weights=np.asarray(tax_base, dtype=np.float64), minlength=n_successors)
    return band_d(requirement, base)


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
