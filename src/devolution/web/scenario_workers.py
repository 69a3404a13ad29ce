"""Scenario computations in worker processes, one per core, so a new setting never competes with
the server's event loop for the GIL: cached answers keep flowing while it computes.

Each worker opens the store read-only (DuckDB allows several read-only processes) and keeps its own
caches of base-year inputs and baseline runs; it returns the answer as JSON bytes (what the server
caches and sends). Workers start with ``spawn`` (no inherited threads or connections), and leave
when the server does: the app shuts the pool down, and a worker whose parent has gone exits.
"""

from __future__ import annotations

import atexit
import json
import multiprocessing
import os
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

#: Per worker process: the store, base-year inputs and baseline runs (filled on first use).
_held: dict = {}


def _watch_parent(parent: int) -> None:
    while True:
        time.sleep(1.0)
        if os.getppid() != parent:  # the server has gone (killed): do not linger
            os._exit(0)


def _start(store_path: str | None, parent: int) -> None:
    from devolution.scenarios import web
    from devolution.store import Store

    threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()
    _held.update(store=Store(Path(store_path) if store_path else None, read_only=True), inputs={},
                 baselines=web.Recent(16))
    atexit.register(_stop)


def _stop() -> None:
    """Close the store and drop the caches before the interpreter winds down (DuckDB objects
    left to the end of finalisation are reported as leaks)."""
    store = _held.pop("store", None)
    _held.clear()
    if store is not None:
        store.close()


def _plain(value):
    """What ``json.dumps`` cannot write itself: numpy scalars and arrays, dates."""
    if hasattr(value, "item") and getattr(value, "ndim", 0) == 0:
        return value.item()
    if hasattr(value, "tolist"):
        return value.tolist()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON")


def encode(result: dict) -> bytes:
    """An answer as JSON bytes (its rows are plain Python already, so ``json`` directly)."""
    return json.dumps(result, ensure_ascii=False, allow_nan=False, separators=(",", ":"), default=_plain).encode()


def with_charts(result: dict) -> dict:
    """The two charts the scenario page draws, added to an answer."""
    from devolution.scenarios import web
    from devolution.web import charts

    result["charts"] = {
        "england": charts.fan(result["england"], f"England: funding gap, {result['scenario']} "
                                                 f"({result['draws']:,} draws)", "Funding gap, £m (cash)"),
        "distribution": charts.histogram(web.distribution_values(result["places"]),
                                         f"Change in each council's gap, {result['year']}, against "
                                         f"current policy", "Change in gap, £ per resident (cash)"),
    }
    return result


def recompute(raw: dict, time_limit: float) -> bytes:
    """In a worker: the page's knobs' scenario against current policy, encoded."""
    from devolution.scenarios import web

    return encode(with_charts(web.recompute(raw, store=_held["store"], inputs=_held["inputs"],
                                            baselines=_held["baselines"], time_limit=time_limit)))


def run(body: dict, max_draws: int, time_limit: float) -> bytes:
    """In a worker: a scenario in the file format against its baseline, encoded."""
    from devolution.scenarios import web

    return encode(with_charts(web.run_for_web(body, max_draws, store=_held["store"], inputs=_held["inputs"],
                                              time_limit=time_limit, baselines=_held["baselines"])))


def pool(store_path: Path | None, workers: int) -> ProcessPoolExecutor:
    """``workers`` processes, each with the store open; started on first use."""
    return ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"), initializer=_start,
                               initargs=(str(store_path) if store_path else None, os.getpid()))
