"""A proposal's spending by service: the districts' own, plus the county's shared out by a driver
per service, per head; and the existing unitaries of similar population to compare with.

Net current expenditure by service (MHCLG Revenue Outturn, RS / RSX) is published per council.
A new unitary takes, on its area, its member districts' own spending (whole) and the county's
services. What the county spent on each part of its area is not published, so it is shared out by
a **driver** per service (``rules.apportionment``), each a knob:

============================  ===================================================================
service                       default driver
============================  ===================================================================
adult social care             people aged 65 and over (ONS mid-year estimates)
children's social care        children aged 0-17 (ONS); children looked after (DfE) where the
                              parts are counted (never for a county split: the county counts them)
education                     children aged 0-17
highways and transport        land area (km²) standing in for road length, which is not in the data
every other service           residents
============================  ===================================================================

Each driver is read in the year nearest the spending year whose places tile each part of each
county (:mod:`.areas`), and that year is shown.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from devolution.analysis.per_head import per_unit, year_used
from devolution.analysis.reorganisation import areas
from devolution.analysis.reorganisation.inputs import FIRST_PUBLISHED, TOTAL_SPENDING
from devolution.analysis.reorganisation.proposal import Checked, ProposalProblems
from devolution.errors import DevolutionError
from devolution.places.register import in_force
from devolution.places.tiers import BILLING_TIERS
from devolution.rules.apportionment import apportion, shares
from devolution.years import year_label, year_spans


@dataclass(frozen=True)
class Driver:
    measures: tuple[str, ...]   # tried in order: the first whose places cover every part
    tiers: tuple[str, ...]
    label: str


DRIVERS = {
    "population": Driver(("population", FIRST_PUBLISHED), BILLING_TIERS,
                         "residents (ONS mid-year estimates; as first published where the rebased series, on 2023 "
                         "boundaries, cannot separate a part)"),
    "population_65_plus": Driver(("population_65_plus",), BILLING_TIERS, "people aged 65 and over (ONS mid-year estimates)"),
    "population_0_17": Driver(("population_0_17",), BILLING_TIERS, "children aged 0-17 (ONS mid-year estimates)"),
    "dwellings": Driver(("dwellings_total",), BILLING_TIERS, "dwellings on the council tax valuation list (MHCLG)"),
    "tax_base": Driver(("tax_base",), BILLING_TIERS, "council tax base, Band D equivalents (MHCLG)"),
    "area": Driver(("area_km2",), BILLING_TIERS, "land area, km² (ONS boundaries, May 2024), standing in for road length"),
    "children_looked_after": Driver(("cla_31_march",), areas.UPPER_TIERS, "children looked after on 31 March (DfE)"),
}
#: The driver of each service unless the proposal or the caller names another (``population`` else).
DEFAULT_DRIVERS = {"adult_social_care": "population_65_plus", "childrens_social_care": "population_0_17",
                   "education": "population_0_17", "highways_transport": "area"}
#: Existing unitaries compared with each new council (closest in population).
COMPARATORS = 5
TOTAL = TOTAL_SPENDING


@dataclass
class Spending:
    year: int
    by_service: pd.DataFrame     # council, service: own, county, total, per_head, driver, driver_year
    apportionment: pd.DataFrame  # county, council, service: driver, driver_year, share, amount, county_total
    comparators: pd.DataFrame    # council, comparator, service: per_head
    notes: list[str] = field(default_factory=list)


def service_name(measure: str) -> str:
    return measure.removeprefix("nce_")


def drivers_for(services: tuple[str, ...], chosen: dict[str, str]) -> dict[str, str]:
    """The driver of every service (``nce_*`` measures): ``chosen`` (by service name without the
    ``nce_`` prefix) over the defaults."""
    names = [service_name(s) for s in services]
    unknown = [k for k in chosen if k not in names]
    if unknown:
        raise DevolutionError(f"unknown service {unknown[0]!r} for a driver (expected one of {', '.join(names)})")
    bad = [v for v in chosen.values() if v not in DRIVERS]
    if bad:
        raise DevolutionError(f"unknown driver {bad[0]!r} (expected one of {', '.join(DRIVERS)})")
    return {s: chosen.get(service_name(s), DEFAULT_DRIVERS.get(service_name(s), "population")) for s in services}


def compute(checked: Checked, inputs, year: int | None = None, chosen: dict[str, str] | None = None) -> Spending:
    """Spending by service on each new council's area in outturn ``year`` (if None, the latest
    held before the first year). A new council one of whose members did not report that year has
    no own spending or total (blank, said in the notes); the county's share is shown all the same."""
    drivers = drivers_for(inputs.services, chosen if chosen is not None else checked.proposal.spending.drivers)
    groups = areas.groups_of(checked.members.rename(columns={"council_name": "group"}), inputs.atoms)
    billing = set(areas.codes_of_tiers(inputs.places, BILLING_TIERS))
    reported_total = inputs.measure(TOTAL)
    given = year
    year = _spending_year(reported_total, year, checked.first_year, groups, inputs.atoms, billing)
    in_year = inputs.observations[(inputs.observations["year"] == year)
                                  & inputs.observations["measure"].isin(inputs.services)]
    wide = in_year.pivot_table(index="code", columns="measure", values="value").reindex(columns=list(inputs.services))
    reported = wide.index[wide.notna().any(axis=1)]
    tiles, untiled = areas.tiling(groups, inputs.atoms, [c for c in reported if c in billing])
    own = tiles.merge(wide, left_on="code", right_index=True).groupby("group")[list(inputs.services)].sum()
    counties = _counties(inputs, groups, year)
    notes = []
    if untiled:
        absent = _not_reported(checked, inputs, groups, untiled, set(reported), year)
        notes.append(f"Spending {year_label(year)}: {absent} did not report (MHCLG Revenue Outturn), so the own spending "
                     f"of {', '.join(sorted(map(str, untiled)))} is not known that year and its totals are left blank; "
                     f"the county's share is still shown.")
    silent = [c for c in counties if c not in set(reported)]
    if silent:
        raise DevolutionError(f"spending {year_label(year)}: {', '.join(silent)} (the county) did not report; "
                              f"choose another year")
    if given is None:
        notes += _older_year_note(checked, inputs, groups, reported_total, billing, year)
    apportioned, driver_notes = _apportion(groups, inputs, counties, wide, drivers, year, checked.source)
    notes += driver_notes
    names = checked.names
    county_part = (apportioned.groupby(["council", "service"])["amount"].sum().unstack("service")
                   .reindex(index=names, columns=[service_name(s) for s in inputs.services]).fillna(0.0))
    county_part.columns = list(inputs.services)
    own = own.reindex(index=names, columns=list(inputs.services))
    people, people_year = _population(inputs, groups, year)
    rows = []
    for s in inputs.services:
        total = own[s].to_numpy() + county_part[s].to_numpy()
        rows.append(pd.DataFrame({"council": names, "service": service_name(s), "own": own[s].to_numpy(),
                                  "county": county_part[s].to_numpy(), "total": total,
                                  "per_head": per_unit(total, people.reindex(names).to_numpy()),
                                  "driver": drivers[s] if counties else "", "year_label": year_label(year)}))
    by_service = pd.concat(rows, ignore_index=True)
    all_services = (by_service.groupby("council", sort=False)[["own", "county", "total"]]
                    .agg(lambda column: column.sum(skipna=False)).reindex(names))
    by_service = pd.concat([by_service, all_services.reset_index().assign(
        service="all services", per_head=per_unit(all_services["total"], people.reindex(names)),
        driver="", year_label=year_label(year))], ignore_index=True)
    if people_year != year:
        notes.append(f"Per head: {year_label(year)} spending over the mid-{people_year} population (the nearest held).")
    notes.insert(0, f"Spending: net current expenditure by service, {year_label(year)} (MHCLG Revenue Outturn), cash; "
                    f"each member's own spending whole" + (", the county's shared out by the drivers shown."
                                                           if counties else "; no county in that year's figures."))
    comparators = _comparators(checked, inputs, groups, wide, people, year, people_year)
    return Spending(year=year, by_service=by_service, apportionment=apportioned, comparators=comparators, notes=notes)


def _spending_year(reported: pd.DataFrame, year: int | None, first_year: int, groups: pd.DataFrame,
                   atoms_of: pd.DataFrame, billing: set) -> int:
    """``year`` if outturn is held for it; else the latest held before the first year in which the
    councils that reported cover every new council, or failing that the latest held before the
    first year (or the latest held)."""
    held = sorted({int(y) for y in reported["year"]})
    if year is not None:
        if year not in held:
            raise DevolutionError(f"spending: no outturn for {year_label(year)}; held: {year_spans(held)}")
        return year
    candidates = ([y for y in held if y < first_year] or held)[::-1]
    for y in candidates:
        codes = reported.loc[(reported["year"] == y) & reported["code"].isin(billing), "code"]
        if not areas.tiling(groups, atoms_of, codes)[1]:
            return y
    return candidates[0]


def _older_year_note(checked, inputs, groups, reported: pd.DataFrame, billing: set, year: int) -> list[str]:
    """Why the spending year is older than the latest held before the first year (a member's
    return missing from every later year), or nothing."""
    later = sorted({int(y) for y in reported["year"] if year < y < checked.first_year})
    if not later:
        return []
    latest = later[-1]
    codes = set(reported.loc[reported["year"] == latest, "code"])
    _, untiled = areas.tiling(groups, inputs.atoms, [c for c in codes if c in billing])
    absent = _not_reported(checked, inputs, groups, untiled, codes, latest)
    return [f"Spending year {year_label(year)}, not a later one: in {year_label(latest)} (the latest held) "
            f"{absent} did not report (MHCLG Revenue Outturn), and no year after {year_label(year)} covers every new "
            f"council; --spending-year (spending.year) chooses another."]


def _counties(inputs, groups: pd.DataFrame, year: int) -> list[str]:
    """The counties in being in ``year`` whose area is part of the proposal's."""
    places = inputs.places
    counties = places.loc[(places["tier"] == "county") & in_force(places, year), "code"]
    touching = inputs.atoms[inputs.atoms["code"].isin(set(counties)) & inputs.atoms["atom"].isin(set(groups["atom"]))]
    return sorted(set(touching["code"]))


def _not_reported(checked, inputs, groups, untiled, reported: set, year: int) -> str:
    """The councils in being in ``year`` inside the untiled new councils that did not report."""
    places = inputs.places
    alive = places[in_force(places, year) & places["tier"].isin(BILLING_TIERS)]
    inside = inputs.atoms[inputs.atoms["code"].isin(set(alive["code"]))
                          & inputs.atoms["atom"].isin(set(groups.loc[groups["group"].isin(untiled), "atom"]))]
    silent = sorted(set(inside["code"]) - reported)
    names = places.set_index("code")["name"]
    return ", ".join(f"{names.get(c, c)} ({c})" for c in silent) or "a member"


def _pieces(groups: pd.DataFrame, atoms_of: pd.DataFrame, counties: list[str]) -> pd.DataFrame:
    """``group`` = (council, county) for each part of a county going to one new council, by atom."""
    county_atoms = atoms_of[atoms_of["code"].isin(counties)].rename(columns={"code": "county"})
    parts = groups.merge(county_atoms, on="atom")
    parts["group"] = list(zip(parts["group"], parts["county"]))
    return parts[["group", "atom"]]


def _apportion(groups, inputs, counties, wide, drivers, year, source: str) -> tuple[pd.DataFrame, list[str]]:
    columns = ["county", "county_name", "council", "service", "driver", "driver_year", "driver_value", "share",
               "amount", "county_total"]
    if not counties:
        return pd.DataFrame(columns=columns), []
    pieces = _pieces(groups, inputs.atoms, counties)
    keys = sorted(set(pieces["group"]))
    county_index = {c: i for i, c in enumerate(counties)}
    index = np.array([county_index[k[1]] for k in keys])
    names = inputs.places.set_index("code")["name"]
    notes = []
    values_by_driver: dict[str, tuple[pd.Series, int]] = {}
    for driver in sorted(set(drivers.values())):
        found, problems = _measure_driver(driver, drivers, inputs, pieces, year)
        if problems:
            raise ProposalProblems(source, problems)
        values_by_driver[driver], measure = found
        if measure != DRIVERS[driver].measures[0]:
            notes.append(f"Driver {driver}: {DRIVERS[driver].measures[0]} cannot separate every part of the county, "
                         f"so {measure} is used.")
    services = list(drivers)
    matrix = np.column_stack([values_by_driver[drivers[s]][0].reindex(keys).to_numpy() for s in services])
    totals = np.nan_to_num(wide.reindex(index=counties, columns=services).to_numpy())
    amount = apportion(totals, matrix, index)          # pieces x services
    n_pieces, n_services = matrix.shape
    table = pd.DataFrame({
        "county": np.repeat([k[1] for k in keys], n_services),
        "county_name": np.repeat([names.get(k[1]) for k in keys], n_services),
        "council": np.repeat([k[0] for k in keys], n_services),
        "service": np.tile([service_name(s) for s in services], n_pieces),
        "driver": np.tile([drivers[s] for s in services], n_pieces),
        "driver_year": np.tile([values_by_driver[drivers[s]][1] for s in services], n_pieces),
        "driver_value": matrix.ravel(), "share": shares(matrix, index, len(counties)).ravel(),
        "amount": amount.ravel(), "county_total": totals[index].ravel()})
    for driver, (_, driver_year) in values_by_driver.items():
        if driver_year != year:
            notes.append(f"Driver {driver} ({DRIVERS[driver].label}) is read in {driver_year}, the year nearest "
                         f"{year_label(year)} that covers every part of the county.")
    return table[columns], notes


def _measure_driver(driver: str, drivers: dict[str, str], inputs, pieces: pd.DataFrame, year: int | None):
    """A driver's values on the county's parts (``pieces``) from the first of its measures whose
    places tile them, ``((values, year), measure)``, and no problems; or None and one problem per
    service it drives (``spending.drivers.SERVICE``), naming the parts no year separates (new council
    and county by name) and the other drivers to choose."""
    spec = DRIVERS[driver]
    codes = areas.codes_of_tiers(inputs.places, spec.tiers)
    names = inputs.places.set_index("code")["name"]
    problem = None
    for measure in spec.measures:
        try:
            return (areas.for_year(inputs.observations, measure, pieces, inputs.atoms, codes, near=year,
                                   what=f"driver {driver} ({spec.label})",
                                   name=lambda part: f"{part[0]} in {names.get(part[1], part[1])}"), measure), []
        except DevolutionError as exc:
            problem = problem or exc
    others = ", ".join(d for d in DRIVERS if d != driver)
    said = f"{problem}: the part of each county going to each new council cannot be measured by it; choose another " \
           f"driver ({others})"
    return None, [(f"spending.drivers.{service_name(service)}", said) for service, d in drivers.items() if d == driver]


def driver_problems(inputs, raw: dict, members: pd.DataFrame, first_year: int | None) -> list[tuple[str, str]]:
    """The drivers a proposal names (``spending.drivers``) that cannot measure the parts of its
    counties going to each new council (a check of ``proposal.check``, run whatever else is wrong with
    the file; each part as the members found give it)."""
    spend = raw.get("spending") if isinstance(raw.get("spending"), dict) else {}
    given = spend.get("drivers") if isinstance(spend.get("drivers"), dict) else {}
    given = {service: driver for service, driver in given.items() if driver in DRIVERS
             and f"nce_{service}" in set(inputs.services)}
    counties = sorted(set(members.loc[members["tier"] == "shire_district", "county_code"].dropna()))
    if not given or not counties:
        return []
    groups = areas.groups_of(members.rename(columns={"council_name": "group"}), inputs.atoms)
    pieces = _pieces(groups, inputs.atoms, counties)
    return [problem for driver in sorted(set(given.values()))
            for problem in _measure_driver(driver, given, inputs, pieces, None)[1]]


def _population(inputs, groups: pd.DataFrame, year: int) -> tuple[pd.Series, int]:
    rows = inputs.measure("population")
    held = sorted({int(y) for y in rows["year"]})
    used = year_used(held, year, "population")
    values, _ = areas.for_year(rows[rows["year"] == used], "population", groups, inputs.atoms,
                               areas.codes_of_tiers(inputs.places, BILLING_TIERS))
    return values, used


def _comparators(checked: Checked, inputs, groups: pd.DataFrame, wide: pd.DataFrame, people: pd.Series,
                 year: int, people_year: int) -> pd.DataFrame:
    """For each new council, the existing unitaries (in being in the spending year, reporting,
    none overlapping the proposal) closest to it in population, with their spending per head."""
    places = inputs.places
    population = inputs.measure("population")
    population = population[population["year"] == people_year].set_index("code")["value"]
    overlapping = set(inputs.atoms.loc[inputs.atoms["atom"].isin(set(groups["atom"])), "code"])
    reported = set(wide.index[wide.notna().any(axis=1)])
    unitaries = places[(places["tier"] == "unitary") & in_force(places, year) & ~places["code"].isin(overlapping)
                       & places["code"].isin(reported) & places["code"].isin(population.index)]
    sizes = population.reindex(unitaries["code"]).to_numpy()
    rows = []
    for name in checked.names:  # a few new councils; the distance is vectorised over the unitaries
        distance = np.abs(np.log(sizes) - np.log(people[name]))
        nearest = unitaries.iloc[np.argsort(distance)[:COMPARATORS]]
        spend = wide.reindex(nearest["code"])
        for s in inputs.services:
            rows.append(pd.DataFrame({"council": name, "comparator_code": nearest["code"].to_numpy(),
                                      "comparator": nearest["name"].to_numpy(),
                                      "population": population.reindex(nearest["code"]).to_numpy(),
                                      "service": service_name(s),
                                      "per_head": per_unit(spend[s].to_numpy(),
                                                           population.reindex(nearest["code"]).to_numpy())}))
    return pd.concat(rows, ignore_index=True) if rows else pd.DataFrame()
