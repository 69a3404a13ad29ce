"""`devo reorganise`, run as a user would (typer's CliRunner), on the real data."""

from __future__ import annotations

import io
import json
import re

import pandas as pd
import pytest
from typer.testing import CliRunner

from devolution.cli import app
from devolution.cli import reorganise as command

runner = CliRunner()
READ_FROM_STORE = command._inputs


@pytest.fixture(scope="module")
def env(loaded_store_path, reorganisation_inputs):
    """The store of the session; the command's inputs are the session's, read once (the first test
    reads them from the store as a user's run does)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DEVOLUTION_STORE", str(loaded_store_path))
        patch.setenv("COLUMNS", "200")
        patch.setattr(command, "_inputs", lambda: reorganisation_inputs)
        yield


@pytest.fixture(scope="module")
def northamptonshire_apportionment(env) -> pd.DataFrame:
    out = runner.invoke(app, ["reorganise", "northamptonshire-2021", "--table", "apportionment", "--format", "csv"])
    assert out.exit_code == 0, out.output
    return pd.read_csv(io.StringIO(out.stdout))


def test_an_example_prints_each_new_councils_figures_and_the_notes(env, monkeypatch):
    monkeypatch.setattr(command, "_inputs", READ_FROM_STORE)  # from the store, as a user's run
    result = runner.invoke(app, ["reorganise", "cumbria-2023", "--on", "2026-06-01"])
    assert result.exit_code == 0, result.output
    assert "Cumberland" in result.output and "Westmorland and Furness" in result.output
    assert "£1,734.19" in result.output          # Cumberland's predecessors' notional Band D, 2022-23
    assert "did not report" in result.output     # Eden and South Lakeland's 2022-23 outturn


def test_tables_come_as_csv_json_and_parquet(env, northamptonshire_apportionment):
    frame = northamptonshire_apportionment
    assert {"county", "council", "service", "driver", "share", "amount", "county_total"} <= set(frame.columns)
    sums = frame.groupby(["county", "service"]).agg(amount=("amount", "sum"), total=("county_total", "first"))
    assert (sums["amount"] - sums["total"]).abs().max() < 1e-3
    js = runner.invoke(app, ["reorganise", "northamptonshire-2021", "--years", "5", "--format", "json"])
    rows = json.loads(js.stdout)
    assert [r["council"] for r in rows] == ["North Northamptonshire", "West Northamptonshire"]
    assert "harmonised_year_5_years" in rows[0]
    parquet = runner.invoke(app, ["reorganise", "--examples", "--format", "parquet"])  # the same show(), no run
    assert parquet.exit_code == 0
    listed = pd.read_parquet(io.BytesIO(parquet.stdout_bytes))
    assert {"cumbria-2023", "somerset-2023"} <= set(listed["example"])


def test_a_driver_knob_changes_the_share_and_keeps_the_total(env, northamptonshire_apportionment):
    def highways(frame):
        return frame[frame["service"] == "highways_transport"].set_index("council")

    out = runner.invoke(app, ["reorganise", "northamptonshire-2021", "--table", "apportionment", "--format", "csv",
                              "--driver", "highways_transport=dwellings"])
    by_area, by_dwellings = highways(northamptonshire_apportionment), highways(pd.read_csv(io.StringIO(out.stdout)))
    assert (by_area["driver"] == "area").all() and (by_dwellings["driver"] == "dwellings").all()
    assert by_area["share"].round(4).tolist() != by_dwellings["share"].round(4).tolist()
    assert by_area["amount"].sum() == pytest.approx(by_dwellings["amount"].sum())


def test_out_writes_a_report_that_needs_nothing_from_outside_and_escapes_what_it_shows(env, tmp_path):
    """One HTML report (a proposal whose council's name holds a closing script tag, which the
    bundler would undo inside the charts' script) and one JSON document."""
    proposal = tmp_path / "p.yaml"
    proposal.write_text("name: x\nkind: proposal\nvesting: 2028-04-01\ncouncils:\n"
                        "  - name: 'North </script><script>alert(1)</script>'\n"
                        "    members: [North Warwickshire, Nuneaton and Bedworth, Rugby]\n"
                        "  - name: South Warwickshire\n    members: [Stratford-on-Avon, Warwick]\n")
    page = tmp_path / "p.html"
    result = runner.invoke(app, ["reorganise", str(proposal), "--out", str(page), "--colour", "first_year_band_d"])
    assert result.exit_code == 0, result.output
    text = page.read_text()
    assert "#chart0" in text and "South Warwickshire" in text and "first_year_band_d" in text
    assert not re.search(r'<(script|link|img)[^>]+(src|href)="https?://', text)
    assert text.lower().count("</script>") == 1          # only the bundle's own closing tag
    page_part = text[:text.index('<script type="module">')]
    assert "<script>alert(1)" not in page_part and "&lt;script&gt;alert(1)" in page_part  # escaped as text
    document = tmp_path / "dorset.json"
    assert runner.invoke(app, ["reorganise", "dorset-2019", "--out", str(document)]).exit_code == 0
    data = json.loads(document.read_text())
    assert data["map"]["type"] == "FeatureCollection" and len(data["map"]["features"]) == 2
    assert "Bournemouth, Christchurch and Poole" in {f["properties"]["group"] for f in data["map"]["features"]}
    assert {"councils", "harmonisation", "bills", "spending", "apportionment"} <= set(data["tables"])


def test_check_history_lists_every_past_reorganisation_with_its_gap(env, reorganisation_history, monkeypatch):
    """How the command shows the comparison (computed once for the session; the golden test checks
    its figures against MHCLG's)."""
    from devolution.analysis.reorganisation import history

    monkeypatch.setattr(history, "check_history", lambda inputs: reorganisation_history)
    result = runner.invoke(app, ["reorganise", "--check-history", "--format", "json"])
    assert result.exit_code == 0, result.output
    rows = pd.DataFrame(json.loads(result.stdout))
    assert len(rows) == 9 and set(rows.columns) == set(reorganisation_history.columns)
    assert set(rows.loc[~rows["within_tolerance"], "code"]) == {"E06000063", "E06000064", "E06000066"}
    table = runner.invoke(app, ["reorganise", "--check-history"])
    assert "fire and rescue" in table.output and "Tolerance: £0.005 per Band D (half a penny" in table.output
    # Band D to the penny and increases as per cent on the terminal (not the table's one decimal)
    assert "£1,734.19" in table.output and "-£85.61" in table.output and "£0.00" in table.output and "4.99%" in table.output
    # the CSV's money to the penny (BCP's first year was 1478.516082160088)
    csv = pd.read_csv(io.StringIO(runner.invoke(app, ["reorganise", "--check-history", "--format", "csv"]).stdout))
    assert csv.set_index("code").loc["E06000058", "first_year_band_d"] == 1478.52
    assert (csv["first_year_band_d"] == csv["first_year_band_d"].round(2)).all()


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
        assert "\n" not in result.output.strip(), result.output
        if args == ["reorganise", str(bad)]:
            assert "councils.0.members.0" in result.output


def test_examples_are_listed(env):
    result = runner.invoke(app, ["reorganise", "--examples", "--format", "csv"])
    frame = pd.read_csv(io.StringIO(result.stdout))
    assert "warwickshire-two-unitaries-illustrative" in set(frame["example"])
    assert (frame.loc[frame["example"] == "warwickshire-two-unitaries-illustrative", "kind"] == "illustrative").all()


def test_the_summary_states_principle_increase_and_ceiling_apart_and_counts_households_as_integers(env):
    result = runner.invoke(app, ["reorganise", "northamptonshire-2021", "--on", "2026-06-01"])
    assert result.exit_code == 0, result.output
    lines = {line.split("│")[1].strip(): line for line in result.output.splitlines() if line.count("│") > 2}
    assert "5.00%" in lines["first_year_principle"] and "4.99%" in lines["first_year_increase"]
    # under max the first year's Band D is at the ceiling (the notional Band D x 1.0499): one figure, not 5% in one
    # table and 4.99% in another
    assert "£1,532.89" in lines["first_year_ceiling"] and lines["first_year_ceiling"].split("│")[2:] == \
        lines["first_year_band_d"].split("│")[2:]
    households = result.output[result.output.index("Dwellings whose bill"):result.output.index("Spending per resident")]
    assert re.search(r"\d{4,}", households) and not re.search(r"\d\.0\b", households), households
    frame = pd.read_csv(io.StringIO(runner.invoke(app, ["reorganise", "northamptonshire-2021", "--table", "households",
                                                        "--format", "csv"]).stdout))
    assert all(pd.api.types.is_integer_dtype(frame[c]) for c in ("rises", "falls", "unchanged"))


@pytest.mark.parametrize("value", ["2", "-0.5", "abc"])
def test_an_increase_out_of_range_is_one_line_saying_what_is_accepted(env, value):
    result = runner.invoke(app, ["reorganise", "cumbria-2023", f"--increase={value}"])
    assert result.exit_code == 1 and "\n" not in result.output.strip(), result.output
    assert "council_tax.increase" in result.output and "should be" not in result.output
    assert "expected max, or a share between 0 and the principle, e.g. 0.0299" in result.output


def test_years_past_ten_get_the_law_and_colour_needs_an_html_report(env):
    for years in ("9", "11"):  # typer's own range box no longer answers before the law's message
        result = runner.invoke(app, ["reorganise", "warwickshire-two-unitaries-illustrative", "--years", years])
        assert result.exit_code == 1 and "by the start of year 8" in result.output, result.output
        assert "not in the range" not in result.output
    colour = runner.invoke(app, ["reorganise", "dorset-2019", "--colour", "population"])
    assert colour.exit_code == 1
    assert "--colour colours the map of the HTML report: give --out FILE.html" in colour.output


def test_shares_show_four_decimals_and_spending_whole_pounds_on_the_terminal(env, northamptonshire_apportionment):
    result = runner.invoke(app, ["reorganise", "northamptonshire-2021", "--table", "apportionment"],
                           env={"COLUMNS": "400"})
    assert result.exit_code == 0, result.output
    first = northamptonshire_apportionment.iloc[0]
    assert f"{first['share']:.4f}" in result.output                 # e.g. 0.4734, not 0.5
    assert f"{first['county_total']:,.0f}" in result.output and f"{first['county_total']:,.1f}" not in result.output
    assert first["county_total"] != round(first["county_total"])    # the CSV keeps the value (RS 2017-18 £000 decimals)


def test_the_spending_table_alone_says_why_its_cells_are_blank(env):
    """`devo reorganise cumbria-2023 --table spending` left Westmorland and Furness's own spending and
    totals blank without a word; the combined output said why (Eden and South Lakeland did not
    report their 2022-23 outturn). The table alone says it too, below the table."""
    result = runner.invoke(app, ["reorganise", "cumbria-2023", "--table", "spending"])
    assert result.exit_code == 0, result.output
    said = " ".join(result.output.split())
    assert ("- Spending 2022-23: Eden (E07000030), South Lakeland (E07000031) did not report (MHCLG Revenue "
            "Outturn), so the own spending of Westmorland and Furness is not known that year and its totals are "
            "left blank") in said
    assert said.index("┏") < said.index("did not report")  # below the table, not before it
    people = runner.invoke(app, ["reorganise", "cumbria-2023", "--table", "people"])
    assert "did not report" not in people.output  # a table that is not about spending: no spending note


def test_counts_are_whole_and_shares_per_cent_in_every_format(env):
    """People and dwellings printed as 276876.0 (csv, json) and 276,876.0 (terminal), and the
    terminal's shares to one decimal showed share_85_plus 3.06% as 0.0: counts are integers in every
    format, shares per cent on a terminal and whole fractions elsewhere."""
    people = pd.read_csv(io.StringIO(runner.invoke(app, ["reorganise", "cumbria-2023", "--table", "people",
                                                         "--format", "csv"]).stdout))
    homes = json.loads(runner.invoke(app, ["reorganise", "cumbria-2023", "--table", "homes", "--format", "json"]).stdout)
    councils = pd.read_csv(io.StringIO(runner.invoke(app, ["reorganise", "cumbria-2023", "--table", "councils",
                                                           "--format", "csv"]).stdout))
    assert all(pd.api.types.is_integer_dtype(people[c]) for c in people.columns if c.startswith("population_")
               and c != "population_year") and pd.api.types.is_integer_dtype(people["population"])
    assert all(isinstance(row[band], int) for row in homes for band in ("A", "H", "dwellings"))
    assert pd.api.types.is_integer_dtype(councils["population"]) and pd.api.types.is_integer_dtype(councils["dwellings"])
    share = people.set_index("council").loc["Cumberland", "share_85_plus"]
    assert 0.03 < share < 0.031 and share != round(share, 3)         # the fraction kept whole in csv
    table = runner.invoke(app, ["reorganise", "cumbria-2023", "--table", "people"]).output
    population = people.set_index("council").loc["Cumberland", "population"]
    assert f"{population:,}" in table and f"{population:,}.0" not in table
    assert f"{100 * share:.1f}%" in table                             # 3.1%, not 0.0
    households = runner.invoke(app, ["reorganise", "cumbria-2023", "--table", "households"]).output
    assert re.search(r"\d{3},\d{3}", households) and not re.search(r"\d{5,}", households), households


def test_the_spending_notes_go_to_stderr_in_machine_formats(env):
    """`--table spending --format csv` left Westmorland and Furness's spending blank with no word;
    the notes the terminal prints below the table are said on standard error (standard output stays
    one table to read)."""
    for fmt in ("csv", "json"):
        result = runner.invoke(app, ["reorganise", "cumbria-2023", "--table", "spending", "--format", fmt])
        assert result.exit_code == 0, result.output
        said = " ".join(result.stderr.split())
        assert "note: Spending 2022-23: Eden (E07000030), South Lakeland (E07000031) did not report" in said
        assert "did not report" not in result.stdout
    frame = pd.DataFrame(json.loads(result.stdout))  # the json, whole
    assert frame.loc[frame["council"] == "Westmorland and Furness", "total"].isna().all()
    people = runner.invoke(app, ["reorganise", "cumbria-2023", "--table", "people", "--format", "csv"])
    assert people.stderr == ""
