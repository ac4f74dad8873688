from django.db import models


class Kind(models.TextChoices):
    """What waits for someone. The labels are the group titles of the « À traiter » page."""

    TRANSFER = "transfert", "Parcours transférés à ma structure"
    ORIENTATION = "orientation", "Orientations décidées"
    PROPOSAL = "proposition", "Propositions de place en attente de réponse"
    STALLED = "blocage", "Parcours bloqués"
    IMPORT_FINISHED = "import", "Imports terminés"
    BILAN_FINISHED = "bilan", "Bilans terminés"
    INVITATION_ACCEPTED = "invitation", "Invitations acceptées"


class Cleared(models.TextChoices):
    """How an item left the list."""

    OPENED = "ouvert", "Ouvert"
    ACTED = "traite", "Traité sur le parcours"
    MANUAL = "marque", "Marqué comme traité"
    RESOLVED = "resolu", "Plus d'actualité"


class EmailStatus(models.TextChoices):
    PENDING = "a_envoyer", "À envoyer"
    SENT = "envoye", "Envoyé"
    SKIPPED = "non_envoye", "Non envoyé (préférence, ou compte sans adresse)"
    FAILED = "echec", "Échec de l'envoi"


# Items about a pathway, done once their recipient opened the household's page or recorded something on
# it after the item was made (its audit events say so): no query on the household page for that.
CLEARED_BY_OPENING = (Kind.TRANSFER, Kind.ORIENTATION)
PATHWAY_KINDS = (Kind.TRANSFER, Kind.ORIENTATION, Kind.PROPOSAL, Kind.STALLED)

# The kinds each role may receive: the preferences page offers these.
KINDS_BY_ROLE = {
    "caseworker": (Kind.TRANSFER, Kind.ORIENTATION, Kind.PROPOSAL, Kind.STALLED),
    "coordinator": (),
    "administrator": (Kind.IMPORT_FINISHED, Kind.BILAN_FINISHED, Kind.INVITATION_ACCEPTED),
    "observer": (),
}
SUPERUSER_KINDS = (Kind.IMPORT_FINISHED, Kind.BILAN_FINISHED, Kind.INVITATION_ACCEPTED)

# One sentence per kind for an email's subject (one item) and for the preferences page.
EMAIL_SUBJECTS = {
    Kind.TRANSFER: "un parcours a été transféré à votre structure",
    Kind.ORIENTATION: "une orientation a été décidée pour un ménage que vous suivez",
    Kind.PROPOSAL: "une proposition de place attend votre réponse",
    Kind.STALLED: "un parcours que vous suivez est bloqué",
    Kind.IMPORT_FINISHED: "votre import est terminé",
    Kind.BILAN_FINISHED: "votre bilan est terminé",
    Kind.INVITATION_ACCEPTED: "une invitation que vous avez envoyée a été acceptée",
}
