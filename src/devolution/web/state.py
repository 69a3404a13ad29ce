"""What the app holds while it runs: the store (opened read-only, one connection guarded by a lock),
small caches of whole tables, and the submissions database. Nothing here computes policy.
"""

from __future__ import annotations

import functools
import threading
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from devolution.store import Store


@dataclass
class Settings:
    store_path: Path | None = None
    submissions_path: Path = Path("submissions.sqlite")
    rate_capacity: float = 5.0      # submissions a client may make at once
    rate_per_second: float = 0.2    # then one every five seconds
    warm: bool = False              # start the scenario workers with the app (``devo serve``; not tests)
    scenario_capacity: float = 30.0  # new scenario computations a client may start at once
    scenario_per_second: float = 3.0  # then three a second (answers from memory are never limited)


@dataclass
class AppState:
    settings: Settings
    store: Store = field(init=False)
    lock: threading.RLock = field(default_factory=threading.RLock)

    def __post_init__(self):
        self.store = Store(self.settings.store_path, read_only=True)
        self._cache: dict = {}

    def cached(self, key, build):
        """``build(store)`` once per key (tables are read-only while the app runs)."""
        if key in self._cache:
            return self._cache[key]
        with self.lock:
            if key not in self._cache:
                if len(self._cache) > 4000:  # keyed by query parameters: bounded, never grows without limit
                    self._cache = {k: v for k, v in self._cache.items() if not (isinstance(k, tuple) and
                                                                             str(k[0]).endswith("_response"))}
                self._cache[key] = build(self.store)
            return self._cache[key]

    def forget(self, key):
        """Drop a cached item and return it (None if absent), e.g. a pool being shut down."""
        with self.lock:
            return self._cache.pop(key, None)

    def run(self, function, *args, **kwargs):
        """Call ``function(*args, store=..., **kwargs)`` with the store, one call at a time."""
        with self.lock:
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
        with self.lock:
            self.store.close()


class StoreReads:
    """The store's read methods a scenario run uses (``places``, ``observations``, ``query``), each
    answer read once under the app's lock and then shared, so runs compute without holding the
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

    return vl_convert.javascript_bundle()
