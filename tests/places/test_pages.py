"""The places pages through the test client: scope, the coordinator's journey, refusals beside their field."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.enums import Role
from pathways.enums import Stage
from places import services
from places.enums import DeclineReason, PlaceState, ProposalStatus
from places.models import Place, PlacementNeeds, Proposal
from tests.accounts.factories import UserFactory
from tests.places.factories import make_place, oriented_pathway
from tests.territories.factories import SiteFactory, StructureFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(geo):
    alpha = StructureFactory(name="Association Alpha", commune=geo.marseille)
    beta = StructureFactory(name="Bailleur Beta", commune=geo.aix)
    site = SiteFactory(structure=alpha, commune=geo.marseille, name="Résidence des Tilleuls", places=3)
    today = timezone.localdate()
    place = make_place(site=site, label="T2 porte A", persons_max=3, on=today - datetime.timedelta(days=40))
    users = {
        "cw_a": UserFactory(username="cw_a", structures=[alpha]),
        "cw_b": UserFactory(username="cw_b", structures=[beta]),
        "coord": UserFactory(username="coord13", role=Role.COORDINATOR, territories="departement:13"),
        "coord06": UserFactory(username="coord06", role=Role.COORDINATOR, territories="departement:06"),
        "admin": UserFactory(username="admin93", role=Role.ADMINISTRATOR, territories="region:93"),
    }
    on = today - datetime.timedelta(days=100)
    fits = oriented_pathway(on=on, adults=2, commune=geo.marseille, referent_structure=beta)
    fits.household.members.filter(relationship="reference").update(last_name="Zorglubienne")
    big = oriented_pathway(on=on, adults=2, children=3, commune=geo.marseille, referent_structure=beta)
    return {"site": site, "place": place, "users": users, "fits": fits, "big": big, "today": today}


def login(client, user):
    client.force_login(user)
    return client


def test_coordinator_vacancies_show_the_age(client, world):
    response = login(client, world["users"]["coord"]).get(reverse("places:vacancy_list"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "T2 porte A" in body and "40 j" in body
    # Nobody's name on the vacancy list.
    assert "ZORGLUBIENNE" not in body


def test_vacancies_out_of_territory_are_not_listed(client, world):
    response = login(client, world["users"]["coord06"]).get(reverse("places:vacancy_list"))
    assert "T2 porte A" not in response.content.decode()
    assert (
        login(client, world["users"]["coord06"])
        .get(reverse("places:place_detail", args=[world["place"].pk]))
        .status_code
        == 404
    )


def test_caseworkers_see_their_structure_sites_only(client, world):
    site_url = reverse("places:site_detail", args=[world["site"].pk])
    assert login(client, world["users"]["cw_a"]).get(site_url).status_code == 200
    assert login(client, world["users"]["cw_b"]).get(site_url).status_code == 404
    # Matching and proposing are the coordination's.
    assert (
        login(client, world["users"]["cw_a"]).get(reverse("places:matching", args=[world["place"].pk])).status_code
        == 403
    )


def test_administrators_read_counts_only(client, world):
    admin = login(client, world["users"]["admin"])
    assert admin.get(reverse("places:vacancy_list")).status_code == 403
    response = admin.get(reverse("places:summary"))
    assert response.status_code == 200
    assert "ZORGLUBIENNE" not in response.content.decode().upper()
    assert '<td class="fr-cell--right">1</td>' in response.content.decode()


def test_matching_lists_the_households_that_fit(client, world, django_assert_max_num_queries):
    url = reverse("places:matching", args=[world["place"].pk])
    client = login(client, world["users"]["coord"])
    # Session, user and its territory, the place; the candidates (places/queries.py candidate_rows): the
    # scope's communes, the households with a need or a returned proposal, those of them that fit, for DALO
    # and the others a batch of the queue and which of it fit, the rows picked with their names; the
    # audit event, the session's save (savepoint, update, release). None per row.
    with django_assert_max_num_queries(17):
        response = client.get(url)
    body = response.content.decode()
    assert world["fits"].household.reference in body and "ZORGLUBIENNE" in body
    # Five people do not fit a place for three.
    assert world["big"].household.reference not in body


def test_matching_leaves_out_needs_the_place_does_not_meet(client, world):
    PlacementNeeds.objects.create(pathway=world["fits"], reduced_mobility=True)
    body = (
        login(client, world["users"]["coord"])
        .get(reverse("places:matching", args=[world["place"].pk]))
        .content.decode()
    )
    assert world["fits"].household.reference not in body


def test_the_journey_propose_decline_propose_accept(client, world):
    client = login(client, world["users"]["coord"])
    place, fits = world["place"], world["fits"]
    response = client.post(
        reverse("places:propose", args=[place.pk]),
        {
            "pathway": fits.pk,
            "pathway_version": fits.version,
            "version": place.version,
            "on": world["today"].isoformat(),
        },
    )
    proposal = Proposal.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("places:proposal_answer", args=[proposal.pk])
    fits.refresh_from_db()
    assert fits.stage == Stage.PROPOSITION

    # A decline without its reason is refused beside the field.
    response = client.post(
        reverse("places:proposal_answer", args=[proposal.pk]),
        {"status": ProposalStatus.DECLINED_BY_HOUSEHOLD, "on": world["today"].isoformat()},
    )
    assert response.status_code == 200
    assert "Choisissez le motif du refus par le ménage." in response.content.decode()

    client.post(
        reverse("places:proposal_answer", args=[proposal.pk]),
        {
            "status": ProposalStatus.DECLINED_BY_HOUSEHOLD,
            "household_reason": DeclineReason.LOCALISATION,
            "on": world["today"].isoformat(),
        },
    )
    proposal.refresh_from_db()
    fits.refresh_from_db()
    place.refresh_from_db()
    assert (proposal.status, proposal.decline_reason) == (
        ProposalStatus.DECLINED_BY_HOUSEHOLD,
        DeclineReason.LOCALISATION,
    )
    assert (fits.stage, place.state) == (Stage.ORIENTE, PlaceState.VACANT)

    # The household is still offered for the place, last (it declined it), with its wait kept.
    body = client.get(reverse("places:matching", args=[place.pk])).content.decode()
    assert "A déjà refusé cette place" in body and "100 j" in body

    response = client.post(
        reverse("places:propose", args=[place.pk]),
        {
            "pathway": fits.pk,
            "pathway_version": fits.version,
            "version": place.version,
            "on": world["today"].isoformat(),
        },
    )
    second = Proposal.objects.exclude(pk=proposal.pk).get()
    client.post(
        reverse("places:proposal_answer", args=[second.pk]),
        {"status": ProposalStatus.ACCEPTED, "on": world["today"].isoformat()},
    )
    place.refresh_from_db()
    assert (place.state, place.pathway_id) == (PlaceState.OCCUPIED, fits.pk)

    history = client.get(reverse("places:place_detail", args=[place.pk])).content.decode()
    assert second.reference in history and "Refusée par le ménage" in history


def test_a_stale_proposal_form_is_refused_with_a_message(client, world):
    client = login(client, world["users"]["coord"])
    place, fits, big = world["place"], world["fits"], world["big"]
    seen = place.version
    services.proposal_create(place=place, pathway=fits, on=world["today"], by=None)
    response = client.post(
        reverse("places:propose", args=[place.pk]),
        {"pathway": big.pk, "pathway_version": big.version, "version": seen, "on": world["today"].isoformat()},
    )
    assert response.status_code == 200
    assert "modifiée entre-temps" in response.content.decode()


def test_one_click_frees_an_unavailable_place(client, world):
    place = world["place"]
    services.place_mark_unavailable(place=place, on=world["today"], reason="travaux", by=None)
    place.refresh_from_db()
    client = login(client, world["users"]["cw_a"])
    page = client.get(reverse("places:site_detail", args=[world["site"].pk])).content.decode()
    assert "Déclarer la place libérée" in page
    response = client.post(
        reverse("places:place_free", args=[place.pk]),
        {f"liberer{place.pk}-on": world["today"].isoformat(), f"liberer{place.pk}-version": place.version},
    )
    assert response.status_code == 302
    place.refresh_from_db()
    assert place.state == PlaceState.VACANT


def test_a_caseworker_adds_a_place_and_bad_input_stays_beside_the_field(client, world):
    client = login(client, world["users"]["cw_a"])
    url = reverse("places:site_detail", args=[world["site"].pk])
    response = client.post(
        url,
        {
            "label": "Studio 4",
            "kind": "pension_famille",
            "persons_min": 2,
            "persons_max": 1,
            "bedrooms": 0,
            "vacant_from": world["today"].isoformat(),
        },
    )
    assert response.status_code == 200
    assert "au moins égal au minimum" in response.content.decode()
    response = client.post(
        url,
        {
            "label": "Studio 4",
            "kind": "pension_famille",
            "persons_min": 1,
            "persons_max": 1,
            "bedrooms": 0,
            "vacant_from": world["today"].isoformat(),
            "pets_allowed": "on",
        },
    )
    assert response.status_code == 302
    assert Place.objects.get(label="Studio 4").pets_allowed


def test_pending_proposals_flagged_after_the_setting(client, world, settings):
    settings.PROPOSAL_ANSWER_DAYS = 5
    services.proposal_create(
        place=world["place"], pathway=world["fits"], on=world["today"] - datetime.timedelta(days=6), by=None
    )
    body = login(client, world["users"]["cw_a"]).get(reverse("places:proposal_list")).content.decode()
    assert "Sans réponse depuis 6 j" in body


@pytest.mark.parametrize(
    "data",
    [
        {"pathway": "abc", "pathway_version": "1", "version": "1", "on": "2024-01-01"},
        {"pathway": str(10**15), "pathway_version": "1", "version": "1", "on": "2024-01-01"},
        {"pathway": "1", "pathway_version": "1", "version": "1", "on": "9999-99-99"},
        {"pathway": "1", "pathway_version": "1", "version": "1", "on": "0001-01-01"},
    ],
)
def test_bad_proposal_input_gets_a_french_message_not_an_error(client, world, data):
    response = login(client, world["users"]["coord"]).post(reverse("places:propose", args=[world["place"].pk]), data)
    assert response.status_code == 200
    assert 'class="fr-alert fr-alert--error' in response.content.decode()
    assert Proposal.objects.count() == 0


def test_bad_answer_and_place_input_stay_on_the_page(client, world):
    proposal = services.proposal_create(place=world["place"], pathway=world["fits"], on=world["today"], by=None)
    client = login(client, world["users"]["coord"])
    response = client.post(
        reverse("places:proposal_answer", args=[proposal.pk]), {"status": "acceptee", "on": "0001-01-01"}
    )
    assert response.status_code == 200 and "Saisissez une date entre" in response.content.decode()
    response = client.post(
        reverse("places:site_detail", args=[world["site"].pk]),
        {"label": "x" * 500, "kind": "inconnu", "persons_min": "1", "persons_max": str(10**12), "bedrooms": "-1"},
    )
    assert response.status_code == 200
    proposal.refresh_from_db()
    assert proposal.is_pending and Place.objects.count() == 1


def test_the_vacancy_and_site_pages_cost_no_query_per_row(client, world, django_assert_max_num_queries):
    for number in range(3):
        make_place(site=world["site"], label=f"Studio {number}")
    client = login(client, world["users"]["coord"])
    client.get(reverse("places:vacancy_list"))
    # Session, user and its territory, the count and the page of places (with their site, structure and
    # commune), the session's save (savepoint, update, release); no audit event (no name shown).
    with django_assert_max_num_queries(8):
        page = client.get(reverse("places:vacancy_list")).content.decode()
    assert page.count("data-place=") == 4
    # Session, user, territory, the site, its places (with their pathway), the counts by state, the
    # session's save (savepoint, update, release).
    with django_assert_max_num_queries(9):
        page = client.get(reverse("places:site_detail", args=[world["site"].pk])).content.decode()
    assert page.count("data-place=") == 4


def test_the_bounded_matching_ranks_as_the_full_query(world, geo):
    """candidate_rows (what the page shows, read without ranking the whole queue) gives the first rows of
    candidates (every fitting household ranked by the database), declines, needs and DALO included."""
    from places.queries import candidate_rows, candidates

    coordinator, place, today = world["users"]["coord"], world["place"], world["today"]
    day = today - datetime.timedelta(days=300)
    pathways = [
        oriented_pathway(on=day + datetime.timedelta(days=n * 3), commune=geo.marseille, dalo=n % 4 == 0)
        for n in range(12)
    ]
    PlacementNeeds.objects.create(pathway=pathways[7], wished_commune=geo.marseille)
    declined = services.proposal_create(
        place=place, pathway=pathways[2], on=today - datetime.timedelta(days=5), by=None
    )
    services.proposal_answer(proposal=declined, status="refusee_menage", reason="cout", on=today, by=None)
    full = [row.pk for row in candidates(place, user=coordinator, today=today)]
    assert len(full) == 13  # the twelve and the world's couple; its family of five does not fit
    for limit in (1, 3, 5, 13, 30):
        assert [row.pk for row in candidate_rows(place, user=coordinator, today=today, limit=limit)] == full[:limit]
    # The wished commune first, the household that declined this place last, DALO before the others.
    assert full[0] == pathways[7].pk and full[-1] == pathways[2].pk
