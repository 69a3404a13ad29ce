"""Per head and per unit of need: which count divides a money figure, and from which year.

Denominators (all official counts in the store):
- resident: ONS mid-year estimates (``population``), mid-2011 to mid-2023, every council.
- child (0-17): DfE's children 0-17 (``children_0_17_dfe``), upper-tier councils only.
- older (65+): ONS ``population_65_plus``, mid-2015 to mid-2023, as first published each year.
- looked-after child: DfE children looked after on 31 March (``cla_31_march``), 2020-21 to 2024-25,
  upper-tier councils only.
- pupil: not in the data (Dedicated Schools Grant and pupil numbers were not found): refused.
- band_d_equivalent: the council tax base, for Band D (a tax-base-weighted average).

A count is of the spending year: financial year Y is divided by the count held for Y (mid-Y for
ONS estimates, which falls in it). Where that is not held, the count of the nearest year within
one year is used and the notes say so (2010-11 uses mid-2011 population, the first ONS estimate
held; 2024-25 uses mid-2023). Further than one year away, the figure is refused with the years
held: a spending year is never divided by a count from a distant year.
A district's share of an upper-tier count (children, looked-after children) is its share of the
county's population.

``per_resident`` and ``per_unit`` (``rules.per_head``) are the one place a figure is divided by a
count: the map, the England overview, ``change`` and the scenarios' winners and losers all call them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from devolution.errors import DevolutionError
from devolution.rules.per_head import per_unit
from devolution.years import year_label, year_spans


#: How far (in years) the year of a count may be from the spending year it divides.
MAX_GAP = 1


@dataclass(frozen=True)
class Denominator:
    name: str
    measure: str | None
    label: str
    vintage: str = ""


DENOMINATORS = {
    "resident": Denominator("resident", "population", "per resident"),
    "child": Denominator("child", "children_0_17_dfe", "per child aged 0-17"),
    "older": Denominator("older", "population_65_plus", "per person aged 65+",
                         "People aged 65+: ONS mid-year estimates as first published each year, each on its "
                         "year's boundaries (mid-2015 to mid-2021 not rebased to the 2021 Census; mid-2022 "
                         "from the UK release, mid-2023 from the England and Wales release)."),
    "looked_after_child": Denominator("looked_after_child", "cla_31_march", "per looked-after child"),
    "pupil": Denominator("pupil", None, "per pupil"),
    "band_d_equivalent": Denominator("band_d_equivalent", "tax_base", "per Band D equivalent"),
    "total": Denominator("total", None, "total"),
}


def denominator(name: str) -> Denominator:
    """The denominator called ``name``; per pupil is refused with the reason."""
    if name not in DENOMINATORS:
        raise DevolutionError(f"unknown --per {name!r}; expected one of {', '.join(DENOMINATORS)}")
    if name == "pupil":
        raise DevolutionError("per pupil: the data has no pupil numbers or school funding per pupil "
                              "(DSG allocations were not found; see the data README); try --per child")
    return DENOMINATORS[name]


def year_used(held: list[int], year: int, what: str = "the count") -> int:
    """The year of a count used for financial year ``year``: itself, or the nearest held within
    ``MAX_GAP`` years (the later one on a tie). Further away: a DevolutionError naming the years held."""
    if not held:
        raise DevolutionError(f"no {what} held for {year_label(year)}")
    if year in held:
        return year
    nearest = min(held, key=lambda y: (abs(y - year), -y))
    if abs(nearest - year) > MAX_GAP:
        raise DevolutionError(
            f"{what} is held for {year_spans(held)} only: {year_label(year)} would be divided by a count "
            f"{abs(nearest - year)} years away ({year_label(nearest)}), so it is not shown; choose years within "
            f"{MAX_GAP} year of those held")
    return nearest


def substitution_note(d: Denominator, year: int, used: int) -> str | None:
    if year == used:
        return None
    return (f"{d.label}: {year_label(year)} uses the {d.measure} count held for {year_label(used)} "
            f"(the nearest year held; for ONS estimates, mid-{used}).")


def count_for(counts: pd.DataFrame, year: int, what: str = "the count") -> tuple[pd.Series, int]:
    """A count by place (``code -> value``) for financial year ``year`` from long ``code, year,
    value`` rows: that year's, or the nearest year held (``year_used``); and the year used."""
    used = year_used(sorted(int(y) for y in counts["year"].unique()), year, what)
    return counts[counts["year"] == used].set_index("code")["value"], used


def per_resident(values: pd.DataFrame, population: pd.DataFrame, year: int) -> tuple[pd.DataFrame, int]:
    """``values`` (``code``, ``value`` and any other columns) for financial year ``year`` per
    resident: adds ``population`` (ONS mid-year estimate of ``year``, or the nearest held, from
    long ``code, year, value`` rows) and divides ``value`` by it; places without a population are
    left out. Returns the rows and the population year used (say so with ``substitution_note``)."""
    people, used = count_for(population, year, "population")
    out = values.assign(population=values["code"].map(people))
    out = out[out["population"].notna()]
    return out.assign(value=per_unit(out["value"], out["population"])), used


def with_county(per_head: pd.DataFrame, places: pd.DataFrame) -> pd.DataFrame:
    """Per-resident figures of every area's councils together: a shire district's own figure plus
    its county's (the county's total over the county's residents, the same for each of its
    districts), so a two-tier area compares with a unitary that does both jobs. ``per_head`` has
    ``code, tier, value`` (per resident) for districts, counties and single-tier councils; county
    rows are folded into their districts and dropped. A district whose county has no figure keeps
    none (NaN), never its own part alone."""
    county_of = places.set_index("code")["county_code"]
    county_value = per_head.loc[per_head["tier"] == "county"].set_index("code")["value"]
    lower = per_head[per_head["tier"] != "county"].copy()
    district = (lower["tier"] == "shire_district").to_numpy()
    extra = lower["code"].map(county_of).map(county_value).to_numpy(dtype=np.float64)
    lower["value"] = np.where(district, lower["value"].to_numpy(dtype=np.float64) + extra, lower["value"])
    return lower
