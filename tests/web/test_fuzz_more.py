"""Fuzz the scenario, claims and strategic-authority endpoints: schemathesis over their OpenAPI
operations, and hypothesis over scenario bodies near the valid ones (knobs in and out of range).
Never a 5xx, and no 501 now that the packages exist."""

from __future__ import annotations

import copy

import schemathesis
from hypothesis import HealthCheck, given, settings, strategies as st

NEW = ("/api/scenarios", "/api/scenarios/run", "/claims.json", "/api/places/{code}", "/api/places/{code}/budget")
EXAMPLES = 12  # per operation (bounded: the whole file runs in a few seconds)


def test_new_operations_never_answer_5xx(web_app):
    schema = schemathesis.openapi.from_asgi("/openapi.json", web_app)
    operations = [r.ok() for r in schema.get_all_operations()]
    chosen = [o for o in operations if o.path in NEW]
    assert {o.path for o in chosen} == set(NEW)
    failures = []
    for operation in chosen:
        @given(operation.as_strategy())
        @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def fuzz(case):
            response = case.call()
            if response.status_code >= 500:
                failures.append((case.method, case.formatted_path, response.status_code, response.text[:200]))

        fuzz()
    assert not failures, failures[:5]


RATE = st.one_of(st.floats(-2, 2, allow_nan=False), st.none(), st.text(max_size=3),
                 st.fixed_dictionaries({"distribution": st.sampled_from(["normal", "uniform", "beta"]),
                                        "mean": st.floats(-1, 1), "sd": st.floats(-0.1, 0.1),
                                        "low": st.floats(-1.5, 0.5), "high": st.floats(-0.5, 1)}))


@st.composite
def scenario_bodies(draw, defaults):
    scenario = copy.deepcopy(defaults)
    scenario["draws"] = draw(st.one_of(st.integers(-5, 200), st.integers(1001, 10**7), st.just("many")))
    scenario["seed"] = draw(st.integers(-3, 2**40))
    end = draw(st.integers(2020, 2080))
    scenario["years"] = draw(st.sampled_from([f"2025-26..{end}-{(end + 1) % 100:02d}", "soon", ""]))
    path = draw(st.sampled_from(["council_tax.referendum.core_limit", "council_tax.referendum.asc_limit",
                                 "council_tax.nope"]))
    scenario["parameters"] = {path: {draw(st.sampled_from(["2026-27", "2019-20", 2030, "x"])):
                                     draw(st.one_of(st.floats(-1, 2, allow_nan=False), st.text(max_size=3)))}}
    scenario["assumptions"]["council_tax_increase"] = draw(st.one_of(st.just("max"), RATE))
    scenario["assumptions"]["inflation"] = draw(RATE)
    scenario["deals"]["devolution_by_default"] = draw(st.one_of(st.booleans(), st.integers(-1, 3)))
    body = {"scenario": scenario}
    if draw(st.booleans()):
        body["year"] = draw(st.one_of(st.integers(2020, 2060), st.text(max_size=8)))
    return body


def test_scenario_bodies_near_the_valid_ones_get_200_or_422(client):
    defaults = client.get("/api/scenarios").json()["defaults"]
    seen = []

    @given(scenario_bodies(defaults))
    @settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    def fuzz(body):
        response = client.post("/api/scenarios/run", json=body)
        seen.append(response.status_code)
        assert response.status_code in (200, 422), (body, response.status_code, response.text[:300])
        if response.status_code == 422:
            assert response.json()["problems"]

    fuzz()
    assert 422 in seen


#: The pages (hidden from the OpenAPI schema, so schemathesis never reaches them), with the part a
#: visitor can type into the address bar.
PAGES = ("/places/{}", "/places/{}.json", "/simulator/{}", "/simulator/{}.json", "/?measure={}", "/map.json?measure={}",
         "/map.json?prices={}", "/scenarios?x={}", "/claims?example={}")


def test_pages_never_answer_5xx_whatever_is_typed(client):
    from urllib.parse import quote

    failures = []

    @given(st.text(max_size=40), st.sampled_from(PAGES))
    @settings(max_examples=80, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    def fuzz(text, page):
        url = page.format(quote(text, safe=""))
        response = client.get(url, headers={"accept": "text/html"})
        if response.status_code >= 500:
            failures.append((url, response.status_code, response.text[:200]))

    fuzz()
    for url in ("/places/E06000001", "/places/%00", "/places/..%2F..%2Fetc%2Fpasswd", "/simulator/E12000001"):
        response = client.get(url, headers={"accept": "text/html"})
        if response.status_code >= 500:
            failures.append((url, response.status_code, response.text[:200]))
    assert not failures, failures[:5]
