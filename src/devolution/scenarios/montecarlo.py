"""Monte Carlo over a scenario's assumptions: seeded, reproducible, vectorised.

All draws are taken up front from one ``numpy.random.Generator(PCG64(seed))`` in a fixed order
(``Scenario.rates()`` order, then business rates growth: England, regions, places), so the same
seed gives the same numbers however the heavy work is later split (in memory or over Dask).
Each draw holds its rates for every year of the run (a persistent uncertainty about the path, not
independent yearly noise). A normal with ``low``/``high`` is clipped to them.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from devolution.scenarios.model import ByPlace, Distribution, Scenario

PERCENTILES = (5, 25, 50, 75, 95)
#: Values from which percentiles sort on every core (below it, one thread is faster).
SORT_IN_THREADS = 1 << 20


def _draw(rng: np.random.Generator, rate, draws: int, central: bool) -> np.ndarray:
    """(draws,) for a distribution; (1,) for a number (it broadcasts, and costs one draw's work)."""
    if not isinstance(rate, Distribution):
        return np.full(1, float(rate))
    if central:
        return np.full(draws, rate.central())
    if rate.distribution == "normal":
        values = rng.normal(rate.mean, rate.sd, draws)
        if rate.low is not None or rate.high is not None:
            values = np.clip(values, rate.low, rate.high)
        return values
    if rate.distribution == "triangular":
        return rng.triangular(rate.low, rate.mode, rate.high, draws)
    return rng.uniform(rate.low, rate.high, draws)


def sample(scenario: Scenario, regions: np.ndarray, codes: np.ndarray, draws: int,
           central: bool = False) -> dict[str, np.ndarray]:
    """Every assumption as an array: national rates (draws,) or (1,) when a number, business rates
    growth (draws, places), or (draws, 1) / (1, 1) when every place has England's rate.

    ``central``: one run at each distribution's mean / mode / midpoint (no randomness)."""
    rng = np.random.default_rng(scenario.seed)
    out = {name: _draw(rng, rate, draws, central) for name, rate in scenario.rates().items()}
    growth = scenario.assumptions.business_rates_growth
    if not isinstance(growth, ByPlace):
        growth = ByPlace(england=growth)
    england = _draw(rng, growth.england, draws, central)[:, None]
    if not growth.regions and not growth.places:  # one rate for every place: it broadcasts
        out["business_rates_growth"] = england
        return out
    by_place = np.repeat(np.broadcast_to(england, (draws, 1)), len(codes), axis=1)
    for region, rate in growth.regions.items():
        by_place[:, regions == region] = _draw(rng, rate, draws, central)[:, None]
    for code, rate in growth.places.items():
        by_place[:, codes == code] = _draw(rng, rate, draws, central)[:, None]
    out["business_rates_growth"] = by_place
    return out


def in_threads(work: Callable[[int], None], items: Iterable[int]) -> None:
    """``work(item)`` for every item on the machine's cores (for numpy work that releases the GIL
    and writes disjoint slices; the order does not change the result)."""
    items = list(items)
    workers = min(os.cpu_count() or 1, len(items))
    if workers <= 1:
        for item in items:
            work(item)
        return
    with ThreadPoolExecutor(workers) as pool:
        list(pool.map(work, items))


def percentiles(values: np.ndarray, qs: tuple[int, ...] = PERCENTILES) -> np.ndarray:
    """Percentiles over the leading draws axis, (len(qs), ...): numpy's "linear" method, computed
    by sorting each cell's draws along a contiguous axis (several times faster than
    ``np.percentile(axis=0)`` on draws x places x years), the cells shared among the cores."""
    draws = values.shape[0]
    cells = np.moveaxis(values, 0, -1).reshape(-1, draws)  # a view if draws are last in memory
    ordered = cells.copy()  # one copy, sorted in place chunk by chunk (the caller's array is kept)
    # Small arrays (a web run's) are sorted in this thread: starting threads would cost more.
    step = len(cells) if ordered.size < SORT_IN_THREADS else max(1, -(-len(cells) // (os.cpu_count() or 1)))

    def sort(start: int) -> None:
        ordered[start:start + step].sort(axis=1)

    in_threads(sort, range(0, len(cells), step))
    position = np.asarray(qs, dtype=np.float64) / 100.0 * (draws - 1)
    low = np.floor(position).astype(np.int64)
    high = np.minimum(low + 1, draws - 1)
    weight = position - low
    out = ordered[:, low] * (1.0 - weight) + ordered[:, high] * weight
    return out.T.reshape((len(qs),) + values.shape[1:])
