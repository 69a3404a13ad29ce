"""The open API's tables equal what the Python packages give (not only "no 5xx"): deals, powers,
the settlement, claims, the England overview and the register, in JSON and CSV."""

from __future__ import annotations

import io

import pandas as pd
import pytest

from devolution import api
from devolution.analysis import claims as claims_module
from devolution.analysis import settlement as settlement_module
from devolution.powers import catalogue, deals
from devolution.web.routers.claims import MAX_CLAIMS

GREATER_MANCHESTER = "E47000001"


def test_deals_and_powers_are_the_packages_tables(client):
    got = client.get(f"/api/deals?place={GREATER_MANCHESTER}").json()
    direct = deals.table(GREATER_MANCHESTER)
    assert got["total"] == len(direct) >= 5 and [r["deal"] for r in got["rows"]] == list(direct["deal"])
    every = client.get("/api/deals?format=csv").text
    assert len(pd.read_csv(io.StringIO(every))) == len(deals.table())
    powers = client.get("/api/powers?limit=2").json()
    assert powers["total"] == len(catalogue.table()) and len(powers["rows"]) == 2  # paged
    assert powers["rows"][0] == {k: (None if pd.isna(v) else v) for k, v in catalogue.table().iloc[0].items()}


def test_the_settlement_table_is_the_illustration_of_that_year(client, store):
    got = client.get("/api/settlement/2017?limit=5000").json()
    direct = settlement_module.settlement_illustration(store, 2017)
    assert got["total"] == len(direct) > 300
    rows = pd.DataFrame(got["rows"]).set_index("code")
    first = direct.iloc[0]
    for column in direct.columns:
        if column != "code" and pd.api.types.is_numeric_dtype(direct[column]) and pd.notna(first[column]):
            assert rows.loc[first["code"], column] == pytest.approx(float(first[column]), rel=1e-12), column


def test_claims_check_gives_the_packages_verdicts_and_refuses_too_many(client, store):
    body = {"claims": [{"id": "cuts", "statement": "Spending per head fell.", "measure": "nce_total_service_expenditure",
                        "from": "2010-11", "to": "2017-18", "compare": {"kind": "change", "at_most": 0}}]}
    got = client.post("/api/claims/check", json=body).json()["results"]
    direct = claims_module.check(claims_module.ClaimFile.model_validate(body).claims, store=store)
    assert [r["verdict"] for r in got] == list(direct["verdict"]) and got[0]["id"] == "cuts"
    many = client.post("/api/claims/check", json={"claims": body["claims"] * (MAX_CLAIMS + 1)})
    assert many.status_code == 422 and f"at most {MAX_CLAIMS}" in many.json()["error"]


def test_overview_and_places_are_the_apis(client, store):
    for part in ("by_region", "by_tier", "councils", "left_out"):
        got = client.get(f"/api/overview?part={part}&limit=5000").json()
        direct = getattr(api.overview(store=store), part)
        assert got["total"] == len(direct), part
    regions = pd.read_csv(io.StringIO(client.get("/api/overview.csv").text))
    assert len(regions) == len(api.overview(store=store).by_region)
    counties = client.get("/api/places?tier=county&limit=5000").json()
    assert counties["total"] == len(api.places(tier="county", store=store)) == 21
