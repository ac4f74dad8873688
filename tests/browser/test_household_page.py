"""The household page in a browser: the timeline filter (htmx, and the URL kept for a reload), the current
situation after entry into housing; the new-household form reporting every error at once.
Screenshots in test-artifacts/ (menage-fiche.png, menage-nouveau-erreurs.png)."""

import datetime
import re

import pytest
from playwright.sync_api import expect

from pathways import services
from tests.accounts.factories import UserFactory
from tests.browser.conftest import ARTIFACTS, sign_in
from tests.geo import make_geo
from tests.pathways.factories import HouseholdFactory, PathwayFactory, advance
from tests.territories.factories import StructureFactory

D = datetime.date


@pytest.mark.django_db(transaction=True)
def test_the_timeline_filter_works_in_place_and_the_page_shows_the_dwelling(page):
    geo = make_geo()
    structure = StructureFactory(name="Accueil Marseille", commune=geo.marseille)
    ana = UserFactory(username="ana", first_name="Ana", last_name="Roux", structures=[structure])
    household = HouseholdFactory(
        composition="famille_monoparentale",
        children=1,
        members=[
            {"last_name": "Martin", "first_name": "Léa", "birth_date": D(1988, 4, 2)},
            {"last_name": "Martin", "first_name": "Noé", "birth_date": D(2016, 9, 1), "relationship": "enfant"},
        ],
    )
    pathway = PathwayFactory(
        household=household, referent_structure=structure, commune=geo.marseille, opened_on=D(2024, 1, 8)
    )
    services.situation_record(pathway=pathway, situation="hotel_115", since=D(2024, 1, 8), by=ana)
    services.contact_record(pathway=pathway, on=D(2024, 1, 20), kind="entretien", note="Premier entretien", by=ana)
    services.measure_open(pathway=pathway, kind="asll", started_on=D(2024, 2, 1), by=ana)
    advance(
        pathway, "evaluation", "attente_orientation", "oriente", "proposition", "caleol", "attribue", on=D(2024, 3, 1)
    )
    advance(pathway, "bail_signe", on=D(2024, 4, 2), housing_kind="parc_social", housing_commune=geo.marseille)
    advance(pathway, "entree", on=D(2024, 4, 15))
    services.contact_record(pathway=pathway, on=D(2024, 5, 2), kind="visite", note="Visite à domicile", by=ana)

    sign_in(page, "ana")
    page.goto(f"{page.base_url}/menages/{household.pk}/")
    expect(page.get_by_test_id("current-situation")).to_have_text(
        "Situation actuelle : Logé : Parc social à Marseille depuis le 15/04/2024"
    )
    entries = page.get_by_test_id("timeline-entry")
    # Newest first.
    expect(entries.first).to_contain_text("Contact : Visite")
    expect(entries.last).to_contain_text("Demande enregistrée")
    page.screenshot(path=str(ARTIFACTS / "menage-fiche.png"), full_page=True)

    # A mark on the filter: still there after filtering if htmx replaced the list, not the page.
    page.evaluate("document.getElementById('chronologie-filtre').dataset.mark = 'kept'")
    with page.expect_response(re.compile(r"chronologie=contacts")):
        page.get_by_label("Afficher").select_option(label="Contacts")
    expect(entries).to_have_count(2)
    expect(entries.first).to_contain_text("Contact : Visite")
    expect(entries.last).to_contain_text("Contact : Entretien")
    expect(page.get_by_test_id("timeline-count")).to_have_text("2 événements, du plus récent au plus ancien")
    # The filter replaced the list only, and the address keeps it for a reload or a shared link.
    assert re.search(r"\?chronologie=contacts$", page.url)
    assert page.evaluate("document.getElementById('chronologie-filtre').dataset.mark") == "kept"
    page.reload()
    expect(entries).to_have_count(2)
    with page.expect_response(re.compile(r"chronologie=etapes")):
        page.get_by_label("Afficher").select_option(label="Étapes")
    expect(entries).to_have_count(9)
    expect(entries.first).to_contain_text("Entrée dans les lieux")
    page.screenshot(path=str(ARTIFACTS / "menage-fiche-etapes.png"), full_page=True)


@pytest.mark.django_db(transaction=True)
def test_the_new_household_form_reports_every_error_at_once(page):
    geo = make_geo()
    structure = StructureFactory(name="Accueil Marseille", commune=geo.marseille)
    UserFactory(username="ana", structures=[structure])
    tomorrow = datetime.date.today() + datetime.timedelta(days=1)

    sign_in(page, "ana")
    page.goto(f"{page.base_url}/menages/nouveau/")
    page.get_by_label("Composition").select_option(label="Personne seule")
    page.locator("#id_members-0-last_name").fill("Martin")
    page.locator("#id_members-0-first_name").fill("Paul")
    page.locator("#id_members-0-birth_date").fill("1985-01-01")
    expect(page.locator("#id_members-0-relationship")).to_have_value("reference")
    page.get_by_role("button", name="Ajouter une personne").click()
    added = page.locator("#id_members-1-relationship")
    # The person added is nobody's reference person until the user says so.
    expect(added).to_have_value("")
    page.locator("#id_members-1-last_name").fill("Martin")
    page.locator("#id_members-1-first_name").fill("Léa")
    page.locator("#id_members-1-birth_date").fill(tomorrow.isoformat())
    added.select_option(label="Enfant")
    page.get_by_label("Structure référente", exact=True).select_option(label="Accueil Marseille")
    page.get_by_label("Commune du parcours").fill("13055")
    page.get_by_label("Date d'ouverture du parcours", exact=True).fill(tomorrow.isoformat())
    page.get_by_role("button", name="Créer le ménage et ouvrir son parcours").click()

    summary = page.locator("#resume-erreurs")
    expect(summary).to_contain_text(
        "Personne 2 (MARTIN Léa), date de naissance : La date de naissance ne peut pas être dans le futur."
    )
    expect(summary).to_contain_text("Date d'ouverture du parcours : La date ne peut pas être dans le futur.")
    expect(summary).to_contain_text("« Personne seule » ne compte pas d'enfant : vous en indiquez 1.")
    page.screenshot(path=str(ARTIFACTS / "menage-nouveau-erreurs.png"), full_page=True)
    summary.get_by_role("link", name=re.compile("Personne 2")).click()
    expect(page.locator("#id_members-1-birth_date")).to_be_focused()
    page.locator("#id_members-1-birth_date").fill("2015-06-01")
    page.get_by_label("Date d'ouverture du parcours", exact=True).fill("2024-01-08")
    page.get_by_role("button", name="Créer le ménage et ouvrir son parcours").click()
    expect(summary).to_contain_text("« Personne seule » ne compte pas d'enfant : vous en indiquez 1.")
    page.get_by_label("Composition").select_option(label="Famille monoparentale")
    page.get_by_role("button", name="Créer le ménage et ouvrir son parcours").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Ménage M-")
