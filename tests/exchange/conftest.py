"""Fixtures of the exchange tests."""

from tests.exchange.broker import broker_down  # noqa: F401 (a fixture: Celery sending to an unreachable broker)
