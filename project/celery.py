import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")

app = Celery("parcours")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

DEFAULT_QUEUE = "default"
# The long jobs each have their queue and their workers (docker-compose.yml, docs/exploitation.md);
# everything else (sweeps, emails, purges) goes to the default queue.
QUEUES = {
    "reports.bilan_run": "bilans",
    "pathways.import_job_run": "imports",
    "web.queue_export_run": "exports",
}


def route_task(name, args, kwargs, options, task=None, **kw):
    """CELERY_TASK_ROUTES: the queue of `name`. A process whose default queue was renamed (a test sending
    to a private queue of its own) sends everything there."""
    if app.conf.task_default_queue != DEFAULT_QUEUE:
        return None
    queue = QUEUES.get(name)
    return {"queue": queue} if queue else None
