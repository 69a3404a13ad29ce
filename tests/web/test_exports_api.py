"""Every API table as JSON, CSV and Parquet (``?format=`` or a suffix): the same rows each way,
and Parquet keeps the table's units and notes in its metadata."""

from __future__ import annotations

import io
import json

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


