"""Each pathway keeps its household's composition (pathways.models.Pathway.household_composition), filled
here in one statement; the queues' index then holds it, the new index first and the one it replaces
after, so that no moment is left without one."""

from django.db import migrations, models

BACKFILL = """
UPDATE pathways_pathway SET household_composition = (
    SELECT h.composition FROM pathways_household AS h WHERE h.id = pathways_pathway.household_id
)
"""


class Migration(migrations.Migration):
    dependencies = [
        ("pathways", "0009_pathway_current_situation"),
    ]

    operations = [
        migrations.AddField(
            model_name="pathway",
            name="household_composition",
            field=models.CharField(
                blank=True,
                choices=[
                    ("personne_seule", "Personne seule"),
                    ("couple_sans_enfant", "Couple sans enfant"),
                    ("famille_monoparentale", "Famille monoparentale"),
                    ("couple_avec_enfants", "Couple avec enfants"),
                    ("autre", "Autre"),
                ],
                editable=False,
                max_length=30,
                verbose_name="composition du ménage",
            ),
        ),
        migrations.RunSQL(BACKFILL, reverse_sql=migrations.RunSQL.noop),
        migrations.AddIndex(
            model_name="pathway",
            index=models.Index(
                fields=["commune", "stage"],
                include=(
                    "stage_on",
                    "dalo",
                    "id",
                    "last_activity_on",
                    "current_situation",
                    "household_composition",
                ),
                name="pathway_queue_filters",
            ),
        ),
        migrations.RemoveIndex(
            model_name="pathway",
            name="pathway_queue",
        ),
    ]
