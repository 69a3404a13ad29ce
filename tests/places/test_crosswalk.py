from __future__ import annotations

import pandas as pd
import pytest

from devolution.errors import PlaceError
from devolution.places.crosswalk import DRIVERS, crosswalk, to_boundaries
from devolution.places.register import in_force


def small_register() -> pd.DataFrame:
    """A county with three districts; in 2020 two districts merge, in 2021 the county splits.
    End dates are last days (the register's convention)."""
    rows = [
        ("C", "county", None, None, "2021-03-31", False, "U1;U2"),
        ("D1", "shire_district", "C", None, "2020-03-31", False, "D12"),
        ("D2", "shire_district", "C", None, "2020-03-31", False, "D12"),
        ("D3", "shire_district", "C", None, "2021-03-31", False, "U2"),
        ("D12", "shire_district", "C", "2020-04-01", "2021-03-31", False, "U1"),
        ("U1", "unitary", None, "2021-04-01", None, True, None),
        ("U2", "unitary", None, "2021-04-01", None, True, None),
    ]
    return pd.DataFrame(rows, columns=["code", "tier", "county_code", "start_date", "end_date", "current",
                                       "replaced_by"])


def test_merged_districts_map_whole_and_a_split_county_is_shared_by_its_districts():
    driver = pd.DataFrame({"code": ["D1", "D2", "D3"], "year": 2019, "measure": "population",
                           "value": [100.0, 200.0, 100.0]})
    walk = crosswalk(small_register(), 2021, driver).set_index(["from_code", "to_code"])["weight"]
    assert walk[("D1", "U1")] == 1.0 and walk[("D12", "U1")] == 1.0 and walk[("D3", "U2")] == 1.0
    # The county's area: D1 + D2 (300 people) went to U1, D3 (100) to U2.
    assert walk[("C", "U1")] == pytest.approx(0.75)
    assert walk[("C", "U2")] == pytest.approx(0.25)


def test_moving_keeps_totals_and_refuses_places_that_did_not_exist_yet():
    driver = pd.DataFrame({"code": ["D1", "D2", "D3"], "year": 2019, "measure": "population",
                           "value": [100.0, 200.0, 100.0]})
    places = small_register()
    series = pd.DataFrame({"code": ["C", "D1", "D2", "D3"], "year": 2019, "value": [40.0, 1.0, 2.0, 3.0]})
    moved = to_boundaries(series, crosswalk(places, 2021, driver)).set_index("code")["value"]
    assert moved.sum() == series["value"].sum()
    assert moved["U1"] == 30.0 + 3.0 and moved["U2"] == 10.0 + 3.0
    with pytest.raises(PlaceError, match="no crosswalk for U1"):
        to_boundaries(pd.DataFrame({"code": ["U1"], "year": [2021], "value": [1.0]}),
                      crosswalk(places, 2019, driver))


def test_a_split_with_no_driver_is_refused():
    with pytest.raises(PlaceError, match="cannot share C"):
        crosswalk(small_register(), 2021, None)


@pytest.fixture(scope="module")
def walks(loaded_store_path):
    from devolution.store import Store

    with Store(loaded_store_path, read_only=True) as store:
        places = store.places()
        driver = store.observations(list(DRIVERS))
        return places, {year: crosswalk(places, year, driver) for year in (2019, 2020, 2021, 2023, 2025)}


def test_every_place_maps_onto_places_in_force_with_weights_summing_to_one(walks):
    places, by_year = walks
    for year, walk in by_year.items():
        assert walk.groupby("from_code")["weight"].sum().round(12).eq(1).all(), year
        alive = set(places.loc[in_force(places, year), "code"])
        assert set(walk["to_code"]) <= alive, year


def test_real_reorganisations(walks):
    _, by_year = walks
    walk = by_year[2023].set_index(["from_code", "to_code"])["weight"]
    assert walk[("E07000004", "E06000060")] == 1.0        # Aylesbury Vale -> Buckinghamshire
    assert walk[("E07000190", "E06000066")] == 1.0        # Taunton Deane -> SW&T (2019) -> Somerset (2023)
    assert walk[("E08000020", "E08000037")] == 1.0        # Gateshead's old code
    cumbria = by_year[2023].query("from_code == 'E10000006'").set_index("to_code")["weight"]
    assert set(cumbria.index) == {"E06000063", "E06000064"}  # Cumberland, Westmorland and Furness
    dorset = by_year[2019].query("from_code == 'E10000009'").set_index("to_code")["weight"]
    assert set(dorset.index) == {"E06000058", "E06000059"}  # Christchurch went to BCP
    assert dorset["E06000058"] == pytest.approx(0.12, abs=0.01)  # its share of the county's dwellings


def test_population_totals_are_preserved_on_new_boundaries(store, walks):
    """DfE's children 0-17 series runs on each year's councils (Northamptonshire to 2020, Cumbria
    to 2022...); on 2023 boundaries England's total is unchanged every year."""
    _, by_year = walks
    children = store.observations("children_0_17_dfe")[["code", "year", "value"]]
    councils = children[children["code"].str[:3].isin(["E06", "E08", "E09", "E10"])]
    moved = to_boundaries(councils, by_year[2023])
    before = councils.groupby("year")["value"].sum()
    after = moved.groupby("year")["value"].sum()
    pd.testing.assert_series_equal(before, after, rtol=1e-12, atol=0)
    # From 2018 the file has every council (before, it lacks Bournemouth, Poole and Dorset), and
    # the councils then add up to DfE's England figure.
    england = children[children["code"] == "E92000001"].set_index("year")["value"]
    years = after.index[after.index >= 2018]
    pd.testing.assert_series_equal(after.loc[years], england.loc[years], check_names=False,
                                   check_index_type=False, rtol=1e-12)
    # Northamptonshire 2019 went to the two new unitaries; no old code is left.
    assert "E10000021" not in set(moved["code"])


def test_mid_year_population_onto_2025_boundaries(store, walks):
    """The ONS series moved onto 2025-26 boundaries (Barnsley and Sheffield's new codes): every
    year's England total of districts is kept exactly (whole-place moves only)."""
    _, by_year = walks
    pop = store.observations("population")[["code", "year", "value"]]
    lower = pop[pop["code"].str[:3].isin(["E06", "E07", "E08", "E09"])]
    moved = to_boundaries(lower, by_year[2025])
    assert (moved.groupby("year")["value"].sum() == lower.groupby("year")["value"].sum()).all()
    assert {"E08000038", "E08000039"} <= set(moved["code"])
    assert not {"E08000016", "E08000019"} & set(moved["code"])


def test_dwellings_of_the_old_districts_add_up_to_buckinghamshire(store, walks):
    _, by_year = walks
    dwellings = store.observations("dwellings_total", years=[2019])[["code", "year", "value"]]
    moved = to_boundaries(dwellings, by_year[2023]).set_index("code")["value"]
    old = dwellings.set_index("code")["value"]
    assert moved["E06000060"] == old[["E07000004", "E07000005", "E07000006", "E07000007"]].sum()
    assert moved.sum() == old.sum()


def test_series_on_earlier_boundaries_names_places_made_later(loaded_store_path):
    """Net current expenditure includes combined authorities made in 2024 (York and North
    Yorkshire, E47000012): on 2023-24 boundaries their rows are left out and named, and every
    other row is kept: in a place reported in full, or in a place and year shown as not in full."""
    import devolution
    from devolution.store import Store

    with Store(loaded_store_path, read_only=True) as store:
        moved = devolution.series("nce_total_service_expenditure", boundaries=2023, wide=False, store=store)
        raw = store.observations("nce_total_service_expenditure")
        walk = devolution.crosswalk(2023, store=store)
    left = moved.attrs["not_on_boundaries"]
    assert "E47000012" in left
    kept = raw[~raw["code"].isin(left)]
    summed = to_boundaries(kept[["code", "year", "value"]], walk)
    assert summed["value"].sum() == pytest.approx(kept["value"].sum(), rel=1e-12)
    both = moved.merge(summed, on=["code", "year"], suffixes=("", "_summed"))
    shown = both["value"].notna()
    assert both.loc[shown, "value"].to_numpy() == pytest.approx(both.loc[shown, "value_summed"].to_numpy(), rel=1e-12)
    gaps = moved.attrs["not_in_full"]
    assert set(zip(both.loc[~shown, "year"], both.loc[~shown, "code"])) <= set(zip(gaps["year"], gaps["code"]))


def test_a_place_on_later_boundaries_with_a_piece_not_reported_is_missing_not_summed(store):
    """Copeland published no 2017-18 outturn, Eden and South Lakeland none for 2022-23: Cumberland
    2017 and Westmorland and Furness 2022 are not reported in full, so missing, never a sum with £0."""
    from devolution import api

    wide = api.series("nce_total_service_expenditure", boundaries=2023, store=store).set_index("code")
    assert pd.isna(wide.loc["E06000063", 2017]) and pd.isna(wide.loc["E06000064", 2022])
    assert wide.loc["E06000063", 2016] > 0 and wide.loc["E06000064", 2017] > 0
    gaps = wide.attrs["not_in_full"].set_index(["year", "code"])["missing"]
    assert gaps[(2017, "E06000063")] == "E07000029" and gaps[(2022, "E06000064")] == "E07000030, E07000031"
