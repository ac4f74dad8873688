import pytest
from django.db import transaction
from django.test import Client

from tests.security.scenario import ROLES, make_world


@pytest.fixture
def world(db):
    """Every role and records in and out of each one's scope (tests/security/scenario.py)."""
    return make_world()


@pytest.fixture
def clients(world):
    """One signed-in test client per role (anonymous: signed out)."""
    result = {}
    for role in ROLES:
        client = Client()
        if world.users[role] is not None:
            client.force_login(world.users[role])
        result[role] = client
    return result


def send(client, method: str, url: str, data=None):
    """One request whose writes are rolled back, so that every cell starts from the same world."""
    with transaction.atomic():
        response = getattr(client, method.lower())(url, data or {})
        if response.streaming:
            # Read a file response (an archive in a temporary file) before the rollback. Exhausting the test
            # client's iterator closes the response with close_old_connections disconnected; closing it
            # again here would fire request_finished and close the PostgreSQL connection mid-transaction.
            response.streamed_body = b"".join(response.streaming_content)
        transaction.set_rollback(True)
    return response
