"""Scenario runs for the web: a JSON body checked like a scenario file, a bounded run, and
JSON-safe tables (England's gap with percentiles, winners and losers by region, type of council
and deprivation, every council's change).

The body is ``{"scenario": {...}, "baseline": {...}, "year": "2034-35"}``; only ``scenario`` is
required, in the scenario-file format (``scenarios.model``), except that ``base`` (a file on the
server) is refused and draws are capped by the caller. Without ``baseline`` the comparison is
against current policy under the same assumptions: the scenario without its parameter overrides
and deals, council tax raised to the referendum limit each year.
"""

from __future__ import annotations

import copy
import math
import time

import numpy as np
import pandas as pd
import yaml

from devolution import parameters as parameters_module
from devolution.errors import ScenarioError
from devolution.scenarios import compare, model, runner, template
from devolution.scenarios.inputs import Inputs, load_inputs, outturn_years
from devolution.years import parse_year, year_label

BODY_KEYS = ("scenario", "baseline", "year")
#: The knobs the web page turns, by the dotted key they set in the scenario.
KNOBS = ("parameters.council_tax.referendum.core_limit", "parameters.council_tax.referendum.asc_limit",
         "assumptions.council_tax_increase", "deals.devolution_by_default", "years", "draws", "seed")
DEALS_NOT_APPLIED = "NOT applied"


class TimeLimitExceeded(ScenarioError):
    """A run that took longer than the web allows (the caller answers 503 with Retry-After)."""


def defaults() -> dict:
    """The scenario the web page starts from: the commented template ``devo scenario new`` writes
    (its assumptions are illustrative ranges, not official forecasts)."""
    raw = yaml.safe_load(template.render("web scenario"))
    raw["description"] = "Set on the web page"
    return raw


def deals_applied(inputs: Inputs) -> bool:
    """Whether the projection applies deals (the runner says when it does not)."""
    probe = model.check({**defaults(), "deals": {"devolution_by_default": True}})
    return not any(n.startswith("deals:") and DEALS_NOT_APPLIED in n for n in runner.notes_for(probe, inputs, 1))


def describe(store, inputs: Inputs | None = None, max_draws: int = 1000) -> dict:
    """What the page needs before a run: the default scenario, the knobs with their current
    (parameter) values and bounds, and whether deals are applied in projections yet."""
    first, last = outturn_years(store)
    scenario = defaults()
    inputs = inputs or load_inputs(store, parse_year(scenario["base_year"]))
    tree = parameters_module.default()
    start = parse_year_range_start(scenario["years"])
    current = {path: tree.value(path, start) for path in runner.LIMITS.values()}
    return {"defaults": scenario, "knobs": list(KNOBS), "max_draws": max_draws, "max_years": model.MAX_YEARS,
            "base_years": [year_label(first), year_label(last)],
            "current_limits": {path: (None if v is None else float(v)) for path, v in current.items()},
            "current_limits_year": year_label(start),
            "deals_applied": deals_applied(inputs),
            "deals_note": None if deals_applied(inputs) else
            "The setting is validated and kept with the run, but the powers package does not yet provide a "
            "place-budget step to the scenario runner, so the figures are the same with it on or off."}


def parse_year_range_start(years: str) -> int:
    from devolution.years import parse_year_range

    return parse_year_range(years)[0]


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


def _checked(raw, where: str, max_draws: int, data_years, store) -> model.Scenario:
    if not isinstance(raw, dict):
        raise model.ScenarioProblems("request", [(where, "expected an object in the scenario format (name, years, ...)")])
    problems = []
    if raw.get("base") is not None:
        problems.append((f"{where}.base", "not accepted over the web: send the whole scenario"))
    draws = raw.get("draws", 1000)
    if isinstance(draws, int) and not isinstance(draws, bool) and draws > max_draws:
        problems.append((f"{where}.draws", f"at most {max_draws:,} draws over the web (got {draws:,})"))
    try:
        scenario = model.check(raw, where, data_years=data_years)
    except model.ScenarioProblems as exc:
        problems += [(f"{where}.{p}", m) for p, m in exc.problems]
        scenario = None
    if problems:
        raise model.ScenarioProblems("request", problems)
    runner.check_places(scenario, store, where)
    return scenario


def _money(frame: pd.DataFrame, columns) -> pd.DataFrame:
    out = frame.copy()
    for c in columns:
        out[c] = out[c] / 1e6
    return out


def records(frame: pd.DataFrame) -> list[dict]:
    """JSON-safe rows: NaN and infinities become None, numpy scalars Python ones."""
    def clean(v):
        if hasattr(v, "item"):
            v = v.item()
        if v is pd.NA or v is None or (isinstance(v, float) and not math.isfinite(v)):
            return None
        return v

    columns = [str(c) for c in frame.columns]
    return [{c: clean(v) for c, v in zip(columns, row)} for row in frame.itertuples(index=False, name=None)]


def run_for_web(body: dict, max_draws: int, *, store, inputs: dict | None = None,
                time_limit: float = 20.0) -> dict:
    """Check ``body`` (every problem listed, as :class:`model.ScenarioProblems`), run the scenario
    (Monte Carlo, at most ``max_draws``) and its baseline (central), and compare them.

    ``inputs``: a cache of base-year inputs by base year (filled here). Raises
    :class:`TimeLimitExceeded` when the work took longer than ``time_limit`` seconds."""
    started = time.monotonic()
    if not isinstance(body, dict):
        raise model.ScenarioProblems("request", [("(top)", "expected an object with a scenario")])
    unknown = [k for k in body if k not in BODY_KEYS]
    if unknown or "scenario" not in body:
        problems = [(str(k)[:40], f"unknown key (expected {', '.join(BODY_KEYS)})") for k in unknown[:5]]
        if "scenario" not in body:
            problems.append(("scenario", "required: the scenario to run, in the scenario-file format"))
        raise model.ScenarioProblems("request", problems)
    data_years = outturn_years(store)
    scenario = _checked(body["scenario"], "scenario", max_draws, data_years, store)
    raw_baseline = body.get("baseline") or baseline_of(body["scenario"])
    baseline = _checked(raw_baseline, "baseline", max_draws, data_years, store)
    if baseline.first_year != scenario.first_year:
        raise model.ScenarioProblems("request", [("baseline.base_year", "must equal the scenario's base_year")])
    years = [y for y in scenario.projection_years if y in set(baseline.projection_years)]
    if not years:
        raise model.ScenarioProblems("request", [("baseline.years", "no projection year in common with the scenario")])
    year = years[-1]
    if body.get("year") is not None:
        try:
            year = parse_year(body["year"])
        except Exception as exc:  # a year the parser refuses
            raise model.ScenarioProblems("request", [("year", str(exc))]) from None
        if year not in years:
            raise model.ScenarioProblems("request", [("year", f"{year_label(year)} is not projected by both "
                                                              f"(years {year_label(years[0])}..{year_label(years[-1])})")])
    cache = inputs if inputs is not None else {}
    if scenario.first_year not in cache:
        cache[scenario.first_year] = load_inputs(store, scenario.first_year)
    held = cache[scenario.first_year]

    result = runner.run(scenario, store, draws=scenario.draws, inputs=held)
    base = runner.run(baseline, store, draws=1, inputs=held)
    _deadline(started, time_limit)
    places = compare.by_place(base, result, year, store)
    _deadline(started, time_limit)

    england = result.england.copy()
    england.insert(1, "label", england["year"].map(year_label))
    england = _money(england, ["p5", "p25", "p50", "p75", "p95", "central"])
    groups = {name: _money(compare.by_group(places, column), ["change"]).assign(group=lambda f: f["group"].astype(str))
              for name, column in (("region", "region"), ("type", "tier_label"), ("deprivation", "imd2025_decile"))}
    shown = places[["code", "name", "tier_label", "region", "imd2025_decile", "population", "gap_baseline",
                    "gap_scenario", "change", "change_per_head", "outcome"]]
    shown = _money(shown, ["gap_baseline", "gap_scenario", "change"])
    outcomes = places["outcome"].value_counts()
    at_year = england[england["year"] == year].iloc[0]
    return {
        "scenario": scenario.name, "baseline": baseline.name, "draws": result.draws, "seed": scenario.seed,
        "years": [year_label(y) for y in result.years], "year": year_label(year),
        "units": "£m cash unless named (per head: £ cash per resident)",
        "england": records(england),
        "england_at_year": {"year": year_label(year), **{k: float(at_year[k]) for k in
                                                           ("p5", "p25", "p50", "p75", "p95", "central")},
                            "baseline_central": float(places["gap_baseline"].sum() / 1e6),
                            "change_central": float(places["change"].sum() / 1e6)},
        "outcomes": {k: int(outcomes.get(k, 0)) for k in ("gains", "loses", "no change")},
        "by_region": records(groups["region"]), "by_type": records(groups["type"]),
        "by_deprivation": records(groups["deprivation"]),
        "places": records(shown),
        "resolved": records(result.resolved.assign(value=result.resolved["value"].astype(float))),
        "left_out": records(held.left_out),
        "deals_applied": not any(n.startswith("deals:") and DEALS_NOT_APPLIED in n for n in result.notes),
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
