"""The `devo` command, run as a user would (typer's CliRunner), on the real data."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from devolution.cli import app

runner = CliRunner()


@pytest.fixture()
def env(loaded_store_path, monkeypatch):
    monkeypatch.setenv("DEVOLUTION_STORE", str(loaded_store_path))
    monkeypatch.setenv("COLUMNS", "200")


def test_data_load_reports_every_publication(tmp_path, data_dir, monkeypatch):
    monkeypatch.setenv("DEVOLUTION_STORE", str(tmp_path / "s.duckdb"))
    result = runner.invoke(app, ["data", "load", str(data_dir)])
    assert result.exit_code == 0, result.output
    assert "Loaded 21 publications" in result.output
    assert "mhclg_core_spending_power" in result.output


def test_a_bad_file_is_one_red_line_and_exit_1(env, tmp_path):
    (tmp_path / "population_mye_2011_2023_lad_county_region.csv").write_text("gss_code,name\nE06000001,x\n")
    result = runner.invoke(app, ["data", "load", str(tmp_path)])
    assert result.exit_code == 1
    assert "error:" in result.output and "missing column" in result.output
    assert "Traceback" not in result.output


def test_sources_list_provenance_as_json(env):
    result = runner.invoke(app, ["data", "sources", "--format", "json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert {"publication", "title", "publisher", "url", "licence", "sha256"} <= set(rows[0])
    assert any(r["publisher"] == "Office for National Statistics" for r in rows)


def test_sources_give_each_file_its_hash_and_page_and_say_whose_rows(env, data_dir, monkeypatch):
    """`devo data sources` gave 12 characters of each sha256 even in csv (no file could be checked),
    the CRA 2014 file the 2018 edition's page, and each file its publication's rows as its own; at
    80 columns it cut URLs to "…"."""
    import hashlib
    import io

    import pandas as pd

    frame = pd.read_csv(io.StringIO(runner.invoke(app, ["data", "sources", "--format", "csv"]).stdout))
    for row in frame.itertuples():  # the whole hash of the file as it is on disk
        assert row.sha256 == hashlib.sha256((data_dir / row.file).read_bytes()).hexdigest(), row.file
    urls = frame.set_index("file")["url"]
    assert urls["hmt_country_regional_analysis_2014_database.csv"].endswith("country-and-regional-analysis-2014")
    assert urls["hmt_country_regional_analysis_2018_database.csv"].endswith("country-and-regional-analysis-2018")
    assert urls["ons_lookup_lad24_region_dec2024.csv"].str.contains("geoportal.statistics.gov.uk").all()  # 2 rows
    assert "rows" not in frame.columns and pd.api.types.is_integer_dtype(frame["publication_rows"])
    monkeypatch.setenv("COLUMNS", "80")
    table = runner.invoke(app, ["data", "sources"]).output
    folded = "".join(line.strip("│ ") for line in table.splitlines())
    assert all(url in folded.replace(" ", "").replace("│", "") for url in frame["url"]), table
    assert "whole with --format csv or json" in table and "all its files together" in table


def test_places_list_and_show(env):
    result = runner.invoke(app, ["places", "list", "--county", "Kent", "--format", "csv"])
    assert result.exit_code == 0, result.output
    assert len(result.output.strip().splitlines()) == 13  # header + 12 districts
    result = runner.invoke(app, ["places", "show", "Allerdale"])
    assert result.exit_code == 0, result.output
    assert "Abolished on 1 April 2023" in result.output and "Cumberland (E06000063)" in result.output
    assert "Cumbria" in result.output
    result = runner.invoke(app, ["places", "show", "Atlantis"])
    assert result.exit_code == 1 and "no place matches 'Atlantis'" in result.output


def test_overview_prints_tables_and_writes_a_report_with_charts(env, tmp_path):
    out = tmp_path / "report.html"
    csv = tmp_path / "councils.csv"
    result = runner.invoke(app, ["overview", "--out", str(out), "--councils-csv", str(csv)])
    assert result.exit_code == 0, result.output
    assert "England" in result.output and "2015-16" in result.output
    page = out.read_text()
    assert page.count('<div id="chart') >= 2
    assert '("#chart0",' in page and '("#chart1",' in page  # each chart drawn into its place
    assert '"title":["Every council: change per head, Core Spending Power (six listed' in page  # wrapped title
    assert "Service spending, like for like, 2024-25 prices" in page  # the measure and its price base named
    assert "cdn.jsdelivr" not in page  # Vega is bundled: the report works offline
    assert "Blackpool" in page and "Method" in page and "Open Government Licence" in page
    assert len(csv.read_text().splitlines()) == 317 + 1  # the 317 councils in force in 2023-24, and a header


def test_doctor_reports_a_healthy_install_and_a_missing_store(env, data_dir, monkeypatch, tmp_path):
    monkeypatch.setenv("DEVOLUTION_DATA", str(data_dir))
    result = runner.invoke(app, ["doctor"])
    assert result.exit_code == 0, result.output
    assert "21 of 21 publications loaded" in result.output
    monkeypatch.setenv("DEVOLUTION_STORE", str(tmp_path / "none.duckdb"))
    result = runner.invoke(app, ["doctor"])
    assert result.exit_code == 1 and "run `devo data load`" in result.output


def test_every_command_has_help_with_examples():
    for command in (["data", "load"], ["data", "sources"], ["data", "measures"], ["places", "list"],
                    ["places", "show"], ["overview"], ["doctor"]):
        result = runner.invoke(app, [*command, "--help"])
        assert result.exit_code == 0
        assert "Example" in result.output, command


def test_devo_starts_without_heavy_imports():
    """`devo --help` must not import pandas, DuckDB or Altair (it starts in well under 0.5 s)."""
    code = ("import sys; from devolution.cli import app; "
            "print(','.join(m for m in ('pandas', 'duckdb', 'altair', 'numpy') if m in sys.modules))")
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert loaded == ""


def test_budget_compare_shows_each_place_once_with_its_notes(env):
    """Gateshead named by its code, its former code and its name was three rows; and the notes
    (a council made later, one that published no outturn) were not shown at all."""
    shown = runner.invoke(app, ["budget", "Cumberland", "--compare", "E10000006,E08000037,E08000020,Gateshead",
                                "--format", "json"])
    assert shown.exit_code == 0, shown.output
    rows = json.loads(shown.stdout)  # standard error says Gateshead was given three times
    assert [r["place"] for r in rows] == ["E06000063", "E10000006", "E08000037"]
    assert "came into being only on 1 April 2023" in rows[0]["note"]
    assert rows[1]["note"] == ("Not reported: Copeland (E07000029) published no Revenue Outturn for 2017-18, so the "
                               "council lines leave out what it spent.")
    table = runner.invoke(app, ["budget", "Cumberland", "--compare", "Cumbria"], env={"COLUMNS": "200"})
    said = " ".join(table.output.split())
    assert "- Cumberland (E06000063), 2017-18: Cumberland (E06000063) came into being only on 1 April 2023" in said
    assert "with their population share of Cumbria (E10000006). Not reported: Copeland" in said


def test_a_table_too_wide_for_the_terminal_is_shown_as_one_card_a_row(env):
    """`devo reorganise --check-history` at 80 columns cut every cell to "Cum…", "£1,…": a table
    that cannot fit with its words whole is printed one card a row, every value whole."""
    narrow = runner.invoke(app, ["reorganise", "--check-history"], env={"COLUMNS": "80"})
    assert narrow.exit_code == 0, narrow.output
    assert "…" not in narrow.output
    assert "│ tool_notional_band_d │ £1,491.36 │" in narrow.output and "Westmorland and Furness" in narrow.output
    wide = runner.invoke(app, ["budget", "Gateshead", "--compare", "Sunderland"], env={"COLUMNS": "200"})
    assert "┃ place" in wide.output and "│ E08000037 │ Gateshead" in wide.output  # it fits: one table


def test_places_list_on_a_narrow_terminal_is_one_table_with_columns_left_out_and_named(env):
    """`devo places list` at 80 columns printed 343 cards, one a place: a list of places is a
    table, so the rightmost columns are left out (only as many as it takes) and named below."""
    narrow = runner.invoke(app, ["places", "list"], env={"COLUMNS": "80"})
    assert narrow.exit_code == 0, narrow.output
    lines = narrow.output.splitlines()
    assert lines[1].startswith("┏") and "┃ code " in lines[2] and "┃ region " in lines[2] and "county" not in lines[2]
    assert "│ E06000001 │ Hartlepool" in narrow.output and "…" not in narrow.output
    assert sum(line.startswith("│ E") for line in lines) == 343  # a row a place, no cards
    assert max(len(line) for line in lines) <= 80
    assert ("Left out to fit 80 columns: county, strategic_authority. See them with --format csv, or in a wider "
            "terminal (e.g. COLUMNS=200 before the command).") in " ".join(narrow.output.split())
    wide = runner.invoke(app, ["places", "list"], env={"COLUMNS": "200"})
    assert "┃ county " in wide.output and "┃ strategic_authority " in wide.output and "Left out" not in wide.output


def test_a_table_that_wraps_to_fit_keeps_every_value_whole(monkeypatch, capsys):
    """`devo budget "Greater Manchester" --years` at 120 columns fitted with its words whole, yet
    rich's squeeze narrowed every column alike and printed the population as "2,685,386…"."""
    import pandas as pd

    from devolution.cli.common import Format, show

    frame = pd.DataFrame({"place": ["E47000001"] * 2, "name": ["Greater Manchester"] * 2, "year": [2011, 2012],
                          "council £m": [4036.2, 3894.8], "devolved £m": [0.0, 0.0],
                          "central £m": [16883.3, 17661.3], "pooled £m": [1832.5, 1763.1],
                          "total £m": [20919.5, 21556.0], "population": [2685386.0, 2700093.0],
                          "£ per head": [7790.1, 7983.4]})
    monkeypatch.setenv("COLUMNS", "120")
    show(frame, Format.table, title="Place budget by year")
    printed = capsys.readouterr().out
    assert "┃ place" in printed  # one table, wrapped, not cards
    assert "…" not in printed
    assert "2,685,386.0" in printed and "2,700,093.0" in printed
    assert max(len(line) for line in printed.splitlines()) <= 120


def test_budget_compare_reads_names_with_a_comma_and_refuses_an_empty_list(env):
    """"Bournemouth, Christchurch and Poole" was split at its comma and read as Bournemouth; an empty
    --compare printed a one-row "comparison"."""
    named = runner.invoke(app, ["budget", "Gateshead", "--compare", "Kingston upon Hull, City of,Sunderland",
                                "--format", "json"])
    assert named.exit_code == 0, named.output
    assert [r["place"] for r in json.loads(named.output)] == ["E08000037", "E06000010", "E08000024"]
    for empty in (",", "", " , "):
        refused = runner.invoke(app, ["budget", "Gateshead", "--compare", empty])
        assert refused.exit_code == 1 and "no place given" in refused.output, empty


def test_budget_population_is_a_whole_count_of_people(env):
    """`devo budget Kent --compare Surrey` printed Kent's population as "1,542,707.0": a count of
    people is whole on a terminal and in JSON (CSV keeps the number, here whole too)."""
    table = runner.invoke(app, ["budget", "Kent", "--compare", "Surrey"])
    assert table.exit_code == 0, table.output
    assert "│  1,542,707 │" in table.output and "1,185,103 │" in table.output and "1,542,707.0" not in table.output
    rows = json.loads(runner.invoke(app, ["budget", "Kent", "--compare", "Surrey", "--format", "json"]).stdout)
    assert [(r["place"], r["population"]) for r in rows] == [("E10000016", 1542707), ("E10000030", 1185103)]
    assert "│    1,903.7 │" in table.output  # £m keep their decimal; people do not


def test_budget_compare_says_a_place_given_twice_and_takes_compare_repeated(env):
    """A place named twice (twice in --compare, by its name and its code, or by a former code) was
    dropped without a word, and a repeated --compare kept only its last value."""
    table = runner.invoke(app, ["budget", "Kent", "--compare", "Kent", "--compare", "Surrey,E10000016"])
    assert table.exit_code == 0, table.output
    said = " ".join(table.output.split())
    assert "- Kent (E10000016) was given three times; shown once" in said
    assert "│ E10000016 │ Kent" in table.output and "│ E10000030 │ Surrey" in table.output
    # JSON stays whole on standard output; the note goes to standard error.
    shown = runner.invoke(app, ["budget", "Gateshead", "--compare", "E08000020", "--compare", "Sunderland",
                                "--format", "json"])
    assert shown.exit_code == 0, shown.output
    assert [r["place"] for r in json.loads(shown.stdout)] == ["E08000037", "E08000024"]
    assert shown.stderr.strip() == "note: Gateshead (E08000037) was given twice; shown once"
    once = runner.invoke(app, ["budget", "Gateshead", "--compare", "Sunderland"])
    assert "given" not in once.output


def test_budget_year_out_of_range_is_the_first_thing_said(env):
    """`devo budget Kent --year 2030` said "in no strategic authority on 2030-04-01" before saying
    that no budget can be made for 2030-31: the year comes first, naming the years held."""
    result = runner.invoke(app, ["budget", "Kent", "--year", "2030"])
    assert result.exit_code == 1
    assert result.output.startswith("error: no place budget for 2030-31: council outturn, CRA and population are "
                                    "all held only for 2011-12, 2012-13"), result.output
    assert "strategic authority" not in result.output and "2017-18" in result.output


def test_budget_csv_carries_the_note_the_table_prints(env):
    """`devo budget Cumberland --year 2011 --format csv` lost the note saying that Cumberland was made
    on 1 April 2023 (the 2011-12 figures are its area's): the CSV carries it in a note column, as
    the --compare and --years CSVs do."""
    import io

    import pandas as pd

    result = runner.invoke(app, ["budget", "Cumberland", "--year", "2011", "--format", "csv"])
    assert result.exit_code == 0, result.output
    frame = pd.read_csv(io.StringIO(result.stdout))
    assert "9. Education" in set(frame["function"])
    assert frame["note"].nunique() == 1 and frame["note"].iloc[0].startswith(
        "Cumberland (E06000063) came into being only on 1 April 2023: this is the budget of its area in 2011-12")
    kent = pd.read_csv(io.StringIO(runner.invoke(app, ["budget", "Kent", "--format", "csv"]).stdout))
    assert kent["note"].isna().all()  # a place in being that year: the column is there, empty
    # a saved file says what it is (a break test found a file with no place or year in it)
    assert set(frame["place"]) == {"E06000063"} and set(frame["year"]) == {"2011-12"}
    assert set(kent["name"]) == {"Kent"} and set(kent["year"]) == {"2017-18"}


def test_explain_wraps_at_the_terminal_width_and_keeps_its_text(env):
    """`devo explain` at 80 columns printed lines of 300 characters (rich's soft wrap): each line
    wraps at the width under its own indent, with the words unchanged and a URL never cut."""
    from devolution.explain import explain
    from devolution.store import Store

    result = runner.invoke(app, ["explain", "E08000021", "2010-11", "government_funding"], env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert all(len(line) <= 80 or " " not in line.strip() for line in lines), [l for l in lines if len(l) > 80]
    assert "  https://www.nao.org.uk/reports/financial-sustainability-of-local-authorities-2018/" in lines
    assert "    Redistributed non-domestic rates (until the rates retention scheme began in" in lines  # its indent
    with Store(read_only=True) as store:
        text = explain("E08000021", "2010-11", "government_funding", store=store).lines()
    assert result.output.split() == " ".join(text).split()


def test_a_council_of_another_nation_is_named_as_such(env):
    result = runner.invoke(app, ["places", "show", "Cardiff"])
    assert result.exit_code == 1
    assert "'Cardiff' is Cardiff (W06000015), a council of Wales: devolution covers England's" in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize("args, first, second", [
    (["--compare", "Surrey", "--out", "c.html"], "--compare", "--out"),
    (["--compare", "Surrey", "--out", "c.html", "--format", "csv"], "--compare", "--out"),
    (["--compare", "Surrey", "--years"], "--compare", "--years"),
    (["--year", "2017", "--years"], "--year", "--years"),
])
def test_budget_refuses_options_that_would_have_no_effect(env, tmp_path, monkeypatch, args, first, second):
    """`devo budget Kent --compare Surrey --out c.html` wrote nothing and said nothing (rc 0);
    --years ignored --compare and --year. Each pair is refused in one line naming both."""
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["budget", "Kent", *args])
    assert result.exit_code == 1
    assert result.output.startswith(f"error: {first} and {second} cannot be given together"), result.output
    assert len(result.output.strip().splitlines()) == 1 and not (tmp_path / "c.html").exists()


def test_budget_says_the_authority_only_above_a_budget_for_one_year(env):
    """`devo budget "Tunbridge Wells" --years` said "in no strategic authority on 2017-04-01" over
    seven years; the same line came before the refusal for Aylesbury Vale."""
    years = runner.invoke(app, ["budget", "Tunbridge Wells", "--years"])
    assert years.exit_code == 0 and "strategic authority" not in years.output
    refused = runner.invoke(app, ["budget", "Aylesbury Vale"])
    assert refused.exit_code == 1 and refused.output.startswith("error: no place budget for Aylesbury Vale")
    one = runner.invoke(app, ["budget", "Tunbridge Wells", "--year", "2015"])
    assert one.output.startswith("Tunbridge Wells (E07000116) is in no strategic authority on 2015-04-01")


def test_budget_compare_reads_an_official_name_holding_a_comma_and_shows_a_missing_part_blank(env):
    """--compare "Bournemouth, Christchurch and Poole" compared the former council Bournemouth;
    Scilly's 2016-17 council £m (no return) was 0.0 in the CSV, now empty."""
    import io

    import pandas as pd

    named = runner.invoke(app, ["budget", "Kent", "--compare", "Bournemouth, Christchurch and Poole"])
    # BCP itself is asked about (and refused: ONS holds Christchurch's residents only inside it)
    assert named.output.startswith("error: no place budget for Bournemouth, Christchurch and Poole (E06000058)")
    scilly = runner.invoke(app, ["budget", "Isles of Scilly", "--years", "--format", "csv"])
    frame = pd.read_csv(io.StringIO(scilly.stdout)).set_index("year")
    assert frame.loc[2016, ["council £m", "pooled £m", "total £m", "£ per head"]].isna().all()
    assert frame.loc[2017, "council £m"] > 0


def test_places_list_help_at_80_columns_cuts_no_option_or_tier(monkeypatch):
    """'--strategic-authority,--sa' was cut to '--strategic-authority…' (hiding --sa, which the
    examples use), and the squeezed help column cut 'greater_london_author…'."""
    monkeypatch.setenv("COLUMNS", "80")
    result = runner.invoke(app, ["places", "list", "--help"], terminal_width=80)
    assert result.exit_code == 0
    assert "…" not in result.output
    assert "--strategic-authority,--sa" in result.output and "greater_london_authority" in result.output
