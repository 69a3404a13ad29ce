"""The place budget with devolution, and one authority's settlement step by step, on the real store."""

from __future__ import annotations

import io

import pandas as pd
import pytest
from typer.testing import CliRunner

from devolution.cli import app as cli
from devolution.powers import budget as place_budget

GM = "E47000001"  # Greater Manchester Combined Authority
MOVED = "adult_skills,bus_franchising"


@pytest.fixture(scope="module")
def budgets(client):
    plain = client.get(f"/api/places/{GM}/budget?year=2017")
    devolved = client.get(f"/api/places/{GM}/budget?year=2017&devolve={MOVED}")
    assert plain.status_code == 200 and devolved.status_code == 200, devolved.text
    return plain.json(), devolved.json()


def test_devolving_moves_money_to_the_place_and_keeps_the_total(budgets):
    plain, devolved = budgets
    assert devolved["devolved_powers"] == MOVED.split(",") and plain["devolved_powers"] == []
    assert devolved["total_gbp"] == pytest.approx(plain["total_gbp"], rel=1e-12)
    assert sum(r["total £m"] for r in devolved["rows"]) == pytest.approx(plain["total_gbp"] / 1e6, rel=1e-9)
    a, b = plain["by_decider"], devolved["by_decider"]
    moved = b["devolved £m"] - a["devolved £m"]
    assert moved > 1.0  # adult skills and bus funding for 2.8m residents: well over £1m a year
    assert a["central £m"] - b["central £m"] == pytest.approx(moved, rel=1e-9)
    assert b["council £m"] == pytest.approx(a["council £m"], rel=1e-12)
    assert b["devolved £m"] / b["total £m"] > a["devolved £m"] / a["total £m"]


def test_devolved_share_is_the_place_budget_module_s(budgets, store):
    _, devolved = budgets
    direct = place_budget.place_budget(store, GM, 2017, MOVED.split(","))
    lines = direct.lines
    assert devolved["by_decider"]["devolved £m"] == pytest.approx(
        lines.loc[lines["decided_by"] == "devolved", "value"].sum() / 1e6, rel=1e-12)


def test_an_unknown_power_is_422_naming_it_and_the_valid_ones(client):
    response = client.get(f"/api/places/{GM}/budget?year=2017&devolve=adult_skills,teleportation")
    assert response.status_code == 422
    message = response.json()["error"]
    assert "'teleportation'" in message and "adult_skills" in message and "bus_franchising" in message


def test_a_budget_year_not_held_is_404_listing_the_years(client):
    response = client.get(f"/api/places/{GM}/budget?year=2020")
    assert response.status_code == 404 and "2017-18" in response.json()["error"]
    assert client.get(f"/api/places/{GM}/budget?year=2017-18").json()["year"] == 2017


@pytest.fixture(scope="module")
def cli_2017(loaded_store_path):
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DEVOLUTION_STORE", str(loaded_store_path))
        settled = CliRunner().invoke(cli, ["settlement", "--year", "2017-18", "--format", "csv"])
        explained = CliRunner().invoke(cli, ["explain", "E06000001", "2017-18", "csp_total"])
    assert settled.exit_code == 0 and explained.exit_code == 0, settled.output + explained.output
    return pd.read_csv(io.StringIO(settled.output)).set_index("code"), explained.output


@pytest.mark.parametrize("code", ["E06000001", "E08000025", "E07000008"])  # Hartlepool, Birmingham, Cambridge
def test_settlement_steps_are_the_numbers_devo_settlement_prints(client, cli_2017, code):
    table, _ = cli_2017
    body = client.get(f"/api/settlement/2017/{code}/explain").json()
    steps = {s["step"]: s for s in body["steps"]}
    for column in ("sfa", "rsg_outturn", "bfl_implied", "retained_income_outturn", "retained_minus_bfl_implied"):
        assert steps[column]["value"] == pytest.approx(table.loc[code, column], rel=1e-12, abs=1e-6), column
    # The sign turned on the store's outturn, and BFL implied as SFA - RSG, as the formulas say.
    assert steps["rsg_outturn"]["value"] == -steps["rsg_outturn"]["input"]["ro_revenue_support_grant"]
    assert steps["bfl_implied"]["value"] == pytest.approx(steps["sfa"]["value"] - steps["rsg_outturn"]["value"])


def test_core_spending_power_part_is_what_devo_explain_prints(client, cli_2017):
    _, explained = cli_2017
    body = client.get("/api/settlement/2017/E06000001/explain").json()
    csp = body["core_spending_power"]
    assert f"result: csp_total = {csp['result']:,.2f}" in explained
    for name, value in csp["inputs"].items():
        assert f"{name} = {value:,.2f}" in explained
    assert csp["inputs"]["csp_settlement_funding_assessment"] == body["steps"][0]["value"]
    assert csp["result"] == pytest.approx(csp["published"]["csp_total"], abs=0.01)


def test_settlement_explain_refuses_unknown_places_and_years_not_held(client):
    unknown = client.get("/api/settlement/2017/E06000999/explain")
    assert unknown.status_code == 404 and "E06000999" in unknown.json()["error"]
    year = client.get("/api/settlement/2030/E06000001/explain")
    assert year.status_code == 404
    assert "2030-31" in year.json()["error"] and "2010-11 to 2020-21" in year.json()["error"]
    region = client.get("/api/settlement/2017/E12000001/explain")  # North East: no settlement of its own
    assert region.status_code == 404 and "North East" in region.json()["error"]


def test_the_place_page_links_to_the_budget_with_everything_devolved(client, budgets):
    page = client.get(f"/places/{GM}", headers={"accept": "text/html"})
    assert page.status_code == 200 and f"/api/places/{GM}/budget?devolve=all" in page.text
    everything = client.get(f"/api/places/{GM}/budget?devolve=all").json()
    _, two = budgets
    assert everything["year"] == two["year"]
    assert everything["by_decider"]["devolved £m"] > two["by_decider"]["devolved £m"]
    assert everything["total_gbp"] == pytest.approx(two["total_gbp"], rel=1e-12)


def test_devolution_by_default_moves_what_the_level_allows_and_keeps_the_total(client, store):
    from devolution.powers.by_default import by_default

    plain = client.get("/api/places/E47000001/budget?year=2017").json()
    moved = client.get("/api/places/E47000001/budget?year=2017&devolve=by-default&from=2027").json()
    table = by_default(store.places(), store.observations("population"), 2027)
    assert moved["devolved_powers"] == sorted(table.loc[table["place"] == "E47000001", "power"])
    assert "business_rates_growth" in moved["devolved_powers"]  # Greater Manchester: established
    assert moved["total_gbp"] == pytest.approx(plain["total_gbp"], rel=1e-12)
    assert moved["by_decider"]["devolved £m"] > plain["by_decider"]["devolved £m"]
    # a borough of the combined authority gets its authority's powers
    bolton = client.get("/api/places/E08000001/budget?year=2017&devolve=by-default&from=2027").json()
    assert bolton["devolved_powers"] == moved["devolved_powers"]
    assert client.get("/api/places/E47000001/budget?year=2017&devolve=by-default").status_code == 422


def test_a_budget_missing_a_part_has_no_total_in_the_api(client):
    """The Isles of Scilly made no 2016-17 return: its council part is missing, so the total is not
    known (a sum without it read as £6,764 a head against about £10,000 in other years)."""
    answer = client.get("/api/places/E06000053/budget?year=2016").json()
    assert answer["total_gbp"] is None and answer["missing"] == ["council"]
    known = client.get("/api/places/E06000053/budget?year=2017").json()
    assert known["total_gbp"] > 0 and known["missing"] == []
