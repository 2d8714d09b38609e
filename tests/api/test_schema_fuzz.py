"""Schema fuzzing: schemathesis generates requests from /api/schema/ for every operation, as an
authenticated officer; no answer may be a 5xx or break the schema. Bounded: a few examples each."""
import pytest
import schemathesis
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
)

from cases import services
from tests.api.conftest import complaint_kwargs

EXAMPLES = 20  # per operation: the whole run stays well under a minute
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]


@pytest.fixture
def api_schema(world):
    """The app in-process (WSGI), on the test's connection: like Django's test client, requests must not
    close it at their end."""
    services.case_intake(**complaint_kwargs(world, start_process=True))  # something for the reads to find
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield schemathesis.openapi.from_wsgi("/api/schema/", WSGIHandler())
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def token(world):
    return Token.objects.create(user=world.head).key


def test_no_input_breaks_the_api(api_schema, token):
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 10
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        def fuzz(case):
            case.call_and_validate(headers={"Authorization": f"Token {token}"}, checks=CHECKS)

        fuzz()
