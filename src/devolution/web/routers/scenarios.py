"""Scenario runs over the web (``scenarios.knobs``, ``scenarios.recompute``): the page turns the main knobs (core
and adult social care referendum limits from a year, the business rates local share, the council
tax increase policy, devolution by default, years, draws), posts them to
``/api/scenarios/recompute`` and shows England's gap with its percentiles, winners and losers by
region, type and deprivation, and the spread of the change. ``/api/scenarios/run`` runs any
scenario in the file format (the full Monte Carlo on request).

Runs are bounded: at most ``MAX_DRAWS`` draws and ``scenarios.schema.MAX_YEARS`` years, a time
limit (503 beyond it). They compute in worker processes (``WORKERS``, one per core,
:mod:`devolution.web.scenario_workers`) spoken to over the event loop's own pipes, so a
computation never holds the server's GIL while cached answers are served, and its answer comes
back on the loop's next turn; ``devo serve`` starts them with the app, and the app stops them.
Recomputes are cached by their normalised knobs (``CACHED_RECOMPUTES``, least recently used,
as encoded JSON); clients asking for a combination being computed wait for that one computation.
Identical ``run`` bodies are served from a small cache.
"""

from __future__ import annotations

import asyncio
import gzip
import json
import os
from typing import Any

from fastapi import APIRouter, Body, Depends, HTTPException, Request
from fastapi.responses import JSONResponse, Response

from devolution.scenarios.knobs import defaults, describe as describe_knobs, knob_scenario
from devolution.scenarios.model import ScenarioProblems
from devolution.scenarios.recompute import TimeLimitExceeded
from devolution.memo import Recent
from devolution.web import scenario_workers, served
from devolution.web.formats import reads_query
from devolution.web.routers import data
from devolution.web.state import AppState, scenario_inputs
from devolution.web.templating import templates
from devolution.years import parse_year, year_label

router = APIRouter(tags=["scenarios"])

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


def _pool(state: AppState) -> scenario_workers.Pool:
    """The worker pool of the running event loop (its pipes belong to that loop: a test client
    that starts another loop gets a new pool, and the old one's workers are stopped)."""
    loop = asyncio.get_running_loop()
    pool = state.memo("scenario_pool", lambda s: scenario_workers.Pool(s.path, WORKERS))
    if pool.loop is not loop:
        state.forget("scenario_pool")
        pool.kill()
        pool = state.memo("scenario_pool", lambda s: scenario_workers.Pool(s.path, WORKERS))
    return pool


def _recomputes(state: AppState) -> dict:
    """Answers by knob key (``done``, least recently used first) and computations under way
    (``running``); touched only on the event loop's thread."""
    return state.memo("scenario_recomputes", lambda s: {"done": Recent(CACHED_RECOMPUTES), "running": {}})


def _claim(cache: dict, key: str) -> asyncio.Future:
    """Mark a knob setting as being computed: clients asking for it meanwhile wait on this."""
    waiter = cache["running"][key] = asyncio.get_running_loop().create_future()
    return waiter


async def _compute(state: AppState, cache: dict, key: str, raw: dict, waiter: asyncio.Future) -> bytes:
    """Compute a claimed knob setting (:func:`_claim`), settle its waiter, and keep the answer (not a
    failure) among the recent ones. Awaited by the asking request itself (each hand-over between
    tasks costs a turn of a busy event loop)."""
    try:
        encoded = await _in_pool(state, "recompute", raw, TIME_LIMIT)
    except BaseException as exc:
        if not waiter.done():
            # a stopped computation (over the time limit) is a timeout for those who joined it: 503
            waiter.set_exception(exc if isinstance(exc, Exception) else asyncio.TimeoutError())
            waiter.exception()  # retrieved: whoever joined reports it, nobody else need
        raise
    finally:
        cache["running"].pop(key, None)
    cache["done"].put(key, encoded)
    if not waiter.done():
        waiter.set_result(encoded)
    return encoded


def warm(state: AppState) -> None:
    """Start the worker processes with the app and have each read the base year's inputs and run
    the page's default knobs, so the first visitors' recomputes do not wait for that; the default
    answer is kept as the page's first. Called on the event loop (the app's startup)."""
    key, raw = knob_scenario({}, MAX_DRAWS)
    pool = _pool(state)
    cache = _recomputes(state)
    first = asyncio.ensure_future(_compute(state, cache, key, raw, _claim(cache, key)))
    others = [asyncio.ensure_future(pool.call("recompute", raw, TIME_LIMIT, timeout=TIME_LIMIT))
              for _ in range(WORKERS - 1)]  # each call holds a worker until done: one per worker
    for task in (first, *others):
        task.add_done_callback(lambda f: f.cancelled() or f.exception())  # a failure is the next run's to report


async def shutdown(state: AppState) -> None:
    """Stop the worker processes (the next run starts new ones)."""
    pool = state.forget("scenario_pool")
    if pool is None:
        return
    try:
        running = asyncio.get_running_loop()
    except RuntimeError:
        running = None
    if pool.loop is running:
        await pool.close()
    else:
        pool.kill()


async def _in_pool(state: AppState, name: str, *args) -> bytes:
    return await _pool(state).call(name, *args, timeout=TIME_LIMIT)


def describe(state: AppState) -> dict:
    def build(store):
        return describe_knobs(store, scenario_inputs(state, parse_year(defaults()["base_year"])), MAX_DRAWS)

    return state.cached("scenario_describe", build)


@router.get("/api/scenarios", summary="The scenario page's knobs: default scenario, current limits, bounds")
@served.by_address
def scenario_knobs(state: AppState = Depends(data)):
    return describe(state)


def _problems(exc) -> JSONResponse:
    return JSONResponse({"error": str(exc), "status": 422,
                         "problems": [{"path": p, "message": m} for p, m in exc.problems]}, status_code=422)


async def _bounded(work) -> bytes | Response:
    """A run's encoded answer within the time limit; its problems as a 422 response; 503 (with
    Retry-After) when it is over the limit."""
    try:
        async with asyncio.timeout(TIME_LIMIT):  # no task in between (wait_for would add one)
            return await work
    except ScenarioProblems as exc:
        return _problems(exc)
    except TimeLimitExceeded as exc:
        raise HTTPException(503, str(exc), headers={"Retry-After": "30"}) from None
    except scenario_workers.WorkerDied as exc:
        raise HTTPException(503, str(exc), headers={"Retry-After": "5"}) from None
    except asyncio.TimeoutError:
        raise HTTPException(503, f"the run took longer than {TIME_LIMIT:g} s: use fewer draws or years, or "
                                 f"`devo scenario run`", headers={"Retry-After": "30"}) from None


@router.post("/api/scenarios/run", summary=f"Run a scenario (at most {MAX_DRAWS:,} draws): England's gap, winners and losers")
async def scenario_run(request: Request, body: dict[str, Any] = Body(..., examples=[EXAMPLE]),
                       state: AppState = Depends(data)):
    runs: Recent = state.memo("scenarioruns", lambda s: Recent(CACHED_RUNS))
    try:
        key = json.dumps(body, sort_keys=True, default=str)
    except (TypeError, ValueError):
        raise HTTPException(422, "the body must be plain JSON") from None
    kept = runs.get(key)
    if kept is not None:
        return _answer(request, kept)
    _limit(request)
    encoded = await _bounded(_in_pool(state, "run", body, MAX_DRAWS, TIME_LIMIT))
    if isinstance(encoded, Response):
        return encoded
    runs.put(key, encoded)
    return _answer(request, encoded)


@router.post("/api/scenarios/recompute",
             summary="The scenario page's quick run: knobs in, England's gap, winners and losers out (cached)")
async def scenario_recompute(request: Request, knobs: dict[str, Any] = Body(..., examples=[KNOB_EXAMPLE]),
                             state: AppState = Depends(data)):
    """Knobs by dotted key (``GET /api/scenarios`` lists them; any left out keep the page's default,
    with ``interactive_draws`` draws): the same answer as ``/api/scenarios/run``, plus ``scenario_run``.
    Header ``X-Cache``: ``hit`` (from memory), ``shared`` (joined a computation under way) or ``miss``."""
    try:
        key, raw = knob_scenario(knobs, MAX_DRAWS)
    except ScenarioProblems as exc:
        return _problems(exc)
    cache = _recomputes(state)
    kept, running = cache["done"].get(key), cache["running"]
    if kept is not None:
        return _answer(request, kept, {"X-Cache": "hit"})
    if key in running:
        how, work = "shared", asyncio.shield(running[key])
    else:
        _limit(request)
        how, work = "miss", _compute(state, cache, key, raw, _claim(cache, key))
    encoded = await _bounded(work)
    if isinstance(encoded, Response):
        return encoded
    return _answer(request, encoded, {"X-Cache": how})


def _limit(request: Request) -> None:
    """Per-client limit on new computations (``Settings.scenario_capacity`` at once, then
    ``scenario_per_second``): 429 with Retry-After beyond it. Answers from memory and joining a
    computation under way are never limited."""
    from devolution.web.security import client_of

    if not request.app.state.scenario_bucket.allow(client_of(request)):
        raise HTTPException(429, "too many new scenario computations from this address: wait a few seconds "
                                 "(settings already computed still answer at once)", headers={"Retry-After": "5"})


def _answer(request: Request, compressed: bytes, headers: dict | None = None) -> Response:
    """An answer kept gzip-compressed (a fifth of its size): sent as it is to clients that accept
    gzip (browsers do), decompressed for the others."""
    headers = {**(headers or {}), "Vary": "Accept-Encoding"}
    if accepts_gzip(request.headers.get("accept-encoding", "")):
        return Response(compressed, media_type="application/json", headers={**headers, "Content-Encoding": "gzip"})
    return Response(gzip.decompress(compressed), media_type="application/json", headers=headers)


def accepts_gzip(header: str) -> bool:
    """Whether an Accept-Encoding header allows gzip (named or ``*``, and not with ``q=0``)."""
    for part in header.lower().split(","):
        coding, _, params = part.strip().partition(";")
        if coding.strip() in ("gzip", "*"):
            q = params.strip().removeprefix("q=")
            try:
                return not params.strip().startswith("q=") or float(q) > 0
            except ValueError:
                return False
    return False


@router.get("/scenarios.json", include_in_schema=False)
@served.by_address
def scenario_page_json(state: AppState = Depends(data)):
    return describe(state)


#: The knobs the scenarios page's script keeps in its address (static/app.js, ``KNOBS`` with
#: ``policy`` and ``dbd``), so that a reload keeps them.
PAGE_KNOBS = ("core", "asc", "share", "levy", "from", "fixed", "end", "draws", "seed", "policy", "dbd")


@router.get("/scenarios", include_in_schema=False)
@served.by_address
@reads_query(*PAGE_KNOBS)
def scenario_page(request: Request, state: AppState = Depends(data)):
    document = describe(state)
    first = parse_year(document["defaults"]["base_year"]) + 1
    years = [year_label(y) for y in range(first, first + document["max_years"] - 1)]
    return templates.TemplateResponse(request, "scenarios.html", {"doc": document, "end_years": years})
