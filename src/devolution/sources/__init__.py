"""One module per official publication. ``PUBLICATIONS`` lists them all, register first.

The list is explicit (no discovery by import magic): adding a source means adding it here.
"""

from __future__ import annotations

from devolution.sources import (boundaries, children_looked_after, core_spending_power, council_tax,
                                country_regional_analysis, deprivation, lookups, population, register,
                                revenue_outturn)
from devolution.sources.base import Publication

PUBLICATIONS: tuple[Publication, ...] = (
    *register.PUBLICATIONS,
    *lookups.PUBLICATIONS,
    *population.PUBLICATIONS,
    *deprivation.PUBLICATIONS,
    *core_spending_power.PUBLICATIONS,
    *revenue_outturn.PUBLICATIONS,
    *council_tax.PUBLICATIONS,
    *children_looked_after.PUBLICATIONS,
    *country_regional_analysis.PUBLICATIONS,
    *boundaries.PUBLICATIONS,
)

REGISTER_ID = register.PUBLICATIONS[0].id


def publication(id_: str) -> Publication:
    """The publication with this id (an error naming the known ids if there is none)."""
    from devolution.errors import DevolutionError

    for item in PUBLICATIONS:
        if item.id == id_:
            return item
    raise DevolutionError(f"unknown publication {id_!r}; known: {', '.join(p.id for p in PUBLICATIONS)}")
