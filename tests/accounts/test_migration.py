"""The data migration from the hand-written TotpDevice to django-otp keeps enrolled apps working."""

import base64

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("accounts", "0003_totp_device")]
AFTER = [("accounts", "0004_invitations_django_otp_axes")]


@pytest.fixture
def latest_schema_after():
    """Back to the latest schema afterwards: the tests that follow expect every migration applied."""
    yield
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_totp_devices_move_to_django_otp_with_the_same_key(latest_schema_after):
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    apps = executor.loader.project_state(BEFORE).apps
    User = apps.get_model("accounts", "User")
    TotpDevice = apps.get_model("accounts", "TotpDevice")
    luc = User.objects.create(username="luc")
    ines = User.objects.create(username="ines")
    secret = base64.b32encode(b"12345678901234567890").decode()
    TotpDevice.objects.create(
        user=luc, secret=secret, confirmed_at="2026-01-01T00:00:00Z", last_used_step=42, failures=2
    )
    TotpDevice.objects.create(user=ines, secret="JBSW Y3DP EHPK 3PXP", confirmed_at=None)

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(AFTER)
    apps = executor.loader.project_state(AFTER).apps
    TOTPDevice = apps.get_model("otp_totp", "TOTPDevice")

    devices = {d.user.username: d for d in TOTPDevice.objects.select_related("user")}
    assert (devices["luc"].key, devices["luc"].confirmed, devices["luc"].last_t) == (
        b"12345678901234567890".hex(),
        True,
        42,
    )
    assert devices["luc"].throttling_failure_count == 2
    assert (devices["ines"].key, devices["ines"].confirmed, devices["ines"].last_t) == (
        b"Hello!\xde\xad\xbe\xef".hex(),
        False,
        -1,
    )
    assert "accounts_totpdevice" not in connection.introspection.table_names()
