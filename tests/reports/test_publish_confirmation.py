import pytest
from django.urls import reverse

from reports.models import BilanRun
from tests.accounts.factories import UserFactory
from tests.territories.factories import StructureFactory

pytestmark = pytest.mark.django_db


def test_publishing_asks_for_confirmation_and_only_the_confirmation_publishes(client, run, admin):
    observer = UserFactory(observer=True)
    publish_url = reverse("reports:run_publish", args=[run.pk])
    detail_url = reverse("reports:run_detail", args=[run.pk])
    client.force_login(admin)
    # The bilan page links to the confirmation page; it has no form that publishes in one click.
    detail = client.get(detail_url).content.decode()
    assert f'href="{publish_url}"' in detail
    assert f'action="{publish_url}"' not in detail

    page = client.get(publish_url)
    html = page.content.decode()
    assert page.status_code == 200
    assert "Les observateurs de Provence-Alpes-Côte d&#x27;Azur pourront consulter" in html
    assert "secret statistique" in html
    assert "La publication est définitive : elle ne peut pas être annulée." in html
    assert f'<form method="post" action="{publish_url}">' in html
    # Reading the confirmation page writes nothing: observers still don't see the bilan.
    assert BilanRun.objects.get(pk=run.pk).published_at is None
    client.force_login(observer)
    assert client.get(detail_url).status_code == 404

    client.force_login(admin)
    response = client.post(publish_url)
    assert response.status_code == 302 and response.url == detail_url
    run.refresh_from_db()
    assert run.published_by == admin and run.published_at is not None
    client.force_login(observer)
    assert client.get(detail_url).status_code == 200

    # Once published, the confirmation page sends back to the bilan, which no longer offers to publish.
    client.force_login(admin)
    response = client.get(publish_url, follow=True)
    assert response.redirect_chain == [(detail_url, 302)]
    html = response.content.decode()
    assert "Ce bilan est déjà publié." in html
    assert publish_url not in html


def test_the_confirmation_page_is_refused_to_who_cannot_publish(client, run):
    publish_url = reverse("reports:run_publish", args=[run.pk])
    client.force_login(UserFactory(observer=True))
    assert client.get(publish_url).status_code == 404  # not published yet: it does not exist for them
    client.force_login(UserFactory(caseworker=True, structures=[StructureFactory()]))
    assert client.get(publish_url).status_code == 403
    client.force_login(UserFactory(administrator=True, territories="departement:06"))
    assert client.get(publish_url).status_code == 404
