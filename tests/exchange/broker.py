"""A broker that cannot be reached: Celery really sends (not eagerly) to a Redis on a closed port."""

import socket

import pytest

from project.celery import app as celery_app


def closed_port() -> int:
    """A port nothing listens on: bound, then released (connections to it are refused)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def reset_pools() -> None:
    # Celery caches its connection and producer pools: a new broker URL needs new ones.
    celery_app._pool = None
    celery_app.__dict__.get("amqp") and setattr(celery_app.amqp, "_producer_pool", None)


@pytest.fixture
def broker_down():
    """Yields a function that brings the broker back (eager sending, as in the other tests)."""
    conf = celery_app.conf
    saved = (conf.task_always_eager, conf.broker_url)
    conf.task_always_eager = False
    conf.broker_url = f"redis://127.0.0.1:{closed_port()}/7"
    reset_pools()

    def broker_back():
        conf.task_always_eager, conf.broker_url = saved
        reset_pools()

    try:
        yield broker_back
    finally:
        broker_back()
