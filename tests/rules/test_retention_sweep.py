"""The retention run over a leading axis of variants, with pools, against the scheme written out
plainly: every group (a pool, or an authority alone) summed by a dense 0/1 membership product, its
levy and safety net worked out on the group totals (SI 2013/737 regs 3, 5(4), 6-8) and attributed
to members in proportion to their growth or shortfall. The pipeline sums only pool members and
skips the groups of one; the numbers must be the same (to rounding: sums taken in another order).
"""

import numpy as np
import pytest

from devolution.rules import pipeline
from devolution.rules import retention as r
from devolution.rules.pipeline import groups, retention_arrays

N, VARIANTS = 90, 40


def _plain(brb0, bfl, ndri, tier, pool, share, cap, threshold, base=0.5):
    """The scheme on (variants, authorities) arrays, group by group through a dense membership."""
    group, n_groups = groups(pool)
    member = (group[:, None] == np.arange(n_groups)).astype(float)       # authorities x groups
    brb = brb0 * (share / base)
    tariff, top_up = np.maximum(brb - bfl, 0), np.maximum(bfl - brb, 0)
    retained = ndri * share * tier - tariff + top_up
    g_brb, g_bfl, g_ret = brb @ member, np.broadcast_to(bfl, brb.shape) @ member, retained @ member
    rate = np.clip(1 - g_bfl / g_brb, 0, cap)
    g_levy = rate * np.maximum(g_ret - g_bfl, 0)
    g_net = np.maximum(threshold * g_bfl - g_ret, 0)
    up, down = np.maximum(retained - bfl, 0), np.maximum(bfl - retained, 0)
    g_up, g_down = up @ member, down @ member
    with np.errstate(invalid="ignore", divide="ignore"):
        levy = np.where(g_up[:, group] > 0, g_levy[:, group] * up / g_up[:, group], 0.0)
        net = np.where(g_down[:, group] > 0, g_net[:, group] * down / g_down[:, group], 0.0)
    return {"business_rates_baseline": brb, "tariff": tariff, "top_up": top_up, "retained_rates_income": retained,
            "levy_rate": rate[:, group], "levy": levy, "safety_net": net,
            "growth_kept": retained - bfl - levy + net, "group_levy": g_levy, "group_safety_net": g_net}


@pytest.fixture(scope="module")
def authorities():
    rng = np.random.default_rng(20170401)
    brb0 = rng.uniform(5e6, 3e8, N)
    bfl = brb0 * rng.uniform(0.3, 1.3, N)                      # tariff and top-up authorities
    tier = rng.choice([1.0, 0.8, 0.2], N, p=[0.7, 0.2, 0.1])
    ndri = 2 * brb0 * rng.uniform(0.85, 1.3, N) / tier         # growth and decline (some in safety net)
    pool = np.where(rng.uniform(size=N) < 0.45, rng.integers(0, 9, N), -1)   # nine pools, the rest alone
    pool[[4, 60]] = 9                                                           # and a pool of two
    share = rng.choice([0.5, 0.75, 1.0], VARIANTS)[:, None]
    cap = rng.uniform(0.0, 0.5, VARIANTS)[:, None]
    threshold = rng.uniform(0.9, 0.975, VARIANTS)[:, None]
    return brb0, bfl, ndri, tier, pool, share, cap, threshold


def test_a_pooled_sweep_equals_the_scheme_group_by_group(authorities):
    brb0, bfl, ndri, tier, pool, share, cap, threshold = authorities
    group, n_groups = groups(pool)
    assert 5 < n_groups < N - 20 and (np.bincount(group) > 2).any()     # pools of several members, and singletons
    got = retention_arrays(brb0, bfl, ndri, tier, group, n_groups, 0.5, share, cap, threshold)
    want = _plain(brb0, bfl, ndri, tier, pool, share, cap, threshold)
    pooled = np.bincount(group)[group] > 1
    for amount in ("levy", "safety_net"):     # both bite, on pools (shared among members) and on authorities alone
        assert (want[amount][:, pooled] > 0).sum() > 50 and (want[amount][:, ~pooled] > 0).sum() > 50
    for name in ("business_rates_baseline", "tariff", "top_up", "retained_rates_income", "levy_rate", "levy",
                 "safety_net", "growth_kept"):
        assert got[name].shape == (VARIANTS, N)
        np.testing.assert_allclose(got[name], want[name], rtol=1e-12, atol=1e-6, err_msg=name)


def test_each_variant_of_a_sweep_is_the_run_with_its_values_alone(authorities):
    brb0, bfl, ndri, tier, pool, share, cap, threshold = authorities
    group, n_groups = groups(pool)
    swept = retention_arrays(brb0, bfl, ndri, tier, group, n_groups, 0.5, share, cap, threshold)
    for v in (0, 17, VARIANTS - 1):
        one = retention_arrays(brb0, bfl, ndri, tier, group, n_groups, 0.5, float(share[v, 0]), float(cap[v, 0]),
                               float(threshold[v, 0]))
        for name, value in one.items():
            np.testing.assert_allclose(swept[name][v], value, rtol=1e-12, atol=1e-6, err_msg=name)


def test_attribution_keeps_each_pools_levy_and_safety_net_and_the_trace_counts_them_once(authorities):
    brb0, bfl, ndri, tier, pool, share, cap, threshold = authorities
    group, n_groups = groups(pool)
    v = 3
    trace = []
    one = retention_arrays(brb0, bfl, ndri, tier, group, n_groups, 0.5, float(share[v, 0]), float(cap[v, 0]),
                           float(threshold[v, 0]), trace)
    want = _plain(brb0, bfl, ndri, tier, pool, share[v:v + 1], cap[v:v + 1], threshold[v:v + 1])
    by_group = np.bincount(group, weights=one["levy"], minlength=n_groups)
    np.testing.assert_allclose(by_group, want["group_levy"][0], rtol=1e-12, atol=1e-6)
    totals = {step["rule"]: step["total"] for step in trace if "rule" in step}
    assert totals["levy"] == pytest.approx(want["group_levy"].sum(), rel=1e-12)
    assert totals["safety_net"] == pytest.approx(want["group_safety_net"].sum(), rel=1e-12)


def test_a_sweep_worked_out_in_blocks_on_threads_equals_one_call(authorities, monkeypatch):
    """Blocks of rows written into the results in place (the last one short) give the same numbers
    as the whole sweep worked out at once, and every result has the sweep's shape."""
    brb0, bfl, ndri, tier, pool, share, cap, threshold = authorities
    group, n_groups = groups(pool)
    whole = retention_arrays(brb0, bfl, ndri, tier, group, n_groups, 0.5, share, cap, threshold)
    monkeypatch.setattr(pipeline, "VARIANT_BLOCK", 7)      # 40 variants: five blocks of 7 and one of 5
    blocked = retention_arrays(brb0, bfl, ndri, tier, group, n_groups, 0.5, share, cap, threshold)
    assert set(blocked) == set(pipeline.RESULTS)
    for name in pipeline.RESULTS:
        assert blocked[name].shape == (VARIANTS, N)
        np.testing.assert_array_equal(blocked[name], whole[name], err_msg=name)


def test_pool_totals_sum_members_in_any_order_and_give_empty_pools_zero():
    values = np.array([[1.0, 2.0, 4.0, 8.0, 16.0], [32.0, 64.0, 128.0, 256.0, 512.0]])
    pool = np.array([2, 0, 2, 0, 3])                      # unordered; pool 1 has no member
    np.testing.assert_array_equal(r.pool_totals(values, pool, 4), [[10.0, 0.0, 5.0, 16.0], [320.0, 0.0, 160.0, 512.0]])
    np.testing.assert_array_equal(r.pool_totals(values[0], pool, 4), [10.0, 0.0, 5.0, 16.0])
    np.testing.assert_array_equal(r.pool_totals(values[:, :0], pool[:0], 2), np.zeros((2, 2)))
