"""Scenario runs, strategic authorities' pages (One Place, One Budget, deals, readiness) and the
claims page on the real store: results checked against the packages they come from."""

from __future__ import annotations

import copy

import pytest

from devolution import parameters
from devolution.analysis import claims as claims_module
from devolution.powers import budget as budget_module
from devolution.scenarios import compare, model, runner
from devolution.scenarios.inputs import load_inputs
from devolution.years import parse_year


@pytest.fixture(scope="module")
def knobs(client):
    response = client.get("/api/scenarios")
    assert response.status_code == 200
    return response.json()


def _scenario(knobs, **changes) -> dict:
    scenario = copy.deepcopy(knobs["defaults"])
    scenario.update({"draws": 200, **changes})
    return scenario


def test_knobs_show_the_enacted_limits_and_retention_terms(client, knobs):
    year = parse_year(knobs["current_limits_year"])
    assert knobs["current_limits"]["council_tax.referendum.core_limit"] == parameters.value(
        "council_tax.referendum.core_limit", year)
    assert knobs["current_local_share"] == parameters.value("business_rates.local_share", year)
    assert knobs["current_levy_rate_cap"] == parameters.value("settlement.retention.levy_rate_cap", year)
    assert knobs["max_draws"] == 1000 and "parameters.settlement.retention.levy_rate_cap" in knobs["knobs"]
    assert client.get("/scenarios.json").json() == knobs
    page = client.get("/scenarios", headers={"accept": "text/html"})
    assert page.status_code == 200 and 'id="levy-cap"' in page.text and "business rates growth retention" in page.text


def test_a_higher_core_limit_narrows_the_gap_as_the_runner_computes_it(client, knobs, store):
    body = {"scenario": _scenario(knobs, parameters={"council_tax.referendum.core_limit": {"2026-27": 0.05}})}
    result = client.post("/api/scenarios/run", json=body)
    assert result.status_code == 200, result.text
    got = result.json()
    # The same runs made directly with the scenarios package.
    scenario = model.check(body["scenario"])
    inputs = load_inputs(store, scenario.first_year)
    baseline = runner.run(model.check({**body["scenario"], "parameters": {}}), store, draws=1, inputs=inputs)
    direct = runner.run(scenario, store, draws=200, inputs=inputs)
    table = compare.by_place(baseline, direct, int(direct.years[-1]), store)
    last = got["england_at_year"]
    assert last["central"] == pytest.approx(direct.england["central"].iloc[-1] / 1e6, rel=1e-12)
    assert last["p95"] == pytest.approx(direct.england["p95"].iloc[-1] / 1e6, rel=1e-12)
    assert last["change_central"] == pytest.approx(table["change"].sum() / 1e6, rel=1e-9)
    assert last["change_central"] < 0  # more council tax allowed: a smaller gap
    assert got["outcomes"]["gains"] == int((table["outcome"] == "gains").sum()) > 250
    assert sum(r["councils"] for r in got["by_region"]) == len(table) == len(got["places"])
    assert {r["group"] for r in got["by_type"]} >= {"County", "London borough"}
    assert got["charts"]["england"]["data"]["values"][0]["label"] == "2025-26"
    assert any(r["parameter"] == "council_tax.referendum.core_limit" and r["value"] == 0.05 for r in got["resolved"])


def test_a_fixed_rise_below_the_limit_leaves_a_bigger_gap(client, knobs):
    scenario = _scenario(knobs, draws=50)
    scenario["assumptions"]["council_tax_increase"] = 0.01
    got = client.post("/api/scenarios/run", json={"scenario": scenario, "year": "2030-31"}).json()
    assert got["year"] == "2030-31" and got["england_at_year"]["change_central"] > 0
    assert got["outcomes"]["loses"] > 250


def test_devolution_by_default_narrows_the_gap_of_eligible_councils_only(client, knobs, store):
    """With rates growing, councils that keep 100% of growth without levy gain; no other moves."""
    scenario = _scenario(knobs, draws=50)
    scenario["deals"]["devolution_by_default"] = True
    got = client.post("/api/scenarios/run", json={"scenario": scenario, "year": "2030-31"}).json()
    inputs = load_inputs(store, parse_year(scenario["base_year"]))
    eligible = set(inputs.codes[runner.deal_places(model.check(scenario), inputs)])
    moved = {p["code"] for p in got["places"] if p["outcome"] != "no change"}
    assert moved and moved <= eligible and got["england_at_year"]["change_central"] < 0
    assert any(n.startswith("deals: from 2025-26") and "without the levy" in n for n in got["notes"])


@pytest.mark.parametrize("body, where", [
    ({"scenario": {"name": "x", "years": "2025-26..2034-35", "draws": 5000}}, "scenario.draws"),
    ({"scenario": {"name": "x", "years": "2025-26..2034-35", "base": "baseline"}}, "scenario.base"),
    ({"scenario": {"name": "x", "years": "2025-26..2070-71"}}, "scenario.years"),
    ({"scenario": {"name": "x", "years": "2025-26..2030-31", "parameters": {"council_tax.nope": {2026: 1}}}},
     "scenario.parameters.council_tax.nope"),
    ({"scenario": {"name": "x", "years": "2025-26..2030-31"}, "year": "2040-41"}, "year"),
    ({"scenario": {"name": "x", "years": "2025-26..2030-31"}, "extra": 1}, "extra"),
    ({"baseline": {}}, "scenario"),
])
def test_bad_scenarios_get_422_naming_the_key(client, body, where):
    response = client.post("/api/scenarios/run", json=body)
    assert response.status_code == 422, response.text
    assert where in [p["path"] for p in response.json()["problems"]]


def test_strategic_authority_page_has_its_place_budget_deals_and_readiness(client, store):
    doc = client.get("/places/E47000001.json").json()  # Greater Manchester
    view = doc["devolution"]
    year = budget_module.common_years(store)[-1]
    direct = budget_module.place_budget(store, "E47000001", year)
    assert view["budget"]["label"] == f"{year}-{(year + 1) % 100:02d}"
    assert view["budget"]["total_m"] == pytest.approx(direct.total / 1e6, rel=1e-12)
    shares = {w["decided_by"]: w["value_m"] for w in view["budget"]["who_decides"]}
    assert sum(shares.values()) == pytest.approx(direct.total / 1e6, rel=1e-9)
    assert shares["devolved"] > 0 and shares["central"] > shares["council"] > 0
    assert any("Integrated Settlement" in d["deal"] for d in view["deals"])
    assert view["readiness"]["level"] == "established"
    page = client.get("/places/E47000001", headers={"accept": "text/html"})
    assert "One Place, One Budget" in page.text and "Readiness for devolution" in page.text
    assert client.get("/places/E12000001.json").json()["devolution"] is None  # a region: no such section


def test_claims_page_checks_examples_and_pasted_yaml(client, store):
    examples = client.get("/claims.json").json()["examples"]
    assert "cuts-cash-spending-fell" in [e["id"] for e in examples]
    pasted = ("claims:\n  - id: mine\n    statement: Spending per resident fell.\n"
              "    measure: nce_total_service_expenditure\n    from: 2010-11\n    to: 2017-18\n"
              "    compare: {kind: change, at_least: 0, tolerance: 0}\n")
    got = client.post("/claims.json", data={"claims": pasted, "example": ["cuts-cash-spending-fell"]}).json()
    direct = claims_module.check(claims_module.read_claims("examples/claims.yaml"), store=store).set_index("id")
    verdicts = {r["id"]: r["verdict"] for r in got["results"]}
    assert verdicts["cuts-cash-spending-fell"] == direct.loc["cuts-cash-spending-fell", "verdict"] == "supported"
    assert verdicts["mine"] == "not supported"  # the same figures fell, so "at least 0" fails
    page = client.post("/claims", data={"example": ["north-hit-harder"]}, headers={"accept": "text/html"})
    assert page.status_code == 200 and direct.loc["north-hit-harder", "verdict"] in page.text
    for data in ({"claims": "claims: [{id: x}]"}, {"claims": ": : :"}, {"example": ["nope"]}, {},
                 {"claims": "claims:\n" + "  - {id: a}\n" * 11}):
        response = client.post("/claims.json", data=data)
        assert response.status_code == 422 and response.json()["error"], data
    bad = client.post("/claims", data={"claims": ": : :"}, headers={"accept": "text/html"})
    assert bad.status_code == 422 and "not valid YAML" in bad.text and "claims-form" in bad.text
