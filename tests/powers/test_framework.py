"""Catalogue, deals, readiness criteria and devolution by default, on the real register."""

from __future__ import annotations

import datetime as dt

import pytest

from devolution.errors import DevolutionError
from devolution.powers import catalogue, deals, framework
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


def test_deals_accumulate_powers_over_time():
    assert deals.held("E47000001", dt.date(2014, 11, 2)) == {}
    first = deals.held("E47000001", dt.date(2015, 1, 1))
    assert "adult_skills" in first and "reoffending_justice" not in first
    assert "reoffending_justice" in deals.held("E47000001", dt.date(2016, 4, 1))


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
    assert _met(tees)["strategic_population"] is False  # under 1.5m
    assert tees.level == "foundation"


def test_a_council_outside_any_strategic_authority_reaches_no_level(store):
    result = assess(store.places(), store.observations("population"), "Kent", dt.date(2025, 4, 1))
    assert result.level is None and _met(result)["has_strategic_authority"] is False


def test_devolution_by_default_gives_every_eligible_place_its_levels_powers(store):
    places = store.places()
    frame = framework.by_default(places, store.observations("population"), 2027)
    eligible = strategic_authorities(places, 2027)
    assert set(frame["place"]) == set(eligible["code"])
    for code, rows in frame.groupby("place"):
        level = rows["level"].iloc[0]
        assert set(framework.level_powers(level)) <= set(rows["power"]), code
    assert "E61000001" in set(frame["place"])  # the GLA is Mayoral by statute
    new = frame[frame["change"] == "new by default"]
    assert len(new) > 0 and (new["by_deal"] == "").all()
