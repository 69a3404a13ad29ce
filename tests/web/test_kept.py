"""Answers kept by address (web/served.py ``Kept``, issue #20): a route that answers from its
address, the store and the day alone is answered the second time from memory, byte for byte the
same, with the security headers, before routing; nothing of a visitor, no error and no address with
a parameter its route does not take is kept."""

from __future__ import annotations


import pytest
from fastapi.testclient import TestClient

from devolution.web import served
from devolution.web.app import create_app
from devolution.web.state import Settings
from tests.web.conftest import ClosedGate




@pytest.fixture
def app(loaded_store_path, tmp_path):
    app = create_app(Settings(store_path=loaded_store_path, submissions_path=tmp_path / "s.sqlite"))
    yield app
    app.state.data.store.close()


def kept(app, path: str, query: bytes = b""):
    return app.state.data.peek(served.key("address", path, query))


def test_an_answer_asked_again_is_the_same_bytes_from_memory(app):
    with TestClient(app) as client:
        first = client.get("/api/settlement/2020/Kent/explain")
        csv = client.get("/api/settlement/2020.csv")
        redirect = client.get("/search?q=Kent", follow_redirects=False)
        app.state.data.work = ClosedGate()
        second = client.get("/api/settlement/2020/Kent/explain")
        assert second.content == first.content and second.json()["code"] == "E10000016"
        assert second.headers["content-security-policy"] == first.headers["content-security-policy"]
        assert second.headers["content-type"] == "application/json"
        twin = client.get("/api/settlement/2020.csv")  # the suffix's twin: its own type and file name
        assert twin.content == csv.content and twin.headers["content-type"].startswith("text/csv")
        assert twin.headers["content-disposition"] == csv.headers["content-disposition"]
        head = client.head("/api/settlement/2020/Kent/explain")
        assert head.status_code == 200 and head.content == b""
        assert head.headers["content-length"] == str(len(first.content))
        assert redirect.status_code == 303
        assert client.get("/search?q=Kent", follow_redirects=False).headers["location"] == redirect.headers["location"]
    assert kept(app, "/api/settlement/2020/Kent/explain") is not None


def test_errors_visitors_and_unknown_parameters_are_not_kept(app, monkeypatch):
    monkeypatch.setenv("DEVOLUTION_ADMIN_PASSWORD", "kept-test")
    with TestClient(app) as client:
        assert client.get("/api/settlement/2020/E99999999/explain").status_code == 404
        assert kept(app, "/api/settlement/2020/E99999999/explain") is None
        assert client.get("/reorganisation?example=dorset-2019&years=3&utm_source=x").status_code == 200
        assert kept(app, "/reorganisation", b"example=dorset-2019&years=3&utm_source=x") is None  # a link's tag
        assert client.get("/reorganisation?example=dorset-2019&years=3").status_code == 200
        assert kept(app, "/reorganisation", b"example=dorset-2019&years=3") is not None  # knobs it reads itself
        assert client.get("/api/places?limit=3&limit=4").status_code == 422  # given twice: refused
        assert kept(app, "/api/places", b"limit=3&limit=4") is None
        assert client.get("/api/places?limit=3").status_code == 200
        assert kept(app, "/api/places", b"limit=3") is not None
        page = client.get("/simulator/E10000016", headers={"accept": "text/html"})  # its token and cookies
        assert page.status_code == 200 and "set-cookie" in page.headers
        assert kept(app, "/simulator/E10000016") is None
        admin = client.get("/simulator/results.json", auth=("admin", "kept-test"))  # the admin's view, never kept
        assert admin.status_code == 200
        assert kept(app, "/simulator/results.json") is None


def test_only_routes_that_answer_from_their_address_are_marked(app):
    """The routes that read a visitor's cookies, a submission or the admin password are not
    marked; a change here is a decision to look at."""
    from devolution.web.routers import places, results, simulator

    marked = {route.endpoint.__name__ for route in app.state.routes if served.is_by_address(route.endpoint)}
    assert {"settlement_explain", "map_page", "deal_timeline", "reorganisation_page", "openapi", "vega_js"} <= marked
    for endpoint in (simulator.simulator_page, simulator.results, simulator.submit, results.results_page,
                     results.results_json, places.place_page):
        assert not served.is_by_address(endpoint), endpoint.__name__


def test_a_flood_of_addresses_pushes_out_no_prepared_answer(loaded_store_path, tmp_path):
    """Answers kept for visitors live in a pool of their own (an eighth of the cache's bytes): a
    visitor asking a hundred distinct addresses (here every page size of the register) churns only
    that pool, and the answers prepared at start-up stay."""
    from devolution.web import warm

    app = create_app(Settings(store_path=loaded_store_path, submissions_path=tmp_path / "s.sqlite",
                              cache_bytes=4 * 1024 * 1024))
    state = app.state.data
    path = "/api/settlement/2020/E10000016/explain"
    assert warm.warm_pages(app, codes=[("address", path)])["built"] == 1
    assert served.key("address", path, b"") in state._cache  # prepared: in the cache itself
    with TestClient(app) as client:
        sizes = [len(client.get(f"/api/places?limit={n}").content) for n in range(1, 400, 4)]
        assert sum(sizes) > 2 * (4 * 1024 * 1024 // 8)  # far more than the visitors' pool holds
        assert served.key("address", "/api/places", b"limit=1") not in state._cache
        assert state._visitors.currsize <= 4 * 1024 * 1024 // 8
        assert kept(app, "/api/places", b"limit=397") is not None  # the latest are kept, for visitors
    assert served.key("address", path, b"") in state._cache
    state.store.close()


def test_a_refused_place_budget_is_refused_again_without_the_store(app):
    """Dorset Council's 2017-18 budget is refused (Christchurch's residents are only inside BCP's
    later figure); working that out took ~0.5 s on every visit. The refusal is kept with the budgets."""
    with TestClient(app) as client:
        first = client.get("/api/places/E06000059/budget")
        assert first.status_code == 400 and "no place budget for Dorset Council (E06000059)" in first.json()["error"]
        gate, app.state.data.work = app.state.data.work, ClosedGate()
        again = client.get("/api/places/Dorset%20Council/budget")
        assert again.status_code == 400 and again.json() == first.json()
        app.state.data.work = gate


def test_a_council_not_in_being_has_no_settlement_explanation(app):
    with TestClient(app) as client:
        gone = client.get("/api/settlement/2020/Aylesbury%20Vale/explain")
        assert gone.status_code == 404 and "was not a council in 2020-21" in gone.json()["error"]
        assert client.get("/api/settlement/2019/E07000004/explain").json()["steps"][0]["value"] > 0
