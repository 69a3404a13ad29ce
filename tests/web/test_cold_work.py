"""Cold pages cannot starve the rest: the store takes one cold build at a time with a short queue
(``Settings.cold_queue``, ``cold_wait``); beyond it a request is refused at once with 503 and
Retry-After, and what is already built (warm pages, the API's cached tables) never waits for it.
(Making cold pages fast is another matter: here only that they cannot hold everything else.)"""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from fastapi.testclient import TestClient

from devolution.web.app import create_app
from devolution.web.state import Settings
from tests.web.conftest import Server

WARM = ("/places/E06000001", "/api/measures", "/map.json", "/api/series/population?limit=10", "/simulator/E06000001.json")


def timed(client, url: str, **kwargs) -> tuple[int, float, dict]:
    started = time.monotonic()
    response = client.get(url, **kwargs)
    return response.status_code, time.monotonic() - started, response.headers


@pytest.fixture()
def gated(loaded_store_path, tmp_path):
    app = create_app(Settings(store_path=loaded_store_path, submissions_path=tmp_path / "s.sqlite",
                              cold_queue=2, cold_wait=30))
    with TestClient(app) as client:
        for url in WARM:
            assert client.get(url).status_code == 200  # built once: warm from now on
        yield app.state.data, client


def test_while_the_store_is_held_warm_pages_answer_and_cold_ones_queue_then_are_refused(gated):
    state, client = gated
    queued: list = []
    with state.work():  # a cold build holds the store
        waiters = [threading.Thread(target=lambda c=code: queued.append(timed(client, f"/places/{c}")))
                   for code in ("E06000002", "E06000003")]
        for thread in waiters:
            thread.start()
        deadline = time.monotonic() + 20
        while state.work.waiting < 2 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert state.work.waiting == 2  # the queue is full

        status, seconds, headers = timed(client, "/places/E06000004")  # one more cold page
        assert status == 503 and seconds < 2 and int(headers["retry-after"]) > 0
        refused = client.get("/places/E06000004", headers={"accept": "text/html"})
        assert refused.status_code == 503 and "busy" in refused.text

        for url in WARM:  # everything already built answers at once
            status, seconds, _ = timed(client, url)
            assert status == 200 and seconds < 2, (url, seconds)
    for thread in waiters:
        thread.join(60)
    assert [status for status, _, _ in queued] == [200, 200]  # the queued ones were served in turn


def test_a_request_that_waits_too_long_for_the_store_is_refused(loaded_store_path, tmp_path):
    app = create_app(Settings(store_path=loaded_store_path, submissions_path=tmp_path / "s.sqlite",
                              cold_queue=5, cold_wait=0.5))
    with TestClient(app) as client, app.state.data.work():
        status, seconds, headers = timed(client, "/places/E06000005")
        assert status == 503 and 0.5 <= seconds < 5 and headers["retry-after"]


def test_fifty_cold_pages_at_once_leave_warm_pages_fast_on_a_real_server(loaded_store_path, tmp_path):
    server = Server(loaded_store_path, tmp_path / "s.sqlite").start()
    try:
        with httpx.Client(base_url=server.url, timeout=120) as client:
            for url in WARM:
                assert client.get(url).status_code == 200
            codes = [r["code"] for r in client.get("/api/places?tier=shire_district&limit=60").json()["rows"]][:50]
        assert len(codes) == 50
        cold: list = []
        warm: list = []
        stop = threading.Event()

        def browse() -> None:
            with httpx.Client(base_url=server.url, timeout=120) as client:
                while not stop.is_set():
                    warm.extend(timed(client, url)[:2] + (url,) for url in WARM)

        def visit(code: str) -> None:
            with httpx.Client(base_url=server.url, timeout=120) as client:
                cold.append(timed(client, f"/places/{code}"))

        watcher = threading.Thread(target=browse)
        watcher.start()
        with ThreadPoolExecutor(max_workers=50) as pool:
            list(pool.map(visit, codes))
        stop.set()
        watcher.join()
    finally:
        server.stop()
    # The queue (64) holds all fifty; on a slow machine the last of them pass cold_wait and are refused,
    # on a fast one all are served (CI's machine served every one), so either is right, each refusal
    # with its Retry-After. Refusal itself is pinned deterministically by the held-store tests above.
    assert len(cold) == 50 and {status for status, _, _ in cold} <= {200, 503}
    assert all(headers.get("retry-after") for status, _, headers in cold if status == 503)
    slowest = max(seconds for _, seconds, _ in cold)
    assert slowest < 30, f"a cold page took {slowest:.0f} s (no one waits more than cold_wait + one build)"
    # Warm pages share two loaded cores with the cold builds, so they are slower than alone (60 ms),
    # but never stuck behind them (without the gate they waited for a free thread, minutes).
    times = sorted(seconds for _, seconds, _ in warm)
    assert warm and all(status == 200 for status, _, _ in warm)
    assert times[len(times) // 2] < 1.5 and times[-1] < 10, sorted((s, url) for _, s, url in warm)[-5:]


def test_many_asking_for_the_same_cold_page_wait_for_one_build_not_in_the_queue(loaded_store_path, tmp_path):
    app = create_app(Settings(store_path=loaded_store_path, submissions_path=tmp_path / "s.sqlite",
                              cold_queue=1, cold_wait=60))
    with TestClient(app) as client, ThreadPoolExecutor(max_workers=20) as pool:
        answers = list(pool.map(lambda _: client.get("/api/places/E06000007").status_code, range(20)))
    assert answers == [200] * 20  # a queue of one, yet nobody refused: they shared the builds


def test_a_build_needing_a_part_another_request_waits_to_build_does_not_deadlock(loaded_store_path, tmp_path):
    from devolution.web.state import AppState

    state = AppState(Settings(store_path=loaded_store_path, submissions_path=tmp_path / "s.sqlite", cold_wait=30))
    inside, got = threading.Event(), {}

    def whole_page(store):  # holds the store, then needs a part another request is waiting to build
        inside.set()
        deadline = time.monotonic() + 10
        while state.work.waiting < 1 and time.monotonic() < deadline:
            time.sleep(0.01)
        return "page with " + state.cached("part", lambda s: "the part")

    started = time.monotonic()
    first = threading.Thread(target=lambda: got.update(page=state.cached("page", whole_page)))
    first.start()
    inside.wait(10)
    second = threading.Thread(target=lambda: got.update(part=state.cached("part", lambda s: "built twice")))
    second.start()
    first.join(40)
    second.join(40)
    assert got == {"page": "page with the part", "part": "the part"}  # built once, by the holder of the store
    assert time.monotonic() - started < 10  # neither waited out the other


def test_the_preparation_gives_way_to_a_visitor_between_its_passes_through_the_gate():
    """A visitor's page passes the gate several times; the start-up preparation took the store
    between the passes, so a reorganisation answer waited 10 s behind prepared pages and got a 503.
    A visitor holding the store, or that let go of it less than VISITOR_GRACE ago, keeps it from
    the preparation; the preparation's own passes do not count as a visitor's."""
    import contextvars
    import time

    from devolution.web.state import PREPARING, VISITOR_GRACE, ColdWork

    gate = ColdWork(queue=4, wait=1.0)
    assert not gate.visitors_active()
    with gate():
        assert gate.visitors_active()  # a visitor holds it
    assert gate.visitors_active()      # and has just let go: its next pass may follow
    time.sleep(VISITOR_GRACE + 0.05)
    assert not gate.visitors_active()

    def prepare():
        PREPARING.set(True)
        with gate():
            assert not gate.visitors_active()
    contextvars.Context().run(prepare)
    assert not gate.visitors_active()  # the preparation's pass leaves no grace behind
