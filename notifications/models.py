"""What waits for each person (« À traiter »), and how each wants to hear of it by email."""

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q

from notifications.enums import CLEARED_BY_OPENING, Cleared, EmailStatus, Kind


class NotificationQuerySet(models.QuerySet):
    def opened_since_made(self):
        """The items of CLEARED_BY_OPENING kinds whose recipient opened their household's page, or wrote on
        it, after the item was made: done, even while cleared_at is still empty (`notifications_settle`
        writes it). Read from the audit log, so the household page pays no query for it."""
        from audit.models import AuditEvent

        seen = AuditEvent.objects.filter(
            user=OuterRef("recipient"), household_id=OuterRef("pathway__household_id"), at__gte=OuterRef("created_at")
        )
        return self.filter(Exists(seen), kind__in=CLEARED_BY_OPENING, cleared_at__isnull=True)

    def waiting(self):
        """Not done yet: not cleared, and not opened since made."""
        from audit.models import AuditEvent

        seen = AuditEvent.objects.filter(
            user=OuterRef("recipient"), household_id=OuterRef("pathway__household_id"), at__gte=OuterRef("created_at")
        )
        return self.filter(cleared_at__isnull=True).exclude(Q(kind__in=CLEARED_BY_OPENING) & Exists(seen))

    def for_user(self, user):
        """`user`'s items; those about a pathway only while the user still sees it (a transfer away, an end
        of sharing)."""
        from pathways.models import Pathway

        if not user.is_authenticated:
            return self.none()
        return self.filter(recipient=user).filter(
            Q(pathway__isnull=True) | Q(pathway__in=Pathway.objects.visible_to(user).values("pk"))
        )


class Notification(models.Model):
    """One thing waiting for one person. Never a household's name: a reference and a link (the summary
    is written from references, structure and account names only, so it may go in an email)."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications", verbose_name="destinataire"
    )
    kind = models.CharField("type", max_length=20, choices=Kind.choices)
    # What the item is about: which event (an assignment, a transition, a job...), so that one event
    # makes one item per person however often its signal is seen (see the unique constraint).
    key = models.CharField("événement", max_length=100)
    pathway = models.ForeignKey(
        "pathways.Pathway", on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name="parcours"
    )
    target_id = models.BigIntegerField("identifiant de l'objet", null=True, blank=True)
    # The reference shown and emailed (P-000123, « import n° 12 »...) and a short summary, without names.
    reference = models.CharField("référence", max_length=40)
    summary = models.CharField("résumé", max_length=300)
    # A path inside the site (built by the code from the object, never from input).
    link = models.CharField("lien", max_length=300)
    created_at = models.DateTimeField("créé le", auto_now_add=True)
    cleared_at = models.DateTimeField("traité le", null=True, blank=True)
    cleared_how = models.CharField("traité par", max_length=20, choices=Cleared.choices, blank=True)
    email_status = models.CharField("courriel", max_length=20, choices=EmailStatus.choices, default=EmailStatus.PENDING)
    emailed_at = models.DateTimeField("courriel envoyé le", null=True, blank=True)
    email_attempts = models.PositiveSmallIntegerField("tentatives d'envoi", default=0)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = "élément à traiter"
        verbose_name_plural = "éléments à traiter"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "kind", "key"], name="notification_one_per_event"),
        ]
        indexes = [
            # The count in the header and the list: WHERE recipient = ? AND cleared_at IS NULL.
            models.Index(fields=["recipient", "cleared_at"], name="notification_open"),
            # Clearing the items of a pathway that moved.
            models.Index(fields=["pathway", "kind", "cleared_at"], name="notification_pathway"),
            # The email outbox swept for rows never sent.
            models.Index(fields=["email_status", "created_at"], name="notification_outbox"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} : {self.reference}"


class Preference(models.Model):
    """One person's choice for one kind: an email at once, and/or in the weekly digest. Without a row,
    the defaults below (an email at once, no digest)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField("type", max_length=20, choices=Kind.choices)
    email = models.BooleanField("courriel à chaque fois", default=True)
    digest = models.BooleanField("récapitulatif hebdomadaire", default=False)

    DEFAULT_EMAIL = True
    DEFAULT_DIGEST = False

    class Meta:
        verbose_name = "préférence de notification"
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="preference_one_per_kind")]

    def __str__(self):
        return f"{self.user} — {self.get_kind_display()}"
