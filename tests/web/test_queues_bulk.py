"""Bulk orientation and bulk assignment to a caseworker: pathway by pathway, through the services, each
refusal reported with its reason; the selection page first, from the queue's buttons."""

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.enums import Action
from audit.models import AuditEvent
from pathways import services
from pathways.enums import Stage
from pathways.models import Assignment, Transition
from tests.accounts.factories import UserFactory
from tests.web.queues_scenario import make_scenario
from web.queues.bulk import selection_value

TODAY = timezone.localdate
ORIENT = reverse("queues:bulk_orient")
CASEWORKER = reverse("queues:bulk_caseworker")


@pytest.fixture
def scenario(geo):
    return make_scenario(geo)


@pytest.fixture
def coordinator_client(client, scenario):
    client.force_login(scenario.coordinator)
    return client


def selection(*pathways, seen=None):
    return [(seen or {}).get(p.pk) or selection_value(p) for p in pathways]


def messages_of(client, response) -> str:
    assert response.status_code == 302 and response["Location"] == reverse("queues:list")
    return client.get(response["Location"]).content.decode()


def test_the_queue_buttons_lead_to_the_selection_page_without_errors(coordinator_client, scenario):
    s = scenario
    page = coordinator_client.post(ORIENT, {"parcours": selection(s.durand, s.diallo)}).content.decode()
    assert "<h1>Décision d&#x27;orientation d&#x27;une sélection de parcours</h1>" in page
    assert f'value="{selection_value(s.durand)}" id="lot_parcours_0" checked' in page
    assert f">{s.diallo.reference}</label>" in page
    assert "Le formulaire contient" not in page and 'name="confirmer"' in page
    assert Transition.objects.filter(stage=Stage.ORIENTE).count() == 0
    # The caseworker chosen beside the buttons, if any, is proposed on the assignment page.
    page = coordinator_client.post(
        CASEWORKER, {"parcours": selection(s.durand), "caseworker": s.sam.pk}
    ).content.decode()
    assert f'<option value="{s.sam.pk}" selected>' in page
    assert "Le formulaire contient" not in page


def test_bulk_orientation_orients_each_pathway_and_reports_each_refusal(coordinator_client, scenario):
    s = scenario
    seen = {p.pk: selection_value(p) for p in (s.durand, s.diallo, s.secret)}
    services.pathway_transition(pathway=s.secret, to_stage=Stage.DEMANDE, on=TODAY(), by=s.sam)
    # Durand (demande) and Diallo (attente d'orientation) may be oriented; Secret changed meanwhile.
    response = coordinator_client.post(
        ORIENT,
        {
            "parcours": selection(s.durand, s.diallo, s.secret, seen=seen),
            "orientation": "logement_adapte",
            "date": TODAY().isoformat(),
            "confirmer": "1",
        },
    )
    page = messages_of(coordinator_client, response)
    assert f"2 parcours orientés (Logement adapté) : {s.durand.reference}, {s.diallo.reference}." in page
    assert (
        f"1 parcours refusé : {s.secret.reference} : modifié entre-temps par Sam Aubert : son étape est "
        "passée de « Repérage / premier contact » à « Demande enregistrée »."
    ) in page
    for pathway, stage in ((s.durand, Stage.ORIENTE), (s.diallo, Stage.ORIENTE), (s.secret, Stage.DEMANDE)):
        pathway.refresh_from_db()
        assert pathway.stage == stage
    assert list(Transition.objects.filter(stage=Stage.ORIENTE).values_list("orientation", flat=True)) == [
        "logement_adapte",
        "logement_adapte",
    ]
    # Through the service: each change is in the audit log, by the coordinator.
    assert AuditEvent.objects.filter(user=s.coordinator, action=Action.UPDATE, target="pathway").count() == 2


def test_bulk_orientation_refuses_a_stage_that_does_not_allow_it_and_orients_the_others(coordinator_client, scenario):
    s = scenario
    services.pathway_transition(pathway=s.diallo, to_stage=Stage.EVALUATION, on=TODAY(), by=None)
    response = coordinator_client.post(
        ORIENT,
        {
            "parcours": selection(s.durand, s.diallo),
            "orientation": "logement_ordinaire",
            "date": TODAY().isoformat(),
            "confirmer": "1",
        },
    )
    page = messages_of(coordinator_client, response)
    assert f"1 parcours orienté (Logement ordinaire) : {s.durand.reference}." in page
    print(page[page.index("1 parcours refusé") :][:400])
    assert f"1 parcours refusé : {s.diallo.reference} : " in page
    s.diallo.refresh_from_db()
    assert s.diallo.stage == Stage.EVALUATION


def test_bulk_orientation_needs_a_decision(coordinator_client, scenario):
    response = coordinator_client.post(
        ORIENT, {"parcours": selection(scenario.durand), "orientation": "", "date": "", "confirmer": "1"}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Le formulaire contient 2 erreurs" in page
    assert "Choisissez l&#x27;orientation décidée." in page
    assert f'value="{selection_value(scenario.durand)}"' in page  # the selection is kept
    assert not Transition.objects.filter(stage=Stage.ORIENTE).exists()


def test_bulk_orientation_of_a_pathway_outside_the_territory_is_not_found(coordinator_client, scenario):
    response = coordinator_client.post(
        ORIENT,
        {
            "parcours": selection(scenario.durand, scenario.nice),
            "orientation": "logement_ordinaire",
            "date": TODAY().isoformat(),
            "confirmer": "1",
        },
    )
    assert response.status_code == 404
    assert not Transition.objects.filter(stage=Stage.ORIENTE).exists()


def test_bulk_assignment_to_a_caseworker_keeps_each_structure(coordinator_client, scenario):
    s = scenario
    other = UserFactory(username="max", first_name="Max", last_name="Aubry", structures=[s.alpha])
    response = coordinator_client.post(
        CASEWORKER,
        {"parcours": selection(s.durand, s.diallo, s.secret), "caseworker": other.pk, "confirmer": "1"},
    )
    page = messages_of(coordinator_client, response)
    assert f"2 parcours affectés à Max Aubry : {s.durand.reference}, {s.secret.reference}." in page
    assert f"1 parcours refusé : {s.diallo.reference} : " in page  # Beta's pathway: Max is not of Beta
    for pathway in (s.durand, s.secret):
        pathway.refresh_from_db()
        assert (pathway.referent_structure, pathway.caseworker) == (s.alpha, other)
        assert pathway.assignments.order_by("-id").first().caseworker == other
    s.diallo.refresh_from_db()
    assert (s.diallo.referent_structure, s.diallo.caseworker) == (s.beta, s.lou)
    assert Assignment.objects.filter(caseworker=other).count() == 2


def test_bulk_assignment_needs_a_caseworker(coordinator_client, scenario):
    response = coordinator_client.post(
        CASEWORKER, {"parcours": selection(scenario.durand), "caseworker": "", "confirmer": "1"}
    )
    assert "Choisissez le référent ou la référente." in response.content.decode()
    assert Assignment.objects.filter(pathway=scenario.durand).count() == 1
