"""Scenario runs over the web (``devolution.scenarios.web``): the page turns the main knobs (core
and adult social care referendum limits from a year, the council tax increase policy, devolution
by default, years, draws), posts a scenario to ``/api/scenarios/run`` and shows England's gap with
its percentiles, winners and losers by region, type and deprivation, and the spread of the change.

Runs are bounded: at most ``MAX_DRAWS`` draws and ``scenarios.model.MAX_YEARS`` years, one at a
time (the store's lock), a time limit (503 beyond it), and identical bodies are served from a
small cache. 501 until the scenarios package exists.
"""

from __future__ import annotations

import asyncio
import json
from collections import OrderedDict
from typing import Any

from fastapi import APIRouter, Body, Depends, HTTPException, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from devolution.web import charts
from devolution.web.routers import data, not_yet, optional
from devolution.web.state import AppState
from devolution.years import parse_year, year_label

router = APIRouter(tags=["scenarios"])
web = optional("devolution.scenarios.web")

MAX_DRAWS = 1000
TIME_LIMIT = 20.0   # seconds a run may take (1,000 draws x 30 years x 308 councils take about 1 s)
CACHED_RUNS = 32

EXAMPLE = {"scenario": {"name": "5% core limit", "years": "2025-26..2034-35", "draws": 200,
                        "parameters": {"council_tax.referendum.core_limit": {"2026-27": 0.05}},
                        "assumptions": {"inflation": {"distribution": "normal", "mean": 0.02, "sd": 0.005}}}}


def _inputs(state: AppState) -> dict:
    return state.cached("scenario_inputs", lambda s: {})


def describe(state: AppState) -> dict:
    if web is None:
        raise not_yet("Running scenarios over the web", "devolution.scenarios.web")

    def build(store):
        from devolution.scenarios.inputs import load_inputs
        from devolution.years import parse_year

        inputs = _inputs(state)
        base = parse_year(web.defaults()["base_year"])
        if base not in inputs:
            inputs[base] = load_inputs(store, base)
        return web.describe(store, inputs[base], MAX_DRAWS)

    return state.cached("scenario_describe", build)


@router.get("/api/scenarios", summary="The scenario page's knobs: default scenario, current limits, bounds")
def scenario_knobs(state: AppState = Depends(data)):
    return describe(state)


def _problems(exc) -> JSONResponse:
    return JSONResponse({"error": str(exc), "status": 422,
                         "problems": [{"path": p, "message": m} for p, m in exc.problems]}, status_code=422)


@router.post("/api/scenarios/run", summary=f"Run a scenario (at most {MAX_DRAWS:,} draws): England's gap, winners and losers")
async def scenario_run(body: dict[str, Any] = Body(..., examples=[EXAMPLE]), state: AppState = Depends(data)):
    if web is None:
        raise not_yet("Running scenarios over the web", "devolution.scenarios.web")
    from devolution.scenarios.model import ScenarioProblems

    runs: OrderedDict = state.cached("scenarioruns", lambda s: OrderedDict())
    try:
        key = json.dumps(body, sort_keys=True, default=str)
    except (TypeError, ValueError):
        raise HTTPException(422, "the body must be plain JSON") from None
    if key in runs:
        runs.move_to_end(key)
        return runs[key]

    def work():
        result = state.run(web.run_for_web, body, MAX_DRAWS, inputs=_inputs(state), time_limit=TIME_LIMIT)
        result["charts"] = {
            "england": charts.fan(result["england"], f"England: funding gap, {result['scenario']} "
                                                     f"({result['draws']:,} draws)", "Funding gap, £m (cash)"),
            "distribution": charts.histogram(web.distribution_values(result["places"]),
                                             f"Change in each council's gap, {result['year']}, against "
                                             f"current policy", "Change in gap, £ per resident (cash)"),
        }
        return result

    try:
        result = await asyncio.wait_for(run_in_threadpool(work), TIME_LIMIT)
    except ScenarioProblems as exc:
        return _problems(exc)
    except web.TimeLimitExceeded as exc:
        raise HTTPException(503, str(exc), headers={"Retry-After": "30"}) from None
    except asyncio.TimeoutError:
        raise HTTPException(503, f"the run took longer than {TIME_LIMIT:g} s: use fewer draws or years, or "
                                 f"`devo scenario run`", headers={"Retry-After": "30"}) from None
    runs[key] = result
    while len(runs) > CACHED_RUNS:
        runs.popitem(last=False)
    return result


@router.get("/scenarios.json", include_in_schema=False)
def scenario_page_json(state: AppState = Depends(data)):
    return describe(state)


@router.get("/scenarios", include_in_schema=False)
def scenario_page(request: Request, state: AppState = Depends(data)):
    from devolution.web.app import templates

    document = describe(state)
    first = parse_year(document["defaults"]["base_year"]) + 1
    years = [year_label(y) for y in range(first, first + document["max_years"] - 1)]
    return templates.TemplateResponse(request, "scenarios.html", {"doc": document, "end_years": years})
