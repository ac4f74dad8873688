"""Build the read model from the records already stored (a database migrated before it existed)."""

from django.db import migrations


def build(apps, schema_editor):
    from facts.refresh import rebuild_facts

    rebuild_facts()


class Migration(migrations.Migration):
    dependencies = [
        ("facts", "0001_initial"),
        ("pathways", "0007_reminder"),
        ("territories", "0002_epci_kind_metro"),
    ]

    operations = [migrations.RunPython(build, migrations.RunPython.noop)]
