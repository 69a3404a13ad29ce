"""Validation on history: every past reorganisation the shipped examples hold, run as a proposal,
against what MHCLG published for the new council.

MHCLG's "Council Tax levels set by local authorities in England" prints, on a new council's own
row for the year before it began, its predecessors' council tax requirement and tax base on its
area (the comparison its first-year increase is measured from: LGFA 1992 s.52ZE), and its Band D of
the first year. The tool builds the same from the predecessors of the proposal file (districts'
own requirement plus the county's Band D times their tax base) and compares:

- notional Band D within ``predecessors.TOLERANCE`` (half a penny: requirements are printed to the
  pound and tax bases to one or two decimals);
- council tax requirement within that tolerance times the tax base (the same half penny on every
  Band D equivalent), tax base within half a Band D equivalent;
- the gaps the rules work found and explained (``predecessors.GAPS``: Cumbria's fire and rescue,
  Somerset's £3.52) are shown with their reasons, never hidden by a wider tolerance.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from devolution import parameters
from devolution.analysis import predecessors
from devolution.analysis.reorganisation import council_tax, principles
from devolution.analysis.reorganisation.run import checked_proposal, example_names, raw_proposal
from devolution.rules.council_tax import band_d
from devolution.years import year_label

#: Tax base printed to one or two decimals; the predecessors' sum is kept within half a Band D equivalent.
TAX_BASE_TOLERANCE = 0.5
#: The tolerances in words, for the table's readers (from the constants, not typed twice).
TOLERANCES = (f"Tolerance: £{predecessors.TOLERANCE} per Band D (half a penny: requirements are printed to the "
              f"pound, tax bases to two decimals); the requirement within that times the tax base; the tax base "
              f"within {TAX_BASE_TOLERANCE} of a Band D equivalent.")

COLUMNS = ["proposal", "council", "code", "year", "tool_requirement", "published_requirement", "requirement_gap",
           "tool_tax_base", "published_tax_base", "tool_notional_band_d", "published_band_d", "band_d_gap",
           "within_tolerance", "reason", "first_year", "first_year_band_d", "first_year_principle",
           "first_year_increase", "first_year_excessive_at", "within_principle"]
#: The columns in pounds, shown to the penny (:func:`to_the_penny`).
MONEY = ["tool_requirement", "published_requirement", "requirement_gap", "tool_notional_band_d", "published_band_d",
         "band_d_gap", "first_year_band_d", "first_year_excessive_at"]


def historical_examples() -> list[str]:
    """The shipped examples of reorganisations that happened."""
    return [name for name in example_names() if raw_proposal(name)[0].get("kind") == "historical"]


def check_history(inputs, names: list[str] | None = None, tree=None) -> pd.DataFrame:
    """One row per new council of each historical example (``names``, all if None): the tool's
    figures from the predecessors, MHCLG's published ones, the gaps, whether they are within the
    tolerance, the reason for an explained gap, and the first year's Band D against the principle.
    Unrounded (the golden tests compare the paths to 1e-9); :func:`to_the_penny` for showing it."""
    tree = tree or parameters.default()
    observations = inputs.observations[inputs.observations["measure"].isin(predecessors.MEASURES)]
    wide = observations.pivot_table(index=["code", "year"], columns="measure", values="value")
    printed = predecessors.notional_band_d_table(inputs.places, observations).set_index("code")
    rows = []
    for name in names if names is not None else historical_examples():
        checked = checked_proposal(name, inputs, tree)
        year = checked.first_year - 1
        tool = council_tax.predecessors_on_area(checked, inputs.observations)
        tool = tool[tool["year"] == year].set_index("code").reindex(checked.names)
        codes = [c.code for c in checked.proposal.councils]
        keys = pd.MultiIndex.from_arrays([codes, [year] * len(codes)])
        published = wide.reindex(keys)
        requirement = published[predecessors.REQUIREMENT].to_numpy()
        base = published[predecessors.TAX_BASE].to_numpy()
        comparison = band_d(requirement, base)  # MHCLG's comparison: requirement over tax base
        shares, found = principles.principle_shares(tree, np.array([checked.first_year]),
                                                          np.array(codes, dtype=object))
        excessive = found[0].ceiling(comparison)  # the published first year is within it if below it
        first = printed["first_year_band_d"].reindex(codes).to_numpy()
        gap = comparison - tool["notional_band_d"].to_numpy()
        requirement_gap = requirement - tool["council_tax_requirement"].to_numpy()
        within = ((np.abs(gap) < predecessors.TOLERANCE)
                  & (np.abs(requirement_gap) < predecessors.TOLERANCE * tool["tax_base"].to_numpy())
                  & (np.abs(base - tool["tax_base"].to_numpy()) < TAX_BASE_TOLERANCE))
        rows.append(pd.DataFrame({
            "proposal": checked.proposal.name, "council": checked.names, "code": codes, "year": year_label(year),
            "tool_requirement": tool["council_tax_requirement"].to_numpy(), "published_requirement": requirement,
            "requirement_gap": requirement_gap, "tool_tax_base": tool["tax_base"].to_numpy(),
            "published_tax_base": base, "tool_notional_band_d": tool["notional_band_d"].to_numpy(),
            "published_band_d": comparison, "band_d_gap": gap, "within_tolerance": within,
            "reason": [("" if ok else predecessors.GAPS.get(code, "not explained")) for ok, code in zip(within, codes)],
            "first_year": year_label(checked.first_year), "first_year_band_d": first,
            "first_year_principle": shares[:, 0], "first_year_increase": first / comparison - 1.0,
            "first_year_excessive_at": excessive, "within_principle": first < excessive}))
    return pd.concat(rows, ignore_index=True)[COLUMNS] if rows else pd.DataFrame(columns=COLUMNS)


def to_the_penny(table: pd.DataFrame) -> pd.DataFrame:
    """The history table as shown (CLI, API): its money columns (``MONEY``, £) rounded to the penny,
    the gaps and checks left as measured on the unrounded figures."""
    return table.assign(**{column: table[column].astype(float).round(2) for column in MONEY})
