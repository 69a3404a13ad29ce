"""The RS 2015-16 / 2016-17 files and the age bands mid-2015 to mid-2021 (data README sections K and
L), checked against the figures the README gives and against the raw CSVs."""

from __future__ import annotations

import pandas as pd
import pytest

PRINCIPAL = ("L", "MD", "UA", "SC", "SD")


def current_codes(store, codes: pd.Series) -> pd.Series:
    """The file's codes as the store holds them: a council that goes on under a new code (Barnsley
    E08000016 -> E08000038, 2025) has its series under the new one."""
    places = store.places()
    moved = places[places["status"].eq("former_code")].set_index("code")["replaced_by"]
    return codes.map(lambda c: moved.get(c, c))


def observed(store, measure, year):
    rows = store.observations(measure, years=[year])
    return rows.set_index("code")["value"]


def test_outturn_runs_unbroken_from_2010_11_to_2017_18(store):
    for measure in ("nce_total_service_expenditure", "ro_revenue_support_grant", "ro_council_tax_requirement"):
        held = set(store.observations(measure)["year"])
        assert set(range(2010, 2018)) <= held, measure


@pytest.mark.parametrize(("year", "label", "rsg_bn", "retained_bn"), [(2015, "2015-16", 9.00, 10.49),
                                                                      (2016, "2016-17", 6.71, 10.43)])
def test_principal_council_totals_match_the_readme(store, data_dir, year, label, rsg_bn, retained_bn):
    # README K: "Principal councils only (L/MD/UA/SC/SD): RSG £9.00bn (2015-16) -> £6.71bn (2016-17);
    # retained rates £10.49bn -> £10.43bn" (income, so negative in the return).
    raw = pd.read_csv(data_dir / "revenue_outturn_RS_2015_16_and_2016_17.csv")
    raw = raw[(raw["financial_year"] == label) & raw["la_class"].isin(PRINCIPAL)]
    assert -raw["l851_revenue_support_grant"].sum() / 1e6 == pytest.approx(rsg_bn, abs=0.005)
    assert -raw["l870_retained_income_from_rate_retention_scheme"].sum() / 1e6 == pytest.approx(retained_bn, abs=0.005)
    # Every principal council's line in the store is the file's figure in pounds (non-returners,
    # such as the Isles of Scilly in 2016-17, are blank in the file and absent from the store).
    rsg = observed(store, "ro_revenue_support_grant", year)
    raw = raw.dropna(subset=["l851_revenue_support_grant"])
    assert len(raw) >= 352
    codes = current_codes(store, raw["gss_code"])
    assert codes.isin(rsg.index).all()
    assert rsg.reindex(codes).to_numpy() == pytest.approx(raw["l851_revenue_support_grant"].to_numpy() * 1e3, abs=0.01)


def test_key_lines_and_full_rs_agree_line_by_line(store, data_dir):
    """The two 2015-16/2016-17 files are one return read twice: the key lines held in the store equal
    the full RS columns they name, for every council and both years."""
    raw = pd.read_csv(data_dir / "revenue_outturn_RS_2015_16_and_2016_17.csv")
    raw = raw[raw["la_class"].isin(PRINCIPAL)]
    pairs = {"nce_education": "l190_education_services", "nce_public_health": "l390_public_health",
             "nce_total_service_expenditure": "l699_total_service_expenditure",
             "ro_council_tax_requirement": "l890_council_tax_requirement",
             "ro_retained_business_rates_income": "l870_retained_income_from_rate_retention_scheme"}
    for year, label in ((2015, "2015-16"), (2016, "2016-17")):
        rows = raw[raw["financial_year"] == label].dropna(subset=["l699_total_service_expenditure"])
        for measure, column in pairs.items():
            held = observed(store, measure, year).reindex(current_codes(store, rows["gss_code"])).to_numpy()
            assert held == pytest.approx(rows[column].to_numpy() * 1e3, abs=1.0), (measure, label)


def test_the_gla_is_held_under_its_own_code_not_londons(store):
    # The workbooks print E12000007 (London region) for the GLA; corrections.yaml restores E61000001.
    for year in (2014, 2015, 2016, 2017):
        tse = observed(store, "nce_highways_transport", year)
        assert "E61000001" in tse.index and "E12000007" not in tse.index
    assert "E12000007" not in set(store.observations("rs_specific_grants_inside_aef")["code"])


def test_rs_lines_not_in_the_key_lines_are_measures(store, data_dir):
    # LSSG line 803: Camden (E09000007) 2016-17, straight from the file, in pounds.
    raw = pd.read_csv(data_dir / "revenue_outturn_RS_2015_16_and_2016_17.csv")
    row = raw[(raw["gss_code"] == "E09000007") & (raw["financial_year"] == "2016-17")].iloc[0]
    lssg = observed(store, "rs_local_services_support_grant", 2016)["E09000007"]
    assert lssg == pytest.approx(row["l803_local_services_support_grant_lssg"] * 1e3)
    # Area Based Grant exists in 2010-11 only, council tax benefit 2010-11 to 2012-13.
    assert set(store.observations("rs_area_based_grant")["year"]) == {2010}
    assert set(store.observations("rs_council_tax_benefit")["year"]) == {2010, 2011, 2012}
    assert set(store.observations("rs_specific_grants_inside_aef")["year"]) == set(range(2010, 2018))


def test_age_bands_mid_2015_to_mid_2023_each_year_on_its_own_geography(store):
    older = store.observations("population_65_plus")
    assert set(older["year"]) == set(range(2015, 2024))
    # README L: Kent 2021: 0-17 336,209 and 65+ 321,314.
    assert observed(store, "population_0_17", 2021)["E10000016"] == 336_209
    assert observed(store, "population_65_plus", 2021)["E10000016"] == 321_314
    # Lower-tier counts in each year's own geography: 326 English LTLAs in 2015-2017, 317 in 2018,
    # 314 in 2019, 309 in 2020-21 (README L), each summing exactly to England.
    lower = older[older["code"].str[:3].isin(["E06", "E07", "E08", "E09"])]
    counts = lower.groupby("year")["code"].nunique()
    assert counts.loc[[2015, 2016, 2017, 2018, 2019, 2020, 2021]].tolist() == [326, 326, 326, 317, 314, 309, 309]
    england = older[older["code"] == "E92000001"].set_index("year")["value"]
    assert (lower.groupby("year")["value"].sum() == england.reindex(counts.index)).all()
    # Christchurch (E07000048, abolished 2019) has its own count in mid-2018 geography's predecessor years.
    christchurch = older[older["code"] == "E07000048"]
    assert set(christchurch["year"]) == {2015, 2016, 2017}
