"""One import at a time per instance: two imports validating against the same rows and writing them
together end in a unique violation after minutes; the second one is refused at once instead.

PostgreSQL: a session advisory lock (released by the server if the process dies). SQLite: a file lock
next to the database (the web and the command of one machine share it)."""

import fcntl
import hashlib
import tempfile
from contextlib import contextmanager
from pathlib import Path

from django.db import DatabaseError, connection

# Any constant shared by every process of the instance; derived from a name so that it reads as ours.
LOCK_KEY = int.from_bytes(hashlib.sha256(b"parcours.import_exchange").digest()[:8], "big", signed=True)
BUSY_MESSAGE = (
    "Un autre import est en cours sur cette instance : un seul import à la fois. "
    "Relancez celui-ci quand l'autre sera terminé."
)


class ImportBusy(Exception):
    """Another import holds the lock (French message)."""

    def __init__(self, message: str = BUSY_MESSAGE):
        super().__init__(message)


@contextmanager
def import_lock():
    """Hold the instance's import lock for the block, or raise ImportBusy at once."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s)", [LOCK_KEY])
            if not cursor.fetchone()[0]:
                raise ImportBusy()
        try:
            yield
        finally:
            try:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_unlock(%s)", [LOCK_KEY])
            except DatabaseError:
                pass  # the connection is lost, and the server released the lock with it
        return
    with _file_lock():
        yield


def _lock_path() -> Path:
    name = str(connection.settings_dict["NAME"])
    if name == ":memory:" or name.startswith("file:") or not Path(name).parent.is_dir():
        # An in-memory test database lives in this process only.
        digest = hashlib.sha256(f"{name}-{id(connection)}".encode()).hexdigest()[:12]
        return Path(tempfile.gettempdir()) / f"parcours-import-{digest}.lock"
    return Path(f"{name}-import.lock")  # beside the database, ignored by git as db.sqlite3-*


@contextmanager
def _file_lock():
    with open(_lock_path(), "a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise ImportBusy() from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
