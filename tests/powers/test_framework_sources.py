"""The framework's sources: a verified item must quote the official text read; every power the
framework names is in the catalogue; and the corrections read in statute hold (bus franchising at
Foundation level since the Bus Services Act 2025; the GLA established by the English Devolution and
Community Empowerment Act 2026 s.1(6)(c))."""

from __future__ import annotations

import copy
import datetime as dt

import pytest
import yaml
from importlib import resources

from devolution.errors import DevolutionError
from devolution.powers import by_default, catalogue, framework, mayors


def _raw() -> dict:
    text = resources.files("devolution.powers").joinpath(framework.FRAMEWORK_FILE).read_text(encoding="utf-8")
    return yaml.safe_load(text)


def _verified_items(raw):
    for name, level in raw["levels"].items():
        for part, item in level["status"].items():
            yield f"{name}.{part}", item
        for power, item in level["power_sources"].items():
            yield f"{name}.{power}", item
    for key, item in raw["conditions"].items():
        yield f"condition.{key}", item


def test_every_verified_item_quotes_an_official_text_it_read():
    checked = 0
    for where, item in _verified_items(_raw()):
        if item["status"] == "verified":
            refs = item.get("references") or []
            assert any(r["url"].startswith("http") and len(r.get("quote", "")) > 20 for r in refs), where
            checked += 1
    assert checked >= 12  # who x3, requires x2, three Foundation powers, four conditions at least


def test_a_verified_level_without_a_quoted_reference_is_refused():
    raw = _raw()
    bad = copy.deepcopy(raw)
    for ref in bad["levels"]["foundation"]["status"]["who"]["references"]:
        ref.pop("quote", None)
    with pytest.raises(DevolutionError, match="level 'foundation' who is verified but names no reference"):
        framework.parse(bad)
    bad = copy.deepcopy(raw)
    bad["levels"]["mayoral"]["status"]["powers"] = {"status": "verified", "references": raw["levels"]["foundation"]
                                                    ["status"]["who"]["references"]}
    with pytest.raises(DevolutionError, match="level 'mayoral' powers are verified but not every power is"):
        framework.parse(bad)
    bad = copy.deepcopy(raw)
    bad["levels"]["foundation"]["power_sources"]["bus_franchising"] = {"status": "verified", "references": []}
    with pytest.raises(DevolutionError, match="power 'bus_franchising' is verified but names no reference"):
        framework.parse(bad)


def test_every_power_the_framework_names_is_in_the_catalogue_and_sourced():
    known = set(catalogue.powers())
    raw = _raw()
    named = [p for level in raw["levels"].values() for p in level["powers"]]
    assert set(named) <= known
    assert len(named) == len(set(named))  # each power enters at one level only (levels are cumulative)
    for name, level in raw["levels"].items():
        assert set(level["power_sources"]) == set(level["powers"]), name
    bad = copy.deepcopy(raw)
    bad["levels"]["foundation"]["powers"].append("tram")
    with pytest.raises(DevolutionError, match="unknown power"):
        framework.parse(bad)


def test_bus_franchising_is_a_foundation_power_since_the_bus_services_act_2025():
    foundation = framework.level_powers("foundation")
    assert "bus_franchising" in foundation and "bus_franchising" not in framework.framework()["levels"]["mayoral"]["powers"]
    source = framework.framework()["levels"]["foundation"]["power_sources"]["bus_franchising"]
    assert source["status"] == "verified" and "ukpga/2025/24" in source["references"][0]["url"]
    assert "county" in catalogue.powers()["bus_franchising"].tiers  # any local transport authority
    # skills and employment support: a Foundation area of competence, not a Mayoral one
    assert {"adult_skills", "employment_support"} <= set(foundation)


def test_by_default_gives_a_foundation_authority_bus_franchising_and_london_the_established_level(store):
    frame = by_default.by_default(store.places(), store.observations("population"), 2027)
    lancashire = frame[frame["place"] == "E47000018"]
    assert set(lancashire["level"]) == {"foundation"} and "bus_franchising" in set(lancashire["power"])
    london = frame[frame["place"] == "E61000001"]
    assert set(london["level"]) == {"established"}
    assert set(framework.level_powers("established")) <= set(london["power"])


def test_new_mayors_count_from_their_first_election(store):
    from devolution.powers.readiness import assess
    places, population = store.places(), store.observations("population")
    for code, day in (("E47000007", dt.date(2017, 5, 4)), ("E47000017", dt.date(2025, 5, 1))):
        assert mayors.first_election(code) == day
        before = assess(places, population, code, day - dt.timedelta(days=1))
        assert before.level not in ("mayoral", "established"), code
        assert assess(places, population, code, day + dt.timedelta(days=1)).level in ("mayoral", "established")
    assert mayors.mayors()["E47000007"]["status"] == "official_local"
    assert {mayors.mayors()[c]["status"] for c in ("E47000008", "E47000009")} == {"secondary"}
