"""The open API on the real store: JSON and CSV, paging, errors as 4xx with a message, security."""

from __future__ import annotations

import base64

import pandas as pd
import pytest

from devolution import parameters
from devolution.web.security import CSRF_COOKIE, SUBMIT_COOKIE


def test_series_json_matches_the_store_and_pages(client, store):
    page = client.get("/api/series/population?year=2023&limit=10&offset=5").json()
    held = store.observations("population", years=[2023]).set_index("code")["value"]
    assert page["total"] == len(held) and len(page["rows"]) == 10 and page["offset"] == 5
    for row in page["rows"]:
        assert row["value"] == held[row["code"]]


def test_csv_by_suffix_equals_csv_by_query(client):
    a = client.get("/api/series/nce_total_service_expenditure.csv?year=2024&group=region")
    b = client.get("/api/series/nce_total_service_expenditure?year=2024&group=region&format=csv")
    assert a.status_code == 200 and a.headers["content-type"].startswith("text/csv") and a.text == b.text
    regions = pd.read_csv(__import__("io").StringIO(a.text))
    assert len(regions) == 9 and regions["value"].gt(0).all()


def test_bad_requests_get_4xx_with_a_message(client):
    for url, status in [("/api/series/no_such_measure", 404), ("/api/series/band_d_excl_parish?group=tier", 422),
                        ("/api/places?tier=castle", 404), ("/places/E0600000X.json", 404),
                        ("/api/places?limit=0", 422), ("/map.json?year=1999", 404),
                        ("/simulator/E12000001.json", 404), ("/static/../../etc/passwd", 404)]:
        response = client.get(url)
        assert response.status_code == status, url
        assert response.json()["error"], url


@pytest.mark.parametrize("url, unknown, takes", [
    ("/api/map/population?tier=xx", "tier", "councils, format, limit, offset, per, prices, year"),
    ("/api/deals/timeline?from=2030", "from", "format"),
    ("/api/map/population.csv?year=2019&yaer=2020", "yaer", "year"),
])
def test_a_query_parameter_an_api_route_does_not_take_is_refused_naming_it(client, url, unknown, takes):
    """?tier=xx answered every row and ?from=2030 the full timeline: accepted, with no effect."""
    response = client.get(url)
    assert response.status_code == 422, url
    error = response.json()["error"]
    assert f"unknown parameter '{unknown}'" in error and takes in error


def test_pages_refuse_a_parameter_they_do_not_read_but_let_a_links_campaign_tags_through(client):
    """/map.json?mesure=... answered the default measure and /places/Kent?tab=budgte the first tab,
    each as if asked for; a shared link's utm_ and fbclid tags are not asked for anything."""
    html = {"accept": "text/html"}
    twin = client.get("/map.json?mesure=population")
    assert twin.status_code == 422 and "unknown parameter 'mesure'" in twin.json()["error"]
    page = client.get("/places/Kent?year=2019", headers=html)
    assert page.status_code == 422 and "unknown parameter &#39;year&#39;" in page.text and "takes tab" in page.text
    tab = client.get("/places/Kent?tab=budgte", headers=html)
    assert tab.status_code == 404 and "no tab &#39;budgte&#39;" in tab.text and "budget" in tab.text
    assert client.get("/places/Kent.json?tab=budget").status_code == 404  # the JSON holds every tab
    tagged = client.get("/places/Kent?tab=budget&utm_source=newsletter&fbclid=x1", headers=html)
    assert tagged.status_code == 200 and tagged.text == client.get("/places/Kent?tab=budget", headers=html).text
    assert client.get("/api/places?utm_source=x").status_code == 422  # the API takes its own parameters only
    knobs = client.get("/reorganisation.json?example=dorset-2019&years=3&driver.education=population")
    assert knobs.status_code == 200  # the knobs and drivers the reorganisation page reads itself
    assert client.get("/reorganisation?example=dorset-2019&yeras=3", headers=html).status_code == 422
    # The map's and the scenarios' knobs, read by the page's script (a reload keeps them).
    assert client.get("/?measure=population&year=2020&per=total&councils=own&prices=cash", headers=html).status_code == 200
    assert client.get("/scenarios?core=5&asc=2&policy=fixed&dbd=1", headers=html).status_code == 200
    assert client.get("/?meausre=population", headers=html).status_code == 422


def test_a_parameter_given_twice_is_refused_and_a_tab_a_place_lacks_is_a_404(client):
    """/search?q=Kent&q=Hull went to Hull and /map.json?measure=a&measure=b answered b: the last won,
    silently. /places/E07000004?tab=budget showed another tab: Aylesbury Vale has no budget tab."""
    twice = client.get("/map.json?measure=population&measure=band_d_excl_parish")
    assert twice.status_code == 422 and "parameter 'measure' is given 2 times: give it once" in twice.json()["error"]
    assert client.get("/search?q=Kent&q=Hull", headers={"accept": "text/html"}).status_code == 422
    assert client.get("/places/Kent?tab=budget&utm_source=a&utm_source=b").status_code == 200  # link tags: ignored
    former = client.get("/places/E07000004?tab=budget", headers={"accept": "text/html"})
    assert former.status_code == 404 and "Aylesbury Vale&#39;s page has no &#39;budget&#39; tab" in former.text
    assert client.get("/places/E07000004?tab=figures", headers={"accept": "text/html"}).status_code == 200


def test_a_council_of_another_nation_is_a_404_saying_so(client):
    answer = client.get("/api/places/Cardiff")
    assert answer.status_code == 404 and "Cardiff (W06000015), a council of Wales" in answer.json()["error"]
    page = client.get("/places/Edinburgh", headers={"accept": "text/html"})
    assert page.status_code == 404 and "a council of Scotland" in page.text
    assert "no place matches" in client.get("/api/places/Narnia").json()["error"]


def test_place_page_and_its_json_twin(client):
    page = client.get("/places/E06000001", headers={"accept": "text/html"})
    twin = client.get("/places/E06000001.json").json()
    assert page.status_code == 200 and "Hartlepool" in page.text
    assert twin["name"] == "Hartlepool" and [p["code"] for p in twin["parents"]][-1] == "E92000001"
    assert all(p["code"].startswith("E06") for p in twin["similar"])  # same tier (unitary), same region


def test_simulator_limit_is_the_parameters_core_plus_asc(client):
    budget = client.get("/simulator/E06000001.json").json()  # Hartlepool, a unitary
    year = budget["limit_year"]
    expected = (parameters.value("council_tax.referendum.core_limit", year)
                + parameters.value("council_tax.referendum.asc_limit", year))
    assert abs(budget["limit"]["max_change"] - (expected - 0.0001)) < 1e-9
    district = client.get("/simulator/E07000008.json").json()  # Cambridge: core only, or £5 on Band D
    assert district["limit"]["asc"] == 0.0 and district["limit"]["cash"] is not None


def test_simulator_limit_is_for_the_year_after_the_band_d_base(client):
    """The Band D base is the latest held (2023-24), so the rise is judged by the 2024-25 principles,
    not by 2025-26's (which skipped a year's rise); the page names both years."""
    for code in ("E06000001", "E10000016", "E07000008"):  # a unitary, a county (Kent), a district
        budget = client.get(f"/simulator/{code}.json").json()
        base = budget["council_tax"]["year"]
        assert base == 2023 and budget["limit_year"] == base + 1 and budget["limit_label"] == "2024-25"
        assert "judged by the 2024-25 referendum principles" in budget["council_tax"]["note"]
    page = client.get("/simulator/E06000001", headers={"accept": "text/html"}).text
    assert '<span id="band-d-year">2023-24</span> Band D' in page and '<span id="limit-year">2024-25</span>' in page


def test_simulator_limit_is_the_councils_own_principle_where_the_report_names_it(client):
    """2024-25 (the year after the 2023-24 Band D held): Birmingham may add 5% on top of 4.99%
    (referendum_by_council.yaml); Bradford, named only from 2025-26, and Leeds have the general limit."""
    birmingham = client.get("/simulator/E08000025.json").json()
    assert birmingham["limit_year"] == 2024
    assert birmingham["limit"]["additional"] == 0.05
    assert abs(birmingham["limit"]["max_change"] - (0.03 + 0.02 + 0.05 - 0.0001)) < 1e-9
    named = birmingham["limit"]["named_council_principle"]
    assert named["council"] == "Birmingham City Council"
    assert named["sources"] and named["sources"][0] in birmingham["sources"]
    page = client.get("/simulator/E08000025", headers={"accept": "text/html"})
    assert "under the council's own principle (Birmingham City Council)" in page.text
    for code in ("E08000032", "E08000035"):  # Bradford, Leeds
        other = client.get(f"/simulator/{code}.json").json()
        assert other["limit"]["additional"] == 0.0 and other["limit"]["named_council_principle"] is None
        assert abs(other["limit"]["max_change"] - (0.05 - 0.0001)) < 1e-9


def _fresh(client, code="E06000002"):
    client.cookies.clear()
    page = client.get(f"/simulator/{code}", headers={"accept": "text/html"})
    return page.cookies.get(CSRF_COOKIE) or client.cookies.get(CSRF_COOKIE)


def test_submission_needs_csrf_balance_and_is_once_per_browser(client, web_app, monkeypatch):
    web_app.state.bucket.buckets.clear()  # other tests (the fuzz) used this client's allowance
    csrf = _fresh(client)
    budget = client.get("/simulator/E06000002.json").json()
    first = budget["services"][0]["measure"]
    assert client.post("/simulator/E06000002/submit", data={"council_tax_change": "0", "changes": "{}"}).status_code == 403
    unbalanced = {"csrf": csrf, "council_tax_change": "0", "changes": f'{{"{first}": 1000000}}'}
    assert client.post("/simulator/E06000002/submit", data=unbalanced).status_code == 422
    too_high = {"csrf": csrf, "council_tax_change": "0.06", "changes": "{}"}
    assert client.post("/simulator/E06000002/submit", data=too_high).status_code == 422
    too_low = {"csrf": csrf, "council_tax_change": "-0.2", "changes": "{}"}  # below the slider's 5% cut
    refused = client.post("/simulator/E06000002/submit", data=too_low)
    assert refused.status_code == 422 and "5%" in refused.json()["error"]
    for value in ("NaN", "inf"):  # said "Input should be less than or equal to 0.5"
        refused = client.post("/simulator/E06000002/submit", data={**too_low, "council_tax_change": value})
        assert refused.status_code == 422
        assert "council_tax_change: Input should be a finite number" in refused.json()["error"]
    web_app.state.bucket.buckets.clear()  # every attempt counts against the allowance: start again
    good = {"csrf": csrf, "council_tax_change": "0.01", "changes": f'{{"{first}": -10000}}'}
    ok = client.post("/simulator/E06000002/submit", data=good)
    assert ok.status_code == 201, ok.text
    again = client.post("/simulator/E06000002/submit", data=good)
    assert again.status_code == 409 and "already submitted a budget for Middlesbrough" in again.json()["error"]
    stored = web_app.state.submissions.frame()
    assert (stored["token"] == client.cookies.get(SUBMIT_COOKIE) + ":E06000002").sum() == 1

    # Results: refused with no password set, 401 with a wrong one, the aggregate with the right one.
    monkeypatch.delenv("DEVOLUTION_ADMIN_PASSWORD", raising=False)
    assert client.get("/simulator/results.json").status_code == 403
    monkeypatch.setenv("DEVOLUTION_ADMIN_PASSWORD", "s3cret")
    wrong = base64.b64encode(b"admin:nope").decode()
    assert client.get("/simulator/results.json", headers={"authorization": f"Basic {wrong}"}).status_code == 401
    right = base64.b64encode(b"admin:s3cret").decode()
    rows = client.get("/simulator/results.json", headers={"authorization": f"Basic {right}"}).json()["rows"]
    mine = [r for r in rows if r["place"] == "E06000002" and r["service"] == first]
    assert mine and mine[0]["submissions"] >= 1


def test_rate_limit_per_client(web_app):
    from devolution.web.security import TokenBucket

    bucket = TokenBucket(capacity=3, rate=0.0)
    assert [bucket.allow("a") for _ in range(4)] == [True, True, True, False]
    assert bucket.allow("b")  # another client has its own bucket
