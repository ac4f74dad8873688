"""Reads that may go to a PostgreSQL streaming replica (DATABASE_REPLICA_URL, docs/exploitation.md).

Nothing reads from the replica unless it runs inside `reading_from_replica()`: the bilan computation,
the drill-down pages, the bilan and queue exports. Everything else, and every write, every lock
(select_for_update) and every migration, goes to the primary. On entry the replica is checked (cached a
few seconds): when it is down or behind by more than REPLICA_MAX_LAG_SECONDS, or has not yet replayed
what the reader needs (`since`), the block reads from the primary and a WARNING says why.

The lag is `now() - pg_last_xact_replay_timestamp()` while the replica has WAL still to replay or no
longer receives any; a replica that has replayed all it received from a connected primary is not
behind, however old its last transaction (an idle primary writes nothing).
"""

import contextlib
import contextvars
import functools
import logging
import threading
import time
from dataclasses import dataclass, replace
from datetime import datetime

from django.conf import settings
from django.db import DatabaseError, connections
from django.utils import timezone

logger = logging.getLogger(__name__)

PRIMARY = "default"
REPLICA = "replica"

# Which alias the reads of the current block go to (None: not in a block, the primary).
_reading = contextvars.ContextVar("parcours_reading_from", default=None)

STATUS_SQL = """
SELECT pg_is_in_recovery(),
       pg_last_xact_replay_timestamp(),
       CASE
         WHEN NOT pg_is_in_recovery() THEN 0
         WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn()
              AND EXISTS (SELECT 1 FROM pg_stat_wal_receiver WHERE pid IS NOT NULL) THEN 0
         ELSE EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp())
       END
"""


@dataclass(frozen=True)
class ReplicaStatus:
    usable: bool
    reason: str = ""  # why not, in the log
    lag_seconds: float | None = None
    replayed_at: datetime | None = None  # commit time of the last transaction it replayed
    checked_at: float = 0.0  # time.monotonic()
    checked_wall: datetime | None = None  # the same moment, by the clock (compared with `since`)


_lock = threading.Lock()
_cached: ReplicaStatus | None = None


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


def max_lag_seconds() -> float:
    return getattr(settings, "REPLICA_MAX_LAG_SECONDS", 30)


def check_seconds() -> float:
    return getattr(settings, "REPLICA_CHECK_SECONDS", 5)


def forget_status() -> None:
    """Drop the cached check (tests; a replica just restarted)."""
    global _cached
    with _lock:
        _cached = None


def _check() -> ReplicaStatus:
    status = _probe()
    return replace(status, checked_at=time.monotonic(), checked_wall=timezone.now())


def _probe() -> ReplicaStatus:
    try:
        with connections[REPLICA].cursor() as cursor:
            cursor.execute(STATUS_SQL)
            in_recovery, replayed_at, lag = cursor.fetchone()
    except DatabaseError as error:
        # A connection that failed, or broke, is dropped: the next check connects again.
        with contextlib.suppress(DatabaseError):
            connections[REPLICA].close()
        first_line = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        return ReplicaStatus(False, f"replica unreachable ({first_line})")
    if not in_recovery:
        logger.warning("DATABASE_REPLICA_URL names a server that is not in recovery (a promoted replica?)")
    if lag is None:
        return ReplicaStatus(False, "replica lag unknown (nothing replayed yet)", None, replayed_at)
    lag = float(lag)
    if lag > max_lag_seconds():
        reason = f"replica lag {lag:.1f} s above REPLICA_MAX_LAG_SECONDS={max_lag_seconds()}"
        return ReplicaStatus(False, reason, lag, replayed_at)
    return ReplicaStatus(True, "", lag, replayed_at)


def replica_status(*, checked_after: datetime | None = None) -> ReplicaStatus:
    """The replica's state, checked at most every REPLICA_CHECK_SECONDS per process (again when the
    cached check is older than `checked_after`)."""
    global _cached
    with _lock:
        cached = _cached
        if (
            cached is None
            or time.monotonic() - cached.checked_at >= check_seconds()
            or (checked_after is not None and cached.checked_wall < checked_after)
        ):
            cached = _cached = _check()
        return cached


def choose_database(purpose: str, since: datetime | None = None) -> str:
    """The alias `purpose` reads from: the replica when it is configured, reachable, not too far behind
    and has replayed past `since`; else the primary, with a WARNING naming the reason."""
    if not replica_configured():
        return PRIMARY
    status = replica_status(checked_after=since)
    reason = status.reason
    # Behind a little (within the limit): it must at least hold what this reader needs.
    behind = status.lag_seconds and (status.replayed_at is None or since is not None and status.replayed_at < since)
    if status.usable and since is not None and behind:
        reason = f"replica has not replayed up to {since.isoformat()} yet"
    if reason:
        logger.warning("%s reads from the primary: %s", purpose, reason)
        return PRIMARY
    return REPLICA


def current_read_database() -> str:
    """The alias the reads of the current block go to (the primary outside any block)."""
    return _reading.get() or PRIMARY


@contextlib.contextmanager
def reading_from_replica(purpose: str, *, since: datetime | None = None):
    """Reads inside the block go to the replica when it is usable (see `choose_database`), writes to the
    primary. Yields the alias chosen. Nested blocks keep the outer block's choice."""
    if _reading.get() is not None:
        yield _reading.get()
        return
    alias = choose_database(purpose, since)
    token = _reading.set(alias)
    try:
        yield alias
    finally:
        _reading.reset(token)


def replica_reads(purpose: str, *, since=None):
    """`reading_from_replica` as a view decorator; `since(request, **kwargs)` may name the moment the
    replica must have replayed (a run's finish time)."""

    def decorator(view):
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            moment = since(request, *args, **kwargs) if since and replica_configured() else None
            with reading_from_replica(purpose, since=moment):
                return view(request, *args, **kwargs)

        return wrapper

    return decorator


class ReplicaRouter:
    """DATABASE_ROUTERS: reads of a `reading_from_replica` block to its alias, all else to the primary.

    Returning the primary explicitly (rather than None) matters: Django would otherwise follow the
    instance hint, and an object read from the replica would keep reading (and saving) there."""

    def db_for_read(self, model, **hints):
        return current_read_database()

    def db_for_write(self, model, **hints):
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints):
        # The replica holds the same rows as the primary.
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == PRIMARY
