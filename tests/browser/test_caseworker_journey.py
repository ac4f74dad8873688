"""A caseworker's journey: create a household with two members, walk its pathway from `demande` to
`entree`, see every step on the timeline; and a refused step shown next to its field.

The orientation (`oriente`) is the SIAO coordinator's decision, which a caseworker cannot record
(roles.md): the test has the coordinator record it through the service, as happens in real life
between two visits of the caseworker, who then reloads the page."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from pathways import services
from pathways.models import Household, Pathway
from tests.accounts.factories import UserFactory
from tests.browser.conftest import ARTIFACTS, sign_in
from tests.geo import make_geo
from tests.territories.factories import StructureFactory


def _record_stage(page, stage_label: str, day: datetime.date, **extra):
    form = page.get_by_test_id("transition-form")
    form.get_by_label("Nouvelle étape").select_option(label=stage_label)
    form.get_by_label("Date de l'étape").fill(day.isoformat())
    if extra:
        form.locator("summary").click()
    for label, value in extra.items():
        field = form.get_by_label(label)
        if field.evaluate("e => e.tagName") == "SELECT":
            field.select_option(label=value)
        else:
            field.fill(value)
    form.get_by_role("button", name="Enregistrer l'étape").click()


@pytest.mark.django_db(transaction=True)
def test_caseworker_creates_a_household_and_walks_it_to_move_in(page):
    geo = make_geo()
    structure = StructureFactory(name="Accueil Marseille", commune=geo.marseille)
    StructureFactory(name="Habitat Sud", kind="bailleur_social", commune=geo.marseille)
    UserFactory(username="ana", first_name="Ana", last_name="Roux", structures=[structure])
    coordinator = UserFactory(username="siao", coordinator=True, territories="departement:13")
    today = timezone.localdate()
    opened = today - datetime.timedelta(days=20)

    sign_in(page, "ana")
    expect(page).to_have_title("Mes parcours — Parcours")
    page.get_by_role("link", name="Nouveau ménage").first.click()
    expect(page).to_have_title("Nouveau ménage — Parcours")

    page.get_by_label("Composition").select_option(label="Famille monoparentale")
    page.get_by_label("Nombre d'enfants").fill("1")
    page.locator("#id_members-0-last_name").fill("Nguyen")
    page.locator("#id_members-0-first_name").fill("Linh")
    page.locator("#id_members-0-birth_date").fill("1990-03-04")
    page.get_by_role("button", name="Ajouter une personne").click()
    page.locator("#id_members-1-last_name").fill("Nguyen")
    page.locator("#id_members-1-first_name").fill("Minh")
    page.locator("#id_members-1-relationship").select_option(label="Enfant")
    page.get_by_label("Situation résidentielle actuelle").select_option(label="Centre d'hébergement d'urgence")
    page.get_by_label("Structure référente", exact=True).select_option(label="Accueil Marseille")
    commune = page.get_by_label("Commune du parcours")
    commune.fill("Marse")
    # The suggestions arrive in the field's datalist (htmx).
    expect(page.locator("#id_commune-suggestions option")).to_have_count(1)
    commune.fill("Marseille (13055)")
    page.get_by_label("Date d'ouverture du parcours", exact=True).fill(opened.isoformat())
    page.screenshot(path=str(ARTIFACTS / "casework-household-new.png"), full_page=True)
    page.get_by_role("button", name="Créer le ménage et ouvrir son parcours").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Ménage M-")
    household = Household.objects.get()
    assert sorted(household.members.values_list("first_name", flat=True)) == ["Linh", "Minh"]
    expect(page.get_by_test_id("member-row")).to_have_count(2)
    stage = page.get_by_test_id("pathway-stage")
    expect(stage).to_have_text("Demande enregistrée")

    day = opened
    for label in ("Évaluation sociale", "En attente d'orientation"):
        day += datetime.timedelta(days=2)
        _record_stage(page, label, day)
        expect(stage).to_have_text(label)

    # A caseworker is not offered the orientation decision.
    options = page.get_by_test_id("transition-form").get_by_label("Nouvelle étape").locator("option")
    assert "Orienté" not in options.all_inner_texts()
    pathway = Pathway.objects.get()
    day += datetime.timedelta(days=2)
    services.pathway_transition(
        pathway=pathway, to_stage="oriente", on=day, by=coordinator, orientation="logement_ordinaire"
    )
    page.reload()
    expect(stage).to_have_text("Orienté")

    for label in ("Proposition de logement", "Passage en CALEOL", "Attribution prononcée"):
        day += datetime.timedelta(days=2)
        _record_stage(page, label, day)
        expect(stage).to_have_text(label)
    day += datetime.timedelta(days=2)
    _record_stage(
        page,
        "Bail signé",
        day,
        **{"Type de logement": "Parc social", "Commune du logement": "13055", "Bailleur": "Habitat Sud"},
    )
    expect(stage).to_have_text("Bail signé")
    day += datetime.timedelta(days=1)
    _record_stage(page, "Entrée dans les lieux", day)
    expect(stage).to_have_text("Entrée dans les lieux")

    timeline = page.get_by_test_id("timeline")
    for label in (
        "Demande enregistrée",
        "Évaluation sociale",
        "En attente d'orientation",
        "Orienté",
        "Proposition de logement",
        "Passage en CALEOL",
        "Attribution prononcée",
        "Bail signé",
        "Entrée dans les lieux",
    ):
        expect(timeline.get_by_text(label, exact=True)).to_have_count(1)
    expect(timeline).to_contain_text("Logement : Parc social à Marseille")
    expect(timeline).to_contain_text(re.compile(r"Saisi par Camille Martin\d+ le"))  # the coordinator
    expect(timeline).to_contain_text("Saisi par Ana Roux le")
    page.screenshot(path=str(ARTIFACTS / "casework-household-page.png"), full_page=True)
    assert list(pathway.transitions.values_list("stage", flat=True)) == [
        "demande",
        "evaluation",
        "attente_orientation",
        "oriente",
        "proposition",
        "caleol",
        "attribue",
        "bail_signe",
        "entree",
    ]

    page.get_by_role("link", name="Mes parcours").click()
    expect(page.get_by_test_id("pathway-row")).to_have_count(1)
    page.screenshot(path=str(ARTIFACTS / "casework-pathway-list.png"), full_page=True)


@pytest.mark.django_db(transaction=True)
def test_a_step_dated_before_the_previous_one_is_refused_next_to_its_date(page):
    from tests.pathways.factories import PathwayFactory

    geo = make_geo()
    structure = StructureFactory(name="Accueil Marseille", commune=geo.marseille)
    UserFactory(username="ana", structures=[structure])
    pathway = PathwayFactory(referent_structure=structure, commune=geo.marseille, opened_on=datetime.date(2024, 3, 10))

    sign_in(page, "ana")
    page.goto(f"{page.base_url}/menages/{pathway.household_id}/")
    _record_stage(page, "Évaluation sociale", datetime.date(2024, 3, 1))

    date_field = page.get_by_test_id("transition-form").get_by_label("Date de l'étape")
    message = "La date ne peut pas précéder celle de l'étape précédente (10/03/2024)."
    error = page.locator(f"#id_etape{pathway.pk}-date-desc-error")
    expect(error).to_have_text(message)
    expect(date_field).to_have_attribute("aria-invalid", "true")
    expect(date_field).to_have_attribute("aria-describedby", re.compile(f"id_etape{pathway.pk}-date-desc-error"))
    expect(page.locator("#resume-erreurs")).to_contain_text(message)
    page.screenshot(path=str(ARTIFACTS / "casework-refused-step.png"), full_page=True)
    pathway.refresh_from_db()
    assert (pathway.stage, pathway.transitions.count()) == ("demande", 1)
