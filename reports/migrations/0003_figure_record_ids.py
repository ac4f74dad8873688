"""The records behind each figure move from one FigureRecord row per id to one blob per figure
(reports/idlist.py); the reverse writes the rows back."""

from django.db import migrations, models

from reports import idlist

BATCH = 5000


def rows_to_blobs(apps, schema_editor):
    BilanFigure = apps.get_model("reports", "BilanFigure")
    FigureRecord = apps.get_model("reports", "FigureRecord")
    # One figure at a time: a big run's records never sit in memory all at once.
    figure_ids = list(FigureRecord.objects.values_list("figure_id", flat=True).distinct().order_by("figure_id"))
    for figure_id in figure_ids:
        ids = FigureRecord.objects.filter(figure_id=figure_id).values_list("record_id", flat=True)
        BilanFigure.objects.filter(pk=figure_id).update(record_ids=idlist.encode(ids))


def blobs_to_rows(apps, schema_editor):
    BilanFigure = apps.get_model("reports", "BilanFigure")
    FigureRecord = apps.get_model("reports", "FigureRecord")
    for figure in BilanFigure.objects.exclude(record_ids=b"").only("pk", "record_ids").iterator(chunk_size=100):
        rows = [FigureRecord(figure_id=figure.pk, record_id=record_id) for record_id in idlist.decode(figure.record_ids)]
        FigureRecord.objects.bulk_create(rows, batch_size=BATCH)


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0002_run_lifecycle"),
    ]

    operations = [
        migrations.AddField(
            model_name="bilanfigure",
            name="record_ids",
            field=models.BinaryField(default=b"", verbose_name="identifiants des enregistrements"),
        ),
        migrations.RunPython(rows_to_blobs, blobs_to_rows),
        migrations.DeleteModel(
            name="FigureRecord",
        ),
    ]
