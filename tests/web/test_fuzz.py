"""Fuzz every operation of the OpenAPI schema (schemathesis, a few examples each): never a 5xx."""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, given, settings

MAX_EXAMPLES = 8  # per operation: the whole fuzz runs in a few seconds


def test_no_operation_answers_5xx(web_app):
    schema = schemathesis.openapi.from_asgi("/openapi.json", web_app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 15
    failures = []
    for operation in operations:
        @given(operation.as_strategy())
        @settings(max_examples=MAX_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def fuzz(case):
            response = case.call()
            if response.status_code >= 500:  # every area is built: no 501 either
                failures.append((case.method, case.formatted_path, case.query, response.status_code, response.text[:200]))

        fuzz()
    assert not failures, failures[:5]
