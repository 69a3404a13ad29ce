"""`devo data load` refusing damaged folders as a user sees it: one line, exit 1, the file's own
text shown as written (issue #21)."""

from __future__ import annotations

import pandas as pd
import pytest
from typer.testing import CliRunner

from devolution.cli import app
from devolution.cli.common import Format, show
from tests.conftest import with_register

runner = CliRunner()
REGISTER = "la_register_england.csv"
POPULATION = "population_mye_2011_2023_lad_county_region.csv"
HEADER = "gss_code,name,geography,year,population\n"
TWO_YEARS = ("E06000001,Hartlepool,Unitary Authority,2022,93847\n"
             "E06000001,Hartlepool,Unitary Authority,2023,95366\n")


@pytest.fixture()
def folder(tmp_path, data_dir, monkeypatch):
    """A folder with the register, loading into a new store of its own."""
    monkeypatch.setenv("DEVOLUTION_STORE", str(tmp_path / "store.duckdb"))
    monkeypatch.setenv("COLUMNS", "300")
    path = tmp_path / "data"
    path.mkdir()
    with_register(data_dir, path)
    return path


def one_error_line(result) -> str:
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.output
    return lines[0]


def test_an_error_quoting_brackets_shows_them(folder):
    """Rich read "[x]" as markup and printed "missing-value marker such as )"."""
    (folder / POPULATION).write_text(HEADER + "E06000001,Hartlepool,Unitary Authority,2023,[lots]\n")
    line = one_error_line(runner.invoke(app, ["data", "load", str(folder)]))
    assert "'[lots]' is not a number, blank or a missing-value marker such as [x]" in line


def test_a_symbolic_link_loop_is_an_error_not_an_absent_publication(folder):
    (folder / POPULATION).symlink_to(folder / "loop.csv")
    (folder / "loop.csv").symlink_to(folder / POPULATION)
    line = one_error_line(runner.invoke(app, ["data", "load", str(folder)]))
    assert f"file {POPULATION}: is a symbolic link" in line and "loops" in line


def test_a_real_shrink_is_refused_then_allowed_by_name(folder):
    (folder / POPULATION).write_text(HEADER + TWO_YEARS)
    assert runner.invoke(app, ["data", "load", str(folder)]).exit_code == 0
    (folder / POPULATION).write_text(HEADER + TWO_YEARS.splitlines(keepends=True)[1])
    line = one_error_line(runner.invoke(app, ["data", "load", str(folder)]))
    assert "the file gives 1 rows for 1 places, the store holds 2 rows for 1 places" in line
    assert f"devo data load {folder} --allow-shrink ons_mye_population" in line

    result = runner.invoke(app, ["data", "load", str(folder), "--allow-shrink", "ons_mye_population"])
    assert result.exit_code == 0, result.output
    assert "ons_mye_population: 1 rows" in result.output


def test_an_unknown_publication_to_allow_shrinking_is_refused(folder):
    (folder / POPULATION).write_text(HEADER + TWO_YEARS)
    line = one_error_line(runner.invoke(app, ["data", "load", str(folder), "--allow-shrink", "ons_mye"]))
    assert "--allow-shrink ons_mye: not a publication loaded from" in line


def test_table_cells_in_brackets_are_shown_as_written(capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "120")
    show(pd.DataFrame({"[note]": ["[x]", "[bold]b[/bold]"]}), Format.table, title="[z] markers")
    out = capsys.readouterr().out
    assert "[note]" in out and "[x]" in out and "[bold]b[/bold]" in out and "[z] markers" in out
