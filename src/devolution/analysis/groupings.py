"""Groups of places for comparisons: region, type of area, North / Midlands / South / London,
deprivation (IMD 2019 or 2025) deciles or quintiles, children-in-care rate bands, a user's list.

Every grouping labels the same areas (the billing-tier places in force in the boundary year, each
carrying its share of its county), so the groups always add up to England.

- Deprivation: areas ranked by IMD average score (the score behind the published "rank of average
  score", 1 = most deprived), then cut into groups of equal population (population-weighted
  deciles or quintiles). IMD 2019 is on 2019 districts: an area made from several is given the
  dwellings-weighted mean of their scores. IMD 2025 is on 2024 districts (= 2023 boundaries).
- Children in care: DfE rate per 10,000 children (31 March) of the upper-tier council (a district
  takes its county's rate), latest year held, in population-weighted quintiles.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from devolution.analysis.areas import on_boundaries
from devolution.errors import DevolutionError, PlaceError
from devolution.places.crosswalk import to_boundaries
from devolution.places.tiers import TIER_LABELS

NORTH = {"North East", "North West", "Yorkshire and The Humber"}
MIDLANDS = {"East Midlands", "West Midlands"}
SOUTH = {"East of England", "East", "South East", "South West"}

IMD = {"imd2019": ("imd2019_average_score", 2019), "imd2025": ("imd2025_average_score", 2025)}
GROUPINGS = ("england", "region", "type", "nmsl", "deprivation", "imd2019_quintile", "imd2019_decile",
             "imd2025_quintile", "imd2025_decile", "cla_band", "places")
AREA_TYPES = {**TIER_LABELS, "shire_district": "Two-tier area (shire district + county)"}


def assign(by: str, areas: pd.DataFrame, weights: pd.Series, store, boundaries: int,
           selected: list[str] | None = None) -> tuple[pd.Series, list[str]]:
    """Each area's group label (a Series on ``areas.code``) and the groups in display order.

    ``weights``: population by area code, for population-weighted groups; ``boundaries``: the
    financial year whose councils ``areas`` are (``analysis.areas.on_boundaries``).
    """
    names = on_boundaries(store, boundaries).places.set_index("code")["name"]
    region = areas["region_code"].map(names).fillna("Unknown region")
    codes = areas["code"]
    if by == "england":
        return pd.Series("England", index=codes.values), ["England"]
    if by == "region":
        labels = pd.Series(region.values, index=codes.values)
        return labels, sorted(labels.unique())
    if by == "type":
        labels = pd.Series(areas["tier"].map(AREA_TYPES).values, index=codes.values)
        return labels, [AREA_TYPES[t] for t in AREA_TYPES if AREA_TYPES[t] in set(labels)]
    if by == "nmsl":
        part = np.select([region.isin(NORTH), region.isin(MIDLANDS), region == "London", region.isin(SOUTH)],
                         ["North", "Midlands", "London", "South"], "Unknown region")
        return pd.Series(part, index=codes.values), ["North", "Midlands", "South", "London"]
    if by == "places":
        if not selected:
            raise DevolutionError("by=places (--by places) needs places=CODE,CODE,... (--places): GSS codes or names of "
                                  "councils of the boundary year")
        unknown = sorted(set(selected) - set(codes))
        if unknown:
            raise PlaceError(f"places (--places): {', '.join(unknown[:5])} not among the billing-tier areas of the "
                             f"boundary year (give district, unitary, metropolitan or London borough codes)")
        labels = pd.Series(np.where(codes.isin(selected), "Selected places", "Rest of England"), index=codes.values)
        return labels, ["Selected places", "Rest of England"]
    if by == "deprivation":
        by = "imd2019_quintile"
    if by.startswith("imd"):
        edition, size = by.split("_")
        score = _imd_score(edition, store, boundaries).reindex(areas["code"].values)
        n = 10 if size == "decile" else 5
        return _weighted_groups(score, weights.reindex(codes.values), n, size.capitalize(),
                                ("most deprived", "least deprived"), descending=True)
    if by == "cla_band":
        rate = _cla_rate(areas, store)
        return _weighted_groups(rate, weights.reindex(codes.values), 5, "Quintile",
                                ("most children in care", "fewest children in care"), descending=True)
    raise DevolutionError(f"unknown grouping --by {by!r}; expected one of {', '.join(GROUPINGS)}")


def _weighted_groups(score: pd.Series, weight: pd.Series, n: int, word: str, ends: tuple[str, str],
                     descending: bool) -> tuple[pd.Series, list[str]]:
    """Cut areas ordered by ``score`` into ``n`` groups of (near) equal total weight."""
    labels = [f"{word} {i}" + (f" ({ends[0]})" if i == 1 else f" ({ends[1]})" if i == n else "")
              for i in range(1, n + 1)]
    known = score.dropna().sort_values(ascending=not descending, kind="mergesort")
    w = weight.reindex(known.index).fillna(0.0).to_numpy()
    midpoint = (np.cumsum(w) - w / 2) / w.sum()
    group = np.minimum((midpoint * n).astype(int), n - 1)
    out = pd.Series("No figure", index=score.index, dtype=object)
    out.loc[known.index] = [labels[g] for g in group]
    order = labels + (["No figure"] if (out == "No figure").any() else [])
    return out, order


def _imd_score(edition: str, store, boundaries: int) -> pd.Series:
    """The dwellings-weighted mean IMD average score of each council of ``boundaries`` (by code),
    built once per store (``Store.memo``)."""
    return store.memo(("groupings.imd_score", edition, boundaries), lambda s: _imd_mean(edition, s, boundaries))


def _imd_mean(edition: str, store, boundaries: int) -> pd.Series:
    measure, year = IMD[edition]
    scores = store.observations(measure)[["code", "year", "value"]]
    if scores.empty:
        raise DevolutionError(f"{measure} is not in the store: load the IMD {year} files")
    weight = (store.observations("dwellings_total").sort_values("year").groupby("code")["value"].last())
    scores = scores.assign(w=scores["code"].map(weight).fillna(1.0))
    walk = on_boundaries(store, boundaries).walk
    try:
        num = to_boundaries(scores.assign(value=scores["value"] * scores["w"])[["code", "year", "value"]], walk)
        den = to_boundaries(scores.assign(value=scores["w"])[["code", "year", "value"]], walk)
    except PlaceError as exc:
        raise DevolutionError(f"IMD {year} is on later district boundaries than the boundary year: "
                              f"use --boundaries 2023 or later ({exc})") from None
    return num.set_index("code")["value"] / den.set_index("code")["value"]


def _cla_rate(areas: pd.DataFrame, store) -> pd.Series:
    rows = store.observations("cla_31_march_rate_per_10k")
    if rows.empty:
        raise DevolutionError("cla_31_march_rate_per_10k is not in the store: load the DfE children looked after file")
    latest = rows[rows["year"] == rows["year"].max()].set_index("code")["value"]
    own = areas["code"].map(latest)
    county = areas["county_code"].map(latest)
    return pd.Series(own.fillna(county).values, index=areas["code"].values)
