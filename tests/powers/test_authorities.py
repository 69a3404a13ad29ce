"""Strategic authorities in the register: establishing dates from their instruments, members over
time (the North East merger of 7 May 2024), regions, and membership checked against ONS."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from devolution.places.register import in_force
from devolution.powers.authorities import Authorities

# The first day of each authority, as read in its establishing instrument (or, where marked, as the
# instrument could not be read to the day: see strategic_authorities.yaml `basis`).
ESTABLISHED = {
    "E61000001": "2000-05-08",  # SI 2000/942 art. 1(2)(b)(i): the GLA's operative date
    "E47000001": "2011-04-01",  # SI 2011/908 art. 1
    "E47000002": "2014-04-01",  # SI 2014/863 art. 1 (draft as laid)
    "E47000003": "2014-04-01",  # SI 2014/864 art. 1(2): day after made (31 March 2014)
    "E47000004": "2014-04-01",  # SI 2014/865; Wirral Council
    "E47000010": "2014-04-15",  # SI 2014/1012 (secondary: compiled register)
    "E47000006": "2016-04-01",  # SI 2016/449 art. 1
    "E47000007": "2016-06-17",  # SI 2016/653 art. 1(2)(b): made 16 June 2016
    "E47000009": "2017-02-09",  # SI 2017/126 made 8 Feb 2017 (secondary for the day)
    "E47000008": "2017-03-03",  # SI 2017/251 art. 1(2)(b): made 2 March 2017
    "E47000011": "2018-11-02",  # SI 2018/1133 (secondary for the day)
    "E47000012": "2024-02-01",  # City of York Council (SI 2023/1432 in force 20 Dec 2023)
    "E47000013": "2024-02-28",  # SI 2024/232 reg. 1(2): made 27 Feb 2024
    "E47000014": "2024-05-07",  # SI 2024/402 art. 1(3)
    "E47000015": "2025-02-05",  # SI 2025/115: made 4 Feb, in force 5 Feb 2025
    "E47000016": "2025-02-05",  # SI 2025/113 (legislation.gov.uk metadata)
    "E47000017": "2025-02-05",  # SI 2025/117 (point-in-time version)
    "E47000018": "2025-02-05",  # SI 2025/118 (point-in-time version)
}


@pytest.fixture(scope="module")
def register(loaded_store_path):
    from devolution.store import Store

    with Store(loaded_store_path, read_only=True) as store:
        return Authorities.from_store(store)


def test_each_authority_is_established_on_the_day_its_instrument_says(register, store):
    table = store.table("strategic_authorities").set_index("code")
    places = store.places().set_index("code")
    for code, day in ESTABLISHED.items():
        assert str(table.loc[code, "start_date"])[:10] == day, code
        assert str(places.loc[code, "start_date"])[:10] == day, code
        start = dt.date.fromisoformat(day)
        assert register.exists(code, start) and not register.exists(code, start - dt.timedelta(days=1)), code
    # every authority names its instrument; all but the GLA's (an Act) are statutory instruments
    assert table["instrument_url"].str.startswith("http").all()
    assert table.drop(index="E61000001")["instrument"].str.contains(r"SI 20\d\d/\d+").all()
    # the financial-year test of the register agrees: GMCA in force in 2011-12, not in 2010-11
    gmca = store.places()["code"] == "E47000001"
    assert in_force(store.places(), 2011)[gmca].all() and not in_force(store.places(), 2010)[gmca].any()


def test_the_2024_north_east_merger_moves_membership_on_its_day(register):
    """SI 2024/402: the two authorities abolished and the North East Mayoral Combined Authority
    established on 7 May 2024; SI 2018/1133 had moved Newcastle, North Tyneside and Northumberland
    from the North East Combined Authority to the North of Tyne on its commencement."""
    newcastle, durham = "E08000021", "E06000047"
    assert register.authority_of(newcastle, dt.date(2018, 11, 1)) == "E47000010"
    assert register.authority_of(newcastle, dt.date(2018, 11, 2)) == "E47000011"
    assert register.authority_of(newcastle, dt.date(2024, 5, 6)) == "E47000011"
    assert register.authority_of(newcastle, dt.date(2024, 5, 7)) == "E47000014"
    assert register.authority_of(durham, dt.date(2024, 5, 6)) == "E47000010"
    assert register.authority_of(durham, dt.date(2024, 5, 7)) == "E47000014"
    assert len(register.members_on("E47000010", dt.date(2016, 1, 1))) == 7
    assert len(register.members_on("E47000010", dt.date(2024, 5, 6))) == 4
    assert register.members_on("E47000011", dt.date(2024, 5, 7)) == []
    assert len(register.members_on("E47000014", dt.date(2024, 5, 7))) == 7
    assert not register.exists("E47000010", dt.date(2024, 5, 7)) and not register.exists("E47000011", dt.date(2024, 5, 7))
    assert register.authority_of(durham, dt.date(2014, 1, 1)) is None   # before the NECA (15 April 2014)


def test_membership_agrees_with_the_ons_december_2023_lookup(register, data_dir):
    """ONS Local Authority District to Combined Authority (December 2023) lookup, an independent record."""
    lookup = pd.read_csv(data_dir / "ons_lookup_lad23_combined_authority_dec2023.csv")
    day = dt.date(2023, 12, 31)
    ours = {code: register.authority_of(code, day) for code in lookup["ltla23_code"]}
    theirs = dict(zip(lookup["ltla23_code"], lookup["cauth23_code"]))
    assert ours == theirs
    # and no council outside the lookup was in a combined authority that day (the GLA aside)
    places = register.places
    listed = {register.current_code(c) for c in lookup["ltla23_code"]}   # Barnsley, Sheffield: recoded in 2025
    lads = places[places["tier"].isin(["shire_district", "unitary", "metropolitan_district"])
                  & places["current"].astype(bool) & ~places["code"].isin(listed)]
    inside = [c for c in lads["code"] if register.authority_of(c, day) is not None]
    assert inside == [], inside


def test_greater_lincolnshire_spans_two_regions_and_the_others_one(store):
    table = store.table("strategic_authorities").set_index("code")
    regions = table["region_codes"].str.split(";")
    assert sorted(regions["E47000017"]) == ["E12000003", "E12000004"]
    assert (regions.drop(index="E47000017").map(len) == 1).all()
    assert regions["E61000001"] == ["E12000007"] and regions["E47000013"] == ["E12000004"]


def test_a_council_resolves_to_its_authority_and_says_so(register):
    day = dt.date(2025, 6, 1)
    manchester = register.area("Manchester", day)
    assert manchester.authority == "E47000001" and "Greater Manchester (E47000001)" in manchester.note
    lincoln = register.area("E07000138", day)   # City of Lincoln: through Lincolnshire County Council
    assert lincoln.authority == "E47000017" and "through Lincolnshire (E10000019)" in lincoln.note
    kent = register.area("Kent", day)
    assert kent.authority is None and "no strategic authority" in kent.note
    assert register.area("Greater Manchester", day).authority == "E47000001"


def test_level_under_the_2026_act(register):
    after = register.summary(dt.date(2026, 6, 1)).set_index("code")["level_2026_act"]
    assert after["E61000001"] == "established"             # s.1(6)(c)
    assert after["E47000001"] == "mayoral"                 # s.1(5): designation as established not in the data
    assert after["E47000015"] == after["E47000018"] == "foundation"   # s.1(4): non-mayoral CCAs
    assert after["E47000010"] == ""                        # abolished before the Act
    before = register.summary(dt.date(2026, 4, 28)).set_index("code")["level_2026_act"]
    assert (before == "").all()                            # Royal Assent 29 April 2026


@pytest.mark.parametrize("query, on, says", [
    ("Allerdale", dt.date(2025, 4, 1), r"Allerdale \(E07000026\) was abolished on 1 April 2023 .* passed to "
                                       r"Cumberland \(E06000063\).*ask about Cumberland \(E06000063\)"),
    ("Cumberland", dt.date(2020, 1, 1), r"Cumberland \(E06000063\) came into being only on 1 April 2023"),
    ("England", dt.date(2025, 4, 1), r"England \(E92000001\) is the whole country, not a council"),
])
def test_a_place_that_is_no_council_in_being_is_refused_not_answered(store, query, on, says):
    """Deals, readiness and devolution by default resolve a place here: an abolished council after
    its end, a council before its start, England or a region are said to be so."""
    from devolution.errors import PlaceError

    with pytest.raises(PlaceError, match=says):
        Authorities.from_store(store).area(query, on)
