"""The transfer page: nothing chosen beforehand, each caseworker listed once, the list of one structure
for htmx, and the history dated as the timeline dates it."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from pathways import services
from pathways.models import Assignment
from tests.accounts.factories import UserFactory
from tests.web.queues_scenario import make_scenario


@pytest.fixture
def scenario(geo):
    return make_scenario(geo)


@pytest.fixture
def coordinator_client(client, scenario):
    client.force_login(scenario.coordinator)
    return client


def caseworker_select(page: str) -> str:
    return re.search(r'<select name="caseworker".*?</select>', page, re.S).group(0)


def test_the_form_chooses_nobody_beforehand_and_its_default_is_accepted(coordinator_client, scenario):
    durand = scenario.durand
    url = reverse("queues:assign", args=[durand.pk])
    page = coordinator_client.get(url).content.decode()
    select = caseworker_select(page)
    # Sam holds the pathway today: not preselected, so that choosing Beta does not refuse the form.
    assert "selected" not in select.replace('<option value="" selected>', "")
    assert '<option value="" selected>Aucun référent désigné</option>' in select
    response = coordinator_client.post(url, {"structure": scenario.beta.pk, "caseworker": "", "version": 1})
    assert response.status_code == 302
    durand.refresh_from_db()
    assert (durand.referent_structure, durand.caseworker) == (scenario.beta, None)


def test_a_caseworker_of_two_structures_is_listed_once(coordinator_client, scenario):
    UserFactory(username="max", first_name="Max", last_name="Martin", structures=[scenario.alpha, scenario.beta])
    page = coordinator_client.get(reverse("queues:assign", args=[scenario.durand.pk])).content.decode()
    select = caseworker_select(page)
    assert select.count("Max Martin") == 1
    assert '<optgroup label="Association Alpha, Bailleur Beta">' in select
    assert select.count("Sam Aubert") == 1 and select.count("Lou Bernard") == 1


def test_choosing_a_structure_reloads_its_caseworkers_with_htmx(coordinator_client, scenario):
    page = coordinator_client.get(reverse("queues:assign", args=[scenario.durand.pk])).content.decode()
    url = reverse("queues:caseworker_choices")
    assert f'hx-get="{url}"' in page and 'hx-target="#transfert-referent"' in page
    assert 'id="transfert-referent"' in page
    fragment = coordinator_client.get(url, {"structure": scenario.beta.pk, "caseworker": scenario.lou.pk})
    html = fragment.content.decode()
    assert 'id="transfert-referent"' in html and 'name="caseworker"' in html
    assert f'<option value="{scenario.lou.pk}" selected>Lou Bernard</option>' in html
    assert "Sam Aubert" not in html
    # A structure outside the territory, or none: the full list.
    everyone = coordinator_client.get(url, {"structure": "999999"}).content.decode()
    assert "Sam Aubert" in everyone and "Lou Bernard" in everyone


def test_caseworkers_may_not_read_the_list(client, scenario):
    client.force_login(scenario.sam)
    assert client.get(reverse("queues:caseworker_choices")).status_code == 403


def test_the_history_dates_each_assignment_as_the_timeline_does(coordinator_client, scenario):
    durand = scenario.durand
    services.pathway_assign(pathway=durand, structure=scenario.beta, caseworker=scenario.lou, by=scenario.coordinator)
    # The pathway, opened 100 days ago, was typed in 50 days ago; the transfer was made 10 days ago.
    today = timezone.localdate()

    def at(days):
        return timezone.make_aware(
            datetime.datetime.combine(today - datetime.timedelta(days=days), datetime.time(10, 30))
        )

    Assignment.objects.filter(pathway=durand, caseworker=scenario.sam).update(recorded_at=at(50))
    Assignment.objects.filter(pathway=durand, caseworker=scenario.lou).update(recorded_at=at(10))
    page = coordinator_client.get(reverse("queues:assign", args=[durand.pk])).content.decode()
    table = re.search(r'<table data-testid="history">.*?</table>', page, re.S).group(0)
    assert f"<td>{durand.opened_on:%d/%m/%Y}</td><td>Association Alpha</td>" in table
    assert f"<td>{at(10):%d/%m/%Y}</td><td>Bailleur Beta</td>" in table
    assert f"le {at(50):%d/%m/%Y} à 10:30" in table and f"le {at(10):%d/%m/%Y} à 10:30" in table
    # Newest first.
    assert table.index("Bailleur Beta") < table.index("Association Alpha")


def test_an_illegible_structure_gives_the_full_list(coordinator_client, scenario):
    url = reverse("queues:caseworker_choices")
    for value in ("99999999999999999999999999", "abc", "²", ""):
        html = coordinator_client.get(url, {"structure": value, "caseworker": "99999999999999999999"}).content.decode()
        assert "Sam Aubert" in html and "Lou Bernard" in html
