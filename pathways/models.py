import pgtrigger
from django.conf import settings
from django.db import models
from django.db.models import Case, Exists, F, OuterRef, Q, Value, When
from django.utils import timezone

from pathways.enums import (
    CLOSED_STAGES,
    DALO_STALL_THRESHOLDS,
    HOUSED_STAGES,
    PRE_HOUSING_STAGES,
    SITUATION_GROUPS,
    STALL_THRESHOLDS,
    Composition,
    ContactKind,
    HousingKind,
    ImportStatus,
    MeasureKind,
    OrientationTarget,
    Relationship,
    SituationKind,
    Stage,
)
from pathways.names import display_name
from project.background import BackgroundJobMixin
from project.expressions import DaysBetween
from territories.text import normalize_name


def stall_threshold(stage_field: str, *, commune: str, epci: str, departement: str, region: str, dalo: str = "dalo"):
    """The days of inactivity after which a pathway is stalled in the stage held by `stage_field` of the
    outer row: the most specific override covering its commune (the outer row's `commune`, `epci`,
    `departement` and `region` fields), else the default of domain.md; for a DALO pathway (`dalo`) the
    override's DALO days, else its days, else the DALO default.

    The overrides (an administrator's few rows, territories/stall.py) are written into the expression as
    plain conditions, most specific first: no subquery per row, so that a count of the stalled pathways
    of a département stays one pass over its pathways."""
    from territories.stall import threshold_overrides

    columns = (("commune_id", commune), ("epci_id", epci), ("departement_id", departement), ("region_id", region))
    overrides = threshold_overrides()
    ranked = []
    for field, outer in columns:  # a commune's override first, then its EPCI's, département's, région's
        for row in sorted((r for r in overrides if r[field]), key=lambda r: (r["stage"], r[field])):
            ranked.append((Q(**{stage_field: row["stage"], outer: row[field]}), row))
    default = [When(**{stage_field: stage}, then=Value(days)) for stage, days in STALL_THRESHOLDS.items()]
    dalo_default = [When(**{stage_field: stage}, then=Value(days)) for stage, days in DALO_STALL_THRESHOLDS.items()]
    plain = Case(*[When(q, then=Value(row["days"])) for q, row in ranked], *default, default=None)
    for_dalo = Case(
        *[When(q, then=Value(row["dalo_days"] if row["dalo_days"] is not None else row["days"])) for q, row in ranked],
        *dalo_default,
        default=None,
    )
    return Case(When(**{dalo: True}, then=for_dalo), default=plain)


class PathwayQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The pathways `user` may open (roles.md); every page starts from here. None for a superuser,
        an operator (reference data, accounts, the admin) who reads no case file."""
        if not user.is_authenticated or not user.is_active or user.is_superuser:
            return self.none()
        if user.is_caseworker:
            # One list of ids, the structures' own pathways and those shared with them, read by two index
            # scans: an OR with an EXISTS would read every pathway of France (330 ms at 1,000,000).
            own = Pathway.objects.filter(referent_structure__in=user.structure_ids).values("pk")
            shared = PathwayShare.objects.filter(structure__in=user.structure_ids).values("pathway_id")
            return self.filter(pk__in=own.union(shared, all=True))
        if user.is_coordinator:
            return self.filter(user.territory_q("commune"))
        return self.none()

    def in_territory(self, territory):
        return self.filter(territory.commune_q("commune"))

    def pre_housing(self):
        return self.filter(stage__in=PRE_HOUSING_STAGES)

    def housed(self):
        return self.filter(stage__in=HOUSED_STAGES)

    def open(self):
        return self.exclude(stage__in=CLOSED_STAGES)

    def with_stall_threshold(self, stage_field: str = "stage"):
        """Annotate `stall_threshold`: the days of inactivity after which the pathway is stalled in the
        stage held by `stage_field` (stall_threshold below)."""
        return self.annotate(
            stall_threshold=stall_threshold(
                stage_field,
                commune="commune",
                epci="commune__epci",
                departement="commune__departement",
                region="commune__region",
            )
        )

    def with_days_inactive(self, on):
        """Annotate `days_inactive`: days from the latest activity (transition or contact) to `on`."""
        return self.annotate(days_inactive=DaysBetween(Value(on), F("last_activity_on")))

    def stalled(self, *, on):
        """Pre-housing pathways whose inactivity on `on` exceeds their stage's threshold (domain.md)."""
        return (
            self.pre_housing()
            .with_stall_threshold()
            .with_days_inactive(on)
            .filter(days_inactive__gt=F("stall_threshold"))
        )


class HouseholdQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(Exists(Pathway.objects.visible_to(user).filter(household=OuterRef("pk"))))

    def search(self, text: str, *, user):
        """By reference number, or by a member's name (accents and case ignored). A confidential
        household is found by name only by its referent structures (roles.md)."""
        text = text.strip()
        if not text:
            return self.none()
        reference = parse_reference(text, prefix="M")
        if reference is not None:
            return self.filter(pk=reference)
        words = normalize_name(text).split()
        if not words:
            return self.none()
        members = Member.objects.filter(household=OuterRef("pk"))
        for word in words:
            members = members.filter(search_name__contains=word)
        # An anonymised household's members all bear the placeholder name: never a match by name.
        by_name = self.filter(Exists(members), anonymised_on__isnull=True)
        if user.is_superuser:
            return by_name
        own = Pathway.objects.filter(household=OuterRef("pk"), referent_structure__in=user.structure_ids)
        return by_name.filter(Q(confidential=False) | Exists(own))


def parse_reference(text: str, *, prefix: str) -> int | None:
    """'M-000123', 'm123' or '123' -> 123."""
    cleaned = text.strip().upper().replace(" ", "")
    if cleaned.startswith(prefix):
        cleaned = cleaned[len(prefix) :].lstrip("-")
    # isdigit() alone accepts "²", which int() refuses: ASCII digits only.
    return int(cleaned) if cleaned.isascii() and cleaned.isdigit() else None


class Household(models.Model):
    composition = models.CharField("composition", max_length=30, choices=Composition.choices)
    adults = models.PositiveSmallIntegerField("adultes", default=1)
    children = models.PositiveSmallIntegerField("enfants", default=0)
    confidential = models.BooleanField(
        "confidentiel",
        default=False,
        help_text="Par exemple une victime de violences : nom masqué hors de sa structure.",
    )
    created_on = models.DateField("date de création", default=timezone.localdate)
    external_id = models.CharField("identifiant d'échange", max_length=100, unique=True, null=True, blank=True)
    # Set by pathways.anonymisation after 2 years without activity (roles.md): names, birth dates and
    # notes are gone for good, the figures the indicators read are kept.
    anonymised_on = models.DateField("anonymisé le", null=True, blank=True, editable=False)
    # Bumped by household_update: an edit form built on an older version is refused (no lost update),
    # and the refusal says who changed what, and when, from the three fields below.
    version = models.PositiveIntegerField(default=1, editable=False)
    updated_at = models.DateTimeField("modifié le", null=True, blank=True, editable=False)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name="modifié par",
    )
    # What the latest edit changed, without names ("composition ; 1 personne ajoutée"), so that
    # anonymisation has nothing to clear here.
    last_change = models.CharField("dernière modification", max_length=300, blank=True, editable=False)

    objects = HouseholdQuerySet.as_manager()

    class Meta:
        verbose_name = "ménage"
        constraints = [models.CheckConstraint(condition=Q(adults__gte=1), name="household_at_least_one_adult")]

    def __str__(self):
        return self.reference

    @property
    def reference(self) -> str:
        return f"M-{self.pk:06d}" if self.pk else "M-nouveau"

    @property
    def size(self) -> int:
        return self.adults + self.children


class Member(models.Model):
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="members")
    last_name = models.CharField("nom", max_length=150)
    first_name = models.CharField("prénom", max_length=150, blank=True)
    birth_date = models.DateField("date de naissance", null=True, blank=True)
    relationship = models.CharField(
        "lien avec la personne de référence",
        max_length=20,
        choices=Relationship.choices,
        default=Relationship.REFERENCE,
    )
    # Accent- and case-free "last first", kept in step by save(), for searches on any database.
    search_name = models.CharField(max_length=310, editable=False, db_index=True)

    class Meta:
        verbose_name = "membre"
        ordering = ["household", "id"]

    def __str__(self):
        return f"{self.first_name} {self.last_name}".strip()

    def save(self, *args, **kwargs):
        self.search_name = normalize_name(f"{self.last_name} {self.first_name}")
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "search_name"}
        super().save(*args, **kwargs)

    @property
    def display_name(self) -> str:
        return display_name(self.last_name, self.first_name)


class Pathway(models.Model):
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="pathways")
    referent_structure = models.ForeignKey(
        "territories.Structure",
        on_delete=models.PROTECT,
        related_name="pathways",
        verbose_name="structure référente",
    )
    # PROTECT, like every reference from a case record to an account: an account that took part in a
    # file is deactivated, never deleted, so the file keeps saying who did what.
    caseworker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="pathways",
        verbose_name="référent",
    )
    commune = models.ForeignKey(
        "territories.Commune",
        on_delete=models.PROTECT,
        related_name="pathways",
        verbose_name="commune du parcours",
    )
    opened_on = models.DateField("date d'ouverture")
    dalo = models.BooleanField("DALO", default=False)
    # Denormalised from the transition log by the services, for the queues.
    stage = models.CharField("étape", max_length=30, choices=Stage.choices, editable=False)
    stage_on = models.DateField("depuis le", editable=False)
    last_activity_on = models.DateField("dernière activité", editable=False)
    # The latest residential situation (the one with the latest `since`), kept by the services and the import
    # in the same transaction as the situation rows, so that a queue filters on a column instead of finding
    # each pathway's latest row (pathways.integrity checks it; docs/coordination.md).
    current_situation = models.CharField(
        "situation actuelle", max_length=30, choices=SituationKind.choices, blank=True, editable=False
    )
    current_situation_since = models.DateField("situation actuelle depuis le", null=True, editable=False)
    # The household's composition, kept on each of its pathways by the services and the import (same
    # transaction) so that a queue filters on it without joining the households (pathways.integrity checks it).
    household_composition = models.CharField(
        "composition du ménage", max_length=30, choices=Composition.choices, blank=True, editable=False
    )
    # Bumped by every service write: a form built on an older version is refused (no lost update).
    version = models.PositiveIntegerField(default=1, editable=False)
    external_id = models.CharField("identifiant d'échange", max_length=100, unique=True, null=True, blank=True)

    objects = PathwayQuerySet.as_manager()

    class Meta:
        verbose_name = "parcours"
        verbose_name_plural = "parcours"
        indexes = [
            models.Index(fields=["stage", "stage_on"]),
            # The queues of a territory (web/queues): on PostgreSQL the index also holds what their count, sort,
            # stall, situation and composition filters read, so that a page's keys come from an index-only scan (at 1,000,000
            # pathways the unfiltered queue's keys in 76 ms instead of 140, a deep page of a stage in 14 instead
            # of 67).
            models.Index(
                fields=["commune", "stage"],
                include=["stage_on", "dalo", "id", "last_activity_on", "current_situation", "household_composition"],
                name="pathway_queue_filters",
            ),
            models.Index(fields=["referent_structure", "stage"]),
        ]

    def __str__(self):
        return self.reference

    @property
    def reference(self) -> str:
        return f"P-{self.pk:06d}" if self.pk else "P-nouveau"

    @property
    def is_closed(self) -> bool:
        return self.stage in CLOSED_STAGES


class PathwayShare(models.Model):
    """A pathway shared with another structure, whose caseworkers then see it (roles.md)."""

    pathway = models.ForeignKey(Pathway, on_delete=models.CASCADE, related_name="shares")
    structure = models.ForeignKey("territories.Structure", on_delete=models.CASCADE, related_name="shared_pathways")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["pathway", "structure"], name="share_unique")]

    def __str__(self):
        return f"{self.pathway} partagé avec {self.structure}"


class Recorded(models.Model):
    # Empty only for rows written by an import or the system; PROTECT so that deleting an account can
    # never turn its entries into "recorded by an import".
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="saisi par",
    )
    recorded_at = models.DateTimeField("saisi le", default=timezone.now)

    class Meta:
        abstract = True


# The columns of a transition that may change once it is written (docs/exploitation.md, "Journal des
# étapes") : the links to the next step, set when the next one is appended (services, migration 0003),
# and the free-text reason, which only anonymisation may change, and only by clearing it.
TRANSITION_MUTABLE_COLUMNS = ["next_stage", "next_date", "dwelling_kind", "dwelling_commune", "reason"]
TRANSITION_NO_DELETE = "pathways.Transition:transition_no_delete"


def transition_history_replacement():
    """The one context where transitions may be deleted: an import replacing pathways' histories
    (pathways/exchange/importer.py). pgtrigger.ignore sets a transaction-local setting that the DELETE
    trigger reads, for the queries of this thread only; a no-op on SQLite, which has no triggers."""
    return pgtrigger.ignore(TRANSITION_NO_DELETE)


class Transition(Recorded):
    """One row of a pathway's append-only stage log; `seq` orders transitions of the same day.

    On PostgreSQL, triggers refuse any other UPDATE and any DELETE, whoever runs it (the application's
    role included): see TRANSITION_MUTABLE_COLUMNS and transition_history_replacement()."""

    pathway = models.ForeignKey(Pathway, on_delete=models.CASCADE, related_name="transitions")
    seq = models.PositiveIntegerField()
    stage = models.CharField("étape", max_length=30, choices=Stage.choices)
    date = models.DateField("date")
    housing_kind = models.CharField("type de logement", max_length=30, choices=HousingKind.choices, blank=True)
    housing_commune = models.ForeignKey(
        "territories.Commune",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="commune du logement",
    )
    landlord = models.ForeignKey(
        "territories.Structure",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="bailleur",
    )
    orientation = models.CharField("orientation", max_length=30, choices=OrientationTarget.choices, blank=True)
    reason = models.TextField("motif", blank=True)
    # Derived from the log by `stages.chain_links` when a transition is appended (services, import), so
    # that the indicators read "the next transition" and "the dwelling of the latest lease" as columns
    # instead of correlated subqueries: the stage on a date is the row with date <= day < next_date.
    next_stage = models.CharField("étape suivante", max_length=30, choices=Stage.choices, blank=True, editable=False)
    next_date = models.DateField("date de l'étape suivante", null=True, blank=True, editable=False)
    dwelling_kind = models.CharField(
        "type du logement (dernier bail)", max_length=30, choices=HousingKind.choices, blank=True, editable=False
    )
    dwelling_commune = models.ForeignKey(
        "territories.Commune",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name="commune du logement (dernier bail)",
    )

    class Meta:
        verbose_name = "changement d'étape"
        verbose_name_plural = "changements d'étape"
        ordering = ["pathway", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["pathway", "seq"], name="transition_seq_unique"),
            models.CheckConstraint(
                condition=(Q(stage=Stage.BAIL_SIGNE) & ~Q(housing_kind="") & Q(housing_commune__isnull=False))
                | (~Q(stage=Stage.BAIL_SIGNE) & Q(housing_kind="") & Q(housing_commune__isnull=True)),
                name="transition_housing_only_on_lease",
            ),
        ]
        indexes = [models.Index(fields=["stage", "date"]), models.Index(fields=["pathway", "date", "next_date"])]
        triggers = [
            pgtrigger.ReadOnly(name="transition_append_only", exclude=TRANSITION_MUTABLE_COLUMNS),
            pgtrigger.Protect(
                name="transition_reason_only_cleared",
                operation=pgtrigger.Update,
                condition=pgtrigger.Q(old__reason__df=pgtrigger.F("new__reason")) & ~pgtrigger.Q(new__reason=""),
            ),
            pgtrigger.Protect(name="transition_no_delete", operation=pgtrigger.Delete),
        ]

    def __str__(self):
        return f"{self.get_stage_display()} le {self.date:%d/%m/%Y}"


class Situation(Recorded):
    pathway = models.ForeignKey(Pathway, on_delete=models.CASCADE, related_name="situations")
    situation = models.CharField("situation", max_length=30, choices=SituationKind.choices)
    since = models.DateField("depuis le")

    class Meta:
        verbose_name = "situation résidentielle"
        verbose_name_plural = "situations résidentielles"
        ordering = ["pathway", "since"]
        constraints = [models.UniqueConstraint(fields=["pathway", "since"], name="situation_one_per_day")]

    def __str__(self):
        return f"{self.get_situation_display()} depuis le {self.since:%d/%m/%Y}"

    @property
    def group(self) -> str:
        return SITUATION_GROUPS[self.situation]


class Contact(Recorded):
    pathway = models.ForeignKey(Pathway, on_delete=models.CASCADE, related_name="contacts")
    date = models.DateField("date")
    kind = models.CharField("type", max_length=20, choices=ContactKind.choices)
    note = models.TextField("note factuelle", blank=True)

    class Meta:
        ordering = ["pathway", "date", "id"]
        indexes = [models.Index(fields=["pathway", "date"])]

    def __str__(self):
        return f"{self.get_kind_display()} le {self.date:%d/%m/%Y}"


class Measure(Recorded):
    pathway = models.ForeignKey(Pathway, on_delete=models.CASCADE, related_name="measures")
    kind = models.CharField("mesure", max_length=40, choices=MeasureKind.choices)
    provider = models.ForeignKey(
        "territories.Structure",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="opérateur",
    )
    started_on = models.DateField("début")
    ended_on = models.DateField("fin", null=True, blank=True)
    external_id = models.CharField("identifiant d'échange", max_length=100, unique=True, null=True, blank=True)

    class Meta:
        verbose_name = "mesure d'accompagnement"
        verbose_name_plural = "mesures d'accompagnement"
        ordering = ["pathway", "started_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("started_on")),
                name="measure_ended_after_started",
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()} depuis le {self.started_on:%d/%m/%Y}"


class Assignment(Recorded):
    """Who held a pathway (structure and caseworker) from when: the history kept by transfers."""

    pathway = models.ForeignKey(Pathway, on_delete=models.CASCADE, related_name="assignments")
    structure = models.ForeignKey("territories.Structure", on_delete=models.PROTECT, related_name="+")
    caseworker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    note = models.TextField("motif", blank=True)

    class Meta:
        verbose_name = "affectation"
        ordering = ["pathway", "recorded_at", "id"]

    def __str__(self):
        return f"{self.structure} depuis le {self.recorded_at:%d/%m/%Y}"


class Reminder(Recorded):
    """A coordination's reminder to the referent structure about a pathway. Not a contact: it is no
    activity on the case, so it leaves the pathway's version, stage, last activity and stall alone."""

    pathway = models.ForeignKey(Pathway, on_delete=models.CASCADE, related_name="reminders")
    # The referent structure when reminded: a later transfer does not move the reminder to the new one.
    structure = models.ForeignKey("territories.Structure", on_delete=models.PROTECT, related_name="+")
    note = models.TextField("message", blank=True)

    class Meta:
        verbose_name = "relance"
        ordering = ["pathway", "recorded_at", "id"]
        indexes = [models.Index(fields=["pathway", "recorded_at"])]

    def __str__(self):
        return f"Relance de {self.structure} le {self.recorded_at:%d/%m/%Y}"


IMPORT_FINISHED_STATUSES = (ImportStatus.DONE, ImportStatus.FAILED)


class FinishedImportJobError(Exception):
    """A change to a finished import job (French message)."""


DEFAULT_IMPORT_JOB_TIMEOUT_MINUTES = 30


def import_job_timeout_minutes() -> int:
    return getattr(settings, "IMPORT_JOB_TIMEOUT_MINUTES", DEFAULT_IMPORT_JOB_TIMEOUT_MINUTES)


class ImportJobQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Superusers see every import; administrators their own; nobody else any."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_superuser:
            return self
        if user.is_administrator:
            return self.filter(uploaded_by=user)
        return self.none()


class ImportJob(BackgroundJobMixin, models.Model):
    """An exchange folder uploaded from the web page, imported in the background.

    The file is kept in the database (not under MEDIA_ROOT) because the web and the Celery worker share
    only the database (docker-compose has no shared media volume); it may hold names and birth dates, so
    the write that finishes the job empties it: the job keeps its name, size, counts and errors."""

    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="déposé par"
    )
    uploaded_at = models.DateTimeField("déposé le", default=timezone.now)
    file_name = models.CharField("fichier", max_length=255)
    file_size = models.PositiveBigIntegerField("taille (octets)")
    content = models.BinaryField("contenu du fichier", editable=False)
    dry_run = models.BooleanField("simulation seulement", default=False)
    status = models.CharField("état", max_length=20, choices=ImportStatus.choices, default=ImportStatus.PENDING)
    started_at = models.DateTimeField("import commencé le", null=True, blank=True)
    finished_at = models.DateTimeField("import terminé le", null=True, blank=True)
    # One line per file: "structures.csv : 2 créé(s), 0 mis à jour, 0 inchangé(s)", and the ignored files.
    summary = models.JSONField("résumé", default=list, blank=True)
    # Every invalid row: [{"file": ..., "line": ..., "column": ..., "message": ...}].
    errors = models.JSONField("erreurs des fichiers", default=list, blank=True)
    error = models.TextField("erreur d'exécution", blank=True)
    # At most IMPORT_MAX_ERRORS are stored in `errors`; this counts them all.
    error_count = models.PositiveIntegerField("nombre d'erreurs", default=0)
    # Background lifecycle (project/background.py): when the task reached the broker (empty: not yet, the
    # beat task sends it again), the worker's last sign of life, and how many workers took the job.
    sent_at = models.DateTimeField("transmis au service de tâches le", null=True, blank=True)
    heartbeat_at = models.DateTimeField("dernier signe de vie", null=True, blank=True)
    attempts = models.PositiveSmallIntegerField("tentatives", default=0)

    objects = ImportJobQuerySet.as_manager()

    class Meta:
        verbose_name = "import"
        ordering = ["-uploaded_at", "-id"]
        indexes = [models.Index(fields=["uploaded_by", "uploaded_at"])]

    def __str__(self):
        return f"Import de {self.file_name} du {timezone.localtime(self.uploaded_at):%d/%m/%Y %H:%M}"

    def save(self, *args, **kwargs):
        # Read from the database, not from this instance, which may be stale.
        if self.pk and ImportJob.objects.filter(pk=self.pk, status__in=IMPORT_FINISHED_STATUSES).exists():
            raise FinishedImportJobError("Un import terminé ne change plus : déposez le fichier à nouveau.")
        super().save(*args, **kwargs)

    @property
    def is_finished(self) -> bool:
        return self.status in IMPORT_FINISHED_STATUSES
