"""Resources of a projection: an explicit ordered list of components (no registry magic).

- ``council_tax``: tax base x Band D, Band D raised each year by the scenario's policy ("max" =
  the referendum ceiling of the year; a fixed share is capped by it), with the ceiling from
  rules.council_tax.max_band_d_without_referendum and the parameters council_tax.referendum.*.
- ``settlement_rates_grants``: PLACEHOLDER. Everything else that funds base-year spending
  (retained business rates, settlement, grants, fees net of reserves): base-year spending minus
  base-year council tax, held flat in cash. Rules II replaces it here, by one entry each:
  retained business rates (rules/retention.py, reading ``ctx.samples["business_rates_growth"]``,
  draws x places) and the settlement (rules/settlement.py, rules/needs.py); grants and place
  budgets (powers/) likewise. Keep the residual last so the base-year gap stays zero.
"""

from __future__ import annotations

import numpy as np

from devolution.rules.council_tax import max_band_d_without_referendum
from devolution.scenarios.projection import Component, Context


def council_tax(ctx: Context) -> np.ndarray:
    """Council tax each projection year, (draws, places, years); the base year's is kept in memo."""
    inputs = ctx.inputs
    draws = ctx.draws
    band_d = np.broadcast_to(inputs.band_d, (draws, inputs.n)).copy()
    growth = 1.0 + ctx.samples["tax_base_growth"][:, None]
    increase = ctx.samples.get("council_tax_increase")
    out = ctx.new()
    first = inputs.council_tax_year + 1
    for i, year in enumerate(range(first, int(ctx.years[-1]) + 1)):
        ceiling = max_band_d_without_referendum(
            band_d, ctx.limits["core_limit"][i], np.where(inputs.asc_authority, ctx.limits["asc_limit"][i], 0.0),
            np.where(inputs.shire_district, ctx.limits["shire_district_cash_limit"][i], np.nan))
        band_d = ceiling if increase is None else np.fmin(band_d * (1.0 + increase[:, None]), ceiling)
        amount = band_d * inputs.tax_base * growth ** (year - inputs.council_tax_year)
        if year == inputs.base_year:
            ctx.memo["council_tax_base_year"] = amount
        if year in ctx.years:
            out[:, :, int(np.searchsorted(ctx.years, year))] = amount
    if inputs.base_year == inputs.council_tax_year:
        ctx.memo["council_tax_base_year"] = np.broadcast_to(inputs.council_tax, (draws, inputs.n))
    return out


def settlement_rates_grants(ctx: Context) -> np.ndarray:
    """PLACEHOLDER until Rules II: base-year spending minus base-year council tax, flat in cash."""
    spending = sum(ctx.inputs.spending.values())
    return (spending[None, :] - ctx.memo["council_tax_base_year"])[:, :, None]


#: Resources, in run order (council tax first: the residual reads its base-year value).
RESOURCES: tuple[Component, ...] = (
    Component("council_tax", "Council tax", council_tax),
    Component("settlement_rates_grants", "Business rates, settlement and grants (held flat in cash)",
              settlement_rates_grants,
              status="placeholder: base-year spending less council tax, flat in cash, until Rules II"),
)
