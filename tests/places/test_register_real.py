"""The register on the real data: regions from ONS, one date convention, former councils, and
Barnsley and Sheffield under their 2025 codes (issue #15, "Places, codes and names")."""

from __future__ import annotations

import pandas as pd

from devolution.places import register, tiers

EAST_MIDLANDS, SOUTH_WEST = "E12000004", "E12000009"


def test_regions_are_onss_derbyshire_and_lincolnshire_in_the_east_midlands_bournemouth_in_the_south_west(store):
    # ONS, Local Authority District to Region (December 2024) Lookup in EN: Derbyshire's and
    # Lincolnshire's districts are all in the East Midlands; BCP (Bournemouth and Poole's successor)
    # in the South West.
    places = store.places().set_index("code")
    assert places.loc["E10000007", "region_code"] == EAST_MIDLANDS   # Derbyshire County
    assert places.loc["E10000019", "region_code"] == EAST_MIDLANDS   # Lincolnshire County
    assert places.loc["E06000028", "region_code"] == SOUTH_WEST      # Bournemouth (to 2019)
    assert places.loc["E06000029", "region_code"] == SOUTH_WEST      # Poole (to 2019)


def test_every_councils_region_is_its_ons_region_and_its_districts(store, data_dir):
    places = store.places()
    ons = pd.read_csv(data_dir / "ons_lookup_lad24_region_dec2024.csv", dtype=str)
    ons = dict(zip(ons["ltla24_code"], ons["region24_code"]))
    from devolution.places.crosswalk import code_changes

    former = {new: old for old, new in code_changes(places).items()}
    councils = places[places["tier"].isin(tiers.COUNCIL_TIERS) & places["current"]]
    lower = councils[councils["tier"] != "county"]
    expected = lower["code"].map(lambda c: ons.get(c, ons.get(former.get(c))))
    assert expected.notna().all() and (expected == lower["region_code"]).all()
    districts = places[places["county_code"].notna() & places["current"]]
    by_county = districts.groupby("county_code")["region_code"].agg(set)
    counties = councils[councils["tier"] == "county"].set_index("code")["region_code"]
    assert len(counties) == 21 and all(by_county[c] == {r} for c, r in counties.items())
    assert places.loc[places["tier"].isin(tiers.COUNCIL_TIERS), "region_code"].notna().all()


def test_an_abolished_council_ends_the_day_before_its_successor_begins(store):
    places = store.places()
    start = places.set_index("code")["start_date"]
    abolished = places[places["status"] == "abolished"]
    first = abolished["replaced_by"].str.split(";").str[0]
    gap = pd.to_datetime(first.map(start)) - pd.to_datetime(abolished["end_date"])
    councils = abolished["tier"].isin(tiers.COUNCIL_TIERS)
    assert (gap[councils] == pd.Timedelta(days=1)).all()


def test_allerdale_says_it_was_abolished_when_and_its_successor(store):
    # The Cumbria (Structural Changes) Order 2022: Allerdale abolished, Cumberland from 1 April 2023.
    life = register.lifecycle(store.places(), "E07000026")
    assert life["status"] == "abolished" and life["end_date"] == "2023-03-31" and life["ended_on"] == "2023-04-01"
    assert life["successors"] == [{"code": "E06000063", "name": "Cumberland"}]
    assert "Abolished on 1 April 2023" in life["text"] and "Cumberland (E06000063)" in life["text"]
    assert register.select(store.places(), year=2022)["code"].isin(["E07000026"]).any()
    assert not register.select(store.places(), year=2023)["code"].isin(["E07000026"]).any()


def test_barnsley_and_sheffield_hold_their_history_under_their_2025_codes(store):
    # The Barnsley and Sheffield (Boundary Change) Order 2024 (SI 2024/1328), from 1 April 2025;
    # ONS recoded both (E08000016 -> E08000038, E08000019 -> E08000039).
    places = store.places().set_index("code")
    assert places.loc["E08000016", "status"] == "former_code" and places.loc["E08000016", "replaced_by"] == "E08000038"
    assert places.loc["E08000038", "start_date"] == "1974-04-01" and places.loc["E08000038", "ecode"] == "E4401"
    held = store.query("SELECT code, count(DISTINCT year) AS years FROM observations WHERE code IN "
                       "('E08000016', 'E08000019', 'E08000038', 'E08000039') GROUP BY code").set_index("code")["years"]
    assert set(held.index) == {"E08000038", "E08000039"} and (held >= 14).all()
    in_2023 = register.select(store.places(), year=2023)["code"]
    assert {"E08000038", "E08000039"} <= set(in_2023) and not {"E08000016", "E08000019"} & set(in_2023)


def test_the_register_recodes_what_ons_records_as_a_new_code(store):
    changes = store.table("code_changes")
    recoded = changes[(changes["change_type"] == "new_code") & changes["old_gss_code"].str.match(r"^E0[6-9]")]
    places = store.places().set_index("code")
    assert len(recoded) == 2
    for old, new in zip(recoded["old_gss_code"], recoded["new_gss_code"]):
        assert places.loc[old, "replaced_by"] == new and places.loc[new, "current"]
