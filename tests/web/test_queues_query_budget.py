"""Issue 10, "Queues at 1 M": every list page a coordinator reads stays within 10 queries, whatever the
filter or the page asked for. A count of queries does not grow with the rows: these run with a few of
them, and benchmarks/pages.py gives the same counts on a database of 50,000 pathways."""

import pytest
from django.urls import reverse

from tests.pathways.factories import PathwayFactory
from tests.territories.factories import StructureFactory
from tests.web.queues_scenario import days_ago, make_scenario

BUDGET = 10
LIST = reverse("queues:list")


@pytest.fixture
def scenario(geo):
    scenario = make_scenario(geo)
    # More than one row per page and per filter, a second structure of the territory among them.
    for days in (7, 130):
        PathwayFactory(commune=geo.aix, referent_structure=StructureFactory(commune=geo.aix), opened_on=days_ago(days))
    return scenario


@pytest.fixture
def coordinator_client(client, scenario):
    client.force_login(scenario.coordinator)
    return client


def queue_pages(scenario, geo) -> list[str]:
    return [
        reverse("queues:overview"),
        f"{LIST}?tri=attente_desc",
        f"{LIST}?etape=demande",
        f"{LIST}?etape=demande&page=500",  # past the last page: the last one, as the paginator says
        f"{LIST}?etape=attente_orientation&tri=priorite_desc",
        f"{LIST}?dalo=oui",
        f"{LIST}?structure={scenario.alpha.pk}",
        f"{LIST}?referent={scenario.sam.pk}",
        f"{LIST}?commune={geo.marseille.pk}",
        f"{LIST}?epci={geo.marseille.epci_id}",
        f"{LIST}?situation=sans_abri",
        f"{LIST}?composition=famille_monoparentale",
        f"{LIST}?attente_min=30",
        f"{LIST}?bloques=on",
        f"{LIST}?tri=attente_asc&page=2",
        f"{reverse('queues:housed')}?tri=attente_desc",
        reverse("queues:stalled"),
        f"{reverse('queues:stalled')}?page=300",
        reverse("casework:pathway_list"),
        f"{reverse('casework:pathway_list')}?page=400",
    ]


def test_every_coordinator_list_page_stays_within_its_query_budget(
    coordinator_client, scenario, geo, django_assert_max_num_queries
):
    for path in queue_pages(scenario, geo):
        coordinator_client.get(path)  # the first request stores the filters in the session
        # At most: session, user, the scope's département, the count, the page's rows with their names,
        # situations, thresholds and whether the names may be read (subqueries), the structure,
        # caseworker and EPCI choices of the filters, the commune asked for, the read logged (audit).
        # The session is not saved again within a minute (accounts.middleware.SlidingSessionMiddleware).
        with django_assert_max_num_queries(BUDGET):
            response = coordinator_client.get(path)
        assert response.status_code == 200, path


def test_the_caseworker_list_stays_within_its_query_budget(client, scenario, django_assert_max_num_queries):
    client.force_login(scenario.sam)
    client.get(reverse("casework:pathway_list"))
    # session, user, the caseworker's structures, the count, the page's rows, their members and the
    # confidential households' structures, the read logged (audit)
    with django_assert_max_num_queries(BUDGET):
        response = client.get(reverse("casework:pathway_list"))
    assert "DURAND" in response.content.decode()


# Above the target of 10: each section of the household page (steps, situations, members,
# contacts, measures, transfers, reminders, proposals) is read by its own query. This budget keeps it
# from growing while it is brought down.
HOUSEHOLD_PAGE_BUDGET = 17


def test_the_household_page_stays_within_its_query_budget(
    coordinator_client, client, scenario, django_assert_max_num_queries
):
    page = reverse("casework:household_detail", args=[scenario.durand.household_id])
    coordinator_client.get(page)
    with django_assert_max_num_queries(HOUSEHOLD_PAGE_BUDGET):
        response = coordinator_client.get(page)
    assert "Durand".upper() in response.content.decode().upper()
