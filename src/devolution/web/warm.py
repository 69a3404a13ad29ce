"""Pages prepared before their first visitor (issue #20). Most visitors to a place page are its
first visitor that hour, and a place page is built from the place budget, the deals, readiness, the
funding gap and the comparison with its peers: about half a second of pandas on this machine. So
``devo serve`` prepares, at start-up, in a background thread, into the app's cache
(``AppState.cached``), every answer a visitor is likely to ask for first, each kept as the bytes
served (:mod:`devolution.web.served`), so that a visitor gets bytes from memory:

* per place (kept under the register's code, whatever spelling is asked): each current place's page
  (HTML and JSON twin); each current council's simulator page and API answer, and its simulator
  results page (kept while no budget is submitted);
* by address (:class:`devolution.web.served.Kept`): the site's own pages and API routes as the
  site links to them (:func:`addresses`: every GET route kept by address with no path parameter,
  such as the map, deals and timeline, overview, scenarios, every
  shipped reorganisation example, the API documentation), each current place's budget API default
  answer, and the latest settlement year's table and each authority's step-by-step explanation.

Visitors come first: the thread waits while any request is queued for the store, and stops with
the app. An address is prepared by asking the app itself for it (in-process, through every
middleware), so what is kept is exactly what a visitor would have been sent.

On by default under ``devo serve`` (``DEVOLUTION_WARM_PAGES=0`` turns it off); off in an app made
by ``create_app`` for tests unless ``Settings.warm_pages`` is set. Former councils' pages (their
history), other years and other query strings are built on first visit, then kept.
"""

from __future__ import annotations

import asyncio
import contextvars
import gc
import logging
import threading
import time

import httpx
from fastapi import HTTPException

from devolution.analysis import reorganisation as reorganisation_package
from devolution.errors import DevolutionError
from devolution.places.tiers import COUNCIL_TIERS, SA_TIERS
from devolution.web import served
from devolution.web.routers import places, results, settlement, simulator
from devolution.web.routers.maps import DEFAULT_MEASURE
from devolution.web.state import PREPARING, AppState, Busy

log = logging.getLogger("devolution.web")

#: Addresses the site's pages link to that no route gives by itself: a route with a path parameter
#: (the map's table of its default measure and its downloads) or a query (the home page's search
#: examples). Every GET route marked ``by_address`` with no path parameter is added (:func:`site`).
LINKED = (f"/api/map/{DEFAULT_MEASURE}", f"/api/map/{DEFAULT_MEASURE}.csv", f"/api/map/{DEFAULT_MEASURE}.parquet",
          "/search?q=Kent", "/search?q=Leeds")


def site(app) -> list[str]:
    """The site's own addresses: every GET route kept by address that takes no path parameter (the
    home page, the map, deals and timeline, overview, scenarios, the API documentation ...), in the
    order the app declares them, then :data:`LINKED`. A new page is prepared without being listed."""
    routes = app.state.routes
    bare = [route.path for route in routes if served.is_by_address(route.endpoint)
            and "GET" in (getattr(route, "methods", None) or ()) and "{" not in route.path]
    return list(dict.fromkeys([*bare, *LINKED]))


class Failed(Exception):
    """An address the app answered with a server error while it was prepared."""


def addresses(app) -> list[str]:
    """Every address prepared by asking the app (:func:`site`, each reorganisation example's page,
    and the latest settlement year's table and explanations), in that order."""
    state: AppState = app.state.data
    out = site(app) + [f"/reorganisation?example={name}" for name in reorganisation_package.example_names()]
    years = settlement.years_held(state)
    if years:
        latest = years[-1]
        out.append(f"/api/settlement/{latest}")
        out += [f"/api/settlement/{latest}/{code}/explain" for code in settlement.settled_codes(state, latest)]
    return out


def pages(app) -> list[tuple[str, str]]:
    """(kind, code or address) of every answer to prepare: each current place's page and its budget
    API's default answer, each current council's simulator page and results, then :func:`addresses`."""
    register = app.state.data.places()
    current = register[register["current"].astype(bool)]
    councils = current[current["tier"].isin(COUNCIL_TIERS)]
    return ([("place", c) for c in current["code"]] + [("budget_api", c) for c in current["code"]]
            + [("simulator", c) for c in councils["code"]] + [("results", c) for c in councils["code"]]
            + [("address", path) for path in addresses(app)])


def shared_parts(app) -> float:
    """Build what pages share before the server says it is ready (seconds taken; about 6 s on
    this machine): the register, the year's place budget inputs, the scenario baseline behind the
    funding gap, the deals register and the tables of the maps and peers, by preparing the first
    council's and the first strategic authority's place page and the first simulator page. Built
    later, in the warming thread, they held the store for those seconds while a visitor to a page
    not prepared (a former council's) waited at the cold-work gate and could be sent a 503."""
    started = time.perf_counter()
    state = app.state.data
    register = state.places()
    listed = pages(app)
    tiers = register.set_index("code")["tier"]
    firsts = [next(((k, c) for k, c in listed if k == "place" and tiers[c] in tier), None)
              for tier in (COUNCIL_TIERS, SA_TIERS)] + [next(((k, c) for k, c in listed if k == "simulator"), None)]
    warm_pages(app, codes=[page for page in firsts if page is not None], pause=0.0, quiet=True)
    return time.perf_counter() - started


def warm_pages(app, stop: threading.Event | None = None, codes: list[tuple[str, str]] | None = None,
               pause: float = 0.005, quiet: bool = False) -> dict[str, int]:
    """Prepare ``codes`` (default :func:`pages`) into the app's cache, one at a time, yielding the
    store to any request waiting for it, then (unless ``quiet``) :func:`settle` and log what was
    done. Returns counts: ``built``, ``refused`` (a page that is a
    404 for everyone, e.g. a council with no outturn), ``busy`` (left for its first visitor) and
    ``failed`` (an error, logged)."""
    state: AppState = app.state.data
    stop = stop or threading.Event()
    loop = asyncio.new_event_loop()
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://devolution.warm",
                               headers={served.PREPARE_HEADER: app.state.prepare_secret, "accept": "text/html"})
    build = {"place": lambda code: places.prepare(state, code),
             "budget_api": lambda code: loop.run_until_complete(_ask(client, f"/api/places/{code}/budget")),
             "simulator": lambda code: simulator.prepare(state, code),
             "results": lambda code: results.prepare(app.state.submissions, state, code),
             "address": lambda path: loop.run_until_complete(_ask(client, path))}
    counts = {"built": 0, "refused": 0, "busy": 0, "failed": 0}
    started = time.perf_counter()
    try:
        for kind, code in codes if codes is not None else pages(app):
            while state.work.visitors_active() and not stop.is_set():  # a visitor is at the store: it goes first
                time.sleep(max(pause, 0.005))
            if stop.is_set():
                break
            try:
                # each page in a context of its own, as each request is: the store gate's deadline
                # (state._deadline) is kept in the context, and one wait in this long-lived thread
                # must not refuse every later page once its cold_wait has passed; PREPARING tells
                # the gate this is not a visitor (it gives way to visitors: ColdWork.visitors_active)
                context = contextvars.Context()
                context.run(PREPARING.set, True)
                context.run(build[kind], code)
                counts["built"] += 1
            except (HTTPException, DevolutionError):
                counts["refused"] += 1
            except Busy:
                counts["busy"] += 1
            except Exception:  # a fault in one page must not stop the others; its visitor sees it too
                log.exception("preparing the %s page of %s failed", kind, code)
                counts["failed"] += 1
            time.sleep(pause)  # let a request that arrived meanwhile take the store
    finally:
        loop.run_until_complete(client.aclose())
        loop.close()
    if not quiet:
        settle()
        log.info("prepared %d pages in %.0f s (%d with no page, %d left to their first visitor, %d failed)",
                 counts["built"], time.perf_counter() - started, counts["refused"], counts["busy"], counts["failed"])
    return counts


async def _ask(client: httpx.AsyncClient, path: str) -> None:
    """GET ``path`` from the app; a 503 is :class:`Busy` (left for its first visitor), another error
    status a refusal, a server error :class:`Failed`."""
    answer = await client.get(path)
    if answer.status_code == 503:
        raise Busy(f"{path} answered 503")
    if answer.status_code >= 500:
        raise Failed(f"{path} answered {answer.status_code}: {answer.text[:200]}")
    if answer.status_code >= 400:
        raise HTTPException(answer.status_code, answer.text[:200])


def start(app) -> tuple[threading.Thread, threading.Event]:
    """:func:`warm_pages` in a daemon thread; set the event to stop it."""
    stop = threading.Event()
    thread = threading.Thread(target=warm_pages, args=(app, stop), name="devolution-warm-pages", daemon=True)
    thread.start()
    return thread, stop


def settle() -> None:
    """Move everything made so far out of the garbage collector's sight (``gc.freeze``): the kept
    pages, tables and documents live as long as the server, and a full collection walked them all,
    a pause of up to half a second on this machine in which no request was answered (four budget
    answers at once took 0.52 s in ``bench_pages_cold.py``)."""
    gc.collect()
    gc.freeze()
