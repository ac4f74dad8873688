"""Places of a site and their life: the current state on the place (for the lists), and every change as
a row with who and when (PlaceEvent), every proposal (Proposal) and every occupancy (Occupancy)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from places.enums import (
    HELD_STATES,
    DeclineReason,
    OccupancyEnd,
    PlaceState,
    ProposalStatus,
    UnavailableReason,
)
from territories.enums import SiteKind

DEFAULT_PROPOSAL_ANSWER_DAYS = 15


def proposal_answer_days() -> int:
    return getattr(settings, "PROPOSAL_ANSWER_DAYS", DEFAULT_PROPOSAL_ANSWER_DAYS)


class PlaceQuerySet(models.QuerySet):
    def visible_to(self, user):
        """A structure's caseworkers: the places of their structures' sites; a coordinator: the places of
        the sites in its territory. Administrators read aggregates (places.views.summary), superusers
        (operators) nothing: both none here."""
        if not user.is_authenticated or not user.is_active or user.is_superuser:
            return self.none()
        if user.is_caseworker:
            return self.filter(site__structure__in=user.structure_ids)
        if user.is_coordinator:
            return self.filter(user.territory_q("site__commune"))
        return self.none()

    def in_territory(self, territory):
        return self.filter(territory.commune_q("site__commune"))

    def vacant(self):
        return self.filter(state=PlaceState.VACANT)


class Place(models.Model):
    """One place (a dwelling, a room) of a site, with the households it fits."""

    site = models.ForeignKey("territories.Site", on_delete=models.PROTECT, related_name="place_units")
    label = models.CharField("désignation", max_length=100, help_text="Par exemple « T2, 3e étage, porte B ».")
    kind = models.CharField("type", max_length=30, choices=SiteKind.choices)
    persons_min = models.PositiveSmallIntegerField("personnes (minimum)", default=1)
    persons_max = models.PositiveSmallIntegerField("personnes (maximum)", default=1)
    bedrooms = models.PositiveSmallIntegerField("chambres", default=1, help_text="0 pour un studio.")
    reduced_mobility = models.BooleanField("accessible aux personnes à mobilité réduite", default=False)
    pets_allowed = models.BooleanField("animaux acceptés", default=False)
    # The current state, denormalised from the rows below by the services (places/services.py).
    state = models.CharField("état", max_length=20, choices=PlaceState.choices, default=PlaceState.VACANT)
    state_since = models.DateField("depuis le")
    unavailable_reason = models.CharField(
        "motif d'indisponibilité", max_length=20, choices=UnavailableReason.choices, blank=True
    )
    # The start of the current vacancy, kept while proposals are declined; empty while occupied or unavailable.
    vacant_since = models.DateField("vacante depuis le", null=True, blank=True)
    # The pathway proposed on the place, or occupying it: set exactly when the state is one of HELD_STATES.
    pathway = models.ForeignKey(
        "pathways.Pathway", on_delete=models.PROTECT, null=True, blank=True, related_name="+", editable=False
    )
    # Bumped by every service write: a form built on an older state is refused (no lost update).
    version = models.PositiveIntegerField(default=1, editable=False)
    external_id = models.CharField("identifiant d'échange", max_length=100, unique=True, null=True, blank=True)
    created_at = models.DateTimeField("créée le", default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", editable=False
    )

    objects = PlaceQuerySet.as_manager()

    class Meta:
        verbose_name = "place"
        ordering = ["site", "label", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(persons_min__gte=1), name="place_persons_min_positive"),
            models.CheckConstraint(
                condition=Q(persons_max__gte=models.F("persons_min")), name="place_persons_max_above_min"
            ),
            # One state at a time: a held place names its pathway, a free one none.
            models.CheckConstraint(
                condition=(Q(state__in=HELD_STATES) & Q(pathway__isnull=False))
                | (~Q(state__in=HELD_STATES) & Q(pathway__isnull=True)),
                name="place_pathway_iff_held",
            ),
            models.CheckConstraint(
                condition=Q(state__in=[PlaceState.VACANT, PlaceState.PROPOSED], vacant_since__isnull=False)
                | (~Q(state__in=[PlaceState.VACANT, PlaceState.PROPOSED]) & Q(vacant_since__isnull=True)),
                name="place_vacant_since_iff_vacancy",
            ),
            models.CheckConstraint(
                condition=Q(state=PlaceState.UNAVAILABLE) | Q(unavailable_reason=""),
                name="place_unavailable_reason_only_when_unavailable",
            ),
            # A pathway holds at most one place at a time.
            models.UniqueConstraint(
                fields=["pathway"], condition=Q(pathway__isnull=False), name="place_one_per_pathway"
            ),
        ]
        indexes = [models.Index(fields=["state", "vacant_since"]), models.Index(fields=["site", "state"])]

    def __str__(self):
        return f"{self.label} — {self.site}"

    @property
    def reference(self) -> str:
        return f"L-{self.pk:06d}" if self.pk else "L-nouvelle"

    def fits_size(self, size: int) -> bool:
        return self.persons_min <= size <= self.persons_max


class PlaceEvent(models.Model):
    """One change of a place's state, append-only: the place's history and the vacancy figures read it."""

    place = models.ForeignKey(Place, on_delete=models.CASCADE, related_name="events")
    state = models.CharField("état", max_length=20, choices=PlaceState.choices)
    on = models.DateField("le")
    unavailable_reason = models.CharField(
        "motif d'indisponibilité", max_length=20, choices=UnavailableReason.choices, blank=True
    )
    pathway = models.ForeignKey("pathways.Pathway", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    proposal = models.ForeignKey("Proposal", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    note = models.CharField("précision", max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField("saisi le", default=timezone.now)

    class Meta:
        verbose_name = "changement d'état d'une place"
        ordering = ["place", "on", "recorded_at", "id"]
        indexes = [models.Index(fields=["place", "on"]), models.Index(fields=["state", "on"])]

    def __str__(self):
        return f"{self.get_state_display()} le {self.on:%d/%m/%Y}"


class ProposalQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Proposals on the places the user sees, or about the pathways it sees."""
        from pathways.models import Pathway

        if not user.is_authenticated or not user.is_active or user.is_superuser:
            return self.none()
        return self.filter(
            Q(place__in=Place.objects.visible_to(user)) | Q(pathway__in=Pathway.objects.visible_to(user))
        )

    def pending(self):
        return self.filter(status=ProposalStatus.PENDING)

    def overdue(self, *, on=None, days: int | None = None):
        """Pending proposals proposed more than PROPOSAL_ANSWER_DAYS days before `on` (today)."""
        on = on or timezone.localdate()
        days = proposal_answer_days() if days is None else days
        return self.pending().filter(proposed_on__lt=on - timezone.timedelta(days=days))


class Proposal(models.Model):
    """One household (its pathway) proposed on one place, and the answer."""

    place = models.ForeignKey(Place, on_delete=models.PROTECT, related_name="proposals")
    pathway = models.ForeignKey("pathways.Pathway", on_delete=models.PROTECT, related_name="place_proposals")
    proposed_on = models.DateField("proposée le")
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    proposed_at = models.DateTimeField("saisie le", default=timezone.now)
    # Since when the household waits for a place: kept through declined proposals (its queue's wait).
    waiting_since = models.DateField("en attente depuis le")
    status = models.CharField("réponse", max_length=20, choices=ProposalStatus.choices, default=ProposalStatus.PENDING)
    decline_reason = models.CharField("motif du refus", max_length=30, choices=DeclineReason.choices, blank=True)
    note = models.TextField("précisions", blank=True)
    answered_on = models.DateField("réponse le", null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField("réponse saisie le", null=True, blank=True)

    objects = ProposalQuerySet.as_manager()

    class Meta:
        verbose_name = "proposition"
        ordering = ["-proposed_on", "-id"]
        constraints = [
            # Never two open proposals on one place, nor one household proposed on two places at once.
            models.UniqueConstraint(
                fields=["place"], condition=Q(status=ProposalStatus.PENDING), name="proposal_one_pending_per_place"
            ),
            models.UniqueConstraint(
                fields=["pathway"], condition=Q(status=ProposalStatus.PENDING), name="proposal_one_pending_per_pathway"
            ),
            models.CheckConstraint(
                condition=(
                    Q(status__in=[ProposalStatus.DECLINED_BY_STRUCTURE, ProposalStatus.DECLINED_BY_HOUSEHOLD])
                    & ~Q(decline_reason="")
                )
                | (
                    ~Q(status__in=[ProposalStatus.DECLINED_BY_STRUCTURE, ProposalStatus.DECLINED_BY_HOUSEHOLD])
                    & Q(decline_reason="")
                ),
                name="proposal_reason_iff_declined",
            ),
            models.CheckConstraint(
                condition=Q(status=ProposalStatus.PENDING, answered_on__isnull=True)
                | (~Q(status=ProposalStatus.PENDING) & Q(answered_on__isnull=False)),
                name="proposal_answered_iff_not_pending",
            ),
        ]
        indexes = [models.Index(fields=["status", "proposed_on"]), models.Index(fields=["pathway", "answered_on"])]

    def __str__(self):
        return f"Proposition {self.reference}"

    @property
    def reference(self) -> str:
        return f"PR-{self.pk:06d}" if self.pk else "PR-nouvelle"

    @property
    def is_pending(self) -> bool:
        return self.status == ProposalStatus.PENDING

    def days_without_answer(self, on=None) -> int:
        return ((on or timezone.localdate()) - self.proposed_on).days

    def is_overdue(self, on=None) -> bool:
        return self.is_pending and self.days_without_answer(on) > proposal_answer_days()


class Occupancy(models.Model):
    """A pathway holding a place: from the accepted proposal (reserved) through the entry (started_on)
    to the departure (ended_on)."""

    place = models.ForeignKey(Place, on_delete=models.PROTECT, related_name="occupancies")
    pathway = models.ForeignKey("pathways.Pathway", on_delete=models.PROTECT, related_name="place_occupancies")
    proposal = models.OneToOneField(Proposal, on_delete=models.PROTECT, null=True, blank=True, related_name="occupancy")
    reserved_on = models.DateField("attribuée le")
    started_on = models.DateField("entrée le", null=True, blank=True)
    ended_on = models.DateField("sortie le", null=True, blank=True)
    end_reason = models.CharField("motif de fin", max_length=20, choices=OccupancyEnd.choices, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField("saisie le", default=timezone.now)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    ended_at = models.DateTimeField("fin saisie le", null=True, blank=True)

    class Meta:
        verbose_name = "occupation"
        ordering = ["place", "reserved_on", "id"]
        constraints = [
            # Never two households in one place at once, nor one household in two places.
            models.UniqueConstraint(
                fields=["place"], condition=Q(ended_on__isnull=True), name="occupancy_one_open_per_place"
            ),
            models.UniqueConstraint(
                fields=["pathway"], condition=Q(ended_on__isnull=True), name="occupancy_one_open_per_pathway"
            ),
            models.CheckConstraint(
                condition=Q(started_on__isnull=True) | Q(started_on__gte=models.F("reserved_on")),
                name="occupancy_started_after_reserved",
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("reserved_on")),
                name="occupancy_ended_after_reserved",
            ),
        ]
        indexes = [models.Index(fields=["pathway", "reserved_on"])]

    def __str__(self):
        return f"Occupation de {self.place} depuis le {self.reserved_on:%d/%m/%Y}"

    @property
    def is_open(self) -> bool:
        return self.ended_on is None


class PlacementNeeds(models.Model):
    """What a household needs of a place, beyond its size (which the household says): read by matching."""

    pathway = models.OneToOneField("pathways.Pathway", on_delete=models.CASCADE, related_name="placement_needs")
    reduced_mobility = models.BooleanField("a besoin d'un logement accessible (mobilité réduite)", default=False)
    pets = models.BooleanField("vit avec un animal", default=False)
    wished_commune = models.ForeignKey(
        "territories.Commune",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="commune souhaitée",
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField("modifié le", default=timezone.now)

    class Meta:
        verbose_name = "besoins pour une place"
        verbose_name_plural = "besoins pour une place"

    def __str__(self):
        return f"Besoins de {self.pathway}"
