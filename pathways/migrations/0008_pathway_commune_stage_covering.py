"""The territory's queues read their keys from one index (pathways.models.Pathway.Meta): the new index
first, then the one it replaces, so that no moment is left without one."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("pathways", "0007_reminder"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="pathway",
            index=models.Index(
                fields=["commune", "stage"],
                include=("stage_on", "dalo", "id", "last_activity_on"),
                name="pathway_commune_stage",
            ),
        ),
        migrations.RemoveIndex(
            model_name="pathway",
            name="pathways_pa_commune_160b76_idx",
        ),
    ]
