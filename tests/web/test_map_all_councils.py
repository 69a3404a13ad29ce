"""The map per resident with every council of an area: a shire district's figure plus its
county's, checked against the store by hand; unitaries unchanged; counts left alone."""

from __future__ import annotations

import pandas as pd
import pytest

from devolution.analysis.per_head import with_county

KENT, MAIDSTONE, MEDWAY = "E10000016", "E07000110", "E06000035"


def test_with_county_adds_the_county_per_resident_to_its_districts_only():
    places = pd.DataFrame({"code": ["C", "D1", "D2", "U"], "county_code": [None, "C", "C", None]})
    rows = pd.DataFrame({"code": ["C", "D1", "D2", "U"], "tier": ["county", "shire_district", "shire_district",
                                                                   "unitary"], "value": [900.0, 150.0, 120.0, 1100.0]})
    out = with_county(rows, places).set_index("code")["value"]
    assert out.to_dict() == {"D1": 1050.0, "D2": 1020.0, "U": 1100.0}
    missing = with_county(rows[rows["code"] != "C"], places).set_index("code")["value"]
    assert missing.isna()["D1"] and missing["U"] == 1100.0  # never a district's own part passed off as the whole


def test_the_map_adds_kent_to_maidstone_and_leaves_medway(client, store):
    own = client.get("/map.json?measure=nce_total_service_expenditure&year=2023&councils=own").json()
    all_ = client.get("/map.json?measure=nce_total_service_expenditure&year=2023&councils=all").json()
    assert all_["councils"] == "all" and any("county" in n for n in all_["notes"])
    got, mine = ({v["code"]: v["value"] for v in doc["values"]} for doc in (all_, own))
    nce = store.observations("nce_total_service_expenditure", years=[2023]).set_index("code")["value"]
    people = store.observations("population", years=[2023]).set_index("code")["value"]
    assert got[MAIDSTONE] == pytest.approx(nce[MAIDSTONE] / people[MAIDSTONE] + nce[KENT] / people[KENT], rel=1e-9)
    assert got[MEDWAY] == mine[MEDWAY] and KENT not in got and KENT in mine
    assert got[MAIDSTONE] > 5 * mine[MAIDSTONE]  # a district alone spends a small part of its area's total


def test_counts_per_resident_are_not_given_a_county_part(client):
    own = client.get("/map.json?measure=dwellings_total&councils=own").json()
    all_ = client.get("/map.json?measure=dwellings_total&councils=all").json()
    assert own["values"] == all_["values"]
