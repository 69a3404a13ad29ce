"""Every API table as JSON, CSV and Parquet (``?format=`` or a suffix): the same rows each way,
and Parquet keeps the table's units and notes in its metadata."""

from __future__ import annotations

import io
import json

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest


@pytest.mark.parametrize("path", ["/api/series/population?year=2023", "/api/places", "/api/measures",
                                  "/api/map/nce_total_service_expenditure", "/api/overview?part=by_region",
                                  "/api/deals", "/api/powers", "/api/settlement/2017"])
def test_every_api_table_is_the_same_as_json_csv_and_parquet(client, path):
    join = "&" if "?" in path else "?"
    as_json = pd.DataFrame(client.get(path + join + "limit=5000").json()["rows"])
    as_csv = pd.read_csv(io.StringIO(client.get(path + join + "format=csv").text))
    answer = client.get(path + join + "format=parquet")
    assert answer.status_code == 200 and answer.headers["content-type"] == "application/vnd.apache.parquet"
    as_parquet = pd.read_parquet(io.BytesIO(answer.content))
    assert list(as_parquet.columns) == list(as_json.columns) == list(as_csv.columns)
    assert len(as_parquet) == len(as_json) == len(as_csv) > 0
    numeric = [c for c in as_json.columns if pd.api.types.is_numeric_dtype(as_parquet[c])]
    for column in numeric:
        assert as_parquet[column].astype(float).fillna(-1).tolist() == pytest.approx(
            pd.to_numeric(as_json[column]).astype(float).fillna(-1).tolist())


def test_parquet_by_suffix_keeps_units_and_notes(client):
    answer = client.get("/api/series/nce_total_service_expenditure.parquet?year=2023&prices=2024-25")
    table = pq.read_table(io.BytesIO(answer.content))
    meta = json.loads(table.schema.metadata[b"devolution"])
    assert meta["unit"] == "GBP" and meta["prices"] == "2024-25" and "GDP deflator" in meta["notes"][0]
    assert table.num_rows == len(client.get("/api/series/nce_total_service_expenditure?year=2023&prices=2024-25"
                                            "&limit=5000").json()["rows"])




def _table_routes_without_parameters():
    """Every route of the app's routers that answers a table (takes ``format``) and has a fixed path."""
    from devolution.web.formats import takes_format
    from devolution.web.routers import (budgets, change, claims, deals, maps, places, results, scenarios, search,
                                        series, settlement, simulator)

    modules = (budgets, change, claims, deals, maps, places, results, scenarios, search, series, settlement, simulator)
    return sorted({r.path for m in modules for r in m.router.routes if takes_format(r) and "{" not in r.path})


@pytest.mark.parametrize("path", [*_table_routes_without_parameters(), "/api/settlement/2017",
                                  "/api/series/population?year=2023"])
def test_every_table_route_has_its_csv_parquet_and_json_twins(client, path):
    """A suffix on any table route is its format (one middleware, not a route per twin): the twins
    /api/places.parquet, /api/measures.csv, /api/deals.csv, /api/deals/timeline.csv and
    /api/settlement/2017.csv were 404 or 422."""
    base, _, query = path.partition("?")
    query = "?" + query if query else ""
    csv = client.get(f"{base}.csv{query}")
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv"), (path, csv.text[:200])
    parquet = client.get(f"{base}.parquet{query}")
    assert parquet.status_code == 200 and parquet.headers["content-type"] == "application/vnd.apache.parquet"
    as_json = client.get(f"{base}.json{query}")
    assert as_json.status_code == 200 and "rows" in as_json.json()
    rows = len(pd.read_csv(io.StringIO(csv.text)))
    assert rows == len(pd.read_parquet(io.BytesIO(parquet.content))) == as_json.json()["total"] > 0


def test_the_suffix_sets_the_format_and_other_paths_are_untouched(client):
    assert client.get("/api/places.csv?format=json").headers["content-type"].startswith("text/csv")
    assert client.get("/api/places/E06000001.json").json()["code"] == "E06000001"  # a document, not a table
    assert client.get("/api/nothing.csv").status_code == 404


def test_no_figure_leaves_as_negative_zero(client):
    """Halton's RSG outturn for 2017-18 is held as -0.0 (income, sign turned): it leaves as 0."""
    csv = pd.read_csv(io.StringIO(client.get("/api/settlement/2017.csv").text)).set_index("code")
    numbers = csv.select_dtypes("number").to_numpy()
    assert csv.loc["E06000006", "rsg_outturn"] == 0
    assert not (np.signbit(numbers) & (numbers == 0)).any() and (numbers < 0).any()  # negatives stay
    halton = next(r for r in client.get("/api/settlement/2017?limit=5000").json()["rows"] if r["code"] == "E06000006")
    assert json.dumps(halton["rsg_outturn"]) == "0.0"


def test_head_is_answered_like_get_without_a_body(client):
    for path in ("/", "/api/places.csv"):
        got, head = client.get(path), client.head(path)
        assert head.status_code == got.status_code == 200, path
        assert head.content == b"" and head.headers["content-type"] == got.headers["content-type"]


def test_redoc_asks_no_other_server_for_its_logo(client):
    bundle = client.get("/vendor/api-docs/redoc.standalone.js")
    assert bundle.status_code == 200 and b"Redoc" in bundle.content
    assert b"cdn.redoc.ly" not in bundle.content
