"""Monte Carlo over a scenario's assumptions: seeded, reproducible, vectorised.

All draws are taken up front from one ``numpy.random.Generator(PCG64(seed))`` in a fixed order
(``Scenario.rates()`` order, then business rates growth: England, regions, places), so the same
seed gives the same numbers however the heavy work is later split (in memory or over Dask).
Each draw holds its rates for every year of the run (a persistent uncertainty about the path, not
independent yearly noise). A normal with ``low``/``high`` is clipped to them.
"""

from __future__ import annotations

import numba
import numpy as np

from devolution.scenarios.schema import ByPlace, Distribution, Scenario

PERCENTILES = (5, 25, 50, 75, 95)
#: Buckets a cell's draws are counted into to find the order statistics' neighbourhoods (about
#: four draws a bucket with 10,000 draws; fewer draws than four buckets' worth are sorted).
BUCKETS = 4096
#: Values below which order statistics are read off numpy's sort (a web run's England row):
#: waking the compiled kernel's threads would cost more.
SELECT_ABOVE = 1 << 18


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


def percentiles(values: np.ndarray, qs: tuple[int, ...] = PERCENTILES) -> np.ndarray:
    """Percentiles over the leading draws axis, (len(qs), ...): numpy's "linear" method (the
    numbers of ``np.percentile(axis=0)``), from the order statistics it needs, selected cell by
    cell (:func:`order_statistics`; no copy when draws are last in memory, as the runner holds them)."""
    draws = values.shape[0]
    rows = np.moveaxis(values, 0, -1).reshape(-1, draws)  # a view if draws are last in memory
    return row_percentiles(rows, qs).reshape((len(qs),) + values.shape[1:])


def row_percentiles(rows: np.ndarray, qs: tuple[int, ...] = PERCENTILES) -> np.ndarray:
    """Percentiles of each row's values (draws on the last axis), (len(qs), rows)."""
    rows = rows.reshape(-1, rows.shape[-1])
    return percentiles_from(order_statistics(rows, percentile_ranks(rows.shape[1], qs)), rows.shape[1], qs)


def percentile_ranks(draws: int, qs: tuple[int, ...] = PERCENTILES) -> np.ndarray:
    """The order statistics (ranks, ascending) numpy's "linear" percentiles of ``draws`` values read."""
    return _positions(draws, qs)[0]


def percentiles_from(stats: np.ndarray, draws: int, qs: tuple[int, ...] = PERCENTILES) -> np.ndarray:
    """Percentiles, (len(qs), ...), from the order statistics of :func:`percentile_ranks`, (..., ranks)."""
    _, low, high, weight = _positions(draws, qs)
    return np.moveaxis(stats[..., low] * (1.0 - weight) + stats[..., high] * weight, -1, 0)


def _positions(draws: int, qs: tuple[int, ...]):
    position = np.asarray(qs, dtype=np.float64) / 100.0 * (draws - 1)
    low = np.floor(position).astype(np.int64)
    high = np.minimum(low + 1, draws - 1)
    ranks, which = np.unique(np.concatenate([low, high]), return_inverse=True)
    return ranks, which[:len(qs)], which[len(qs):], position - low


def order_statistics(rows: np.ndarray, ranks: np.ndarray) -> np.ndarray:
    """The values of the given ranks (0 = smallest) among each row's values, (rows, ranks):
    ``np.sort(rows, axis=1)[:, ranks]`` (:func:`order_statistics_numpy`, its twin), without sorting
    the rows. Compiled, the rows shared among the cores: each row's values are counted into
    :data:`BUCKETS` equal intervals between its least and greatest, and only the few values in
    the intervals holding the ranks are sorted. A row with a NaN or an infinity, or with fewer
    values than four a bucket, is sorted whole (NaN last, as numpy sorts); so are rows of fewer
    than :data:`SELECT_ABOVE` values in all."""
    rows = np.ascontiguousarray(rows, dtype=np.float64)
    ranks = np.ascontiguousarray(ranks, dtype=np.int64)
    if ranks.size and not (0 <= ranks.min() and ranks.max() < rows.shape[1]):
        raise ValueError(f"ranks {ranks.min()}..{ranks.max()} outside 0..{rows.shape[1] - 1}")
    if rows.size < SELECT_ABOVE:
        return order_statistics_numpy(rows, ranks)
    out = np.empty((rows.shape[0], len(ranks)))
    _order_statistics(rows, ranks, out)
    return out


def order_statistics_numpy(rows: np.ndarray, ranks: np.ndarray) -> np.ndarray:
    """The numpy twin of :func:`order_statistics`."""
    return np.sort(rows, axis=1)[:, ranks]


@numba.njit(parallel=True, cache=True, nogil=True, error_model="numpy")
def _order_statistics(rows, ranks, out):
    for i in numba.prange(rows.shape[0]):
        order_statistics_of_row(rows[i], ranks, out[i])


@numba.njit(cache=True, nogil=True, error_model="numpy")
def order_statistics_of_row(x, ranks, out):
    """out[k] = the ranks[k]-th smallest of x (ranks ascending): see :func:`order_statistics`."""
    buckets = min(BUCKETS, x.shape[0] // 4)
    low, high, nan = np.inf, -np.inf, False
    for v in x:
        if v < low:
            low = v
        if v > high:
            high = v
        if v != v:
            nan = True
    span = high - low
    if nan or buckets < 2 or not (0.0 < span < np.inf):   # NaN, an infinity, all equal, or few values
        ordered = x.copy()
        ordered.sort()
        for k in range(ranks.shape[0]):
            out[k] = ordered[ranks[k]]
        return
    scale = buckets / span
    starts = np.zeros(buckets + 1, dtype=np.int64)
    for v in x:
        starts[min(int((v - low) * scale), buckets - 1) + 1] += 1
    for b in range(buckets):
        starts[b + 1] += starts[b]                     # values in buckets before b
    held = np.zeros(buckets + 1, dtype=np.int64)         # where each wanted bucket's values go
    bucket_of = np.empty(ranks.shape[0], dtype=np.int64)
    for k in range(ranks.shape[0]):
        b = bucket_of[k - 1] if k > 0 else 0            # the bucket holding rank k: starts[b] <= rank < starts[b + 1]
        while starts[b + 1] <= ranks[k]:
            b += 1
        bucket_of[k] = b
        held[b + 1] = starts[b + 1] - starts[b]
    for b in range(buckets):
        held[b + 1] += held[b]
    fill = held.copy()
    kept = np.empty(held[buckets])
    for v in x:
        b = min(int((v - low) * scale), buckets - 1)
        if held[b + 1] > held[b]:
            kept[fill[b]] = v
            fill[b] += 1
    for k in range(ranks.shape[0]):
        b = bucket_of[k]
        if k == 0 or b != bucket_of[k - 1]:
            kept[held[b]:held[b + 1]].sort()
        out[k] = kept[held[b] + ranks[k] - starts[b]]
