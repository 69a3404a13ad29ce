"""Fair Funding Review 2.0 machinery on small data, and on the real indicators in the store."""

import numpy as np
import pytest

from devolution.rules import needs as n


def test_formula_need_is_weighted_indicators_times_area_cost():
    indicators = np.array([[100.0, 10.0], [200.0, 0.0]])  # residents, children looked after
    need = n.formula_need(indicators, np.array([1.0, 50.0]), np.array([1.1, 1.0]))
    assert need == pytest.approx([660.0, 200.0])


def test_assessment_sums_to_the_funding_available_and_equalises_resources():
    need = np.array([100.0, 100.0])
    resources = n.resources_adjustment(np.array([10.0, 30.0]), 2.0, np.ones(2), 1.0)  # 20 and 60
    ffa = n.fair_funding_assessment(need, resources, total_funding=120.0)
    assert ffa.sum() == pytest.approx(120.0)
    assert ffa == pytest.approx([80.0, 40.0])  # need 100 each (scaled to 200), less resources
    half = n.fair_funding_assessment(need, n.resources_adjustment(np.array([10.0, 30.0]), 2.0, np.ones(2), 0.5), 120.0)
    assert half == pytest.approx([70.0, 50.0])


def test_transition_in_thirds_with_a_full_income_floor_paid_by_gainers():
    base, target = np.array([100.0, 100.0]), np.array([70.0, 130.0])
    year1 = n.transition(target, base, 1, 3, 1.0)
    assert year1 == pytest.approx([100.0, 100.0])  # the loser is held; the gain pays for it
    free = n.transition(target, base, 1, 3, 0.0)
    assert free == pytest.approx([90.0, 110.0])
    assert n.transition(target, base, 3, 3, 0.95) == pytest.approx([95.0, 105.0])


def test_reset_shares_retained_rates_by_need():
    assert n.reset_baseline_funding_level(np.array([0.25, 0.75]), 1000.0) == pytest.approx([250.0, 750.0])


def test_need_shares_on_real_indicators(store):
    obs = store.observations(["population_0_17", "population_65_plus", "population", "imd2025_average_score"])
    wide = obs[obs["year"].isin([2023, 2025])].pivot_table(index="code", columns="measure", values="value").dropna()
    assert len(wide) > 250
    deprivation_weighted = wide["population"] * wide["imd2025_average_score"]
    indicators = np.column_stack([wide["population_0_17"], wide["population_65_plus"], deprivation_weighted])
    need = n.formula_need(indicators, np.array([1.0, 1.0, 0.05]), np.ones(len(wide)))
    shares = n.need_shares(need)
    assert shares.sum() == pytest.approx(1.0)
    per_head = n.indicator_per_head(need, wide["population"].to_numpy())
    score = wide["imd2025_average_score"].to_numpy()
    most, least = score >= np.quantile(score, 0.9), score <= np.quantile(score, 0.1)
    # with a deprivation weight the most deprived tenth gets more need per head than the least
    assert np.nanmean(per_head[most]) > np.nanmean(per_head[least])
