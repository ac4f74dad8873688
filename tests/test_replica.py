"""Reads sent to a real PostgreSQL streaming replica (project/db_router.py), and what happens when it lags
or is down: the reads go to the primary, and a WARNING says why.

A module fixture copies the test cluster with `pg_basebackup -R` into a temporary folder and starts it
on a free loopback port (as the `postgres` OS user when the suite runs as root). The replica follows the
whole cluster, so it holds pytest-django's test database too; the tests commit (transaction=True) and
wait until the replica has replayed their writes. `.ci/run` prepares the cluster (wal_level, a
`host replication` line in pg_hba.conf)."""

import contextlib
import logging
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.db import connection, connections, router, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import User
from project import db_router
from project.db_router import PRIMARY, REPLICA, reading_from_replica
from reports import services
from reports.enums import PeriodKind, RunStatus
from territories.territory import parse_territory
from tests.accounts.factories import UserFactory
from tests.reports.bilan_scenario import END, START, make_scenario
from web.models import QueueExport

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="A streaming replica needs PostgreSQL."),
]
replica_db = pytest.mark.django_db(transaction=True, databases=[PRIMARY, REPLICA])

TIMEOUT = 120  # seconds, for each step of the fixture: no step may hang the suite (a loaded CI is slow)


def bindir() -> Path | None:
    """Where pg_basebackup and pg_ctl are (pg_config --bindir, else PATH)."""
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        found = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True, timeout=10).stdout.strip()
        if found and (Path(found) / "pg_ctl").exists() and (Path(found) / "pg_basebackup").exists():
            return Path(found)
    ctl, backup = shutil.which("pg_ctl"), shutil.which("pg_basebackup")
    if ctl and backup and Path(ctl).parent == Path(backup).parent:
        return Path(ctl).parent
    return None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Replica:
    bin: Path
    data: Path
    port: int
    as_postgres: list[str]  # the prefix that runs a command as the server's OS user
    primary: dict

    def run(self, *args, check=True) -> subprocess.CompletedProcess:
        return subprocess.run(
            [*self.as_postgres, *map(str, args)], capture_output=True, text=True, timeout=TIMEOUT + 30, check=check
        )

    def start(self) -> None:
        self.run(self.bin / "pg_ctl", "-D", self.data, "-l", self.data / "server.log", "-w", "-t", TIMEOUT, "start")
        self.wait_ready()

    def stop(self) -> None:
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.run(self.bin / "pg_ctl", "-D", self.data, "-m", "immediate", "-w", "-t", TIMEOUT, "stop", check=False)
        # Still there (pg_ctl hung): no server may outlive the tests.
        with contextlib.suppress(OSError, ValueError, IndexError):
            os.kill(int((self.data / "postmaster.pid").read_text().split()[0]), signal.SIGKILL)

    def log(self) -> str:
        path = self.data / "server.log"
        return path.read_text(errors="replace")[-3000:] if path.exists() else ""

    def sql(self, query: str, params=()):
        """One statement on the replica, through a connection of its own (not Django's)."""
        with psycopg.connect(
            host="127.0.0.1",
            port=self.port,
            user=self.primary["USER"],
            dbname=self.primary["NAME"],
            connect_timeout=5,
            autocommit=True,
        ) as conn:
            return conn.execute(query, params).fetchone()

    def wait_ready(self) -> None:
        """Until the replica accepts connections to the test database, in recovery."""
        deadline = time.monotonic() + TIMEOUT
        while True:
            try:
                if self.sql("SELECT pg_is_in_recovery()")[0]:
                    return
            except psycopg.Error:
                pass
            if time.monotonic() > deadline:
                raise AssertionError(f"the replica did not start:\n{self.log()}")
            time.sleep(0.1)

    def wait_caught_up(self) -> None:
        """Until the replica has replayed everything the primary has written so far."""
        with connections[PRIMARY].cursor() as cursor:
            cursor.execute("SELECT pg_current_wal_lsn()")
            target = cursor.fetchone()[0]
        deadline = time.monotonic() + TIMEOUT
        while not self.sql("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [target])[0]:
            if time.monotonic() > deadline:
                raise AssertionError(f"the replica did not catch up with {target}:\n{self.log()}")
            time.sleep(0.05)


def server_user_prefix(data: Path) -> list[str]:
    """As root, run the server as `postgres` (PostgreSQL refuses to run as root); else as ourselves."""
    if os.geteuid() != 0:
        return []
    try:
        account = pwd.getpwnam("postgres")
    except KeyError:
        pytest.fail("Running as root without a `postgres` OS user to run the replica's server.")
    os.chown(data.parent, account.pw_uid, account.pw_gid)
    os.chown(data, account.pw_uid, account.pw_gid)
    runner = shutil.which("runuser")
    return [runner, "-u", "postgres", "--"] if runner else ["su", "postgres", "-s", "/bin/sh", "-c", 'exec "$0" "$@"']


def primary_settings(names: list[str]) -> dict[str, str]:
    with connections[PRIMARY].cursor() as cursor:
        values = {}
        for name in names:
            cursor.execute(f"SHOW {name}")
            values[name] = cursor.fetchone()[0]
    return values


@pytest.fixture(scope="module")
def streaming_replica(django_db_setup, django_db_blocker):
    """A streaming replica of the test cluster, registered as the `replica` database alias."""
    found = bindir()
    if found is None:
        pytest.skip("pg_basebackup and pg_ctl (PostgreSQL server binaries) are not installed.")
    primary = dict(connections[PRIMARY].settings_dict)
    root = Path(tempfile.mkdtemp(prefix="parcours-replica-"))
    data = root / "data"
    data.mkdir(mode=0o700)
    replica = Replica(found, data, free_port(), server_user_prefix(data), primary)
    started = False
    try:
        with django_db_blocker.unblock():
            # A hot standby needs at least the primary's values of these.
            same = primary_settings(
                ["max_connections", "max_worker_processes", "max_wal_senders", "max_prepared_transactions",
                 "max_locks_per_transaction"]
            )  # fmt: skip
        backup = replica.run(
            found / "pg_basebackup",
            "-h", primary["HOST"] or "127.0.0.1", "-p", primary["PORT"] or 5432, "-U", primary["USER"],
            "-D", data, "-R", "-X", "stream", "-c", "fast", "--no-sync",
            check=False,
        )  # fmt: skip
        if backup.returncode != 0:
            pytest.fail(
                "pg_basebackup could not copy the test cluster (run .ci/run, which allows replication "
                f"connections and sets wal_level):\n{backup.stderr}"
            )
        # A Debian cluster keeps its configuration outside the data folder: the replica gets its own.
        conf = data / "postgresql.conf"
        if not conf.exists():
            replica.run("touch", conf)
        if not (data / "pg_hba.conf").exists():
            replica.run(
                "sh", "-c", f"printf 'local all all trust\\nhost all all 127.0.0.1/32 trust\\n' > {data}/pg_hba.conf"
            )
        overrides = {
            "port": replica.port,
            "listen_addresses": "'127.0.0.1'",
            "unix_socket_directories": f"'{root}'",
            "hot_standby": "on",
            "hot_standby_feedback": "on",
            "shared_buffers": "'32MB'",
            "fsync": "off",
            "logging_collector": "off",
            "external_pid_file": "''",
            **same,
        }
        lines = "".join(f"{name} = {value}\n" for name, value in overrides.items())
        replica.run("sh", "-c", f"cat >> {data}/postgresql.auto.conf <<'EOF'\n{lines}EOF")
        (root).chmod(0o755)
        started = True
        for attempt in range(3):
            try:
                replica.start()
                break
            except (subprocess.CalledProcessError, subprocess.TimeoutExpired, AssertionError):
                # The free port may have been taken meanwhile: another one (the last `port` line wins).
                replica.stop()
                if attempt == 2:
                    raise AssertionError(f"the replica did not start:\n{replica.log()}") from None
                replica.port = free_port()
                replica.run("sh", "-c", f"echo 'port = {replica.port}' >> {data}/postgresql.auto.conf")
        alias = {**primary, "HOST": "127.0.0.1", "PORT": replica.port}
        alias["OPTIONS"] = {**primary.get("OPTIONS", {}), "connect_timeout": 3}
        alias["TEST"] = {**primary.get("TEST", {}), "MIRROR": PRIMARY}
        settings.DATABASES[REPLICA] = alias
        connections.settings[REPLICA] = alias
        with django_db_blocker.unblock(), connections[PRIMARY].cursor() as cursor:
            cursor.execute("SELECT txid_current()")  # a commit for the replica to replay (its lag is then known)
        with django_db_blocker.unblock():
            replica.wait_caught_up()
        db_router.forget_status()
        yield replica
    finally:
        if REPLICA in connections.settings:
            with contextlib.suppress(Exception):
                connections[REPLICA].close()
            with contextlib.suppress(Exception):
                del connections[REPLICA]
            connections.settings.pop(REPLICA, None)
        settings.DATABASES.pop(REPLICA, None)
        db_router.forget_status()
        if started:
            replica.stop()
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def replica(streaming_replica, settings):
    settings.REPLICA_MAX_LAG_SECONDS = 30
    db_router.forget_status()
    yield streaming_replica
    db_router.forget_status()


def in_recovery(alias: str) -> bool:
    with connections[alias].cursor() as cursor:
        cursor.execute("SELECT pg_is_in_recovery()")
        return cursor.fetchone()[0]


@replica_db
def test_reads_in_a_block_go_to_the_replica_and_writes_always_to_the_primary(replica):
    user = UserFactory(first_name="Avant")
    replica.wait_caught_up()
    assert User.objects.all().db == PRIMARY and not in_recovery(PRIMARY)
    with reading_from_replica("test") as alias:
        assert alias == REPLICA
        assert router.db_for_read(User) == REPLICA
        assert in_recovery(router.db_for_read(User))  # the connection the reads use is the standby
        read = User.objects.get(pk=user.pk)
        assert read._state.db == REPLICA
        # Writes, even of an object read from the replica, and locks go to the primary.
        read.first_name = "Après"
        read.save()
        User.objects.filter(pk=user.pk).update(last_name="Durand")
        assert router.db_for_write(User, instance=read) == PRIMARY
        with transaction.atomic():
            assert User.objects.select_for_update().filter(pk=user.pk).db == PRIMARY
    with connections[PRIMARY].cursor() as cursor:
        cursor.execute("SELECT first_name, last_name FROM accounts_user WHERE id = %s", [user.pk])
        assert cursor.fetchone() == ("Après", "Durand")
    # Outside the block, an object read from the replica reads from (and saves to) the primary again.
    assert router.db_for_read(User, instance=read) == PRIMARY
    assert not router.allow_migrate(REPLICA, "pathways") and router.allow_migrate(PRIMARY, "pathways")


def normalised(figures) -> dict:
    return {
        (f.indicator_code, f.scope, f.year, f.territory_code): (f.value, sorted(getattr(f, "record_ids", None) or []))
        for f in figures
    }


@replica_db
def test_a_bilan_run_computed_from_the_replica_equals_the_primarys(replica, geo, caplog):
    make_scenario(geo)
    admin = UserFactory(username="dreets", administrator=True)
    territory = parse_territory("region:93")
    on_primary = services.bilan_compute(territory=territory, start=START, end=END)
    replica.wait_caught_up()
    with (
        CaptureQueriesContext(connections[REPLICA]) as replica_queries,
        CaptureQueriesContext(connections[PRIMARY]) as primary_queries,
        reading_from_replica("test"),
    ):
        on_replica = services.bilan_compute(territory=territory, start=START, end=END)
    assert normalised(on_replica) == normalised(on_primary)
    assert any(figure.value for figure in on_replica)
    assert len(replica_queries) > 0 and len(primary_queries) == 0

    # The background run reads there too, writes its figures on the primary, and says where it computed.
    caplog.set_level(logging.INFO, logger="reports.services")
    run = services.bilan_run_request(
        territory=territory, start=START, end=END, by=admin, period_kind=PeriodKind.PLAN_2018_2022
    )
    run.refresh_from_db()
    assert run.status == RunStatus.DONE, run.error
    assert f"Bilan run {run.pk} computed on the replica database" in caplog.text
    stored = {f.indicator_code: float(f.value) for f in run.figures.filter(scope="total") if f.value is not None}
    assert stored == {
        f.indicator_code: float(f.value) for f in on_primary if f.scope == "total" and f.value is not None
    }


@replica_db
def test_the_drill_down_and_a_background_queue_export_read_from_the_replica(replica, geo, client, settings, caplog):
    make_scenario(geo)
    admin = UserFactory(username="dreets", administrator=True)
    run = services.bilan_run_request(territory=parse_territory("departement:13"), start=START, end=END, by=admin)
    figure = run.figures.filter(record_model="pathways.Pathway", cases__gt=0).first()
    replica.wait_caught_up()
    client.force_login(admin)
    with (
        CaptureQueriesContext(connections[REPLICA]) as replica_queries,
        caplog.at_level(logging.WARNING, logger="project.db_router"),
    ):
        response = client.get(reverse("reports:figure_records", args=[run.pk, figure.pk]))
    assert response.status_code == 200
    assert len(replica_queries) > 0 and "project.db_router" not in caplog.text
    # Only reads: the audit event of the drill-down is written on the primary.
    assert not [q for q in replica_queries if not q["sql"].lstrip().upper().startswith(("SELECT", "WITH"))]

    coordinator = UserFactory(coordinator=True, territories="departement:13")
    settings.QUEUE_EXPORT_IMMEDIATE_ROWS = 0  # every export in the background
    client.force_login(coordinator)
    replica.wait_caught_up()
    caplog.set_level(logging.INFO, logger="web.queues.exports")
    response = client.get(reverse("queues:export_xlsx"))
    job = QueueExport.objects.get()
    assert response.status_code == 302 and job.status == "done", job.error
    assert f"Queue export {job.pk}: {job.rows} rows read from the replica database" in caplog.text
    assert job.rows > 0


@replica_db
def test_a_lagging_replica_sends_the_reads_to_the_primary_with_a_warning(replica, settings, caplog):
    replica.wait_caught_up()
    replica.sql("SELECT pg_wal_replay_pause()")
    try:
        user = UserFactory(first_name="Nouvelle")  # received by the replica, not replayed
        with connections[PRIMARY].cursor() as cursor:
            cursor.execute("SELECT pg_current_wal_lsn()")
            written = cursor.fetchone()[0]
        deadline = time.monotonic() + TIMEOUT
        while not replica.sql("SELECT pg_last_wal_receive_lsn() >= %s::pg_lsn", [written])[0]:
            assert time.monotonic() < deadline, replica.log()
            time.sleep(0.05)

        settings.REPLICA_MAX_LAG_SECONDS = 0
        db_router.forget_status()
        with (
            caplog.at_level(logging.WARNING, logger="project.db_router"),
            reading_from_replica("Queue export") as alias,
        ):
            assert alias == PRIMARY
            assert User.objects.get(pk=user.pk).first_name == "Nouvelle"
        warning = next(r for r in caplog.records if r.name == "project.db_router")
        assert warning.levelno == logging.WARNING
        assert warning.getMessage().startswith("Queue export reads from the primary: replica lag")

        # Within the limit it reads from the replica, unless the reader needs what it has not replayed.
        settings.REPLICA_MAX_LAG_SECONDS = 3600
        db_router.forget_status()
        with reading_from_replica("test") as alias:
            assert alias == REPLICA
            assert not User.objects.filter(pk=user.pk).exists()
        caplog.clear()
        with (
            caplog.at_level(logging.WARNING, logger="project.db_router"),
            reading_from_replica("Drill-down", since=user.date_joined) as alias,
        ):
            assert alias == PRIMARY
        assert "Drill-down reads from the primary: replica has not replayed up to" in caplog.text
    finally:
        replica.sql("SELECT pg_wal_replay_resume()")
    replica.wait_caught_up()


@replica_db
def test_a_stopped_replica_sends_the_reads_to_the_primary_with_a_warning(replica, geo, caplog):
    user = UserFactory()
    replica.wait_caught_up()
    with reading_from_replica("test") as alias:
        assert alias == REPLICA and User.objects.filter(pk=user.pk).exists()
    replica.stop()
    try:
        db_router.forget_status()
        with caplog.at_level(logging.WARNING, logger="project.db_router"), reading_from_replica("Bilan run 7") as alias:
            assert alias == PRIMARY
            assert User.objects.filter(pk=user.pk).exists()
            figures = services.bilan_compute(territory=parse_territory("departement:13"), start=START, end=END)
        assert figures
        assert "Bilan run 7 reads from the primary: replica unreachable" in caplog.text
        assert all(r.levelno == logging.WARNING for r in caplog.records if r.name == "project.db_router")
    finally:
        replica.start()
    db_router.forget_status()
    with reading_from_replica("test") as alias:
        assert alias == REPLICA
