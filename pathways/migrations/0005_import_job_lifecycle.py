# Written by hand (only ImportJob's fields): other model changes are in progress in this app.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('pathways', '0004_household_anonymised_on'),
    ]

    operations = [
        migrations.AddField(
            model_name='importjob',
            name='error_count',
            field=models.PositiveIntegerField(default=0, verbose_name="nombre d'erreurs"),
        ),
        migrations.AddField(
            model_name='importjob',
            name='sent_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='transmis au service de tâches le'),
        ),
        migrations.AddField(
            model_name='importjob',
            name='heartbeat_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='dernier signe de vie'),
        ),
        migrations.AddField(
            model_name='importjob',
            name='attempts',
            field=models.PositiveSmallIntegerField(default=0, verbose_name='tentatives'),
        ),
    ]
