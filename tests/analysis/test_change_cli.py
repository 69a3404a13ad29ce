"""`devo change` and `devo claims check` run end to end on the loaded store."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from devolution.cli import app

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "claims.yaml"


def test_change_prints_csv_and_writes_the_chart_spec(loaded_store_path, tmp_path, monkeypatch):
    monkeypatch.setenv("DEVOLUTION_STORE", str(loaded_store_path))
    chart = tmp_path / "c.json"
    result = CliRunner().invoke(app, ["change", "nce_total_service_expenditure", "--from", "2010", "--to", "2017",
                                      "--by", "nmsl", "--format", "csv", "--chart", str(chart)])
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert lines[0].startswith("group,areas,first,value_first")
    assert [line.split(",")[0] for line in lines[1:]] == ["North", "Midlands", "South", "London", "England"]
    assert json.loads(chart.read_text())["encoding"]["x"]["title"].startswith("Change, %")


def test_change_errors_are_one_line(loaded_store_path, monkeypatch):
    monkeypatch.setenv("DEVOLUTION_STORE", str(loaded_store_path))
    result = CliRunner().invoke(app, ["change", "nce_total_service_expenditure", "--from", "2010", "--to", "2017",
                                      "--prices", "2025-26"])
    assert result.exit_code == 1
    assert "no GDP deflator for 2025-26" in result.output and "Traceback" not in result.output


def test_claims_check_reports_each_verdict(loaded_store_path, monkeypatch):
    monkeypatch.setenv("DEVOLUTION_STORE", str(loaded_store_path))
    result = CliRunner().invoke(app, ["claims", "check", str(EXAMPLES), "--format", "json"])
    assert result.exit_code == 0, result.output
    rows = {r["id"]: r["verdict"] for r in json.loads(result.output)}
    assert rows["deprived-hit-hardest"] == "supported" and rows["per-pupil-gap-1600"] == "cannot tell"


def test_places_may_be_official_names_with_commas_and_former_codes(loaded_store_path, monkeypatch):
    """A fresh user's break test: "Bristol, City of" was split at its comma ("'City of' matches 8
    places"), and Gateshead's former code E08000020 was refused with a garbled sentence."""
    monkeypatch.setenv("DEVOLUTION_STORE", str(loaded_store_path))
    result = CliRunner().invoke(app, ["change", "nce_total_service_expenditure", "--from", "2010", "--to", "2017",
                                      "--by", "places", "--places",
                                      "Kingston upon Hull, City of,Bristol, City of,St. Helens,E08000020",
                                      "--format", "csv"])
    assert result.exit_code == 0, result.output
    rows = {line.split(",")[0]: line.split(",")[1] for line in result.output.strip().splitlines()[1:]}
    assert rows["Selected places"] == "4", rows
