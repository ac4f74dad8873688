"""People editing the same household at the same moment: the row lock and the version serialise them.
Before the fix, 16 simultaneous edits gave 3 server errors (Member.DoesNotExist) and lost an accepted
removal; a stale form deleted the member someone else had just added."""

import re
import time
from html.parser import HTMLParser

import pytest
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse

from pathways import services
from pathways.models import Household
from tests.accounts.factories import UserFactory
from tests.pathways.factories import HouseholdFactory, PathwayFactory
from tests.pathways.threads import in_threads

pytestmark = [
    pytest.mark.faults,
    pytest.mark.usefixtures("integrity_after"),
    pytest.mark.postgres_only,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="SQLite has no row locks (select_for_update is a no-op): run on PostgreSQL (DATABASE_URL).",
    ),
]


@pytest.fixture
def household(geo):
    household = HouseholdFactory(
        members=[
            {"last_name": "Benali", "first_name": "Samir"},
            {"last_name": "Benali", "first_name": "Nora", "relationship": "conjoint"},
            {"last_name": "Benali", "first_name": "Lina", "relationship": "enfant"},
            {"last_name": "Benali", "first_name": "Yanis", "relationship": "enfant"},
        ],
        composition="couple_avec_enfants",
        adults=2,
        children=2,
    )
    PathwayFactory(household=household, commune=geo.marseille)
    return household


def test_two_saves_of_the_same_version_one_is_refused(household):
    samir = household.members.order_by("pk").first()

    def save(index, barrier):
        barrier.wait()
        with transaction.atomic():
            services.household_update(
                household=Household.objects.get(pk=household.pk),
                members=[{"last_name": "Benali", "first_name": f"Enfant {index}", "relationship": "enfant"}],
                expected_version=1,
                by=None,
                # The counts follow the people (pathways.composition): one child more.
                adults=2,
                children=3,
            )
            # Keep the lock a moment so that the other thread surely reads the version while it is held.
            time.sleep(0.3)
        return "accepted"

    results = in_threads(save, 2)

    refused = [r for r in results if isinstance(r, services.StaleHouseholdError)]
    assert (results.count("accepted"), len(refused)) == (1, 1)
    assert refused[0].messages[0].startswith("Ce ménage a été modifié par un import ou le système")
    household.refresh_from_db()
    assert household.version == 2
    assert household.members.count() == 5 and household.members.filter(pk=samir.pk).exists()


class _FormFields(HTMLParser):
    """The values a browser would post for the page's form, saved unchanged (inputs and selects).
    Read from the HTML, not from response.context: the test client's template signal is shared by the
    threads, so a context may come from another thread's page."""

    def __init__(self):
        super().__init__()
        self.data, self._select = {}, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name")
        if tag == "input" and name and attrs.get("type") not in ("checkbox", "submit"):
            self.data[name] = attrs.get("value") or ""
        elif tag == "select":
            self._select = name
        elif tag == "option" and self._select and "selected" in attrs:
            self.data[self._select] = attrs.get("value", "")

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None


def _post_data(page) -> dict:
    parser = _FormFields()
    parser.feed(page.content.decode())
    parser.data.pop("csrfmiddlewaretoken", None)
    return parser.data


def test_eight_people_saving_at_once_no_server_error_one_accepted_per_version_nothing_lost(household):
    """Six add a person, two remove one each; each retries from the fresh page until accepted."""
    url = reverse("casework:household_edit", args=[household.pk])
    pathway = household.pathways.get()
    clients = []
    for i in range(8):
        user = UserFactory(username=f"referent{i}", structures=[pathway.referent_structure])
        client = Client(raise_request_exception=False)
        client.force_login(user)
        clients.append(client)
    to_remove = {6: "Lina", 7: "Yanis"}

    def edit(index, barrier):
        client, outcomes = clients[index], []
        for attempt in range(12):
            page = client.get(url)
            assert page.status_code == 200
            data = _post_data(page)
            # Counts left empty are derived from the people (pathways.composition); "autre" takes any
            # number of adults, so that every add and removal keeps the household consistent.
            data |= {"composition": "autre", "adults": "", "children": ""}
            if index in to_remove:
                row = next(k for k, v in data.items() if v == to_remove[index] and k.endswith("-first_name"))
                data[row.replace("first_name", "DELETE")] = "on"
            else:
                n = int(data["members-TOTAL_FORMS"])
                data |= {
                    "members-TOTAL_FORMS": str(n + 1),
                    f"members-{n}-last_name": "Benali",
                    f"members-{n}-first_name": f"Ajout {index}",
                    f"members-{n}-relationship": "autre",
                }
            if attempt == 0:
                barrier.wait()  # everyone saves the first form at the same moment
            response = client.post(url, data)
            outcomes.append((response.status_code, int(data["version"])))
            if response.status_code == 302:
                return outcomes
            assert response.status_code == 200, response.status_code
            page = response.content.decode()
            assert "pendant votre saisie" in page, re.findall(r"<li>(.*?)</li>", page.split("resume-erreurs")[-1])
        return outcomes

    results = in_threads(edit, 8)

    errors = [r for r in results if isinstance(r, BaseException)]
    assert errors == []
    statuses = [status for outcomes in results for status, _version in outcomes]
    assert 500 not in statuses
    accepted_from = sorted(version for outcomes in results for status, version in outcomes if status == 302)
    # Every save was accepted once, each from a different version: none overwrote another.
    assert accepted_from == list(range(1, 9))
    assert statuses.count(200) >= 7  # the first round: one accepted, the seven others told to start again
    household.refresh_from_db()
    assert household.version == 9
    names = sorted(household.members.values_list("first_name", flat=True))
    assert names == sorted(["Samir", "Nora", *[f"Ajout {i}" for i in range(6)]])
