"""The shape of devolution over time: every deal in order, counts by year, and the share of
England's population living in a strategic authority with a mayor, year by year.

Coverage is measured on 30 June of each calendar year, the reference day of ONS's mid-year
population estimates: an authority counts as mayoral from its first mayoral election
(``mayors.yaml``) while it exists; its area is its members that day (a county through its
districts). Population is the ONS mid-year estimate for that year, or the latest year held before
it (``population_year`` says which). A council that only changed code is found under its old code.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from devolution.errors import DevolutionError
from devolution.powers import deals as deals_module
from devolution.powers import mayors as mayors_module
from devolution.powers.authorities import Authorities

ENGLAND = "E92000001"
REFERENCE_DAY = (6, 30)   # 30 June: ONS mid-year estimates

EVENT_COLUMNS = ["date", "year", "area", "deal", "kind", "mayor", "status", "in_force", "ended", "why_ended"]
YEAR_COLUMNS = ["year", "deals_agreed", "mayoral_deals_agreed", "abandoned", "orders_and_statutes",
                "strategic_authorities", "mayoral_authorities", "population_mayoral", "population_any",
                "population_england", "share_mayoral", "share_any", "population_year"]


def events(first_year: int | None = None) -> pd.DataFrame:
    """Every entry in the order agreed: date, area, name, kind, mayor, status, in force, ended and why."""
    rows = [{"date": d.agreed_label, "year": d.agreed.year, "area": d.area, "deal": d.name, "kind": d.kind,
             "mayor": d.mayor, "status": d.status,
             "in_force": d.in_force.isoformat() if d.in_force else "",
             "ended": d.ended_label, "why_ended": d.ended_reason}
            for d in deals_module.deals() if first_year is None or d.agreed.year >= first_year]
    return pd.DataFrame(rows, columns=EVENT_COLUMNS)


def counts(years: list[int]) -> pd.DataFrame:
    """Per calendar year: deals agreed (all agreement kinds), of which with a mayor or directly
    elected leader, deals abandoned that year, and orders, statutes and transfers made."""
    all_deals = deals_module.deals()
    rows = []
    for year in years:
        agreed = [d for d in all_deals if d.agreed.year == year and d.is_deal]
        rows.append({"year": year, "deals_agreed": len(agreed),
                     "mayoral_deals_agreed": sum(d.mayor for d in agreed),
                     "abandoned": sum(1 for d in all_deals if d.status == "abandoned" and d.ended
                                      and d.ended.year == year),
                     "orders_and_statutes": sum(1 for d in all_deals if not d.is_deal and d.agreed.year == year)})
    return pd.DataFrame(rows)


def coverage(register: Authorities, population: pd.DataFrame, years: list[int]) -> pd.DataFrame:
    """Per calendar year, on 30 June: authorities in existence, those with a mayor, and the
    population living in them (any / mayoral) against England's. ``population``: long
    ``code, year, value`` (ONS mid-year estimates)."""
    held_years = sorted(int(y) for y in population["year"].unique())
    if not held_years:
        raise DevolutionError("no population in the store: load the ONS mid-year estimates (`devo data load`)")
    values = population.pivot_table(index="code", columns="year", values="value", aggfunc="first")
    rows = []
    for year in years:
        on = dt.date(year, *REFERENCE_DAY)
        usable = [y for y in held_years if y <= year]
        if not usable:
            rows.append({"year": year})
            continue
        pop_year = usable[-1]
        column = values[pop_year]
        alive = register.in_force(on)["code"].tolist()
        mayoral = [c for c in alive if (mayors_module.first_election(c) or dt.date.max) <= on]
        rows.append({
            "year": year, "strategic_authorities": len(alive), "mayoral_authorities": len(mayoral),
            "population_mayoral": _population(register, column, mayoral, on),
            "population_any": _population(register, column, alive, on),
            "population_england": float(column.get(ENGLAND, np.nan)),
            "population_year": pop_year})
    frame = pd.DataFrame(rows)
    frame["share_mayoral"] = frame["population_mayoral"] / frame["population_england"]
    frame["share_any"] = frame["population_any"] / frame["population_england"]
    return frame


def _population(register: Authorities, column: pd.Series, authorities: list[str], on: dt.date) -> float:
    """Residents of the authorities' areas (each council counted once), from one year's estimates."""
    codes = sorted({c for a in authorities for c in register.area_on(a, on)})
    total = 0.0
    for code in codes:
        value = column.get(code, np.nan)
        if np.isnan(value):
            value = column.get(_former_code(register, code), np.nan)
        if np.isnan(value):
            raise DevolutionError(f"no population for {code} in the mid-year estimates for {column.name}")
        total += float(value)
    return total


def _former_code(register: Authorities, code: str) -> str:
    """The code a council had before it only changed code (same name), or the code itself."""
    places = register.places
    former = places[(places["replaced_by"] == code)
                    & (places["name"] == places.set_index("code")["name"].get(code))]
    return str(former["code"].iloc[0]) if len(former) else code


def by_year(register: Authorities, population: pd.DataFrame, first: int = 2014, last: int | None = None) -> pd.DataFrame:
    """Counts and coverage for each calendar year from ``first`` to ``last`` (the latest year
    with an entry, if not given)."""
    last = last or max(d.agreed.year for d in deals_module.deals())
    if last < first:
        raise DevolutionError(f"the timeline runs from {first}; {last} is earlier")
    years = list(range(first, last + 1))
    frame = counts(years).merge(coverage(register, population, years), on="year", how="left")
    return frame[YEAR_COLUMNS]
