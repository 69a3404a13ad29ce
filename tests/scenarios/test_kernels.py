"""The Monte Carlo's fused kernel against its numpy twin, the projection's components, on the real
inputs (every council held, 2024-25 and 2023-24 base years): every draw, council and year.

Tolerance: relative 1e-12. The kernel multiplies and adds in the components' own order from tables
the components' own code prepares, so the numbers agree to the last bit on this machine; only a
growth index the kernel takes the exp of itself (a drawn population shift, or more business rates
growth paths than it tabulates) goes through numba's exp rather than numpy's, which may differ by
an ulp on another CPU.
"""

from __future__ import annotations

import numpy as np
import pytest

from devolution.scenarios import kernels, model, runner
from devolution.scenarios.montecarlo import percentiles
from devolution.scenarios.projection import pressures, run as project

DRAWS = 120
UNCERTAIN = {
    "inflation": {"distribution": "normal", "mean": 0.02, "sd": 0.005},
    "wage_growth": {"distribution": "triangular", "low": 0.02, "mode": 0.03, "high": 0.045},
    "tax_base_growth": {"distribution": "uniform", "low": 0.005, "high": 0.015},
    "demand_growth": {"adult_social_care": {"distribution": "normal", "mean": 0.01, "sd": 0.005},
                      "children": {"distribution": "normal", "mean": 0.02, "sd": 0.01}},
    "grant_growth": {"distribution": "uniform", "low": -0.01, "high": 0.02},
}
SCENARIOS = {
    # the benchmark's: increases drawn, rates growth by region, devolution by default (the rules in full)
    "drawn increase, regions, deals": {
        "assumptions": {**UNCERTAIN, "council_tax_increase": {"distribution": "uniform", "low": 0.02, "high": 0.06},
                        "business_rates_growth": {
                            "england": {"distribution": "normal", "mean": 0.01, "sd": 0.01},
                            "regions": {"London": {"distribution": "normal", "mean": 0.02, "sd": 0.01}}}},
        "deals": {"devolution_by_default": True, "from": "2027-28"}},
    # each year's referendum ceiling, a population shift drawn, a higher local share from 2027-28
    "max, population drawn, local share": {
        "assumptions": {**UNCERTAIN, "council_tax_increase": "max",
                        "population_growth_shift": {"distribution": "normal", "mean": 0.0, "sd": 0.002},
                        "business_rates_growth": {"distribution": "normal", "mean": 0.01, "sd": 0.02}},
        "parameters": {"business_rates.local_share": {"2027-28": 0.75},
                       "settlement.retention.levy_rate_cap": {"2029-30": 0.25}}},
    # nothing drawn but one number each: every draw the same
    "numbers only": {"assumptions": {"inflation": 0.03, "council_tax_increase": 0.0299, "business_rates_growth": -0.02}},
}


def _scenario(raw: dict, first: str = "2025-26", last: str = "2034-35", base: str = "2024-25") -> model.Scenario:
    return model.check({"name": "kernel", "base_year": base, "years": f"{first}..{last}", "seed": 5, **raw})


def _both(scenario, inputs, draws=DRAWS):
    """The kernel's gap and the twin's, (draws, councils, years)."""
    ctx, _ = runner.context(scenario, inputs, draws)
    cells = kernels.prepare(ctx, draws)
    out = np.empty((inputs.n, len(ctx.years), draws))
    kernels.gap(cells, out, (0, draws), (0, inputs.n))
    twin = np.broadcast_to(project(ctx, detail=False)["gap"], (draws, inputs.n, len(ctx.years)))
    return np.moveaxis(out, -1, 0), twin, ctx, cells


@pytest.mark.parametrize("name", SCENARIOS)
def test_the_kernel_equals_its_numpy_twin_on_every_cell(name, inputs_2024):
    got, twin, ctx, cells = _both(_scenario(SCENARIOS[name]), inputs_2024)
    assert np.isfinite(twin).all() and np.abs(twin).max() > 1e8
    np.testing.assert_allclose(got, twin, rtol=1e-12, atol=0)
    if name == "drawn increase, regions, deals":
        assert cells.moved.sum() > 40 and cells.growth_index.shape[0] == 2   # England's path and London's
        assert np.ptp(got[:, :, -1], axis=0).min() > 0                       # every council varies by draw
    if name == "numbers only":
        assert np.ptp(got, axis=0).max() == 0.0


def test_the_kernel_takes_the_exp_itself_when_growth_paths_are_many(inputs_2024, monkeypatch):
    monkeypatch.setattr(kernels, "GROWTH_PATHS", 1)   # England's and London's paths: more than one
    got, twin, _, cells = _both(_scenario(SCENARIOS["drawn increase, regions, deals"]), inputs_2024)
    assert cells.growth_index.size == 0
    np.testing.assert_allclose(got, twin, rtol=1e-12, atol=0)


def test_the_kernel_equals_its_twin_when_the_base_year_is_the_latest_council_tax_year(loaded_store_path):
    from devolution.scenarios.inputs import load_inputs
    from devolution.store import Store

    with Store(loaded_store_path, read_only=True) as store:
        inputs = load_inputs(store, 2023)
    assert inputs.base_year == inputs.council_tax_year
    scenario = _scenario(SCENARIOS["drawn increase, regions, deals"], "2024-25", "2030-31", base="2023-24")
    got, twin, _, cells = _both(scenario, inputs)
    assert cells.base_year_column == -1
    np.testing.assert_allclose(got, twin, rtol=1e-12, atol=0)


def test_pressure_alone_and_a_gap_from_a_given_pressure_equal_the_twin(inputs_2024):
    scenario = _scenario(SCENARIOS["max, population drawn, local share"])
    ctx, _ = runner.context(scenario, inputs_2024, DRAWS)
    cells = kernels.prepare(ctx, DRAWS)
    held = np.empty((inputs_2024.n, len(ctx.years), DRAWS))
    kernels.gap(cells, held, (0, DRAWS), (0, inputs_2024.n), pressure_only=True)
    pressure = np.moveaxis(held, -1, 0)
    np.testing.assert_allclose(pressure, pressures(ctx, detail=False)["pressure"], rtol=1e-12, atol=0)
    pressure.setflags(write=False)   # as runner.run keeps it
    reused = np.empty_like(held)
    kernels.gap(cells, reused, (0, DRAWS), (0, inputs_2024.n), pressure)
    fresh = np.empty_like(held)
    kernels.gap(cells, fresh, (0, DRAWS), (0, inputs_2024.n))
    assert np.array_equal(reused, fresh)   # the same numbers, whether pressure is given or worked out


def test_streaming_percentiles_equal_those_of_every_draw_held(inputs_2024):
    scenario = _scenario(SCENARIOS["drawn increase, regions, deals"])
    gap = runner.simulate(scenario, inputs_2024, 301, block_size=50)
    places, england = runner.monte_carlo(scenario, inputs_2024, 301)
    assert np.array_equal(places, percentiles(gap))
    # England's sum is added in blocks of councils, not council by council: equal to rounding
    np.testing.assert_allclose(england, percentiles(gap.sum(axis=1)), rtol=1e-13, atol=0)
    only, england_only = runner.monte_carlo(scenario, inputs_2024, 301, place_percentiles=False)
    assert only is None and np.array_equal(england_only, england)


def test_streamed_blocks_of_councils_change_englands_sum_only_by_rounding(inputs_2024):
    scenario = _scenario(SCENARIOS["drawn increase, regions, deals"])
    ctx, _ = runner.context(scenario, inputs_2024, 200)
    cells = kernels.prepare(ctx, 200)
    ranks = np.array([0, 9, 10, 100, 199])
    stats, england = kernels.streamed(cells, ranks)
    stats_7, england_7 = kernels.streamed(cells, ranks, place_block=7)   # blocks that do not divide the councils
    gap = np.moveaxis(runner.simulate(scenario, inputs_2024, 200), 0, -1)   # (councils, years, draws)
    assert np.array_equal(stats, np.sort(gap, axis=-1)[..., ranks]) and np.array_equal(stats_7, stats)
    np.testing.assert_allclose(england_7, england, rtol=1e-13, atol=0)
    np.testing.assert_allclose(england, gap.sum(axis=0), rtol=1e-13, atol=0)


def test_a_block_outside_the_prepared_draws_is_refused(inputs_2024):
    scenario = _scenario(SCENARIOS["numbers only"])
    ctx, _ = runner.context(scenario, inputs_2024, 10)
    cells = kernels.prepare(ctx, 10)
    with pytest.raises(ValueError, match="within the 10 draws"):
        kernels.gap(cells, np.empty((inputs_2024.n, len(ctx.years), 20)), (0, 20), (0, inputs_2024.n))
    with pytest.raises(ValueError, match="C-contiguous"):
        kernels.gap(cells, np.empty((inputs_2024.n, len(ctx.years), 20))[:, :, ::2], (0, 10), (0, inputs_2024.n))


def test_order_statistics_equal_sorting_whatever_the_rows_hold(monkeypatch):
    """The compiled selection against np.sort on rows that stress it: ties, a constant row, a far
    outlier (every other value in one bucket), NaN and infinities (sorted whole), few draws."""
    from devolution.scenarios import montecarlo
    from devolution.scenarios.montecarlo import order_statistics, order_statistics_numpy

    monkeypatch.setattr(montecarlo, "SELECT_ABOVE", 0)   # the compiled selection, however small the rows

    rng = np.random.default_rng(11)
    rows = rng.normal(size=(9, 4001))
    rows[1] = np.round(rows[1], 1)                    # many ties
    rows[2] = 3.0                                     # all equal
    rows[3, 17] = 1e300                               # one far outlier
    rows[4, 5] = np.nan
    rows[5, [0, 9]] = [np.inf, -np.inf]
    rows[6] = rng.lognormal(0, 3, 4001)               # long right tail
    rows[7] = -rows[7] * 1e9                          # money-sized, negative
    rows[8, ::2] = -0.0
    rows[8, 1::2] = 0.0
    ranks = np.array([0, 1, 199, 200, 1000, 2000, 2001, 3799, 3800, 4000])
    np.testing.assert_array_equal(order_statistics(rows, ranks), order_statistics_numpy(rows, ranks))
    few = rng.normal(size=(3, 7))
    np.testing.assert_array_equal(order_statistics(few, np.arange(7)), np.sort(few, axis=1))
    with pytest.raises(ValueError, match="outside 0..6"):
        order_statistics(few, np.array([7]))
