"""What the app holds while it runs: the store (opened read-only, one connection behind the
cold-work gate), a cache of what was read or built from it (bounded in bytes), objects kept for the
app's life (``memo``), and the submissions database. Nothing here computes policy.
"""

from __future__ import annotations

import contextlib
import contextvars
import dataclasses
import functools
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import cachetools
import numpy as np
import pandas as pd

from devolution.store import Store


@dataclass
class Settings:
    store_path: Path | None = None
    submissions_path: Path = Path("submissions.sqlite")
    rate_capacity: float = 5.0      # submissions a client may make at once
    rate_per_second: float = 0.2    # then one every five seconds
    submissions_per_address: int = 10  # budgets one address (IPv6: /64) may send for one council, ever
    warm: bool = False              # start the scenario workers with the app (``devo serve``; not tests)
    warm_pages: bool = False        # build every current place's pages at start-up (web/warm.py; ``devo serve``)
    scenario_capacity: float = 30.0  # new scenario computations a client may start at once
    scenario_per_second: float = 3.0  # then three a second (answers from memory are never limited)
    forwarded_allow_ips: str = ""   # proxies trusted with X-Forwarded-For/-Proto ("": none, the default)
    max_body: int = 256 * 1024      # bytes of a request body (413 beyond)
    cache_bytes: int = 256 * 1024 * 1024  # what the cache of tables and answers may hold
    cold_queue: int = 64            # requests that may wait for the store while one uses it (503 beyond):
    #                                 50 first visitors at once during the start-up preparation wait their
    #                                 turn (a cold page is 0.1-0.3 s) rather than 42 of them getting a 503
    cold_wait: float = 10.0         # seconds one may wait for it (503 with Retry-After beyond)


class Busy(Exception):
    """The store is busy with other requests' cold work and the queue is full (503, Retry-After)."""

    retry_after = 5


#: When the current request must stop waiting for the store (each request runs in its own context).
_deadline: contextvars.ContextVar[float | None] = contextvars.ContextVar("cold_work_deadline", default=None)
#: Set in the context of the start-up preparation's work (web/warm.py), so the gate can tell it from visitors.
PREPARING: contextvars.ContextVar[bool] = contextvars.ContextVar("preparing_pages", default=False)
#: Seconds after a visitor lets go of the store during which the preparation still gives way: a
#: visitor's page passes the gate several times, and the preparation took it between the passes (a
#: reorganisation answer got 503 after waiting 10 s behind prepared pages during start-up).
VISITOR_GRACE = 0.25


class ColdWork:
    """The gate in front of the store: one request at a time reads it or builds from it (the store
    has one connection), at most ``queue`` wait for their turn, and a request waits at most
    ``wait`` seconds in all (a page built from several parts may pass the gate several times);
    beyond either it is refused at once with :class:`Busy`, so a flood of pages nobody asked for
    yet cannot hold the server's threads (and everything else) for minutes. What is already built
    never passes the gate. Re-entrant: a build that needs another part keeps its turn."""

    def __init__(self, queue: int, wait: float):
        self.queue, self.wait = queue, wait
        self.lock = threading.Lock()
        self._count = threading.Lock()
        self.waiting = 0
        self.owner: int | None = None
        self.visitor_left = float("-inf")   # when a visitor last let go of the store
        self.visitor_holds = False

    @contextlib.contextmanager
    def __call__(self):
        me = threading.get_ident()
        if self.owner == me:  # a build inside a build: it has the store already
            yield
            return
        if not self.lock.acquire(blocking=False):
            deadline = _deadline.get()
            if deadline is None:
                deadline = time.monotonic() + self.wait
                _deadline.set(deadline)
            with self._count:
                if self.waiting >= self.queue:
                    raise Busy(f"{self.waiting} requests are already waiting for the store")
                self.waiting += 1
            try:
                acquired = self.lock.acquire(timeout=max(0.0, deadline - time.monotonic()))
            finally:
                with self._count:
                    self.waiting -= 1
            if not acquired:
                raise Busy(f"waited {self.wait:g} s for the store")
        self.owner = me
        visitor = not PREPARING.get()
        self.visitor_holds = visitor
        try:
            yield
        finally:
            if visitor:
                self.visitor_left = time.monotonic()
            self.visitor_holds = False
            self.owner = None
            self.lock.release()

    def visitors_active(self) -> bool:
        """Whether a visitor holds or waits for the store, or let go of it less than
        :data:`VISITOR_GRACE` seconds ago (its page may come back for more): the preparation waits."""
        return self.visitor_holds or self.waiting > 0 or time.monotonic() - self.visitor_left < VISITOR_GRACE


def size_of(value) -> int:
    """Rough bytes held by a cached value (a response's or a kept answer's body, a table's columns,
    arrays, text and containers of them), plus a fixed cost per entry so many small entries count too."""
    if isinstance(getattr(value, "body", None), bytes):  # a response, or an answer kept as its bytes
        return len(value.body) + 512
    if isinstance(value, pd.DataFrame):
        return int(value.memory_usage(index=True, deep=True).sum()) + 512
    if isinstance(value, np.ndarray):
        return value.nbytes + 128
    if isinstance(value, (bytes, str)):
        return len(value) + 64
    if isinstance(value, dict):
        return 256 + sum(size_of(k) + size_of(v) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return 64 + sum(size_of(v) for v in value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):  # e.g. a place budget and its lines
        return 256 + sum(size_of(getattr(value, f.name)) for f in dataclasses.fields(value))
    return sys.getsizeof(value)


#: What ``AppState._hit`` returns for a key not cached (a cached value may be None or falsy).
_MISSING = object()


@dataclass
class AppState:
    settings: Settings
    store: Store = field(init=False)

    def __post_init__(self):
        self.store = Store(self.settings.store_path, read_only=True)
        self.work = ColdWork(self.settings.cold_queue, self.settings.cold_wait)
        # what was read or built, least recently used out past Settings.cache_bytes (by size_of)
        self._cache = cachetools.LRUCache(max(1, self.settings.cache_bytes), getsizeof=size_of)
        self._cache_lock = threading.Lock()
        self._building: dict = {}   # key -> Event set when its build ends
        # answers kept by address on a visitor's request (web/served.py ``Kept``): a pool of their own
        # (an eighth of the cache's bytes), so a flood of distinct addresses pushes out only its own
        self._visitors = cachetools.LRUCache(max(1, self.settings.cache_bytes // 8), getsizeof=size_of)
        self._visitors_lock = threading.Lock()
        self._memo: dict = {}
        self._memo_lock = threading.Lock()

    @property
    def cache_bytes(self) -> int:
        """What the cache holds, in bytes (:func:`size_of`)."""
        return int(self._cache.currsize)

    def cached(self, key, build):
        """``build(store)`` once per key (tables are read-only while the app runs), kept while the
        cache's bytes allow (``Settings.cache_bytes``; least recently used out). A miss builds
        behind the cold-work gate (:class:`ColdWork`: :class:`Busy` when it is full); requests
        for a key being built meanwhile wait for that build, taking no place in the gate's queue."""
        found = self._hit(key)
        if found is not _MISSING:
            return found
        if self.work.owner == threading.get_ident():
            return self._build(key, build)  # a part of a build: never wait on a request that waits for us
        with self._cache_lock:
            building = self._building.get(key)
            mine = building is None
            if mine:
                building = self._building[key] = threading.Event()
        if not mine:
            if not building.wait(self.settings.cold_wait):
                raise Busy(f"waited {self.settings.cold_wait:g} s for the same part being built")
            found = self._hit(key)
            if found is not _MISSING:
                return found
            return self._build(key, build)  # that build failed (or was evicted at once): try ourselves
        try:
            return self._build(key, build)
        finally:
            with self._cache_lock:
                self._building.pop(key, None)
            building.set()

    def peek(self, key):
        """What is cached under ``key`` (None when nothing is), never building nor waiting: for
        answers kept whole (:mod:`devolution.web.served`), which cost nothing to look up."""
        found = self._hit(key)
        if found is not _MISSING:
            return found
        with self._visitors_lock:
            return self._visitors.get(key)

    def keep(self, key, value) -> None:
        """Cache ``value`` under ``key`` (bounded like every cached item)."""
        self._keep(key, value)

    def keep_for_visitor(self, key, value) -> None:
        """Keep an answer made on a visitor's request apart from the cache (an eighth of its bytes,
        least recently used out; a value larger than that is not kept): :meth:`peek` finds it, but
        however many a visitor makes, they push out none of the prepared pages."""
        with self._visitors_lock:
            with contextlib.suppress(ValueError):  # cachetools: larger than the whole pool
                self._visitors[key] = value

    def _build(self, key, build):
        with self.work():
            found = self._hit(key)
            if found is not _MISSING:
                return found
            value = build(self.store)
            self._keep(key, value)
            return value

    def _hit(self, key):
        """The value cached under ``key`` (now the most recently used), or ``_MISSING``."""
        with self._cache_lock:
            return self._cache.get(key, _MISSING)

    def _keep(self, key, value) -> None:
        """Cache ``value`` (replacing what two visitors rendering the same page at once both made);
        one larger than the whole cache is not kept (cachetools refuses it), and is built again."""
        with self._cache_lock:
            with contextlib.suppress(ValueError):
                self._cache[key] = value

    def memo(self, key, make):
        """``make(store)`` once per key, kept for the app's life and never evicted: objects with a
        life of their own (worker pools, caches of answers), not data. Made under a lock of its
        own, never behind the store's gate (safe on the event loop)."""
        with self._memo_lock:
            if key not in self._memo:
                self._memo[key] = make(self.store)
            return self._memo[key]

    def forget(self, key):
        """Drop a memo (or a cached item) and return it (None if absent), e.g. a pool being shut down."""
        with self._memo_lock:
            if key in self._memo:
                return self._memo.pop(key)
        with self._cache_lock:
            return self._cache.pop(key, None)

    def run(self, function, *args, **kwargs):
        """Call ``function(*args, store=..., **kwargs)`` with the store, behind the cold-work gate."""
        with self.work():
            return function(*args, store=self.store, **kwargs)

    # ------------------------------------------------------------------ common tables
    def places(self) -> pd.DataFrame:
        return self.cached("places", lambda s: s.places())

    def measures(self) -> pd.DataFrame:
        from devolution import api

        return self.cached("measures", lambda s: api.measures(store=s))  # derived measures too

    def observations(self, measure: str) -> pd.DataFrame:
        return self.cached(("obs", measure), lambda s: s.observations(measure))

    def place_observations(self, code: str) -> pd.DataFrame:
        return self.cached(("place_obs", code), lambda s: s.query(
            "SELECT o.measure, o.year, o.value, m.unit, m.description FROM observations o "
            "JOIN measures m USING (measure) WHERE o.code = ? ORDER BY measure, year", [code]))

    def close(self) -> None:
        with self.work():
            self.store.close()


class StoreReads:
    """The store's read methods a scenario run uses (``places``, ``observations``, ``query``), each
    answer read once behind the app's gate and then shared, so runs compute without holding the
    lock. The frames are shared: callers must not change them in place (the scenario code copies
    what it changes)."""

    def __init__(self, state: AppState):
        self.state = state

    def places(self) -> pd.DataFrame:
        return self.state.places()

    def observations(self, measures, years=None) -> pd.DataFrame:
        key = ("reads_observations", measures if isinstance(measures, str) else tuple(measures),
               None if years is None else tuple(int(y) for y in years))
        return self.state.cached(key, lambda s: s.observations(measures, years))

    def query(self, sql: str, parameters=None) -> pd.DataFrame:
        return self.state.cached(("reads_query", sql, tuple(parameters or ())), lambda s: s.query(sql, parameters))


def scenario_inputs(state: AppState, base_year: int):
    """The scenario projection's base-year inputs in the server process (the scenario page's
    description and the place pages' gap), read once through :class:`StoreReads`."""
    from devolution.scenarios.inputs import load_inputs

    return state.cached(("scenario_inputs", base_year), lambda s: load_inputs(StoreReads(state), base_year))


@functools.lru_cache(maxsize=1)
def vega_bundle() -> str:
    """Vega, Vega-Lite and vega-embed as one script, from the vl-convert package (no CDN)."""
    import vl_convert

    from devolution.report.chart_text import VEGA_LITE_VERSION

    return vl_convert.javascript_bundle(vl_version=VEGA_LITE_VERSION)
