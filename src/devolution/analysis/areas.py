"""The places a comparison on one year's boundaries is made over, read from the store once.

Every ``change`` (and each grouping of it) works on the councils in force in its boundary year and
the crosswalk that moves every other year's figures onto them (``places.crosswalk``): both depend
only on the store's register and its population and dwellings, so they are built once per store
and boundary year (``Store.memo``, dropped when the store loads data) instead of on every call.
"""

from __future__ import annotations

from typing import NamedTuple

import pandas as pd

from devolution.places.crosswalk import DRIVERS, crosswalk
from devolution.places.register import in_force
from devolution.places.tiers import BILLING_TIERS, COUNCIL_TIERS


class Areas(NamedTuple):
    """The register on one year's boundaries (shared: never changed in place)."""

    places: pd.DataFrame    # the whole register (``Store.places``)
    walk: pd.DataFrame      # its crosswalk onto the councils in force (``from_code, to_code, weight``)
    councils: pd.DataFrame  # the councils in force (rows of ``places``)
    areas: pd.DataFrame     # the billing areas among them: ``code, name, tier, region_code, county_code``
    council_codes: set[str]  # every council the register holds, in force or not


def on_boundaries(store, boundaries: int) -> Areas:
    """The :class:`Areas` of financial year ``boundaries``, built once per store: splits in the
    crosswalk are shared by population or dwellings (``places.crosswalk.DRIVERS``). Errors: the
    crosswalk's :class:`PlaceError` when a split has no driver."""
    def build(s) -> Areas:
        places = s.places()
        walk = crosswalk(places, boundaries, s.observations(list(DRIVERS)))
        councils = places[in_force(places, boundaries) & places["tier"].isin(COUNCIL_TIERS)]
        areas = councils[councils["tier"].isin(BILLING_TIERS)][["code", "name", "tier", "region_code", "county_code"]]
        return Areas(places, walk, councils, areas.reset_index(drop=True),
                     set(places.loc[places["tier"].isin(COUNCIL_TIERS), "code"]))

    return store.memo(("areas.on_boundaries", boundaries), build)
