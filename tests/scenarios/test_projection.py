"""The projection on the real data: a gap reproduced by hand, reproducibility, Monte Carlo error,
and a parameter override that holds in later years."""

from __future__ import annotations

import numpy as np
import pytest

from devolution.memo import Recent
from devolution.scenarios import model, runner
from devolution.scenarios.projection import run as project

LEEDS = "E08000035"


def scenario(**assumptions):
    return model.check({"name": "t", "years": "2025-26..2030-31", "seed": 7, **assumptions.pop("top", {}),
                        "assumptions": assumptions})


def central(s, inputs):
    ctx, resolved = runner.context(s, inputs, 1, central=True)
    return project(ctx), resolved


def test_gap_for_leeds_in_2026_27_reproduced_by_hand(inputs_2024, loaded_store_path):
    from devolution.store import Store

    s = scenario(inflation=0.02, wage_growth=0.03, council_tax_increase=0.02, tax_base_growth=0.01,
                 demand_growth={"adult_social_care": 0.01, "children": 0.015, "other": 0.005})
    out, _ = central(s, inputs_2024)
    i = int(np.flatnonzero(inputs_2024.codes == LEEDS)[0])
    k = 2  # 2026-27 is two years after the 2024-25 base year
    pop = (1 + inputs_2024.population_growth[i]) ** k
    asc, ch, other = (inputs_2024.spending[n][i] for n in ("adult_social_care", "children", "other"))
    # age shares move as the region's did mid-2022 to mid-2023 (Yorkshire and The Humber), from the store
    with Store(loaded_store_path, read_only=True) as store:
        rows = store.observations(["population", "population_65_plus", "population_85_plus", "population_0_17"],
                                  years=[2022, 2023])
    yh = rows[rows["code"] == "E12000003"].pivot(index="year", columns="measure", values="value")
    drift = {b: (yh.loc[2023, f"population_{b}"] / yh.loc[2023, "population"])
             / (yh.loc[2022, f"population_{b}"] / yh.loc[2022, "population"]) for b in ("65_plus", "85_plus", "0_17")}
    s65, s85 = inputs_2024.age_shares["65_plus"][i], inputs_2024.age_shares["85_plus"][i]
    old_people = (s65 * drift["65_plus"] ** k + s85 * drift["85_plus"] ** k) / (s65 + s85)
    pressure = (asc * pop * old_people * (1.03 * 1.01) ** k + ch * pop * drift["0_17"] ** k * (1.02 * 1.015) ** k
                + other * pop * (1.02 * 1.005) ** k)
    band_d, base = inputs_2024.band_d[i], inputs_2024.tax_base[i]  # 2023-24; 2% a year is under the 5% ceiling
    council_tax_2024 = band_d * 1.02 * base * 1.01
    council_tax_2026 = band_d * 1.02 ** 3 * base * 1.01 ** 3
    rates = inputs_2024.retained_rates[i]  # 2017-18 retained income uprated to 2024-25; no growth assumed
    rest = asc + ch + other - council_tax_2024 - rates  # settlement and grants, flat in cash
    expected = pressure - council_tax_2026 - rates * 1.02 ** k - rest  # rates baseline uprated with CPI
    got = out["gap"][0, i, 1]
    assert got == pytest.approx(expected, rel=1e-12)
    assert 1e6 < expected < 1e9  # a real, plausible gap for England's largest metropolitan district


def test_same_seed_same_result_and_another_seed_differs(inputs_2024):
    raw = dict(inflation={"distribution": "normal", "mean": 0.02, "sd": 0.01},
               tax_base_growth={"distribution": "uniform", "low": 0.0, "high": 0.02})
    a = runner.simulate(scenario(**raw), inputs_2024, 200)
    b = runner.simulate(scenario(**raw), inputs_2024, 200)
    c = runner.simulate(scenario(**raw, top={"seed": 8}), inputs_2024, 200)
    assert np.array_equal(a, b)
    assert not np.array_equal(a, c)


def test_more_draws_narrow_the_monte_carlo_error_of_the_median(inputs_2024):
    """Spread over seeds of England's median gap falls like 1/sqrt(draws): 16x draws, about 4x narrower."""
    raw = dict(inflation={"distribution": "normal", "mean": 0.02, "sd": 0.01})

    def spread(draws):
        medians = [np.median(runner.simulate(scenario(**raw, top={"seed": s}), inputs_2024, draws)[:, :, -1].sum(axis=1))
                   for s in range(12)]
        return np.std(medians)

    ratio = spread(50) / spread(800)
    assert 2.0 < ratio < 8.0


def test_no_uncertainty_gives_a_zero_width_interval(inputs_2024):
    gap = runner.simulate(scenario(inflation=0.02), inputs_2024, 50)
    assert np.ptp(gap, axis=0).max() == 0.0


def test_a_parameter_override_holds_in_later_years_not_only_the_first(inputs_2024):
    base = scenario(council_tax_increase="max")
    reform = model.check({"name": "r", "years": "2025-26..2030-31", "seed": 7,
                          "parameters": {"council_tax.referendum.core_limit": {"2026-27": 0.05}}})
    out_base, _ = central(base, inputs_2024)
    out_reform, resolved = central(reform, inputs_2024)
    core = resolved[resolved["parameter"] == "council_tax.referendum.core_limit"].set_index("year")["value"]
    assert core["2025-26"] == 0.03 and core["2026-27"] == 0.05 and core["2030-31"] == 0.05
    i = int(np.flatnonzero(inputs_2024.codes == LEEDS)[0])  # a metropolitan district: core + 2% ASC
    growth = out_reform["council_tax"][0, i, 1:] / out_reform["council_tax"][0, i, :-1]
    assert growth[-1] == pytest.approx((1 + 0.05 + 0.02) * 1.01)   # 2030-31 over 2029-30
    assert out_base["council_tax"][0, i, -1] / out_base["council_tax"][0, i, -2] == pytest.approx((1.05) * 1.01)


def test_england_is_the_sum_of_places_and_councils_left_out_are_listed(loaded_store_path):
    from devolution.store import Store

    s = model.check({"name": "t", "base_year": "2024-25", "years": "2025-26..2026-27"})
    with Store(loaded_store_path, read_only=True) as store:
        result = runner.run(s, store, draws=20)
    gap = result.central[result.central["component"] == "gap"]
    assert result.england["central"].to_numpy() == pytest.approx(gap.groupby("year")["value"].sum().to_numpy())
    assert len(result.inputs.left_out) > 0 and "Birmingham" in set(result.inputs.left_out["name"])


def test_result_does_not_depend_on_how_draws_are_split_into_blocks(inputs_2024):
    """The basis for running blocks on Dask workers: same seed, same numbers, whatever the split."""
    s = scenario(inflation={"distribution": "normal", "mean": 0.02, "sd": 0.01},
                 wage_growth={"distribution": "triangular", "low": 0.01, "mode": 0.03, "high": 0.05})
    assert np.array_equal(runner.simulate(s, inputs_2024, 300, block_size=7),
                          runner.simulate(s, inputs_2024, 300, block_size=300))


def test_percentiles_match_numpys_linear_method():
    from devolution.scenarios.montecarlo import percentiles

    values = np.random.default_rng(3).normal(size=(501, 4, 3))
    assert np.allclose(percentiles(values), np.percentile(values, (5, 25, 50, 75, 95), axis=0), rtol=0, atol=1e-12)


def test_dask_local_cluster_gives_identical_percentiles(inputs_2024):
    from distributed import Client, LocalCluster

    from devolution.scenarios.cluster import simulate_on
    from devolution.scenarios.montecarlo import percentiles

    s = scenario(inflation={"distribution": "normal", "mean": 0.02, "sd": 0.01},
                 tax_base_growth={"distribution": "uniform", "low": 0.0, "high": 0.02})
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None) as cluster, \
            Client(cluster) as client:
        on_dask = simulate_on(client, s, inputs_2024, 600, block_size=100)
    assert np.array_equal(percentiles(on_dask), percentiles(runner.simulate(s, inputs_2024, 600)))


def test_the_breakdown_adds_up_to_the_gap_for_england_and_a_place(loaded_store_path, inputs_2024):
    from devolution.store import Store

    s = scenario(inflation=0.02, business_rates_growth=0.01)
    with Store(loaded_store_path, read_only=True) as store:
        result = runner.run(s, store, draws=20, inputs=inputs_2024)
    for code in (None, LEEDS):
        parts = runner.breakdown(result, code)
        for year in ("2025-26", "2030-31"):
            signed = parts[year].where(parts["kind"] != "resource", -parts[year])
            assert signed[parts["kind"] != "gap"].sum() == pytest.approx(parts.loc[parts["kind"] == "gap", year].iloc[0],
                                                                         rel=1e-9)
    england = runner.breakdown(result).set_index("component")["2030-31"]
    central = result.england.set_index("year")["central"]
    assert england["Funding gap (pressure - resources)"] == pytest.approx(central[2030], rel=1e-12)


def test_the_rates_pressure_reads_are_drawn_first_so_its_key_covers_them():
    """pressure_key names the first rates drawn: pressure reuse is exact only while they lead the
    generator's stream, whatever the council tax policy is."""
    for policy in ("max", 0.02, {"distribution": "uniform", "low": 0.0, "high": 0.05}):
        drawn = list(scenario(council_tax_increase=policy).rates())
        assert tuple(drawn[:len(runner.PRESSURE_RATES)]) == runner.PRESSURE_RATES


def test_a_run_reusing_spending_pressure_gives_the_numbers_of_a_fresh_run(inputs_2024, loaded_store_path):
    from devolution.store import Store

    uncertain = {"inflation": {"distribution": "normal", "mean": 0.02, "sd": 0.005},
                 "wage_growth": {"distribution": "triangular", "low": 0.02, "mode": 0.03, "high": 0.045}}
    limits = [scenario(**uncertain, top={"parameters": {"council_tax.referendum.core_limit": {"2026-27": limit}}})
              for limit in (0.0299, 0.0499, 0.0699)]
    memo = Recent(4)
    with Store(loaded_store_path, read_only=True) as store:
        reused = [runner.run(s, store, draws=60, inputs=inputs_2024, memo=memo) for s in limits]
        assert len(memo) == 1  # only policy changed: one pressure, computed once
        fresh = runner.run(limits[2], store, draws=60, inputs=inputs_2024)
        hotter = scenario(**{**uncertain, "inflation": 0.03})
        other = runner.run(hotter, store, draws=60, inputs=inputs_2024, memo=memo)
        other_fresh = runner.run(hotter, store, draws=60, inputs=inputs_2024)
    assert len(memo) == 2  # another assumption: its own pressure
    assert other.england.equals(other_fresh.england)
    assert reused[2].england.equals(fresh.england) and reused[2].gap.equals(fresh.gap)
    assert all(np.array_equal(reused[2].arrays[k], fresh.arrays[k], equal_nan=True) for k in fresh.arrays)
    gaps = [r.england["p50"].iloc[-1] for r in reused]
    assert gaps[0] > gaps[1] > gaps[2]  # the policy still moved the answer
    held = memo.get(runner.pressure_key(limits[0], 60))
    with pytest.raises(ValueError):
        held[1][0, 0, 0] = 0.0  # kept pressure is read-only: no later run can change it


def test_a_base_year_before_the_latest_council_tax_year_is_refused_by_name(loaded_store_path):
    from devolution.errors import ScenarioError
    from devolution.scenarios.inputs import load_inputs
    from devolution.store import Store

    with Store(loaded_store_path, read_only=True) as store, pytest.raises(ScenarioError) as error:
        load_inputs(store, 2022)
    assert "base_year: 2022-23" in str(error.value) and "from 2023-24" in str(error.value)
