"""Pages kept as the bytes served (web/served.py, issue #20): a kept page is rendered once and then
served byte for byte from memory, a new day (the key the place document is judged on) makes it
afresh, and nothing of one visitor (the simulator's CSRF token and cookies) reaches another."""

from __future__ import annotations

import datetime as real_dt
import json
import re
import types

import pytest
from fastapi.encoders import jsonable_encoder
from fastapi.testclient import TestClient

from devolution.web import served
from devolution.web.routers.places import cached_place_document
from devolution.web.routers.simulator import CSRF_STAND_IN
from devolution.web.security import CSRF_COOKIE
from devolution.web.state import size_of


@pytest.fixture()
def renders(monkeypatch):
    """Count the pages rendered (every kept page's HTML goes through ``served.render``)."""
    count = {"n": 0}
    render = served.render

    def counted(template, context):
        count["n"] += 1
        return render(template, context)

    monkeypatch.setattr(served, "render", counted)
    return count


def on_day(monkeypatch, day: real_dt.date) -> None:
    date = types.SimpleNamespace(today=lambda: day)
    monkeypatch.setattr(served, "dt", types.SimpleNamespace(date=date))


def test_a_place_page_is_rendered_once_then_served_byte_for_byte(client, web_app, renders, monkeypatch):
    on_day(monkeypatch, real_dt.date(2100, 1, 1))  # a day no other test asked for this page on
    first = client.get("/places/E08000025?tab=budget", headers={"accept": "text/html"})
    assert first.status_code == 200 and renders["n"] == 1 and "Birmingham" in first.text
    again = client.get("/places/E08000025?tab=budget", headers={"accept": "text/html"})
    assert again.content == first.content and renders["n"] == 1  # not rendered again
    assert again.headers["content-type"] == "text/html; charset=utf-8"
    assert again.headers["content-security-policy"].startswith("default-src 'self'")  # the guard's headers still

    twin, api = client.get("/places/E08000025.json"), client.get("/api/places/E08000025")
    assert twin.content == api.content == client.get("/places/E08000025.json").content
    document = cached_place_document(web_app.state.data, "E08000025")
    assert twin.json() == json.loads(json.dumps(jsonable_encoder(document)))

    on_day(monkeypatch, real_dt.date(2100, 1, 2))  # the next day: made afresh
    client.get("/places/E08000025?tab=budget", headers={"accept": "text/html"})
    assert renders["n"] == 2


def test_a_kept_answer_counts_its_bytes_against_the_cache_bound():
    assert size_of(served.Served(b"x" * 50_000, "text/html")) >= 50_000  # else the bound would not hold


def test_an_unknown_place_is_a_404_and_is_not_kept(client, web_app):
    state = web_app.state.data
    for _ in range(2):
        answer = client.get("/places/Nowhere-in-particular", headers={"accept": "text/html"})
        assert answer.status_code == 404
    assert state.peek(served.key("place", "Nowhere-in-particular", "html", "")) is None


def test_each_visitor_gets_its_own_token_in_a_page_rendered_once(web_app, renders, monkeypatch):
    on_day(monkeypatch, real_dt.date(2100, 1, 3))
    pages = []
    for _ in range(2):  # two browsers, no cookies shared
        visitor = TestClient(web_app)
        answer = visitor.get("/simulator/E06000001", headers={"accept": "text/html"})
        assert answer.status_code == 200 and answer.headers["cache-control"] == "private, no-store"
        token = re.search(r'name="csrf" value="([^"]+)"', answer.text).group(1)
        assert token == answer.cookies[CSRF_COOKIE] and CSRF_STAND_IN not in answer.text
        pages.append((token, answer.text))
    (one, page_one), (two, page_two) = pages
    assert one != two and one not in page_two and two not in page_one
    assert page_one.replace(one, "") == page_two.replace(two, "")  # the rest is the same page
    assert renders["n"] == 1  # once for both


def test_every_spelling_of_a_place_shares_one_kept_page(web_app):
    """A break test sent 9,600 mixed-case spellings of one name: each had been kept on its own and
    pushed the prepared pages out of the cache (Kent's page then took 1.9 s)."""
    from devolution.web import served

    state = web_app.state.data
    with TestClient(web_app) as client:
        pages = {spelling: client.get(f"/places/{spelling}", headers={"accept": "text/html"})
                 for spelling in ("Hartlepool", "hartlepool", "HARTLEPOOL", "E06000001")}
        assert {page.status_code for page in pages.values()} == {200}
        assert len({page.content for page in pages.values()}) == 1
        for route in ("/api/places/{}", "/api/simulator/{}", "/api/places/{}/budget"):
            answers = {client.get(route.format(spelling)).content for spelling in ("hartlepool", "E06000001")}
            assert len(answers) == 1, route
        client.get("/simulator/HARTLEPOOL", headers={"accept": "text/html"})
    kept = [k for k in state._cache if isinstance(k, tuple) and k[:1] == ("served",) and "artlepool" in str(k).lower()]
    assert kept == [], kept
    assert state.peek(served.key("place", "E06000001", "html", "")) is not None
    assert state.peek(served.key("simulator", "E06000001", "json")) is not None


def test_a_place_has_a_json_twin_and_no_table_twin(client):
    """``/places/Kent.csv`` answered the HTML page and ``/api/places/Kent.csv`` JSON: a place's
    document is not a table, so each is a 404 pointing at the budget's table."""
    assert client.get("/places/Kent.json").json()["code"] == "E10000016"
    for path in ("/places/Kent.csv", "/api/places/Kent.parquet"):
        answer = client.get(path, headers={"accept": "text/html"})
        assert answer.status_code == 404, path
        assert "/api/places/Kent/budget." in answer.text, path
    assert client.get("/api/places/Kent/budget.csv").headers["content-type"].startswith("text/csv")


def test_the_change_api_reads_official_names_that_hold_a_comma(client):
    """``devo change --places`` read "Bristol, City of" as one name; the API split it at the comma."""
    answer = client.get("/api/change/nce_total_service_expenditure",
                        params={"from": 2015, "to": 2017, "by": "places",
                                "places": "Bristol, City of,Kingston upon Hull, City of,Leeds"})
    assert answer.status_code == 200, answer.text  # was a 404: no place matches 'City of'
    selected = next(row for row in answer.json()["rows"] if row["group"] == "Selected places")
    assert selected["areas"] == 3
