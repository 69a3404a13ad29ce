"""A proposed council's area in any year's figures, whatever the boundaries of that year.

Official figures come on the boundaries of their year: council tax of 2022-23 for Allerdale,
Carlisle and Copeland, population of mid-2023 for Cumberland, dwellings of 2022 for the districts of
Warwickshire. A proposed council is a set of councils of one day; to read a figure of another year
for it, its area is written in **atoms**: the billing councils that were never made from others in
the register (Allerdale is an atom; Cumberland's atoms are Allerdale, Carlisle and Copeland; a county's
atoms are those of every district it ever had). A year's places **tile** an area when each of them
lies wholly inside it or wholly outside, and together they cover it: the area's figure is then the
sum of theirs, exactly, with no share-out by estimate. Where a year's places do not tile an area (a
figure held only for a larger place), that year cannot give its figure, and the caller says so.

Functions take the register (``places``) and return DataFrames; no I/O.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from devolution.errors import DevolutionError
from devolution.places.register import successor_links
from devolution.places.tiers import BILLING_TIERS
from devolution.rules.referendum import ASC_TIERS
from devolution.years import year_label

#: Councils with children's services and adult social care (figures such as children looked after
#: are held for these only): the social care authorities of ``rules.referendum``.
UPPER_TIERS = ASC_TIERS


def atoms(places: pd.DataFrame) -> pd.DataFrame:
    """``code, atom`` for every billing council (current or former, former codes included) and
    every county: the atoms its area is made of (see the module's note)."""
    billing = places[places["tier"].isin(BILLING_TIERS)]
    edges = successor_links(billing)
    edges = edges[edges["successor"].isin(set(billing["code"]))]
    made = set(edges["successor"])
    found = pd.DataFrame({"code": sorted(set(billing["code"]) - made)})
    found["atom"] = found["code"]
    pending = edges
    while len(pending):  # one round per generation of mergers (a few at most)
        ready = pending[~pending["code"].isin(set(pending["successor"]))]
        if ready.empty:
            raise DevolutionError("the register's replaced_by links of billing councils form a loop")
        step = ready.merge(found, on="code")[["successor", "atom"]].rename(columns={"successor": "code"})
        found = pd.concat([found, step], ignore_index=True)
        pending = pending[~pending.index.isin(ready.index)]
    found = found.drop_duplicates()
    counties = billing.loc[billing["county_code"].notna(), ["code", "county_code"]].merge(found, on="code")
    counties = counties[["county_code", "atom"]].rename(columns={"county_code": "code"}).drop_duplicates()
    return pd.concat([found, counties], ignore_index=True).sort_values(["code", "atom"]).reset_index(drop=True)


def groups_of(members: pd.DataFrame, atoms_of: pd.DataFrame, key: str = "group") -> pd.DataFrame:
    """``group, atom`` for groups of members (``members``: ``key, code``)."""
    out = members[[key, "code"]].merge(atoms_of, on="code")[[key, "atom"]].drop_duplicates()
    return out.rename(columns={key: "group"}).reset_index(drop=True)


def tiling(groups: pd.DataFrame, atoms_of: pd.DataFrame, codes) -> tuple[pd.DataFrame, set]:
    """Which of ``codes`` tile each group: ``group, code`` for the groups tiled exactly, and the set
    of groups they do not tile (a code lying partly inside, or an atom left uncovered)."""
    held = atoms_of[atoms_of["code"].isin(set(codes))]
    size = held.groupby("code")["atom"].size().rename("size")
    inside = held.merge(groups, on="atom").groupby(["group", "code"]).size().rename("inside").reset_index()
    inside = inside.merge(size, left_on="code", right_index=True)
    whole = inside[inside["inside"] == inside["size"]]
    partial = set(inside.loc[inside["inside"] < inside["size"], "group"])
    covered = whole.groupby("group")["size"].sum()
    needed = groups.groupby("group")["atom"].size()
    complete = set(needed.index[needed.reindex(needed.index).eq(covered.reindex(needed.index).fillna(0))])
    tiled = complete - partial
    # an atom counted twice (a place and its successor both held) is not a tiling either
    doubled = whole.merge(held, on="code").groupby(["group", "atom"]).size()
    tiled -= set(doubled[doubled > 1].index.get_level_values("group"))
    return whole.loc[whole["group"].isin(tiled), ["group", "code"]].reset_index(drop=True), set(needed.index) - tiled


def on_groups(values: pd.DataFrame, groups: pd.DataFrame, atoms_of: pd.DataFrame) -> tuple[pd.Series, set]:
    """The sum of ``values`` (``code, value`` of one year) over each group the codes tile, and the
    set of groups they do not tile."""
    held = values.dropna(subset=["value"])
    tiles, untiled = tiling(groups, atoms_of, held["code"])
    summed = tiles.merge(held, on="code").groupby("group")["value"].sum()
    return summed, untiled


def for_year(observations: pd.DataFrame, measure: str, groups: pd.DataFrame, atoms_of: pd.DataFrame,
             codes_allowed, near: int | None = None, what: str | None = None,
             name: Callable[[object], str] = str) -> tuple[pd.Series, int]:
    """``measure`` summed over every group, from the year nearest ``near`` (the latest if None; on a
    tie the later) in which the places holding it tile every group; and that year.

    ``observations``: long ``code, year, measure, value``; ``codes_allowed``: the places whose
    figures may be used (e.g. billing councils only, so a county's own total is not added to its
    districts'). A DevolutionError names the measure and the groups no year tiles (each as
    ``name`` gives it)."""
    rows = observations[(observations["measure"] == measure) & observations["code"].isin(set(codes_allowed))]
    years = sorted({int(y) for y in rows["year"]})
    if near is not None:
        years = sorted(years, key=lambda y: (abs(y - near), -y))
    else:
        years = years[::-1]
    wanted = set(groups["group"])
    last_missing: set = set()
    for year in years:
        summed, untiled = on_groups(rows.loc[rows["year"] == year, ["code", "value"]], groups, atoms_of)
        if not (wanted & untiled):
            return summed.reindex(sorted(wanted, key=str)), year
        if not last_missing:
            last_missing = wanted & untiled
    held = f"held for {year_label(min(years))} to {year_label(max(years))}" if years else "not held"
    raise DevolutionError(f"{what or measure}: no year's figures cover "
                          f"{', '.join(name(g) for g in sorted(last_missing, key=str)) or 'the area'} exactly "
                          f"({measure} is {held}, on each year's boundaries)")


def measures_in_year(observations: pd.DataFrame, measures, year: int, groups: pd.DataFrame,
                     atoms_of: pd.DataFrame, codes_allowed) -> pd.DataFrame:
    """Several measures of one year summed over the groups (groups x measures), tiled once by the
    places that hold every one of them that year; NaN for a group they do not tile."""
    rows = observations[observations["measure"].isin(list(measures)) & (observations["year"] == year)
                        & observations["code"].isin(set(codes_allowed))]
    wide = rows.pivot_table(index="code", columns="measure", values="value").reindex(columns=list(measures)).dropna()
    tiles, _ = tiling(groups, atoms_of, wide.index)
    summed = tiles.merge(wide, left_on="code", right_index=True).groupby("group")[list(measures)].sum()
    return summed.reindex(sorted(set(groups["group"]), key=str))


def codes_of_tiers(places: pd.DataFrame, tiers) -> np.ndarray:
    """The codes of places of the given tiers (current or not)."""
    return places.loc[places["tier"].isin(tiers), "code"].to_numpy()
