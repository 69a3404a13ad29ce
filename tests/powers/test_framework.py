"""Catalogue, deals, readiness criteria and devolution by default, on the real register."""

from __future__ import annotations

import datetime as dt

import pytest

from devolution.errors import DevolutionError
from devolution.powers import by_default, catalogue, deals, framework, mayors
from devolution.powers.readiness import assess, strategic_authorities


def test_every_power_deal_and_level_names_a_reference():
    assert len(catalogue.powers()) == 13
    assert all(p.references for p in catalogue.powers().values())
    assert all(d.references for d in deals.deals())
    assert all(row.source.startswith("http") for row in framework.levels_table().itertuples())


def test_unknown_power_is_an_error_naming_it():
    with pytest.raises(DevolutionError, match="unknown power 'tram'"):
        catalogue.parse_powers("adult_skills,tram")


def test_unverified_amounts_are_null_and_verified_ones_are_numbers():
    gm_is = next(d for d in deals.deals() if d.id == "gm_integrated_settlement_2025")
    aeb = next(a for a in gm_is.amounts if a["what"].startswith("Adult Education Budget"))
    assert aeb["value"] == 102_000_000
    total = next(a for a in gm_is.amounts if a["what"] == "Total")
    assert total["value"] is None and total["unverified"]


def test_powers_are_held_from_the_day_in_force_not_the_day_agreed():
    # the GM Agreement (3 Nov 2014) took effect with the mayoral functions order: 8 May 2017 (SI 2017/612 art. 1(3))
    assert deals.held("E47000001", dt.date(2015, 1, 1)) == {}
    assert "local_transport_funding" not in deals.held("E47000001", dt.date(2017, 5, 7))
    may_2017 = deals.held("E47000001", dt.date(2017, 5, 8))
    assert may_2017["local_transport_funding"].id == "gm_2014" and "strategic_planning" in may_2017
    # the adult education budget only from the 2019-20 academic year; justice (Budget 2016) was never shown in force
    assert "adult_skills" not in may_2017 and "adult_skills" in deals.held("E47000001", dt.date(2019, 8, 1))
    assert "reoffending_justice" not in deals.held("E47000001", dt.date(2026, 1, 1))


def _met(result):
    return dict(zip(result.criteria["criterion"], result.criteria["met"]))


def test_readiness_scores_follow_the_written_criteria(store):
    places, population = store.places(), store.observations("population")
    gm = assess(places, population, "Greater Manchester", dt.date(2025, 4, 1))
    assert gm.level == "established"
    assert gm.score == int(sum(m is True for m in _met(gm).values()))
    assert _met(gm)["strategic_population"] is True  # ~2.9m residents
    assert _met(gm)["contiguity"] is None  # not in the data: unknown, scores 0
    # before the mayor took office (May 2017) GM was only a Foundation authority
    early = assess(places, population, "Greater Manchester", dt.date(2016, 4, 1))
    assert early.level == "foundation" and _met(early)["has_mayor"] is False
    # 18 months after the mayor: still not Established without the manual evidence
    mid = assess(places, population, "Greater Manchester", dt.date(2019, 4, 1))
    assert _met(mid)["in_existence_18_months"] is True and mid.level == "mayoral"
    both = assess(places, population, "Greater Manchester", dt.date(2019, 4, 1),
                  {k: True for k in framework.framework()["manual_criteria"]})
    assert both.level == "established" and both.score > mid.score
    tees = assess(places, population, "Tees Valley", dt.date(2025, 4, 1))
    assert _met(tees)["strategic_population"] is False  # under 1.5m: a default assumption, not a bar
    assert tees.level == "mayoral"  # mayor since the first election of 4 May 2017 (SI 2016/783)


def test_a_council_outside_any_strategic_authority_reaches_no_level(store):
    result = assess(store.places(), store.observations("population"), "Kent", dt.date(2025, 4, 1))
    assert result.level is None and _met(result)["has_strategic_authority"] is False


def test_devolution_by_default_gives_every_eligible_place_its_levels_powers(store):
    places = store.places()
    frame = by_default.by_default(places, store.observations("population"), 2027)
    eligible = strategic_authorities(places, 2027)
    assert set(frame["place"]) == set(eligible["code"])
    for code, rows in frame.groupby("place"):
        level = rows["level"].iloc[0]
        assert set(framework.level_powers(level)) <= set(rows["power"]), code
    assert "E61000001" in set(frame["place"])  # the GLA is Mayoral by statute
    new = frame[frame["change"] == "new by default"]
    assert len(new) > 0 and (new["by_deal"] == "").all()


def test_every_framework_item_and_mayor_names_a_reference():
    raw = framework.framework()
    for name, level in raw["levels"].items():
        assert level["references"] and all(r["url"].startswith("http") for r in level["references"]), name
        for part, item in level["status"].items():
            assert item["status"] in framework.STATUSES, (name, part)
            assert item["status"] == "verified" or item["why"], (name, part)
        assert set(level["requires"]) <= set(raw["conditions"]), name
    for key, condition in raw["conditions"].items():
        assert condition["references"] and condition["status"] in framework.STATUSES, key
    for key, parameter in raw["parameters"].items():
        assert parameter["references"], key
    assert len(mayors.mayors()) >= 15
    for code, entry in mayors.mayors().items():
        assert entry["references"] and all(r["url"].startswith("http") for r in entry["references"]), code
    # the White Paper's framework table was not read: no level's whole power list may claim verified
    assert "verified" not in {lv["status"]["powers"]["status"] for lv in raw["levels"].values()}
    # who is in each level is statute (English Devolution and Community Empowerment Act 2026 s.1)
    assert {lv["status"]["who"]["status"] for lv in raw["levels"].values()} == {"verified"}


def test_a_mayor_without_a_reference_or_a_date_is_refused():
    entry = {"name": "X", "first_election": dt.date(2017, 5, 4), "status": "verified", "references": []}
    with pytest.raises(DevolutionError, match="E47000099 needs references"):
        mayors.parse({"mayors": {"E47000099": entry}})
    with pytest.raises(DevolutionError, match="not a date"):
        mayors.parse({"mayors": {"E47000099": {**entry, "first_election": "May 2017"}}})
    with pytest.raises(DevolutionError, match="must say why"):
        mayors.parse({"mayors": {"E47000099": {**entry, "status": "secondary",
                                                "references": [{"url": "https://example.org"}]}}})


def test_every_mayoral_authority_is_a_strategic_authority_in_the_register(store):
    places = store.places().set_index("code")
    for code in mayors.mayors():
        assert places.loc[code, "tier"] in ("combined_authority", "greater_london_authority"), code


def test_tees_valley_reaches_mayoral_once_its_mayor_is_recorded(store):
    places, population = store.places(), store.observations("population")
    before = assess(places, population, "Tees Valley", dt.date(2017, 5, 3))
    assert before.level == "foundation" and _met(before)["has_mayor"] is False
    after = assess(places, population, "Tees Valley", dt.date(2017, 5, 4))
    assert after.level == "mayoral" and _met(after)["has_mayor"] is True
    assert "2016/783" in after.criteria.set_index("criterion").loc["has_mayor", "source"]
    # 18 months from 4 May 2017 is 4 November 2018 (parameter, MHCLG Integrated Settlement policy para 5(a))
    assert _met(assess(places, population, "Tees Valley", dt.date(2018, 11, 3)))["in_existence_18_months"] is False
    assert _met(assess(places, population, "Tees Valley", dt.date(2018, 11, 4)))["in_existence_18_months"] is True
    # a member council is scored through its strategic authority
    assert assess(places, population, "Middlesbrough", dt.date(2025, 4, 1)).level == "mayoral"


def test_the_london_mayor_comes_from_the_data_not_the_code(store):
    places, population = store.places(), store.observations("population")
    london = assess(places, population, "E61000001", dt.date(2025, 4, 1))
    assert london.level == "mayoral" and _met(london)["strategic_population"] is True
    # the Act 2026 s.1(6)(c) makes the GLA established by statute from Royal Assent (29 April 2026)
    assert framework.statutory_level("E61000001", dt.date(2026, 4, 28)) is None
    assert framework.statutory_level("E61000001", dt.date(2026, 4, 29)) == "established"
    assert mayors.first_election("E61000001") == dt.date(2000, 5, 4)
    # before the GLA's operative date (8 May 2000, SI 2000/942) there is nothing to score
    early = assess(places, population, "E61000001", dt.date(2000, 5, 3))
    assert early.level is None and not len(early.criteria) and "established on 2000-05-08" in early.note


def test_places_without_a_mayor_stay_foundation_and_new_mayors_count_from_their_election(store):
    places, population = store.places(), store.observations("population")
    lancashire = assess(places, population, "E47000018", dt.date(2025, 6, 1))
    assert lancashire.level == "foundation" and _met(lancashire)["has_mayor"] is False
    hull = "E47000016"
    assert _met(assess(places, population, hull, dt.date(2025, 4, 30)))["has_mayor"] is False
    assert assess(places, population, hull, dt.date(2025, 5, 1)).level == "mayoral"
    # South Yorkshire: first election 3 May 2018 (gov.uk), not the 2014 start of the combined authority
    assert _met(assess(places, population, "E47000002", dt.date(2018, 1, 1)))["has_mayor"] is False


def test_readiness_gives_the_gla_its_statutory_level_from_the_2026_act(store):
    """The GLA is an established mayoral strategic authority by statute (2026 Act s.1(6)(c)), from
    29 April 2026, whatever the earned-route criteria score; before that it scores as mayoral."""
    import datetime as dt

    from devolution.powers.readiness import assess

    places, population = store.places(), store.observations("population")
    before = assess(places, population, "E61000001", dt.date(2025, 4, 1))
    after = assess(places, population, "E61000001", dt.date(2026, 5, 1))
    assert before.level == "mayoral" and after.level == "established"
    assert list(after.criteria["criterion"]) == list(before.criteria["criterion"])  # still scored and shown


def test_bus_franchising_is_held_by_statute_everywhere_from_26_january_2026(store):
    """Bus Services Act 2025 s.1 (in force 26 January 2026, SI 2026/46 reg.2) made every local
    transport authority in England a franchising authority: by default from 2027 it is no strategic
    authority's new power; by default from 2025 it still was, where no deal had given it."""
    population = store.observations("population")
    later = by_default.by_default(store.places(), population, 2027)
    buses = later[later["power"] == "bus_franchising"]
    assert len(buses) and not (buses["change"] == "new by default").any()
    assert (buses.loc[buses["change"] == "already held by statute", "by_deal"].str.startswith("Bus Services Act 2025")).all()
    assert framework.held_by_statute("bus_franchising", dt.date(2026, 1, 25)) is None
    earlier = by_default.by_default(store.places(), population, 2025)
    assert (earlier.loc[earlier["power"] == "bus_franchising", "change"] == "new by default").any()
