"""A proposal's council tax: the predecessors' requirement and notional Band D on each new
council's area, and the harmonisation of the predecessor areas' bills.

- The predecessors' council tax requirement on a new council's area is each member's own
  requirement (parish precepts apart) plus its county's Band D times its tax base (the county's
  share, apportioned by tax base), as ``analysis.predecessors`` builds it for the register's new
  councils; the notional Band D is ``rules.council_tax.notional_band_d`` (LGFA 1992 s.52ZE). Where
  the comparison MHCLG printed for a new council differs by a county-wide element
  (``predecessors.COUNTY_WIDE_GAPS``), the run starts from the printed one (:func:`published_gaps`).
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
from devolution.analysis.reorganisation.principles import (EXTRA_YEARS, JUST_BELOW, largest_rises, principle_notes,
                                                            principle_shares)
from devolution.analysis.reorganisation.proposal import Checked
from devolution.errors import DevolutionError
from devolution.places.tiers import BILLING_TIERS
from devolution.rules import harmonisation, referendum
from devolution.rules.council_tax import band_d, bills_by_band
from devolution.years import year_label

RATIOS = "council_tax.band_ratios.ratios"
MAX_YEARS = "council_tax.harmonisation.max_years"
BANDS = tuple("ABCDEFGH")


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
    codes = np.array([c.code or "" for c in proposal.councils], dtype=object)
    lowered, comparison_notes = published_gaps(checked, inputs.observations, at_base["notional_band_d"].to_numpy())
    notes += comparison_notes
    at_base = at_base.assign(notional_band_d=at_base["notional_band_d"] - lowered,
                             council_tax_requirement=at_base["council_tax_requirement"] - lowered * at_base["tax_base"])
    pieces = pieces.assign(band_d=pieces["band_d"] - lowered[council],
                           requirement=pieces["requirement"] - lowered[council] * pieces["tax_base"])
    steps_n = proposal.council_tax.harmonisation_years
    years = np.arange(proposal.first_year, proposal.first_year + steps_n + EXTRA_YEARS)
    shares, used = principle_shares(tree, years, codes)
    notional = at_base["notional_band_d"].to_numpy()
    highest = shares - JUST_BELOW  # the highest increase without a referendum (``max``)
    increase = _increase(checked, highest)
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
    notes += principle_notes(tree, used, years[:shown], proposal.council_tax.referendum, inputs.places)
    if proposal.council_tax.referendum and proposal.council_tax.increase == "max":
        notes.append(f"Increase max: the average Band D rises by just below the principle ({highest[0, 0]:.2%} in "
                     f"{labels[0]}) even with a referendum; a referendum lets an increase above the principle be "
                     f"given as a number (--increase 0.08, council_tax.increase: 0.08).")
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
    rises, rise_notes = largest_rises(table, names, proposal.council_tax.referendum)
    councils = councils.merge(rises, on="council", how="left")
    notes += rise_notes
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


def published_gaps(checked: Checked, observations: pd.DataFrame, tool: np.ndarray) -> tuple[np.ndarray, list[str]]:
    """For each new council whose comparison MHCLG printed (its predecessors' requirement over their
    tax base on its own row of the year before it began, the "alternative notional amount" its
    first-year increase is measured from, LGFA 1992 s.52ZE) differs from the tool's notional Band D
    ``tool`` (£, one per council) by more than ``predecessors.TOLERANCE``: the pounds per Band D to
    take off every predecessor area of the council, where the gap is a county-wide element
    (``predecessors.COUNTY_WIDE_GAPS``), else 0; and a note for every such gap, with the tool's
    figure, the printed one and the reason (``predecessors.GAPS``)."""
    lowered = np.zeros(len(tool))
    year = checked.first_year - 1
    if checked.base_year != year:
        return lowered, []
    codes = [c.code or "" for c in checked.proposal.councils]
    rows = observations[observations["code"].isin(set(codes)) & (observations["year"] == year)
                        & observations["measure"].isin([predecessors.REQUIREMENT, predecessors.TAX_BASE])]
    wide = rows.pivot_table(index="code", columns="measure", values="value").reindex(
        index=codes, columns=[predecessors.REQUIREMENT, predecessors.TAX_BASE])
    printed = band_d(wide[predecessors.REQUIREMENT].to_numpy(), wide[predecessors.TAX_BASE].to_numpy())
    notes = []
    for i, (name, code) in enumerate(zip(checked.names, codes)):  # a few new councils
        gap = tool[i] - printed[i]
        if not np.isfinite(gap) or abs(gap) < predecessors.TOLERANCE:
            continue
        reason = predecessors.GAPS.get(code, "cause not established")
        said = (f"Council tax: {name}: the tool's notional Band D from the predecessors, £{tool[i]:,.2f}, is "
                f"£{abs(gap):,.2f} {'above' if gap > 0 else 'below'} the published comparison, £{printed[i]:,.2f} "
                f"(the Band D MHCLG printed for {year_label(year)} on the council's own row, its alternative notional "
                f"amount, LGFA 1992 s.52ZE): {reason}.")
        if code in predecessors.COUNTY_WIDE_GAPS:
            lowered[i] = gap
            notes.append(f"{said} The gap is county-wide, the same per Band D in every predecessor area, so the "
                         f"first-year increase and the harmonisation are measured from the printed £{printed[i]:,.2f}, "
                         f"with every predecessor area's Band D £{abs(gap):,.2f} {'lower' if gap > 0 else 'higher'}.")
        else:
            notes.append(f"{said} How it falls on the predecessor areas is not known, so the run keeps the tool's "
                         f"figure; the first-year Band D may differ from the council's by that gap raised by the "
                         f"increase.")
    return lowered, notes


def _allowed(found: referendum.Principles, previous: np.ndarray) -> np.ndarray:
    """The highest Band D a council may set without a referendum on last year's ``previous``
    (``rules.council_tax.max_band_d_without_referendum``), just below it where the percentage
    principle makes the ceiling itself excessive."""
    return found.highest(previous)


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



def _increase(checked: Checked, highest: np.ndarray) -> np.ndarray:
    """councils x years: the average Band D's yearly increase. ``max``: the highest the tool allows
    without a referendum, ``highest`` (the principle less ``JUST_BELOW``); else the proposal's share
    (held within ``highest`` by :func:`.principles.increase_problems` when the proposal was checked)."""
    tax = checked.proposal.council_tax
    return highest if tax.increase == "max" else np.full(highest.shape, float(tax.increase))





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
