"""Access-matrix entries of the background queue exports (merged into EXPECTED by test_access_matrix.py),
and the read-logging walk's parameters for them (tests/audit/test_read_logging_walk.py).

An export's page and its download are its requester's alone, while in the coordination: another
coordinator's export does not exist for them (404), every other role is refused the pages (403)."""

from datetime import timedelta

from django.utils import timezone

from tests.security.expectations import LOGIN, POST_ON_PAGE
from web.models import ExportStatus, QueueExport
from web.queues import exports

OWNERS = {"mine": "coordinator", "other": "coordinator_other"}


def queue_exports(world):
    """A finished export of each coordinator (made once per world)."""
    if "queue_exports" not in world.extra:
        world.extra["queue_exports"] = {
            key: QueueExport.objects.create(
                requested_by=world.users[role],
                format="xlsx",
                status=ExportStatus.DONE,
                content=b"PK stub",
                file_size=7,
                rows=1,
                finished_at=timezone.now(),
                expires_at=timezone.now() + timedelta(hours=1),
            )
            for key, role in OWNERS.items()
        }
    return [(key, [job.pk]) for key, job in world.extra["queue_exports"].items()]


def requester_only(role, obj, method):
    if role == "anonymous":
        return LOGIN
    if role not in OWNERS.values():
        return 403
    if role != OWNERS[obj]:
        return 404
    return 200 if method == "GET" else POST_ON_PAGE


def queue_export_kwargs(w) -> dict:
    """The walk's parameters: a real export by the walk's coordinator, whose file holds a name."""
    job = exports.queue_export_request(by=w.coord, fmt="csv", query="", housed=False)
    exports.queue_export_run(export_id=job.pk)
    return {"queues:export_job": {"pk": job.pk}, "queues:export_download": {"pk": job.pk}}
