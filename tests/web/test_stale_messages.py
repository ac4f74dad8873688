"""A form sent on a pathway changed since says what changed (stage, structure, caseworker) and who
changed it: the person herself in another tab, a colleague by name, or an import."""

import pytest
from django.urls import reverse

from pathways import services
from pathways.enums import Stage
from pathways.models import Pathway
from tests.web.queues_scenario import days_ago, make_scenario
from web.pathway_state import seen_value


@pytest.fixture
def scenario(geo):
    return make_scenario(geo)


@pytest.fixture
def coordinator_client(client, scenario):
    client.force_login(scenario.coordinator)
    return client


def test_the_pages_carry_what_they_showed(coordinator_client, scenario):
    durand = scenario.durand
    expected = f'name="seen" value="demande:{scenario.alpha.pk}:{scenario.sam.pk}"'
    assert seen_value(durand) == f"demande:{scenario.alpha.pk}:{scenario.sam.pk}"
    for name in ("queues:orient", "queues:assign"):
        assert expected in coordinator_client.get(reverse(name, args=[durand.pk])).content.decode()


def test_a_transfer_in_another_tab_is_told_as_such_not_as_a_new_stage(coordinator_client, scenario):
    diallo = scenario.diallo
    page_state = {"version": diallo.version, "seen": seen_value(diallo)}
    # The same coordinator, in another tab, transfers the pathway: its stage does not change.
    services.pathway_assign(pathway=diallo, structure=scenario.alpha, caseworker=None, by=scenario.coordinator)
    response = coordinator_client.post(
        reverse("queues:orient", args=[diallo.pk]),
        {"orientation": "logement_adapte", "date": days_ago(0).isoformat(), **page_state},
    )
    page = response.content.decode()
    assert (
        "Ce parcours a été modifié entre-temps par vous-même, dans un autre onglet ou une autre fenêtre : "
        "sa structure référente est passée de Bailleur Beta à Association Alpha ; il n&#x27;a plus de "
        "référent ou de référente désigné. Vérifiez son état puis recommencez."
    ) in page
    assert "est maintenant à l&#x27;étape" not in page
    assert Pathway.objects.get(pk=diallo.pk).stage == Stage.ATTENTE_ORIENTATION


def test_a_stale_transfer_names_the_colleague_and_the_stage_change(coordinator_client, scenario):
    durand = scenario.durand
    page_state = {"version": durand.version, "seen": seen_value(durand)}
    services.pathway_transition(pathway=durand, to_stage=Stage.EVALUATION, on=days_ago(0), by=scenario.sam)
    response = coordinator_client.post(
        reverse("queues:assign", args=[durand.pk]), {"structure": scenario.beta.pk, **page_state}
    )
    assert (
        "Ce parcours a été modifié entre-temps par Sam Aubert : son étape est passée de « Demande enregistrée » "
        "à « Évaluation sociale ». Vérifiez son état puis recommencez."
    ) in response.content.decode()
    assert Pathway.objects.get(pk=durand.pk).referent_structure == scenario.alpha


def test_a_change_that_is_neither_stage_structure_nor_caseworker_says_so(coordinator_client, scenario):
    durand = scenario.durand
    page_state = {"version": durand.version, "seen": seen_value(durand)}
    services.contact_record(pathway=durand, on=days_ago(0), kind="entretien", note="", by=None)
    response = coordinator_client.post(
        reverse("queues:assign", args=[durand.pk]), {"structure": scenario.beta.pk, **page_state}
    )
    assert (
        "Ce parcours a été modifié entre-temps par un import ou le système : une autre saisie a été "
        "enregistrée (situation, contact ou mesure), sans changer son étape, sa structure ni son référent."
    ) in response.content.decode()


def test_a_forged_or_missing_state_falls_back_to_the_state_now(coordinator_client, scenario):
    durand = scenario.durand
    version = durand.version
    services.pathway_transition(pathway=durand, to_stage=Stage.EVALUATION, on=days_ago(0), by=scenario.sam)
    for seen in ("", "demande:99999999999999999999999:", "n'importe quoi"):
        response = coordinator_client.post(
            reverse("queues:assign", args=[durand.pk]),
            {"structure": scenario.beta.pk, "version": version, "seen": seen},
        )
        assert response.status_code == 200
        assert (
            "Ce parcours a été modifié entre-temps par Sam Aubert : il est maintenant à l&#x27;étape "
            f"« Évaluation sociale » depuis le {days_ago(0):%d/%m/%Y}."
        ) in response.content.decode()
