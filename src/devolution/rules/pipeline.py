"""The settlement run: an explicit sequence of rule calls, top to bottom, with a plain trace.

``run_retention`` is one year of the 2013-14 to 2025-26 business rates retention scheme for every
authority (SI 2013/452, SI 2013/737); ``retention_arrays`` is the same sequence on bare arrays with
a leading axis of variants (local share, levy rate cap, safety net threshold), used for sweeps.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from devolution.rules import retention as r

LOCAL_SHARE = "business_rates.local_share"
LEVY_RATE_CAP = "settlement.retention.levy_rate_cap"
SAFETY_NET_THRESHOLD = "settlement.retention.safety_net_threshold"


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
    """The run on arrays. Scenario values may carry a leading variant axis of shape (v, 1).
    A local share other than the base scales the baseline with it, and the tariff or top-up is
    set again from it, so with no growth an authority still retains exactly its BFL."""
    def step(rule, out, **inputs):
        if trace is not None:
            trace.append({"rule": rule, "inputs": {k: float(np.sum(v)) for k, v in inputs.items()},
                          "total": float(np.sum(out))})
        return out

    scale = np.asarray(local_share, dtype=np.float64) / base_local_share
    brb = step("business_rates_baseline_at_local_share", business_rates_baseline * scale,
               business_rates_baseline=business_rates_baseline)
    tariff, top_up = r.tariff_and_top_up(brb, baseline_funding_level)
    step("tariff_and_top_up", tariff - top_up, business_rates_baseline=brb,
         baseline_funding_level=baseline_funding_level)
    income = step("local_share_income", r.local_share_income(non_domestic_rating_income, local_share, tier_share),
                  non_domestic_rating_income=non_domestic_rating_income)
    retained = step("retained_rates_income", r.retained_rates_income(income, tariff, top_up),
                    local_share_income=income)
    # Levy and safety net are computed on each group (a pool counts as one authority, SI 2013/737 reg 3).
    g_brb = r.pool_totals(brb, group, n_groups)
    g_bfl = r.pool_totals(np.broadcast_to(baseline_funding_level, np.shape(brb)), group, n_groups)
    g_retained = r.pool_totals(retained, group, n_groups)
    g_rate = r.individual_levy_rate(g_brb, g_bfl, levy_rate_cap)
    g_levy = step("levy", r.levy(g_retained, g_bfl, g_rate), retained_rates_income=g_retained,
                  baseline_funding_level=g_bfl)
    g_net = step("safety_net", r.safety_net(g_retained, g_bfl, safety_net_threshold),
                 retained_rates_income=g_retained)
    # A group's levy and safety net are attributed to its members in proportion to their own
    # growth above BFL (levy) or shortfall (safety net): a presentation choice, not a regulation.
    growth = retained - baseline_funding_level
    up, down = np.maximum(growth, 0.0), np.maximum(-growth, 0.0)
    g_up, g_down = r.pool_totals(up, group, n_groups), r.pool_totals(down, group, n_groups)
    levy = _attribute(g_levy, g_up, up, group)
    net = _attribute(g_net, g_down, down, group)
    kept = step("growth_kept", r.growth_kept(retained, baseline_funding_level, levy, net), retained=retained)
    return {"business_rates_baseline": brb, "tariff": tariff, "top_up": top_up, "local_share_income": income,
            "retained_rates_income": retained, "levy_rate": np.take(g_rate, group, axis=-1), "levy": levy,
            "safety_net": net, "growth_kept": kept}


def _attribute(group_amount, group_basis, basis, group):
    share = np.zeros(np.broadcast(basis, np.take(group_basis, group, axis=-1)).shape)
    member_basis = np.take(group_basis, group, axis=-1)
    np.divide(basis, member_basis, out=share, where=member_basis > 0)
    return np.take(group_amount, group, axis=-1) * share


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
