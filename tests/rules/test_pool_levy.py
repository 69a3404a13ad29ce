"""When does a pool pay no more levy than its members would alone? (SI 2013/737 reg 3: a pool is
treated as one authority, its baseline and BFL the sums of its members'.)

Alone, member i pays L_i * max(g_i, 0) (g_i = retained income - BFL, L_i its levy rate); pooled, the
pool pays L_P * max(sum g_i, 0). Since max(sum g, 0) <= sum max(g, 0), the pool pays no more whenever
L_P <= L_i for every member with growth (g_i > 0); in particular when all members pay levy at the same
rate (e.g. all at the 50% cap), whatever else happens (declines, safety net). It fails otherwise: a
levy-free top-up member's growth becomes leviable in a pool. Checked on a seeded sweep run through the
real pipeline (pools as groups), plus the worked counterexample in docs/settlement.md.
"""

import numpy as np
import pytest

from devolution.rules import retention as r
from devolution.rules.pipeline import retention_arrays

POOLS, MEMBERS = 600, 3  # the pipeline sums groups by a dense membership matmul
CAP, SAFETY_NET = 0.5, 0.925


def _levy_alone_and_pooled(brb, bfl, growth):
    """Levy per pool, alone and pooled, from the real pipeline. Inputs (pools, members); income is
    set so that retained income = BFL + growth at a 50% local share."""
    flat = [np.ravel(a) for a in (brb, bfl, growth)]
    ndri = 2.0 * (flat[0] + flat[2])
    n = flat[0].size
    ones = np.ones(n)
    alone = retention_arrays(flat[0], flat[1], ndri, ones, np.arange(n), n, 0.5, 0.5, CAP, SAFETY_NET)
    group = np.arange(n) // brb.shape[1]
    pooled = retention_arrays(flat[0], flat[1], ndri, ones, group, brb.shape[0], 0.5, 0.5, CAP, SAFETY_NET)
    shape = brb.shape
    return alone["levy"].reshape(shape).sum(-1), pooled["levy"].reshape(shape).sum(-1), \
        alone["levy_rate"].reshape(shape), pooled["levy_rate"].reshape(shape)[:, 0]


@pytest.fixture(scope="module")
def sweep():
    rng = np.random.default_rng(20130326)  # SI 2013/737 was made on 26 March 2013
    brb = rng.uniform(10.0, 200.0, (POOLS, MEMBERS))
    bfl = brb * rng.uniform(0.3, 1.6, (POOLS, MEMBERS))  # tariff and top-up authorities
    growth = brb * rng.uniform(-0.15, 0.15, (POOLS, MEMBERS))  # growth and decline (some in safety net)
    return brb, bfl, growth, *_levy_alone_and_pooled(brb, bfl, growth)


def test_pool_pays_no_more_when_its_rate_is_at_most_every_growing_members_rate(sweep):
    brb, bfl, growth, alone, pooled, member_rate, pool_rate = sweep
    growing_rate = np.where(growth > 0, member_rate, np.inf).min(-1)
    holds = pool_rate <= growing_rate + 1e-12
    assert holds.sum() > POOLS // 10  # the condition is met often enough to test something
    assert (pooled[holds] <= alone[holds] + 1e-9).all()


def test_without_the_condition_a_pool_can_pay_more(sweep):
    *_, alone, pooled, member_rate, pool_rate = sweep
    assert (pooled > alone + 1e-6).any()  # so "never pays more" is false in general


def test_members_levying_at_the_same_rate_never_pay_more_pooled():
    rng = np.random.default_rng(7)
    brb = rng.uniform(10.0, 200.0, (POOLS, MEMBERS))
    rate = rng.uniform(0.0, 0.8, (POOLS, 1))  # above 0.5 every member is capped at 0.5
    bfl = brb * (1.0 - rate)
    growth = brb * rng.uniform(-0.3, 0.2, (POOLS, MEMBERS))  # deep declines put members in safety net
    alone, pooled, member_rate, pool_rate = _levy_alone_and_pooled(brb, bfl, growth)
    assert np.allclose(member_rate, np.minimum(rate, CAP)) and np.allclose(pool_rate, np.minimum(rate, CAP)[:, 0])
    assert (pooled <= alone + 1e-9).all()
    assert (pooled < alone - 1e-6).any()  # a decline in one member offsets another's growth


def test_no_member_in_safety_net_is_not_enough_worked_counterexample():
    # A: tariff, baseline 100, BFL 50 (levy rate 0.5). T: top-up, baseline 20, BFL 30 (rate 0).
    # T grows by 6, A does not: alone, no levy. Pooled: rate 1 - 80/120 = 1/3, levy 6/3 = 2.
    brb, bfl, growth = np.array([[100.0, 20.0]]), np.array([[50.0, 30.0]]), np.array([[0.0, 6.0]])
    alone, pooled, member_rate, pool_rate = _levy_alone_and_pooled(brb, bfl, growth)
    assert member_rate[0].tolist() == [0.5, 0.0]
    assert pool_rate[0] == pytest.approx(1 / 3)
    assert alone[0] == 0.0 and pooled[0] == pytest.approx(2.0)
    assert r.safety_net(bfl + growth, bfl, SAFETY_NET).sum() == 0.0  # nobody near the safety net
