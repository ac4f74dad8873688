"""The « À traiter » page, the count in the header, the preferences page."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse

from notifications.enums import Kind
from notifications.models import Preference
from notifications.stalled import stalled_detect
from pathways import services
from pathways.enums import Stage
from tests.notifications.conftest import no_name_in
from tests.notifications.helpers import item_for

pytestmark = pytest.mark.django_db


def client_of(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_list_groups_by_kind_newest_first_with_links_and_no_names(world):
    services.pathway_transition(
        pathway=world.pathway, to_stage=Stage.ORIENTE, on=datetime.date(2024, 3, 1), by=world.coord
    )
    services.pathway_assign(pathway=world.other, structure=world.alpha, caseworker=world.ana, by=world.coord)
    # Both now Ana's, both stalled by 2026.
    stalled_detect(on=datetime.date(2026, 1, 1))
    response = client_of(world.ana).get(reverse("notifications:list"))
    assert response.status_code == 200
    html = response.content.decode()
    assert no_name_in(html)
    # The kinds in the order of the enum: transfers, orientations, stalls.
    positions = [
        html.index(f'data-testid="todo-group-{kind}"') for kind in (Kind.TRANSFER, Kind.ORIENTATION, Kind.STALLED)
    ]
    assert positions == sorted(positions)
    assert world.other.reference in html and world.pathway.reference in html
    items = [g["items"] for g in response.context["groups"]]
    assert [len(rows) for rows in items] == [1, 1, 2]
    assert f'href="/a-traiter/{items[0][0].pk}/ouvrir/"' in html
    assert response.context["total"] == 4


def test_the_list_shows_only_ones_own_items_of_pathways_one_sees(world):
    item_for(world.bea, world.other)
    # An item about a pathway Bea does not see (it left her structure some other way) is not shown.
    item_for(world.bea, world.pathway, key="not-hers")
    response = client_of(world.bea).get(reverse("notifications:list"))
    assert [i.pathway_id for g in response.context["groups"] for i in g["items"]] == [world.other.pk]
    assert client_of(world.ana).get(reverse("notifications:list")).context["groups"] == []


def test_newest_first_inside_a_group(world):
    first = item_for(world.ana, world.pathway, key="one")
    second = item_for(world.ana, world.pathway, key="two")
    response = client_of(world.ana).get(reverse("notifications:list"))
    assert [i.pk for i in response.context["groups"][0]["items"]] == [second.pk, first.pk]


def test_an_empty_list_says_so(world):
    response = client_of(world.ana).get(reverse("notifications:list"))
    assert 'data-testid="todo-empty"' in response.content.decode()


def test_the_header_links_the_list_and_loads_its_count(world):
    html = client_of(world.ana).get(reverse("notifications:list")).content.decode()
    assert 'data-testid="todo-link"' in html and 'data-todo-count="/a-traiter/nombre/"' in html
    assert "js/notifications.js" in html


def test_the_count_is_one_indexed_query(world, django_assert_max_num_queries):
    item_for(world.ana, world.pathway, key="one")
    item_for(world.ana, world.pathway, key="two")
    item_for(world.bea, world.other)
    client = client_of(world.ana)
    # The session, the user, the count; then the session saved (SESSION_SAVE_EVERY_REQUEST: savepoint,
    # update, release).
    with django_assert_max_num_queries(6):
        response = client.get(reverse("notifications:count"))
    assert response.context["count"] == 2
    assert ">2<" in response.content.decode()


def test_the_count_is_empty_without_items(world):
    response = client_of(world.ana).get(reverse("notifications:count"))
    assert response.content.decode().strip() == ""


def test_the_count_drops_once_the_page_is_opened(world):
    services.pathway_assign(pathway=world.pathway, structure=world.beta, by=world.coord)
    client = client_of(world.bea)
    assert client.get(reverse("notifications:count")).context["count"] == 1
    client.get(reverse("casework:household_detail", args=[world.pathway.household_id]))
    assert client.get(reverse("notifications:count")).context["count"] == 0


def test_the_preferences_page_offers_the_kinds_of_the_role(world):
    response = client_of(world.ana).get(reverse("notifications:preferences"))
    kinds = [row["kind"] for row in response.context["form"].rows()]
    assert kinds == [Kind.TRANSFER, Kind.ORIENTATION, Kind.PROPOSAL, Kind.STALLED]
    response = client_of(world.admin).get(reverse("notifications:preferences"))
    assert [row["kind"] for row in response.context["form"].rows()] == [
        Kind.IMPORT_FINISHED,
        Kind.BILAN_FINISHED,
        Kind.INVITATION_ACCEPTED,
    ]


def test_saving_the_preferences(world):
    client = client_of(world.ana)
    response = client.post(
        reverse("notifications:preferences"),
        {"transfert_email": "on", "orientation_digest": "on", "blocage_email": "on", "blocage_digest": "on"},
    )
    assert response.status_code == 302
    rows = {p.kind: (p.email, p.digest) for p in Preference.objects.filter(user=world.ana)}
    assert rows == {
        Kind.TRANSFER: (True, False),
        Kind.ORIENTATION: (False, True),
        Kind.PROPOSAL: (False, False),
        Kind.STALLED: (True, True),
    }
    form = client.get(reverse("notifications:preferences")).context["form"]
    assert form["orientation_digest"].value() is True and form["orientation_email"].value() is False


def test_odd_input_is_no_error(world):
    response = client_of(world.ana).post(
        reverse("notifications:preferences"), {"transfert_email": "\u00e9" * 5000, "x": "y"}
    )
    assert response.status_code == 302


def test_a_role_without_kinds_is_told(world):
    from tests.accounts.factories import UserFactory

    observer = UserFactory(username="obs", observer=True)
    response = client_of(observer).get(reverse("notifications:preferences"))
    assert 'data-testid="no-kind"' in response.content.decode()


def test_the_list_runs_a_bounded_number_of_queries(world, django_assert_max_num_queries):
    for key in ("one", "two", "three"):
        item_for(world.ana, world.pathway, key=key)
    for key in ("four", "five"):
        item_for(world.ana, world.pathway, kind=Kind.STALLED, key=key)
    client = client_of(world.ana)
    # The session, the user, the user's structures (the pathways it sees), the counts per kind, the items
    # of each kind present (2 here, 7 at most whatever the rows); the session saved (savepoint, update,
    # release).
    with django_assert_max_num_queries(9):
        response = client.get(reverse("notifications:list"))
    assert response.context["total"] == 5
