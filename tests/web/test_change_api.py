"""`/api/change/{measure}`: the same tables as `devo change` (groups, or council by council ranked),
JSON with the title naming the measure, CSV, and clear 4xx for what cannot be answered."""

from __future__ import annotations

import io

import pandas as pd
import pytest

from devolution import api


def test_place_table_is_the_apis(client, store):
    got = client.get("/api/change/service_spending?from=2010&to=2014&by=place&region=North%20East&top=3")
    assert got.status_code == 200
    body = got.json()
    direct = api.change("service_spending", 2010, 2014, "place", region="North East", top=3, store=store)
    assert [r["code"] for r in body["rows"]] == direct["code"].tolist()
    assert [r["rank"] for r in body["rows"]] == direct["rank"].tolist()
    assert body["title"].startswith("Service spending, like for like")
    assert body["england"]["areas"] == 296 and body["first"] == "2010-11"


def test_groups_as_csv(client, store):
    got = client.get("/api/change/government_funding.csv?from=2010&to=2017&by=region&per=total&prices=2017-18")
    assert got.status_code == 200
    table = pd.read_csv(io.StringIO(got.text))
    assert table["group"].iloc[-1] == "England" and len(table) == 10
    direct = api.change("government_funding", 2010, 2017, "region", per="total", prices=2017, store=store)
    assert table["change_pct"].to_numpy() == pytest.approx(direct["change_pct"].to_numpy())


def test_years_as_the_readme_gives_them_and_by_places(client, store):
    """from=2010-11 was a 422 "valid integer", and by=places was refused though the CLI offers it."""
    got = client.get("/api/change/service_spending?from=2010-11&to=2017/18&by=places&places=E06000001,Leeds")
    assert got.status_code == 200, got.text
    direct = api.change("service_spending", 2010, 2017, "places", places=["E06000001", "E08000035"], store=store)
    assert [r["group"] for r in got.json()["rows"]] == direct["group"].tolist()
    assert [r["change_pct"] for r in got.json()["rows"]] == pytest.approx(direct["change_pct"].tolist())
    assert got.json()["first"] == "2010-11" and got.json()["last"] == "2017-18"
    refused = client.get("/api/change/service_spending?from=2010&to=2014&by=places")
    assert refused.status_code == 400 and "by=places (--by places) needs places=" in refused.json()["error"]
    refused = client.get("/api/change/service_spending?from=2010&to=2014&places=Leeds")
    assert refused.status_code == 400 and "changes nothing with by=england" in refused.json()["error"]


@pytest.mark.parametrize("url, status, words", [
    ("/api/change/core_spending_power_official?from=2015&to=2019", 400, "not held in full"),
    ("/api/change/service_spending?from=2010&to=2014&by=region&top=3", 400, "use them with by=place (--by place)"),
    ("/api/change/service_spending?from=2010&to=2014&per=older", 400, "5 years away"),
    ("/api/change/nonsense?from=2010&to=2014", 404, "unknown measure"),
    ("/api/change/service_spending?from=2010&to=2014&by=bogus", 422, "query.by"),
])
def test_what_cannot_be_answered_is_a_clear_4xx(client, url, status, words):
    got = client.get(url)
    assert got.status_code == status and words in got.json()["error"]


def test_derived_measures_are_listed_and_served_as_series(client):
    listed = {row["measure"]: row for row in client.get("/api/measures").json()["rows"]}
    assert listed["service_spending"]["kind"] == "derived"
    assert listed["service_spending"]["definition"].startswith("service_spending = ")
    series = client.get("/api/series/government_funding?year=2017&limit=5000").json()
    assert series["total"] > 300 and all(row["value"] > 0 for row in series["rows"] if row["tier"] == "county")
