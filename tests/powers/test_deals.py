"""The deals data (powers/deals.yaml) and its checks: every power and amount rests on a source that
supports it, abandoned deals say when and why, and every current strategic authority has at least
its establishing deal or order."""

from __future__ import annotations

import copy
import datetime as dt

import pytest

from devolution.errors import DevolutionError
from devolution.places.tiers import SA_TIERS
from devolution.powers import deals

OFFICIAL = ("official", "official_copy", "official_local")


def test_every_current_strategic_authority_has_its_establishing_deal_or_order(store):
    places = store.places()
    current = places[places["tier"].isin(SA_TIERS) & places["current"].astype(bool)]
    refs = deals.references()
    assert len(current) == 16
    for code in current["code"]:
        entries = deals.for_places([code])
        founding = [d for d in entries if d.kind in ("deal", "order", "statute")]
        assert founding, f"{code} has no establishing deal or order"
        for d in entries:
            for power, ids in d.powers.items():
                assert ids, (d.id, power)
                if power in d.verified_powers:
                    assert any(refs[r].status in OFFICIAL for r in ids), (d.id, power)


def test_every_place_a_deal_names_is_in_the_register(store):
    known = set(store.places()["code"])
    for d in deals.deals():
        assert set(d.places) <= known, (d.id, set(d.places) - known)


def test_abandoned_and_superseded_deals_say_when_and_why():
    ended = [d for d in deals.deals() if d.status in ("abandoned", "superseded")]
    abandoned = {d.id for d in ended if d.status == "abandoned"}
    # the deals agreed and later dropped that the record must show (SN07029, CBP-9901, council and press reports)
    assert {"ne_2015", "gl_2016", "norfolk_suffolk_2016", "cornwall_2022", "norfolk_2022", "suffolk_2022"} <= abandoned
    for d in ended:
        assert d.ended is not None and d.ended >= d.agreed and d.ended_reason, d.id
    ne = next(d for d in ended if d.id == "ne_2015")
    assert ne.ended == dt.date(2016, 9, 8) and "Durham" in ne.ended_reason
    cornwall = next(d for d in ended if d.id == "cornwall_2022")
    assert cornwall.ended == dt.date(2023, 4, 5) and "mayor" in cornwall.ended_reason


def test_verified_amounts_are_read_in_official_sources_and_the_rest_say_why():
    refs = deals.references()
    for d in deals.deals():
        for a in d.amounts:
            if a.get("value") is None:
                assert a["unverified"], (d.id, a["what"])
            else:
                assert any(refs[r].status in OFFICIAL for r in a["references"]), (d.id, a["what"])
    lcr = next(d for d in deals.deals() if d.id == "lcr_2015")
    fund = next(a for a in lcr.amounts if a["kind"] == "investment_fund")
    assert (fund["value"], fund["per"], fund["years"]) == (30_000_000, "year", 30)   # gov.uk, HM Treasury 17 Nov 2015
    assert deals.amount_text(fund) == "£30.0m a year for 30 years"
    wm = next(d for d in deals.deals() if d.id == "wm_2015")
    assert next(a for a in wm.amounts if a["kind"] == "investment_fund")["value"] is None  # £36.5m vs £40m: sources disagree


def _document():
    return {"references": {"gov": {"title": "T", "publisher": "P", "url": "https://www.gov.uk/x", "status": "official",
                                   "supports": "s"},
                           "press": {"title": "T", "publisher": "P", "url": "https://example.org", "status": "secondary",
                                     "supports": "s"}},
            "deals": [{"id": "x", "places": ["E47000001"], "name": "X", "kind": "deal", "agreed": dt.date(2020, 1, 1),
                       "status": "in_force", "in_force": {"date": dt.date(2021, 1, 1), "basis": "made",
                                                          "references": ["gov"]},
                       "powers": {"adult_skills": ["gov"]}, "references": ["gov"]}]}


@pytest.mark.parametrize("change, message", [
    (lambda d: d["deals"][0]["powers"].update(bus_franchising=["press"]), "rests on secondary sources only"),
    (lambda d: d["deals"][0]["powers"].update(bus_franchising=["nowhere"]), "unknown reference"),
    (lambda d: d["deals"][0]["powers"].update(trams=["gov"]), "unknown power"),
    (lambda d: d["deals"][0].update(status="abandoned"), "needs ended"),
    (lambda d: d["deals"][0].pop("in_force"), "in_force_why"),
    (lambda d: d["deals"][0].update(amounts=[{"what": "Fund", "value": None}]), "must say why"),
    (lambda d: d["deals"][0].update(amounts=[{"what": "Fund", "value": 1e6, "per": "year", "references": ["press"]}]),
     "secondary sources only"),
    (lambda d: d["deals"][0].update(agreed="spring 2016"), "is not a date"),
])
def test_a_claim_without_a_supporting_source_is_refused_naming_the_deal(change, message):
    document = _document()
    assert deals.parse(copy.deepcopy(document))[0].verified_powers == ("adult_skills",)
    change(document)
    with pytest.raises(DevolutionError, match=f"deal 'x'.*{message}|{message}"):
        deals.parse(document)


def test_a_secondary_only_power_may_be_listed_as_unverified_and_is_not_held():
    document = _document()
    document["deals"][0]["powers"]["bus_franchising"] = ["press"]
    document["deals"][0]["unverified"] = {"bus_franchising": "press only"}
    d = deals.parse(document)[0]
    assert d.verified_powers == ("adult_skills",) and d.unverified == {"bus_franchising": "press only"}


def test_london_holds_its_statutory_powers_before_2027():
    """GLA Act 1999 (in force 8 May 2000; London bus network from 3 July 2000), Localism Act 2011
    (housing and regeneration from 1 April 2012), the adult education budget delegated from
    1 August 2019 (MD2410), the business rates pilot from 1 April 2018 (MD2217)."""
    held = deals.held("E61000001", dt.date(2026, 4, 1))
    expected = {"bus_franchising": "gla_act_1999", "local_transport_funding": "gla_act_1999",
                "strategic_planning": "gla_act_1999", "economic_development": "gla_act_1999",
                "housing_regeneration": "localism_act_2011_london", "adult_skills": "london_aeb_2019",
                "business_rates_growth": "london_brr_pilot_2018"}
    assert {p: held[p].id for p in expected} == expected
    assert "bus_franchising" not in deals.held("E61000001", dt.date(2000, 7, 2))
    assert "bus_franchising" in deals.held("E61000001", dt.date(2000, 7, 3))
    assert "adult_skills" not in deals.held("E61000001", dt.date(2019, 7, 31))


def test_by_default_does_not_offer_london_what_it_already_holds(store):
    from devolution.powers.authorities import Authorities
    from devolution.powers.by_default import by_default

    frame = by_default(store.places(), store.observations("population"), 2027, register=Authorities.from_store(store))
    london = frame[frame["place"] == "E61000001"].set_index("power")["change"]
    for power in ("bus_franchising", "adult_skills", "strategic_planning", "business_rates_growth",
                  "local_transport_funding", "housing_regeneration", "economic_development"):
        assert london[power] == "already held", power


def test_the_timeline_of_entries_is_in_order_and_spans_2011_to_2026():
    from devolution.powers import timeline

    events = timeline.events()
    assert list(events["date"]) == [d.agreed_label for d in deals.deals()]
    years = set(events["year"])
    assert min(years) == 1999 and {2014, 2015, 2016, 2022, 2023, 2024, 2025} <= years
    first_deal = next(d for d in deals.deals() if d.is_deal)
    assert first_deal.id == "gm_2014" and first_deal.agreed == dt.date(2014, 11, 3)
