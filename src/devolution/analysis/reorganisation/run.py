"""A proposal run from top to bottom: check it, then each part in turn (people and homes, council
tax and its harmonisation, spending by service, the strategic authority, the map)."""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd

from devolution import parameters
from devolution.analysis.reorganisation import areas, council_tax, geometry, principles, spending, strategic
from devolution.analysis.reorganisation.inputs import AGE_BANDS, BANDS, Inputs
from devolution.analysis.reorganisation.proposal import Checked, Proposal, ProposalError, check, first_year_of
from devolution.files import read_yaml
from devolution.places.tiers import BILLING_TIERS
from devolution.years import year_label

#: The shipped examples: a source checkout's ``examples/reorganisations`` (one YAML file each).
EXAMPLES = Path(__file__).resolve().parents[4] / "examples" / "reorganisations"
#: Figures a map may be coloured by (each a column of the councils table).
COLOURS = {"notional_band_d": "Notional Band D (£), predecessors", "first_year_band_d": "Band D in the first year (£)",
           "population": "Residents", "share_65_plus": "Share aged 65+", "spending_per_head": "Spending per resident (£)",
           "council_tax_requirement": "Council tax requirement (£)", "dwellings": "Dwellings",
           "tax_base": "Tax base (Band D equivalents)"}


@dataclass
class Result:
    proposal: Proposal
    base_year: int
    councils: pd.DataFrame        # one row per new council: the headline figures
    people: pd.DataFrame          # population and age structure
    homes: pd.DataFrame           # dwellings by band, tax base
    council_tax: council_tax.CouncilTax
    spending: spending.Spending
    strategic: pd.DataFrame
    transition: pd.DataFrame
    map: dict                     # GeoJSON of the new councils, their figures as properties
    notes: list[str] = field(default_factory=list)

    def document(self) -> dict:
        """Everything as plain JSON-able values: the proposal, every table as records (NaN as
        null), the notes and the map (GeoJSON)."""
        tables = {name: _records(frame) for name, frame in self.tables().items()}
        return {"proposal": self.proposal.model_dump(mode="json"), "base_year": year_label(self.base_year),
                "first_year": year_label(self.proposal.first_year), "tables": tables, "notes": self.notes,
                "map": self.map, "colours": COLOURS}

    def tables(self) -> dict[str, pd.DataFrame]:
        """Every table by name (the CLI's ``--table``, the report, the JSON document)."""
        return {"councils": self.councils, "people": self.people, "homes": self.homes,
                "predecessors": self.council_tax.areas, "harmonisation": self.council_tax.harmonisation,
                "bills": self.council_tax.bills, "households": self.council_tax.households,
                "spending": self.spending.by_service, "apportionment": self.spending.apportionment,
                "comparators": self.spending.comparators, "strategic_authority": self.strategic,
                "transition": self.transition}


def _records(frame: pd.DataFrame) -> list[dict]:
    """Rows as plain values; a missing or infinite number (no ceiling under a referendum) is null."""
    def plain(value):
        value = value.item() if isinstance(value, np.generic) else value
        return None if isinstance(value, float) and not np.isfinite(value) else value

    return [{k: plain(v) for k, v in row.items()} for row in frame.astype(object).to_dict(orient="records")]


def example_names() -> list[str]:
    """The shipped examples (file stems), historical ones first."""
    return sorted(p.stem for p in EXAMPLES.glob("*.yaml")) if EXAMPLES.is_dir() else []


def read_example(name: str) -> dict:
    """One shipped example as a mapping (a ProposalError naming the examples when unknown)."""
    path = EXAMPLES / f"{name}.yaml"
    if name not in example_names():
        raise ProposalError(f"no example {name!r}; the examples are {', '.join(example_names()) or 'not installed'}")
    return read_yaml(path, ProposalError, "proposal")


def raw_proposal(source) -> tuple[object, str]:
    """A proposal's mapping and its name for messages: a mapping, a path to a YAML file, or the
    name of a shipped example."""
    if isinstance(source, dict):
        return copy.deepcopy(source), "<proposal>"
    text = str(source)
    if text in example_names():
        return read_example(text), f"example {text}"
    path = Path(text)
    if not path.is_file():
        raise ProposalError(f"proposal {text}: no such file, and not a shipped example "
                            f"({', '.join(example_names())})")
    return read_yaml(path, ProposalError, "proposal"), str(path)  # not a mapping: check() says so


def with_knobs(raw: dict, *, harmonisation_years: int | None = None, referendum: bool | None = None,
               increase=None, drivers: dict[str, str] | None = None, spending_year=None) -> dict:
    """The proposal with the caller's knobs over its own values (checked with the rest)."""
    if not isinstance(raw, dict):
        return raw
    out = copy.deepcopy(raw)
    tax = out.setdefault("council_tax", {}) if isinstance(out.get("council_tax", {}), dict) else out["council_tax"]
    if isinstance(tax, dict):
        if harmonisation_years is not None:
            tax["harmonisation_years"] = harmonisation_years
        if referendum is not None:
            tax["referendum"] = referendum
        if increase is not None:
            tax["increase"] = increase
    spend = out.setdefault("spending", {}) if isinstance(out.get("spending", {}), dict) else out["spending"]
    if isinstance(spend, dict):
        if drivers:
            spend["drivers"] = {**(spend.get("drivers") or {}), **drivers}
        if spending_year is not None:
            spend["year"] = spending_year
    return out


def checked_proposal(source, inputs: Inputs, tree=None, **knobs) -> Checked:
    raw, name = raw_proposal(source)
    tree = tree or parameters.default()
    raw = with_knobs(raw, **knobs)
    first = first_year_of(raw.get("vesting")) if isinstance(raw, dict) else None
    max_years = council_tax.max_years(tree, first) if first is not None else None
    return check(raw, inputs.places, inputs.latest_council_tax_year, name,
                 services=tuple(spending.service_name(s) for s in inputs.services),
                 drivers=tuple(spending.DRIVERS), max_years=max_years,
                 max_years_from=tree.parameter(council_tax.MAX_YEARS).first_year(), index=inputs.index,
                 more=(partial(principles.increase_problems, tree), partial(spending.driver_problems, inputs)))


def reorganise(source, inputs: Inputs, *, on: dt.date | None = None, tree=None, **knobs) -> Result:
    """Run a proposal (a YAML path, a mapping or an example's name) on ``inputs``. Knobs
    (``harmonisation_years``, ``referendum``, ``increase``, ``drivers``, ``spending_year``) take the
    place of the proposal's own values; ``on`` is the date the strategic authority is looked up
    (today if None)."""
    tree = tree or parameters.default()
    checked = checked_proposal(source, inputs, tree, **knobs)
    proposal = checked.proposal
    groups = areas.groups_of(checked.members.rename(columns={"council_name": "group"}), inputs.atoms)
    billing = areas.codes_of_tiers(inputs.places, BILLING_TIERS)
    people = _people(checked, inputs, groups, billing)
    tax = council_tax.compute(checked, inputs, tree)
    homes = _homes(checked, inputs, groups, billing, tax.councils)
    spend = spending.compute(checked, inputs, _year(proposal.spending.year))
    population = people.set_index("council")["population"]
    authority, authority_notes = strategic.compute(checked, inputs, population, on or dt.date.today())
    total = spend.by_service[spend.by_service["service"] == "all services"].set_index("council")
    councils = tax.councils.merge(people[["council", "population", "population_year", "share_65_plus"]], on="council")
    councils = councils.merge(homes[["council", "dwellings", "dwellings_year"]], on="council")
    councils["spending_per_head"] = total["per_head"].reindex(councils["council"]).to_numpy()
    councils["spending_year"] = year_label(spend.year)
    councils = councils.merge(authority[["council", "strategic_authority", "name", "status", "level_2026_act"]]
                              .rename(columns={"name": "strategic_authority_name", "status": "strategic_status"}),
                              on="council")
    transition = _transition(proposal, population)
    tiles, _ = areas.tiling(groups, inputs.atoms, inputs.geometries.index)
    shapes = geometry.dissolve(inputs.geometries, tiles)
    features = geometry.feature_collection(shapes, councils.set_index("council")[
        [c for c in ["code", *COLOURS] if c in councils.columns]])
    kind = "" if f"({proposal.kind})" in proposal.name else f" ({proposal.kind})"
    notes = [f"{proposal.name}{kind}: {len(checked.names)} new council(s) from {proposal.vesting.day} {proposal.vesting:%B %Y}."]
    if proposal.kind == "illustrative":
        notes.append("Illustrative: this split is an example of the method, not a proposal anyone has made.")
    notes += [people.attrs["note"], homes.attrs["note"], *tax.notes, *spend.notes, *authority_notes]
    if proposal.transition.costs is not None or proposal.transition.savings_per_year is not None:
        notes.append("Transition costs and savings are the proposal's own figures: inputs, not computed here.")
    missing = sorted(set(checked.names) - set(tiles["group"]))
    if missing:
        notes.append(f"Map: no boundary of May 2024 covers {', '.join(missing)} exactly, so it is not drawn.")
    return Result(proposal=proposal, base_year=checked.base_year, councils=councils, people=people, homes=homes,
                  council_tax=tax, spending=spend, strategic=authority, transition=transition, map=features,
                  notes=notes)


def _year(value) -> int | None:
    from devolution.years import parse_year

    return None if value is None else parse_year(value)


def _people(checked: Checked, inputs: Inputs, groups: pd.DataFrame, billing) -> pd.DataFrame:
    """Population and age structure of each new council, in the latest year whose age bands cover
    every one (ONS mid-year estimates, each year on its own boundaries)."""
    _, year = areas.for_year(inputs.observations, "population_65_plus", groups, inputs.atoms, billing,
                             what="population by age")
    table = areas.measures_in_year(inputs.observations, ["population", *AGE_BANDS], year, groups, inputs.atoms,
                                   billing).reindex(checked.names)
    out = table.reset_index(names="council")
    for band in AGE_BANDS:
        out[f"share_{band.removeprefix('population_')}"] = out[band] / out["population"]
    out["population_year"] = f"mid-{year}"
    out.attrs["note"] = (f"People: ONS mid-year estimates, mid-{year} (the latest held), summed over the councils of "
                         f"that year that make up each new council.")
    return out


def _homes(checked: Checked, inputs: Inputs, groups: pd.DataFrame, billing, tax: pd.DataFrame) -> pd.DataFrame:
    """Dwellings by band (the latest year held that covers every new council) and the
    predecessors' tax base of the base year (from the council tax part, ``tax``)."""
    _, year = areas.for_year(inputs.observations, "dwellings_total", groups, inputs.atoms, billing, what="dwellings")
    table = areas.measures_in_year(inputs.observations, [*BANDS, "dwellings_total"], year, groups, inputs.atoms,
                                   billing).reindex(checked.names)
    table.columns = [c.removeprefix("dwellings_band_").upper() if c.startswith("dwellings_band_") else "dwellings"
                     for c in table.columns]
    out = table.reset_index(names="council").assign(
        dwellings_year=year, tax_base=tax.set_index("council")["tax_base"].reindex(checked.names).to_numpy(),
        tax_base_year=year_label(checked.base_year))
    out.attrs["note"] = (f"Homes: dwellings on the council tax valuation list by band, {year} (MHCLG council taxbase, "
                         f"the latest held); tax base in Band D equivalents, {year_label(checked.base_year)}.")
    return out


def _transition(proposal: Proposal, population: pd.Series) -> pd.DataFrame:
    """The proposal's own transition costs and savings (inputs), per resident of the whole area,
    and the years the savings take to repay the costs."""
    costs, savings = proposal.transition.costs, proposal.transition.savings_per_year
    people = float(population.sum())
    payback = costs / savings if costs is not None and savings else np.nan
    return pd.DataFrame([{"costs": costs, "savings_per_year": savings,
                          "costs_per_resident": costs / people if costs is not None else np.nan,
                          "savings_per_resident": savings / people if savings is not None else np.nan,
                          "years_to_repay": payback, "source": "the proposal (inputs, not computed)"}])
