"""Which councils a per-council publication lacks: the completeness of a file against the register.

A publication of figures by council (council tax levels, outturn, population...) should hold every
council of the tiers it covers that was in force in each of its years. A council it lacks is
either a gap in the official file (North Warwickshire is not in the RSX outturn for 2022-23) or a
cut or damaged copy (every Maidstone row removed): either way the user must be told, since every
figure made from it for that council is missing. Over a store that already holds the publication
a lost council is refused (``store.refusals.lost_places``); on a first load there is nothing to
compare with, so the load reports these gaps and ``devo data gaps`` lists them.
"""

from __future__ import annotations

import pandas as pd

from devolution.places.register import in_force, successor_links
from devolution.places.tiers import COUNCIL_TIERS

# Councils (COUNCIL_TIERS) are expected in every per-council file of their tier; strategic authorities,
# regions and England are covered selectively (a combined authority without a precept is in no council
# tax table).

GAP_COLUMNS = ["publication", "year", "code", "name", "tier"]


def gaps(places: pd.DataFrame, held: pd.DataFrame) -> pd.DataFrame:
    """Councils in force in a year a publication covers, of a tier it covers that year, with no row
    for that year in it or, on later boundaries, for the council that replaced it.

    ``places``: the register (code, name, tier, start_date, end_date, status). ``held``: the
    distinct (publication, code, year) the publication gives, ``year`` the financial year's first
    calendar year (2023 is 2023-24). A council counts as expected only where the publication holds
    it in another year or it is still in force in the publication's latest year: a series published
    on one year's boundaries (ONS population on 2023 boundaries) does not list councils abolished
    before it, and that is how it is published, not a gap.

    Returns one row per (publication, year, council) in ``GAP_COLUMNS``, sorted.
    """
    if held.empty:
        return pd.DataFrame(columns=GAP_COLUMNS)
    held = held[["publication", "code", "year"]].drop_duplicates().astype({"year": "int64"})
    councils = places[places["tier"].isin(COUNCIL_TIERS)]
    tiers = councils[["code", "name", "tier"]]
    covered = held.merge(tiers, on="code")[["publication", "year", "tier"]].drop_duplicates()
    years = sorted(held["year"].unique())
    alive = pd.concat([councils.loc[in_force(councils, int(y)), ["code", "name", "tier"]].assign(year=int(y))
                       for y in years], ignore_index=True)
    expected = covered.merge(alive, on=["year", "tier"])
    ever = held[["publication", "code"]].drop_duplicates().assign(ever=True)
    last = held.groupby("publication", as_index=False)["year"].max()
    current = last.merge(alive, on="year")[["publication", "code"]].assign(current=True)
    expected = (expected.merge(ever, on=["publication", "code"], how="left")
                .merge(current, on=["publication", "code"], how="left"))
    expected = expected[expected["ever"].notna() | expected["current"].notna()]
    missing = expected.merge(held, on=["publication", "code", "year"], how="left", indicator=True)
    missing = missing[missing["_merge"] == "left_only"].drop(columns="_merge")
    # Held on later boundaries: the council's successor has the year (ONS's mid-2018 estimates
    # give Bournemouth, Christchurch and Poole, not Bournemouth, on the boundaries of April 2019).
    later = (missing.merge(successor_links(places), on="code")
             .merge(held.rename(columns={"code": "successor"}), on=["publication", "successor", "year"]))
    missing = missing[~missing.set_index(["publication", "year", "code"]).index.isin(
        later.set_index(["publication", "year", "code"]).index)]
    return missing[GAP_COLUMNS].sort_values(["publication", "year", "code"]).reset_index(drop=True)
