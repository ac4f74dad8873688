from django.db import models


class Action(models.TextChoices):
    READ = "read", "Consultation"
    CREATE = "create", "Création"
    UPDATE = "update", "Modification"
    EXPORT = "export", "Export"
    IMPORT = "import", "Import"


class Target(models.TextChoices):
    HOUSEHOLD = "household", "Ménage"
    PATHWAY = "pathway", "Parcours"
    QUEUE = "queue", "File d'attente"
    EXCHANGE = "exchange", "Échange (import, export)"


# Case-file access logs are kept 12 months, then purged (roles.md).
RETENTION_DAYS = 365
