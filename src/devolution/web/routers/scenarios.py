"""Scenario runs over the web (``devolution.scenarios.web``): the page turns the main knobs (core
and adult social care referendum limits from a year, the business rates local share, the council
tax increase policy, devolution by default, years, draws), posts them to
``/api/scenarios/recompute`` and shows England's gap with its percentiles, winners and losers by
region, type and deprivation, and the spread of the change. ``/api/scenarios/run`` runs any
scenario in the file format (the full Monte Carlo on request).

Runs are bounded: at most ``MAX_DRAWS`` draws and ``scenarios.model.MAX_YEARS`` years, a time
limit (503 beyond it). They compute in worker processes (``WORKERS``, one per core,
:mod:`devolution.web.scenario_workers`), so a computation never holds the server's GIL while
cached answers are served; the app shuts the pool down when it stops.
Recomputes are cached by their normalised knobs (``CACHED_RECOMPUTES``, least recently used,
as encoded JSON); clients asking for a combination being computed wait for that one computation.
Identical ``run`` bodies are served from a small cache. 501 until the scenarios package exists.
"""

from __future__ import annotations

import asyncio
import json
import os
from collections import OrderedDict
from typing import Any

from fastapi import APIRouter, Body, Depends, HTTPException, Request
from fastapi.responses import JSONResponse, Response

from devolution.web import scenario_workers
from devolution.web.routers import data, not_yet, optional
from devolution.web.state import AppState, StoreReads
from devolution.years import parse_year, year_label

router = APIRouter(tags=["scenarios"])
web = optional("devolution.scenarios.web")

MAX_DRAWS = 1000
TIME_LIMIT = 20.0   # seconds a run may take (1,000 draws x 30 years x 308 councils take about 1 s)
CACHED_RUNS = 32
CACHED_RECOMPUTES = 512   # answers of about 130 kB: at most about 70 MB
WORKERS = max(1, min(4, os.cpu_count() or 1))

EXAMPLE = {"scenario": {"name": "5% core limit", "years": "2025-26..2034-35", "draws": 200,
                        "parameters": {"council_tax.referendum.core_limit": {"2026-27": 0.05}},
                        "assumptions": {"inflation": {"distribution": "normal", "mean": 0.02, "sd": 0.005}}}}


KNOB_EXAMPLE = {"parameters.council_tax.referendum.core_limit": {"2026-27": 0.05},
                "parameters.business_rates.local_share": {"2026-27": 0.75},
                "assumptions.council_tax_increase": "max", "years": "2025-26..2034-35"}


def _inputs(state: AppState) -> dict:
    return state.cached("scenario_inputs", lambda s: {})


def _reads(state: AppState) -> StoreReads:
    return state.cached("scenario_reads", lambda s: StoreReads(state))


def _executor(state: AppState):
    return state.cached("scenario_executor", lambda s: scenario_workers.pool(s.path, WORKERS))


def shutdown(state: AppState) -> None:
    """Stop the worker processes (the next run starts new ones)."""
    pool = state.forget("scenario_executor")
    if pool is not None:
        pool.shutdown(wait=True, cancel_futures=True)


async def _in_pool(state: AppState, function, *args):
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(_executor(state), function, *args)


def describe(state: AppState) -> dict:
    if web is None:
        raise not_yet("Running scenarios over the web", "devolution.scenarios.web")

    def build(store):
        from devolution.scenarios.inputs import load_inputs
        from devolution.years import parse_year

        inputs = _inputs(state)
        base = parse_year(web.defaults()["base_year"])
        if base not in inputs:
            inputs[base] = load_inputs(_reads(state), base)
        return web.describe(store, inputs[base], MAX_DRAWS)

    return state.cached("scenario_describe", build)


@router.get("/api/scenarios", summary="The scenario page's knobs: default scenario, current limits, bounds")
def scenario_knobs(state: AppState = Depends(data)):
    return describe(state)


def _problems(exc) -> JSONResponse:
    return JSONResponse({"error": str(exc), "status": 422,
                         "problems": [{"path": p, "message": m} for p, m in exc.problems]}, status_code=422)


async def _bounded(work) -> bytes | Response:
    """A run's encoded answer within the time limit; its problems as a 422 response; 503 (with
    Retry-After) when it is over the limit."""
    from devolution.scenarios.model import ScenarioProblems

    try:
        return await asyncio.wait_for(work, TIME_LIMIT)
    except ScenarioProblems as exc:
        return _problems(exc)
    except web.TimeLimitExceeded as exc:
        raise HTTPException(503, str(exc), headers={"Retry-After": "30"}) from None
    except asyncio.TimeoutError:
        raise HTTPException(503, f"the run took longer than {TIME_LIMIT:g} s: use fewer draws or years, or "
                                 f"`devo scenario run`", headers={"Retry-After": "30"}) from None


@router.post("/api/scenarios/run", summary=f"Run a scenario (at most {MAX_DRAWS:,} draws): England's gap, winners and losers")
async def scenario_run(body: dict[str, Any] = Body(..., examples=[EXAMPLE]), state: AppState = Depends(data)):
    if web is None:
        raise not_yet("Running scenarios over the web", "devolution.scenarios.web")
    runs: OrderedDict = state.cached("scenarioruns", lambda s: OrderedDict())
    try:
        key = json.dumps(body, sort_keys=True, default=str)
    except (TypeError, ValueError):
        raise HTTPException(422, "the body must be plain JSON") from None
    if key in runs:
        runs.move_to_end(key)
        return Response(runs[key], media_type="application/json")
    encoded = await _bounded(_in_pool(state, scenario_workers.run, body, MAX_DRAWS, TIME_LIMIT))
    if isinstance(encoded, Response):
        return encoded
    runs[key] = encoded
    while len(runs) > CACHED_RUNS:
        runs.popitem(last=False)
    return Response(encoded, media_type="application/json")


@router.post("/api/scenarios/recompute",
             summary="The scenario page's quick run: knobs in, England's gap, winners and losers out (cached)")
async def scenario_recompute(knobs: dict[str, Any] = Body(..., examples=[KNOB_EXAMPLE]),
                             state: AppState = Depends(data)):
    """Knobs by dotted key (``GET /api/scenarios`` lists them; any left out keep the page's default,
    with ``interactive_draws`` draws): the same answer as ``/api/scenarios/run``, plus ``scenario_run``.
    Header ``X-Cache``: ``hit`` (from memory), ``shared`` (joined a computation under way) or ``miss``."""
    if web is None:
        raise not_yet("Running scenarios over the web", "devolution.scenarios.web")
    from devolution.scenarios.model import ScenarioProblems

    try:
        key, raw = web.knob_scenario(knobs, MAX_DRAWS)
    except ScenarioProblems as exc:
        return _problems(exc)
    cache = state.cached("scenario_recomputes", lambda s: {"done": OrderedDict(), "running": {}})
    done, running = cache["done"], cache["running"]   # touched only on the event loop's thread
    if key in done:
        done.move_to_end(key)
        return Response(done[key], media_type="application/json", headers={"X-Cache": "hit"})
    how = "shared" if key in running else "miss"
    if how == "miss":
        running[key] = asyncio.ensure_future(_in_pool(state, scenario_workers.recompute, raw, TIME_LIMIT))

        def finished(f: asyncio.Future) -> None:
            running.pop(key, None)
            if not f.cancelled() and f.exception() is None:
                done[key] = f.result()
                while len(done) > CACHED_RECOMPUTES:
                    done.popitem(last=False)

        running[key].add_done_callback(finished)
    encoded = await _bounded(asyncio.shield(running[key]))
    if isinstance(encoded, Response):
        return encoded
    return Response(encoded, media_type="application/json", headers={"X-Cache": how})


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
