from django.conf import settings
from django.db import models
from django.utils import timezone

from audit.enums import Action, Target


class AuditEventQuerySet(models.QuerySet):
    def older_than(self, moment):
        return self.filter(at__lt=moment)

    def for_household(self, household_id: int):
        return self.filter(household_id=household_id)


class AuditEvent(models.Model):
    """Who read or changed what, when (roles.md). Append-only; purged after the retention period.

    Targets are kept as plain ids, not foreign keys, so that the log outlives what it describes."""

    at = models.DateTimeField("date", auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    username = models.CharField("identifiant", max_length=150, blank=True)
    action = models.CharField("action", max_length=20, choices=Action.choices)
    target = models.CharField("objet", max_length=40, choices=Target.choices)
    target_id = models.BigIntegerField("identifiant de l'objet", null=True, blank=True)
    household_id = models.BigIntegerField("ménage", null=True, blank=True, db_index=True)
    detail = models.CharField("détail", max_length=300, blank=True)
    # The ids of the records a list or an export showed (pathway ids), so that a read of a list is as
    # traceable as a read of one file.
    object_ids = models.JSONField("identifiants affichés", default=list, blank=True)
    # Before/after of a change: {"field": [before, after], ...}; never a household's name in clear text
    # for a field that is not a name (names are logged as they were, the log being itself a case file).
    changes = models.JSONField("modifications", default=dict, blank=True)
    ip_address = models.GenericIPAddressField("adresse IP", null=True, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = "événement du journal"
        verbose_name_plural = "journal des accès"
        ordering = ["-at", "-id"]

    def __str__(self):
        at = timezone.localtime(self.at) if self.at else None
        when = f"{at:%d/%m/%Y %H:%M}" if at else ""
        return f"{when} {self.username or 'système'} : {self.get_action_display()} — {self.get_target_display()}"
