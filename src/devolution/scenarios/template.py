"""The commented template ``devo scenario new`` writes: every key of the format, with its meaning."""

from __future__ import annotations

TEMPLATE = """\
# A devolution scenario (checked by `devo scenario validate FILE`, run by `devo scenario run FILE`).
# Unknown keys are refused. Rates are yearly shares: 0.02 = 2% a year.
name: {name}
description: What this scenario asks, in a sentence.
# base: baseline            # build on another scenario file next to this one (its keys, then these)
base_year: 2024-25          # latest Revenue Outturn held; spending starts from this year
years: 2025-26..2034-35     # the projection years (after base_year, at most 30)
seed: 20250401              # Monte Carlo seed: same seed, same result
draws: 1000                 # Monte Carlo draws

# Policy: parameter overrides from a year onward (that year and every later one), by dotted path
# (see src/devolution/parameters/). An unknown path or a value outside the unit is refused.
parameters: {{}}
#  council_tax.referendum.core_limit:
#    2026-27: 0.05

# Deals and devolution by default, from a year. Places with a deal, and with devolution by default
# every council of a strategic authority whose level allows business rates growth retention, keep
# rates growth on the `business_rates` terms. Pooled budgets and a multi-year settlement change who
# decides and how sure the money is, not the gap (a run says so).
deals:
  devolution_by_default: false
  from: null                  # e.g. 2027-28; the first projection year if null
  pooled_budgets: []          # catalogue powers, e.g. [adult_skills, local_transport_funding]
  settlement_years: null      # e.g. 3 for a three-year settlement
  places: []                  # GSS codes of councils or strategic authorities with the deal
  business_rates: {{local_share: 1.0, levy: false}}   # the 2017 pilots' terms; safety_net_threshold optional

# Assumptions, kept apart from policy. Each is a number or a distribution:
#   {{distribution: normal, mean: 0.02, sd: 0.01}}            (optional low / high clip)
#   {{distribution: triangular, low: 0.0, mode: 0.02, high: 0.05}}
#   {{distribution: uniform, low: 0.01, high: 0.03}}
assumptions:
  inflation: {{distribution: normal, mean: 0.02, sd: 0.005}}       # prices: children's and other services
  wage_growth: {{distribution: triangular, low: 0.02, mode: 0.03, high: 0.045}}  # adult social care costs
  council_tax_increase: max     # "max" = the referendum limit each year, or a share (capped by it)
  tax_base_growth: 0.01         # Band D equivalents
  population_growth_shift: 0.0  # added to each place's 2018-2023 trend growth
  grant_growth: 0.0             # settlement and other grants, cash (0 = flat in cash)
  business_rates_growth:        # real growth in rates income, on top of the multiplier's CPI uprating
    england: 0.01
    regions: {{}}                 # e.g. {{London: 0.02}}
    places: {{}}                  # e.g. {{E08000035: 0.03}}
  demand_growth:                # growth in demand per head beyond population
    adult_social_care: 0.01
    children: 0.02
    other: 0.0
"""


def render(name: str = "my-scenario") -> str:
    return TEMPLATE.format(name=name)
