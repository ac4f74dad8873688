from django.db import models


class Stage(models.TextChoices):
    REPERAGE = "reperage", "Repérage / premier contact"
    DEMANDE = "demande", "Demande enregistrée"
    EVALUATION = "evaluation", "Évaluation sociale"
    ATTENTE_ORIENTATION = "attente_orientation", "En attente d'orientation"
    ORIENTE = "oriente", "Orienté"
    PROPOSITION = "proposition", "Proposition de logement"
    CALEOL = "caleol", "Passage en CALEOL"
    ATTRIBUE = "attribue", "Attribution prononcée"
    BAIL_SIGNE = "bail_signe", "Bail signé"
    ENTREE = "entree", "Entrée dans les lieux"
    MAINTIEN = "maintien", "Maintien dans le logement"
    SORTIE_LOGEE = "sortie_logee", "Clôture : logé durablement"
    PERDU_DE_VUE = "perdu_de_vue", "Clôture : perdu de vue"
    RENONCIATION = "renonciation", "Clôture : renonciation"
    HORS_TERRITOIRE = "hors_territoire", "Clôture : départ du territoire"
    DECES = "deces", "Clôture : décès"
    RUPTURE = "rupture", "Clôture : perte du logement"


PRE_HOUSING_STAGES = (
    Stage.REPERAGE,
    Stage.DEMANDE,
    Stage.EVALUATION,
    Stage.ATTENTE_ORIENTATION,
    Stage.ORIENTE,
    Stage.PROPOSITION,
    Stage.CALEOL,
    Stage.ATTRIBUE,
    Stage.BAIL_SIGNE,
)
HOUSED_STAGES = (Stage.ENTREE, Stage.MAINTIEN)
CLOSED_STAGES = (
    Stage.SORTIE_LOGEE,
    Stage.PERDU_DE_VUE,
    Stage.RENONCIATION,
    Stage.HORS_TERRITOIRE,
    Stage.DECES,
    Stage.RUPTURE,
)
REOPENABLE_STAGES = (Stage.PERDU_DE_VUE, Stage.RENONCIATION)
# Stages a pathway created in the product may start in; an import may start at any pre-housing stage.
CREATION_STAGES = (Stage.REPERAGE, Stage.DEMANDE)
IMPORT_INITIAL_STAGES = PRE_HOUSING_STAGES

_PRE_HOUSING_CLOSURES = {Stage.PERDU_DE_VUE, Stage.RENONCIATION, Stage.HORS_TERRITOIRE, Stage.DECES}
_HOUSED_CLOSURES = {Stage.PERDU_DE_VUE, Stage.HORS_TERRITOIRE, Stage.DECES}

# The stage machine: every allowed transition (domain.md). Anything else is refused.
TRANSITIONS: dict[str, set[str]] = {
    Stage.REPERAGE: {Stage.DEMANDE, Stage.ORIENTE} | _PRE_HOUSING_CLOSURES,
    Stage.DEMANDE: {Stage.EVALUATION, Stage.ORIENTE} | _PRE_HOUSING_CLOSURES,
    Stage.EVALUATION: {Stage.ATTENTE_ORIENTATION, Stage.DEMANDE} | _PRE_HOUSING_CLOSURES,
    Stage.ATTENTE_ORIENTATION: {Stage.ORIENTE, Stage.EVALUATION} | _PRE_HOUSING_CLOSURES,
    Stage.ORIENTE: {Stage.PROPOSITION, Stage.ATTENTE_ORIENTATION} | _PRE_HOUSING_CLOSURES,
    Stage.PROPOSITION: {Stage.CALEOL, Stage.ORIENTE, Stage.BAIL_SIGNE} | _PRE_HOUSING_CLOSURES,
    Stage.CALEOL: {Stage.ATTRIBUE, Stage.ORIENTE} | _PRE_HOUSING_CLOSURES,
    Stage.ATTRIBUE: {Stage.BAIL_SIGNE, Stage.ORIENTE} | _PRE_HOUSING_CLOSURES,
    Stage.BAIL_SIGNE: {Stage.ENTREE, Stage.ORIENTE} | _PRE_HOUSING_CLOSURES,
    Stage.ENTREE: {Stage.MAINTIEN, Stage.SORTIE_LOGEE, Stage.RUPTURE} | _HOUSED_CLOSURES,
    Stage.MAINTIEN: {Stage.SORTIE_LOGEE, Stage.RUPTURE} | _HOUSED_CLOSURES,
    Stage.SORTIE_LOGEE: set(),
    Stage.PERDU_DE_VUE: {Stage.DEMANDE},
    Stage.RENONCIATION: {Stage.DEMANDE},
    Stage.HORS_TERRITOIRE: set(),
    Stage.DECES: set(),
    Stage.RUPTURE: set(),
}

# Default stalled thresholds in days (domain.md); `oriente` has a shorter one for DALO pathways.
STALL_THRESHOLDS: dict[str, int] = {
    Stage.REPERAGE: 90,
    Stage.DEMANDE: 90,
    Stage.EVALUATION: 30,
    Stage.ATTENTE_ORIENTATION: 60,
    Stage.ORIENTE: 180,
    Stage.PROPOSITION: 60,
    Stage.CALEOL: 60,
    Stage.ATTRIBUE: 30,
    Stage.BAIL_SIGNE: 30,
}
DALO_STALL_THRESHOLDS: dict[str, int] = {**STALL_THRESHOLDS, Stage.ORIENTE: 90}


class OrientationTarget(models.TextChoices):
    LOGEMENT_ORDINAIRE = "logement_ordinaire", "Logement ordinaire"
    LOGEMENT_ADAPTE = "logement_adapte", "Logement adapté"
    UN_CHEZ_SOI_DABORD = "un_chez_soi_dabord", "Un chez-soi d'abord"
    HEBERGEMENT = "hebergement", "Hébergement (à défaut)"


class SituationGroup(models.TextChoices):
    SANS_ABRI = "sans_abri", "Sans-abri"
    HEBERGEMENT = "hebergement", "Hébergement"
    ASILE = "asile", "Dispositif d'asile"
    LOGEMENT_FOYER = "logement_foyer", "Logement-foyer"
    TIERS = "tiers", "Hébergé chez un tiers"
    INSTITUTION = "institution", "Sortant d'institution"
    LOGEMENT_PRECAIRE = "logement_precaire", "Logement précaire"
    AUTRE = "autre", "Autre"


class SituationKind(models.TextChoices):
    RUE = "rue", "Rue, espace public"
    HABITAT_FORTUNE = "habitat_fortune", "Habitat de fortune (tente, voiture, cabane)"
    BIDONVILLE = "bidonville", "Bidonville, campement"
    SQUAT = "squat", "Squat"
    ABRI_NUIT = "abri_nuit", "Halte ou abri de nuit"
    CHU = "chu", "Centre d'hébergement d'urgence"
    HOTEL_115 = "hotel_115", "Hôtel financé par le 115 / SIAO"
    CHRS = "chrs", "CHRS"
    ALT = "alt", "Logement temporaire (ALT)"
    CENTRE_FEMMES_VIOLENCES = "centre_femmes_violences", "Hébergement pour femmes victimes de violences"
    RHVS = "rhvs", "Résidence hôtelière à vocation sociale"
    DNA = "dna", "Dispositif national d'asile (CADA, HUDA, CAES, CPH)"
    RESIDENCE_SOCIALE = "residence_sociale", "Résidence sociale, FJT, FTM"
    CHEZ_TIERS = "chez_tiers", "Hébergé chez un tiers"
    SORTIE_PRISON = "sortie_prison", "Sortant de détention"
    SORTIE_HOPITAL = "sortie_hopital", "Sortant d'hôpital ou de psychiatrie"
    SORTIE_ASE = "sortie_ase", "Sortant de l'aide sociale à l'enfance"
    MENACE_EXPULSION = "menace_expulsion", "Locataire menacé d'expulsion"
    VIOLENCES = "violences", "Logé, sous menace de violences"
    CARAVANE = "caravane", "Caravane, mobil-home"
    LOGEMENT_INDIGNE = "logement_indigne", "Logement insalubre ou indigne"
    SUROCCUPATION = "suroccupation", "Sur-occupation"
    AUTRE = "autre", "Autre"


SITUATION_GROUPS: dict[str, str] = {
    SituationKind.RUE: SituationGroup.SANS_ABRI,
    SituationKind.HABITAT_FORTUNE: SituationGroup.SANS_ABRI,
    SituationKind.BIDONVILLE: SituationGroup.SANS_ABRI,
    SituationKind.SQUAT: SituationGroup.SANS_ABRI,
    SituationKind.ABRI_NUIT: SituationGroup.HEBERGEMENT,
    SituationKind.CHU: SituationGroup.HEBERGEMENT,
    SituationKind.HOTEL_115: SituationGroup.HEBERGEMENT,
    SituationKind.CHRS: SituationGroup.HEBERGEMENT,
    SituationKind.ALT: SituationGroup.HEBERGEMENT,
    SituationKind.CENTRE_FEMMES_VIOLENCES: SituationGroup.HEBERGEMENT,
    SituationKind.RHVS: SituationGroup.HEBERGEMENT,
    SituationKind.DNA: SituationGroup.ASILE,
    SituationKind.RESIDENCE_SOCIALE: SituationGroup.LOGEMENT_FOYER,
    SituationKind.CHEZ_TIERS: SituationGroup.TIERS,
    SituationKind.SORTIE_PRISON: SituationGroup.INSTITUTION,
    SituationKind.SORTIE_HOPITAL: SituationGroup.INSTITUTION,
    SituationKind.SORTIE_ASE: SituationGroup.INSTITUTION,
    SituationKind.MENACE_EXPULSION: SituationGroup.LOGEMENT_PRECAIRE,
    SituationKind.VIOLENCES: SituationGroup.LOGEMENT_PRECAIRE,
    SituationKind.CARAVANE: SituationGroup.LOGEMENT_PRECAIRE,
    SituationKind.LOGEMENT_INDIGNE: SituationGroup.LOGEMENT_PRECAIRE,
    SituationKind.SUROCCUPATION: SituationGroup.LOGEMENT_PRECAIRE,
    SituationKind.AUTRE: SituationGroup.AUTRE,
}


def situations_in_group(*groups: str) -> list[str]:
    return [code for code, group in SITUATION_GROUPS.items() if group in groups]


class HousingKind(models.TextChoices):
    PARC_SOCIAL = "parc_social", "Parc social"
    PARC_PRIVE = "parc_prive", "Parc privé"
    IML_SOUS_LOCATION = "iml_sous_location", "IML en sous-location"
    IML_MANDAT_GESTION = "iml_mandat_gestion", "IML en mandat de gestion"
    PENSION_FAMILLE = "pension_famille", "Pension de famille"
    RESIDENCE_ACCUEIL = "residence_accueil", "Résidence accueil"
    RESIDENCE_SOCIALE = "residence_sociale", "Résidence sociale"
    UN_CHEZ_SOI_DABORD = "un_chez_soi_dabord", "Un chez-soi d'abord"
    AUTRE = "autre", "Autre"


class MeasureKind(models.TextChoices):
    AVDL_DALO = "avdl_dalo", "AVDL DALO"
    AVDL_HORS_DALO = "avdl_hors_dalo", "AVDL hors DALO"
    ASLL = "asll", "ASLL (FSL)"
    FSL_AIDE = "fsl_aide", "Aide financière FSL"
    GLA = "gla", "Gestion locative adaptée"
    ASG = "asg", "Accompagnement social global"
    ACCOMPAGNEMENT_LDA = "accompagnement_lda", "Accompagnement Logement d'abord"
    DIAGNOSTIC_SOCIAL_FINANCIER = "diagnostic_social_financier", "Diagnostic social et financier"
    UN_CHEZ_SOI_DABORD = "un_chez_soi_dabord", "Un chez-soi d'abord"
    AUTRE = "autre", "Autre"


class Composition(models.TextChoices):
    PERSONNE_SEULE = "personne_seule", "Personne seule"
    COUPLE_SANS_ENFANT = "couple_sans_enfant", "Couple sans enfant"
    FAMILLE_MONOPARENTALE = "famille_monoparentale", "Famille monoparentale"
    COUPLE_AVEC_ENFANTS = "couple_avec_enfants", "Couple avec enfants"
    AUTRE = "autre", "Autre"


class Relationship(models.TextChoices):
    REFERENCE = "reference", "Personne de référence"
    CONJOINT = "conjoint", "Conjoint ou conjointe"
    ENFANT = "enfant", "Enfant"
    PARENT = "parent", "Parent"
    AUTRE = "autre", "Autre"


class ContactKind(models.TextChoices):
    ENTRETIEN = "entretien", "Entretien"
    TELEPHONE = "telephone", "Téléphone"
    VISITE = "visite", "Visite"
    COURRIER = "courrier", "Courrier"
    AUTRE = "autre", "Autre"


class ImportStatus(models.TextChoices):
    PENDING = "pending", "En attente"
    RUNNING = "running", "En cours"
    DONE = "done", "Terminé"
    FAILED = "failed", "En échec"
