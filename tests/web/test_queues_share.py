import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from audit.enums import Action
from audit.models import AuditEvent
from pathways.models import Pathway, PathwayShare
from pathways.services import pathway_share, pathway_unshare
from tests.web.queues_scenario import make_scenario

pytestmark = pytest.mark.django_db


@pytest.fixture
def scenario(geo):
    return make_scenario(geo)


def share(client, pathway, structure, action="partager"):
    return client.post(
        reverse("queues:share", args=[pathway.pk]), {"partage-structure": structure.pk, "action": action}, follow=True
    )


def visible(user, pathway) -> bool:
    return Pathway.objects.visible_to(user).filter(pk=pathway.pk).exists()


def test_a_coordinator_shares_a_pathway_then_removes_the_share(client, scenario):
    durand, beta, lou = scenario.durand, scenario.beta, scenario.lou
    assert not visible(lou, durand)  # Lou works at Beta; Durand's referent is Alpha
    client.force_login(scenario.coordinator)
    page = client.get(reverse("queues:assign", args=[durand.pk])).content.decode()
    assert "Ce parcours n'est partagé avec aucune autre structure." in page

    response = share(client, durand, beta)
    assert response.redirect_chain == [(reverse("queues:assign", args=[durand.pk]), 302)]
    html = response.content.decode()
    assert f"Le parcours {durand.reference} est partagé avec Bailleur Beta." in html
    assert "Retirer le partage avec Bailleur Beta" in html
    assert visible(lou, durand)
    assert Pathway.objects.get(pk=durand.pk).referent_structure == scenario.alpha  # the referent stays
    client.force_login(lou)
    listed = client.get(reverse("casework:pathway_list")).content.decode()
    assert f"#parcours-{durand.pk}" in listed and "DURAND Alex" in listed

    client.force_login(scenario.coordinator)
    html = share(client, durand, beta, action="retirer").content.decode()
    assert f"Le parcours {durand.reference} n&#x27;est plus partagé avec Bailleur Beta." in html
    assert not visible(lou, durand)
    assert not PathwayShare.objects.exists()
    details = list(
        AuditEvent.objects.filter(target="pathway", target_id=durand.pk, action=Action.UPDATE)
        .order_by("id")
        .values_list("detail", flat=True)
    )
    assert details[-2:] == ["partagé avec Bailleur Beta", "partage avec Bailleur Beta retiré"]


def test_sharing_twice_or_with_the_referent_structure_is_refused_in_french(client, scenario):
    durand = scenario.durand
    client.force_login(scenario.coordinator)
    share(client, durand, scenario.beta)
    html = share(client, durand, scenario.beta).content.decode()
    assert "Ce parcours est déjà partagé avec Bailleur Beta." in html
    html = share(client, durand, scenario.alpha).content.decode()
    assert "Association Alpha est la structure référente de ce parcours : elle le voit déjà." in html
    assert list(PathwayShare.objects.values_list("structure__name", flat=True)) == ["Bailleur Beta"]
    # Removing a share that does not exist writes nothing.
    html = share(client, durand, scenario.alpha, action="retirer").content.decode()
    assert "Cette structure ne peut pas recevoir de parcours de votre territoire." in html
    with pytest.raises(ValidationError) as refused:
        pathway_unshare(pathway=durand, structure=scenario.alpha, by=scenario.coordinator)
    assert refused.value.messages == ["Ce parcours n'est pas partagé avec Association Alpha."]
    assert PathwayShare.objects.count() == 1


def test_caseworkers_cannot_share_and_a_pathway_outside_the_scope_does_not_exist(client, scenario):
    client.force_login(scenario.sam)
    assert share(client, scenario.durand, scenario.beta).status_code == 403
    client.force_login(scenario.coordinator)
    assert share(client, scenario.nice, scenario.beta).status_code == 404
    assert client.get(reverse("queues:share", args=[scenario.durand.pk])).status_code == 405
    assert not PathwayShare.objects.exists()


def test_the_services_share_and_unshare(scenario):
    shared = pathway_share(pathway=scenario.diallo, structure=scenario.alpha, by=scenario.coordinator)
    assert (shared.pathway, shared.structure) == (scenario.diallo, scenario.alpha)
    assert visible(scenario.sam, scenario.diallo)
    pathway_unshare(pathway=scenario.diallo, structure=scenario.alpha, by=scenario.coordinator)
    assert not visible(scenario.sam, scenario.diallo)
