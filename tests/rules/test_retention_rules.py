"""Retention scheme (SI 2013/737) on small made-up authorities with hand-worked values.

A: baseline 100, BFL 60 (tariff 40, levy rate 0.4); B: baseline 20, BFL 80 (top-up 60);
C: baseline 80, BFL 60 (tariff 20, levy rate 0.25). Set up at a 50% local share, so the billing
area's rates income at the baseline is twice the baseline.
"""

import numpy as np
import pytest

from devolution import parameters
from devolution.errors import ParameterError
from devolution.rules import retention as r
from devolution.rules.pipeline import RetentionInputs, groups, retention_arrays, run_retention
from devolution.rules.settlement import baseline_funding_level_at_setup

BRB = np.array([100.0, 20.0, 80.0])
BFL = np.array([60.0, 80.0, 60.0])


def _inputs(ndri, pool=(-1, -1, -1)):
    return RetentionInputs(np.array(["A", "B", "C"]), BRB, BFL, np.asarray(ndri, dtype=float), np.ones(3),
                           np.array(pool), 0.5)


def _run(ndri, pool=(-1, -1, -1), overrides=None):
    tree = parameters.default() if overrides is None else parameters.with_overrides(overrides)
    return run_retention(_inputs(ndri, pool), 2015, tree).values


def test_tariffs_pay_for_top_ups_at_baseline():
    share = np.array([0.2, 0.5, 0.3])
    bfl = baseline_funding_level_at_setup(share, aggregate_local_share=BRB.sum())
    tariff, top_up = r.tariff_and_top_up(BRB, bfl)
    assert tariff.sum() == pytest.approx(top_up.sum())
    assert r.tariff_and_top_up(BRB, BFL)[0].tolist() == [40.0, 0.0, 20.0]


def test_with_no_growth_no_levy_and_no_safety_net():
    out = _run(2 * BRB)
    assert out["retained_rates_income"] == pytest.approx(BFL)
    assert out["levy"].sum() == 0 and out["safety_net"].sum() == 0


def test_growth_is_split_between_place_and_levy_as_the_rates_say():
    out = _run([220.0, 40.0, 160.0])  # A's rates income grows by 20, its local share by 10
    assert out["levy_rate"] == pytest.approx([0.4, 0.0, 0.25])
    assert out["levy"] == pytest.approx([4.0, 0.0, 0.0])
    assert out["growth_kept"] == pytest.approx([6.0, 0.0, 0.0])


def test_safety_net_tops_up_to_92_5_percent_of_bfl():
    out = _run([200.0, 20.0, 160.0])  # B loses 10 of retained income: 70 < 74 = 0.925 x 80
    assert out["safety_net"] == pytest.approx([0.0, 4.0, 0.0])


def test_levy_rate_is_capped_at_one_half():
    assert r.individual_levy_rate(np.array([100.0]), np.array([20.0]), 0.5) == pytest.approx([0.5])


def test_full_local_share_doubles_the_baseline_and_the_cap_binds():
    out = _run([220.0, 40.0, 160.0], overrides={"business_rates.local_share": {"2013-14": 1.0}})
    assert out["tariff"] == pytest.approx([140.0, 0.0, 100.0])
    assert out["retained_rates_income"] == pytest.approx([80.0, 80.0, 60.0])
    assert out["levy"] == pytest.approx([10.0, 0.0, 0.0])  # rate 1 - 60/200 = 0.7, capped at 0.5


def test_levy_rate_knob_zero_means_all_growth_kept():
    out = _run([220.0, 40.0, 160.0], overrides={"settlement.retention.levy_rate_cap": {"2013-14": 0.0}})
    assert out["levy"].sum() == 0 and out["growth_kept"][0] == pytest.approx(10.0)


def test_unknown_parameter_path_is_refused_with_the_path():
    with pytest.raises(ParameterError, match="business_rates.locl_share"):
        parameters.with_overrides({"business_rates.locl_share": {"2015-16": 1.0}})


def test_pool_pays_less_levy_when_growth_is_proportional_to_baselines():
    ndri = 2 * BRB * 1.1  # 10% growth everywhere, no cap binding
    alone, pooled = _run(ndri), _run(ndri, pool=(0, 0, 0))
    assert pooled["levy"].sum() <= alone["levy"].sum() + 1e-9
    assert pooled["levy"].sum() == pytest.approx(0.0)  # the pool as a whole has BFL = baseline


def test_a_pool_can_pay_more_levy_when_growth_is_in_its_low_levy_member():
    # Pool A+C has levy rate 1 - 120/180 = 1/3; C alone 0.25. Growth of 10 in C only:
    ndri = [200.0, 40.0, 180.0]
    alone, pooled = _run(ndri), _run(ndri, pool=(0, -1, 0))
    assert alone["levy"].sum() == pytest.approx(2.5)
    assert pooled["levy"].sum() == pytest.approx(10 / 3)


def test_pool_levy_rate_never_exceeds_its_highest_member_rate():
    rng = np.random.default_rng(1)
    brb, bfl = rng.uniform(10, 100, (200, 4)), rng.uniform(10, 100, (200, 4))
    member = r.individual_levy_rate(brb, bfl, 0.5)
    pooled = r.individual_levy_rate(brb.sum(-1), bfl.sum(-1), 0.5)
    assert (pooled <= member.max(-1) + 1e-12).all()


def test_variants_on_a_leading_axis_match_one_by_one():
    group, n = groups(np.array([-1, -1, -1]))
    shares = np.array([0.5, 0.75, 1.0])[:, None]
    caps = np.array([0.5, 0.25, 0.0])[:, None]
    ndri = np.array([220.0, 40.0, 160.0])
    swept = retention_arrays(BRB, BFL, ndri, np.ones(3), group, n, 0.5, shares, caps, 0.925)
    for i in range(3):
        one = retention_arrays(BRB, BFL, ndri, np.ones(3), group, n, 0.5, float(shares[i, 0]), float(caps[i, 0]), 0.925)
        assert swept["levy"][i] == pytest.approx(one["levy"])


def test_trace_names_parameters_and_their_references():
    result = run_retention(_inputs(2 * BRB), 2015, parameters.default())
    params = [t for t in result.trace if "parameter" in t]
    assert {t["parameter"] for t in params} == {"business_rates.local_share", "settlement.retention.levy_rate_cap",
                                                "settlement.retention.safety_net_threshold"}
    assert all(t["references"] for t in params)


def test_gla_share_by_year_and_2019_20_refused():
    p = parameters.default()
    assert [p.value("settlement.retention.gla_share", y) for y in (2013, 2017, 2018, 2020, 2024)] == \
        [0.40, 0.37, 0.36, 0.37, 0.37]  # SI 2013/452 reg 6(3)(c); SI 2018/463 reg 5(3B), (3C)
    with pytest.raises(ParameterError, match="gla_share.*2019-20"):
        p.value("settlement.retention.gla_share", 2019)


def test_retained_at_baseline_is_the_full_chain_when_baseline_equals_funding_level():
    import numpy as np

    from devolution.rules import retention as r

    rng = np.random.default_rng(3)
    bfl = rng.uniform(1e6, 1e8, 500)
    growth = rng.uniform(0.8, 1.3, 500)
    tariff, top_up = r.tariff_and_top_up(bfl, bfl)
    retained = r.retained_rates_income(bfl * growth, tariff, top_up)
    levy = r.levy(retained, bfl, r.individual_levy_rate(bfl, bfl, 0.5))
    full = retained - levy + r.safety_net(retained, bfl, 0.925)
    assert np.allclose(r.retained_at_baseline(bfl, growth, 0.925), full, rtol=1e-12)
    assert (growth < 0.925).any() and (growth > 1).any()  # both the safety net and growth exercised
