"""One Place, One Budget on the real data: Greater Manchester, a region, devolution conserves totals."""

from __future__ import annotations

import pandas as pd
import pytest

from devolution.errors import DevolutionError
from devolution.powers import budget as B
from devolution.powers import budget_tables as T
from devolution.powers.catalogue import council_services, parse_powers

GM = "E47000001"
GM_BOROUGHS = [f"E0800000{i}" for i in range(1, 10)] + ["E08000010"]


@pytest.fixture(scope="module")
def gm_2017(loaded_store_path):
    from devolution.store import Store

    with Store(loaded_store_path, read_only=True) as store:
        return B.place_budget(store, GM, 2017)


def test_common_years_are_where_outturn_cra_and_population_overlap(store):
    # 2015-16 and 2016-17 outturn are held since their RS files were loaded.
    assert B.common_years(store) == [2011, 2012, 2013, 2014, 2015, 2016, 2017]


def test_greater_manchester_counts_ten_boroughs_and_the_combined_authority_once(gm_2017):
    assert sorted(gm_2017.bodies["code"]) == sorted(GM_BOROUGHS + [GM])
    assert (gm_2017.bodies["weight"] == 1.0).all()
    assert sorted(gm_2017.areas["code"]) == sorted(GM_BOROUGHS)


def test_greater_manchester_council_lines_equal_the_published_outturn(gm_2017, data_dir):
    """Recomputed from the raw CSV (£ thousand): every service line of the 11 bodies, 2017-18.
    Tolerance £1: the only arithmetic is the thousand-to-pound conversion."""
    raw = pd.read_csv(data_dir / "revenue_outturn_key_lines_2010_11_to_2024_25.csv")
    services = [m.removeprefix("nce_") for m in council_services()]
    rows = raw[(raw["year"] == "2017-18") & raw["ons_code"].isin(GM_BOROUGHS + [GM]) & raw["variable"].isin(services)]
    expected = pd.to_numeric(rows["value_gbp_thousands"], errors="coerce").sum() * 1e3
    got = gm_2017.lines.loc[gm_2017.lines["source"] == "council", "value"].sum()
    assert got == pytest.approx(expected, abs=1.0)
    # the combined authority's transport spending (funded by the boroughs' levy) appears once, as devolved
    ca = gm_2017.lines[(gm_2017.lines["body"] == "Greater Manchester") & (gm_2017.lines["line"] == "nce_highways_transport")]
    assert len(ca) == 1 and ca["decided_by"].iloc[0] == "devolved"


def test_a_region_gets_all_of_its_regions_central_identifiable_spending(store):
    """Shares of a whole region sum to one, so the central lines equal CRA's region total (CG + PC)."""
    b = B.place_budget(store, "North West", 2017)
    cra = store.query("""SELECT sum(value) v FROM cra WHERE year = 2017 AND vintage = 2018 AND identifiable
                         AND sector <> 'LG' AND department NOT LIKE 'Local Government%'
                         AND region = 'ENGLAND_North West'""")["v"].iloc[0]
    got = b.lines.loc[b.lines["source"] == "central", "value"].sum()
    assert got == pytest.approx(cra, rel=1e-9)


def test_greater_manchester_is_a_share_of_the_north_west(store, gm_2017):
    region = B.place_budget(store, "North West", 2017)
    central = lambda b: b.lines.loc[b.lines["source"] == "central", "value"].sum()  # noqa: E731
    assert 0.3 < central(gm_2017) / central(region) < 0.45  # GM is ~39% of NW residents


def test_devolving_powers_moves_money_without_changing_the_total(gm_2017):
    moved = B.devolve_lines(gm_2017.lines, parse_powers("adult_skills,bus_franchising,employment_support"))
    assert moved["value"].sum() == pytest.approx(gm_2017.lines["value"].sum(), rel=0, abs=1e-6)
    before = gm_2017.lines.groupby("decided_by")["value"].sum()
    after = moved.groupby("decided_by")["value"].sum()
    shifted = gm_2017.lines.loc[(gm_2017.lines["source"] == "central")
                                & gm_2017.lines["power"].isin(["adult_skills", "bus_franchising", "employment_support"]),
                                "value"].sum()
    assert shifted > 1e8  # the Skills Funding Agency line alone is well over £100m in GM
    assert after["central"] == pytest.approx(before["central"] - shifted)
    assert after["devolved"] == pytest.approx(before["devolved"] + shifted)
    assert (moved.loc[moved["decided_by"] == "devolved", "pot"] == "pooled").sum() >= 1


def test_devolving_everything_conserves_every_year(store):
    plain = T.series(store, GM)
    devolved = T.series(store, GM, devolve=parse_powers("all"))
    assert len(plain) == 7  # 2011-12 to 2017-18
    pd.testing.assert_series_equal(plain["total £m"], devolved["total £m"])
    assert (devolved["central £m"] < plain["central £m"]).all()


def test_per_head_comparison_across_places(store):
    frame = T.compare(store, ["E47000001", "E47000007", "E47000004"], 2017)
    assert list(frame["place"]) == ["E47000001", "E47000007", "E47000004"]
    assert ((frame["£ per head"] > 5000) & (frame["£ per head"] < 15000)).all()


def test_a_year_without_overlapping_data_is_refused(store):
    with pytest.raises(DevolutionError, match="2018-19"):  # no outturn or CRA for 2018-19
        B.place_budget(store, GM, 2018)


# ---------------------------------------------------------------- abolished and new councils (ONS holds 2023 areas)

CUMBRIA, CUMBERLAND, WESTMORLAND = "E10000006", "E06000063", "E06000064"
CUMBERLAND_DISTRICTS = ["E07000026", "E07000028", "E07000029"]  # Allerdale, Carlisle, Copeland


@pytest.fixture(scope="module")
def year_2017(loaded_store_path):
    from devolution.store import Store

    with Store(loaded_store_path, read_only=True) as store:
        return B.budget_year(store, 2017)


def test_an_abolished_county_has_the_population_of_the_councils_made_of_its_districts(store, year_2017):
    """ONS publishes mid-2017 on 2023 boundaries: Cumbria's residents are Cumberland's plus
    Westmorland and Furness's (their areas are its six districts), and every central line is counted."""
    b = B.place_budget(store, CUMBRIA, 2017, shared=year_2017)
    people = year_2017.population
    assert b.population == pytest.approx(people[CUMBERLAND] + people[WESTMORLAND], rel=1e-12)
    central = b.lines[b.lines["source"] == "central"]
    assert central["value"].notna().all() and central["value"].sum() > 1e9
    assert b.total == pytest.approx(b.lines["value"].sum()) and 5_000 < b.total / b.population < 15_000
    assert "Copeland (E07000029) published no Revenue Outturn for 2017-18" in b.note


def test_a_district_only_part_of_a_later_council_is_refused_naming_what_to_ask(store, year_2017):
    with pytest.raises(DevolutionError, match=r"no population for Allerdale \(E07000026\) in 2017-18: .* only part of "
                                              r"Cumberland \(E06000063\); ask about Cumberland \(E06000063\) or "
                                              r"Cumbria \(E10000006\)"):
        B.place_budget(store, "Allerdale", 2017, shared=year_2017)


def test_a_refusal_keeps_its_reason_and_names_only_the_workable_places_when_a_budget_is_asked():
    """The reason and the places to ask about are kept apart, so the refusal of a place's budget
    is made from them, not cut out of the first message's text."""
    names = {"L": "Lost", "H": "Holder", "C": "County", "A": "Asked"}
    label = lambda c: f"{names[c]} ({c})"  # noqa: E731
    first = B.NoPopulation("no population for Lost (L) in 2017-18", "L", ["H", "C"], label)
    assert str(first) == "no population for Lost (L) in 2017-18; ask about Holder (H) or County (C) instead"
    some = first.with_suggestions("A", ["C"])
    assert str(some) == ("no place budget for Asked (A): no population for Lost (L) in 2017-18; ask about County (C) "
                         "instead")
    assert (some.reason, some.lost, some.suggested, some.asked) == (first.reason, "L", ["C"], "A")
    assert str(first.with_suggestions("A", [])) == ("no place budget for Asked (A): no population for Lost (L) in "
                                                    "2017-18; no place budget that needs Lost (L)'s residents can be "
                                                    "made for that year")


@pytest.mark.parametrize("asked", ["E06000058", "E06000059", "E10000009", "E07000048"])
def test_no_refusal_sends_the_user_to_another_refusal(store, year_2017, asked):
    """Christchurch's residents in 2017-18 are held only inside Bournemouth, Christchurch and Poole's
    later figure. Bournemouth, Christchurch and Poole, Dorset Council, Dorset County and Christchurch
    all need them, and each refusal told the user to ask about BCP or Dorset County, themselves
    refused (BCP was told to ask about itself)."""
    with pytest.raises(DevolutionError) as refused:
        B.place_budget(store, asked, 2017, shared=year_2017)
    message = str(refused.value)
    assert message.startswith("no place budget for ") and f"({asked}): no population for Christchurch" in message
    assert "ask about" not in message
    assert message.endswith("no place budget that needs Christchurch (E07000048)'s residents can be made for that year")


def test_a_council_made_later_is_the_budget_of_its_predecessors_area(store, year_2017):
    """Cumberland in 2017-18: Allerdale, Carlisle and Copeland with their population share of
    Cumbria; with Westmorland and Furness it adds up to Cumbria's budget."""
    cumberland = B.place_budget(store, CUMBERLAND, 2017, shared=year_2017)
    assert sorted(cumberland.areas["code"]) == CUMBERLAND_DISTRICTS
    assert cumberland.population == year_2017.population[CUMBERLAND]
    assert "came into being only on 1 April 2023" in cumberland.note and "Cumbria (E10000006)" in cumberland.note
    westmorland = B.place_budget(store, WESTMORLAND, 2017, shared=year_2017)
    cumbria = B.place_budget(store, CUMBRIA, 2017, shared=year_2017)
    assert cumberland.total + westmorland.total == pytest.approx(cumbria.total, rel=1e-9)


NE_2014 = {"E06000047", "E08000037", "E08000021", "E08000022", "E06000057", "E08000023", "E08000024"}


def test_a_former_strategic_authority_has_its_members_of_that_year(store, year_2017):
    """A fresh user's break test: `devo budget E47000010` (the North East combined authority of
    2014-2024) said "no councils in force in 2017-18": members came from the register's current
    strategic authority, and the North East of 2014 has none today. Its former code, E47000005,
    gives it too."""
    for query in ("E47000010", "E47000005"):
        made = B.place_budget(store, query, 2017, shared=year_2017)
        assert made.place == "E47000010"
        assert set(made.areas["code"]) == NE_2014  # Durham, Gateshead, Newcastle, North Tyneside,
        #                                           Northumberland, South Tyneside, Sunderland
        assert made.bodies.set_index("code").loc["E47000010", "weight"] == 1.0


def test_a_council_counts_the_strategic_authority_it_was_in_that_year(store, year_2017):
    # Newcastle was in the North East combined authority of 2014 in 2017-18 (not North of Tyne,
    # made in November 2018, nor the North East of 2024): its population share of that body.
    made = B.place_budget(store, "Newcastle upon Tyne", 2017, shared=year_2017)
    bodies = made.bodies.set_index("code")["weight"]
    assert set(bodies.index) == {"E08000021", "E47000010"}
    people = year_2017.population
    assert bodies["E47000010"] == pytest.approx(people["E08000021"] / people.reindex(sorted(NE_2014)).sum())


def test_a_strategic_authority_not_yet_made_is_its_founding_members_area(store, year_2017):
    made = B.place_budget(store, "North of Tyne", 2017, shared=year_2017)
    assert set(made.areas["code"]) == {"E08000021", "E08000022", "E06000057"}
    assert "E47000011" not in set(made.bodies["code"])
    assert made.note.startswith("North of Tyne (E47000011) was established on 2 November 2018: this is the "
                                "budget of its founding members' area in 2017-18. It leaves out the authority's own "
                                "spending, as the authority did not yet exist, but includes what its members then "
                                "spent through any other authority they belonged to")


def test_a_function_spelt_in_two_cases_by_the_cra_is_one_line(store):
    # HM Treasury's CRA database spells "10. SOCIAL PROTECTION" beside "10. Social protection" in
    # 2011-12; a fresh user saw two rows in `devo budget "Greater Manchester" --year 2011`.
    functions = T.summary(B.place_budget(store, GM, 2011))["function"]
    assert functions.str.lower().is_unique
    assert "10. Social protection" in set(functions)


def test_a_part_no_body_reported_is_missing_not_zero(store):
    """`devo budget "Isles of Scilly" --years` showed council £m 0.0 for 2016-17 (Scilly made no
    return) and so £6,764 a head against about £10,000 in other years; GMCA's devolved £m read 0.0
    for 2011-12 to 2013-14 (it published no Revenue Outturn). A part no body reported is missing,
    and so are the pooled £m, the total and the £ per head; the other parts are kept."""
    scilly = T.series(store, "Isles of Scilly").set_index("year")
    gap = scilly.loc[2016]
    assert gap[["council £m", "pooled £m", "total £m", "£ per head"]].isna().all()
    assert gap["central £m"] > 10 and gap["devolved £m"] == 0.0  # in no authority: a true 0
    assert "shown as missing, not as 0" in gap["note"]
    assert scilly.drop(index=2016)[["council £m", "total £m", "£ per head"]].notna().all().all()
    gm = T.series(store, GM, years=[2011, 2017]).set_index("year")
    assert gm.loc[2011, ["devolved £m", "total £m", "£ per head"]].isna().all() and gm.loc[2011, "council £m"] > 3000
    assert gm.loc[2017, ["devolved £m", "total £m", "£ per head"]].notna().all()
    by_function = T.summary(B.place_budget(store, "Isles of Scilly", 2016))
    assert by_function[["council £m", "total £m", "£ per head"]].isna().all().all()


def test_a_devolve_list_naming_no_power_is_refused():
    """`devo budget Kent --devolve ""` was accepted and did nothing (--compare "" was refused)."""
    from devolution.errors import DevolutionError
    from devolution.powers.catalogue import parse_powers

    assert parse_powers(None) == []
    for empty in ("", " , "):
        with pytest.raises(DevolutionError, match="no power named"):
            parse_powers(empty)
    assert parse_powers("all") and parse_powers(" adult_skills ,") == ["adult_skills"]
