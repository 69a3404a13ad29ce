"""The settlement run: an explicit sequence of rule calls, top to bottom, with a plain trace.

``run_retention`` is one year of the 2013-14 to 2025-26 business rates retention scheme for every
authority (SI 2013/452, SI 2013/737); ``retention_arrays`` is the same sequence on bare arrays with
a leading axis of variants (local share, levy rate cap, safety net threshold), used for sweeps.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np

from devolution.rules import retention as r

#: Variants worked out together in a sweep, each block written into its rows of the results; the
#: blocks are shared among the machine's cores.
VARIANT_BLOCK = 512
LOCAL_SHARE = "business_rates.local_share"
LEVY_RATE_CAP = "settlement.retention.levy_rate_cap"
SAFETY_NET_THRESHOLD = "settlement.retention.safety_net_threshold"
#: What the run returns, each an array of the inputs' broadcast shape.
RESULTS = ("business_rates_baseline", "tariff", "top_up", "local_share_income", "retained_rates_income", "levy_rate",
           "levy", "safety_net", "growth_kept")


@dataclass
class RetentionInputs:
    """Per-authority official amounts for one year (data, not parameters): the business rates
    baseline and baseline funding level (Local Government Finance Report; set at ``base_local_share``),
    the billing area's non-domestic rating income (NNDR1/NNDR3), the authority's share of the local
    share, and its pool (-1 for none)."""

    codes: np.ndarray
    business_rates_baseline: np.ndarray
    baseline_funding_level: np.ndarray
    non_domestic_rating_income: np.ndarray
    tier_share: np.ndarray
    pool: np.ndarray
    base_local_share: float


@dataclass
class RetentionResult:
    values: dict[str, np.ndarray]
    trace: list[dict] = field(default_factory=list)


def groups(pool: np.ndarray) -> tuple[np.ndarray, int]:
    """Group number for each authority: its pool's, or a group of its own when not pooled."""
    pool = np.asarray(pool, dtype=np.int64)
    pooled = pool >= 0
    ids = np.where(pooled, pool, pool.max(initial=-1) + 1 + np.cumsum(~pooled) - 1)
    _, group = np.unique(ids, return_inverse=True)
    return group.astype(np.int64), int(group.max(initial=-1)) + 1


def retention_arrays(business_rates_baseline, baseline_funding_level, non_domestic_rating_income, tier_share,
                     group, n_groups, base_local_share, local_share, levy_rate_cap, safety_net_threshold,
                     trace: list | None = None) -> dict[str, np.ndarray]:
    """The run on arrays, :func:`_retention`: every result (:data:`RESULTS`) has the shape of all
    the inputs broadcast together, (authorities,) or (variants, authorities). The results are
    allocated once and each rule writes into them; a leading axis of more than
    :data:`VARIANT_BLOCK` variants is worked out a block of rows at a time, the blocks on the
    machine's cores (numpy releases the GIL): the same numbers as one call, as every variant is
    worked out on its own."""
    arrays = (business_rates_baseline, baseline_funding_level, non_domestic_rating_income, tier_share,
              local_share, levy_rate_cap, safety_net_threshold)
    shape = np.broadcast_shapes(*(np.shape(a) for a in arrays))
    out = {name: np.empty(shape) for name in RESULTS}
    members = _pool_members(group, n_groups)
    if trace is not None or len(shape) < 2 or shape[0] <= VARIANT_BLOCK:
        return _retention(*arrays[:4], members, base_local_share, *arrays[4:], out, trace)
    variants = shape[0]

    def block(start: int) -> None:
        rows = slice(start, start + VARIANT_BLOCK)
        given = [a[rows] if np.ndim(a) == len(shape) and np.shape(a)[0] == variants else a for a in arrays]
        _retention(*given[:4], members, base_local_share, *given[4:],
                   {name: value[rows] for name, value in out.items()})

    with ThreadPoolExecutor(os.cpu_count() or 1) as pool:
        list(pool.map(block, range(0, variants, VARIANT_BLOCK)))
    return out


def _pool_members(group, n_groups) -> tuple[np.ndarray, np.ndarray, int]:
    """The authorities in a pool of more than one (their positions, ordered by pool so that each
    pool's members are a run of columns), each one's pool numbered 0..P-1, and P."""
    group = np.asarray(group, dtype=np.int64)
    pooled = np.flatnonzero(np.bincount(group, minlength=n_groups)[group] > 1)
    pooled = pooled[np.argsort(group[pooled], kind="stable")]
    pools, pool = np.unique(group[pooled], return_inverse=True)
    return pooled, pool, len(pools)


def _retention(business_rates_baseline, baseline_funding_level, non_domestic_rating_income, tier_share,
               members, base_local_share, local_share, levy_rate_cap, safety_net_threshold,
               out: dict[str, np.ndarray], trace: list | None = None) -> dict[str, np.ndarray]:
    """The run on arrays, written into ``out`` (:data:`RESULTS`, each of the results' shape).
    Scenario values may carry a leading variant axis of shape (v, 1).
    A local share other than the base scales the baseline with it, and the tariff or top-up is
    set again from it, so with no growth an authority still retains exactly its BFL.

    Levy and safety net are worked out for every authority on its own values (right for an
    authority alone in its group), then again for pool members only, on their pool's totals (each
    member's columns summed over every variant at once), attributed and written over the first."""
    pooled, pool, n_pools = members

    def step(rule, value, **inputs):
        if trace is not None:
            trace.append({"rule": rule, "inputs": {k: float(np.sum(v)) for k, v in inputs.items()},
                          "total": float(np.sum(value))})
        return value

    scale = np.asarray(local_share, dtype=np.float64) / base_local_share
    brb = step("business_rates_baseline_at_local_share",
               np.multiply(business_rates_baseline, scale, out=out["business_rates_baseline"]),
               business_rates_baseline=business_rates_baseline)
    tariff, top_up = r.tariff_and_top_up(brb, baseline_funding_level, out=(out["tariff"], out["top_up"]))
    if trace is not None:
        step("tariff_and_top_up", tariff - top_up, business_rates_baseline=brb,
             baseline_funding_level=baseline_funding_level)
    income = step("local_share_income", r.local_share_income(non_domestic_rating_income, local_share, tier_share,
                                                             out=out["local_share_income"]),
                  non_domestic_rating_income=non_domestic_rating_income)
    retained = step("retained_rates_income", r.retained_rates_income(income, tariff, top_up,
                                                                     out=out["retained_rates_income"]),
                    local_share_income=income)
    rate = r.individual_levy_rate(brb, baseline_funding_level, levy_rate_cap, out=out["levy_rate"])
    levy = r.levy(retained, baseline_funding_level, rate, out=out["levy"])
    net = r.safety_net(retained, baseline_funding_level, safety_net_threshold, out=out["safety_net"])
    if pooled.size:
        # A pool counts as one authority (SI 2013/737 reg 3): its rate, levy and safety net are
        # worked out on its members' totals. They are attributed to members in proportion to their
        # own growth above BFL (levy) or shortfall (safety net): a presentation choice, not a regulation.
        own_bfl, own_retained = np.take(baseline_funding_level, pooled, axis=-1), np.take(retained, pooled, axis=-1)
        pool_bfl = r.pool_totals(own_bfl, pool, n_pools)
        pool_retained = r.pool_totals(own_retained, pool, n_pools)
        pool_rate = r.individual_levy_rate(r.pool_totals(np.take(brb, pooled, axis=-1), pool, n_pools), pool_bfl,
                                           levy_rate_cap)
        growth = own_retained - own_bfl
        rate[..., pooled] = np.take(pool_rate, pool, axis=-1)
        levy[..., pooled] = _attribute(r.levy(pool_retained, pool_bfl, pool_rate), np.maximum(growth, 0.0), pool,
                                       n_pools)
        net[..., pooled] = _attribute(r.safety_net(pool_retained, pool_bfl, safety_net_threshold),
                                      np.maximum(np.negative(growth, out=growth), 0.0, out=growth), pool, n_pools)
    # Attribution keeps each pool's total, so the totals traced are the groups' levy and safety net.
    step("levy", levy, retained_rates_income=retained, baseline_funding_level=baseline_funding_level)
    step("safety_net", net, retained_rates_income=retained)
    step("growth_kept", r.growth_kept(retained, baseline_funding_level, levy, net, out=out["growth_kept"]),
         retained=retained)
    return out


def _attribute(pool_amount, basis, pool, n_pools):
    """Each pool member's part of its pool's amount (..., pools): the amount per unit of the pool's
    total ``basis``, times the member's own basis (..., members); nothing where the total is 0."""
    total = r.pool_totals(basis, pool, n_pools)
    per_unit = np.zeros(np.broadcast_shapes(np.shape(pool_amount), total.shape))
    np.divide(pool_amount, total, out=per_unit, where=total > 0)
    return basis * np.take(per_unit, pool, axis=-1)




def run_retention(inputs: RetentionInputs, year: int, parameters) -> RetentionResult:
    """One year of retention for every authority with the parameters in force (a ParameterTree,
    possibly with overrides); the trace lists each rule's totals and the parameters read."""
    trace: list[dict] = []
    used = {path: parameters.value(path, year) for path in (LOCAL_SHARE, LEVY_RATE_CAP, SAFETY_NET_THRESHOLD)}
    for path, value in used.items():
        parameter = parameters.parameter(path)
        trace.append({"parameter": path, "value": value, "status": parameter.status,
                      "references": [str(ref) for ref in parameter.references]})
    group, n_groups = groups(inputs.pool)
    values = retention_arrays(inputs.business_rates_baseline, inputs.baseline_funding_level,
                              inputs.non_domestic_rating_income, inputs.tier_share, group, n_groups,
                              inputs.base_local_share, used[LOCAL_SHARE], used[LEVY_RATE_CAP],
                              used[SAFETY_NET_THRESHOLD], trace)
    return RetentionResult(values, trace)
