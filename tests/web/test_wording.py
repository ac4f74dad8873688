"""Wording a French reader expects (issue 11): elision in generated names, French sorting of choice
lists, sizes and sort labels as people write them, one name per page, the field's own word in the
sign-in refusal, observers' bilan list without agent names."""

import datetime
import re

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from reports.enums import PeriodKind, RunStatus
from reports.models import BilanRun
from territories.collation import french_key, french_sorted
from territories.wording import of_place
from tests.accounts.factories import UserFactory
from tests.territories.factories import StructureFactory
from tests.web.test_casework_fixtures import world as world  # noqa: F401 - the fixture


def test_french_sorting_ignores_accents_case_and_apostrophes_first():
    names = ["Zénith", "CA Ventoux", "étang Accueil", "Équipe mobile", "CA d'Arles", "Eglantine", "abri"]
    assert french_sorted(names) == [
        "abri",
        "CA d'Arles",
        "CA Ventoux",
        "Eglantine",
        "Équipe mobile",
        "étang Accueil",
        "Zénith",
    ]
    # Ties on the letters are broken by the text itself, so the order is stable.
    assert french_key("Étang") != french_key("Etang") and french_key("Étang")[0] == french_key("Etang")[0]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Aix-en-Provence", "d'Aix-en-Provence"),
        ("Hyères", "d'Hyères"),
        ("Écully", "d'Écully"),
        ("Marseille", "de Marseille"),
        ("Le Pontet", "du Pontet"),
        ("Les Pennes-Mirabeau", "des Pennes-Mirabeau"),
        ("La Ciotat", "de La Ciotat"),
    ],
)
def test_place_names_take_elision_and_contraction(name, expected):
    assert of_place(name) == expected


@pytest.mark.django_db
def test_the_demo_names_ccas_with_elision():
    from pathways.demo import seed_demo
    from territories.geography import load_geography
    from territories.models import Structure

    load_geography()
    seed_demo(households=20)
    names = list(Structure.objects.filter(kind="ccas").values_list("name", flat=True))
    assert names and not [n for n in names if re.search(r"\bde [AEIOUYÉÈH]", n)], names


@pytest.mark.django_db
def test_the_structure_list_of_a_new_household_is_in_french_order(client, world):
    for name in ("Zénith Hébergement", "Équipe mobile", "Étang Accueil", "CA d'Arles"):
        StructureFactory(name=name, commune=world.geo.marseille)
    client.force_login(world.coord)
    page = client.get(reverse("casework:household_new")).content.decode()
    select = page[page.index('name="structure"') :]
    select = select[: select.index("</select>")]
    labels = [escape(n) for n in ("Accueil Marseille", "CA d'Arles", "Équipe mobile", "Étang Accueil")]
    positions = [select.index(f">{label}</option>") for label in labels + ["Zénith Hébergement"]]
    assert positions == sorted(positions)


@pytest.mark.parametrize(
    ("size", "text"), [(820, "820 octets"), (1434, "1,4 ko"), (2048, "2 ko"), (2_400_000, "2,3 Mo")]
)
def test_file_sizes_are_written_as_people_write_them(size, text):
    assert Template("{% load french %}{{ size|taille }}").render(Context({"size": size})) == text


@pytest.mark.django_db
def test_the_queue_sort_label_keeps_its_capitals_and_a_stage_title_one_colon(client, world):
    client.force_login(world.coord)
    page = client.get(reverse("queues:list"), {"tri": "priorite_desc"}).content.decode()
    assert escape("tri « Priorité : DALO d'abord, puis attente la plus longue »") in page
    page = client.get(reverse("queues:list"), {"etape": "demande", "attente_min": "x"}).content.decode()
    title = re.search(r"<title>(.*?)</title>", page, re.S).group(1)
    assert title.count(":") <= 1, title


@pytest.mark.django_db
def test_a_caseworker_s_home_has_one_name(client, world):
    client.force_login(world.ana)
    page = client.get(reverse("casework:pathway_list")).content.decode()
    entries = re.findall(r'<a class="fr-nav__link" href="([^"]+)"[^>]*>([^<]+)</a>', page)
    assert ("/", "Accueil") not in entries and "Mes parcours" in [label for _, label in entries]


@pytest.mark.django_db
def test_the_header_names_the_person_in_plain_text_not_a_fake_button(client, world):
    client.force_login(world.ana)
    page = client.get(reverse("casework:pathway_list")).content.decode()
    user = re.search(r'<(\w+) class="([^"]*)" data-testid="signed-in-user">', page)
    assert user.group(1) == "p" and "fr-btn" not in user.group(2)


@pytest.mark.django_db
def test_the_sign_in_refusal_uses_the_field_s_word(client):
    UserFactory(username="camille")
    page = client.post(reverse("login"), {"username": "camille", "password": "mauvais"}).content.decode()
    assert "Identifiant ou mot de passe incorrect." in page
    assert "utilisateur" not in page


@pytest.mark.django_db
def test_observers_read_published_bilans_without_agent_names(client, geo):
    admin = UserFactory(username="dreets", first_name="Luc", last_name="Fabre", administrator=True)
    run = BilanRun.objects.create(
        territory_kind="region",
        territory_code="93",
        territory_name="Provence-Alpes-Côte d'Azur",
        start=datetime.date(2018, 1, 1),
        end=datetime.date(2022, 12, 31),
        period_kind=PeriodKind.PLAN_2018_2022,
        requested_by=admin,
        status=RunStatus.DONE,
        published_at=timezone.now(),
        published_by=admin,
    )
    client.force_login(UserFactory(username="obs", observer=True))
    page = client.get(reverse("reports:run_list")).content.decode()
    assert "<caption>Bilans publiés</caption>" in page
    assert "Fabre" not in page and "Demandé par" not in page
    page = client.get(reverse("reports:run_detail", args=[run.pk])).content.decode()
    assert "Fabre" not in page and "Publié le" in page
    client.force_login(admin)
    assert "Fabre" in client.get(reverse("reports:run_list")).content.decode()
    assert "Fabre" in client.get(reverse("reports:run_detail", args=[run.pk])).content.decode()


@pytest.mark.django_db
def test_the_admin_reads_correct_french(client, geo):
    structure = StructureFactory(name="Habitat Alpha", commune=geo.marseille)
    client.force_login(UserFactory(username="root", role="", is_superuser=True, is_staff=True))
    page = client.get("/admin/accounts/user/add/").content.decode()
    add_user = escape("Ajout d'un utilisateur")
    assert f"<h1>{add_user}</h1>" in page
    assert f"<title>{add_user} | Parcours</title>" in page
    assert "&rsaquo; Ajouter un utilisateur" in page and "vous pourrez modifier ses autres options" in page
    page = client.get("/admin/territories/structure/").content.decode()
    assert "<h1>Structures</h1>" in page and "Ajouter une structure</a>" in page
    assert "Sélectionnez" not in page
    page = client.get(f"/admin/territories/structure/{structure.pk}/change/").content.decode()
    assert "<h1>Modification de la structure</h1>" in page
    assert "Ajouter un label</a>" in client.get("/admin/territories/label/").content.decode()


def test_admin_titles_agree_in_gender_and_elide():
    from types import SimpleNamespace

    from web.admin_wording import french_title

    epci = SimpleNamespace(verbose_name="EPCI", verbose_name_plural="EPCI")
    label = SimpleNamespace(verbose_name="label", verbose_name_plural="labels")
    assert french_title("Modification de EPCI", epci) == "Modification de l'EPCI"
    assert french_title("Affichage de label", label) == "Affichage du label"
    assert french_title("Ajout de label", label) == "Ajout d'un label"
    assert french_title("Journal des accès", label) == "Journal des accès"


@pytest.mark.django_db
def test_epci_and_structure_filters_are_in_french_order(client, world):
    from reports.forms import scope_choices
    from tests.territories.factories import CommuneFactory, EpciFactory

    geo = world.geo
    ventoux = EpciFactory(siren="200000001", name="CA Ventoux", kind="CA")
    arles = EpciFactory(siren="200000002", name="CA d'Arles", kind="CA")
    CommuneFactory(code="13004", name="Arles", departement=geo.marseille.departement, epci=arles, population=1)
    CommuneFactory(code="13099", name="Ventoux", departement=geo.marseille.departement, epci=ventoux, population=1)
    labels = [label for _, label in scope_choices(UserFactory(username="dreets", administrator=True))]
    assert labels.index("EPCI — CA d'Arles") < labels.index("EPCI — CA Ventoux")

    from tests.pathways.factories import PathwayFactory

    for name in ("Zénith Hébergement", "Équipe mobile"):
        PathwayFactory(referent_structure=StructureFactory(name=name, commune=geo.marseille), commune=geo.marseille)
    client.force_login(world.coord)
    page = client.get(reverse("queues:list")).content.decode()
    select = page[page.index('name="structure"') :]
    select = select[: select.index("</select>")]
    assert select.index(">Équipe mobile<") < select.index(">Zénith Hébergement<")
