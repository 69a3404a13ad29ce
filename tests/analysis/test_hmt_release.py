"""Real terms from HM Treasury's own release file: its financial-year table is found and read.

The workbooks here are written by the test in the release's layout, with made-up index values
(labelled TEST below). A user's release given with --deflators replaces the packaged series
(March 2026 release) for every year, so these made-up values, not the packaged ones, are used.
"""

from __future__ import annotations

import pytest
from openpyxl import Workbook
from typer.testing import CliRunner

from devolution.analysis.prices import deflator_index, read_hmt_release, with_deflators
from devolution.cli import app
from devolution.errors import ParameterError

TEST = {"2010-11": 70.0, "2011-12": 71.0, "2012-13": 72.5, "2013-14": 74.0, "2014-15": 75.0,
        "2015-16": 76.0, "2016-17": 77.5, "2017-18": 79.0, "2024-25": 100.0, "2025-26": 103.1}


def release(path, table=TEST):
    """A workbook shaped like the release: title and notes, a calendar-year table, then the
    financial-year table (label in column B, index in column C)."""
    book = Workbook()
    sheet = book.active
    sheet.title = "GDP Deflators"
    sheet.append(["GDP deflators at market prices, and money GDP (TEST VALUES)"])
    sheet.append([])
    sheet.append([None, "Calendar year", "GDP deflator", "per cent change"])
    for year in range(2010, 2016):
        sheet.append([None, year, 60.0 + year - 2010, 1.0])
    sheet.append([])
    sheet.append([None, "Financial year", "GDP deflator (2024-25 = 100)", "per cent change", "Money GDP £m"])
    for label, value in table.items():
        sheet.append([None, label, value, 1.0, 2_000_000])
    sheet.append([None, "Source: HM Treasury (test copy)"])
    book.save(path)
    return path


def test_the_financial_year_table_is_read_and_the_calendar_table_ignored(tmp_path):
    spec = read_hmt_release(release(tmp_path / "GDP_Deflators_Qtrly_National_Accounts.xlsx"))
    assert spec["values"] == TEST
    tree = with_deflators(tmp_path / "GDP_Deflators_Qtrly_National_Accounts.xlsx")
    assert deflator_index("2017-18", tree) == 79.0
    assert deflator_index(2010, tree) == 70.0  # the file's value, not the packaged 68.8561
    with pytest.raises(ParameterError, match="no GDP deflator for 2018-19"):  # the file has no 2018-19
        deflator_index("2018-19", tree)


def test_a_file_without_a_financial_year_table_is_refused(tmp_path):
    book = Workbook()
    book.active.append(["nothing", "here"])
    book.save(tmp_path / "other.xlsx")
    with pytest.raises(ParameterError, match="no financial-year deflator table"):
        with_deflators(tmp_path / "other.xlsx")


def test_devo_change_in_real_terms_with_the_release(tmp_path, loaded_store_path, monkeypatch):
    monkeypatch.setenv("DEVOLUTION_STORE", str(loaded_store_path))
    path = release(tmp_path / "release.xlsx")
    runner = CliRunner()
    args = ["change", "nce_total_service_expenditure", "--from", "2010", "--to", "2017", "--format", "json",
            "--chart", str(tmp_path / "c.html")]
    cash = runner.invoke(app, args)
    real = runner.invoke(app, [*args, "--prices", "2024-25", "--deflators", str(path)])
    assert cash.exit_code == 0 and real.exit_code == 0, real.output
    import json

    cash_england = json.loads(cash.output)[-1]
    real_england = json.loads(real.output)[-1]
    expected = 100 * ((1 + cash_england["change_pct"] / 100) * TEST["2010-11"] / TEST["2017-18"] - 1)
    assert real_england["change_pct"] == pytest.approx(expected, abs=1e-9)
