"""The stored figures of the quality page (docs/indicateurs.md, « Qualité des données »), so that the page
reads a few rows instead of every file: the monthly snapshots of the trend (what quality/trend.py computes
for a month end, stored by quality/snapshots.py) and the figures of the day (what quality/figures.py
computes, stored each night by quality/daily.py), both per referent structure and commune of the pathway.

Territory codes are plain columns, as in facts.models.Located: facts.models.in_territory filters them with
no join. They are the geography of the day the row was computed."""

from django.db import models


class QualityMonth(models.Model):
    """One cell of a month end: the files of a referent structure in a commune that were active on
    `month_end`, and those with none of the datable checks' problems on that day, as recorded when the row
    was computed. Every computed month end also has one mark row (structure_id 0, blank codes, no files):
    a month end without any row has not been computed."""

    MARK = 0

    month_end = models.DateField()
    structure_id = models.BigIntegerField()
    commune = models.CharField(max_length=5, blank=True)
    epci = models.CharField(max_length=9, blank=True)
    departement = models.CharField(max_length=3, blank=True)
    region = models.CharField(max_length=3, blank=True)
    files = models.PositiveIntegerField()
    clean = models.PositiveIntegerField()
    computed_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["month_end", "structure_id", "commune"], name="quality_month_cell")
        ]
        indexes = [
            models.Index(fields=["region", "month_end"], name="quality_month_region"),
            models.Index(fields=["departement", "month_end"], name="quality_month_departement"),
            models.Index(fields=["epci", "month_end"], name="quality_month_epci"),
            models.Index(fields=["structure_id", "month_end"], name="quality_month_structure"),
        ]

    def __str__(self):
        return f"{self.month_end} structure {self.structure_id} commune {self.commune}: {self.clean}/{self.files}"


class QualityDay(models.Model):
    """One cell of the figures of a day (quality/figures.py, stored by quality/daily.py): the files of a
    referent structure in a commune that were active when the row was computed, those with none of the
    checks' problems, and the count of each check (one column per code of quality.checks.CHECKS). Every
    computed day also has one mark row (structure_id 0, blank codes, no files), as QualityMonth."""

    MARK = 0

    day = models.DateField()
    structure_id = models.BigIntegerField()
    commune = models.CharField(max_length=5, blank=True)
    epci = models.CharField(max_length=9, blank=True)
    departement = models.CharField(max_length=3, blank=True)
    region = models.CharField(max_length=3, blank=True)
    files = models.PositiveIntegerField()
    clean = models.PositiveIntegerField()
    # One column per check (tests/quality/test_daily.py holds them to CHECKS): sums in SQL on every engine.
    situation_inconnue = models.PositiveIntegerField(default=0)
    situation_tardive = models.PositiveIntegerField(default=0)
    naissance_manquante = models.PositiveIntegerField(default=0)
    date_avant_ouverture = models.PositiveIntegerField(default=0)
    dossier_inactif = models.PositiveIntegerField(default=0)
    doublon_probable = models.PositiveIntegerField(default=0)
    saisie_tardive = models.PositiveIntegerField(default=0)
    computed_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["day", "structure_id", "commune"], name="quality_day_cell")]
        indexes = [
            models.Index(fields=["region", "day"], name="quality_day_region"),
            models.Index(fields=["departement", "day"], name="quality_day_departement"),
            models.Index(fields=["epci", "day"], name="quality_day_epci"),
            models.Index(fields=["structure_id", "day"], name="quality_day_structure"),
        ]

    def __str__(self):
        return f"{self.day} structure {self.structure_id} commune {self.commune}: {self.clean}/{self.files}"
