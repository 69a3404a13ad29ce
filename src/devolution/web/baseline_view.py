"""A place's funding gap under current policy, for its page: the scenario page's starting point
(``scenarios.knobs.defaults``: the template's illustrative assumptions at their central values) run
as current policy (``scenarios.recompute.baseline_of``: no reform, council tax raised to the referendum
limit each year), one central projection of every council, kept for the app's life. A council
shows its own gap; a strategic authority the sum over its member councils. Presentation only: the
figures come from ``scenarios.runner`` (``breakdown``)."""

from __future__ import annotations

import numpy as np

from devolution.exports import records
from devolution.places.tiers import COUNCIL_TIERS, SA_TIERS
from devolution.scenarios import model, runner
from devolution.scenarios.knobs import defaults
from devolution.scenarios.recompute import baseline_of
from devolution.web import charts
from devolution.web.state import AppState, StoreReads, scenario_inputs
from devolution.years import year_label


def baseline(state: AppState):
    """The current-policy central run of every council (computed once)."""
    def build(store):
        scenario = model.check(baseline_of(defaults()), "web defaults (current policy)")
        return runner.run(scenario, StoreReads(state), draws=1, inputs=scenario_inputs(state, scenario.first_year),
                          place_percentiles=False)

    return state.cached("baseline_run", build)


def gap_view(state: AppState, code: str, tier: str) -> dict | None:
    """The place's gap by year with what makes it (first and last year), or why there is none;
    None for places that are neither councils nor strategic authorities."""
    if tier not in COUNCIL_TIERS and tier not in SA_TIERS:
        return None
    result = baseline(state)
    inputs = result.inputs
    members = [code] if tier in COUNCIL_TIERS else list(inputs.codes[inputs.strategic_authority == code])
    found = [c for c in members if c in set(inputs.codes)]
    left = inputs.left_out
    if not found:
        why = left.loc[left["code"] == code, "reason"]
        return {"none": (why.iloc[0] if len(why) else "not projected: no member council in the projection's base year")}
    where = np.isin(inputs.codes, found)
    gap = result.arrays["gap"][where].sum(axis=0)
    by_year = [{"label": year_label(int(y)), "value": float(v) / 1e6} for y, v in zip(result.years, gap)]
    table = runner.breakdown(result, found)
    first, last = year_label(int(result.years[0])), year_label(int(result.years[-1]))
    table[[first, last]] = table[[first, last]] / 1e6
    missing = [c for c in members if c not in found]
    return {
        "first": first, "last": last, "gap_last_m": by_year[-1]["value"], "by_year": by_year,
        "breakdown": records(table), "councils": len(found),
        "left_out": records(left[left["code"].isin(missing)][["code", "name", "reason"]]),
        "spec": charts.trend(by_year, "Funding gap under current policy (£m, cash)", "£m (cash)"),
        "assumptions": "The scenario page's starting assumptions (illustrative ranges, not forecasts) at their "
                       "central values; council tax raised to the referendum limit each year; no reform.",
        "notes": result.notes,
    }
