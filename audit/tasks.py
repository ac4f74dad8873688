from celery import shared_task

from audit.services import audit_purge


@shared_task
def purge_audit_log() -> int:
    return audit_purge()
