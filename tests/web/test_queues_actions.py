import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from pathways import services
from pathways.enums import Stage
from pathways.models import Assignment, Pathway, Transition
from tests.accounts.factories import UserFactory
from tests.pathways.factories import PathwayFactory, advance
from tests.web.queues_scenario import days_ago, make_scenario
from web.queues.bulk import selection_value

TODAY = timezone.localdate


@pytest.fixture
def scenario(geo):
    return make_scenario(geo)


@pytest.fixture
def coordinator_client(client, scenario):
    client.force_login(scenario.coordinator)
    return client


def orient(client, pathway, **data):
    values = {"orientation": "logement_adapte", "date": TODAY().isoformat(), "version": pathway.version, **data}
    return client.post(reverse("queues:orient", args=[pathway.pk]), values)


def test_orientation_decision(coordinator_client, scenario):
    diallo = scenario.diallo
    form = coordinator_client.get(reverse("queues:orient", args=[diallo.pk])).content.decode()
    assert f"<title>Décision d&#x27;orientation du parcours {diallo.reference} — Parcours</title>" in form
    assert f'name="version" value="{diallo.version}"' in form
    response = orient(coordinator_client, diallo)
    assert response.status_code == 302
    assert response["Location"] == reverse("queues:list")
    diallo.refresh_from_db()
    assert diallo.stage == Stage.ORIENTE
    latest = diallo.transitions.order_by("-seq").first()
    assert (latest.stage, latest.orientation, latest.date, latest.recorded_by) == (
        Stage.ORIENTE,
        "logement_adapte",
        TODAY(),
        scenario.coordinator,
    )
    messages = coordinator_client.get(reverse("queues:list"), {"etape": "oriente"}).content.decode()
    assert f"Parcours {diallo.reference} orienté : Logement adapté." in messages


def test_orientation_is_refused_from_a_stage_that_does_not_allow_it(coordinator_client, scenario, geo):
    pathway = PathwayFactory(commune=geo.marseille, opened_on=days_ago(5))
    advance(pathway, Stage.EVALUATION, on=days_ago(4))
    page = coordinator_client.get(reverse("queues:orient", args=[pathway.pk])).content.decode()
    assert "L'étape « Évaluation sociale » ne permet pas de décider une orientation." in page
    response = orient(coordinator_client, pathway)
    assert response.status_code == 200
    assert f"<title>Erreur : Décision d&#x27;orientation du parcours {pathway.reference} — Parcours</title>" in (
        response.content.decode()
    )
    assert (
        "Passage impossible de « Évaluation sociale » à « Orienté ». Étapes possibles : "
        "« Demande enregistrée », « En attente d&#x27;orientation », « Clôture : perdu de vue », "
        "« Clôture : renonciation », « Clôture : départ du territoire », « Clôture : décès »."
    ) in response.content.decode()
    pathway.refresh_from_db()
    assert pathway.stage == Stage.EVALUATION
    assert pathway.transitions.count() == 2


def test_orientation_needs_a_target_and_a_refusal_reason_after_an_attribution(coordinator_client, scenario, geo):
    pathway = PathwayFactory(commune=geo.marseille, opened_on=days_ago(5))
    advance(pathway, Stage.ORIENTE, Stage.PROPOSITION, Stage.CALEOL, Stage.ATTRIBUE, on=days_ago(4))
    missing = orient(coordinator_client, pathway, orientation="").content.decode()
    assert "Choisissez l&#x27;orientation décidée." in missing
    assert 'aria-describedby="id_orientation-desc-error"' in missing
    no_reason = orient(coordinator_client, pathway).content.decode()
    assert "Le motif du refus par le ménage est obligatoire." in no_reason
    assert 'id="id_reason-desc-error"' in no_reason
    assert Pathway.objects.get(pk=pathway.pk).stage == Stage.ATTRIBUE
    assert orient(coordinator_client, pathway, reason="Logement trop éloigné").status_code == 302
    assert Pathway.objects.get(pk=pathway.pk).stage == Stage.ORIENTE


def test_orientation_on_a_stale_version_is_refused_with_the_new_state(coordinator_client, scenario):
    durand = scenario.durand
    seen = durand.version
    services.pathway_transition(pathway=durand, to_stage=Stage.EVALUATION, on=days_ago(1), by=scenario.sam)
    response = orient(coordinator_client, durand, version=seen)
    assert response.status_code == 200
    assert (
        "Ce parcours a été modifié entre-temps par Sam Aubert : il est maintenant à l&#x27;étape "
        f"« Évaluation sociale » depuis le {days_ago(1):%d/%m/%Y}. Vérifiez son état puis recommencez."
    ) in response.content.decode()
    assert Pathway.objects.get(pk=durand.pk).stage == Stage.EVALUATION


def test_single_transfer_keeps_the_history(coordinator_client, scenario):
    durand = scenario.durand
    url = reverse("queues:assign", args=[durand.pk])
    response = coordinator_client.post(
        url,
        {"structure": scenario.beta.pk, "caseworker": scenario.lou.pk, "note": "Rapprochement", "version": 1},
    )
    assert response.status_code == 302
    durand.refresh_from_db()
    assert (durand.referent_structure, durand.caseworker, durand.version) == (scenario.beta, scenario.lou, 2)
    history = list(Assignment.objects.filter(pathway=durand).order_by("id"))
    assert [(a.structure, a.caseworker, a.note) for a in history] == [
        (scenario.alpha, scenario.sam, ""),
        (scenario.beta, scenario.lou, "Rapprochement"),
    ]
    assert history[1].recorded_by == scenario.coordinator
    page = coordinator_client.get(url).content.decode()
    assert f"Historique des affectations du parcours {durand.reference}" in page
    assert page.index("Rapprochement") < page.index("Association Alpha</td>")


def test_transfer_to_a_caseworker_of_another_structure_is_refused(coordinator_client, scenario):
    durand = scenario.durand
    response = coordinator_client.post(
        reverse("queues:assign", args=[durand.pk]),
        {"structure": scenario.alpha.pk, "caseworker": scenario.lou.pk, "version": durand.version},
    )
    assert response.status_code == 200
    assert "Lou Bernard ne travaille pas à Association Alpha : choisissez une personne" in response.content.decode()
    assert Assignment.objects.filter(pathway=durand).count() == 1


def bulk(client, *pathways, versions=None, seen=None, url="queues:bulk_assign", **data):
    """Post a selection as the queue does: each pathway's state as the page showed it (`seen`, by
    default its state now), or the older "pk:version" form when `versions` are given."""
    if versions:
        selection = [f"{p.pk}:{v}" for p, v in zip(pathways, versions, strict=True)]
    else:
        selection = [(seen or {}).get(p.pk) or selection_value(p) for p in pathways]
    return client.post(reverse(url), {"parcours": selection, "confirmer": "1", **data})


def test_bulk_transfer(coordinator_client, scenario):
    s = scenario
    response = bulk(coordinator_client, s.durand, s.secret, structure=s.beta.pk, caseworker=s.lou.pk)
    assert response.status_code == 302
    page = coordinator_client.get(response["Location"], {"tri": "attente_desc"}).content.decode()
    assert f"2 parcours transférés à Bailleur Beta, Lou Bernard : {s.durand.reference}, {s.secret.reference}." in page
    for pathway in (s.durand, s.secret):
        pathway.refresh_from_db()
        assert (pathway.referent_structure, pathway.caseworker) == (s.beta, s.lou)
        assert list(pathway.assignments.order_by("id").values_list("structure__name", flat=True)) == [
            "Association Alpha",
            "Bailleur Beta",
        ]


def test_bulk_transfer_on_a_stale_version_writes_nothing_and_says_what_changed(coordinator_client, scenario):
    s = scenario
    seen = {p.pk: selection_value(p) for p in (s.durand, s.diallo, s.secret)}
    services.pathway_transition(pathway=s.secret, to_stage=Stage.DEMANDE, on=TODAY(), by=s.sam)
    # Moved to another structure by the same coordinator in another tab: the stage did not change.
    services.pathway_assign(pathway=s.diallo, structure=s.alpha, by=s.coordinator)
    colleague = Client()
    colleague.force_login(UserFactory(username="colleague", coordinator=True))
    # Another coordinator then opens its orientation page: a read of the pathway, logged, not a change.
    assert colleague.get(reverse("queues:orient", args=[s.diallo.pk])).status_code == 200
    before = (Assignment.objects.count(), Transition.objects.count())
    response = bulk(coordinator_client, s.durand, s.diallo, s.secret, seen=seen, structure=s.beta.pk)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Aucun parcours n&#x27;a été transféré." in page
    assert (
        f"{s.diallo.reference} : modifié entre-temps par vous-même, dans un autre onglet ou une autre fenêtre : "
        "sa structure référente est passée de Bailleur Beta à Association Alpha ; il n&#x27;a plus de référent ou "
        "de référente désigné."
    ) in page
    assert (
        f"{s.secret.reference} : modifié entre-temps par Sam Aubert : son étape est passée de "
        "« Repérage / premier contact » à « Demande enregistrée »."
    ) in page
    assert "étape « Bailleur" not in page and f"{s.durand.reference} : modifié" not in page
    assert (Assignment.objects.count(), Transition.objects.count()) == before
    s.durand.refresh_from_db()
    assert s.durand.referent_structure == s.alpha
    assert s.durand.version == 1


def test_an_older_page_selection_without_its_state_still_detects_a_change(coordinator_client, scenario):
    s = scenario
    seen = s.secret.version
    services.contact_record(pathway=s.secret, on=TODAY(), kind="telephone", by=s.sam)
    response = bulk(coordinator_client, s.secret, versions=[seen], structure=s.beta.pk)
    assert (
        f"{s.secret.reference} : modifié entre-temps par Sam Aubert : une saisie a été enregistrée"
    ) in response.content.decode()
    assert not Assignment.objects.filter(pathway=s.secret, structure=s.beta).exists()


def test_bulk_transfer_needs_a_selection_and_a_structure(coordinator_client, scenario):
    response = coordinator_client.post(reverse("queues:bulk_assign"), {"structure": "", "confirmer": "1"})
    page = response.content.decode()
    assert "Le formulaire contient 2 erreurs" in page
    assert "Cochez au moins un parcours à transférer." in page
    assert "Choisissez la structure qui reprend le parcours." in page


def test_bulk_transfer_of_a_pathway_outside_the_territory_is_not_found(coordinator_client, scenario):
    response = bulk(coordinator_client, scenario.durand, scenario.nice, structure=scenario.beta.pk)
    assert response.status_code == 404
    assert Assignment.objects.filter(structure=scenario.beta).count() == 1  # diallo's opening only


def test_an_illegible_selection_is_refused(coordinator_client, scenario):
    response = coordinator_client.post(
        reverse("queues:bulk_assign"),
        {"parcours": [f"{scenario.durand.pk}:x"], "structure": scenario.beta.pk, "confirmer": "1"},
    )
    assert "Sélection de parcours illisible : rechargez la file puis recommencez." in response.content.decode()
    assert Assignment.objects.filter(structure=scenario.beta).count() == 1
