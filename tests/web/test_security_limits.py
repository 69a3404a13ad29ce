"""Never a 500 on bad input, every input bounded (a 422 naming the field), request bodies limited
(413), security headers and the Content-Security-Policy on every answer, wrong admin passwords
locked out, the cache bounded in bytes and the submissions file readable by its owner only."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import stat
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from devolution.web.app import create_app
from devolution.web.middleware import CSP
from devolution.web.security import CSRF_COOKIE, Lockout
from devolution.web.state import Settings, size_of
from devolution.web.submissions_sqlite import SqliteSubmissions

CLAIM = {"id": "x", "statement": "Spending fell.", "measure": "nce_total_service_expenditure",
         "from": "2010-11", "to": "2017-18", "compare": {"kind": "change", "at_most": 0}}
TEMPLATES = Path(__file__).resolve().parents[2] / "src" / "devolution" / "web" / "templates"
JSON = {"content-type": "application/json"}


def refused(response, status: int, path: str) -> None:
    """``status`` with a JSON error naming ``path`` (in its message and its problems, if listed)."""
    assert response.status_code == status, (response.status_code, response.text[:300])
    body = response.json()
    assert path in body["error"], (path, body)
    if "problems" in body:
        assert any(path in p["path"] for p in body["problems"]), (path, body["problems"])


@pytest.fixture(scope="module")
def scenario(client):
    return {**client.get("/api/scenarios").json()["defaults"], "years": "2025-26..2027-28", "draws": 10}


def test_the_documented_draws_run_and_one_more_is_refused_by_name(client, scenario):
    ran = client.post("/api/scenarios/run", json={"scenario": {**scenario, "draws": 1000}})
    assert ran.status_code == 200 and ran.json()["draws"] == 1000
    refused(client.post("/api/scenarios/run", json={"scenario": {**scenario, "draws": 1001}}), 422, "scenario.draws")
    assert client.get("/api/scenarios").json()["max_draws"] == 1000


def test_a_seed_of_2_to_the_64_is_a_422_naming_the_seed(client, scenario):
    refused(client.post("/api/scenarios/run", json={"scenario": {**scenario, "seed": 2**64}}), 422, "scenario.seed")
    refused(client.post("/api/scenarios/recompute", json={"seed": 2**64}), 422, "seed")
    assert client.post("/api/scenarios/run", json={"scenario": {**scenario, "seed": 2**63 - 1}}).status_code == 200


@pytest.mark.parametrize("boundaries", [0, -1, 1e23, 10**18, 2100])
def test_a_claim_on_impossible_boundaries_is_a_422_naming_them(client, boundaries):
    response = client.post("/api/claims/check", json={"claims": [{**CLAIM, "boundaries": boundaries}]})
    refused(response, 422, "body.claims.0.boundaries")


@pytest.mark.parametrize("text", ["claims: " + "[" * 5000 + "]" * 5000, "- " * 5000 + "x", "{a: " * 600 + "}" * 600])
def test_yaml_nested_thousands_deep_is_a_422(client, text):
    refused(client.post("/claims.json", data={"claims": text}), 422, "claims")
    page = client.post("/claims", data={"claims": text}, headers={"accept": "text/html"})
    assert page.status_code == 422 and "nested too deeply" in page.text


@pytest.mark.parametrize("route, key", [("/api/scenarios/run", "scenario"), ("/api/scenarios/recompute", "years"),
                                        ("/api/claims/check", "claims")])
@pytest.mark.parametrize("depth", [40, 500, 5000])
def test_json_nested_deep_is_a_422(client, route, key, depth):
    body = '{"%s": %s%s}' % (key, "[" * depth, "]" * depth)
    response = client.post(route, content=body, headers={"content-type": "application/json"})
    assert response.status_code == 422 and "nested more than 32 levels" in response.json()["error"], response.text[:200]


@pytest.mark.parametrize("number", ["NaN", "Infinity", "-Infinity", "1e400"])
def test_numbers_json_cannot_carry_are_a_422_naming_where(client, scenario, number):
    text = json.dumps({"claims": [CLAIM]}).replace('"at_most": 0', f'"at_most": {number}')
    refused(client.post("/api/claims/check", content=text, headers=JSON), 422, "body.claims.0.compare.at_most")
    text = json.dumps({"scenario": {**scenario, "seed": 1}}).replace('"seed": 1', f'"seed": {number}')
    refused(client.post("/api/scenarios/run", content=text, headers=JSON), 422, "body.scenario.seed")


def test_a_scenario_rate_past_100_percent_a_year_is_refused_by_name(client, scenario):
    for value in (1e308, 2.0, {"distribution": "normal", "mean": 1e308, "sd": 0.01}):
        body = {"scenario": {**scenario, "assumptions": {**scenario["assumptions"], "inflation": value}}}
        refused(client.post("/api/scenarios/run", json=body), 422, "scenario.assumptions.inflation")


@pytest.mark.parametrize("change", ["nan", "inf", "-inf", "1e400"])
def test_a_submitted_council_tax_change_must_be_a_finite_number(client, change):
    client.get("/simulator/E06000002")
    response = client.post("/simulator/E06000002/submit", data={"csrf": client.cookies.get(CSRF_COOKIE),
                                                                "council_tax_change": change, "changes": "{}"})
    refused(response, 422, "council_tax_change")


def test_a_body_over_the_limit_is_a_413_however_it_is_sent(client, scenario):
    too_big = json.dumps({"scenario": {**scenario, "description": "x" * 300_000}})
    assert client.post("/api/scenarios/run", content=too_big, headers=JSON).status_code == 413
    chunks = (too_big[i:i + 10_000].encode() for i in range(0, len(too_big), 10_000))  # no Content-Length
    refused(client.post("/api/scenarios/run", content=chunks, headers=JSON), 413, "larger than the 262,144 bytes")
    refused(client.post("/claims.json", data={"claims": "x" * 300_000}), 413, "request body")
    fits = json.dumps({"scenario": {**scenario, "description": "x" * 200_000}})
    assert client.post("/api/scenarios/run", content=fits, headers=JSON).status_code == 200


def test_every_answer_carries_the_security_headers(client):
    for url in ("/", "/places/E06000001", "/api/measures", "/static/app.js", "/api/places/E99999999",
                "/simulator/E06000002.json", "/vendor/vega.js"):
        headers = client.get(url, headers={"accept": "text/html"}).headers
        assert headers["content-security-policy"] == CSP, url
        assert headers["x-content-type-options"] == "nosniff" and headers["x-frame-options"] == "DENY", url
        assert headers["referrer-policy"] == "same-origin", url
    assert "frame-ancestors 'none'" in CSP and "script-src 'self';" in CSP and "unsafe" not in CSP
    assert client.post("/api/claims/check", content=b"{", headers=JSON).headers["content-security-policy"] == CSP


def test_the_api_docs_allow_their_own_inline_script_and_no_other(client):
    for url in ("/docs", "/redoc"):
        page = client.get(url)
        policy = page.headers["content-security-policy"]
        script_src = policy.split("script-src", 1)[1].split(";")[0]
        assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src and "frame-ancestors 'none'" in policy
        for script in re.findall(r"<script>(.*?)</script>", page.text, re.DOTALL):  # FastAPI's start-up script, if any
            assert f"'sha256-{base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()}'" in script_src
        assert script_src.count("'sha256-") == len(re.findall(r"<script>", page.text))  # only the page's own


def test_no_template_has_an_inline_script_handler_or_style():
    """The rule every page follows (docs/security.md): scripts and styles in static files; a
    <script> in a template only carries JSON data (``type="application/json"``)."""
    for template in TEMPLATES.glob("*.html"):
        text = template.read_text()
        for tag in re.findall(r"<script\b[^>]*>", text):
            assert "src=" in tag or 'type="application/json"' in tag, (template.name, tag)
        assert not re.search(r"\son[a-z]+\s*=", text), template.name
        assert not re.search(r"\sstyle\s*=|<style\b", text), template.name
        assert "javascript:" not in text, template.name


def test_wrong_admin_passwords_are_slowed_then_locked_out(loaded_store_path, tmp_path, monkeypatch):
    monkeypatch.setenv("DEVOLUTION_ADMIN_PASSWORD", "right-password")
    app = create_app(Settings(store_path=loaded_store_path, submissions_path=tmp_path / "s.sqlite"))

    def basic(password: str) -> dict:
        return {"authorization": "Basic " + base64.b64encode(f"admin:{password}".encode()).decode()}

    with TestClient(app) as admin:
        assert admin.get("/simulator/results.json", headers=basic("right-password")).status_code == 200
        answers = [admin.get("/simulator/results.json", headers=basic(f"guess{n}")).status_code for n in range(4)]
        assert answers == [401, 401, 401, 401]  # three free, the fourth locks the client out
        locked = admin.get("/simulator/results.json", headers=basic("right-password"))
        assert locked.status_code == 429 and int(locked.headers["Retry-After"]) >= 1  # even the right one, now
        assert "too many wrong admin passwords" in locked.json()["error"]


def test_the_lockout_doubles_caps_and_forgets_on_success():
    now = [1000.0]
    guard = Lockout(free=3, longest=60, global_limit=12, clock=lambda: now[0])
    for _ in range(3):
        guard.failed("a")
    assert guard.wait("a") == 0  # three free
    waits = []
    for _ in range(8):
        guard.failed("a")
        waits.append(guard.wait("a"))
    assert waits[:6] == [2, 4, 8, 16, 32, 60] and waits[-1] == 60  # doubling, then capped
    assert guard.wait("b") == 0  # another client is not locked out by a's guesses...
    guard.failed("b")
    assert guard.wait("b") > 0 and guard.wait("c") > 0  # ...until the hour's cap (12) is reached: everyone waits
    now[0] += 3601
    assert guard.wait("c") == 0
    guard.succeeded("a")
    assert guard.wait("a") == 0


def test_the_cache_is_bounded_in_bytes(loaded_store_path, tmp_path):
    budget = 3 * 1024 * 1024
    app = create_app(Settings(store_path=loaded_store_path, submissions_path=tmp_path / "s.sqlite", cache_bytes=budget))
    state = app.state.data
    with TestClient(app) as client:
        for offset in range(0, 60):  # sixty distinct pages: each is kept until the bytes run out
            assert client.get(f"/api/series/population?limit=2000&offset={offset}").status_code == 200
        assert 0 < state.cache_bytes <= budget
        assert state.cache_bytes == sum(size_of(value) for value in state._cache.values())
        newest = ("series_response",) + ("population",)
        kept = [k for k in state._cache if isinstance(k, tuple) and k[:2] == newest]
        assert kept and len(kept) < 60 and kept[-1][-1] == 59  # the oldest went, the newest stayed


def test_the_submissions_file_is_readable_by_its_owner_only(tmp_path):
    fresh = tmp_path / "new" / "submissions.sqlite"
    SqliteSubmissions(fresh).add("token", "E06000001", 2025, 0.0, {})
    for path in (fresh, fresh.with_name(fresh.name + "-wal")):
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600, path
    loose = tmp_path / "loose.sqlite"
    loose.touch(mode=0o644)
    os.chmod(loose, 0o644)
    SqliteSubmissions(loose)
    assert stat.S_IMODE(os.stat(loose).st_mode) == 0o600  # an older file is closed to others on open


@pytest.mark.parametrize("name, value", [("DEVOLUTION_RATE_LIMIT", "five"), ("DEVOLUTION_RATE_LIMIT", "5,-1"),
                                         ("DEVOLUTION_SCENARIO_RATE", "inf"), ("DEVOLUTION_SUBMISSIONS_PER_ADDRESS", "0"),
                                         ("DEVOLUTION_SUBMISSIONS_PER_ADDRESS", "2.5")])
def test_a_limit_that_is_not_a_number_is_refused_naming_its_setting(monkeypatch, name, value):
    from devolution.errors import DevolutionError
    from devolution.web.app import settings_from_env

    monkeypatch.setenv(name, value)
    with pytest.raises(DevolutionError, match=f"{name}='{re.escape(value)}': expected"):
        settings_from_env()
