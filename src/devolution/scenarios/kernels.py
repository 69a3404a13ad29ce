"""The Monte Carlo's funding gap, fused: one pass over draws x councils x years, compiled with numba.

The projection's components (:mod:`scenarios.projection`, :mod:`scenarios.resources`) compute
each pressure and resource as whole arrays, one numpy operation at a time: a dozen temporaries of
draws x councils x years each. Here numpy prepares only small tables from the same component code
(:func:`prepare`: costs by draw and year, needs by council and year, the retention terms, the
council tax ceilings' parameters), and :func:`gap` works out every cell in one compiled pass,
nothing but the gap (or the pressure) written. The components are the kernel's numpy twin: a test
holds the two equal on the real inputs (tests/scenarios/test_kernels.py).

Per draw d, council p and year y (k years after the base year), in the components' own order:

    pressure   = sum over PRESSURES of cost[d, y] x (need[p, y] x population index[d, p, y])
    council tax = Band D path[d, p, y] x tax base[p] x tax base index[d, y]; the path starts at the
                 latest Band D held and each year takes min(Band D x (1 + increase[d]), ceiling),
                 the ceiling max(Band D x (1 + core + ASC limit), Band D + cash limit) as
                 rules.council_tax.max_band_d_without_referendum (fmax/fmin: a NaN limit is none)
    rates      = BFL[d, p, y] x max(growth[d, p, y], safety net threshold) where the local share
                 never moves; the retention rules in full (resources.by_rules) where it does
    grants     = (spending[p] - council tax in the base year[d, p] - retained rates[p]) x grant index[d, y]
    gap        = pressure - council tax - rates - grants

Every cell is worked out on its own, so the numbers do not depend on how draws or councils are
split into blocks, threads or Dask partitions (identical, not merely close).
"""

from __future__ import annotations

from typing import NamedTuple

import numba
import numpy as np

from devolution.scenarios.context import Context
from devolution.scenarios.montecarlo import order_statistics_of_row
from devolution.scenarios.projection import PRESSURES
from devolution.scenarios.resources import last_change, multiplier_uprating, retention_terms

_NO_TABLE = np.empty((0, 0, 0))
#: Councils summed into one part of England's gap by :func:`streamed` (the parts are added in order).
PLACE_BLOCK = 16
#: Draws of one council worked out together (their working rows, a few kB each, stay in cache).
DRAW_CHUNK = 1024
#: Largest number of distinct business rates growth paths tabulated whole (one per region or
#: named place; above it each cell takes its own exp).
GROWTH_PATHS = 64


class Cells(NamedTuple):
    """What the kernel reads: by council (P), by year (Y), by council tax year (S) and by draw (D,
    every draw of the run, last so the kernel reads them in order). A growth index exp(log x k)
    is given whole when small (``*_index``) and as its logarithm otherwise (``*_log``)."""

    steps: np.ndarray              # (Y,) years since the base year
    population_log: np.ndarray     # (D, P) log(1 + growth + shift) when the shift is drawn, else (0, 0)
    population_index: np.ndarray   # (P, Y) when the shift is not drawn, else (0, 0)
    cost: np.ndarray               # (pressures, Y, D)
    need: np.ndarray               # (pressures, P, Y)
    band_d: np.ndarray             # (P,) latest Band D held
    increase: np.ndarray           # (D,) council tax increase; empty: each year's ceiling ("max")
    share_ceiling: np.ndarray      # (P, S) 1 + core limit + ASC limit
    cash_ceiling: np.ndarray       # (P, S) + the cash alternative (NaN where none)
    band_d_year: np.ndarray        # (Y,) the council tax year of each projection year
    tax_base: np.ndarray           # (P,)
    tax_base_index: np.ndarray     # (Y, D)
    base_year_column: int          # council tax year of the base year; -1: the latest held is the base year
    base_tax_base_index: np.ndarray  # (D,) tax base index in the base year
    council_tax: np.ndarray        # (P,) council tax of the latest year held
    spending: np.ndarray           # (P,) base-year spending, all services
    retained_rates: np.ndarray     # (P,) base-year retained business rates (the BFL)
    uprating: np.ndarray           # (Y, D)
    growth_path: np.ndarray        # (P,) each council's business rates growth path (a column of the next two)
    growth_log: np.ndarray         # (D, paths) log(1 + growth)
    growth_index: np.ndarray       # (paths, Y, D), or _NO_TABLE when there are more than GROWTH_PATHS paths
    threshold: np.ndarray          # (P, Y)
    moved: np.ndarray              # (P,) local share changes in some year: the rules in full
    ratio: np.ndarray              # (P, Y) local share over the base share
    cap: np.ndarray                # (P, Y) levy rate cap
    last_change: np.ndarray        # (P, Y) year index of the last change of local share (-1: none)
    grant_index: np.ndarray        # (Y, D)


def _by_year(table: np.ndarray, draws: int) -> np.ndarray:
    """A (D' or 1, Y) table as (Y, draws): the kernel reads draws in order."""
    return np.broadcast_to(table, (draws, table.shape[-1])).T


def prepare(ctx: Context, draws: int) -> Cells:
    """The kernel's tables for a projection context of ``draws`` draws (an assumption that is a
    number, not drawn, holds for every draw), each by the components' own numpy expressions, so
    the kernel's inputs are the twin's, value for value."""
    inputs = ctx.inputs
    steps = ctx.steps[0, 0]
    n = inputs.n
    population_log = np.log(1.0 + inputs.population_growth[None, :] + ctx.rate("population_growth_shift")[:, :, 0])
    drawn = population_log.shape[0] > 1
    cost = np.stack([_by_year(p.cost(ctx)[:, 0, :], draws) for p in PRESSURES])
    need = np.stack([np.broadcast_to(p.need(ctx)[0], (n, len(steps))) for p in PRESSURES])

    increase = ctx.samples.get("council_tax_increase")
    span = np.arange(inputs.council_tax_year + 1, int(ctx.years[-1]) + 1)
    share_ceiling, cash_ceiling = _ceilings(ctx, len(span))
    tax_base_growth = (1.0 + ctx.samples["tax_base_growth"])[:, None]
    base_year_column = inputs.base_year - int(span[0]) if inputs.base_year > inputs.council_tax_year else -1
    base_tax_base_index = (tax_base_growth ** np.array([inputs.base_year - inputs.council_tax_year]))[:, 0]

    share, cap, threshold = retention_terms(ctx)
    ratio = share / ctx.retention["base_local_share"]
    # business rates growth: one path per region or named place, worked out once for each
    paths, growth_path = _distinct_columns(ctx.samples["business_rates_growth"])
    paths = np.log1p(paths)              # as resources.retained_business_rates takes it, once a path
    growth_path = np.broadcast_to(growth_path, (n,))
    growth_index = _NO_TABLE
    if paths.shape[1] <= GROWTH_PATHS:
        growth_index = paths.T[:, None, :] * steps[None, :, None]
        growth_index = np.broadcast_to(np.exp(growth_index, out=growth_index), (paths.shape[1], len(steps), draws))
    return Cells(*(_own(value) for value in Cells(
        steps=steps, population_log=population_log if drawn else np.empty((0, 0)),
        population_index=np.empty((0, 0)) if drawn else np.exp(population_log[0][:, None] * steps),
        cost=cost, need=need, band_d=inputs.band_d,
        increase=np.empty(0) if increase is None else np.broadcast_to(increase, (draws,)),
        share_ceiling=share_ceiling, cash_ceiling=cash_ceiling,
        band_d_year=np.searchsorted(span, ctx.years), tax_base=inputs.tax_base,
        tax_base_index=_by_year(tax_base_growth ** (ctx.years - inputs.council_tax_year)[None, :], draws),
        base_year_column=base_year_column,
        base_tax_base_index=np.broadcast_to(base_tax_base_index, (draws,)),
        council_tax=inputs.council_tax, spending=sum(inputs.spending.values()), retained_rates=inputs.retained_rates,
        uprating=_by_year(multiplier_uprating(ctx)[:, 0, :], draws), growth_path=growth_path,
        growth_log=np.broadcast_to(paths, (draws, paths.shape[1])), growth_index=growth_index,
        threshold=threshold, moved=(ratio != 1.0).any(axis=1), ratio=ratio,
        cap=cap, last_change=last_change(share, float(ctx.retention["base_local_share"])),
        grant_index=_by_year(((1.0 + ctx.rate("grant_growth")) ** ctx.steps)[:, 0, :], draws))))


def _ceilings(ctx: Context, years: int) -> tuple[np.ndarray, np.ndarray]:
    """Each council's referendum ceiling in each council tax year, (places, years) twice, as
    resources.council_tax hands the limits to rules.council_tax.max_band_d_without_referendum:
    the ceiling is the greater of Band D x the first and Band D + the second (NaN: no cash limit)."""
    limits = {key: np.broadcast_to(np.asarray(ctx.limits[key], dtype=np.float64), (ctx.inputs.n, years))
              for key in ("core_limit", "asc_limit", "cash_limit", "additional_limit")}
    # rules.referendum.principles already gives each council its own limits (0 for no adult
    # social care precept, NaN for no cash alternative, a named council's additional share)
    share = 1.0 + ((limits["core_limit"] + limits["asc_limit"]) + limits["additional_limit"])
    return share, limits["cash_limit"]


def _distinct_columns(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct columns of a (rows, columns) array and each column's number among them, as
    ``np.unique(axis=1, return_inverse=True)`` finds them (in another order), in two passes and no
    copy rather than a sort of whole columns (half a second for 10,000 draws x 308 councils): the
    columns are grouped by a hash of their bits, and every column is then checked bit for bit
    against its group's first (np.unique if two columns' hashes collided)."""
    values = np.ascontiguousarray(values, dtype=np.float64)
    bits = values.view(np.uint64)
    weights = np.random.default_rng(0).integers(1, 2**63, size=len(bits), dtype=np.uint64) | np.uint64(1)
    _, first, inverse = np.unique(_column_hashes(bits, weights), return_index=True, return_inverse=True)
    inverse = inverse.reshape(-1)
    if not _columns_match(bits, first[inverse]):
        distinct, inverse = np.unique(values, axis=1, return_inverse=True)
        return distinct, inverse.reshape(-1)
    return values[:, first], inverse


@numba.njit(cache=True, nogil=True, error_model="numpy")
def _column_hashes(bits, weights):
    out = np.zeros(bits.shape[1], dtype=np.uint64)
    for i in range(bits.shape[0]):
        for j in range(bits.shape[1]):
            out[j] += bits[i, j] * weights[i]          # wraps: a hash, not a sum
    return out


@numba.njit(cache=True, nogil=True, error_model="numpy")
def _columns_match(bits, like):
    for i in range(bits.shape[0]):
        for j in range(bits.shape[1]):
            if bits[i, j] != bits[i, like[j]]:
                return False
    return True


def _own(value):
    """A table as a fresh C-contiguous, writable array (an int stays an int): every call of the
    kernel sees the same types, so it is compiled (and cached) once."""
    if isinstance(value, (int, np.integer)):
        return int(value)
    value = np.asarray(value)
    return np.array(value, dtype=np.int64 if value.dtype.kind in "iu" else value.dtype, order="C")


def gap(cells: Cells, out: np.ndarray, draws: tuple[int, int], places: tuple[int, int],
        pressure: np.ndarray | None = None, pressure_only: bool = False, first_draw: int | None = None) -> np.ndarray:
    """The funding gap (£ cash) of draws ``draws[0]:draws[1]`` and councils ``places[0]:places[1]``,
    written to ``out`` (C-contiguous, (councils, years, draws)): council ``places[0]`` at
    ``out[0]``, draw ``first_draw`` (default ``draws[0]``) at ``out[..., 0]``. ``pressure``
    (draws, councils, years) of the whole run, when given, is used instead of working pressure out
    (``runner.monte_carlo_pressure``); ``pressure_only`` writes the pressure, not the gap.
    Returns ``out``. Arguments always reach the kernel with the same types (one compilation)."""
    first = draws[0] if first_draw is None else first_draw
    run, councils = len(cells.base_tax_base_index), len(cells.band_d)
    if not (0 <= first <= draws[0] <= draws[1] <= run and 0 <= places[0] <= places[1] <= councils
            and out.flags.c_contiguous and out.dtype == np.float64 and out.ndim == 3
            and out.shape[0] >= places[1] - places[0] and out.shape[1] == len(cells.steps)
            and out.shape[2] >= draws[1] - first):
        raise ValueError(f"draws {draws} (from {first}) and councils {places} into an array {out.shape}: "
                         f"expected a C-contiguous float64 array within the {run} draws and {councils} "
                         "councils prepared")
    _project(cells, _held_pressure(cells, pressure), pressure_only, draws[0], draws[1], places[0], places[1], 1,
             out, first, _NO_RANKS, _NO_TABLE, _NO_TABLE)
    return out


def streamed(cells: Cells, ranks: np.ndarray, pressure: np.ndarray | None = None,
             place_block: int = PLACE_BLOCK) -> tuple[np.ndarray, np.ndarray]:
    """Every council's order statistics of the given ranks among its draws, (councils, years,
    ranks; none asked, none worked out), and England's gap (years, draws), in one pass that holds
    a council's draws at a time, never every council's: each block of ``place_block`` councils is
    summed council by council into its own part of England, and the parts added in block order
    (so the sums, like every number here, do not depend on the cores). ``pressure`` as for
    :func:`gap`."""
    ranks = np.ascontiguousarray(ranks, dtype=np.int64)
    councils, draws = len(cells.band_d), len(cells.base_tax_base_index)
    if ranks.size and not (0 <= ranks.min() and ranks.max() < draws):
        raise ValueError(f"ranks {ranks.min()}..{ranks.max()} outside 0..{draws - 1}")
    stats = np.empty((councils, len(cells.steps), len(ranks)))
    parts = np.zeros((-(-councils // place_block), len(cells.steps), draws))
    _project(cells, _held_pressure(cells, pressure), False, 0, draws, 0, councils, place_block, _NO_TABLE, 0,
             ranks, stats, parts)
    england = np.zeros((len(cells.steps), draws))
    for part in parts:
        england += part
    return stats, england


def _held_pressure(cells: Cells, pressure: np.ndarray | None) -> np.ndarray:
    """``pressure`` (draws, councils, years) as the kernel reads it: (councils, years, draws),
    read-only (so every call has the same argument types: one compilation)."""
    if pressure is None:
        return _NO_PRESSURE
    if pressure.shape != (len(cells.base_tax_base_index), len(cells.band_d), len(cells.steps)):
        raise ValueError(f"pressure {pressure.shape}: expected (draws, councils, years) of the run")
    held = np.moveaxis(pressure, 0, -1)
    held = (held if held.flags.c_contiguous else np.ascontiguousarray(held)).view()
    held.setflags(write=False)
    return held


_NO_PRESSURE = np.empty((0, 0, 0))
_NO_PRESSURE.setflags(write=False)
_NO_RANKS = np.empty(0, dtype=np.int64)


@numba.njit(cache=True, nogil=True, error_model="numpy")
def _maximum(a, b):
    """np.maximum: NaN if either is."""
    if a != a or b != b:
        return a + b
    return a if a >= b else b


@numba.njit(cache=True, nogil=True, error_model="numpy")
def _minimum(a, b):
    """np.minimum: NaN if either is."""
    if a != a or b != b:
        return a + b
    return a if a <= b else b


@numba.njit(cache=True, nogil=True, error_model="numpy")
def _fmax(a, b):
    """np.fmax: the other where one is NaN."""
    return a if (b != b or a >= b) else b


@numba.njit(cache=True, nogil=True, error_model="numpy")
def _fmin(a, b):
    """np.fmin: the other where one is NaN."""
    return a if (b != b or a <= b) else b


@numba.njit(cache=True, nogil=True, error_model="numpy")
def _growth(c, path, year, d0, into):
    """Business rates growth index of one path and year for draws d0.. (len(into))."""
    if c.growth_index.shape[0] > 0:
        index = c.growth_index[path, year, d0:d0 + into.shape[0]]
        for j in range(into.shape[0]):
            into[j] = index[j]
    else:
        logs = c.growth_log[d0:d0 + into.shape[0], path]
        for j in range(into.shape[0]):
            into[j] = np.exp(logs[j] * c.steps[year])


@numba.njit(parallel=True, cache=True, nogil=True, error_model="numpy")
def _project(c, pressure, pressure_only, d0, d1, p0, p1, place_block, held, first, ranks, stats, england):
    """Councils p0:p1 in blocks of ``place_block`` on the cores, draws d0:d1 a chunk at a time: into
    ``held[p - p0, year, d - first]`` when it is given (:func:`gap`), else streamed (:func:`streamed`):
    each block's gaps added council by council into ``england[block]`` and reduced to ``stats``.
    One kernel for both, so numba compiles (and caches) the council's arithmetic once."""
    years = c.steps.shape[0]
    for block in numba.prange((p1 - p0 + place_block - 1) // place_block):
        scratch = np.empty((years if held.shape[0] == 0 else 0, d1 - d0))
        for p in range(p0 + block * place_block, min(p0 + (block + 1) * place_block, p1)):
            target = scratch if held.shape[0] == 0 else held[p - p0]
            for start in range(d0, d1, DRAW_CHUNK):
                _council(c, p, start, min(start + DRAW_CHUNK, d1), pressure, pressure_only, target, start - first)
            if held.shape[0] == 0:
                part = england[block]
                for y in range(years):
                    for j in range(d1 - d0):
                        part[y, j] += target[y, j]
                if ranks.shape[0] > 0:
                    for y in range(years):
                        order_statistics_of_row(target[y], ranks, stats[p, y])


@numba.njit(cache=True, nogil=True, error_model="numpy")
def _council(c, p, d0, d1, pressure, pressure_only, out, at):
    """Council p's gap (or pressure) for draws d0:d1, written to out[year, at:]. Every inner loop
    runs over the chunk's draws from 0 on views of the tables, so the compiler vectorises it."""
    nd = d1 - d0
    given = pressure.shape[0] > 0
    population = np.empty(nd)
    value = np.empty(nd)
    band_d = np.full(nd, c.band_d[p])
    path = np.empty((c.share_ceiling.shape[1], nd))
    rest = np.empty(nd)
    growth = np.empty(nd)
    reset = np.empty(nd)
    if not pressure_only:
        # council tax: Band D year by year from the latest held, within each year's ceiling
        increase = c.increase[d0:d1]
        for s in range(path.shape[0]):
            by_share, by_cash = c.share_ceiling[p, s], c.cash_ceiling[p, s]
            if increase.shape[0] == 0:
                for j in range(nd):
                    band_d[j] = _fmax(band_d[j] * by_share, band_d[j] + by_cash)
            else:
                for j in range(nd):
                    band_d[j] = _fmin(band_d[j] * (1.0 + increase[j]), _fmax(band_d[j] * by_share, band_d[j] + by_cash))
            for j in range(nd):
                path[s, j] = band_d[j]
        if c.base_year_column < 0:
            for j in range(nd):
                rest[j] = c.spending[p] - c.council_tax[p] - c.retained_rates[p]
        else:
            at_base, index = path[c.base_year_column], c.base_tax_base_index[d0:d1]
            for j in range(nd):
                rest[j] = c.spending[p] - (at_base[j] * c.tax_base[p]) * index[j] - c.retained_rates[p]
    for y in range(c.steps.shape[0]):
        if given:
            given_row = pressure[p, y, d0:d1]
            for j in range(nd):
                value[j] = given_row[j]
        else:
            if c.population_index.shape[0] > 0:
                for j in range(nd):
                    population[j] = c.population_index[p, y]
            else:
                logs = c.population_log[d0:d1, p]
                for j in range(nd):
                    population[j] = np.exp(logs[j] * c.steps[y])
            for j in range(nd):
                value[j] = 0.0
            for k in range(c.cost.shape[0]):
                need, cost = c.need[k, p, y], c.cost[k, y, d0:d1]
                for j in range(nd):
                    value[j] += cost[j] * (need * population[j])
        row = out[y, at:at + nd]
        if pressure_only:
            for j in range(nd):
                row[j] = value[j]
            continue
        threshold, ratio, cap = c.threshold[p, y], c.ratio[p, y], c.cap[p, y]
        uprating = c.uprating[y, d0:d1]
        _growth(c, c.growth_path[p], y, d0, growth)
        if c.moved[p]:
            last = c.last_change[p, y]
            if last >= 0:
                _growth(c, c.growth_path[p], last, d0, reset)
            else:
                for j in range(nd):
                    reset[j] = 1.0
            for j in range(nd):
                # resources.by_rules: the scheme reset at the last change of local share
                bfl = c.retained_rates[p] * uprating[j]
                funding = bfl * reset[j]
                baseline = funding * ratio
                excess = baseline - funding
                tariff = _maximum(excess, 0.0)
                retained = (((ratio * bfl) * growth[j] - tariff) + (tariff - excess)) + 0.0
                kept = funding / baseline if baseline > 0 else 1.0
                levy = _maximum(retained - funding, 0.0) * _minimum(_maximum(1.0 - kept, 0.0), cap)
                growth[j] = (retained - levy) + _maximum(threshold * funding - retained, 0.0)
        else:
            for j in range(nd):
                growth[j] = (c.retained_rates[p] * uprating[j]) * _maximum(growth[j], threshold)  # retained_at_baseline
        charged, tax_base, grant = path[c.band_d_year[y]], c.tax_base_index[y, d0:d1], c.grant_index[y, d0:d1]
        for j in range(nd):                     # growth now holds the retained rates
            row[j] = ((value[j] - (charged[j] * c.tax_base[p]) * tax_base[j]) - growth[j]) - rest[j] * grant[j]
