"""The scale-out settings (docs/configuration.md): the optional streaming replica, its router, and the
connection pooling switches, as a fresh process builds them from the environment."""

import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest

ROOT = Path(__file__).resolve().parent.parent
PRIMARY = "postgres://parcours@db.example:5432/parcours"


def settings_of(**env) -> tuple[int, dict | str]:
    """(0, {"DATABASES": ..., "DATABASE_ROUTERS": ...}) or (1, the error) for this environment."""
    environment = {"PATH": "/usr/bin:/bin", "DEBUG": "true", **env}
    code = (
        "import json, project.settings as s; "
        "print(json.dumps({'DATABASES': s.DATABASES, 'DATABASE_ROUTERS': s.DATABASE_ROUTERS}, default=str))"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=environment, capture_output=True, text=True)
    if result.returncode:
        return 1, result.stderr.strip().splitlines()[-1]
    return 0, json.loads(result.stdout)


def test_without_a_replica_there_is_one_database_and_the_router_is_inert():
    status, settings = settings_of(DATABASE_URL=PRIMARY)
    assert status == 0
    assert list(settings["DATABASES"]) == ["default"]
    assert settings["DATABASE_ROUTERS"] == ["project.db_router.ReplicaRouter"]
    assert "pool" not in settings["DATABASES"]["default"].get("OPTIONS", {})
    assert settings["DATABASES"]["default"]["DISABLE_SERVER_SIDE_CURSORS"] is False


def test_a_replica_url_adds_the_replica_alias_quick_to_give_up_and_mirrored_in_tests():
    status, settings = settings_of(
        DATABASE_URL=PRIMARY, DATABASE_REPLICA_URL="postgres://lecture@replica.example:5433/parcours"
    )
    assert status == 0
    replica = settings["DATABASES"]["replica"]
    assert (replica["HOST"], replica["PORT"], replica["USER"]) == ("replica.example", 5433, "lecture")
    assert replica["OPTIONS"]["connect_timeout"] == 3
    assert replica["TEST"]["MIRROR"] == "default"
    assert (replica["CONN_MAX_AGE"], replica["CONN_HEALTH_CHECKS"]) == (60, True)


def test_a_replica_needs_a_postgresql_primary():
    status, error = settings_of(DATABASE_REPLICA_URL="postgres://replica.example/parcours")
    assert status == 1 and "DATABASE_REPLICA_URL needs a PostgreSQL DATABASE_URL" in error
    status, error = settings_of(DATABASE_URL=PRIMARY, DATABASE_REPLICA_URL="mysql://replica.example/parcours")
    assert status == 1 and "DATABASE_REPLICA_URL must start with one of postgres://" in error


def test_the_psycopg_pool_replaces_persistent_connections():
    status, settings = settings_of(DATABASE_URL=PRIMARY, DATABASE_POOL="true", DATABASE_POOL_MAX_SIZE="20")
    assert status == 0
    default = settings["DATABASES"]["default"]
    assert default["OPTIONS"]["pool"] == {"min_size": 2, "max_size": 20, "timeout": 10}
    assert default["CONN_MAX_AGE"] == 0  # Django refuses a pool with persistent connections


def test_pgbouncer_in_transaction_mode_turns_server_side_cursors_off_on_both_databases():
    status, settings = settings_of(
        DATABASE_URL=PRIMARY, DATABASE_PGBOUNCER="yes", DATABASE_REPLICA_URL="postgres://replica.example/parcours"
    )
    assert status == 0
    assert settings["DATABASES"]["default"]["DISABLE_SERVER_SIDE_CURSORS"] is True
    assert settings["DATABASES"]["replica"]["DISABLE_SERVER_SIDE_CURSORS"] is True
    assert "pool" not in settings["DATABASES"]["default"].get("OPTIONS", {})


def test_pooling_switches_are_refused_when_they_cannot_work():
    status, error = settings_of(DATABASE_URL=PRIMARY, DATABASE_POOL="true", DATABASE_PGBOUNCER="true")
    assert status == 1 and "Choose one pool" in error
    status, error = settings_of(DATABASE_POOL="true")  # SQLite
    assert status == 1 and "need a PostgreSQL DATABASE_URL" in error
    status, error = settings_of(DATABASE_URL=PRIMARY, DATABASE_POOL="peut-être")
    assert status == 1 and "DATABASE_POOL='peut-être' is not a boolean" in error


@pytest.mark.postgres_only
@pytest.mark.skipif(not os.environ.get("DATABASE_URL", "").startswith("postgres"), reason="Needs PostgreSQL.")
def test_a_pooled_connection_answers_on_postgresql():
    """psycopg-pool is installed: a fresh process with DATABASE_POOL=true reaches PostgreSQL through its pool."""
    code = (
        "import django; django.setup(); from django.db import connection; "
        "cursor = connection.cursor(); cursor.execute('SELECT 1'); "
        "print(cursor.fetchone()[0], connection.pool is not None)"
    )
    environment = {"PATH": "/usr/bin:/bin", "DEBUG": "true", "DJANGO_SETTINGS_MODULE": "project.settings"}
    # The server's own "postgres" database: the one every cluster has, whatever the suite's name.
    server = urlsplit(os.environ["DATABASE_URL"])._replace(path="/postgres").geturl()
    environment |= {"DATABASE_URL": server, "DATABASE_POOL": "true"}
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=environment, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["1", "True"]


def test_postgresql_sessions_run_without_jit_unless_asked_or_behind_pgbouncer():
    replica = "postgres://lecture@replica.example:5433/parcours"
    status, settings = settings_of(DATABASE_URL=PRIMARY, DATABASE_REPLICA_URL=replica)
    assert status == 0
    for alias in ("default", "replica"):
        assert settings["DATABASES"][alias]["OPTIONS"]["options"] == "-c jit=off"
    status, settings = settings_of(DATABASE_URL=PRIMARY, DATABASE_JIT="true")
    assert "options" not in settings["DATABASES"]["default"].get("OPTIONS", {})
    status, settings = settings_of(DATABASE_URL=PRIMARY, DATABASE_PGBOUNCER="true")
    assert "options" not in settings["DATABASES"]["default"].get("OPTIONS", {})
    status, settings = settings_of()  # SQLite: no such option
    assert "options" not in settings["DATABASES"]["default"]["OPTIONS"]
