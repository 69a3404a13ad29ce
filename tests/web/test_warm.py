"""Pages prepared at start-up (web/warm.py, issue #20): once warmed, a place page and a simulator
page are served without touching the store, and what is served is what a cold build gives."""

from __future__ import annotations

import json
import threading
import time

from fastapi.encoders import jsonable_encoder
from fastapi.testclient import TestClient

from devolution.web import served, warm
from devolution.web.app import create_app
from devolution.web.routers.places import place_document
from devolution.web.routers.simulator import budget_document
from devolution.web.state import Settings
from tests.web.conftest import ClosedGate

PAGES = [("place", "E08000025"), ("place", "E47000001"), ("place", "E10000016"), ("simulator", "E10000016"),
         ("simulator", "E06000001"), ("place", "E12000001")]




def test_warmed_pages_are_served_without_the_store_and_equal_a_cold_build(loaded_store_path, tmp_path):
    app = create_app(Settings(store_path=loaded_store_path, submissions_path=tmp_path / "s.sqlite"))
    state = app.state.data
    counts = warm.warm_pages(app, codes=PAGES + [("simulator", "E12000001")])  # a region has no simulator
    assert counts == {"built": len(PAGES), "refused": 1, "busy": 0, "failed": 0}

    state.work = ClosedGate()
    cold_state = create_app(Settings(store_path=loaded_store_path, submissions_path=tmp_path / "t.sqlite")).state.data
    with TestClient(app) as client:
        for kind, code in PAGES:
            path = f"/places/{code}" if kind == "place" else f"/simulator/{code}"
            assert client.get(path, headers={"accept": "text/html"}).status_code == 200, path
            served = client.get(path + ".json").json()
            served.pop("already_submitted", None)  # the visitor's own flag, added to a copy
            cold = (place_document if kind == "place" else budget_document)(cold_state, code)
            assert served == json.loads(json.dumps(jsonable_encoder(cold))), path
    for held in (state, cold_state):  # no read-only connection left to the store for later tests
        held.store.close()


def test_slow_site_pages_are_prepared_and_then_served_without_the_store(loaded_store_path, tmp_path):
    """The deals timeline (about 4 s to build), the reorganisation page's default example and its
    history table (2 to 3 s each) were built by their first visitor, behind the cold-work gate; now
    every address the site links to is asked of the app at start-up and kept as sent."""
    app = create_app(Settings(store_path=loaded_store_path, submissions_path=tmp_path / "s.sqlite"))
    state = app.state.data
    listed = warm.addresses(app)
    assert {"/api/deals/timeline", "/reorganisation", "/api/reorganisation/history", "/openapi.json", "/",
            "/vendor/vega.js", "/docs", "/api/map/nce_total_service_expenditure.csv",
            "/reorganisation?example=dorset-2019", "/api/settlement/2020"} <= set(listed)
    assert len(listed) == len(set(listed))
    explained = [path for path in listed if path.endswith("/explain")]
    assert len(explained) > 300 and "/api/settlement/2020/E10000016/explain" in explained
    chosen = ["/api/deals/timeline", "/reorganisation", "/api/reorganisation/history", "/api/settlement/2020",
              "/api/settlement/2020/E10000016/explain", "/api/settlement/2020/E99999999/explain"]
    counts = warm.warm_pages(app, codes=[("address", path) for path in chosen])
    assert counts == {"built": 5, "refused": 1, "busy": 0, "failed": 0}  # no such authority: a 404, not kept
    state.work = ClosedGate()
    with TestClient(app) as client:
        timeline = client.get("/api/deals/timeline")
        assert timeline.status_code == 200 and len(timeline.json()["rows"]) > 10
        page = client.get("/reorganisation", headers={"accept": "text/html"})
        assert page.status_code == 200 and "Content-Security-Policy" in page.headers  # kept, Guard still adds it
        assert client.get("/api/reorganisation/history").json()["rows"][0]["first_year"]
        explain = client.get("/api/settlement/2020/E10000016/explain").json()
        assert explain["name"] == "Kent" and explain["steps"][0]["step"] == "sfa"
        assert client.head("/api/settlement/2020").headers["content-length"] == str(len(client.get(
            "/api/settlement/2020").content))
    state.store.close()


def test_a_prepared_place_page_leaves_its_budget_api_ready(loaded_store_path, tmp_path):
    """`/api/places/{code}/budget` made the place budget again on its first visit (p95 6 s for 50
    clients after start-up); it now shares the one the prepared place page made."""
    app = create_app(Settings(store_path=loaded_store_path, submissions_path=tmp_path / "s.sqlite"))
    state = app.state.data
    assert warm.warm_pages(app, codes=[("place", "E06000001")])["built"] == 1
    page = state.peek(("place_budget", "E06000001", 2017, ()))
    assert page is not None and page.place == "E06000001"
    assert warm.warm_pages(app, codes=[("budget_api", "E06000001")])["built"] == 1
    state.work = ClosedGate()
    with TestClient(app) as client:
        answer = client.get("/api/places/E06000001/budget").json()
        assert client.get("/api/places/Hartlepool/budget").json() == answer  # another spelling: the same budget
        kept = state.peek(served.key("address", "/api/places/E06000001/budget", b""))
    assert kept is not None and json.loads(kept.body) == answer
    assert answer["year"] == 2017 and answer["total_gbp"] == page.total
    state.store.close()


def test_the_list_covers_every_current_place_and_council(web_app):
    state = web_app.state.data
    register = state.places()
    listed = warm.pages(web_app)
    current = set(register.loc[register["current"].astype(bool), "code"])
    assert {code for kind, code in listed if kind == "place"} == current
    simulators = {code for kind, code in listed if kind == "simulator"}
    assert "E10000016" in simulators and "E47000001" not in simulators and simulators <= current
    assert {code for kind, code in listed if kind == "results"} == simulators
    assert [kind for kind, _ in listed][-1] == "address"  # the places first, then the site


def test_a_queued_visitor_goes_first_and_stop_ends_the_warming(loaded_store_path, tmp_path):
    app = create_app(Settings(store_path=loaded_store_path, submissions_path=tmp_path / "s.sqlite"))
    state = app.state.data
    state.work.waiting = 1  # a visitor waits for the store
    stop = threading.Event()
    result: dict = {}
    thread = threading.Thread(target=lambda: result.update(warm.warm_pages(app, stop, [("place", "E06000002")])))
    thread.start()
    time.sleep(0.3)
    assert state.cache_bytes == 0  # nothing built while the visitor waits
    state.work.waiting = 0
    thread.join(60)
    assert result["built"] == 1 and state.cache_bytes > 0

    stop.set()  # a stopped warming builds nothing more
    assert warm.warm_pages(app, stop, [("place", "E06000003")])["built"] == 0
    state.close()


def test_what_pages_share_is_built_before_the_server_says_it_is_ready(loaded_store_path, tmp_path, monkeypatch):
    """Built afterwards, in the warming thread, the shared parts held the store for seconds while a
    visitor to a page not prepared (a former council's) waited at the gate and could get a 503."""
    started = []
    monkeypatch.setattr(warm, "start", lambda app: started.append(app.state.data) or (None, threading.Event()))
    app = create_app(Settings(store_path=loaded_store_path, submissions_path=tmp_path / "s.sqlite", warm_pages=True))
    state = app.state.data
    with TestClient(app) as client:
        assert started == [state]  # the warming thread starts after them
        latest = max(state.peek("budget_years"))
        assert state.peek(("budget_year", latest)) is not None  # the year's place budget inputs
        assert state.peek("baseline_run") is not None            # the scenario baseline behind the gap
        assert client.get("/places/E07000026", headers={"accept": "text/html"}).status_code == 200
    state.store.close()


def test_one_wait_for_the_store_does_not_refuse_every_later_page(web_app, monkeypatch):
    # The gate keeps a request's deadline in its context; the warming thread lives for minutes, so
    # without a context per page its first wait set a deadline that, once passed, refused every
    # later page that met a visitor at the gate (219 of 1,718 left unprepared under light traffic).
    from devolution.web.routers import places

    state = web_app.state.data
    monkeypatch.setattr(state.work, "wait", 0.3)
    held = threading.Event()

    def visitor():  # holds the store 0.1 s: well inside the gate's 0.3 s
        with state.work():
            held.set()
            time.sleep(0.1)

    def page(_state, code):  # each page meets a visitor at the gate and waits for it
        held.clear()
        holder = threading.Thread(target=visitor)
        holder.start()
        held.wait(5)
        try:
            with state.work():
                pass
        finally:
            holder.join()

    monkeypatch.setattr(places, "prepare", page)
    counts = warm.warm_pages(web_app, codes=[("place", f"P{i}") for i in range(6)], pause=0.0, quiet=True)
    assert counts == {"built": 6, "refused": 0, "busy": 0, "failed": 0}
