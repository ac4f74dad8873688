"""The coordinator's journey on places: a vacancy, a household proposed, declined by the household with
a coded reason, a second household proposed and accepted, then its lease and entry recorded on its page,
the place occupied at the end. Screenshots in docs/captures/places-*.png; axe-core on every places page."""

import datetime
import re
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone
from playwright.sync_api import expect

from accounts.enums import Role
from pathways.enums import Stage
from places import services
from places.enums import PlaceState
from places.models import Occupancy, Place
from tests.accounts.factories import UserFactory
from tests.browser.conftest import forget_session, sign_in
from tests.geo import make_geo
from tests.places.factories import make_place, oriented_pathway
from tests.territories.factories import SiteFactory, StructureFactory

CAPTURES = Path(__file__).resolve().parent.parent.parent / "docs" / "captures"
BLOCKING = {"serious", "critical"}


def capture(page, name: str):
    CAPTURES.mkdir(exist_ok=True)
    page.screenshot(path=str(CAPTURES / f"places-{name}.png"), full_page=True)


def make_world():
    geo = make_geo()
    today = timezone.localdate()
    alpha = StructureFactory(name="Association Alpha", commune=geo.marseille)
    beta = StructureFactory(name="Accueil Beta", commune=geo.marseille)
    site = SiteFactory(structure=alpha, commune=geo.marseille, name="Les Tilleuls", kind="iml_sous_location", places=4)
    place = make_place(
        site=site, label="T2 2e étage, porte B", persons_max=3, bedrooms=1, on=today - datetime.timedelta(days=40)
    )
    make_place(
        site=site,
        label="Studio rez-de-chaussée",
        bedrooms=0,
        reduced_mobility=True,
        on=today - datetime.timedelta(days=12),
    )
    occupied = make_place(
        site=site, label="T3 1er étage", persons_max=4, bedrooms=2, on=today - datetime.timedelta(days=300)
    )
    aix_site = SiteFactory(
        structure=alpha, commune=geo.aix, name="Résidence du Cours", kind="pension_famille", places=2
    )
    make_place(site=aix_site, label="Studio 1", on=today - datetime.timedelta(days=75))
    durand = oriented_pathway(
        on=today - datetime.timedelta(days=160), adults=2, commune=geo.marseille, referent_structure=beta
    )
    durand.household.members.update(last_name="Durand")
    martin = oriented_pathway(
        on=today - datetime.timedelta(days=90),
        adults=1,
        children=1,
        commune=geo.marseille,
        referent_structure=beta,
        dalo=True,
    )
    martin.household.members.update(last_name="Martin")
    other = oriented_pathway(on=today - datetime.timedelta(days=200), commune=geo.aix, referent_structure=beta)
    other.household.members.update(last_name="Roche")
    proposal = services.proposal_create(place=occupied, pathway=other, on=today - datetime.timedelta(days=30), by=None)
    services.proposal_answer(proposal=proposal, status="acceptee", on=today - datetime.timedelta(days=28), by=None)
    UserFactory(
        username="coord13", role=Role.COORDINATOR, territories="departement:13", first_name="Nadia", last_name="Benali"
    )
    UserFactory(username="alpha", structures=[alpha], first_name="Lou", last_name="Bernard")
    return {"today": today, "place": place, "durand": durand, "martin": martin, "site": site, "occupied": occupied}


@pytest.mark.django_db(transaction=True)
def test_coordinator_vacancy_proposal_decline_second_proposal_acceptance_lease_entry(page):
    w = make_world()
    place, durand, martin = w["place"], w["durand"], w["martin"]
    sign_in(page, "coord13")

    page.get_by_role("navigation", name="Menu principal").get_by_role("link", name="Places").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Places vacantes")
    row = page.locator(f"tr[data-place='{place.label}']")
    expect(row.get_by_test_id("vacancy-days")).to_have_text("40 j")
    capture(page, "1-vacances")

    row.get_by_role("link", name=re.compile("Ménages pouvant l'occuper")).click()
    candidates = page.get_by_test_id("candidates")
    # Martin: DALO, so first; Durand (two adults) fits too.
    expect(candidates.locator("tbody tr[data-reference]")).to_have_count(2)
    expect(candidates.locator("tbody tr[data-reference]").first).to_have_attribute("data-reference", martin.reference)
    capture(page, "2-menages")

    page.get_by_role("button", name=f"Proposer {durand.household.reference} sur la place {place.label}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"Proposition PR-\d+"))
    expect(page.get_by_text("proposé sur la place")).to_be_visible()
    durand.refresh_from_db()
    assert durand.stage == Stage.PROPOSITION

    # A decline without its reason is refused beside the field.
    page.get_by_label("Refusée par le ménage", exact=True).check(force=True)
    page.get_by_role("button", name="Enregistrer la réponse").click()
    expect(page.locator("#id_household_reason-desc-error")).to_contain_text(
        "Choisissez le motif du refus par le ménage."
    )
    page.get_by_label("Refusée par le ménage", exact=True).check(force=True)
    page.locator("#id_household_reason").select_option(label="Localisation (éloignement, quartier, transports)")
    page.get_by_label("Précisions").fill("Trop loin de l'école des enfants.")
    capture(page, "3-refus")
    page.get_by_role("button", name="Enregistrer la réponse").click()
    expect(page.get_by_test_id("answer")).to_contain_text("Refusée par le ménage : Localisation")
    durand.refresh_from_db()
    place.refresh_from_db()
    assert (durand.stage, place.state) == (Stage.ORIENTE, PlaceState.VACANT)

    # Second proposal: back to the place's households, Durand now last (it declined this place).
    page.get_by_role("link", name=place.label).first.click()
    page.get_by_role("link", name="Ménages pouvant l'occuper").click()
    rows = page.get_by_test_id("candidates").locator("tbody tr[data-reference]")
    expect(rows.last).to_have_attribute("data-reference", durand.reference)
    expect(rows.last).to_contain_text("A déjà refusé cette place")
    page.get_by_role("button", name=f"Proposer {martin.household.reference} sur la place {place.label}").click()
    page.get_by_label("Acceptée", exact=True).check(force=True)
    page.get_by_role("button", name="Enregistrer la réponse").click()
    expect(page.get_by_test_id("answer")).to_contain_text("Acceptée")
    capture(page, "4-acceptation")
    place.refresh_from_db()
    assert (place.state, place.pathway_id) == (PlaceState.OCCUPIED, martin.pk)

    # Lease and entry through the household page's own stage form.
    page.get_by_role("link", name="Fiche du ménage").click()
    form = page.get_by_test_id("transition-form")
    form.get_by_label("Nouvelle étape").select_option(label="Bail signé")
    form.get_by_label("Date de l'étape").fill(w["today"].isoformat())
    form.locator("summary").click()
    form.get_by_label("Type de logement").select_option(label="IML en sous-location")
    form.get_by_label("Commune du logement").fill("13055")
    form.get_by_role("button", name="Enregistrer l'étape").click()
    expect(page.get_by_test_id("pathway-stage")).to_have_text("Bail signé")
    form = page.get_by_test_id("transition-form")
    form.get_by_label("Nouvelle étape").select_option(label="Entrée dans les lieux")
    form.get_by_label("Date de l'étape").fill(w["today"].isoformat())
    form.get_by_role("button", name="Enregistrer l'étape").click()
    expect(page.get_by_test_id("pathway-stage")).to_have_text("Entrée dans les lieux")
    timeline = page.get_by_test_id("timeline")
    expect(timeline.get_by_text(f"Proposé sur la place « {place.label} »", exact=False)).to_have_count(1)
    expect(timeline.get_by_text("Proposition acceptée", exact=True)).to_have_count(1)
    capture(page, "5-fiche-menage")

    page.goto(page.base_url + f"/places/{place.pk}/")
    expect(page.get_by_test_id("place-state")).to_have_text("Occupée")
    occupancy = page.get_by_test_id("place-occupancies").locator("tbody tr").first
    expect(occupancy).to_contain_text(w["today"].strftime("%d/%m/%Y"))
    expect(page.get_by_test_id("place-proposals").locator("tbody tr")).to_have_count(2)
    capture(page, "6-historique")
    assert Occupancy.objects.get(place=place).started_on == w["today"]
    assert Place.objects.get(pk=place.pk).state == PlaceState.OCCUPIED


@pytest.mark.django_db(transaction=True)
def test_operating_structure_frees_a_place_in_one_click(page):
    w = make_world()
    sign_in(page, "alpha")
    page.goto(page.base_url + f"/places/sites/{w['site'].pk}/")
    row = page.locator(f"tr[data-place='{w['occupied'].label}']")
    expect(row.get_by_test_id("place-state")).to_have_text("Occupée")
    capture(page, "7-site")
    row.get_by_role("button", name=re.compile("Déclarer la place libérée")).click()
    expect(page.get_by_text(f"Place « {w['occupied'].label} » déclarée libérée")).to_be_visible()
    expect(page.locator(f"tr[data-place='{w['occupied'].label}']").get_by_test_id("place-state")).to_have_text(
        "Vacante"
    )


@pytest.mark.django_db(transaction=True)
def test_places_pages_have_no_serious_axe_violation(axe_page):
    w = make_world()
    place = w["place"]
    proposal = services.proposal_create(place=place, pathway=w["durand"], on=w["today"], by=None)
    free = Place.objects.filter(state=PlaceState.VACANT).exclude(pk=place.pk).first()
    axe, results = Axe(), {}
    pages = {
        "coord13": [
            "/places/",
            "/places/propositions/",
            "/places/propositions/?toutes=1",
            "/places/sites/",
            f"/places/sites/{w['site'].pk}/",
            f"/places/{place.pk}/",
            f"/places/{free.pk}/menages/",
            f"/places/{free.pk}/indisponible/",
            f"/places/propositions/{proposal.pk}/",
            f"/places/parcours/{w['martin'].pk}/besoins/",
            "/places/synthese/",
        ],
        "alpha": [f"/places/sites/{w['site'].pk}/", f"/places/propositions/{proposal.pk}/"],
    }
    for username, paths in pages.items():
        forget_session(axe_page)
        sign_in(axe_page, username)
        for path in paths:
            response = axe_page.goto(axe_page.base_url + path)
            assert response.status < 400, path
            violations = axe.run(axe_page).response["violations"]
            results[f"{username} {path}"] = [f"{v['id']} ({v['impact']})" for v in violations]
    print("\naxe-core, places pages:")
    for path, found in results.items():
        print(f"  {path}: {'; '.join(found) if found else 'aucune'}")
    blocking = {path: [v for v in found if v.split(" (")[1].rstrip(")") in BLOCKING] for path, found in results.items()}
    assert not {path: found for path, found in blocking.items() if found}
