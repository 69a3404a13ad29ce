"""A scenario against its baseline in one year, recomputed for an answer in JSON-ready tables:
England's gap with its percentiles, winners and losers by region, type of council and deprivation,
and every council's change (:func:`compared`), within a time limit, reusing what earlier runs of
the process kept (:class:`Memory`: the councils of a base year, baseline runs, spending pressure).

Two ways in: :func:`run_request` takes a body ``{"scenario": {...}, "baseline": {...}, "year":
"2034-35"}``; only ``scenario`` is required, in the scenario-file format (``scenarios.schema``),
except that ``base`` (a file on the server) is refused and draws are capped by the caller. Without
``baseline`` the comparison is against current policy under the same assumptions
(:func:`baseline_of`). :func:`recompute` runs the scenario the page's knobs describe
(``scenarios.knobs``).
"""

from __future__ import annotations

import copy
import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from devolution.errors import ScenarioError
from devolution.memo import Recent
from devolution.exports import records
from devolution.scenarios import compare, runner
from devolution.scenarios.inputs import Inputs, load_inputs, outturn_years
from devolution.scenarios.model import Known, ScenarioProblems, check
from devolution.scenarios.schema import Scenario
from devolution.years import parse_year, year_label

BODY_KEYS = ("scenario", "baseline", "year")


class TimeLimitExceeded(ScenarioError):
    """A run that took longer than the web allows (the caller answers 503 with Retry-After)."""


def baseline_of(raw: dict) -> dict:
    """Current policy under the same assumptions: no parameter overrides or deals, council tax at
    the referendum limit each year."""
    out = copy.deepcopy(raw)
    out["name"] = f"current policy ({raw.get('name', 'scenario')})"
    out.pop("parameters", None)
    out.pop("deals", None)
    out.setdefault("assumptions", {})
    if isinstance(out["assumptions"], dict):
        out["assumptions"]["council_tax_increase"] = "max"
    return out


def _checked(raw, where: str, max_draws: int, data_years, store) -> Scenario:
    if not isinstance(raw, dict):
        raise ScenarioProblems("request", [(where, "expected an object in the scenario format (name, years, ...)")])
    problems = []
    if raw.get("base") is not None:
        problems.append((f"{where}.base", "not accepted over the web: send the whole scenario"))
    draws = raw.get("draws", 1000)
    if isinstance(draws, int) and not isinstance(draws, bool) and draws > max_draws:
        problems.append((f"{where}.draws", f"at most {max_draws:,} draws over the web (got {draws:,})"))
    try:
        scenario = check(raw, where, data_years=data_years, known=Known.of(store))
    except ScenarioProblems as exc:
        problems += [(f"{where}.{p}", m) for p, m in exc.problems]
        scenario = None
    if problems:
        raise ScenarioProblems("request", problems)
    return scenario


def run_request(body: dict, max_draws: int, *, store, memory: Memory | None = None,
                time_limit: float = 20.0) -> dict:
    """Check ``body`` (every problem listed, as :class:`ScenarioProblems`), run the scenario
    (Monte Carlo, at most ``max_draws``) and its baseline (central), and compare them.

    ``memory``: what earlier runs of this process kept (:class:`Memory`). Raises
    :class:`TimeLimitExceeded` when the work took longer than ``time_limit`` seconds."""
    started = time.monotonic()
    if not isinstance(body, dict):
        raise ScenarioProblems("request", [("(top)", "expected an object with a scenario")])
    unknown = [k for k in body if k not in BODY_KEYS]
    if unknown or "scenario" not in body:
        problems = [(str(k)[:40], f"unknown key (expected {', '.join(BODY_KEYS)})") for k in unknown[:5]]
        if "scenario" not in body:
            problems.append(("scenario", "required: the scenario to run, in the scenario-file format"))
        raise ScenarioProblems("request", problems)
    memory = memory if memory is not None else Memory()
    data_years = memory.outturn_years(store)
    scenario = _checked(body["scenario"], "scenario", max_draws, data_years, store)
    raw_baseline = body.get("baseline") or baseline_of(body["scenario"])
    baseline = _checked(raw_baseline, "baseline", max_draws, data_years, store)
    if baseline.first_year != scenario.first_year:
        raise ScenarioProblems("request", [("baseline.base_year", "must equal the scenario's base_year")])
    years = [y for y in scenario.projection_years if y in set(baseline.projection_years)]
    if not years:
        raise ScenarioProblems("request", [("baseline.years", "no projection year in common with the scenario")])
    year = years[-1]
    if body.get("year") is not None:
        try:
            year = parse_year(body["year"])
        except Exception as exc:  # a year the parser refuses
            raise ScenarioProblems("request", [("year", str(exc))]) from None
        if year not in years:
            raise ScenarioProblems("request", [("year", f"{year_label(year)} is not projected by both "
                                                              f"(years {year_label(years[0])}..{year_label(years[-1])})")])
    return compared(scenario, baseline, year, store=store, memory=memory, started=started,
                    time_limit=time_limit)


@dataclass
class Councils:
    """The councils of a base year as the page shows them (the same for every run from that year):
    JSON-ready columns, each grouping's group numbers, and who is left out."""

    inputs: Inputs
    columns: dict[str, list]                          # code, name, tier_label, region, imd2025_decile
    groups: dict[str, tuple[np.ndarray, list[str]]]   # region / type / deprivation: (codes, names)
    lower: np.ndarray                                 # not a county: whose residents a group counts
    left_out: list[dict]

    @classmethod
    def of(cls, store, inputs: Inputs) -> "Councils":
        places = inputs.places
        deciles = compare.deprivation_decile(store, places, pd.Series(inputs.population, index=inputs.codes)).array
        columns = {c: places[c].tolist() for c in ("code", "name", "tier_label", "region")}
        columns["imd2025_decile"] = [None if pd.isna(d) else int(d) for d in deciles]
        groups = {}
        for name, values in (("region", places["region"]), ("type", places["tier_label"]), ("deprivation", deciles)):
            codes, found = compare.groups_of(values)
            groups[name] = (codes, [str(g) for g in found])
        return cls(inputs=inputs, columns=columns, groups=groups, lower=(places["tier"] != "county").to_numpy(),
                   left_out=records(inputs.left_out))


@dataclass
class Memory:
    """What a process keeps between web runs (each worker has one): the councils of each base
    year with their inputs, the data's outturn years, baseline runs, and spending pressure by
    assumptions (a knob that changes only policy reuses it)."""

    councils: dict[int, Councils] = field(default_factory=dict)
    baselines: Recent = field(default_factory=lambda: Recent(16))
    pressures: Recent = field(default_factory=lambda: Recent(4))
    data_years: tuple[int, int] | None = None

    def outturn_years(self, store) -> tuple[int, int]:
        if self.data_years is None:
            self.data_years = outturn_years(store)
        return self.data_years

    def councils_of(self, store, base_year: int) -> Councils:
        if base_year not in self.councils:
            self.councils[base_year] = Councils.of(store, load_inputs(store, base_year))
        return self.councils[base_year]


def _baseline_run(baseline: Scenario, store, held: Inputs, memory: Memory) -> runner.Result:
    """The baseline's central run, from memory when the same baseline ran before (every knob
    that is not policy gives the same one)."""
    key = repr(baseline.model_copy(update={"name": "", "description": "", "draws": 1}))
    found = memory.baselines.get(key)
    if found is None:
        found = runner.run(baseline, store, draws=1, inputs=held, place_percentiles=False)
        memory.baselines.put(key, found)
    return found


def _floats(values: np.ndarray, scale: float = 1.0) -> list:
    """JSON-ready numbers (None for NaN or infinite)."""
    values = np.asarray(values, dtype=np.float64) / scale
    out = values.tolist()
    bad = ~np.isfinite(values)
    if bad.any():
        for i in np.flatnonzero(bad):
            out[i] = None
    return out


def _rows(columns: dict[str, list]) -> list[dict]:
    names = list(columns)
    return [dict(zip(names, row)) for row in zip(*columns.values())]


def compared(scenario: Scenario, baseline: Scenario, year: int, *, store, memory: Memory | None,
             started: float, time_limit: float) -> dict:
    """Run a checked scenario (Monte Carlo) and its baseline (central) and compare them in ``year``:
    the answer of both web paths. Tables are built from the runs' arrays (no data frames: this is
    most of a quick run's time otherwise)."""
    memory = memory if memory is not None else Memory()
    councils = memory.councils_of(store, scenario.first_year)
    held = councils.inputs
    result = runner.run(scenario, store, draws=scenario.draws, inputs=held, place_percentiles=False,
                        memo=memory.pressures)
    base = _baseline_run(baseline, store, held, memory)
    _deadline(started, time_limit)
    change = compare.changes(base, result, year)
    groups = {}
    for name, (codes, found) in councils.groups.items():
        totals = compare.group_totals(codes, len(found), councils.lower, change["population"], change["change"],
                                      change["outcome"])
        groups[name] = _rows({"group": found, "councils": totals["councils"].tolist(), "gain": totals["gain"].tolist(),
                              "lose": totals["lose"].tolist(), "change": _floats(totals["change"], 1e6),
                              "population": _floats(totals["population"]),
                              "change_per_head": _floats(totals["change_per_head"])})
    places = _rows({**councils.columns, "population": _floats(change["population"]),
                    "gap_baseline": _floats(change["gap_baseline"], 1e6),
                    "gap_scenario": _floats(change["gap_scenario"], 1e6), "change": _floats(change["change"], 1e6),
                    "change_per_head": _floats(change["change_per_head"]), "outcome": change["outcome"].tolist()})
    _deadline(started, time_limit)
    gaps = result.england
    quantiles = ("p5", "p25", "p50", "p75", "p95", "central")
    england = _rows({"year": gaps["year"].tolist(), "label": [year_label(int(y)) for y in gaps["year"]],
                     **{k: _floats(gaps[k].to_numpy(), 1e6) for k in quantiles}})
    at_year = next(row for row in england if row["year"] == year)
    outcomes = {k: int((change["outcome"] == k).sum()) for k in ("gains", "loses", "no change")}
    return {
        "scenario": scenario.name, "baseline": baseline.name, "draws": result.draws, "seed": scenario.seed,
        "years": [year_label(y) for y in result.years], "year": year_label(year),
        "units": "£m cash unless named (per head: £ cash per resident)",
        "england": england,
        "england_at_year": {"year": year_label(year), **{k: at_year[k] for k in quantiles},
                            "baseline_central": float(change["gap_baseline"].sum() / 1e6),
                            "change_central": float(change["change"].sum() / 1e6)},
        "outcomes": outcomes,
        "by_region": groups["region"], "by_type": groups["type"], "by_deprivation": groups["deprivation"],
        "places": places,
        "resolved": records(result.resolved.assign(value=result.resolved["value"].astype(float))),
        "left_out": councils.left_out,
        "notes": result.notes,
        "seconds": round(time.monotonic() - started, 3),
    }


def _deadline(started: float, limit: float) -> None:
    spent = time.monotonic() - started
    if spent > limit:
        raise TimeLimitExceeded(f"the run took {spent:.1f} s, over the {limit:g} s a web run may take: "
                                f"use fewer draws or years, or `devo scenario run`")


def distribution_values(places: list[dict]) -> list[dict]:
    """Change per head of every council with one (for the distribution chart)."""
    return [{"name": p["name"], "type": p["tier_label"], "change_per_head": p["change_per_head"]}
            for p in places if p["change_per_head"] is not None and np.isfinite(p["change_per_head"])]


def recompute(raw: dict, *, store, memory: Memory | None = None, time_limit: float = 20.0) -> dict:
    """Run the scenario :func:`knob_scenario` built, against current policy under the same
    assumptions, in its last year: :func:`run_request`'s answer, plus the knobs' scenario
    (``scenario_run``: the overrides and draws that actually ran). Deterministic for given knobs."""
    started = time.monotonic()
    memory = memory if memory is not None else Memory()
    data_years = memory.outturn_years(store)
    scenario = check(raw, "knobs", data_years=data_years)
    baseline = check(baseline_of(raw), "knobs (current policy)", data_years=data_years)
    out = compared(scenario, baseline, scenario.projection_years[-1], store=store, memory=memory,
                   started=started, time_limit=time_limit)
    out["scenario_run"] = {"parameters": scenario.parameters, "draws": scenario.draws, "seed": scenario.seed,
                           "years": scenario.years, "council_tax_increase": raw["assumptions"]["council_tax_increase"],
                           "devolution_by_default": scenario.deals.devolution_by_default}
    return out
