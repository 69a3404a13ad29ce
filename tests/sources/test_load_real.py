"""Loading every file in ../shared/data, checked against figures in the data README and the
official releases it cites."""

from __future__ import annotations

import pandas as pd
import pytest

from devolution.sources import PUBLICATIONS


def value(store, measure, code, year):
    rows = store.observations(measure, years=[year])
    return rows.loc[rows["code"] == code, "value"].item()


def test_every_file_in_the_data_folder_belongs_to_a_loaded_publication(store, data_dir):
    known = {name for p in PUBLICATIONS for name in p.files}
    on_disk = {p.name for p in data_dir.iterdir() if p.is_file() and p.suffix in {".csv", ".geojson"}}
    assert on_disk <= known, f"files no publication reads: {sorted(on_disk - known)}"
    loaded = set(store.provenance()["file"])
    assert on_disk == loaded


def test_provenance_names_title_publisher_url_licence_and_checksum(store):
    prov = store.provenance()
    assert set(prov["publication"]) == {p.id for p in PUBLICATIONS}
    for column in ("title", "publisher", "url", "licence", "sha256"):
        assert prov[column].str.len().gt(0).all(), column
    assert prov["url"].str.startswith("https://").all()
    assert prov["sha256"].str.fullmatch("[0-9a-f]{64}").all()


def test_register_has_every_current_principal_council(store):
    places = store.places()
    current = places[places["current"]]
    counts = current["tier"].value_counts()
    # README sanity check: 21 CTY + 164 NMD + 63 UA + 36 MD + 32 LB + 1 CC = 317 principal councils.
    # Barnsley and Sheffield have 2025 codes alongside their old ones (ended 31 March 2025).
    assert counts["county"] == 21
    assert counts["shire_district"] == 164
    assert counts["unitary"] == 63
    assert counts["metropolitan_district"] == 36
    assert counts["london_borough"] == 32
    assert counts["city_of_london"] == 1
    assert counts["region"] == 9
    assert counts["england"] == 1
    assert places["code"].is_unique


def test_population_england_and_districts(store):
    # ONS MYE June 2023: England 56,554,891 (mid-2021) and 57,690,323 (mid-2023).
    assert value(store, "population", "E92000001", 2021) == 56_554_891
    assert value(store, "population", "E92000001", 2023) == 57_690_323
    pop = store.observations("population", years=[2023])
    places = store.places().set_index("code")
    lower = pop[pop["code"].map(places["tier"]).isin(
        ["shire_district", "unitary", "metropolitan_district", "london_borough", "city_of_london"])]
    assert len(lower) == 296
    assert lower["value"].sum() == 57_690_323


def test_money_is_held_in_pounds(store, data_dir):
    # CSP file is £ million: England SFA 2015-16 = £21.25bn (README sanity check), of which the
    # fire and rescue authorities (E31, outside the register) are set aside.
    raw = pd.read_csv(data_dir / "core_spending_power_components_2015_16_to_2020_21.csv")
    raw = raw[raw["financial_year"] == "2015-16"]
    assert raw["sfa"].sum() / 1e3 == pytest.approx(21.25, abs=0.01)
    sfa = store.observations("csp_settlement_funding_assessment", years=[2015])
    fire = raw.loc[raw["ons_code"].str.startswith("E31"), "sfa"].sum()
    assert sfa["value"].sum() == pytest.approx((raw["sfa"].sum() - fire) * 1e6, rel=1e-12)
    # Revenue outturn is £ thousand: Bath and North East Somerset education 2010-11, read straight from the CSV.
    assert value(store, "nce_education", "E06000022", 2010) == 146_939_000.0


def test_council_tax_and_taxbase(store, data_dir):
    # England dwellings 2022 = 25,225,481 (Council Taxbase 2022 England row).
    dwellings = store.observations("dwellings_total", years=[2022])
    assert dwellings["value"].sum() == 25_225_481
    # Tax-base-weighted mean of band_d_area_total reproduces England's average Band D, £2,065 in 2023-24.
    band_d = store.observations(["band_d_area_total", "tax_base"], years=[2023]).pivot(
        index="code", columns="measure", values="value").dropna()
    average = (band_d["band_d_area_total"] * band_d["tax_base"]).sum() / band_d["tax_base"].sum()
    assert round(average) == 2065
    # Collection rates come as percent to 2018-19 and as a fraction after; held as a fraction.
    # (Councils in the year before they were created carry a published 0.)
    rates = store.observations("collection_rate")["value"]
    assert rates[rates > 0].between(0.9, 1.0).all()
    assert (rates == 0).sum() == 7


def test_children_looked_after_england_2025(store):
    # DfE reporting year 2025 (to 31 March 2025) is held as 2024-25: 81,770 children, 67 per 10,000.
    assert value(store, "cla_31_march", "E92000001", 2024) == 81_770
    assert value(store, "cla_31_march_rate_per_10k", "E92000001", 2024) == 67


def test_known_corrections_are_applied(store):
    # North Yorkshire's 2017-18 outturn was filed under Northumberland's old code E10000022.
    ny = store.observations("nce_total_service_expenditure", years=[2017])
    assert "E10000022" not in set(ny["code"])
    assert "E10000023" in set(ny["code"])
    # The GLA's CSP rows had "-" for a code.
    assert value(store, "csp_settlement_funding_assessment", "E61000001", 2015) == pytest.approx(1163.492665e6)


def test_other_tables(store):
    cra = store.table("cra")
    assert set(cra["vintage"]) == {2014, 2018}
    boundaries = store.table("boundaries")
    assert len(boundaries) == 296
    lsoa = store.table("imd2025_lsoa")
    assert len(lsoa) == 33_755
    assert isinstance(store.table("lookup_ltla_utla"), pd.DataFrame)
