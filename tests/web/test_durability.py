"""Durability: 200 concurrent submitters against the real server (uvicorn, loopback), the server
SIGKILLed mid-load and restarted: every acknowledged submission is stored exactly once."""

from __future__ import annotations

import sqlite3
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx

from devolution.web.security import CSRF_COOKIE, SUBMIT_COOKIE
from tests.web.conftest import Server

SUBMITTERS = 200
PLACES = ("E06000001", "E06000002", "E07000008", "E08000025")


def submit_once(url: str, n: int, acknowledged: dict, stop: threading.Event) -> None:
    if stop.is_set():
        return
    code = PLACES[n % len(PLACES)]
    try:
        with httpx.Client(base_url=url, timeout=10) as client:
            client.get(f"/simulator/{code}")
            form = {"csrf": client.cookies.get(CSRF_COOKIE), "council_tax_change": str(0.001 * (n % 10)), "changes": "{}"}
            response = client.post(f"/simulator/{code}/submit", data=form)
            if response.status_code == 201:
                acknowledged[client.cookies.get(SUBMIT_COOKIE)] = (response.json()["id"], code)
    except httpx.HTTPError:
        pass  # the server was killed under this request: not acknowledged, so nothing is owed


def test_acknowledged_submissions_survive_sigkill(loaded_store_path, tmp_path):
    database = tmp_path / "submissions.sqlite"
    server = Server(loaded_store_path, database).start()
    acknowledged: dict[str, tuple[int, str]] = {}
    stop = threading.Event()
    with ThreadPoolExecutor(max_workers=SUBMITTERS) as pool:
        futures = [pool.submit(submit_once, server.url, n, acknowledged, stop) for n in range(SUBMITTERS)]
        deadline = time.monotonic() + 20
        while len(acknowledged) < SUBMITTERS // 4 and time.monotonic() < deadline:
            time.sleep(0.005)
        server.kill()  # SIGKILL mid-load
        stop.set()
        for f in futures:
            f.result()
    acked = dict(acknowledged)
    assert len(acked) >= SUBMITTERS // 4, f"only {len(acked)} acknowledged before the kill"

    restarted = Server(loaded_store_path, database).start()
    try:
        with sqlite3.connect(database) as db:
            rows = db.execute("SELECT token, id, place FROM submissions").fetchall()
        stored = {}
        for token, id_, place in rows:
            stored.setdefault(token, []).append((id_, place))
        missing = [t for t in acked if t not in stored]
        assert not missing, f"{len(missing)} acknowledged submissions lost"
        assert all(stored[t] == [acked[t]] for t in acked)  # exactly once, with the id acknowledged
        assert len(rows) == len(stored)  # no token stored twice
        # A browser whose submission was acknowledged cannot submit again after the restart.
        token, (_, code) = next(iter(acked.items()))
        with httpx.Client(base_url=restarted.url, timeout=10, cookies={SUBMIT_COOKIE: token}) as client:
            client.get(f"/simulator/{code}")
            again = client.post(f"/simulator/{code}/submit", data={
                "csrf": client.cookies.get(CSRF_COOKIE), "council_tax_change": "0", "changes": "{}"})
        assert again.status_code == 409
    finally:
        restarted.stop()
