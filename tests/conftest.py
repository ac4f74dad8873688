import pytest
from django.test.testcases import LiveServerThread

from tests.geo import make_geo
from tests.live_server import SerialWSGIServer

LiveServerThread.server_class = SerialWSGIServer  # one request at a time on SQLite: tests/live_server.py


@pytest.fixture
def geo(db):
    """A few communes of région 93 (Marseille, Aix, Nice, Antibes, Avignon, Toulon, Gap) and Paris."""
    return make_geo()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Before pytest-django drops a PostgreSQL test database, end the sessions that threads of the suite
    (live server, concurrency tests, a Celery worker) may still hold on it: DROP DATABASE refuses while
    any is open."""
    yield
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid()"
        )


@pytest.fixture
def integrity_after():
    """After a fault test, the case files must still be consistent (`manage.py check_integrity`)."""
    yield
    from pathways.integrity import integrity_check

    report = integrity_check()
    assert report.ok, report.text()


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: ids of a rolled-back test may come back in the next one."""
    from django.core.cache import cache

    cache.clear()
    yield
