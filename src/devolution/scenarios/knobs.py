"""The scenario page's knobs: the few choices a visitor turns (the core and adult social care
referendum limits, the business rates local share and levy, the council tax increase, devolution by
default, years, draws, seed), each checked and normalised into one canonical scenario whose JSON is
the cache key of its run (:func:`knob_scenario`), and what the page shows before a run
(:func:`describe`). The run itself is :func:`devolution.scenarios.recompute.recompute`.
"""

from __future__ import annotations

import copy
import functools
import json
import math

import yaml

from devolution import parameters as parameters_module
from devolution.errors import ParameterError
from devolution.scenarios import template
from devolution.scenarios.inputs import Inputs, load_inputs, outturn_years
from devolution.scenarios.model import LIMITS, RETENTION, ScenarioProblems
from devolution.scenarios.schema import MAX_YEARS
from devolution.years import parse_year, parse_year_range, year_label

LOCAL_SHARE = RETENTION["local_share"]
LEVY_CAP = RETENTION["levy_rate_cap"]
#: The knobs the web page turns, by the dotted key they set in the scenario.
KNOBS = (f"parameters.{LIMITS['core_limit']}", f"parameters.{LIMITS['asc_limit']}",
         f"parameters.{LOCAL_SHARE}", f"parameters.{LEVY_CAP}",
         "assumptions.council_tax_increase", "deals.devolution_by_default", "years", "draws", "seed")
#: Knobs the page offers as a choice (a select), by knob: the retention shares of the 50%, 75%
#: and 100% business rates retention schemes (parameters/business_rates/local_share.yaml), and the
#: levy kept at its cap (SI 2013/737, 0.5) or abolished (as in the 100% pilots).
CHOICES = {f"parameters.{LOCAL_SHARE}": (0.5, 0.75, 1.0), f"parameters.{LEVY_CAP}": (0.0, 0.5)}
#: Draws of the page's quick run (its percentiles are rougher than 1,000 draws' and the page says
#: so; the ``draws`` knob asks for up to the full Monte Carlo).
INTERACTIVE_DRAWS = 100


def defaults() -> dict:
    """The scenario the web page starts from: the commented template ``devo scenario new`` writes
    (its assumptions are illustrative ranges, not official forecasts)."""
    return copy.deepcopy(_defaults())


@functools.lru_cache(maxsize=1)
def _defaults() -> dict:
    raw = yaml.safe_load(template.render("web scenario"))
    raw["description"] = "Set on the web page"
    return raw


def describe(store, inputs: Inputs | None = None, max_draws: int = 1000) -> dict:
    """What the page needs before a run: the default scenario, the knobs with their current
    (parameter) values and bounds."""
    first, last = outturn_years(store)
    scenario = defaults()
    inputs = inputs or load_inputs(store, parse_year(scenario["base_year"]))
    tree = parameters_module.default()
    start = parse_year_range(scenario["years"])[0]
    current = {path: tree.value(path, start) for path in LIMITS.values()}
    return {"defaults": scenario, "knobs": list(KNOBS), "max_draws": max_draws, "max_years": MAX_YEARS,
            "choices": {k: list(v) for k, v in CHOICES.items()}, "interactive_draws": INTERACTIVE_DRAWS,
            "current_local_share": float(tree.value(LOCAL_SHARE, start)),
            "current_levy_rate_cap": float(tree.value(LEVY_CAP, start)),
            "base_years": [year_label(first), year_label(last)],
            "current_limits": {path: (None if v is None else float(v)) for path, v in current.items()},
            "current_limits_year": year_label(start)}


def _number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _override(knob: str, value, first: int, last: int, tree) -> tuple[dict | None, str | None]:
    """A parameter knob as an override ``{year label: value}`` (a bare number: from the first
    projection year), or None when it changes nothing in the projection's years."""
    if value is None:  # an empty field is refused, never run as the default or as 0
        return None, "expected a number or {year: number}, not null (an empty or invalid field)"
    if _number(value):
        value = {year_label(first): value}
    if not isinstance(value, dict) or not value or len(value) > MAX_YEARS:
        return None, "expected a number or {year: number} (e.g. {\"2026-27\": 0.05})"
    out = {}
    for year, v in value.items():
        try:
            label = year_label(parse_year(year))
        except Exception as exc:  # a year the parser refuses
            return None, f"{str(year)[:20]!r}: {exc}"
        if not _number(v):
            return None, f"{label}: expected a number, not {str(v)[:20]!r}"
        choices = CHOICES.get(knob)
        if choices and not any(abs(v - c) < 1e-9 for c in choices):
            return None, f"{label}: {v!r} is not offered (expected one of {', '.join(map(str, choices))})"
        out[label] = round(float(v), 9)
    out = dict(sorted(out.items(), key=lambda item: parse_year(item[0])))
    starts = [(parse_year(label), v) for label, v in out.items()]
    try:  # in force anyway in every year it would set: dropped (one cache key for one run)
        if all(abs(float(tree.value(knob.removeprefix("parameters."), y)) - [v for s, v in starts if s <= y][-1]) < 1e-12
               for y in range(starts[0][0], last + 1)):
            return None, None
    except (ParameterError, TypeError, ValueError):  # unknown, null or unverified: model.check decides
        pass
    return out, None


def knob_scenario(knobs, max_draws: int) -> tuple[str, dict]:
    """The scenario the page's knobs describe, and its cache key (the scenario as canonical JSON).

    ``knobs``: ``{knob: value}`` for some of ``KNOBS`` (the others keep the page's defaults, with
    ``INTERACTIVE_DRAWS`` draws). Parameter knobs take a number (from the first projection year) or
    ``{year: number}``; numbers are rounded to 1e-9, years written as labels, and an override equal
    to the value in force in every year it covers is dropped. Every bad knob is listed by its name
    (:class:`ScenarioProblems`); the values themselves are checked by ``model.check`` at the run.
    """
    if not isinstance(knobs, dict):
        raise ScenarioProblems("knobs", [("(top)", f"expected an object of knobs ({', '.join(KNOBS)})")])
    problems = [(str(k)[:60], f"unknown knob (expected one of {', '.join(KNOBS)})") for k in knobs if k not in KNOBS]
    raw = defaults()
    raw.update(name="web scenario", draws=INTERACTIVE_DRAWS, parameters={})
    if "years" in knobs:
        try:
            years = parse_year_range(str(knobs["years"]))
            raw["years"] = f"{year_label(years[0])}..{year_label(years[-1])}"
        except Exception as exc:  # a range the parser refuses
            problems.append(("years", f"{exc} (expected e.g. 2025-26..2034-35)"))
    for knob in ("draws", "seed"):
        if knob in knobs:
            v = knobs[knob]
            low, high = (1, max_draws) if knob == "draws" else (0, 2**63 - 1)
            if not (isinstance(v, int) and not isinstance(v, bool) and low <= v <= high):
                problems.append((knob, f"expected a whole number from {low:,} to {high:,}, not {str(v)[:20]!r}"))
            else:
                raw[knob] = v
    if "assumptions.council_tax_increase" in knobs:
        v = knobs["assumptions.council_tax_increase"]
        if v != "max" and not _number(v):
            problems.append(("assumptions.council_tax_increase", f"expected \"max\" or a yearly share, not {str(v)[:20]!r}"))
        else:
            raw["assumptions"]["council_tax_increase"] = v if v == "max" else round(float(v), 9)
    if "deals.devolution_by_default" in knobs:
        v = knobs["deals.devolution_by_default"]
        if not isinstance(v, bool):
            problems.append(("deals.devolution_by_default", f"expected true or false, not {str(v)[:20]!r}"))
        else:
            raw["deals"]["devolution_by_default"] = v
    first, last = (lambda ys: (ys[0], ys[-1]))(parse_year_range(raw["years"]))
    tree = parameters_module.default()
    for knob in (k for k in KNOBS if k.startswith("parameters.") and k in knobs):
        override, problem = _override(knob, knobs[knob], first, last, tree)
        if problem:
            problems.append((knob, problem))
        elif override:
            raw["parameters"][knob.removeprefix("parameters.")] = override
    if problems:
        raise ScenarioProblems("knobs", problems)
    return json.dumps(raw, sort_keys=True), raw
