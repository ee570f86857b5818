"""Schemathesis generates requests from the OpenAPI schema, as `schemathesis run
--checks all` would: valid and invalid ones, each answer checked for every thing
Schemathesis checks (no server error; a status code, content type, headers and
body the schema documents; invalid input refused, valid input accepted).

Driven through Hypothesis directly (Schemathesis's own pytest plugin does not
support this pytest yet).
"""

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import CHECKS, load_all_checks
from schemathesis.generation import GenerationMode

from chorus.api.models import ApiKey
from chorus.wsgi import application

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
OPERATIONS = [result.ok() for result in schema.get_all_operations()]
load_all_checks()
# Every check that looks at one answer (the others follow links between operations).
ALL_CHECKS = [check for check in CHECKS.get_all() if not isinstance(check, type)]
# Invalid requests for each operation that has something to get wrong: a path
# parameter is any string, so only a query or a body can be invalid.
CASES = [(operation, GenerationMode.POSITIVE) for operation in OPERATIONS] + [
    (operation, GenerationMode.NEGATIVE) for operation in OPERATIONS
    if len(operation.query) or operation.body
]
IDS = [f"{operation.label} {mode.value}" for operation, mode in CASES]


def run(strategy) -> None:
    @given(case=strategy)
    @settings(max_examples=40, deadline=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
    def check(case):
        # Public answers are gzipped for clients that take them; the WSGI client
        # schemathesis drives (werkzeug's) asks for gzip but does not unpack it.
        case.call_and_validate(checks=ALL_CHECKS, headers={"Accept-Encoding": "identity"})

    check()


# Real commits: the WSGI handler closes the database connection after each request.
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("operation", "mode"), CASES, ids=IDS)
def test_the_api_keeps_its_schema(operation, mode, petition):
    run(operation.as_strategy(generation_mode=mode))


@pytest.mark.django_db(transaction=True)
def test_invalid_signatures_sent_with_a_real_key_get_documented_refusals(petition):
    # Without a key every signature is a 401; with one, ninja's own 422s for a
    # body it cannot read are checked against the schema too. (Valid-looking
    # bodies are not: the form refuses more than a JSON schema can say, such as
    # an address at a disposable domain.)
    key = ApiKey.issue(organisation=petition.organisation, name="Schemathesis")[1]
    operation = schema["/api/v1/petitions/{slug}/signatures"]["POST"]
    run(operation.as_strategy(generation_mode=GenerationMode.NEGATIVE,
                              path_parameters={"slug": petition.slug},
                              headers={"Authorization": f"Bearer {key}"}))
