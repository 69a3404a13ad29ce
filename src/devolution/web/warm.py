"""Pages prepared before their first visitor (issue #20). Most visitors to a place page are its
first visitor that hour, and a place page is built from the place budget, the deals, readiness, the
funding gap and the comparison with its peers: about half a second of pandas on this machine. So
``devo serve`` builds every current place's page and every current council's simulator page once
at start-up, in a background thread, into the app's cache (``AppState.cached``), and keeps each
answer as the bytes served (:mod:`devolution.web.served`: the place page's HTML and JSON twin, the
simulator's API answer and its page's HTML with a stand-in for the visitor's CSRF token); a visitor
then gets bytes from memory. The site pages that take seconds to build (the deals timeline, the
reorganisation page's default example and its history table) are prepared last. Visitors come first: the thread waits while any request is queued for
the store, and stops with the app.

On by default under ``devo serve`` (``DEVOLUTION_WARM_PAGES=0`` turns it off); off in an app made
by ``create_app`` for tests unless ``Settings.warm_pages`` is set. Former councils' pages (their
history) are built on first visit only.
"""

from __future__ import annotations

import logging
import threading
import time

from fastapi import HTTPException

from devolution.errors import DevolutionError
from devolution.places.tiers import COUNCIL_TIERS, SA_TIERS
from devolution.web.routers import budgets, deals, places, reorganisation, simulator
from devolution.web.state import AppState, Busy

log = logging.getLogger("devolution.web")


#: Site pages that take seconds to build the first time, prepared after the places' pages.
SITE = {"deals_timeline": deals.timeline_frame, "reorganisation": reorganisation.prepare}


def pages(state: AppState) -> list[tuple[str, str]]:
    """(kind, code) of every page to prepare: each current place's page and its budget API's
    default answer, then each current council's simulator page, then the slow site pages (:data:`SITE`)."""
    register = state.places()
    current = register[register["current"].astype(bool)]
    councils = current[current["tier"].isin(COUNCIL_TIERS)]
    return ([("place", c) for c in current["code"]] + [("budget_api", c) for c in current["code"]]
            + [("simulator", c) for c in councils["code"]] + [("site", name) for name in SITE])


def shared_parts(state: AppState) -> float:
    """Build what pages share before the server says it is ready (seconds taken; about 6 s on
    this machine): the register, the year's place budget inputs, the scenario baseline behind the
    funding gap, the deals register and the tables of the maps and peers, by preparing the first
    council's and the first strategic authority's place page and the first simulator page. Built
    later, in the warming thread, they held the store for those seconds while a visitor to a page
    not prepared (a former council's) waited at the cold-work gate and could be sent a 503."""
    started = time.perf_counter()
    register = state.places()
    listed = pages(state)
    tiers = register.set_index("code")["tier"]
    firsts = [next(((k, c) for k, c in listed if k == "place" and tiers[c] in tier), None)
              for tier in (COUNCIL_TIERS, SA_TIERS)] + [next(((k, c) for k, c in listed if k == "simulator"), None)]
    warm_pages(state, codes=[page for page in firsts if page is not None], pause=0.0, quiet=True)
    return time.perf_counter() - started


def warm_pages(state: AppState, stop: threading.Event | None = None, codes: list[tuple[str, str]] | None = None,
               pause: float = 0.005, quiet: bool = False) -> dict[str, int]:
    """Build ``codes`` (default :func:`pages`) into the app's cache, one page at a time, yielding
    the store to any request waiting for it. Returns counts: ``built``, ``refused`` (a page that is
    a 404 for everyone, e.g. a council with no outturn), ``busy`` (left for its first visitor) and
    ``failed`` (an error, logged)."""
    stop = stop or threading.Event()
    build = {"place": places.prepare, "budget_api": budgets.prepare, "simulator": simulator.prepare,
             "site": lambda state, name: SITE[name](state)}
    counts = {"built": 0, "refused": 0, "busy": 0, "failed": 0}
    started = time.perf_counter()
    for kind, code in codes if codes is not None else pages(state):
        while state.work.waiting and not stop.is_set():  # a visitor is queued for the store: let it go first
            time.sleep(pause)
        if stop.is_set():
            break
        try:
            build[kind](state, code)
            counts["built"] += 1
        except (HTTPException, DevolutionError):
            counts["refused"] += 1
        except Busy:
            counts["busy"] += 1
        except Exception:  # a fault in one page must not stop the others; its visitor sees it too
            log.exception("preparing the %s page of %s failed", kind, code)
            counts["failed"] += 1
        time.sleep(pause)  # let a request that arrived meanwhile take the store
    if not quiet:
        log.info("prepared %d pages in %.0f s (%d with no page, %d left to their first visitor, %d failed)",
                 counts["built"], time.perf_counter() - started, counts["refused"], counts["busy"], counts["failed"])
    return counts


def start(state: AppState) -> tuple[threading.Thread, threading.Event]:
    """:func:`warm_pages` in a daemon thread; set the event to stop it."""
    stop = threading.Event()
    thread = threading.Thread(target=warm_pages, args=(state, stop), name="devolution-warm-pages", daemon=True)
    thread.start()
    return thread, stop
