"""What residents and journalists use, checked against the store: the search, former councils'
pages, the simulator for a county (its precept) and its ring-fenced lines, the public results from
a minimum number of submissions, the map for every tier and the human 404 pages."""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest
from fastapi.testclient import TestClient

from devolution import parameters
from devolution.web.app import create_app
from devolution.web.security import CSRF_COOKIE
from devolution.web.state import Settings
from devolution.web.submissions import aggregate

KENT, MAIDSTONE, HARTLEPOOL, ALLERDALE, CUMBERLAND, COPELAND = (
    "E10000016", "E07000110", "E06000001", "E07000026", "E06000063", "E07000029")


# ---------------------------------------------------------------- search
@pytest.mark.parametrize("typed, first", [
    ("E06000001", HARTLEPOOL), ("hartlepool", HARTLEPOOL), ("E2221", KENT),  # code, name, E-code
    ("Hartlepol", HARTLEPOOL), ("Brstol", "E06000023"), ("allerdal", ALLERDALE),  # misspelt
    ("leeds city council", "E08000035"), ("north yorks", None)])
def test_search_finds_by_code_name_or_loose_spelling(client, typed, first):
    found = client.get("/search.json", params={"q": typed}).json()
    assert found["results"], typed
    if first is not None:
        assert found["results"][0]["code"] == first
    else:
        assert {"North Yorkshire"} <= {r["name"] for r in found["results"]}


def test_search_points_a_former_council_to_its_successor(client):
    allerdale = client.get("/search.json", params={"q": "Allerdale"}).json()
    assert allerdale["exact"] and allerdale["results"][0]["current"] is False
    assert allerdale["results"][0]["successors"] == [{"code": CUMBERLAND, "name": "Cumberland"}]
    page = client.get("/search", params={"q": "allerdal"}, headers={"accept": "text/html"})
    assert "now part of" in page.text and f'href="/places/{CUMBERLAND}"' in page.text


def test_search_page_goes_straight_to_a_named_place_and_says_when_nothing_matches(client):
    straight = client.get("/search", params={"q": "Hartlepool"}, follow_redirects=False)
    assert straight.status_code == 303 and straight.headers["location"] == f"/places/{HARTLEPOOL}"
    none = client.get("/search", params={"q": "qqqqzzzz"}, headers={"accept": "text/html"})
    assert none.status_code == 200 and 'id="search-none"' in none.text
    assert client.get("/search.json", params={"q": ""}).json()["results"] == []


def test_every_page_has_the_search_box(client):
    for path in ("/", f"/places/{HARTLEPOOL}", "/simulator", "/scenarios", "/claims"):
        assert 'role="search"' in client.get(path, headers={"accept": "text/html"}).text, path


# ---------------------------------------------------------------- former councils
def test_a_former_council_page_says_when_it_ended_and_lists_places_of_its_time(client, store):
    page = client.get(f"/places/{ALLERDALE}.json").json()
    former = page["former"]
    assert former["successors"][0]["code"] == CUMBERLAND and former["last_label"] == "2022-23"
    assert "Abolished on 1 April 2023" in former["text"] and "Cumberland (E06000063)" in former["text"]
    similar = {p["code"] for p in page["similar"]}
    assert COPELAND in similar and CUMBERLAND not in similar  # Copeland was a district then; Cumberland was not
    places = store.places().set_index("code")
    assert all(places.loc[c, "tier"] == "shire_district" and places.loc[c, "region_code"] == "E12000002" for c in similar)
    assert page["gap"] is None and page["devolution"] is None  # today's budget is the successor's
    html = client.get(f"/places/{ALLERDALE}", headers={"accept": "text/html"}).text
    assert 'id="former"' in html and f'href="/places/{CUMBERLAND}"' in html
    assert client.get(f"/places/{HARTLEPOOL}.json").json()["former"] is None


# ---------------------------------------------------------------- simulator: county, ring-fences
def test_a_county_simulator_uses_its_precept(client, store):
    budget = client.get(f"/api/simulator/{KENT}").json()  # was a 500 (KeyError 'band_d_excl_parish')
    tax = budget["council_tax"]
    held = store.observations(["band_d_incl_parish", "council_tax_requirement_incl_parish"])
    kent = held[held["code"] == KENT]
    latest = int(kent["year"].max())
    by_measure = kent[kent["year"] == latest].set_index("measure")["value"]
    assert tax["kind"] == "precept" and tax["year"] == latest
    assert tax["band_d"] == pytest.approx(by_measure["band_d_incl_parish"], abs=0.005)
    assert tax["requirement"] == pytest.approx(by_measure["council_tax_requirement_incl_parish"], abs=0.5)
    assert tax["budget_year"] is False and "the latest held" in tax["note"]  # 2024-25's is not in the data
    # A county is a social care authority: core 3% + adult social care 2% in 2024-25, just below 5%.
    assert budget["limit"]["max_change"] == pytest.approx(0.0499, abs=1e-9)
    page = client.get(f"/simulator/{KENT}", headers={"accept": "text/html"}).text
    assert 'id="precept-note"' in page and "latest held" in page


def test_ring_fenced_lines_are_held_with_their_rule(client):
    budget = client.get(f"/api/simulator/{KENT}").json()
    lines = {s["measure"]: s for s in budget["services"]}
    for measure, parameter in (("nce_education", "grants.ring_fences.dedicated_schools_grant"),
                               ("nce_public_health", "grants.ring_fences.public_health_grant")):
        fence = lines[measure]["ring_fence"]
        assert lines[measure]["movable"] == 0 and fence["parameter"] == parameter and fence["share"] == 1.0
        assert fence["references"] and all(r["url"].startswith("https://www.gov.uk/") for r in fence["references"])
    assert lines["nce_adult_social_care"]["ring_fence"] is None
    assert lines["nce_adult_social_care"]["movable"] == lines["nce_adult_social_care"]["value"]
    assert budget["ring_fenced_total"] == pytest.approx(lines["nce_education"]["value"] + lines["nce_public_health"]["value"])
    dsg = parameters.default().parameter("grants.ring_fences.dedicated_schools_grant")
    assert "can be used for no other purpose" in dsg.description and dsg.status == "assumed"


def _browser(app, code: str) -> tuple[TestClient, str]:
    browser = TestClient(app)
    page = browser.get(f"/simulator/{code}", headers={"accept": "text/html"})
    return browser, page.cookies.get(CSRF_COOKIE) or browser.cookies.get(CSRF_COOKIE)


@pytest.fixture()
def fresh_app(loaded_store_path, tmp_path, monkeypatch):
    """An app with its own, empty submissions file and a results minimum of 3."""
    monkeypatch.setenv("DEVOLUTION_RESULTS_MINIMUM", "3")
    monkeypatch.delenv("DEVOLUTION_DB_URL", raising=False)
    return create_app(Settings(store_path=loaded_store_path, submissions_path=tmp_path / "submissions.sqlite",
                               rate_capacity=1000, rate_per_second=1000))


def test_the_server_refuses_to_move_a_ring_fenced_line(fresh_app):
    browser, csrf = _browser(fresh_app, KENT)
    education = browser.get(f"/api/simulator/{KENT}").json()["services"]
    value = next(s["value"] for s in education if s["measure"] == "nce_education")
    moved = {"nce_education": -0.05 * value, "nce_adult_social_care": 0.05 * value}  # schools money to social care
    refused = browser.post(f"/simulator/{KENT}/submit",
                           data={"csrf": csrf, "council_tax_change": "0", "changes": json.dumps(moved)})
    assert refused.status_code == 422 and "nce_education is ring-fenced" in refused.json()["error"]
    assert "DSG: conditions of grant" in refused.json()["error"]
    assert fresh_app.state.submissions.frame().empty  # nothing stored


def test_public_results_appear_from_the_minimum_and_show_no_personal_data(fresh_app):
    forms = [{"council_tax_change": "0.0499", "changes": json.dumps({"nce_adult_social_care": 2_000_000.0})},
             {"council_tax_change": "0", "changes": json.dumps({"nce_cultural": -1_000_000.0})},
             {"council_tax_change": "0.02", "changes": "{}"}]  # council tax only
    for n, form in enumerate(forms):
        shown = TestClient(fresh_app).get(f"/simulator/{KENT}/results.json").json()
        assert shown["submissions"] == n and shown["published"] is False and "services" not in shown
        browser, csrf = _browser(fresh_app, KENT)
        assert browser.post(f"/simulator/{KENT}/submit", data={"csrf": csrf, **form}).status_code == 201
    result = TestClient(fresh_app).get(f"/simulator/{KENT}/results.json").json()
    assert result["published"] and result["submissions"] == 3 and result["minimum"] == 3
    tax = result["council_tax"]
    assert tax["mean"] == pytest.approx((0.0499 + 0 + 0.02) / 3) and tax["median"] == pytest.approx(0.02)
    assert (tax["cut"], tax["freeze"], tax["rise"], tax["at_limit"]) == (0, 1, 2, 1)
    services = {s["measure"]: s for s in result["services"]}
    assert services["nce_adult_social_care"]["mean_change_gbp"] == pytest.approx(2_000_000 / 3)
    assert services["nce_cultural"]["mean_change_gbp"] == pytest.approx(-1_000_000 / 3)
    assert services["nce_cultural"]["cutting"] == 1 and services["nce_highways_transport"]["mean_change_gbp"] == 0
    assert services["nce_education"]["ring_fenced"] is True
    text = json.dumps(result)
    stored = fresh_app.state.submissions.frame()
    assert not any(token in text for token in stored["token"]) and "created_at" not in text
    page = TestClient(fresh_app).get(f"/simulator/{KENT}/results", headers={"accept": "text/html"}).text
    assert 'id="results-services"' in page and "3 budgets submitted" in page


def test_admin_results_count_submissions_that_only_changed_council_tax():
    rows = pd.DataFrame({"id": [1, 2, 3], "place": ["A", "A", "B"], "year": [2025] * 3,
                         "council_tax_change": [0.01, 0.03, 0.02],
                         "changes": ["{}", "{}", json.dumps({"nce_cultural": -500.0})]})
    out = aggregate(rows).set_index("place")
    assert out.loc["A", "submissions"] == 2 and out.loc["A", "mean_council_tax_change"] == pytest.approx(0.02)
    assert pd.isna(out.loc["A", "service"])  # was an empty table: "No submissions yet"
    assert out.loc["B", "service"] == "nce_cultural" and out.loc["B", "mean_change_gbp"] == -500.0
    assert len(out) == 2  # B's service is not reported for A


# ---------------------------------------------------------------- the map for every tier
def test_a_county_level_measure_colours_each_district_with_its_countys_figure(client, store):
    doc = client.get("/map.json", params={"measure": "cla_31_march_rate_per_10k", "year": 2023}).json()
    values = {v["code"]: v for v in doc["values"]}
    held = store.observations("cla_31_march_rate_per_10k", years=[2023]).set_index("code")["value"]
    assert values[MAIDSTONE]["value"] == held[KENT] and values[MAIDSTONE]["figure_of"] == "Kent"
    assert "Kent County Council's figure" in values[MAIDSTONE]["name"]
    assert values["E06000035"]["value"] == held["E06000035"] and values["E06000035"]["figure_of"] is None  # Medway
    districts = store.places().query("tier == 'shire_district' and current")["code"]
    assert doc["county_figures"] == sum(c in values for c in districts) > 150
    assert any("county" in n for n in doc["notes"])
    own = client.get("/map.json", params={"measure": "nce_adult_social_care", "councils": "own"}).json()
    assert "county_figures" not in own  # districts report this service themselves (mostly 0): left as they are


# ---------------------------------------------------------------- 404s
def test_not_found_is_a_page_for_people_and_json_for_the_api(client):
    page = client.get("/no/such/page", headers={"accept": "text/html"})
    assert page.status_code == 404 and 'id="not-found"' in page.text and "/no/such/page" in page.text
    assert 'role="search"' in page.text
    api = client.get("/api/no-such-route", headers={"accept": "text/html"})
    assert api.status_code == 404 and api.json() == {"error": "there is no API route /api/no-such-route: see /docs for "
                                                               "the routes", "status": 404}
    place = client.get("/places/E99999999", headers={"accept": "text/html"})
    assert place.status_code == 404 and "E99999999" in place.text and 'id="not-found"' in place.text


def test_one_budget_per_browser_for_each_council_so_a_two_tier_resident_sets_both(fresh_app):
    """A resident of Maidstone pays Kent County Council and Maidstone Borough Council: one token for
    every council made their Kent budget refuse their Maidstone one as "already submitted"."""
    browser, csrf = _browser(fresh_app, KENT)
    form = {"csrf": csrf, "council_tax_change": "0", "changes": "{}"}
    assert browser.post(f"/simulator/{KENT}/submit", data=form).status_code == 201
    assert browser.get(f"/simulator/{KENT}.json").json()["already_submitted"] is True
    maidstone = browser.get("/simulator/Maidstone.json").json()
    assert maidstone["code"] == "E07000110" and maidstone["already_submitted"] is False
    assert browser.post("/simulator/E07000110/submit", data=form).status_code == 201
    assert browser.post(f"/simulator/{KENT}/submit", data=form).status_code == 409
    assert browser.post("/simulator/Maidstone/submit", data=form).status_code == 409
    assert sorted(fresh_app.state.submissions.frame()["place"]) == ["E07000110", KENT]


def test_one_budget_is_said_in_the_singular_and_the_slider_stops_at_a_plain_number(fresh_app, monkeypatch):
    """A break test read "1 budgets submitted", "at least 1 budgets", and a council tax slider with
    max="0.049900000000000055" (a float's repr): the slider's end is the limit cut to 6 decimals, never
    above it (the server refuses anything above the limit)."""
    monkeypatch.setenv("DEVOLUTION_RESULTS_MINIMUM", "1")
    browser, csrf = _browser(fresh_app, KENT)
    page = browser.get(f"/simulator/{KENT}", headers={"accept": "text/html"}).text
    shown = float(re.search(r'id="council-tax"[^>]*max="([^"]+)"', page).group(1))
    limit = browser.get(f"/simulator/{KENT}.json").json()["limit"]["max_change"]
    assert len(str(shown)) <= 8 and limit - 1e-6 < shown <= limit
    assert browser.post(f"/simulator/{KENT}/submit", data={"csrf": csrf, "council_tax_change": str(shown),
                                                           "changes": "{}"}).status_code == 201
    results = TestClient(fresh_app).get(f"/simulator/{KENT}/results", headers={"accept": "text/html"}).text
    assert "1 budget submitted." in results
    assert "at least 1 budget has been submitted" in TestClient(fresh_app).get(f"/simulator/{KENT}/results.json").json()["why"]


def test_the_admin_results_are_never_kept_by_a_shared_cache(fresh_app, monkeypatch):
    monkeypatch.setenv("DEVOLUTION_ADMIN_PASSWORD", "no-store-test")
    for path in ("/simulator/results", "/simulator/results.json"):
        answer = TestClient(fresh_app).get(path, auth=("admin", "no-store-test"), headers={"accept": "text/html"})
        assert answer.status_code == 200 and answer.headers["cache-control"] == "private, no-store", path
