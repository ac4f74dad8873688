"""The indicator read model (docs/indicateurs.md, « Modèle de lecture »): what the indicators count,
with what their definitions need already resolved, kept exact at write time by facts.refresh.

Nothing here is entered by anyone: every row is derived from the transition log, the situations, the
measures, the pathway, its household and the geography, and `manage.py rebuild_facts` rebuilds it all.
Territory codes are plain columns (no join to communes to test a territory)."""

from django.db import models
from django.db.models import Q

from pathways.enums import Stage
from territories.territory import TerritoryGroup

TERRITORY_COLUMNS = {"region": "region", "departement": "departement", "epci": "epci", "commune": "commune"}


class EventKind(models.TextChoices):
    LEASE = "bail", "bail signé"
    MOVE_IN = "entree", "entrée dans les lieux"
    RUPTURE = "rupture", "perte du logement"
    OPENED = "ouverture", "ouverture de parcours"
    MEASURE = "mesure", "mesure d'accompagnement"


def in_territory(territory) -> Q:
    """Rows of the read model whose commune is in `territory`, a Territory or a TerritoryGroup (its codes are
    columns of the row)."""
    if territory.kind == "france":
        return Q()
    column = TERRITORY_COLUMNS[territory.kind]
    if isinstance(territory, TerritoryGroup):
        return Q(**{f"{column}__in": territory.codes})
    return Q(**{column: territory.code})


class Located(models.Model):
    """The commune of the row and its EPCI, département and région, as codes (current geography)."""

    pathway_id = models.BigIntegerField()
    commune = models.CharField(max_length=5, blank=True)
    epci = models.CharField(max_length=9, blank=True)
    departement = models.CharField(max_length=3, blank=True)
    region = models.CharField(max_length=3, blank=True)

    class Meta:
        abstract = True


class EventQuerySet(models.QuerySet):
    def of(self, kind: str, territory, start, end):
        return self.filter(in_territory(territory), kind=kind, date__range=(start, end))


class Event(Located):
    """One event an indicator counts: a lease (`bail_signe`), a move-in, a rupture (their transition), a
    pathway opening (the pathway), a support measure (the measure)."""

    kind = models.CharField(max_length=10, choices=EventKind.choices)
    # The transition, pathway or measure the row stands for (the drill-down's records).
    record_id = models.BigIntegerField()
    household_id = models.BigIntegerField()
    date = models.DateField()
    year = models.PositiveSmallIntegerField()
    # A measure's end (null while running); null for the other kinds.
    end_date = models.DateField(null=True)
    # The situation of the household on `date` (domain.md), its group; blank when unknown.
    situation = models.CharField(max_length=30, blank=True)
    situation_group = models.CharField(max_length=20, blank=True)
    # A lease's housing kind; a move-in's or a rupture's, that of the pathway's latest lease before it.
    lease_kind = models.CharField(max_length=30, blank=True)
    # A lease followed by `oriente` (indicators.md); false for the other kinds.
    cancelled = models.BooleanField(default=False)
    # The household's current adults + children.
    persons = models.PositiveSmallIntegerField()
    # A move-in: days from the pathway's opening to it; null otherwise.
    days_since_opening = models.IntegerField(null=True)
    # A move-in: days to the first rupture belonging to it (no other move-in between); null if none.
    days_to_rupture = models.IntegerField(null=True)

    objects = EventQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(fields=["kind", "date"], name="facts_event_kind_date"),
            models.Index(fields=["kind", "region", "date"], name="facts_event_region"),
            models.Index(fields=["kind", "departement", "date"], name="facts_event_departement"),
            models.Index(fields=["kind", "epci", "date"], name="facts_event_epci"),
            models.Index(fields=["pathway_id"], name="facts_event_pathway"),
            # A household's later pathway openings (returns after housing, steering/returns.py).
            models.Index(fields=["household_id", "kind", "date"], name="facts_event_household"),
        ]

    def __str__(self):
        return f"{self.kind} {self.record_id} le {self.date}"


class StageSpanQuerySet(models.QuerySet):
    def held_on(self, territory, day):
        """The spans in force on `day` (valid_from <= day < valid_to) of pathways of `territory`."""
        return self.filter(in_territory(territory), valid_from__lte=day).filter(
            Q(valid_to__isnull=True) | Q(valid_to__gt=day)
        )


class StageSpan(Located):
    """A pathway's stage over [valid_from, valid_to): one per transition not followed by another of the
    same day (a same-day successor leaves it no day); valid_to null while it is the current stage. The
    commune is the pathway's."""

    transition_id = models.BigIntegerField(unique=True)
    stage = models.CharField(max_length=30, choices=Stage.choices)
    valid_from = models.DateField()
    valid_to = models.DateField(null=True)
    dalo = models.BooleanField()

    objects = StageSpanQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(fields=["region", "valid_from", "valid_to"], name="facts_span_region"),
            models.Index(fields=["departement", "valid_from", "valid_to"], name="facts_span_departement"),
            models.Index(fields=["epci", "valid_from", "valid_to"], name="facts_span_epci"),
            models.Index(fields=["valid_from", "valid_to"], name="facts_span_dates"),
            # « Held on a day » by stage: on PostgreSQL the index holds every column the stage-on-a-day
            # indicators read (an index-only scan, 2 to 4 times faster at 1,000,000 pathways); SQLite keeps
            # the two key columns.
            models.Index(
                fields=["stage", "valid_from"],
                include=["valid_to", "region", "departement", "epci", "commune", "pathway_id", "dalo"],
                name="facts_span_stage_day",
            ),
            models.Index(fields=["pathway_id"], name="facts_span_pathway"),
        ]

    def __str__(self):
        return f"{self.stage} du {self.valid_from} au {self.valid_to or '…'}"


class Entry(models.TextChoices):
    NEW = "nouveau", "nouveau parcours"
    AFTER_HOUSING = "retour_logement", "retour après un logement"
    AFTER_INACTIVITY = "retour_inactivite", "retour après inactivité"


class Exit(models.TextChoices):
    HOUSED = "loge", "entrée dans les lieux"
    INACTIVE = "inactif", "devenu inactif"
    CLOSED = "cloture", "clôture pour un autre motif"


class ActiveSpan(Located):
    """A period over [valid_from, valid_to) in which a pathway is **active** (docs/indicateurs.md,
    « Pilotage mensuel »): a stage before housing, and a transition or a contact in the last
    STEERING_INACTIVE_DAYS days. It starts with a transition or a contact; it ends at the move-in or
    the closure that ends the stage before housing, or when that many days have gone by without
    activity (valid_to is never null: the day the pathway would become inactive, maybe in the future).
    The commune is the pathway's; composition and situation group are the household's, the latter on
    valid_from (blank when unknown)."""

    valid_from = models.DateField()
    valid_to = models.DateField()
    entry = models.CharField(max_length=20, choices=Entry.choices)
    exit = models.CharField(max_length=10, choices=Exit.choices)
    composition = models.CharField(max_length=30)
    situation_group = models.CharField(max_length=20, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["region", "valid_from"], include=["valid_to"], name="facts_active_region"),
            models.Index(fields=["departement", "valid_from"], include=["valid_to"], name="facts_active_dep"),
            models.Index(fields=["epci", "valid_from"], include=["valid_to"], name="facts_active_epci"),
            models.Index(fields=["valid_from", "valid_to"], name="facts_active_dates"),
            models.Index(fields=["pathway_id"], name="facts_active_pathway"),
        ]

    def __str__(self):
        return f"actif du {self.valid_from} au {self.valid_to}"
