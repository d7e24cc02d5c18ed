"""Schemathesis reads the generated OpenAPI description and sends generated requests, valid and
invalid, to every operation: no answer may be a 5xx, and every answer must match the status
codes, media types and schemas the description gives.

Driven through Hypothesis directly: schemathesis's pytest plugin does not run under pytest 9.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.generation.modes import GenerationMode

EXAMPLES = 40  # generated requests per operation, mode and database


def operations(app):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    return [result.ok() for result in schema.get_all_operations()]


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_every_operation_answers_within_its_description(seeded_app, mode, capsys):
    calls: dict[str, dict[int, int]] = {}
    found = operations(seeded_app)
    assert len(found) == 7  # every operation of the API is described

    for operation in found:
        calls[operation.label] = {}

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def check(case):
            response = case.call_and_validate()
            codes = calls[case.operation.label]
            codes[response.status_code] = codes.get(response.status_code, 0) + 1
            assert response.status_code < 500

        try:
            check()
        except Unsatisfiable:
            # Nothing about it can be invalid: no argument, or a path part any string fits.
            assert mode is GenerationMode.NEGATIVE and not calls[operation.label], operation.label
            calls.pop(operation.label)
    with capsys.disabled():
        total = sum(sum(codes.values()) for codes in calls.values())
        print(f"\nschemathesis {mode.value}: {total} requests over {len(calls)} operations")
        for label, codes in sorted(calls.items()):
            print(f"  {label}: {dict(sorted(codes.items()))}")
    assert "GET /api/v1/practices" in calls  # the richest arguments were exercised
    if mode is GenerationMode.POSITIVE:
        # Valid arguments are answered (a generated slug or id names nothing: those are 404s).
        assert all(200 in codes for label, codes in calls.items() if "{" not in label), calls
