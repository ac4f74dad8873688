"""Build the read model from the records already stored (a database migrated before it existed).

The build now runs in 0004_active_span, once every table of the read model exists: this step is kept so
that the migration graph of databases already migrated stays the same."""

from django.db import migrations


def build(apps, schema_editor):
    pass


class Migration(migrations.Migration):
    dependencies = [
        ("facts", "0001_initial"),
        ("pathways", "0007_reminder"),
        ("territories", "0002_epci_kind_metro"),
    ]

    operations = [migrations.RunPython(build, migrations.RunPython.noop)]
