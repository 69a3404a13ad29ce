"""Official-layout readers: the ONS MYE workbook and ONS lookups with upper-case field names."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest

from devolution.errors import DataError
from devolution.sources import population, register
from devolution.sources.base import Context
from devolution.sources.text import read_csv
from devolution.sources.official_layouts import (MYE_WORKBOOK, is_official_lookup, ons_column, read_lookup,
                                                 read_mye_workbook)

DATA = Path(os.environ.get("DEVOLUTION_DATA", "/work/shared/data"))
WORKBOOK = DATA / "originals" / "ons_mye23tablesew.xlsx"
LOWER_TIER = ("E06", "E07", "E08", "E09")

needs_workbook = pytest.mark.skipif(not WORKBOOK.is_file(), reason=f"no {WORKBOOK}")


@pytest.fixture(scope="module")
def mye() -> pd.DataFrame:
    return read_mye_workbook(WORKBOOK)


@needs_workbook
def test_mye_workbook_gives_the_tidy_layout(mye):
    assert list(mye.columns) == ["gss_code", "name", "geography", "year", "population"]
    assert sorted(mye["year"].unique()) == [str(y) for y in range(2011, 2024)]
    england = mye[(mye["gss_code"] == "E92000001") & (mye["year"] == "2023")]
    assert england["population"].tolist() == ["57690323"]
    assert england["name"].tolist() == ["ENGLAND"]


@needs_workbook
def test_mye_workbook_districts_sum_to_england(mye):
    y2023 = mye[mye["year"] == "2023"]
    districts = y2023[y2023["gss_code"].str[:3].isin(LOWER_TIER)]
    assert len(districts) == 296
    assert districts["population"].astype(int).sum() == 57_690_323


@needs_workbook
@pytest.mark.skipif(not (DATA / population.MYE_FILE).is_file(), reason="no tidy MYE CSV")
def test_mye_workbook_matches_the_tidy_csv(mye):
    tidy = read_csv(DATA / population.MYE_FILE, ["gss_code", "year", "population"], unread=None)
    merged = tidy.merge(mye, on=["gss_code", "year"], how="outer", suffixes=("_csv", "_xlsx"),
                        indicator=True)
    assert (merged["_merge"] == "both").all()
    assert (merged["population_csv"] == merged["population_xlsx"]).all()


@needs_workbook
def test_parse_mye_reads_the_workbook_when_present(tmp_path):
    (tmp_path / MYE_WORKBOOK).write_bytes(WORKBOOK.read_bytes())
    parsed = population.parse_mye({MYE_WORKBOOK: tmp_path / MYE_WORKBOOK}, Context())
    obs = parsed.observations
    assert obs.loc[(obs["code"] == "E92000001") & (obs["year"] == 2023), "value"].item() == 57_690_323
    assert parsed.skipped > 0  # Wales and K04 (England and Wales) set aside


def test_mye_reader_refuses_a_file_that_is_not_a_workbook(tmp_path):
    path = tmp_path / MYE_WORKBOOK
    path.write_bytes(b"<html>not found</html>")
    with pytest.raises(DataError, match="mye23tablesew.xlsx"):
        read_mye_workbook(path)


def test_ons_column_names():
    assert ons_column("LAD24CD") == "ltla24_code"
    assert ons_column("\ufeffLAD24NM") == "ltla24_name"
    assert ons_column("RGN24CD") == "region24_code"
    assert ons_column("CAUTH23NM") == "cauth23_name"
    assert ons_column("LTLA23CD") == "ltla23_code"
    assert ons_column("UTLA23NM") == "utla23_name"
    assert ons_column("ObjectId") == "ObjectId"
    assert is_official_lookup(["LAD24CD", "ObjectId"]) and not is_official_lookup(["ltla24_code"])


def official_region_csv(path: Path, tidy: pd.DataFrame) -> None:
    """Write a lookup as the ONS portal exports it: BOM, upper-case fields, ObjectId."""
    frame = pd.DataFrame({"LAD24CD": tidy["ltla24_code"], "LAD24NM": tidy["ltla24_name"],
                          "RGN24CD": tidy["region24_code"], "RGN24NM": tidy["region24_name"],
                          "ObjectId": range(1, len(tidy) + 1)})
    frame.to_csv(path, index=False, encoding="utf-8-sig")


@pytest.mark.skipif(not (DATA / register.REGIONS_FILE).is_file(), reason="no region lookup")
def test_region_lookup_in_official_layout_parses_like_ours(tmp_path):
    tidy = read_csv(DATA / register.REGIONS_FILE, ["ltla24_code"], unread=None)
    official = tmp_path / register.REGIONS_FILE
    official_region_csv(official, tidy)
    ours = register.parse_regions({register.REGIONS_FILE: DATA / register.REGIONS_FILE}, Context())
    theirs = register.parse_regions({register.REGIONS_FILE: official}, Context())
    columns = ["code", "name", "region_code", "region_name"]
    a = ours.tables["lookup_lad_region"][columns].sort_values("code").reset_index(drop=True)
    b = theirs.tables["lookup_lad_region"][columns].sort_values("code").reset_index(drop=True)
    pd.testing.assert_frame_equal(a, b)
    assert len(b) == 296


def test_official_lookup_missing_field_is_named(tmp_path):
    path = tmp_path / "lookup.csv"
    path.write_text("LAD24CD,LAD24NM,ObjectId\nE06000001,Hartlepool,1\n", encoding="utf-8-sig")
    with pytest.raises(DataError, match="region24_code \\(RGN24CD\\)"):
        read_lookup(path, ["ltla24_code", "ltla24_name", "region24_code", "region24_name"])


def test_ca_and_utla_lookups_accept_official_fields(tmp_path):
    from devolution.sources import lookups

    ca = tmp_path / lookups.CA_FILE
    ca.write_text("LAD23CD,LAD23NM,CAUTH23CD,CAUTH23NM,ObjectId\n"
                  "E08000001,Bolton,E47000001,Greater Manchester,1\n", encoding="utf-8-sig")
    table = lookups.parse_ca({lookups.CA_FILE: ca}, Context()).tables["lookup_lad_combined_authority"]
    assert table[["code", "combined_authority_code"]].values.tolist() == [["E08000001", "E47000001"]]
    utla = tmp_path / lookups.UTLA_FILE
    utla.write_text("LTLA23CD,LTLA23NM,UTLA23CD,UTLA23NM,ObjectId\n"
                    "E07000008,Cambridge,E10000003,Cambridgeshire,1\n", encoding="utf-8-sig")
    table = lookups.parse_utla({lookups.UTLA_FILE: utla}, Context()).tables["lookup_ltla_utla"]
    assert table[["code", "upper_tier_code"]].values.tolist() == [["E07000008", "E10000003"]]
