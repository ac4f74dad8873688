from django.db import models

from pathways.enums import HousingKind
from territories.enums import SiteKind


class PlaceState(models.TextChoices):
    VACANT = "vacante", "Vacante"
    PROPOSED = "proposee", "Proposée"
    OCCUPIED = "occupee", "Occupée"
    UNAVAILABLE = "indisponible", "Indisponible"


# States in which a place is held by one pathway (Place.pathway is set exactly then).
HELD_STATES = (PlaceState.PROPOSED, PlaceState.OCCUPIED)


class UnavailableReason(models.TextChoices):
    TRAVAUX = "travaux", "Travaux"
    FERMEE = "fermee", "Fermée"
    SINISTRE = "sinistre", "Sinistre, logement inhabitable"
    AUTRE = "autre", "Autre"


class ProposalStatus(models.TextChoices):
    PENDING = "en_attente", "En attente de réponse"
    ACCEPTED = "acceptee", "Acceptée"
    DECLINED_BY_STRUCTURE = "refusee_structure", "Refusée par la structure"
    DECLINED_BY_HOUSEHOLD = "refusee_menage", "Refusée par le ménage"
    # The pathway left the proposal by another way (moved back or closed through its stages).
    WITHDRAWN = "retiree", "Retirée"


DECLINED_STATUSES = (ProposalStatus.DECLINED_BY_STRUCTURE, ProposalStatus.DECLINED_BY_HOUSEHOLD)
ANSWERED_STATUSES = (ProposalStatus.ACCEPTED, *DECLINED_STATUSES)


class DeclineReason(models.TextChoices):
    """The reference list of decline reasons (docs/places.md); free text goes beside it."""

    LOCALISATION = "localisation", "Localisation (éloignement, quartier, transports)"
    TYPOLOGIE = "typologie", "Taille ou agencement du logement inadaptés"
    COUT = "cout", "Loyer, charges ou reste à vivre"
    ACCESSIBILITE = "accessibilite", "Accessibilité (mobilité réduite, étage)"
    ANIMAUX = "animaux", "Animaux non acceptés"
    ACCOMPAGNEMENT = "accompagnement", "Accompagnement proposé inadapté aux besoins"
    COMPOSITION = "composition", "Composition du ménage incompatible avec la place"
    DOSSIER_INCOMPLET = "dossier_incomplet", "Dossier incomplet"
    AUTRE_SOLUTION = "autre_solution", "Autre solution de logement trouvée"
    SANS_REPONSE = "sans_reponse", "Ménage injoignable ou sans réponse"
    AUTRE = "autre", "Autre motif (préciser)"


# Which reasons each decliner may give.
STRUCTURE_REASONS = (
    DeclineReason.TYPOLOGIE,
    DeclineReason.COUT,
    DeclineReason.ACCESSIBILITE,
    DeclineReason.ANIMAUX,
    DeclineReason.ACCOMPAGNEMENT,
    DeclineReason.COMPOSITION,
    DeclineReason.DOSSIER_INCOMPLET,
    DeclineReason.AUTRE,
)
HOUSEHOLD_REASONS = (
    DeclineReason.LOCALISATION,
    DeclineReason.TYPOLOGIE,
    DeclineReason.COUT,
    DeclineReason.ACCESSIBILITE,
    DeclineReason.ANIMAUX,
    DeclineReason.AUTRE_SOLUTION,
    DeclineReason.SANS_REPONSE,
    DeclineReason.AUTRE,
)
REASONS_BY_STATUS = {
    ProposalStatus.DECLINED_BY_STRUCTURE: STRUCTURE_REASONS,
    ProposalStatus.DECLINED_BY_HOUSEHOLD: HOUSEHOLD_REASONS,
}


class OccupancyEnd(models.TextChoices):
    DEPART = "depart", "Départ du ménage"
    FIN_SEJOUR = "fin_sejour", "Fin de séjour"
    # Accepted but never entered: the pathway went back to its queue before the entry.
    NON_ENTREE = "non_entree", "Entrée non réalisée"


# The lease's housing kind a place of each site kind suggests (the lease form is prefilled with it).
LEASE_KIND = {
    SiteKind.IML_SOUS_LOCATION: HousingKind.IML_SOUS_LOCATION,
    SiteKind.IML_MANDAT_GESTION: HousingKind.IML_MANDAT_GESTION,
    SiteKind.PENSION_FAMILLE: HousingKind.PENSION_FAMILLE,
    SiteKind.RESIDENCE_ACCUEIL: HousingKind.RESIDENCE_ACCUEIL,
    SiteKind.RESIDENCE_SOCIALE: HousingKind.RESIDENCE_SOCIALE,
    SiteKind.UN_CHEZ_SOI_DABORD: HousingKind.UN_CHEZ_SOI_DABORD,
}
