from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from pathways.enums import Stage
from territories.enums import EpciKind, LabelKind, SiteKind, StructureKind


class Region(models.Model):
    code = models.CharField("code INSEE", max_length=3, primary_key=True)
    name = models.CharField("nom", max_length=100)

    class Meta:
        verbose_name = "région"
        ordering = ["code"]

    def __str__(self):
        return self.name


class Departement(models.Model):
    code = models.CharField("code INSEE", max_length=3, primary_key=True)
    name = models.CharField("nom", max_length=100)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="departements")

    class Meta:
        verbose_name = "département"
        ordering = ["code"]

    def __str__(self):
        return f"{self.name} ({self.code})"


class Epci(models.Model):
    siren = models.CharField("SIREN", max_length=9, primary_key=True)
    name = models.CharField("nom", max_length=200)
    kind = models.CharField("type", max_length=5, choices=EpciKind.choices)

    class Meta:
        verbose_name = "EPCI"
        verbose_name_plural = "EPCI"
        ordering = ["name"]

    def __str__(self):
        return self.name


class CommuneQuerySet(models.QuerySet):
    def search(self, text: str):
        text = text.strip()
        if not text:
            return self.none()
        if text[:1].isdigit() or text[:2].upper() in ("2A", "2B"):
            return self.filter(code__startswith=text.upper())
        return self.filter(name__icontains=text)


class Commune(models.Model):
    code = models.CharField("code INSEE", max_length=5, primary_key=True)
    name = models.CharField("nom", max_length=100, db_index=True)
    departement = models.ForeignKey(Departement, on_delete=models.PROTECT, related_name="communes")
    # Denormalised from the département so that a région filter needs no join.
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="communes")
    epci = models.ForeignKey(Epci, on_delete=models.PROTECT, null=True, blank=True, related_name="communes")
    population = models.PositiveIntegerField(null=True, blank=True)

    objects = CommuneQuerySet.as_manager()

    class Meta:
        ordering = ["code"]

    def __str__(self):
        return f"{self.name} ({self.code})"


class Arrondissement(models.Model):
    """A municipal arrondissement (Paris, Lyon, Marseille): it stands for its commune."""

    code = models.CharField("code INSEE", max_length=5, primary_key=True)
    name = models.CharField("nom", max_length=100)
    commune = models.ForeignKey(Commune, on_delete=models.PROTECT, related_name="arrondissements")

    class Meta:
        verbose_name = "arrondissement municipal"
        verbose_name_plural = "arrondissements municipaux"
        ordering = ["code"]

    def __str__(self):
        return self.name


class StructureQuerySet(models.QuerySet):
    def working_in(self, territories):
        """Structures that work in one of `territories`: their own commune, or the commune of one of
        their sites, lies in it. No territory, no structure."""
        condition = Q(pk__in=[])
        for territory in territories:
            sites = Site.objects.filter(territory.commune_q("commune"), structure=models.OuterRef("pk"))
            condition |= territory.commune_q("commune") | Q(models.Exists(sites))
        return self.filter(condition)


class Structure(models.Model):
    name = models.CharField("nom", max_length=200)
    kind = models.CharField("type", max_length=30, choices=StructureKind.choices)
    commune = models.ForeignKey(Commune, on_delete=models.PROTECT, null=True, blank=True, verbose_name="commune")
    external_id = models.CharField("identifiant d'échange", max_length=100, unique=True, null=True, blank=True)

    objects = StructureQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Site(models.Model):
    """Housing supply: places of one kind opened by a structure in a commune."""

    structure = models.ForeignKey(Structure, on_delete=models.PROTECT, related_name="sites")
    name = models.CharField("nom", max_length=200, blank=True)
    kind = models.CharField("type", max_length=30, choices=SiteKind.choices)
    commune = models.ForeignKey(Commune, on_delete=models.PROTECT, related_name="sites")
    places = models.PositiveIntegerField("places")
    opened_on = models.DateField("date d'ouverture")
    closed_on = models.DateField("date de fermeture", null=True, blank=True)
    external_id = models.CharField("identifiant d'échange", max_length=100, unique=True, null=True, blank=True)

    class Meta:
        ordering = ["opened_on", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(places__gte=1), name="site_places_positive"),
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True) | Q(closed_on__gte=models.F("opened_on")),
                name="site_closed_after_opened",
            ),
        ]

    def __str__(self):
        return self.name or f"{self.get_kind_display()} — {self.commune}"

    def clean(self):
        if self.closed_on and self.opened_on and self.closed_on < self.opened_on:
            raise ValidationError({"closed_on": "La date de fermeture précède la date d'ouverture."})


class TerritoryFields(models.Model):
    """Exactly one of commune, EPCI or département: the territory a row applies to."""

    commune = models.ForeignKey(Commune, on_delete=models.PROTECT, null=True, blank=True)
    epci = models.ForeignKey(Epci, on_delete=models.PROTECT, null=True, blank=True, verbose_name="EPCI")
    departement = models.ForeignKey(
        Departement, on_delete=models.PROTECT, null=True, blank=True, verbose_name="département"
    )

    class Meta:
        abstract = True

    @property
    def territory_code(self) -> str:
        if self.commune_id:
            return f"commune:{self.commune_id}"
        if self.epci_id:
            return f"epci:{self.epci_id}"
        return f"departement:{self.departement_id}"

    @property
    def territory_name(self) -> str:
        return str(self.commune or self.epci or self.departement)

    def clean(self):
        chosen = [f for f in (self.commune_id, self.epci_id, self.departement_id) if f]
        if len(chosen) != 1:
            raise ValidationError("Choisissez exactement un territoire : une commune, un EPCI ou un département.")


def exactly_one_territory(name: str, *, with_region: bool = False) -> models.CheckConstraint:
    fields = ["commune", "epci", "departement"] + (["region"] if with_region else [])
    options = []
    for chosen in fields:
        condition = Q(**{f"{chosen}__isnull": False})
        for other in fields:
            if other != chosen:
                condition &= Q(**{f"{other}__isnull": True})
        options.append(condition)
    condition = options[0]
    for option in options[1:]:
        condition |= option
    return models.CheckConstraint(condition=condition, name=name)


class Label(TerritoryFields):
    kind = models.CharField("label", max_length=30, choices=LabelKind.choices)
    started_on = models.DateField("début")
    ended_on = models.DateField("fin", null=True, blank=True)

    class Meta:
        ordering = ["started_on", "id"]
        constraints = [
            exactly_one_territory("label_one_territory"),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
                name="label_ended_after_started",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} — {self.territory_name} ({self.started_on:%Y})"

    def clean(self):
        super().clean()
        if self.ended_on and self.started_on and self.ended_on < self.started_on:
            raise ValidationError({"ended_on": "La date de fin précède la date de début."})


class StallThreshold(TerritoryFields):
    """An administrator's override of a stage's stalled threshold for a territory."""

    region = models.ForeignKey(Region, on_delete=models.PROTECT, null=True, blank=True, verbose_name="région")
    stage = models.CharField("étape", max_length=30, choices=Stage.choices)
    days = models.PositiveIntegerField("jours")
    dalo_days = models.PositiveIntegerField("jours (parcours DALO)", null=True, blank=True)

    class Meta:
        verbose_name = "seuil de blocage"
        verbose_name_plural = "seuils de blocage"
        constraints = [exactly_one_territory("threshold_one_territory", with_region=True)]

    def __str__(self):
        return f"{self.get_stage_display()} : {self.days} j — {self.territory_name}"

    @property
    def territory_code(self) -> str:
        return f"region:{self.region_id}" if self.region_id else super().territory_code

    @property
    def territory_name(self) -> str:
        return str(self.region) if self.region_id else super().territory_name

    def clean(self):
        chosen = [f for f in (self.commune_id, self.epci_id, self.departement_id, self.region_id) if f]
        if len(chosen) != 1:
            raise ValidationError("Choisissez exactement un territoire : une région, un département ou un EPCI.")
