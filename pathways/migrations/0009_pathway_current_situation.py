"""Each pathway keeps its latest residential situation (pathways.models.Pathway.current_situation), filled
here from the situation rows in one statement; the queues' index then holds it, the new index first and the
one it replaces after, so that no moment is left without one."""

from django.db import migrations, models

# The latest situation of each pathway: the one with the latest `since` (one per day, situation_one_per_day).
BACKFILL = """
UPDATE pathways_pathway SET
    current_situation = COALESCE((
        SELECT s.situation FROM pathways_situation AS s
        WHERE s.pathway_id = pathways_pathway.id ORDER BY s.since DESC LIMIT 1
    ), ''),
    current_situation_since = (
        SELECT MAX(s.since) FROM pathways_situation AS s WHERE s.pathway_id = pathways_pathway.id
    )
"""


class Migration(migrations.Migration):
    dependencies = [
        ("pathways", "0008_pathway_commune_stage_covering"),
    ]

    operations = [
        migrations.AddField(
            model_name="pathway",
            name="current_situation",
            field=models.CharField(
                blank=True,
                choices=[
                    ("rue", "Rue, espace public"),
                    ("habitat_fortune", "Habitat de fortune (tente, voiture, cabane)"),
                    ("bidonville", "Bidonville, campement"),
                    ("squat", "Squat"),
                    ("abri_nuit", "Halte ou abri de nuit"),
                    ("chu", "Centre d'hébergement d'urgence"),
                    ("hotel_115", "Hôtel financé par le 115 / SIAO"),
                    ("chrs", "CHRS"),
                    ("alt", "Logement temporaire (ALT)"),
                    ("centre_femmes_violences", "Hébergement pour femmes victimes de violences"),
                    ("rhvs", "Résidence hôtelière à vocation sociale"),
                    ("dna", "Dispositif national d'asile (CADA, HUDA, CAES, CPH)"),
                    ("residence_sociale", "Résidence sociale, FJT, FTM"),
                    ("chez_tiers", "Hébergé chez un tiers"),
                    ("sortie_prison", "Sortant de détention"),
                    ("sortie_hopital", "Sortant d'hôpital ou de psychiatrie"),
                    ("sortie_ase", "Sortant de l'aide sociale à l'enfance"),
                    ("menace_expulsion", "Locataire menacé d'expulsion"),
                    ("violences", "Logé, sous menace de violences"),
                    ("caravane", "Caravane, mobil-home"),
                    ("logement_indigne", "Logement insalubre ou indigne"),
                    ("suroccupation", "Sur-occupation"),
                    ("autre", "Autre"),
                ],
                editable=False,
                max_length=30,
                verbose_name="situation actuelle",
            ),
        ),
        migrations.AddField(
            model_name="pathway",
            name="current_situation_since",
            field=models.DateField(editable=False, null=True, verbose_name="situation actuelle depuis le"),
        ),
        migrations.RunSQL(BACKFILL, reverse_sql=migrations.RunSQL.noop),
        migrations.AddIndex(
            model_name="pathway",
            index=models.Index(
                fields=["commune", "stage"],
                include=("stage_on", "dalo", "id", "last_activity_on", "current_situation"),
                name="pathway_queue",
            ),
        ),
        migrations.RemoveIndex(
            model_name="pathway",
            name="pathway_commune_stage",
        ),
    ]
