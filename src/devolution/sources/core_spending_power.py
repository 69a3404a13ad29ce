"""Core Spending Power components, 2015-16 to 2020-21 (MHCLG, with the 2020-21 settlement).

The file is in £ million; the store holds pounds. It carries a subset of the official CSP lines
(no Improved Better Care Fund or Social Care Grant), so its total is below the official CSP.
"""

from __future__ import annotations

from pathlib import Path

from devolution.sources.base import (MONEY, OGL, apply_corrections, Context, Measure, Parsed, Publication,
                                     keep_places, melt, refuse_first, require_unique, years)
from devolution.sources.text import read_csv

FILE = "core_spending_power_components_2015_16_to_2020_21.csv"
MILLION = 1e6

COMPONENTS = {
    "sfa": ("csp_settlement_funding_assessment", "Settlement Funding Assessment (RSG + baseline funding level)"),
    "under_index": ("csp_under_indexing", "Compensation for under-indexing the business rates multiplier"),
    "ct_total": ("csp_council_tax", "Council tax of the authority, as assumed in CSP"),
    "nhb": ("csp_new_homes_bonus", "New Homes Bonus"),
    "nhb_return": ("csp_new_homes_bonus_returned", "New Homes Bonus returned funding"),
    "rsdg": ("csp_rural_services_delivery_grant", "Rural Services Delivery Grant"),
    "total_of_listed_components": ("csp_total", "Core Spending Power: total of the six listed components"),
}


def parse(files: dict[str, Path], context: Context) -> Parsed:
    path = files[FILE]
    frame = read_csv(path, ["ons_code", "authority", "region", "financial_year", *COMPONENTS], unread=["year_start"])
    frame = apply_corrections(frame, path)
    frame, skipped = keep_places(frame, "ons_code", path, context)
    frame["year"] = years(frame, "financial_year", path, within=context.years)
    if "year_start" in frame.columns:  # the same year again, as a number: the two must agree
        start = years(frame, "year_start", path)
        refuse_first(start != frame["year"], frame, path, "year_start", lambda at: (
            f"{frame['year_start'].iloc[at]!r} disagrees with financial_year "
            f"{frame['financial_year'].iloc[at]!r} on the same row (expected {frame['year'].iloc[at]})"))
    require_unique(frame, ["ons_code", "year"], path)
    measures = {column: (name, MILLION) for column, (name, _) in COMPONENTS.items()}
    return Parsed(observations=melt(frame, "ons_code", "year", measures, path, kind=MONEY), skipped=skipped)


PUBLICATIONS = (
    Publication(
        id="mhclg_core_spending_power",
        title="Core Spending Power: supporting tables, 2015-16 to 2020-21 (Local Government Finance Settlement 2020-21)",
        publisher="Ministry of Housing, Communities and Local Government",
        url="https://www.gov.uk/government/collections/local-government-finance-settlement",
        licence=OGL, files=(FILE,), parse=parse, years=(2015, 2020),
        measures=tuple(Measure(name, "GBP", text) for name, text in COMPONENTS.values()),
    ),
)
