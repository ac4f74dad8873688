"""schemathesis against the API's own OpenAPI schema, in-process on the Django WSGI application, with a
valid token: no server error, and every answer (its status, headers and body) as the schema says.
Derandomized and bounded, so the run is the same on every machine and takes a minute or so."""

import json

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, Phase, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from project.wsgi import application

pytestmark = pytest.mark.django_db


@pytest.fixture
def api_world(small, settings):
    # Throttling is tested on its own (test_throttle.py); here it would only turn examples into 429s.
    settings.API_THROTTLE_RATE = "100000/minute"
    settings.API_ANONYMOUS_THROTTLE_RATE = "100000/minute"
    # As Django's test client does: a request must not close the test's connection (inside its
    # transaction) when it finishes.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield small
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def load_schema():
    """The schema as /api/v1/schema/ serves it, generated at collection (no request: the database is
    not open yet), then run against the WSGI application."""
    generated = SchemaGenerator().get_schema(request=None, public=True)
    loaded = schemathesis.openapi.from_dict(json.loads(OpenApiJsonRenderer().render(generated)))
    loaded.app = application
    return loaded


schema = load_schema()


@schema.parametrize()
@settings(
    max_examples=20,
    derandomize=True,
    deadline=None,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_every_answer_matches_the_schema(case, api_world):
    # The territory token of the 13 reads and writes the most (pathways of A and B, orientations, bilans).
    case.call_and_validate(
        headers={"Authorization": f"Bearer {api_world.raw['territory']}"},
        # A request valid by the schema may still be refused by the services (an unknown structure, a
        # stage the machine forbids): a 400 with its French message is the answer, not a failure.
        excluded_checks=[positive_data_acceptance],
    )
