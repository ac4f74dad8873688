from django.db import models


class EpciKind(models.TextChoices):
    METROPOLE = "METRO", "Métropole"
    COMMUNAUTE_URBAINE = "CU", "Communauté urbaine"
    COMMUNAUTE_AGGLOMERATION = "CA", "Communauté d'agglomération"
    COMMUNAUTE_COMMUNES = "CC", "Communauté de communes"
    METROPOLE_LYON = "MET69", "Métropole de Lyon"


class StructureKind(models.TextChoices):
    SIAO = "siao", "SIAO"
    ASSOCIATION = "association", "Association"
    BAILLEUR_SOCIAL = "bailleur_social", "Bailleur social"
    CCAS = "ccas", "CCAS"
    CONSEIL_DEPARTEMENTAL = "conseil_departemental", "Conseil départemental"
    ETAT = "etat", "Services de l'État"
    COLLECTIVITE = "collectivite", "Collectivité"
    SANTE = "sante", "Santé"
    AUTRE = "autre", "Autre"


class SiteKind(models.TextChoices):
    IML_SOUS_LOCATION = "iml_sous_location", "IML en sous-location"
    IML_MANDAT_GESTION = "iml_mandat_gestion", "IML en mandat de gestion"
    PENSION_FAMILLE = "pension_famille", "Pension de famille"
    RESIDENCE_ACCUEIL = "residence_accueil", "Résidence accueil"
    RESIDENCE_SOCIALE = "residence_sociale", "Résidence sociale"
    CHU = "chu", "Centre d'hébergement d'urgence"
    CHRS = "chrs", "CHRS"
    HOTEL = "hotel", "Hôtel"
    ACT = "act", "Appartements de coordination thérapeutique"
    UN_CHEZ_SOI_DABORD = "un_chez_soi_dabord", "Un chez-soi d'abord"
    LHSS = "lhss", "Lits halte soins santé"
    AUTRE = "autre", "Autre"


IML_SITE_KINDS = (SiteKind.IML_SOUS_LOCATION, SiteKind.IML_MANDAT_GESTION)
PENSION_FAMILLE_SITE_KINDS = (SiteKind.PENSION_FAMILLE, SiteKind.RESIDENCE_ACCUEIL)


class LabelKind(models.TextChoices):
    MISE_EN_OEUVRE_ACCELEREE = (
        "mise_en_oeuvre_acceleree",
        "Territoire de mise en œuvre accélérée du Logement d'abord",
    )
