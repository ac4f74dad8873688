from django.db import models


class Action(models.TextChoices):
    READ = "read", "Consultation"
    CREATE = "create", "Création"
    UPDATE = "update", "Modification"
    DELETE = "delete", "Suppression"
    EXPORT = "export", "Export"
    IMPORT = "import", "Import"
    SIGN_IN = "sign_in", "Connexion"
    SIGN_IN_FAILED = "sign_in_failed", "Échec de connexion"
    SIGN_OUT = "sign_out", "Déconnexion"
    LOCKOUT = "lockout", "Verrouillage"
    DENIED = "denied", "Accès refusé (403)"
    NOT_FOUND = "not_found", "Introuvable (404)"


class Target(models.TextChoices):
    HOUSEHOLD = "household", "Ménage"
    PATHWAY = "pathway", "Parcours"
    QUEUE = "queue", "File d'attente"
    EXCHANGE = "exchange", "Échange (import, export)"
    BILAN = "bilan", "Bilan"
    ACCOUNT = "account", "Compte"
    SESSION = "session", "Session"
    PAGE = "page", "Page"
    PLACE = "place", "Place d'hébergement ou de logement"


# Case-file access logs are kept 12 months, then purged (roles.md).
RETENTION_DAYS = 365
