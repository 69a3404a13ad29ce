"""`places(strategic_authority=..., year=...)` lists an authority's members on 1 April of the year
by its membership over time (the table the place budget reads), and a region, county or authority
not in being on the day is an error saying when it began or ended, dates from the register."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

import devolution
from devolution.errors import PlaceError
from devolution.powers.authorities import Authorities

NORTH_EAST_2014, NORTH_OF_TYNE = "E47000010", "E47000011"
NORTHUMBERLAND, NEWCASTLE, NORTH_TYNESIDE = "E06000057", "E08000021", "E08000022"
DURHAM, SOUTH_TYNESIDE, SUNDERLAND, GATESHEAD = "E06000047", "E08000023", "E08000024", "E08000037"


def codes(frame) -> set[str]:
    return set(frame["code"])


def test_an_authoritys_members_in_a_year_are_the_ones_the_place_budget_counts(store):
    # The North East CA of 2014 to 2024: seven members until North of Tyne left on 2 November 2018
    # (SI 2018/1133), and the register's current authority of each is the 2024 North East.
    in_2017 = devolution.places(strategic_authority=NORTH_EAST_2014, year=2017, store=store)
    budget_view = Authorities.from_store(store).membership_on(dt.date(2017, 4, 1))
    assert codes(in_2017) == set(budget_view.index[budget_view == NORTH_EAST_2014]) == {
        DURHAM, NORTHUMBERLAND, NEWCASTLE, NORTH_TYNESIDE, SOUTH_TYNESIDE, SUNDERLAND, GATESHEAD}
    assert set(in_2017["strategic_authority_code"]) == {NORTH_EAST_2014}  # the authority then, not now
    in_2019 = devolution.places(strategic_authority="North of Tyne", year=2019, store=store)
    assert codes(in_2019) == {NORTHUMBERLAND, NEWCASTLE, NORTH_TYNESIDE}
    assert codes(devolution.places(strategic_authority=NORTH_EAST_2014, year=2019, store=store)) == {
        DURHAM, SOUTH_TYNESIDE, SUNDERLAND, GATESHEAD}


def test_an_ended_authority_without_a_year_gives_its_members_on_its_last_day_and_says_so(store):
    last = devolution.places(strategic_authority=NORTH_EAST_2014, store=store)
    assert codes(last) == {DURHAM, SOUTH_TYNESIDE, SUNDERLAND, GATESHEAD}
    assert "its last day was 6 May 2024" in last.attrs["note"]
    ever = devolution.places(strategic_authority=NORTH_EAST_2014, former=True, store=store)
    assert {DURHAM, NORTHUMBERLAND, NEWCASTLE, NORTH_TYNESIDE, SOUTH_TYNESIDE, SUNDERLAND, GATESHEAD} <= codes(ever)


def test_an_authority_before_it_began_is_an_error_naming_its_first_day_and_year(store):
    with pytest.raises(PlaceError, match=r"came into being only on 1 April 2011 \(give --year 2011 or later\)"):
        devolution.places(strategic_authority="Greater Manchester", year=2010, store=store)
    assert len(devolution.places(strategic_authority="Greater Manchester", year=2011, store=store)) == 10
    with pytest.raises(PlaceError, match=r"North of Tyne .*2 November 2018 \(give --year 2019 or later\)"):
        devolution.places(strategic_authority="North of Tyne", year=2016, store=store)


def test_a_county_after_it_was_abolished_is_an_error_naming_its_successors(store):
    with pytest.raises(PlaceError) as caught:
        devolution.places(county="Cumbria", year=2024, store=store)
    message = str(caught.value)
    assert "last day was 31 March 2023" in message and "give --year 2022 or earlier" in message
    assert "Cumberland (E06000063)" in message and "Westmorland and Furness (E06000064)" in message
    assert len(devolution.places(county="Cumbria", year=2022, store=store)) == 6


def test_a_year_list_labels_each_council_with_the_authority_of_that_year(store):
    """`devo places list --year 2017` labelled Newcastle with the North East authority of 2024 (its
    current one); in 2017 it was in the North East CA of 2014-2024, and in 2019 in North of Tyne."""
    def authority(year, code):
        frame = devolution.places(year=year, store=store).set_index("code")
        return frame.loc[code, "strategic_authority_code"]

    assert authority(2017, NEWCASTLE) == NORTH_EAST_2014
    assert authority(2019, NEWCASTLE) == NORTH_OF_TYNE
    assert pd.isna(authority(2010, "E08000003"))  # Manchester before Greater Manchester CA began: none
    assert authority(2017, "E08000003") == "E47000001"
    now = devolution.places(store=store).set_index("code")
    assert now.loc[NEWCASTLE, "strategic_authority_code"] == "E47000014"  # no year: the register's current one
