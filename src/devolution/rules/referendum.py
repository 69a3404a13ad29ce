"""The council tax referendum principles of one year, as arrays over councils.

Every caller that needs a council's ceiling (``devo explain``, the resident budget simulator, the
scenario projection) asks here, so a principle for a named council, the shire districts' pounds
alternative and the adult social care precept's flexibilities that depend on earlier years are
applied the same way everywhere. The arithmetic is ``rules.council_tax``; this module only reads
the year's values from the parameter tree (passed in, never loaded here) and lays them out by place.

Classes (LGFA 1992 s.52ZC and each year's Principles Report): adult social care authorities
(counties, unitaries, metropolitan districts, London boroughs, the City of London) have the core
principle plus the adult social care precept; shire districts the core principle or the pounds
alternative, whichever is greater; a council named in ``council_tax.referendum_by_council`` adds
its bespoke share. Other bodies (the GLA, combined authorities, police, fire) are not councils here:
their ceiling is NaN.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from devolution.errors import ParameterError
from devolution.rules import council_tax
from devolution.years import year_label

CORE = "council_tax.referendum.core_limit"
ASC = "council_tax.referendum.asc_limit"
ASC_PERIOD = "council_tax.referendum.asc_period_limit"
ASC_CARRY = "council_tax.referendum.asc_carry_forward"
CASH = "council_tax.referendum.shire_district_cash_limit"
BY_COUNCIL = "council_tax.referendum_by_council.additional_limit"

#: A percentage principle makes its own limit excessive ("X% or more"), so the highest increase a
#: council can set without a referendum is this far below it: 4.99% under 5%, as North
#: Northamptonshire set on its notional Band D (MHCLG council tax statistics 2021-22). Council tax is
#: set in pence; 0.01 percentage point is the step the tool uses, an assumption, not a rule.
JUST_BELOW = 0.0001

#: Councils with adult social care functions (the precept's class in the principles).
ASC_TIERS = ("county", "unitary", "metropolitan_district", "london_borough", "city_of_london")
DISTRICT_TIERS = ("shire_district",)


@dataclass(frozen=True)
class AscHistory:
    """What councils added as adult social care precept before ``year``, where the year's limit
    depends on it (one element per place, shares of the previous Band D; NaN where not known)."""

    added_earlier_in_period: np.ndarray   # sum over the earlier years of the capped run
    added_previous_year: np.ndarray       # the year before (for a carry-forward)


@dataclass
class Principles:
    """One year's principles for each place: shares and pounds, and which parameters were read."""

    year: int
    codes: np.ndarray
    core_limit: np.ndarray
    asc_limit: np.ndarray          # after the multi-year flexibilities
    cash_limit: np.ndarray         # NaN where no pounds alternative applies
    additional_limit: np.ndarray   # a named council's bespoke share; 0 elsewhere
    used: list[tuple[str, object]] = field(default_factory=list)  # (parameter path, value as read)

    def ceiling(self, previous_band_d: np.ndarray) -> np.ndarray:
        """The highest Band D without a referendum (``council_tax.max_band_d_without_referendum``)."""
        return council_tax.max_band_d_without_referendum(previous_band_d, *self._args())

    def highest(self, previous_band_d: np.ndarray) -> np.ndarray:
        """The highest Band D a council can set without a referendum: the ceiling, or
        :data:`JUST_BELOW` under it where the percentage principle makes the ceiling excessive."""
        previous_band_d = np.asarray(previous_band_d, dtype=np.float64)
        ceiling = self.ceiling(previous_band_d)
        return np.where(self.percentage_binds(previous_band_d), ceiling - previous_band_d * JUST_BELOW, ceiling)

    def percentage_binds(self, previous_band_d: np.ndarray) -> np.ndarray:
        """Where the ceiling is the percentage one (itself excessive: stay just below it)."""
        return council_tax.percentage_principle_binds(previous_band_d, *self._args())

    def named(self) -> np.ndarray:
        """True where a principle for that named council applies."""
        return self.additional_limit != 0

    def _args(self):
        return self.core_limit, self.asc_limit, self.cash_limit, self.additional_limit


def needs_asc_history(tree, year: int) -> tuple[list[int], int | None]:
    """The earlier years whose adult social care precept decides ``year``'s limit: those of the
    capped run before it (e.g. 2017-18 and 2018-19 for 2019-20), and the year before where unused
    precept carries forward (2021-22 for 2022-23)."""
    period = _optional(tree, ASC_PERIOD, year)
    earlier: list[int] = []
    if period is not None:
        y = year - 1
        while _optional(tree, ASC_PERIOD, y) == period:
            earlier.append(y)
            y -= 1
    carry = _optional(tree, ASC_CARRY, year)
    return sorted(earlier), (year - 1 if carry is not None else None)


def principles(tree, year: int, codes, tiers, asc_history: AscHistory | None = None) -> Principles:
    """The principles of financial ``year`` for each place (``codes`` and ``tiers`` aligned).

    Raises ParameterError when a value the places need is not verified for the year, or when the
    year's adult social care limit depends on earlier years (:func:`needs_asc_history`) and
    ``asc_history`` is not given."""
    codes = np.asarray(codes, dtype=object)
    tiers = np.asarray(tiers, dtype=object)
    n = len(codes)
    is_asc = np.isin(tiers, ASC_TIERS)
    is_district = np.isin(tiers, DISTRICT_TIERS)
    used: list[tuple[str, object]] = []

    core = tree.value(CORE, year)
    used.append((CORE, core))
    core_limit = np.where(is_asc | is_district, np.nan if core is None else float(core), np.nan)

    asc_limit = np.zeros(n)
    if is_asc.any():
        asc = tree.value(ASC, year)
        used.append((ASC, asc))
        asc_limit = np.where(is_asc, 0.0 if asc is None else float(asc), 0.0)
        earlier, carried_from = needs_asc_history(tree, year)
        if earlier or carried_from is not None:
            if asc_history is None:
                raise ParameterError(f"{ASC} in {year_label(year)} depends on the precept added in "
                                     f"{', '.join(year_label(y) for y in earlier + [carried_from] if y is not None)}"
                                     f": give the councils' adult social care precept history")
            period = np.nan
            if earlier:
                period = float(tree.value(ASC_PERIOD, year))
                used.append((ASC_PERIOD, period))
            carry, previous_limit = np.nan, 0.0
            if carried_from is not None:
                carry = float(tree.value(ASC_CARRY, year))
                previous_limit = float(tree.value(ASC, carried_from) or 0.0)
                used.append((ASC_CARRY, carry))
            flexible = council_tax.asc_limit_in_year(asc_limit, period, asc_history.added_earlier_in_period,
                                                     carry, previous_limit, asc_history.added_previous_year)
            asc_limit = np.where(is_asc, flexible, 0.0)

    cash_limit = np.full(n, np.nan)
    if is_district.any():
        cash = tree.value(CASH, year)
        used.append((CASH, cash))
        cash_limit = np.where(is_district, np.nan if cash is None else float(cash), np.nan)

    named = tree.value(BY_COUNCIL, year)
    additional = np.zeros(n)
    if named:
        keys = np.array(sorted(named), dtype=object)
        at = np.searchsorted(keys, codes.astype(str)).clip(0, len(keys) - 1)
        hit = keys[at] == codes
        additional = np.where(hit, np.array([named[k] for k in keys], dtype=float)[at], 0.0)
        if hit.any():
            used.append((BY_COUNCIL, {str(c): named[str(c)] for c in codes[hit]}))
    return Principles(year=year, codes=codes, core_limit=core_limit, asc_limit=asc_limit, cash_limit=cash_limit,
                      additional_limit=additional, used=used)


def _optional(tree, path: str, year: int):
    """A parameter's value, or None where it has none for that year (before its first value)."""
    try:
        return tree.value(path, year)
    except ParameterError:
        return None
