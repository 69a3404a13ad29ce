"""`devo settlement`: real data without inputs, made-up inputs with --set, refusals."""

import pytest
from typer.testing import CliRunner

from devolution.cli import app

runner = CliRunner()


@pytest.fixture()
def env(loaded_store_path, monkeypatch):
    monkeypatch.setenv("DEVOLUTION_STORE", str(loaded_store_path))


def test_shows_sfa_and_outturn_for_2017(env):
    result = runner.invoke(app, ["settlement", "--year", "2017-18", "--format", "csv"])
    assert result.exit_code == 0, result.output
    assert "E08000025" in result.output and "bfl_implied" in result.output


def test_full_local_share_on_inputs(env, tmp_path):
    csv = tmp_path / "in.csv"
    csv.write_text("code,business_rates_baseline,baseline_funding_level,non_domestic_rating_income,tier_share\n"
                   "E06000001,100,60,220,1\nE06000002,20,80,40,1\n")
    result = runner.invoke(app, ["settlement", "--year", "2015", "--inputs", str(csv), "--set",
                                 "business_rates.local_share=1.0", "--format", "csv"])
    assert result.exit_code == 0, result.output
    rows = result.output.strip().splitlines()
    assert rows[1].split(",")[:4] == ["E06000001", "80.0", "10.0", "0.0"]  # retained 80, levy 10 (capped 0.5)
    assert rows[1].split(",")[-1] == "4.0"  # kept 10 vs 6 at 50%


def test_unknown_parameter_path_refused_with_the_path(env):
    result = runner.invoke(app, ["settlement", "--year", "2017", "--set", "business_rates.locl_share=1"])
    assert result.exit_code == 1 and "business_rates.locl_share" in result.output


def test_missing_input_column_named(env, tmp_path):
    csv = tmp_path / "in.csv"
    csv.write_text("code,business_rates_baseline\nA,1\n")
    result = runner.invoke(app, ["settlement", "--year", "2015", "--inputs", str(csv)])
    assert result.exit_code == 1 and "baseline_funding_level" in result.output


def test_year_without_data_names_what_is_missing_what_is_held_and_how_to_supply_it(env):
    # The example: 2025-26 baselines are not in the shared data.
    result = runner.invoke(app, ["settlement", "--year", "2025", "--set", "business_rates.local_share=1.0"])
    assert result.exit_code == 1
    text = " ".join(result.output.split())
    assert "no settlement figures for 2025-26" in text
    assert "business rates baselines, baseline funding levels and non-domestic rating income" in text
    assert "SFA 2015-16 to 2020-21" in text  # the years the store holds, read from the store
    assert ("code, business_rates_baseline, baseline_funding_level, non_domestic_rating_income, tier_share[, pool]"
            in text)
    assert "--inputs FILE.csv --set business_rates.local_share=1.0" in text


def test_the_suggested_inputs_csv_runs_for_2025(env, tmp_path):
    csv = tmp_path / "in.csv"
    csv.write_text("code,business_rates_baseline,baseline_funding_level,non_domestic_rating_income,tier_share\n"
                   "E06000001,100,60,200,1\n")
    result = runner.invoke(app, ["settlement", "--year", "2025", "--inputs", str(csv), "--set",
                                 "business_rates.local_share=1.0", "--format", "csv"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[1].startswith("E06000001,60.0,0.0,0.0")  # no growth: retains its BFL


HEADER = "code,business_rates_baseline,baseline_funding_level,non_domestic_rating_income,tier_share,pool\n"


@pytest.mark.parametrize("rows, row, column, says", [
    ("E06000001,100,60,200,1,\nE06000099,1,1,1,1,\n", 3, "code", "unknown authority code 'E06000099'"),
    ("Hartlepool,100,60,200,1,\n", 2, "code", "'Hartlepool' is not a GSS code: Hartlepool is E06000001"),
    ("E06000001,100,60,200,1,\nE06000001,5,5,5,1,\n", 3, "code", "duplicated (code=E06000001)"),
    ("E06000001,-100,60,200,1,\n", 2, "business_rates_baseline", "is negative"),
    ("E06000001,100,60,200,1,north\n", 2, "pool", "'north' is not a number"),
    ("E06000001,100,60,200,1,1.5\n", 2, "pool", "1.5 is not a pool number"),
    ("E06000001,100,60,200,1.4,\n", 2, "tier_share", "1.4 is not a share"),
    ("E06000001,100,,200,1,\n", 2, "baseline_funding_level", "no value"),
])
def test_inputs_are_checked_like_loaded_files_one_message_naming_file_row_and_column(env, tmp_path, rows, row,
                                                                                     column, says):
    csv = tmp_path / "in.csv"
    csv.write_text(HEADER + rows)
    result = runner.invoke(app, ["settlement", "--year", "2017", "--inputs", str(csv)])
    text = " ".join(result.output.split())
    assert result.exit_code == 1 and "Traceback" not in text, text
    assert f"file {csv.name}, row {row}, column '{column}'" in text and says in text, text
