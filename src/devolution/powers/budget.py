"""One Place, One Budget: all identifiable public spending in a place, by function and by who decides.

Two parts, so nothing is counted twice:
- council lines: Revenue Outturn net current expenditure by service (nce_*) of every council body
  covering the place: its lower-tier councils in full, a county or strategic authority by the
  population share of it that lies in the place. Levies (e.g. the transport levy a borough pays its
  combined authority) sit below total service expenditure in the RS return, so the service lines
  count that money once, where it is spent.
- central lines: HM Treasury Country and Regional Analysis, identifiable spending of central
  government and public corporations (local government rows are left out: councils are counted
  from outturn), by region, shared out to the place by a driver per sub-function (catalogue.yaml;
  the central lines are `powers.central`).
Each line is marked who decides (council / devolved / central) and its pot (ring_fenced / pooled).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from devolution.errors import DevolutionError
from devolution.places.crosswalk import LaterBoundaries, successors
from devolution.places.register import in_force, not_in_being, resolve
from devolution.places.tiers import BILLING_TIERS, SA_TIERS
from devolution.powers.authorities import Authorities
from devolution.powers.catalogue import council_services, drivers
from devolution.powers.central import central_by_region, central_lines
from devolution.years import financial_year_of, year_label

LINE_COLUMNS = ["place", "year", "source", "body", "line", "function", "power", "decided_by", "pot",
                "driver", "share", "value"]


@dataclass
class PlaceBudget:
    place: str
    name: str
    year: int
    areas: pd.DataFrame   # lower-tier councils in the place: code, name, region_code, population (NaN: held
    #                       only on later boundaries, see ``population``)
    bodies: pd.DataFrame  # council bodies counted: code, name, tier, weight
    lines: pd.DataFrame   # LINE_COLUMNS
    population: float     # residents of the place (ONS mid-year), read through later boundaries where needed
    note: str = ""        # how the place's area was made (a council made later: its predecessors' areas)
    missing: tuple[str, ...] = ()  # who decides ("council", "devolved") with no figure: every body
    #                                that would give it published no Revenue Outturn that year

    @property
    def known(self) -> bool:
        """Whether every part of the total is held (:attr:`missing` is empty)."""
        return not self.missing

    @property
    def total(self) -> float:
        return float(self.lines["value"].sum())


def common_years(store) -> list[int]:
    """Years with council outturn, CRA and population all present (2011-12..2017-18)."""
    outturn = set(store.query("SELECT DISTINCT year FROM observations WHERE measure = 'nce_total_service_expenditure'")["year"])
    cra = set(store.query("SELECT DISTINCT year FROM cra")["year"])
    people = set(store.query("SELECT DISTINCT year FROM observations WHERE measure = 'population'")["year"])
    return sorted(int(y) for y in outturn & cra & people)


def place_areas(places: pd.DataFrame, code: str, year: int, alive: pd.DataFrame | None = None,
                founders: pd.DataFrame | None = None) -> tuple[pd.DataFrame, str]:
    """The lower-tier (billing) councils in force in ``year`` that make up a place, and a note
    saying how they were found when the place itself was not in being that year (a council made
    later: the councils whose areas passed wholly to it, see :func:`predecessor_areas`). A council
    abolished before ``year`` is refused, naming what held its area. ``alive``: the places in
    force in ``year`` when already found (:attr:`BudgetYear.alive`), their ``strategic_authority_code``
    the authority they were in that year; ``founders``: each strategic authority's members on its
    first day (``authority_code, member_code``), whose area stands for an authority not yet made."""
    alive = places[in_force(places, year)] if alive is None else alive
    row = places.loc[places["code"] == code].iloc[0]
    if row["tier"] in (*BILLING_TIERS, "county"):
        why = not_in_being(places, code, pd.Timestamp(year=year, month=4, day=1))
        if why and " came into being " in why:
            return predecessor_areas(places, code, year, why)
        if why:
            raise DevolutionError(f"no place budget for {year_label(year)}: {why}; ask about that place, "
                                  f"or a year up to its last")
    if row["tier"] in BILLING_TIERS:
        areas = alive[alive["code"] == code]
    elif row["tier"] in SA_TIERS:
        areas = _members_area(alive, alive["strategic_authority_code"] == code)
        if areas.empty and founders is not None and not pd.isna(row["start_date"]) and \
                pd.Timestamp(row["start_date"]) > pd.Timestamp(year=year, month=4, day=1):
            # Not yet made: the budget of the area its founding members cover.
            areas = _members_area(alive, alive["code"].isin(
                founders.loc[founders["authority_code"] == code, "member_code"]))
            note = (f"{row['name']} ({code}) was established on {pd.Timestamp(row['start_date']):%-d %B %Y}: this "
                    f"is the budget of its founding members' area in {year_label(year)}. It leaves out the authority's own "
                    f"spending, as the authority did not yet exist, but includes what its members then spent "
                    f"through any other authority they belonged to")
            if not areas.empty:
                return areas, note
    elif row["tier"] == "county":
        areas = alive[(alive["county_code"] == code) & alive["tier"].isin(BILLING_TIERS)]
    elif row["tier"] in ("region", "england"):
        areas = alive[alive["tier"].isin(BILLING_TIERS) & ((alive["region_code"] == code) | (row["tier"] == "england"))]
    else:
        raise DevolutionError(f"cannot make a place budget for {code} (tier {row['tier']})")
    if areas.empty:
        raise DevolutionError(f"{code} ({row['name']}) has no councils in force in {year_label(year)}")
    return areas, ""


def _members_area(alive: pd.DataFrame, members: pd.Series) -> pd.DataFrame:
    """The billing councils of a strategic authority's members (``members``: a mask over ``alive``):
    the member districts and unitaries, and the districts of member counties."""
    counties = alive.loc[members & (alive["tier"] == "county"), "code"]
    return alive[(members | alive["county_code"].isin(counties)) & alive["tier"].isin(BILLING_TIERS)]


def predecessor_areas(places: pd.DataFrame, code: str, year: int, why: str) -> tuple[pd.DataFrame, str]:
    """The billing councils in force in ``year`` whose areas passed wholly to a council made later
    (the register's successors, :func:`devolution.places.crosswalk.successors`, on the boundaries of
    the council's first year), with a note saying the budget is of its area. Refused, naming its
    predecessors, when one of them was split between it and another council or none was in force."""
    start = pd.Timestamp(places.set_index("code").loc[code, "start_date"])
    succ = successors(places, financial_year_of(start))
    alive = places[in_force(places, year) & places["tier"].isin(BILLING_TIERS)]
    pieces = alive[alive["code"].map(lambda c: code in succ.get(c, []))]
    named = ", ".join(f"{r.name} ({r.code})" for r in pieces.itertuples())
    split = [c for c in pieces["code"] if succ[c] != [code]]
    if pieces.empty or split:
        reason = "none of its predecessors was in force" if pieces.empty else \
            f"{', '.join(split)} went only in part to it"
        raise DevolutionError(f"no place budget for {year_label(year)}: {why} and {reason}; ask about "
                              f"{named or 'a year from its first'}")
    counties = places.set_index("code")["name"].reindex(pieces["county_code"].dropna().unique())
    with_county = "".join(f" with their population share of {name} ({c})" for c, name in counties.items())
    note = (f"{why}: this is the budget of its area in {year_label(year)}, made of the councils whose areas "
            f"passed to it, {named}{with_county}")
    return pieces, note


def council_bodies(places: pd.DataFrame, areas: pd.DataFrame, population: pd.Series, year: int,
                   later: LaterBoundaries, alive: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every council body covering the areas, with the share of it inside the place (by population,
    read through ``later`` boundaries where ONS holds it only there). ``alive``: as :func:`place_areas`."""
    alive = (places[in_force(places, year)] if alive is None else alive).set_index("code")
    bodies = {code: 1.0 for code in areas["code"]}
    for column in ("county_code", "strategic_authority_code"):
        for parent, group in areas.groupby(column):
            if parent not in alive.index:
                continue  # a strategic authority not yet in force that year
            all_members = alive[(alive[column] == parent) & alive["tier"].isin(BILLING_TIERS)].index
            if column == "strategic_authority_code":  # members may sit inside member counties
                counties = alive[(alive[column] == parent) & (alive["tier"] == "county")].index
                all_members = all_members.union(alive[alive["county_code"].isin(counties)
                                                      & alive["tier"].isin(BILLING_TIERS)].index)
            if set(all_members) <= set(areas["code"]):
                bodies[parent] = 1.0  # the whole body lies in the place
                continue
            whole = population_of(places, later, population, all_members)
            bodies[parent] = population_of(places, later, population, group["code"]) / whole
    # Counties that are members of a strategic authority reach the place through their districts.
    out = pd.DataFrame({"code": list(bodies), "weight": list(bodies.values())})
    return out.merge(places[["code", "name", "tier"]], on="code", how="left")


def council_lines(outturn: pd.DataFrame, bodies: pd.DataFrame) -> pd.DataFrame:
    """Service NCE of each body times its weight. ``outturn``: long code, measure, value for one year."""
    services = council_services()
    rows = outturn[outturn["measure"].isin(list(services)) & outturn["code"].isin(bodies["code"])]
    rows = rows.merge(bodies, on="code")
    info = pd.DataFrame.from_dict(services, orient="index")
    rows = rows.join(info, on="measure")
    strategic = rows["tier"].isin(SA_TIERS).to_numpy()
    return pd.DataFrame({
        "source": "council", "body": rows["name"].to_numpy(), "line": rows["measure"].to_numpy(),
        "function": rows["function"].to_numpy(), "power": None,
        "decided_by": np.where(strategic, "devolved", "council"), "pot": rows["pot"].to_numpy(),
        "driver": np.where(rows["weight"].to_numpy() < 1, "population share of the body", "whole body"),
        "share": rows["weight"].to_numpy(), "value": rows["value"].to_numpy() * rows["weight"].to_numpy()})


class NoPopulation(DevolutionError):
    """A council's residents in a year that ONS holds only inside a later council's figure which
    also covers others: ``lost``, the ``reason`` (which council, which year, where ONS holds it),
    the places a user might ask about instead (``suggested``: the holders, then the lost council's
    county; ``label`` names a code) and, once known, the place whose budget was ``asked`` for."""

    def __init__(self, reason: str, lost: str, suggested: list[str], label, asked: str | None = None):
        self.reason, self.lost, self.suggested, self.label, self.asked = reason, lost, suggested, label, asked
        head = f"no place budget for {label(asked)}: " if asked is not None else ""
        if suggested:
            tail = f"; ask about {' or '.join(map(label, suggested))} instead"
        elif asked is not None:
            tail = f"; no place budget that needs {label(lost)}'s residents can be made for that year"
        else:
            tail = ""
        super().__init__(head + reason + tail)

    def with_suggestions(self, asked: str, workable: list[str]) -> "NoPopulation":
        """The refusal of ``asked``'s budget naming only ``workable`` as places to ask about: those
        whose own budget that year can be made (Christchurch in 2017-18 is inside BCP's figure, and
        BCP, Dorset Council and Dorset County all need it, so each would send the user to another
        refusal)."""
        return NoPopulation(self.reason, self.lost, workable, self.label, asked)


def population_of(places: pd.DataFrame, later: LaterBoundaries, population: pd.Series, codes) -> float:
    """Residents of councils in force in ``later.year`` (:meth:`LaterBoundaries.total`); refused
    with :class:`NoPopulation`, naming the council and what to ask about instead, when ONS holds its
    figure only as part of a later council that also covers others (Allerdale in 2017: only inside
    Cumberland's 2023 figure)."""
    value = later.total(population, codes)
    if value > 0:
        return value
    names = places.set_index("code")
    lost = next(c for c in codes if not population.get(c, np.nan) > 0)
    holders = later.held_by(population, lost)
    county = names.loc[lost, "county_code"]
    label = lambda c: f"{names.loc[c, 'name']} ({c})"  # noqa: E731
    where = (f": ONS estimates are held on later boundaries, where {label(lost)} is only part of "
             f"{' and '.join(map(label, holders))}" if holders else "")
    suggested = [*holders, *([county] if isinstance(county, str) else [])]
    raise NoPopulation(f"no population for {label(lost)} in {year_label(later.year)}{where}", lost, suggested, label)


@dataclass(frozen=True)
class BudgetYear:
    """What every place's budget in one financial year shares, read and prepared once
    (:func:`budget_year`): the register, population, council outturn by service, the drivers'
    values and the CRA's central lines by region (:func:`central_by_region`)."""
    year: int
    places: pd.DataFrame
    population: pd.Series          # by code
    outturn: pd.DataFrame          # long code, measure, value
    driver_values: pd.DataFrame    # long code, measure, value (nearest year held)
    central: pd.DataFrame
    later: LaterBoundaries         # what held each council's area on later boundaries (ONS figures)
    alive: pd.DataFrame            # the places in force in ``year`` (rows of ``places``), each with
    #                                the strategic authority it was in on 1 April of ``year``
    founders: pd.DataFrame         # authority_code, member_code: each authority's members on its first day


def check_year(store, year: int) -> None:
    """A DevolutionError naming the years held when ``year`` has no council outturn, CRA or
    population in the store (:func:`common_years`): no place budget can be made for it."""
    years = common_years(store)
    if year not in years:
        raise DevolutionError(f"no place budget for {year_label(year)}: council outturn, CRA and "
                              f"population are all held only for {', '.join(year_label(y) for y in years)}")


def budget_year(store, year: int) -> BudgetYear:
    """Read what the place budgets of ``year`` need (:func:`check_year`'s error if it cannot be made)."""
    check_year(store, year)
    places = _plain(store.places())
    alive = places[in_force(places, year)].copy()
    # The strategic authority each council was in on 1 April of the year, not the register's current
    # one: the North East combined authority of 2014-2024 had members then, and none today.
    authorities = Authorities.from_store(store)
    alive["strategic_authority_code"] = alive["code"].map(authorities.membership_on(dt.date(year, 4, 1))).astype(object)
    return BudgetYear(year=year, places=places,
                      population=store.observations("population", years=[year]).set_index("code")["value"],
                      outturn=_plain(store.observations(list(council_services()), years=[year])),
                      driver_values=_plain(_driver_values(store, year)),
                      central=_plain(central_by_region(store.table("cra"), year)),
                      later=LaterBoundaries(places, year, BILLING_TIERS),
                      alive=alive, founders=authorities.founders())


def _plain(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with its text columns as Python strings (object): every place's budget selects
    from these tables by code, and matching Arrow-backed text converts the whole column each time
    (half of a place budget's time)."""
    return frame.astype({c: object for c in frame.columns if pd.api.types.is_string_dtype(frame[c])})


def place_budget(store, query: str, year: int, devolve: list[str] | None = None,
                 shared: BudgetYear | None = None) -> PlaceBudget:
    """The place budget of a place in a financial year; ``devolve`` lists powers moved to the place.
    ``shared``: the year's :class:`BudgetYear` when several places are made (read once)."""
    shared = shared if shared is not None else budget_year(store, year)
    places = shared.places
    row = resolve(places, query)
    population = shared.population
    try:
        areas, note, residents, bodies = _area_and_bodies(row["code"], year, shared)
    except NoPopulation as refused:
        raise refused.with_suggestions(row["code"], [code for code in refused.suggested if code != row["code"]
                                        and _can_make(code, year, shared)]) from None
    silent = bodies[~bodies["code"].isin(shared.outturn["code"])]
    missing = _missing_parts(bodies, silent)
    if len(silent):  # said, not hidden: the council lines are short by what these bodies spent
        blank = (f" Its {' and '.join(f'{m} £m' for m in missing)}, pooled £m, total and £ per head are "
                 f"therefore shown as missing, not as 0." if missing else "")
        note = " ".join(filter(None, [note and note.rstrip(".") + ".", f"Not reported: {', '.join(silent['name'] + ' (' + silent['code'] + ')')} "
                                            f"published no Revenue Outturn for {year_label(year)}, so the council lines "
                                            f"leave out what it spent.{blank}"]))
    region_names = places.set_index("code")["name"].to_dict()
    lines = [council_lines(shared.outturn, bodies),
             central_lines(shared.central, areas, shared.driver_values, region_names, shared.later,
                           whole_regions=row["tier"] in ("region", "england"))]
    table = pd.concat(lines, ignore_index=True).assign(place=row["code"], year=year)[LINE_COLUMNS]
    result = PlaceBudget(place=row["code"], name=row["name"], year=year,
                         areas=areas.assign(population=population.reindex(areas["code"]).to_numpy())[
                             ["code", "name", "region_code", "population"]],
                         bodies=bodies, lines=table, population=residents, note=note, missing=missing)
    if devolve:
        result.lines = devolve_lines(result.lines, devolve)
    return result


def _missing_parts(bodies: pd.DataFrame, silent: pd.DataFrame) -> tuple[str, ...]:
    """Who decides ("council" for councils, "devolved" for strategic authorities) where every body
    of that kind covering the place is ``silent`` (published no outturn): no figure, not 0. Where
    only some are silent the part is shown, and the note names what it leaves out."""
    kind = lambda frame: np.where(frame["tier"].isin(SA_TIERS), "devolved", "council")  # noqa: E731
    held, lacking = set(kind(bodies[~bodies["code"].isin(silent["code"])])), set(kind(silent))
    return tuple(k for k in ("council", "devolved") if k in lacking and k not in held)


def _area_and_bodies(code: str, year: int, shared: BudgetYear):
    """The areas of the place ``code`` in ``year`` with its note, its residents and the council
    bodies covering it (:func:`place_areas`, :func:`population_of`, :func:`council_bodies`)."""
    places, alive = shared.places, shared.alive
    areas, note = place_areas(places, code, year, alive, shared.founders)
    residents = population_of(places, shared.later, shared.population, areas["code"])
    return areas, note, residents, council_bodies(places, areas, shared.population, year, shared.later, alive)


def _can_make(code: str, year: int, shared: BudgetYear) -> bool:
    """Whether the place budget of ``code`` in ``year`` can be made (a place suggested instead)."""
    try:
        _area_and_bodies(code, year, shared)
    except DevolutionError:
        return False
    return True


def _driver_values(store, year: int) -> pd.DataFrame:
    """Each driver measure in ``year``, or the nearest year held (65+ is held only from 2015)."""
    parts = []
    for measure in {r["measure"] for r in drivers()}:
        long = store.observations(measure)
        nearest = min(long["year"].unique(), key=lambda y: abs(int(y) - year))
        parts.append(long[long["year"] == nearest])
    return pd.concat(parts, ignore_index=True)


def devolve_lines(lines: pd.DataFrame, powers_moved: list[str]) -> pd.DataFrame:
    """Move every central line funding one of ``powers_moved`` to devolved and into the pool.

    Only who decides changes: the values are untouched, so the place's total is conserved.
    """
    out = lines.copy()
    moving = (out["source"] == "central") & out["power"].isin(powers_moved)
    out.loc[moving, "decided_by"] = "devolved"
    out.loc[moving, "pot"] = "pooled"
    return out
