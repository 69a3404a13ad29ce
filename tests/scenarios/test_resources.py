"""Resources from the rules: retained business rates (retention scheme, local share, levy, safety
net, deals) and the settlement and grants, on the real data, checked by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from devolution import parameters
from devolution.powers.readiness import members
from devolution.scenarios import model, runner
from devolution.scenarios.projection import run as project

LEEDS = "E08000035"
YEARS = "2025-26..2030-31"


def scenario(deals=None, parameters_=None, **assumptions):
    raw = {"name": "t", "years": YEARS, "seed": 7,
           "assumptions": {"inflation": 0.02, "business_rates_growth": 0.03, **assumptions}}
    if deals is not None:
        raw["deals"] = deals
    if parameters_ is not None:
        raw["parameters"] = parameters_
    return model.check(raw)


def central(s, inputs):
    ctx, resolved = runner.context(s, inputs, 1, central=True)
    return project(ctx), resolved


def at(inputs, code=LEEDS) -> int:
    return int(np.flatnonzero(inputs.codes == code)[0])


def test_retained_income_is_the_2017_18_outturn_line_uprated_by_the_small_business_multiplier(inputs_2024, data_dir):
    raw = pd.read_csv(data_dir / "revenue_outturn_key_lines_2010_11_to_2024_25.csv")
    row = raw[(raw["ons_code"] == LEEDS) & (raw["year"] == "2017-18")
              & (raw["variable"] == "retained_business_rates_income")]
    income = -float(row["value_gbp_thousands"].iloc[0]) * 1000  # income is recorded negative
    ratio = (parameters.value("business_rates.multipliers.small_business", "2024-25")
             / parameters.value("business_rates.multipliers.small_business", "2017-18"))
    assert inputs_2024.retained_rates_year == 2017
    assert inputs_2024.retained_rates[at(inputs_2024)] == pytest.approx(income * ratio, rel=1e-12)
    assert 1e8 < income < 1e9  # Leeds kept a few hundred £m of business rates


def test_without_a_deal_growth_is_kept_and_the_baseline_rises_with_inflation(inputs_2024):
    out, _ = central(scenario(), inputs_2024)
    i, r = at(inputs_2024), inputs_2024.retained_rates[at(inputs_2024)]
    for j, k in enumerate(range(1, 7)):  # 2025-26 is one year after the base
        assert out["retained_business_rates"][0, i, j] == pytest.approx(r * 1.02 ** k * 1.03 ** k, rel=1e-12)


def test_a_deal_keeps_growth_after_its_start_at_the_new_share_without_a_jump(inputs_2024):
    plain, _ = central(scenario(), inputs_2024)
    deal, _ = central(scenario(deals={"places": [LEEDS], "from": "2027-28",
                                      "business_rates": {"local_share": 1.0, "levy": False}}), inputs_2024)
    i, r = at(inputs_2024), inputs_2024.retained_rates[at(inputs_2024)]
    got, before = deal["retained_business_rates"][0, i], plain["retained_business_rates"][0, i]
    assert np.allclose(got[:3], before[:3], rtol=1e-12, atol=0)  # 2025-26, 2026-27 and the deal's first year: no jump
    g_y = 1.03 ** 3  # growth reached in 2027-28, three years after the base
    for j, k in ((3, 4), (5, 6)):
        bfl = r * 1.02 ** k
        assert got[j] == pytest.approx(bfl * (g_y + 2 * (1.03 ** k - g_y)), rel=1e-12)  # 100% / 50% = twice
    others = np.arange(inputs_2024.n) != i
    assert np.array_equal(deal["retained_business_rates"][0, others], plain["retained_business_rates"][0, others])


def test_a_deal_that_keeps_the_levy_pays_it_on_growth_after_the_deal_only(inputs_2024):
    """At a 100% share the individual levy rate is 1 - BFL/BRB = 1/2 (the cap): the levy takes half
    of the doubled growth after 2027-28, so the council keeps what it kept at 50% (taking each
    council's baseline as its funding level, the estimate the data allows)."""
    s = scenario(deals={"places": [LEEDS], "from": "2027-28", "business_rates": {"local_share": 1.0, "levy": True}})
    out, _ = central(s, inputs_2024)
    i, r, k, g_y = at(inputs_2024), inputs_2024.retained_rates[at(inputs_2024)], 6, 1.03 ** 3
    bfl = r * 1.02 ** k
    retained = bfl * (g_y + 2 * (1.03 ** k - g_y))
    rate = min(1 - 1 / 2, parameters.value("settlement.retention.levy_rate_cap", "2025-26"))
    expected = retained - rate * (retained - bfl * g_y)
    assert out["retained_business_rates"][0, i, 5] == pytest.approx(expected, rel=1e-12)
    assert expected == pytest.approx(bfl * 1.03 ** k, rel=1e-12)


def test_the_safety_net_holds_falling_income_at_its_threshold(inputs_2024):
    out, _ = central(scenario(business_rates_growth=-0.05), inputs_2024)
    i, r = at(inputs_2024), inputs_2024.retained_rates[at(inputs_2024)]
    threshold = parameters.value("settlement.retention.safety_net_threshold", "2025-26")
    assert 0.95 > threshold > 0.95 ** 2  # one year's fall is above the net, two years' below it
    assert out["retained_business_rates"][0, i, 0] == pytest.approx(r * 1.02 * 0.95, rel=1e-12)
    for j in range(1, 6):
        assert out["retained_business_rates"][0, i, j] == pytest.approx(threshold * r * 1.02 ** (j + 1), rel=1e-12)


def test_the_retention_parameters_after_2025_26_are_reported_as_assumed(inputs_2024):
    _, resolved = central(scenario(), inputs_2024)
    share = resolved[resolved["parameter"] == "business_rates.local_share"].set_index("year")
    assert share.loc["2025-26", "value"] == 0.5 and share.loc["2025-26", "status"] != "override"
    assert share.loc["2026-27", "status"].startswith("assumed") and share.loc["2030-31", "value"] == 0.5
    _, reform = central(scenario(parameters_={"business_rates.local_share": {"2027-28": 0.75}}), inputs_2024)
    share = reform[reform["parameter"] == "business_rates.local_share"].set_index("year")
    assert share.loc["2027-28", "value"] == 0.75 and share.loc["2030-31", "status"] == "override"


def test_a_higher_local_share_raises_england_retained_rates_when_rates_grow(inputs_2024):
    base, _ = central(scenario(), inputs_2024)
    reform, _ = central(scenario(parameters_={"business_rates.local_share": {"2027-28": 1.0},
                                              "settlement.retention.levy_rate_cap": {"2027-28": 0.0}}), inputs_2024)
    gain = reform["retained_business_rates"][0].sum(axis=0) - base["retained_business_rates"][0].sum(axis=0)
    assert np.all(np.abs(gain[:3]) < 1e-3) and np.all(np.diff(gain[2:]) > 1e6)  # pounds: nothing, then £m more
    assert np.allclose(reform["gap"][0].sum(axis=0), base["gap"][0].sum(axis=0) - gain)


def test_resources_in_the_base_year_equal_spending(inputs_2024):
    ctx, _ = runner.context(scenario(), inputs_2024, 1, central=True)
    out = project(ctx)
    spending = sum(inputs_2024.spending.values())
    grants = out["settlement_and_grants"][0, :, 0]  # grant growth 0: the base-year amount
    assert np.allclose(ctx.memo["council_tax_base_year"][0] + inputs_2024.retained_rates + grants, spending)


def test_devolution_by_default_gives_growth_retention_to_every_council_of_an_eligible_authority(inputs_2024):
    s = scenario(deals={"devolution_by_default": True, "from": "2027-28"})
    table = inputs_2024.by_default(2027)
    eligible = set(table.loc[table["power"] == runner.GROWTH_POWER, "place"])
    assert eligible, "some strategic authority reaches the level that allows growth retention"
    register = inputs_2024.register  # on 2023 boundaries: Barnsley and Sheffield by their pre-2025 codes too
    councils = set(register.loc[register["strategic_authority_code"].isin(eligible), "code"])
    expected = councils | set(register.loc[register["county_code"].isin(councils), "code"])
    assert set(members(register, next(iter(eligible)))["code"]) <= expected
    flagged = set(inputs_2024.codes[runner.deal_places(s, inputs_2024)])
    assert flagged == expected & set(inputs_2024.codes)
    ctx, _ = runner.context(s, inputs_2024, 1, central=True)
    assert not ctx.deal[:, :2].any() and ctx.deal[:, 2:].sum(axis=0).tolist() == [len(flagged)] * 4


def test_pooled_budgets_and_a_multi_year_settlement_leave_the_gap_unchanged(inputs_2024):
    base, _ = central(scenario(), inputs_2024)
    pooled, _ = central(scenario(deals={"pooled_budgets": ["adult_skills"], "settlement_years": 3}), inputs_2024)
    assert np.array_equal(base["gap"], pooled["gap"])


def test_bad_deals_are_refused_with_their_paths(store):
    raw = {"name": "t", "years": YEARS, "deals": {"places": ["E99999999"], "pooled_budgets": ["teleports"]}}
    with pytest.raises(model.ScenarioProblems) as caught:
        model.check(raw, known=model.Known.of(store))
    paths = [p for p, _ in caught.value.problems]
    assert paths == ["deals.places.E99999999", "deals.pooled_budgets.teleports"]
    assert "adult_skills" in caught.value.problems[1][1]
    with pytest.raises(model.ScenarioProblems, match=r"deals\.from: 2040-41 is outside the projection years"):
        model.check({**raw, "deals": {"from": "2040-41"}})


def test_grant_growth_draws_after_every_earlier_assumption(inputs_2024):
    """Adding grant growth kept the draws of scenarios written before it (same seed, same numbers)."""
    old = scenario(inflation={"distribution": "normal", "mean": 0.02, "sd": 0.01})
    new = scenario(inflation={"distribution": "normal", "mean": 0.02, "sd": 0.01},
                   grant_growth={"distribution": "uniform", "low": 0.0, "high": 0.01})
    a, _ = runner.context(old, inputs_2024, 64)
    b, _ = runner.context(new, inputs_2024, 64)
    assert np.array_equal(a.samples["inflation"], b.samples["inflation"])
    assert b.samples["grant_growth"].shape == (64,) and np.ptp(b.samples["grant_growth"]) > 0


def test_the_shortcut_where_the_share_never_moves_equals_the_rules_in_full(inputs_2024):
    """Councils whose local share does not change take BFL x max(growth, threshold); the rules run
    step by step must give the same, including safety net years."""
    from devolution.scenarios.resources import by_rules

    s = scenario(business_rates_growth={"distribution": "normal", "mean": 0.0, "sd": 0.04},
                 deals={"places": [LEEDS], "from": "2027-28"})
    ctx, _ = runner.context(s, inputs_2024, 32)
    out = project(ctx)["retained_business_rates"]
    steps = ctx.steps
    bfl = inputs_2024.retained_rates[None, :, None] * 1.02 ** steps
    growth = (1 + ctx.samples["business_rates_growth"][:, :, None]) ** steps
    n, years = inputs_2024.n, len(ctx.years)
    share = np.where(ctx.deal, 1.0, 0.5)
    cap = np.where(ctx.deal, 0.0, 0.5)
    full = by_rules(bfl, growth, share / 0.5, cap, np.full((n, years), 0.925), 0.5, share)
    assert np.allclose(out, full, rtol=1e-12, atol=1e-3)
    assert np.isclose(full, 0.925 * bfl, rtol=1e-9).any()  # some draws fell to the safety net


def test_council_tax_follows_each_draws_band_d_when_the_increase_is_drawn(inputs_2024):
    """Band D is worked out once when the increase is fixed and per draw when it is drawn: both
    against a plain year-by-year loop over draws with the referendum ceiling."""
    from devolution.rules.council_tax import max_band_d_without_referendum

    for policy in (0.02, {"distribution": "uniform", "low": 0.0, "high": 0.06}):
        s = scenario(council_tax_increase=policy, tax_base_growth={"distribution": "uniform", "low": 0.0, "high": 0.02})
        ctx, _ = runner.context(s, inputs_2024, 5)
        got = project(ctx)["council_tax"]
        i = inputs_2024
        for d in range(5):
            band_d, rate = i.band_d.copy(), ctx.samples["council_tax_increase"]
            rate = rate[d] if len(rate) > 1 else rate[0]
            for n, year in enumerate(range(i.council_tax_year + 1, int(ctx.years[-1]) + 1)):
                limits = {k: v[:, n] for k, v in ctx.limits.items()}
                ceiling = max_band_d_without_referendum(band_d, limits["core_limit"], limits["asc_limit"],
                                                        limits["cash_limit"], limits["additional_limit"])
                band_d = np.fmin(band_d * (1 + rate), ceiling)
                if year in ctx.years:
                    expected = band_d * i.tax_base * (1 + ctx.samples["tax_base_growth"][d]) ** (year - i.council_tax_year)
                    assert np.allclose(got[d, :, list(ctx.years).index(year)], expected, rtol=1e-12, equal_nan=True)
        spread = got[:, at(inputs_2024), -1]
        assert len(set(np.round(spread, 6))) == 5  # every draw its own tax base growth (and increase)


def test_council_tax_at_the_limit_follows_each_councils_own_principle(inputs_2024):
    """"max": each year's ceiling, with a council's own principle in the years the report names it
    (2024-25 Thurrock +5% and Woking, a district, a 10% core principle; 2025-26 Bradford +5%;
    2026-27 Shropshire +4%), and the general principle in the other years."""
    s = scenario(council_tax_increase="max")
    ctx, resolved = runner.context(s, inputs_2024, 1, central=True)
    i = inputs_2024
    first = i.council_tax_year + 1
    col = {y: y - first for y in (2024, 2025, 2026)}
    codes = list(i.codes)
    additional = ctx.limits["additional_limit"]
    assert additional[codes.index("E06000034"), col[2024]] == 0.05     # Thurrock 2024-25
    assert additional[codes.index("E07000217"), col[2024]] == 0.07     # Woking 2024-25
    assert additional[codes.index("E08000032"), col[2025]] == 0.05     # Bradford 2025-26
    assert additional[codes.index("E08000032"), col[2026]] == 0.0      # and not the year after
    assert additional[codes.index("E06000051"), col[2026]] == 0.04     # Shropshire 2026-27
    named_2024 = set(parameters.value("council_tax.referendum_by_council.additional_limit", 2024)) & set(codes)
    assert (additional[:, col[2024]] > 0).sum() == len(named_2024) >= 2   # Birmingham, Slough: no 2024-25 outturn
    assert (additional[:, col[2026] + 1:] == 0).all()                  # none granted after 2026-27
    # The projected path, 2025-26 to 2026-27: Shropshire x1.09, Bradford and Leeds x1.05 (the
    # tax base grows alike everywhere, so it cancels in the ratio of two councils' growth).
    tax = project(ctx)["council_tax"][0]
    years = list(ctx.years)
    growth = tax[:, years.index(2026)] / tax[:, years.index(2025)]
    leeds = growth[codes.index("E08000035")]
    assert growth[codes.index("E06000051")] / leeds == pytest.approx(1.09 / 1.05, rel=1e-12)
    assert growth[codes.index("E08000032")] / leeds == pytest.approx(1.0, rel=1e-12)
    named_rows = resolved[resolved["parameter"].str.startswith("council_tax.referendum_by_council")]
    assert ("2025-26", "council_tax.referendum_by_council.additional_limit.E08000032") in set(
        zip(named_rows["year"], named_rows["parameter"]))
