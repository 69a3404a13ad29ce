"""The map in real terms: money restated in one year's prices by HM Treasury's GDP deflator (the
parameter the CLI's --prices uses), so the year slider compares like with like; non-money measures
unchanged; a price base without a deflator refused by name."""

from __future__ import annotations

import json

import pytest

from devolution import parameters

NCE = "nce_total_service_expenditure"


def deflator(year: int) -> float:
    return float(parameters.default().parameter("economy.gdp_deflators").values[year])


@pytest.mark.parametrize("year", [2010, 2017])
def test_real_terms_are_cash_times_the_ratio_of_deflators(client, year):
    cash = client.get(f"/map.json?measure={NCE}&year={year}").json()
    real = client.get(f"/map.json?measure={NCE}&year={year}&prices=2024-25").json()
    assert cash["prices"] == "cash" and real["prices"] == "2024-25" and "2024-25 prices" in real["title"]
    assert any("GDP deflator" in n for n in real["notes"])
    ratio = deflator(2024) / deflator(year)
    assert ratio > 1.1  # prices rose: real terms are larger than cash in earlier years
    before = {v["code"]: v["value"] for v in cash["values"]}
    after = {v["code"]: v["value"] for v in real["values"]}
    assert before.keys() == after.keys() and len(after) > 250
    assert all(after[c] == pytest.approx(before[c] * ratio, rel=1e-12) for c in before if before[c] is not None)
    assert client.get(f"/map.json?measure={NCE}&year={year}&prices=real").json()["values"] == real["values"]
    legend = json.dumps(real["spec"])  # the legend says which prices, never "cash" for real terms
    assert "2024-25 prices (real terms, GDP deflator)" in legend and "not adjusted for inflation" not in legend
    assert "not adjusted for inflation" in json.dumps(cash["spec"])


def test_real_terms_leave_counts_alone_and_say_so(client):
    cash = client.get("/map.json?measure=population&year=2020").json()
    real = client.get("/map.json?measure=population&year=2020&prices=real").json()
    assert real["values"] == cash["values"] and real["prices"] == "cash"
    assert any("prices do not apply" in n for n in real["notes"])


@pytest.mark.parametrize("prices", ["2031-32", "banana", "2009-10"])
def test_a_price_base_without_a_deflator_is_refused_by_name(client, prices):
    response = client.get(f"/map.json?measure={NCE}&prices={prices}")
    assert response.status_code == 400
    assert "prices" in response.json()["error"] and "2010-11 to 2024-25" in response.json()["error"]


def test_the_map_table_and_csv_carry_the_prices(client):
    table = client.get(f"/api/map/{NCE}?year=2017&prices=2024-25&limit=5").json()
    assert table["prices"] == "2024-25" and table["total"] > 250
    csv = client.get(f"/api/map/{NCE}.csv?year=2017&prices=2024-25").text.splitlines()
    assert csv[0].startswith("code,name,tier,value") and len(csv) > 250


def test_the_series_in_real_terms_restates_every_year_by_its_own_deflator(client):
    cash = client.get(f"/api/series/{NCE}?group=region&limit=5000").json()
    real = client.get(f"/api/series/{NCE}?group=region&limit=5000&prices=2024-25").json()
    assert cash["prices"] == "cash" and real["prices"] == "2024-25" and "GDP deflator" in real["notes"][0]
    assert len(real["rows"]) == len(cash["rows"]) > 70  # 9 regions x 9 years held
    for before, after in zip(cash["rows"], real["rows"]):
        assert (before["region"], before["year"]) == (after["region"], after["year"])
        assert after["value"] == pytest.approx(before["value"] * deflator(2024) / deflator(before["year"]), rel=1e-12)
    counts = client.get("/api/series/population?limit=5&prices=real").json()
    assert counts["prices"] == "cash"  # not money: as held
    assert client.get(f"/api/series/{NCE}?prices=1999-00").status_code == 400


def test_a_year_in_a_gap_of_the_data_names_the_runs_held(client):
    """Service spending is held 2010-11 to 2017-18 and 2022-23 to 2024-25: 2019-20 was refused as
    "held for 2010-11 to 2024-25", a range that seemed to hold it."""
    response = client.get("/api/map/service_spending?per=resident&year=2019")
    assert response.status_code == 404
    assert "2010-11 to 2017-18, 2022-23 to 2024-25" in response.json()["error"]
    assert "2019-20" in response.json()["error"]
