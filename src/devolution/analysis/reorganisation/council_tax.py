"""A proposal's council tax: the predecessors' requirement and notional Band D on each new
council's area, and the harmonisation of the predecessor areas' bills.

- The predecessors' council tax requirement on a new council's area is each member's own
  requirement (parish precepts apart) plus its county's Band D times its tax base (the county's
  share, apportioned by tax base), as ``analysis.predecessors`` builds it for the register's new
  councils; the notional Band D is ``rules.council_tax.notional_band_d`` (LGFA 1992 s.52ZE).
- The new council's average Band D rises from the notional Band D by the proposal's increase,
  ``max`` being just below its referendum principle each year (``rules.referendum``: the
  principles of a unitary, and the council's own where a year's report names it).
- Each predecessor area's Band D then moves towards the average in equal steps
  (``rules.harmonisation``): at once (immediate harmonisation) and over the proposal's N years. No
  area's Band D rises past the higher of the council's referendum ceiling and its own last Band D
  raised by the highest increase the principle allows, unless the proposal says it would hold a
  referendum.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from devolution.analysis import predecessors
from devolution.analysis.reorganisation import areas
from devolution.analysis.reorganisation.proposal import Checked, ProposalProblems
from devolution.errors import DevolutionError
from devolution.places.tiers import BILLING_TIERS
from devolution.rules import harmonisation, referendum
from devolution.rules.council_tax import bills_by_band
from devolution.years import year_label

#: A percentage principle makes its own limit excessive ("X% or more"): a council stays this far
#: below it (4.99% under 5%), as most new councils did in their first year (e.g. North Northamptonshire
#: +4.99% on its notional Band D, MHCLG council tax statistics 2021-22).
JUST_BELOW = 0.0001
#: Years followed after the harmonisation period, for a harmonisation that the ceiling slows down.
EXTRA_YEARS = 12
RATIOS = "council_tax.band_ratios.ratios"
MAX_YEARS = "council_tax.harmonisation.max_years"
BANDS = tuple("ABCDEFGH")
TIER = "unitary"  # every new council here is a unitary council (an adult social care authority)


@dataclass
class CouncilTax:
    councils: pd.DataFrame       # one row per new council
    areas: pd.DataFrame          # one row per predecessor area (member council)
    harmonisation: pd.DataFrame  # council, area, plan, year: Band D, change, average, ceiling, held
    bills: pd.DataFrame          # council, area, plan, year, band: bill (£)
    households: pd.DataFrame     # council, plan, when: dwellings whose bill rises, falls...
    notes: list[str] = field(default_factory=list)


def parts(checked: Checked) -> pd.DataFrame:
    """The proposal's pieces in ``analysis.predecessors``'s columns: each member under its new
    council (by name), with its county where it is a district (the new unitary takes the county's
    functions there)."""
    members = checked.members
    county = members["county_code"].where(members["tier"].eq("shire_district"))
    return pd.DataFrame({"successor": members["council_name"].to_numpy(), "predecessor": members["code"].to_numpy(),
                         "county": county.to_numpy()})


def predecessors_on_area(checked: Checked, observations: pd.DataFrame) -> pd.DataFrame:
    """Every year the predecessors reported: each new council's requirement, tax base and notional
    Band D on its area (``analysis.predecessors.on_area`` on the proposal's pieces)."""
    return predecessors.on_area(parts(checked), _involved(checked, observations))


def _involved(checked: Checked, observations: pd.DataFrame) -> pd.DataFrame:
    """The council tax rows of the members and their counties."""
    codes = set(checked.members["code"]) | set(checked.members["county_code"].dropna())
    return observations[observations["code"].isin(codes) & observations["measure"].isin(predecessors.MEASURES)]


def compute(checked: Checked, inputs, tree) -> CouncilTax:
    """The council tax part of a proposal (see the module's note)."""
    proposal, base_year, names = checked.proposal, checked.base_year, checked.names
    observations = _involved(checked, inputs.observations)
    area = predecessors.on_area(parts(checked), observations)
    at_base = area[area["year"] == base_year].set_index("code").reindex(names)
    if at_base["notional_band_d"].isna().any():
        missing = [n for n in names if pd.isna(at_base.loc[n, "notional_band_d"])]
        raise DevolutionError(f"council tax of {year_label(base_year)} is not held for every predecessor of "
                              f"{', '.join(missing)} (or its county)")
    notes = []
    if base_year != proposal.first_year - 1:
        notes.append(f"Council tax: the predecessors' figures are of {year_label(base_year)}, the latest held; the "
                     f"new councils' first year is {year_label(proposal.first_year)}, so the years between are not "
                     f"modelled and the bills are in {year_label(base_year)} terms rising from there.")
    pieces = predecessors.piece_amounts(parts(checked), observations)
    pieces = pieces[pieces["year"] == base_year].set_index("predecessor").reindex(checked.members["code"])
    members = checked.members.reset_index(drop=True)
    council = members["council"].to_numpy()
    steps_n = proposal.council_tax.harmonisation_years
    years = np.arange(proposal.first_year, proposal.first_year + steps_n + EXTRA_YEARS)
    codes = np.array([c.code or "" for c in proposal.councils], dtype=object)
    shares, used = principle_shares(tree, years, codes)
    notional = at_base["notional_band_d"].to_numpy()
    highest = shares - JUST_BELOW  # the highest increase without a referendum (``max``)
    increase = _increase(checked, shares, highest, years)
    average = harmonisation.average_path(notional, increase)
    previous = np.column_stack([notional, average[:, :-1]])
    free = proposal.council_tax.referendum
    ceiling = (np.full(average.shape, np.inf) if free
               else np.column_stack([_allowed(found, previous[:, t]) for t, found in enumerate(used)]))
    rise = np.full(average.shape, np.inf) if free else highest
    band_d0, base = pieces["band_d"].to_numpy(), pieces["tax_base"].to_numpy()
    plans = {"immediate": 1, f"{steps_n} years": steps_n} if steps_n > 1 else {"immediate": 1}
    labels = [year_label(int(y)) for y in years]
    paths = {plan: harmonisation.harmonise(band_d0, base, council, average, np.full(len(names), steps), ceiling, rise,
                                           names, labels)
             for plan, steps in plans.items()}
    done = {plan: harmonisation.harmonised_year(bills, council, len(names)) for plan, (bills, _) in paths.items()}
    shown = int(max(steps_n, *(int(d.max()) if (d > 0).all() else len(years) for d in done.values())))
    table = _harmonisation_table(members, paths, band_d0, average, ceiling, rise, shares, increase, years, shown)
    notes += _principle_notes(tree, used, years[:shown], proposal.council_tax.referendum)
    notes += _late_notes(tree, proposal.first_year, names, done)
    councils = pd.DataFrame({
        "council": names, "code": codes, "base_year": year_label(base_year),
        "predecessors": [", ".join(members.loc[members["council"] == i, "name"]) for i in range(len(names))],
        "council_tax_requirement": at_base["council_tax_requirement"].to_numpy(),
        "tax_base": at_base["tax_base"].to_numpy(), "notional_band_d": notional,
        "first_year": year_label(proposal.first_year), "first_year_band_d": average[:, 0],
        "first_year_principle": shares[:, 0], "first_year_increase": average[:, 0] / notional - 1.0,
        "first_year_ceiling": ceiling[:, 0],
        **{f"harmonised_year_{plan.replace(' ', '_')}": [_year_or_none(years, d) for d in done[plan]] for plan in plans}})
    areas_table = members[["council_name", "code", "name", "tier", "county_code"]].rename(
        columns={"council_name": "council", "county_code": "county"}).assign(
        base_band_d=band_d0, tax_base=base, council_tax_requirement=pieces["requirement"].to_numpy(),
        gap_to_average=band_d0 / notional[council] - 1.0)
    dwellings, dwellings_year = _dwellings(members, inputs, base_year)
    ratios = np.array([float(r) for r in tree.value(RATIOS, int(years[0]))])
    households = _households(table, dwellings, dwellings_year, band_d0, members, notional, council)
    notes.append(f"Households: dwellings on the council tax valuation list of {dwellings_year} (MHCLG council "
                 f"taxbase) in each predecessor area, empty and second homes included; bills are the new council's "
                 f"part of the bill (no parish, police, fire or mayoral precept), before discounts and support.")
    return CouncilTax(councils=councils, areas=areas_table, harmonisation=table, bills=_bills(table, ratios),
                      households=households, notes=notes)


def _allowed(found: referendum.Principles, previous: np.ndarray) -> np.ndarray:
    """The highest Band D a council may set without a referendum on last year's ``previous``
    (``rules.council_tax.max_band_d_without_referendum``), just below it where the percentage
    principle makes the ceiling itself excessive."""
    return np.where(found.percentage_binds(previous), found.ceiling(previous) - previous * JUST_BELOW,
                    found.ceiling(previous))


def _harmonisation_table(members: pd.DataFrame, paths: dict, band_d0: np.ndarray, average: np.ndarray,
                         ceiling: np.ndarray, rise: np.ndarray, principle: np.ndarray, increase: np.ndarray,
                         years: np.ndarray, shown: int) -> pd.DataFrame:
    """One row per area, plan and year shown: Band D, its change on the year before, the council's
    average, its referendum principle (a share: an increase of it or more is excessive), the
    increase of its average, its ceiling (the highest average Band D without a referendum), the
    area's bound (``rules.harmonisation.bounds``) and whether the area was held at it."""
    council = members["council"].to_numpy()
    rows = []
    for plan, (bills, held) in paths.items():
        change = bills / np.column_stack([band_d0, bills[:, :-1]]) - 1.0
        bound = harmonisation.bounds(band_d0, bills, council, ceiling, rise)
        for t in range(shown):  # a few years; each is vectorised over the areas
            rows.append(pd.DataFrame({
                "council": members["council_name"], "area_code": members["code"], "area": members["name"],
                "plan": plan, "year": years[t], "year_label": year_label(int(years[t])), "band_d": bills[:, t],
                "change": change[:, t], "average": average[council, t], "principle": principle[council, t],
                "increase": increase[council, t], "ceiling": ceiling[council, t], "bound": bound[:, t],
                "held_at_bound": held[:, t]}))
    return pd.concat(rows, ignore_index=True)


def _late_notes(tree, first_year: int, names: list[str], done: dict) -> list[str]:
    """A note for each plan that would not reach one Band D within the law's years: at most
    ``max_years`` years of different Band Ds, so one Band D from year ``max_years + 1``."""
    allowed = max_years(tree, first_year)
    if not allowed:
        return []
    notes = []
    for plan, reached in done.items():
        late = [names[i] for i, year in enumerate(reached) if year == 0 or year > allowed + 1]
        if late:
            notes.append(f"{plan}: {', '.join(late)} would not pay one Band D by the start of year {allowed + 1} "
                         f"within the referendum ceiling, as the law requires (parameter {MAX_YEARS}): a lower "
                         f"increase in the high areas or a referendum would be needed.")
    return notes


def principle_shares(tree, years: np.ndarray, codes: np.ndarray) -> tuple[np.ndarray, list]:
    """councils x years: each new council's referendum principle (core + adult social care +
    its own where named), as a share; and what was read. The adult social care limits that depend
    on earlier years (2019-20's cap over three years, 2022-23's carry-forward) are taken at the
    year's own limit: the council is new, and its predecessors' earlier precepts are not followed."""
    n = len(codes)
    tiers = np.full(n, TIER, dtype=object)
    out = np.empty((n, len(years)))
    used = []
    for t, year in enumerate(years):
        history = None
        earlier, carried = referendum.needs_asc_history(tree, int(year))
        if earlier or carried is not None:
            previous = float(tree.value(referendum.ASC, carried) or 0.0) if carried is not None else 0.0
            history = referendum.AscHistory(np.zeros(n), np.full(n, previous))
        found = referendum.principles(tree, int(year), codes, tiers, history)
        out[:, t] = found.core_limit + found.asc_limit + found.additional_limit
        used.append(found)
    return out, used


def _increase(checked: Checked, shares: np.ndarray, highest: np.ndarray, years: np.ndarray) -> np.ndarray:
    """councils x years: the average Band D's yearly increase. ``max``: the highest the tool allows
    without a referendum, ``highest`` (the principle ``shares`` less ``JUST_BELOW``); a share above
    that is refused, naming the council, the year and the highest increase, unless the proposal
    holds a referendum."""
    tax = checked.proposal.council_tax
    if tax.increase == "max":
        return highest
    given = np.full(shares.shape, float(tax.increase))
    too_high = given > highest + 1e-12
    if not tax.referendum and too_high.any():
        c, t = np.argwhere(too_high)[0]
        raise ProposalProblems(checked.source, [("council_tax.increase", (
            f"{float(tax.increase):.3%} a year is more than {checked.names[c]} may raise its average Band D in "
            f"{year_label(int(years[t]))} without a referendum: its principle is {shares[c, t]:.2%} (an increase of "
            f"{shares[c, t]:.2%} or more is excessive), so the highest increase is {highest[c, t]:.2%} "
            f"({highest[c, t]:.4f}, what `max` uses): set that or less, `max`, or `referendum: true`"))])
    return given


def _principle_notes(tree, used: list, years: np.ndarray, held_referendum: bool) -> list[str]:
    last = max(tree.parameter(referendum.CORE).values)
    beyond = [int(y) for y in years if y > last]
    notes = []
    if beyond:
        notes.append(f"Referendum principles after {year_label(last)} are not set yet: {year_label(beyond[0])} on "
                     f"keep {year_label(last)}'s (a parameter's last value stays in force).")
    named = [(f.year, str(c), float(a)) for f in used[:len(years)] for c, a in zip(f.codes, f.additional_limit) if a]
    notes += [f"{year_label(y)}: the principles report names {c} with {a:+.2%} on top of the general principle."
              for y, c, a in named]
    earlier = [int(y) for y in years if any(referendum.needs_asc_history(tree, int(y)))]
    if earlier:
        notes.append(f"Adult social care precept in {', '.join(year_label(y) for y in earlier)}: the year's own limit "
                     f"(the limits that depend on the precept added in earlier years are not followed for a new "
                     f"council).")
    notes.append("Harmonisation: the principles are tested on the council's average (LGFA 1992 s.52ZB-52ZE), which "
                 "is kept every year whatever the number of years; no predecessor area's Band D rises past the higher "
                 "of the council's referendum ceiling and its own last Band D raised by the highest increase the "
                 "principle allows (no household's bill rises by more than the average may unless it is still within "
                 "what the council could charge everywhere)."
                 if not held_referendum else
                 "Harmonisation: the proposal says the council would hold a referendum, so no ceiling holds the "
                 "areas' bills.")
    return notes


def max_years(tree, first_year: int) -> int | None:
    try:
        return int(tree.value(MAX_YEARS, first_year))
    except DevolutionError:
        return None


def _year_or_none(years: np.ndarray, reached: int) -> str | None:
    return year_label(int(years[reached - 1])) if reached > 0 else None


def _dwellings(members: pd.DataFrame, inputs, base_year: int) -> tuple[pd.DataFrame, int]:
    """Dwellings by band in each predecessor area (members x 8), from the year nearest the base
    year whose billing councils tile every area."""
    groups = areas.groups_of(members.assign(group=members["code"]), inputs.atoms)
    billing = areas.codes_of_tiers(inputs.places, BILLING_TIERS)
    _, year = areas.for_year(inputs.observations, "dwellings_total", groups, inputs.atoms, billing, near=base_year,
                             what="dwellings")
    table = areas.measures_in_year(inputs.observations, [f"dwellings_band_{b.lower()}" for b in BANDS], year,
                                   groups, inputs.atoms, billing)
    table.columns = list(BANDS)
    return table.reindex(members["code"]), year


def _bills(table: pd.DataFrame, ratios: np.ndarray) -> pd.DataFrame:
    by_band = bills_by_band(table["band_d"].to_numpy(), ratios)
    keys = table[["council", "area_code", "area", "plan", "year", "year_label"]]
    return (pd.concat([keys.assign(band=band, bill=by_band[:, b]) for b, band in enumerate(BANDS)], ignore_index=True)
            .sort_values(["council", "area", "plan", "year", "band"]).reset_index(drop=True))


def _households(table: pd.DataFrame, dwellings: pd.DataFrame, dwellings_year: int, band_d0: np.ndarray,
                members: pd.DataFrame, notional: np.ndarray, council: np.ndarray) -> pd.DataFrame:
    """For each council and plan, in the first year and the last shown, counts of dwellings whose
    bill ``rises``, ``falls`` or is ``unchanged`` against the year before the new council, and whose
    bill is ``above_uniform`` or ``below_uniform``: above or below what every area would pay if its
    own Band D rose as the council's average (the effect of harmonisation alone)."""
    total = dwellings.sum(axis=1).reindex(members["code"]).to_numpy()
    rows = []
    for (name, plan), group in table.groupby(["council", "plan"], sort=False):
        for when, year in (("first year", group["year"].min()), ("last year shown", group["year"].max())):
            at = group[group["year"] == year].set_index("area_code").reindex(members["code"])
            inside = (members["council_name"] == name).to_numpy()
            now = at["band_d"].to_numpy()
            uniform_ratio = at["average"].to_numpy() / notional[council]
            uniform = band_d0 * uniform_ratio
            diff = now - band_d0
            rows.append({"council": name, "plan": plan, "when": when, "year_label": year_label(int(year)),
                         "rises": _count(total[inside & (diff > 0.005)]),
                         "falls": _count(total[inside & (diff < -0.005)]),
                         "unchanged": _count(total[inside & (np.abs(diff) <= 0.005)]),
                         "above_uniform": _count(total[inside & (now - uniform > 0.005)]),
                         "below_uniform": _count(total[inside & (now - uniform < -0.005)]),
                         "dwellings_year": dwellings_year})
    return pd.DataFrame(rows)


def _count(dwellings: np.ndarray) -> int:
    """A count of dwellings (whole numbers in the taxbase) as an integer."""
    return int(round(float(np.nansum(dwellings))))
