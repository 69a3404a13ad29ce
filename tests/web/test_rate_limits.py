"""Rate limits per client at the endpoints: budget submissions and new scenario computations get
429 with Retry-After beyond their allowance, while answers from memory keep flowing."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from devolution.web.app import create_app
from devolution.web.security import CSRF_COOKIE
from devolution.web.state import Settings


@pytest.fixture()
def strict(loaded_store_path, tmp_path):
    app = create_app(Settings(store_path=loaded_store_path, submissions_path=tmp_path / "s.sqlite",
                              rate_capacity=1, rate_per_second=0.0001, scenario_capacity=2, scenario_per_second=0.0001))
    with TestClient(app) as client:
        yield client


def test_new_scenario_computations_are_limited_per_client_not_answers_from_memory(strict):
    asked = [{"parameters.council_tax.referendum.core_limit": {"2026-27": limit}, "draws": 10, "seed": 41}
             for limit in (0.041, 0.042, 0.043)]
    first, second = (strict.post("/api/scenarios/recompute", json=k) for k in asked[:2])
    assert first.status_code == second.status_code == 200
    third = strict.post("/api/scenarios/recompute", json=asked[2])
    assert third.status_code == 429 and third.headers["Retry-After"] and "new scenario" in third.json()["error"]
    again = strict.post("/api/scenarios/recompute", json=asked[0])
    assert again.status_code == 200 and again.headers["X-Cache"] == "hit"  # from memory: never limited
    run = strict.post("/api/scenarios/run", json={"scenario": {"name": "x", "years": "2025-26..2027-28", "draws": 5}})
    assert run.status_code == 429  # the full path shares the allowance


def test_a_second_submission_from_one_address_within_the_limit_is_429(strict):
    def submit(code):
        strict.cookies.clear()
        page = strict.get(f"/simulator/{code}", headers={"accept": "text/html"})
        csrf = page.cookies.get(CSRF_COOKIE) or strict.cookies.get(CSRF_COOKIE)
        return strict.post(f"/simulator/{code}/submit", data={"csrf": csrf, "council_tax_change": "0", "changes": "{}"})

    assert submit("E06000002").status_code == 201
    refused = submit("E06000003")  # another browser (new cookies), the same address
    assert refused.status_code == 429 and "Retry-After" in refused.headers
