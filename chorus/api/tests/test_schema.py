"""Schemathesis generates requests from the OpenAPI schema: no server errors, no
answer that breaks the schema.

Driven through Hypothesis directly (Schemathesis's own pytest plugin does not
support this pytest yet).
"""

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from chorus.wsgi import application

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
OPERATIONS = [result.ok() for result in schema.get_all_operations()]


# Real commits: the WSGI handler closes the database connection after each request.
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda op: op.label)
def test_the_api_keeps_its_schema(operation, petition):
    @given(case=operation.as_strategy())
    @settings(max_examples=40, deadline=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
    def check(case):
        case.call_and_validate()

    check()
