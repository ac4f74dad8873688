"""Background exports of a coordinator's queue (web/queues/exports.py, project/background.py)."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from project.background import BackgroundJobMixin


class ExportStatus(models.TextChoices):
    PENDING = "pending", "En attente"
    RUNNING = "running", "En cours"
    DONE = "done", "Prêt"
    FAILED = "failed", "Échec"


class ExportFormat(models.TextChoices):
    XLSX = "xlsx", "Excel (XLSX)"
    CSV = "csv", "CSV"


class QueueExportQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Only its requester sees an export (and downloads it, while still in the coordination)."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        return self.filter(requested_by=user)


class QueueExport(BackgroundJobMixin, models.Model):
    """A large export of a filtered queue, built by a worker on the `exports` queue. The file is kept in
    the database, as an import's: the web and the workers share no folder. It is emptied once expired."""

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="demandé par"
    )
    requested_at = models.DateTimeField("demandé le", default=timezone.now)
    format = models.CharField("format", max_length=10, choices=ExportFormat.choices)
    # The queue's filters as the export URL carried them (a query string), read again by the worker.
    query = models.TextField("filtres", blank=True)
    housed = models.BooleanField("suivi des ménages logés", default=False)
    status = models.CharField("état", max_length=20, choices=ExportStatus.choices, default=ExportStatus.PENDING)
    error = models.TextField("erreur", blank=True)
    started_at = models.DateTimeField("commencé le", null=True, blank=True)
    finished_at = models.DateTimeField("terminé le", null=True, blank=True)
    rows = models.PositiveIntegerField("lignes", null=True, blank=True)
    content = models.BinaryField("contenu du fichier", default=b"", editable=False)
    file_size = models.PositiveIntegerField("taille (octets)", default=0)  # 0 once expired
    expires_at = models.DateTimeField("disponible jusqu'au", null=True, blank=True)
    # Background lifecycle (project/background.py).
    sent_at = models.DateTimeField("transmis au service de tâches le", null=True, blank=True)
    heartbeat_at = models.DateTimeField("dernier signe de vie", null=True, blank=True)
    attempts = models.PositiveSmallIntegerField("tentatives", default=0)

    objects = QueueExportQuerySet.as_manager()

    class Meta:
        verbose_name = "export de file d'attente"
        ordering = ["-requested_at", "-id"]
        indexes = [
            models.Index(fields=["requested_by", "requested_at"]),
            models.Index(fields=["status", "expires_at"]),
        ]

    def __str__(self):
        return f"Export {self.format.upper()} du {timezone.localtime(self.requested_at):%d/%m/%Y %H:%M}"

    @property
    def is_finished(self) -> bool:
        return self.status in (ExportStatus.DONE, ExportStatus.FAILED)

    @property
    def is_expired(self) -> bool:
        return self.status == ExportStatus.DONE and (self.expires_at is None or self.expires_at <= timezone.now())

    @property
    def file_name(self) -> str:
        return f"file-attente-{timezone.localtime(self.requested_at):%Y-%m-%d}.{self.format}"

    @property
    def content_type(self) -> str:
        if self.format == ExportFormat.XLSX:
            return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        return "text/csv; charset=utf-8"
