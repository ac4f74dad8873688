"""axe-core (bundled by axe-playwright-python) on the main pages of each role: no violation of impact
serious or critical. The per-page result is printed (pytest -s) for the issue's closing note.

No rule is excluded."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from reports import services
from reports.enums import PeriodKind, RunStatus
from territories.territory import parse_territory
from tests.accounts.factories import UserFactory
from tests.browser.conftest import forget_session, sign_in
from tests.geo import make_geo
from tests.web.queues_scenario import make_scenario

BLOCKING = {"serious", "critical"}
AXE = Axe()


def audit(page, path: str, results: dict, who: str = "") -> None:
    response = page.goto(page.base_url + path)
    assert response.status < 400, path
    page.wait_for_load_state()
    if path.startswith("/admin/"):
        # static/js/admin_accessibility.js completes the admin's widgets once they are built.
        page.locator("html[data-admin-a11y='true']").wait_for(state="attached")
    violations = AXE.run(page).response["violations"]
    results[f"{who} {path}".strip()] = [
        f"{v['id']} ({v['impact']}): {', '.join(node['target'][0] for node in v['nodes'][:3])}" for v in violations
    ]


@pytest.mark.django_db(transaction=True)
def test_main_pages_of_each_role_have_no_serious_axe_violation(axe_page):
    page = axe_page
    geo = make_geo()
    scenario = make_scenario(geo)
    dreets = UserFactory(username="dreets", administrator=True)
    UserFactory(username="obs", observer=True)
    UserFactory(username="root", is_superuser=True, is_staff=True)
    run = services.bilan_run_request(
        territory=parse_territory("region:93"),
        start=services.period_bounds(PeriodKind.YEAR, year=2021)[0],
        end=services.period_bounds(PeriodKind.YEAR, year=2021)[1],
        by=dreets,
        period_kind=PeriodKind.YEAR,
    )
    run.refresh_from_db()
    assert run.status == RunStatus.DONE, run.error
    services.bilan_run_publish(run=run, by=dreets)
    results: dict[str, list[str]] = {}

    for path in ("/connexion/", "/accessibilite/", "/mentions-legales/", "/donnees-personnelles/"):
        audit(page, path, results)

    sign_in(page, "sam")
    household = f"/menages/{scenario.durand.household_id}/"
    for path in ("/parcours/", household, "/menages/nouveau/"):
        audit(page, path, results)

    forget_session(page)
    sign_in(page, "coord")
    for path in ("/coordination/", "/coordination/files/", "/coordination/bloques/"):
        audit(page, path, results)

    forget_session(page)
    sign_in(page, "dreets")
    for path in ("/", "/bilans/", f"/bilans/{run.pk}/"):
        audit(page, path, results, "administration")

    forget_session(page)
    sign_in(page, "obs")
    for path in ("/bilans/", f"/bilans/{run.pk}/"):
        audit(page, path, results, "observation")

    forget_session(page)
    sign_in(page, "root")
    structure = scenario.alpha.pk
    admin_pages = (
        "/admin/",
        "/admin/territories/structure/",
        f"/admin/territories/structure/{structure}/change/",
        "/admin/territories/site/",
        "/admin/territories/site/add/",
        "/admin/territories/label/",
        "/admin/territories/commune/",
        "/admin/accounts/user/",
        "/admin/accounts/user/add/",
        f"/admin/accounts/user/{scenario.sam.pk}/change/",
        "/admin/accounts/invitation/",
        "/admin/reports/bilanrun/",
        f"/admin/reports/bilanrun/{run.pk}/change/",
        "/admin/audit/auditevent/",
    )
    for path in admin_pages:
        audit(page, path, results)

    print("\naxe-core, violations per page:")
    for path, found in results.items():
        print(f"  {path}: {'; '.join(found) if found else 'aucune'}")
    blocking = {
        path: [v for v in found if v.split(" (")[1].split(")")[0] in BLOCKING] for path, found in results.items()
    }
    assert not {path: found for path, found in blocking.items() if found}
