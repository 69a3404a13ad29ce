"""The residents' submissions on both backends: the SQLite file (default) and PostgreSQL
(``DEVOLUTION_DB_URL``, a real server started by ``.ci/install-postgres.sh``). The same tests run on
each: the one-time token, 409 on a repeat (also from a second server sharing the database), the
aggregates on the results page, and durability (200 concurrent submitters, the server SIGKILLed
mid-load and restarted: every acknowledged submission stored exactly once)."""

from __future__ import annotations

import base64
import sqlite3
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import httpx
import psycopg
import pytest
from fastapi.testclient import TestClient

from devolution.errors import StoreError
from devolution.web.app import create_app, open_submissions
from devolution.web.redaction import redact
from devolution.web.security import CSRF_COOKIE, SUBMIT_COOKIE
from devolution.web.state import Settings
from devolution.web.submissions_postgres import PostgresSubmissions
from tests.web.conftest import Server

CODE = "E06000002"
SUBMITTERS = 200
PLACES = ("E06000001", "E06000002", "E07000008", "E08000025")
ADMIN = {"authorization": "Basic " + base64.b64encode(b"admin:backend-test").decode()}


@dataclass
class Backend:
    name: str
    path: Path          # the SQLite file (unused when url is set)
    url: str            # a fresh PostgreSQL database, or "" for SQLite

    @property
    def env(self) -> dict[str, str]:
        return {"DEVOLUTION_SUBMISSIONS": str(self.path), "DEVOLUTION_DB_URL": self.url}

    def rows(self) -> list[tuple[str, int, str]]:
        """(token, id, place) of every stored submission, read directly (not through the app)."""
        query = "SELECT token, id, place FROM submissions"
        if not self.url:
            with sqlite3.connect(self.path) as db:
                return db.execute(query).fetchall()
        with psycopg.connect(self.url) as db:
            return db.execute(query).fetchall()


def fresh_database(server_url: str) -> str:
    """A new empty database on the test server, and its URL."""
    name = "t_" + uuid.uuid4().hex[:12]
    with psycopg.connect(server_url, autocommit=True) as db:
        db.execute(f'CREATE DATABASE "{name}"')
    return server_url.rsplit("/", 1)[0] + "/" + name


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request, tmp_path):
    url = fresh_database(request.getfixturevalue("postgres_url")) if request.param == "postgresql" else ""
    return Backend(request.param, tmp_path / "submissions.sqlite", url)


def make_app(backend: Backend, store: Path, monkeypatch):
    monkeypatch.setenv("DEVOLUTION_DB_URL", backend.url)
    monkeypatch.setenv("DEVOLUTION_ADMIN_PASSWORD", "backend-test")
    app = create_app(Settings(store_path=store, submissions_path=backend.path,
                              rate_capacity=1000, rate_per_second=1000))
    assert app.state.submissions.backend == backend.name
    return app


def submit(client: TestClient, form: dict) -> httpx.Response:
    csrf = client.get(f"/simulator/{CODE}", headers={"accept": "text/html"}).cookies.get(CSRF_COOKIE) \
        or client.cookies.get(CSRF_COOKIE)
    return client.post(f"/simulator/{CODE}/submit", data={"csrf": csrf, **form})


def test_kept_results_follow_budgets_submitted_through_another_server(backend, loaded_store_path, monkeypatch):
    """A council's public results are kept as bytes under the tally of its submissions (count and
    latest id): a budget sent through a second server sharing the database shows on the next visit
    to the first, as page and JSON, and until then the kept answer is reused."""
    monkeypatch.setenv("DEVOLUTION_RESULTS_MINIMUM", "2")
    watcher_app, other_app = make_app(backend, loaded_store_path, monkeypatch), make_app(backend, loaded_store_path,
                                                                                         monkeypatch)
    with TestClient(watcher_app) as watcher, TestClient(other_app) as a, TestClient(other_app) as b:
        service = a.get(f"/simulator/{CODE}.json").json()["services"][0]["measure"]
        first = watcher.get(f"/simulator/{CODE}/results.json").json()
        assert (first["submissions"], first["published"]) == (0, False)
        assert watcher.get("/simulator/middlesbrough/results.json").json() == first  # any spelling, one kept copy
        assert submit(a, {"council_tax_change": "0.01", "changes": f'{{"{service}": -30000}}'}).status_code == 201
        one = watcher.get(f"/simulator/{CODE}/results.json").json()
        assert (one["submissions"], one["published"]) == (1, False)
        assert submit(b, {"council_tax_change": "0.03", "changes": "{}"}).status_code == 201
        two = watcher.get(f"/simulator/{CODE}/results.json").json()
        assert (two["submissions"], two["published"]) == (2, True)
        assert two["council_tax"]["mean"] == pytest.approx(0.02)
        assert {s["measure"]: s["mean_change_gbp"] for s in two["services"]}[service] == pytest.approx(-15000)
        page = watcher.get(f"/simulator/{CODE}/results", headers={"accept": "text/html"}).text
        assert "2 budgets submitted" in page
    assert watcher_app.state.submissions.tally(CODE, two["year"]) == (2, max(i for _, i, _ in backend.rows()))


def test_one_time_token_409_and_results(backend, loaded_store_path, monkeypatch):
    first_app = make_app(backend, loaded_store_path, monkeypatch)
    with TestClient(first_app) as a, TestClient(first_app) as b, TestClient(first_app) as c:
        service = a.get(f"/simulator/{CODE}.json").json()["services"][0]["measure"]
        forms = [{"council_tax_change": "0", "changes": f'{{"{service}": -10000}}'},
                 {"council_tax_change": "0.01", "changes": f'{{"{service}": -20000}}'},
                 {"council_tax_change": "0.02", "changes": "{}"}]
        answers = [submit(browser, form) for browser, form in zip((a, b, c), forms)]
        assert [r.status_code for r in answers] == [201, 201, 201], [r.text for r in answers]
        assert submit(a, forms[0]).status_code == 409  # the one-time token, used
        assert a.get(f"/simulator/{CODE}.json").json()["already_submitted"] is True
        tokens = [f"{browser.cookies.get(SUBMIT_COOKIE)}:{CODE}" for browser in (a, b, c)]  # one per council
        stored = backend.rows()
        assert sorted(t for t, _, _ in stored) == sorted(tokens)  # each once, no 409 stored
        assert {t: i for t, i, _ in stored} == {t: r.json()["id"] for t, r in zip(tokens, answers)}

        rows = a.get("/simulator/results.json", headers=ADMIN).json()["rows"]
        mine = {r["service"]: r for r in rows if r["place"] == CODE}
        assert mine[service]["submissions"] == 3
        assert mine[service]["mean_council_tax_change"] == pytest.approx(0.01, abs=1e-12)
        assert mine[service]["mean_change_gbp"] == pytest.approx(-10000, abs=1e-9)
        assert mine[service]["share_cutting"] == pytest.approx(2 / 3) and mine[service]["share_raising"] == 0
        page = a.get("/simulator/results", headers={**ADMIN, "accept": "text/html"})
        assert page.status_code == 200
        assert (f'<td class="num">3</td><td class="num">1.00%</td><td>{service}</td><td class="num">-10,000</td>'
                '<td class="num">67%</td><td class="num">0%</td>') in page.text

    # A second server on the same database (a restart, or another node of a shared deployment):
    # the same signing key, so the first browser's token is recognised and refused again.
    second_app = make_app(backend, loaded_store_path, monkeypatch)
    assert second_app.state.submissions.secret() == first_app.state.submissions.secret()
    with TestClient(second_app, cookies={SUBMIT_COOKIE: tokens[0].rsplit(":", 1)[0]}) as again:
        assert submit(again, forms[0]).status_code == 409
    assert len(backend.rows()) == 3


def test_one_address_may_send_so_many_budgets_per_council(backend, loaded_store_path, monkeypatch):
    monkeypatch.setenv("DEVOLUTION_DB_URL", backend.url)
    app = create_app(Settings(store_path=loaded_store_path, submissions_path=backend.path, rate_capacity=1000,
                              rate_per_second=1000, submissions_per_address=2))
    answers = []
    for _ in range(3):  # three browsers (fresh tokens) at one address
        with TestClient(app) as browser:
            answers.append(submit(browser, {"council_tax_change": "0", "changes": "{}"}))
    assert [a.status_code for a in answers] == [201, 201, 429], [a.text for a in answers]
    assert len(backend.rows()) == 2


def submit_once(url: str, n: int, acknowledged: dict, stop: threading.Event) -> None:
    if stop.is_set():
        return
    code = PLACES[n % len(PLACES)]
    try:
        with httpx.Client(base_url=url, timeout=120) as client:  # 200 at once queue: a timeout would lose no data but prove nothing
            client.get(f"/simulator/{code}")
            form = {"csrf": client.cookies.get(CSRF_COOKIE), "council_tax_change": str(0.001 * (n % 10)), "changes": "{}"}
            response = client.post(f"/simulator/{code}/submit", data=form)
            if response.status_code == 201:
                # stored under the browser's token and the council (one budget per browser for each council)
                acknowledged[f"{client.cookies.get(SUBMIT_COOKIE)}:{code}"] = (response.json()["id"], code)
    except httpx.HTTPError:
        pass  # the server was killed under this request: not acknowledged, so nothing is owed


def test_acknowledged_submissions_survive_sigkill(backend, loaded_store_path):
    server = Server(loaded_store_path, backend.path, env=backend.env).start()
    for code in PLACES:  # each page prepared once, as a deployment warmed by DEVOLUTION_WARM would be:
        httpx.get(f"{server.url}/simulator/{code}", timeout=60)  # the test is of durability, not of cold pages
    acknowledged: dict[str, tuple[int, str]] = {}
    stop = threading.Event()
    with ThreadPoolExecutor(max_workers=SUBMITTERS) as pool:
        futures = [pool.submit(submit_once, server.url, n, acknowledged, stop) for n in range(SUBMITTERS)]
        deadline = time.monotonic() + 90  # 200 submitters on a busy CI machine: ~20 s here, more there
        while len(acknowledged) < SUBMITTERS // 4 and time.monotonic() < deadline:
            time.sleep(0.005)
        server.kill()  # SIGKILL mid-load
        stop.set()
        for f in futures:
            f.result()
    acked = dict(acknowledged)
    assert len(acked) >= SUBMITTERS // 4, f"only {len(acked)} acknowledged before the kill"

    restarted = Server(loaded_store_path, backend.path, env=backend.env).start()
    try:
        rows = backend.rows()
        stored: dict[str, list] = {}
        for token, id_, place in rows:
            stored.setdefault(token, []).append((id_, place))
        missing = [t for t in acked if t not in stored]
        assert not missing, f"{len(missing)} acknowledged submissions lost"
        assert all(stored[t] == [acked[t]] for t in acked)  # exactly once, with the id acknowledged
        assert len(rows) == len(stored)  # no token stored twice
        token, (_, code) = next(iter(acked.items()))
        with httpx.Client(base_url=restarted.url, timeout=10, cookies={SUBMIT_COOKIE: token.rsplit(":", 1)[0]}) as client:
            client.get(f"/simulator/{code}")
            again = client.post(f"/simulator/{code}/submit", data={
                "csrf": client.cookies.get(CSRF_COOKIE), "council_tax_change": "0", "changes": "{}"})
        assert again.status_code == 409
    finally:
        restarted.stop()


def test_postgres_schema_creation_is_idempotent_and_concurrent(postgres_url):
    url = fresh_database(postgres_url)
    with ThreadPoolExecutor(max_workers=8) as pool:  # eight servers starting at once on an empty database
        stores = list(pool.map(lambda _: open_submissions(url=url), range(8)))
    assert all(isinstance(s, PostgresSubmissions) for s in stores)
    assert len({s.secret() for s in stores}) == 1  # one signing key, made once
    stores[0].add("tok", CODE, 2025, 0.01, {"x": -1.0})
    assert all(s.used("tok") for s in stores) and len(stores[3].frame()) == 1
    for s in stores:
        s.close()


def test_unreachable_postgres_names_the_url_without_its_password(postgres_url):
    host_port = postgres_url.split("@", 1)[1].split("/", 1)[0]
    wrong = f"postgresql://devolution:hunter2-secret@{host_port}/devolution"  # a wrong password
    closed = "postgresql://someone:hunter2-secret@127.0.0.1:1/nowhere"       # nothing listening
    for url in (wrong, closed):
        with pytest.raises(StoreError) as caught:
            open_submissions("unused.sqlite", url=url)
        message = str(caught.value)
        assert redact(url) in message and "hunter2" not in message and "DEVOLUTION_DB_URL" in message
    assert redact(closed) == "postgresql://someone:***@127.0.0.1:1/nowhere"
