"""MHCLG's own workbooks (OpenDocument) read in their layout: CTR table 9 (council tax levels
2023-24), RSX data by LA (revenue outturn 2024-25) and the Council Taxbase 2022 data.

The tidy CSVs in the data folder were made from these very files, so the values must agree
exactly (no tolerance): both sides are the same binary floats, written and re-read as text.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from devolution.errors import DataError
from devolution.sources import council_tax, revenue_outturn
from devolution.sources.base import MISSING_MARKERS, Context
from devolution.sources.text import read_csv
from devolution.sources.official_layouts import (CTR_COLUMNS, CTR_WORKBOOK, RSX_WORKBOOK, TAXBASE_COLUMNS,
                                                 TAXBASE_WORKBOOK, read_ctr_workbook, read_rsx_workbook,
                                                 read_taxbase_workbook)
from devolution.store import Store
from tests.conftest import with_register

#: official file name -> the copy kept in the data folder's originals/
ORIGINALS = {
    CTR_WORKBOOK: "mhclg_council_tax_levels_la_data_2023-24.ods",
    RSX_WORKBOOK: "mhclg_RSX_LA_Data_2024-25_data_by_LA.ods",
    TAXBASE_WORKBOOK: "mhclg_council_taxbase_la_data_2022.ods",
}


def original(data_dir: Path, name: str) -> Path:
    path = data_dir / "originals" / ORIGINALS[name]
    assert path.is_file(), f"the original workbook {path} is missing from the data folder"
    return path


@pytest.fixture(scope="module")
def ctr(data_dir) -> pd.DataFrame:
    return read_ctr_workbook(original(data_dir, CTR_WORKBOOK))


@pytest.fixture(scope="module")
def rsx(data_dir) -> pd.DataFrame:
    return read_rsx_workbook(original(data_dir, RSX_WORKBOOK))


@pytest.fixture(scope="module")
def taxbase(data_dir) -> pd.DataFrame:
    return read_taxbase_workbook(original(data_dir, TAXBASE_WORKBOOK))


def as_numbers(column: pd.Series) -> np.ndarray:
    text = column.astype("string").str.strip()
    return pd.to_numeric(text.mask(text.isin(MISSING_MARKERS)), errors="raise").to_numpy(dtype=float)


def assert_same(official: pd.DataFrame, tidy: pd.DataFrame, keys: list[str], values: list[str],
                texts: list[str]) -> None:
    """Every authority in both, and every value equal (numbers exactly, NaN = blank/marker)."""
    merged = tidy.merge(official, on=keys, how="outer", suffixes=("_csv", "_ods"), indicator=True,
                        validate="one_to_one")
    assert (merged["_merge"] == "both").all(), merged.loc[merged["_merge"] != "both", keys]
    for column in values:
        a, b = as_numbers(merged[f"{column}_csv"]), as_numbers(merged[f"{column}_ods"])
        same = (a == b) | (np.isnan(a) & np.isnan(b))
        assert same.all(), (column, merged.loc[~same, keys].head())
    for column in texts:
        assert merged[f"{column}_csv"].fillna("").tolist() == merged[f"{column}_ods"].fillna("").tolist(), column


# ------------------------------------------------------------------ the official values equal the tidy CSV's


def test_ctr_table_9_equals_the_tidy_levels_for_2023_24(ctr, data_dir):
    tidy = read_csv(data_dir / council_tax.LEVELS_FILE, CTR_COLUMNS)
    tidy = tidy[tidy["year"] == "2023-24"]
    assert list(ctr.columns) == CTR_COLUMNS
    assert ctr["section"].value_counts().to_dict() == {"billing": 296, "precepting": 96}
    assert_same(ctr, tidy, ["year", "section", "ecode"], CTR_COLUMNS[6:], ["ons_code", "authority", "la_class"])
    york = ctr[ctr["ons_code"] == "E06000014"].iloc[0]
    assert (york["band_d_incl_parish"], york["band_d_area_total"]) == ("1583.93", "1959.63")


def test_rsx_workbook_equals_the_tidy_rsx_for_2024_25(rsx, data_dir):
    tidy = read_csv(data_dir / revenue_outturn.RSX_FILE, ["year", "ecode", "ons_code", "authority", "la_class"], unread=None)
    tidy = tidy[tidy["year"] == "2024-25"]
    lines = [c for c in tidy.columns if c.startswith("RSX-")]
    assert [c for c in rsx.columns if c.startswith("RSX-")] == lines and len(lines) == 98  # 14 services x C1..C7
    # The tidy CSV also took the GLA's row from the sheet's second table (class totals), so it has
    # the GLA twice with the same values; the reader takes each body once, from the first table.
    repeated = tidy[tidy.duplicated(["ecode"], keep="first")]
    assert repeated["ecode"].tolist() == ["E5100"]
    assert len(rsx) == 410 and rsx["ecode"].is_unique
    assert_same(rsx, tidy.drop(index=repeated.index), ["year", "ecode"], lines,
                ["ons_code", "authority", "la_class"])
    adur = rsx[rsx["ons_code"] == "E07000223"].iloc[0]
    assert (adur["RSX-trans-empl"], adur["RSX-trans-run-exp"]) == ("166", "326")


def test_taxbase_workbook_equals_the_tidy_dwellings_for_2022(taxbase, data_dir):
    tidy = read_csv(data_dir / council_tax.TAXBASE_FILE, TAXBASE_COLUMNS)
    tidy = tidy[tidy["year"] == "2022"]
    assert list(taxbase.columns) == TAXBASE_COLUMNS and len(taxbase) == 309
    assert_same(taxbase, tidy, ["year", "ecode"], TAXBASE_COLUMNS[4:], ["ons_code", "authority"])
    assert as_numbers(taxbase["dwellings_total"]).sum() == 25_225_481  # the workbook's England row
    bands = np.column_stack([as_numbers(taxbase[f"dwellings_band_{b}"]) for b in "ABCDEFGH"])
    assert (bands.sum(axis=1) == as_numbers(taxbase["dwellings_total"])).all()


# ------------------------------------------------------------------ the parsers, with the workbook as stand-in


def observations(parsed) -> pd.DataFrame:
    return parsed.observations.sort_values(["code", "year", "measure"]).reset_index(drop=True)


@pytest.mark.parametrize("publication, tidy, official, year", [
    ("mhclg_council_tax_levels", council_tax.LEVELS_FILE, CTR_WORKBOOK, 2023),
    ("mhclg_council_taxbase", council_tax.TAXBASE_FILE, TAXBASE_WORKBOOK, 2022),
])
def test_parser_reads_the_workbook_alone_like_the_tidy_csv(publication, tidy, official, year, data_dir, tmp_path):
    item = next(p for p in council_tax.PUBLICATIONS if p.id == publication)
    shutil.copy(original(data_dir, official), tmp_path / official)
    assert item.missing({official}) == [] and item.missing(set()) == [tidy]
    context = Context(known_codes=frozenset(read_csv(data_dir / "la_register_england.csv", ["gss_code"], unread=None)["gss_code"]))
    from_book = observations(item.parse({official: tmp_path / official}, context))
    from_csv = observations(item.parse({tidy: data_dir / tidy}, context))
    from_csv = from_csv[from_csv["year"] == year].reset_index(drop=True)
    assert set(from_book["year"]) == {year} and len(from_book) > 1000
    pd.testing.assert_frame_equal(from_book, from_csv)


def test_parse_rsx_reads_the_workbook_alone_like_the_tidy_csv(data_dir, tmp_path):
    shutil.copy(original(data_dir, RSX_WORKBOOK), tmp_path / RSX_WORKBOOK)
    item = next(p for p in revenue_outturn.PUBLICATIONS if p.id == "mhclg_revenue_outturn_rsx")
    assert item.missing({RSX_WORKBOOK}) == []
    keys = ["ecode", "ons_code", "line"]
    book = item.parse({RSX_WORKBOOK: tmp_path / RSX_WORKBOOK}, Context()).tables["revenue_outturn_rsx"]
    csv = item.parse({revenue_outturn.RSX_FILE: data_dir / revenue_outturn.RSX_FILE}, Context()).tables[
        "revenue_outturn_rsx"]
    csv = csv[csv["year"] == 2024].drop_duplicates()  # the tidy CSV holds the GLA twice (see above)
    a = book.sort_values(keys).reset_index(drop=True)
    b = csv.sort_values(keys).reset_index(drop=True)
    assert len(a) == 410 * 98
    pd.testing.assert_frame_equal(a, b)
    total = a.loc[a["line"] == "RSX-totsx-net-cur-exp", "value"]
    assert total.notna().sum() > 300  # net current expenditure in pounds for most bodies


def test_workbook_replaces_its_year_of_the_tidy_csv(data_dir, tmp_path):
    shutil.copy(original(data_dir, TAXBASE_WORKBOOK), tmp_path / TAXBASE_WORKBOOK)
    parsed = council_tax.parse_taxbase({council_tax.TAXBASE_FILE: data_dir / council_tax.TAXBASE_FILE,
                                        TAXBASE_WORKBOOK: tmp_path / TAXBASE_WORKBOOK}, Context())
    alone = council_tax.parse_taxbase({council_tax.TAXBASE_FILE: data_dir / council_tax.TAXBASE_FILE}, Context())
    pd.testing.assert_frame_equal(observations(parsed), observations(alone))  # same data, 2022 from the workbook
    assert sorted(parsed.observations["year"].unique()) == [*range(2010, 2020), 2022]


def test_store_loads_a_folder_with_the_official_workbooks_only(data_dir, tmp_path):
    folder = tmp_path / "official"
    folder.mkdir()
    with_register(data_dir, folder, link=False)
    for name in ORIGINALS:
        shutil.copy(original(data_dir, name), folder / name)
    with Store(tmp_path / "store.duckdb") as store:
        report = store.load(folder)
        band_d = store.query("SELECT value FROM observations WHERE code = 'E06000014' AND year = 2023 "
                             "AND measure = 'band_d_area_total'")["value"].tolist()
        dwellings = store.query("SELECT sum(value) AS v FROM observations WHERE year = 2022 "
                                "AND measure = 'dwellings_total' AND code LIKE 'E0%'")["v"].item()
        rsx = store.query("SELECT count(*) AS n FROM revenue_outturn_rsx")["n"].item()
    assert "mhclg_council_tax_levels" not in report.absent and "mhclg_council_taxbase" not in report.absent
    assert {"mhclg_council_tax_levels", "mhclg_council_taxbase", "mhclg_revenue_outturn_rsx"} <= set(report.loaded)
    assert band_d == [1959.63]
    assert dwellings == 25_225_481
    assert rsx == 410 * 98


# ------------------------------------------------------------------ malformed workbooks are refused by name


def write_sheets(path: Path, sheets: dict[str, pd.DataFrame]) -> Path:
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        for name, raw in sheets.items():
            raw.to_excel(writer, sheet_name=name, header=False, index=False)
    return path


def raw_sheet(path: Path, sheet: str, rows: int) -> pd.DataFrame:
    return pd.read_excel(path, engine="calamine", sheet_name=sheet, header=None, dtype=object).iloc[:rows]


def test_ctr_sheet_missing_a_line_is_refused_naming_file_sheet_row_and_column(data_dir, tmp_path):
    source = original(data_dir, CTR_WORKBOOK)
    billing = raw_sheet(source, "Data_Billing", 12)
    line_8 = [j for j, h in enumerate(billing.iloc[4]) if str(h).startswith("8.") and "current" in str(h)]
    billing = billing.drop(columns=line_8)
    path = write_sheets(tmp_path / "ctr.xlsx", {"Data_Billing": billing,
                                                "Data_Precepting": raw_sheet(source, "Data_Precepting", 12)})
    with pytest.raises(DataError) as caught:
        read_ctr_workbook(path)
    error = caught.value
    assert error.file == "ctr.xlsx" and error.row == 5 and error.column == "8. ... (current year)"
    assert "sheet Data_Billing" in str(error) and "band_d_incl_parish" in str(error)


def test_rsx_sheet_missing_ons_code_is_refused(data_dir, tmp_path):
    raw = pd.read_excel(original(data_dir, RSX_WORKBOOK), engine="calamine", sheet_name="RSX_LA_Data_202425",
                        header=None, dtype=object)
    raw = pd.concat([raw.iloc[:10], raw.iloc[[430]]]).drop(columns=[1])
    path = write_sheets(tmp_path / "rsx.xlsx", {"RSX_LA_Data_202425": raw})
    with pytest.raises(DataError, match=r"file rsx.xlsx, row 7, column 'ONS Code': sheet RSX_LA_Data_202425: "
                                        r"missing column 'ONS Code'"):
        read_rsx_workbook(path)


def test_taxbase_sheet_missing_band_h_is_refused(data_dir, tmp_path):
    raw = raw_sheet(original(data_dir, TAXBASE_WORKBOOK), "Council_Taxbase_Data", 10).drop(columns=[12])
    path = write_sheets(tmp_path / "ctb.xlsx", {"Council_Taxbase_Data": raw})
    with pytest.raises(DataError) as caught:
        read_taxbase_workbook(path)
    assert (caught.value.file, caught.value.row, caught.value.column) == ("ctb.xlsx", 6, "Band H")
    assert "Council_Taxbase_Data" in str(caught.value)


def test_a_value_that_is_not_a_number_is_refused_at_its_sheet_row(data_dir, tmp_path):
    raw = raw_sheet(original(data_dir, TAXBASE_WORKBOOK), "Council_Taxbase_Data", 10)
    raw.iloc[8, 7] = "lots"  # sheet row 9: the third authority's band C
    path = write_sheets(tmp_path / "ctb.xlsx", {"Council_Taxbase_Data": raw})
    with pytest.raises(DataError) as caught:
        read_taxbase_workbook(path)
    assert (caught.value.row, caught.value.column) == (9, "Band C") and "'lots' is not a number" in str(caught.value)


def test_missing_sheet_and_non_workbook_are_refused(tmp_path):
    path = write_sheets(tmp_path / "other.xlsx", {"Sheet1": pd.DataFrame([["x"]])})
    with pytest.raises(DataError, match=r"file other.xlsx: no sheet 'Data_Billing'.*sheets: Sheet1"):
        read_ctr_workbook(path)
    bad = tmp_path / RSX_WORKBOOK
    bad.write_bytes(b"<html>moved</html>")
    with pytest.raises(DataError, match=r"file RSX_LA_Data_2024-25_data_by_LA.ods: cannot be read as a workbook"):
        read_rsx_workbook(bad)
