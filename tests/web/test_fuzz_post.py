"""Fuzz every POST route with bodies: schemathesis over each POST operation of the OpenAPI schema,
with bodies that fit the schema and bodies that break it (positive and negative generation), and
hypothesis over the two POST routes a schema cannot drive (the claims page form, and a budget
submission with valid CSRF and browser tokens). Never a 5xx. The GET fuzz is test_fuzz*.py."""

from __future__ import annotations

import json

import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings, strategies as st
from schemathesis.generation import GenerationMode

from devolution.web.app import create_app
from devolution.web.security import CSRF_COOKIE
from devolution.web.state import Settings

EXAMPLES = 25  # per operation and mode: the whole file runs in about a minute
POSTS = {"/api/claims/check", "/api/scenarios/run", "/api/scenarios/recompute", "/claims.json",
         "/simulator/{code}/submit", "/api/reorganisation", "/reorganisation.json"}


def test_every_post_route_never_answers_5xx(web_app):
    schema = schemathesis.openapi.from_asgi("/openapi.json", web_app)
    operations = [r.ok() for r in schema.get_all_operations()]
    posts = [o for o in operations if o.method.upper() == "POST"]
    assert {o.path for o in posts} == POSTS  # a new POST route joins the fuzz, or this fails
    failures, seen = [], []
    for operation in posts:
        for mode in GenerationMode:
            @given(operation.as_strategy(generation_mode=mode))
            @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
            def fuzz(case):
                response = case.call()
                seen.append((case.path, response.status_code))
                if response.status_code >= 500:
                    failures.append((case.method, case.formatted_path, repr(case.body)[:200], response.status_code,
                                     response.text[:200]))

            fuzz()
    assert not failures, failures[:5]
    assert {path for path, _ in seen} == POSTS and {status for _, status in seen} & {200, 201}, "only refusals seen"


JSONISH = st.recursive(st.none() | st.booleans() | st.floats() | st.integers() | st.text(max_size=8),
                       lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
                       max_leaves=12)
YAMLISH = st.one_of(st.text(max_size=300),
                    st.builds(lambda claims: json.dumps({"claims": claims}), st.lists(JSONISH, max_size=3)),
                    st.sampled_from(["claims:\n  - id: a\n    boundaries: 0", "claims: [{id: x, from: 0}]", "&a [*a]",
                                     "claims: !!python/object:os.system ls", "? [a]\n: b", "claims: " + "[" * 600]))


def test_the_claims_page_form_never_answers_5xx(client):
    failures = []

    @given(YAMLISH, st.lists(st.text(max_size=20), max_size=5))
    @settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    def fuzz(text, picked):
        response = client.post("/claims", data={"claims": text, "example": picked}, headers={"accept": "text/html"})
        if response.status_code >= 500:
            failures.append((text[:100], picked, response.status_code, response.text[:200]))

    fuzz()
    assert not failures, failures[:5]


def test_a_budget_with_valid_tokens_and_any_fields_is_201_409_or_422(loaded_store_path, tmp_path):
    app = create_app(Settings(store_path=loaded_store_path, submissions_path=tmp_path / "s.sqlite",
                              rate_capacity=1e6, rate_per_second=1e6))  # every case reaches the checks
    client = TestClient(app)
    client.get("/simulator/E06000002")
    csrf = client.cookies.get(CSRF_COOKIE)
    seen = []

    @given(st.one_of(st.floats(), st.text(max_size=12), st.integers()),
           st.one_of(st.builds(json.dumps, st.dictionaries(st.sampled_from(["nce_education", "nce_highways", "x"]),
                                                           st.one_of(st.floats(), st.integers(), st.none()), max_size=3)),
                     st.text(max_size=40), st.builds(json.dumps, JSONISH)))
    @settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    def fuzz(change, changes):
        response = client.post("/simulator/E06000002/submit",
                               data={"csrf": csrf, "council_tax_change": str(change), "changes": changes})
        seen.append(response.status_code)
        assert response.status_code in (201, 409, 422), (change, changes, response.status_code, response.text[:200])

    fuzz()
    assert 422 in seen
