"""Issue 10, "Queues at 1 M": every list page a coordinator reads stays within 10 queries, whatever the
filter or the page asked for. A count of queries does not grow with the rows: these run with a few of
them, and benchmarks/pages.py gives the same counts on a database of 50,000 pathways."""

import pytest
from django.urls import reverse

from pathways import services
from pathways.enums import SituationKind, Stage
from pathways.models import Member
from tests.pathways.factories import PathwayFactory, advance
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


def _rich_household(scenario, geo):
    """Durand's household made rich enough for an N+1 to show: four members, three pathways of Alpha
    with situations, contacts, measures (one closed) and transitions."""
    durand = scenario.durand
    for first_name in ("Léa", "Tom", "Zoé"):
        Member.objects.create(household=durand.household, last_name="Durand", first_name=first_name)
    pathways = [durand] + [
        PathwayFactory(
            household=durand.household, referent_structure=scenario.alpha, commune=commune, opened_on=days_ago(90)
        )
        for commune in (geo.marseille, geo.aix)
    ]
    for pathway in pathways:
        advance(pathway, Stage.EVALUATION, on=days_ago(60))
        for days, kind, situation in ((50, "visite", SituationKind.CHU), (40, "entretien", SituationKind.RUE)):
            services.contact_record(pathway=pathway, on=days_ago(days), kind=kind, by=scenario.sam)
            services.situation_record(pathway=pathway, situation=situation, since=days_ago(days), by=scenario.sam)
        for kind in ("asg", "asll"):
            measure = services.measure_open(pathway=pathway, kind=kind, started_on=days_ago(30), by=scenario.sam)
        services.measure_close(measure=measure, ended_on=days_ago(10), by=scenario.sam)
    return pathways


# session, user, the referent's structures or the coordinator's département, the household's pathways
# with the household, the structures offered in the forms, the members, the transitions, the other
# records of the timeline (one query), the places proposed, the read logged (audit).
HOUSEHOLD_PAGE_BUDGET = BUDGET


def household_page_within_budget(client, user, household_id, django_assert_max_num_queries) -> str:
    """The household page as `user` reads it the second time (the first warms the session), within
    HOUSEHOLD_PAGE_BUDGET queries."""
    page = reverse("casework:household_detail", args=[household_id])
    client.force_login(user)
    client.get(page)
    with django_assert_max_num_queries(HOUSEHOLD_PAGE_BUDGET):
        return client.get(page).content.decode()


@pytest.mark.parametrize("who", ["coordinator", "sam"])
def test_the_household_page_stays_within_its_query_budget(client, scenario, geo, who, django_assert_max_num_queries):
    pathways = _rich_household(scenario, geo)
    content = household_page_within_budget(
        client, getattr(scenario, who), scenario.durand.household_id, django_assert_max_num_queries
    )
    assert content.count('data-testid="member-row"') == 4
    assert all(f"Parcours {pathway.reference} :" in content for pathway in pathways)
    assert content.count('data-kind="contact"') == 6 and content.count("Clore la mesure") == 3


@pytest.mark.parametrize("who", ["coordinator", "sam"])
def test_a_confidential_household_page_stays_within_its_query_budget(
    client, scenario, who, django_assert_max_num_queries
):
    # The coordinator reads its own structures (none) with the structures of the forms, to learn that
    # the names are hidden; the referent's were read for the scope.
    content = household_page_within_budget(
        client, getattr(scenario, who), scenario.secret.household_id, django_assert_max_num_queries
    )
    names_shown = "<td>SECRET</td>" in content
    assert names_shown == (who == "sam") and names_shown != ('data-testid="names-hidden"' in content)
