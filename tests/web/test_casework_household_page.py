"""Household page: members (hidden for a confidential household outside its structure), pathways,
one timeline, newest first and filtered by kind, with who recorded what; editing the household."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from pathways import services
from pathways.models import Member
from places.services import proposal_create
from tests.pathways.factories import PathwayFactory, advance
from tests.places.factories import make_place
from tests.web.test_casework_fixtures import OPENED
from tests.web.test_casework_fixtures import world as world  # noqa: F401 - the fixture


def _url(world):
    return reverse("casework:household_detail", args=[world.household.pk])


def _timeline(page: str) -> list[str]:
    block = page.split('data-testid="timeline"')[1]
    return re.findall(r"<strong>(.*?)</strong>", block)


@pytest.mark.django_db
def test_the_page_shows_members_pathways_and_one_timeline_newest_first(client, world):
    p = world.pathway
    services.situation_record(pathway=p, situation="rue", since=datetime.date(2024, 1, 10), by=world.ana)
    services.contact_record(
        pathway=p, on=datetime.date(2024, 1, 20), kind="entretien", note="Premier rendez-vous", by=world.ana
    )
    services.pathway_transition(pathway=p, to_stage="evaluation", on=datetime.date(2024, 2, 1), by=world.ana)
    measure = services.measure_open(
        pathway=p, kind="asll", started_on=datetime.date(2024, 2, 5), provider=world.abri, by=world.ana
    )
    services.measure_close(measure=measure, ended_on=datetime.date(2024, 3, 1), by=world.ana)
    services.pathway_assign(
        pathway=p, structure=world.accueil, caseworker=world.ana, by=world.coord, note="Retour de congés"
    )
    client.force_login(world.ana)
    page = client.get(_url(world)).content.decode()
    assert "<title>Ménage M-" in page and "— Parcours</title>" in page
    assert "<td>BENALI</td><td>Samir</td><td>02/05/1980</td><td>Personne de référence</td>" in page
    assert "Couple sans enfant : 2 adultes, 0 enfant." in page
    assert f"Parcours {p.reference} :" in page
    # Newest first; on one day, the latest typed first.
    assert _timeline(page) == [
        "Confié à Accueil Marseille, Ana Référente",
        "Mesure close : ASLL (FSL)",
        "Mesure ouverte : ASLL (FSL)",
        "Évaluation sociale",
        "Contact : Entretien",
        "Confié à Accueil Marseille",
        "Demande enregistrée",
        "Situation : Rue, espace public",
    ]
    assert "Premier rendez-vous" in page and "Motif : Retour de congés" in page and "Opérateur : Abri Nice" in page
    assert re.search(r"Saisi par Camille Martin\d+ le \d\d/\d\d/\d{4} à \d\d:\d\d", page)  # the coordinator
    assert "Saisi par Ana Référente le" in page


@pytest.mark.django_db
def test_a_confidential_household_hides_its_names_outside_its_structure(client, world):
    world.household.confidential = True
    world.household.save()
    services.contact_record(pathway=world.pathway, on=OPENED, kind="visite", note="Vu avec Samir", by=world.ana)
    client.force_login(world.coord)
    page = client.get(_url(world)).content.decode()
    assert "BENALI" not in page and "Samir" not in page and "Nora" not in page
    assert "Ménage confidentiel : 2 personnes, identités visibles de sa seule structure référente." in page
    assert "Contact : Visite" in page
    assert client.get(reverse("casework:household_edit", args=[world.household.pk])).status_code == 403
    client.force_login(world.ana)
    assert "Vu avec Samir" in client.get(_url(world)).content.decode()


@pytest.mark.django_db
def test_only_the_pathways_the_user_sees_are_shown(client, world):
    other = PathwayFactory(
        household=world.household, referent_structure=world.abri, commune=world.geo.nice, opened_on=OPENED
    )
    client.force_login(world.ana)
    page = client.get(_url(world)).content.decode()
    assert world.pathway.reference in page and other.reference not in page
    client.force_login(world.bob)
    page = client.get(_url(world)).content.decode()
    assert other.reference in page and world.pathway.reference not in page


def _rich_household(world):
    """Four members, three pathways of Accueil Marseille, each with two situations, two contacts, two
    measures (one closed), an assignment and a reminder; a place proposed to one of them."""
    for first_name in ("Inès", "Yanis"):
        Member.objects.create(
            household=world.household, last_name="Benali", first_name=first_name, relationship="enfant"
        )
    pathways = [world.pathway] + [
        PathwayFactory(household=world.household, referent_structure=world.accueil, commune=commune, opened_on=OPENED)
        for commune in (world.geo.aix, world.geo.marseille)
    ]
    for pathway in pathways:
        advance(pathway, "evaluation")
        for days, kind, situation in ((0, "visite", "rue"), (10, "entretien", "chu")):
            on = OPENED + datetime.timedelta(days=days)
            services.contact_record(pathway=pathway, on=on, kind=kind, note="Vu au local", by=world.ana)
            services.situation_record(pathway=pathway, situation=situation, since=on, by=world.ana)
        for kind in ("asg", "asll"):
            measure = services.measure_open(
                pathway=pathway, kind=kind, started_on=OPENED, provider=world.abri, by=world.ana
            )
        services.measure_close(measure=measure, ended_on=datetime.date(2024, 3, 1), by=world.ana)
        services.pathway_assign(pathway=pathway, structure=world.accueil, caseworker=world.ana, by=world.coord)
        services.pathway_remind(pathway=pathway, note="Des nouvelles ?", by=world.coord)
    advance(pathways[0], "attente_orientation", "oriente")
    proposal_create(
        place=make_place(label="T3 Cigales", persons_max=6, bedrooms=2), pathway=pathways[0], on=OPENED, by=world.coord
    )


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["ana", "coord"])
@pytest.mark.parametrize("confidential", [False, True])
def test_the_household_page_runs_a_fixed_number_of_queries(
    client, world, role, confidential, django_assert_max_num_queries
):
    _rich_household(world)
    world.household.confidential = confidential
    world.household.save()
    client.force_login(getattr(world, role))
    client.get(_url(world))
    # session, user, the user's structures (referent) or the département of their territory
    # (coordinator), the household's pathways with the household, commune, structure and caseworker,
    # the structures offered in the forms, the members (or their count, names hidden), the transitions,
    # the situations, contacts, measures, assignments and reminders (one UNION ALL query), the places
    # proposed; the read logged in the audit trail. The session is not saved again within a minute.
    with django_assert_max_num_queries(10):
        page = client.get(_url(world)).content.decode()
    names_visible = role == "ana" or not confidential
    assert page.count('data-testid="transition-form"') == 3
    assert page.count('data-testid="member-row"') == (4 if names_visible else 0)
    assert page.count('data-kind="contact"') == 6 and page.count('data-kind="situation"') == 6
    assert page.count('data-kind="mesure"') == 9 and page.count('data-kind="relance"') == 3
    assert page.count('data-kind="affectation"') == 6 and page.count('data-kind="proposition"') == 1
    assert page.count("Vu au local") == (6 if names_visible else 0)
    assert page.count("Clore la mesure") == 3


@pytest.mark.django_db
def test_edit_the_household_and_its_members(client, world):
    url = reverse("casework:household_edit", args=[world.household.pk])
    samir, nora = world.household.members.order_by("pk")
    data = {
        "version": "1",
        "composition": "famille_monoparentale",
        "adults": "1",
        "children": "1",
        "members-TOTAL_FORMS": "3",
        "members-INITIAL_FORMS": "2",
        "members-MIN_NUM_FORMS": "1",
        "members-MAX_NUM_FORMS": "1000",
        "members-0-id": str(samir.pk),
        "members-0-last_name": "Benali",
        "members-0-first_name": "Samir",
        "members-0-birth_date": "1980-05-02",
        "members-0-relationship": "reference",
        "members-1-id": str(nora.pk),
        "members-1-last_name": "Benali",
        "members-1-first_name": "Nora",
        "members-1-relationship": "conjoint",
        "members-1-DELETE": "on",
        "members-2-last_name": "Benali",
        "members-2-first_name": "Yanis",
        "members-2-relationship": "enfant",
    }
    client.force_login(world.ana)
    assert client.get(url).status_code == 200
    response = client.post(url, data)
    assert response.status_code == 302
    world.household.refresh_from_db()
    assert (world.household.composition, world.household.children) == ("famille_monoparentale", 1)
    assert list(world.household.members.values_list("first_name", flat=True)) == ["Samir", "Yanis"]
    assert world.household.members.get(first_name="Samir").pk == samir.pk


@pytest.mark.django_db
def test_an_edit_with_someone_else_s_member_is_refused(client, world):
    stranger = Member.objects.create(
        household=PathwayFactory(referent_structure=world.abri).household, last_name="Autre"
    )
    url = reverse("casework:household_edit", args=[world.household.pk])
    data = {
        "version": "1",
        "composition": "personne_seule",
        "adults": "0",
        "children": "0",
        "members-TOTAL_FORMS": "1",
        "members-INITIAL_FORMS": "1",
        "members-MIN_NUM_FORMS": "1",
        "members-MAX_NUM_FORMS": "1000",
        "members-0-id": str(stranger.pk),
        "members-0-last_name": "Pirate",
        "members-0-relationship": "reference",
    }
    client.force_login(world.ana)
    response = client.post(url, data)
    assert response.context["form"].errors["adults"] == ["Au moins un adulte."]
    assert response.context["formset"].forms[0].errors["id"] == ["Cette personne n'appartient pas à ce ménage."]
    stranger.refresh_from_db()
    assert stranger.last_name == "Autre" and world.household.members.count() == 2


@pytest.mark.django_db
def test_every_date_of_the_pathway_forms_starts_at_today(client, world):
    # Caseworkers mostly record what happens on the day: every date of the page starts at today, not some.
    services.measure_open(pathway=world.pathway, kind="asg", started_on=OPENED, by=world.ana)
    client.force_login(world.ana)
    page = client.get(_url(world)).content.decode()
    today = timezone.localdate().isoformat()
    prefix = re.escape(str(world.pathway.pk))
    for name in (
        f"etape{prefix}-date",
        f"situation{prefix}-since",
        f"contact{prefix}-date",
        f"mesure{prefix}-started_on",
    ):
        assert re.search(rf'<input type="date" name="{name}" value="{today}"', page), name
    assert re.search(rf'<input type="date" name="[\w-]*ended_on" value="{today}"', page)
