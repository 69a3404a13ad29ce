from __future__ import annotations

import pandas as pd
import pytest

from devolution.errors import PlaceError
from devolution.places import register


def test_a_district_sits_in_its_county_region_and_england(store):
    chain = register.parents(store.places(), "E07000223")  # Adur
    assert chain["name"].tolist() == ["Adur", "West Sussex", "South East", "England"]


def test_a_met_district_sits_in_its_combined_authority(store):
    chain = register.parents(store.places(), "E08000003")  # Manchester
    assert chain["code"].tolist() == ["E08000003", "E47000001", "E12000002", "E92000001"]


def test_london_boroughs_sit_under_the_gla(store):
    boroughs = register.select(store.places(), tier="london_borough", strategic_authority="Greater London")
    assert len(boroughs) == 32


def test_the_north_east_mayoral_authority_replaces_the_two_earlier_ones(store):
    places = store.places().set_index("code")
    assert places.loc["E47000010", "replaced_by"] == "E47000014"
    assert places.loc["E47000011", "replaced_by"] == "E47000014"
    members = register.select(store.places(), strategic_authority="E47000014")
    assert sorted(members["name"]) == ["County Durham", "Gateshead", "Newcastle upon Tyne", "North Tyneside",
                                       "Northumberland", "South Tyneside", "Sunderland"]


def test_places_in_force_in_a_year(store):
    places = store.places()
    in_2019 = register.select(places, tier="shire_district", year=2019)
    in_2023 = register.select(places, tier="shire_district", year=2023)
    assert "E07000004" in set(in_2019["code"])  # Aylesbury Vale, to 31 March 2020
    assert "E07000004" not in set(register.select(places, year=2020)["code"])
    assert len(in_2023) == 164
    assert "E07000026" in set(register.select(places, year=2022)["code"])  # Allerdale, to 2023
    assert "E07000026" not in set(register.select(places, year=2023)["code"])


def test_filters_take_names_and_refuse_unknown_values(store):
    places = store.places()
    kent = register.select(places, county="Kent")
    assert len(kent) == 12 and set(kent["tier"]) == {"shire_district"}
    north_east = register.select(places, region="North East", tier="unitary,metropolitan_district")
    assert len(north_east) == 12
    with pytest.raises(PlaceError, match="unknown tier 'parish'"):
        register.select(places, tier="parish")
    with pytest.raises(PlaceError, match="no region matches 'Atlantis'"):
        register.select(places, region="Atlantis")


def test_resolve_by_code_ecode_and_name(store):
    places = store.places()
    assert register.resolve(places, "E06000001")["name"] == "Hartlepool"
    assert register.resolve(places, "E3831")["name"] == "Adur"
    assert register.resolve(places, "hartlepool")["code"] == "E06000001"
    with pytest.raises(PlaceError, match="matches"):
        register.resolve(places, "North")


def test_in_force_reads_dates_as_the_first_of_april():
    places = pd.DataFrame({
        "code": ["A", "B", "C"], "start_date": [None, "2019-04-01", None],
        "end_date": ["2019-03-31", None, None], "current": [False, True, False]})
    assert register.in_force(places, 2018).tolist() == [True, False, False]
    assert register.in_force(places, 2019).tolist() == [False, True, False]


def test_register_amendments_rename_from_the_ons_code_changes(store):
    places = store.places().set_index("code")
    assert places.loc["E47000016", "name"] == "Hull and East Yorkshire"


def test_register_amendments_date_the_gmca_and_the_gla_from_their_instruments(store):
    from importlib import resources

    import yaml

    places = store.places()
    dated = places.set_index("code")["start_date"]
    assert str(dated["E47000001"])[:10] == "2011-04-01" and str(dated["E61000001"])[:10] == "2000-05-08"
    gmca = places["code"] == "E47000001"
    assert register.in_force(places, 2011)[gmca].all() and not register.in_force(places, 2010)[gmca].any()
    authorities = yaml.safe_load(resources.files("devolution.sources").joinpath("strategic_authorities.yaml").read_text())
    for code in ("E47000001", "E61000001"):
        established = authorities["authorities"][code]["established"]
        assert established["basis"] == "commencement", code
        assert all(r["url"].startswith("https://www.legislation.gov.uk/") for r in established["references"]), code


def test_strategic_authority_of_a_place_itself_its_own_or_its_countys():
    import pandas as pd

    from devolution.places.register import strategic_authority_of

    places = pd.DataFrame({"code": ["CA", "C", "D", "M", "X"],
                           "tier": ["combined_authority", "county", "shire_district", "metropolitan_district",
                                    "unitary"],
                           "strategic_authority_code": [None, "CA", None, "CA", None],
                           "county_code": [None, None, "C", None, None]})
    assert list(strategic_authority_of(places, ["CA", "C", "D", "M", "X"])) == ["CA", "CA", "CA", "CA", ""]
