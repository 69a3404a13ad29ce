"""A place's page: its funding gap under current policy (the scenario page's starting point run as
current policy) checked against a run made directly, summed over a strategic authority's councils,
and said plainly when there is none; a council's own place budget and its authority's deals."""

from __future__ import annotations

import numpy as np
import pytest

from devolution.powers import budget as budget_module
from devolution.scenarios import model, runner
from devolution.scenarios.inputs import load_inputs
from devolution.scenarios.knobs import defaults
from devolution.scenarios.recompute import baseline_of

HARTLEPOOL, GREATER_MANCHESTER, SLOUGH, TEES_VALLEY = "E06000001", "E47000001", "E06000039", "E47000006"
MANCHESTER = "E08000003"


@pytest.fixture(scope="module")
def direct(loaded_store_path):
    from devolution.store import Store

    scenario = model.check(baseline_of(defaults()))
    with Store(loaded_store_path, read_only=True) as store:
        return runner.run(scenario, store, draws=1, inputs=load_inputs(store, scenario.first_year))


def test_a_councils_gap_is_its_row_of_the_current_policy_run(client, direct):
    gap = client.get(f"/places/{HARTLEPOOL}.json").json()["gap"]
    at = int(np.flatnonzero(direct.inputs.codes == HARTLEPOOL)[0])
    assert [r["value"] for r in gap["by_year"]] == pytest.approx(direct.arrays["gap"][at] / 1e6, rel=1e-12)
    assert gap["last"] == "2034-35" and gap["gap_last_m"] > 0 and gap["councils"] == 1
    rows = {r["component"]: r for r in gap["breakdown"]}
    pressure = sum(rows[c.label][gap["last"]] for c in runner.PRESSURES)
    resources = sum(rows[c.label][gap["last"]] for c in runner.RESOURCES)
    assert pressure - resources == pytest.approx(gap["gap_last_m"], rel=1e-9)  # the table adds up to the gap


def test_a_strategic_authoritys_gap_sums_its_councils(client, direct):
    gap = client.get(f"/places/{GREATER_MANCHESTER}.json").json()["gap"]
    members = direct.inputs.strategic_authority == GREATER_MANCHESTER
    assert gap["councils"] == int(members.sum()) == 10
    assert gap["gap_last_m"] == pytest.approx(direct.arrays["gap"][members, -1].sum() / 1e6, rel=1e-12)


def test_no_gap_is_explained_and_regions_have_no_section(client):
    assert "no Revenue Outturn return" in client.get(f"/places/{SLOUGH}.json").json()["gap"]["none"]
    assert client.get("/places/E12000001.json").json()["gap"] is None
    page = client.get(f"/places/{HARTLEPOOL}", headers={"accept": "text/html"}).text
    assert "Funding gap under current policy" in page and 'id="gap-chart"' in page and "/scenarios" in page


def test_a_council_page_has_its_place_budget_and_its_authoritys_deals(client, store):
    view = client.get(f"/places/{HARTLEPOOL}.json").json()["devolution"]
    year = budget_module.common_years(store)[-1]
    assert view["budget"]["total_m"] == pytest.approx(budget_module.place_budget(store, HARTLEPOOL, year).total / 1e6,
                                                      rel=1e-12)
    assert (view["authority"]["code"], view["authority"]["name"]) == (TEES_VALLEY, "Tees Valley")
    assert view["readiness"] is None
    assert view["deals"] and {d["place"] for d in view["deals"]} == {TEES_VALLEY}  # the authority's deals apply
    page = client.get(f"/places/{HARTLEPOOL}", headers={"accept": "text/html"}).text
    assert "One Place, One Budget" in page and f'href="/places/{TEES_VALLEY}"' in page
    manchester = client.get(f"/places/{MANCHESTER}.json").json()["devolution"]
    assert manchester["authority"]["code"] == GREATER_MANCHESTER
    assert manchester["deals"] and all(d["place"] == GREATER_MANCHESTER for d in manchester["deals"])
