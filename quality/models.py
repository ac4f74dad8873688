"""The monthly snapshots of the quality trend (docs/indicateurs.md, « Qualité des données », Évolution):
what quality/trend.py computes for a month end, stored per referent structure and commune of the pathway
by quality/snapshots.py, so that the page reads a few rows instead of the history of every file.

Territory codes are plain columns, as in facts.models.Located: facts.models.in_territory filters them with
no join. They are the geography of the day the snapshot was computed."""

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
