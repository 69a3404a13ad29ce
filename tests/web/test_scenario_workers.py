"""The scenario worker processes: answers over the event loop's pipes, a worker that dies or
overruns the time limit replaced without taking the server with it, only the named calls run,
workers leave when the server goes, and answers gzip-compressed for clients that accept it."""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import json
import os
import pickle
import signal
import subprocess
import sys
import threading
import time

import httpx
import pytest

from devolution.web import scenario_workers
from devolution.web.routers import scenarios as routes

CORE = "parameters.council_tax.referendum.core_limit"


def test_a_worker_answers_only_the_calls_it_knows():
    ok, error = pickle.loads(scenario_workers._answer("open", ("/etc/passwd",))[scenario_workers.HEADER:])
    assert not ok and isinstance(error, KeyError)
    assert set(scenario_workers.CALLS) == {"recompute", "run"}


def test_a_worker_leaves_when_the_server_closes_its_pipe(loaded_store_path):
    """And starts without a word: run as ``-m devolution.web.scenario_workers``, Python warned on
    every start that the module was already in sys.modules (the package had imported it)."""
    worker = subprocess.Popen([sys.executable, "-m", scenario_workers.ENTRY, str(loaded_store_path)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    worker.stdin.close()  # what the kernel does when the server dies
    assert worker.wait(60) == 0
    assert worker.stderr.read() == b""


def test_the_pool_answers_and_replaces_a_worker_that_died_or_overran(loaded_store_path):
    from devolution.scenarios.knobs import knob_scenario

    _, raw = knob_scenario({"draws": 10, "seed": 3}, 1000)

    async def scenario():
        pool = scenario_workers.Pool(loaded_store_path, 1)
        try:
            first = json.loads(gzip.decompress(await pool.call("recompute", raw, 20.0, timeout=60)))
            (worker,) = pool.workers
            worker.kill()
            await worker.process.wait()  # died while idle: the next call starts another, no error
            again = json.loads(gzip.decompress(await pool.call("recompute", raw, 20.0, timeout=60)))
            (replacement,) = pool.workers
            os.kill(replacement.process.pid, signal.SIGSTOP)  # holds the call it is given: no race with its speed
            call = asyncio.ensure_future(pool.call("recompute", {**raw, "seed": 5}, 20.0, timeout=60))
            await asyncio.sleep(0.2)
            replacement.kill()  # dies mid-call: that call says so
            with pytest.raises(scenario_workers.WorkerDied):
                await call
            (third,) = pool.workers or [None]
            with pytest.raises(asyncio.TimeoutError):  # overruns: killed, not left computing
                await pool.call("recompute", {**raw, "seed": 4}, 20.0, timeout=0.001)
            assert not pool.workers
            with pytest.raises(Exception) as refused:  # a problem in the call comes back as itself
                await pool.call("recompute", {**raw, "years": "2025-26..2090-91"}, 20.0, timeout=60)
            assert "years" in str(refused.value) and len(pool.workers) == 1  # and the worker stays
            return first, again, replacement is not worker and third is None
        finally:
            await pool.close()

    first, again, replaced = asyncio.run(scenario())
    assert replaced and first["england_at_year"] == again["england_at_year"] and first["draws"] == 10


def test_gzip_to_clients_that_accept_it_and_plain_json_to_the_others(live_server):
    knobs = {CORE: {"2026-27": 0.0455}, "draws": 20, "seed": 5}
    url = live_server.url + "/api/scenarios/recompute"
    zipped = httpx.post(url, json=knobs, headers={"Accept-Encoding": "gzip"}, timeout=60)
    plain = httpx.post(url, json=knobs, headers={"Accept-Encoding": "identity"}, timeout=60)
    assert zipped.headers["content-encoding"] == "gzip" and "content-encoding" not in plain.headers
    assert plain.headers["x-cache"] == "hit" and "Accept-Encoding" in plain.headers["vary"]
    assert zipped.json() == plain.json()  # httpx undoes the gzip: the same answer
    assert int(zipped.headers["content-length"]) * 3 < int(plain.headers["content-length"])


@pytest.mark.parametrize("header, expected", [
    ("gzip, deflate, br", True), ("br;q=1.0, gzip;q=0.8", True), ("*", True), ("GZIP", True),
    ("gzip;q=0", False), ("identity", False), ("", False), ("deflate", False), ("gzip;q=nonsense", False),
])
def test_accept_encoding_is_read_as_http_says(header, expected):
    assert routes.accepts_gzip(header) is expected


def test_a_killed_worker_costs_one_503_not_the_server(live_server):
    """SIGKILL the workers while one holds a call: that request gets 503 with Retry-After, the next
    one (and the rest of the server) works."""
    url = live_server.url + "/api/scenarios/recompute"
    assert httpx.post(url, json={"draws": 10, "seed": 21}, timeout=60).status_code == 200  # workers up

    out = subprocess.run(["pgrep", "-P", str(live_server.process.pid), "-f", scenario_workers.ENTRY],
                         capture_output=True, text=True)
    stopped = [int(p) for p in out.stdout.split()]  # this server's workers only
    assert stopped
    for pid in stopped:  # they take the next call and hold it: no race with how fast they compute
        os.kill(pid, signal.SIGSTOP)
    with httpx.Client(timeout=60) as client:
        answer = {}
        thread = threading.Thread(target=lambda: answer.update(r=client.post(url, json={"draws": 10, "seed": 22})))
        thread.start()
        time.sleep(0.5)
        for pid in stopped:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        thread.join(60)
    assert answer["r"].status_code == 503 and "Retry-After" in answer["r"].headers
    assert "stopped unexpectedly" in answer["r"].json()["error"]
    again = httpx.post(url, json={"draws": 10, "seed": 23}, timeout=60)
    assert again.status_code == 200 and again.json()["draws"] == 10


def test_a_run_over_the_time_limit_is_a_503_for_everyone_waiting_and_the_next_one_runs(client, monkeypatch):
    from concurrent.futures import ThreadPoolExecutor

    knobs = {CORE: {"2026-27": 0.0466}, "draws": 12, "seed": 31}
    monkeypatch.setattr(routes, "TIME_LIMIT", 0.001)
    with ThreadPoolExecutor(3) as pool:  # one computes, the others join it
        answers = list(pool.map(lambda _: client.post("/api/scenarios/recompute", json=knobs), range(3)))
    assert [a.status_code for a in answers] == [503] * 3
    assert all("Retry-After" in a.headers and "longer than" in a.json()["error"] for a in answers)
    monkeypatch.setattr(routes, "TIME_LIMIT", 20.0)
    again = client.post("/api/scenarios/recompute", json=knobs)
    assert again.status_code == 200 and again.headers["X-Cache"] == "miss"  # the failure was not kept


def test_devo_serve_starts_warm_and_leaves_no_worker_behind(loaded_store_path, tmp_path):
    """The command a user runs: a clear error without a store; with one, the page's default setting
    is already being computed when the first visitor asks, and Ctrl+C stops the workers too."""
    from tests.web.conftest import free_port

    devo = [sys.executable, "-c", "from devolution.cli import app; app()"]
    env = {**os.environ, "DEVOLUTION_SUBMISSIONS": str(tmp_path / "s.sqlite")}
    env.pop("DEVOLUTION_WARM", None)
    missing = subprocess.run([*devo, "serve"], env={**env, "DEVOLUTION_STORE": str(tmp_path / "none.duckdb")},
                             capture_output=True, text=True, timeout=60)
    assert missing.returncode != 0 and "no store" in missing.stdout + missing.stderr
    port = free_port()
    server = subprocess.Popen([*devo, "serve", "--port", str(port)], env={**env, "DEVOLUTION_STORE": str(loaded_store_path)})
    try:
        deadline, first = time.monotonic() + 60, None
        while first is None and time.monotonic() < deadline:
            try:
                first = httpx.post(f"http://127.0.0.1:{port}/api/scenarios/recompute", json={}, timeout=60)
            except httpx.HTTPError:
                time.sleep(0.2)
        assert first is not None and first.status_code == 200 and first.headers["x-cache"] in ("shared", "hit")
        workers = subprocess.run(["pgrep", "-P", str(server.pid), "-f", scenario_workers.ENTRY],
                                 capture_output=True, text=True).stdout.split()
        assert len(workers) == routes.WORKERS
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(30)
    for pid in workers:  # gone with the server
        deadline = time.monotonic() + 10
        while os.path.exists(f"/proc/{pid}") and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not os.path.exists(f"/proc/{pid}") or open(f"/proc/{pid}/stat").read().split()[2] == "Z"
