"""`devo reorganise`, run as a user would (typer's CliRunner), on the real data."""

from __future__ import annotations

import io
import json
import re

import pandas as pd
import pytest
from typer.testing import CliRunner

from devolution.cli import app

runner = CliRunner()


@pytest.fixture()
def env(loaded_store_path, monkeypatch):
    monkeypatch.setenv("DEVOLUTION_STORE", str(loaded_store_path))
    monkeypatch.setenv("COLUMNS", "200")


def test_an_example_prints_each_new_councils_figures_and_the_notes(env):
    result = runner.invoke(app, ["reorganise", "cumbria-2023", "--on", "2026-06-01"])
    assert result.exit_code == 0, result.output
    assert "Cumberland" in result.output and "Westmorland and Furness" in result.output
    assert "£1,734.19" in result.output          # Cumberland's predecessors' notional Band D, 2022-23
    assert "did not report" in result.output     # Eden and South Lakeland's 2022-23 outturn


def test_tables_come_as_csv_json_and_parquet(env):
    csv = runner.invoke(app, ["reorganise", "northamptonshire-2021", "--table", "apportionment", "--format", "csv"])
    assert csv.exit_code == 0, csv.output
    frame = pd.read_csv(io.StringIO(csv.stdout))
    assert {"county", "council", "service", "driver", "share", "amount", "county_total"} <= set(frame.columns)
    sums = frame.groupby(["county", "service"]).agg(amount=("amount", "sum"), total=("county_total", "first"))
    assert (sums["amount"] - sums["total"]).abs().max() < 1e-3
    js = runner.invoke(app, ["reorganise", "northamptonshire-2021", "--years", "5", "--format", "json"])
    rows = json.loads(js.stdout)
    assert [r["council"] for r in rows] == ["North Northamptonshire", "West Northamptonshire"]
    assert "harmonised_year_5_years" in rows[0]
    parquet = runner.invoke(app, ["reorganise", "somerset-2023", "--table", "bills", "--format", "parquet"])
    assert parquet.exit_code == 0
    bills = pd.read_parquet(io.BytesIO(parquet.stdout_bytes))
    assert set(bills["band"]) == set("ABCDEFGH") and set(bills["area"]) == {
        "Mendip", "Sedgemoor", "Somerset West and Taunton", "South Somerset"}


def test_a_driver_knob_changes_the_share_and_keeps_the_total(env):
    def highways(*extra):
        out = runner.invoke(app, ["reorganise", "northamptonshire-2021", "--table", "apportionment", "--format", "csv",
                                  *extra])
        frame = pd.read_csv(io.StringIO(out.stdout))
        return frame[frame["service"] == "highways_transport"].set_index("council")

    by_area, by_dwellings = highways(), highways("--driver", "highways_transport=dwellings")
    assert (by_area["driver"] == "area").all() and (by_dwellings["driver"] == "dwellings").all()
    assert by_area["share"].round(4).tolist() != by_dwellings["share"].round(4).tolist()
    assert by_area["amount"].sum() == pytest.approx(by_dwellings["amount"].sum())


def test_out_writes_a_report_that_needs_nothing_from_outside(env, tmp_path):
    page = tmp_path / "dorset.html"
    result = runner.invoke(app, ["reorganise", "dorset-2019", "--out", str(page), "--colour", "first_year_band_d"])
    assert result.exit_code == 0, result.output
    text = page.read_text()
    assert "#chart0" in text and "Bournemouth, Christchurch and Poole" in text
    assert not re.search(r'<(script|link|img)[^>]+(src|href)="https?://', text)
    document = tmp_path / "dorset.json"
    assert runner.invoke(app, ["reorganise", "dorset-2019", "--out", str(document)]).exit_code == 0
    data = json.loads(document.read_text())
    assert data["map"]["type"] == "FeatureCollection" and len(data["map"]["features"]) == 2
    assert {"councils", "harmonisation", "bills", "spending", "apportionment"} <= set(data["tables"])


def test_check_history_lists_every_past_reorganisation_with_its_gap(env):
    result = runner.invoke(app, ["reorganise", "--check-history", "--format", "json"])
    assert result.exit_code == 0, result.output
    rows = pd.DataFrame(json.loads(result.stdout))
    assert len(rows) == 9
    assert set(rows.loc[~rows["within_tolerance"], "code"]) == {"E06000063", "E06000064", "E06000066"}
    table = runner.invoke(app, ["reorganise", "--check-history"])
    assert "fire and rescue" in table.output and "Tolerance: half a penny" in table.output


def test_bad_input_is_one_line_and_exit_1(env, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\nkind: proposal\nvesting: 2028-04-01\ncouncils:\n  - name: A\n    members: [Kent]\n")
    listed = tmp_path / "list.yaml"
    listed.write_text("- a\n- b\n")
    for args in (["reorganise", str(bad)], ["reorganise", "nowhere.yaml"], ["reorganise", str(listed)], ["reorganise", "cumbria-2023", "--table", "x"],
                 ["reorganise", "cumbria-2023", "--driver", "highways"], ["reorganise", "cumbria-2023", "--out", "x.pdf"]):
        result = runner.invoke(app, args)
        assert result.exit_code == 1, args
        assert result.output.startswith("error:") and "Traceback" not in result.output, result.output
    assert "councils.0.members.0" in runner.invoke(app, ["reorganise", str(bad)]).output


def test_examples_are_listed(env):
    result = runner.invoke(app, ["reorganise", "--examples", "--format", "csv"])
    frame = pd.read_csv(io.StringIO(result.stdout))
    assert "warwickshire-two-unitaries-illustrative" in set(frame["example"])
    assert (frame.loc[frame["example"] == "warwickshire-two-unitaries-illustrative", "kind"] == "illustrative").all()


def test_a_name_holding_a_closing_script_tag_cannot_end_the_reports_script(env, tmp_path):
    proposal = tmp_path / "p.yaml"
    proposal.write_text("name: x\nkind: proposal\nvesting: 2028-04-01\ncouncils:\n"
                        "  - name: 'North </script><script>alert(1)</script>'\n"
                        "    members: [North Warwickshire, Nuneaton and Bedworth, Rugby]\n"
                        "  - name: South\n    members: [Stratford-on-Avon, Warwick]\n")
    page = tmp_path / "p.html"
    assert runner.invoke(app, ["reorganise", str(proposal), "--out", str(page)]).exit_code == 0
    text = page.read_text()
    assert text.lower().count("</script>") == 1          # only the bundle's own closing tag
    page_part = text[:text.index('<script type="module">')]
    assert "<script>alert(1)" not in page_part and "&lt;script&gt;alert(1)" in page_part  # escaped as text
