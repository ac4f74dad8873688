"""The replica router's decisions without a replica server (the real one: tests/test_replica.py)."""

import logging
from datetime import timedelta

from django.utils import timezone

from accounts.models import User
from project import db_router
from project.db_router import PRIMARY, REPLICA, ReplicaRouter, ReplicaStatus, reading_from_replica


def test_without_a_replica_every_block_reads_from_the_primary(caplog):
    with caplog.at_level(logging.WARNING), reading_from_replica("Bilan run 1") as alias:
        assert alias == PRIMARY and ReplicaRouter().db_for_read(User) == PRIMARY
    assert not caplog.records  # nothing to warn about: no replica is configured


def test_the_replica_check_is_cached_and_its_verdict_decides(monkeypatch, settings, caplog):
    monkeypatch.setattr(db_router, "replica_configured", lambda: True)
    settings.REPLICA_CHECK_SECONDS = 60
    probes = []
    verdict = {"status": ReplicaStatus(True, "", 0.0, timezone.now())}

    def probe():
        probes.append(1)
        return verdict["status"]

    monkeypatch.setattr(db_router, "_probe", probe)
    db_router.forget_status()
    try:
        with reading_from_replica("a") as first, reading_from_replica("nested") as nested:
            assert (first, nested) == (REPLICA, REPLICA)
            assert ReplicaRouter().db_for_read(User) == REPLICA
            assert ReplicaRouter().db_for_write(User) == PRIMARY
        assert ReplicaRouter().db_for_read(User) == PRIMARY
        with reading_from_replica("b"):
            pass
        assert len(probes) == 1  # cached

        verdict["status"] = ReplicaStatus(False, "replica unreachable (connection refused)")
        db_router.forget_status()
        with caplog.at_level(logging.WARNING, logger="project.db_router"), reading_from_replica("Export") as alias:
            assert alias == PRIMARY
        assert (
            caplog.records[-1].getMessage() == "Export reads from the primary: replica unreachable (connection refused)"
        )

        # A little behind: fine, unless the reader needs what it has not replayed yet.
        replayed = timezone.now() - timedelta(seconds=3)
        verdict["status"] = ReplicaStatus(True, "", 3.0, replayed)
        db_router.forget_status()
        with reading_from_replica("Drill-down", since=replayed - timedelta(seconds=1)) as alias:
            assert alias == REPLICA
        with reading_from_replica("Drill-down", since=timezone.now()) as alias:
            assert alias == PRIMARY
        assert "replica has not replayed up to" in caplog.records[-1].getMessage()
    finally:
        db_router.forget_status()


def test_migrations_only_on_the_primary():
    assert ReplicaRouter().allow_migrate(PRIMARY, "pathways")
    assert not ReplicaRouter().allow_migrate(REPLICA, "pathways")
