import datetime

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st

from pathways import services
from pathways.enums import PRE_HOUSING_STAGES, TRANSITIONS, HousingKind, Stage
from pathways.models import Transition
from pathways.stages import check_transition
from tests.pathways.factories import ROAD_TO_ENTREE, PathwayFactory, advance

TODAY = datetime.date(2026, 6, 1)
DAY = datetime.date(2024, 3, 1)
ALLOWED = sorted((a, b) for a, targets in TRANSITIONS.items() for b in targets)


def lease_fields(from_stage, to_stage):
    if to_stage != Stage.BAIL_SIGNE:
        return {}
    kind = HousingKind.PARC_SOCIAL if from_stage == Stage.ATTRIBUE else HousingKind.PARC_PRIVE
    return {"housing_kind": kind, "has_housing_commune": True}


@pytest.mark.parametrize(("from_stage", "to_stage"), ALLOWED)
def test_every_allowed_transition_is_accepted(from_stage, to_stage):
    reason = "refus" if (from_stage, to_stage) == (Stage.ATTRIBUE, Stage.ORIENTE) else ""
    errors = check_transition(
        previous_stage=from_stage,
        previous_date=DAY,
        to_stage=to_stage,
        on=DAY,
        today=TODAY,
        reason=reason,
        **lease_fields(from_stage, to_stage),
    )
    assert errors == {}


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(Stage.values), st.sampled_from(Stage.values))
def test_every_other_transition_is_refused(from_stage, to_stage):
    errors = check_transition(
        previous_stage=from_stage,
        previous_date=DAY,
        to_stage=to_stage,
        on=DAY,
        today=TODAY,
        reason="motif",
        **lease_fields(from_stage, to_stage),
    )
    if to_stage in TRANSITIONS[from_stage]:
        assert "stage" not in errors
    else:
        assert errors["stage"].startswith("Passage impossible de ")


def test_the_table_lists_every_stage():
    assert set(TRANSITIONS) == set(Stage.values)


def test_closed_stages_without_reopening_are_final():
    for stage in (Stage.SORTIE_LOGEE, Stage.HORS_TERRITOIRE, Stage.DECES, Stage.RUPTURE):
        assert TRANSITIONS[stage] == set()


@pytest.mark.django_db
def test_a_refused_transition_writes_nothing(geo):
    pathway = PathwayFactory(commune=geo.marseille)
    with pytest.raises(ValidationError) as error:
        services.pathway_transition(pathway=pathway, to_stage=Stage.ENTREE, on=DAY, by=None)
    assert "Passage impossible de « Demande enregistrée » à « Entrée dans les lieux »" in str(error.value)
    pathway.refresh_from_db()
    assert pathway.stage == Stage.DEMANDE
    assert pathway.version == 1
    assert Transition.objects.filter(pathway=pathway).count() == 1


@pytest.mark.django_db
def test_a_transition_updates_the_current_stage_and_the_log(geo):
    pathway = PathwayFactory(commune=geo.marseille)
    services.pathway_transition(pathway=pathway, to_stage=Stage.EVALUATION, on=DAY, by=None)
    pathway.refresh_from_db()
    assert (pathway.stage, pathway.stage_on, pathway.last_activity_on, pathway.version) == (
        Stage.EVALUATION,
        DAY,
        DAY,
        2,
    )
    assert list(pathway.transitions.values_list("seq", "stage")) == [
        (1, Stage.DEMANDE),
        (2, Stage.EVALUATION),
    ]


@pytest.mark.django_db
def test_a_date_before_the_previous_transition_is_refused(geo):
    pathway = PathwayFactory(commune=geo.marseille, opened_on=DAY)
    with pytest.raises(ValidationError) as error:
        services.pathway_transition(
            pathway=pathway, to_stage=Stage.EVALUATION, on=DAY - datetime.timedelta(days=1), by=None
        )
    assert error.value.message_dict == {
        "date": ["La date ne peut pas précéder celle de l'étape précédente (01/03/2024)."]
    }


@pytest.mark.django_db
def test_a_date_in_the_future_is_refused(geo):
    pathway = PathwayFactory(commune=geo.marseille)
    tomorrow = datetime.date.today() + datetime.timedelta(days=2)
    with pytest.raises(ValidationError) as error:
        services.pathway_transition(pathway=pathway, to_stage=Stage.EVALUATION, on=tomorrow, by=None)
    assert error.value.message_dict == {"date": ["La date ne peut pas être dans le futur."]}


@pytest.mark.django_db
def test_a_lease_needs_its_housing_kind_and_commune(geo):
    pathway = PathwayFactory(commune=geo.marseille, road=ROAD_TO_ENTREE[:6])
    assert pathway.stage == Stage.ATTRIBUE
    with pytest.raises(ValidationError) as error:
        services.pathway_transition(pathway=pathway, to_stage=Stage.BAIL_SIGNE, on=pathway.stage_on, by=None)
    assert error.value.message_dict == {
        "housing_kind": ["Le type de logement est obligatoire pour un bail signé."],
        "housing_commune": ["La commune du logement est obligatoire pour un bail signé."],
    }


@pytest.mark.django_db
def test_housing_fields_are_refused_outside_a_lease(geo):
    pathway = PathwayFactory(commune=geo.marseille)
    with pytest.raises(ValidationError) as error:
        services.pathway_transition(
            pathway=pathway,
            to_stage=Stage.EVALUATION,
            on=DAY,
            by=None,
            housing_kind=HousingKind.PARC_PRIVE,
            housing_commune=geo.aix,
        )
    assert set(error.value.message_dict) == {"housing_kind", "housing_commune"}


@pytest.mark.django_db
def test_social_housing_lease_only_after_an_attribution(geo):
    pathway = PathwayFactory(commune=geo.marseille, road=ROAD_TO_ENTREE[:4])
    assert pathway.stage == Stage.PROPOSITION
    with pytest.raises(ValidationError) as error:
        advance(pathway, Stage.BAIL_SIGNE, housing_kind=HousingKind.PARC_SOCIAL)
    assert error.value.message_dict == {
        "housing_kind": ["Un bail en parc social ne peut suivre qu'une attribution prononcée par la CALEOL."]
    }
    # Housing not attributed by a CALEOL may be signed straight after the proposal.
    advance(pathway, Stage.BAIL_SIGNE, housing_kind=HousingKind.IML_SOUS_LOCATION)
    assert pathway.stage == Stage.BAIL_SIGNE


@pytest.mark.django_db
def test_refusing_an_attribution_needs_a_reason(geo):
    pathway = PathwayFactory(commune=geo.marseille, road=ROAD_TO_ENTREE[:6])
    with pytest.raises(ValidationError) as error:
        services.pathway_transition(pathway=pathway, to_stage=Stage.ORIENTE, on=pathway.stage_on, by=None)
    assert error.value.message_dict == {"reason": ["Le motif du refus par le ménage est obligatoire."]}
    services.pathway_transition(
        pathway=pathway, to_stage=Stage.ORIENTE, on=pathway.stage_on, by=None, reason="Trop loin de l'école"
    )
    assert pathway.stage == Stage.ORIENTE


@pytest.mark.django_db
def test_a_closed_pathway_can_be_reopened_from_perdu_de_vue(geo):
    pathway = PathwayFactory(commune=geo.marseille)
    advance(pathway, Stage.PERDU_DE_VUE, Stage.DEMANDE)
    assert pathway.stage == Stage.DEMANDE
    assert pathway.transitions.count() == 3


@pytest.mark.django_db
def test_a_pathway_starts_in_reperage_or_demande_only(geo):
    with pytest.raises(ValidationError) as error:
        PathwayFactory(commune=geo.marseille, stage=Stage.ORIENTE)
    assert error.value.message_dict == {
        "stage": ["Un parcours commence à l'étape « Repérage / premier contact » ou « Demande enregistrée »."]
    }


@pytest.mark.django_db
def test_a_stale_form_is_refused_with_the_new_state(geo):
    pathway = PathwayFactory(commune=geo.marseille, opened_on=DAY)
    seen_version = pathway.version
    services.pathway_transition(pathway=pathway, to_stage=Stage.EVALUATION, on=DAY, by=None)
    with pytest.raises(services.StaleVersionError) as error:
        services.pathway_transition(
            pathway=pathway, to_stage=Stage.ORIENTE, on=DAY, by=None, expected_version=seen_version
        )
    assert "« Évaluation sociale » depuis le 01/03/2024" in error.value.messages[0]
    assert pathway.transitions.count() == 2


def test_pre_housing_stages_are_the_first_nine():
    assert list(PRE_HOUSING_STAGES) == Stage.values[:9]
