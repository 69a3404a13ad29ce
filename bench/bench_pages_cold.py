"""First visits to every kind of page (issue #20): a fresh ``devo serve``, 50 clients, every council in
force asked for once (its place page, then its budget simulator page), each answer the first for
that place: p50 and p95 per page kind; then, on the same server, the other per-council routes
(place budget API, simulator results, settlement explain), every address the site's pages link to
once (``warm.site``), and a few addresses no page links to (built by their first visitor: the
figure there is the floor of building them, all asked at once). Measured twice in the same run: on a server that prepared
every current place's pages at start-up (``DEVOLUTION_WARM_PAGES=1``, the default of ``devo
serve``; web/warm.py), after its warming ends (the time it takes is printed), and on one that did
not (the peer: every page built on its first visit, behind the cold-work gate that answers 503 when
too many wait).

Target (issue #20): p95 < 150 ms cold with 50 clients. The clients are :mod:`http_load` (asyncio in
one process, see there why not httpx threads). Run:
DEVOLUTION_STORE=build/devolution.duckdb .venv/bin/python bench/bench_pages_cold.py

Where the time goes (cProfile, 2026-11-30, 2 cores shared with two other jobs, load average 2.0-2.8):
- Before: a prepared page still rendered its cached document for every visitor, ~10 ms of CPU
  (Jinja, or JSON encoding), and the simulator page resolved the name asked for each time
  (``PlaceIndex.find``, ~7 ms), so 50 clients queued: place p50 476 / p95 1,481 ms, simulator
  p50 465 / p95 679 ms. Now the answer is kept as its bytes (web/served.py) and a hit is a look-up
  on the event loop: the server spends ~0.6 ms of CPU per place page and ~1 ms per simulator page
  (token and cookies added per visitor), HTTP included. Same run: place p50 28.7 / p95 32.3 ms,
  simulator p50 45.8 / p95 104.3 ms (both met); the peer (no warming) p95 600 / 565 ms with 96% 503.
- The warming (660 pages, 77 s in that run; 89 s from start to all prepared, of which ~6-12 s
  building the shared parts before the server says it is ready): a place page's cold build is
  ~0.3 s, of which the place budget (powers/budget.py) is ~35% (~80 ms: central lines' merges,
  council bodies' population shares, driver shares, each a few pandas merges per place), the
  budget's summary and chart ~10%, the strategic authority of the area (``authorities.area``) ~10%,
  resolving names (``place_code``) ~6%, the cache's size estimate of the document (``size_of``,
  a walk of the dict) ~4%, JSON and HTML of the kept answers ~8%. Matching Arrow-backed text was
  half of the place budget's time before its year's tables were kept as Python strings (2.2x on
  every place budget: 402 places x 7 years took ~60 s a year, now ~27 s). What is left is one
  place at a time: every place budget of a year in one vectorised pass is the next step.
- The other routes (2026-11-30, second session). Simulator results p95 743 ms: every visit read
  every submission and rendered the page (~12 ms); now kept as bytes under the council's tally of
  submissions (one indexed query), p95 82 ms. Settlement explain p95 2,124 ms: ~48 ms a visit, of
  which reading the register (9 ms), the year's CSP rows (8 ms) and the place's observations
  (11 ms) for each visit, and ``PlaceIndex.find`` matching Arrow text (7 ms); now read once a year
  (``Store.memo``, ``state.cached``), names by dictionary (``PlaceIndex.code``): 1.5 ms cold, and
  kept by address (web/served.py ``Kept``), p95 13 ms. Site routes p95 3,673 ms: the deals
  timeline, the reorganisation examples and history (2-2.6 s each) built by their first visitor;
  now every address the site links to is asked of the app at start-up and kept as sent, p95 6 ms.
  A full garbage collection walking every kept page (~0.5 s, in which nothing is answered) put
  four budget answers at 0.52 s; ``gc.freeze`` after the warming (``warm.settle``) took them out.
  Warming 1,718 answers takes ~120-130 s (was 1,003 in ~108 s). Latest run (the app's cache on
  cachetools, refused budgets kept): place p95 40.4 ms, simulator 81.6, budget API 87.1, results
  100.3, explain 22.0, site links 11.9 (all met); the addresses no page links to, all 7 at once,
  p95 471 ms (their builds, queued on one interpreter: alone each is 30-80 ms,
  ``/api/settlement/2016`` ~0.4 s as it builds that year's table). A run with another process
  busy on the machine (a second server and CLI commands) missed: place p95 230, simulator 180.
"""

from __future__ import annotations

import asyncio
import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from http_load import Connection, cpu_seconds, event_loop  # noqa: E402
from devolution.places.tiers import COUNCIL_TIERS  # noqa: E402
from devolution.web import warm  # noqa: E402
from tests.web.conftest import Server  # noqa: E402

CLIENTS, TARGET_MS = 50, 150.0
KINDS = {"place page": "/places/{code}", "simulator page": "/simulator/{code}"}
#: Every other kind of route, on the prepared server only (after the two kinds above): per council,
#: every council in force asked once; the site's other pages and API routes, each address once.
OTHER_KINDS = {"place budget API": "/api/places/{code}/budget",
               "simulator results page": "/simulator/{code}/results",
               "settlement explain API": "/api/settlement/2020/{code}/explain"}
#: Addresses the site's pages link to (web/warm.py prepares them), and addresses no page links to
#: (built by their first visitor, then kept): both asked once each, on the prepared server.
EXTRA = ["/reorganisation?example=dorset-2019", "/api/settlement/2020"]
OTHER = ["/api/map/nce_total_service_expenditure?year=2017", "/api/series/population?limit=5000",
         "/api/change/nce_total_service_expenditure?from=2010&to=2017&by=deprivation",
         "/api/change/nce_total_service_expenditure?from=2010&to=2017&by=region", "/api/places?limit=5000",
         "/search?q=Newcastle", "/api/settlement/2016"]


def site(store: Path) -> list[str]:
    """The addresses the server prepares as the site's own (``warm.site``), from an app of its own."""
    from devolution.web.app import create_app
    from devolution.web.state import Settings

    return warm.site(create_app(Settings(store_path=store, submissions_path=Path(tempfile.mkdtemp()) / "s.sqlite")))


def html(path: str) -> bytes:
    return (f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/html\r\n"
            "Accept-Encoding: gzip\r\n\r\n").encode()


async def ask_each_once(url: str, paths: list[str], by_path: dict[str, float] | None = None
                        ) -> tuple[list[float], dict[int, int]]:
    """Every path asked once, shared out over CLIENTS keep-alive connections: the latencies (ms)
    and a count of answers by status (and each path's latency into ``by_path``, if given)."""
    queue: asyncio.Queue[str] = asyncio.Queue()
    for path in paths:
        queue.put_nowait(path)
    times: list[float] = []
    statuses: dict[int, int] = {}

    async def client() -> None:
        connection = await Connection(url).open()
        while not queue.empty():
            path = queue.get_nowait()
            start = time.perf_counter()
            status, _, _ = await connection.send(html(path))
            times.append((time.perf_counter() - start) * 1000)
            if by_path is not None:
                by_path[path] = times[-1]
            statuses[status] = statuses.get(status, 0) + 1
        connection.close()

    await asyncio.gather(*(client() for _ in range(CLIENTS)))
    return sorted(times), statuses


def councils(url: str) -> list[str]:
    """The GSS codes of every council in force today, from the server's own register."""
    rows = httpx.get(url + "/api/places", params={"limit": 5000}, timeout=120).json()
    rows = rows["rows"] if isinstance(rows, dict) else rows
    return [r["code"] for r in rows if r.get("tier") in COUNCIL_TIERS]


def line(label: str, times: list[float], statuses: dict[int, int], target: bool) -> str:
    p50, p95 = statistics.median(times), times[int(0.95 * (len(times) - 1))]
    verdict = f"  (target p95 < {TARGET_MS:.0f} ms: {'met' if p95 < TARGET_MS else 'MISSED'})" if target else ""
    return f"{label:34s} n={len(times):4d}  p50 {p50:8.1f} ms  p95 {p95:8.1f} ms  statuses {statuses}{verdict}"


def first_visits(store: Path, warm_pages: bool, loop) -> None:
    started = time.perf_counter()
    server = Server(store, Path(tempfile.mkdtemp()) / "bench.sqlite",
                    env={"DEVOLUTION_WARM_PAGES": "1" if warm_pages else "0"}).start(timeout=120)
    try:
        if warm_pages:
            while not re.search(r"prepared \d+ pages", server.output()):
                if time.perf_counter() - started > 900:
                    raise RuntimeError("the pages were not prepared within 900 s")
                time.sleep(0.5)
            done = [row for row in server.output().splitlines() if re.search(r"prepared \d+ pages", row)][-1]
            print(f"start-up to pages ready: {time.perf_counter() - started:.0f} s ({done.split('prepared ', 1)[1]})")
        codes = councils(server.url)
        label = "prepared at start-up" if warm_pages else "peer: built on first visit"
        for kind, pattern in KINDS.items():
            paths = [pattern.format(code=code) for code in codes]
            cpu = cpu_seconds(server.process.pid)
            start = time.perf_counter()
            times, statuses = loop.run_until_complete(ask_each_once(server.url, paths))
            wall = time.perf_counter() - start
            print(line(f"{kind}, {label}", times, statuses, target=warm_pages)
                  + f"  [{wall:.1f} s wall, server CPU {cpu_seconds(server.process.pid) - cpu:.1f} s]")
        if warm_pages:  # every other kind of route, first visits on the same server
            kinds = {kind: [pattern.format(code=code) for code in codes] for kind, pattern in OTHER_KINDS.items()}
            for kind, paths in {**kinds, "site's own links, each once": site(store) + EXTRA,
                                "addresses no page links to, each once": OTHER}.items():
                by_path: dict[str, float] = {}
                times, statuses = loop.run_until_complete(ask_each_once(server.url, paths, by_path))
                print(line(f"{kind}, first visits", times, statuses, target=paths is not OTHER))
                slowest = sorted(by_path.items(), key=lambda item: -item[1])[:4]
                print("    slowest: " + ", ".join(f"{path} {ms:.0f} ms" for path, ms in slowest))
    finally:
        server.stop()


def main() -> None:
    store = Path(os.environ.get("DEVOLUTION_STORE", "build/devolution.duckdb"))
    loop = event_loop()
    print(f"{CLIENTS} clients; every council in force asked for once per page kind, on a fresh server")
    try:
        first_visits(store, True, loop)
        first_visits(store, False, loop)
    finally:
        loop.close()


if __name__ == "__main__":
    main()
